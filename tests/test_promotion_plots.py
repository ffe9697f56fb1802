"""Promotion figures: they are Figures, draw what they are given and respect the minimum cell size."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from csresearch.config import set_min_cell_size
from csresearch.events import build_spells
from csresearch.models.promotion import time_to_promotion
from csresearch.plots.promotion import (
    make_promotion_figures,
    plot_cumulative_incidence,
    plot_promotion_probability,
    term_label,
)
from csresearch.synth.hr import simulate_histories


def test_make_promotion_figures_is_deterministic_set_of_figures():
    figs = make_promotion_figures(n_employees=500, seed=3)
    assert set(figs) == {"promotion_cumulative_incidence", "promotion_hazard_ratios",
                         "promotion_probability", "promotion_calibration"}
    assert all(isinstance(f, Figure) for f in figs.values())
    again = make_promotion_figures(n_employees=500, seed=3)
    a = figs["promotion_calibration"].axes[0].lines[0].get_ydata()
    b = again["promotion_calibration"].axes[0].lines[0].get_ydata()
    assert list(a) == list(b)


def test_small_groups_get_no_curve_and_a_note():
    events, truth = simulate_histories(200, seed=4)
    spells = build_spells(events, censor_date=truth.censor_date)
    set_min_cell_size(40)
    try:
        timing = time_to_promotion(spells, by="education", level=1)
        fig = plot_cumulative_incidence(timing)
    finally:
        set_min_cell_size(None)
    small = timing.medians.loc[timing.medians["n_employees"] < 40, "group"].tolist()
    assert small  # master is ~10 % of 200
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert not any(s in label for s in small for label in labels)
    assert "not shown" in fig._suptitle.get_text()


def test_probability_bars_hide_small_groups():
    pred = pd.DataFrame({"p_promotion_12m": [0.2] * 9})
    groups = pd.Series(["a"] * 6 + ["b"] * 3)
    fig = plot_promotion_probability(pred, groups)  # default minimum cell size 5
    assert len(fig.axes[0].patches) == 1
    assert "b" in fig.axes[0].get_title()


def test_term_labels():
    assert term_label("C(city_tier)[T.3]") == "city_tier = 3"
    assert term_label("C(education, Treatment('high_school'))[T.college]") == "education = college"

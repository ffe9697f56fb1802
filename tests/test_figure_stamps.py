"""Figures of simulated histories (promotion, policy) carry the SYNTHETIC stamp inside every axes;
figures of observed histories do not."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from csresearch.plots.labels import label_figure, stamp_simulated  # noqa: E402
from csresearch.plots.policy import make_policy_figures  # noqa: E402
from csresearch.plots.promotion import make_promotion_figures  # noqa: E402
from csresearch.synth.hr import simulate_histories  # noqa: E402


def _stamped(fig) -> bool:
    return all(any(t.get_text() == "SYNTHETIC" for t in ax.texts) for ax in fig.axes) and fig.csresearch_synthetic


def _caption(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


def test_simulated_promotion_figures_are_stamped():
    figs = make_promotion_figures(n_employees=300, seed=1)
    assert all(_stamped(f) for f in figs.values())
    assert all("simulate_histories, 300 employees, seed 1" in _caption(f) for f in figs.values())
    plt.close("all")


def test_promotion_figures_of_given_histories_are_not_stamped():
    events, truth = simulate_histories(300, seed=1)  # standing in for an employer's own history
    figs = make_promotion_figures(events, censor_date=truth.censor_date, formula=truth.formula)
    assert not any(any(t.get_text() == "SYNTHETIC" for ax in f.axes for t in ax.texts) for f in figs.values())
    plt.close("all")


def test_policy_figures_are_stamped():
    figs = make_policy_figures(n_employees=60, months=12, seed=3)
    assert all(_stamped(f) for f in figs.values())
    assert all("simulate_policy, 60 hires, 12 months, seed 3" in _caption(f) for f in figs.values())
    plt.close("all")


def test_a_synthetic_caption_must_say_so():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="SYNTHETIC"):
        label_figure(fig, caption="", synthetic="simulated data")
    assert _stamped(stamp_simulated(fig, "x"))
    plt.close("all")

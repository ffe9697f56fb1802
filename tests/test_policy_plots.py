"""Policy figures: built deterministically from simulated histories."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from csresearch.plots.policy import make_policy_figures, plot_time_to_level
from csresearch.policy import simulate_policy


def test_make_policy_figures_returns_named_figures():
    figs = make_policy_figures(seed=0, n_employees=200, months=24)
    assert sorted(figs) == [
        "policy_review_cadence",
        "policy_share_demoted",
        "policy_tenure_minimum",
        "policy_time_to_level",
    ]
    assert all(isinstance(f, Figure) for f in figs.values())


def test_time_to_level_curve_is_the_cohort_share_reached():
    # always excellent under tiered_tenure: everyone at level 2 from month 3, level 3 from month 12
    ev = simulate_policy("tiered_tenure", 30, months=24, seed=0, performance=100.0, exit_hazard=0.0)
    fig = plot_time_to_level({"tiered": ev})
    for ax, first in zip(fig.axes, (3, 12), strict=True):
        x, y = ax.lines[0].get_data()
        assert np.all(y[x < first] == 0) and np.all(y[x >= first] == 1)

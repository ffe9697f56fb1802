"""Figures of simulated careers under written promotion rules (one function per figure).

Figures are plain ``matplotlib.figure.Figure`` objects (not registered with pyplot, so a build
that makes many of them leaks nothing); save them with ``fig.savefig``. Every figure is built from histories simulated by :func:`csresearch.policy.simulate_policy`;
titles say so, because the curves show what the written rules imply under an assumed
performance process, not what happened to real staff. Labels are in English (the Chinese
grade names are in the policy files and ``Policy.describe()``) so that figures render with the
default fonts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from csresearch.schema import LEVEL_NAMES
from csresearch.plots.labels import stamp_simulated
from csresearch.policy.engine import (
    PerformanceProcess,
    list_policies,
    load_policy,
    simulate_policy,
    sweep_policy,
    time_to_level,
)

__all__ = [
    "plot_time_to_level",
    "plot_share_demoted",
    "plot_rule_change",
    "make_policy_figures",
]



def _label(level: int, policy: str = "tiered_tenure") -> str:
    """Grade name and its LADDER.md rung, e.g. 'senior grade (rung 2 senior)'; never a bare number."""
    # CJK glyphs are missing from the default fonts; keep English in rendered text
    g = load_policy(policy).grades[int(level) - 1]
    return f"{g.name_en} grade (rung {g.rung} {LEVEL_NAMES[g.rung]})"


def plot_time_to_level(histories: Mapping[str, pd.DataFrame], levels: Sequence[int] = (2, 3)) -> Figure:
    """Share of the hire cohort that has reached each level, by months since hire.

    Parameters
    ----------
    histories : mapping name -> event history
        E.g. ``{name: simulate_policy(name, ...)}`` for each rule set.
    levels : sequence of int
        One panel per grade number (default 2 = 中级客服 intermediate, rung 1 agent, and
        3 = 高级客服 senior, rung 2 senior; the shipped policies share these grades).

    Returns
    -------
    Figure

    Examples
    --------
    >>> from csresearch.policy import simulate_policy
    >>> fig = plot_time_to_level({"tiered_tenure": simulate_policy("tiered_tenure", 50, months=24, seed=0)})
    >>> len(fig.axes)
    2
    """
    fig = Figure(figsize=(5 * len(levels), 3.8))
    axes = fig.subplots(1, len(levels), sharey=True, squeeze=False)
    for ax, level in zip(axes[0], levels, strict=True):
        for name, ev in histories.items():
            ttl = time_to_level(ev, level)
            horizon = int(ev.attrs.get("months", np.nanmax(ttl["followup_months"])))
            grid = np.arange(horizon + 1)
            reached = np.sort(ttl.loc[ttl["reached"], "months"].to_numpy())
            share = np.searchsorted(reached, grid, side="right") / len(ttl)
            ax.step(grid, share, where="post", label=name)
        ax.set_title(f"Reached {_label(level)}")
        ax.set_xlabel("months since hire")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("share of hire cohort")
    axes[0][0].set_ylim(0, 1)
    axes[0][-1].legend(fontsize=8, loc="lower right")
    fig.suptitle("Time to promotion under each written rule set (simulated histories)", fontsize=11)
    fig.tight_layout()
    return fig


def plot_share_demoted(histories: Mapping[str, pd.DataFrame]) -> Figure:
    """Share of each cohort ever demoted and ever leaving (exit or dismissal), per rule set.

    Examples
    --------
    >>> from csresearch.policy import simulate_policy
    >>> fig = plot_share_demoted({"ecommerce_review": simulate_policy("ecommerce_review", 50, months=24, seed=0)})
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['ecommerce_review']
    """
    names = list(histories)
    shares = {
        kind: [
            ev.loc[ev["event"] == kind, "employee_id"].nunique() / ev["employee_id"].nunique()
            for ev in histories.values()
        ]
        for kind in ("demotion", "exit")
    }
    x = np.arange(len(names))
    fig = Figure(figsize=(1.8 * len(names) + 2.5, 3.8))
    ax = fig.subplots()
    for offset, (kind, label) in zip((-0.2, 0.2), (("demotion", "ever demoted"), ("exit", "left or dismissed")),
                                     strict=True):  # fmt: skip
        bars = ax.bar(x + offset, shares[kind], width=0.4, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of hire cohort")
    ax.legend(fontsize=8)
    ax.set_title("Demotions and exits under each written rule set (simulated)", fontsize=11)
    fig.tight_layout()
    return fig


def plot_rule_change(sweep: pd.DataFrame, levels: Sequence[int] = (2, 3), *, xlabel: str | None = None) -> Figure:
    """Median months to each level, and share reaching it, as one rule changes.

    Parameters
    ----------
    sweep : DataFrame
        Output of :func:`csresearch.policy.sweep_policy`.
    levels : sequence of int
        Levels to show.
    xlabel : str, optional
        Axis label; default names the changed rule.

    Examples
    --------
    >>> from csresearch.policy import sweep_policy
    >>> t = sweep_policy("tiered_tenure", "review_months", [1, 3], n_employees=50, months=24, seed=0)
    >>> len(plot_rule_change(t).axes)
    2
    """
    fig = Figure(figsize=(10, 3.8))
    ax_m, ax_s = fig.subplots(1, 2)
    for level in levels:
        ax_m.plot(sweep["value"], sweep[f"median_months_L{level}"], marker="o", label=_label(level))
        ax_s.plot(sweep["value"], sweep[f"share_reached_L{level}"], marker="o", label=_label(level))
    if "share_demoted" in sweep:
        ax_s.plot(sweep["value"], sweep["share_demoted"], marker="s", ls="--", color="grey", label="ever demoted")
    change = sweep.attrs.get("change", "rule value")
    grade = sweep.attrs.get("grade")
    label = xlabel or f"{change}" + (f" of grade {grade}" if grade is not None else " (all grades)")
    for ax in (ax_m, ax_s):
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    ax_m.set_ylabel("median months to reach\n(cumulative-incidence estimate)")
    ax_s.set_ylabel("share of hire cohort")
    ax_s.set_ylim(0, 1)
    fig.suptitle(f"{sweep.attrs.get('policy', 'policy')}: effect of changing {change} (simulated)", fontsize=11)
    fig.tight_layout()
    return fig


def make_policy_figures(
    *,
    seed: int = 0,
    n_employees: int = 2000,
    months: int = 60,
    performance: PerformanceProcess | None = None,
    exit_hazard: float = 0.02,
) -> dict[str, Figure]:
    """All policy figures for ``reports/figures/``, deterministic for a given seed.

    Returns
    -------
    dict
        ``policy_time_to_level``, ``policy_share_demoted``, ``policy_tenure_minimum`` (months at
        初级 before 中级 in ``tiered_tenure``, 1-12) and ``policy_review_cadence`` (review every
        1-12 months in ``tiered_tenure``).

    Examples
    --------
    >>> figs = make_policy_figures(n_employees=100, months=24)
    >>> sorted(figs)
    ['policy_review_cadence', 'policy_share_demoted', 'policy_tenure_minimum', 'policy_time_to_level']
    """
    common = {"performance": performance, "exit_hazard": exit_hazard}
    histories = {
        name: simulate_policy(name, n_employees, months=months, seed=seed, **common) for name in list_policies()
    }
    tiered = load_policy("tiered_tenure")
    tenure = sweep_policy(tiered, "min_months", [1, 3, 6, 9, 12], grade=tiered.grades[0].name,
                          n_employees=n_employees, months=months, seed=seed, **common)  # fmt: skip
    cadence = sweep_policy(tiered, "review_months", [1, 2, 3, 6, 12], n_employees=n_employees, months=months,
                           seed=seed, **common)  # fmt: skip
    figs = {
        "policy_time_to_level": plot_time_to_level(histories),
        "policy_share_demoted": plot_share_demoted(histories),
        "policy_tenure_minimum": plot_rule_change(tenure, xlabel="minimum months at junior grade before intermediate"),
        "policy_review_cadence": plot_rule_change(cadence, xlabel="review every N months (all grades)"),
    }
    # every policy history is simulated: stamped inside the figure, as in notebook 04
    made_by = f"csresearch.policy.simulate_policy, {n_employees} hires, {months} months, seed {seed}"
    return {k: stamp_simulated(f, made_by) for k, f in figs.items()}

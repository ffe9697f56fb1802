"""Figures of promotion timing (one function per figure).

Figures are plain ``matplotlib.figure.Figure`` objects (not registered with
pyplot, nothing shown or written); save them with ``fig.savefig``. Every figure
respects the disclosure threshold :func:`csresearch.config.get_min_cell_size`:
groups with fewer employees get no curve, bar or point, and the figure says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from csresearch.config import get_min_cell_size
from csresearch.events import build_spells
from csresearch.plots.labels import stamp_simulated
from csresearch.models.promotion import (
    PromotionModel,
    PromotionTiming,
    calibration_table,
    fit_promotion_model,
    time_to_promotion,
)

__all__ = [
    "plot_cumulative_incidence",
    "plot_hazard_ratios",
    "plot_promotion_probability",
    "plot_calibration",
    "make_promotion_figures",
    "term_label",
]

_CAUSE_STYLE = {"promotion": "-", "exit": "--", "demotion": ":"}


def term_label(term: str) -> str:
    """Readable label of a statsmodels term: ``C(education, Treatment('x'))[T.master]`` -> ``education = master``.

    Examples
    --------
    >>> term_label("C(education, Treatment('high_school'))[T.master]")
    'education = master'
    >>> term_label("kpi_score")
    'kpi_score'
    """
    m = re.fullmatch(r"C\(\s*([^,)]+).*\)\[T\.(.+?)\]", term)
    return f"{m.group(1).strip()} = {m.group(2)}" if m else term


def _suppressed_note(timing: PromotionTiming) -> str:
    sup = timing.medians.loc[timing.medians["suppressed"], "group"].tolist()
    return f"not shown (< {get_min_cell_size()} employees): {', '.join(sup)}" if sup else ""


def plot_cumulative_incidence(
    timing: PromotionTiming,
    *,
    causes: Sequence[str] = ("promotion", "exit"),
    facet: str | None = None,
    max_months: float | None = None,
    title: str | None = None,
) -> Figure:
    """Cumulative incidence of promotion (solid) and exit (dashed) by group, with 95 % bands.

    Parameters
    ----------
    timing : PromotionTiming
        From :func:`csresearch.time_to_promotion` (suppressed groups have no curves).
    causes : sequence of str
        Causes to draw (with ``competing=False`` only promotion exists).
    facet : str, optional
        One of ``timing.by`` (e.g. ``"level"``) to draw one panel per value;
        the remaining ``by`` columns colour the curves.
    max_months : float, optional
        Right end of the time axis.
    title : str, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> from csresearch.synth.hr import simulate_histories
    >>> from csresearch.events import build_spells
    >>> from csresearch.models.promotion import time_to_promotion
    >>> ev, truth = simulate_histories(400, seed=0)
    >>> timing = time_to_promotion(build_spells(ev, censor_date=truth.censor_date), by="level", level=[1, 2])
    >>> len(plot_cumulative_incidence(timing, facet="level").axes)
    2
    """
    curves = timing.curves
    if facet is not None and facet not in timing.by:
        raise ValueError(f"facet {facet!r} is not one of the grouping columns {timing.by}")
    panels = sorted(curves[facet].dropna().unique()) if facet else [None]
    panels = panels or [None]
    fig = Figure(figsize=(4.2 * len(panels) + 1.0, 3.8), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    colour_by = [c for c in timing.by if c != facet]
    for ax, value in zip(axes, panels):
        sub = curves if value is None else curves[curves[facet] == value]
        labels = sub[colour_by].astype("str").agg(", ".join, axis=1) if colour_by else pd.Series("all", index=sub.index)
        for i, (label, g) in enumerate(sub.groupby(labels, sort=True)):
            colour = f"C{i % 10}"
            for cause in causes:
                c = g[g["cause"] == cause]
                if c.empty:
                    continue
                ax.step(c["time"], c["estimate"], where="post", color=colour, ls=_CAUSE_STYLE.get(cause, "-"),
                        label=f"{label}: {cause}")
                ax.fill_between(c["time"], c["ci_low"], c["ci_high"], step="post", color=colour, alpha=0.15, lw=0)
        ax.set_xlabel("months at the level")
        ax.set_title("all levels" if value is None else f"{facet} {value}")
        ax.set_ylim(0, 1)
        if max_months is not None:
            ax.set_xlim(0, max_months)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("cumulative incidence" if timing.competing else "1 - Kaplan-Meier (exits censored)")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        axes[-1].legend(fontsize=7, loc="upper left")
    note = _suppressed_note(timing)
    fig.suptitle((title or "Time to promotion (Aalen-Johansen, 95 % bands)") + (f"\n{note}" if note else ""), fontsize=10)
    return fig


def plot_hazard_ratios(
    model: PromotionModel | pd.DataFrame,
    *,
    truth: pd.Series | None = None,
    cause: str = "promotion",
    title: str | None = None,
) -> Figure:
    """Forest plot of hazard (or odds) ratios with 95 % intervals on a log axis.

    Parameters
    ----------
    model : PromotionModel or DataFrame
        A fitted model, or its ``effects()`` table.
    truth : Series, optional
        True ratios by term (simulated data), drawn as red crosses.
    cause : str
        ``"promotion"`` or ``"exit"``.
    title : str, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> from csresearch.synth.hr import simulate_histories
    >>> from csresearch.events import build_spells
    >>> from csresearch.models.promotion import fit_promotion_model
    >>> ev, truth = simulate_histories(600, seed=0)
    >>> m = fit_promotion_model(build_spells(ev, censor_date=truth.censor_date), truth.formula, strata="level")
    >>> fig = plot_hazard_ratios(m, truth=truth.hazard_ratios)
    >>> len(fig.axes[0].get_yticklabels())
    6
    """
    eff = model.effects(cause) if isinstance(model, PromotionModel) else model
    ratio_col = eff.columns[0]
    eff = eff.iloc[::-1]
    y = np.arange(len(eff))
    fig = Figure(figsize=(7.0, 0.45 * len(eff) + 1.8), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(eff[ratio_col], y, xerr=[eff[ratio_col] - eff["ci_low"], eff["ci_high"] - eff[ratio_col]],
                fmt="o", color="C0", capsize=3, label="estimate, 95 % CI")
    if truth is not None:
        t = truth.reindex(eff.index)
        ax.plot(t, y, "x", color="C3", ms=8, mew=2, label="true value")
    ax.axvline(1, color="grey", lw=1)
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, [term_label(t) for t in eff.index])
    ax.set_xlabel(ratio_col.replace("_", " ") + " (log scale)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    ax.grid(alpha=0.3, axis="x")
    fig.suptitle(title or f"{cause.capitalize()}: {ratio_col.replace('_', ' ')}s", fontsize=10)
    return fig


def plot_promotion_probability(
    predictions: pd.DataFrame,
    groups: pd.Series,
    *,
    employee_id: pd.Series | None = None,
    title: str | None = None,
) -> Figure:
    """Mean predicted probability of promotion by 6/12/24 months (competing exit accounted for), by group.

    Parameters
    ----------
    predictions : DataFrame
        From :meth:`PromotionModel.predict` (columns ``p_promotion_<h>m``).
    groups : Series
        Group of each row (same index).
    employee_id : Series, optional
        Employee of each row, to count employees (else rows) against the
        minimum cell size.
    title : str, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"p_promotion_6m": [0.1] * 6 + [0.3] * 6, "p_promotion_12m": [0.2] * 6 + [0.5] * 6})
    >>> fig = plot_promotion_probability(pred, pd.Series(["a"] * 6 + ["b"] * 6))
    >>> len(fig.axes[0].patches)
    4
    """
    ids = employee_id if employee_id is not None else pd.Series(np.arange(len(groups)), index=groups.index)
    size = ids.groupby(groups).nunique()
    keep = size.index[size >= get_min_cell_size()]
    hidden = size.index[size < get_min_cell_size()].astype("str").tolist()
    means = predictions[groups.isin(keep)].groupby(groups[groups.isin(keep)]).mean()
    horizons = [c.removeprefix("p_promotion_") for c in predictions.columns]
    fig = Figure(figsize=(max(5.0, 1.2 * len(means) + 3), 3.8), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(len(horizons), 1)
    x = np.arange(len(means))
    for j, (col, h) in enumerate(zip(predictions.columns, horizons)):
        ax.bar(x + (j - (len(horizons) - 1) / 2) * width, means[col], width, label=f"by {h.replace('m', ' months')}")
    ax.set_xticks(x, means.index.astype("str"))
    ax.set_ylim(0, 1)
    ax.set_ylabel("predicted P(promoted), exits competing")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    note = f"\nnot shown (< {get_min_cell_size()} employees): {', '.join(hidden)}" if hidden else ""
    ax.set_title((title or "Predicted probability of promotion") + note, fontsize=10)
    return fig


def plot_calibration(table: pd.DataFrame, *, horizon: float | None = None, title: str | None = None) -> Figure:
    """Predicted vs observed probability of promotion by bin (from :func:`calibration_table`).

    Observed values are Aalen-Johansen estimates within each bin with 95 %
    intervals; suppressed bins are not drawn.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"predicted": [0.2, 0.5], "observed": [0.25, 0.45], "ci_low": [0.2, 0.4],
    ...                   "ci_high": [0.3, 0.5], "suppressed": [False, False]})
    >>> len(plot_calibration(t).axes)
    1
    """
    shown = table[~table["suppressed"].astype(bool)]
    fig = Figure(figsize=(4.6, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(shown["predicted"], shown["observed"],
                yerr=[shown["observed"] - shown["ci_low"], shown["ci_high"] - shown["observed"]],
                fmt="o", capsize=3, label="bins of prediction")
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted P(promoted)")
    ax.set_ylabel("observed (Aalen-Johansen, 95 % CI)")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    when = f" by {horizon:g} months" if horizon is not None else ""
    n_sup = int(table["suppressed"].astype(bool).sum())
    note = f"\n{n_sup} bin(s) < {get_min_cell_size()} employees not shown" if n_sup else ""
    ax.set_title((title or f"Calibration of promotion{when}") + note, fontsize=10)
    return fig


def make_promotion_figures(
    events: pd.DataFrame | None = None,
    *,
    seed: int = 0,
    n_employees: int = 2000,
    censor_date=None,
    formula: str | None = None,
    horizon: float = 12,
) -> dict[str, Figure]:
    """The promotion-timing figures of ``csresearch build``.

    Parameters
    ----------
    events : DataFrame, optional
        An event history. Without it, histories are simulated with
        :func:`csresearch.synth.hr.simulate_histories` (``n_employees``,
        ``seed``), and the hazard-ratio figure shows the true values.
    seed, n_employees : int
        For the simulation.
    censor_date : date-like, optional
        End of observation (default: the simulation's, or the last event date).
    formula : str, optional
        Right-hand side of the Cox model (default: the simulation's covariates).
    horizon : float
        Months for the calibration figure.

    Returns
    -------
    dict of str -> Figure
        ``promotion_cumulative_incidence``, ``promotion_hazard_ratios``,
        ``promotion_probability``, ``promotion_calibration``.

    Examples
    --------
    >>> figs = make_promotion_figures(n_employees=600, seed=1)
    >>> sorted(figs)
    ['promotion_calibration', 'promotion_cumulative_incidence', 'promotion_hazard_ratios', 'promotion_probability']
    """
    truth = None
    simulated = events is None
    if simulated:
        from csresearch.synth.hr import simulate_histories

        events, truth = simulate_histories(n_employees, seed=seed)
        censor_date = truth.censor_date if censor_date is None else censor_date
        formula = truth.formula if formula is None else formula
    if censor_date is None:
        censor_date = pd.to_datetime(events["date"]).max()
    if formula is None:
        raise ValueError("pass formula= (right-hand side) when giving your own events")
    spells = build_spells(events, censor_date=censor_date)
    tag = " (simulated histories)" if simulated else ""
    levels = sorted(spells["level"].dropna().unique())[:3]
    timing = time_to_promotion(spells, by="level", level=levels)
    model = fit_promotion_model(spells, formula, strata="level")
    level1 = spells[spells["level"] == levels[0]]
    group_col = "education" if "education" in level1.columns else None
    groups = level1[group_col].astype("str") if group_col else pd.Series("all", index=level1.index)
    figs = {
        "promotion_cumulative_incidence": plot_cumulative_incidence(
            timing, facet="level", max_months=48, title="Promotion and exit by level" + tag),
        "promotion_hazard_ratios": plot_hazard_ratios(
            model, truth=None if truth is None else truth.hazard_ratios,
            title="Cox hazard ratios of promotion, stratified by level" + tag),
        "promotion_probability": plot_promotion_probability(
            model.predict(level1), groups, employee_id=level1["employee_id"],
            title=f"Predicted promotion out of level {levels[0]}" + tag),
        "promotion_calibration": plot_calibration(
            calibration_table(model, spells, horizon=horizon), horizon=horizon,
            title=f"Calibration by {horizon:g} months" + tag),
    }
    if simulated:  # a simulated history is no finding: stamped inside the figure, as in notebook 03
        made_by = f"csresearch.synth.hr.simulate_histories, {n_employees} employees, seed {seed}"
        figs = {k: stamp_simulated(f, made_by) for k, f in figs.items()}
    return figs

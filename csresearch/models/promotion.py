"""Promotion timing: cumulative incidence, cause-specific hazard models, concordance.

The unit is a *spell*, a stay at one level (see :func:`csresearch.build_spells`).
A spell ends in promotion, demotion, exit or censoring. Exit (and demotion)
are *competing risks* for promotion: someone who leaves can no longer be
promoted, so "1 - Kaplan-Meier with exits censored" answers a hypothetical
question (promotion if nobody left) and overstates the share promoted. The
default estimates here are therefore

* Aalen-Johansen cumulative incidence of each cause (statsmodels
  ``CumIncidenceRight``), and
* cause-specific hazard models for promotion *and* for leaving the level
  otherwise, combined into the probability of promotion by a horizon:
  ``P(promoted by t) = integral_0^t S(u-) dLambda_promo(u)`` where ``S`` is the
  probability of still being at the level.

Cox models are fitted by :mod:`csresearch.models.cox` (NumPy, checked against R
``coxph``), discrete-time models by statsmodels (Logit, GLM cloglog); lifelines is
deliberately avoided. Spells may be split into counting-process rows
``(entry_months, duration_months]`` carrying time-varying covariates (see
:func:`csresearch.split_spells`); every function here accepts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import stats
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

from csresearch.config import get_min_cell_size
from csresearch.errors import SchemaError
from csresearch.models._formula import formula_env
from csresearch.models.cox import CoxFit, fit_cox

__all__ = [
    "PromotionTiming",
    "PromotionModel",
    "time_to_promotion",
    "fit_promotion_model",
    "concordance_index",
    "person_periods",
    "calibration_table",
]

CAUSES = ("promotion", "exit", "demotion")
_CAUSE_CODE = {"promotion": 1, "exit": 2, "demotion": 3}
_Z95 = stats.norm.ppf(0.975)
# Review dates in real exports (and in synth.hr) are rounded to whole days; a
# tolerance of 1.5 days keeps a promotion dated on the 3-month review in period 1.
_PERIOD_TOLERANCE_MONTHS = 1.5 / 30.4375
_MIN_PERIOD_EVENTS = 10  # the last period dummy pools later periods until it holds this many events


def _check_spells(spells: pd.DataFrame, need: Sequence[str] = ("employee_id", "duration_months", "outcome")) -> None:
    missing = [c for c in need if c not in spells.columns]
    if missing:
        raise SchemaError(f"spells lack column(s) {missing}; build them with csresearch.build_spells (got {list(spells.columns)})")
    bad = ~spells["outcome"].isin([*CAUSES, "censored"])
    if bad.any():
        raise SchemaError(f"unknown spell outcome(s) {sorted(spells.loc[bad, 'outcome'].astype(str).unique())[:5]}")
    if (spells["duration_months"] < 0).any():
        raise SchemaError("spells with negative duration_months; check start/stop dates")


def _as_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _group_label(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    if not by:
        return pd.Series("all", index=frame.index, dtype="str")
    label = pd.Series("", index=frame.index, dtype="str")
    for i, col in enumerate(by):
        label = label + ("" if i == 0 else ", ") + f"{col}=" + frame[col].astype("str").fillna("NA")
    return label


def _loglog_band(est: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95 % band for a probability on the log(-log) scale, which keeps it inside [0, 1]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(est))
        se_t = se / (est * np.abs(np.log(est)))
        low = np.exp(-np.exp(theta + _Z95 * se_t))
        high = np.exp(-np.exp(theta - _Z95 * se_t))
    low = np.where(est <= 0, 0.0, np.where(est >= 1, 1.0, low))
    high = np.where(est <= 0, 0.0, np.where(est >= 1, 1.0, high))
    return low, high


def _first_crossing(time: np.ndarray, values: np.ndarray, level: float = 0.5) -> float:
    """First time a rising step curve reaches ``level``, with R ``survfit``'s convention.

    When the curve sits exactly on ``level`` over a flat step (to 1e-12, so a value
    like 1 - 0.5 counts), the answer is the midpoint of that step and the next
    time the curve moves; if it never moves again, the step's start.
    """
    hit = np.flatnonzero(values >= level - 1e-12)
    if not hit.size:
        return np.nan
    j = hit[0]
    if abs(values[j] - level) <= 1e-12:
        later = np.flatnonzero(values[j + 1:] > values[j] + 1e-12)
        if later.size:
            return float((time[j] + time[j + 1 + later[0]]) / 2)
    return float(time[j])


def _band_crossing(time: np.ndarray, est: np.ndarray, band: np.ndarray, level: float = 0.5) -> float:
    """Crossing of a confidence band; NaN where only the point estimate 1 (S = 0, no band) would reach it.

    R reports no limit there: the band of a survival curve at 0 is undefined.
    """
    defined = est < 1 - 1e-12
    return _first_crossing(time[defined], band[defined], level)


@dataclass
class PromotionTiming:
    """Result of :func:`time_to_promotion`.

    Attributes
    ----------
    curves : DataFrame
        Long table: the ``by`` columns, ``group``, ``cause``, ``time`` (months),
        ``estimate``, ``ci_low``, ``ci_high`` (pointwise 95 %, log-log scale),
        ``n_at_risk`` (spells still at the level just before ``time``), ``n_events``.
        Cumulative incidence (Aalen-Johansen) when ``competing``, else
        1 - Kaplan-Meier of time to promotion with exits censored.
    medians : DataFrame
        One row per group: ``n_employees``, ``n_spells``, ``n_promotions``,
        ``median_months`` and its ``ci_low``/``ci_high`` (where the curve and its
        band cross 0.5), ``share_never_promoted`` (1 - the curve at the end of
        follow-up), ``suppressed`` and a ``note``.

        This is csresearch's one definition of *median time to promotion*: the
        survival (cumulative-incidence) estimate, exits competing and follow-up
        censored, always shown with the share never promoted beside it. Medians
        among those promoted, or of the whole cohort ignoring censoring, are not
        used anywhere (they answer other questions and move with follow-up).
    notes : list of str
    """

    curves: pd.DataFrame
    medians: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    competing: bool = True
    by: list[str] = field(default_factory=list)

    def at(self, times: Sequence[float], cause: str = "promotion") -> pd.DataFrame:
        """Curve values (a right-continuous step function) at ``times`` for each group.

        Examples
        --------
        >>> from csresearch.synth.hr import simulate_histories
        >>> from csresearch.events import build_spells
        >>> ev, truth = simulate_histories(300, seed=0)
        >>> res = time_to_promotion(build_spells(ev, censor_date=truth.censor_date), level=1)
        >>> res.at([12])[["group", "time"]].values.tolist()
        [['all', 12]]
        """
        cur = self.curves[self.curves["cause"] == cause]
        out = []
        times = np.asarray(times)
        for group, g in cur.groupby("group", sort=False):
            pos = np.searchsorted(g["time"].to_numpy(), times, side="right") - 1
            sel = g.iloc[np.clip(pos, 0, None)][["estimate", "ci_low", "ci_high", "n_at_risk"]].reset_index(drop=True)
            sel.loc[pos < 0, ["estimate", "ci_low", "ci_high"]] = 0.0
            out.append(sel.assign(group=group, time=times)[["group", "time", "estimate", "ci_low", "ci_high", "n_at_risk"]])
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["group", "time", "estimate", "ci_low", "ci_high", "n_at_risk"])


def _curves_one_group(time: np.ndarray, code: np.ndarray, competing: bool, causes: list[str]) -> pd.DataFrame:
    utime = np.unique(time)
    n_at_risk = len(time) - np.searchsorted(np.sort(time), utime, side="left")
    pieces = []
    if competing:
        if code.max() >= 1:
            # When everyone left at risk has the event, statsmodels divides by zero; the
            # standard error (hence the band) is then undefined and stays NaN.
            with np.errstate(divide="ignore", invalid="ignore"):
                cif = CumIncidenceRight(time, code)
            assert np.array_equal(cif.times, utime)
        for cause in causes:
            k = _CAUSE_CODE[cause]
            n_ev = np.bincount(np.searchsorted(utime, time[code == k]), minlength=len(utime))
            if code.max() >= k:
                est, se = np.asarray(cif.cinc[k - 1]), np.asarray(cif.cinc_se[k - 1])
            else:
                est, se = np.zeros(len(utime)), np.zeros(len(utime))
            low, high = _loglog_band(est, se)
            pieces.append(pd.DataFrame({"cause": cause, "time": utime, "estimate": est, "ci_low": low,
                                        "ci_high": high, "n_at_risk": n_at_risk, "n_events": n_ev}))
    else:
        status = (code == 1).astype(float)
        n_ev = np.bincount(np.searchsorted(utime, time[code == 1]), minlength=len(utime))
        sf = SurvfuncRight(time, status)
        # SurvfuncRight reports only event times; carry its step function to all times.
        pos = np.searchsorted(sf.surv_times, utime, side="right") - 1
        surv = np.where(pos >= 0, sf.surv_prob[np.clip(pos, 0, None)], 1.0)
        se = np.where(pos >= 0, sf.surv_prob_se[np.clip(pos, 0, None)], 0.0)
        s_low, s_high = _loglog_band(surv, se)
        pieces.append(pd.DataFrame({"cause": "promotion", "time": utime, "estimate": 1 - surv, "ci_low": 1 - s_high,
                                    "ci_high": 1 - s_low, "n_at_risk": n_at_risk, "n_events": n_ev}))
    out = pd.concat(pieces, ignore_index=True)
    if utime[0] > 0:  # curves start at 0 with everyone at risk
        start = pd.DataFrame({"cause": out["cause"].unique(), "time": 0.0, "estimate": 0.0, "ci_low": 0.0,
                              "ci_high": 0.0, "n_at_risk": len(time), "n_events": 0})
        out = pd.concat([start, out], ignore_index=True)
    return out.sort_values(["cause", "time"], kind="stable", ignore_index=True)


def time_to_promotion(
    spells: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    competing: bool = True,
    level: int | Sequence[int] | None = None,
) -> PromotionTiming:
    """Cumulative incidence of promotion (and exit) over months at a level.

    Parameters
    ----------
    spells : DataFrame
        From :func:`csresearch.build_spells`.
    by : str or list of str, optional
        Columns defining groups (e.g. ``"level"``, ``"education"``).
    competing : bool, default True
        True: Aalen-Johansen cumulative incidence of promotion, exit and (if
        any) demotion. False: 1 - Kaplan-Meier of time to promotion with every
        other ending censored (the no-exit counterfactual; it overstates the
        share promoted when people leave).
    level : int or list of int, optional
        Keep only spells at these levels. Without it, spells at all levels are
        pooled (an employee then contributes several spells).

    Returns
    -------
    PromotionTiming
        ``curves`` and ``medians``; groups with fewer employees than
        :func:`csresearch.config.get_min_cell_size` get no curve and a
        ``suppressed`` median row.

    Examples
    --------
    >>> from csresearch.synth.hr import simulate_histories
    >>> from csresearch.events import build_spells
    >>> ev, truth = simulate_histories(500, seed=0)
    >>> spells = build_spells(ev, censor_date=truth.censor_date)
    >>> res = time_to_promotion(spells, by="education", level=1)
    >>> sorted(res.curves["cause"].unique())
    ['exit', 'promotion']
    >>> bool(res.medians["suppressed"].any())
    False
    """
    _check_spells(spells)
    by = _as_list(by)
    sp = _last_intervals(spells) if "entry_months" in spells.columns else spells
    if level is not None:
        sp = sp[sp["level"].isin(np.atleast_1d(level))]
    if sp.empty:
        raise SchemaError(f"no spells at level {level!r}")
    present = set(sp["outcome"].unique())
    causes = [c for c in CAUSES if c in present or c in ("promotion", "exit")]
    k_min = get_min_cell_size()
    labels = _group_label(sp, by)
    curves, medians, notes = [], [], []
    grouped = sp.assign(_group=labels).groupby("_group", sort=True, dropna=False)
    for group, g in grouped:
        keys = {col: g[col].iloc[0] for col in by}
        n_emp = g["employee_id"].nunique()
        row = {**keys, "group": group, "n_employees": n_emp, "n_spells": len(g),
               "n_promotions": int((g["outcome"] == "promotion").sum()),
               "median_months": np.nan, "ci_low": np.nan, "ci_high": np.nan, "share_never_promoted": np.nan,
               "suppressed": False, "note": ""}
        if n_emp < k_min:
            row.update(suppressed=True, n_spells=pd.NA, n_promotions=pd.NA,
                       note=f"fewer than {k_min} employees: not reported")
            notes.append(f"group {group!r} suppressed ({n_emp} < {k_min} employees)")
            medians.append(row)
            continue
        code = g["outcome"].map(_CAUSE_CODE).fillna(0).astype(int).to_numpy()
        cur = _curves_one_group(g["duration_months"].to_numpy(float), code, competing, causes)
        curves.append(cur.assign(group=group, **keys))
        pro = cur[cur["cause"] == "promotion"]
        t, est = pro["time"].to_numpy(), pro["estimate"].to_numpy()
        row["median_months"] = _first_crossing(t, est)
        row["share_never_promoted"] = float(1 - est[-1])
        row["ci_low"] = _band_crossing(t, est, pro["ci_high"].to_numpy())
        row["ci_high"] = _band_crossing(t, est, pro["ci_low"].to_numpy())
        if np.isnan(row["median_months"]):
            row["note"] = f"promotion curve stays below 0.5 (max {est.max():.3f}): median not reached"
        elif np.isnan(row["ci_high"]):
            row["note"] = "upper confidence bound not reached within follow-up"
        medians.append(row)
    cols = [*by, "group", "cause", "time", "estimate", "ci_low", "ci_high", "n_at_risk", "n_events"]
    curves_df = pd.concat(curves, ignore_index=True)[cols] if curves else pd.DataFrame(columns=cols)
    medians_df = pd.DataFrame(medians)
    medians_df["suppressed"] = medians_df["suppressed"].astype(bool)
    if competing is False:
        notes.append("competing=False: exits and demotions censored (counterfactual 'no exit' curve)")
    return PromotionTiming(curves=curves_df, medians=medians_df, notes=notes, competing=competing, by=by)


# --------------------------------------------------------------------------- concordance


def concordance_index(
    time: np.ndarray | pd.Series,
    score: np.ndarray | pd.Series,
    event: np.ndarray | pd.Series,
    *,
    groups: np.ndarray | pd.Series | None = None,
) -> float:
    """Harrell's C: share of comparable pairs whose higher score has the earlier event.

    A pair (i, j) is comparable when i has the event at ``t_i`` and j is still
    event-free after it (``t_j > t_i``, or ``t_j == t_i`` with j censored: a
    censoring at an event time is treated as happening just after it). Ties
    in score count one half; two events at the same time are not comparable.

    Parameters
    ----------
    time, score, event : array-like
        Follow-up time, risk score (higher = sooner event), event indicator.
    groups : array-like, optional
        Only compare pairs within the same group (e.g. level strata).

    Examples
    --------
    >>> concordance_index([1, 2, 3], [3, 2, 1], [1, 1, 0])
    1.0
    >>> concordance_index([1, 2, 3], [1, 2, 3], [1, 1, 1])
    0.0
    """
    t = np.asarray(time, dtype=float)
    s = np.asarray(score, dtype=float)
    e = np.asarray(event, dtype=bool)
    g = np.zeros(len(t), dtype=np.int64) if groups is None else pd.factorize(np.asarray(groups))[0]
    ok = ~(np.isnan(t) | np.isnan(s))
    t, s, e, g = t[ok], s[ok], e[ok], g[ok]
    ev = np.flatnonzero(e)
    num = 0.0
    den = 0
    # Pairs are compared in blocks of events so memory stays ~ 20M booleans.
    step = max(1, 20_000_000 // max(len(t), 1))
    for lo in range(0, len(ev), step):
        i = ev[lo: lo + step]
        ti, si, gi = t[i][:, None], s[i][:, None], g[i][:, None]
        comparable = ((t[None, :] > ti) | ((t[None, :] == ti) & ~e[None, :])) & (g[None, :] == gi)
        den += int(comparable.sum())
        num += float(((s[None, :] < si) & comparable).sum()) + 0.5 * float(((s[None, :] == si) & comparable).sum())
    return num / den if den else np.nan


# --------------------------------------------------------------------------- person-periods


def person_periods(spells: pd.DataFrame, period_months: float = 3) -> pd.DataFrame:
    """Expand spells to one row per period at risk (discrete-time data).

    Period ``k`` covers months ``((k-1)p, kp]`` of the spell. A promotion,
    exit or demotion falls in the period containing it (promotions dated on
    a review day count in the period that review closes, to within 1.5 days).
    Censored spells contribute only their complete periods.

    Returns
    -------
    DataFrame
        The spell columns plus ``spell_id`` (the spell's index label),
        ``period`` (1, 2, ...), ``promoted`` and ``left`` (0/1: exit or demotion
        in this period) and ``at_review`` (False for the period in which the
        employee left: they were not there at its review).

    Examples
    --------
    >>> import pandas as pd
    >>> sp = pd.DataFrame({"employee_id": [1, 2], "duration_months": [6.0, 7.5],
    ...                    "outcome": ["promotion", "censored"]})
    >>> person_periods(sp)[["spell_id", "period", "promoted"]].values.tolist()
    [[0, 1, 0], [0, 2, 1], [1, 1, 0], [1, 2, 0]]
    """
    _check_spells(spells)
    if "entry_months" in spells.columns:
        return _person_periods_from_intervals(spells, period_months)
    d = spells["duration_months"].to_numpy(float)
    outcome = spells["outcome"].to_numpy()
    ended = outcome != "censored"
    k_event = np.maximum(1, np.ceil((d - _PERIOD_TOLERANCE_MONTHS) / period_months))
    k_cens = np.floor((d + _PERIOD_TOLERANCE_MONTHS) / period_months)
    n_periods = np.where(ended, k_event, k_cens).astype(int)
    rows = np.repeat(np.arange(len(spells)), n_periods)
    pp = spells.iloc[rows].copy()
    pp.insert(0, "spell_id", spells.index[rows])
    period = np.arange(len(rows)) - np.repeat(np.cumsum(n_periods) - n_periods, n_periods) + 1
    last = period == n_periods[rows]
    pp["period"] = period
    pp["promoted"] = (last & (outcome[rows] == "promotion")).astype(int)
    pp["left"] = (last & np.isin(outcome[rows], ["exit", "demotion"])).astype(int)
    pp["at_review"] = pp["left"] == 0
    return pp.reset_index(drop=True)


def _person_periods_from_intervals(rows: pd.DataFrame, period_months: float) -> pd.DataFrame:
    """Person-periods of counting-process rows: each period takes the covariates in force at its review.

    A period closing at ``k * period_months`` (or at the spell's end, if earlier)
    reads the row whose ``(entry, stop]`` holds that time, so a KPI recorded
    during the quarter is the one the review sees.
    """
    ordered = rows.sort_values(["spell_id", "entry_months"], kind="stable")
    pp = person_periods(_last_intervals(ordered).set_index("spell_id"), period_months)
    codes, uniq = pd.factorize(ordered["spell_id"], sort=False)
    heads = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lookup = _PathLookup(codes, ordered["entry_months"].to_numpy(float), heads, codes[heads])
    who = pd.Index(uniq).get_indexer(pp["spell_id"])
    t = np.minimum(pp["period"].to_numpy(float) * period_months, pp["duration_months"].to_numpy(float))
    key = who * lookup.span + t
    src = np.maximum(np.searchsorted(lookup.key, key, side="left") - 1, heads[who])
    fixed = {"spell_id", "period", "promoted", "left", "at_review", "duration_months", "outcome"}
    varying = [c for c in ordered.columns if c not in fixed and c != "entry_months"]
    for col in varying:
        pp[col] = ordered[col].to_numpy()[src]
    return pp


def _pool_periods(period: pd.Series, y: pd.Series) -> tuple[pd.Series, int]:
    """Pool late periods into one category holding at least _MIN_PERIOD_EVENTS events."""
    events_by_period = y.groupby(period).sum().sort_index()
    tail = events_by_period[::-1].cumsum()[::-1]
    ok = tail.index[tail >= _MIN_PERIOD_EVENTS]
    cap = int(ok.max()) if len(ok) else int(events_by_period.index.min())
    return period.clip(upper=cap), cap


# --------------------------------------------------------------------------- models


def _formula_columns(rhs: str, frame: pd.DataFrame) -> list[str]:
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rhs))
    return [c for c in frame.columns if c in names]


def _categorical_columns(rhs: str) -> set[str]:
    """Columns wrapped in ``C(...)`` in a formula."""
    return set(re.findall(r"\bC\(\s*([A-Za-z_][A-Za-z0-9_]*)", rhs))


def _patsy_ready(frame: pd.DataFrame, columns: Sequence[str], categorical: set[str] = frozenset(),
                 levels: dict | None = None) -> pd.DataFrame:
    """Columns as patsy needs them: NumPy dtypes for nullable numbers, Categorical for factors.

    patsy sniffs text and ``C(int)`` columns one value at a time (80 % of a 200k-spell
    Cox fit); a Categorical carries its levels, so the design is built in one pass.
    Levels are the sorted distinct values as text (numbers sorted as numbers, so the
    reference level and the term names ``C(city_tier)[T.2]`` are patsy's own);
    ``levels`` (from the fit) fixes them when predicting, so new data with fewer
    values gets the same columns.
    """
    cast = {}
    for c in columns:
        dt = frame[c].dtype
        if c in categorical or pd.api.types.is_string_dtype(dt) or dt == object:
            if levels is not None and c in levels:
                cats = levels[c]
            else:
                values = frame[c].dropna().unique()
                try:
                    values = sorted(values)
                except TypeError:
                    values = sorted(values, key=str)
                cats = list(dict.fromkeys(str(v) for v in values))
            cast[c] = pd.Categorical(frame[c].astype("object").where(frame[c].notna()).map(
                lambda v: v if v is None or v != v else str(v)), categories=cats)
            continue
        if isinstance(dt, pd.api.extensions.ExtensionDtype) and (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
            has_na = bool(frame[c].isna().any())
            target = "float64" if has_na or pd.api.types.is_float_dtype(dt) else ("bool" if pd.api.types.is_bool_dtype(dt) else "int64")
            cast[c] = frame[c].to_numpy(dtype=target, na_value=np.nan) if has_na else frame[c].to_numpy(dtype=target)
    return frame.assign(**cast) if cast else frame


def _factor_levels(frame: pd.DataFrame) -> dict:
    return {c: list(frame[c].cat.categories) for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}


def _strata_key(frame: pd.DataFrame, strata: list[str]) -> pd.Series:
    return _group_label(frame, strata) if strata else pd.Series("all", index=frame.index, dtype="str")


@dataclass
class PromotionModel:
    """A fitted promotion-timing model (see :func:`fit_promotion_model`).

    Attributes
    ----------
    kind : str
        ``"cox"`` or ``"discrete"``.
    formula : str
        Right-hand side.
    promotion, other : fitted results
        Cause-specific fits for promotion and for leaving the level otherwise
        (exit or demotion): :class:`csresearch.models.cox.CoxFit` (Cox) or
        statsmodels results (discrete); ``other`` is fitted on first use and
        is None when nobody left.
    strata : list of str
    period_months : float
    n_spells, n_dropped : int
        Spells (or counting-process intervals) used, and those dropped for missing covariates.
    link : str
        Discrete model: ``"logit"`` (odds ratios per period) or ``"cloglog"`` (hazard ratios).
    cluster : str or None
        Column whose values group rows for the sandwich standard errors.
    ties : str
        Cox: ``"efron"`` or ``"breslow"``.
    """

    kind: str
    formula: str
    promotion: object
    strata: list[str]
    period_months: float
    n_spells: int
    n_dropped: int
    link: str = "logit"
    cluster: str | None = None
    ties: str = "efron"
    _columns: list[str] = field(repr=False, default_factory=list)
    _caps: dict = field(repr=False, default_factory=dict)
    _fit_other: object = field(repr=False, default=None)
    _other: object = field(repr=False, default=None)

    @property
    def other(self):
        """The exit-or-demotion model, fitted on first use (effects of promotion do not need it)."""
        if self._other is None and self._fit_other is not None:
            self._other, self._fit_other = self._fit_other(), None
        return self._other

    @property
    def effect_name(self) -> str:
        """``hazard_ratio`` (Cox, cloglog discrete) or ``odds_ratio`` (logit discrete, per period)."""
        return "odds_ratio" if self.kind == "discrete" and self.link == "logit" else "hazard_ratio"

    def effects(self, cause: str = "promotion") -> pd.DataFrame:
        """Covariate effects with 95 % intervals, indexed by term.

        Columns ``hazard_ratio`` (Cox, cloglog) or ``odds_ratio`` (logit), ``ci_low``,
        ``ci_high``, ``p_value``, ``coef``, ``se`` (clustered by ``cluster`` when
        set). Baseline terms (intercept, period dummies, strata) are left out.
        ``cause="exit"`` gives the model of leaving the level by exit or demotion.
        """
        res = self.promotion if cause == "promotion" else self.other
        if res is None:
            raise ValueError(f"no {cause!r} model: no such events in the data")
        names, params, bse, p = _coef_table(res)
        keep = ~names.str.startswith(("Intercept", "C(_period)", "C(_stratum)"))
        params, bse, p = params[keep], bse[keep], p[keep]
        return pd.DataFrame(
            {self.effect_name: np.exp(params), "ci_low": np.exp(params - _Z95 * bse),
             "ci_high": np.exp(params + _Z95 * bse), "p_value": p, "coef": params, "se": bse},
            index=names[keep],
        )

    def _complete(self, people: pd.DataFrame) -> pd.Series:
        cols = [c for c in self._columns if c in people.columns]
        missing = [c for c in self._columns if c not in people.columns]
        if missing:
            raise SchemaError(f"people lack column(s) {missing} used by the model {self.formula!r}")
        return people[cols].notna().all(axis=1)

    def linear_predictor(self, people: pd.DataFrame, cause: str = "promotion") -> pd.Series:
        """Covariate part of the log hazard (Cox, cloglog) or log odds (logit); NaN where a covariate is missing."""
        res = self.promotion if cause == "promotion" else self.other
        out = pd.Series(np.nan, index=people.index)
        if res is None:
            return out.fillna(-np.inf)
        ok = self._complete(people)
        sub = _patsy_ready(people[ok], self._columns, _categorical_columns(self.formula), self._caps.get("levels"))
        if self.kind == "cox":
            X = _design(self._caps["design"], sub)
            out[ok] = X @ res.params
        else:
            # Evaluate at the reference period and stratum, then remove the intercept.
            name = "promotion" if cause == "promotion" else "other"
            base = sub.assign(_period=1, _stratum=self._caps[f"{name}_strata"][0])
            lin = np.asarray(res.predict(base, which="linear"))
            out[ok] = lin - dict(zip(res.model.exog_names, np.asarray(res.params))).get("Intercept", 0.0)
        return out

    def predict(self, people: pd.DataFrame, horizons: Sequence[float] = (6, 12, 24), *,
                path_id: str | None = None) -> pd.DataFrame:
        """Probability of promotion within each horizon (months) of entering the level.

        Exit and demotion compete: ``P(t) = sum_u S(u-) dLambda_promo(u)`` with
        ``S(t) = prod_u (1 - dLambda_promo(u) - dLambda_other(u))`` the probability
        of still being at the level (Cox: product-integral of the baselines per
        stratum, as R ``basehaz``, times each person's risk), or for the discrete model
        ``P(K) = sum_k S(k-1) (1 - h_other(k)) h_promo(k)`` (leaving within a
        period is taken to happen before that period's review).

        Parameters
        ----------
        people : DataFrame
            One row per person with fixed covariates, or, when it has an
            ``entry_months`` column, a *covariate path*: rows ``(entry_months,
            duration_months]`` of months since entering the level with the
            covariates in force then (see :func:`csresearch.split_spells`); the
            last row's values carry on past its end.
        path_id : str, optional
            Column naming whose path a row belongs to (default ``spell_id`` if
            present, else ``employee_id``).

        Returns
        -------
        DataFrame
            Columns ``p_promotion_<h>m``; index of ``people`` (one row per path,
            indexed by its id, for paths); NaN where a covariate (or stratum) is
            missing or the stratum was not in the fit.
        """
        horizons = list(horizons)
        cols = [f"p_promotion_{h:g}m" for h in horizons]
        path = "entry_months" in people.columns
        if path:
            path_id = path_id or ("spell_id" if "spell_id" in people.columns else "employee_id")
            people = people.sort_values([path_id, "entry_months"], kind="stable")
            ids, first = np.unique(people[path_id].to_numpy(), return_index=True)
            out = pd.DataFrame(np.nan, index=pd.Index(ids, name=path_id), columns=cols)
            ok_path = self._complete(people).groupby(people[path_id].to_numpy()).all().reindex(ids).to_numpy()
        else:
            out = pd.DataFrame(np.nan, index=people.index, columns=cols)
        ok = self._complete(people)
        if path:
            ok = pd.Series(ok_path[np.searchsorted(ids, people[path_id].to_numpy())], index=people.index)
        sub = people[ok]
        if sub.empty:
            return out
        lp_p = self.linear_predictor(sub).to_numpy()
        lp_o = self.linear_predictor(sub, "other").to_numpy()
        if path:
            codes = np.searchsorted(ids, sub[path_id].to_numpy())
            starts = sub["entry_months"].to_numpy(float)
            heads = np.r_[True, codes[1:] != codes[:-1]]
            row_of = np.flatnonzero(heads)
            who = codes[heads]
            lookup = _PathLookup(codes, starts, row_of, who)
        else:
            row_of = np.arange(len(sub))
            who = None
            lookup = None
        stratum = _strata_key(sub, self.strata).to_numpy()[row_of]
        values = np.full((len(row_of), len(horizons)), np.nan)
        for s in np.unique(stratum):
            rows = np.flatnonzero(stratum == s)
            lps = _PathLP(lp_p, lp_o, row_of[rows], lookup, None if who is None else who[rows])
            if self.kind == "cox":
                values[rows] = self._cox_cif(s, lps, horizons)
            else:
                values[rows] = self._discrete_cif(s, lps, horizons)
        if path:
            out.loc[ids[who], cols] = values
        else:
            out.loc[ok, cols] = values
        return out

    def _cox_cif(self, stratum, lps: "_PathLP", horizons) -> np.ndarray:
        code = self._caps["strata_codes"].get(stratum)
        n = lps.n
        if code is None or code not in self.promotion.baselines:  # stratum unseen, or no promotions in it
            return np.zeros((n, len(horizons))) if code is not None else np.full((n, len(horizons)), np.nan)
        tp, hp_b = self.promotion.baselines[code]
        other = self.other
        to, ho_b = other.baselines.get(code, (np.array([]), np.array([]))) if other is not None else (np.array([]), np.array([]))
        h = np.asarray(horizons, float)
        grid = np.union1d(tp, to)
        grid = grid[grid <= h.max()]  # later jumps cannot matter
        d_hp = np.diff(np.r_[0.0, self.promotion.cumulative_hazard(code, grid)])
        d_ho = np.diff(np.r_[0.0, other.cumulative_hazard(code, grid)]) if other is not None else np.zeros(len(grid))
        pos = np.searchsorted(grid, h, side="right") - 1
        out = np.zeros((n, len(h)))
        # People x jump-times matrices, in blocks that keep memory near 40 MB.
        step = max(1, 2_000_000 // max(len(grid), 1))
        for lo in range(0, n, step):
            rp, ro = lps.risk(slice(lo, lo + step), grid)
            jump_p, jump_o = d_hp * rp, d_ho * ro
            # Product-integral (Aalen-Johansen) survival, not exp(-H): with promotions at reviews the
            # baseline jumps are large (exp(-0.15) = 0.861 vs 0.85 kept), and the gap compounds.
            stay = np.clip(1 - jump_p - jump_o, 0.0, None)
            before = np.cumprod(np.c_[np.ones(len(stay)), stay[:, :-1]], axis=1)
            cif = np.cumsum(before * jump_p, axis=1)
            if cif.shape[1]:
                out[lo: lo + step] = np.where(pos >= 0, cif[:, np.clip(pos, 0, None)], 0.0)
        return out

    def _discrete_cif(self, stratum, lps: "_PathLP", horizons) -> np.ndarray:
        n_max = int(np.floor(max(horizons) / self.period_months + 1e-9))
        n = lps.n
        if n_max < 1:
            return np.zeros((n, len(horizons)))
        k = np.arange(1, n_max + 1)
        rp, ro = lps.risk(slice(0, n), k * self.period_months, log=True)

        def hazard(res, lp, name):
            if res is None or stratum not in self._caps.get(f"{name}_strata", ()):
                return np.zeros((n, n_max))
            cap = self._caps[name]
            terms = pd.Series(np.asarray(res.params), index=res.model.exog_names)
            alpha = np.array([terms.get(f"C(_period)[T.{int(min(j, cap))}]", 0.0) for j in k])
            alpha = alpha + terms.get("Intercept", 0.0) + terms.get(f"C(_stratum)[T.{stratum}]", 0.0)
            eta = lp + alpha[None, :]
            return -np.expm1(-np.exp(eta)) if self.link == "cloglog" else 1 / (1 + np.exp(-eta))

        hp = hazard(self.promotion, rp, "promotion")
        ho = hazard(self.other, ro, "other")
        stay = (1 - ho) * (1 - hp)
        surv_before = np.cumprod(np.c_[np.ones(n), stay[:, :-1]], axis=1)
        cif = np.cumsum(surv_before * (1 - ho) * hp, axis=1)
        kk = np.floor(np.asarray(horizons, float) / self.period_months + 1e-9).astype(int)
        return np.where(kk[None, :] >= 1, cif[:, np.clip(kk - 1, 0, None)], 0.0)

    def concordance(self, spells: pd.DataFrame, *, within: str | Sequence[str] | None = None) -> float:
        """Harrell's C of the promotion linear predictor against observed promotion times.

        Exits, demotions and censoring are all censored for this cause-specific
        C. ``within`` (e.g. ``"level"``) compares pairs only inside groups.
        Counting-process rows are scored at the end of each spell (last interval).
        """
        _check_spells(spells)
        if "entry_months" in spells.columns:
            spells = _last_intervals(spells)
        lp = self.linear_predictor(spells)
        groups = None if within is None else _group_label(spells, _as_list(within)).to_numpy()
        return concordance_index(spells["duration_months"], lp, spells["outcome"] == "promotion", groups=groups)


class _PathLookup:
    """Which row of a covariate path is in force at a time since entering the level."""

    def __init__(self, codes: np.ndarray, starts: np.ndarray, heads: np.ndarray, who: np.ndarray):
        self.span = float(np.nanmax(starts)) + 1e6
        self.key = codes * self.span + starts
        self.heads, self.who = heads, who

    def rows(self, who: np.ndarray, times: np.ndarray) -> np.ndarray:
        # The row whose (entry, stop] holds t: the last one with entry < t (the first row from t = 0).
        key = who[:, None] * self.span + np.asarray(times, float)[None, :]
        pos = np.searchsorted(self.key, key, side="left") - 1
        first = self.heads[np.searchsorted(self.who, who)][:, None]
        return np.maximum(pos, first)


class _PathLP:
    """Linear predictors of people (constant) or of covariate paths (by time), for one stratum."""

    def __init__(self, lp_p, lp_o, rows, lookup, who):
        self.lp_p, self.lp_o, self.rows, self.lookup, self.who = lp_p, lp_o, rows, lookup, who
        self.n = len(rows)

    def risk(self, sl: slice, times: np.ndarray, log: bool = False):
        if self.lookup is None:
            r = self.rows[sl]
            a, b = self.lp_p[r][:, None], self.lp_o[r][:, None]
        else:
            idx = self.lookup.rows(self.who[sl], times)
            a, b = self.lp_p[idx], self.lp_o[idx]
        return (a, b) if log else (np.exp(a), np.exp(b))


def _coef_table(res) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(res, CoxFit):
        return pd.Index(res.names, name="term"), res.params, res.bse, res.pvalues
    return (pd.Index(res.model.exog_names, name="term"), np.asarray(res.params), np.asarray(res.bse),
            np.asarray(res.pvalues))


def _design(design_info, frame: pd.DataFrame) -> np.ndarray:
    X = patsy.build_design_matrices([design_info], frame, NA_action="raise")[0]
    names = design_info.column_names
    keep = [i for i, nm in enumerate(names) if nm != "Intercept"]
    return np.asarray(X)[:, keep]


def _last_intervals(spells: pd.DataFrame) -> pd.DataFrame:
    """One row per spell from counting-process rows: the last interval (its stop and outcome)."""
    key = "spell_id" if "spell_id" in spells.columns else None
    if key is None:
        raise SchemaError("counting-process rows (entry_months) need a spell_id column; build them with csresearch.split_spells")
    last = spells.sort_values([key, "entry_months"], kind="stable").groupby(key, sort=False).tail(1)
    return last.drop(columns="entry_months")


def fit_promotion_model(
    spells: pd.DataFrame,
    formula: str,
    *,
    kind: str = "cox",
    strata: str | Sequence[str] | None = None,
    period_months: float = 3,
    cluster: str | None = "employee_id",
    ties: str = "efron",
    link: str = "logit",
) -> PromotionModel:
    """Fit cause-specific models of promotion and of leaving the level otherwise.

    Parameters
    ----------
    spells : DataFrame
        From :func:`csresearch.build_spells` (``duration_months``, ``outcome``,
        covariates), or counting-process rows from :func:`csresearch.split_spells`
        (``entry_months``, ``duration_months``, ``spell_id``) carrying
        time-varying covariates such as last quarter's KPI.
    formula : str
        Right-hand side only, e.g. ``"kpi_score + C(education)"``.
    kind : {"cox", "discrete"}
        ``cox``: proportional hazards on ``(entry, stop]`` intervals
        (:func:`csresearch.models.cox.fit_cox`, agrees with R ``coxph``), other
        endings censored. ``discrete``: a binary model of promotion per period
        at risk (:func:`person_periods`, dummies per period, late periods pooled)
        among those present at the review, and of leaving per period.
    strata : str or list of str, optional
        Columns whose values get their own baseline (e.g. ``"level"``).
    period_months : float, default 3
        Length of a discrete-time period (quarterly reviews).
    cluster : str or None, default "employee_id"
        Sandwich standard errors clustered on this column (an employee has
        several spells when levels are pooled, and several rows when spells are
        split); None gives model-based errors.
    ties : {"efron", "breslow"}
        Cox handling of tied event times.
    link : {"logit", "cloglog"}
        Discrete model. ``logit`` estimates odds ratios per period (right when
        promotions happen at reviews with a logistic rule); ``cloglog`` the
        grouped proportional-hazards model, whose ratios are the hazard ratios
        of the underlying continuous-time Cox model.

    Returns
    -------
    PromotionModel

    Examples
    --------
    >>> from csresearch.synth.hr import simulate_histories
    >>> from csresearch.events import build_spells
    >>> ev, truth = simulate_histories(800, seed=3)
    >>> spells = build_spells(ev, censor_date=truth.censor_date)
    >>> m = fit_promotion_model(spells, "kpi_score", strata="level")
    >>> bool(m.effects().loc["kpi_score", "hazard_ratio"] > 1)
    True
    >>> list(m.predict(spells.head(2), horizons=(12,)).columns)
    ['p_promotion_12m']
    """
    if kind not in ("cox", "discrete"):
        raise ValueError(f"kind must be 'cox' or 'discrete', got {kind!r}")
    if link not in ("logit", "cloglog"):
        raise ValueError(f"link must be 'logit' or 'cloglog', got {link!r}")
    if "~" in formula:
        raise ValueError(f"formula is the right-hand side only (no '~'), got {formula!r}")
    _check_spells(spells)
    if cluster is not None and cluster not in spells.columns:
        raise SchemaError(f"cluster column {cluster!r} not in the spells (pass cluster=None for model-based errors)")
    strata = _as_list(strata)
    columns = _formula_columns(formula, spells)
    need = [*columns, *strata]
    complete = spells[need].notna().all(axis=1) if need else pd.Series(True, index=spells.index)
    data = _patsy_ready(spells[complete], need, _categorical_columns(formula))
    levels = _factor_levels(data[need])
    if data.empty:
        raise SchemaError(f"no complete spells for formula {formula!r}")
    n_dropped = int((~complete).sum())
    is_p = (data["outcome"] == "promotion").to_numpy()
    is_o = data["outcome"].isin(["exit", "demotion"]).to_numpy()
    if not is_p.any():
        raise SchemaError("no promotions in the spells: nothing to model")
    caps: dict = {"levels": levels}
    groups = None if cluster is None else data[cluster].to_numpy()
    if kind == "cox":
        key = _strata_key(data, strata)
        codes, uniques = pd.factorize(key, sort=True)
        caps["strata_codes"] = {u: i for i, u in enumerate(uniques)}
        design = patsy.dmatrix(formula, data, NA_action="raise", return_type="dataframe", eval_env=formula_env())
        caps["design"] = design.design_info
        X = design.drop(columns=[c for c in design.columns if c == "Intercept"])
        entry = data["entry_months"].to_numpy(float) if "entry_months" in data.columns else None
        stop = data["duration_months"].to_numpy(float)

        def fit(status):
            return fit_cox(X, stop, status, entry=entry, strata=codes, cluster=groups, ties=ties)

        res_p = fit(is_p)
        fit_other = (lambda: fit(is_o)) if is_o.any() else None
    else:
        pp = person_periods(data, period_months)
        pp["_stratum"] = _strata_key(pp, strata)
        family = sm.families.Binomial(link=sm.families.links.CLogLog()) if link == "cloglog" else None

        def fit(frame, y, name):
            # Strata without any event of this cause carry no information on the
            # covariates (their intercept would run to -inf): leave them out, hazard 0.
            frame = frame[frame.groupby("_stratum")[y].transform("sum") > 0]
            caps[f"{name}_strata"] = sorted(frame["_stratum"].unique())
            period, cap = _pool_periods(frame["period"], frame[y])
            caps[name] = cap
            frame = frame.assign(_period=period)
            rhs_base = "C(_period) + " if frame["_period"].nunique() > 1 else ""
            strat = " + C(_stratum)" if frame["_stratum"].nunique() > 1 else ""
            f = f"{y} ~ {rhs_base}{formula}{strat}"
            kw = {} if cluster is None else {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(frame[cluster])[0]}}
            if family is not None:
                return sm.GLM.from_formula(f, frame, family=family).fit(maxiter=100, **kw)
            # Logit's Newton steps use X'WX, several times cheaper than GLM's IRLS least squares here.
            return sm.Logit.from_formula(f, frame).fit(disp=0, maxiter=100, **kw)

        res_p = fit(pp[pp["at_review"]], "promoted", "promotion")
        fit_other = (lambda: fit(pp, "left", "other")) if pp["left"].any() else None
    return PromotionModel(kind=kind, formula=formula, promotion=res_p, strata=strata,
                          period_months=period_months, n_spells=len(data), n_dropped=n_dropped,
                          link=link, cluster=cluster, ties=ties,
                          _columns=need, _caps=caps, _fit_other=fit_other)


def calibration_table(
    model: PromotionModel, spells: pd.DataFrame, *, horizon: float = 12, n_bins: int = 10
) -> pd.DataFrame:
    """Predicted vs observed probability of promotion by ``horizon``, by bin of prediction.

    Spells are cut into ``n_bins`` quantile bins of the predicted probability;
    the observed probability in a bin is the Aalen-Johansen cumulative
    incidence of promotion at ``horizon`` (so censoring and exits are handled),
    with its 95 % interval. Bins with fewer employees than the minimum cell
    size are suppressed.

    Examples
    --------
    >>> from csresearch.synth.hr import simulate_histories
    >>> from csresearch.events import build_spells
    >>> ev, truth = simulate_histories(1500, seed=4)
    >>> spells = build_spells(ev, censor_date=truth.censor_date)
    >>> m = fit_promotion_model(spells, truth.formula, strata="level")
    >>> calibration_table(m, spells, horizon=12, n_bins=5).shape[0]
    5
    """
    col = f"p_promotion_{horizon:g}m"
    pred = model.predict(spells, horizons=(horizon,))[col]
    ok = pred.notna()
    sp = spells[ok].assign(predicted=pred[ok])
    sp["bin"] = pd.qcut(sp["predicted"].rank(method="first"), n_bins, labels=False) + 1
    timing = time_to_promotion(sp, by="bin")
    # A discrete model counts a promotion dated on the review closing the horizon
    # (to within day rounding) as inside it; read the observed curve the same way.
    at = horizon + (_PERIOD_TOLERANCE_MONTHS if model.kind == "discrete" else 0.0)
    obs = timing.at([at]).rename(columns={"estimate": "observed"})
    obs["bin"] = obs["group"].str.removeprefix("bin=").astype(int)
    table = sp.groupby("bin").agg(predicted=("predicted", "mean"), n_spells=("predicted", "size"))
    table = table.join(timing.medians.set_index(timing.medians["group"].str.removeprefix("bin=").astype(int))[["n_employees", "suppressed"]])
    table = table.join(obs.set_index("bin")[["observed", "ci_low", "ci_high"]])
    table.loc[table["suppressed"], ["predicted", "observed", "ci_low", "ci_high"]] = np.nan
    return table.reset_index()

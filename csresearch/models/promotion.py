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

Only statsmodels is used (PHReg, Logit); lifelines is deliberately avoided.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

from csresearch.config import get_min_cell_size
from csresearch.errors import SchemaError

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
    hit = np.flatnonzero(values >= level)
    return float(time[hit[0]]) if hit.size else np.nan


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
        band cross 0.5), ``suppressed`` and a ``note``.
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
    sp = spells
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
               "median_months": np.nan, "ci_low": np.nan, "ci_high": np.nan, "suppressed": False, "note": ""}
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
        row["ci_low"] = _first_crossing(t, pro["ci_high"].to_numpy())
        row["ci_high"] = _first_crossing(t, pro["ci_low"].to_numpy())
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


def _patsy_ready(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Cast nullable numeric columns (Int64, Float64, boolean) to NumPy dtypes, which patsy needs."""
    cast = {}
    for c in columns:
        dt = frame[c].dtype
        if isinstance(dt, pd.api.extensions.ExtensionDtype) and (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
            has_na = bool(frame[c].isna().any())
            target = "float64" if has_na or pd.api.types.is_float_dtype(dt) else ("bool" if pd.api.types.is_bool_dtype(dt) else "int64")
            cast[c] = frame[c].to_numpy(dtype=target, na_value=np.nan) if has_na else frame[c].to_numpy(dtype=target)
    return frame.assign(**cast) if cast else frame


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
    promotion, other : statsmodels results
        Cause-specific fits for promotion and for leaving the level otherwise
        (exit or demotion); ``other`` is fitted on first use and is None when
        nobody left.
    strata : list of str
    period_months : float
    n_spells, n_dropped : int
        Spells used, and spells dropped for missing covariates.
    """

    kind: str
    formula: str
    promotion: object
    strata: list[str]
    period_months: float
    n_spells: int
    n_dropped: int
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
        """``hazard_ratio`` (Cox) or ``odds_ratio`` (discrete, per period)."""
        return "hazard_ratio" if self.kind == "cox" else "odds_ratio"

    def effects(self, cause: str = "promotion") -> pd.DataFrame:
        """Covariate effects with 95 % intervals, indexed by term.

        Columns ``hazard_ratio`` (Cox) or ``odds_ratio`` (discrete), ``ci_low``,
        ``ci_high``, ``p_value``, ``coef``, ``se``. Baseline terms (intercept,
        period dummies, strata) are left out. ``cause="exit"`` gives the model
        of leaving the level by exit or demotion.
        """
        res = self.promotion if cause == "promotion" else self.other
        if res is None:
            raise ValueError(f"no {cause!r} model: no such events in the data")
        names = pd.Index(res.model.exog_names, name="term")
        keep = ~names.str.startswith(("Intercept", "C(_period)", "C(_stratum)"))
        names = names[keep]
        params = np.asarray(res.params)[keep]
        bse = np.asarray(res.bse)[keep]
        p = np.asarray(res.pvalues)[keep]
        return pd.DataFrame(
            {self.effect_name: np.exp(params), "ci_low": np.exp(params - _Z95 * bse),
             "ci_high": np.exp(params + _Z95 * bse), "p_value": p, "coef": params, "se": bse},
            index=names,
        )

    def _complete(self, people: pd.DataFrame) -> pd.Series:
        cols = [c for c in self._columns if c in people.columns]
        missing = [c for c in self._columns if c not in people.columns]
        if missing:
            raise SchemaError(f"people lack column(s) {missing} used by the model {self.formula!r}")
        return people[cols].notna().all(axis=1)

    def linear_predictor(self, people: pd.DataFrame, cause: str = "promotion") -> pd.Series:
        """Covariate part of the log hazard (Cox) or log odds (discrete); NaN where a covariate is missing."""
        res = self.promotion if cause == "promotion" else self.other
        out = pd.Series(np.nan, index=people.index)
        if res is None:
            return out.fillna(-np.inf)
        ok = self._complete(people)
        sub = _patsy_ready(people[ok], self._columns)
        if self.kind == "cox":
            out[ok] = np.asarray(res.predict(exog=sub, pred_type="lhr").predicted_values)
        else:
            # Evaluate at the reference period and stratum, then remove the intercept.
            name = "promotion" if cause == "promotion" else "other"
            base = sub.assign(_period=1, _stratum=self._caps[f"{name}_strata"][0])
            lin = np.asarray(res.predict(base, which="linear"))
            out[ok] = lin - dict(zip(res.model.exog_names, np.asarray(res.params))).get("Intercept", 0.0)
        return out

    def predict(self, people: pd.DataFrame, horizons: Sequence[float] = (6, 12, 24)) -> pd.DataFrame:
        """Probability of promotion within each horizon (months) of entering the level.

        Exit and demotion compete: ``P(t) = sum_u S(u-) dLambda_promo(u)`` with
        ``S`` the probability of still being at the level (Cox, Breslow
        baselines per stratum), or for the discrete model
        ``P(K) = sum_k S(k-1) (1 - h_other(k)) h_promo(k)`` (leaving within a
        period is taken to happen before that period's review).

        Returns
        -------
        DataFrame
            Columns ``p_promotion_<h>m``, index of ``people``; NaN where a
            covariate (or stratum) is missing or the stratum was not in the fit.
        """
        horizons = list(horizons)
        cols = [f"p_promotion_{h:g}m" for h in horizons]
        out = pd.DataFrame(np.nan, index=people.index, columns=cols)
        ok = self._complete(people)
        sub = people[ok]
        if sub.empty:
            return out
        lp_p = self.linear_predictor(sub).to_numpy()
        lp_o = self.linear_predictor(sub, "other").to_numpy()
        stratum = _strata_key(sub, self.strata).to_numpy()
        values = np.full((len(sub), len(horizons)), np.nan)
        for s in np.unique(stratum):
            rows = np.flatnonzero(stratum == s)
            if self.kind == "cox":
                values[rows] = self._cox_cif(s, lp_p[rows], lp_o[rows], horizons)
            else:
                values[rows] = self._discrete_cif(s, lp_p[rows], lp_o[rows], horizons)
        out.loc[ok, cols] = values
        return out

    def _baseline(self, res, stratum) -> tuple[np.ndarray, np.ndarray] | None:
        if res is None:
            return np.array([0.0]), np.array([0.0])
        names = list(res.model.surv.stratum_names)
        key = stratum if self.strata else names[0] if names else None
        labels = [str(n) for n in names]
        if str(key) not in labels:
            return None
        times, cumhaz, _ = res.baseline_cumulative_hazard[labels.index(str(key))]
        return np.asarray(times), np.asarray(cumhaz)

    def _cox_cif(self, stratum, lp_p, lp_o, horizons) -> np.ndarray:
        code = self._stratum_code(stratum)
        bp = self._baseline(self.promotion, code)
        bo = self._baseline(self.other, code)
        if bp is None:  # no promotions in this stratum (e.g. the top level)
            return np.zeros((len(lp_p), len(horizons)))
        if bo is None:
            bo = (np.array([0.0]), np.array([0.0]))
        h = np.asarray(horizons, float)
        grid = np.union1d(bp[0], bo[0])
        grid = grid[grid <= h.max()]  # later jumps cannot matter

        def on_grid(b):
            pos = np.searchsorted(b[0], grid, side="right") - 1
            return np.where(pos >= 0, b[1][np.clip(pos, 0, None)], 0.0)

        hp, ho = on_grid(bp), on_grid(bo)
        d_hp = np.diff(np.r_[0.0, hp])
        hp_before, ho_before = np.r_[0.0, hp[:-1]], np.r_[0.0, ho[:-1]]
        pos = np.searchsorted(grid, h, side="right") - 1
        out = np.zeros((len(lp_p), len(h)))
        # People x jump-times matrices, in blocks that keep memory near 40 MB.
        step = max(1, 5_000_000 // max(len(grid), 1))
        for lo in range(0, len(lp_p), step):
            rp = np.exp(lp_p[lo: lo + step])[:, None]
            ro = np.exp(lp_o[lo: lo + step])[:, None]
            cif = np.cumsum(np.exp(-(hp_before * rp + ho_before * ro)) * d_hp * rp, axis=1)
            if cif.shape[1]:
                out[lo: lo + step] = np.where(pos >= 0, cif[:, np.clip(pos, 0, None)], 0.0)
        return out

    def _stratum_code(self, stratum):
        # PHReg labels strata by the integer codes passed at fit time; map our label to its code.
        return self._caps.get("strata_codes", {}).get(stratum, stratum)

    def _discrete_cif(self, stratum, lp_p, lp_o, horizons) -> np.ndarray:
        n_max = int(np.floor(max(horizons) / self.period_months + 1e-9))
        if n_max < 1:
            return np.zeros((len(lp_p), len(horizons)))
        k = np.arange(1, n_max + 1)

        def hazard(res, lp, name):
            if res is None or stratum not in self._caps.get(f"{name}_strata", ()):
                return np.zeros((len(lp), n_max))
            cap = self._caps[name]
            terms = pd.Series(np.asarray(res.params), index=res.model.exog_names)
            alpha = np.array([terms.get(f"C(_period)[T.{int(min(j, cap))}]", 0.0) for j in k])
            alpha = alpha + terms.get("Intercept", 0.0) + terms.get(f"C(_stratum)[T.{stratum}]", 0.0)
            return 1 / (1 + np.exp(-(lp[:, None] + alpha[None, :])))

        hp = hazard(self.promotion, lp_p, "promotion")
        ho = hazard(self.other, lp_o, "other")
        stay = (1 - ho) * (1 - hp)
        surv_before = np.cumprod(np.c_[np.ones(len(lp_p)), stay[:, :-1]], axis=1)
        cif = np.cumsum(surv_before * (1 - ho) * hp, axis=1)
        kk = np.floor(np.asarray(horizons, float) / self.period_months + 1e-9).astype(int)
        return np.where(kk[None, :] >= 1, cif[:, np.clip(kk - 1, 0, None)], 0.0)

    def concordance(self, spells: pd.DataFrame, *, within: str | Sequence[str] | None = None) -> float:
        """Harrell's C of the promotion linear predictor against observed promotion times.

        Exits, demotions and censoring are all censored for this cause-specific
        C. ``within`` (e.g. ``"level"``) compares pairs only inside groups.
        """
        _check_spells(spells)
        lp = self.linear_predictor(spells)
        groups = None if within is None else _group_label(spells, _as_list(within)).to_numpy()
        return concordance_index(spells["duration_months"], lp, spells["outcome"] == "promotion", groups=groups)


def fit_promotion_model(
    spells: pd.DataFrame,
    formula: str,
    *,
    kind: str = "cox",
    strata: str | Sequence[str] | None = None,
    period_months: float = 3,
) -> PromotionModel:
    """Fit cause-specific models of promotion and of leaving the level otherwise.

    Parameters
    ----------
    spells : DataFrame
        From :func:`csresearch.build_spells` (``duration_months``, ``outcome``, covariates).
    formula : str
        Right-hand side only, e.g. ``"kpi_score + C(education)"``.
    kind : {"cox", "discrete"}
        ``cox``: proportional hazards (statsmodels PHReg, Efron ties), other
        endings censored. ``discrete``: logit of promotion per period at risk
        (:func:`person_periods`, statsmodels Logit with dummies per period,
        late periods pooled)
        among those present at the review, and a logit of leaving per period;
        effects are odds ratios per period.
    strata : str or list of str, optional
        Columns whose values get their own baseline (e.g. ``"level"``): separate
        baseline hazards (Cox) or intercepts (discrete).
    period_months : float, default 3
        Length of a discrete-time period (quarterly reviews).

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
    if "~" in formula:
        raise ValueError(f"formula is the right-hand side only (no '~'), got {formula!r}")
    _check_spells(spells)
    strata = _as_list(strata)
    columns = _formula_columns(formula, spells)
    need = [*columns, *strata]
    complete = spells[need].notna().all(axis=1) if need else pd.Series(True, index=spells.index)
    data = _patsy_ready(spells[complete], need)
    if data.empty:
        raise SchemaError(f"no complete spells for formula {formula!r}")
    n_dropped = int((~complete).sum())
    is_p = (data["outcome"] == "promotion").to_numpy()
    is_o = data["outcome"].isin(["exit", "demotion"]).to_numpy()
    if not is_p.any():
        raise SchemaError("no promotions in the spells: nothing to model")
    caps: dict = {}
    if kind == "cox":
        key = _strata_key(data, strata)
        codes, uniques = pd.factorize(key, sort=True)
        caps["strata_codes"] = {u: i for i, u in enumerate(uniques)}
        kw = {"ties": "efron"}
        if strata:
            kw["strata"] = codes
        lhs = f"duration_months ~ {formula}"  # PHReg drops the intercept itself

        def fit(status):
            return PHReg.from_formula(lhs, data, status=status.astype(float), **kw).fit()

        res_p = fit(is_p)
        fit_other = (lambda: fit(is_o)) if is_o.any() else None
    else:
        pp = person_periods(data, period_months)
        pp["_stratum"] = _strata_key(pp, strata)

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
            # Logit's Newton steps use X'WX, several times cheaper than GLM's IRLS least squares here.
            return sm.Logit.from_formula(f"{y} ~ {rhs_base}{formula}{strat}", frame).fit(disp=0, maxiter=100)

        res_p = fit(pp[pp["at_review"]], "promoted", "promotion")
        fit_other = (lambda: fit(pp, "left", "other")) if pp["left"].any() else None
    return PromotionModel(kind=kind, formula=formula, promotion=res_p, strata=strata,
                          period_months=period_months, n_spells=len(data), n_dropped=n_dropped,
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

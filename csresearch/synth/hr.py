"""Simulated HR event histories with known truth.

Each employee is hired at level 1 and then moves up (promotion), down
(demotion, optional) or out (exit) under cause-specific hazards that are
constant within a level:

* promotion: ``base_promo_hazard[level] * exp(x' beta)`` per month, zero at the top level;
* exit: ``exit_hazard * exp(x' gamma)`` per month (the competing risk);
* demotion: ``demotion_hazard`` per month above level 1 (no covariates).

``beta`` and ``gamma`` are the logs of ``hazard_ratios`` and
``exit_hazard_ratios``, so a cause-specific Cox model stratified by level (or
restricted to one level) estimates exactly ``beta``.

With ``review_every_months=3`` promotions happen only at quarterly reviews
counted from the start of the spell: at each review an employee still present
is promoted with probability ``logistic(logit(q_level) + x' beta)`` where
``q_level = 1 - exp(-3 * base_promo_hazard[level])``. The ratios are then
*odds ratios per review*, which a discrete-time logit on quarterly
person-periods estimates exactly; exits stay in continuous time.

Covariates: ``kpi_score`` (standard normal, a z-score of KPI attainment),
``education`` (high_school, college, bachelor, master) and ``city_tier``
(1, 2, 3, as in Chinese city tiers). Their mix is illustrative, not
estimated from any source. Nothing here depends on the wall clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csresearch.events import DAYS_PER_MONTH

__all__ = ["HRTruth", "KPIPathTruth", "simulate_histories", "simulate_kpi_histories", "DEFAULT_HAZARD_RATIOS", "DEFAULT_EXIT_HAZARD_RATIOS", "TRUTH_FORMULA"]

EDUCATION = ("high_school", "college", "bachelor", "master")
EDUCATION_P = (0.3, 0.3, 0.3, 0.1)
CITY_TIERS = (1, 2, 3)
CITY_TIER_P = (0.3, 0.4, 0.3)
# Right-hand side whose statsmodels term names index HRTruth.hazard_ratios.
TRUTH_FORMULA = "kpi_score + C(education, Treatment('high_school')) + C(city_tier)"

DEFAULT_HAZARD_RATIOS: dict = {
    "kpi_score": 1.5,
    "education": {"college": 1.15, "bachelor": 1.3, "master": 1.5},
    "city_tier": {2: 0.9, 3: 0.75},
}
DEFAULT_EXIT_HAZARD_RATIOS: dict = {"kpi_score": 0.8, "city_tier": {2: 1.1, 3: 1.25}}


def _term_name(covariate: str, value) -> str:
    if covariate == "education":
        return f"C(education, Treatment('high_school'))[T.{value}]"
    if covariate == "city_tier":
        return f"C(city_tier)[T.{value}]"
    return covariate


def _ratios_to_series(ratios: Mapping) -> pd.Series:
    """Flatten {"kpi_score": 1.5, "education": {"college": 1.1}} to term-named ratios."""
    out = {}
    for cov, value in ratios.items():
        if cov not in ("kpi_score", "education", "city_tier"):
            raise ValueError(f"unknown covariate {cov!r} in hazard ratios (use kpi_score, education, city_tier)")
        if isinstance(value, Mapping):
            allowed = EDUCATION[1:] if cov == "education" else CITY_TIERS[1:]
            for level, r in value.items():
                if level not in allowed:
                    raise ValueError(f"{cov}={level!r} is not a non-reference level; use one of {allowed}")
                out[_term_name(cov, level)] = float(r)
        else:
            out[_term_name(cov, None)] = float(value)
    s = pd.Series(out, dtype=float, name="ratio")
    if (s <= 0).any():
        raise ValueError(f"ratios must be positive, got {s[s <= 0].to_dict()}")
    return s


def _log_ratio(people: pd.DataFrame, ratios: pd.Series) -> pd.Series:
    """x' beta for each person, from term-named ratios (vectorised)."""
    lp = pd.Series(0.0, index=people.index)
    for term, r in ratios.items():
        if term == "kpi_score":
            lp += np.log(r) * people["kpi_score"].astype(float)
        else:
            cov = "education" if term.startswith("C(education") else "city_tier"
            level = term.split("[T.")[1].rstrip("]")
            lp += np.log(r) * (people[cov].astype("str") == level)
    return lp


@dataclass(frozen=True)
class HRTruth:
    """The parameters that generated a set of simulated histories.

    Attributes
    ----------
    hazard_ratios, exit_hazard_ratios : Series
        Promotion and exit ratios indexed by the statsmodels term names of
        :data:`TRUTH_FORMULA` (hazard ratios, or odds ratios per review when
        ``review_every_months`` is set).
    effect : str
        ``"hazard_ratio"`` or ``"odds_ratio"``.
    base_promo_hazard : tuple of float
        Monthly promotion hazard of the reference employee at levels 1 .. levels-1.
    exit_hazard, demotion_hazard : float
        Monthly exit hazard of the reference employee; monthly demotion hazard.
    review_every_months : int or None
    censor_date : Timestamp
        End of observation (pass to :func:`csresearch.build_spells`).
    employees : DataFrame
        One row per employee: covariates and the true linear predictors
        ``promo_lp`` and ``exit_lp``.
    formula : str
        :data:`TRUTH_FORMULA`.
    """

    hazard_ratios: pd.Series
    exit_hazard_ratios: pd.Series
    effect: str
    base_promo_hazard: tuple
    exit_hazard: float
    demotion_hazard: float
    review_every_months: int | None
    levels: int
    censor_date: pd.Timestamp
    employees: pd.DataFrame = field(repr=False)
    formula: str = TRUTH_FORMULA

    def linear_predictor(self, people: pd.DataFrame, cause: str = "promotion") -> pd.Series:
        """True log hazard (or log odds) ratio of ``people`` for ``cause`` (promotion or exit)."""
        ratios = self.hazard_ratios if cause == "promotion" else self.exit_hazard_ratios
        return _log_ratio(people, ratios)

    def promotion_probability(
        self, people: pd.DataFrame, horizons: Sequence[float] = (6, 12, 24), *, level: int = 1
    ) -> pd.DataFrame:
        """True probability of promotion out of ``level`` within each horizon (months) of entering it.

        Accounts for exit (and demotion) as competing risks. Columns
        ``p_promotion_<h>m``, index of ``people``.
        """
        lam_e = self.exit_hazard * np.exp(self.linear_predictor(people, "exit").to_numpy())
        lam_d = self.demotion_hazard if level > 1 else 0.0
        base = self.base_promo_hazard[level - 1] if level < self.levels else 0.0
        lp = self.linear_predictor(people).to_numpy()
        out = {}
        for h in horizons:
            if self.review_every_months is None:
                lam_p = base * np.exp(lp)
                tot = lam_p + lam_e + lam_d
                out[f"p_promotion_{h:g}m"] = lam_p / tot * (1 - np.exp(-tot * h))
            else:
                r = self.review_every_months
                q0 = 1 - np.exp(-r * base)
                q = 1 / (1 + np.exp(-(np.log(q0 / (1 - q0)) + lp))) if base > 0 else np.zeros_like(lp)
                stay = np.exp(-(lam_e + lam_d) * r)  # present at the next review
                k = np.arange(1, int(np.floor(h / r + 1e-9)) + 1)[:, None]
                out[f"p_promotion_{h:g}m"] = ((stay * (1 - q)) ** (k - 1) * stay * q).sum(axis=0)
        return pd.DataFrame(out, index=people.index)


def simulate_histories(
    n_employees: int,
    *,
    seed: int,
    hazard_ratios: Mapping | None = None,
    exit_hazard_ratios: Mapping | None = None,
    base_promo_hazard: float | Sequence[float] = (0.05, 0.04, 0.03, 0.025, 0.02),
    exit_hazard: float = 0.015,
    demotion_hazard: float = 0.0,
    levels: int = 6,
    start: str = "2020-01-01",
    months: float = 60,
    hire_window_months: float = 24,
    review_every_months: int | None = None,
) -> tuple[pd.DataFrame, HRTruth]:
    """Simulate event histories (hire, promotion, demotion, exit) with known hazards.

    Parameters
    ----------
    n_employees : int
    seed : int
        Seed of the NumPy generator; the same seed gives the same histories.
    hazard_ratios, exit_hazard_ratios : mapping, optional
        Ratios per covariate, e.g. ``{"kpi_score": 1.5, "education": {"master": 1.5},
        "city_tier": {3: 0.75}}`` (references: high_school, tier 1). Defaults:
        :data:`DEFAULT_HAZARD_RATIOS`, :data:`DEFAULT_EXIT_HAZARD_RATIOS`.
    base_promo_hazard : float or sequence of float
        Monthly promotion hazard of the reference employee, one per level
        below the top (a float applies to all).
    exit_hazard : float
        Monthly exit hazard of the reference employee.
    demotion_hazard : float
        Monthly demotion hazard above level 1.
    levels : int
        Number of levels; nobody is promoted out of the top one.
    start : str
        Date of the first possible hire.
    months : float
        Length of observation from ``start``; the censor date is ``start + months``.
    hire_window_months : float
        Hires are spread uniformly over the first ``hire_window_months``.
    review_every_months : int, optional
        If set, promotions only happen at reviews this many months apart and
        ratios are odds ratios per review (see the module docstring).

    Returns
    -------
    events : DataFrame
        ``employee_id``, ``date``, ``event``, ``level``, ``kpi_score``,
        ``education``, ``city_tier`` (covariates on every row).
    truth : HRTruth

    Examples
    --------
    >>> events, truth = simulate_histories(200, seed=1)
    >>> sorted(events["event"].unique())
    ['exit', 'hire', 'promotion']
    >>> round(float(truth.hazard_ratios["kpi_score"]), 2)
    1.5
    """
    if levels < 2:
        raise ValueError(f"levels must be at least 2, got {levels}")
    rng = np.random.default_rng(seed)
    hr_p = _ratios_to_series(DEFAULT_HAZARD_RATIOS if hazard_ratios is None else hazard_ratios)
    hr_e = _ratios_to_series(DEFAULT_EXIT_HAZARD_RATIOS if exit_hazard_ratios is None else exit_hazard_ratios)
    base = np.broadcast_to(np.asarray(base_promo_hazard, dtype=float), (levels - 1,)).copy()
    base_full = np.r_[base, 0.0]  # no promotion out of the top level

    n = int(n_employees)
    width = len(str(n))
    people = pd.DataFrame(
        {
            "employee_id": [f"E{i:0{width}d}" for i in range(1, n + 1)],
            "kpi_score": rng.standard_normal(n).round(3),
            "education": rng.choice(EDUCATION, size=n, p=EDUCATION_P),
            "city_tier": pd.array(rng.choice(CITY_TIERS, size=n, p=CITY_TIER_P), dtype="Int64"),
        }
    )
    people["education"] = people["education"].astype("str")
    lp_p = _log_ratio(people, hr_p).to_numpy()
    lp_e = _log_ratio(people, hr_e).to_numpy()
    people["promo_lp"] = lp_p
    people["exit_lp"] = lp_e
    lam_e = exit_hazard * np.exp(lp_e)

    t = rng.uniform(0, hire_window_months, n)
    level = np.ones(n, dtype=int)
    rows = [(np.arange(n), t.copy(), np.zeros(n, dtype=int), level.copy())]  # code 0 = hire
    active = t <= months
    # Each pass moves every active employee to their next event: at most a few dozen passes.
    while active.any():
        idx = np.flatnonzero(active)
        lv = level[idx]
        lam_d = np.where(lv > 1, demotion_hazard, 0.0)
        with np.errstate(divide="ignore"):
            t_exit = rng.exponential(1.0, idx.size) / lam_e[idx]
            t_dem = np.where(lam_d > 0, rng.exponential(1.0, idx.size) / np.where(lam_d > 0, lam_d, 1), np.inf)
        bp = base_full[lv - 1]
        if review_every_months is None:
            lam_p = bp * np.exp(lp_p[idx])
            t_pro = np.where(lam_p > 0, rng.exponential(1.0, idx.size) / np.where(lam_p > 0, lam_p, 1), np.inf)
        else:
            r = review_every_months
            q0 = 1 - np.exp(-r * bp)
            with np.errstate(divide="ignore"):
                q = 1 / (1 + np.exp(-(np.log(q0) - np.log1p(-q0) + lp_p[idx])))
            k = rng.geometric(np.where(q > 0, q, 0.5))
            t_pro = np.where(q > 0, r * k, np.inf)
        dt = np.stack([t_pro, t_dem, t_exit])  # codes 1, 2, 3
        which = dt.argmin(axis=0)
        t_next = t[idx] + dt.min(axis=0)
        seen = t_next <= months
        idx, which, t_next = idx[seen], which[seen], t_next[seen]
        level[idx] += np.select([which == 0, which == 1], [1, -1], 0)
        t[idx] = t_next
        rows.append((idx, t_next, which + 1, level[idx].copy()))
        active[:] = False
        active[idx[which != 2]] = True

    emp, when, code, lvl = (np.concatenate(a) for a in zip(*rows))
    keep = when <= months  # hires after the end of observation are not seen
    emp, when, code, lvl = emp[keep], when[keep], code[keep], lvl[keep]
    t0 = pd.Timestamp(start)
    days = np.round(when * DAYS_PER_MONTH).astype("int64")
    order = np.lexsort((when, emp))
    events = pd.DataFrame(
        {
            "employee_id": people["employee_id"].to_numpy()[emp[order]],
            "date": t0 + pd.to_timedelta(days[order], unit="D"),
            "event": np.array(["hire", "promotion", "demotion", "exit"])[code[order]],
            "level": pd.array(lvl[order], dtype="Int64"),
        }
    )
    events["event"] = events["event"].astype("str")
    covs = people.set_index("employee_id")[["kpi_score", "education", "city_tier"]]
    events = events.join(covs, on="employee_id").reset_index(drop=True)
    truth = HRTruth(
        hazard_ratios=hr_p,
        exit_hazard_ratios=hr_e,
        effect="hazard_ratio" if review_every_months is None else "odds_ratio",
        base_promo_hazard=tuple(float(b) for b in base),
        exit_hazard=float(exit_hazard),
        demotion_hazard=float(demotion_hazard),
        review_every_months=review_every_months,
        levels=levels,
        censor_date=t0 + pd.Timedelta(days=int(round(months * DAYS_PER_MONTH))),
        employees=people,
    )
    return events, truth


@dataclass(frozen=True)
class KPIPathTruth:
    """Truth behind :func:`simulate_kpi_histories`.

    Attributes
    ----------
    kpi_hazard_ratio : float
        Promotion hazard ratio per unit of the KPI published at the end of the last quarter.
    base_promo_hazard, exit_hazard : float
        Monthly hazards of someone with KPI 0 (exit does not depend on KPI).
    rho : float
        Quarter-to-quarter autocorrelation of an employee's KPI.
    censor_date : Timestamp
    formula : str
        ``"kpi_score"``: fit on :func:`csresearch.split_spells` rows for the
        path model, or on the spells (KPI at hire) for the at-hire model.
    """

    kpi_hazard_ratio: float
    base_promo_hazard: float
    exit_hazard: float
    rho: float
    censor_date: pd.Timestamp
    formula: str = "kpi_score"


def simulate_kpi_histories(
    n_employees: int,
    *,
    seed: int,
    kpi_hazard_ratio: float = 1.8,
    base_promo_hazard: float = 0.04,
    exit_hazard: float = 0.015,
    rho: float = 0.5,
    levels: int = 3,
    start: str = "2020-01-01",
    months: int = 48,
    hire_window_months: int = 24,
) -> tuple[pd.DataFrame, pd.DataFrame, KPIPathTruth]:
    """Histories where promotion depends on the last quarter's KPI, not the KPI at hire.

    Each employee's KPI is a z-score published at the end of every calendar
    quarter, an AR(1) series with autocorrelation ``rho``. Between
    publications the monthly promotion hazard is
    ``base_promo_hazard * kpi_hazard_ratio ** kpi`` with ``kpi`` the latest
    published value (the value at hire before the first one); exits have a
    constant hazard. The hire row carries the KPI at hire, so a model on the
    spells alone (fixed at hire) is biased towards 1, while a Cox model on
    :func:`csresearch.split_spells` rows estimates ``kpi_hazard_ratio``.

    Returns
    -------
    events : DataFrame
        ``employee_id, date, event, level, kpi_score`` (KPI at hire).
    kpi : DataFrame
        ``employee_id, date, kpi_score``: the published KPI path (the format
        :func:`csresearch.split_spells` reads and the policy engine exports).
    truth : KPIPathTruth

    Examples
    --------
    >>> events, kpi, truth = simulate_kpi_histories(200, seed=1)
    >>> list(kpi.columns), truth.kpi_hazard_ratio
    (['employee_id', 'date', 'kpi_score'], 1.8)
    """
    rng = np.random.default_rng(seed)
    n = int(n_employees)
    width = len(str(n))
    ids = np.array([f"K{i:0{width}d}" for i in range(1, n + 1)])
    n_q = months // 3
    kpi = np.empty((n, n_q + 1))  # column 0: at hire (and before the first publication)
    kpi[:, 0] = rng.standard_normal(n)
    for q in range(1, n_q + 1):
        kpi[:, q] = rho * kpi[:, q - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    hire = rng.integers(0, hire_window_months, n).astype(float)  # whole months, so quarters are exact
    beta = np.log(kpi_hazard_ratio)
    t = hire.copy()
    level = np.ones(n, dtype=int)
    alive = np.ones(n, dtype=bool)
    rows = [(np.arange(n), hire.copy(), np.zeros(n, int), level.copy())]
    # Walk quarter by quarter: hazards are constant between KPI publications.
    q_first = (hire // 3).astype(int)  # index of the quarter holding the hire
    for q in range(n_q):
        lo, hi = 3.0 * q, 3.0 * (q + 1)
        # KPI seen in quarter q: published at the end of quarter q-1, if after hire.
        seen = kpi[np.arange(n), np.clip(q - q_first, 0, n_q)]
        while True:
            act = np.flatnonzero(alive & (t < hi) & (hire < hi))
            if act.size == 0:
                break
            now = np.maximum(t[act], lo)
            lam_p = np.where(level[act] < levels, base_promo_hazard * np.exp(beta * seen[act]), 0.0)
            total = lam_p + exit_hazard
            wait = rng.exponential(1.0, act.size) / total
            happens = now + wait < hi
            t[act] = np.where(happens, now + wait, hi)
            who, when = act[happens], (now + wait)[happens]
            promo = rng.random(who.size) < lam_p[happens] / total[happens]
            level[who[promo]] += 1
            alive[who[~promo]] = False
            rows.append((who, when, np.where(promo, 1, 3), level[who].copy()))
    emp, when, code, lvl = (np.concatenate(a) for a in zip(*rows))
    t0 = pd.Timestamp(start)
    days = np.round(when * DAYS_PER_MONTH).astype("int64")
    order = np.lexsort((when, emp))
    events = pd.DataFrame({
        "employee_id": ids[emp[order]],
        "date": t0 + pd.to_timedelta(days[order], unit="D"),
        "event": np.array(["hire", "promotion", "demotion", "exit"])[code[order]],
        "level": pd.array(lvl[order], dtype="Int64"),
    })
    events["event"] = events["event"].astype("str")
    events["kpi_score"] = np.where(events["event"] == "hire", kpi[emp[order], 0].round(3), np.nan)
    # Publication of quarter j's KPI (j = 1.. after the hire quarter) at the end of that quarter.
    q_idx = np.arange(1, n_q + 1)
    pub_q = q_first[:, None] + q_idx[None, :] - 1  # calendar quarter whose end publishes kpi[:, j]
    pub_month = 3.0 * (pub_q + 1)
    ok = pub_month < months
    e_i, j_i = np.nonzero(ok)
    kpi_path = pd.DataFrame({
        "employee_id": ids[e_i],
        "date": t0 + pd.to_timedelta(np.round(pub_month[e_i, j_i] * DAYS_PER_MONTH).astype("int64"), unit="D"),
        "kpi_score": kpi[e_i, j_i + 1].round(3),
    })
    truth = KPIPathTruth(kpi_hazard_ratio=float(kpi_hazard_ratio), base_promo_hazard=float(base_promo_hazard),
                         exit_hazard=float(exit_hazard), rho=float(rho),
                         censor_date=t0 + pd.Timedelta(days=int(round(months * DAYS_PER_MONTH))))
    return events, kpi_path, truth

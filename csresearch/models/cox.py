"""Cox proportional hazards by Newton-Raphson on the partial likelihood, in NumPy.

Why our own: statsmodels' ``PHReg`` reports its baseline cumulative hazard as the
value just *before* each event time (so predictions built on it lag one jump) and
always uses Breslow increments; it is also several times slower than needed on
200,000 spells. This module fits counting-process data ``(entry, stop]`` (so
time-varying covariates work), strata, Efron or Breslow ties, and gives
model-based or cluster-robust (sandwich) standard errors identical to R
``survival::coxph(..., cluster=id)``, plus the baseline cumulative hazard as R's
``basehaz(fit, centered=FALSE)`` (a right-continuous step function).

Everything is done with sorted arrays and cumulative sums: the sums over a risk
set ``{i: entry_i < t <= stop_i}`` are "rows with stop >= t" minus "rows with
entry >= t". Strata are made disjoint in time by shifting each stratum's clock,
so one pass handles them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CoxFit", "fit_cox"]


@dataclass
class CoxFit:
    """A fitted Cox model (see :func:`fit_cox`).

    Attributes
    ----------
    params, bse, pvalues : ndarray
        Log hazard ratios, their standard errors (robust when clustered) and Wald p-values.
    cov_params : ndarray
        Covariance of ``params`` (robust sandwich when ``cluster`` was given).
    names : list of str
    loglik : float
        Log partial likelihood at ``params``.
    ties, n_iter, n_clusters : str, int, int or None
    baselines : dict
        Stratum code -> ``(times, cumhaz)``: the baseline cumulative hazard at
        covariates 0, ``cumhaz[j]`` holding from ``times[j]`` on (right-continuous).
    """

    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    cov_params: np.ndarray
    names: list[str]
    loglik: float
    ties: str
    n_iter: int
    n_clusters: int | None = None
    naive_bse: np.ndarray | None = None
    baselines: dict = field(default_factory=dict, repr=False)

    def cumulative_hazard(self, stratum: int, times: np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard of ``stratum`` at ``times`` (value *at* each time, jumps included)."""
        t, h = self.baselines.get(stratum, (np.array([]), np.array([])))
        pos = np.searchsorted(t, np.asarray(times, float), side="right") - 1
        return np.where(pos >= 0, h[np.clip(pos, 0, None)] if len(h) else 0.0, 0.0)


class _RiskSets:
    """Sorted bookkeeping of event times and risk sets, fixed across Newton iterations."""

    def __init__(self, entry, stop, event, strata):
        self.span = float(np.max(stop) - min(np.min(entry), 0.0)) + 1.0
        self.shift = self.span * strata  # strata on disjoint clocks
        self.strata = strata
        e, s = entry + self.shift, stop + self.shift
        ev = event.astype(bool)
        self.times, self.k_of_event = np.unique(s[ev], return_inverse=True)  # event times, index per event
        self.event_rows = np.flatnonzero(ev)
        self.raw_times = np.empty(len(self.times))  # unshifted, so they equal the input times exactly
        self.raw_times[self.k_of_event] = stop[ev]
        self.d = np.bincount(self.k_of_event, minlength=len(self.times)).astype(float)
        # For each row, event times in its risk set are k in [k_lo, k_hi): entry < t_k <= stop.
        self.k_lo = np.searchsorted(self.times, e, side="right")
        self.k_hi = np.searchsorted(self.times, s, side="right")
        self.n = len(stop)
        # Efron pseudo-steps: one per event, fraction l/d_k.
        first = np.r_[0, np.cumsum(self.d)[:-1]].astype(int)
        self.step_k = np.repeat(np.arange(len(self.times)), self.d.astype(int))
        self.step_l = np.arange(len(self.step_k)) - first[self.step_k]

    def risk_sum(self, v: np.ndarray) -> np.ndarray:
        """Sum of ``v`` (rows x ...) over each event time's risk set.

        Rows with ``stop >= t_k`` (``k < k_hi``) minus rows with ``entry >= t_k`` (``k < k_lo``),
        each a suffix sum of a bincount over the event times: no sort or gather of the rows.
        Suffix sums keep late, small risk sets as exact as sums over their own rows.
        """
        T = len(self.times)

        def rows_beyond(k: np.ndarray) -> np.ndarray:  # sum of v over rows whose k exceeds each event index
            return np.cumsum(_group_sum(k, v, T + 1)[::-1], axis=0)[::-1][1:]

        return rows_beyond(self.k_hi) - rows_beyond(self.k_lo)

    def event_sum(self, v: np.ndarray) -> np.ndarray:
        return _group_sum(self.k_of_event, v[self.event_rows], len(self.times))

    def row_sum(self, per_time: np.ndarray) -> np.ndarray:
        """For each row, the sum of ``per_time`` over the event times in its risk set."""
        c = np.concatenate([np.zeros((1, *per_time.shape[1:])), np.cumsum(per_time, axis=0)])
        return c[self.k_hi] - c[self.k_lo]


def _group_sum(index: np.ndarray, v: np.ndarray, size: int) -> np.ndarray:
    """Sum rows of ``v`` by ``index`` (bincount per column: many times faster than np.add.at)."""
    if v.ndim == 1:
        return np.bincount(index, weights=v, minlength=size)
    return np.column_stack([np.bincount(index, weights=v[:, j], minlength=size) for j in range(v.shape[1])])


def _pieces(rs: _RiskSets, X: np.ndarray, eta: np.ndarray, efron: bool):
    w = np.exp(eta)
    S0 = rs.risk_sum(w)
    S1 = rs.risk_sum(w[:, None] * X)
    E0 = rs.event_sum(w)
    E1 = rs.event_sum(w[:, None] * X)
    k = rs.step_k
    f = (rs.step_l / rs.d[k]) if efron else np.zeros(len(k))
    A0 = S0[k] - f * E0[k]
    A1 = S1[k] - f[:, None] * E1[k]
    return w, A0, A1, f


def _loglik(rs, X, eta, efron):
    w, A0, _, _ = _pieces(rs, X, eta, efron)
    return float(eta[rs.event_rows].sum() - np.log(A0).sum())


def _step(rs: _RiskSets, X: np.ndarray, eta: np.ndarray, efron: bool):
    """Log-likelihood, score, information and the per-time sums reused by residuals."""
    w, A0, A1, f = _pieces(rs, X, eta, efron)
    k, T = rs.step_k, len(rs.times)
    xbar = A1 / A0[:, None]
    loglik = float(eta[rs.event_rows].sum() - np.log(A0).sum())
    score = X[rs.event_rows].sum(axis=0) - xbar.sum(axis=0)
    # sum_kl A2/A0 = X' diag(w * (a - delta * e)) X with a, e per-row sums of 1/A0 terms.
    c = np.bincount(k, weights=1 / A0, minlength=T)
    e = np.bincount(k, weights=f / A0, minlength=T)
    a = rs.row_sum(c)
    a[rs.event_rows] -= e[rs.k_of_event]
    info = (X * (w * a)[:, None]).T @ X - xbar.T @ xbar
    return loglik, score, info, (w, A0, xbar, f, c, e)


def _score_residuals(rs: _RiskSets, X, parts) -> np.ndarray:
    """Per-row score residuals (R ``residuals(fit, 'score')``), Efron weights for tied events."""
    w, A0, xbar, f, c, e = parts
    k, T, p = rs.step_k, len(rs.times), X.shape[1]
    g = _group_sum(k, xbar / A0[:, None], T)
    h = _group_sum(k, xbar * (f / A0)[:, None], T)
    xbar_mean = _group_sum(k, xbar, T) / rs.d[:, None]
    a = rs.row_sum(c)
    G = rs.row_sum(g)
    ev, ke = rs.event_rows, rs.k_of_event
    a[ev] -= e[ke]
    G[ev] -= h[ke]
    resid = -w[:, None] * (X * a[:, None] - G)
    resid[ev] += X[ev] - xbar_mean[ke]
    return resid


def _baseline(rs: _RiskSets, parts, efron: bool) -> dict:
    """Breslow (or Efron-weighted, as R survfit.coxph) increments of the cumulative hazard, per stratum."""
    _, A0, _, _, c, _ = parts
    first = np.r_[0, np.cumsum(rs.d)[:-1]].astype(int)
    dH = c if efron else rs.d / A0[first]
    out = {}
    for code in np.unique(rs.strata):
        lo, hi = np.searchsorted(rs.times, [code * rs.span, (code + 1) * rs.span], side="left")
        out[int(code)] = (rs.raw_times[lo:hi], np.cumsum(dH[lo:hi]))
    return out


def fit_cox(
    X: np.ndarray | pd.DataFrame,
    stop: np.ndarray,
    event: np.ndarray,
    *,
    entry: np.ndarray | None = None,
    strata: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    ties: str = "efron",
    names: list[str] | None = None,
    tol: float = 1e-12,
    max_iter: int = 50,
) -> CoxFit:
    """Fit a Cox model to counting-process data ``(entry, stop]``.

    Parameters
    ----------
    X : array (n, p) or DataFrame
        Covariates, one row per interval (no intercept).
    stop, event : array (n,)
        End of the interval and whether the event happens at it.
    entry : array (n,), optional
        Start of the interval (left truncation / time-varying covariates); 0 by default.
    strata : array (n,), optional
        Integer codes; each stratum has its own baseline hazard.
    cluster : array (n,), optional
        Cluster labels (e.g. employee id): robust sandwich covariance
        ``D'D`` with ``D`` the per-cluster sums of dfbeta residuals, as R's
        ``coxph(..., cluster=id)``.
    ties : {"efron", "breslow"}
    tol : float
        Newton stops when the largest step is below ``tol``.

    Returns
    -------
    CoxFit

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_cox(np.array([[0.1], [0.5], [-0.2], [0.3], [0.0], [1.0]]),
    ...               np.array([1, 2, 2, 3, 4, 5.]), np.array([1, 1, 0, 1, 0, 1]))
    >>> round(float(fit.params[0]), 6)   # R coxph: -0.2817047
    -0.281705
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties must be 'efron' or 'breslow', got {ties!r}")
    if isinstance(X, pd.DataFrame):
        names = list(X.columns) if names is None else names
        X = X.to_numpy(float)
    X = np.asarray(X, float)
    if X.ndim == 1:
        X = X[:, None]
    n, p = X.shape
    names = names or [f"x{j}" for j in range(p)]
    stop = np.asarray(stop, float)
    entry = np.zeros(n) if entry is None else np.asarray(entry, float)
    event = np.asarray(event).astype(bool)
    codes = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
    if np.any((entry > stop) | ((entry == stop) & (stop > 0))):
        raise ValueError("every interval needs entry < stop (only a spell of length 0 may have entry = stop = 0)")
    # Spells start just before time 0, so one ending on the day it began (promotion and exit on
    # one day) is at risk at 0 with everyone else, as in R Surv(time, status) without entry times.
    entry = np.where(entry == 0, -1.0, entry)
    if not event.any():
        raise ValueError("no events: nothing to fit")
    efron = ties == "efron"
    rs = _RiskSets(entry, stop, event, codes)
    means = X.mean(axis=0)  # centring keeps exp() in range; it does not change the estimates
    Xc = X - means
    beta = np.zeros(p)
    loglik, score, info, parts = _step(rs, Xc, Xc @ beta, efron)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        delta = np.linalg.solve(info, score)
        new = beta + delta
        ll_new, sc_new, in_new, parts_new = _step(rs, Xc, Xc @ new, efron)
        halvings = 0
        while ll_new < loglik - 1e-12 and halvings < 30:  # step halving guards against overshoot
            delta /= 2
            new = beta + delta
            ll_new, sc_new, in_new, parts_new = _step(rs, Xc, Xc @ new, efron)
            halvings += 1
        beta, loglik, score, info, parts = new, ll_new, sc_new, in_new, parts_new
        if np.max(np.abs(delta)) < tol:
            break
    cov = np.linalg.inv(info)
    naive = np.sqrt(np.diag(cov))
    n_clusters = None
    if cluster is not None:
        dfbeta = _score_residuals(rs, Xc, parts) @ cov
        groups = pd.factorize(np.asarray(cluster))[0]
        n_clusters = int(groups.max()) + 1
        D = _group_sum(groups, dfbeta, n_clusters)
        cov = D.T @ D
    bse = np.sqrt(np.diag(cov))
    pvalues = 2 * stats.norm.sf(np.abs(beta / bse))
    base = _baseline(rs, parts, efron)
    # Baselines are for centred covariates; re-express them at covariates 0.
    shift = float(np.exp(-means @ beta))
    base = {s: (t, h * shift) for s, (t, h) in base.items()}
    return CoxFit(params=beta, bse=bse, pvalues=pvalues, cov_params=cov, names=list(names), loglik=loglik,
                  ties=ties, n_iter=n_iter, n_clusters=n_clusters, naive_bse=naive, baselines=base)

"""Least squares with absorbed fixed effects (the within transformation).

A pay model with ``C(city)`` for 300 cities builds a dense design of N x 300 dummies; on a
crawl of a million rows that is gigabytes and an SVD. The Frisch-Waugh-Lovell theorem gives
the same slopes from the data demeaned within each group, and the rows of the estimator
``(X'X)^-1 X'`` that belong to the slopes are those of the demeaned design, so the cluster-
and HC3-robust covariances of the slopes are the same too, provided the small-sample factors
count the absorbed dummies (as the dummy-variable fit does). Memory is N x k for the k
slopes, whatever the number of groups.

One absorbed term is demeaned exactly in one pass. Several (city and sector, say) are
demeaned by alternating projections -- subtract each term's group means in turn until they
stop moving -- the method of Gaure's lfe and of pyfixest (Gaure 2013, "OLS with multiple high
dimensional category variables", Computational Statistics & Data Analysis 66).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["WithinFit", "fit_within", "demean"]


@dataclass
class WithinFit:
    """Slopes of a least-squares fit with absorbed fixed effects."""

    params: pd.Series
    bse: pd.Series
    cov: pd.DataFrame
    resid: np.ndarray
    group_effects: pd.Series | None  # the absorbed intercepts, one per group (one absorbed term only)
    df_resid: float
    scale: float  # residual variance, SSR / df_resid
    n_groups: dict[str, int]  # levels of each absorbed term

    def cov_params(self) -> pd.DataFrame:
        return self.cov


def _group_means(values: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=len(counts)) / counts
    return np.column_stack([np.bincount(codes, weights=values[:, j], minlength=len(counts))
                            for j in range(values.shape[1])]) / counts[:, None]


def demean(a: np.ndarray, codes: list[np.ndarray], *, tol: float = 1e-13, max_iter: int = 10_000) -> np.ndarray:
    """``a`` (n, or n x k) minus its projection on the dummies of every term in ``codes``.

    ``codes`` holds one integer array (0..L-1, every level present) per absorbed term. One term:
    group means subtracted once (exact). Several: alternating projections, stopped when no
    term's group mean moves any column by more than ``tol`` times the column's largest value.

    Examples
    --------
    >>> demean(np.array([1.0, 3.0, 5.0]), [np.array([0, 0, 1])]).tolist()
    [-1.0, 1.0, 0.0]
    """
    out = np.array(a, dtype=float, copy=True)
    counts = [np.bincount(c).astype(float) for c in codes]
    scale = np.maximum(np.abs(out).max(axis=0), 1.0)
    moved = np.inf
    for _ in range(max_iter):
        moved = 0.0
        for c, n in zip(codes, counts):
            means = _group_means(out, c, n)
            out -= means[c]
            moved = max(moved, float((np.abs(means).max(axis=0) / scale).max()))
        if len(codes) == 1 or moved < tol:
            return out
    raise RuntimeError(f"absorbed fixed effects did not converge in {max_iter} alternating projections "
                       f"(last move {moved:.1e}); are the terms nested or nearly so?")


def fit_within(
    y: np.ndarray,
    X: pd.DataFrame,
    groups: pd.Series | np.ndarray | Mapping[str, pd.Series | np.ndarray],
    *,
    cluster: pd.Series | np.ndarray | None = None,
) -> WithinFit:
    """OLS of ``y`` on ``X`` plus dummies for every level of ``groups``, without building the dummies.

    Parameters
    ----------
    y : array of shape (n,)
    X : DataFrame of shape (n, k)
        Design of the slopes; an ``Intercept`` column is dropped (the group effects hold it).
    groups : array of shape (n,), or a mapping of term name to such arrays
        The absorbed factor (e.g. city), or several (``{"city": ..., "sector": ...}``).
    cluster : array of shape (n,), optional
        Cluster-robust covariance (statsmodels' ``cov_type="cluster"`` with its default
        correction ``G/(G-1) * (n-1)/(n-K)``); HC3 when omitted (one absorbed term only: the
        leverage of several terms' dummies has no closed form). ``K`` counts the columns of
        the dummy-variable design -- slopes, intercept and ``L - 1`` per term -- as
        statsmodels does for that fit.

    Returns
    -------
    WithinFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = rng.integers(0, 50, 2000)
    >>> x = rng.normal(size=2000) + g / 10
    >>> y = 2.0 * x + g + rng.normal(size=2000)
    >>> fit = fit_within(y, pd.DataFrame({"Intercept": 1.0, "x": x}), g)
    >>> round(float(fit.params["x"]), 1)
    2.0
    """
    terms = dict(groups) if isinstance(groups, Mapping) else {"group": groups}
    coded = {}
    for name, g in terms.items():
        codes, levels = pd.factorize(np.asarray(g), sort=True)
        if (codes < 0).any():
            raise ValueError(f"fit_within: {name} has missing values; drop those rows first")
        coded[name] = (codes, levels)
    if cluster is None and len(coded) > 1:
        raise ValueError("HC3 errors with several absorbed terms are not available (their dummies' leverage "
                         "has no closed form); give cluster= or absorb one term")
    X = X.drop(columns=[c for c in X.columns if c == "Intercept"])
    n, k = len(y), X.shape[1]
    yv = np.asarray(y, dtype=float)
    Xv = X.to_numpy(dtype=float)
    Z = demean(np.column_stack([yv, Xv]), [c for c, _ in coded.values()])
    yw, Xw = Z[:, 0], Z[:, 1:]
    bread = np.linalg.pinv(Xw.T @ Xw)
    beta = bread @ (Xw.T @ yw)
    resid = yw - Xw @ beta
    n_params = k + 1 + sum(len(levels) - 1 for _, levels in coded.values())
    df_resid = float(n - n_params)
    if cluster is not None:
        ccodes, clevels = pd.factorize(np.asarray(cluster))
        n_clusters = len(clevels)
        scores = Xw * resid[:, None]
        sums = np.column_stack([np.bincount(ccodes, weights=scores[:, j], minlength=n_clusters) for j in range(k)])
        meat = sums.T @ sums
        factor = n_clusters / (n_clusters - 1) * (n - 1) / df_resid
    else:
        # HC3: the leverage of the dummy design is 1/n_g, orthogonal to that of the demeaned slopes
        (codes, _), = coded.values()
        counts = np.bincount(codes).astype(float)
        h = np.einsum("ij,jk,ik->i", Xw, bread, Xw) + 1.0 / counts[codes]
        w = (resid / (1.0 - h)) ** 2
        meat = (Xw * w[:, None]).T @ Xw
        factor = 1.0
    cov = factor * bread @ meat @ bread
    names = list(X.columns)
    effects = None
    if len(coded) == 1:
        (codes, levels), = coded.values()
        effects = pd.Series(_group_means(yv - Xv @ beta, codes, np.bincount(codes).astype(float)), index=pd.Index(levels))
    return WithinFit(
        params=pd.Series(beta, index=names),
        bse=pd.Series(np.sqrt(np.diag(cov)), index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        resid=resid,
        group_effects=effects,
        df_resid=df_resid,
        scale=float(resid @ resid / df_resid),
        n_groups={name: len(levels) for name, (_, levels) in coded.items()},
    )

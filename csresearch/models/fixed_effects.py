"""Least squares with one absorbed fixed effect (the within transformation).

A pay model with ``C(city)`` for 300 cities builds a dense design of N x 300 dummies; on a
crawl of a million rows that is gigabytes and an SVD. The Frisch-Waugh-Lovell theorem gives
the same slopes from the data demeaned within each group, and the rows of the estimator
``(X'X)^-1 X'`` that belong to the slopes are those of the demeaned design, so the cluster-
and HC3-robust covariances of the slopes are the same too, provided the small-sample factors
count the absorbed dummies (as the dummy-variable fit does). Memory is N x k for the k
slopes, whatever the number of groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["WithinFit", "fit_within"]


@dataclass
class WithinFit:
    """Slopes of a least-squares fit with one absorbed fixed effect."""

    params: pd.Series
    bse: pd.Series
    cov: pd.DataFrame
    resid: np.ndarray
    group_effects: pd.Series  # the absorbed intercepts, one per group
    df_resid: float
    scale: float  # residual variance, SSR / df_resid
    n_groups: int


def _group_means(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    counts = np.bincount(codes, minlength=n_groups).astype(float)
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups) / counts
    return np.column_stack([np.bincount(codes, weights=values[:, j], minlength=n_groups) for j in range(values.shape[1])]) / counts[:, None]


def fit_within(
    y: np.ndarray,
    X: pd.DataFrame,
    groups: pd.Series | np.ndarray,
    *,
    cluster: pd.Series | np.ndarray | None = None,
) -> WithinFit:
    """OLS of ``y`` on ``X`` plus one dummy per level of ``groups``, without building the dummies.

    Parameters
    ----------
    y : array of shape (n,)
    X : DataFrame of shape (n, k)
        Design of the slopes; an ``Intercept`` column is dropped (the group effects hold it).
    groups : array of shape (n,)
        The absorbed factor (e.g. city).
    cluster : array of shape (n,), optional
        Cluster-robust covariance (statsmodels' ``cov_type="cluster"`` with its default
        correction ``G/(G-1) * (n-1)/(n-K)``); HC3 when omitted. ``K`` counts the slopes and
        every group's intercept, as the dummy-variable fit does.

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
    X = X.drop(columns=[c for c in X.columns if c == "Intercept"])
    codes, levels = pd.factorize(np.asarray(groups), sort=True)
    if (codes < 0).any():
        raise ValueError("fit_within: groups has missing values; drop those rows first")
    n, k, n_groups = len(y), X.shape[1], len(levels)
    yv = np.asarray(y, dtype=float)
    Xv = X.to_numpy(dtype=float)
    yw = yv - _group_means(yv, codes, n_groups)[codes]
    Xw = Xv - _group_means(Xv, codes, n_groups)[codes]
    bread = np.linalg.pinv(Xw.T @ Xw)
    beta = bread @ (Xw.T @ yw)
    resid = yw - Xw @ beta
    n_params = k + n_groups
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
        counts = np.bincount(codes, minlength=n_groups).astype(float)
        h = np.einsum("ij,jk,ik->i", Xw, bread, Xw) + 1.0 / counts[codes]
        w = (resid / (1.0 - h)) ** 2
        meat = (Xw * w[:, None]).T @ Xw
        factor = 1.0
    cov = factor * bread @ meat @ bread
    names = list(X.columns)
    alpha = _group_means(yv - Xv @ beta, codes, n_groups)
    return WithinFit(
        params=pd.Series(beta, index=names),
        bse=pd.Series(np.sqrt(np.diag(cov)), index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        resid=resid,
        group_effects=pd.Series(alpha, index=pd.Index(levels)),
        df_resid=df_resid,
        scale=float(resid @ resid / df_resid),
        n_groups=n_groups,
    )

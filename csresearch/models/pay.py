"""Pay models: log-pay regressions, interval regression, pay bands and an ML predictor.

Posted pay is a mess econometrically: it is skewed (model log pay), observations cluster
(many postings per employer or city, so standard errors must be cluster-robust), small
cities have few rows (a mixed model lets them borrow strength), and ranges are
intervals, often open-ended ("от 80 000", "8千以上"), not points. The functions here
answer those four problems and report what they dropped.

* :func:`fit_pay_model` -- ``kind="ols"`` (HC3 or cluster-robust), ``"quantile"``
  (QuantReg), ``"mixed"`` (random city intercepts, BLUPs) and ``"interval"``
  (log-normal interval regression by maximum likelihood with exact, left-, right- and
  interval-censored contributions). All return a :class:`PayModel`.
* :func:`pay_bands` -- quantiles of pay by group with small-cell suppression.
* :func:`fit_pay_predictor` -- a gradient-boosting pipeline with cross-validated error
  next to a linear baseline on the same folds, permutation importance and partial dependence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import optimize, sparse, special, stats
from statsmodels.base.model import GenericLikelihoodModel

from csresearch.config import get_min_cell_size
from csresearch.errors import ColumnMappingError, SchemaError
from csresearch.models._formula import formula_env

__all__ = ["PayModel", "PayPredictor", "fit_pay_model", "pay_bands", "pay_band_tables", "quantile_min_rows",
           "fit_pay_predictor"]

Kind = Literal["ols", "quantile", "mixed", "interval"]
_EFFECT_COLUMNS = ["estimate", "std_error", "ci_low", "ci_high", "p_value"]
_LOG_LHS = re.compile(r"^\s*(np\.)?log\s*\(")


# --------------------------------------------------------------------------- helpers
def _require(df: pd.DataFrame, columns: Sequence[str | None], what: str) -> None:
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise ColumnMappingError(f"{what}: column(s) {missing} not in the table (has {list(df.columns)[:20]})")


def _used_columns(df: pd.DataFrame, formula: str, extra: Sequence[str | None] = ()) -> list[str]:
    """Columns of ``df`` a formula (or an extra argument) refers to."""
    used = [c for c in df.columns if isinstance(c, str) and re.search(r"(?<![\w.])" + re.escape(c) + r"(?!\w)", formula)]
    return used + [c for c in extra if c is not None and c not in used]


def _model_frame(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The model columns as numpy-friendly dtypes, rows with a missing nullable value removed.

    pandas' nullable dtypes hold ``pd.NA``, which patsy does not treat as missing (the Int64
    ``level`` would become a category "<NA>" or, as floats, terms like ``C(level)[T.3.0]``).
    Those rows would be dropped anyway; dropping them first lets the integers stay integers,
    so terms read ``C(level)[T.3]``.
    """
    out = df[list(columns)].copy()
    keep = pd.Series(True, index=out.index)
    for col in out.columns:
        dt = out[col].dtype
        if isinstance(dt, pd.api.extensions.ExtensionDtype) and dt.kind in "iub":
            keep &= out[col].notna()
        elif isinstance(dt, pd.api.extensions.ExtensionDtype) and dt.kind == "f":
            out[col] = out[col].astype("float64")
        elif dt.kind not in "iufbcmM":
            out[col] = out[col].astype("object").where(out[col].notna(), None)
    out = out.loc[keep]
    for col in out.columns:
        dt = out[col].dtype
        if isinstance(dt, pd.api.extensions.ExtensionDtype) and dt.kind in "iub":
            out[col] = out[col].to_numpy(dtype="int64" if dt.kind in "iu" else "bool")
    return out


def _effects_frame(names, est, se, dist_df: float | None, level: float = 0.95) -> pd.DataFrame:
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    if dist_df is None or not np.isfinite(dist_df):
        crit = stats.norm.ppf(0.5 + level / 2)
        p = 2 * stats.norm.sf(np.abs(est / se))
    else:
        crit = stats.t.ppf(0.5 + level / 2, dist_df)
        p = 2 * stats.t.sf(np.abs(est / se), dist_df)
    out = pd.DataFrame(
        {"estimate": est, "std_error": se, "ci_low": est - crit * se, "ci_high": est + crit * se, "p_value": p},
        index=pd.Index(list(names), name="term"),
    )
    return out


def _lhs_is_log(formula: str) -> bool:
    lhs = formula.split("~", 1)[0]
    return bool(_LOG_LHS.match(lhs))


# --------------------------------------------------------------------------- interval MLE
def _log_interval_prob(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a < b, accurate in both tails."""
    # Use the upper tail when the interval lies above zero, where Phi(b), Phi(a) ~ 1.
    flip = a > 0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    lhi = special.log_ndtr(hi)
    llo = special.log_ndtr(lo)
    return lhi + np.log1p(-np.exp(np.minimum(llo - lhi, 0.0)))


class _IntervalNormal(GenericLikelihoodModel):
    """Normal model for y* = X b + s e observed as exact values or (open) intervals.

    ``lo``/``hi`` are bounds on the latent variable (log pay); ``-inf``/``+inf`` mark
    open ends; ``lo == hi`` is an exact observation. The last parameter is log(sigma).
    """

    def __init__(self, lo, hi, exog, **kwargs):
        self.lo = np.asarray(lo, dtype=float)
        self.hi = np.asarray(hi, dtype=float)
        self.exact = self.lo == self.hi
        self.left = ~self.exact & ~np.isfinite(self.lo)
        self.right = ~self.exact & ~np.isfinite(self.hi)
        self.both = ~(self.exact | self.left | self.right)
        endog = np.where(self.exact, self.lo, np.where(self.right, self.lo, np.where(self.left, self.hi, 0.5 * (self.lo + self.hi))))
        kwargs.setdefault("extra_params_names", ["log_sigma"])
        super().__init__(endog, exog, **kwargs)

    def loglikeobs(self, params):
        beta, log_s = params[:-1], params[-1]
        s = np.exp(log_s)
        mu = self.exog @ beta
        ll = np.empty_like(mu)
        z = (self.lo[self.exact] - mu[self.exact]) / s
        ll[self.exact] = -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - log_s
        ll[self.left] = special.log_ndtr((self.hi[self.left] - mu[self.left]) / s)
        ll[self.right] = special.log_ndtr(-(self.lo[self.right] - mu[self.right]) / s)
        b = self.both
        ll[b] = _log_interval_prob((self.lo[b] - mu[b]) / s, (self.hi[b] - mu[b]) / s)
        return ll

    def score_obs(self, params):
        # Analytic gradient: d/dmu and d/dlog_s of each contribution.
        beta, log_s = params[:-1], params[-1]
        s = np.exp(log_s)
        mu = self.exog @ beta
        g_mu = np.zeros_like(mu)
        g_ls = np.zeros_like(mu)
        e = self.exact
        z = (self.lo[e] - mu[e]) / s
        g_mu[e] = z / s
        g_ls[e] = z**2 - 1
        # Ratios phi/Phi computed in log space to stay finite far in the tails.
        def mills(x):  # phi(x) / Phi(x)
            return np.exp(stats.norm.logpdf(x) - special.log_ndtr(x))

        lft = self.left
        zb = (self.hi[lft] - mu[lft]) / s
        m = mills(zb)
        g_mu[lft] = -m / s
        g_ls[lft] = -m * zb
        r = self.right
        za = (self.lo[r] - mu[r]) / s
        m = mills(-za)
        g_mu[r] = m / s
        g_ls[r] = m * za
        bo = self.both
        za = (self.lo[bo] - mu[bo]) / s
        zb = (self.hi[bo] - mu[bo]) / s
        lp = _log_interval_prob(za, zb)
        pa = np.exp(stats.norm.logpdf(za) - lp)
        pb = np.exp(stats.norm.logpdf(zb) - lp)
        g_mu[bo] = (pa - pb) / s
        g_ls[bo] = pa * za - pb * zb
        return np.column_stack([self.exog * g_mu[:, None], g_ls])

    def score(self, params):
        return self.score_obs(params).sum(0)


# --------------------------------------------------------------------------- result object
@dataclass
class PayModel:
    """A fitted pay model (see :func:`fit_pay_model`).

    Attributes
    ----------
    kind : str
        ``"ols"``, ``"quantile"``, ``"mixed"`` or ``"interval"``.
    formula : str
        The patsy formula fitted.
    nobs : int
        Rows used.
    n_dropped : int
        Rows of the input not used (missing model columns, missing cluster/group,
        non-positive pay under a log, or, for ``interval``, no usable bound).
    log_outcome : bool
        Whether the outcome is log pay (predictions are then retransformed to pay).
    sigma, sigma_se : float
        Residual standard deviation on the model scale and (interval models) its SE.
    results : object or dict
        The statsmodels results (a dict by quantile for quantile regression).
    """

    kind: str
    formula: str
    nobs: int
    n_dropped: int
    log_outcome: bool
    results: Any
    design_info: Any
    cov_type: str
    sigma: float = np.nan
    sigma_se: float = np.nan
    smearing: float = 1.0
    groups: str | None = None
    _effects: pd.DataFrame = field(default=None, repr=False)
    _group_effects: pd.DataFrame | None = field(default=None, repr=False)
    _dist_df: float | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- tables
    def effects(self) -> pd.DataFrame:
        """Coefficients by patsy term: estimate, std_error, ci_low, ci_high, p_value.

        Quantile fits are long format with a ``quantile`` column; interval fits add a
        ``sigma`` row (estimate on the log-pay scale; CI from the log(sigma) scale).

        Examples
        --------
        >>> df = _toy_frame()
        >>> m = fit_pay_model(df, "np.log(pay) ~ experience_years")
        >>> list(m.effects().columns)
        ['estimate', 'std_error', 'ci_low', 'ci_high', 'p_value']
        """
        return self._effects.copy()

    def group_effects(self) -> pd.DataFrame:
        """Shrunken group intercepts (BLUPs) of a mixed model, with their conditional SE and n.

        Examples
        --------
        >>> df = _toy_frame()
        >>> m = fit_pay_model(df, "np.log(pay) ~ experience_years", kind="mixed", groups="city")
        >>> list(m.group_effects().columns)
        ['effect', 'std_error', 'n']
        """
        if self._group_effects is None:
            raise ValueError(f"group_effects() needs kind='mixed'; this model is {self.kind!r}")
        return self._group_effects.copy()

    def summary(self) -> str:
        """A plain-text summary: kind, formula, rows used and dropped, coefficient table."""
        head = [
            f"PayModel kind={self.kind} cov={self.cov_type}",
            f"formula: {self.formula}",
            f"nobs={self.nobs} n_dropped={self.n_dropped}"
            + (f" sigma={self.sigma:.4g}" if np.isfinite(self.sigma) else "")
            + (f" smearing={self.smearing:.4g}" if self.kind in ("ols", "mixed") and self.log_outcome else ""),
        ]
        return "\n".join(head) + "\n" + self.effects().to_string(float_format=lambda v: f"{v:.4g}")

    # ----------------------------------------------------------------- prediction
    def _design(self, new_df: pd.DataFrame) -> pd.DataFrame:
        cols = _used_columns(new_df, self.formula)
        data = _model_frame(new_df, cols)
        incomplete = new_df.index.difference(data.index).union(data.index[data.isna().any(axis=1).to_numpy()])
        if len(incomplete):
            raise SchemaError(
                f"cannot predict for {len(incomplete)} row(s) with missing model columns {cols} "
                f"(first index {incomplete[0]!r}); drop or impute them first"
            )
        (X,) = patsy.build_design_matrices([self.design_info], data, NA_action="raise", return_type="dataframe")
        X.index = new_df.index
        return X

    def predict(self, new_df: pd.DataFrame, interval: float = 0.95) -> pd.DataFrame:
        """Predicted pay in currency units with a prediction interval.

        OLS and mixed: ``exp(xb) * smearing`` (Duan's smearing estimate), bounds
        ``exp(xb +/- t * sqrt(var(xb) + sigma^2))`` (mixed: plus the BLUP's conditional
        variance, or the random-intercept variance for an unseen group). Interval:
        ``exp(mu + sigma^2/2)``, bounds as for OLS. Quantile: ``exp`` of the predicted
        median (or the middle fitted quantile); bounds are the fitted quantiles nearest
        to ``(1 - interval)/2`` and ``(1 + interval)/2`` and every fitted quantile is
        returned as ``pay_qNN``. Without a log outcome the model scale is returned as is.

        Examples
        --------
        >>> df = _toy_frame()
        >>> m = fit_pay_model(df, "np.log(pay) ~ experience_years")
        >>> list(m.predict(df.head(2)).columns)
        ['pay', 'pay_low', 'pay_high']
        """
        if not 0 < interval < 1:
            raise ValueError(f"interval must be in (0, 1), got {interval}")
        if "absorb(" in self.cov_type:
            raise ValueError("predict() is not available for a model fitted with absorb=; refit with C(...) dummies")
        X = self._design(new_df)
        back = np.exp if self.log_outcome else (lambda v: v)
        crit = stats.norm.ppf(0.5 + interval / 2) if self._dist_df is None else stats.t.ppf(0.5 + interval / 2, self._dist_df)
        if self.kind == "quantile":
            preds = {q: X.to_numpy() @ r.params.to_numpy() for q, r in self.results.items()}
            qs = np.array(sorted(preds))
            mid = qs[np.argmin(np.abs(qs - 0.5))]
            lo_q = qs[np.argmin(np.abs(qs - (1 - interval) / 2))]
            hi_q = qs[np.argmin(np.abs(qs - (1 + interval) / 2))]
            out = pd.DataFrame({"pay": back(preds[mid]), "pay_low": back(preds[lo_q]), "pay_high": back(preds[hi_q])}, index=new_df.index)
            for q in qs:
                out[f"pay_q{int(round(q * 100)):02d}"] = back(preds[q])
            return out
        if self.kind == "interval":
            k = X.shape[1]
            beta = self.results.params[:k]
            cov = self.results.cov_params()[:k, :k]
        elif self.kind == "mixed":
            beta = self.results.fe_params.to_numpy()
            cov = self.results.cov_params().iloc[: len(beta), : len(beta)].to_numpy()
        else:
            beta = self.results.params.to_numpy()
            cov = self.results.cov_params().to_numpy()
        Xv = X.to_numpy()
        xb = Xv @ beta
        var = np.einsum("ij,jk,ik->i", Xv, cov, Xv) + self.sigma**2
        if self.kind == "mixed":
            ge = self._group_effects
            g = new_df[self.groups].astype("object")
            known = g.isin(ge.index).to_numpy()
            blup = np.where(known, g.map(ge["effect"]).to_numpy(dtype=float, na_value=0.0), 0.0)
            bvar = np.where(known, g.map(ge["std_error"]).to_numpy(dtype=float, na_value=0.0) ** 2, float(self.results.cov_re.iloc[0, 0]))
            xb = xb + blup
            var = var + bvar
        sd = np.sqrt(var)
        if self.kind == "interval":
            centre = back(xb + self.sigma**2 / 2) if self.log_outcome else xb
        else:
            centre = back(xb) * (self.smearing if self.log_outcome else 1.0)
        return pd.DataFrame({"pay": centre, "pay_low": back(xb - crit * sd), "pay_high": back(xb + crit * sd)}, index=new_df.index)


def _toy_frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Small simulated table for the docstring examples."""
    rng = np.random.default_rng(seed)
    exp = rng.uniform(0, 10, n)
    city = rng.choice(["A", "B", "C", "D"], n)
    pay = np.exp(10 + 0.05 * exp + rng.normal(0, 0.3, n))
    return pd.DataFrame({"pay": pay, "experience_years": exp, "city": city})


# --------------------------------------------------------------------------- fitting
def _model_rows(
    df: pd.DataFrame, formula: str, extra: Sequence[str | None], carry: Sequence[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, Any]:
    """Design matrices on the rows patsy keeps, minus rows lacking an ``extra`` column (cluster/group).

    ``carry`` columns (interval bounds, where NaN means an open end) come along unfiltered.
    """
    data = _model_frame(df, _used_columns(df, formula, extra))
    for col in data.columns:
        # patsy sniffs a plain column's levels value by value; a Categorical (unwrapped by
        # models._formula.categorical) it takes by its codes, with the same levels and names
        if isinstance(col, str) and re.search(r"\bC\(\s*" + re.escape(col) + r"\s*[,)]", formula):
            data[col] = pd.Categorical(data[col])
    for col in carry:
        data[col] = pd.to_numeric(df.loc[data.index, col], errors="coerce").astype("float64")
    env = formula_env()
    if "~" in formula and formula.split("~", 1)[0].strip():
        y, X = patsy.dmatrices(formula, data, NA_action="drop", return_type="dataframe", eval_env=env)
    else:
        y, X = None, patsy.dmatrix(formula, data, NA_action="drop", return_type="dataframe", eval_env=env)
    keep = X.index
    for col in extra:
        if col is not None:
            keep = keep[data.loc[keep, col].notna().to_numpy()]
    if y is not None:
        ok = np.isfinite(y.iloc[:, 0].reindex(keep).to_numpy())
        keep = keep[ok]
        y = y.loc[keep]
    return data, X.loc[keep], y, X.design_info


def fit_pay_model(
    df: pd.DataFrame,
    formula: str,
    *,
    kind: Kind = "ols",
    cluster: str | None = None,
    groups: str | None = None,
    quantiles: Sequence[float] | None = None,
    low: str | None = None,
    high: str | None = None,
    absorb: str | Sequence[str] | None = None,
) -> PayModel:
    """Fit a pay regression.

    Parameters
    ----------
    df : DataFrame
        One row per respondent or posting (the processed table, or your own).
    formula : str
        A patsy formula such as ``"np.log(annual_mid) ~ experience_years + C(level) + C(city)"``.
        For ``kind="interval"`` give only the right-hand side (``"~ experience_years + C(level)"``);
        the bounds come from ``low`` and ``high``.
    kind : {"ols", "quantile", "mixed", "interval"}
        ``ols``: least squares, cluster-robust SEs (t with G-1 df) when ``cluster`` names a
        column, HC3 otherwise. ``quantile``: exact (linear-programming) quantile regression at
        ``quantiles`` (default 0.1, 0.5, 0.9), kernel SEs; ``cluster`` is refused (not supported).
        ``mixed``: MixedLM with a random intercept for ``groups`` (REML), intervals from t with
        G - 1 degrees of freedom (G groups; conservative for within-group terms); do not also put
        ``C(groups)`` in the formula. ``interval``: log-normal interval regression by maximum
        likelihood; ``low``/``high`` name the bound columns (NaN = open end, ``low == high``
        an exact amount, ``low == 0`` "up to ``high``"); rows with neither bound are dropped;
        ``cluster`` gives cluster-robust (sandwich) SEs.
    cluster, groups, quantiles, low, high
        See ``kind``.
    absorb : str or list of str, optional
        ``kind="ols"`` only: a column (or several, e.g. ``["city", "sector"]``) whose fixed
        effects are absorbed (the within transformation, :mod:`csresearch.models.fixed_effects`)
        instead of entering as ``C(col)`` dummies; a ``C(col)`` term in the formula is taken as
        that fixed effect, so the same formula fits either way. Same slopes, sigma and
        clustered SEs as the dummy fit (HC3 too for one absorbed term; several need
        ``cluster``), in memory that does not grow with the number of groups; the group
        intercepts are not in ``effects()`` and ``predict()`` is not available.

    Returns
    -------
    PayModel
        With ``effects()``, ``predict()``, ``summary()``, ``nobs``, ``n_dropped`` (and
        ``group_effects()`` for mixed models, ``sigma``/``sigma_se`` for interval models).

    Raises
    ------
    ColumnMappingError
        A named column is absent.
    SchemaError
        Nothing left to fit after dropping incomplete rows.

    Examples
    --------
    >>> df = _toy_frame()
    >>> m = fit_pay_model(df, "np.log(pay) ~ experience_years", cluster="city")
    >>> bool(abs(m.effects().loc["experience_years", "estimate"] - 0.05) < 0.02)  # true slope 0.05
    True
    >>> m.nobs, m.n_dropped
    (200, 0)
    """
    if kind not in ("ols", "quantile", "mixed", "interval"):
        raise ValueError(f"kind must be one of ols, quantile, mixed, interval; got {kind!r}")
    _require(df, [cluster, groups, low, high], f"fit_pay_model(kind={kind!r})")
    if kind == "mixed" and groups is None:
        raise ValueError("kind='mixed' needs groups= (the column of the random intercept, e.g. 'city')")
    absorbed = [absorb] if isinstance(absorb, str) else list(absorb or [])
    if absorbed and kind != "ols":
        raise ValueError(f"absorb= works with kind='ols' only, not {kind!r}")
    _require(df, absorbed, "fit_pay_model(absorb=...)")
    if kind == "interval":
        return _fit_interval(df, formula, low, high, cluster)
    has_lhs = "~" in formula and formula.split("~", 1)[0].strip()
    if not has_lhs:
        raise ValueError(f"kind={kind!r} needs an outcome on the left of '~' in {formula!r}")
    design = _without_terms(formula, absorbed) if absorbed else formula
    data, X, y, design_info = _model_rows(df, design, [cluster, groups, *absorbed])
    n_dropped = len(df) - len(X)
    if len(X) <= X.shape[1]:
        raise SchemaError(f"only {len(X)} complete rows for {X.shape[1]} coefficients in {formula!r} ({n_dropped} dropped)")
    log_outcome = _lhs_is_log(formula)
    yv = y.iloc[:, 0]
    common = dict(formula=formula, nobs=len(X), n_dropped=n_dropped, log_outcome=log_outcome, design_info=design_info)
    if absorbed:
        return _fit_absorbed(data, X, yv, cluster, absorbed, common)
    if kind == "ols":
        model = sm.OLS(yv, X)
        if cluster is not None:
            codes = pd.factorize(data.loc[X.index, cluster])[0]
            res = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
            n_groups = int(codes.max()) + 1
            dist_df, cov_type = n_groups - 1, f"cluster({cluster}, G={n_groups})"
        else:
            res = model.fit(cov_type="HC3", use_t=True)
            dist_df, cov_type = float(res.df_resid), "HC3"
        eff = _effects_frame(res.params.index, res.params, res.bse, dist_df)
        sigma = float(np.sqrt(res.scale))
        smear = float(np.mean(np.exp(res.resid))) if log_outcome else 1.0
        return PayModel(kind="ols", results=res, cov_type=cov_type, sigma=sigma, smearing=smear, _effects=eff, _dist_df=dist_df, **common)
    if kind == "quantile":
        qs = tuple(quantiles) if quantiles is not None else (0.1, 0.5, 0.9)
        if not all(0 < q < 1 for q in qs):
            raise ValueError(f"quantiles must lie in (0, 1), got {qs}")
        results, frames = {}, []
        if cluster is not None:
            raise ValueError("kind='quantile' has no cluster-robust errors here; use kind='ols' with cluster=, "
                             "or bootstrap by cluster (cluster= would otherwise be ignored)")
        for q in qs:
            r = sm.QuantReg(yv, X).fit(q=q, max_iter=5000)
            # QuantReg's IRLS stops short of the optimum (by a quarter SE on real data); the exact LP
            # solution agrees with R rq(method="br"). Its kernel SEs are kept (they barely move).
            r._results.params = _quantile_lp(X.to_numpy(float), yv.to_numpy(float), q)
            results[q] = r
            e = _effects_frame(r.params.index, r.params, r.bse, float(r.df_resid))
            e.insert(0, "quantile", q)
            frames.append(e)
        return PayModel(kind="quantile", results=results, cov_type="quantreg(kernel)", _effects=pd.concat(frames), **common)
    # mixed
    gcol = data.loc[X.index, groups].astype("object")
    res = sm.MixedLM(yv, X, groups=gcol.to_numpy()).fit(reml=True)
    # Small-sample intervals: t with G - 1 degrees of freedom (G = number of groups), the
    # df of a between-group contrast, instead of the normal, which runs narrow with 25 cities.
    n_groups = int(gcol.nunique())
    dist_df = float(max(n_groups - 1, 1))
    eff = _effects_frame(res.fe_params.index, res.fe_params, res.bse_fe, dist_df)
    re = res.random_effects
    counts = gcol.value_counts()
    ge = pd.DataFrame(
        {
            "effect": [float(np.asarray(re[g]).ravel()[0]) for g in re],
            "std_error": [float(np.sqrt(np.asarray(res.random_effects_cov[g]).ravel()[0])) for g in re],
            "n": [int(counts[g]) for g in re],
        },
        index=pd.Index(list(re), name=groups),
    ).sort_index()
    resid = yv.to_numpy() - res.fittedvalues.to_numpy()
    smear = float(np.mean(np.exp(resid))) if log_outcome else 1.0
    return PayModel(
        kind="mixed", results=res, cov_type=f"mixedlm(reml), t({n_groups - 1}) intervals", sigma=float(np.sqrt(res.scale)),
        smearing=smear, groups=groups, _effects=eff, _group_effects=ge, _dist_df=dist_df, **common,
    )


def _without_terms(formula: str, columns: list[str]) -> str:
    """``formula`` without its ``C(col)`` (or bare ``col``) terms for the absorbed columns."""
    desc = patsy.ModelDesc.from_formula(formula)
    drop = {f"C({c})" for c in columns} | set(columns)
    desc.rhs_termlist = [t for t in desc.rhs_termlist
                         if not (len(t.factors) == 1 and t.factors[0].code.replace(" ", "") in drop)]
    return desc.describe()


def _fit_absorbed(data: pd.DataFrame, X: pd.DataFrame, yv: pd.Series, cluster: str | None, absorb: list[str],
                  common: dict[str, Any]) -> PayModel:
    from .fixed_effects import fit_within

    if "Intercept" not in X.columns:
        raise ValueError("absorb= needs a formula with an intercept (the group effects replace it)")
    clusters = data.loc[X.index, cluster].to_numpy() if cluster is not None else None
    terms = {c: data.loc[X.index, c].to_numpy() for c in absorb}
    fit = fit_within(yv.to_numpy(float), X, terms, cluster=clusters)
    what = "absorb(" + ", ".join(absorb) + ")"
    if cluster is not None:
        n_groups = int(pd.factorize(clusters)[1].size)
        dist_df, cov_type = n_groups - 1, f"cluster({cluster}, G={n_groups}) {what}"
    else:
        dist_df, cov_type = fit.df_resid, f"HC3 {what}"
    eff = _effects_frame(fit.params.index, fit.params, fit.bse, dist_df)
    smear = float(np.mean(np.exp(fit.resid))) if common["log_outcome"] else 1.0
    return PayModel(kind="ols", results=fit, cov_type=cov_type, sigma=float(np.sqrt(fit.scale)), smearing=smear,
                    groups=absorb[0] if len(absorb) == 1 else None, _effects=eff, _dist_df=dist_df, **common)


def _quantile_lp(X: np.ndarray, y: np.ndarray, q: float) -> np.ndarray:
    """Exact quantile-regression coefficients: min sum q u+ + (1-q) u-  s.t.  X b + u+ - u- = y (HiGHS)."""
    n, p = X.shape
    A = sparse.hstack([sparse.csr_matrix(X), sparse.eye(n), -sparse.eye(n)], format="csr")
    c = np.r_[np.zeros(p), np.full(n, q), np.full(n, 1 - q)]
    res = optimize.linprog(c, A_eq=A, b_eq=y, bounds=[(None, None)] * p + [(0, None)] * (2 * n), method="highs")
    if not res.success:
        raise RuntimeError(f"quantile regression LP (q={q}) failed: {res.message}")
    return res.x[:p]


def _fit_interval(df: pd.DataFrame, formula: str, low: str | None, high: str | None, cluster: str | None = None) -> PayModel:
    if low is None or high is None:
        raise ValueError("kind='interval' needs low= and high= (the bound columns; NaN marks an open end)")
    if "~" in formula and formula.split("~", 1)[0].strip():
        raise ValueError(f"kind='interval' takes a right-hand side only (e.g. '~ experience_years'), got {formula!r}")
    rhs = formula if formula.strip().startswith("~") else "~ " + formula
    data, X, _, design_info = _model_rows(df, rhs, [cluster], carry=[low, high])
    lo = pd.to_numeric(data.loc[X.index, low], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(data.loc[X.index, high], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # A lower bound of 0 ("0-5000") means "up to 5000": pay has no lower limit above zero.
        llo = np.where(lo > 0, np.log(lo), np.where(np.isnan(lo) | (lo == 0), -np.inf, np.nan))
        lhi = np.where(hi > 0, np.log(hi), np.where(np.isnan(hi), np.inf, np.nan))
    usable = ~np.isnan(llo) & ~np.isnan(lhi) & (np.isfinite(llo) | np.isfinite(lhi)) & (llo <= lhi)
    X = X.loc[usable]
    llo, lhi = llo[usable], lhi[usable]
    n_dropped = len(df) - len(X)
    if len(X) <= X.shape[1] + 1:
        raise SchemaError(f"only {len(X)} usable rows for interval regression {formula!r} ({n_dropped} dropped)")
    model = _IntervalNormal(llo, lhi, X.to_numpy())
    # Start from least squares on the interval midpoints / bounds (the model's endog).
    ols = np.linalg.lstsq(X.to_numpy(), model.endog, rcond=None)[0]
    resid_sd = float(np.std(model.endog - X.to_numpy() @ ols)) or 0.5
    start = np.append(ols, np.log(resid_sd))
    kw = {}
    if cluster is not None:
        codes = pd.factorize(data.loc[X.index, cluster])[0]
        kw = {"cov_type": "cluster", "cov_kwds": {"groups": codes}}
    res = model.fit(start_params=start, method="bfgs", maxiter=2000, gtol=1e-7, disp=False, **kw)
    names = list(X.columns) + ["log_sigma"]
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    se = np.sqrt(np.diag(cov))
    eff = _effects_frame(names, params, se, None)
    sigma = float(np.exp(params[-1]))
    sigma_se = float(sigma * se[-1])
    # Report sigma itself (CI by transforming the log-sigma CI, which is better behaved).
    eff.loc["sigma"] = [sigma, sigma_se, float(np.exp(eff.loc["log_sigma", "ci_low"])), float(np.exp(eff.loc["log_sigma", "ci_high"])), np.nan]
    eff = eff.drop(index="log_sigma")
    n_kind = {
        "exact": int(model.exact.sum()),
        "left_censored": int(model.left.sum()),
        "right_censored": int(model.right.sum()),
        "interval": int(model.both.sum()),
    }
    res.censoring_counts = n_kind
    return PayModel(
        kind="interval", formula=rhs, nobs=len(X), n_dropped=n_dropped, log_outcome=True, results=res,
        design_info=design_info, cov_type="mle(hessian)" if cluster is None else f"mle(cluster={cluster})", sigma=sigma, sigma_se=sigma_se, _effects=eff,
    )


# --------------------------------------------------------------------------- pay bands
def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cw = np.cumsum(w)
    if cw[-1] <= 0:
        return np.full(len(qs), np.nan)
    # Midpoint rule: the i-th sorted value sits at (cw_i - w_i/2) / total.
    pos = (cw - 0.5 * w) / cw[-1]
    return np.interp(qs, pos, v)


def quantile_min_rows(q: float, k: int) -> int:
    """Rows a cell needs before its ``q`` quantile is published: ``ceil(k / min(q, 1 - q))``.

    The rule keeps at least ``k`` rows in the tail beyond every published quantile, so a
    quantile is never the pay of one of fewer than ``k`` people at the edge of the cell
    (with k = 5: the median needs 10 rows, p25/p75 20 and p10/p90 50). A cell of exactly
    ``k`` rows therefore publishes its count only, and no set of published quantiles can be
    solved back to the individual values (Hundepool et al. 2012, sect. 4.2 on dominance and
    p% rules for magnitude tables).

    Examples
    --------
    >>> [quantile_min_rows(q, 5) for q in (0.5, 0.25, 0.1)]
    [10, 20, 50]
    """
    tail = min(float(q), 1.0 - float(q))
    if not 0 < tail <= 0.5:
        raise ValueError(f"quantile must lie in (0, 1), got {q}")
    return int(np.ceil(k / tail - 1e-9))


def _order_statistic_ci(values: np.ndarray, qs: Sequence[float], level: float) -> list[float]:
    """Distribution-free interval for each quantile: (x_(l), x_(u)) from Binomial(n, q) ranks."""
    v = np.sort(values)
    n = len(v)
    out = []
    for q in qs:
        lo = int(stats.binom.ppf((1 - level) / 2, n, q))
        hi = int(stats.binom.ppf((1 + level) / 2, n, q)) + 1
        ok = lo >= 1 and hi <= n
        out += [float(v[lo - 1]) if ok else np.nan, float(v[hi - 1]) if ok else np.nan]
    return out


def pay_bands(
    df: pd.DataFrame,
    by: str | Sequence[str],
    *,
    value: str,
    quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9),
    min_cell: int | None = None,
    weight: str | None = None,
    ci: float | None = None,
) -> pd.DataFrame:
    """Quantiles of pay by group, with small groups suppressed and sparse quantiles withheld.

    Disclosure rules (issue 18): a group with fewer than ``min_cell`` rows is suppressed
    and publishes nothing, not even its counts (``n`` and ``n_rows`` missing); the threshold
    counts rows, not the ``n_respondents`` a source claims. A quantile ``q`` of a published
    group is shown only when the group has at least :func:`quantile_min_rows` rows
    (``min_cell / min(q, 1 - q)``), otherwise it is missing.

    Parameters
    ----------
    df : DataFrame
        Rows with the ``by`` columns and ``value``.
    by : str or list of str
        Grouping columns.
    value : str
        The pay column (e.g. ``annual_mid_usd_ppp``); rows where it is missing are ignored.
    quantiles : sequence of float
        Reported as columns ``p10``, ``p25``, ... (``p2.5`` style for non-integer percents).
    min_cell : int, optional
        Groups with fewer rows (or respondents) are suppressed (``suppressed=True``).
        Default :func:`csresearch.config.get_min_cell_size`.
    weight : str, optional
        A weight column; weighted quantiles (midpoint rule) are computed when given.
    ci : float, optional
        Confidence level (e.g. 0.95) of distribution-free order-statistic intervals, added as
        ``<p>_ci_low`` / ``<p>_ci_high``: the sorted values ``x_(l)``, ``x_(u)`` with
        ``l = F^-1((1-ci)/2)`` and ``u = F^-1((1+ci)/2) + 1`` for ``F`` the Binomial(n_rows, q)
        distribution, so coverage is at least ``ci`` whatever the pay distribution. NaN
        where the cell is too small for that quantile (``l < 1`` or ``u > n_rows``) and in
        suppressed cells. Rows are the units (an aggregate row counts once). Not available
        with ``weight`` (refused rather than approximated).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n`` (respondents), ``n_rows``, the quantile
        columns (and their ``ci``
        intervals), ``suppressed`` and ``suppression`` (``'primary'``, or ``''``;
        :func:`pay_band_tables` adds ``'secondary'``). ``n`` sums ``n_respondents`` when that
        column exists (aggregate rows stand for several people; a missing count counts as 1),
        else counts rows.

    Examples
    --------
    >>> df = pd.DataFrame({"city": ["A"] * 12 + ["B"] * 2, "pay": range(14)})
    >>> pay_bands(df, "city", value="pay", quantiles=(0.5, 0.9), min_cell=5)
      city     n  n_rows  p50  p90  suppressed suppression
    0    A    12      12  5.5  NaN       False            
    1    B  <NA>    <NA>  NaN  NaN        True     primary
    """
    by = [by] if isinstance(by, str) else list(by)
    _require(df, [*by, value, weight], "pay_bands")
    if ci is not None and weight is not None:
        raise ValueError("pay_bands: ci= is not available with weight= (order-statistic intervals need unweighted rows)")
    if ci is not None and not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci}")
    k = get_min_cell_size() if min_cell is None else int(min_cell)
    vals = pd.to_numeric(df[value], errors="coerce").astype("float64")
    use = df.loc[vals.notna(), by].copy()
    use["_v"] = vals[vals.notna()]
    if "n_respondents" in df.columns:
        use["_n"] = pd.to_numeric(df.loc[use.index, "n_respondents"], errors="coerce").fillna(1).astype("float64")
    else:
        use["_n"] = 1.0
    use["_w"] = pd.to_numeric(df.loc[use.index, weight], errors="coerce").fillna(0).astype("float64") if weight else 1.0
    names = [f"p{(q * 100):g}" for q in quantiles]
    rows = []
    for key, grp in use.groupby(by, sort=True, dropna=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        qv = (
            _weighted_quantiles(grp["_v"].to_numpy(), grp["_w"].to_numpy(), quantiles)
            if weight
            else np.quantile(grp["_v"].to_numpy(), quantiles)
        )
        bounds = _order_statistic_ci(grp["_v"].to_numpy(), quantiles, ci) if ci is not None else []
        rows.append((*key, int(grp["_n"].sum()), len(grp), *qv, *bounds))
    ci_names = [f"{nm}_{side}" for nm in names for side in ("ci_low", "ci_high")] if ci is not None else []
    out = pd.DataFrame(rows, columns=[*by, "n", "n_rows", *names, *ci_names])
    out = out.astype({"n": "Int64", "n_rows": "Int64"})
    for q, name in zip(quantiles, names):
        withheld = out["n_rows"] < quantile_min_rows(q, k)
        out.loc[withheld, [name, *[c for c in ci_names if c.startswith(f"{name}_")]]] = np.nan
    small = (out["n_rows"] < k) | (out["n"] < k)
    return _suppress_bands(out, small.to_numpy(), np.zeros(len(out), bool), [*names, *ci_names])


def _suppress_bands(out: pd.DataFrame, primary: np.ndarray, secondary: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Blank every published number of suppressed groups, counts included."""
    hidden = primary | secondary
    out = out.copy()
    out.loc[hidden, names] = np.nan
    out[["n", "n_rows"]] = out[["n", "n_rows"]].astype("Int64").mask(pd.Series(hidden, index=out.index), pd.NA)
    out["suppressed"] = hidden
    out["suppression"] = pd.Series(np.where(primary, "primary", np.where(secondary, "secondary", "")),
                                   index=out.index, dtype="str")
    return out


def pay_band_tables(
    df: pd.DataFrame,
    tables: dict[str, tuple[Sequence[str], str]],
    *,
    quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9),
    min_cell: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Several :func:`pay_bands` tables of the same rows, suppressed together.

    Publishing a country table and a country × city table of the same people lets anyone
    subtract one from the other; :func:`csresearch.privacy.audit_published_tables` adds
    secondary suppressions until no hidden cell (or small group of hidden cells) can be
    recovered from any combination of the published counts.

    Parameters
    ----------
    df : DataFrame
    tables : dict
        ``name -> (by, value)``.

    Returns
    -------
    dict of DataFrame
        ``name -> pay_bands`` output with ``suppression`` ``'secondary'`` where the audit hid more.

    Examples
    --------
    >>> d = pd.DataFrame({"country": ["A"] * 12 + ["B"] * 6, "city": ["a1"] * 10 + ["a2"] * 2 + ["b1"] * 6,
    ...                   "pay": range(18)})
    >>> out = pay_band_tables(d, {"country": (["country"], "pay"), "city": (["country", "city"], "pay")}, min_cell=5)
    >>> out["city"]["suppression"].tolist()
    ['secondary', 'primary', '']
    """
    from ..privacy import audit_published_tables

    k = get_min_cell_size() if min_cell is None else int(min_cell)
    bands = {name: pay_bands(df, list(by), value=value, quantiles=quantiles, min_cell=k)
             for name, (by, value) in tables.items()}
    audit = audit_published_tables(
        df, {name: (list(by), pd.to_numeric(df[value], errors="coerce").notna()) for name, (by, value) in tables.items()}, k=k
    )
    out = {}
    for name, frame in bands.items():
        names = [c for c in frame.columns if c not in (*tables[name][0], "n", "n_rows", "suppressed", "suppression")]
        verdict = audit[name]["suppression"].to_numpy()
        primary = frame["suppression"].to_numpy() == "primary"
        out[name] = _suppress_bands(frame, primary, (verdict != "") & ~primary, names)
    return out


# --------------------------------------------------------------------------- ML predictor
@dataclass
class PayPredictor:
    """A fitted gradient-boosting pay predictor with honest cross-validated error.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted on all rows (ColumnTransformer + HistGradientBoostingRegressor), predicts log pay.
    baseline : sklearn.pipeline.Pipeline
        The linear baseline (one-hot + ridge-free least squares) fitted on all rows.
    cv_scores : DataFrame
        Per fold and model: ``rmse_log``, ``mae_log``, ``mdape`` (median absolute % error on pay).
    cv_summary : DataFrame
        Mean and SD over folds per model.
    importance : DataFrame
        Permutation importance on the log scale (mean, std) per feature.
    partial_dependence : DataFrame
        Long format: feature, value, average predicted pay.
    """

    pipeline: Any
    baseline: Any
    target: str
    features: list[str]
    cv_scores: pd.DataFrame
    cv_summary: pd.DataFrame
    importance: pd.DataFrame
    partial_dependence: pd.DataFrame
    n_dropped: int
    categorical: list[str] = field(default_factory=list)

    def predict(self, new_df: pd.DataFrame) -> pd.Series:
        """Predicted pay (exp of the predicted log pay; no smearing), indexed like ``new_df``."""
        X = _ml_frame(new_df, self.features, self.categorical)
        return pd.Series(np.exp(self.pipeline.predict(X)), index=new_df.index, name="pay")


def _ml_frame(df: pd.DataFrame, features: Sequence[str], categorical: Sequence[str] = ()) -> pd.DataFrame:
    """Numeric features as float64; categorical ones as object arrays of str ("missing" for NA)."""
    out = pd.DataFrame(index=df.index)
    for f in features:
        col = df[f]
        if f in categorical:
            out[f] = np.array(
                ["missing" if pd.isna(v) else str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v) for v in col],
                dtype=object,
            )
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[f] = pd.to_numeric(col, errors="coerce").astype("float64")
        else:
            out[f] = np.array([str(v) if pd.notna(v) else "missing" for v in col], dtype=object)
    return out


def fit_pay_predictor(
    df: pd.DataFrame,
    target: str,
    features: Sequence[str],
    *,
    cv: int = 5,
    seed: int = 0,
    categorical: Sequence[str] | None = None,
    encoder: Literal["onehot", "target"] = "onehot",
    max_iter: int = 200,
    n_threads: int | None = 1,
) -> PayPredictor:
    """Gradient boosting for log pay, judged against a linear model on the same folds.

    Parameters
    ----------
    df : DataFrame
        Rows with ``target`` > 0 and the ``features``.
    target : str
        Pay column (modelled on the log scale).
    features : sequence of str
        Numeric features pass through; non-numeric ones (city, level, country...) are
        encoded. Integer columns listed in ``categorical`` are treated as categories too.
    cv : int
        Number of KFold splits (shuffled with ``seed``); both models use the same folds.
    seed : int
        Seed of the folds, the booster and permutation importance.
    categorical : sequence of str, optional
        Columns to treat as categorical in addition to non-numeric ones (e.g. ``level``).
    encoder : {"onehot", "target"}
        One-hot (default) or scikit-learn's cross-fitted TargetEncoder for the boosting
        model. The linear baseline always uses one-hot.
    max_iter : int
        Boosting iterations.
    n_threads : int or None
        OpenMP threads for the booster. Default 1: on survey-sized tables thread start-up
        costs more than it saves (measured 10x slower with 2 threads on a busy 2-core
        machine). ``None`` leaves the OpenMP default.

    Returns
    -------
    PayPredictor

    Examples
    --------
    >>> df = _toy_frame(300)
    >>> p = fit_pay_predictor(df, "pay", ["experience_years", "city"], cv=3)
    >>> sorted(p.cv_summary.index)
    ['gradient_boosting', 'linear']
    """
    from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: F401  (loads OpenMP before limiting it)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_threads, user_api="openmp"):
        return _fit_pay_predictor(df, target, list(features), cv, seed, categorical, encoder, max_iter)


def _fit_pay_predictor(df, target, features, cv, seed, categorical, encoder, max_iter) -> PayPredictor:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.inspection import partial_dependence, permutation_importance
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder

    _require(df, [target, *features], "fit_pay_predictor")
    cat_extra = set(categorical or [])
    y_all = pd.to_numeric(df[target], errors="coerce")
    keep = y_all.notna() & (y_all > 0)
    X = _ml_frame(df.loc[keep], features, sorted(cat_extra))
    num = [f for f in features if pd.api.types.is_float_dtype(X[f]) and f not in cat_extra]
    num_ok = X[num].notna().all(axis=1) if num else pd.Series(True, index=X.index)
    X = X.loc[num_ok]
    y = np.log(y_all.loc[X.index].to_numpy(dtype=float))
    n_dropped = len(df) - len(X)
    cats = [f for f in features if f not in num]
    if len(X) < cv * 5:
        raise SchemaError(f"only {len(X)} usable rows for {cv}-fold cross-validation ({n_dropped} dropped)")

    def make_gb():
        enc = (
            OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=False)
            if encoder == "onehot"
            else TargetEncoder(random_state=seed)
        )
        pre = ColumnTransformer([("cat", enc, cats), ("num", "passthrough", num)], verbose_feature_names_out=False)
        gb = HistGradientBoostingRegressor(max_iter=max_iter, learning_rate=0.08, random_state=seed, early_stopping=False)
        return Pipeline([("prep", pre), ("model", gb)])

    def make_lin():
        pre = ColumnTransformer(
            # no dropped level: a category that a fold's training rows lack is then read as no
            # category at all (the minimum-norm fit's average), not as the dropped first level
            [("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cats), ("num", StandardScaler(), num)],
            verbose_feature_names_out=False,
        )
        return Pipeline([("prep", pre), ("model", LinearRegression())])

    folds = KFold(n_splits=cv, shuffle=True, random_state=seed)
    rows = []
    for i, (tr, te) in enumerate(folds.split(X)):
        for name, make in (("gradient_boosting", make_gb), ("linear", make_lin)):
            m = make().fit(X.iloc[tr], y[tr])
            pred = m.predict(X.iloc[te])
            err = pred - y[te]
            rows.append(
                {
                    "fold": i,
                    "model": name,
                    "rmse_log": float(np.sqrt(np.mean(err**2))),
                    "mae_log": float(np.mean(np.abs(err))),
                    "mdape": float(np.median(np.abs(np.exp(pred) - np.exp(y[te])) / np.exp(y[te]))),
                }
            )
    scores = pd.DataFrame(rows)
    summary = scores.groupby("model")[["rmse_log", "mae_log", "mdape"]].agg(["mean", "std"])
    summary.columns = [f"{a}_{b}" for a, b in summary.columns]
    gb = make_gb().fit(X, y)
    lin = make_lin().fit(X, y)
    sample = X.sample(n=min(len(X), 2000), random_state=seed)
    pi = permutation_importance(gb, sample, np.log(y_all.loc[sample.index].to_numpy(dtype=float)), n_repeats=5, random_state=seed, scoring="neg_root_mean_squared_error")
    importance = pd.DataFrame({"importance_mean": pi.importances_mean, "importance_std": pi.importances_std}, index=pd.Index(features, name="feature")).sort_values("importance_mean", ascending=False)
    pd_rows = []
    for f in features:
        is_cat = f in cats
        res = partial_dependence(gb, sample, [f], kind="average", categorical_features=[f] if is_cat else None, grid_resolution=20)
        grid = res["grid_values"][0]
        for v, a in zip(grid, res["average"][0]):
            pd_rows.append({"feature": f, "value": v if is_cat else float(v), "log_pay": float(a), "pay": float(np.exp(a))})
    return PayPredictor(
        pipeline=gb, baseline=lin, target=target, features=features, cv_scores=scores, cv_summary=summary,
        importance=importance, partial_dependence=pd.DataFrame(pd_rows), n_dropped=n_dropped,
        categorical=sorted(cat_extra),
    )

"""Figures about pay: by city and tier, experience, level ladder, countries, US metros, models.

Each ``plot_*`` function takes DataFrames and returns a matplotlib Figure (no ``show``, no
files). Figures that show a statistic per group take :func:`csresearch.pay_bands` output and
draw only groups that are not suppressed and hold at least the minimum cell size
(:func:`csresearch.config.get_min_cell_size`). Published third-party figures (the seed
articles' ranges, BLS OEWS estimates) are drawn as what they are, and labelled so.

:func:`make_pay_figures` runs the analysis on the processed table and returns every figure by
name, for ``csresearch build`` to save.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..config import get_min_cell_size
from .labels import attach_data, label_figure

__all__ = [
    "plot_pay_by_tier",
    "plot_experience_curve",
    "plot_level_premiums",
    "plot_country_table",
    "plot_oews_metros",
    "plot_interval_vs_midpoint",
    "plot_cv_error",
    "seed_tier_ranges",
    "seed_country_table",
    "pay_analysis",
    "make_pay_figures",
    "PAY_FIGURES",
]

_LEVEL_TERM = re.compile(r"^C\(level[^)]*\)\[T\.(\d+)\]$")
_HEAD_OF_CS = r"head of customer service|руководител\w* отдела обслуживания клиентов"
LEVEL_NAMES = {1: "agent", 2: "senior", 3: "team lead", 4: "supervisor", 5: "manager", 6: "head"}


def _publishable(bands: pd.DataFrame, min_cell: int | None) -> pd.DataFrame:
    """Rows of a pay_bands table that may be shown: not suppressed and n >= the minimum cell."""
    k = get_min_cell_size() if min_cell is None else int(min_cell)
    ok = (bands["n"] >= k).fillna(False).astype(bool)  # suppressed groups publish no n
    if "suppressed" in bands.columns:
        ok &= ~bands["suppressed"].astype(bool)
    return bands.loc[ok]


def _money(x: float, _pos=None) -> str:
    return f"{x / 1000:,.0f}k" if abs(x) >= 1000 else f"{x:,.0f}"


# --------------------------------------------------------------------------- figures
def plot_pay_by_tier(bands: pd.DataFrame, tier_ranges: pd.DataFrame | None = None, *, min_cell: int | None = None,
                     currency: str = "CNY") -> Figure:
    """Chinese cities' pay bands grouped by city tier, next to the seed article's tier ranges.

    Parameters
    ----------
    bands : DataFrame
        :func:`csresearch.pay_bands` output by ``["cn_tier", "city"]`` (annual pay).
    tier_ranges : DataFrame, optional
        Columns ``cn_tier``, ``annual_low``, ``annual_high`` (seed 000: 10-30万, 6-20万, 4-15万),
        drawn as shaded spans.
    min_cell : int, optional
        Default from the config.

    Examples
    --------
    >>> b = pd.DataFrame({"cn_tier": [1, 2], "city": ["A", "B"], "n": [9, 2], "p10": [1e5, 1], "p25": [1.2e5, 1],
    ...                   "p50": [1.5e5, 1], "p75": [1.8e5, 1], "p90": [2e5, 1], "suppressed": [False, True]})
    >>> fig = plot_pay_by_tier(b)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A (n=9)', 'B: suppressed (n < 5)']
    """
    k = get_min_cell_size() if min_cell is None else int(min_cell)
    # suppressed cities stay on the axis, labelled, so a tier never vanishes without a note
    show = bands.dropna(subset=["cn_tier"]).copy()
    ok = show.index.isin(_publishable(show, k).index)
    stats = ["p10", "p25", "p50", "p75", "p90"]
    show.loc[~ok, stats] = np.nan
    show["shown"] = ok
    show = show.sort_values(["cn_tier", "shown", "p50"], ascending=[True, False, False])
    fig, ax = plt.subplots(figsize=(8, 0.32 * max(len(show), 4) + 1.6))
    y = np.arange(len(show))
    colors = {1: "tab:red", 2: "tab:orange", 3: "tab:blue"}
    tiers = show["cn_tier"].astype(int).to_numpy()
    if tier_ranges is not None:
        for tier, row in tier_ranges.dropna(subset=["cn_tier"]).groupby("cn_tier"):
            rows = np.flatnonzero(tiers == int(tier))
            if len(rows):
                r = row.iloc[0]
                ax.fill_betweenx([rows.min() - 0.45, rows.max() + 0.45], r["annual_low"], r["annual_high"],
                                 color=colors.get(int(tier), "grey"), alpha=0.12, lw=0)
    for i, (t, row) in enumerate(zip(tiers, show.itertuples())):
        if not row.shown:
            continue
        c = colors.get(t, "grey")
        ax.hlines(i, row.p10, row.p90, color=c, lw=1)
        ax.hlines(i, row.p25, row.p75, color=c, lw=4)
        ax.plot(row.p50, i, "o", color="black", ms=4)
    labels = [f"{r.city} (n={r.n})" if r.shown else f"{r.city}: suppressed (n < {k})" for r in show.itertuples()]
    attach_data(fig, show[["cn_tier", "city", "n", *stats]].assign(suppressed=~show["shown"].to_numpy()))
    ax.set_yticks(y, labels)
    for lab, shown in zip(ax.get_yticklabels(), show["shown"]):
        if not shown:
            lab.set_color("grey")
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_money)
    ax.set_xlabel(f"annual pay, {currency} (bar: p25-p75, line: p10-p90, dot: median)")
    handles = [plt.Line2D([], [], color=colors[t], lw=4, label=f"tier {t}") for t in sorted(set(tiers)) if t in colors]
    if tier_ranges is not None:
        handles.append(plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.15, label="seed 000 tier range"))
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    ax.set_title("Customer-service pay by Chinese city and tier")
    fig.tight_layout()
    return fig


def plot_experience_curve(predicted: pd.DataFrame, bands: pd.DataFrame | None = None, *, min_cell: int | None = None,
                          group: str | None = None, unit: str = "PPP $") -> Figure:
    """Predicted pay against experience with its prediction interval, and binned observed medians.

    Parameters
    ----------
    predicted : DataFrame
        ``experience_years``, ``pay``, ``pay_low``, ``pay_high`` (from ``PayModel.predict``),
        optionally a ``group`` column (one line per group).
    bands : DataFrame, optional
        :func:`csresearch.pay_bands` output by an ``experience_bin`` (mid-point of the bin,
        numeric) and the same ``group``; medians of publishable bins are drawn as points.

    Examples
    --------
    >>> p = pd.DataFrame({"experience_years": [0, 5, 10], "pay": [1, 2, 3], "pay_low": [0.5, 1, 2], "pay_high": [2, 3, 4]})
    >>> len(plot_experience_curve(p).axes[0].lines)
    1
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    groups = [(None, predicted)] if group is None else list(predicted.groupby(group, sort=True))
    cmap = plt.get_cmap("tab10")
    for i, (g, sub) in enumerate(groups):
        sub = sub.sort_values("experience_years")
        c = cmap(i % 10)
        ax.plot(sub["experience_years"], sub["pay"], color=c, label=str(g) if g is not None else "model")
        ax.fill_between(sub["experience_years"], sub["pay_low"], sub["pay_high"], color=c, alpha=0.08)
        if bands is not None:
            b = _publishable(bands, min_cell)
            if g is not None:
                b = b[b[group] == g]
            ax.plot(b["experience_bin"], b["p50"], "o", color=c, ms=4, alpha=0.8)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_money)
    ax.yaxis.set_minor_formatter(_money)
    ax.set_xlabel("years of experience")
    ax.set_ylabel(f"annual pay, {unit} (log scale)")
    ax.set_title("Experience curve (agents): model mean, 95% prediction band;\ndots = observed medians of 2-year bins", fontsize=10)
    ax.legend(fontsize=8, frameon=False, ncol=3)
    if bands is not None:
        k = get_min_cell_size() if min_cell is None else int(min_cell)
        shown = bands.index.isin(_publishable(bands, k).index)
        n_hidden = int((~shown).sum())
        if n_hidden:
            ax.text(0.99, 0.01, f"{n_hidden} bin(s) suppressed (fewer than {k} rows): no dot", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=7, color="grey")
        data = bands.assign(suppressed=~shown)
        attach_data(fig, data.assign(**{c: data[c].where(shown) for c in data.columns if c.startswith("p") and c[1:].isdigit()}))
    fig.tight_layout()
    return fig


def level_premiums(effects: pd.DataFrame) -> pd.DataFrame:
    """Level terms of a PayModel.effects() table as percent premiums over level 1 (agent)."""
    rows = []
    for term, r in effects.iterrows():
        m = _LEVEL_TERM.match(str(term))
        if m:
            rows.append({"level": int(m.group(1)), "estimate": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
    out = pd.DataFrame(rows, columns=["level", "estimate", "ci_low", "ci_high"]).sort_values("level")
    for c in ("estimate", "ci_low", "ci_high"):
        out[f"premium_{c}"] = np.expm1(out[c])
    return out.reset_index(drop=True)


def plot_level_premiums(effects: Mapping[str, pd.DataFrame] | pd.DataFrame, truth: Mapping[int, float] | None = None) -> Figure:
    """Pay premium of each level over an agent (exp(coefficient) - 1) with 95% CIs, per model.

    Parameters
    ----------
    effects : DataFrame or mapping name -> DataFrame
        ``PayModel.effects()`` tables with ``C(level)[T.k]`` terms (log-pay models).
    truth : mapping level -> log premium, optional
        True log premiums (synthetic data), drawn as crosses.

    Examples
    --------
    >>> e = pd.DataFrame({"estimate": [0.2, 0.5], "ci_low": [0.1, 0.4], "ci_high": [0.3, 0.6]},
    ...                  index=["C(level)[T.2]", "C(level)[T.3]"])
    >>> len(plot_level_premiums(e).axes)
    1
    """
    models = {"model": effects} if isinstance(effects, pd.DataFrame) else dict(effects)
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    width = 0.8 / max(len(models), 1)
    for j, (name, eff) in enumerate(models.items()):
        lp = level_premiums(eff)
        x = lp["level"] + (j - (len(models) - 1) / 2) * width
        ax.errorbar(x, 100 * lp["premium_estimate"],
                    yerr=[100 * (lp["premium_estimate"] - lp["premium_ci_low"]), 100 * (lp["premium_ci_high"] - lp["premium_estimate"])],
                    fmt="o", capsize=3, label=name)
    if truth is not None:
        lv = sorted(k for k in truth if int(k) != 1)
        ax.plot(lv, [100 * np.expm1(truth[k]) for k in lv], "kx", ms=8, label="true (synthetic)")
    levels = range(2, 7)
    ax.set_xticks(list(levels), [f"{k}\n{LEVEL_NAMES[k]}" for k in levels])
    ax.set_ylabel("premium over agent (level 1), %")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_title("Level premiums along the ladder (95% CI)")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_country_table(table: pd.DataFrame) -> Figure:
    """Seed 003 head-of-customer-service ranges: local currency (left) and PPP dollars (right).

    Parameters
    ----------
    table : DataFrame
        From :func:`seed_country_table`: ``country``, ``currency``, ``annual_low``, ``annual_high``,
        ``ppp_low``, ``ppp_high``. These are an article's published ranges, not survey cells.

    Examples
    --------
    >>> t = pd.DataFrame({"country": ["US"], "currency": ["USD"], "annual_low": [8e4], "annual_high": [1.2e5],
    ...                   "ppp_low": [8e4], "ppp_high": [1.2e5]})
    >>> len(plot_country_table(t).axes)
    2
    """
    t = table.sort_values("ppp_high")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 0.45 * len(t) + 1.8))
    y = np.arange(len(t))
    a1.hlines(y, t["annual_low"], t["annual_high"], lw=6, color="tab:grey")
    for i, r in enumerate(t.itertuples()):
        a1.text(r.annual_high, i, f"  {_money(r.annual_low)}-{_money(r.annual_high)} {r.currency}", va="center", fontsize=8)
    a1.set_xscale("log")
    a1.set_yticks(y, t["country"])
    a1.set_xlabel("annual pay, local currency (log scale)")
    a1.set_xlim(t["annual_low"].min() / 2, t["annual_high"].max() * 12)
    a1.set_title("local currency", fontsize=10)
    a2.hlines(y, t["ppp_low"], t["ppp_high"], lw=6, color="tab:green")
    a2.set_yticks(y, t["country"])
    a2.xaxis.set_major_formatter(_money)
    a2.set_xlabel("annual pay, international (PPP) dollars")
    a2.set_title("PPP dollars", fontsize=10)
    fig.suptitle("Head of customer service, published ranges (seed 003)")
    fig.tight_layout()
    return fig


def plot_oews_metros(oews: pd.DataFrame, *, occ_code: str = "43-4051", top: int = 25, min_cell: int | None = None) -> Figure:
    """Annual wage percentiles of US metros from BLS OEWS (largest employment first).

    Parameters
    ----------
    oews : DataFrame
        Long OEWS extract (``area_title``, ``area_type``, ``occ_code``, ``tot_emp``, ``stat`` in
        p10/p25/median/p75/p90, ``annual_usd``), as ``load_processed("oews_metro")`` returns it.
    occ_code : str
        43-4051 customer service representatives (43-1011: their first-line supervisors).
    top : int
        Number of metros, by employment.
    min_cell : int, optional
        Metros with fewer employees than this are left out (BLS already suppresses small cells).

    Examples
    --------
    >>> o = pd.DataFrame({"area_title": ["X"] * 5, "area_type": ["metro"] * 5, "occ_code": ["43-4051"] * 5,
    ...                   "tot_emp": [100] * 5, "stat": ["p10", "p25", "median", "p75", "p90"], "annual_usd": [1, 2, 3, 4, 5]})
    >>> len(plot_oews_metros(o).axes)
    1
    """
    k = get_min_cell_size() if min_cell is None else int(min_cell)
    sub = oews[(oews["occ_code"] == occ_code) & (oews["area_type"] == "metro")]
    wide = sub.pivot_table(index=["area_title", "tot_emp"], columns="stat", values="annual_usd", aggfunc="first").reset_index()
    wide = wide[pd.to_numeric(wide["tot_emp"], errors="coerce") >= k]
    # BLS withholds some estimates ("not released"): such metros stay, labelled, at the bottom
    wide = wide.sort_values("tot_emp", ascending=False).head(top).sort_values("median", na_position="first")
    for col in ("p10", "p25", "median", "p75", "p90"):
        if col not in wide.columns:
            wide[col] = np.nan
    fig, ax = plt.subplots(figsize=(8, 0.3 * max(len(wide), 4) + 1.6))
    y = np.arange(len(wide))
    ax.hlines(y, wide.get("p10"), wide.get("p90"), color="tab:blue", lw=1)
    ax.hlines(y, wide.get("p25"), wide.get("p75"), color="tab:blue", lw=4)
    ax.plot(wide["median"], y, "o", color="black", ms=4)
    names = [re.sub(r",.*$", "", str(t)) + ("" if pd.notna(m) else ": not released by BLS")
             for t, m in zip(wide["area_title"], wide["median"])]
    ax.set_yticks(y, names, fontsize=8)
    attach_data(fig, wide.assign(n_jobs=wide["tot_emp"], suppressed=wide["median"].isna()))
    ax.xaxis.set_major_formatter(_money)
    occ = sub["occ_title"].iloc[0] if "occ_title" in sub.columns and len(sub) else occ_code
    release = sub["release"].iloc[0] if "release" in sub.columns and len(sub) else ""
    ax.set_xlabel("annual wage, USD (bar: p25-p75, line: p10-p90, dot: median)")
    ax.set_title(f"{occ}\n{len(wide)} largest US metros by employment (BLS OEWS {release})", fontsize=10)
    fig.tight_layout()
    return fig


def plot_interval_vs_midpoint(effects: Mapping[str, pd.DataFrame], terms: Sequence[str] | None = None) -> Figure:
    """Coefficients (95% CI) of the same regressors under interval regression and point methods.

    Parameters
    ----------
    effects : mapping name -> PayModel.effects()
        e.g. ``{"interval (bounds)": ..., "OLS on midpoints": ..., "OLS on lower bounds": ...}``.
    terms : sequence of str, optional
        Terms to show (default: those shared by all models, without Intercept and sigma).

    Examples
    --------
    >>> e = pd.DataFrame({"estimate": [0.03], "ci_low": [0.02], "ci_high": [0.04]}, index=["experience_years"])
    >>> len(plot_interval_vs_midpoint({"a": e, "b": e}).axes)
    1
    """
    names = list(effects)
    if terms is None:
        common = set.intersection(*(set(e.index) for e in effects.values())) - {"Intercept", "sigma"}
        terms = [t for t in effects[names[0]].index if t in common]
    # Slopes per year and category shifts live on different scales: one panel each.
    panels = [[t for t in terms if "experience" in t], [t for t in terms if "experience" not in t]]
    panels = [p for p in panels if p]
    heights = [max(len(p), 1.5) for p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 0.4 * sum(heights) * max(1, len(names) / 2) + 2.2),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    height = 0.8 / len(names)
    for ax, panel in zip(axes[:, 0], panels):
        for j, name in enumerate(names):
            e = effects[name].reindex(panel)
            y = np.arange(len(panel)) + (j - (len(names) - 1) / 2) * height
            ax.errorbar(e["estimate"], y, xerr=[e["estimate"] - e["ci_low"], e["ci_high"] - e["estimate"]], fmt="o", capsize=2, label=name)
        ax.set_yticks(np.arange(len(panel)), panel, fontsize=8)
        ax.set_ylim(len(panel) - 0.5, -0.5)
        ax.axvline(0, color="grey", lw=0.5)
    axes[-1, 0].set_xlabel("coefficient on log pay (95% CI)")
    axes[0, 0].legend(fontsize=8, frameon=False)
    axes[0, 0].set_title("Posted ranges as intervals vs. as points")
    fig.tight_layout()
    return fig


def plot_cv_error(cv_scores: pd.DataFrame) -> Figure:
    """Cross-validated error per fold of gradient boosting and the linear baseline (same folds).

    Parameters
    ----------
    cv_scores : DataFrame
        ``PayPredictor.cv_scores``: ``fold``, ``model``, ``rmse_log``, ``mdape``.

    Examples
    --------
    >>> s = pd.DataFrame({"fold": [0, 0], "model": ["linear", "gradient_boosting"], "rmse_log": [0.3, 0.2], "mdape": [0.2, 0.1]})
    >>> len(plot_cv_error(s).axes)
    2
    """
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    models = sorted(cv_scores["model"].unique())
    for ax, metric, label in zip(axes, ("rmse_log", "mdape"), ("RMSE of log pay", "median abs. % error of pay")):
        wide = cv_scores.pivot(index="fold", columns="model", values=metric)[models]
        for _, row in wide.iterrows():
            ax.plot(range(len(models)), row.to_numpy(), color="grey", lw=0.7, alpha=0.7)
        ax.plot(range(len(models)), wide.mean().to_numpy(), "o", color="black", ms=7)
        ax.set_xticks(range(len(models)), [m.replace("_", " ") for m in models])
        ax.set_xlim(-0.5, len(models) - 0.5)
        ax.set_title(label, fontsize=10)
        if metric == "mdape":
            ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.1f}%")
    fig.suptitle("Out-of-fold error, lines join the same fold")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- analysis
def seed_tier_ranges(table: pd.DataFrame) -> pd.DataFrame:
    """Seed 000's per-tier annual ranges (rows of the seed source with a ``cn_tier``)."""
    seed = table[(table["source"] == "seed_survey") & table["cn_tier"].notna() & (table["country"] == "CN")]
    return seed[["cn_tier", "annual_low", "annual_high"]].astype({"cn_tier": "int64"}).reset_index(drop=True)


def seed_country_table(table: pd.DataFrame, *, ppp_year: int = 2023) -> pd.DataFrame:
    """Seed 003's head-of-customer-service ranges (seed rows so titled), in local currency and PPP $.

    The article gives no year, so PPPs of ``ppp_year`` (the benchmark shipped) are used.
    """
    from ..money import convert_currency

    title = table["title"].astype("object").fillna("").str.lower()
    seed = table[(table["source"] == "seed_survey") & title.str.contains(_HEAD_OF_CS)]
    seed = seed.dropna(subset=["annual_low", "annual_high"]).drop_duplicates("country")
    out = seed[["country", "currency", "annual_low", "annual_high"]].reset_index(drop=True)
    for side in ("low", "high"):
        # WDI stops some countries' PPP early (RU: 2021); those are carried with relative CPI, flagged.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            out[f"ppp_{side}"] = convert_currency(out[f"annual_{side}"], out["currency"], year=ppp_year,
                                                  method="ppp", country=out["country"], year_fallback="cpi")
        out.attrs["ppp_note"] = "; ".join(str(w.message) for w in caught)
    return out


def _ppp_bounds(df: pd.DataFrame) -> pd.DataFrame:
    """annual_low/high in PPP dollars (rows' own year; PPP carried from the benchmark by CPI)."""
    from ..money import convert_currency

    out = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the fallback is intended and documented
        for side in ("low", "high"):
            out[f"ppp_{side}"] = convert_currency(out[f"annual_{side}"], out["currency"], year=out["year"], method="ppp",
                                                  country=out["country"], year_fallback="cpi")
    return out


def pay_analysis(table: pd.DataFrame, *, seed: int = 0, cv: int = 5, predictor: bool = True) -> dict[str, object]:
    """Run the pay models of notebook 02 on the processed table and return their outputs.

    Keys: ``cs`` (rows used), ``tier_bands``, ``tier_ranges``, ``experience_pred``,
    ``experience_bands``, ``ols``, ``mixed``, ``interval``, ``ols_mid``, ``ols_low``,
    ``country_table``, ``predictor`` (when ``predictor=True``).
    """
    from ..models.pay import fit_pay_model, fit_pay_predictor, pay_bands

    cs = table[table["is_customer_service"] & table["year"].notna() & (table["source"] != "seed_survey")].copy()
    cs["employer"] = cs["company"].fillna("unknown")
    out: dict[str, object] = {"cs": cs}
    cn = cs[(cs["country"] == "CN") & cs["annual_mid"].notna()]
    out["tier_bands"] = pay_bands(cn, ["cn_tier", "city"], value="annual_mid")
    out["tier_ranges"] = seed_tier_ranges(table)
    pts = cs[cs["annual_mid_usd_ppp"].notna() & cs["experience_years"].notna() & cs["level"].notna()]
    rhs = "experience_years + I(experience_years**2) + C(level) + C(country)"
    ols = fit_pay_model(pts, f"np.log(annual_mid_usd_ppp) ~ {rhs}", cluster="employer")
    out["ols"] = ols
    out["mixed"] = fit_pay_model(pts, "np.log(annual_mid_usd_ppp) ~ experience_years + I(experience_years**2) + C(level) + C(country)",
                                 kind="mixed", groups="city")
    grid = pd.DataFrame([(c, x) for c in sorted(pts["country"].unique()) for x in np.arange(0, 15.5, 0.5)],
                        columns=["country", "experience_years"]).assign(level=1)
    pred = ols.predict(grid)
    out["experience_pred"] = pd.concat([grid, pred], axis=1)
    agents = pts[pts["level"] == 1].assign(experience_bin=lambda d: np.minimum(np.floor(d["experience_years"] / 2) * 2 + 1, 15))
    out["experience_bands"] = pay_bands(agents, ["country", "experience_bin"], value="annual_mid_usd_ppp", quantiles=(0.5,))
    bounds = _ppp_bounds(cs[cs["experience_years"].notna() & cs["level"].notna()])
    irhs = "experience_years + C(level) + C(country)"
    out["interval"] = fit_pay_model(bounds, "~ " + irhs, kind="interval", low="ppp_low", high="ppp_high")
    out["ols_mid"] = fit_pay_model(bounds, f"np.log(annual_mid_usd_ppp) ~ {irhs}", cluster="employer")
    bounds["ppp_lower_or_mid"] = bounds["annual_mid_usd_ppp"].fillna(bounds["ppp_low"])
    out["ols_low"] = fit_pay_model(bounds, f"np.log(ppp_lower_or_mid) ~ {irhs}", cluster="employer")
    out["country_table"] = seed_country_table(table)
    if predictor:
        out["predictor"] = fit_pay_predictor(pts, "annual_mid_usd_ppp", ["experience_years", "level", "country", "city", "education"],
                                             categorical=["level"], cv=cv, seed=seed, max_iter=150)
    return out


def _true_level_premiums() -> dict[int, float] | None:
    try:
        from ..synth.survey import survey_spec

        return {int(k): float(v) for k, v in survey_spec()["true_effects"]["log_level_premium"].items()}
    except Exception:  # the synthetic spec is optional for the figures
        return None


def make_pay_figures(table: pd.DataFrame, oews: pd.DataFrame | None = None, *, seed: int = 0) -> dict[str, Figure]:
    """Every pay figure of notebook 02, by file name, for ``csresearch build`` to save.

    Examples
    --------
    >>> figs = make_pay_figures(load_processed(), oews=load_processed("oews_metro"))  # doctest: +SKIP
    >>> sorted(figs)  # doctest: +SKIP
    """
    a = pay_analysis(table, seed=seed)
    truth = _true_level_premiums() if bool(table["is_synthetic"].all() or a["cs"]["is_synthetic"].all()) else None
    figs = {
        "pay_by_city_tier": plot_pay_by_tier(a["tier_bands"], a["tier_ranges"]),
        "pay_experience_curve": plot_experience_curve(a["experience_pred"], a["experience_bands"], group="country"),
        "pay_level_premiums": plot_level_premiums({"OLS (cluster: employer)": a["ols"].effects(), "mixed (city intercepts)": a["mixed"].effects()}, truth),
        "pay_head_of_cs_by_country": plot_country_table(a["country_table"]),
        "pay_interval_vs_midpoint": plot_interval_vs_midpoint({
            "interval regression": a["interval"].effects(),
            "OLS on midpoints": a["ols_mid"].effects(),
            "OLS on lower bounds": a["ols_low"].effects(),
        }),
        "pay_cv_error": plot_cv_error(a["predictor"].cv_scores),
    }
    if oews is not None:
        figs["pay_us_metros_oews"] = plot_oews_metros(oews)
    synthetic = bool(a["cs"]["is_synthetic"].all())
    for name, fig in figs.items():
        label_pay_figure(fig, name, synthetic=synthetic)
    return figs


#: What each pay figure's data are: (drawn from the respondent table, caption).
PAY_FIGURE_DATA: dict[str, tuple[bool, str]] = {
    "pay_by_city_tier": (True, "Shaded: seed 000 article's published tier ranges (real)."),
    "pay_experience_curve": (True, ""),
    "pay_level_premiums": (True, "Crosses: the true premiums set in the generator."),
    "pay_head_of_cs_by_country": (False, "Data: seed 003 article's published ranges for a head of customer service (real, "
                                          "transcribed in data/raw/seed_survey.csv); PPP: World Bank WDI PA.NUS.PRVT.PP 2023."),
    "pay_us_metros_oews": (False, "Data: U.S. Bureau of Labor Statistics, OEWS May 2025 (public domain); "
                                  "BLS withholds unreliable estimates itself."),
    "pay_interval_vs_midpoint": (True, ""),
    "pay_cv_error": (True, "Out-of-fold errors, 5 folds."),
}


def label_pay_figure(fig: Figure, name: str, *, synthetic: bool = True) -> Figure:
    """Caption ``fig`` with what its data are (:data:`PAY_FIGURE_DATA`); stamp SYNTHETIC where the
    figure is drawn from the respondent table and that table is synthetic."""
    from_table, caption = PAY_FIGURE_DATA[name]
    return label_figure(fig, caption=caption, synthetic=from_table and synthetic)


#: Figure names make_pay_figures returns, with the function that draws each.
PAY_FIGURES: dict[str, str] = {
    "pay_by_city_tier": "plot_pay_by_tier",
    "pay_experience_curve": "plot_experience_curve",
    "pay_level_premiums": "plot_level_premiums",
    "pay_head_of_cs_by_country": "plot_country_table",
    "pay_us_metros_oews": "plot_oews_metros",
    "pay_interval_vs_midpoint": "plot_interval_vs_midpoint",
    "pay_cv_error": "plot_cv_error",
}

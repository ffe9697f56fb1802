"""Figures about the cleaning step: where raw rows went, and a first look at pay.

Each function takes pandas objects and returns a matplotlib Figure; saving is the caller's job
(:func:`csresearch.plots.save_figure`). Groups smaller than the minimum cell size are left out
of any figure that shows pay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..config import get_min_cell_size
from .labels import attach_data, label_figure

__all__ = ["plot_row_accounting", "plot_pay_by_country", "make_cleaning_figures"]


def plot_row_accounting(manifests: Sequence[Mapping]) -> Figure:
    """Stacked bars per source: rows kept in the table and rows rejected, by reason.

    Examples
    --------
    >>> fig = plot_row_accounting([{"source": "a", "rows_table": 8, "rejected_by_reason": {"salary_missing": 2}}])
    >>> len(fig.axes)
    1
    """
    rows = []
    for m in manifests:
        rows.append({"source": m["source"], "reason": "kept in table", "n": m["rows_table"]})
        rows.extend({"source": m["source"], "reason": r, "n": n} for r, n in m["rejected_by_reason"].items())
    counts = pd.DataFrame(rows).pivot_table(index="source", columns="reason", values="n", aggfunc="sum", fill_value=0)
    order = ["kept in table"] + sorted(c for c in counts.columns if c != "kept in table")
    counts = counts[order]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(counts) + 1.8))
    left = np.zeros(len(counts))
    colors = plt.get_cmap("tab10")
    for i, col in enumerate(counts.columns):
        ax.barh(counts.index, counts[col], left=left, label=col, color=colors(i % 10))
        left += counts[col].to_numpy()
    ax.set_xlabel("raw rows")
    ax.set_title("Every raw row: kept in the processed table or rejected with a reason")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def plot_pay_by_country(table: pd.DataFrame, *, value: str = "annual_mid_usd_ppp", min_cell: int | None = None) -> Figure:
    """Box plots of customer-service pay by country, for countries with enough respondents.

    Parameters
    ----------
    table : DataFrame
        The processed table.
    value : str
        Column to plot (annual midpoint in PPP dollars by default).
    min_cell : int, optional
        Countries with fewer rows are omitted (default: the package's minimum cell size).

    Examples
    --------
    >>> t = pd.DataFrame({"country": ["CN"] * 6, "is_customer_service": True,
    ...                   "annual_mid_usd_ppp": [1e4, 2e4, 3e4, 4e4, 5e4, 6e4]})
    >>> fig = plot_pay_by_country(t)
    """
    k = get_min_cell_size() if min_cell is None else min_cell
    data = table.loc[table["is_customer_service"] & table[value].notna(), ["country", value]]
    groups = {c: g[value].to_numpy() for c, g in data.groupby("country", sort=True) if len(g) >= k}
    fig, ax = plt.subplots(figsize=(7, 4))
    if groups:
        ax.boxplot(list(groups.values()), tick_labels=[f"{c}\nn={len(v)}" for c, v in groups.items()], showfliers=False)
    ax.set_yscale("log")
    ax.set_ylabel("annual pay, PPP US dollars (log scale)")
    ax.set_title("Customer-service pay by country (all levels)")
    hidden = sorted(set(data["country"]) - set(groups))
    if hidden:
        ax.text(0.01, 0.01, f"suppressed (fewer than {k} rows): {', '.join(hidden)}", transform=ax.transAxes, fontsize=7)
    fig.tight_layout()
    counts = data.groupby("country").size()
    attach_data(fig, pd.DataFrame({"country": counts.index, "n": counts.to_numpy(),
                                   "suppressed": [c in hidden for c in counts.index]}))
    rows = table.loc[data.index]
    synthetic = "is_synthetic" in rows.columns and bool(rows["is_synthetic"].mean() > 0.5)
    share = f"{100 * rows['is_synthetic'].mean():.1f}% of these rows are synthetic. " if "is_synthetic" in rows.columns else ""
    return label_figure(fig, caption=f"{share}Data: data/processed/survey.parquet (customer-service rows).",
                        synthetic=synthetic)


def make_cleaning_figures(table: pd.DataFrame, manifests: Sequence[Mapping]) -> dict[str, Figure]:
    """The cleaning figures that ``csresearch build`` writes to reports/figures."""
    return {
        "01_row_accounting": plot_row_accounting(manifests),
        "01_pay_by_country": plot_pay_by_country(table),
    }

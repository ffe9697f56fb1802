"""The U.S. BLS OEWS extract shipped in data/raw, as a tidy table of wage percentiles by area.

OEWS rows are published statistics about jobs in an area, not respondents, so they are kept
apart from the respondent-level processed table: one row per area x occupation x statistic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ColumnMappingError, InputFileError

__all__ = ["read_oews", "OEWS_STATS"]

#: Statistic name -> (hourly column, annual column) in the extract.
OEWS_STATS = {
    "p10": ("h_pct10", "a_pct10"),
    "p25": ("h_pct25", "a_pct25"),
    "median": ("h_median", "a_median"),
    "p75": ("h_pct75", "a_pct75"),
    "p90": ("h_pct90", "a_pct90"),
    "mean": ("h_mean", "a_mean"),
}
_ID_COLUMNS = ["area_code", "area_title", "area_type", "occ_code", "occ_title", "tot_emp", "release"]


def read_oews(path: str | Path) -> pd.DataFrame:
    """Read the OEWS extract into long form.

    Parameters
    ----------
    path : path-like
        ``data/raw/oews_2025_cs_metro.csv`` or a file with the same columns.

    Returns
    -------
    DataFrame
        ``area_code, area_title, area_type, occ_code, occ_title, tot_emp, release, stat,
        hourly_usd, annual_usd``; statistics BLS did not release are NaN (its footnotes stay in
        the raw file's ``notes``).

    Examples
    --------
    >>> oews = read_oews("data/raw/oews_2025_cs_metro.csv")  # doctest: +SKIP
    >>> oews.query("area_type == 'national' and stat == 'median'")[["occ_code", "annual_usd"]]  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    raw = pd.read_csv(path, dtype={"area_code": "str", "occ_code": "str"})
    needed = _ID_COLUMNS + [c for pair in OEWS_STATS.values() for c in pair]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise ColumnMappingError(f"{path}: OEWS extract lacks columns {missing}")
    frames = []
    for stat, (h, a) in OEWS_STATS.items():
        part = raw[_ID_COLUMNS].copy()
        part["stat"] = stat
        part["hourly_usd"] = pd.to_numeric(raw[h], errors="coerce").astype("float64")
        part["annual_usd"] = pd.to_numeric(raw[a], errors="coerce").astype("float64")
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    out["tot_emp"] = pd.to_numeric(out["tot_emp"], errors="coerce").astype("Int64")
    order = {s: i for i, s in enumerate(OEWS_STATS)}
    out = out.sort_values(["occ_code", "area_code", "stat"], key=lambda s: s.map(order) if s.name == "stat" else s)
    return out.reset_index(drop=True).assign(stat=lambda d: d["stat"].astype("str"))


def oews_is_consistent(oews: pd.DataFrame) -> pd.Series:
    """Per area and occupation: are the published percentiles non-decreasing?"""
    wide = oews.pivot_table(index=["area_code", "occ_code"], columns="stat", values="annual_usd")
    cols = [c for c in ["p10", "p25", "median", "p75", "p90"] if c in wide]
    diffs = np.diff(wide[cols].to_numpy(), axis=1)
    return pd.Series(np.all((diffs >= 0) | np.isnan(diffs), axis=1), index=wide.index)

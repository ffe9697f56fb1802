"""Row checks that run before any parser: what must become a reject rather than a crash.

* a header row repeated inside the data (exports concatenated with their headers);
* a currency cell that is not ISO 4217 (country cells: :mod:`csresearch.clean.country`);
* in an aggregate source, an ``n_respondents`` cell that is not a whole number between 1 and
  10^9 (2.5, 1e30);
* exact duplicate rows, flagged with the row they repeat (kept, not dropped: a survey can
  hold two respondents with the same answers, and the analyst decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .encoded import Coded, combine, encode

__all__ = ["RowChecks", "row_checks", "row_hashes", "first_copies"]

#: Largest respondent count accepted; beyond it a count is a unit or parsing error.
MAX_RESPONDENTS = 10**9


@dataclass
class RowChecks:
    """What :func:`row_checks` found.

    Attributes
    ----------
    raw : DataFrame
        The rows with repeated headers and invalid country/currency/count cells blanked.
    repeated_header : Series of bool
    rejects : dict
        Reject code -> (row mask, detail per row), in the order they apply.
    n_respondents : Series
        The counts as Int64 (invalid ones NA).
    first_copy : ndarray of int
        For an exact duplicate, the position of the first identical row; -1 otherwise.
    not_understood : dict
        Manifest entries: values of country and currency cells not understood, with counts.
    """

    raw: pd.DataFrame | None  # None once the caller has taken it (clean_survey frees it early)
    repeated_header: pd.Series
    rejects: dict[str, tuple[pd.Series, pd.Series]] = field(default_factory=dict)
    n_respondents: pd.Series | None = None
    first_copy: np.ndarray | None = None
    not_understood: dict[str, Any] = field(default_factory=dict)


def _raw_names(columns: pd.Index, read_info: Mapping[str, Any]) -> list[str]:
    """The header each column had in the file (read_info's column_map is raw -> canonical)."""
    back = {v: k for k, v in (read_info.get("column_map") or {}).items()}
    return [str(back.get(c, c)) for c in columns]


def _repeated_header(raw: pd.DataFrame, names: list[str], coded: Mapping[Any, Coded] | None = None) -> pd.Series:
    """Rows whose every filled cell equals its column's header, with at least two such cells.

    ``coded`` holds the columns already encoded (the pipeline's one factorisation); each
    column is compared once per distinct cell (casefold is a Python call per string).
    """
    hits = np.zeros(len(raw), dtype=np.int64)
    other = np.zeros(len(raw), dtype=bool)
    for col, name in zip(raw.columns, names):
        cells = coded[col] if coded is not None else encode(raw[col])
        text = cells.values.astype("str").str.strip().str.casefold()
        same = (text == name.strip().casefold()).fillna(False).to_numpy(dtype=bool)[cells.codes]
        hits += same
        other |= cells.notna() & ~same
    return pd.Series((hits >= min(2, raw.shape[1])) & ~other, index=raw.index)


def row_hashes(raw: pd.DataFrame, read_info: Mapping[str, Any]) -> np.ndarray:
    """64-bit hash of each row's cells; 0 for a repeated header row (never a duplicate).

    The dask layer hashes each partition with this and finds duplicates across the whole file.
    """
    keys = pd.util.hash_pandas_object(raw.astype("str"), index=False).to_numpy().copy()
    if len(raw):
        keys[_repeated_header(raw, _raw_names(raw.columns, read_info)).to_numpy()] = 0
    return keys


def first_copies(keys: np.ndarray, rows: int | np.ndarray) -> np.ndarray:
    """``source_row`` of the first row with the same hash (NaN when none or a repeated header).

    ``rows`` is each row's ``source_row``, or the number of the first row when they run on.
    """
    codes, _ = pd.factorize(keys)
    pos = np.arange(len(keys))
    first = pd.Series(pos).groupby(codes).transform("min").to_numpy()
    rows = np.asarray(rows) if np.ndim(rows) else pos + int(rows)
    out = rows[first].astype("float64")
    out[(first == pos) | (keys == 0)] = np.nan
    return out


def _as_text_codes(cells: Coded) -> Coded:
    """Codes that are equal exactly when the cells' text is (``astype("str")``), per distinct value."""
    if cells.values.dtype == "str":
        return cells
    text = encode(cells.values.astype("str"))
    return Coded(text.codes[cells.codes], text.values)


def _first_copy(raw: pd.DataFrame, usable: pd.Series, coded: Mapping[Any, Coded] | None = None) -> np.ndarray:
    """Position of the first identical row for each exact duplicate, else -1 (vectorised).

    Rows are identical when every cell's text is (missing equal to missing): the columns'
    codes of their text are combined and rows with the same combination are copies, exactly,
    with no hash.
    """
    out = np.full(len(raw), -1, dtype=np.int64)
    if raw.empty or raw.shape[1] == 0:
        return out
    columns = (coded[c] if coded is not None else encode(raw[c]) for c in raw.columns)
    combo, _ = combine(*(_as_text_codes(c) for c in columns))
    pos = np.arange(len(raw))
    # combination codes are numbered in order of first appearance (combine), so the first row
    # of each is where the running maximum grows
    running = np.maximum.accumulate(combo)
    first = np.flatnonzero(np.concatenate(([True], running[1:] != running[:-1])))[combo]
    dup = (first != pos) & usable.to_numpy()
    out[dup] = first[dup]
    return out


def _code_check(raw: pd.DataFrame, columns: list[str], pattern: str) -> tuple[pd.Series, dict[str, int]]:
    bad = pd.Series(False, index=raw.index)
    values: dict[str, int] = {}
    for col in columns:
        if col not in raw.columns:
            continue
        cell = raw[col].astype("str").str.strip()
        wrong = cell.notna() & (cell != "") & ~cell.str.upper().str.fullmatch(pattern).fillna(False)
        bad |= wrong
        for value, count in cell[wrong].value_counts().head(20).items():
            values[str(value)[:80]] = values.get(str(value)[:80], 0) + int(count)
    return bad, values


def row_checks(raw: pd.DataFrame, read_info: Mapping[str, Any], *, aggregate: bool = False,
               coded: Mapping[Any, Coded] | None = None) -> RowChecks:
    """Find the rows that must be rejected before parsing, and blank what parsers must not see.

    ``coded`` (column -> :func:`csresearch.clean.encoded.encode` of it) lets the checks use a
    factorisation made once for the whole pipeline. The returned ``raw`` shares every column
    that nothing was blanked in with the input (copy on write: no copy of the whole frame).
    """
    names = _raw_names(raw.columns, read_info)
    repeated = _repeated_header(raw, names, coded) if len(raw) else pd.Series(False, index=raw.index, dtype=bool)
    out = raw.copy(deep=False)
    if repeated.any():
        out.loc[repeated, :] = pd.NA
    checks = RowChecks(raw=out, repeated_header=repeated)
    checks.first_copy = _first_copy(raw, ~repeated, coded)

    bad_currency, currencies = _code_check(out, ["salary_currency", "currency_hint"], r"[A-Z]{3}")
    n_text = out["n_respondents"].astype("str").str.strip() if "n_respondents" in out.columns else None
    if n_text is not None:
        num = pd.to_numeric(n_text, errors="coerce")
        valid = num.notna() & (num % 1 == 0) & (num >= 1) & (num <= MAX_RESPONDENTS)
        bad_n = n_text.notna() & (n_text != "") & ~valid
        checks.n_respondents = num.where(valid).astype("Int64")
        checks.rejects["n_respondents_invalid"] = (bad_n, "n_respondents " + n_text.str.slice(0, 40))
        if aggregate and bad_n.any():
            out.loc[bad_n, "n_respondents"] = pd.NA
    else:
        checks.n_respondents = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    for col in ["salary_currency", "currency_hint"]:
        if col in out.columns:
            checks.rejects.setdefault("currency_unknown", (bad_currency, col + " " + out[col].astype("str").str.slice(0, 40)))
            if bad_currency.any():
                out.loc[bad_currency, col] = pd.NA
    if not aggregate:  # a respondent's row counts 1 whatever the cell says
        checks.rejects.pop("n_respondents_invalid", None)
    checks.rejects = {k: checks.rejects[k] for k in ["currency_unknown", "n_respondents_invalid"] if k in checks.rejects}
    checks.not_understood = {"currencies_not_understood": currencies}
    return checks

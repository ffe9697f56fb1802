"""Dictionary-encoded columns: each text column factorised once, every step run per distinct value.

A crawl of a million postings holds a few thousand distinct titles, pay texts and cities. The
pipeline therefore keeps each column as ``codes`` (one integer per row) into ``values`` (one
entry per distinct value, missing included), runs every per-string step on the values only and
takes the results back to the rows at the end, with one array take per output column.

Examples
--------
>>> import pandas as pd
>>> c = encode(pd.Series([" 客服 ", "客服", None, "客服"])).stripped()
>>> c.values.tolist(), c.codes.tolist()
(['客服', nan], [0, 0, 1, 0])
>>> c.rows().tolist()
['客服', '客服', nan, '客服']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Block", "Coded", "encode", "constant", "combine", "on_distinct", "from_rows"]

# codes index distinct values, never 2**31 of them: 4 bytes per row instead of 8 (a million-row
# file holds a few dozen code arrays at once)
CODE_DTYPE = np.int32


@dataclass(frozen=True)
class Coded:
    """A column as ``values.take(codes)``: ``values`` has RangeIndex, missing is a value like any other."""

    codes: np.ndarray
    values: pd.Series

    def __len__(self) -> int:
        return len(self.codes)

    def rows(self, positions: np.ndarray | None = None, index: pd.Index | None = None) -> pd.Series:
        """The column per row (or for the rows at ``positions``), with the values' dtype."""
        codes = self.codes if positions is None else self.codes[positions]
        out = self.values.take(codes)
        return out.set_axis(pd.RangeIndex(len(codes)) if index is None else index)

    def notna(self) -> np.ndarray:
        """Per row: is the value present."""
        return self.values.notna().to_numpy(dtype=bool)[self.codes]

    def map(self, func: Callable[[pd.Series], pd.Series | Any]) -> Coded:
        """Apply an elementwise Series function to the distinct values only."""
        out = func(self.values)
        out = out if isinstance(out, pd.Series) else pd.Series(out)
        if len(out) != len(self.values):
            raise ValueError(f"a per-value function returned {len(out)} values for {len(self.values)}")
        return Coded(self.codes, out.reset_index(drop=True))

    def stripped(self) -> Coded:
        """Cells stripped of surrounding space, empty strings missing (the pipeline's 'text')."""
        s = self.values.astype("str").str.strip()
        return Coded(self.codes, s.mask(s == "")).compact()

    def compact(self) -> Coded:
        """Merge equal values (after a step that maps several values to one)."""
        codes, uniques = pd.factorize(self.values, use_na_sentinel=True)
        if len(uniques) == len(self.values) and (codes >= 0).all():
            return self
        values = pd.Series(uniques, dtype=self.values.dtype)
        if (codes < 0).any():
            values = pd.concat([values, pd.Series([None], dtype=self.values.dtype)], ignore_index=True)
            codes = np.where(codes < 0, len(values) - 1, codes)
        return Coded(np.asarray(codes, dtype=CODE_DTYPE)[self.codes], values.reset_index(drop=True))

    def blank(self, mask: np.ndarray) -> Coded:
        """Rows where ``mask`` is true become missing."""
        if not mask.any():
            return self
        values = pd.concat([self.values, pd.Series([None], dtype=self.values.dtype)], ignore_index=True)
        return Coded(np.where(mask, len(values) - 1, self.codes).astype(CODE_DTYPE, copy=False), values)


def _arrow_codes(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """Factorise a pyarrow-backed string column in Arrow (several times faster than pd.factorize)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return None
    arr = pa.array(values.array)
    # a chunked column (pyarrow's CSV reader gives one chunk per block) is encoded chunk by
    # chunk with one memo table: every chunk carries the final dictionary, in order of first
    # appearance, so the column is not copied into one chunk first (combine_chunks)
    enc = pc.dictionary_encode(arr)
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    if any(not c.dictionary.equals(chunks[-1].dictionary) for c in chunks[:-1]):  # not unified: one chunk
        enc = pc.dictionary_encode(arr.combine_chunks())
        chunks = [enc]
    if not chunks:
        return np.zeros(0, dtype=CODE_DTYPE), pd.Series([], dtype=values.dtype)
    uniques = pd.Series(chunks[-1].dictionary, dtype=values.dtype)
    nulls = sum(c.indices.null_count for c in chunks)
    if nulls:
        uniques = pd.concat([uniques, pd.Series([None], dtype=values.dtype)], ignore_index=True)
    parts = [(c.indices.fill_null(len(uniques) - 1) if nulls else c.indices).to_numpy(zero_copy_only=False) for c in chunks]
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return np.asarray(codes, dtype=CODE_DTYPE), uniques


def encode(values: pd.Series) -> Coded:
    """Factorise a column once: codes per row into its distinct values (missing is one value).

    Values keep their dtype; the order of ``values`` is the order of first appearance.
    """
    fast = _arrow_codes(values)
    if fast is not None:
        return Coded(*fast)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if isinstance(uniques, pd.Index):
        uniques = uniques.to_series(index=pd.RangeIndex(len(uniques)))
    uniques = pd.Series(uniques, dtype=values.dtype)
    if (codes < 0).any():
        uniques = pd.concat([uniques, pd.Series([None], dtype=values.dtype)], ignore_index=True)
        codes = np.where(codes < 0, len(uniques) - 1, codes)
    return Coded(np.asarray(codes, dtype=CODE_DTYPE), uniques.reset_index(drop=True))


def constant(value: Any, n: int, dtype: str) -> Coded:
    """The same value on ``n`` rows (a scalar argument such as ``country="CN"``)."""
    return Coded(np.zeros(n, dtype=CODE_DTYPE), pd.Series([value], dtype=dtype))


def from_rows(values: pd.Series | np.ndarray | Any, n: int, dtype: str) -> Coded:
    """A per-row argument (Series/array) or a scalar, encoded."""
    if isinstance(values, pd.Series):  # aligned on the row labels 0..n-1, as the rows are
        return encode(values.reindex(pd.RangeIndex(n)).astype(dtype))
    if values is None or np.ndim(values) == 0:
        return constant(pd.NA if values is None else values, n, dtype)
    return encode(pd.Series(np.asarray(values)).astype(dtype))


def combine(*columns: Coded) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct combinations of several encoded columns.

    Returns the combination code of each row (in order of first appearance) and, for each
    column, the value code of each combination (so ``columns[j].values.take(parts[j])`` are the
    combinations' values).
    """
    n = len(columns[0].codes)
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for col in columns:
        width = max(len(col.values), 1)
        if size * width >= 2**62:
            # mixed radix would overflow: renumber the combinations seen so far first
            key, _ = pd.factorize(key, sort=False)
            key, size = np.asarray(key, dtype=np.int64), int(key.max()) + 1
        key = key * width + col.codes
        size *= width
    combo, _ = pd.factorize(key, sort=False)
    combo = np.asarray(combo, dtype=CODE_DTYPE)
    if not n:
        return combo, [col.codes[:0] for col in columns]
    # codes are numbered in order of first appearance, so a new one is where the running
    # maximum grows (np.minimum.at per row cost more than the factorising)
    running = np.maximum.accumulate(combo)
    first = np.flatnonzero(np.concatenate(([True], running[1:] != running[:-1])))
    return combo, [col.codes[first] for col in columns]


@dataclass(frozen=True)
class Block:
    """A step's results: one ``frame`` row per distinct input combination, ``codes`` per row."""

    codes: np.ndarray
    frame: pd.DataFrame

    def __getitem__(self, column: str) -> Coded:
        return Coded(self.codes, self.frame[column])

    def only(self) -> Coded:
        """The one result column (of a step that returns a Series)."""
        return Coded(self.codes, self.frame.iloc[:, 0])


def on_distinct(func: Callable[..., pd.DataFrame | pd.Series], *args: Coded | None, **kwargs: Coded | None) -> Block:
    """Call a per-row step once per distinct combination of its arguments.

    ``func(*args, **kwargs)`` receives Series (RangeIndex) holding each distinct combination
    once (``None`` arguments are passed as ``None``) and must treat every row on its own, as
    the cleaning steps do. A Series result becomes a one-column frame named after it (or
    ``"value"``).
    """
    names = [*range(len(args)), *kwargs]
    given = [(k, c) for k, c in zip(names, [*args, *kwargs.values()]) if c is not None]
    if not given:
        raise ValueError("on_distinct needs at least one encoded argument")
    combo, parts = combine(*(c for _, c in given))
    small: dict[Any, Any] = {k: None for k in names}
    small.update({k: c.values.take(p).reset_index(drop=True) for (k, c), p in zip(given, parts)})
    n_small = len(parts[0])
    res = func(*(small[i] for i in range(len(args))), **{k: small[k] for k in kwargs})
    if isinstance(res, pd.Series):
        res = res.to_frame(res.name if res.name is not None else "value")
    if len(res) != n_small:
        raise ValueError(f"step {getattr(func, '__name__', func)!r} returned {len(res)} rows for {n_small}")
    return Block(combo, res.reset_index(drop=True))

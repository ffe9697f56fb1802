"""The processed table from encoded parts: validated on distinct values, assembled once.

The pipeline's results are *parts*: :class:`~csresearch.clean.encoded.Block` objects whose
frame holds some processed columns for each distinct input (a pay text's parse, a city's
geography, a title's role) and whose codes give each row's entry. :class:`TableParts`
validates the parts on the distinct values that the kept rows use, finds the failing rows
exactly, and takes each column to the rows once, for the final rows only: no table of every
candidate row is built, validated and then copied without its failing rows.

``record_id`` is not a part: it is one 64-bit key per row (:func:`record_keys`), checked for
uniqueness on the keys and written out as hex only for the rows of a table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from ..schema import PROCESSED_COLUMNS, TABLE_CHECK_COLUMNS, UNIQUE_COLUMNS, coerce_columns, schema_screen
from .encoded import CODE_DTYPE, Block, Coded, combine

__all__ = ["PendingTable", "TableParts", "record_keys", "hex_ids", "as_text"]

# record_id is the one unique column, and its keys are what make uniqueness cheap to check
assert UNIQUE_COLUMNS == ("record_id",), UNIQUE_COLUMNS

_HEX_PAIRS = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")


def record_keys(source: str, rows: np.ndarray) -> np.ndarray:
    """64 bits per row: the row number mixed with a key from the source name.

    The key is the first 8 bytes of SHA-256(source); the row number is mixed in with the
    splitmix64 finaliser, a bijection, so the keys of one source never collide, and a million
    keys are a few array operations (one SHA-256 per row in Python took seconds).

    Collisions: the same ``source`` gives the same key to the same row number (the id names
    (source, row), so two inputs cleaned under one name share ids; ``file_source_names`` gives
    each file its own). Two sources with keys ``a`` and ``b`` collide only for rows whose numbers
    differ by the one offset ``(b - a) / 0x9E3779B97F4A7C15 mod 2**64``: with row numbers below
    ``N`` that is a chance of about ``2N / 2**64`` per pair of sources (5e-7 for 1 000 sources
    of 10 million rows). Uniqueness is checked only among the kept rows of one table
    (:meth:`TableParts.failing`), not across the tables of several sources.
    """
    key = np.uint64(int.from_bytes(hashlib.sha256(source.encode()).digest()[:8], "big"))
    with np.errstate(over="ignore"):
        z = key + np.asarray(rows, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def hex_ids(keys: np.ndarray) -> np.ndarray:
    """The keys as 16 lowercase hex digits each (fixed-width bytes, ``S16``)."""
    return _HEX_PAIRS[np.asarray(keys, dtype=np.uint64).astype(">u8").view(np.uint8).reshape(-1, 8)].view("S16").ravel()


def as_text(fixed: np.ndarray) -> pd.Series:
    """A fixed-width bytes array (``S16``) as a ``str`` Series, without a Python object per row."""
    import pyarrow as pa

    width = fixed.dtype.itemsize
    # large_string, as pandas' str dtype stores it: no second copy to widen the offsets; the
    # bytes are shared with ``fixed``, not copied
    offsets = np.arange(0, width * len(fixed) + 1, width, dtype=np.int64)
    data = np.ascontiguousarray(fixed)
    arr = pa.Array.from_buffers(pa.large_string(), len(fixed), [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pd.Series(arr, dtype="str")


def _in_table_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in PROCESSED_COLUMNS if c in frame.columns]]


def _merged(parts: list[Block]) -> list[Block]:
    """Parts that share a table check combined into one, so that each check sees its columns."""
    owner = {c: i for i, p in enumerate(parts) for c in p.frame.columns}
    group = list(range(len(parts)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for cols in TABLE_CHECK_COLUMNS.values():
        for c in cols[1:]:
            group[root(owner[c])] = root(owner[cols[0]])
    out = []
    for r in sorted({root(i) for i in range(len(parts))}):
        members = [p for i, p in enumerate(parts) if root(i) == r]
        if len(members) == 1:
            out.append(members[0])
            continue
        combo, firsts = combine(*(Coded(p.codes, pd.Series(np.arange(len(p.frame)))) for p in members))
        frame = pd.concat([p.frame.take(f).reset_index(drop=True) for p, f in zip(members, firsts)], axis=1)
        out.append(Block(combo, frame))
    return out


class TableParts:
    """The processed table as parts, validated and assembled for chosen rows.

    Parameters
    ----------
    parts : list of Block
        Between them, every processed column but ``record_id``, each column in one part.
    keys : ndarray of uint64
        Each row's :func:`record_keys`.
    keep : ndarray of int
        Positions of the rows that may enter the table; :meth:`failing` and :meth:`rows`
        work on these (values used only by other rows are never cast or validated).
    """

    def __init__(self, parts: Sequence[Block], keys: np.ndarray, keep: np.ndarray) -> None:
        given = sorted(c for p in parts for c in p.frame.columns)
        if given != sorted(PROCESSED_COLUMNS[1:]) or PROCESSED_COLUMNS[0] != "record_id":
            raise ValueError(f"parts hold columns {given}, not the processed table's")
        self.keys, self.keep = keys, np.asarray(keep, dtype=np.intp)
        self._parts: list[tuple[np.ndarray, np.ndarray, pd.DataFrame]] = []
        for part in _merged([Block(p.codes, _in_table_order(p.frame)) for p in parts]):
            # only the values the kept rows use, cast to the processed dtypes once per value
            used = np.flatnonzero(np.bincount(part.codes[self.keep], minlength=len(part.frame)))
            local = np.full(len(part.frame), -1, dtype=CODE_DTYPE)
            local[used] = np.arange(len(used))
            small = coerce_columns(part.frame.take(used).reset_index(drop=True))
            self._parts.append((part.codes, local, small))

    def failing(self) -> tuple[np.ndarray, bool]:
        """Kept rows that break the schema (sorted positions), and whether a dtype check failed.

        A row fails when a part's values for it fail (:func:`csresearch.schema.schema_screen`),
        or its ``record_id`` is shared with another kept row (:func:`hex_ids` always gives 16
        hex digits, so the schema's pattern for ``record_id`` cannot fail here).
        """
        bad = np.zeros(len(self.keep), dtype=bool)
        broken = False
        for codes, local, small in self._parts:
            index, whole = schema_screen(small)
            broken |= whole
            if len(index):
                hit = np.zeros(len(small), dtype=bool)
                hit[np.asarray(index, dtype=np.intp)] = True
                bad |= hit[local[codes[self.keep]]]
        bad |= pd.Series(self.keys[self.keep]).duplicated(keep=False).to_numpy()
        return self.keep[bad], broken

    def rows(self, positions: np.ndarray, index: pd.Index | None = None) -> pd.DataFrame:
        """The table for the kept rows at ``positions``, columns in order, each taken once."""
        positions = np.asarray(positions, dtype=np.intp)
        index = pd.RangeIndex(len(positions)) if index is None else index
        columns: dict[str, pd.Series] = {"record_id": as_text(hex_ids(self.keys[positions])).set_axis(index)}
        for codes, local, small in self._parts:
            # one gather of codes per part, freed before the next (a million rows' codes are 8 MB)
            at = local[codes[positions]]
            if (at < 0).any():
                raise IndexError("rows() asked for a row that is not among the kept rows")
            for col in small.columns:
                columns[col] = pd.Series(small[col].array.take(at), index=index, name=col, copy=False)
            del at
        columns = {c: columns[c] for c in PROCESSED_COLUMNS}
        # copy=False: the columns are new arrays already, and are not stacked into 2-D blocks
        return pd.DataFrame(columns, index=index, copy=False)

    def column(self, name: str, positions: np.ndarray) -> pd.Series:
        """One processed column for the kept rows at ``positions`` (what :meth:`rows` would hold)."""
        positions = np.asarray(positions, dtype=np.intp)
        if name == "record_id":
            return as_text(hex_ids(self.keys[positions])).rename(name)
        for codes, local, small in self._parts:
            if name in small.columns:
                at = local[codes[positions]]
                if (at < 0).any():
                    raise IndexError("column() asked for a row that is not among the kept rows")
                return pd.Series(small[name].array.take(at), name=name, copy=False)
        raise KeyError(name)


class PendingTable:
    """The processed table of chosen rows, kept as parts until it is asked for.

    :func:`~csresearch.clean.pipeline.clean_survey` returns one inside its result: a caller
    who only writes the table (``csresearch clean``) gets it a row group at a time from
    :meth:`chunks`, so a whole pandas copy of the table (the largest allocation of a run:
    about 390 MiB for a million postings) never sits beside the parts;
    :attr:`CleanResult.table <csresearch.clean.pipeline.CleanResult.table>` assembles it
    with :meth:`frame` on first use. Every path gives the same values.

    Examples
    --------
    >>> pending = PendingTable(parts, kept)  # doctest: +SKIP
    >>> len(pending) == len(pending.frame())  # doctest: +SKIP
    True
    """

    def __init__(self, parts: TableParts, positions: np.ndarray) -> None:
        self.parts, self.positions = parts, np.asarray(positions, dtype=np.intp)

    def __len__(self) -> int:
        return len(self.positions)

    def column(self, name: str) -> pd.Series:
        """One column of the table, without the others."""
        return self.parts.column(name, self.positions)

    def frame(self) -> pd.DataFrame:
        """The whole table as one DataFrame."""
        return self.parts.rows(self.positions)

    def empty(self) -> pd.DataFrame:
        """The table's columns and dtypes, no rows."""
        return self.parts.rows(self.positions[:0])

    def chunks(self, size: int) -> Iterator[pd.DataFrame]:
        """The table ``size`` rows at a time, in order (each a DataFrame of its own)."""
        for start in range(0, len(self.positions), size):
            yield self.parts.rows(self.positions[start:start + size])

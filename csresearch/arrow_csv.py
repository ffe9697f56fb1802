"""Delimited UTF-8 text through ``pyarrow.csv``, each record numbered by its physical line.

pyarrow's CSV reader is several times faster than pandas' and keeps text as Arrow strings
(no Python object per cell), but it does not say on which line a record starts. When every
record is one line, that line is simply the next line that is not blank; whether that holds
is checked exactly and cheaply: the records plus the blank lines must add up to the file's
lines (a record spanning lines, through a quoted line break, makes the sum fall short). Any
file this path does not fit (a lone carriage return as line end, a line of spaces, short or
long rows, quoted line breaks, anything pyarrow refuses) returns ``None``, and the caller
reads it with the pandas parser, which numbers lines record by record.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

__all__ = ["read_single_line_records"]


def read_single_line_records(data: bytes, sep: str, *, header: bool, width: int | None = None,
                             first_line: int = 1) -> pd.DataFrame | None:
    """UTF-8 delimited text -> DataFrame of strings indexed by ``source_row``, or None.

    Same result as :func:`csresearch.io.parse_delimited` for the files it accepts: empty
    cells are missing, every other cell is kept as text; blank (empty) lines are not records;
    ``source_row`` is ``first_line`` plus the record's 0-based line in ``data``. With
    ``header`` the first record names the columns; ``width`` is the number of columns when
    known (a later block of a file), else the first record's.

    Examples
    --------
    >>> df = read_single_line_records(b"a,b\\n\\n1,x\\n2,\\n", ",", header=True)
    >>> df.index.tolist(), df["b"].tolist()
    ([3, 4], ['x', nan])
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):  # a lone carriage return ends a line: pandas path
        return None
    view = memoryview(data)[3:] if data.startswith(b"\xef\xbb\xbf") else memoryview(data)
    if not len(view) or _last_line_opens_a_quote(data):
        return None
    if width is None:
        width = _first_record_width(data, sep)
        if not width:
            return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(view),
            read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 22),
            # quoted line breaks are parsed correctly (the line check below then refuses them)
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    lines = _record_lines(view, table.num_rows)
    if lines is None or _ends_in_a_cell(table):
        return None
    if header:
        if not table.num_rows:
            return None
        cells = ["" if h is None else str(h).lstrip("\ufeff").strip() for h in table.slice(0, 1).to_pylist()[0].values()]
        columns: list = [h or f"Unnamed: {i}" for i, h in enumerate(cells)]
        table, lines = table.slice(1), lines[1:]
    else:
        columns = list(range(width))
    df = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    return df.set_axis(columns, axis=1).set_axis(pd.Index(lines + (first_line - 1), name="source_row"), axis=0)


def _last_line_opens_a_quote(data: bytes) -> bool:
    """An odd number of quotes on the last line: a quote may run to the end of the file.

    pyarrow then reads the rest of the file, trailing line break included, into the cell, where
    pandas reports a truncated file. Earlier lines need no check: a quote left open there spans
    lines, which the line count refuses. An odd count that is not an open quote (``5" screen``)
    only sends the file to the pandas parser, which gives the same answer.
    """
    end = _end_without_line_breaks(data)
    last = data[data.rfind(b"\n", 0, end) + 1: end]
    # without a final line break any quote on the last line may be open at the end of the file
    return last.count(b'"') % 2 == 1 or (b'"' in last and end == len(data))


def _end_without_line_breaks(data: bytes) -> int:
    """``len(data.rstrip(b"\r\n"))`` without copying the file: the tail is looked at, growing."""
    size = 1 << 12
    while True:
        tail = data[-size:]
        kept = len(tail.rstrip(b"\r\n"))
        if kept or len(tail) == len(data):
            return len(data) - len(tail) + kept
        size *= 16


def _ends_in_a_cell(table) -> bool:
    """The last record holds a line break: a quote opened mid-field (``a",\"``) ran to the end."""
    if not table.num_rows:
        return False
    last = table.slice(table.num_rows - 1).to_pylist()[0].values()
    return any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in last)


def _first_record_width(data: bytes, sep: str) -> int:
    """Cells of the first non-empty record, as the csv module reads it (a byte-order mark skipped).

    ``io.BytesIO`` of a ``bytes`` object shares its buffer (of a memoryview it would copy the
    whole file); ``utf-8-sig`` drops one leading mark, as slicing it off did.
    """
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    first = next((r for r in csv.reader(stream, delimiter=sep) if r), [])
    return len(first)


def _record_lines(view: memoryview, n_records: int) -> np.ndarray | None:
    """1-based line of each record when every record is one line, else None.

    The lines that are not empty are the records, one each, exactly when their number equals
    the records pyarrow read; a line of spaces is neither skipped by pyarrow nor a record to
    pandas, so it sends the file to the pandas path.
    """
    a = np.frombuffer(view, np.uint8)
    ends = _newlines(a)
    n_lines = len(ends) + (0 if len(ends) and ends[-1] == len(a) - 1 else 1)
    starts = np.concatenate([[0], ends + 1])[:n_lines]
    stops = np.concatenate([ends, [len(a)]])[:n_lines]
    # a line holding only "\r" (of "\r\n") or nothing is empty; spaces or tabs make it suspect
    length = stops - starts
    first = a[np.minimum(starts, len(a) - 1)]
    empty = (length == 0) | ((length == 1) & (first == np.uint8(13)))
    spaced = ~empty & ((first == np.uint8(32)) | (first == np.uint8(9)))
    if spaced.any() and any(not bytes(view[s:e]).strip(b" \t\r") for s, e in zip(starts[spaced], stops[spaced])):
        return None
    lines = np.flatnonzero(~empty) + 1
    return lines.astype(np.int64) if len(lines) == n_records else None


def _newlines(a: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """Offsets of the ``\\n`` bytes, found in chunks (a whole-file mask would cost a byte per byte)."""
    parts = [np.flatnonzero(a[i:i + chunk] == np.uint8(10)) + i for i in range(0, len(a), chunk)]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)

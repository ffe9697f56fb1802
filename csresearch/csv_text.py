"""A table of text and whole numbers as CSV bytes, rendered column by column with Arrow compute.

pandas' ``to_csv`` hands each cell to Python's ``csv`` module: about a microsecond a cell, and
a rejects file of a crawl has millions. Quoting a column is one vectorised test and one
replace; the bytes are exactly those ``to_csv(index=False, lineterminator="\\n")`` writes
(minimal quoting: a cell is quoted when it holds the delimiter, a quote or a ``\n``, quotes
doubled; missing cells empty). Frames this does not cover (floats, booleans, a carriage
return in a cell, a single column, whose empty cell the csv module writes as ``""``) return
``None``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = ["csv_bytes", "csv_chunks"]


def csv_bytes(df: pd.DataFrame, sep: str = ",") -> bytes | None:
    """``df.to_csv(index=False, lineterminator="\\n", sep=sep)`` as UTF-8 bytes, or None.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["x", 'say "hi"', None], "b": pd.array([1, None, 3], dtype="Int64")})
    >>> csv_bytes(df).decode() == df.to_csv(index=False, lineterminator="\\n")
    True
    """
    chunks = csv_chunks(df, sep)
    return None if chunks is None else b"".join(chunks)


def csv_chunks(df: pd.DataFrame, sep: str = ",", rows: int = 1 << 16) -> Iterator[bytes] | None:
    """The bytes of :func:`csv_bytes` as a header and then blocks of ``rows`` rows, or None.

    A block at a time, so that writing a file of millions of cells holds a few quoted copies
    of one block, not of the whole table.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["x", "y,z", None], "b": ["1", "2", "3"]})
    >>> b"".join(csv_chunks(df, rows=2)) == csv_bytes(df)
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if df.shape[1] < 2 or len(sep) != 1 or sep in '"\r\n' or not df.columns.is_unique:
        return None
    if not all(pd.api.types.is_string_dtype(t) and t != object or pd.api.types.is_integer_dtype(t) for t in df.dtypes):
        return None
    columns = [pa.array(df[name], from_pandas=True) for name in df.columns]  # no copy of Arrow-backed text
    text = [c for c in columns if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)]
    if any(pc.any(pc.match_substring(c, "\r")).as_py() for c in text):
        return None  # the csv module's quoting of "\r" varies by version
    head = io.StringIO()
    csv.writer(head, delimiter=sep, lineterminator="\n").writerow([str(c) for c in df.columns])
    return _blocks(head.getvalue().encode("utf-8"), columns, sep, rows)


def _blocks(head: bytes, columns: list, sep: str, rows: int) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.compute as pc

    yield head
    special = "[" + re.escape(sep + '"') + "\\n]"
    q, nl, empty, delim = (pa.scalar(v, pa.large_string()) for v in ('"', "\n", "", sep))
    n = len(columns[0])
    for start in range(0, n, rows):
        cells = []
        for col in columns:
            # converted a block at a time: a copy of one block, not of the column
            part = pc.fill_null(pc.cast(col.slice(start, rows), pa.large_string()), "")
            needs = pc.match_substring_regex(part, special)
            if not pc.any(needs).as_py():  # most columns of most blocks: nothing to quote
                cells.append(part)
                continue
            quoted = pc.binary_join_element_wise(q, pc.replace_substring(part, '"', '""'), q, empty)
            cells.append(pc.if_else(needs, quoted, part))
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, delim), nl, empty)
        for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]):
            if len(chunk):  # each line ends with its break
                offsets = np.frombuffer(chunk.buffers()[1], np.int64)[chunk.offset: chunk.offset + len(chunk) + 1]
                yield memoryview(chunk.buffers()[2])[offsets[0]: offsets[-1]].tobytes()

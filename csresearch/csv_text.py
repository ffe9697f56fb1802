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

import numpy as np
import pandas as pd

__all__ = ["csv_bytes"]


def csv_bytes(df: pd.DataFrame, sep: str = ",") -> bytes | None:
    """``df.to_csv(index=False, lineterminator="\\n", sep=sep)`` as UTF-8 bytes, or None.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["x", 'say "hi"', None], "b": pd.array([1, None, 3], dtype="Int64")})
    >>> csv_bytes(df).decode() == df.to_csv(index=False, lineterminator="\\n")
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if df.shape[1] < 2 or len(sep) != 1 or sep in '"\r\n' or not df.columns.is_unique:
        return None
    if not all(pd.api.types.is_string_dtype(t) and t != object or pd.api.types.is_integer_dtype(t) for t in df.dtypes):
        return None
    head = io.StringIO()
    csv.writer(head, delimiter=sep, lineterminator="\n").writerow([str(c) for c in df.columns])
    if df.empty:
        return head.getvalue().encode("utf-8")
    special = "[" + re.escape(sep + '"') + "\\n]"
    cells = []
    q, nl, empty, delim = (pa.scalar(v, pa.large_string()) for v in ('"', "\n", "", sep))
    for name in df.columns:
        col = pc.fill_null(pc.cast(pa.array(df[name], from_pandas=True), pa.large_string()), "")
        if pc.any(pc.match_substring(col, "\r")).as_py():  # the csv module's quoting of "\r" varies by version
            return None
        quoted = pc.binary_join_element_wise(q, pc.replace_substring(col, '"', '""'), q, empty)
        cells.append(pc.if_else(pc.match_substring_regex(col, special), quoted, col))
    rows = pc.binary_join_element_wise(*cells, delim)
    lines = pc.binary_join_element_wise(rows, nl, empty)  # each line ends with its break
    out = [head.getvalue().encode("utf-8")]
    for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]):
        offsets = np.frombuffer(chunk.buffers()[1], np.int64)[chunk.offset: chunk.offset + len(chunk) + 1]
        out.append(memoryview(chunk.buffers()[2])[offsets[0]: offsets[-1]].tobytes())
    return b"".join(out)

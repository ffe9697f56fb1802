"""Encoding a chunked Arrow column chunk by chunk gives the codes of the column in one chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.encoded import CODE_DTYPE, combine, constant, encode, on_distinct

CHUNKS = st.lists(st.lists(st.sampled_from(["a", "b", "\u4e2d", "", " x", None]), max_size=6), max_size=5)


def _series(chunks: list[list]) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(c, pa.large_string()) for c in chunks],
                                                                 type=pa.large_string())), dtype="str")


@settings(max_examples=300)
@given(CHUNKS)
def test_chunked_codes_are_those_of_one_chunk(chunks):
    s = _series(chunks)
    one = _series([[v for c in chunks for v in c]])
    a, b = encode(s), encode(one)
    assert np.array_equal(a.codes, b.codes) and a.codes.dtype == CODE_DTYPE
    assert a.values.tolist() == b.values.tolist() or a.values.equals(b.values)
    assert a.values.dtype == b.values.dtype
    assert a.rows().tolist() == one.tolist() or a.rows().equals(one)


def test_empty_and_all_missing_columns():
    e = encode(_series([]))
    assert len(e.codes) == 0 and len(e.values) == 0
    m = encode(_series([[None, None], [None]]))
    assert m.codes.tolist() == [0, 0, 0] and m.values.isna().all() and len(m.values) == 1


def test_every_code_array_is_four_bytes_a_row():
    # a million-row file holds dozens of code arrays at once: each is int32, whatever made it
    c = encode(pd.Series([" a", "a", None, "b"], dtype="str"))
    made = {"encode": c, "encode(object)": encode(pd.Series([1, None, 1], dtype=object)),
            "stripped/compact": c.stripped(), "blank": c.blank(np.array([True, False, False, False])),
            "constant": constant("x", 4, "str"),
            "on_distinct": on_distinct(lambda v: v, c).only()}
    for name, coded in made.items():
        assert coded.codes.dtype == CODE_DTYPE, name
    assert combine(c, c)[0].dtype == CODE_DTYPE

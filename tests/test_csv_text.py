"""csv_bytes / csv_chunks write exactly the bytes of pandas' to_csv, whatever the block size."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.csv_text import csv_bytes, csv_chunks

CELL = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab,;"\n 客x')), max_size=6))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 12))
    ncols = draw(st.integers(2, 4))
    cols = {}
    for j in range(ncols):
        if draw(st.booleans()):
            cols[f"c{j}"] = pd.Series(draw(st.lists(CELL, min_size=n, max_size=n)), dtype="str")
        else:
            ints = draw(st.lists(st.one_of(st.none(), st.integers(-10**12, 10**12)), min_size=n, max_size=n))
            cols[f"c{j}"] = pd.Series(ints, dtype="Int64")
    return pd.DataFrame(cols)


@settings(max_examples=300, deadline=None)
@given(frames(), st.integers(1, 5), st.sampled_from([",", ";", "\t"]))
def test_same_bytes_as_to_csv_in_any_block_size(df, rows, sep):
    expected = df.to_csv(index=False, lineterminator="\n", sep=sep).encode("utf-8")
    assert csv_bytes(df, sep) == expected
    assert b"".join(csv_chunks(df, sep, rows=rows)) == expected


def test_frames_it_does_not_cover_return_none():
    assert csv_bytes(pd.DataFrame({"a": ["x\ry"], "b": ["1"]})) is None  # a carriage return
    assert csv_bytes(pd.DataFrame({"a": [1.5], "b": ["1"]})) is None  # a float
    assert csv_chunks(pd.DataFrame({"a": ["x"]})) is None  # one column

"""The pyarrow reader of one-line records gives the pandas parser's frame, or steps aside.

``csresearch.io.parse_delimited`` reads CSV through pyarrow (``arrow_csv``) when every record
is one physical line and falls back to the pandas parser otherwise. Whenever the fast path
returns a frame, it must be the frame the pandas path gives for the same bytes: values, column
names, dtypes and ``source_row`` (the index).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csresearch.io as io_mod
from csresearch.arrow_csv import read_single_line_records
from csresearch.bytescan import first_long_line, first_utf8_line

CELL = st.lists(st.sampled_from(list('ab 1,"\t\r\nNA') + ["null", "\u4e2d", "\u0436", "\x00"]), max_size=4).map("".join)


def _pandas_path(data: bytes, sep: str, header: bool, monkeypatch) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(io_mod, "read_single_line_records", lambda *a, **k: None)
        return io_mod.parse_delimited(Path("t.csv"), data, "utf_8", sep, header=header)


def _assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert list(fast.columns) == list(slow.columns)
    assert fast.index.tolist() == slow.index.tolist()  # source_row
    assert [str(t) for t in fast.dtypes] == [str(t) for t in slow.dtypes]
    for i in range(fast.shape[1]):  # by position: a header may repeat a name
        a, b = fast.iloc[:, i].to_numpy(object), slow.iloc[:, i].to_numpy(object)
        assert [None if pd.isna(x) else x for x in a] == [None if pd.isna(x) else x for x in b], i


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=6),
       sep=st.sampled_from([",", ";", "\t"]), eol=st.sampled_from(["\n", "\r\n"]), header=st.booleans(),
       bom=st.booleans(), blank=st.booleans())
def test_fast_path_equals_the_pandas_parser(rows, sep, eol, header, bom, blank, monkeypatch):
    lines = [sep.join(r) for r in rows]
    if blank:
        lines.insert(len(lines) // 2, "")
    data = (codecs.BOM_UTF8 if bom else b"") + eol.join(lines).encode("utf-8") + eol.encode()
    if bom:
        data = data[len(codecs.BOM_UTF8):]  # parse_delimited receives text after the checked BOM
    fast = read_single_line_records(data, sep, header=header)
    if fast is None:
        return  # the fast path stepped aside: the pandas parser reads the file, nothing to compare
    _assert_same(fast, _pandas_path(data, sep, header, monkeypatch))


@pytest.mark.parametrize("data", [
    b"title,salary\nagent,100\n",
    b"title,salary\r\nagent,100\r\n\r\nlead,\r\n",
    b'title,salary\n"agent, senior","1,000"\n',
    b"title,salary\nNA,null\n,\n",
    b"title,salary\n",
    b"title\tsalary\n\xe5\xae\xa2\xe6\x9c\x8d\t5000\n",
])
def test_known_files_read_the_same_both_ways(data, monkeypatch):
    sep = "\t" if b"\t" in data else ","
    fast = read_single_line_records(data, sep, header=True)
    assert fast is not None
    _assert_same(fast, _pandas_path(data, sep, True, monkeypatch))


@pytest.mark.parametrize("data", [b'a,b\n"x\ny",1\n', b"a,b\rx,1\r", b"a,b\n   \nx,1\n", b"a,b\nx,1,2\n",
                                  b'a,b\nx,"1\n', b'a,b\nx,"1'])
def test_fast_path_steps_aside_for_multiline_cells_lone_cr_space_lines_and_long_rows(data):
    assert read_single_line_records(data, ",", header=True) is None


@given(st.lists(st.binary(max_size=40), max_size=5), st.integers(1, 30))
def test_first_long_line_is_the_plain_definition(chunks, limit):
    text = b"".join(chunks)
    lines = text.split(b"\n")
    expect = next((i + 1 for i, ln in enumerate(lines) if len(ln) > limit), None)
    assert first_long_line(chunks, limit) == expect


@settings(max_examples=300)
@given(st.lists(st.sampled_from([b"abc", "\u4e2d".encode("utf-8"), "\u4e2d".encode("gbk"), b"\xff"])
                | st.binary(max_size=12), max_size=8))  # any bytes: the screen must stay a necessary test
def test_first_utf8_line_is_the_plain_definition(parts):
    data = b"\n".join(parts)
    lines = data.split(b"\n")

    def is_utf8_non_ascii(ln: bytes) -> bool:
        try:
            ln.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return not ln.isascii()

    expect = next((i + 1 for i, ln in enumerate(lines) if is_utf8_non_ascii(ln)), None)
    assert first_utf8_line(data) == expect

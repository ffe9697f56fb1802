"""The read path's whole-file shortcuts give the answers of the plain definitions they replace.

Each was a copy or a second pass over a 100 MB file: ``data.strip()`` to test for an empty
file, ``data.rstrip()`` to find the last line, ``BytesIO(memoryview)`` to read the header, the
file read again for its SHA-256, and a UTF-8 screen that checked every sequence length.
"""

from __future__ import annotations

import csv
import hashlib
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch import read_table
from csresearch.arrow_csv import _end_without_line_breaks, _first_record_width, _last_line_opens_a_quote
from csresearch.bytescan import _not_utf8, first_utf8_line
from csresearch.errors import InputFileError

BYTES = st.lists(st.sampled_from([b"a", b'"', b"\n", b"\r", b"\xd0", b"\xb6", b"\xe4\xb8\xad", b"\xff", b"\x80",
                                  b"\xc0", b"\xf0\x9f\x98\x80", b"\xd6\xd0", b" "]), max_size=30).map(b"".join)


@settings(max_examples=400)
@given(st.binary(max_size=60) | BYTES)
def test_a_flagged_byte_is_never_in_a_valid_utf8_line(data):
    """The screen is a necessary test: a line with a flagged byte does not decode as UTF-8."""
    if not data:
        return
    bad = _not_utf8(np.frombuffer(data, np.uint8))
    start = 0
    for line in data.split(b"\n"):
        stop = start + len(line) + 1  # with its line break, as first_utf8_line decodes it
        if bad[start:min(stop, len(data))].any():
            with pytest.raises(UnicodeDecodeError):
                data[start:stop].decode("utf-8")
        start = stop


def test_first_utf8_line_in_a_long_cp1251_file():
    rows = ("Москва;оператор колл-центра;от 40 000 руб.\n" * 30_000).encode("cp1251")
    assert first_utf8_line(rows) is None
    mixed = rows + "Казань;оператор\n".encode("utf-8") + rows[:1000]
    assert first_utf8_line(mixed) == 30_001


@given(BYTES, st.integers(0, 3), st.integers(0, 9000))
def test_end_without_line_breaks_is_rstrip(body, kind, run):
    data = body + [b"\n", b"\r\n", b"\r", b"\n\r"][kind] * run
    assert _end_without_line_breaks(data) == len(data.rstrip(b"\r\n"))


@given(BYTES)
def test_last_line_quote_check_is_the_plain_definition(data):
    body = data.rstrip(b"\r\n")
    last = body[body.rfind(b"\n") + 1:]
    expect = last.count(b'"') % 2 == 1 or (b'"' in last and len(body) == len(data))
    assert _last_line_opens_a_quote(data) == expect


@pytest.mark.parametrize("data", [b"a,b,c\n1,2,3\n", b"\xef\xbb\xbfa,b\n1,2\n", b"\xef\xbb\xbf\xef\xbb\xbfa,b,c\n",
                                  b"\n\n\"x,y\",z\n", b"", b"\n\n", "\u4e2d,\u0436\n".encode()])
def test_first_record_width_is_the_csv_module_on_the_text_after_one_mark(data):
    view = memoryview(data)[3:] if data.startswith(b"\xef\xbb\xbf") else memoryview(data)
    text = bytes(view).decode("utf-8", errors="replace")
    expect = len(next((r for r in csv.reader(io.StringIO(text, newline=""), delimiter=",") if r), []))
    assert _first_record_width(data, ",") == expect


@pytest.mark.parametrize("content", [b"", b" \t\r\n\x0b\x0c\n"])
def test_an_empty_or_blank_file_is_refused(tmp_path, content):
    p = tmp_path / "e.csv"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match="file is empty"):
        read_table(p)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251", "gb18030"])
def test_read_info_hash_is_the_files(tmp_path, encoding):
    p = tmp_path / "t.csv"
    text = "title,salary_text,city\nоператор,40000,Москва\n" if encoding != "gb18030" else "title,salary_text,city\n客服,6-8千,上海\n"
    p.write_bytes(text.encode(encoding))
    info = read_table(p).attrs["read_info"]
    assert info["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
    assert list(info)[:5] == ["path", "format", "encoding", "delimiter", "sha256"]

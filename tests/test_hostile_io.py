"""Broken and hostile input files for csresearch.read_table.

Contract: every broken file gives ONE clear error line, an InputFileError (or a
ColumnMappingError for header problems), whose text names the file and the
problem. Nothing else escapes (no UnicodeDecodeError, ParserError, KeyError,
zipfile.BadZipFile, MemoryError).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csresearch.errors import ColumnMappingError, CsResearchError, InputFileError

io = pytest.importorskip("csresearch.io", reason="csresearch.io (read_table) has not landed yet")
read_table = io.read_table

GOOD_ROWS = "title,salary_text,city\n客服专员,4.5-6千/月,上海\n售后客服,6-8千/月,上海\n"


def _expect(exc_type, path: Path, *problem_words: str, **kwargs) -> str:
    """Read ``path`` expecting ``exc_type``; check the message names file and problem."""
    with pytest.raises(exc_type) as err:
        read_table(path, **kwargs)
    msg = str(err.value)
    assert path.name in msg, f"message does not name the file: {msg!r}"
    assert "\n" not in msg.strip(), f"more than one line: {msg!r}"
    low = msg.lower()
    assert any(w in low for w in problem_words), f"message does not say {problem_words}: {msg!r}"
    return msg


def test_well_formed_file_reads(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(GOOD_ROWS, encoding="utf-8")
    df = read_table(path)
    assert len(df) == 2 and "salary_text" in df.columns


def test_missing_file(tmp_path):
    _expect(InputFileError, tmp_path / "nope.csv", "no such file", "not found", "does not exist")


def test_empty_file_and_whitespace_only_file(tmp_path):
    for name, data in [("empty.csv", b""), ("blank.csv", b"\n\n  \n"), ("bom.csv", b"\xef\xbb\xbf")]:
        path = tmp_path / name
        path.write_bytes(data)
        _expect(InputFileError, path, "empty", "no rows")


def test_wrong_encoding_given(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(GOOD_ROWS.encode("gbk"))
    _expect(InputFileError, path, "encoding", encoding="utf-8")


def test_mixed_encoding_names_the_problem(tmp_path):
    path = tmp_path / "mixed.csv"
    body = GOOD_ROWS.encode("utf-8") + "客服主管,1-2万/月,北京\n".encode("gbk") + "客服,5000元,深圳\n".encode("utf-8")
    path.write_bytes(body)
    msg = _expect(InputFileError, path, "encoding")
    assert "line" in msg.lower()


def test_truncated_csv_with_unterminated_quote(tmp_path):
    path = tmp_path / "truncated.csv"
    path.write_text(GOOD_ROWS + '"客服专员,4.5-6千', encoding="utf-8")  # cut inside a quoted field
    _expect(InputFileError, path, "unterminated", "truncated", "quote")


def test_ragged_rows(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(GOOD_ROWS + "客服,5000元,上海,多余,更多\n", encoding="utf-8")
    _expect(InputFileError, path, "ragged", "fields", "columns")


def test_duplicate_column_names(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text("title,salary_text,title\n客服,5000元,客服专员\n", encoding="utf-8")
    _expect((InputFileError, ColumnMappingError), path, "duplicate")


def test_header_that_maps_to_nothing_with_require(tmp_path):
    path = tmp_path / "unknown_header.csv"
    path.write_text("foo,bar,baz\n1,2,3\n", encoding="utf-8")
    msg = _expect(ColumnMappingError, path, "salary_text", require=["salary_text"])
    assert "foo" in msg  # says what the headers were


def test_xlsx_with_merged_header_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["岗位信息", None, "薪资"])
    ws.append(["title", "city", "salary_text"])
    ws.append(["客服专员", "上海", "4.5-6千/月"])
    ws.merge_cells("A1:B1")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    _expect(InputFileError, path, "merged")


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text(GOOD_ROWS, encoding="utf-8")
    _expect(InputFileError, path, "xlsx", "workbook", "zip")


def test_binary_garbage_named_csv(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    _expect(InputFileError, path, "encoding", "binary", "not a", "text")


def test_long_single_line_garbage_is_refused_with_bounded_memory(tmp_path):
    # stands in for "1 GB on one line": 8 MB against a 64 KB limit
    path = tmp_path / "garbage.csv"
    with path.open("wb") as fh:
        chunk = b"x7,;" * (1 << 18)  # 1 MiB, no newline
        for _ in range(8):
            fh.write(chunk)
    tracemalloc.start()
    try:
        _expect(InputFileError, path, "longer than", "line", max_line_bytes=64 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * (1 << 20), f"peak {peak / 2**20:.1f} MiB while refusing an 8 MiB line"


def test_line_limit_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "long_line.csv"
    path.write_text("title,salary_text\n" + "客" * 50_000 + ",5000\n", encoding="utf-8")
    monkeypatch.setenv("CSRESEARCH_MAX_LINE_BYTES", "1000")
    _expect(InputFileError, path, "longer than", "line")
    monkeypatch.delenv("CSRESEARCH_MAX_LINE_BYTES")
    assert len(read_table(path)) == 1


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=400),
    st.text(alphabet=',;\t"\n\r 客服元千/月abc123\x00\ufeff', max_size=300).map(lambda t: t.encode("utf-8")),
))
def test_random_bytes_raise_only_csresearch_errors(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        df = read_table(path)
    except CsResearchError as exc:
        assert path.name in str(exc)
        return
    assert df.shape[1] >= 1


def test_lone_carriage_return_is_an_input_error(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"\r1")
    try:
        read_table(path)
    except CsResearchError:
        return
    except Exception as exc:  # anything else escaping is the bug
        raise AssertionError(f"{type(exc).__name__} escaped read_table: {exc}") from exc

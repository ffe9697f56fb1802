"""``source_row`` is where the row is in the file: the line (CSV/TSV), the sheet row (XLSX), the
line (JSON Lines) or the record's position (JSON array), so an analyst can open the file there.

Expected lines are written out by hand from each file's text (counted in an editor), and the
property test counts them with the csv module, not with the reader under test.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch import clean_survey
from csresearch.io import read_table


def _rows(path, **kw) -> dict[int, str]:
    df = read_table(path, **kw)
    return dict(zip(df.index.tolist(), df["title"].tolist()))


def test_blank_lines_keep_the_file_line(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("title,salary_text\n\nAgent,£2000 per month\n\n\nLead,£2500 per month\n   \nHead,£3000 per month\n", "utf-8")
    assert _rows(path) == {3: "Agent", 6: "Lead", 8: "Head"}


def test_leading_blank_lines_count(tmp_path):
    path = tmp_path / "lead.csv"
    path.write_text("\n\ntitle,salary_text\nAgent,£2000 per month\n", "utf-8")
    assert _rows(path) == {4: "Agent"}


def test_lines_inside_quoted_cells_count(tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_text('title,salary_text,description\nAgent,£2000 per month,"calls\nand\nchats"\n'
                    'Lead,£2500 per month,"one line"\nHead,£3000 per month,"two\r\nlines"\nBoss,1,x\n', "utf-8")
    assert _rows(path) == {2: "Agent", 5: "Lead", 6: "Head", 8: "Boss"}


def test_crlf_and_lone_cr_line_ends(tmp_path):
    path = tmp_path / "ends.csv"
    path.write_bytes(b"title,salary_text\r\nAgent,1\r\n\r\nLead,2\rHead,3\r")
    assert _rows(path) == {2: "Agent", 4: "Lead", 5: "Head"}


def test_a_row_of_empty_cells_is_a_row_not_a_blank_line(tmp_path):
    path = tmp_path / "commas.csv"
    path.write_text("title,salary_text\n,\nAgent,1\n", "utf-8")
    df = read_table(path)
    assert df.index.tolist() == [2, 3] and df["title"].isna().tolist() == [True, False]


def test_utf16_file_lines(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("title,salary_text\n\nAgent,1\n".encode("utf-16"))
    assert _rows(path) == {3: "Agent"}


def test_headerless_file_counts_from_line_one(tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_text("Agent,1\n\nLead,2\n", "utf-8")
    assert _rows(path, columns=["title", "salary_text"]) == {1: "Agent", 3: "Lead"}


def test_repeated_header_and_duplicates_name_file_lines(tmp_path):
    path = tmp_path / "concat.csv"
    head = "title,salary_text,city,country\n"
    row = "Customer Service Advisor,£2000 per month,London,GB\n"
    path.write_text(head + row + "\n" + head + row, "utf-8")  # lines 1 2 3(blank) 4 5
    res = clean_survey(read_table(path), source="c", year=2024)
    assert res.rejects[["source_row", "reason"]].values.tolist() == [[4, "repeated_header"]]
    assert res.table["source_row"].tolist() == [2, 5]
    assert res.table["duplicate_of"].tolist()[1] == 2


def test_xlsx_sheet_rows_with_blank_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "gaps.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A2"], ws["B2"] = "title", "salary_text"  # header on sheet row 2
    ws["A3"], ws["B3"] = "Agent", "£2000 per month"
    ws["A6"], ws["B6"] = "Lead", "£2500 per month"  # rows 4-5 empty
    ws["A8"] = None
    ws["A9"], ws["B9"] = "Head", "£3000 per month"
    wb.save(path)
    assert _rows(path) == {3: "Agent", 6: "Lead", 9: "Head"}


def test_json_lines_and_json_arrays(tmp_path):
    jl = tmp_path / "p.jsonl"
    jl.write_text('{"title": "Agent"}\n\n{"title": "Lead\\u2028x"}\n{"title": "Head"}\n', "utf-8")
    assert list(_rows(jl)) == [1, 3, 4]
    arr = tmp_path / "p.json"
    arr.write_text(json.dumps([{"title": "Agent"}, {"title": "Lead"}]), "utf-8")
    assert list(_rows(arr)) == [1, 2]


def test_a_filtered_frame_keeps_its_lines_and_a_concatenation_is_renumbered_loudly(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("title,salary_text\n\nAgent,£2000 per month\nLead,£2500 per month\n", "utf-8")
    df = read_table(path)
    res = clean_survey(df.iloc[1:], source="f", country="GB", year=2024)
    assert res.table["source_row"].tolist() == [4]
    both = clean_survey(pd.concat([df, df]), source="f", country="GB", year=2024)
    assert both.table["source_row"].tolist() == [1, 2, 3, 4]
    assert any("not the file's line" in w for w in both.manifest["warnings"])


def _csv_lines(text: str) -> list[int]:
    """Start line of every non-empty record after the header, by the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, done = [], 0
    for row in reader:
        if row:  # a blank line reads as []; every data record is quoted, so never empty
            out.append(done + 1)
        done = reader.line_num
    return out[1:]


cell = st.one_of(st.sampled_from(["", "a", "a b", "x\ny", "x\r\ny", "\n", "q\"q", "\n\n"]), st.text("ab\n ,", max_size=6))


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(cell, cell), max_size=12), blanks=st.lists(st.integers(0, 14), max_size=5),
       crlf=st.booleans())
def test_lines_agree_with_the_csv_module(tmp_path_factory, rows, blanks, crlf):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["title", "salary_text"])
    lines = buf.getvalue().splitlines(keepends=True)
    body = io.StringIO(newline="")
    w = csv.writer(body, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_ALL)
    records = []
    for r in rows:
        body.seek(0), body.truncate()
        w.writerow(r)
        records.append(body.getvalue())
    for b in sorted(blanks, reverse=True):
        records.insert(min(b, len(records)), "\r\n" if crlf else "\n")
    text = "".join(lines + records)
    path = tmp_path_factory.mktemp("p") / "h.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_table(path).index.tolist() == _csv_lines(text)

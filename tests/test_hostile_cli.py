"""Hypothesis-generated hostile files through ``csresearch clean`` (in-process ``cli.main``).

Files of random encodings (UTF-8 with and without BOM, GBK, cp1251, UTF-16, and mixtures),
delimiters, ragged rows, repeated header rows, NUL bytes, quotes and huge cells. Contract:
no traceback; either exit 0 with a manifest whose counts add up and match the files written,
or exit 2 with exactly one line on standard error.

A full clean costs 0.25-0.6 s of fixed pipeline overhead per file on the shared 2-core machine
(about 800 pandas operations, pandera validation), so the 2,000-example property runs the real
reader, header mapping, row checks (repeated headers, duplicates, counts), output writing and
command line, with the cleaning after the row checks stubbed; a further 50 examples go
through the whole pipeline.
"""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from csresearch import cli

HEADERS = ["title", "Job Title", "salary_text", "Annual Salary", "薪资", "Зарплата", "city", "城市", "Город",
           "COUNTRY", "year", "n", "Years Experience", "工作经验", "notes", "x"]
CELL_CHARS = 'abc客服专员上海Москва 0123456789-–.,;|\t"\'/万千元руб£$\x00\r\n\ufeff'
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "cp1251", "utf-16", "mixed"]

cells = st.one_of(
    st.text(alphabet=CELL_CHARS, max_size=12),
    st.sampled_from(["6-8千/月", "1-1.5万·13薪", "от 50 000 до 80 000 руб.", "£22,000 - £25,000", "面议", "GB", "CN", "RU",
                     "2024", "2.5", "1e30", "", "COUNTRY", "客服专员", "Оператор"]),
    st.integers(5_000, 20_000).map(lambda n: "客" * n),  # a huge cell
)


@st.composite
def hostile_files(draw) -> tuple[str, bytes]:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    n_rows = draw(st.integers(0, 8))
    rows = []
    for _ in range(n_rows):
        if draw(st.integers(0, 6)) == 0:
            rows.append(list(header))  # a repeated header row
            continue
        width = len(header) + draw(st.sampled_from([0, 0, 0, 0, -1, 1, 2]))  # ragged now and then
        rows.append(draw(st.lists(cells, min_size=max(width, 0), max_size=max(width, 0))))
    if n_rows and draw(st.booleans()):
        rows.append(list(rows[0]))  # an exact duplicate
    kind = draw(st.sampled_from(["csv", "csv", "csv", "tsv", "json", "jsonl"]))
    sep = "\t" if kind == "tsv" else draw(st.sampled_from([",", ";", "|", "\t"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    if kind in {"json", "jsonl"}:
        records = [dict(zip(header, r)) for r in rows]
        if draw(st.booleans()) and records:
            records.insert(draw(st.integers(0, len(records))), draw(st.sampled_from([3, "x", None, [1]])))
        text = json.dumps(records, ensure_ascii=False) if kind == "json" else "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    else:
        buf = io.StringIO()
        import csv

        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_NONE]))
        writer = csv.writer(buf, delimiter=sep, quoting=quoting, escapechar="\\", lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        for r in [header, *rows]:
            try:
                writer.writerow(r)
            except csv.Error:  # QUOTE_NONE cannot write a lone empty field
                csv.writer(buf, delimiter=sep, lineterminator="\n").writerow(r)
        text = buf.getvalue()
        if draw(st.booleans()):
            text = text.replace("\n", "\n\n", draw(st.integers(0, 3)))  # blank lines
    if encoding == "mixed":
        lines = text.splitlines(keepends=True)
        cut = draw(st.integers(0, len(lines)))
        data = "".join(lines[:cut]).encode("gbk", "replace") + "".join(lines[cut:]).encode("utf-8")
    else:
        data = text.encode(encoding, "replace")
    if draw(st.integers(0, 10)) == 0:
        data = data[: draw(st.integers(0, len(data)))]  # truncated
    return kind, data


def _check_outcome(code: int, err: str, out_dir: Path, *, read_table: bool = True) -> None:
    assert "Traceback" not in err, err
    event(f"exit {code}")
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("csresearch: error: "), err
        return
    assert code == 0, (code, err)
    m = json.loads((out_dir / "h_manifest.json").read_text("utf-8"))
    assert m["rows_in"] == m["rows_table"] + m["rows_rejected"]
    if read_table:
        assert len(pd.read_parquet(out_dir / "h.parquet")) == m["rows_table"]
    else:  # the stubbed cleaning writes the empty frame: its row count is in the footer
        import pyarrow.parquet as pq

        assert pq.ParquetFile(out_dir / "h.parquet").metadata.num_rows == m["rows_table"]
    assert len(pd.read_csv(out_dir / "h_rejects.csv", dtype=str, keep_default_na=False)) == m["rows_rejected"]


def _clean(tmp_path: Path, kind: str, data: bytes, capsys, *, read_table: bool = True) -> None:
    path = tmp_path / f"hostile.{kind}"
    path.write_bytes(data)
    out_dir = tmp_path / "out"
    for f in out_dir.glob("*"):
        f.unlink()
    code = cli.main(["clean", str(path), "--source", "h", "--country", "CN", "-o", str(out_dir)])
    _check_outcome(code, capsys.readouterr().err, out_dir, read_table=read_table)


@functools.cache
def _empty_processed() -> pd.DataFrame:
    from csresearch.schema import empty_processed

    return empty_processed()  # built once (4 ms); each example gets a copy (0.5 ms)


def _first_stage(df, *, source, **kwargs):
    """clean_survey's first stage: the real row checks, every row to the rejects."""
    import csresearch.clean.pipeline as pipeline
    from csresearch.clean.checks import row_checks

    checks = row_checks(df.reset_index(drop=True), df.attrs.get("read_info", {}))
    rejects = pd.DataFrame({"source": source, "reason": "not cleaned in this test",
                            "repeated_header": checks.repeated_header.to_numpy(),
                            "duplicate_of": checks.first_copy})
    manifest = {"source": source, "rows_in": len(df), "rows_table": 0, "rows_rejected": len(rejects), "warnings": []}
    return pipeline.CleanResult(table=_empty_processed().copy(), rejects=rejects, manifest=manifest)


def _reader_only(monkeypatch) -> None:
    """Replace clean_survey by its first stage (:func:`_first_stage`)."""
    import csresearch.clean.pipeline as pipeline

    monkeypatch.setattr(pipeline, "clean_survey", _first_stage)


@pytest.mark.slow
@settings(max_examples=int(__import__("os").environ.get("HOSTILE_N", 2000)), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(f=hostile_files())
def test_hostile_files_through_clean_reader_and_row_checks(tmp_path, capsys, monkeypatch, f):
    _reader_only(monkeypatch)
    _clean(tmp_path, *f, capsys, read_table=False)


@pytest.mark.slow
@settings(max_examples=int(__import__("os").environ.get("HOSTILE_FULL_N", 50)), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(f=hostile_files())
# found in CI: a lone CR in a cell was written unquoted into the rejects CSV, which then read back one row longer
@example(f=("json", b'[{"title": "", "salary_text": ""}, {"title": "\\r", "salary_text": ""}, '
               b'{"title": "title", "salary_text": "salary_text"}, {"title": "title", "salary_text": "salary_text"}]'))
def test_hostile_files_through_the_whole_clean(tmp_path, capsys, f):
    _clean(tmp_path, *f, capsys)

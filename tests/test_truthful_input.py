"""The analyst's own file (issue 17): every problem said out loud, nothing quietly wrong, no traceback.

Each test is a case that was quietly wrong, crashed, or exhausted resources before the fix:
it reads a small file made here and checks the error line, the reject or the summary warning.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from csresearch import cli
from csresearch.clean.pipeline import clean_survey
from csresearch.errors import ColumnMappingError, InputFileError
from csresearch.headers import canonical_name
from csresearch.io import read_table

EN = "Job Title,Annual Salary,Location\nCustomer Service Advisor,45000,London\nTeam Leader,52000,Leeds\n"


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, err: str, *words: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("csresearch: error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w.lower() in lines[0].lower(), (w, lines[0])
    return lines[0]


# ------------------------------------------------------------------ mapping and the summary


def test_a_mistyped_columns_target_is_an_error_naming_the_closest_name(tmp_path, capsys):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    with pytest.raises(ColumnMappingError, match=r"columns= target.*'salary'.*did you mean 'salary_text'.*allowed: city"):
        read_table(path, columns={"Annual Salary": "salary"})
    code, _, err = _run(["clean", path, "--source", "s", "--columns", "Annual Salary=salary", "-o", tmp_path / "o"], capsys)
    line = _one_line_error(code, err, "--columns", "salary_text")
    assert "columns=" not in line  # the command-line user's words, not Python's


def test_a_misspelt_name_for_a_headerless_file_is_an_error_but_own_names_are_kept(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Agent,5000,x\n", "utf-8")
    with pytest.raises(ColumnMappingError, match="did you mean 'salary_text'"):
        read_table(path, columns=["title", "salry_text", None])
    assert list(read_table(path, columns=["title", "salary_text", "welfare"]).columns) == ["title", "salary_text", "welfare"]


def test_summary_names_mapped_and_unmapped_columns_and_the_missing_year(tmp_path, capsys):
    path = tmp_path / "en.csv"
    path.write_text("Job Title,Annual Salary,Location,Shift\nAgent,45000,London,day\nLead,52000,Leeds,night\n", "utf-8")
    code, out, _ = _run(["clean", path, "--source", "s", "--country", "GB", "-o", tmp_path / "o"], capsys)
    assert code == 0
    assert "'Annual Salary' -> salary_text" in out and "not mapped" in out and "'Shift'" in out
    assert "have no year" in out and "--year" in out
    manifest = json.loads((tmp_path / "o" / "s_manifest.json").read_text("utf-8"))
    assert any("no year" in w for w in manifest["warnings"])
    assert manifest["sources"][0]["rows_without_year"] == 2
    # --strict: a warning is a failing exit, for CI
    code, _, err = _run(["clean", path, "--source", "s", "--country", "GB", "-o", tmp_path / "o", "--strict"], capsys)
    assert code == 1 and "--strict" in err
    code, out, _ = _run(["clean", path, "--source", "s", "--country", "GB", "--year", "2024", "-o", tmp_path / "o", "--strict"], capsys)
    assert code == 0 and "warning" not in out


def test_an_annual_salary_header_makes_bare_amounts_annual(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    df = read_table(path)
    assert df.attrs["read_info"]["period_from_header"] == "year"
    res = clean_survey(df, source="s", country="GB", year=2024)
    assert res.table["period"].tolist() == ["year", "year"]
    assert res.table["annual_mid"].tolist() == [45000.0, 52000.0]


# ------------------------------------------------------------------ readers


def test_a_ragged_first_row_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("title,salary_text,city\n客服专员,4.5-6千/月,上海,多余\n客服,5000元,深圳\n", "utf-8")
    with pytest.raises(InputFileError, match=r"ragged\.csv: ragged rows.*line 2"):
        read_table(path)


@pytest.mark.parametrize("legacy,text,utf8_line", [
    ("gbk", "职位名称,薪资,城市\n客服专员,6-8千/月,上海\n客服主管,1-1.5万,北京\n", "售后客服,5千/月,杭州\n"),
    ("cp1251", "Должность;Зарплата;Город\nОператор;от 50 000 руб.;Москва\nСтарший оператор;60 000 руб.;Казань\n",
     "Специалист;45 000 руб.;Самара\n"),
])
def test_a_legacy_file_with_one_utf8_line_is_an_error_naming_the_line(tmp_path, legacy, text, utf8_line):
    path = tmp_path / f"{legacy}.csv"
    path.write_bytes(text.encode(legacy) + utf8_line.encode("utf-8") + text.splitlines()[1].encode(legacy) + b"\n")
    with pytest.raises(InputFileError, match=r"mixed encoding.*line 4 is UTF-8"):
        read_table(path)
    path.write_bytes(text.encode(legacy))  # the same file in one encoding reads
    assert len(read_table(path)) == 2


def _workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)  # openpyxl stores formulas without a computed value, as many generators do


def test_formula_cells_without_a_saved_value_and_other_sheets_are_reported(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    _workbook(path, {"pay": [["title", "salary_text", "base"], ["客服专员", "=C2*2", 3000], ["客服主管", "8000", 4000]],
                     "notes": [["x"], [1]], "old": [["y"]]})
    info = read_table(path).attrs["read_info"]
    assert info["sheets_not_read"] == ["notes", "old"]
    assert info["formulas_without_value"] == {"count": 1, "cells": ["B2"]}
    code, out, _ = _run(["clean", path, "--source", "b", "--country", "CN", "--year", "2024", "-o", tmp_path / "o"], capsys)
    assert code == 0
    assert "sheets not read: notes, old" in out and "1 formula cells have no saved value (e.g. B2)" in out


def test_a_repeated_header_row_is_a_reject_with_its_row_not_a_crash(tmp_path):
    path = tmp_path / "concat.csv"
    rows = "TITLE,SALARY,CITY,COUNTRY\nCustomer Service Advisor,£2000 per month,London,GB\n"
    path.write_text(rows + rows.splitlines()[0] + "\n" + "Support Agent,£2100 per month,Leeds,GB\n", "utf-8")
    res = clean_survey(read_table(path), source="c", year=2024)
    assert res.manifest["rows_in"] == 3 and res.manifest["rows_table"] == 2
    rej = res.rejects
    assert rej["reason"].tolist() == ["repeated_header"] and rej["source_row"].tolist() == [3]  # its line
    assert any("repeat the header" in w for w in res.manifest["warnings"])


def test_exact_duplicate_rows_are_flagged_not_dropped(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text("title,salary_text,city\n客服专员,6-8千/月,上海\n客服主管,1万/月,北京\n客服专员,6-8千/月,上海\n"
                    "客服专员,6-8千/月,杭州\n客服专员,6-8千/月,上海\n", "utf-8")
    res = clean_survey(read_table(path), source="d", country="CN", year=2024)
    assert len(res.table) == 5
    assert res.table["duplicate_of"].tolist() == [pd.NA, pd.NA, 2, pd.NA, 2]  # the line of the first copy
    assert res.manifest["duplicate_rows"] == 2


def test_a_folder_input_cleans_every_readable_file_and_says_which_were_not(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text(EN, "utf-8")
    (folder / "b.csv").write_text(EN.replace("London", "York"), "utf-8")
    (folder / "broken.csv").write_bytes(b"")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    with pytest.raises(InputFileError, match="is a folder"):
        read_table(folder)
    code, out, _ = _run(["clean", folder, "--source", "x", "--country", "GB", "--year", "2024", "-o", tmp_path / "o"], capsys)
    assert code == 0
    assert "4 rows in: 4 to the table" in out
    assert "broken.csv (file is empty)" in out and "logo.png (type .png is not read)" in out
    manifest = json.loads((tmp_path / "o" / "x_manifest.json").read_text("utf-8"))
    assert len(manifest["files_not_read"]) == 2


HEADER_ALIASES = {
    "title": ["Job Title", "Position", "Job Role", "Occupation", "Должность", "Название вакансии", "职位名称", "岗位"],
    "salary_text": ["Annual Salary", "Salary", "Base Salary", "Monthly Salary", "Hourly Rate", "Total Compensation",
                    "Зарплата", "Заработная плата", "Годовой доход", "薪资", "月薪", "年薪", "工资"],
    "experience_text": ["Years Experience", "Years of Experience", "Experience (years)", "Опыт работы", "Стаж работы",
                        "工作经验", "工作年限"],
    "city": ["Location", "Job Location", "Work Location", "City", "Город", "Место работы", "城市", "工作地点"],
    "education_text": ["Education", "Highest Education", "Образование", "学历", "最高学历"],
    "company": ["Company Name", "Employer", "Работодатель", "公司名称"],
}


@pytest.mark.parametrize("canonical,header", [(c, h) for c, hs in HEADER_ALIASES.items() for h in hs])
def test_common_survey_headers_map_to_their_column(canonical, header):
    assert canonical_name(header) == canonical
    assert canonical_name(header.upper().replace(" ", "_")) == canonical


@pytest.mark.parametrize("header", ["Comments", "Notes", "Remarks", "备注", "Комментарий"])
def test_respondent_comments_are_not_read_as_job_descriptions(header):
    # a description decides the role; a free-text comment must not, so it stays unmapped
    assert canonical_name(header) is None
    assert canonical_name("Job Description") == "description"


def test_clean_help_lists_the_target_names(capsys):
    with pytest.raises(SystemExit):
        cli.main(["clean", "--help"])
    out = capsys.readouterr().out
    assert "--columns targets" in out and "salary_text" in out and "experience_text" in out


# ------------------------------------------------------------------ limits


def test_workbook_bigger_than_the_xml_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "big.xlsx"
    _workbook(path, {"s": [["title", "salary_text"], *[["客服专员", "6000"]] * 200]})
    monkeypatch.setenv("CSRESEARCH_MAX_XLSX_BYTES", "4000")
    with pytest.raises(InputFileError, match=r"big\.xlsx: the workbook expands to.*CSRESEARCH_MAX_XLSX_BYTES"):
        read_table(path)
    monkeypatch.setenv("CSRESEARCH_MAX_XLSX_BYTES", str(10**8))
    monkeypatch.setenv("CSRESEARCH_MAX_CELLS", "100")
    with pytest.raises(InputFileError, match=r"more than 100 cells.*CSRESEARCH_MAX_CELLS"):
        read_table(path)
    monkeypatch.delenv("CSRESEARCH_MAX_CELLS")
    assert len(read_table(path)) == 200


def test_a_workbook_whose_dimension_lies_is_read_by_its_real_size(tmp_path):
    path = tmp_path / "dim.xlsx"
    _workbook(path, {"s": [["title", "salary_text"], ["客服专员", "6000"]]})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    assert read_table(path).shape == (1, 2)


def test_a_header_wider_than_the_column_limit_is_an_error(tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(50)) + "\n" + ",".join("1" * 50) + "\n", "utf-8")
    monkeypatch.setenv("CSRESEARCH_MAX_COLUMNS", "20")
    with pytest.raises(InputFileError, match=r"50 columns, more than the limit of 20.*CSRESEARCH_MAX_COLUMNS"):
        read_table(path)


def test_read_info_is_shared_not_deep_copied_by_pandas(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    df = read_table(path)
    info = df.attrs["read_info"]
    assert df.copy(deep=True).attrs["read_info"] is info
    assert df[["title"]].attrs["read_info"] is info and copy.deepcopy(info) is info


# ------------------------------------------------------------------ one error line


@pytest.mark.parametrize("name,data,words", [
    ("mixed.json", '[{"title": "客服", "salary_text": "5000"}, 3, "x"]', ["mixes records", "item 2"]),
    ("scalars.json", "[1, 2, 3]", ["not of records"]),
    ("deep.json", "[" * 100_000 + "]" * 100_000, ["nested too deeply"]),
    ("number.json", "42", ["single int"]),
])
def test_json_that_is_not_a_table_is_one_error_line(tmp_path, capsys, name, data, words):
    path = tmp_path / name
    path.write_text(data, "utf-8")
    with pytest.raises(InputFileError):
        read_table(path)
    code, _, err = _run(["clean", path, "--source", "j", "-o", tmp_path / "o"], capsys)
    _one_line_error(code, err, name, *words)


def test_bad_respondent_counts_are_rejects_not_a_crash():
    raw = pd.DataFrame({"title": ["客服专员"] * 4, "salary_text": ["6000元/月"] * 4, "n_respondents": ["12", "2.5", "1e30", "0"]},
                       dtype="str")
    res = clean_survey(raw, source="agg", country="CN", year=2024, aggregate=True)
    assert res.table["n_respondents"].tolist() == [12]
    assert res.rejects["reason"].tolist() == ["n_respondents_invalid"] * 3
    assert res.rejects["detail"].tolist() == ["n_respondents 2.5", "n_respondents 1e30", "n_respondents 0"]


def test_an_output_folder_that_cannot_be_made_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    for out in [blocker, blocker / "sub"]:
        code, _, err = _run(["clean", path, "--source", "s", "--country", "GB", "--year", "2024", "-o", out], capsys)
        _one_line_error(code, err, "taken")


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root ignores folder permissions")
def test_a_read_only_output_folder_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, _, err = _run(["clean", path, "--source", "s", "--country", "GB", "--year", "2024", "-o", ro], capsys)
        _one_line_error(code, err, "permission")
    finally:
        ro.chmod(0o700)


def test_a_columns_file_with_a_python_tag_is_refused_without_running_it(tmp_path, capsys):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    marker = tmp_path / "ran"
    spec = tmp_path / "cols.yaml"
    spec.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n", "utf-8")
    code, _, err = _run(["clean", path, "--source", "s", "--columns", spec, "-o", tmp_path / "o"], capsys)
    _one_line_error(code, err, "cols.yaml", "not a valid yaml")
    assert not marker.exists()
    spec.write_text("- [nested, list]\n", "utf-8")
    code, _, err = _run(["clean", path, "--source", "s", "--columns", spec, "-o", tmp_path / "o"], capsys)
    _one_line_error(code, err, "cols.yaml", "mapping")


def test_an_unexpected_failure_is_one_line_with_exit_3(tmp_path, capsys, monkeypatch):
    path = tmp_path / "en.csv"
    path.write_text(EN, "utf-8")
    import csresearch.clean.pipeline as pipeline

    def boom(*a, **k):
        raise KeyError("surprise")

    monkeypatch.setattr(pipeline, "clean_survey", boom)
    code, _, err = _run(["clean", path, "--source", "s", "-o", tmp_path / "o"], capsys)
    assert code == 3 and len(err.strip().splitlines()) == 1 and "internal error: KeyError" in err


# ------------------------------------------------------------------ start fast


def test_the_command_line_module_imports_no_heavy_library():
    code = ("import sys, csresearch.cli; csresearch.cli.make_parser(); "
            "print(sorted(m for m in ('pandas', 'numpy', 'statsmodels', 'matplotlib', 'sklearn', 'dask') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == "[]"

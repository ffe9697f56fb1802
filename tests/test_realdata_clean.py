"""Real third-party files go through `csresearch clean` with every row accounted for.

The files live in ../shared/realdata/ (never copied here); the tests skip when it is absent.
Raw row counts and lines are taken independently of csresearch (openpyxl / csv module), so the accounting
check does not trust the reader it checks.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from csresearch.cli import main

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not present"),
]

JOB51 = "url,title,company,welfare,salary_text,description,city,company_type,company_size,industry,date"

# (file, csresearch clean arguments)
CASES = {
    "cn_51job_xlsx": ("cn_51job_shanghai_2020/qianchengwuyou.xlsx",
                      ["--country", "CN", "--year", "2020", "--default-period", "month", "--columns", JOB51]),
    "cn_51job_csv": ("cn_51job_shanghai_2020/qianchengwuyou_all.csv",
                     ["--country", "CN", "--year", "2020", "--default-period", "month", "--columns", JOB51]),
    "ru_hh_api": ("ru_hh_api_5cities_2026/hh_vacancies.csv", ["--country", "RU", "--year", "2025"]),
    "ru_hh_strings": ("ru_hh_salary_strings_2023/vacancies.csv", ["--country", "RU", "--year", "2023"]),
    "ru_urfu_api": ("ru_hh_urfu_it_2022/hh_ru.csv", ["--country", "RU", "--year", "2022", "--columns", "name=title"]),
    "ru_urfu_vac": ("ru_hh_urfu_it_2022/vacancies.csv", ["--country", "RU", "--year", "2022", "--columns", "name=title"]),
    "ru_superjob": ("ru_superjob_it_2018/vacancies.csv", ["--country", "RU", "--year", "2018", "--columns", "name=title"]),
    "gb_adzuna": ("en_adzuna_uk_2013_subset/Train_rev1.csv", ["--country", "GB", "--year", "2013"]),
    "hr_ibm": ("hr_ibm_attrition_fictional/WA_Fn-UseC_-HR-Employee-Attrition.csv",
               ["--country", "US", "--year", "2017", "--currency", "USD", "--default-period", "month",
                "--columns", "JobRole=title,MonthlyIncome=salary_text"]),
}


def _raw_lines(path: Path) -> list[int]:
    """The line (sheet row) of every raw data row, found with the csv module / openpyxl."""
    if path.suffix == ".xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(path, read_only=True).active
        lines = [i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if any(v is not None for v in row)]
    else:
        lines, done = [], 0
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            for row in reader:  # a record starts on the line after the previous one ended
                if row:
                    lines.append(done + 1)
                done = reader.line_num
    return lines if "qianchengwuyou" in path.name else lines[1:]  # header


@pytest.mark.parametrize("case", sorted(CASES))
def test_clean_accounts_for_every_raw_row(case, tmp_path, capsys):
    rel, args = CASES[case]
    path = REALDATA / rel
    if not path.is_file():
        pytest.skip(f"{rel} not present")
    assert main(["clean", str(path), "--source", case, "-o", str(tmp_path), *args]) == 0
    manifest = json.loads((tmp_path / f"{case}_manifest.json").read_text("utf-8"))
    table = pd.read_parquet(tmp_path / f"{case}.parquet")
    rejects = pd.read_csv(tmp_path / f"{case}_rejects.csv", dtype=str, keep_default_na=False)
    lines = _raw_lines(path)
    n = len(lines)
    assert manifest["rows_in"] == n
    assert len(table) + len(rejects) == n
    assert manifest["rows_table"] == len(table) and manifest["rows_rejected"] == len(rejects)
    # source_row is the file's line (sheet row) of each row, lines inside quoted cells counted
    assert sorted(table["source_row"].tolist() + rejects["source_row"].astype(int).tolist()) == lines
    assert "rows in" in capsys.readouterr().out


def test_51job_keeps_most_rows_and_leaks_no_phone_numbers(tmp_path):
    rel, args = CASES["cn_51job_csv"]
    path = REALDATA / rel
    main(["clean", str(path), "--source", "job51", "-o", str(tmp_path), *args])
    table = pd.read_parquet(tmp_path / "job51.parquet")
    rejects = pd.read_csv(tmp_path / "job51_rejects.csv", dtype=str, keep_default_na=False)
    assert len(table) >= 0.95 * 1603
    everything = pd.concat([table.astype("str"), rejects.astype("str")], axis=0).to_csv()
    assert not re.search(r"(?<![\d.])1[3-9]\d{9}(?![\d.])", everything)
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", everything)
    cs = table[table["is_customer_service"]]
    assert len(cs) > 100 and (cs["city"] == "Shanghai").mean() > 0.95


def test_file_without_title_or_pay_is_a_clear_error(tmp_path, capsys):
    path = REALDATA / "hr_wns_promotion_2018" / "train_LZdllcl.csv"
    if not path.is_file():
        pytest.skip("WNS file not present")
    assert main(["clean", str(path), "--source", "wns", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no column maps to title or salary_text" in err and "employee_id" in err

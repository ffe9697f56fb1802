#!/usr/bin/env python
"""Rebuild ``data/raw/ons_ashe_2024_cs_table14.csv`` from the published ONS ASHE workbooks.

The extract holds the UK Office for National Statistics' Annual Survey of Hours and
Earnings (ASHE) 2024 provisional results, Table 14 (occupation by 4-digit SOC 2020,
United Kingdom), for the customer-service rows of SOC 2020 sub-major group 72 and the
all-employees row, from three workbooks:

* Table 14.1a  Weekly pay - Gross
* Table 14.5a  Hourly pay - Gross
* Table 14.7a  Annual pay - Gross

every sheet (All, Male, Female, Full-Time, Part-Time and their crossings), one row per
workbook x sheet x SOC code. Cells are written exactly as ONS publishes them,
including its markers: ``x`` (CV > 20%, unreliable, suppressed), ``..`` (disclosive,
suppressed), ``:`` (not applicable), ``-`` (nil or negligible); an empty cell is one ONS
left blank (an annual change next to a suppressed level).

Where the numbers come from
---------------------------
ONS publishes the tables as ``ashetable142024provisional.zip`` at
https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/earningsandworkinghours/datasets/occupation4digitsoc2010ashetable14
(Open Government Licence v3.0). Pass either that zip or a folder holding the three
``PROV - Occupation SOC20 (4) Table 14.xa ... 2024.xlsx`` files; the copies used for the
shipped extract are in the public repository PMOLDN/ukjobs, commit
521199b3adc8b26bc3878d3765707001dbc5a353, folder ``Data/Raw/pay/ashetable142024provisional/``
(SHA-256 of each workbook in ``WORKBOOKS``).

Usage
-----
    python scripts/build_ashe_extract.py SOURCE [-o data/raw/ons_ashe_2024_cs_table14.csv]

Examples
--------
    git --git-dir /path/to/ukjobs.git archive 521199b3 Data/Raw/pay/ashetable142024provisional | tar -x -C /tmp/ashe
    python scripts/build_ashe_extract.py /tmp/ashe/Data/Raw/pay/ashetable142024provisional
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import cell as _cell, check_sha256, run_extract  # noqa: E402  (a sibling script module, not a package)

YEAR = 2024
RELEASE = "ASHE 2024 provisional, Table 14"
PREFIX = "PROV - Occupation SOC20 (4) Table "
#: workbook name -> (measure, period, SHA-256 of the copy the shipped extract was built from)
WORKBOOKS = {
    f"{PREFIX}14.1a   Weekly pay - Gross {YEAR}.xlsx": (
        "weekly_pay_gross", "week", "1fced406f573f73fca1df38594fbc14ce24ea3573d9d8e9aa7dd1a11e96fd77c"),
    f"{PREFIX}14.5a   Hourly pay - Gross {YEAR}.xlsx": (
        "hourly_pay_gross", "hour", "e650018d7cf41fbf150479775eb4c8c68f92051c81b662c87135a8889b23201b"),
    f"{PREFIX}14.7a   Annual pay - Gross {YEAR}.xlsx": (
        "annual_pay_gross", "year", "3c1c728aa286d24e6b31f5263cd94b5aec437141660f57fe49d563b3e40b010b"),
}
SHEETS = ["All", "Male", "Female", "Full-Time", "Part-Time", "Male Full-Time", "Male Part-Time",
          "Female Full-Time", "Female Part-Time"]
# Header row (row 5 of each sheet) as ONS prints it -> extract column.
HEADER = ["Description", "Code", "(thousand)", "Median", "change", "Mean", "change",
          10, 20, 25, 30, 40, 60, 70, 75, 80, 90]
VALUE_COLUMNS = ["jobs_thousand", "median", "median_change_pct", "mean", "mean_change_pct",
                 "p10", "p20", "p25", "p30", "p40", "p60", "p70", "p75", "p80", "p90"]
COLUMNS = ["table", "measure", "period", "sheet", "soc2020_code", "description", *VALUE_COLUMNS, "release"]


class SourceError(RuntimeError):
    """A workbook is missing or is not the ONS table this script expects."""


def wanted_code(code: str) -> bool:
    """Customer-service rows: SOC 2020 sub-major group 72 and everything under it, plus all employees."""
    return code == "" or code.startswith("72")


def _open_workbooks(source: Path) -> dict[str, bytes]:
    if source.is_dir():
        found = {name: (source / name) for name in WORKBOOKS}
        missing = [n for n, p in found.items() if not p.is_file()]
        if missing:
            raise SourceError(f"{source}: missing {missing}")
        return {name: p.read_bytes() for name, p in found.items()}
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as zf:
            by_base = {Path(n).name: n for n in zf.namelist()}
            missing = [n for n in WORKBOOKS if n not in by_base]
            if missing:
                raise SourceError(f"{source}: zip lacks {missing}")
            return {name: zf.read(by_base[name]) for name in WORKBOOKS}
    raise SourceError(f"{source}: pass the ONS zip or a folder of the Table 14 workbooks")


def read_rows(blobs: dict[str, bytes], *, check_sha: bool = True) -> list[dict[str, str]]:
    """Parse the three workbooks into extract rows (published strings, no re-rounding)."""
    from openpyxl import load_workbook

    rows = []
    for name, (measure, period, sha) in WORKBOOKS.items():
        if check_sha:
            check_sha256(name, blobs[name], sha, SourceError)
        wb = load_workbook(io.BytesIO(blobs[name]), read_only=True, data_only=True)
        table = name[len(PREFIX):].split()[0]
        for sheet in SHEETS:
            cells = list(wb[sheet].iter_rows(values_only=True))
            header = list(cells[4][:len(HEADER)])
            if header != HEADER:
                raise SourceError(f"{name} [{sheet}]: header {header} is not the Table 14 layout")
            for r in cells[5:]:
                if r[0] is None:
                    continue
                code = _cell(r[1])
                if not wanted_code(code):
                    continue
                row = dict(table=table, measure=measure, period=period, sheet=sheet, soc2020_code=code,
                           description=_cell(r[0]), release=RELEASE)
                row.update(zip(VALUE_COLUMNS, (_cell(v) for v in r[2:len(HEADER)])))
                rows.append(row)
        wb.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="ashetable142024provisional.zip or a folder of its workbooks",
                       out_name="ons_ashe_2024_cs_table14.csv", columns=COLUMNS, release=RELEASE,
                       read=lambda src, check: read_rows(_open_workbooks(src), check_sha=check),
                       errors=(SourceError, zipfile.BadZipFile, KeyError))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Rebuild ``data/raw/rosstat_zpl_regions_2018_2023.csv`` from Rosstat's regional wage table.

The extract holds Rosstat's (Federal State Statistics Service) table ``tab4-zpl_2023.xlsx``,
"Среднемесячная номинальная начисленная заработная плата работников по субъектам Российской
Федерации" (average monthly nominal accrued wages of employees of organisations, by federal
subject), sheet "с 2018", years 2018-2023: one row per printed row (Russian Federation, the
federal districts, the federal subjects, and the parts of Arkhangelsk and Tyumen oblasts that
Rosstat prints) x year, roubles a month, every cell as printed (outer spaces stripped). **All
employees, not customer service**: Rosstat publishes no occupation here. The sheet's footnotes
are kept in the ``sheet_notes`` column of every row (this copy has lost their markers, so which
cells they refer to cannot be read from it).

Where the numbers come from
---------------------------
Rosstat publishes the file on https://rosstat.gov.ru/labor_market_employment_salaries
(``https://rosstat.gov.ru/storage/mediabank/tab4-zpl_2023.xlsx``). The copy used is the one in
the public repository koomytcevaav18/advanced_python_project, commit
76c2a525b8010f8b5da622325a61bc6dcc050e22, file ``tab4-zpl_2023.xlsx`` (SHA-256 in ``SHA256``).
That copy was re-saved by the repository's author (docProps: created by Rosstat staff
2015-02-25, last modified 2024-04-06 in R7-Office); its single sheet has no title row, so the
layout, not necessarily the numbers, differs from Rosstat's download.

Usage
-----
    python scripts/build_rosstat_regions_extract.py tab4-zpl_2023.xlsx [-o OUT]

Examples
--------
    git --git-dir /path/to/advanced_python_project.git show \\
        76c2a525b8010f8b5da622325a61bc6dcc050e22:tab4-zpl_2023.xlsx > /tmp/tab4-zpl_2023.xlsx
    python scripts/build_rosstat_regions_extract.py /tmp/tab4-zpl_2023.xlsx
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import run_extract, sheet_cells  # noqa: E402  (a sibling script module, not a package)

RELEASE = "Rosstat tab4-zpl_2023.xlsx (copy: koomytcevaav18/advanced_python_project@76c2a525)"
SHA256 = "5279723cfa93c5b3c1c35f0624c66a84ba7442b1e719f0a290d28cee4dfe46ce"
SHEET = "с 2018"
HEADER = ("Регион", "2018 год", "2019 год", "2020 год", "2021 год", "2022 год", "2023 год")
COLUMNS = ["table", "sheet_row", "region", "year", "wage_rub_month", "sheet_notes", "release"]
_FOOTNOTE = re.compile(r"^\d\)\s")


class SourceError(RuntimeError):
    """The workbook is missing or is not the Rosstat table this script expects."""


def read_rows(source: Path, *, check_sha: bool = True) -> list[dict[str, str]]:
    """Parse the sheet into extract rows (published strings, no re-rounding)."""
    cells = sheet_cells(source, SHA256 if check_sha else None, SourceError, sheets=[SHEET], sheet=SHEET)
    if cells[0][:7] != HEADER:
        raise SourceError(f"{source.name}: header {cells[0][:7]} is not {HEADER}")
    years = [h.split()[0] for h in HEADER[1:]]
    notes = " ".join(r[0] for r in cells if r and _FOOTNOTE.match(r[0]))
    rows = []
    for i, r in enumerate(cells[1:], start=2):
        label, values = r[0], r[1:7]
        if not label or _FOOTNOTE.match(label):
            continue
        if not any(values):  # a heading such as "в том числе:" holds no cell
            continue
        for year, value in zip(years, values):
            rows.append(dict(table="tab4-zpl_2023", sheet_row=str(i), region=label, year=year, wage_rub_month=value,
                             sheet_notes=notes, release=RELEASE))
    if not rows or rows[0]["region"] != "Российская Федерация":
        raise SourceError(f"{source.name}: the first data row is not Российская Федерация")
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="Rosstat's tab4-zpl_2023.xlsx",
                       out_name="rosstat_zpl_regions_2018_2023.csv", columns=COLUMNS, release=RELEASE,
                       read=lambda src, check: read_rows(src, check_sha=check), errors=(SourceError, KeyError, OSError))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Rebuild ``data/raw/rosstat_zpl_sectors_2017_2023.csv`` from Rosstat's wage table by economic activity.

The extract holds Rosstat's table ``tab3-zpl_2023.xlsx``, "Среднемесячная номинальная начисленная
заработная плата работников по полному кругу организаций по видам экономической деятельности в
Российской Федерации" (average monthly nominal accrued wages, full range of organisations, by
economic activity, Russia), sheet "с 2017 г." (OKVED 2 activities, 2017-2023): one row per printed
activity row x year, roubles a month, every cell as printed (outer spaces stripped). Heading rows
with no cells ("в том числе:", "из них:") are left out. The sheet "2000-2016 гг." (OKVED-2007, a
different classification) is not extracted. **Industries, not occupations**: "деятельность
административная и сопутствующие дополнительные услуги" (OKVED 2 section N) is the activity that
holds call centres (82.20), among much else. Rosstat's indentation of sub-activities is not
consistent in the sheet, so the extract keeps the printed order (``sheet_row``), not a hierarchy.

Where the numbers come from
---------------------------
Rosstat publishes the file on https://rosstat.gov.ru/labor_market_employment_salaries
(``https://rosstat.gov.ru/storage/mediabank/tab3-zpl_2023.xlsx``). The copy used is in the public
repository InnaBoby/HSE_bootcamp_Start_DS, commit 9cdaeace7f65d308b4e82273b03752480de51515, file
``tab3-zpl_2023.xlsx`` (SHA-256 in ``SHA256``); a second, independently re-saved copy
(conscienceofinternalcombustion/DataScience-Final-Project@26f63532) has the same 54 rows and values.

Usage
-----
    python scripts/build_rosstat_sectors_extract.py tab3-zpl_2023.xlsx [-o OUT]

Examples
--------
    git --git-dir /path/to/HSE_bootcamp_Start_DS.git show \\
        9cdaeace7f65d308b4e82273b03752480de51515:tab3-zpl_2023.xlsx > /tmp/tab3-zpl_2023.xlsx
    python scripts/build_rosstat_sectors_extract.py /tmp/tab3-zpl_2023.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import run_extract, sheet_cells  # noqa: E402  (a sibling script module, not a package)

RELEASE = "Rosstat tab3-zpl_2023.xlsx (copy: InnaBoby/HSE_bootcamp_Start_DS@9cdaeace)"
SHA256 = "1f161a22a30f1b60bc6a251c7646d7ba9c17cdae463e4c19f599c824e02e9977"
SHEETS = ["с 2017 г.", "2000-2016 гг."]
YEARS = ("2017", "2018", "2019", "2020", "2021", "2022", "2023")
COLUMNS = ["table", "sheet_row", "activity", "year", "wage_rub_month", "release"]


class SourceError(RuntimeError):
    """The workbook is missing or is not the Rosstat table this script expects."""


def read_rows(source: Path, *, check_sha: bool = True) -> list[dict[str, str]]:
    """Parse the OKVED 2 sheet into extract rows (published strings, no re-rounding)."""
    cells = sheet_cells(source, SHA256 if check_sha else None, SourceError, sheets=SHEETS, sheet=SHEETS[0])
    if cells[0][1:8] != YEARS:
        raise SourceError(f"{source.name}: year header {cells[0][1:8]} is not {YEARS}")
    rows = []
    for i, r in enumerate(cells[1:], start=2):
        label, values = (r[0] if r else ""), r[1:8]
        if not label or not any(values):  # empty rows and headings such as "в том числе:"
            continue
        rows.extend(dict(table="tab3-zpl_2023", sheet_row=str(i), activity=label, year=y, wage_rub_month=v,
                         release=RELEASE) for y, v in zip(YEARS, values))
    if not rows or rows[0]["activity"] != "Всего":
        raise SourceError(f"{source.name}: the first activity row is not Всего (all activities)")
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="Rosstat's tab3-zpl_2023.xlsx",
                       out_name="rosstat_zpl_sectors_2017_2023.csv", columns=COLUMNS, release=RELEASE,
                       read=lambda src, check: read_rows(src, check_sha=check), errors=(SourceError, KeyError, OSError))


if __name__ == "__main__":
    sys.exit(main())

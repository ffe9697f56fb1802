#!/usr/bin/env python
"""Rebuild ``data/raw/fso_lse_cs_regions.csv`` from the published Swiss FSO workbooks.

The extract holds the Swiss Federal Statistical Office's (FSO) Swiss Earnings Structure
Survey (LSE / Lohnstrukturerhebung) table T17 "Gross monthly wage (median) by groups of
occupations, age and gender", private and public sectors combined, for each of the seven
large regions (one workbook each, ``je-e-03.04.02.0N.47.xlsx``) and every year sheet in it
(2012, 2014, 2016, 2018), for the rows

* TOTAL (all occupations),
* ISCO-08 major group 4 Clerical support workers,
* ISCO-08 sub-major group 42 Customer services clerks,

one row per region x year x occupation with the twelve published medians (age total,
<= 29, 30-49, 50+, each for total, women, men). Cells are written exactly as FSO prints
them (outer spaces stripped), markers included: ``*`` too few data (suppressed), ``-`` no
data available, ``[ ]`` around a value whose coefficient of variation is above 5%.

Where the numbers come from
---------------------------
FSO publishes each workbook on https://www.bfs.admin.ch (catalogue numbers
je-e-03.04.02.01.47 ... je-e-03.04.02.07.47, published 2020-04-21). The copies used for the
shipped extract are in the public repository epicalekspwner/OpenData, commit
e40fc4738e45fda89634139f0f319fd7196c1f3d, folder ``demographicsIncome/sources/`` (SHA-256
of each in ``WORKBOOKS``).

Usage
-----
    python scripts/build_fso_lse_extract.py SOURCE_DIR [-o data/raw/fso_lse_cs_regions.csv]

Examples
--------
    git --git-dir /path/to/OpenData.git archive e40fc4738e45fda89634139f0f319fd7196c1f3d \\
        demographicsIncome/sources | tar -x -C /tmp/fso
    python scripts/build_fso_lse_extract.py /tmp/fso/demographicsIncome/sources
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import cell as _cell, read_checked, run_extract  # noqa: E402  (a sibling script module, not a package)

RELEASE = "FSO LSE T17 (je-e-03.04.02.0N.47), published 2020-04-21"
#: workbook -> (large region as FSO names it, SHA-256 of the copy the shipped extract was built from)
WORKBOOKS = {
    "je-e-03.04.02.01.47.xlsx": ("Lake Geneva Region (VD, VS, GE)",
                                 "1cd7c8f83281a9f89c482fa6e0e3872244b000841cff6478c6e2e8ebaacb64a3"),
    "je-e-03.04.02.02.47.xlsx": ("Espace Mittelland (BE, FR, SO, NE, JU)",
                                 "994a7f830128bbcc46c2c9724286f7b147496a9d8fd8bef3bd3ccbf5cb5bc7a9"),
    "je-e-03.04.02.03.47.xlsx": ("Northwestern Switzerland (BS, BL, AG)",
                                 "3eea598c8313c9b949d30bdaa931e3a7d8ba582ddd3f02710b7178072a1e578c"),
    "je-e-03.04.02.04.47.xlsx": ("Zurich (ZH)",
                                 "320a2b92ad7adc9e00e228787ba3f4349cbb81f4888d01a0041c22cf7c270dde"),
    "je-e-03.04.02.05.47.xlsx": ("Eastern Switzerland (GL, SH, AR, AI, SG, GR, TG)",
                                 "5169c6a6932ea41112cd7e671371867bd6b704a3fedb27b180113a4309edcd99"),
    "je-e-03.04.02.06.47.xlsx": ("Central Switzerland (LU, UR, SZ, OW, NW, ZG)",
                                 "9c2669d60278f6f04bba631b9e8108945ef606dbbdeb10dec8299c37e442588f"),
    "je-e-03.04.02.07.47.xlsx": ("Ticino (TI)",
                                 "097a619af7b601cd3b7389a380602e97a0b5c28e4b81abae510afbcced8c4a13"),
}
SHEETS = ["2018", "2016", "2014", "2012"]
WANTED = {"TOTAL": "", "4": "4", "42": "42"}  # row label in the workbook -> ISCO-08 code in the extract
#: the twelve value columns, in the order of the sheet (age band x sex)
VALUE_COLUMNS = [f"{age}_{sex}" for age in ("age_total", "age_le29", "age_30_49", "age_50plus")
                 for sex in ("total", "women", "men")]
SEX_HEADER = (" Total ", " Women", " Men") * 4
COLUMNS = ["table", "region", "year", "isco08_code", "description", *VALUE_COLUMNS, "release"]


class SourceError(RuntimeError):
    """A workbook is missing or is not the FSO table this script expects."""


def read_rows(source: Path, *, check_sha: bool = True) -> list[dict[str, str]]:
    """Parse the seven workbooks into extract rows (published strings, no re-rounding)."""
    from openpyxl import load_workbook

    rows = []
    for name, (region, sha) in WORKBOOKS.items():
        blob = read_checked(source / name, sha if check_sha else None, SourceError)
        wb = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
        if wb.sheetnames != SHEETS:
            raise SourceError(f"{name}: sheets {wb.sheetnames}, expected {SHEETS}")
        for year in SHEETS:
            cells = list(wb[year].iter_rows(values_only=True))
            title = " ".join(_cell(v) for r in cells[:4] for v in r if v is not None)
            if region not in title or year not in title or "T17" not in title.replace(" ", ""):
                raise SourceError(f"{name} [{year}]: title {title[:160]!r} does not name T17, {region} and {year}")
            if tuple(cells[5][3:15]) != SEX_HEADER:
                raise SourceError(f"{name} [{year}]: header {cells[5][3:15]} is not the T17 layout")
            for r in cells[7:]:
                label = _cell(r[0]) or _cell(r[1])
                if label in WANTED and r[1] is not None:
                    row = dict(table=name.removesuffix(".xlsx"), region=region, year=year, isco08_code=WANTED[label],
                               description=_cell(r[1]), release=RELEASE)
                    row.update(zip(VALUE_COLUMNS, (_cell(v) for v in r[3:15])))
                    rows.append(row)
        wb.close()
    found = {(r["table"], r["year"], r["isco08_code"]) for r in rows}
    if len(found) != len(rows) or len(rows) != len(WORKBOOKS) * len(SHEETS) * len(WANTED):
        raise SourceError(f"expected one row per workbook x year x occupation, got {len(rows)}")
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="folder holding the seven je-e-03.04.02.0N.47.xlsx workbooks",
                       out_name="fso_lse_cs_regions.csv", columns=COLUMNS, release=RELEASE,
                       read=lambda src, check: read_rows(src, check_sha=check), errors=(SourceError, KeyError, OSError))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Rebuild ``data/raw/nbs_urban_avg_wage_2000_2019.csv`` from a China NBS data-portal export.

The extract holds the average annual wage rows of the National Bureau of Statistics of China
(国家统计局) database "年度数据" (national annual data), as exported from its data portal
(data.stats.gov.cn, "最近20年": 2000-2019): the five indicators whose name ends in 平均工资(元)
(average wage, yuan a year) -- 城镇单位就业人员 (employed persons in urban units), 城镇单位在岗职工
(on-post staff and workers of urban units), and the state-owned, urban collective and other units.
One row per indicator x year, every cell as exported; an empty cell (not published for that
year) stays empty. The export's index rows (平均货币/实际工资指数, previous year = 100) are not
pay levels and are left out. **National, all employees of urban units, not customer service**:
the export holds no city, sector or occupation. The export's note on 1995-2008 is kept in
``note`` for the years and the indicator it names.

Where the numbers come from
---------------------------
The export (``年度数据_工资.xls``, header "数据库：年度数据", footer "数据来源：国家统计局") is stored
in the public repository xiehuiaa/housing_price, commit c2ad5b963c2b149bf668527286b50c640c1587ff
(2020-06-01), SHA-256 in ``SHA256``.

Usage
-----
    python scripts/build_nbs_wage_extract.py 年度数据_工资.xls [-o OUT]

Examples
--------
    git --git-dir /path/to/housing_price.git show \\
        c2ad5b963c2b149bf668527286b50c640c1587ff:年度数据_工资.xls > /tmp/nbs_wage.xls
    python scripts/build_nbs_wage_extract.py /tmp/nbs_wage.xls
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import cell as _cell, read_checked, run_extract  # noqa: E402  (a sibling script module, not a package)

RELEASE = "NBS data portal export 年度数据 (最近20年), copy: xiehuiaa/housing_price@c2ad5b96"
SHA256 = "7b21fc609af36b07ae6f9394cb3b97012b5502a58f30196ee7b9444f15d3a5ee"
DATABASE = "数据库：年度数据"
COLUMNS = ["database", "indicator", "year", "wage_cny_year", "note", "release"]
_NOTE_YEARS = re.compile(r"^注：(\d{4})-(\d{4})年")


class SourceError(RuntimeError):
    """The export is missing or is not the NBS table this script expects."""


def read_rows(source: Path, *, check_sha: bool = True) -> list[dict[str, str]]:
    """Parse the export into extract rows (exported strings, no re-rounding)."""
    import xlrd

    blob = read_checked(source, SHA256 if check_sha else None, SourceError)
    try:
        sheet = xlrd.open_workbook(file_contents=blob).sheet_by_index(0)
    except xlrd.XLRDError as e:
        raise SourceError(f"{source.name}: not an .xls workbook ({e})") from e
    cells = [[_cell(v) for v in sheet.row_values(i)] for i in range(sheet.nrows)]
    if cells[0][0] != DATABASE or cells[2][0] != "指标" or cells[-1][0] != "数据来源：国家统计局":
        raise SourceError(f"{source.name}: not an NBS '{DATABASE}' export ({cells[0][0]!r}, {cells[-1][0]!r})")
    years = [re.fullmatch(r"(\d{4})年", h).group(1) for h in cells[2][1:] if h]
    notes = [r[0] for r in cells if r[0].startswith("注：")]
    spans = [(int(m.group(1)), int(m.group(2)), n) for n in notes if (m := _NOTE_YEARS.match(n))]
    rows = []
    for r in cells[3:]:
        if not r[0].endswith("平均工资(元)"):
            continue
        for year, value in zip(years, r[1:]):
            # a note applies to the years it names and to the indicator it names
            note = "; ".join(n for lo, hi, n in spans if lo <= int(year) <= hi and r[0].removesuffix("(元)") in n)
            rows.append(dict(database=DATABASE.split("：")[1], indicator=r[0], year=year, wage_cny_year=value,
                             note=note, release=RELEASE))
    if len({r["indicator"] for r in rows}) != 5:
        raise SourceError(f"{source.name}: expected five 平均工资(元) indicators, got {sorted({r['indicator'] for r in rows})}")
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="the NBS export 年度数据_工资.xls",
                       out_name="nbs_urban_avg_wage_2000_2019.csv", columns=COLUMNS, release=RELEASE,
                       read=lambda src, check: read_rows(src, check_sha=check), errors=(SourceError, KeyError, OSError))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Rebuild ``data/raw/wdi_2025_07_01_money.csv`` from three World Bank WDI API downloads of ONE release.

The extract holds World Development Indicators PA.NUS.FCRF (official exchange rate, LCU per
US$, period average), PA.NUS.PRVT.PP (PPP conversion factor, private consumption, LCU per
international $) and FP.CPI.TOTL (consumer price index, 2010 = 100) for the economies of
``csresearch/reference/country_money.csv`` and the euro-area row (EMU, whose exchange rate is the
euro's), years 2015-2024, long format: one row per economy, indicator and year that has a value.
Names, codes and numbers are copied exactly as the World Bank wrote them; blank cells, other
economies and other years are left out. ``last_updated`` is the file's "Last Updated Date".

The three inputs must carry the same "Last Updated Date" (one WDI release): the script refuses
a mix. The shipped extract is release 2025-07-01, from these stored public copies (SHA-256 in
``SOURCES``):

  PA.NUS.FCRF     Harb1nger001/GlobalConflictFXStress @ d90bf9f42e7959aa1a3078608e920be70b01b565
                  data/raw/API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv
  PA.NUS.PRVT.PP  owid/notebooks @ 9041b56382f770faae7a12a8b9d74ffa0469cc2f
                  PabloArriagada/global_distribution_giving_what_we_can/API_PA.NUS.PRVT.PP_DS2_en_csv_v2_22915.csv
  FP.CPI.TOTL     owid/notebooks @ 9041b56382f770faae7a12a8b9d74ffa0469cc2f
                  PabloArriagada/global_distribution_giving_what_we_can/API_FP.CPI.TOTL_DS2_en_csv_v2_37831.csv

World Bank WDI data are licensed CC BY 4.0 (see data/raw/README.md).

Usage
-----
    python scripts/build_wdi_extract.py --fx FCRF.csv --ppp PRVT_PP.csv --cpi CPI.csv [-o OUT] [--no-check-sha]

Examples
--------
    git --git-dir /path/to/GlobalConflictFXStress.git show \\
        d90bf9f42e7959aa1a3078608e920be70b01b565:data/raw/API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv > /tmp/fx.csv
    D=PabloArriagada/global_distribution_giving_what_we_can
    git --git-dir /path/to/notebooks.git show 9041b56382f770faae7a12a8b9d74ffa0469cc2f:$D/API_PA.NUS.PRVT.PP_DS2_en_csv_v2_22915.csv > /tmp/ppp.csv
    git --git-dir /path/to/notebooks.git show 9041b56382f770faae7a12a8b9d74ffa0469cc2f:$D/API_FP.CPI.TOTL_DS2_en_csv_v2_37831.csv > /tmp/cpi.csv
    python scripts/build_wdi_extract.py --fx /tmp/fx.csv --ppp /tmp/ppp.csv --cpi /tmp/cpi.csv
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import read_checked, run_extract  # noqa: E402  (a sibling script module, not a package)

REF = Path(__file__).resolve().parents[1] / "csresearch" / "reference"
OUT_NAME = "wdi_2025_07_01_money.csv"
RELEASE = "2025-07-01"
YEARS = [str(y) for y in range(2015, 2025)]
#: input key -> (indicator code, SHA-256 of the stored copy the shipped extract was built from)
SOURCES = {
    "fx": ("PA.NUS.FCRF", "091bac00ccadad927d656710f05ca0c7481f8738666f256a28cba7e376ebaa17"),
    "ppp": ("PA.NUS.PRVT.PP", "eeab4f5166d67b055be9f27466316f26f325d35366f742043c2eacf7ca87b225"),
    "cpi": ("FP.CPI.TOTL", "a36585e0306a7460e428fa30679f16af7d02035c38c785a0d2ec0afee9fdbae2"),
}
COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", "year", "value", "last_updated"]
EURO_AREA = "EMU"  # WDI's euro-area row: the euro's exchange rate


class SourceError(RuntimeError):
    """A file is missing, is not the recorded copy, is not a WDI API download, or the releases differ."""


def economies() -> set[str]:
    """ISO alpha-3 codes of country_money.csv's countries, and the euro area."""
    import pycountry

    with (REF / "country_money.csv").open(encoding="utf-8", newline="") as fh:
        alpha2 = [row["country"] for row in csv.DictReader(fh)]
    return {pycountry.countries.get(alpha_2=a).alpha_3 for a in alpha2} | {EURO_AREA}


def read_api_csv(path: Path, indicator: str, sha256: str | None) -> tuple[str, list[dict[str, str]]]:
    """The file's "Last Updated Date" and its wide rows (fields as written), after checking its form."""
    text = read_checked(path, sha256, SourceError).decode("utf-8-sig")
    lines = text.splitlines()
    head = list(csv.reader(io.StringIO("\n".join(lines[:4]))))
    if not head or head[0][:2] != ["Data Source", "World Development Indicators"]:
        raise SourceError(f"{path.name}: not a World Development Indicators API download")
    updated = next((row[1] for row in head if row and row[0] == "Last Updated Date"), None)
    if not updated:
        raise SourceError(f"{path.name}: no 'Last Updated Date' line")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[4:]))))
    codes = {r["Indicator Code"] for r in rows}
    if codes != {indicator}:
        raise SourceError(f"{path.name}: indicator {sorted(codes)}, expected {indicator}")
    return updated, rows


def read_rows(paths: dict[str, Path], check_sha: bool = True) -> list[dict[str, str]]:
    """Long rows of the wanted economies and years, one release; SourceError on a mix."""
    wanted = economies()
    out: list[dict[str, str]] = []
    dates: dict[str, str] = {}
    for key in ("fx", "ppp", "cpi"):
        indicator, sha = SOURCES[key]
        updated, rows = read_api_csv(paths[key], indicator, sha if check_sha else None)
        dates[key] = updated
        for r in rows:
            if r["Country Code"] not in wanted:
                continue
            for year in YEARS:
                if r.get(year, ""):
                    out.append({**{c: r[c] for c in COLUMNS[:4]}, "year": year, "value": r[year],
                                "last_updated": updated})
    if len(set(dates.values())) != 1:
        raise SourceError(f"the inputs are from different WDI releases: {dates}")
    return out


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="", out_name=OUT_NAME, columns=COLUMNS,
                       release="WDI API downloads of one release (each row's last_updated)", read=read_rows,
                       errors=(SourceError,), sources={
                           "fx": "API_PA.NUS.FCRF_DS2_en_csv_v2_*.csv",
                           "ppp": "API_PA.NUS.PRVT.PP_DS2_en_csv_v2_*.csv",
                           "cpi": "API_FP.CPI.TOTL_DS2_en_csv_v2_*.csv"})


if __name__ == "__main__":
    sys.exit(main())

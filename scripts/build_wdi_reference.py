"""Rebuild csresearch/reference/{fx_rates,ppp,cpi}.csv from World Bank WDI bulk CSV files.

Inputs are the WDI "API_<series>_DS2_en_csv_v2_*.csv" downloads (four header lines, then
one row per economy and one column per year). The copies used for the shipped tables are
public files in two GitHub repositories (we do not redistribute them; see
csresearch/reference/sources/money.md for repository, path, commit and WDI release date):

  PA.NUS.PRVT.PP, FP.CPI.TOTL  owid/notebooks @ a733e59eca8c2a2509d5cce0cbf351fda8fcc5b1
      PabloArriagada/global_distribution_giving_what_we_can/API_PA.NUS.PRVT.PP_DS2_en_csv_v2_5762.csv
      PabloArriagada/global_distribution_giving_what_we_can/API_FP.CPI.TOTL_DS2_en_csv_v2_129887.csv
      ("Last Updated Date","2025-10-07")
  PA.NUS.FCRF  Harb1nger001/GlobalConflictFXStress @ d90bf9f42e7959aa1a3078608e920be70b01b565
      data/raw/API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv ("Last Updated Date","2025-07-01")

Countries and their currencies come from csresearch/reference/country_money.csv. The euro's
exchange rate is WDI's euro-area row (EMU); its CPI (country EA) is not in WDI and is kept
from the existing cpi.csv (Eurostat HICP, marked in its source column).

Usage::

    python scripts/build_wdi_reference.py --fx FX.csv --ppp PPP.csv --cpi CPI.csv [--check]

--check compares with the shipped files instead of writing them (exit 1 on a difference);
tests/test_wdi_reference_build.py runs it when CSRESEARCH_WDI_DIR holds the three files.
No stored copy of a single WDI release with all three series was found (money.md), hence two
releases: PPP and CPI 2025-10-07, FX 2025-07-01.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import pandas as pd
import pycountry

REF = Path(__file__).resolve().parents[1] / "csresearch" / "reference"
YEARS = range(2015, 2025)
SOURCE = "World Bank WDI"


def read_wdi(path: Path) -> tuple[pd.DataFrame, str]:
    """Long table (iso3, year, value) and the file's 'Last Updated Date'."""
    text = Path(path).read_text(encoding="utf-8-sig")
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:4]))))
    updated = next(row[1] for row in head if row and row[0] == "Last Updated Date")
    wide = pd.read_csv(io.StringIO(text), skiprows=4)
    years = [str(y) for y in YEARS if str(y) in wide.columns]
    long = wide.melt(id_vars=["Country Code", "Indicator Code"], value_vars=years, var_name="year")
    long = long.dropna(subset=["value"]).rename(columns={"Country Code": "iso3", "Indicator Code": "series"})
    long["year"] = long["year"].astype(int)
    return long, updated


def _iso3(alpha2: str) -> str:
    return pycountry.countries.get(alpha_2=alpha2).alpha_3


def build(fx_path: Path, ppp_path: Path, cpi_path: Path) -> dict[str, pd.DataFrame]:
    money = pd.read_csv(REF / "country_money.csv", keep_default_na=False)
    money["iso3"] = money["country"].map(_iso3)
    fx, fx_date = read_wdi(fx_path)
    ppp, ppp_date = read_wdi(ppp_path)
    cpi, cpi_date = read_wdi(cpi_path)
    # FX per currency: the euro from the euro-area row, others from their country's row.
    cur_iso3 = {c: i for c, i in zip(money["currency"], money["iso3"]) if c != "EUR"} | {"EUR": "EMU"}
    fx_rows = fx[fx["iso3"].isin(cur_iso3.values())].copy()
    fx_rows["currency"] = fx_rows["iso3"].map({v: k for k, v in cur_iso3.items()})
    fx_out = fx_rows.assign(
        series_code="PA.NUS.FCRF", unit="LCU per USD, annual average", source=f"{SOURCE} (updated {fx_date})"
    )[["currency", "year", "value", "series_code", "unit", "source"]]
    by3 = money.set_index("iso3")
    ppp_rows = ppp[ppp["iso3"].isin(by3.index)].copy()
    ppp_out = ppp_rows.assign(
        country=ppp_rows["iso3"].map(by3["country"]), currency=ppp_rows["iso3"].map(by3["currency"]),
        series_code="PA.NUS.PRVT.PP", unit="LCU per international $ (household final consumption)",
        source=f"{SOURCE} (updated {ppp_date})",
    )[["country", "currency", "year", "value", "series_code", "unit", "source"]]
    cpi_rows = cpi[cpi["iso3"].isin(by3.index)].copy()
    cpi_out = cpi_rows.assign(
        country=cpi_rows["iso3"].map(by3["country"]), currency=cpi_rows["iso3"].map(by3["currency"]),
        series_code="FP.CPI.TOTL (2010=100)", source=f"{SOURCE} (updated {cpi_date})",
    )[["country", "currency", "year", "value", "series_code", "source"]]
    cpi_out = pd.concat([cpi_out, _chained(cpi_out)], ignore_index=True)
    old_cpi = pd.read_csv(REF / "cpi.csv", keep_default_na=False)
    euro_area = old_cpi[old_cpi["country"] == "EA"]  # Eurostat HICP, not a WDI series
    cpi_out = pd.concat([cpi_out, euro_area], ignore_index=True)
    order = {"fx": ["currency", "year"], "ppp": ["country", "year"], "cpi": ["country", "year"]}
    out = {"fx": fx_out, "ppp": ppp_out, "cpi": cpi_out}
    return {k: v.sort_values(order[k]).reset_index(drop=True) for k, v in out.items()}


def _chained(cpi_out: pd.DataFrame) -> pd.DataFrame:
    """Years after a country's last WDI CPI value, chained with the rates in cpi_supplement.csv."""
    sup = pd.read_csv(REF / "cpi_supplement.csv").sort_values(["country", "year"])
    rows = []
    for country, grp in sup.groupby("country"):
        have = cpi_out[cpi_out["country"] == country].set_index("year")
        level, last = float(have["value"].iloc[-1]), int(have.index.max())
        for r in grp.itertuples():
            if r.year <= last:
                continue  # WDI has the year: WDI wins
            level *= 1 + r.inflation_pct / 100
            rows.append({"country": country, "currency": have["currency"].iloc[0], "year": int(r.year),
                         "value": level, "series_code": "FP.CPI.TOTL (2010=100), chained",
                         "source": r.source})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fx", type=Path, required=True)
    ap.add_argument("--ppp", type=Path, required=True)
    ap.add_argument("--cpi", type=Path, required=True)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    files = {"fx": "fx_rates.csv", "ppp": "ppp.csv", "cpi": "cpi.csv"}
    tables = build(args.fx, args.ppp, args.cpi)
    status = 0
    for key, table in tables.items():
        text = table.to_csv(index=False, lineterminator="\n", float_format="%.10g")
        path = REF / files[key]
        if args.check:
            if path.read_text(encoding="utf-8") != text:
                print(f"{path} differs from a rebuild", file=sys.stderr)
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(table)} rows)")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Rebuild csresearch/reference/{fx_rates,ppp,cpi}.csv from the shipped World Bank WDI extract.

The input is ``data/raw/wdi_2025_07_01_money.csv`` (made by ``scripts/build_wdi_extract.py``
from three WDI API downloads of ONE release, 2025-07-01: PA.NUS.FCRF, PA.NUS.PRVT.PP and
FP.CPI.TOTL; repository, path, commit and SHA-256 of each are in that script and in
data/raw/README.md). The script refuses an extract whose rows name more than one release.

Countries and their currencies come from csresearch/reference/country_money.csv. The euro's
exchange rate is WDI's euro-area row (EMU); its CPI (country EA) is not in WDI and is kept
from the existing cpi.csv (Eurostat HICP, marked in its source column). Years after a
country's last WDI CPI value are chained with cpi_supplement.csv (RU 2022-2024).

Usage::

    python scripts/build_wdi_reference.py [--extract data/raw/wdi_2025_07_01_money.csv] [--check]

--check compares with the shipped files instead of writing them (exit 1 on a difference);
tests/test_wdi_reference_build.py runs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import pycountry

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "csresearch" / "reference"
YEARS = range(2015, 2025)
SOURCE = "World Bank WDI"
EXTRACT = ROOT / "data" / "raw" / "wdi_2025_07_01_money.csv"
SERIES = {"fx": "PA.NUS.FCRF", "ppp": "PA.NUS.PRVT.PP", "cpi": "FP.CPI.TOTL"}


class ExtractError(ValueError):
    """The extract is not one WDI release or lacks a series."""


def read_extract(path: Path = EXTRACT) -> tuple[dict[str, pd.DataFrame], str]:
    """Per series a long table (iso3, series, year, value) of the years used, and the one release date."""
    raw = pd.read_csv(path, dtype={"Country Code": str, "Indicator Code": str, "year": int,
                                   "last_updated": str}, keep_default_na=False)
    releases = sorted(set(raw["last_updated"]))
    if len(releases) != 1:
        raise ExtractError(f"{Path(path).name}: rows from {len(releases)} WDI releases {releases}; one is required")
    raw = raw[raw["year"].isin(YEARS)].rename(columns={"Country Code": "iso3", "Indicator Code": "series"})
    raw["value"] = raw["value"].astype(float)
    out = {}
    for key, code in SERIES.items():
        part = raw.loc[raw["series"] == code, ["iso3", "series", "year", "value"]].reset_index(drop=True)
        if part.empty:
            raise ExtractError(f"{Path(path).name}: no {code} rows")
        out[key] = part
    return out, releases[0]


def _iso3(alpha2: str) -> str:
    return pycountry.countries.get(alpha_2=alpha2).alpha_3


def build(extract: Path = EXTRACT) -> dict[str, pd.DataFrame]:
    money = pd.read_csv(REF / "country_money.csv", keep_default_na=False)
    money["iso3"] = money["country"].map(_iso3)
    series, release = read_extract(extract)
    fx, ppp, cpi = series["fx"], series["ppp"], series["cpi"]
    # FX per currency: the euro from the euro-area row, others from their country's row.
    cur_iso3 = {c: i for c, i in zip(money["currency"], money["iso3"]) if c != "EUR"} | {"EUR": "EMU"}
    fx_rows = fx[fx["iso3"].isin(cur_iso3.values())].copy()
    fx_rows["currency"] = fx_rows["iso3"].map({v: k for k, v in cur_iso3.items()})
    fx_out = fx_rows.assign(
        series_code="PA.NUS.FCRF", unit="LCU per USD, annual average", source=f"{SOURCE} (updated {release})"
    )[["currency", "year", "value", "series_code", "unit", "source"]]
    by3 = money.set_index("iso3")
    ppp_rows = ppp[ppp["iso3"].isin(by3.index)].copy()
    ppp_out = ppp_rows.assign(
        country=ppp_rows["iso3"].map(by3["country"]), currency=ppp_rows["iso3"].map(by3["currency"]),
        series_code="PA.NUS.PRVT.PP", unit="LCU per international $ (household final consumption)",
        source=f"{SOURCE} (updated {release})",
    )[["country", "currency", "year", "value", "series_code", "unit", "source"]]
    cpi_rows = cpi[cpi["iso3"].isin(by3.index)].copy()
    cpi_out = cpi_rows.assign(
        country=cpi_rows["iso3"].map(by3["country"]), currency=cpi_rows["iso3"].map(by3["currency"]),
        series_code="FP.CPI.TOTL (2010=100)", source=f"{SOURCE} (updated {release})",
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
    ap.add_argument("--extract", type=Path, default=EXTRACT)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    files = {"fx": "fx_rates.csv", "ppp": "ppp.csv", "cpi": "cpi.csv"}
    tables = build(args.extract)
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

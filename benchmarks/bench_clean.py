"""Benchmark: read + clean + write of one site's synthetic postings, beside the floor.

For each site (default cn, ru, gb) the script writes ``--rows`` synthetic postings
(:func:`csresearch.synth.postings.synthetic_postings`, the site's own headers, encoding and
delimiter) to ``benchmarks/_data/clean_<rows>/<site>.csv``, then in a fresh child process each:

- ``csresearch``: ``read_table`` + ``clean_survey`` + ``CleanResult.write``;
- ``floor``: pyarrow CSV read (same encoding and delimiter) + one ``str.extract`` of the first
  number of the pay text + parquet write: the least any cleaner of this file must do.

It prints rows/s of ``clean_survey`` alone and of the whole job, the ratio of the whole job to
the floor (target <= 5), and the child's peak RSS above its import baseline as a multiple of
the CSV bytes (target <= 10), with the load average at the time (the machine may be shared).

Usage::

    python benchmarks/bench_clean.py --rows 1000000
    python benchmarks/bench_clean.py --rows 100000 --sites cn   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEAR = 2024


def _write_site(site: str, n_rows: int, out: Path) -> Path:
    from csresearch.synth.postings import POSTING_SITES, _site_columns, synthetic_postings
    from csresearch.synth.survey import SYNTHETIC_SOURCES

    path = out / f"{site}.csv"
    if path.is_file():
        return path
    spec = {s.name: s for s in POSTING_SITES}[site]
    headers = {s.name: s.headers for s in SYNTHETIC_SOURCES}[spec.headers_from]
    cols = _site_columns(spec)
    df = synthetic_postings(n_rows, site=site)[cols].rename(columns=headers)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, sep=spec.sep, encoding=spec.encoding, lineterminator="\n")
    return path


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, path: str, site: str) -> dict:
    t0 = time.perf_counter()
    import pandas as pd  # noqa: F401  (both modes pay for pandas and pyarrow)
    import pyarrow  # noqa: F401

    if mode == "csresearch":
        from csresearch import clean_survey, read_table
    base = _peak_rss_mib()
    t_import = time.perf_counter() - t0
    out = Path(tempfile.mkdtemp())
    t1 = time.perf_counter()
    if mode == "csresearch":
        df = read_table(path)
        t2 = time.perf_counter()
        res = clean_survey(df, source=f"bench/{site}", year=YEAR)
        t3 = time.perf_counter()
        res.write(out)
        rows = len(res.table) + len(res.rejects)
    else:
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq
        from csresearch.synth.postings import POSTING_SITES

        spec = {s.name: s for s in POSTING_SITES}[site]
        enc = {"gb18030": "gb18030", "cp1251": "cp1251", "utf-8-sig": "utf8"}.get(spec.encoding, "utf8")
        table = pcsv.read_csv(path, read_options=pcsv.ReadOptions(encoding=enc),
                              parse_options=pcsv.ParseOptions(delimiter=spec.sep))
        df = table.to_pandas()
        t2 = time.perf_counter()
        pay_col = [c for c in df.columns if df[c].astype("str").str.contains(r"\d", na=False).mean() > 0.3][0]
        df["amount"] = df[pay_col].str.extract(r"(\d[\d ,.]*)", expand=False)
        t3 = time.perf_counter()
        pq.write_table(pyarrow.Table.from_pandas(df), out / "floor.parquet", compression="zstd")
        rows = len(df)
    t4 = time.perf_counter()
    return {"mode": mode, "rows": rows, "import_s": t_import, "read_s": t2 - t1, "clean_s": t3 - t2,
            "write_s": t4 - t3, "total_s": t4 - t1, "peak_above_import_mib": _peak_rss_mib() - base}


def _run(mode: str, path: Path, site: str) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(path), site]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ.copy())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sites", default="cn,ru,gb")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0
    data = HERE / "_data" / f"clean_{args.rows}"
    print(f"SYNTHETIC postings, {args.rows:,} rows per site; load average {os.getloadavg()}")
    for site in args.sites.split(","):
        path = _write_site(site, args.rows, data)
        mib = path.stat().st_size / 2**20
        floor = _run("floor", path, site)
        ours = _run("csresearch", path, site)
        print(
            f"{site}: {mib:,.0f} MiB CSV | clean_survey {ours['rows'] / ours['clean_s']:,.0f} rows/s "
            f"({ours['clean_s']:.1f} s) | read {ours['read_s']:.1f} s, write {ours['write_s']:.1f} s | "
            f"whole {ours['total_s']:.1f} s = {ours['rows'] / ours['total_s']:,.0f} rows/s | "
            f"floor {floor['total_s']:.1f} s | ratio {ours['total_s'] / floor['total_s']:.1f}x (target <= 5) | "
            f"peak above import {ours['peak_above_import_mib']:,.0f} MiB = "
            f"{ours['peak_above_import_mib'] / mib:.1f}x CSV (target <= 10); floor peak "
            f"{floor['peak_above_import_mib']:,.0f} MiB | load {os.getloadavg()[0]:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

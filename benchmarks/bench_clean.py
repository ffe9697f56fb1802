"""Benchmark: read + clean + write of one site's synthetic postings, beside the floor.

For each site (default cn, ru, gb) the script writes ``--rows`` SYNTHETIC postings
(:func:`csresearch.synth.postings.synthetic_postings`, the site's own headers, encoding and
delimiter) to ``benchmarks/_data/clean_<rows>/<site>.csv``, then runs in fresh child processes:

- ``floor``: pyarrow CSV read (same encoding and delimiter) + one ``str.extract`` of the first
  number of the pay column + parquet write: the least any cleaner of this file must do;
- ``csresearch``: ``read_table`` + ``clean_survey`` + ``CleanResult.write``, timed (the raw
  frame handed over to ``clean_survey``, as ``csresearch clean`` does, so that it frees the
  raw cells once they are factorised); before the
  clock starts the child cleans 1,000 rows once, so that loading and compiling the lexicons,
  the role model and pandera (one-time, ``warmup_s``) is not counted as throughput;
  Since the table is kept in parts until asked for (:class:`~csresearch.clean.assemble.PendingTable`),
  assembling it happens inside ``write``, a row group at a time: ``clean_survey`` alone no
  longer includes it (figures before that change did), the whole job always has;
- ``trace`` (with ``--trace``): the same job under ``tracemalloc``, for Python's own peak.

It prints rows/s of ``clean_survey`` alone (wall clock, and per CPU-second of the process,
which a shared machine's load disturbs less) and of the whole job, the floor's time and the
ratio of the whole job to it (target <= 5), the same ratio in CPU seconds of the process (all
threads; less disturbed by other jobs on a shared machine), and peak memory above the child's baseline (after
imports and warm-up) as a multiple of the CSV bytes (target <= 10): the peak RSS
(``ru_maxrss``), Arrow's memory pool peak, and with ``--trace`` the tracemalloc peak. The
load average is printed: the machine may be shared, so rows/s varies with it; the ratio to a
floor timed in the same run varies less.

Usage::

    python benchmarks/bench_clean.py --rows 1000000 --trace
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


def _warmup_file(path: Path, rows: int = 1000) -> Path:
    """The header and first ``rows`` lines of ``path``, same bytes (the synthetic files have no multi-line cells)."""
    warm = path.with_name(f"{path.stem}_warmup{path.suffix}")
    if not warm.is_file():
        with open(path, "rb") as fh:
            head = [fh.readline() for _ in range(rows + 1)]
        warm.write_bytes(b"".join(head))
    return warm


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _site_spec(site: str) -> tuple[object, dict[str, str]]:
    from csresearch.synth.postings import POSTING_SITES
    from csresearch.synth.survey import SYNTHETIC_SOURCES

    spec = {s.name: s for s in POSTING_SITES}[site]
    return spec, {s.name: s.headers for s in SYNTHETIC_SOURCES}[spec.headers_from]


def _floor(path: str, site: str, out: Path) -> tuple[float, float, float, int]:
    import pyarrow
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    spec, headers = _site_spec(site)
    enc = {"gb18030": "gb18030", "cp1251": "cp1251", "utf-8-sig": "utf8"}.get(spec.encoding, "utf8")
    t1 = time.perf_counter()
    table = pcsv.read_csv(path, read_options=pcsv.ReadOptions(encoding=enc),
                          parse_options=pcsv.ParseOptions(delimiter=spec.sep))
    df = table.to_pandas()
    t2 = time.perf_counter()
    df["amount"] = df[headers.get("salary_text", "salary_text")].str.extract(r"(\d[\d ,.]*)", expand=False)
    t3 = time.perf_counter()
    pq.write_table(pyarrow.Table.from_pandas(df), out / "floor.parquet", compression="zstd")
    return t1, t2, t3, len(df)


def _child(mode: str, path: str, site: str) -> dict:
    import pandas as pd  # noqa: F401  (both modes pay for pandas and pyarrow)
    import pyarrow

    warmup = 0.0
    if mode != "floor":
        from csresearch import clean_survey, read_table

        w0 = time.perf_counter()
        # the first 1,000 rows as a file of their own: reading the whole file here would lift
        # the baseline (a high-water mark) by a full read's memory and hide it from the peak
        clean_survey(read_table(_warmup_file(Path(path))), source=f"warmup/{site}", year=YEAR)
        warmup = time.perf_counter() - w0
    if mode == "trace":
        import tracemalloc

        tracemalloc.start()
    base = _peak_rss_mib()
    arrow_base = pyarrow.default_memory_pool().bytes_allocated()
    out = Path(tempfile.mkdtemp())
    c1 = time.process_time()
    if mode == "floor":
        t1, t2, t3, rows = _floor(path, site, out)
        c2 = c3 = None
    else:
        t1 = time.perf_counter()
        read = [read_table(path)]
        t2, c2 = time.perf_counter(), time.process_time()
        # handed over as `csresearch clean` does: no reference kept, so clean_survey frees the
        # raw cells once they are factorised
        res = clean_survey(read.pop(), source=f"bench/{site}", year=YEAR)
        t3, c3 = time.perf_counter(), time.process_time()
        res.write(out)
        # counted without res.table, which would assemble the table the writer streamed out
        # a row group at a time; the file's own row count is checked below, outside the timing
        rows = res.n_table + len(res.rejects)
    t4, c4 = time.perf_counter(), time.process_time()
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if mode == "trace" else None
    if mode != "floor":
        import pyarrow.parquet as pq

        assert pq.ParquetFile(out / "survey.parquet").metadata.num_rows == res.n_table
    clean_cpu = c3 - c2 if mode != "floor" else None
    # CPU seconds of the process (every thread): a shared machine's load moves them far less
    # than wall-clock seconds, so the CPU ratio to the floor is printed beside the wall ratio
    cpu = {"cpu_s": c4 - c1, "read_cpu_s": None if c2 is None else c2 - c1,
           "write_cpu_s": None if c3 is None else c4 - c3}
    return {"mode": mode, "rows": rows, "warmup_s": warmup, "read_s": t2 - t1, "clean_s": t3 - t2, "clean_cpu_s": clean_cpu,
            **cpu, "write_s": t4 - t3, "total_s": t4 - t1, "peak_above_base_mib": _peak_rss_mib() - base,
            "arrow_peak_mib": (pyarrow.default_memory_pool().max_memory() - arrow_base) / 2**20,
            "tracemalloc_peak_mib": traced}


def _run(mode: str, path: Path, site: str) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(path), site]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ.copy())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sites", default="cn,ru,gb")
    ap.add_argument("--trace", action="store_true", help="also run once under tracemalloc (slower)")
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
        traced = _run("trace", path, site) if args.trace else None
        trace_part = (f", tracemalloc {traced['tracemalloc_peak_mib']:,.0f} MiB = "
                      f"{traced['tracemalloc_peak_mib'] / mib:.1f}x" if traced else "")
        print(
            f"{site}: {mib:,.0f} MiB CSV | clean_survey {ours['rows'] / ours['clean_s']:,.0f} rows/s "
            f"({ours['clean_s']:.1f} s; {ours['rows'] / ours['clean_cpu_s']:,.0f} rows per CPU-second; one-time warm-up {ours['warmup_s']:.1f} s) | read {ours['read_s']:.1f} s, "
            f"write {ours['write_s']:.1f} s, clean+write (table assembly included) {ours['rows'] / (ours['clean_s'] + ours['write_s']):,.0f} rows/s | whole {ours['total_s']:.1f} s = {ours['rows'] / ours['total_s']:,.0f} rows/s | "
            f"floor {floor['total_s']:.1f} s (read {floor['read_s']:.1f}, extract {floor['clean_s']:.1f}, "
            f"write {floor['write_s']:.1f}) | ratio {ours['total_s'] / floor['total_s']:.1f}x (target <= 5) | "
            f"CPU s: read {ours['read_cpu_s']:.1f}, clean {ours['clean_cpu_s']:.1f}, write {ours['write_cpu_s']:.1f}, "
            f"whole {ours['cpu_s']:.1f} vs floor {floor['cpu_s']:.1f} = {ours['cpu_s'] / floor['cpu_s']:.1f}x | "
            f"peak above baseline: RSS {ours['peak_above_base_mib']:,.0f} MiB = "
            f"{ours['peak_above_base_mib'] / mib:.1f}x CSV (target <= 10), Arrow pool "
            f"{ours['arrow_peak_mib']:,.0f} MiB{trace_part}; floor RSS {floor['peak_above_base_mib']:,.0f} MiB "
            f"| load {os.getloadavg()[0]:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: cleaning synthetic job postings with pandas and with dask.

For each size in ``--rows`` the script writes synthetic postings to disk with
``csresearch.synth.postings.write_synthetic_postings`` (5 sites, native encodings and
delimiters, Zipf-like repeats plus a long tail; reused when already there), then cleans them
once per engine, each in a fresh subprocess:

- ``pandas``: file by file, ``read_table`` + ``clean_survey`` + write, as ``csresearch clean``
  does for one file (files hold at most 1 M rows, so this is pandas "in chunks" of a file);
- ``dask``: :func:`csresearch.scale.clean_files` on a ``LocalCluster`` of 2 worker processes
  with 1 thread each, CSV read in blocks of at most ``--partition-size`` (``auto``: the
  engine's default).

It prints rows per second (wall clock of the subprocess, including interpreter and cluster
start-up), rows per CPU-second of the process tree (less sensitive to other load on the
machine; the 1-minute load average at the end of each run is printed too), the peak resident
memory of the whole process tree (the subprocess plus dask's worker processes, sampled with
psutil every 0.1 s), the largest single process (``ru_maxrss``), the number of processes in
the tree, the load average (mean over the run / at its end), and the dask / pandas ratios of
speed, CPU per row and peak memory. Results also go to ``<out>/bench_scale_results.json``.

Usage::

    python benchmarks/bench_scale.py --rows 1000000 10000000 --out benchmarks/_data
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

YEAR = 2024  # postings carry no date; the year only matters for PPP conversion
GIB = 1024**3


def _generate(n_rows: int, out: Path, seed: int) -> tuple[list[Path], float]:
    from csresearch.synth.postings import write_synthetic_postings

    data = out / f"postings_{n_rows}"
    meta = data / "postings.json"
    if meta.is_file():
        info = json.loads(meta.read_text("utf-8"))
        if info.get("n_rows") == n_rows and info.get("seed") == seed:
            return [data / name for name in info["files"]], 0.0
    t0 = time.perf_counter()
    paths = write_synthetic_postings(data, n_rows, seed=seed)
    return paths, time.perf_counter() - t0


def _child(engine: str, paths: list[Path], outdir: Path, partition_size: str) -> dict:
    """Run one engine on the files (in a subprocess) and return counts."""
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    if engine == "pandas":
        from csresearch.clean.pipeline import clean_survey, write_parquet
        from csresearch.io import read_table

        rows_in = rows_table = rows_rejected = 0
        for p in paths:
            res = clean_survey(read_table(p), source=f"postings/{p.name}", year=YEAR)
            write_parquet(res.table, outdir / f"{p.stem}.parquet")
            res.rejects.to_parquet(outdir / f"{p.stem}_rejects.parquet", index=False)
            rows_in += res.manifest["rows_in"]
            rows_table += res.manifest["rows_table"]
            rows_rejected += res.manifest["rows_rejected"]
            del res
        counts = {"rows_in": rows_in, "rows_table": rows_table, "rows_rejected": rows_rejected}
    else:
        from csresearch.scale import clean_files

        m = clean_files(paths, source="postings", outdir=outdir, partition_size=partition_size, year=YEAR)
        counts = {k: m[k] for k in ("rows_in", "rows_table", "rows_rejected")}
        counts["npartitions"] = sum(s["npartitions"] for s in m["sources"])
    self_ru, child_ru = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the subprocess and its reaped children (dask workers): unlike wall time,
    # this does not depend on what else the machine is running.
    counts["cpu_seconds"] = self_ru.ru_utime + self_ru.ru_stime + child_ru.ru_utime + child_ru.ru_stime
    counts["ru_maxrss_self_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB
    counts["ru_maxrss_children_gib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / GIB
    return counts


def _run(engine: str, paths: list[Path], outdir: Path, partition_size: str) -> dict:
    """Run the engine in a subprocess, sampling the RSS of its whole process tree."""
    import psutil

    result = outdir.with_suffix(".json")
    cmd = [sys.executable, __file__, "--child", engine, "--child-out", str(outdir), "--result", str(result),
           "--partition-size", partition_size, "--files", *map(str, paths)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    ps = psutil.Process(proc.pid)
    peak, peak_procs, max_procs, loads = 0, 0, 0, []
    while proc.poll() is None:
        try:
            # the client, the scheduler (a thread of the client with LocalCluster), the nannies
            # and the worker processes: everything under the subprocess
            procs = [ps, *ps.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            if total > peak:
                peak, peak_procs = total, len(procs)
            max_procs = max(max_procs, len(procs))
        except psutil.NoSuchProcess:
            pass
        loads.append(psutil.getloadavg()[0])
        time.sleep(0.1)
    seconds = time.perf_counter() - t0
    load = psutil.getloadavg()[0]
    if proc.returncode != 0:
        raise SystemExit(f"{engine} run failed with exit code {proc.returncode}")
    counts = json.loads(result.read_text("utf-8"))
    return {**counts, "engine": engine, "seconds": seconds, "rows_per_s": counts["rows_in"] / seconds,
            "peak_tree_rss_gib": peak / GIB, "processes_at_peak": peak_procs, "max_processes": max_procs,
            "load_avg_1min_mean": sum(loads) / max(len(loads), 1),
            "rows_per_cpu_s": counts["rows_in"] / counts["cpu_seconds"], "load_avg_1min_at_end": load}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_data"))
    ap.add_argument("--engines", nargs="+", choices=["pandas", "dask"], default=["pandas", "dask"])
    ap.add_argument("--partition-size", default="auto",
                    help="dask CSV block size (default auto: from the workers' memory limit, at most 32MB)")
    ap.add_argument("--pandas-max-rows", type=int, default=10_000_000,
                    help="skip pandas above this many rows (it runs file by file, so it fits)")
    ap.add_argument("--seed", type=int, default=20241203)
    ap.add_argument("--child", choices=["pandas", "dask"], help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        counts = _child(args.child, args.files, args.child_out, args.partition_size)
        args.result.write_text(json.dumps(counts), "utf-8")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    results_path = args.out / "bench_scale_results.json"
    results = json.loads(results_path.read_text("utf-8")) if results_path.is_file() else []
    print(f"{'rows':>11} {'engine':>7} {'seconds':>9} {'rows/s':>9} {'rows/cpu-s':>10} {'peak tree RSS':>14} "
          f"{'largest proc':>13} {'procs':>5} {'parts':>5} {'load':>9}")
    for n in args.rows:
        paths, gen_s = _generate(n, args.out, args.seed)
        size = sum(p.stat().st_size for p in paths)
        print(f"# {n:,} rows in {len(paths)} files, {size / 1e6:,.0f} MB on disk"
              + (f" (written in {gen_s:.0f} s)" if gen_s else " (reused)"), flush=True)
        speed, cpu, peak = {}, {}, {}
        for engine in args.engines:
            if engine == "pandas" and n > args.pandas_max_rows:
                print(f"{n:>11,} {engine:>7}  skipped (--pandas-max-rows {args.pandas_max_rows:,})")
                continue
            r = _run(engine, paths, args.out / f"out_{engine}_{n}", args.partition_size)
            largest = max(r["ru_maxrss_self_gib"], r["ru_maxrss_children_gib"])
            print(f"{n:>11,} {engine:>7} {r['seconds']:>9.1f} {r['rows_per_s']:>9,.0f} "
                  f"{r['rows_per_cpu_s']:>10,.0f} {r['peak_tree_rss_gib']:>10.2f} GiB {largest:>9.2f} GiB "
                  f"{r['max_processes']:>5} {r.get('npartitions', '-'):>5} {r['load_avg_1min_mean']:>4.1f}/{r['load_avg_1min_at_end']:<4.1f}", flush=True)
            assert r["rows_in"] == n == r["rows_table"] + r["rows_rejected"]
            speed[engine] = r["rows_per_s"]
            cpu[engine] = r["cpu_seconds"] / n
            peak[engine] = r["peak_tree_rss_gib"]
            results = [x for x in results if not (x["n_rows"] == n and x["engine"] == engine)]
            results.append({"n_rows": n, "partition_size": args.partition_size, "bytes_on_disk": size, **r})
            results_path.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
        if len(speed) == 2:
            print(f"# dask / pandas at {n:,} rows: speed {speed['dask'] / speed['pandas']:.2f}x, "
                  f"CPU per row {cpu['dask'] / cpu['pandas']:.2f}x, peak tree memory {peak['dask'] / peak['pandas']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

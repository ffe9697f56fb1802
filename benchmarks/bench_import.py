"""Benchmark: how long ``import csresearch`` (and the first use of its parts) takes beside ``import pandas``.

Each statement runs in a fresh interpreter (``python -c``), timed inside it around the
statement only (interpreter start-up excluded), ``--repeats`` times; the statements are
interleaved round by round so that other load on the machine hits them alike. The median
and the ratio to ``import pandas`` are printed, with the modules of note each one loaded
and the 1-minute load average.

``import csresearch`` itself loads nothing (PEP 562 module ``__getattr__``); the first use of
a function pays for the libraries it needs, which the other rows show.

Usage::

    python benchmarks/bench_import.py --repeats 7
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

STATEMENTS = {
    "import pandas": "import pandas",
    "import csresearch": "import csresearch",
    "csresearch.read_table": "import csresearch; csresearch.read_table",
    "csresearch.clean_survey": "import csresearch; csresearch.clean_survey",
    "processed schema (pandera)": "from csresearch.schema import processed_schema; processed_schema()",
    "csresearch.fit_pay_model": "import csresearch; csresearch.fit_pay_model",
    "csresearch.scale (dask)": "import csresearch.scale",
}
NOTABLE = ("pandas", "pandera", "scipy", "statsmodels", "sklearn", "matplotlib", "dask", "distributed")
CHILD = (
    "import sys, time, json\nt = time.perf_counter()\nexec({stmt!r})\nd = time.perf_counter() - t\n"
    "print(json.dumps([d, sorted(m for m in {notable!r} if m in sys.modules)]))"
)


def _once(stmt: str) -> tuple[float, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    code = CHILD.format(stmt=stmt, notable=NOTABLE)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    seconds, loaded = json.loads(out.strip().splitlines()[-1])
    return seconds, loaded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    times: dict[str, list[float]] = {k: [] for k in STATEMENTS}
    loaded: dict[str, list[str]] = {}
    for _ in range(args.repeats):
        for name, stmt in STATEMENTS.items():
            t, mods = _once(stmt)
            times[name].append(t)
            loaded[name] = mods
    base = statistics.median(times["import pandas"])
    print(f"fresh interpreters, {args.repeats} interleaved repeats, median (min-max); "
          f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:26s} {med * 1000:8.1f} ms ({min(ts) * 1000:.0f}-{max(ts) * 1000:.0f})  "
              f"{med / base:5.2f}x import pandas   loads {', '.join(loaded[name]) or '-'}")
    ratio = statistics.median(times["import csresearch"]) / base
    print(f"import csresearch / import pandas: {ratio:.3f}x (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

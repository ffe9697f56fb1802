"""Benchmark the title, city and experience parsers on a large repetitive column.

Prints rows per second, peak Python memory (tracemalloc) and the speed-up of
"parse each distinct string once and map back" over the plain per-row apply.
Run: python benchmarks/bench_roles.py [n_rows]
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from csresearch.clean import experience, geo, roles

ROOT = Path(__file__).resolve().parents[1]


def _column(values: list[str], n: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.choice(np.asarray(values, dtype=object), size=n), dtype="str")


def _measure(func, data) -> tuple[float, float]:
    """Wall time of a clean run (no tracing), then peak traced memory of a second run."""
    t0 = time.perf_counter()
    func(data)
    elapsed = time.perf_counter() - t0
    tracemalloc.start()
    func(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20


def main(n: int = 200_000) -> None:
    titles = pd.read_csv(ROOT / "tests" / "data" / "titles_labelled.csv")["title"].tolist()
    cities = ["上海-浦东新区", "г. Москва", "СПб", "London, UK", "New York-Newark-Jersey City, NY-NJ-PA", "杭州市", "Ulaanbaatar"]
    exp = ["1-3年", "3年以上", "от 3 до 6 лет", "between1And3", "2+ years", "не требуется", "5 years"]
    cases = {
        "classify_titles": (roles.classify_titles, _column(titles, n)),
        "normalize_cities": (geo.normalize_cities, _column(cities, n)),
        "parse_experience": (experience.parse_experience, _column(exp, n)),
    }
    print(f"{'function':18s} {'rows':>8s} {'rows/s':>12s} {'peak MiB':>9s} {'plain rows/s':>13s} {'speed-up':>9s}")
    for name, (func, data) in cases.items():
        elapsed, peak = _measure(func, data)
        # plain alternative: call the parser row by row on a 2,000-row slice (no de-duplication)
        small = data.iloc[:2000]
        t0 = time.perf_counter()
        for v in small:
            func([v])
        plain = len(small) / (time.perf_counter() - t0)
        print(f"{name:18s} {n:8d} {n / elapsed:12,.0f} {peak:9.1f} {plain:13,.0f} {n / elapsed / plain:9.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)

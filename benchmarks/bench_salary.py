"""Benchmark csresearch.clean.salary.parse_salaries against price-parser.

Builds N salary strings (default 1 000 000) from a realistic distribution:
the hand-labelled strings of tests/data/salary_labelled.csv plus generated
variants of the common templates (Chinese 千/万 ranges, Russian от/до, rouble
ranges, English per-annum/per-hour ranges, German/French euro amounts), drawn
with Zipf-like frequencies so that a few strings repeat heavily and a long
tail occurs once or twice, as in real posting columns. Seed fixed.

Prints rows per second, peak memory of the call (tracemalloc, measured in a
separate run so it does not slow the timed one) and the throughput ratio
against ``price_parser.Price.fromstring`` in a plain loop over the same
strings, and against price-parser with the same dedup trick (parse distinct
strings once and map back).

With ``--distinct`` every string occurs once, so the per-string cost is measured.

Usage::

    python benchmarks/bench_salary.py            # 1 000 000 rows
    python benchmarks/bench_salary.py --n 100000 # quick run

price-parser is a benchmark-only dependency (extras ``bench``).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from csresearch.clean.salary import parse_salaries

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "salary_labelled.csv"


def _variants(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """Generated strings in the common templates, with their country."""
    out: list[tuple[str, str]] = []
    for _ in range(n):
        kind = rng.integers(8)
        a = int(rng.integers(2, 60))
        b = a + int(rng.integers(1, 30))
        if kind == 0:
            out.append((f"{a / 10:g}-{b / 10:g}万/月" if a < 20 else f"{a / 10:g}-{b / 10:g}千/月", "CN"))
        elif kind == 1:
            out.append((f"{a}-{b}万/年", "CN"))
        elif kind == 2:
            out.append((f"от {a * 5}\u00a0000 до {b * 5}\u00a0000 руб. на руки", "RU"))
        elif kind == 3:
            out.append((f"{a * 2000}—{b * 2000}₽", "RU"))
        elif kind == 4:
            out.append((f"{a * 1000:,} to {b * 1000:,} per year", "GB"))
        elif kind == 5:
            out.append((f"{a / 4:.2f} to {b / 4:.2f} per hour", "GB"))
        elif kind == 6:
            out.append((f"{a * 100:,} € brutto/Monat".replace(",", "."), "DE"))
        else:
            out.append((f"{a * 1000:,} € brut par an".replace(",", " "), "FR"))
    return out


def distinct_strings(n: int) -> pd.DataFrame:
    """``n`` all-distinct strings in the common templates (a crawl's long tail, each seen once)."""
    rows = []
    for i in range(n):
        a, b = 1000 + i, 1001 + i + i % 997
        kind = i % 8
        rows.append([
            (f"{a}-{b}元/月", "CN"), (f"{a / 1000:g}-{b / 1000:g}万/年", "CN"),
            (f"от {a}\u00a0{i % 1000:03d} до {b}\u00a0000 руб. на руки", "RU"), (f"{a * 10}—{b * 10}₽", "RU"),
            (f"£{a * 10:,} to £{b * 10:,} per year", "GB"), (f"{a / 100:.2f} to {b / 100:.2f} per hour", "GB"),
            (f"{a:,} € brutto/Monat".replace(",", "."), "DE"), (f"{a * 10:,} € brut par an".replace(",", " "), "FR"),
        ][kind])
    return pd.DataFrame(rows, columns=["salary_text", "country"])


def build_strings(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    pool = list(zip(lab["text"], lab["country"].replace("", None)))
    pool += _variants(rng, 20_000)
    # Zipf-like weights over a shuffled pool: rank r gets weight 1 / r^1.1.
    order = rng.permutation(len(pool))
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 1.1
    weights /= weights.sum()
    picks = order[rng.choice(len(pool), size=n, p=weights)]
    texts = [pool[i][0] for i in picks]
    countries = [pool[i][1] for i in picks]
    return pd.DataFrame({"salary_text": texts, "country": countries})


def _ours(df: pd.DataFrame) -> pd.DataFrame:
    return parse_salaries(df["salary_text"], country=df["country"])


def _price_parser_loop(texts: list[str]) -> list:
    from price_parser import Price

    return [Price.fromstring(t) for t in texts]


def _price_parser_dedup(texts: pd.Series) -> pd.Series:
    from price_parser import Price

    codes, uniques = pd.factorize(texts)
    parsed = np.array([Price.fromstring(t).amount for t in uniques], dtype=object)
    return pd.Series(parsed[codes], index=texts.index)


def _timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def _peak_mib(fn, *args) -> float:
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of strings (default 1 000 000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--distinct", action="store_true", help="all-distinct strings (per-string cost)")
    args = parser.parse_args()

    df = distinct_strings(args.n) if args.distinct else build_strings(args.n, args.seed)
    texts = df["salary_text"]
    n_distinct = texts.nunique()
    print(f"rows {args.n:,}; distinct strings {n_distinct:,}; distinct (text, country) "
          f"{len(df.drop_duplicates()):,}")
    top = texts.value_counts(normalize=True)
    print(f"most frequent string share {top.iloc[0]:.3f}; top-100 share {top.iloc[:100].sum():.3f}")

    _ours(df.head(1000))  # compile regexes, load lexicon (a one-off cost, excluded)
    t_ours = _timed(_ours, df)
    out = _ours(df)
    t_pp = _timed(_price_parser_loop, texts.tolist())
    t_pp_dedup = _timed(_price_parser_dedup, texts)
    peak_ours = _peak_mib(_ours, df)

    n = args.n
    print(f"parse_salaries:                  {t_ours:8.2f} s  {n / t_ours:12,.0f} rows/s  "
          f"(share ok {out['status'].eq('ok').mean():.3f})")
    print(f"price_parser loop:               {t_pp:8.2f} s  {n / t_pp:12,.0f} rows/s")
    print(f"price_parser with dedup:         {t_pp_dedup:8.2f} s  {n / t_pp_dedup:12,.0f} rows/s")
    print(f"throughput ratio vs price_parser loop:  {t_pp / t_ours:6.1f}x")
    print(f"per string: parse_salaries {t_ours / n * 1e6:.1f} us, price_parser {t_pp / n * 1e6:.1f} us, "
          f"ratio {t_ours / t_pp:.2f} (target <= 2 on all-distinct strings); load {os.getloadavg()[0]:.1f}")
    print(f"throughput ratio vs price_parser dedup: {t_pp_dedup / t_ours:6.1f}x")
    print(f"peak Python memory during parse_salaries (tracemalloc): {peak_ours:,.0f} MiB")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()

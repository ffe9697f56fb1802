"""Benchmark csresearch.clean.salary.parse_salaries against price-parser.

Builds N salary strings (default 1 000 000) from a realistic distribution:
the hand-labelled strings of tests/data/salary_labelled.csv plus generated
variants of the common templates (Chinese 千/万 ranges, Russian от/до, rouble
ranges, English per-annum/per-hour ranges, German/French euro amounts), drawn
with Zipf-like frequencies so that a few strings repeat heavily and a long
tail occurs once or twice, as in real posting columns. Seed fixed.

Two sets are timed, each against ``price_parser.Price.fromstring`` in a plain
loop over the same strings (and with the same dedup trick: distinct strings
parsed once and mapped back): the repeated (Zipf) strings above, and N
all-distinct strings (a crawl's long tail, each seen once), where the
per-string cost shows. Every side gets the same warm-up (the first 1 000
strings once) and the same ``--repeat`` rounds (each round times every side
once, in the same order); the first run (cold memory, what one call in a fresh
process costs) and the best of the rounds are both printed, with their ratios.
Wall and CPU seconds are both printed: the machine may be shared, and CPU time
is less skewed by other processes; the load average is printed per set. Also printed: the
share of distinct strings the first pass (``salary_shapes``) settles, and with
``--peak`` peak memory (tracemalloc, a separate run so it does not slow the
timed one).

Usage::

    python benchmarks/bench_salary.py                  # 1 000 000 rows, both sets
    python benchmarks/bench_salary.py --n 100000       # quick run
    python benchmarks/bench_salary.py --only distinct  # per-string cost only
    python benchmarks/bench_salary.py --repeat 1       # one round (first runs only)

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
from csresearch.clean.salary_shapes import settle

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


def _timed(fn, *args) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU time is less skewed by other processes on a shared machine)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0


def _peak_mib(fn, *args) -> float:
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _measure(df: pd.DataFrame, label: str, peak: bool, repeat: int) -> None:
    texts = df["salary_text"]
    n = len(df)
    top = texts.value_counts(normalize=True)
    print(f"\n== {label}: rows {n:,}; distinct strings {texts.nunique():,}; distinct (text, country) "
          f"{len(df.drop_duplicates()):,}; most frequent string share {top.iloc[0]:.3f}; "
          f"top-100 share {top.iloc[:100].sum():.3f}; load average {os.getloadavg()[0]:.2f}")
    # The same warm-up for every side: the first 1 000 strings once (imports, compiled patterns,
    # lexicon and reference tables; one-off costs, excluded). Then `repeat` rounds, each timing
    # every side once on the same strings, in the same order.
    texts_list = texts.tolist()
    sides = {
        "parse_salaries": (_ours, df),
        "price_parser loop": (_price_parser_loop, texts_list),
        "price_parser with dedup": (_price_parser_dedup, texts),
    }
    head = {"parse_salaries": df.head(1000), "price_parser loop": texts_list[:1000],
            "price_parser with dedup": texts.head(1000)}
    for name, (fn, _) in sides.items():
        fn(head[name])
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, (fn, arg) in sides.items():
            times[name].append(_timed(fn, arg))
    out = _ours(df.head(200_000))  # the share of ok strings, on a sample
    distinct = texts.drop_duplicates().tolist()
    settled = sum(r is not None for r in settle(distinct))
    first = {name: t[0] for name, t in times.items()}
    best = {name: (min(w for w, _ in t), min(c for _, c in t)) for name, t in times.items()}
    for name in sides:
        (wf, cf), (wb, cb) = first[name], best[name]
        print(f"{name + ':':25s} first {wf:7.2f} s wall {cf:7.2f} s cpu; best of {repeat} {wb:7.2f} s wall "
              f"{cb:7.2f} s cpu  {n / wb:12,.0f} rows/s")
    print(f"(parse_salaries share ok {out['status'].eq('ok').mean():.3f}; first pass settles "
          f"{settled / len(distinct):.3f} of distinct strings)")
    for kind, t in (("first run", first), (f"best of {repeat}", best)):
        (wo, co), (wp, cp), (wd, cd) = t["parse_salaries"], t["price_parser loop"], t["price_parser with dedup"]
        print(f"{kind}: per string parse_salaries {wo / n * 1e6:.2f} us, price_parser {wp / n * 1e6:.2f} us, "
              f"ratio {wo / wp:.2f} wall / {co / cp:.2f} cpu (target <= 2 on all-distinct strings)")
        print(f"{kind}: throughput ratio vs price_parser loop:  {wp / wo:6.1f}x wall / {cp / co:6.1f}x cpu "
              f"(target >= 10 on repeated strings); vs price_parser with dedup {wd / wo:.1f}x wall / "
              f"{cd / co:.1f}x cpu")
    print(f"load average after this set {os.getloadavg()[0]:.2f}")
    if peak:
        print(f"peak Python memory during parse_salaries (tracemalloc): {_peak_mib(_ours, df):,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of strings (default 1 000 000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=["repeated", "distinct"], help="run one of the two sets only")
    parser.add_argument("--peak", action="store_true", help="also measure peak memory (a separate, slower run)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds; each times every side once on the same strings (default 3)")
    args = parser.parse_args()
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.only != "distinct":
        _measure(build_strings(args.n, args.seed), "repeated strings (Zipf)", args.peak, args.repeat)
    if args.only != "repeated":
        _measure(distinct_strings(args.n), "all-distinct strings", args.peak, args.repeat)
    print(f"\nload average at end {os.getloadavg()[0]:.1f}; "
          f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()

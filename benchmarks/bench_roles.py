"""Benchmark role classification: titles at scale, and distinct descriptions.

1. ``classify_roles`` title-only (rules + shipped model) on N titles (default 1,000,000) drawn
   from the labelled corpus (data/labelled/role_titles*.csv) with a Zipf-like frequency
   (rank r drawn with weight 1 / r**1.1), so a few titles repeat very often and the long tail
   appears a handful of times, as in a crawl. Printed beside ``classify_titles`` (rules only) on
   the same column: rows/s, their ratio, and peak memory.
2. ``classify_roles`` with descriptions and ``read_descriptions`` alone on D (default 20,000)
   DISTINCT descriptions, each made of three labelled postings' excerpts
   (data/labelled/role_postings.csv) and a serial number, about 1,100 characters, the length of
   a real posting's text: distinct descriptions per second.

Peak memory is the process's peak resident set (``resource``) after each step and the peak
of Python allocations during a second, traced run (``tracemalloc``). The machine's load
average is printed, since the figures depend on it.

3. The pipeline's role step on N_POSTINGS (default 1,000,000) synthetic cn postings
   (:func:`csresearch.synth.postings.synthetic_postings`, whose one-off titles "客服专员 (J0001234)"
   make about 2 % of rows distinct titles): ``classify_roles`` with the description columns on
   the distinct (title, description) pairs, as ``clean_survey`` calls it (issue 19). With a
   package whose ``classify_roles`` has no ``description_columns`` (before 2026-12-02 i19r) the
   step is ``classify_roles`` plus ``read_descriptions``, as the pipeline then ran it.

Run: python benchmarks/bench_roles.py [n_titles] [n_descriptions] [n_postings]
Targets (issue 13): >= 200,000 titles/s; >= 5,000 distinct descriptions/s.

Descriptions, 2026-12-02 (i13c), load average 10 on 2 CPUs, so per CPU second: classify_roles
with descriptions 5,307/s (the reader before that day: 2,976/s in the same run conditions),
read_descriptions alone 4,716/s. What made the difference: one RE2 set pass decides every
duty (a kind's score is the number of its entries found, no per-phrase findall), the set's
DFA given 64 MB (at RE2's default 8 MB it was flushed within every text), NFKC of all non-ASCII
texts in one Arrow call, and each description read once in classify_roles.

2026-12-02 (i19r), load average 2.1 on 2 CPUs, before/after in back-to-back runs
(benchmarks/bench_roles_latest.txt): read_descriptions 11,599 / 11,095 distinct per CPU-s and
classify_roles with descriptions 12,893 / 12,701 (unchanged code; the same machine now gives
about 2.4x the i13c per-CPU figures); the pipeline role step on 1 M synthetic cn postings
(19,808 distinct titles) 1.05 -> 0.89 CPU-s, with the descriptions read once instead of twice
(which only pays where descriptions are many and distinct: 4 here).
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csresearch.clean.description import read_descriptions
from csresearch.clean.role_classifier import classify_roles
from csresearch.clean.roles import classify_titles
from csresearch.clean.roles_model import labelled_title_files

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "data" / "labelled"


def zipf_titles(n: int, seed: int = 0, exponent: float = 1.1) -> pd.Series:
    """N titles from the labelled corpus, rank r drawn with weight 1 / r**exponent."""
    titles = pd.concat([pd.read_csv(f)["title"] for f in labelled_title_files(ROOT)]).drop_duplicates().to_numpy(dtype=object)
    rng = np.random.default_rng(seed)
    titles = titles[rng.permutation(len(titles))]  # which title is frequent is arbitrary
    weights = 1.0 / np.arange(1, len(titles) + 1) ** exponent
    return pd.Series(rng.choice(titles, size=n, p=weights / weights.sum()), dtype="str")


def distinct_descriptions(n: int, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    """N distinct descriptions (three postings' excerpts each) and a title for each."""
    post = pd.read_csv(LABELLED / "role_postings.csv")
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(post), size=(n, 3))
    desc = post["description"].to_numpy(dtype=object)
    text = [f"{desc[a]} {desc[b]} {desc[c]} №{i}" for i, (a, b, c) in enumerate(pick)]
    return pd.Series(text, dtype="str"), post["title"].iloc[pick[:, 0]].reset_index(drop=True).astype("str")


def measure(func: Callable[[], Any], trace: bool = True) -> tuple[float, float, float | None, float]:
    """Wall and CPU seconds of a clean run, peak traced MiB of a second run, and peak RSS MiB."""
    t0, c0 = time.perf_counter(), time.process_time()
    func()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = None
    if trace:
        tracemalloc.start()
        func()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
    return elapsed, cpu, peak, rss


def _row(name: str, n: int, unit: str, m: tuple[float, float, float | None, float], extra: str = "") -> None:
    elapsed, cpu, peak, rss = m
    traced = "-" if peak is None else f"{peak:,.0f}"
    print(f"{name:38s} {n:>10,d} {n / elapsed:>12,.0f} {n / cpu:>12,.0f} {unit:>11s} {traced:>11s} {rss:>9,.0f}  {extra}")


def pipeline_pairs(n: int) -> tuple[pd.Series, pd.Series]:
    """The distinct (title, description) pairs of n synthetic cn postings, as clean_survey passes them."""
    from csresearch.synth.postings import synthetic_postings

    df = synthetic_postings(n, site="cn")[["title", "description"]]
    from csresearch.privacy import scrub_pii

    pairs = df.astype("str").drop_duplicates().reset_index(drop=True)
    # as clean_survey: personal data scrubbed, cells stripped, blanks missing, then distinct pairs
    pairs = pairs.apply(lambda s: scrub_pii(s).astype("str").str.strip()).replace("", pd.NA).drop_duplicates()
    return pairs["title"].reset_index(drop=True), pairs["description"].reset_index(drop=True)


def role_step(titles: pd.Series, descriptions: pd.Series) -> Callable[[], Any]:
    """The pipeline's role step: one pass when classify_roles can return the description columns."""
    import inspect

    if "description_columns" in inspect.signature(classify_roles).parameters:
        return lambda: classify_roles(titles, descriptions, description_columns=True)
    return lambda: (classify_roles(titles, descriptions), read_descriptions(descriptions))


def main(n_titles: int = 1_000_000, n_desc: int = 20_000, n_postings: int = 1_000_000) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"on {os.cpu_count()} CPUs")
    classify_roles(["客服专员"], ["接听客户来电"])  # load lexicons and model outside the timing
    titles = zipf_titles(n_titles)
    print(f"titles: {n_titles:,d} rows, {titles.nunique():,d} distinct, top title "
          f"{titles.value_counts().iloc[0] / n_titles:.1%} of rows")
    print("rate = per wall-clock second; per CPU s = per second of this process's CPU time (less "
          "sensitive to other load)")
    print(f"{'call':38s} {'n':>10s} {'rate':>12s} {'per CPU s':>12s} {'unit':>11s} {'traced MiB':>11s} {'RSS MiB':>9s}")
    rules = measure(lambda: classify_titles(titles))
    _row("classify_titles (rules)", n_titles, "rows/s", rules)
    roles = measure(lambda: classify_roles(titles))
    _row("classify_roles title-only (combined)", n_titles, "rows/s", roles,
         f"{rules[0] / roles[0]:.2f}x classify_titles (CPU {rules[1] / roles[1]:.2f}x); target 200,000 rows/s")

    desc, dtitles = distinct_descriptions(n_desc)
    print(f"descriptions: {n_desc:,d} distinct, mean {desc.str.len().mean():,.0f} characters")
    _row("read_descriptions", n_desc, "distinct/s", measure(lambda: read_descriptions(desc), trace=False))
    _row("classify_roles with descriptions", n_desc, "distinct/s",
         measure(lambda: classify_roles(dtitles, desc), trace=False), "target 5,000 distinct/s")

    if n_postings:
        ptitles, pdesc = pipeline_pairs(n_postings)
        print(f"pipeline role step: {n_postings:,d} synthetic cn postings, {len(ptitles):,d} distinct (title, "
              f"description) pairs, {ptitles.nunique():,d} distinct titles, {pdesc.nunique():,d} descriptions")
        m = measure(role_step(ptitles, pdesc), trace=False)
        _row("role step (titles + descriptions)", n_postings, "rows/s", m,
             f"{m[0]:.2f} s wall, {m[1]:.2f} CPU-s for {n_postings:,d} rows")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)

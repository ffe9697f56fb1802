"""Benchmark: scrub_pii over posting descriptions.

Prints rows per second and peak traced memory of :func:`csresearch.privacy.scrub_pii` on
(a) the 51job Shanghai descriptions from ../shared/realdata when present, repeated to 50 000
rows (real columns repeat heavily: distinct values are parsed once), and (b) 50 000 synthetic
descriptions that are all distinct; against the plain alternative, ``Series.apply`` of the same
patterns row by row. Also times suppress_small_cells on a 40 x 25 table with both margins.
Run: ``python benchmarks/bench_privacy.py``.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from csresearch.privacy import _patterns, _replacer, scrub_pii, suppress_small_cells

N, SEED = 50_000, 0
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "cn_51job_shanghai_2020" / "qianchengwuyou_all.csv"


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    wall = time.perf_counter() - t0
    tracemalloc.start()
    fn(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, wall, peak


def plain_apply(texts: pd.Series) -> pd.Series:
    """The plain alternative: every row, every pattern, no de-duplication."""
    def one(text):
        if not isinstance(text, str):
            return text
        for p in _patterns():
            text = p.regex.sub(_replacer(p), text)
        return text
    return texts.apply(one)


def synthetic(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    body = "岗位职责：1、接听客户电话，处理投诉；2、维护客户关系。任职要求：大专以上，1-3年经验，薪资4.5-6千/月。"
    contact = np.array(["联系电话：1{}".format(rng.integers(3_000_000_000, 9_999_999_999)) for _ in range(n)])
    mail = np.array([f" 简历投递 hr{i}@example.com" for i in range(n)])
    use_mail = rng.random(n) < 0.3
    return pd.Series([body + c + (m if u else "") for c, m, u in zip(contact, mail, use_mail)])


def report(name: str, texts: pd.Series) -> None:
    _, wall, peak = timed(scrub_pii, texts)
    sample = texts.iloc[: min(len(texts), 5000)]
    _, wall_plain, _ = timed(plain_apply, sample)
    plain_rate = len(sample) / wall_plain
    print(f"{name}: {len(texts):,} rows ({texts.nunique():,} distinct): {len(texts) / wall:,.0f} rows/s, "
          f"peak {peak:.1f} MiB; plain apply {plain_rate:,.0f} rows/s; ratio {len(texts) / wall / plain_rate:.1f}x")


def main() -> None:
    if REAL.is_file():
        desc = pd.read_csv(REAL, header=None, dtype=str)[5]
        report("51job descriptions x repeat", pd.concat([desc] * (N // len(desc) + 1), ignore_index=True).iloc[:N])
    else:
        print(f"(real data {REAL} absent: skipping the 51job run)")
    report("synthetic distinct descriptions", synthetic(N, SEED))

    rng = np.random.default_rng(SEED)
    r, c = 40, 25
    n = rng.choice([1, 2, 3, 8, 20, 60], size=(r, c))
    table = pd.DataFrame([(i, j, int(n[i, j])) for i in range(r) for j in range(c)], columns=["a", "b", "n"])
    out, wall, peak = timed(suppress_small_cells, table, k=5, by=["a", "b"], totals=["a", "b"])
    print(f"suppress_small_cells {r}x{c}: {wall:.2f} s, peak {peak:.1f} MiB, "
          f"{int((out['suppression'] == 'primary').sum())} primary + {int((out['suppression'] == 'secondary').sum())} secondary")


if __name__ == "__main__":
    main()

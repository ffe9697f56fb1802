"""Benchmark: policy simulator and pay calculator.

Prints employee-months per second of :func:`csresearch.policy.simulate_policy` for each shipped
rule set (10 000 employees x 60 months), against a plain per-employee Python loop of the same
rules (a reference implementation of ``tiered_tenure`` on a subsample), and rows per second of
:func:`csresearch.policy.compute_monthly_pay` against a row-by-row ``apply``. Peak memory via
tracemalloc. Run: ``python benchmarks/bench_policy.py``.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from csresearch.policy import compute_monthly_pay, list_policies, load_pay_policy, load_policy, simulate_policy

N, MONTHS, SEED = 10_000, 60, 0


def timed(fn, *args, **kwargs):
    """Best wall time of 3 runs (without tracing), then peak traced memory of one more run."""
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, best, peak


def loop_tiered(n: int, months: int, scores: np.ndarray) -> int:
    """Plain per-employee loop of tiered_tenure (the alternative to vectorising); returns #events."""
    p = load_policy("tiered_tenure")
    events = 0
    for i in range(n):
        grade, in_grade, hist = 0, 0, []
        for t in range(1, months + 1):
            hist.append(scores[t - 1, i])
            in_grade += 1
            g = p.grades[grade]
            if in_grade % g.review_months == 0 and in_grade >= 3:
                mean = sum(hist[-3:]) / 3
                nxt = p.grades[grade + 1] if grade + 1 < len(p.grades) else None
                if nxt and in_grade >= g.min_months and t >= nxt.min_service_months and mean >= 80:
                    grade, in_grade, hist, events = grade + 1, 0, [], events + 1
                elif mean < 70 and grade > 0:
                    grade, in_grade, hist, events = grade - 1, 0, [], events + 1
    return events


def main() -> None:
    print(f"simulate_policy: {N} employees x {MONTHS} months")
    for name in list_policies():
        simulate_policy(name, 100, months=12, seed=SEED)  # warm-up
        ev, dt, peak = timed(simulate_policy, name, N, months=MONTHS, seed=SEED)
        print(f"  {name:22s} {dt:6.3f} s  {N * MONTHS / dt:12,.0f} employee-months/s  "
              f"{len(ev):7d} events  peak {peak:6.1f} MiB")  # fmt: skip

    n_loop = N
    scores = np.random.default_rng(SEED).normal(78, 10, (MONTHS, n_loop))
    _, dt_vec, _ = timed(simulate_policy, "tiered_tenure", n_loop, months=MONTHS, seed=SEED, performance=scores,
                         exit_hazard=0.0)  # fmt: skip
    _, dt_loop, _ = timed(loop_tiered, n_loop, MONTHS, scores)
    print(f"  tiered_tenure {n_loop} employees: vectorised {dt_vec:.3f} s vs per-employee loop {dt_loop:.3f} s "
          f"(ratio {dt_loop / dt_vec:.1f}x; the loop builds no event table)")  # fmt: skip

    rng = np.random.default_rng(SEED)
    n_rows = 200_000
    staff = pd.DataFrame(
        {
            "education": rng.choice(["bachelor", "college", "high_school"], n_rows),
            "tenure_months": rng.integers(0, 60, n_rows),
            "kpi_deductions": rng.integers(0, 100, n_rows),
            "reception_points": rng.integers(0, 800, n_rows),
            "performance_points": rng.integers(0, 200, n_rows),
            "sales": rng.integers(0, 300_000, n_rows),
        }
    )
    policy = load_pay_policy("pay_seed001")
    _, dt, peak = timed(compute_monthly_pay, staff, policy)
    print(f"compute_monthly_pay: {n_rows} rows in {dt:.3f} s = {n_rows / dt:,.0f} rows/s, peak {peak:.1f} MiB")
    sub = staff.iloc[:300]
    t0 = time.perf_counter()
    sub.apply(lambda r: compute_monthly_pay(r.to_frame().T, policy)["total"].iloc[0], axis=1)
    dt_apply = time.perf_counter() - t0
    _, dt_sub, _ = timed(compute_monthly_pay, sub, policy)  # same rows, vectorised
    print(f"  row-by-row apply on 300 rows: {dt_apply:.2f} s vs vectorised {dt_sub:.4f} s "
          f"(ratio {dt_apply / dt_sub:,.0f}x)")  # fmt: skip


if __name__ == "__main__":
    main()

"""Benchmark: fit_pay_model with absorbed city fixed effects beside pyfixest (and the dummy fit).

Simulates ``--rows`` postings in ``--cities`` cities (set truth: slope 0.04 on experience,
city effects N(0, 0.3), clusters = 2 000 companies), and fits
``np.log(pay) ~ experience_years + C(level)`` clustered by company:

- ``absorb``: ``fit_pay_model(..., absorb="city")`` (within transformation);
- ``pyfixest``: ``pyfixest.feols("log_pay ~ experience_years + C(level) | city", vcov={"CRV1": "company"})``,
  when installed (benchmark-only dependency);
- ``dummy``: ``fit_pay_model`` with ``+ C(city)`` (today's dense design), only with ``--dummy``
  (1 M x 300 needs ~10 GiB; e.g. ``--rows 200000 --dummy``), then the largest differences of
  the absorbed fit's estimates and clustered SEs from the dummy fit's are printed.

Each fit runs in a fresh child process; peak RSS above the child's baseline (data built,
libraries imported) is printed with the time and the load average. Estimates of the
experience slope are printed side by side (pyfixest's SEs use its own small-sample rule,
so only the estimates are compared with it; the SEs equal the dummy fit's, see
tests/test_pay_fixed_effects.py).

Usage::

    python benchmarks/bench_fixed_effects.py --rows 1000000 --cities 300
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def _data(n: int, n_cities: int, seed: int = 0):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    city = rng.integers(0, n_cities, n)
    effect = rng.normal(0, 0.3, n_cities)
    exp = rng.gamma(2.0, 2.0, n) + city / n_cities
    level = rng.integers(1, 4, n)
    log_pay = 10 + 0.04 * exp + 0.2 * (level - 1) + effect[city] + rng.normal(0, 0.25, n)
    return pd.DataFrame({"pay": np.exp(log_pay), "log_pay": log_pay, "experience_years": exp, "level": level,
                         "city": pd.Series(city).map(lambda c: f"c{c:04d}"), "company": rng.integers(0, 2000, n)})


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, n: int, n_cities: int) -> dict:
    df = _data(n, n_cities)
    if mode == "pyfixest":
        import pyfixest as pf

        # compile its numba kernels first: a crawl's fit is not its first
        pf.feols("log_pay ~ experience_years + C(level) | city", data=df.head(5000), vcov={"CRV1": "company"})
    else:
        from csresearch.models.pay import fit_pay_model
    base = _rss_mib()
    t = time.perf_counter()
    if mode == "pyfixest":
        fit = pf.feols("log_pay ~ experience_years + C(level) | city", data=df, vcov={"CRV1": "company"})
        est, se = float(fit.coef()["experience_years"]), float(fit.se()["experience_years"])
        table = {}
    else:
        rhs = "experience_years + C(level)" + (" + C(city)" if mode == "dummy" else "")
        kw = {"absorb": "city"} if mode == "absorb" else {}
        eff = fit_pay_model(df, f"np.log(pay) ~ {rhs}", cluster="company", **kw).effects()
        est, se = float(eff.loc["experience_years", "estimate"]), float(eff.loc["experience_years", "std_error"])
        table = eff[~eff.index.str.startswith(("C(city)", "Intercept"))][["estimate", "std_error"]].to_dict("index")
    return {"mode": mode, "seconds": time.perf_counter() - t, "peak_above_base_mib": _rss_mib() - base,
            "peak_mib": _rss_mib(), "estimate": est, "std_error": se, "table": table}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cities", type=int, default=300)
    ap.add_argument("--dummy", action="store_true", help="also fit the dense C(city) design")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), int(args.child[2]))))
        return 0
    modes = ["absorb", "pyfixest"] + (["dummy"] if args.dummy else [])
    print(f"SIMULATED {args.rows:,} rows x {args.cities} cities, clustered by 2,000 companies")
    results = {}
    for mode in modes:
        cmd = [sys.executable, __file__, "--child", mode, str(args.rows), str(args.cities)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            print(f"{mode}: failed ({proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode})")
            continue
        r = results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{mode:9s} {r['seconds']:7.2f} s  peak {r['peak_mib']:7,.0f} MiB (+{r['peak_above_base_mib']:,.0f} above data) "
              f" slope {r['estimate']:.10f} se {r['std_error']:.3e}  load {os.getloadavg()[0]:.1f}")
    if "absorb" in results and "pyfixest" in results:
        a, p = results["absorb"], results["pyfixest"]
        print(f"absorb / pyfixest time: {a['seconds'] / p['seconds']:.2f}x (target <= 2); "
              f"|slope difference| {abs(a['estimate'] - p['estimate']):.1e}")
    if "absorb" in results and "dummy" in results:
        a, d = results["absorb"]["table"], results["dummy"]["table"]
        est = max(abs(a[k]["estimate"] - d[k]["estimate"]) for k in a)
        se = max(abs(a[k]["std_error"] / d[k]["std_error"] - 1) for k in a)
        print(f"absorb vs dummy over {len(a)} slopes: max |estimate difference| {est:.1e}, "
              f"max relative clustered-SE difference {se:.1e} (target 1e-8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of csresearch.money and the pay models: rows per second and peak memory.

Prints, for 200 000 rows: vectorised ``convert_currency`` (PPP, CPI extrapolation) against a
plain per-row loop over the same reference tables, and the interval regression fit against
OLS on the same rows. Run: ``python benchmarks/bench_pay.py``.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from csresearch.models.pay import fit_pay_model
from csresearch.money import convert_currency, load_reference_table


def _timed(fn):
    """Best of three wall times (tracemalloc off), then one traced run for peak memory."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, min(times), peak / 2**20


def main(n: int = 200_000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    cur = rng.choice(["CNY", "RUB", "GBP", "USD", "EUR"], n)
    country = pd.Series(cur).map({"CNY": "CN", "RUB": "RU", "GBP": "GB", "USD": "US", "EUR": "DE"}).to_numpy()
    years = rng.integers(2015, 2024, n)
    amounts = pd.Series(rng.lognormal(11, 0.5, n))

    fx = load_reference_table("fx").set_index(["currency", "year"])["value"].to_dict()
    loop_n = 20_000

    def loop():
        return [a / fx[(c, int(y))] if c != "USD" else a for a, c, y in zip(amounts[:loop_n], cur[:loop_n], years[:loop_n])]

    _, t_loop, m_loop = _timed(loop)
    _, t_fx, m_fx = _timed(lambda: convert_currency(amounts, cur, year=years))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, t_ppp, m_ppp = _timed(lambda: convert_currency(amounts, cur, year=years, method="ppp", country=country, year_fallback="cpi"))
    print(f"convert_currency fx : {n / t_fx:12,.0f} rows/s  peak {m_fx:6.1f} MiB")
    print(f"convert_currency ppp: {n / t_ppp:12,.0f} rows/s  peak {m_ppp:6.1f} MiB (CPI-extrapolated PPP)")
    print(f"plain per-row loop  : {loop_n / t_loop:12,.0f} rows/s  peak {m_loop:6.1f} MiB (dict lookups, fx only)")
    print(f"ratio vectorised fx / loop: {(n / t_fx) / (loop_n / t_loop):.1f}x")

    m = 20_000
    exp = rng.uniform(0, 15, m)
    y = 10 + 0.04 * exp + rng.normal(0, 0.3, m)
    open_ = rng.random(m) < 0.3
    df = pd.DataFrame({"experience_years": exp, "low": np.exp(y - 0.1), "high": np.where(open_, np.nan, np.exp(y + 0.1)),
                       "mid": np.exp(y)})
    _, t_int, m_int = _timed(lambda: fit_pay_model(df, "~ experience_years", kind="interval", low="low", high="high"))
    _, t_ols, m_ols = _timed(lambda: fit_pay_model(df, "np.log(mid) ~ experience_years"))
    print(f"interval regression : {m / t_int:12,.0f} rows/s  peak {m_int:6.1f} MiB")
    print(f"OLS (HC3)           : {m / t_ols:12,.0f} rows/s  peak {m_ols:6.1f} MiB")
    print(f"ratio interval / OLS time: {t_int / t_ols:.1f}x")


if __name__ == "__main__":
    main()

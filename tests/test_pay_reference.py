"""Pay models against stored R values (tests/reference/R/quantreg_reference.R) and closed forms."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csresearch.models.pay import fit_pay_model

REF = Path(__file__).parent / "reference"


def test_quantile_coefficients_match_r_rq():
    d = pd.read_csv(REF / "quantreg_pay.csv")
    ref = json.loads((REF / "quantreg_reference.json").read_text())
    m = fit_pay_model(d, "log_pay ~ experience_years + C(city)", kind="quantile", quantiles=(0.1, 0.3, 0.9))
    rename = {"(Intercept)": "Intercept", "experience_years": "experience_years",
              "citychengdu": "C(city)[T.chengdu]", "citywuhan": "C(city)[T.wuhan]"}
    for q in (0.1, 0.3, 0.9):
        r = pd.Series(ref[f"tau_{q:g}"]["coef"], index=[rename[n] for n in ref[f"tau_{q:g}"]["names"]])
        ours = m.results[q].params[r.index]
        assert np.abs(ours.to_numpy() - r.to_numpy()).max() < 1e-6, (q, (ours - r).to_dict())


def interval_frame(n=400, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, n)
    pay = np.exp(8.5 + 0.05 * x + 0.3 * rng.standard_normal(n))
    lo = np.floor(pay / 2000) * 2000
    return pd.DataFrame({"x": x, "low": lo, "high": lo + 2000, "firm": rng.integers(0, 40, n)})


def test_interval_reads_zero_lower_bound_as_up_to():
    df = interval_frame()
    df.loc[df.index[:30], ["low", "high"]] = [0.0, 5000.0]  # "0-5000"
    m0 = fit_pay_model(df, "~ x", kind="interval", low="low", high="high")
    open_low = fit_pay_model(df.assign(low=df["low"].replace(0.0, np.nan)), "~ x", kind="interval", low="low", high="high")
    assert m0.n_dropped == 0 and m0.results.censoring_counts["left_censored"] == 30
    np.testing.assert_allclose(m0.effects()["estimate"], open_low.effects()["estimate"], rtol=1e-10)


def test_cluster_is_honoured_or_refused():
    df = interval_frame()
    plain = fit_pay_model(df, "~ x", kind="interval", low="low", high="high")
    clus = fit_pay_model(df, "~ x", kind="interval", low="low", high="high", cluster="firm")
    assert "cluster=firm" in clus.cov_type
    assert not np.allclose(plain.effects()["std_error"], clus.effects()["std_error"])
    np.testing.assert_allclose(plain.effects()["estimate"], clus.effects()["estimate"], rtol=1e-6)
    d = pd.read_csv(REF / "quantreg_pay.csv")
    with pytest.raises(ValueError, match="cluster"):
        fit_pay_model(d, "log_pay ~ experience_years", kind="quantile", cluster="city")


def test_pay_band_intervals_are_order_statistics_with_binomial_coverage():
    from scipy import stats

    from csresearch.models.pay import pay_bands

    rng = np.random.default_rng(4)
    n, groups = 20, 1000
    df = pd.DataFrame({"g": np.repeat(np.arange(groups), n), "pay": rng.lognormal(8.5, 0.4, n * groups)})
    bands = pay_bands(df, "g", value="pay", quantiles=(0.5,), ci=0.95, min_cell=5)
    # closed form: ranks 6 and 15 of 20 (binom.ppf(0.025, 20, 0.5) = 6, binom.ppf(0.975, 20, 0.5) + 1 = 15)
    first = np.sort(df.loc[df["g"] == 0, "pay"].to_numpy())
    assert bands.loc[0, "p50_ci_low"] == first[5] and bands.loc[0, "p50_ci_high"] == first[14]
    exact = stats.binom.cdf(14, n, 0.5) - stats.binom.cdf(5, n, 0.5)  # 0.9586
    true_median = np.exp(8.5)
    covered = ((bands["p50_ci_low"] <= true_median) & (true_median <= bands["p50_ci_high"])).mean()
    assert abs(covered - exact) < 3 * np.sqrt(exact * (1 - exact) / groups), (covered, exact)
    # small cells stay suppressed, interval included; a p10 of 20 rows has no lower rank
    small = pay_bands(df[df["g"] < 3].head(44), "g", value="pay", quantiles=(0.1, 0.5), ci=0.95, min_cell=5)
    assert small["suppressed"].tolist() == [False, False, True] and small.loc[2, ["p50_ci_low", "p50_ci_high"]].isna().all()
    assert np.isnan(small.loc[0, "p10_ci_low"])
    with pytest.raises(ValueError, match="weight"):
        pay_bands(df.assign(w=1.0), "g", value="pay", weight="w", ci=0.95)


def test_mixed_model_intervals_use_t_with_groups_minus_one_df():
    from scipy import stats

    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(25), 8)
    x = rng.uniform(0, 10, len(g))
    y = 8.5 + 0.04 * x + rng.normal(0, 0.2, 25)[g] + rng.normal(0, 0.3, len(g))
    m = fit_pay_model(pd.DataFrame({"y": y, "x": x, "city": g.astype(str)}), "y ~ x", kind="mixed", groups="city")
    e = m.effects().loc["x"]
    half = stats.t.ppf(0.975, 24) * e["std_error"]  # 25 cities: t(24), 2.064 rather than 1.960
    assert e["ci_high"] - e["estimate"] == pytest.approx(half, rel=1e-12)
    assert "t(24)" in m.cov_type

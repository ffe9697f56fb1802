"""fit_pay_model(absorb=...) gives the dummy-variable fit's slopes and robust SEs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csresearch.models.pay import fit_pay_model


def _panel(n: int = 3000, n_cities: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.integers(0, n_cities, n)
    city_effect = rng.normal(0, 0.3, n_cities)
    # experience correlated with city, so omitting the city effects would bias the slope
    exp = rng.gamma(2.0, 2.0, n) + city / 10
    level = rng.integers(1, 4, n)
    company = rng.integers(0, 120, n)
    log_pay = 10 + 0.04 * exp + 0.2 * (level - 1) + city_effect[city] + rng.normal(0, 0.25, n)
    df = pd.DataFrame({"pay": np.exp(log_pay), "experience_years": exp, "level": level,
                       "city": [f"c{c:03d}" for c in city], "company": company,
                       "sector": rng.choice(list("abcdef"), n)})
    df.loc[rng.choice(n, 30, replace=False), "experience_years"] = np.nan  # rows dropped alike
    return df


@pytest.mark.parametrize("cluster", ["company", None])
def test_absorbed_city_effects_equal_the_dummy_fit(cluster):
    df = _panel()
    rhs = "experience_years + C(level)"
    dummy = fit_pay_model(df, f"np.log(pay) ~ {rhs} + C(city)", cluster=cluster).effects()
    absorbed = fit_pay_model(df, f"np.log(pay) ~ {rhs}", cluster=cluster, absorb="city")
    got = absorbed.effects()
    want = dummy.loc[got.index]
    assert list(got.index) == ["C(level)[T.2]", "C(level)[T.3]", "experience_years"]
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(got["p_value"], want["p_value"], rtol=1e-6, atol=1e-12)
    assert abs(got.loc["experience_years", "estimate"] - 0.04) < 0.01  # the set truth


def _same_fit(absorbed, dummy, tol=1e-8):
    got = absorbed.effects()
    want = dummy.effects().loc[got.index]
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=tol, atol=1e-12)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=tol, atol=1e-12)
    np.testing.assert_allclose(got[["ci_low", "ci_high", "p_value"]], want[["ci_low", "ci_high", "p_value"]], rtol=1e-6, atol=1e-12)
    assert absorbed.sigma == pytest.approx(dummy.sigma, rel=1e-10)
    assert absorbed.smearing == pytest.approx(dummy.smearing, rel=1e-10)
    assert absorbed.nobs == dummy.nobs


def test_the_same_formula_fits_with_its_c_term_absorbed():
    df = _panel()
    f = "np.log(pay) ~ experience_years + C(level) + C(city)"
    _same_fit(fit_pay_model(df, f, cluster="company", absorb="city"), fit_pay_model(df, f, cluster="company"))


def test_two_absorbed_terms_equal_the_dummy_fit():
    # alternating projections: city and sector effects (sector not nested in city)
    df = _panel()
    f = "np.log(pay) ~ experience_years + C(level) + C(city) + C(sector)"
    absorbed = fit_pay_model(df, f, cluster="company", absorb=["city", "sector"])
    assert list(absorbed.effects().index) == ["C(level)[T.2]", "C(level)[T.3]", "experience_years"]
    assert "absorb(city, sector)" in absorbed.cov_type
    _same_fit(absorbed, fit_pay_model(df, f, cluster="company"))


def test_absorb_refuses_what_it_cannot_do():
    df = _panel(n=300, n_cities=5)
    m = fit_pay_model(df, "np.log(pay) ~ experience_years", absorb="city")
    with pytest.raises(ValueError, match="predict"):
        m.predict(df.head())
    with pytest.raises(ValueError, match="ols"):
        fit_pay_model(df, "np.log(pay) ~ experience_years", kind="quantile", absorb="city")
    with pytest.raises(ValueError, match="cluster="):  # HC3 has no closed form with two terms
        fit_pay_model(df, "np.log(pay) ~ experience_years", absorb=["city", "sector"])

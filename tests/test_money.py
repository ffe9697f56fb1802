"""Tests of csresearch.money against published rates, round trips and error paths."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.errors import ReferenceDataError
from csresearch.money import convert_currency, deflate, load_reference_table

# Published WDI PA.NUS.FCRF values (LCU per USD); see reference/sources/money.md.
PUBLISHED_FX = [
    ("CNY", 2020, 6.9008),
    ("RUB", 2021, 73.65),
    ("GBP", 2022, 0.8113),  # WDI 2025; the earlier transcription 0.8116 was off
    ("EUR", 2023, 0.92484),  # 1 / ECB annual average 1.0813
    ("INR", 2023, 82.599),
]


@pytest.mark.parametrize(("currency", "year", "lcu_per_usd"), PUBLISHED_FX)
def test_fx_matches_published_rate(currency, year, lcu_per_usd):
    usd = convert_currency([lcu_per_usd * 1000], currency, year=year)
    assert usd[0] == pytest.approx(1000, rel=2e-4)


def test_eur_fx_is_inverse_of_ecb_annual_average():
    ecb_usd_per_eur = {2015: 1.1095, 2019: 1.1195, 2022: 1.0530, 2024: 1.0824}
    for year, rate in ecb_usd_per_eur.items():
        assert convert_currency(1.0, "EUR", year=year)[0] == pytest.approx(rate, rel=5e-4)


def test_ppp_published_2023_price_level():
    # WDI 2023: CNY 3.647564 per international $, 7.083998 per USD -> price level 0.515
    ppp = convert_currency(3.647564, "CNY", year=2023, method="ppp")[0]
    fx = convert_currency(3.647564, "CNY", year=2023, method="fx")[0]
    assert ppp == pytest.approx(1.0, rel=1e-6)
    assert fx / ppp == pytest.approx(3.647564 / 7.083998, rel=1e-6)


def test_eur_ppp_needs_country_and_differs_by_country():
    with pytest.raises(ReferenceDataError, match="no euro-area aggregate"):
        convert_currency(1000.0, "EUR", year=2023, method="ppp")
    de, fr = convert_currency([1000.0, 1000.0], "EUR", year=2023, method="ppp", country=["DE", "FR"])
    # WDI release 2025-07-01, same in 2025-10-07 (the earlier shipped 0.702414 / 0.719442 were from an older source)
    assert de == pytest.approx(1000 / 0.746175, rel=1e-6)
    assert fr == pytest.approx(1000 / 0.771728, rel=1e-6)


def test_series_index_name_and_nan_kept():
    s = pd.Series([100.0, np.nan, 50.0], index=["x", "y", "z"], name="pay")
    cur = pd.Series(["GBP", None, "usd"], index=s.index)  # NaN amount needs no currency
    out = convert_currency(s, cur, year=2022)
    assert list(out.index) == ["x", "y", "z"] and out.name == "pay"
    assert np.isnan(out["y"])
    assert out["x"] == pytest.approx(100 / 0.8113, rel=1e-4)
    assert out["z"] == 50.0


def test_ndarray_in_ndarray_out_and_broadcasting():
    out = convert_currency(np.array([6.9008, 73.6541]), ["CNY", "RUB"], year=[2020, 2021])
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, [1.0, 1.0], rtol=1e-4)


@settings(deadline=None, max_examples=100)
@given(
    amount=st.floats(min_value=1, max_value=1e7),
    a=st.sampled_from(["CNY", "RUB", "GBP", "EUR", "INR", "KZT", "PHP", "USD"]),
    b=st.sampled_from(["CNY", "RUB", "GBP", "EUR", "INR", "KZT", "PHP", "USD"]),
    year=st.integers(2015, 2023),
)
def test_fx_round_trip(amount, a, b, year):
    there = convert_currency(amount, a, b, year=year)
    back = convert_currency(there, b, a, year=year)
    assert back[0] == pytest.approx(amount, rel=1e-12)


def test_scalar_amount_broadcasts_to_array_arguments():
    out = convert_currency(1000.0, pd.Series(["CNY", "GBP"]), year=2020)
    np.testing.assert_allclose(out, [1000 / 6.9008, 1000 / 0.7800], rtol=1e-4)
    assert deflate(100.0, ["USD", "USD"], [2019, 2020], 2023).shape == (2,)


def test_ppp_round_trip_between_countries():
    x = convert_currency(1e5, "RUB", "INR", year=2021, method="ppp")
    back = convert_currency(x, "INR", "RUB", year=2021, method="ppp")
    assert back[0] == pytest.approx(1e5)


def test_deflate_round_trip_and_known_ratio():
    # BLS CPI-U annual averages: 2019 255.657, 2023 304.702
    assert deflate(100.0, "USD", 2019, 2023)[0] == pytest.approx(100 * 304.702 / 255.657, rel=1e-5)  # WDI = BLS rebased
    s = pd.Series([1000.0, 2000.0, np.nan], index=[5, 6, 7])
    cur = ["RUB", "EUR", "CNY"]
    there = deflate(s, cur, 2016, 2024)
    back = deflate(there, cur, 2024, 2016)
    pd.testing.assert_series_equal(back, s, check_exact=False, rtol=1e-12)


def test_unknown_currency_names_it():
    with pytest.raises(ReferenceDataError, match="'XYZ'"):
        convert_currency([1.0, 2.0], ["XYZ", "CNY"], year=2020)


def test_missing_year_names_currency_and_latest_year():
    with pytest.raises(ReferenceDataError, match=r"RUB in 2026 .*latest year shipped is 2023"):
        convert_currency([1.0], "RUB", year=2026)
    with pytest.raises(ReferenceDataError, match=r"RU in 2023 .*year_fallback='cpi'"):
        convert_currency([1.0], "RUB", year=2023, method="ppp")
    with pytest.raises(ReferenceDataError, match="consumer price index for CN in 2014"):
        deflate([1.0], "CNY", 2014, 2020)


def test_missing_year_or_currency_for_a_real_amount_is_an_error():
    with pytest.raises(ReferenceDataError, match="year is missing"):
        convert_currency([1.0, 2.0], "CNY", year=[2020, None])
    with pytest.raises(ReferenceDataError, match="from_currency is missing"):
        convert_currency([1.0], [None], year=2020)
    # ...but not when the amount itself is missing
    assert np.isnan(convert_currency([np.nan], [None], year=[None])[0])


def test_fallback_latest_is_explicit_and_flagged():
    s = pd.Series([85.162008, 6.9008])
    with pytest.warns(UserWarning, match="RUB 2026->2023"):
        out = convert_currency(s, ["RUB", "CNY"], year=[2026, 2020], year_fallback="latest")
    assert out.iloc[0] == pytest.approx(1.0)
    flags = out.attrs["fallback"]
    assert flags[["key", "requested_year", "used_year", "n_rows"]].values.tolist() == [["RUB", 2026, 2023, 1]]


def test_fallback_cpi_extrapolates_ppp_with_relative_inflation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = convert_currency(pd.Series([1.0]), "RUB", year=2023, method="ppp", year_fallback="cpi")
    cpi = load_reference_table("cpi").set_index(["country", "year"])["value"]
    ppp = load_reference_table("ppp").set_index(["country", "year"])["value"]
    # WDI 2025 publishes RU PPP up to 2021: 2023 is carried from it with relative CPI
    factor = ppp["RU", 2021] * (cpi["RU", 2023] / cpi["RU", 2021]) / (cpi["US", 2023] / cpi["US", 2021])
    assert out.iloc[0] == pytest.approx(1 / factor)
    assert out.attrs["fallback"]["how"].tolist() == ["cpi-extrapolated"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="year is required"):
        convert_currency(1.0, "CNY")
    with pytest.raises(ValueError, match="year_fallback"):
        convert_currency(1.0, "CNY", year=2020, year_fallback="cpi")  # cpi is PPP only
    with pytest.raises(ValueError, match="length"):
        convert_currency([1.0, 2.0], ["CNY", "RUB", "GBP"], year=2020)


def test_reference_tables_are_long_format_with_series_codes():
    for name, key in (("fx", "currency"), ("ppp", "country"), ("cpi", "country")):
        t = load_reference_table(name)
        assert {key, "year", "value", "series_code"} <= set(t.columns)
        assert not t.duplicated([key, "year"]).any()
        assert (t["value"] > 0).all()
    fx = load_reference_table("fx")
    for cur in ["CNY", "RUB", "GBP", "USD", "EUR"]:
        assert set(range(2015, 2024)) <= set(fx.loc[fx.currency == cur, "year"])

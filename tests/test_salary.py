"""Tests of csresearch.clean.salary.parse_salaries.

Ground truth comes from strings whose value is known by reading them: the
hand-labelled set in tests/data/salary_labelled.csv and the cases below.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csresearch.clean.salary import OUTPUT_COLUMNS, parse_salaries
from csresearch.errors import ReferenceDataError

LABELLED = Path(__file__).parent / "data" / "salary_labelled.csv"
WORKING_TIME = Path(__file__).resolve().parents[1] / "csresearch" / "reference" / "working_time.csv"
# Measured 0.9973 (1454/1458) after issue 14's third round; the four misses are Adzuna strings
# explained in the issue-7 note. First contact and after per source: reference/sources/salary.md.
ACCURACY_FLOOR = 0.99
SOURCE_FLOOR = 0.98


def one(text, **kw) -> pd.Series:
    return parse_salaries([text], **kw).iloc[0]


def flags(row) -> set[str]:
    return set(filter(None, row["flags"].split(";")))


# --------------------------------------------------------------------------- labelled set


def _load_labelled() -> pd.DataFrame:
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    for col in ("low", "high", "months_per_year"):
        lab[col] = pd.to_numeric(lab[col].replace("", np.nan))
    return lab


def _parse_labelled(lab: pd.DataFrame) -> pd.DataFrame:
    """Parse the labelled texts with each row's recorded source convention (period, currency)."""
    def blank(col):
        return lab[col].where(lab[col] != "", None)

    return parse_salaries(blank("text"), country=lab["country"], currency=blank("default_currency"),
                          default_period=blank("default_period"))


def _matches(out: pd.DataFrame, lab: pd.DataFrame) -> pd.Series:
    def same_float(a, b):
        a, b = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        return (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= 1e-6 * np.maximum(np.abs(b), 1.0))

    def same_str(a, b):
        return a.fillna("").astype(str).to_numpy() == b.fillna("").astype(str).to_numpy()

    ok = same_str(out["status"], lab["status"])
    for col in ("low", "high", "months_per_year"):
        ok &= same_float(out[col], lab[col])
    for col in ("currency", "period", "basis"):
        ok &= same_str(out[col], lab[col])
    return pd.Series(ok, index=lab.index)


def test_labelled_set_is_large_and_mostly_real():
    lab = _load_labelled()
    assert len(lab) >= 400
    assert (lab["origin"] != "handwritten").sum() >= 300
    assert set(lab["status"]) == {"ok", "negotiable", "missing", "unparsed"}


def test_labelled_set_has_a_source_per_row_and_many_sources():
    lab = _load_labelled()
    assert (lab["source"] != "").all()
    assert lab["source"].nunique() >= 8
    assert {"glassdoor_au_2021", "glassdoor_us_2023", "naukri_in_2025", "handwritten_i14"} <= set(lab["source"])
    # issue 14, second round: eight more boards (3 held out until the rules were written)
    assert {"lagou_cn", "zhaopin_agg_cn", "workua_ua", "shine_in", "freshersworld_in",
            "naukri_lacs_in", "indeed_us_2022", "careercenter_am_2004"} <= set(lab["source"])
    # third round: four AU boards, JobStreet PH/SG/TH and handwritten_i14d (held out, then scored)
    assert {"seek_au_2025", "jora_au_2025", "jobsearch_au_2025", "careerone_au_2025", "jobstreet_ph_2023",
            "jobstreet_sg_2026", "jobstreet_th_2025", "handwritten_i14d"} <= set(lab["source"])
    assert lab["source"].nunique() >= 27


def test_accuracy_per_source():
    lab = _load_labelled()
    out = _parse_labelled(lab)
    per_source = _matches(out, lab).groupby(lab["source"]).mean()
    print(per_source.to_string())
    assert (per_source >= SOURCE_FLOOR).all(), per_source[per_source < SOURCE_FLOOR]


def test_accuracy_on_labelled_set():
    lab = _load_labelled()
    out = _parse_labelled(lab)
    ok = _matches(out, lab)
    misses = lab.loc[~ok, "text"].tolist()
    accuracy = ok.mean()
    print(f"salary labelled accuracy {accuracy:.4f} ({ok.sum()}/{len(ok)}); misses: {misses}")
    assert accuracy >= ACCURACY_FLOOR, misses


# --------------------------------------------------------------------------- contract


def test_columns_index_and_dtypes():
    s = pd.Series(["4.5-6千/月", None, "面议"], index=[10, 20, 30])
    out = parse_salaries(s, country="CN")
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out.index.equals(s.index)
    for col in ("low", "high", "months_per_year", "monthly_low", "annual_high"):
        assert out[col].dtype == np.float64
    assert list(out["status"]) == ["ok", "missing", "negotiable"]
    assert out.loc[30, "reason"] != "" and out.loc[10, "reason"] == ""
    assert out.loc[10, "flags"] == "currency_default"


def test_list_input_gets_range_index():
    out = parse_salaries(["1", "2"], country="GB")
    assert out.index.equals(pd.RangeIndex(2))


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("4.5-6千/月", 4500, 6000),
        ("0.8-1万/月", 8000, 10000),
        ("15-25K·14薪", 15000, 25000),
        ("от 80 000 руб.", 80000, math.nan),
        ("до 45 000 ₽", math.nan, 45000),
        ("8千以上", 8000, math.nan),
        ("2万以下", math.nan, 20000),
        ("3000元起", 3000, math.nan),
        ("5000", 5000, 5000),
        ("５０００－８０００元／月", 5000, 8000),
        ("3.350 000", 3350000, 3350000),
        ("2.500 €", 2500, 2500),
        ("6,08 p/h", 6.08, 6.08),
        ("80\u00a0000 руб.", 80000, 80000),
        ("80\u2009000 руб.", 80000, 80000),
        ("80\u202f000 руб.", 80000, 80000),
        ("65,000.00 - 75,000.00", 65000, 75000),
        ("1,5 тыс. руб.", 1500, 1500),
        ("30-45000", 30000, 45000),
        ("10,000+", 10000, math.nan),
    ],
)
def test_amounts_units_and_separators(text, low, high):
    row = one(text, country="CN")
    assert row["status"] == "ok"
    np.testing.assert_allclose([row["low"], row["high"]], [low, high], rtol=1e-9)


@pytest.mark.parametrize("dash", ["-", "–", "—", "~", "～", "〜", "至", "到", " to ", " до "])
def test_every_dash_variant(dash):
    row = one(f"5000{dash}8000", country="CN")
    assert (row["low"], row["high"]) == (5000, 8000)


@pytest.mark.parametrize(
    ("text", "country", "currency"),
    [
        ("5000 руб.", "RU", "RUB"), ("5000 р.", "RU", "RUB"), ("5000₽", "RU", "RUB"), ("5000 RUR", "RU", "RUB"),
        ("¥5000", "CN", "CNY"), ("5000元", "CN", "CNY"), ("¥5000", "JP", "JPY"),
        ("£5000", None, "GBP"), ("$5000", None, "USD"), ("€5000", None, "EUR"), ("$5000", "CA", "CAD"),
        ("от 2000 USD", "RU", "USD"), ("1 200 BYN", "BY", "BYN"), ("300 000 ₸", "KZ", "KZT"),
        ("5000", "DE", "EUR"), ("from 1200 AZN", "RU", "AZN"), ("1 000 — 2 000 CHF", "DE", "CHF"),
    ],
)
def test_currency(text, country, currency):
    assert one(text, country=country)["currency"] == currency


def test_currency_precedence():
    # Text beats the caller's currency, which beats the country default.
    assert one("$100", country="GB", currency="EUR")["currency"] == "USD"
    row = one("100", country="GB", currency="EUR")
    assert row["currency"] == "EUR" and "currency_default" not in flags(row)
    row = one("100", country="GB")
    assert row["currency"] == "GBP" and "currency_default" in flags(row)
    row = one("5000-8000元")
    assert row["currency"] == "CNY" and row["status"] == "ok"
    row = one("5000")
    assert row["status"] == "unparsed" and "currency" in row["reason"]
    row = one("4.5-6千/月")  # no country: Chinese script points to CNY
    assert row["currency"] == "CNY" and "currency_inferred" in flags(row)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("£22,000 per annum", "year"), ("£22,000 p.a.", "year"), ("22,000 pa", "year"), ("22000/annum", "year"),
        ("£9 per hour", "hour"), ("6.08 p/h", "hour"), ("9 p.hr", "hour"), ("9 ph", "hour"), ("9/hr", "hour"),
        ("$18 an hour", "hour"), ("£90 per day", "day"), ("£90 pd", "day"), ("£400 per week", "week"),
        ("£400 pw", "week"), ("£1,500 pcm", "month"), ("150元/天", "day"), ("20元/小时", "hour"),
        ("6-8万/年", "year"), ("月薪5000", "month"), ("年薪10万", "year"), ("50 000 в месяц", "month"),
        ("300 в час", "hour"), ("2500 за смену", "day"), ("14,50 € pro Stunde", "hour"),
        ("2.500 € brutto/Monat", "month"), ("32.000 € brutto im Jahr", "year"), ("28 000 € brut par an", "year"),
        ("2 100 € net par mois", "month"),
        ("90 per day to 120 per day per year", "day"),  # the first period named wins
    ],
)
def test_period_words(text, period):
    row = one(text, country="GB")
    assert row["period"] == period
    assert "period_inferred" not in flags(row)


def test_period_default_and_inference():
    row = one("5000", country="CN", default_period="day")
    assert row["period"] == "day" and "period_inferred" not in flags(row)
    row = one("5000", country="CN")
    assert row["period"] == "month" and "period_inferred" in flags(row)
    assert one("13500 - 15500", country="GB")["period"] == "year"
    assert one("6.08", country="GB")["period"] == "hour"
    # A period in the text beats the caller's default.
    assert one("20元/小时", country="CN", default_period="month")["period"] == "hour"


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("税前8000", "gross"), ("税后6000", "net"), ("от 50 000 руб. на руки", "net"),
        ("от 74 000 руб. до вычета налогов", "gross"), ("£20k before tax", "gross"), ("£1,600 after tax", "net"),
        ("£24k gross", "gross"), ("£1,650 net", "net"), ("2.500 € brutto", "gross"), ("2.000 € netto", "net"),
        ("28 000 € brut", "gross"), ("£22k", "unknown"),
    ],
)
def test_basis(text, basis):
    assert one(text, country="GB")["basis"] == basis


@pytest.mark.parametrize(
    ("text", "mpy"),
    [("15-25K·14薪", 14), ("1-1.5万·13薪", 13), ("9000元/月，13薪", 13), ("£20,000 + 13th month salary", 13),
     ("2 000 € brut sur 13 mois", 13), ("8000元/月", 12)],
)
def test_months_per_year(text, mpy):
    row = one(text, country="CN")
    assert row["months_per_year"] == mpy
    assert ("bonus_months" in flags(row)) == (mpy != 12)


@pytest.mark.parametrize(
    "text", ["面议", "薪资面议", "договорная", "по договорённости", "по договоренности", "Negotiable", "Competitive",
             "DOE", "nach Vereinbarung", "à négocier"],
)
def test_negotiable(text):
    row = one(text, country="GB")
    assert row["status"] == "negotiable" and math.isnan(row["low"]) and row["reason"]


@pytest.mark.parametrize("text", ["", "   ", None, float("nan"), "\u3000"])
def test_missing(text):
    assert one(text, country="CN")["status"] == "missing"


@pytest.mark.parametrize(
    "text", ["2020-03-15", "03-12", "15.03.2020", "13812345678", "+7 999 123-45-67", "8 (800) 555-35-35",
             "5 years experience", "2 года", "1–3 года", "3-5年经验", "400-800-8888", "021-12345678", "Room 101", "abc", "1234567890123456789"],
)
def test_not_pay_is_unparsed_with_reason(text):
    row = one(text, country="CN")
    assert row["status"] == "unparsed" and row["reason"]
    assert math.isnan(row["low"]) and math.isnan(row["high"])


@pytest.mark.parametrize(
    ("text", "flag"),
    [("20000-15000", "swapped"), ("底薪3000+提成", "base_only"), ("оклад 45 000 + премия", "base_only"),
     ("£25k OTE", "ote"), ("12500 - 14000/annum + Plus Bonuses", "plus_extras"), ("£20k + comm", "plus_extras"),
     ("c40000", "approx"), ("5000左右", "approx"), ("30000 - 40000, Negotiable", "negotiable"), ("30-45000", "shorthand_thousands")],
)
def test_flags(text, flag):
    row = one(text, country="GB")
    assert row["status"] == "ok" and flag in flags(row)


def test_base_only_keeps_base():
    row = one("底薪3000+提成", country="CN")
    assert (row["low"], row["high"]) == (3000, 3000)


def test_titles_with_embedded_pay_do_not_crash():
    out = parse_salaries(["美团点评客服专员5700-6700", "上五休二税后3500起聘客服专员"], country="CN")
    assert list(out["low"]) == [5700, 3500]
    assert out.loc[1, "basis"] == "net" and math.isnan(out.loc[1, "high"])


# --------------------------------------------------------------------------- conversions


def test_conversions_use_working_time_table():
    wt = pd.read_csv(WORKING_TIME).set_index("country")
    row = one("20元/小时", country="CN")
    assert row["monthly_low"] == pytest.approx(20 * wt.loc["CN", "hours_per_month"])  # 174 h
    assert row["annual_low"] == pytest.approx(row["monthly_low"] * 12)
    row = one("150元/天", country="CN")
    assert row["monthly_low"] == pytest.approx(150 * 21.75)
    row = one("$20 per hour", country="US")
    assert row["annual_low"] == pytest.approx(20 * 2080)
    row = one("£400 per week", country="GB")
    assert row["annual_low"] == pytest.approx(400 * 52)
    row = one("1-1.5万·13薪", country="CN")
    assert (row["annual_low"], row["annual_high"]) == (130000, 195000)
    row = one("£24,000 per annum", country="GB")
    assert (row["monthly_low"], row["annual_low"]) == (2000, 24000)
    row = one("10 € pro Stunde", country="MN")  # a country without its own row -> DEFAULT row
    assert row["monthly_low"] == pytest.approx(10 * wt.loc["DEFAULT", "hours_per_year"] / 12)


def test_working_time_table_is_consistent():
    wt = pd.read_csv(WORKING_TIME).set_index("country")
    assert {"CN", "RU", "GB", "US", "DE", "FR", "DEFAULT"} <= set(wt.index)
    # The monthly columns are the yearly norms / 12, rounded for display.
    np.testing.assert_allclose(wt["hours_per_month"], wt["hours_per_year"] / 12, rtol=1e-3)
    np.testing.assert_allclose(wt["days_per_month"], wt["days_per_year"] / 12, rtol=1e-3)
    # Yearly hours sit between 90% and 101% of 52 full weeks (public holidays
    # are unpaid time in RU's calendar norm, paid in CN's 21.75-day rule).
    ratio = wt["hours_per_year"] / (wt["hours_per_week"] * 52)
    assert ratio.between(0.9, 1.01).all()
    assert wt.loc["CN", "days_per_month"] == 21.75 and wt.loc["CN", "hours_per_month"] == 174
    assert wt.loc["US", "hours_per_year"] == 2080 and wt.loc["FR", "hours_per_month"] == 151.67


# --------------------------------------------------------------------------- vector arguments


def test_array_arguments_and_dedup_consistency():
    texts = pd.Series(["50000"] * 4, index=list("abcd"))
    out = parse_salaries(
        texts, country=["CN", "RU", None, "GB"], currency=[None, None, "USD", None],
        default_period=pd.Series(["month", None, "month", "hour"], index=list("abcd")),
    )
    assert list(out["currency"]) == ["CNY", "RUB", "USD", "GBP"]
    assert list(out["period"]) == ["month", "month", "month", "hour"]
    assert out.loc["d", "monthly_low"] == pytest.approx(50000 * 162.5)
    # The same string repeated gives identical rows.
    big = parse_salaries(["4.5-6千/月"] * 1000 + ["от 80 000 руб."] * 1000, country=["CN"] * 1000 + ["RU"] * 1000)
    assert big.iloc[:1000].drop_duplicates().shape[0] == 1
    assert big.iloc[1000:].drop_duplicates().shape[0] == 1


@pytest.mark.parametrize(
    ("kw", "bad"),
    [({"country": "Narnia"}, "Narnia"), ({"currency": "rubles"}, "rubles"), ({"default_period": "fortnight"}, "fortnight")],
)
def test_bad_arguments_raise_typed_errors(kw, bad):
    with pytest.raises(ReferenceDataError, match=bad):
        parse_salaries(["5000"], **kw)


def test_wrong_length_argument():
    with pytest.raises(ValueError, match="country"):
        parse_salaries(["1", "2"], country=["CN"])


# --------------------------------------------------------------------------- issue 14: other boards


@pytest.mark.parametrize(
    "text", ["-1", "null", "None", "NaN", "[]", "{}", "Not Available", "N/A", "не указана", "['']"],
)
def test_scraper_placeholders_are_missing(text):
    row = one(text, country="US")
    assert row["status"] == "missing" and math.isnan(row["low"])


def test_list_wrapped_strings_are_read():
    row = one("['1-1.5万/月']", country="CN")
    assert (row["status"], row["low"], row["high"], row["period"]) == ("ok", 10000, 15000, "month")


def test_n_xin_means_monthly_whatever_the_size():
    row = one("80-120k·16薪", country="CN")
    assert (row["low"], row["high"], row["period"], row["months_per_year"]) == (80000, 120000, "month", 16)
    assert row["annual_high"] == 120000 * 16


@pytest.mark.parametrize(
    ("text", "country", "currency"),
    [("$5000", "AU", "AUD"), ("$5000", "HK", "HKD"), ("$5000", "MX", "MXN"), ("$5000", "DE", "USD"),
     ("¥5000", "JP", "JPY"), ("¥5000", "CN", "CNY"), ("5000 kr", "NO", "NOK"), ("5000 kr", "DK", "DKK"),
     ("C$5000", "US", "CAD"), ("A$5000", "GB", "AUD"), ("R$ 5000", None, "BRL"), ("5000 zł", None, "PLN")],
)
def test_dollar_yen_and_krone_follow_the_country(text, country, currency):
    assert one(text, country=country)["currency"] == currency


def test_ambiguous_symbol_without_a_country_that_uses_it_is_unparsed():
    row = one("5000 kr", country="DE")
    assert row["status"] == "unparsed" and "kr" in row["reason"]


def test_prefixed_dollar_ranges_keep_the_upper_bound():
    for text, cur in (("C$52,000 – C$61,000", "CAD"), ("S$3,500 – S$4,200", "SGD"), ("HK$18,000 - HK$22,000", "HKD")):
        row = one(text)
        assert row["currency"] == cur and row["high"] > row["low"]


def test_period_bands_scale_with_ppp_for_unlisted_currencies():
    # 300 000 yen is a month's pay, 52 000 Canadian dollars a year's (bands x PPP)
    assert one("¥300,000", country="JP")["period"] == "month"
    assert one("52000", country="CA")["period"] == "year"
    assert one("52000", country="CA", default_period="month")["period"] == "month"  # the source's convention wins


# --------------------------------------------------------------------------- issue 14, second round


@pytest.mark.parametrize(
    ("text", "low", "high", "period"),
    [
        ("Rs 4.0  - 8 Lakh/Yr", 400_000, 800_000, "year"),
        ("5.5-12 Lacs PA", 550_000, 1_200_000, "year"),
        ("6 LPA", 600_000, 600_000, "year"),
        ("₹1.2 crore", 12_000_000, 12_000_000, None),
    ],
)
def test_indian_numbering_units(text, low, high, period):
    row = one(text, country="IN")
    assert (row["low"], row["high"], row["currency"]) == (low, high, "INR")
    if period:
        assert row["period"] == period


def test_database_range_codes():
    out = parse_salaries(["25000-99999999", "0-1", "1-1000", "1-2万"], country="CN", default_period="month")
    assert out.loc[0, "low"] == 25000 and math.isnan(out.loc[0, "high"]) and "open_sentinel" in out.loc[0, "flags"]
    assert out.loc[1, "status"] == "missing"
    assert out.loc[2, "status"] == "unparsed" and "placeholder" in out.loc[2, "reason"]
    assert (out.loc[3, "low"], out.loc[3, "high"]) == (10000, 20000)  # a unit keeps its meaning


def test_convention_cannot_make_a_tiny_bare_number_a_wage():
    out = parse_salaries(["13.0-14.0", "13-14万", "$ 70", "13.0-14.0"], country=["CN", "CN", "AM", "CN"],
                         default_period=["month", "month", "month", None])
    assert out.loc[0, "status"] == "unparsed" and "too small" in out.loc[0, "reason"]
    assert out.loc[1, "high"] == 140000  # with its unit it is read
    assert (out.loc[2, "status"], out.loc[2, "low"], out.loc[2, "currency"]) == ("ok", 70, "USD")  # Armenia 2004
    assert out.loc[3, "status"] == "ok" and "period_inferred" in out.loc[3, "flags"]  # no convention: inference


def test_monthly_convention_wins_over_magnitude_but_is_flagged():
    # $12 000 a month in Armenia is ~30 000 international dollars: rare, possible, kept but flagged
    row = one("$12-15 K", country="AM", default_period="month")
    assert (row["period"], row["high"]) == ("month", 15000)
    assert "convention_conflict" in flags(row)


def test_monthly_convention_cannot_make_a_month_no_wage_reaches():
    # $25 000 a month in Armenia is ~62 000 international dollars: a yearly figure (flagged);
    # the same amount in US dollars in the US (25 000) stays a month under the convention
    out = parse_salaries(["$25-30 K", "$25-30 K"], country=["AM", "US"], default_period="month")
    assert list(out["period"]) == ["year", "month"]
    assert all("convention_conflict" in f for f in out["flags"])


@pytest.mark.parametrize("text", ["Full-time", "Contract", "Full-time, Part-time", "Not Disclosed",
                                  "Salary not disclosed", "Not disclosed by Recruiter"])
def test_pay_fields_without_pay_are_missing(text):
    assert one(text, country="US")["status"] == "missing"


@pytest.mark.parametrize("text", ["Open to discussion", "TBD", "Commensurate with Experience",
                                  "Remuneration will be negotiated considering qualification",
                                  "Depends on experience and qualifications."])
def test_english_negotiable_wording(text):
    assert one(text, country="AM")["status"] == "negotiable"


def test_bonus_frequency_is_not_the_pay_period():
    row = one("starting with 400 USD + Bonus (once a year up to 10*monthly payment)", country="AM")
    assert (row["low"], row["period"]) == (400, "month") and math.isnan(row["high"])


@pytest.mark.parametrize(
    ("text", "country", "low", "high", "currency"),
    [
        ("CHF 100'000 - 120'000", "CH", 100_000, 120_000, "CHF"),  # Swiss apostrophe grouping
        ("INR 6,00,000 - 8,00,000 P.A.", "IN", 600_000, 800_000, "INR"),  # lakh grouping
        ("연봉 3,500만원", "KR", 35_000_000, 35_000_000, "KRW"),  # 만 = 10 000, comma groups thousands
        ("15 - 20 triệu", "VN", 15_000_000, 20_000_000, "VND"),
        ("$3,000 - $4,000 USD mensuales", "MX", 3000, 4000, "USD"),  # the code names the $
        ("$3,000 - $4,000 mensuales", "MX", 3000, 4000, "MXN"),
        ("R25,000 - R30,000 per month", "ZA", 25000, 30000, "ZAR"),
        ("R$ 5.000 a R$ 7.000 por mês", "BR", 5000, 7000, "BRL"),
        ("Rp 5.000.000 - Rp 7.000.000", "ID", 5_000_000, 7_000_000, "IDR"),
    ],
)
def test_number_grouping_units_and_signs_of_more_countries(text, country, low, high, currency):
    row = one(text, country=country)
    assert (row["low"], row["high"], row["currency"]) == (low, high, currency)


def test_rand_sign_is_not_guessed_outside_south_africa():
    row = one("R25,000 - R30,000 per month", country="GB")
    assert row["status"] == "unparsed" and "ambiguous" in row["reason"]


@pytest.mark.parametrize(("text", "basis"), [("€2.000 - €2.500 netos al mes", "net"), ("RAL 35.000 €", "gross"),
                                              ("€45.000 bruto per jaar", "gross"), ("1.800 € netti al mese", "net")])
def test_gross_net_words_of_more_languages(text, basis):
    assert one(text, country="ES")["basis"] == basis


def test_taiwan_signs_and_traditional_characters():
    out = parse_salaries(["NT$40,000 - NT$55,000", "年薪 80萬 - 120萬"], country="TW")
    assert list(out["currency"]) == ["TWD", "TWD"] and list(out["period"]) == ["month", "year"]
    assert out.loc[1, "high"] == 1_200_000


def test_stale_ppp_is_carried_forward_with_the_exchange_rate():
    # Argentina: PPP stops in 2021; 1 000 000 ARS is a 2024 monthly wage, not a year.
    assert one("ARS 800.000 - 1.000.000", country="AR")["period"] == "month"


def test_forint_only_in_hungary():
    assert one("bruttó 600 000 Ft", country="HU")[["currency", "basis"]].tolist() == ["HUF", "gross"]
    assert one("600 000 Ft", country="GB")["status"] == "unparsed"


def test_inference_keeps_to_the_periods_a_country_quotes():
    # Australian ads write pay per hour or per year (reference: quoted_periods); elsewhere the
    # full bands apply, so the same bare $200 is a US day rate.
    out = parse_salaries(["$200 – $200", "$15,899 – $15,899", "$34", "$200 – $200"],
                         country=["AU", "AU", "AU", "US"])
    assert list(out["period"]) == ["hour", "year", "hour", "day"]
    assert list(out["currency"]) == ["AUD", "AUD", "AUD", "USD"]
    assert all("period_inferred" in f for f in out["flags"])


def test_codes_that_are_words_are_currencies_only_against_an_amount():
    out = parse_salaries(["PHP 70,000 - PHP 98,000", "TRY 30.000 - TRY 40.000", "Senior PHP developer"],
                         country=["PH", "TR", "PH"])
    assert list(out["status"]) == ["ok", "ok", "unparsed"]
    assert list(out.loc[:1, "currency"]) == ["PHP", "TRY"]
    assert list(out.loc[:1, "high"]) == [98000, 40000]  # the code at both ends keeps the range


def test_a_multiplier_after_a_range_spares_a_lower_end_written_in_full():
    out = parse_salaries(["$5500 - $8k p.m.", "30-45k", "80000-12万", "45-30k"], country=["SG", "CN", "CN", "CN"])
    assert (out.loc[0, "low"], out.loc[0, "high"]) == (5500, 8000)
    assert (out.loc[1, "low"], out.loc[1, "high"]) == (30000, 45000)
    assert (out.loc[2, "low"], out.loc[2, "high"]) == (80000, 120000)
    assert (out.loc[3, "low"], out.loc[3, "high"]) == (30000, 45000)  # written high-low: swapped


def test_rouble_word_follows_the_country():
    out = parse_salaries(["от 2 000 до 3 000 руб. на руки"] * 2 + ["1500 бел. руб."], country=["BY", "RU", "RU"])
    assert list(out["currency"]) == ["BYN", "RUB", "BYN"]
    assert out.loc[0, "period"] == "month"


# --------------------------------------------------------------------------- row expansion


@pytest.mark.parametrize("size", [50, 10**9])  # the flag-array path and the hashing path
def test_combinations_give_each_row_its_key(size):
    from csresearch.clean.salary import _combinations

    key = np.random.default_rng(size).integers(0, 50, 5000) * (size // 50)
    codes, keys = _combinations(key, size)
    assert np.array_equal(keys[codes], key) and len(set(keys.tolist())) == len(keys) == len(np.unique(key))


def test_row_results_are_the_rows_own_with_repeats_missing_and_context():
    # Each row equals the same string parsed alone with its own context, whatever repeats around it.
    texts = ["1-1.5万·13薪", None, "от 80 000 руб. на руки", "1-1.5万·13薪", "面议", "", "£24,000 - £28,000 a year", "5000"]
    country = ["CN", "CN", "RU", None, "CN", "GB", "GB", "RU"]
    period = [None, None, None, None, None, None, "month", "month"]
    out = parse_salaries(pd.Series(texts, index=list("abcdefgh")), country=country, default_period=period)
    assert list(out.index) == list("abcdefgh") and list(out.columns) == list(OUTPUT_COLUMNS)
    for i, (t, c, p) in enumerate(zip(texts, country, period)):
        alone = parse_salaries([t], country=[c], default_period=[p]).iloc[0]
        pd.testing.assert_series_equal(out.iloc[i], alone, check_names=False)
    assert str(out["status"].dtype) == "str" and out["low"].dtype == np.float64
    assert out.loc["b", "status"] == "missing" and pd.isna(out.loc["b", "currency"])
    assert out.loc["d", "status"] == "ok" and out.loc["a", "currency"] == "CNY"

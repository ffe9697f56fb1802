"""Property tests of parse_salaries (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.salary import OUTPUT_COLUMNS, PERIODS, parse_salaries

SETTINGS = settings(deadline=None, max_examples=200)
# The row-by-row comparison calls the parser once per value; fewer examples keep it fast.
FEW = settings(deadline=None, max_examples=60)

numbers = st.one_of(
    st.integers(min_value=0, max_value=2_000_000).map(str),
    st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False).map(str),
    st.integers(min_value=1, max_value=999).map(lambda n: f"{n} 000"),
    st.integers(min_value=1, max_value=999).map(lambda n: f"{n},000"),
    st.integers(min_value=1, max_value=999).map(lambda n: f"{n}\u00a0000"),
    st.integers(min_value=0, max_value=99).map(lambda n: f"{n},50"),
)
units = st.sampled_from(["", "", "千", "万", "k", "K", "w", " тыс.", " т.р."])
dashes = st.sampled_from(["-", " - ", "–", "—", "~", "～", "至", "到", " to ", " до "])
currencies = st.sampled_from(["", "", "£", "$", "€", "¥", "元", " руб.", "₽", " USD", " RUR"])
periods = st.sampled_from(["", "/月", "/年", "/天", "/小时", " per annum", " p/h", " pw", " pcm", " в месяц",
                           " за смену", " par mois", " pro Stunde", " an hour"])
prefixes = st.sampled_from(["", "", "от ", "до ", "Up to ", "From ", "月薪", "年薪", "税前", "c"])
suffixes = st.sampled_from(["", "", "以上", "起", "+", " на руки", " до вычета налогов", " + bonus", "·13薪",
                            " OTE", " Negotiable", " brutto"])


@st.composite
def pay_like(draw) -> str:
    """Strings built from the salary grammar: prefix, amount(s), unit, currency, period, suffix."""
    amount = draw(numbers) + draw(units)
    if draw(st.booleans()):
        amount += draw(dashes) + draw(st.sampled_from(["", "£", "$"])) + draw(numbers) + draw(units)
    cur = draw(currencies)
    left = draw(st.booleans())
    body = (cur.strip() + amount) if left and cur.strip() in {"£", "$", "€", "¥"} else amount + cur
    return draw(prefixes) + body + draw(periods) + draw(suffixes)


texts = st.one_of(st.text(max_size=40), pay_like(), st.none())
countries = st.sampled_from([None, "CN", "RU", "GB", "US", "DE", "FR", "KZ"])


def check_invariants(values, out: pd.DataFrame) -> None:
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert len(out) == len(values)
    assert set(out["status"]) <= {"ok", "negotiable", "missing", "unparsed"}
    both = out["low"].notna() & out["high"].notna()
    assert (out.loc[both, "low"] <= out.loc[both, "high"]).all()
    ok = out["status"] == "ok"
    assert out.loc[ok, "currency"].notna().all() and out.loc[ok, "period"].isin(PERIODS).all()
    assert (out.loc[ok, "low"].notna() | out.loc[ok, "high"].notna()).all()
    assert (out.loc[~ok, "reason"].str.len() > 0).all()
    assert (out.loc[ok, "reason"] == "").all()
    pos = ok & (out["monthly_low"] > 0) & (out["months_per_year"] >= 12)
    assert (out.loc[pos, "annual_low"] >= out.loc[pos, "monthly_low"]).all()
    notok = ~ok
    assert out.loc[notok, ["low", "high", "annual_low", "annual_high"]].isna().all().all()


@SETTINGS
@given(st.lists(texts, max_size=12), countries)
def test_never_raises_and_invariants(values, country):
    out = parse_salaries(values, country=country)
    check_invariants(values, out)


@SETTINGS
@given(st.lists(st.text(), max_size=8))
def test_arbitrary_unicode_never_raises(values):
    out = parse_salaries(pd.Series(values, dtype=object), country="GB")
    check_invariants(values, out)


@FEW
@given(
    st.lists(st.one_of(st.text(max_size=20), pay_like(), st.none()), min_size=1, max_size=10),
    st.lists(st.integers(min_value=-10**6, max_value=10**6), min_size=10, max_size=10, unique=True),
)
def test_index_kept_and_no_row_lost(values, labels):
    index = pd.Index(labels[: len(values)])
    s = pd.Series(values, index=index, dtype=object)
    out = parse_salaries(s, country="CN")
    assert out.index.equals(index)
    # Row-wise identical to parsing each value alone (dedup maps back correctly).
    for label, value in s.items():
        alone = parse_salaries([value], country="CN").iloc[0]
        pd.testing.assert_series_equal(out.loc[label], alone, check_names=False)


@SETTINGS
@given(
    st.integers(min_value=1, max_value=400).map(lambda n: n / 10),
    st.integers(min_value=1, max_value=400).map(lambda n: n / 10),
)
def test_qian_range_round_trip(a, b):
    a_txt, b_txt = f"{a:g}", f"{b:g}"
    row = parse_salaries([f"{a_txt}-{b_txt}千/月"], country="CN").iloc[0]
    assert row["status"] == "ok" and row["period"] == "month" and row["currency"] == "CNY"
    lo, hi = sorted([a * 1000, b * 1000])
    assert math.isclose(row["low"], lo, rel_tol=1e-9) and math.isclose(row["high"], hi, rel_tol=1e-9)
    assert ("swapped" in row["flags"]) == (a > b)
    assert math.isclose(row["annual_high"], hi * 12, rel_tol=1e-9)


@SETTINGS
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999),
       st.sampled_from([" ", "\u00a0", "\u2009", "\u202f", ","]))
def test_thousands_separators_round_trip(thousands, units, sep):
    value = thousands * 1000 + units
    row = parse_salaries([f"от {thousands}{sep}{units:03d} руб."], country="RU").iloc[0]
    assert row["low"] == value and np.isnan(row["high"])

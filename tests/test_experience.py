"""Tests of csresearch.clean.experience.parse_experience and parse_education."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.experience import EDUCATION_LEVELS, parse_education, parse_experience

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
NAN = math.nan


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("1-3年", 1, 3),
        ("3-5年", 3, 5),
        ("3年以上", 3, NAN),
        ("10年以上", 10, NAN),
        ("1年以下", 0, 1),
        ("两年以上", 2, NAN),
        ("工作满一年员工", 1, 1),
        ("无需经验", 0, 0),
        ("经验不限", 0, 0),
        ("应届生", 0, 0),
        ("от 3 до 6 лет", 3, 6),
        ("1–3 года", 1, 3),  # en dash, as hh.ru writes it
        ("3–6 лет", 3, 6),
        ("более 6 лет", 6, NAN),
        ("не требуется", 0, 0),
        ("нет опыта", 0, 0),
        ("опыт работы от 1 года", 1, NAN),  # SuperJob
        ("опыт работы от 3 лет", 3, NAN),
        ("опыт работы не требуется", 0, 0),
        ("от 1 года до 3 лет", 1, 3),
        ("до 1 года", 0, 1),
        ("noExperience", 0, 0),  # hh.ru API ids
        ("between1And3", 1, 3),
        ("between3And6", 3, 6),
        ("moreThan6", 6, NAN),
        ("2+ years", 2, NAN),
        ("5+ years", 5, NAN),
        ("at least 3 years", 3, NAN),
        ("Minimum 2 years experience", 2, NAN),
        ("5 years", 5, 5),
        ("one year", 1, 1),
        ("6 months", 0.5, 0.5),
        ("less than 1 year", 0, 1),
        ("1-3 Jahre", 1, 3),
        ("mehr als 3 Jahre", 3, NAN),
        ("1 à 3 ans", 1, 3),
        ("débutant accepté", 0, 0),
    ],
)
def test_experience_strings(text, low, high):
    row = parse_experience([text]).iloc[0]
    assert row["experience_status"] == "ok"
    np.testing.assert_allclose([row["experience_years_low"], row["experience_years_high"]], [low, high])


def test_experience_numbers_missing_and_unparsed():
    out = parse_experience(pd.Series([4, 2.5, None, "", "полная занятость", "сменный график работы"], index=list("abcdef")))
    assert list(out.index) == list("abcdef")
    assert out["experience_status"].tolist() == ["ok", "ok", "missing", "missing", "unparsed", "unparsed"]
    assert out.loc["a", "experience_years_low"] == 4 and out.loc["a", "experience_years_high"] == 4
    assert out.loc["b", "experience_years_high"] == 2.5
    assert out.loc[["c", "e"], ["experience_years_low", "experience_years_high"]].isna().all().all()
    assert out["experience_years_low"].dtype == np.float64


@settings(deadline=None, max_examples=120)
@given(
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from(["{a}-{b}年", "от {a} до {b} лет", "{a}–{b} года", "{a} to {b} years", "{a} - {b} Jahre"]),
)
def test_experience_ranges_roundtrip(a, b, template):
    lo, hi = min(a, b), max(a, b)
    row = parse_experience([template.format(a=lo, b=hi)]).iloc[0]
    assert (row["experience_years_low"], row["experience_years_high"]) == (lo, hi)


@settings(deadline=None, max_examples=120)
@given(st.integers(0, 40), st.sampled_from(["{a}年以上", "более {a} лет", "{a}+ years", "at least {a} years", "от {a} лет"]))
def test_experience_open_ended_roundtrip(a, template):
    row = parse_experience([template.format(a=a)]).iloc[0]
    assert row["experience_years_low"] == a
    assert math.isnan(row["experience_years_high"])


@settings(deadline=None, max_examples=80)
@given(st.lists(st.one_of(st.none(), st.text(max_size=25), st.floats(0, 50)), max_size=8))
def test_experience_never_crashes(values):
    out = parse_experience(values)
    assert len(out) == len(values)
    ok = out["experience_status"] == "ok"
    low, high = out["experience_years_low"], out["experience_years_high"]
    assert low[ok].notna().all()
    assert (high[ok & high.notna()] >= low[ok & high.notna()]).all()
    assert low[~ok].isna().all()


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("初中", "below_high_school"),
        ("高中", "high_school"),
        ("中专", "high_school"),
        ("中技", "high_school"),
        ("大专", "college"),
        ("大专及以上", "college"),
        ("本科", "bachelor"),
        ("本科/硕士", "bachelor"),  # postings state a floor: keep the lowest
        ("硕士", "master"),
        ("博士", "doctorate"),
        ("среднее", "high_school"),
        ("неполное высшее", "high_school"),
        ("среднее специальное", "college"),
        ("среднее профессиональное", "college"),
        ("высшее", "bachelor"),
        ("бакалавр", "bachelor"),
        ("магистратура", "master"),
        ("кандидат наук", "doctorate"),
        ("High school", "high_school"),
        ("College / HND", "college"),
        ("Bachelor's degree", "bachelor"),
        ("Master's degree", "master"),
        ("PhD", "doctorate"),
        ("Abitur", "high_school"),
        ("Ausbildung", "college"),
        ("Bac+2", "college"),
        ("Licence", "bachelor"),
        ("Master", "master"),
    ],
)
def test_education_levels(text, level):
    assert parse_education([text]).iloc[0] == level


def test_education_is_ordered_categorical_and_na_for_any():
    out = parse_education(pd.Series(["本科", "学历不限", "не важно", None, "бла", "博士"], index=[3, 4, 5, 6, 7, 8]))
    assert out.name == "education"
    assert list(out.index) == [3, 4, 5, 6, 7, 8]
    assert isinstance(out.dtype, pd.CategoricalDtype) and out.dtype.ordered
    assert list(out.cat.categories) == list(EDUCATION_LEVELS)
    assert out.isna().tolist() == [False, True, True, True, True, False]
    assert out.iloc[0] < out.iloc[5]  # bachelor < doctorate


@pytest.mark.realdata
def test_realdata_experience_strings():
    files = {
        "hh.ru salary strings": (REALDATA / "ru_hh_salary_strings_2023" / "vacancies.csv", "experience", 1.0),
        "hh.ru API ids": (REALDATA / "ru_hh_api_5cities_2026" / "hh_vacancies.csv", "experience", 1.0),
        # 138 of 530 SuperJob rows hold employment text in the experience column (known shift)
        "SuperJob": (REALDATA / "ru_superjob_it_2018" / "vacancies.csv", "experience", 0.73),
    }
    if not all(p.exists() for p, _, _ in files.values()):
        pytest.skip(f"realdata not present under {REALDATA}")
    for name, (path, col, floor) in files.items():
        out = parse_experience(pd.read_csv(path)[col])
        share = (out["experience_status"] == "ok").mean()
        print(f"\n{name}: {share:.3f} parsed")
        assert share >= floor, name
    sj = pd.read_csv(files["SuperJob"][0])["experience"]
    shifted = sj.str.contains("занятость|график|рабочий день", na=False)
    assert (parse_experience(sj[shifted])["experience_status"] == "unparsed").all()


def test_reversed_range_is_the_same_interval():
    out = parse_experience(["5-3年", "1-0", "3-5年"])
    assert out["experience_years_low"].tolist() == [3.0, 0.0, 3.0]
    assert out["experience_years_high"].tolist() == [5.0, 1.0, 5.0]

"""Tests of csresearch.clean.geo.normalize_cities and the reference city list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.geo import city_table, normalize_cities

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@pytest.mark.parametrize(
    ("raw", "city", "local", "country", "tier"),
    [
        ("上海-浦东新区", "Shanghai", "上海", "CN", 1),  # 51job "city-district"
        ("上海-徐汇区", "Shanghai", "上海", "CN", 1),
        ("上海市", "Shanghai", "上海", "CN", 1),
        ("深圳市南山区", "Shenzhen", "深圳", "CN", 1),
        ("北京", "Beijing", "北京", "CN", 1),
        ("杭州", "Hangzhou", "杭州", "CN", 2),  # seed 000: 二线 example
        ("成都市", "Chengdu", "成都", "CN", 2),
        ("佛山", "Foshan", "佛山", "CN", 2),  # new-tier-1 in the 2025 list
        ("无锡", "Wuxi", "无锡", "CN", 3),  # dropped from new-tier-1 in 2025
        ("昆明", "Kunming", "昆明", "CN", 3),
        ("г. Москва", "Moscow", "Москва", "RU", None),
        ("Москва", "Moscow", "Москва", "RU", None),
        ("Санкт-Петербург", "Saint Petersburg", "Санкт-Петербург", "RU", None),
        ("СПб", "Saint Petersburg", "Санкт-Петербург", "RU", None),
        ("Ростов-на-Дону", "Rostov-on-Don", "Ростов-на-Дону", "RU", None),
        ("Дзержинский  (Московская область)", "Dzerzhinsky", "Дзержинский", "RU", None),
        ("Крылатское, Москва, Осенний бульвар, 12к1", "Moscow", "Москва", "RU", None),  # SuperJob address
        ("Нур-Султан", "Astana", "Астана", "KZ", None),
        ("London, UK", "London", "London", "GB", None),
        ("Greater Manchester", "Manchester", "Manchester", "GB", None),
        ("Manchester, Greater Manchester", "Manchester", "Manchester", "GB", None),
        ("New York-Newark-Jersey City, NY-NJ-PA", "New York", "New York", "US", None),  # OEWS metro
        ("Dallas-Fort Worth-Arlington, TX", "Dallas", "Dallas", "US", None),
        ("Washington-Arlington-Alexandria, DC-VA-MD-WV", "Washington", "Washington", "US", None),
        ("Birmingham-Hoover, AL", "Birmingham", "Birmingham", "US", None),
        ("München", "Munich", "München", "DE", None),
        ("Dusseldorf", "Düsseldorf", "Düsseldorf", "DE", None),
        ("Saint-Étienne", "Saint-Étienne", "Saint-Étienne", "FR", None),
    ],
)
def test_known_places(raw, city, local, country, tier):
    row = normalize_cities([raw]).iloc[0]
    assert row["city"] == city
    assert row["city_local"] == local
    assert row["country"] == country
    assert row["city_status"] == "known"
    assert (pd.isna(row["cn_tier"]) if tier is None else row["cn_tier"] == tier)


def test_country_argument_disambiguates_and_fills():
    out = normalize_cities(["Birmingham", "Birmingham", "Moscow", "Atlantis"], country=["GB", "US", "US", "DE"])
    assert out["country"].tolist() == ["GB", "US", "US", "DE"]
    assert out["city_status"].tolist() == ["known", "known", "unknown", "unknown"]  # no Moscow, Idaho in the list
    scalar = normalize_cities(pd.Series(["天水", "北京"], index=[5, 9]), country="CN")
    assert list(scalar.index) == [5, 9]
    assert scalar["cn_tier"].tolist() == [3, 1]  # unknown Chinese city -> tier 3 (seed convention)


def test_unknown_missing_and_tier_labels():
    out = normalize_cities(["Ulaanbaatar", None, "  ", "一线城市", "三线城市及以下", "全国", "Китай", "(удалённо) Тверь"])
    assert out["city_status"].tolist() == [
        "unknown", "missing", "missing", "unknown", "unknown", "unknown", "unknown", "known"
    ]
    assert out["city"].iloc[0] == "Ulaanbaatar"  # unknown cities are kept as cleaned input
    assert out["cn_tier"].iloc[3] == 1 and out["cn_tier"].iloc[4] == 3
    assert pd.isna(out["cn_tier"].iloc[5])  # "nationwide" is no place
    assert out["country"].iloc[6] == "CN"


def test_output_dtypes():
    out = normalize_cities(pd.Series(["上海", "Paris"]))
    assert list(out.columns) == ["city", "city_local", "country", "cn_tier", "city_status"]
    assert out["cn_tier"].dtype == "Int64"
    with pytest.raises(ValueError, match="country"):
        normalize_cities(["a", "b"], country=["CN"])


def test_reference_city_list():
    t = city_table()
    assert len(t) >= 300
    assert not t.duplicated(["city", "country"]).any()
    cn = t[t["country"] == "CN"]
    assert set(cn.loc[cn["cn_tier"] == 1, "city_local"]) == {"北京", "上海", "广州", "深圳"}
    assert len(cn[cn["cn_tier"] == 2]) == 15  # 第一财经 2025 新一线 list
    assert {"杭州", "成都"} <= set(cn.loc[cn["cn_tier"] == 2, "city_local"])
    assert cn["cn_tier"].notna().all() and t.loc[t["country"] != "CN", "cn_tier"].isna().all()
    assert {"RU", "GB", "US", "DE", "FR"} <= set(t["country"])
    assert (t["country"] == "RU").sum() >= 30


@settings(deadline=None, max_examples=80)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=8))
def test_never_crashes(names):
    out = normalize_cities(names)
    assert len(out) == len(names)
    assert set(out["city_status"]) <= {"known", "unknown", "missing"}
    assert out["cn_tier"].dropna().isin([1, 2, 3]).all()


@pytest.mark.realdata
def test_realdata_coverage():
    files = {
        "51job": (REALDATA / "cn_51job_shanghai_2020" / "qianchengwuyou_all.csv", 6, 1.0),
        "hh.ru 5 cities": (REALDATA / "ru_hh_api_5cities_2026" / "hh_vacancies.csv", "city", 0.99),
        "hh.ru IT": (REALDATA / "ru_hh_urfu_it_2022" / "hh_ru.csv", "area_name", 0.93),
    }
    if not all(p.exists() for p, _, _ in files.values()):
        pytest.skip(f"realdata not present under {REALDATA}")
    for name, (path, col, floor) in files.items():
        df = pd.read_csv(path, header=None) if col == 6 else pd.read_csv(path)
        out = normalize_cities(df[col])
        share = (out["city_status"] == "known").mean()
        print(f"\n{name}: {share:.3f} of {len(df)} locations resolved")
        assert share >= floor, name

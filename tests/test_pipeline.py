"""The pipeline's own logic (row accounting, rejects, schema), with simple stand-in steps.

The stand-ins make each row's fate known in advance, so these tests check the pipeline and not
the parsers (which have their own tests, and are used by tests/test_pipeline_real.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csresearch.clean.pipeline import clean_survey, default_steps
from csresearch.errors import ColumnMappingError, ReferenceDataError, SchemaError
from csresearch.schema import PROCESSED_COLUMNS, validate_processed


def _salary(values, *, country=None, currency=None, default_period=None):
    s = pd.Series(values).astype("str")
    num = pd.to_numeric(s.str.extract(r"^(\d+)$", expand=False), errors="coerce")
    status = np.select(
        [s.isna() | (s.str.strip() == ""), s == "面议", num.notna()],
        ["missing", "negotiable", "ok"], "unparsed",
    )
    ok = status == "ok"
    out = pd.DataFrame(index=s.index)
    out["status"] = status
    out["reason"] = np.where(ok, "", np.where(status == "unparsed", "not a number", ""))
    for c in ["low", "high", "monthly_low", "monthly_high"]:
        out[c] = num.where(ok)
    out["annual_low"] = out["monthly_low"] * 12
    out["annual_high"] = out["monthly_high"] * 12
    out["currency"] = pd.Series(np.where(ok, "CNY", None), index=s.index, dtype="str")
    out["period"] = pd.Series(np.where(ok, "month", None), index=s.index, dtype="str")
    out["months_per_year"] = np.where(ok, 12.0, np.nan)
    out["basis"] = pd.Series(np.where(ok, "unknown", None), index=s.index, dtype="str")
    out["flags"] = ""
    return out


def _titles(titles):
    t = pd.Series(titles).astype("str")
    cs = t.str.contains("客服", na=False)
    return pd.DataFrame({
        "is_customer_service": cs,
        "level": pd.Series(np.where(cs, 1, pd.NA), index=t.index, dtype="Int64"),
        "level_name": pd.Series(np.where(cs, "agent", None), index=t.index, dtype="str"),
        "track": pd.Series(np.where(cs, "individual", None), index=t.index, dtype="str"),
        "function": pd.Series(np.where(cs, "general", None), index=t.index, dtype="str"),
        "confidence": 1.0, "language": "zh",
    })


def _cities(names, *, country=None):
    n = pd.Series(names).astype("str")
    return pd.DataFrame({"city": n, "city_local": n, "country": pd.Series(country, index=n.index).astype("str"),
                         "cn_tier": pd.Series(pd.NA, index=n.index, dtype="Int64"), "city_status": "known"})


def _experience(texts):
    t = pd.Series(texts)
    return pd.DataFrame({"experience_years_low": np.nan, "experience_years_high": np.nan,
                         "experience_status": "missing"}, index=t.index)


def _education(texts):
    return pd.Series(pd.NA, index=pd.Series(texts).index, dtype="str", name="education")


def _personal(df, keep=()):
    drop = [c for c in df.columns if c == "name" and c not in keep]
    return df.drop(columns=drop), drop


def _ppp(amounts, from_currency, to_currency="USD", *, year=None, method="ppp", country=None, year_fallback=None):
    if year > 2030 or (year > 2024 and year_fallback is None):
        raise ReferenceDataError(f"no PPP factor for {from_currency} {year}")
    return np.asarray(amounts) / 4.0


STEPS = {"salary": _salary, "titles": _titles, "cities": _cities, "experience": _experience,
         "education": _education, "scrub": lambda s: s.str.replace(r"1[3-9]\d{9}", "[PHONE]", regex=True),
         "personal": _personal, "ppp": _ppp}


def _raw() -> pd.DataFrame:
    return pd.DataFrame({
        "title": ["客服专员", "客服主管", "电话销售", None, "客服", "客服专员", "客服", "客服专员 13812345678"],
        "salary_text": ["6000", "面议", "5000", None, "abc", "", "900000000", "7000"],
        "city": ["上海", "北京", "杭州", None, "成都", "上海", "上海", "上海"],
        "name": ["张三", "李四", "王五", None, "赵六", "孙七", "周八", "吴九"],
    })


def test_every_row_is_accounted_for_with_known_reasons():
    res = clean_survey(_raw(), source="t", country="CN", year=2024, steps=STEPS)
    m = res.manifest
    assert m["rows_in"] == 8 == len(res.table) + len(res.rejects)
    assert m["rows_table"] == len(res.table) == 3  # rows 1, 3, 8
    assert sorted(res.table["source_row"].tolist()) == [1, 3, 8]
    reasons = dict(zip(res.rejects["source_row"], res.rejects["reason"]))
    assert reasons == {2: "salary_negotiable", 4: "empty_row", 5: "salary_unparsed",
                       6: "salary_missing", 7: "salary_implausible"}
    assert m["rejected_by_reason"] == {"empty_row": 1, "salary_implausible": 1, "salary_missing": 1,
                                       "salary_negotiable": 1, "salary_unparsed": 1}


def test_keep_unpaid_keeps_missing_and_negotiable_rows():
    res = clean_survey(_raw(), source="t", country="CN", year=2024, steps=STEPS, keep_unpaid=True)
    assert set(res.table["salary_status"]) == {"ok", "negotiable", "missing"}
    assert len(res.table) + len(res.rejects) == 8
    negotiable = res.table[res.table["salary_status"] == "negotiable"]
    assert negotiable["currency"].isna().all() and negotiable["annual_mid"].isna().all()


def test_personal_columns_dropped_and_free_text_scrubbed_in_both_outputs():
    res = clean_survey(_raw(), source="t", country="CN", year=2024, steps=STEPS)
    assert "name" not in res.table.columns
    assert not any(c == "raw_name" for c in res.rejects.columns)
    assert "[PHONE]" in res.table.loc[res.table["source_row"] == 8, "title"].iloc[0]
    flat = pd.concat([res.table.astype("str"), res.rejects.astype("str")]).to_string()
    assert "13812345678" not in flat and "张三" not in flat
    assert res.manifest["personal_columns_dropped"] == ["name"]


def test_table_is_schema_valid_with_columns_in_order_and_ppp_filled():
    res = clean_survey(_raw(), source="t", country="CN", year=2024, steps=STEPS)
    assert list(res.table.columns) == PROCESSED_COLUMNS
    validate_processed(res.table)
    row1 = res.table.set_index("source_row").loc[1]
    assert row1["annual_mid"] == 72000.0
    assert row1["annual_mid_usd_ppp"] == pytest.approx(18000.0)
    assert row1["n_respondents"] == 1


def test_missing_ppp_reference_is_reported_not_silent():
    res = clean_survey(_raw(), source="t", country="CN", year=2040, steps=STEPS)
    assert res.table["annual_mid_usd_ppp"].isna().all()
    assert sum(res.manifest["ppp_unavailable"].values()) == 3
    assert any("CNY 2040 CN" in k for k in res.manifest["ppp_unavailable"])


def test_ppp_outside_benchmark_years_is_extrapolated_and_counted():
    res = clean_survey(_raw(), source="t", country="CN", year=2026, steps=STEPS)
    assert res.table["annual_mid_usd_ppp"].notna().all()
    assert res.manifest["ppp_extrapolated_with_cpi"] == {"CNY 2026 CN": 3}
    assert res.manifest["ppp_unavailable"] == {}


def test_record_ids_are_stable_and_distinct_across_sources():
    a = clean_survey(_raw(), source="a", country="CN", year=2024, steps=STEPS)
    a2 = clean_survey(_raw(), source="a", country="CN", year=2024, steps=STEPS)
    b = clean_survey(_raw(), source="b", country="CN", year=2024, steps=STEPS)
    assert a.table["record_id"].tolist() == a2.table["record_id"].tolist()
    assert not set(a.table["record_id"]) & set(b.table["record_id"])


def test_schema_breaking_rows_go_to_rejects_with_the_check_named():
    def bad_titles(titles):
        out = _titles(titles)
        out["function"] = out["function"].mask(out["is_customer_service"], "astrology")
        return out

    res = clean_survey(_raw(), source="t", country="CN", year=2024, steps={**STEPS, "titles": bad_titles})
    schema_rows = res.rejects[res.rejects["reason"] == "schema"]
    assert set(schema_rows["source_row"]) == {1, 8}
    assert schema_rows["detail"].str.contains("function").all()
    assert len(res.table) + len(res.rejects) == 8


def test_numeric_salary_columns_are_composed_into_text():
    raw = pd.DataFrame({"title": ["客服"], "salary_low": ["6000"], "salary_high": [None]})
    seen = {}

    def spy(values, **kw):
        seen["text"] = list(values)
        return _salary(pd.Series(["6000"], index=values.index))

    res = clean_survey(raw, source="t", country="CN", year=2024, steps={**STEPS, "salary": spy})
    assert seen["text"] == ["from 6000"]
    assert res.table["salary_flags"].iloc[0] == "composed_from_numbers"


def test_file_without_title_or_salary_is_an_error_naming_columns():
    with pytest.raises(ColumnMappingError, match="foo"):
        clean_survey(pd.DataFrame({"foo": [1]}), source="t", steps=STEPS)


def test_unknown_step_is_an_error():
    with pytest.raises(KeyError, match="colour"):
        default_steps({"colour": print})


def test_pandera_rejects_a_bad_table():
    good = clean_survey(_raw(), source="t", country="CN", year=2024, steps=STEPS).table
    bad_id = good.copy()
    bad_id.loc[0, "record_id"] = "not-hex"
    with pytest.raises(SchemaError, match="record_id"):
        validate_processed(bad_id)
    extra = good.assign(phone="13812345678")
    with pytest.raises(SchemaError, match="phone"):
        validate_processed(extra)
    swapped = good.copy()
    swapped.loc[0, "pay_low"] = swapped.loc[0, "pay_high"] + 1
    with pytest.raises(SchemaError, match="pay_low > pay_high"):
        validate_processed(swapped)
    wrong_level = good.copy()
    wrong_level.loc[0, "level_name"] = "head"
    with pytest.raises(SchemaError, match="level_name"):
        validate_processed(wrong_level)


def test_employee_ids_are_pseudonymised_with_a_key_and_dropped_without(monkeypatch):
    raw = _raw().assign(employee_id=[f"E{i:04d}" for i in range(8)])
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY_FILE", raising=False)
    res = clean_survey(raw, source="t", country="CN", year=2024, steps=STEPS)
    assert "raw_employee_id" not in res.rejects.columns
    assert "employee_id" in res.manifest["personal_columns_dropped"]
    monkeypatch.setenv("CSRESEARCH_PSEUDONYM_KEY", "a-test-key-that-is-long-enough")
    res = clean_survey(raw, source="t", country="CN", year=2024, steps=STEPS)
    ids = res.rejects["raw_employee_id"]
    assert ids.str.startswith("p_").all() and not ids.str.contains("E00").any()
    assert res.manifest["id_columns_pseudonymised"] == ["employee_id"]


def test_empty_input_gives_empty_outputs():
    empty = _raw().iloc[:0]
    res = clean_survey(empty, source="t", country="CN", year=2024, steps=STEPS)
    assert res.manifest["rows_in"] == 0 and res.table.empty and res.rejects.empty
    assert list(res.table.columns) == PROCESSED_COLUMNS


def test_record_ids_of_one_source_never_collide():
    from csresearch.clean.pipeline import _as_text, _record_ids

    ids = _as_text(_record_ids("a", np.arange(1, 200_001)))
    assert ids.is_unique and ids.str.fullmatch(r"[0-9a-f]{16}").all()

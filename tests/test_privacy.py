"""PII scrubbing, personal columns and pseudonyms (csresearch.privacy).

Ground truth: tests/data/pii_labelled.csv, strings labelled by hand (digits of
real-looking numbers altered), and strings whose right answer is obvious.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csresearch.errors import ColumnMappingError, CsResearchError
from csresearch.privacy import (
    PII_KINDS,
    PseudonymKeyError,
    count_pii,
    drop_personal_columns,
    find_identifier_columns,
    find_personal_columns,
    find_pii,
    pseudonymise_ids,
    scrub_pii,
    scrub_text_columns,
)

DATA = Path(__file__).resolve().parent / "data"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
KEY = "test-key-0123456789abcdef"

MOBILE = re.compile(r"1[3-9]\d{9}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


# --------------------------------------------------------------------------- contract cases


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13812345678", "[PHONE]"),
        ("138-1234-5678", "[PHONE]"),
        ("138 1234 5678", "[PHONE]"),
        ("+86 138 1234 5678", "[PHONE]"),
        ("0086 13812345678", "[PHONE]"),
        ("021-12345678", "[PHONE]"),
        ("(021)12345678", "[PHONE]"),
        ("400-820-8820", "[PHONE]"),
        ("+7 (999) 123-45-67", "[PHONE]"),
        ("8 800 555-35-35", "[PHONE]"),
        ("8-912-345-67-89", "[PHONE]"),
        ("+44 20 7946 0958", "[PHONE]"),
        ("a.b@example.com", "[EMAIL]"),
        ("name at domain dot com", "[EMAIL]"),
        ("name [at] domain [dot] com", "[EMAIL]"),
        ("name#domain.com", "[EMAIL]"),
        ("name(at)domain.com", "[EMAIL]"),
        ("11010519491231002X", "[ID]"),
        # check digit fails, but region and birth date still point at a person (issue 18)
        ("110105194912310021", "[ID]"),
        ("паспорт 4510 123456", "паспорт [ID]"),
        ("СНИЛС 123-456-789 01", "СНИЛС [ID]"),
        ("ИНН 7707083893", "ИНН [ID]"),
        ("QQ：12345678", "QQ：[HANDLE]"),
        ("微信: abc_123", "微信: [HANDLE]"),
        ("vx 13812345678", "vx [HANDLE]"),
        ("Telegram @handle", "Telegram [HANDLE]"),
        ("@username", "[HANDLE]"),
        ("https://example.com/a?b=1", "[URL]"),
    ],
)
def test_each_spelling_in_the_contract_is_scrubbed(text, expected):
    assert scrub_pii([text]).tolist() == [expected]


NOT_PII = [
    "4.5-6千/月", "5000-8000元", "от 80 000 руб.", "15-25K·14薪", "£18,000 - £22,000",
    "2020-03-15", "2020年3月15日", "15.03.2020", "3-5年", "9:00-18:00", "200030", "101000",
    "SW1A 1AA", "35%", "1500人", "400电话", "身份证复印件",
     # ID-shaped but the check digit is wrong and there is no label
]


@pytest.mark.parametrize("text", NOT_PII)
def test_look_alikes_are_left_alone(text):
    assert scrub_pii([text]).tolist() == [text]
    assert count_pii([text]).tolist() == [0]


def test_index_nan_and_dtype_are_kept():
    s = pd.Series(["tel 13812345678", None, "no pii", np.nan, "13812345678"], index=[10, 3, 7, 1, 99])
    out = scrub_pii(s)
    assert out.index.tolist() == [10, 3, 7, 1, 99]
    assert out.isna().tolist() == [False, True, False, True, False]
    assert out[[10, 7, 99]].tolist() == ["tel [PHONE]", "no pii", "[PHONE]"]
    assert pd.api.types.is_string_dtype(out)
    assert scrub_pii(["a", "b"]).index.equals(pd.RangeIndex(2))
    assert len(scrub_pii(pd.Series([], dtype="str"))) == 0


def test_non_string_values_are_read_as_text():
    out = scrub_pii(pd.Series([13812345678, 4500, None], dtype=object))
    assert out.tolist()[:2] == ["[PHONE]", "4500"]


def test_a_single_string_is_refused_rather_than_split_into_characters():
    with pytest.raises(TypeError):
        scrub_pii("13812345678")


def test_repeated_values_are_parsed_once_and_mapped_back():
    s = pd.Series(["QQ：12345678", "x", "QQ：12345678"] * 1000)
    out = scrub_pii(s)
    assert (out.iloc[::3] == "QQ：[HANDLE]").all() and (out.iloc[1::3] == "x").all()


def test_find_pii_spans_point_into_the_original_text():
    text = "电话：021-31838902 13937116531艾小姐 hr@example.com"
    hits = find_pii([text])
    assert [text[a:b] for a, b in zip(hits.start, hits.end)] == ["021-31838902", "13937116531", "艾小姐", "hr@example.com"]
    assert hits.kind.tolist() == ["PHONE", "PHONE", "NAME", "EMAIL"]
    assert set(hits.kind) <= set(PII_KINDS)


def test_count_pii_keeps_the_index():
    s = pd.Series(["a@b.com 13812345678", "5000-8000元", None], index=["x", "y", "z"])
    assert count_pii(s).to_dict() == {"x": 2, "y": 0, "z": 0}


def test_scrub_text_columns_touches_only_text_columns():
    df = pd.DataFrame({"title": ["客服 13812345678"], "pay": [5000], "desc": ["微信: kf_01"]}, index=[4])
    out = scrub_text_columns(df)
    assert out.loc[4, "title"] == "客服 [PHONE]" and out.loc[4, "desc"] == "微信: [HANDLE]"
    assert out.loc[4, "pay"] == 5000 and df.loc[4, "title"] == "客服 13812345678"
    with pytest.raises(ColumnMappingError, match="nope"):
        scrub_text_columns(df, ["nope"])


# --------------------------------------------------------------------------- labelled set


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    df = pd.read_csv(DATA / "pii_labelled.csv", dtype=str, keep_default_na=False)
    df["gold"] = df["kinds"].map(lambda k: frozenset(k.split(";")) if k else frozenset())
    hits = find_pii(df["text"])
    by_row = hits.groupby("row")["kind"].agg(frozenset)
    df["pred"] = [by_row.get(i, frozenset()) for i in df.index]
    df["scrubbed"] = scrub_pii(df["text"])
    return df


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_labelled_set_is_big_and_balanced(labelled):
    assert len(labelled) >= 150
    assert set(labelled["lang"]) == {"zh", "ru", "en"}
    assert (labelled["contains_pii"] == "1").sum() >= 80 and (labelled["contains_pii"] == "0").sum() >= 60
    assert (labelled["contains_pii"] == "1").eq(labelled["gold"].map(bool)).all()
    # every negative is its own expected output
    neg = labelled[labelled["contains_pii"] == "0"]
    assert (neg["text"] == neg["expected_scrubbed"]).all()


def test_string_level_precision_and_recall(labelled):
    gold = labelled["gold"].map(bool)
    pred = labelled["scrubbed"] != labelled["text"]
    precision, recall = _prf(int((gold & pred).sum()), int((~gold & pred).sum()), int((gold & ~pred).sum()))
    print(f"\nPII per string: precision {precision:.3f} recall {recall:.3f} (n={len(labelled)})")
    assert precision >= 0.98
    assert recall >= 0.97


def test_per_kind_precision_and_recall(labelled):
    lines = []
    for kind in PII_KINDS:
        g = labelled["gold"].map(lambda s: kind in s)
        p = labelled["pred"].map(lambda s: kind in s)
        precision, recall = _prf(int((g & p).sum()), int((~g & p).sum()), int((g & ~p).sum()))
        lines.append(f"{kind}: precision {precision:.3f} recall {recall:.3f} (gold {int(g.sum())})")
        assert g.sum() >= 10, kind
        assert precision >= 0.9, lines[-1]
        assert recall >= 0.9, lines[-1]
    print("\n" + "\n".join(lines))


def test_scrubbed_text_matches_the_hand_written_expectation(labelled):
    exact = (labelled["scrubbed"] == labelled["expected_scrubbed"]).mean()
    print(f"\nexact expected_scrubbed: {exact:.3f}")
    assert exact >= 0.97


def test_no_pay_string_in_the_labelled_set_is_changed(labelled):
    pay = labelled[labelled["note"].str.startswith("pay")]
    assert len(pay) >= 20
    assert (pay["scrubbed"] == pay["text"]).all()


# --------------------------------------------------------------------------- personal columns


def test_personal_columns_in_three_languages_are_dropped():
    df = pd.DataFrame(columns=["姓名", "ФИО", "Full Name", "电话", "手机号码", "телефон", "e-mail", "邮箱", "почта",
                               "身份证号", "паспорт", "СНИЛС", "ИНН", "home_address", "住址", "Date of Birth",
                               "title", "company_name", "employer_name", "city", "salary_text", "record_id"])
    out, dropped = drop_personal_columns(df)
    assert list(out.columns) == ["title", "company_name", "employer_name", "city", "salary_text", "record_id"]
    assert dropped == [c for c in df.columns if c not in out.columns]


def test_keep_opts_in_and_a_misspelt_keep_errs_on_the_safe_side():
    df = pd.DataFrame({"email": ["a@b.com"], "phone": ["1"], "title": ["agent"]}, index=[7])
    out, dropped = drop_personal_columns(df, keep=["email"])
    assert list(out.columns) == ["email", "title"] and dropped == ["phone"]
    assert out.index.tolist() == [7] and list(df.columns) == ["email", "phone", "title"]
    out, dropped = drop_personal_columns(df, keep=["emial"])
    assert list(out.columns) == ["title"] and dropped == ["email", "phone"]


def test_find_personal_columns_names_the_kind():
    assert find_personal_columns(["Контактный телефон", "Электронная почта", "qq号", "job"]) == {
        "Контактный телефон": "phone", "Электронная почта": "email", "qq号": "handle"}


def test_identifier_columns_of_the_shipped_hr_sources_are_found():
    assert find_identifier_columns(["employee_id", "EmployeeNumber", "工号", "Табельный номер", "department"]) == [
        "employee_id", "EmployeeNumber", "工号", "Табельный номер"]


# --------------------------------------------------------------------------- pseudonyms


def test_pseudonyms_are_stable_keyed_and_keep_nan():
    ids = pd.Series([65438, 65141, 65438, None], index=list("abcd"), dtype=object)
    a = pseudonymise_ids(ids, key=KEY)
    assert a.index.tolist() == list("abcd") and a.isna().tolist() == [False, False, False, True]
    assert a["a"] == a["c"] != a["b"]
    assert re.fullmatch(r"p_[0-9a-f]{16}", a["a"])
    assert pseudonymise_ids(ids, key=KEY).equals(a)  # stable across calls
    b = pseudonymise_ids(ids, key=KEY + "x")
    assert not (a.dropna() == b.dropna()).any()
    # one id however it was typed; the raw id does not appear in its pseudonym
    assert pseudonymise_ids(["65438", 65438.0, " 65438 "], key=KEY).nunique() == 1
    assert "65438" not in a["a"]


def test_pseudonym_is_the_documented_hmac():
    import hashlib
    import hmac

    expected = "p_" + hmac.new(KEY.encode(), b"E-001", hashlib.sha256).hexdigest()[:16]
    assert pseudonymise_ids(["E-001"], key=KEY).tolist() == [expected]


def test_no_key_is_a_clear_error_never_a_default(monkeypatch):
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY_FILE", raising=False)
    with pytest.raises(PseudonymKeyError, match="CSRESEARCH_PSEUDONYM_KEY") as err:
        pseudonymise_ids([1, 2])
    assert isinstance(err.value, CsResearchError)
    with pytest.raises(PseudonymKeyError, match="at least 16"):
        pseudonymise_ids([1], key="short")


def test_key_from_env_and_from_a_file_outside_the_repo(monkeypatch, tmp_path):
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("CSRESEARCH_PSEUDONYM_KEY", KEY)
    from_env = pseudonymise_ids(["x"])
    assert from_env.equals(pseudonymise_ids(["x"], key=KEY))
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY")
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    monkeypatch.setenv("CSRESEARCH_PSEUDONYM_KEY_FILE", str(key_file))
    assert pseudonymise_ids(["x"]).equals(from_env)
    monkeypatch.setenv("CSRESEARCH_PSEUDONYM_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(PseudonymKeyError, match="missing"):
        pseudonymise_ids(["x"])


def test_key_file_inside_the_repository_is_refused(monkeypatch):
    inside = Path(__file__).resolve()  # any file in the repo will do: it is never read
    monkeypatch.delenv("CSRESEARCH_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("CSRESEARCH_PSEUDONYM_KEY_FILE", str(inside))
    with pytest.raises(PseudonymKeyError, match="inside the repository"):
        pseudonymise_ids(["x"])


# --------------------------------------------------------------------------- real data


def _realdata(rel: str) -> Path:
    path = REALDATA / rel
    if not path.is_file():
        pytest.skip(f"real data {path} not present (../shared/realdata is not shipped with the repo)")
    return path


@pytest.mark.realdata
def test_51job_descriptions_keep_no_mobile_number_or_email():
    df = pd.read_csv(_realdata("cn_51job_shanghai_2020/qianchengwuyou_all.csv"), header=None, dtype=str)
    desc = df[5]
    before_mobile = int(desc.str.contains(MOBILE, na=False).sum())
    before_email = int(desc.str.contains(EMAIL, na=False).sum())
    out = scrub_pii(desc)
    hits = find_pii(desc)
    print(f"\n51job: {len(desc)} descriptions, {before_mobile} with a mobile, {before_email} with an e-mail; "
          f"scrubbed {len(hits)} items in {hits['row'].nunique()} descriptions: {hits['kind'].value_counts().to_dict()}")
    assert before_mobile >= 40 and before_email >= 20  # the file is what PROVENANCE.md says
    assert int(out.str.contains(MOBILE, na=False).sum()) == 0
    assert int(out.str.contains(EMAIL, na=False).sum()) == 0
    assert out.index.equals(desc.index) and out.isna().equals(desc.isna())


@pytest.mark.realdata
def test_real_pay_strings_and_titles_are_never_changed():
    job = pd.read_csv(_realdata("cn_51job_shanghai_2020/qianchengwuyou_all.csv"), header=None, dtype=str)
    hh = pd.read_csv(_realdata("ru_hh_salary_strings_2023/vacancies.csv"), dtype=str)
    for texts in (job[4], job[1], hh["salary"], hh["experience"]):
        texts = texts.dropna()
        changed = texts[scrub_pii(texts) != texts]
        assert changed.empty, changed.head().tolist()


def test_no_canonical_column_of_the_reader_is_taken_for_personal_data():
    io = pytest.importorskip("csresearch.io")
    canonical = io.canonical_columns()
    assert find_personal_columns(canonical) == {}
    assert find_identifier_columns(canonical) == []


@pytest.mark.realdata
def test_realdata_headers_personal_columns_are_found():
    ibm = pd.read_csv(_realdata("hr_ibm_attrition_fictional/WA_Fn-UseC_-HR-Employee-Attrition.csv"), nrows=1)
    wns = pd.read_csv(_realdata("hr_wns_promotion_2018/train_LZdllcl.csv"), nrows=1)
    assert find_identifier_columns(ibm.columns) == ["EmployeeNumber"]
    assert find_identifier_columns(wns.columns) == ["employee_id"]
    assert find_personal_columns(list(ibm.columns) + list(wns.columns)) == {}


@pytest.mark.parametrize("pattern, fewest", [
    (r"\d{3}", 3), (r"1[3-9]\d", 3), (r"[0-9]+x", 1), (r"(?:a\d|b\d\d)", 1), (r"(?:\d{2}-){2}\d", 5),
    (r"a|\d", 0), (r"(?:\d)?x", 0), (r"[^0-9]", 0), (r"\d*", 0), (r"(?=\d)a", 0),
    (r"[A-Za-z0-9]{5}", 0), (r"(?P<sep>-)?(?P=sep)\d", 1),
])
def test_digit_prefilter_reads_the_regex(pattern, fewest):
    # a pattern is skipped for text with fewer digits than any of its matches holds
    import re
    from re import _parser

    from csresearch.privacy import _min_digits

    assert _min_digits(_parser.parse(pattern)) == fewest
    if fewest:
        assert re.search(pattern, "a1b2" if fewest > 2 else "no digits here: abc-xyz") is None

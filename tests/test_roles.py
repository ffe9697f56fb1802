"""Tests of csresearch.clean.roles.classify_titles.

The accuracy test scores the classifier against tests/data/titles_labelled.csv,
whose labels were decided by eye from each title's meaning (see
csresearch/reference/sources/roles.md for the labelling rules and splits).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.roles import FUNCTIONS, LEVEL_NAMES, classify_titles, normalise_title

DATA = Path(__file__).resolve().parent / "data" / "titles_labelled.csv"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def _labelled() -> pd.DataFrame:
    return pd.read_csv(DATA, dtype={"level": "Int64"}, keep_default_na=True)


def _scores(df: pd.DataFrame, out: pd.DataFrame) -> dict[str, float]:
    y = df["is_customer_service"].astype(bool).to_numpy()
    p = out["is_customer_service"].to_numpy()
    tp, fp, fn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum())
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    both = y & p
    lv_true, lv_pred = df["level"][both], out["level"][both]
    level_ok = (lv_true == lv_pred).fillna(False) | (lv_true.isna() & lv_pred.isna())
    return {
        "n": len(df),
        "n_cs": int(y.sum()),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "level_accuracy": float(level_ok.mean()),
        "track_accuracy": float((out["track"][both] == df["track"][both]).mean()),
        "function_accuracy": float((out["function"][both] == df["function"][both]).mean()),
        "abstain_rate": float(lv_pred.isna().mean()),
    }


def test_labelled_set_is_big_enough_and_well_formed():
    df = _labelled()
    assert len(df) >= 300
    assert set(df["language"]) >= {"zh", "ru", "en"}
    assert df["title"].is_unique
    cs = df["is_customer_service"].astype(bool)
    assert df.loc[cs, "level"].between(1, 6).all()
    assert df.loc[~cs, "level"].isna().all()
    assert set(df.loc[cs, "track"]) <= {"individual", "expert", "management"}
    assert set(df.loc[cs, "function"]) <= set(FUNCTIONS)
    # every level appears in every main language
    for lang in ("zh", "ru", "en"):
        assert set(df.loc[cs & (df["language"] == lang), "level"]) == set(range(1, 7)), lang
    assert (~cs).sum() >= 100  # plenty of hard negatives


def test_accuracy_on_labelled_titles(capsys):
    df = _labelled()
    out = classify_titles(df["title"])
    report = {}
    for split, part in [("all", df), *df.groupby("split")]:
        report[split] = _scores(part, out.loc[part.index])
    y = df["is_customer_service"].astype(bool)
    both = y & out["is_customer_service"]
    confusion = pd.crosstab(
        df.loc[both, "level"].astype("string").fillna("NA").rename("true level"),
        out.loc[both, "level"].astype("string").fillna("abstain").rename("predicted"),
    )
    with capsys.disabled():
        print("\nclassify_titles on tests/data/titles_labelled.csv")
        print(pd.DataFrame(report).T.round(3).to_string())
        print(pd.crosstab(y.rename("true CS"), out["is_customer_service"].rename("predicted CS")).to_string())
        print(confusion.to_string())
    overall, test = report["all"], report["test"]
    assert overall["f1"] >= 0.98
    assert overall["precision"] >= 0.98
    assert overall["recall"] >= 0.97
    assert overall["level_accuracy"] >= 0.98
    # the test split was labelled last and scored before any lexicon change
    assert test["f1"] >= 0.95
    assert test["level_accuracy"] >= 0.92
    assert overall["abstain_rate"] <= 0.05


@pytest.mark.parametrize(
    ("title", "is_cs"),
    [
        # Chinese false friends
        ("客户经理", False),  # sales account manager
        ("大客户经理", False),
        ("电话销售", False),
        ("网络销售专员", False),
        ("前台接待", False),
        ("售后工程师", False),  # field repair, not customer enquiries
        ("TMK 客服", False),  # telemarketing
        ("客服销售", True),  # inbound CS that converts enquiries (rule in roles.md)
        ("技术支持工程师", True),  # technical support counts as CS (rule in roles.md)
        # Russian false friends
        ("Менеджер по работе с клиентами", False),
        ("Менеджер по продажам", False),
        ("Оператор call-центра (холодный обзвон)", False),
        ("Телемаркетолог", False),
        ("Продавец-консультант", False),
        ("Ведущий мастер ногтевого сервиса", False),
        ("Сервисный инженер", False),
        ("Инженер технической поддержки", True),
        ("Менеджер по работе с клиентами (Customer Care Manager)", True),
        # English false friends
        ("Sales Executive", False),
        ("Receptionist", False),
        ("Account Manager", False),
        ("Support Worker Job Leeds", False),
        ("Software Engineer", False),
        ("Help Desk Analyst", True),
        # German / French
        ("Verkäufer (m/w/d)", False),
        ("Vendeur (H/F)", False),
        ("Kundenberater/in", True),
        ("Chargé de clientèle", True),
    ],
)
def test_false_friends(title, is_cs):
    assert bool(classify_titles([title])["is_customer_service"].iloc[0]) is is_cs


@pytest.mark.parametrize(
    ("title", "level", "track"),
    [
        ("客服专员", 1, "individual"),
        ("初级客服", 1, "individual"),
        ("客服实习生", 1, "individual"),
        ("高级客服", 2, "individual"),
        ("资深客服", 2, "individual"),
        ("客服专家", 2, "expert"),
        ("客服组长", 3, "management"),
        ("客服班长", 3, "management"),
        ("客服主管", 4, "management"),
        ("客服经理", 5, "management"),
        ("客服总监", 6, "management"),
        ("Оператор call-центра", 1, "individual"),
        ("Стажёр службы поддержки", 1, "individual"),
        ("Старший специалист поддержки клиентов", 2, "individual"),
        ("Ведущий специалист службы поддержки клиентов", 2, "expert"),
        ("Руководитель группы поддержки клиентов", 3, "management"),
        ("Супервайзер call-центра", 4, "management"),
        ("Начальник отдела клиентского сервиса", 5, "management"),
        ("Руководитель службы поддержки клиентов", 6, "management"),
        ("Директор по клиентскому сервису", 6, "management"),
        ("Customer Service Advisor", 1, "individual"),
        ("Trainee Customer Service Agent", 1, "individual"),
        ("Senior Customer Service Advisor", 2, "individual"),
        ("Customer Service Team Leader", 3, "management"),
        ("Contact Centre Supervisor", 4, "management"),
        ("Customer Service Manager", 5, "management"),
        ("Head of Customer Service", 6, "management"),
        ("VP Customer Support", 6, "management"),
        ("Customer Success Manager", 1, "individual"),  # manages accounts, not people
        ("Teamleiter Kundenservice", 3, "management"),
        ("Leiter Kundenservice", 5, "management"),
        ("Superviseur centre d'appels", 4, "management"),
        ("Responsable service client", 5, "management"),
        ("Directeur du service client", 6, "management"),
    ],
)
def test_level_cues(title, level, track):
    row = classify_titles([title]).iloc[0]
    assert row["is_customer_service"]
    assert row["level"] == level
    assert row["level_name"] == LEVEL_NAMES[level]
    assert row["track"] == track


# Wording of the kinds that failed on unseen sources (issue 13), one or two per rule family of
# roles.md ("Title grammar added for unseen sources"); level None = not customer service.
@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Patient Services Representative", 1), ("Client Care Specialist", 1), ("Subscriber Support Associate", 1),
        ("Head of Customer Care", 6), ("Resolution Team Leader", 3), ("Оператор колл-центра (без продаж)", 1),
        ("催收客服", None), ("续费客服", None), ("招生客服", None), ("邀约专员（无销售）", None),
        ("Presales Engineer", None), ("Field Service Technician", None), ("售前技术支持工程师", None),
        ("Специалист технической поддержки 2 линии", 2), ("3rd Line Support Engineer", 2), ("二线客服", 2),
        ("Руководитель службы клиентского сервиса", 6), ("Руководитель отдела клиентского сервиса", 5),
        # A: the support desk named by its line or its head
        ("Team Lead, 2nd Line Support", 3), ("Руководитель группы второй линии поддержки", 3),
        ("Тимлид поддержки", 3), ("Руководитель поддержки", 6), ("Head of Support", 6),
        ("Руководитель поддержки информационных систем", None),
        # B: who is served, by what act
        ("Специалист отдела обработки обращений", 1), ("Специалист по урегулированию претензий", 1),
        ("Оператор-консультант", 1), ("Специалист по обучению операторов", 1), ("Оператор станков с ЧПУ", None),
        ("客诉专员", 1), ("IT服务台工程师", 1), ("酒店预订员", 1), ("CSR | Non-Voice | Up to 25K", 1),
        ("Process Associate - Voice", 1), ("voice/messaging roaming and submarine partnership", None),
        # C: negated selling in Chinese
        ("客服专员（不催收、不销售）", 1), ("电话客服（无销售）", 1), ("电话销售", None),
        # D: posts that are not the rung their words name
        ("客服总监助理", 1), ("客服专员（储备主管）", 1), ("Sr. Customer Success Manager", 2),
        ("Staff Support Engineer", 2), ("首席客户官", 6),
        # E: a sysadmin post that names the help desk is that desk
        ("Системный администратор (Helpdesk)", 1), ("Системный администратор", None),
        # F-I: more ways to name the desk, line markers in any script, "X Head", look-alikes
        ("Helpline Advisor", 1), ("Inbound Call Representative", 1), ("CS Head", 6), ("Driver Support Specialist", 1),
        ("Truck Driver", None), ("Супервайзер чата", 4), ("Лидер команды поддержки", 3), ("Оператор справочной службы", 1),
        ("L2客服", 2), ("Tier II Support Analyst", 2), ("Специалист 2-ой линии поддержки", 2), ("Customer Service Head", 6),
        ("客服（呼出）", None), ("客服兼销售", None), ("Customer Support Engineer (Field)", None),
        ("Оператор колл-центра (без исходящих звонков)", 1), ("客服VP", 6), ("客服部长助理", 1),
        ("Chief Happiness Officer", None), ("Happiness Engineer", 1), ("Learner Support Assistant", None),
        # J: jobs about the desk that are other trades (a bare 招聘 announces the ad)
        ("Call Centre Recruiter", None), ("客服招聘专员", None), ("招聘客服（可全职）", 1), ("客服机器人训练师", None),
        ("Contact Center Engineer", None), ("Рекрутер в контакт-центр", None),
    ],
)
def test_title_grammar_for_unseen_wording(title, level):
    row = classify_titles([title]).iloc[0]
    assert bool(row["is_customer_service"]) is (level is not None)
    if level is not None:
        assert row["level"] == level


def test_main_title_beats_bracket_and_two_jobs_abstain():
    out = classify_titles(
        ["Руководитель отдела технической поддержки (team lead)", "客服专员/主管组长", "客服专员/经理助理/文员"]
    )
    assert out["level"].iloc[0] == 5
    assert out["level"].iloc[2] == 1  # 经理助理 is an assistant, not a manager
    # "客服专员/主管组长": supervisor and team lead in one slash part -> higher wins
    assert out["level"].iloc[1] == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Оператор саll-центра", "оператор call-центра"),  # Cyrillic с, а inside "call"
        ("Oпeратор call-центра", "оператор call-центра"),  # Latin O, p, e inside a Russian word
        ("Kundenberater/in (m/w/d)", "kundenberater"),
        ("Conseillère clientèle (H/F)", "conseillère clientèle"),
        ("客服专员（双休+五险一金）", "客服专员(双休+五险一金)"),
    ],
)
def test_normalise_title(raw, expected):
    assert normalise_title(raw) == expected


@pytest.mark.parametrize(
    ("title", "function"),
    [
        ("客服专员（双休+五险一金）", "general"),
        ("Оператор call-центра (удалённо)", "call_centre"),
        ("Customer Service Advisor - Manchester", "general"),
        ("在线客服专员", "online_chat"),
        ("售前客服", "pre_sales"),
        ("售后客服", "after_sales"),
        ("VIP客服专员", "vip"),
        ("淘宝客服", "ecommerce"),
        ("Специалист технической поддержки", "technical_support"),
        ("Complaints Handler", "complaints"),
        ("Customer Success Manager", "customer_success"),
        ("客服质检专员", "training_quality"),
        ("Операторка call-центра", "call_centre"),
    ],
)
def test_tails_gender_forms_and_functions(title, function):
    row = classify_titles([title]).iloc[0]
    assert row["is_customer_service"]
    assert row["function"] == function


def test_output_contract_index_dtypes_and_missing():
    s = pd.Series(["客服主管", None, "", "Sales Executive", "客服主管"], index=[10, 11, 12, 13, 14])
    out = classify_titles(s)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert list(out.columns) == [
        "is_customer_service", "level", "level_name", "track", "function", "confidence", "language"
    ]
    assert out["is_customer_service"].dtype == bool
    assert out["level"].dtype == "Int64"
    assert out["confidence"].dtype == np.float64
    assert out["is_customer_service"].tolist() == [True, False, False, False, True]
    assert out["level"].isna().tolist() == [False, True, True, True, False]
    assert out["confidence"].iloc[1] == 0.0
    assert out.iloc[0].equals(out.iloc[4])  # repeated titles classified once, same answer
    assert out["track"].iloc[3] is pd.NA or pd.isna(out["track"].iloc[3])


def test_language_detection_and_override():
    out = classify_titles(["客服", "Оператор", "Customer Service", "Kundenservice Mitarbeiter", "Conseiller clientèle"])
    assert out["language"].tolist() == ["zh", "ru", "en", "de", "fr"]
    assert (classify_titles(["Customer Service"], language="en")["language"] == "en").all()
    with pytest.raises(ValueError, match="language"):
        classify_titles(["x"], language="xx")


def test_empty_input():
    out = classify_titles(pd.Series([], dtype="str"))
    assert len(out) == 0
    assert "level" in out.columns


@settings(deadline=None, max_examples=80)
@given(st.lists(st.text(max_size=40), max_size=8))
def test_never_crashes_and_levels_only_for_cs(titles):
    out = classify_titles(titles)
    assert len(out) == len(titles)
    cs = out["is_customer_service"]
    assert out.loc[~cs, "level"].isna().all()
    assert out["level"].dropna().between(1, 6).all()
    assert out["confidence"].between(0, 1).all()


@settings(deadline=None, max_examples=100)
@given(
    st.sampled_from(["客服专员", "Оператор call-центра", "Customer Service Advisor", "客服主管", "Head of Customer Service"]),
    st.sampled_from(["", " ", "（双休）", " (удалённо)", " - Manchester", "  ", "（五险一金+包住）"]),
)
def test_tails_do_not_change_the_answer(title, tail):
    a = classify_titles([title]).iloc[0]
    b = classify_titles([title + tail]).iloc[0]
    assert (a["is_customer_service"], a["level"], a["track"]) == (b["is_customer_service"], b["level"], b["track"])


@pytest.mark.realdata
def test_realdata_weak_labels():
    """The loose keyword extracts shipped with the real data are mostly CS; report coverage."""
    cn = REALDATA / "cn_51job_shanghai_2020" / "qianchengwuyou_cs.csv"
    ru = REALDATA / "ru_hh_api_5cities_2026" / "hh_vacancies_cs.csv"
    if not (cn.exists() and ru.exists()):
        pytest.skip(f"realdata not present under {REALDATA}")
    cn_titles = pd.read_csv(cn, header=None)[1]
    ru_titles = pd.read_csv(ru)["title"]
    cn_share = classify_titles(cn_titles)["is_customer_service"].mean()
    ru_share = classify_titles(ru_titles)["is_customer_service"].mean()
    print(f"\n51job CS extract classified CS: {cn_share:.3f}; hh.ru CS extract: {ru_share:.3f}")
    # the extracts include freight "客服", 技术支持, telemarketing and IT roles on purpose
    assert cn_share >= 0.90
    assert 0.5 <= ru_share <= 0.95


def test_bad_lexicon_pattern_names_the_file():
    from csresearch.clean._text import compile_pattern
    from csresearch.errors import ReferenceDataError

    with pytest.raises(ReferenceDataError, match="titles.yaml:levels"):
        compile_pattern("(unclosed", "csresearch/reference/titles.yaml:levels")

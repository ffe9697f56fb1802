"""Rules of roles.md, "Rules of session 10" (V1 onwards).

Every title below was written for this file (none is a labelled row verbatim); each kind comes with
look-alikes that the rule must leave alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from csresearch.clean.roles import _layout

# (title, is customer service, rung when it is)
CASES = [
    # V1 an English comma part without a job noun names the team of the job before it
    ("Staff Platform Engineer, Customer Experience", False, None),
    ("Principal Program Manager, Customer Care", False, None),
    ("Data Engineer II, Customer Support", False, None),
    # ... look-alikes: a CS job before the team, a rung word before it, the index's inverted order,
    # a place after the job, and a second job after the comma (still listed on its own)
    ("Support Specialist, Customer Experience", True, 1),
    ("Team Leader, Customer Care", True, 3),
    ("Senior Manager, Customer Success", True, 5),
    ("Analyst, help desk support", True, 1),
    ("Customer Care Advisor, Leeds", True, 1),
    ("Customer Service, Warehouse Operative", True, 1),
    # W1 Traditional Chinese is read as Simplified; Taiwan's 支援 is 支持
    ("客戶服務專員", True, 1),
    ("客戶服務經理", True, 5),
    ("客戶支援專員", True, 1),
    ("電話行銷專員", False, None),
    # W2 the counter and the front office are the front desk
    ("醫院櫃檯客服人員", False, None),
    ("Front Office Agent", False, None),
    ("Customer Service Agent", True, 1),
    # W3 after-sales technical work is field service; W4 开发 builds the product
    ("售后技术服务专员", False, None),
    ("售后客服专员", True, 1),
    ("Python开发（客户服务部）", False, None),
    # W5 the singular relation; customer consultants and administrators; customer account agents
    ("Guest Relation Officer", True, 1),
    ("Customer Consultant - Banking", True, 1),
    ("Customer Administrator (Part Time)", True, 1),
    ("Customer Account Agent", True, 1),
    ("Customer Account Manager", False, None),
    # W6 calls taken in; CCE; international / domestic BPO; inbound goods and insurance sales stay out
    ("Inbound Voice Associate", True, 1),
    ("In-bound Calls Executive", True, 1),
    ("CCE for Domestic Process", True, 1),
    ("Fresher jobs in International BPO Noida", True, 1),
    ("Inbound Logistics Coordinator", False, None),
    ("Inbound Sales Executive", False, None),
    ("Insurance Advisor (Inbound)", False, None),
    # W7 support of a business function is its back office
    ("Events Support Officer", False, None),
    ("Payroll Support Specialist", False, None),
    ("Customer Support Officer", True, 1),
    ("IT Support Officer", True, 1),
    # W8 chat handlers, a consultation line, technical сопровождение of clients
    ("Обработчик обращений в чате маркетплейса", True, 1),
    ("Специалист линии консультаций", True, 1),
    ("Инженер технического сопровождения пользователей", True, 1),
    ("Менеджер по сопровождению клиентов", False, None),
    # W9 CX specialists, SOC, copy/SEO/SMM; лидер направления leads a department (5)
    ("Эксперт по клиентскому опыту в банке", False, None),
    ("Менеджер по клиентскому опыту", True, 1),
    ("Инженер SOC 1 линии", False, None),
    ("SMM-специалист (ответы клиентам)", False, None),
    ("Лидер направления клиентской поддержки", True, 5),
    # X1 the US federal CUSTSPT specialty; X2 the federal "Supervisory" grade
    ("IT Specialist (CUSTSPT/INFOSEC)", True, 1),
    ("Supervisory IT Specialist (CUSTSPT)", True, 4),
    ("IT Specialist (APPSW)", False, None),
    ("Supervisory Contact Representative", True, 4),
    # X3 insight is analysis; X4 PMO, data and electronics support are those trades'
    ("Customer Insight Analyst", False, None),
    ("Complaints Insight Manager", False, None),
    ("Complaints Handler", True, 1),
    ("Data Support Engineer", False, None),
    ("PMO Support Officer", False, None),
    # X5 the accusative "на чат"; client requests; psychologists; support of operations (not of an OS)
    ("Оператор на чат интернет-магазина", True, 1),
    ("Специалист по обработке клиентских обращений", True, 1),
    ("Психолог горячей линии", False, None),
    ("Менеджер по работе с клиентами института психологии (входящие звонки)", True, 1),
    ("Специалист поддержки операций", False, None),
    ("Специалист технической поддержки операционных систем", True, 1),
    # X6 guest relations in Chinese
    ("宾客关系专员", True, 1),
]


@pytest.mark.parametrize(("title", "is_cs", "level"), CASES)
def test_kinds10(title: str, is_cs: bool, level: int | None,
                 check_rule_verdict: Callable[[str, bool, int | None], None]) -> None:
    check_rule_verdict(title, is_cs, level)


@pytest.mark.parametrize(("text", "jobs"), [
    ("backend engineer, customer experience", 1),   # a team name joins the job before it
    ("customer care advisor, leeds", 1),            # so does a place
    ("analyst, application support", 2),            # the index's inverted head stays apart (_uninvert)
    ("customer service, warehouse operative", 2),  # a job noun after the comma lists a second job
    ("客服专员,售后", 2),                             # Chinese commas list jobs as before
])
def test_comma_parts(text: str, jobs: int) -> None:
    language = "zh" if "客" in text else "en"
    part = _layout(text, language)[1]
    assert int(part[len(text) - 1]) + 1 == jobs


def test_traditional_chinese_reads_as_simplified() -> None:
    from csresearch.clean._text import simplify_chinese

    assert simplify_chinese("客戶服務專員 / 電話客服 (m/w/d)") == "客户服务专员 / 电话客服 (m/w/d)"
    assert simplify_chinese("Оператор call-центра") == "Оператор call-центра"


def test_no_lexicon_character_is_traditional() -> None:
    """Titles are simplified before matching, so a pattern holding a Traditional character never matches."""
    from csresearch.clean._text import _traditional_table
    from csresearch.clean.roles import _lexicon

    table = _traditional_table()
    assert len(table) > 3000 and all(len(v) == 1 for v in table.values())
    lex = _lexicon()
    patterns = [*lex.noise, *(p for p, _ in lex.cues), *(p for p, _, _, _ in lex.vetoes), *(p for _, p in lex.functions),
                *(c.pattern for c in lex.levels), *lex.negations]
    assert len(patterns) > 100
    assert not sorted({c for p in patterns for c in p.pattern if ord(c) in table})


def test_traditional_chinese_descriptions_are_read_as_simplified() -> None:
    """A Taiwan posting titled 客服 whose duties are selling is a look-alike, as its Simplified twin is."""
    from csresearch.clean.role_classifier import classify_roles

    duties = ["负责电话销售，完成销售业绩指标，开发新客户", "負責電話銷售，完成銷售業績指標，開發新客戶"]
    out = classify_roles(["客服專員"] * 2, duties)
    assert not out["is_customer_service"].any()
    assert (out["evidence"] == "description:sales").all()

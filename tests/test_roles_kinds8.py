"""Rules S1-S7 of roles.md ("Rules from the final6 kinds (session 7, after its first contact)").

Every title below was written for this file (none is a labelled row verbatim), and each kind comes
with look-alikes: strings the rule must leave alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from csresearch.clean.roles import classify_titles

CS_OR_NOT = [
    # S1 support whose object is a system is IT operations: (a) an infrastructure object even under
    # техническая поддержка; (b) bare поддержка of a class of systems, прикладная поддержка; en system(s)
    # support without IT / technical
    ("Инженер технической поддержки серверного оборудования и СХД", False),
    ("Специалист техподдержки (администратор баз данных)", False),
    ("Инженер поддержки СУБД PostgreSQL", False),
    ("Старший инженер поддержки высоконагруженных сервисов", False),
    ("Инженер отдела поддержки вычислительной инфраструктуры", False),
    ("Системный администратор группы поддержки Windows-сервисов", False),
    ("Специалист по поддержке информационных систем предприятия", False),
    ("Инженер поддержки бизнес-приложений", False),
    ("Ведущий специалист прикладной поддержки SAP", False),
    ("Аналитик поддержки SIEM", False),
    ("Специалист группы поддержки НСИ", False),
    ("Systems Support Engineer", False),
    ("Senior System Support Analyst", False),
    # ... look-alikes: technical support of a product, and support of its users, stay CS
    ("Оператор технической поддержки информационных систем", True),
    ("Инженер технической поддержки бизнес-приложений", True),
    ("Специалист технической поддержки SIEM-системы", True),
    ("Специалист по поддержке пользователей информационных систем", True),
    ("Специалист поддержки пользователей (серверы)", True),
    ("Инженер технической поддержки сетевого оборудования", True),
    ("Специалист поддержки 1С", True),
    ("IT Systems Support Analyst", True),
    ("Computer Systems Support Representative", True),
    ("Technical Support Analyst II", True),
    # S2 technical support of an industrial or physical field is application engineering
    ("化工助剂技术支持工程师", False),
    ("农药技术支持专员", False),
    ("Специалист технической поддержки по гидравлическому оборудованию", False),
    ("Инженер техподдержки по буровому оборудованию", False),
    ("Инженер по технической поддержке АСУ ТП", False),
    ("IT技术支持专员", True),
    ("云平台技术支持", True),
    ("Специалист техподдержки по работе с клиентами", True),
    # S3 project and product posts, and CX research / journey mapping, are not the customers' desk
    ("Менеджер проектов клиентского сервиса", False),
    ("Руководитель проектов по улучшению клиентского опыта", False),
    ("Product Manager Customer Support", False),
    ("CX-исследователь", False),
    ("Специалист по клиентскому опыту / CJM", False),
    ("Директор по клиентскому опыту", True),
    ("Руководитель службы клиентского опыта", True),
    ("Customer Experience Advisor", True),
    # S4 a domain of another trade before "support officer"
    ("Programme Support Officer", False),
    ("Program Support Officer", False),
    ("Criminal Intelligence Support Officer", False),
    ("Children's Support Officer", False),
    ("Customer Support Officer - Retail", True),
    ("IT Support Officer (Schools)", True),
    ("Seller Support Officer", True),
    # S5 the customer's care; answer lines and telephone response desks; superintendents
    ("Customer Care Assistant - Evenings", True),
    ("Client Care Assistant (Part Time)", True),
    ("Care Assistant (Nursing Home)", False),
    ("Senior Care Worker", False),
    ("Telephone Adviser (Inbound)", True),
    ("Answerline Operator", True),
    ("Telephone Response Operator", True),
    ("Alarm Response Operator", False),
    # S6 zh: a sales job's pay (提成), 销售类, a streamer among the jobs; 风控客服 / M1提醒 collect
    ("客服专员 底薪+提成", False),
    ("售后客服（销售类）", False),
    ("客服 主播 打包员", False),
    ("风控客服专员", False),
    ("银行M1提醒专员", False),
    ("客服（无提成，不做销售）", True),
    ("非销售类客服", True),
    ("电商客服专员", True),
    ("风控管理专员", False),  # no cue: risk control
    # S7 ru: в <employer>; conjoined adjectives; по <adj> обращениям; product names; served party
    ("Оператор технической поддержки в производственную компанию", True),
    ("Начальник отдела технической и сервисной поддержки", True),
    ("Специалист по гарантийным обращениям", True),
    ("Специалист технической поддержки (Debt Collection System)", True),
    ("Инженер технической поддержки CRM-системы", True),
    ("Специалист информационной поддержки клиентов", True),
    ("Специалист методической поддержки учителей", False),
    ("Специалист информационной поддержки", False),
    ("Специалист по обращению с отходами", False),
    ("Специалист поддержки производства", False),
    ("Специалист по взысканию задолженности (collections)", False),
    ("CRM-маркетолог", False),
    ("Разъездной специалист технической поддержки", False),
    # zh: the head of a compound comes last (售后…咨询客服 is the advice desk); the building's steward
    ("设备售后咨询客服", True),
    ("设备售后", False),
    ("小区管家", True),
]


@pytest.mark.parametrize(("title", "is_cs"), CS_OR_NOT)
def test_kinds8_cs_or_not(title: str, is_cs: bool, role_evidence: Callable[[str], str]) -> None:
    out = classify_titles([title], method="rules")
    assert bool(out["is_customer_service"].iloc[0]) is is_cs, (title, role_evidence(title))


RUNGS = [
    ("Customer Service Superintendent", 4, "en"),
    ("Contact Centre Superintendent", 4, "en"),
    ("Начальник отдела технической и сервисной поддержки", 5, "ru"),
    ("Старший специалист технической поддержки информационных систем", 2, "ru"),
]


@pytest.mark.parametrize(("title", "level", "language"), RUNGS)
def test_kinds8_rungs(title: str, level: int, language: str, role_evidence: Callable[[str], str]) -> None:
    out = classify_titles([title], method="rules")
    assert bool(out["is_customer_service"].iloc[0]), (title, role_evidence(title))
    assert out["level"].iloc[0] == level, (title, role_evidence(title))
    assert out["language"].iloc[0] == language


def test_kinds8_functions() -> None:
    titles = ["Answerline Operator", "Telephone Response Operator", "Начальник отдела технической и сервисной поддержки",
              "Специалист по гарантийным обращениям", "Специалист по обращениям клиентов", "Специалист поддержки CRM-системы"]
    out = classify_titles(titles, method="rules")
    assert out["function"].tolist() == ["call_centre", "call_centre", "technical_support", "after_sales", "complaints",
                                        "technical_support"]


def test_kinds8_veto_reasons_name_the_trade() -> None:
    out = classify_titles(["农药技术支持专员", "Инженер поддержки СУБД PostgreSQL", "风控客服专员", "客服 主播 打包员"],
                          method="combined")
    assert [e.split(":")[1] for e in out["evidence"]] == [
        "veto=application_engineering", "veto=other_profession", "veto=collections", "veto=sales"]


def test_kinds8_combined_agrees_on_the_kinds() -> None:
    titles = [t for t, _ in CS_OR_NOT]
    rules = classify_titles(pd.Series(titles), method="rules")
    combined = classify_titles(pd.Series(titles), method="combined")
    agree = (rules["is_customer_service"] == combined["is_customer_service"]).mean()
    assert agree >= 0.9, agree

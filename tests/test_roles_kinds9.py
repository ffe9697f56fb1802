"""Rules T1-T8 and U1-U8 of roles.md ("Rules from the final7 kinds" and "Rules from the final8 kinds", session 9).

Every title below was written for this file (none is a labelled row verbatim); each kind comes with
look-alikes that the rule must leave alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from csresearch.clean.roles import classify_titles

# (title, is customer service, rung when it is)
CASES = [
    # T1 "(не продажи)" denies selling as "(без продаж)" does
    ("Менеджер по работе с клиентами (не продажи)", True, 1),
    ("Специалист чата, не продажи", True, 1),
    ("Менеджер по продажам", False, None),
    ("Менеджер по работе с клиентами (не только продажи)", False, None),
    ("Менеджер по работе с клиентами", False, None),
    # T2 the CS abbreviation before assistant / leader; "costumer" is customer misspelt
    ("CS Assistant", True, 1),
    ("CS Assistant Manager", True, 5),
    ("Costumer Care Officer", True, 1),
    ("Costumer Services Executive", True, 1),
    ("Costume Designer", False, None),
    ("CS Teacher", False, None),
    # T3 communicating with customers is the desk's work; working with clients is account work
    ("Специалист по общению с клиентами", True, 1),
    ("Оператор по общению с покупателями маркетплейса", True, 1),
    ("Специалист по работе с ключевыми клиентами", False, None),
    # T4 bare поддержка whose object is a system, a process, a project or development; compound
    # technical support of engineering, systems or administration; operation and support
    ("Специалист поддержки складской системы", False, None),
    ("Ведущий специалист группы поддержки расчетных процессов", False, None),
    ("Инженер отдела поддержки проектов", False, None),
    ("Менеджер по поддержке развития партнерской сети", False, None),
    ("Инженер отдела поддержки сервисов", False, None),
    ("Инженер системно-технической поддержки объектов", False, None),
    ("Техник инженерно-технической поддержки", False, None),
    ("Специалист отдела эксплуатации и поддержки", False, None),
    # ... look-alikes: technical support of systems, a product's support, the served party first
    ("Специалист технической поддержки складской системы", True, 1),
    ("Специалист поддержки пользователей складской системы", True, 1),
    ("Специалист поддержки CRM системы", True, 1),
    ("Специалист по поддержке ИТ систем офисов", True, 1),
    ("Специалист поддержки сервиса доставки", True, 1),
    # T5 мастер по … is a tradesman; 售后 listed beside 维修 is the repair workshop
    ("Мастер по обслуживанию клиентского оборудования", False, None),
    ("Мастер по обслуживанию абонентов связи", False, None),
    ("家电维修/售后", False, None),
    ("售后/维修专员", False, None),
    ("售后客服", True, 1),
    ("售后服务专员（非维修）", True, 1),
    # T6 a tech lead is an engineer whichever team he leads
    ("Tech Lead команды контакт-центра", False, None),
    ("Техлид службы поддержки", False, None),
    ("Тимлид службы поддержки", True, 3),
    # T7 CRM named as the object of support is that product's help desk
    ("Специалист технической поддержки CRM", True, 1),
    ("CRM-маркетолог", False, None),
    # T8 rungs: leader, SPV (Indonesian boards: supervisor), Snr, a bare 2 / 3 before "line"
    ("Customer Care Leader", True, 3),
    ("SPV Call Center", True, 4),
    ("Customer Service Rep - Snr", True, 2),
    ("Service Desk Engineer (3 line support)", True, 2),
    ("Service Desk Engineer (1st line support)", True, 1),
    # ... and the accusative of an ordinal line ("на 3-ю линию") is a line as the other cases are
    ("Специалист на 2-ю линию техподдержки", True, 2),
    ("Оператор на 1-ю линию поддержки", True, 1),
    # U1 project and programme managers manage projects, whatever team they sit in
    ("Project Manager (Customer Support Tools)", False, None),
    ("Programme Manager (Contact Centre)", False, None),
    ("Customer Support Manager", True, 5),
    # U2 software-discipline engineers build the product; U3 developers as the served party
    ("Frontend Engineer (Help Center)", False, None),
    ("Mobile Engineer - Support Tools", False, None),
    ("Support Engineer", True, 1),
    ("Developer Support Specialist", True, 1),
    ("Developer Support Engineer (API)", True, 1),
    ("Python Developer", False, None),
    # U4 remote or online support and the chat as workplace are the help desk
    ("Специалист удаленной поддержки", True, 1),
    ("Оператор дистанционной поддержки клиентов", True, 1),
    ("Консультант в чатах маркетплейса", True, 1),
    ("Выездной специалист поддержки", False, None),
    # U5 an analyst of (user) support; a system administrator of the Service Desk
    ("Аналитик по поддержке клиентов", True, 1),
    ("Системный администратор Service Desk", True, 1),
    ("Аналитик данных", False, None),
    ("Системный администратор Linux", False, None),
    # U6 a bracket holding only an operations or field word qualifies the whole title
    ("Инженер технической поддержки (SRE)", False, None),
    ("Специалист техподдержки (ЦОД)", False, None),
    ("Инженер поддержки (разъездной характер работы)", False, None),
    ("Специалист технической поддержки (монтаж и ремонт)", False, None),
    ("Мобильный техник поддержки", False, None),
    ("Инженер технической поддержки (ЦОД, Москва)", True, 1),
    ("Инженер технической поддержки (Москва)", True, 1),
    # U7 a banking system or an SQL database named right after bare поддержка is IT operations
    ("Специалист поддержки АБС", False, None),
    ("Инженер поддержки MS SQL", False, None),
    ("Специалист технической поддержки (со знанием SQL)", True, 1),
    # U8 a grade word before customer success manager; менеджер группы leads the group
    ("Staff Customer Success Manager", True, 2),
    ("Lead Enterprise Customer Success Manager", True, 2),
    ("Customer Success Manager", True, 1),
    ("Менеджер группы поддержки клиентов", True, 3),
]


@pytest.mark.parametrize(("title", "is_cs", "level"), CASES)
def test_kinds9(title: str, is_cs: bool, level: int | None,
                check_rule_verdict: Callable[[str, bool, int | None], None]) -> None:
    check_rule_verdict(title, is_cs, level)


def test_kinds9_veto_reasons_name_the_trade() -> None:
    out = classify_titles(["Мастер по обслуживанию абонентов связи", "家电维修/售后", "Специалист поддержки складской системы",
                           "Tech Lead команды контакт-центра"], method="combined")
    assert [e.split(":")[1] for e in out["evidence"]] == [
        "veto=field_service", "veto=field_service", "veto=other_profession", "veto=other_profession"]


def test_kinds9_functions() -> None:
    out = classify_titles(["Developer Support Specialist", "Специалист удаленной поддержки", "Консультант в чатах",
                           "Специалист онлайн поддержки"], method="rules")
    # online support without a technical word stays the written channel (final7 labels it online_chat)
    assert out["function"].tolist() == ["technical_support", "technical_support", "online_chat", "online_chat"]

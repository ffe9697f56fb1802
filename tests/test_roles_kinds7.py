"""Rules K1-K8 of roles.md ("Rules from the remaining kinds (session 7)"), strings written for this file.

No labelled row is used: every title below was written here, and each kind comes with a look-alike
(a string the rule must leave alone).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from csresearch.clean.roles import _layout, classify_titles

CS_OR_NOT = [
    # K1 a conjunction lists two jobs only between two job nouns; between the modifiers of one head
    # noun it joins the job's duties (a profession word in a duty removes only that duty, a word in
    # the head noun's conjunct the whole job); selling anywhere still sells
    ("Cashier and Customer Support Advisor", True),
    ("Concierge & Customer Care Agent", True),
    ("Customer Care and Complaints Officer", True),
    ("Sales and Customer Care Assistant", False),
    ("Customer Care and Telesales Advisor", False),
    ("Customer Support and Field Engineer", False),      # the head noun (field engineer) is the trade
    ("Начальник отдела клиентской поддержки и внедрения", True),
    ("Руководитель клиентской поддержки и отдела внедрения", True),
    ("Специалист внедрения и технической поддержки", False),  # the head's own conjunct: implementation
    ("Кассир и оператор call-центра", True),
    ("Оператор call-центра и менеджер по продажам", False),
    # K2 a complete CS head noun phrase is not removed by the desk it sits at (before it) or by the
    # department named in its dash qualifier; another trade before it still names the job
    ("Reception Desk Customer Support Representative", True),
    ("Front Desk Member Services Rep", True),
    ("Customer Service Advisor - Security Systems", True),
    ("Front Desk Agent", False),                          # no CS head: the receptionist's own title
    ("Front Desk Guest Service Representative", False),   # the head is the hotel desk clerk's title
    ("Loss Prevention Customer Care Associate", False),   # a store detective
    ("Customer Service Technician - Workshop", False),    # field service is the head's trade
    ("Client Service Associate - Bank Teller", False),    # the dash names the actual job (apposition)
    # K3 marketing is another trade, not selling: listed beside a CS job it removes only its own job
    ("Digital Marketing / Customer Support Specialist", True),
    ("Marketing Coordinator", False),
    ("Telemarketing / Customer Support Agent", False),    # telemarketing sells
    ("Marketing Customer Service Executive", False),      # one job named by marketing
    # K4 support named by a person's welfare is care or pastoral work (also in the index colon form)
    ("Officer, support: student welfare", False),
    ("Tenancy Support Officer", False),
    ("Wellbeing Support Advisor", False),
    ("Специалист отдела социальной поддержки населения", False),
    ("Officer, support: customer", True),
    ("Customer Support Officer", True),
    # K5 hotel guest services at night is the night audit at the front desk (reception)
    ("Guest Services Associate (Overnight)", False),
    ("Night Shift Guest Services Clerk", False),
    ("Night Auditor", False),
    ("Guest Services Manager", True),
    ("Overnight Customer Support Agent", True),
    # K6 support or a help desk named by the infrastructure it runs is operations
    ("Data Centre Support Technician", False),
    ("LAN Support Analyst", False),
    ("OT Support Engineer", False),
    ("CCTV Helpdesk Operator", False),
    ("IT Support Technician", True),
    ("Desktop Support Analyst", True),
    # K7 after-sales of a named vehicle or machine maker, or of a machine (…机), is the workshop
    ("某某汽车-客户体验专员-售后服务", False),
    ("挖掘机售后", False),
    ("汽车售后客服", True),
    ("电商售后专员", True),
    # K8 Russian: a numbered line alone is the support line; по обращениям is the requests desk
    ("Системный администратор (первая линия)", True),
    ("Консультант Битрикс24 (2-я линия)", True),
    ("Аналитик мониторинга (1 линия SOC)", False),
    ("Оператор 2 линии розлива", False),
    ("Системный администратор", False),
    ("Менеджер по обращениям клиентов", True),
    ("Специалист по обращению с отходами", False),
]


@pytest.mark.parametrize(("title", "is_cs"), CS_OR_NOT)
def test_kinds7_cs_or_not(title: str, is_cs: bool, role_evidence: Callable[[str], str]) -> None:
    out = classify_titles([title], method="rules")
    assert bool(out["is_customer_service"].iloc[0]) is is_cs, (title, role_evidence(title))


RUNGS = [
    ("Руководитель отдела клиентской поддержки и внедрения", 5, "ru"),
    ("Руководитель технической поддержки и отдела внедрения", 6, "ru"),
    ("Front Desk CSR II", 1, "en"),
    ("Senior Patient Access Representative - Emergency Department", 2, "en"),
    ("Системный администратор (2 линия)", 2, "ru"),
    ("Специалист технической поддержки (1 линия)", 1, "ru"),
    ("Customer Care and Complaints Team Leader", 3, "en"),
]


@pytest.mark.parametrize(("title", "level", "language"), RUNGS)
def test_kinds7_rungs(title: str, level: int, language: str, role_evidence: Callable[[str], str]) -> None:
    out = classify_titles([title], method="rules")
    assert bool(out["is_customer_service"].iloc[0]), (title, role_evidence(title))
    assert out["level"].iloc[0] == level, (title, role_evidence(title))
    assert out["language"].iloc[0] == language


def test_kinds7_functions() -> None:
    out = classify_titles(["Системный администратор (2 линия)", "Менеджер по обращениям клиентов",
                           "Front Desk CSR"], method="rules")
    assert out["function"].tolist() == ["technical_support", "complaints", "general"]


@pytest.mark.parametrize(("title", "language", "parts"), [
    # two job nouns: two listed jobs
    ("receptionist and customer service agent", "en", 2),
    ("оператор call-центра и менеджер по продажам", "ru", 2),
    # modifiers of one head noun: one job
    ("customer service and support specialist", "en", 1),
    ("customer service & support specialist", "en", 1),
    ("руководитель отдела поддержки и внедрения", "ru", 1),
    # an abbreviation is not a conjunction
    ("r&d customer support engineer", "en", 1),
    # zh keeps splitting at "&" as before
    ("客服&销售", "zh", 2),
])
def test_kinds7_conjunctions_list_jobs_only_between_job_nouns(title: str, language: str, parts: int) -> None:
    part = _layout(title, language)[1]
    assert int(part[len(title) - 1]) + 1 == parts


def test_kinds7_combined_agrees_on_the_kinds() -> None:
    titles = [t for t, _ in CS_OR_NOT]
    rules = classify_titles(pd.Series(titles), method="rules")
    combined = classify_titles(pd.Series(titles), method="combined")
    agree = (rules["is_customer_service"] == combined["is_customer_service"]).mean()
    assert agree >= 0.9, agree

"""Title rules for the zh/ru kinds found on the final3b holdout's first contact (issue 13).

Each case is a title written for this test (not a labelled row) of a kind the rules state, with
the look-alike beside it that must stay as it is. The reasoning behind each rule is in
csresearch/reference/sources/roles.md ("Rules from the final3b kinds").
"""

from __future__ import annotations

import pytest

from csresearch.clean.roles import classify_titles


@pytest.mark.parametrize(
    ("title", "is_cs"),
    [
        # R1 Russian service acts: serving a named customer group, after-sales service, complaints
        ("Специалист обслуживания корпоративных клиентов", True),
        ("Менеджер обслуживания премиум-клиентов", True),
        ("Оператор послепродажного обслуживания", True),
        ("Специалист по жалобам", True),
        ("Менеджер по претензиям", True),
        ("Инженер по обращению с отходами", False),          # обращение с = handling
        ("Специалист по претензионной работе", False),        # legal claims work
        ("Специалист по обслуживанию оборудования", False),   # equipment, not customers
        # R2 a level of support is the support line
        ("Системный администратор (2-й уровень поддержки)", True),
        ("Системный администратор", False),
        # R3 поддержка is CS only when customers/users are supported
        ("Инженер поддержки производства", False),
        ("Специалист информационной поддержки", False),
        ("Менеджер в команду поддержки HR процессов", False),
        ("Начальник отдела научно-технической поддержки", False),
        ("Инженер поддержки пользователей", True),
        ("Специалист отдела поддержки клиентов", True),
        # R4 a selling or CPA call centre sells
        ("Оператор продающего колл-центра", False),
        ("Супервайзер call-центра CPA", False),
        ("Оператор колл-центра", True),
        # R5 field work at the customer's site
        ("Инженер техподдержки (на территории заказчика)", False),
        ("Инженер техподдержки на территории клиента", False),
        ("Инженер техподдержки", True),
        # R6 a profession compounded with the agent noun, or placed in the call centre, is the desk
        ("Юрист-оператор горячей линии", True),
        ("Экономист-консультант колл-центра", True),
        ("Помощник юриста в колл-центр", True),
        ("Юрист-консультант", False),
        ("Юрист отдела поддержки", False),
        ("Аналитик колл-центра", False),
        # R7 Chinese negation scope: 不带/不含 + selling denies it, also in a list
        ("纯接听客服，不带外呼", True),
        ("客服专员（不含销售）", True),
        ("客服专员（不带外呼和销售）", True),
        ("外呼客服", False),
        # R8 含/带 selling adds selling; a sales seat sells; 销售客服 compounds stay pre-sales CS
        ("在线客服（含销售）", False),
        ("客服带销售", False),
        ("保险销售坐席", False),
        ("电商销售客服", True),
        ("营销客服", True),
        ("电话销售客服", False),
        # R9 客服 modified by a non-service activity
        ("信用卡账单提醒客服", False),
        ("车险客服专员", False),
        ("车险坐席", False),
        ("招商客服", False),
        ("收银客服", False),
        ("审核客服", False),
        ("电话客服和审核员", True),
        ("电话客服", True),
        # R10 a trade worker of after-sales is the technician; merchant support and 物业管家 serve
        ("空调售后安装工", False),
        ("售后客服", True),
        ("商户支持专员", True),
        ("商家客服", True),
        ("物业管家", True),
    ],
)
def test_final3b_kinds(title: str, is_cs: bool) -> None:
    got = classify_titles([title])
    assert bool(got["is_customer_service"].iloc[0]) is is_cs, (title, got["evidence"].iloc[0])


@pytest.mark.parametrize(
    ("title", "function"),
    [
        # R11 functions: voice is the phone channel even when 线上; typing / chat groups are chat;
        # platforms are e-commerce; a negated 销售 is not pre-sales; numbered support lines and
        # support engineers are technical support
        ("线上语音客服", "call_centre"),
        ("语音客服代表", "call_centre"),
        ("线上客服", "online_chat"),
        ("打字客服", "online_chat"),
        ("社群客服", "online_chat"),
        ("得物客服", "ecommerce"),
        ("无销售客服", "general"),
        ("销售客服", "pre_sales"),
        ("营销客服专员", "pre_sales"),
        ("Консультант (первая линия поддержки)", "technical_support"),
        ("Инженер поддержки", "technical_support"),
        ("Оператор технической справочной службы", "technical_support"),
        ("Специалист по работе с жалобами", "complaints"),
        ("Специалист по работе с обращениями", "complaints"),
    ],
)
def test_final3b_functions(title: str, function: str) -> None:
    got = classify_titles([title])
    assert got["function"].iloc[0] == function, (title, got["evidence"].iloc[0])


@pytest.mark.parametrize(
    ("title", "is_cs"),
    [
        # the colon form of an index title reads q1 as a qualifier even when it is a job noun
        ("Officer, support: IT", True),
        ("Technician, support: computer", True),
        ("Officer, support: network administration", False),
        ("Manager, sales: call centre", False),
        ("Officer, systems support: systems administration", False),   # the trade named (ISCO 2522)
        ("Systems Support Representative", True),
    ],
)
def test_index_colon_form_with_job_noun_qualifier(title: str, is_cs: bool) -> None:
    got = classify_titles([title])
    assert bool(got["is_customer_service"].iloc[0]) is is_cs, (title, got["evidence"].iloc[0])

"""Title rules for the look-alike and wording kinds found on the final2 holdout (issue 13).

Each case is a title written for this test (not a labelled row) of a kind the rules state:
the rule is about how titles are worded, so a fresh string of the same kind must follow it.
The reasoning behind each rule is in csresearch/reference/sources/roles.md ("final2 kinds").
"""

from __future__ import annotations

import pytest

from csresearch.clean.roles import classify_titles


@pytest.mark.parametrize(
    ("title", "is_cs"),
    [
        # technical support attached to a sale is engineering (LADDER: 售前技术支持, 售后工程师)
        ("售后技术支持专员", False),
        ("售后支持专员", False),
        ("销售支持工程师", False),
        ("技术支持专员", True),
        # on site (现场/驻场) and FAE work at the customer's: field service
        ("驻场技术支持", False),
        ("FAE技术支持", False),
        # after-sales of vehicles and equipment is the repair workshop; its 客服 desk is CS
        ("设备售后服务", False),
        ("汽车售后客服", True),
        ("售后服务专员", True),
        # 客户代表 named after a market sells to it; bare / company-named ones serve
        ("保险客户代表", False),
        ("大客户专员", False),
        ("客户代表", True),
        ("VIP服务专员", True),
        # Russian: the job builds or runs support technology
        ("Руководитель разработки сервисов для службы поддержки", False),
        ("Data Scientist в команду поддержки клиентов", False),
        ("Инженер сопровождения (2 линия поддержки)", False),
        ("Специалист по сопровождению систем контакт-центра", False),
        ("Менеджер по продвижению услуг контакт-центра", False),
        ("Аналитик службы технической поддержки", True),
        # English: a servicer repairs; support of an activity is not customer support
        ("Appliance Servicer – Customer Service", False),
        ("Customer Servicer - Gas", False),
        ("Academic Support Officer", False),
        ("Network Support Specialist", False),
        ("Car Dealership Service Advisor", False),
        ("Truck Aftersales Coordinator", False),
        # the front desk and check-in counter under a service title; relations desks serve
        ("Guest Services Agent - Hotel", False),
        ("Passenger Service Agent", False),
        ("Guest Relations Agent", True),
        # English: enquiries, counters and service words the lexicon lacked
        ("Enquiries Officer", True),
        ("clerk, customer inquiries", True),
        ("Returns and Courtesy Counter Clerk", True),
        ("Order Desk Clerk", True),
        ("Customer Satisfaction Specialist", True),
        ("Account Information Clerk", True),
        ("After-Sales Coordinator", True),
        # a claim for lost or damaged goods is a complaint; an insurance claims clerk processes
        ("Damaged Goods Claims Agent", True),
        ("Insurance Claims Clerk", False),
        # enquiries answered for the press, media or investors are communications work; a buyer
        # or warehouse hand at a desk works on stock (review of the enquiries cue)
        ("Press Enquiries Officer", False),
        ("Media Inquiries Coordinator", False),
        ("Investor Relations Officer", False),
        ("Order Desk Buyer", False),
        ("Merchandise Returns Warehouse Operative", False),
        ("Customer Enquiries Officer", True),
        ("Warehouse Customer Service Representative", True),
    ],
)
def test_lookalike_and_wording_kinds(title, is_cs):
    assert bool(classify_titles([title])["is_customer_service"].iloc[0]) is is_cs


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Head of Technical Support", 6),
        ("Head of Support", 6),
        ("Руководитель техподдержки клиентов", 6),  # bare head of the service (LADDER)
        ("Руководитель отдела техподдержки", 5),  # a unit in between
        ("呼叫中心管理", 5),  # "X管理": the management post of the function
        ("客服管理专员", 1),
    ],
)
def test_rungs_of_heads_and_management_posts(title, level):
    row = classify_titles([title]).iloc[0]
    assert row["is_customer_service"]
    assert row["level"] == level

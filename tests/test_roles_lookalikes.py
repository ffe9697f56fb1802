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


# --- final3a kinds: inverted index titles, support by its computing object, call-desk acts ------
# (strings written for this test; reasoning in roles.md, "Rules from the final3a kinds")
@pytest.mark.parametrize(
    ("title", "is_cs", "level", "function"),
    [
        # "Head, qualifier[: qualifier]" is read in title order (both qualifier orders)
        ("Advisor, desktop: support", True, 1, "technical_support"),
        ("Supervisor, team: contact center", True, 4, "call_centre"),
        ("Leader, shift: call center", True, 3, "call_centre"),
        ("Manager, contact center team", True, 3, "call_centre"),
        ("Cashier, customer service", False, None, None),
        ("Support, PC", True, 1, "technical_support"),
        # a comma that lists jobs or units is not an inverted head
        ("Receptionist, Customer Service Agent", True, 1, "general"),
        ("Sales, Marketing", False, None, None),
        # support named by the computing it helps with; end-user computing
        ("Software Support Officer", True, 1, "technical_support"),
        ("End User Computing Technician", True, 1, "technical_support"),
        ("ICT Customer Help Officer", False, None, None),
        ("ICT Customer Support Advisor", True, 1, "technical_support"),
        # directory assistance, phone coaches, answering services: the call desk
        ("Directory Assistance Operator", True, 1, "call_centre"),
        ("Telephone Coach", True, 1, "training_quality"),
        ("Answering Service Clerk", True, 1, "call_centre"),
        # BPO "process" names the account's channel
        ("Chat Process Associate", True, 1, "online_chat"),
        ("Email Process - Night Shift", True, 1, "online_chat"),
        # selling, canvassing and surveys from a call desk are look-alikes
        ("Call Center Salesperson", False, None, None),
        ("Contact Centre Agent - Cold Calling", False, None, None),
        ("Call Centre Agent: conducting telephone surveys", False, None, None),
        ("Contact Centre Fundraiser", False, None, None),
        # an inquiry agent is a private detective; test engineers are not support
        ("Inquiry Agent", False, None, None),
        ("IT Support and Test Engineer", False, None, None),
        # the rung of a multi-role title comes from the CS job, unless the other part is a bare rung
        ("Customer Service Officer/Office Manager", True, 1, "general"),
        ("Customer Service Manager", True, 5, "general"),
        ("Customer Service & Operations Manager", True, 5, "general"),
    ],
)
def test_final3a_kinds(title, is_cs, level, function):
    out = classify_titles([title], method="rules").iloc[0]
    assert bool(out["is_customer_service"]) is is_cs, out.to_dict()
    if is_cs:
        assert out["level"] == level and out["function"] == function, out.to_dict()


def test_a_bare_rung_in_a_list_is_still_read_as_the_cs_jobs_rung():
    # a listed part that is only a rung word ("主管", "Team Leader") is not another trade's rung
    out = classify_titles(["客服专员/主管", "Customer Service Agent / Team Leader"], method="rules")
    assert out["level"].tolist() == [4, 3]

"""A requisition number in brackets is not part of the job title."""

from __future__ import annotations

import pytest

from csresearch import classify_roles
from csresearch.clean.roles import normalise_title


@pytest.mark.parametrize("title, expected", [
    ("客服专员 (J04217)", "客服专员"),
    ("Customer Service Advisor (REQ-20931)", "customer service advisor"),
    ("Оператор контакт-центра [id88412]", "оператор контакт-центра"),
    ("Help Desk Analyst (Ref: 55120)", "help desk analyst"),
    ("在线客服（MJ004120）", "在线客服"),
])
def test_reference_codes_are_stripped(title, expected):
    assert normalise_title(title) == expected


@pytest.mark.parametrize("title", ["Оператор (2 линия)", "Support Agent (L2)", "Консультант 1С (НСИ)",
                                   "Chat Support (24/7)", "Оператор (3 смены)"])
def test_short_numbers_that_say_something_stay(title):
    assert "(" in normalise_title(title)


def test_a_code_changes_no_verdict():
    plain = ["客服主管", "Senior Customer Service Representative", "Руководитель группы поддержки", "Receptionist"]
    coded = [f"{t} (J{4821 + i:07d})" for i, t in enumerate(plain)]
    a, b = classify_roles(plain), classify_roles(coded)
    cols = ["is_customer_service", "level", "track", "function", "confidence"]
    assert a[cols].equals(b[cols])

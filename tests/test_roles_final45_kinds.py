"""Rules F1-F5 of roles.md ("Rules from the final4/final5 kinds"), one test string per kind.

No labelled row is used: every title below was written for this file, and each kind comes with
a look-alike (a string the rule must leave alone).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from csresearch.clean.roles import classify_titles


CS_OR_NOT = [
    # F1 the chat as the service channel: чат-поддержка, an agent noun whose object is the chats
    ("Специалист чат-поддержки", True),
    ("Оператор чат-поддержки (удалённо)", True),
    ("Оператор входящих чатов", True),
    ("Сотрудник на чаты", True),
    ("Разработчик чат-ботов", False),          # builds the bot, answers no one
    ("Специалист по продажам в чатах", False),   # selling in chats (README)
    ("Оператор чат-бота", False),
    ("Репетитор по физике в чат поддержки", False),  # the support chat is the place; the job is tutoring
    # F2 support named by a numbered tier, with a word between, or by the e-mail channel
    ("Tier 2 Remote Support", True),
    ("Level 1 Customer Support", True),
    ("E-mail Support (night shift)", True),
    ("Email Marketing Specialist", False),
    ("Level 3 Network Support Engineer", False),  # network support stays IT operations
    # F3 support named by a back-office object supports that function, not customers
    ("Back Office Support Specialist", False),
    ("Contracts Support Officer", False),
    ("Production Support Engineer", False),
    ("Customer Support Specialist", True),
    ("Technical Support Specialist", True),
    # F4 data entry is clerical work wherever it is placed; a listed CS job keeps the title CS
    ("Data Entry Operator (Call Centre)", False),
    ("Data Entry Clerk - Contact Center", False),
    ("Customer Service / Data Entry Clerk", True),
    ("Call Centre Agent", True),
    # F5 без governs every noun of a list joined by и/или: no selling is promised
    ("Менеджер клиентского отдела (без звонков и продаж)", True),
    ("Специалист (без холодных звонков и активных продаж)", True),
    ("Менеджер по работе с клиентами (Алматы)", False),  # rule 3: account/sales
    ("Менеджер по продажам (без звонков)", False),       # only the calls are denied
    # F6 входящее направление is the inbound line (the outbound one is telemarketing); a chat responder
    ("Оператор входящего направления", True),
    ("Оператор исходящего направления", False),
    ("Менеджер входящего направления продаж", False),
    ("Chat Responder", True),
    ("Emergency Responder", False),
]


@pytest.mark.parametrize(("title", "is_cs"), CS_OR_NOT)
def test_final45_kinds(title: str, is_cs: bool, role_evidence: Callable[[str], str]) -> None:
    got = classify_titles([title])
    assert bool(got["is_customer_service"].iloc[0]) is is_cs, (title, role_evidence(title))


@pytest.mark.parametrize(
    ("title", "level", "function"),
    [
        ("Эксперт чат-поддержки", 2, "online_chat"),
        ("Менеджер чат-поддержки", 1, "online_chat"),
        ("Tier 1 Remote Support (nights)", 1, "technical_support"),  # a numbered tier is technical support
        ("Tier 2 Desktop Support Technician", 2, "technical_support"),
        # F6 chats beside the voice are the call desk's blended line; "без звонков" denies the calls
        ("Оператор входящей линии (чат и голос)", 1, "call_centre"),
        ("Специалист поддержки клиентов: чаты + звонки", 1, "call_centre"),
        ("Оператор чата (без звонков)", 1, "online_chat"),
    ],
)
def test_final45_rung_and_function(title: str, level: int, function: str, role_evidence: Callable[[str], str]) -> None:
    got = classify_titles([title])
    assert int(got["level"].iloc[0]) == level, (title, role_evidence(title))
    assert got["function"].iloc[0] == function, (title, role_evidence(title))

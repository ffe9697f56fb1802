"""Rules of roles.md, "Rules of session 10" (V1 onwards).

Every title below was written for this file (none is a labelled row verbatim); each kind comes with
look-alikes that the rule must leave alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from csresearch.clean.roles import _layout, classify_titles

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
]


@pytest.mark.parametrize(("title", "is_cs", "level"), CASES)
def test_kinds10(title: str, is_cs: bool, level: int | None, role_evidence: Callable[[str], str]) -> None:
    out = classify_titles([title], method="rules").iloc[0]
    assert bool(out["is_customer_service"]) is is_cs, (title, role_evidence(title))
    if is_cs:
        assert out["level"] == level, (title, role_evidence(title))


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

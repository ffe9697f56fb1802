"""Shared fixtures of the test suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture(scope="session")
def role_evidence() -> Callable[[str], str]:
    """A function title -> the evidence string that decided it, for assertion messages.

    ``classify_titles(method="rules")`` returns no ``evidence`` column; the combined call names the
    cue, veto or level rule that decided, which is what a failing rule test should print.
    """
    from csresearch.clean.roles import classify_titles

    def why(title: str) -> str:
        return str(classify_titles([title], method="combined")["evidence"].iloc[0])

    return why


@pytest.fixture(scope="session")
def check_rule_verdict(role_evidence: Callable[[str], str]) -> Callable[[str, bool, int | None], None]:
    """A function (title, is CS, rung) that asserts the rules' verdict, printing the deciding rule."""
    from csresearch.clean.roles import classify_titles

    def check(title: str, is_cs: bool, level: int | None) -> None:
        out = classify_titles([title], method="rules").iloc[0]
        assert bool(out["is_customer_service"]) is is_cs, (title, role_evidence(title))
        if is_cs:
            assert out["level"] == level, (title, role_evidence(title))

    return check

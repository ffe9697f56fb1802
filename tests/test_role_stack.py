"""The first-contact stack (csresearch.clean.role_stack) and how classify_roles applies it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from csresearch.clean.role_classifier import REVIEW_THRESHOLD, classify_roles
from csresearch.clean.role_stack import (
    STATE_CS, STATE_NO_CUE, STATE_VETOED, fit_stack, rule_states, stack_probability,
)
from csresearch.clean.roles import rule_features
from csresearch.clean.roles_model import load_role_model


def test_fit_stack_recovers_known_coefficients() -> None:
    # simulated record: per state an intercept and a slope on logit P(CS) that we set
    rng = np.random.default_rng(0)
    truth = np.array([1.5, -2.0, -3.0, 0.8, 1.2, 0.6])
    states = rng.integers(0, 3, 60_000)
    p = 1 / (1 + np.exp(-rng.normal(0, 2.5, states.size)))
    y = rng.random(states.size) < stack_probability(truth, states, p)
    got = fit_stack(states, p, y, C=1e4)  # next to no penalty: the maximum-likelihood fit
    np.testing.assert_allclose(got, truth, atol=0.08)


def test_rule_states_read_the_evidence() -> None:
    states = rule_states(np.array([True, False, False]), np.array(["cue=客服;level=专员", "no_cue", "veto=sales:销售"]))
    assert states.tolist() == [STATE_CS, STATE_NO_CUE, STATE_VETOED]


def test_stack_probability_of_a_missing_ngram_probability_reads_as_even() -> None:
    coef = np.array([0.5, -1.0, -1.0, 1.0, 1.0, 1.0])
    got = stack_probability(coef, np.array([STATE_CS, STATE_NO_CUE]), np.array([np.nan, 0.5]))
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-np.array([0.5, -1.0]))))


def test_shipped_stack_trusts_the_ngrams_more_as_they_grow_surer() -> None:
    coef = load_role_model().stack_coef
    assert coef is not None and coef.shape == (6,)
    p = np.linspace(0.01, 0.99, 50)
    for state in (STATE_CS, STATE_NO_CUE, STATE_VETOED):
        assert np.all(np.diff(stack_probability(coef, np.full(50, state), p)) > 0)
    # at an undecided n-gram P the rules' state decides
    even = stack_probability(coef, np.array([STATE_CS, STATE_NO_CUE, STATE_VETOED]), np.full(3, 0.5))
    assert even[0] > 0.5 > even[1] and even[2] < 0.5


def _p_ngram(title: str) -> float:
    texts, rules = rule_features(pd.Series([title]))
    return float(load_role_model().ngram_probability(list(texts), rules)[0])


@pytest.mark.parametrize(("title", "rules_cs", "evidence"), [
    ("Custmer Service Officer", False, "stack:cs;no_cue"),  # misspelt: no cue word, the n-grams know it
    ("Support Analyst - SQL Server", True, "stack:not_cs;"),  # a cue word, but the wording is IT's
])
def test_a_flipped_verdict_is_flagged_for_review(title: str, rules_cs: bool, evidence: str) -> None:
    assert bool(classify_roles([title], method="rules")["is_customer_service"].iloc[0]) is rules_cs
    out = classify_roles([title]).iloc[0]
    assert bool(out["is_customer_service"]) is not rules_cs
    assert out["evidence"].startswith(evidence)
    assert out["confidence"] < REVIEW_THRESHOLD and bool(out["needs_review"])


@pytest.mark.parametrize("title", ["Marketing Customer Service Executive", "风控客服专员", "售后客服（销售类）"])
def test_a_veto_stands_however_sure_the_ngrams_are(title: str) -> None:
    # the n-grams read the CS words, not the look-alike (kinds7, kinds8): sure enough that the stack
    # would make the title CS if the rules had merely found no cue
    p = _p_ngram(title)
    assert stack_probability(load_role_model().stack_coef, np.array([STATE_NO_CUE]), np.array([p]))[0] >= 0.5
    out = classify_roles([title]).iloc[0]
    assert not bool(out["is_customer_service"]) and "veto=" in out["evidence"]
    assert not out["evidence"].startswith("stack")


def test_a_cue_verdict_is_dropped_only_below_the_ngram_floor(monkeypatch) -> None:
    from csresearch.clean import role_classifier

    title = "Support Analyst - SQL Server"
    p = _p_ngram(title)
    monkeypatch.setattr(role_classifier, "DROP_PROBABILITY", p)  # the floor at the title's own P: kept
    assert bool(classify_roles([title])["is_customer_service"].iloc[0])
    monkeypatch.setattr(role_classifier, "DROP_PROBABILITY", p + 1e-6)
    assert not bool(classify_roles([title])["is_customer_service"].iloc[0])


def test_a_sure_cue_verdict_stands() -> None:
    title = "Customer Service Team Leader"
    assert _p_ngram(title) > 0.9
    out = classify_roles([title]).iloc[0]
    assert bool(out["is_customer_service"]) and out["level"] == 3 and not out["evidence"].startswith("stack")


def test_a_model_without_the_stack_gives_the_combined_verdict() -> None:
    model = dataclasses.replace(load_role_model(), stack_coef=None)
    out = classify_roles(["Custmer Service Officer", "Support Analyst - SQL Server"], model=model)
    assert not out["evidence"].str.startswith("stack").any()
    assert out["is_customer_service"].tolist() == [False, True]


def test_the_stack_round_trips_through_the_model_file(tmp_path) -> None:
    model = load_role_model()
    model.save(tmp_path / "m.npz")
    again = load_role_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.stack_coef, model.stack_coef)
    titles = ["Custmer Service Officer", "客服专员", "Sales Manager"]
    texts, rules = rule_features(pd.Series(titles))
    np.testing.assert_array_equal(again.ngram_probability(list(texts), rules), model.ngram_probability(list(texts), rules))


def test_the_stack_weighs_only_the_record_languages(monkeypatch) -> None:
    # a stack that drops every CS verdict (known coefficients, no n-gram floor): it reaches the English
    # title, not the German
    from csresearch.clean import role_classifier

    monkeypatch.setattr(role_classifier, "DROP_PROBABILITY", 1.0)
    model = dataclasses.replace(load_role_model(), stack_coef=np.array([-10.0, -10.0, -10.0, 0.0, 0.0, 0.0]))
    out = classify_roles(["Customer Service Team Leader", "Teamleiter Kundenservice"], model=model)
    assert out["is_customer_service"].tolist() == [False, True]
    assert out["evidence"].iloc[0].startswith("stack:not_cs;") and not out["evidence"].iloc[1].startswith("stack")

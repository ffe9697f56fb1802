"""The n-gram override of classify_roles (roles.md, "The n-gram override")."""

from __future__ import annotations

import dataclasses

import pandas as pd

from csresearch.clean.role_classifier import OVERRIDE_PROBABILITY, REVIEW_THRESHOLD, classify_roles
from csresearch.clean.roles import rule_features
from csresearch.clean.roles_model import load_role_model


def _p_ngram(title: str) -> float:
    texts, rules = rule_features(pd.Series([title]))
    return float(load_role_model().predict_all(list(texts), rules)[2][0])


def test_a_title_without_cue_that_the_ngrams_are_sure_of_becomes_cs_for_review() -> None:
    title = "Customer Servce Officer"  # misspelt: no cue word, but the n-grams know the wording
    assert _p_ngram(title) >= OVERRIDE_PROBABILITY
    assert not bool(classify_roles([title], method="rules")["is_customer_service"].iloc[0])
    out = classify_roles([title]).iloc[0]
    assert bool(out["is_customer_service"]) and out["level"] == 1
    assert out["evidence"].startswith("ngram-override:cs;") and out["confidence"] < REVIEW_THRESHOLD
    assert bool(out["needs_review"])


def test_the_ngrams_never_overrule_a_cue() -> None:
    title = "Руководитель группы операторов"  # a call centre's team lead, absent from the labelled titles
    assert _p_ngram(title) <= 1 - OVERRIDE_PROBABILITY  # the n-grams are wrongly sure it is not CS
    out = classify_roles([title]).iloc[0]
    assert bool(out["is_customer_service"]) and out["level"] == 3
    assert not out["evidence"].startswith("ngram-override")


def test_a_model_file_without_the_ngram_model_gives_no_override() -> None:
    model = dataclasses.replace(load_role_model(), ngram_cs=None)
    out = classify_roles(["Customer Servce Officer"], model=model).iloc[0]
    assert not bool(out["is_customer_service"])
    assert not out["evidence"].startswith("ngram-override")


def test_the_ngram_model_round_trips_through_the_model_file(tmp_path) -> None:
    model = load_role_model()
    model.save(tmp_path / "m.npz")
    again = load_role_model(tmp_path / "m.npz")
    titles = ["Customer Servce Officer", "客服专员", "Sales Manager"]
    texts, rules = rule_features(pd.Series(titles))
    assert (again.predict_all(list(texts), rules)[2] == model.predict_all(list(texts), rules)[2]).all()

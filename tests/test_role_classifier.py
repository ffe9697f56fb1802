"""Tests of classify_roles (rules + shipped model + descriptions) and read_descriptions."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.description import read_descriptions
from csresearch.clean.role_classifier import REVIEW_THRESHOLD, classify_roles


def test_description_wins_over_title():
    out = classify_roles(["客服专员", "客服专员"], ["负责接听客户来电，处理客户投诉", "负责逾期客户的电话催收，回款"])
    assert out["is_customer_service"].tolist() == [True, False]
    assert out["evidence"].iloc[1] == "description:collections"


def test_description_fields():
    out = read_descriptions(["Manage a team of 12 advisors handling customer complaints by phone and chat",
                             "<p>Руководство группой из 8 человек, обработка входящих обращений клиентов, ночные смены 2/2</p>",
                             None])
    assert out["description_team_size"].tolist()[:2] == [12, 8]
    assert out["description_channels"].iloc[0] == "phone;chat"
    assert bool(out["description_night_work"].iloc[1])
    assert out.iloc[2].isna().all()


@settings(deadline=None, max_examples=40)
@given(st.lists(st.one_of(st.text(max_size=60), st.none(), st.integers(), st.just("客服" + "x" * 10000),
                          st.just("<b>Customer</b> служба 客服")), max_size=6))
def test_bad_input_never_raises(values):
    out = classify_roles(values, values)
    assert len(out) == len(values)
    assert out["confidence"].between(0, 1).all()
    assert (out["needs_review"] | (out["confidence"] >= REVIEW_THRESHOLD)).all()
    assert out.loc[~out["is_customer_service"], "level"].isna().all()


@pytest.mark.slow
def test_fresh_training_reproduces_the_shipped_model(tmp_path):
    """scripts/train_role_model.py on the shipped labelled data gives the shipped model's answers."""
    from pathlib import Path

    from csresearch.clean.roles_model import fit_role_model, load_labelled_titles, load_role_model

    root = Path(__file__).resolve().parents[1]
    labelled = load_labelled_titles(root, include_final=True)
    fresh = fit_role_model(labelled)
    fresh.save(tmp_path / "fresh.npz")
    fresh = load_role_model(tmp_path / "fresh.npz")
    shipped = load_role_model()
    titles = labelled["title"].drop_duplicates().head(1500).tolist()
    a = classify_roles(titles, model=fresh)
    b = classify_roles(titles, model=shipped)
    pd.testing.assert_series_equal(a["is_customer_service"], b["is_customer_service"])
    pd.testing.assert_series_equal(a["level"], b["level"])
    np.testing.assert_allclose(a["confidence"], b["confidence"], rtol=0, atol=1e-9)

"""Tests of classify_roles (rules + shipped model + descriptions) and read_descriptions."""

from __future__ import annotations

import numpy as np
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

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

    from csresearch.clean.role_stack import fit_first_contact_stack
    from csresearch.clean.roles_model import SCORED_HOLDOUTS, fit_role_model, load_labelled_titles, load_role_model

    root = Path(__file__).resolve().parents[1]
    labelled = load_labelled_titles(root, holdouts=SCORED_HOLDOUTS)
    fresh = fit_role_model(labelled, stack_coef=fit_first_contact_stack(root))
    fresh.save(tmp_path / "fresh.npz")
    fresh = load_role_model(tmp_path / "fresh.npz")
    shipped = load_role_model()
    titles = labelled["title"].drop_duplicates().head(1500).tolist()
    a = classify_roles(titles, model=fresh)
    b = classify_roles(titles, model=shipped)
    pd.testing.assert_series_equal(a["is_customer_service"], b["is_customer_service"])
    pd.testing.assert_series_equal(a["level"], b["level"])
    np.testing.assert_allclose(a["confidence"], b["confidence"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(fresh.stack_coef, shipped.stack_coef, rtol=0, atol=1e-9)


# --- bad input: a defined result, never an exception -------------------------------------------

_HOSTILE = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=20),
    st.none(), st.just(np.nan), st.just(pd.NA), st.just(""), st.just("   \t\n"),
    st.integers(), st.floats(allow_nan=True), st.booleans(), st.binary(max_size=10),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    st.just("客服" + "x" * 10_000), st.just("Customer Service " * 700),
    st.just("<div><b>Customer</b>&nbsp;служба 客服</div><script>x</script>"),
    st.just("Оператор call-центра 客服专员 Kundenservice"), st.just("\ud800 lone surrogate"),
    st.just("<p>" + "负责接听客户来电，处理客户投诉。" * 400 + "</p>"),
)


@settings(deadline=None, max_examples=60)
@given(st.lists(_HOSTILE, max_size=6), st.data())
def test_hostile_titles_and_descriptions_give_defined_results(titles, data):
    descriptions = data.draw(st.lists(_HOSTILE, min_size=len(titles), max_size=len(titles)))
    out = classify_roles(titles, descriptions)
    assert len(out) == len(titles) and list(out.index) == list(range(len(titles)))
    assert out["confidence"].between(0, 1).all() and out["evidence"].notna().all()
    assert out.loc[~out["is_customer_service"], "level"].isna().all()
    assert out["level"].dropna().isin(range(1, 7)).all()
    blank = [t is None or (isinstance(t, float) and np.isnan(t)) or t is pd.NA or (isinstance(t, str) and not t.strip())
             for t in titles]
    missing = out[np.asarray(blank, dtype=bool)]
    assert (~missing["is_customer_service"]).all() and (missing["confidence"] == 0).all()
    assert (missing["evidence"] == "missing").all() and missing["needs_review"].all()
    d = read_descriptions(descriptions)
    assert len(d) == len(descriptions)
    assert d.loc[np.asarray(blank_d := [v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                                        or (isinstance(v, str) and not v.strip()) for v in descriptions],
                            dtype=bool)].isna().all().all()
    assert len(blank_d) == len(descriptions)


def test_long_and_html_descriptions_are_read_not_rejected():
    text = "<p>Answer&nbsp;customer <b>calls</b> and live chat\x00\x07</p>" + " filler" * 5000
    out = read_descriptions([text, "\ud800 客服 接听客户来电"])
    assert out["description_role"].tolist() == ["customer_service", "customer_service"]
    assert out["description_channels"].iloc[0] == "phone;chat"


def test_same_answer_per_distinct_pair_whatever_the_repetition():
    titles = ["客服专员", "客服专员", "Customer Care Team Leader", "客服专员", None]
    descs = ["负责接听客户来电", "负责逾期客户的电话催收，回款", None, "负责接听客户来电", "x"]
    once = classify_roles(titles, descs)
    pd.testing.assert_frame_equal(once.iloc[[0]].reset_index(drop=True), once.iloc[[3]].reset_index(drop=True))
    alone = pd.concat([classify_roles([t], [d]) for t, d in zip(titles, descs)], ignore_index=True)
    pd.testing.assert_frame_equal(once, alone)
    idx = pd.Index([10, 11, 12, 13, 14])
    on_index = classify_roles(pd.Series(titles, index=idx), pd.Series(descs, index=idx))
    assert on_index.index.equals(idx)


def test_held_back_rows_never_reach_training(tmp_path):
    """Only rows without a holdout, plus the holdouts named, are loaded (first contact stays clean)."""
    from csresearch.clean.roles_model import load_labelled_titles

    (tmp_path / "data" / "labelled").mkdir(parents=True)
    (tmp_path / "tests" / "data").mkdir(parents=True)
    pd.DataFrame({"title": ["客服专员", "客服主管", "Sales Executive", "客服经理"],
                  "source": ["a", "b", "c", "d"], "is_customer_service": [True, True, False, True],
                  "level": [1, 4, None, 5], "holdout": [None, "final", "final2", "Final2 "]}
                 ).to_csv(tmp_path / "data" / "labelled" / "role_titles.csv", index=False)
    pd.DataFrame({"title": ["客服专员", "Team Leader Customer Care"], "origin": ["old", "old"],
                  "is_customer_service": [True, True], "level": [1, 3]}
                 ).to_csv(tmp_path / "tests" / "data" / "titles_labelled.csv", index=False)
    dev = load_labelled_titles(tmp_path)
    assert dev["title"].tolist() == ["客服专员", "Team Leader Customer Care"]
    assert dev["source"].tolist() == ["a", "old"]  # the newer corpus's label wins a duplicate
    assert load_labelled_titles(tmp_path, holdouts=("final",))["title"].tolist() == [
        "客服专员", "客服主管", "Team Leader Customer Care"]
    assert set(load_labelled_titles(tmp_path, holdouts="final2")["holdout"]) == {"", "final2"}
    assert len(load_labelled_titles(tmp_path, holdouts="all")) == 5

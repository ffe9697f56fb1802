"""Schema and invariants of the hand-labelled role corpus in data/labelled/.

The corpus is training and evaluation data for the role classifier (issue 13); these tests
check its shape and the labelling conventions of data/labelled/README.md, not any model.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DIR = ROOT / "data" / "labelled"
TITLE_COLS = ["title", "language", "country", "year", "source", "source_ref",
              "is_customer_service", "level", "track", "function", "note", "holdout"]
POSTING_COLS = ["title", "description", "language", "country", "year", "source", "source_ref",
                "is_customer_service", "level", "track", "function", "title_says_cs", "note",
                "holdout"]
FUNCTIONS = {"training_quality", "customer_success", "complaints", "technical_support", "vip",
             "pre_sales", "after_sales", "ecommerce", "online_chat", "call_centre", "general"}
TRACKS = {"individual", "expert", "management"}
# Targets of issue 13, deliverable 4.
MIN_TITLES, MIN_SOURCES = 3000, 12
MIN_POSTINGS, MIN_DISAGREE = 300, 100


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def titles() -> pd.DataFrame:
    return _read("role_titles.csv")


def _check_labels(df: pd.DataFrame) -> None:
    assert set(df.is_customer_service) <= {"True", "False"}
    cs = df.is_customer_service == "True"
    # level, track and function are filled exactly for customer-service rows
    for col in ("level", "track", "function"):
        assert (df.loc[~cs, col] == "").all(), f"{col} set on a non-CS row"
        assert (df.loc[cs, col] != "").all(), f"{col} missing on a CS row"
    assert set(df.loc[cs, "level"]) <= {"1", "2", "3", "4", "5", "6"}
    assert set(df.loc[cs, "track"]) <= TRACKS
    assert set(df.loc[cs, "function"]) <= FUNCTIONS
    lvl = df.loc[cs, "level"].astype(int)
    trk = df.loc[cs, "track"]
    # LADDER.md: management for rungs 3-6, expert only on rung 2
    assert (trk[lvl >= 3] == "management").all()
    assert (trk[lvl <= 2] != "management").all()
    assert (trk[lvl == 1] != "expert").all()
    assert df.language.str.fullmatch(r"[a-z]{2}").all()
    assert df.country.str.fullmatch(r"([A-Z]{2})?").all()
    assert df.year.str.fullmatch(r"((19|20)\d\d)?").all()
    assert (df.title.str.strip() != "").all()
    assert set(df.holdout) <= {"", "final"}


def test_titles_schema_and_labels(titles):
    assert list(titles.columns) == TITLE_COLS
    _check_labels(titles)
    assert not titles.duplicated(["source", "title"]).any()


def test_titles_are_wide(titles):
    assert len(titles) >= MIN_TITLES
    public = titles[titles.source != "csresearch_written"]
    assert public.source.nunique() >= MIN_SOURCES
    assert {"zh", "ru", "en"} <= set(titles.language)
    assert titles.groupby("source").size().max() <= 420  # wide, not deep
    cs = titles[titles.is_customer_service == "True"]
    assert set(cs.level) == {"1", "2", "3", "4", "5", "6"}
    share = (titles.is_customer_service == "True").mean()
    assert 0.25 <= share <= 0.8


def test_every_source_is_documented(titles):
    readme = (DIR / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", readme, flags=re.M))
    assert set(titles.source) <= documented
    postings = DIR / "role_postings.csv"
    if postings.exists():
        assert set(_read("role_postings.csv").source) <= documented


def test_final_holdout_sources_are_whole_and_one_per_language(titles):
    final = titles[titles.holdout == "final"]
    if final.empty:
        pytest.skip("final holdout sources not added yet")
    # a held-out source is held out completely
    assert set(titles[titles.source.isin(final.source)].holdout) == {"final"}
    by_source = final.groupby("source").agg(n=("title", "size"), lang=("language", "first"))
    assert len(by_source) == 3 and set(by_source.lang) == {"zh", "ru", "en"}
    assert (by_source.n >= 80).all()


def test_postings_schema_and_labels():
    path = DIR / "role_postings.csv"
    if not path.exists():
        pytest.skip("role_postings.csv not added yet")
    df = _read("role_postings.csv")
    assert list(df.columns) == POSTING_COLS
    _check_labels(df)
    assert set(df.title_says_cs) <= {"True", "False"}
    assert (df.description.str.len() <= 600).all()
    assert (df.description.str.strip() != "").all()
    assert len(df) >= MIN_POSTINGS
    disagree = df.title_says_cs != df.is_customer_service
    assert disagree.sum() >= MIN_DISAGREE

"""The pattern screen skips a pattern only where it cannot match (so the rules' answers stay)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from csresearch.clean._screen import Screen, first_chars, required_literals, substring_hits
from csresearch.clean._text import basic_normalise, load_yaml
from csresearch.clean.roles_model import labelled_title_files
from csresearch.io import project_root


@pytest.mark.parametrize(
    "pattern, first",
    [
        ("客服", {"客"}),
        ("a|bc|(?:d|e)f", {"a", "b", "d", "e"}),
        (r"\bx?y", {"x", "y"}),  # an optional start: the next item may start the match
        ("(?<=q)[a-c]z", {"a", "b", "c"}),  # look-arounds consume nothing
        ("(?:ab)*c", {"a", "c"}),
        ("a{0}b", {"b"}),
        (r"\w+x", None),  # unbounded classes
        ("[^a]b", None),
        (".b", None),
        ("a?", None),  # matches the empty string
        ("(?i)a", None),  # case-insensitive: not enumerated
        ("[\u3400-\u9fff]", None),  # too wide to enumerate
    ],
)
def test_first_chars_of_known_patterns(pattern, first):
    got = first_chars(pattern)
    assert (got is None) if first is None else (got == frozenset(first))


@pytest.mark.parametrize(
    "pattern, literals",
    [
        ("客服专员", {"客服专员"}),
        (r"\b(head|chief) of\b", {"head", "chief"}),  # the longer-shortest set wins over " of"
        (r"(?:ab|cd)+e", {"ab", "cd"}),  # a repeat holds its sub-pattern at least once
        (r"senior\s+agent", {"senior"}),
        ("x?", None),
        (r"\w+", None),
        ("(?i)abc", None),
    ],
)
def test_required_literals_of_known_patterns(pattern, literals):
    got = required_literals(pattern)
    assert (got is None) if literals is None else (got == frozenset(literals))


def test_substring_hits_escape_the_regex_syntax():
    hits = substring_hits(["a.b", "axb", "(j1)", "客服|x"])
    assert hits(frozenset({"a.b"})).tolist() == [True, False, False, False]
    assert hits(frozenset({"(j", "|x"})).tolist() == [False, False, True, True]


def _lexicon_patterns() -> list[str]:
    raw = load_yaml("titles.yaml")
    pats = [c["pattern"] for c in raw["cs_cues"]] + [v["pattern"] for v in raw["vetoes"]]
    pats += [c["pattern"] for c in raw["levels"]] + list(raw["noise"]) + list(raw.get("negations", []))
    pats += ["|".join(f"(?:{p})" for p in f["patterns"]) for f in raw["functions"]]
    return pats + [raw["deputy"]]


def _titles() -> list[str]:
    root = project_root()
    out = []
    for f in [*labelled_title_files(root), root / "tests/data/titles_labelled.csv"]:
        df = pd.read_csv(f)
        if "holdout" in df:  # held-out sources stay unseen, even by a property test
            df = df[df["holdout"].isna()]
        out += df["title"].dropna().astype(str).tolist()
    return sorted({basic_normalise(t) for t in out})


def test_a_screened_out_pattern_never_matches_a_labelled_title():
    # the property the rules rely on: skipping a pattern the screen rules out changes nothing
    pats = [re.compile(p) for p in _lexicon_patterns()]
    screen = Screen(pats)
    titles = _titles()
    assert len(titles) > 500
    skipped = 0
    for t in titles:
        kept = {id(p) for p in screen.select(set(t))}
        for p in pats:
            if id(p) not in kept:
                skipped += 1
                assert p.search(t) is None, (p.pattern, t)
    assert skipped > len(titles) * len(pats) // 2  # and the screen does skip most of them
    # the literal screen over all titles at once
    mat = screen.matrix(substring_hits(titles), len(titles))
    for i, t in enumerate(titles):
        for p, keep in zip(pats, mat[i]):
            if not keep:
                assert p.search(t) is None, (p.pattern, t)
    assert mat.mean() < 0.2


def test_select_keeps_the_items_order():
    items = [("b", "bx"), ("a", "a"), ("any", r"\w")]
    screen = Screen(items, pattern=lambda item: item[1])
    assert [i[0] for i in screen.select(set("ab x"))] == ["b", "a", "any"]
    assert [i[0] for i in screen.select(set("zz"))] == ["any"]


def test_substring_hits_of_listed_sets_equal_one_pass_per_set():
    """With the literal sets given up front (one RE2 set search per text), every set's hits are
    those of its own Arrow pass: on labelled titles, the escape cases, and a set not listed."""
    pats = [re.compile(p) for p in _lexicon_patterns()]
    sets = [lits for lits in Screen(pats).literals if lits is not None]
    sets += [frozenset({"a.b"}), frozenset({"(j", "|x"})]
    titles = _titles() + ["a.b", "axb", "(j1)", "客服|x", ""]
    listed, alone = substring_hits(titles, sets), substring_hits(titles)
    assert len(sets) > 50
    for lits in sets + [frozenset({"zz"})]:
        assert listed(lits).tolist() == alone(lits).tolist(), sorted(lits)
    assert substring_hits([], sets)(sets[0]).tolist() == []

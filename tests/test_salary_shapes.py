"""The first pass of parse_salaries (csresearch.clean.salary_shapes) gives the full grammar's answers.

Every text the pass settles is compared field by field with the full grammar
(``salary._parse_text``) on the hand-labelled strings, on strings built from
the lexicon's own words, and on digit variants of both (same shape, other
digits: the case the pass exists for, and where dates or phone numbers hide).
"""

from __future__ import annotations

import math
import re
from dataclasses import astuple

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_salary_properties import pay_like

from csresearch.clean import salary, salary_shapes

LABELLED = pd.read_csv(
    __import__("pathlib").Path(__file__).parent / "data" / "salary_labelled.csv", dtype=str, keep_default_na=False
)["text"].tolist()


def _same(a, b) -> bool:
    return all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
               for x, y in zip(astuple(a), astuple(b)))


def _check(texts: list[str]) -> int:
    """Assert the settled texts read as the full grammar reads them; return how many were settled."""
    settled = salary_shapes.settle(texts)
    n = 0
    for text, res in zip(texts, settled):
        if res is not None:
            n += 1
            full = salary._parse_text(text)
            assert _same(res, full), (text, res, full)
    return n


def _literals(patterns) -> list[str]:
    """Lexicon entries that are plain words once their escapes are removed ("руб\\.?" -> "руб.")."""
    out = []
    for p in patterns:
        lit = re.sub(r"\\s\?", " ", p)
        lit = re.sub(r"\\(.)", r"\1", lit).replace("?", "")
        if re.fullmatch(p, lit) and not re.search(r"[\[\](){}*+|^$]", lit):
            out.append(lit)
    return sorted(set(out))


def _lexicon_words() -> list[str]:
    lex = salary._lexicon()
    words = []
    for key in ("negotiable", "base_words", "extras_words", "ote_words", "approx_words", "lower_before",
                "lower_after", "upper_before", "upper_after", "range_filler", "range_words", "pay_words",
                "ignore_triggers", "placeholders"):
        words += _literals(lex[key])
    for group in ("units", "currencies", "periods", "basis"):
        for pats in lex[group].values():
            words += _literals(pats)
    words += _literals(lex["ambiguous"]) + [c.lower() for c in lex["other_iso_codes"]]
    return sorted(set(words))


WORDS = _lexicon_words()
number = st.one_of(
    st.integers(0, 10**12).map(str),
    st.integers(1, 999).flatmap(lambda a: st.sampled_from([" ", ",", ".", "\u00a0"]).flatmap(
        lambda sep: st.integers(0, 999).map(lambda b: f"{a}{sep}{b:03d}"))),
    st.decimals(0, 100_000, places=2, allow_nan=False).map(str),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
)
token = st.one_of(number, st.sampled_from(WORDS), st.sampled_from([" ", "", "-", "/", ".", ",", "+", "·", "~"]))
lexicon_text = st.lists(token, min_size=1, max_size=8).map("".join)


def _redigit(text: str, digits: list[int]) -> str:
    """The text with its digits replaced in turn by ``digits`` (same shape, other numbers)."""
    it = iter(digits)
    return re.sub(r"[0-9]", lambda m: str(next(it, 0)), text)


def test_settles_most_labelled_strings_exactly():
    n = _check(LABELLED)
    assert n >= 0.8 * len(LABELLED)


def test_same_shape_other_digits_is_read_from_the_digits():
    # "10-15" is a date to the full grammar, "20-35" a range; "13912345678" a phone.
    texts = ["10-15", "20-35", "13912345678", "23912345678元", "12-20万", "2020-03-15", "3000-35000",
             "15-25k·14薪", "25-35k·16薪", "1.500k", "1,500k", "1 500k", "£20,000 + 13th month salary"]
    assert _check(texts) >= 4
    out = salary.parse_salaries(["10-15", "20-35", "13912345678", "23912345678元"], country="CN")
    assert out["status"].tolist() == ["unparsed", "ok", "unparsed", "ok"]


@settings(deadline=None, max_examples=40)
@given(st.lists(st.one_of(lexicon_text, pay_like()), min_size=20, max_size=60))
def test_settled_texts_equal_the_full_grammar_on_lexicon_strings(texts):
    _check(texts)


@settings(deadline=None, max_examples=40)
@given(st.lists(st.sampled_from(LABELLED), min_size=5, max_size=20),
       st.lists(st.integers(0, 9), min_size=40, max_size=40))
def test_settled_texts_equal_the_full_grammar_on_digit_variants(texts, digits):
    variants = [_redigit(t, digits[i:] + digits[:i]) for i, t in enumerate(texts)]
    _check(texts + variants)


@pytest.mark.parametrize("kind", ["not_pay", "bonus_months", "ignore_spans"])
def test_the_re2_screen_is_a_superset(kind):
    lex = salary._lexicon()
    patterns = [p for v in lex["not_pay"].values() for p in v] if kind == "not_pay" else lex[kind]
    probes = [salary._normalise(t) for t in LABELLED] + ["+7 999 123-45-67", "13912345678", "2020-03-15",
                                                         "03-12", "5 years experience", "15-25k·14薪"]
    import pyarrow as pa
    import pyarrow.compute as pc

    for p in patterns:
        q = salary_shapes._re2_superset(p)
        if q is None:  # left to Python's re: exact by construction
            continue
        python = [re.search(p, t) is not None for t in probes]
        re2 = pc.match_substring_regex(pa.array(probes), q).to_pylist()
        assert all(r for py, r in zip(python, re2) if py), p


@pytest.mark.parametrize(("pattern", "blind"), [
    (r"\d{1,3}(?:[ .,]\d{3})+", True), (r"earn\w*\s+on", True), (r"[^a-z]+", True), (r"p\.a\.?", True),
    (r"1[3-9]\d{9}", False), (r"[0-5]", False), (r"(\d)\1", False), (r"x0", False), (r"[^0]", False),
])
def test_digit_blindness_check(pattern, blind):
    from re import _parser

    assert salary_shapes._digit_blind(_parser.parse(pattern)) is blind


def test_the_current_lexicon_keeps_the_pass_on():
    assert salary_shapes._words_digit_blind()

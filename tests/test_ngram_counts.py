"""The role model's character n-gram counts equal scikit-learn's transform, entry for entry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from csresearch.clean._ngram_counts import ngram_counts
from csresearch.clean.roles import normalise_title
from csresearch.clean.roles_model import load_role_model
from csresearch.io import project_root

EDGE = ["", " ", "a", "ab", "a  b\tc", "客服专员 (j0123)", "客服专员 (j0456)", "ΣΑΣ όσος", "İstanbul", "x" * 400,
        "Ärger ÄRGER", "ﬁ ligature"]


def _same(a, b) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype and a.has_sorted_indices and b.has_sorted_indices
            and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))


def _titles() -> list[str]:
    df = pd.read_csv(project_root() / "tests/data/titles_labelled.csv")
    raw = df["title"].dropna().astype(str).tolist()
    return raw + [normalise_title(t) for t in raw] + EDGE


def test_the_shipped_models_char_counts_equal_transform():
    char, _ = load_role_model()._vectorizers()
    texts = _titles()
    assert _same(ngram_counts(char, texts), char.transform(texts))
    assert _same(ngram_counts(char, []), char.transform([]))


@pytest.mark.parametrize("ngram_range", [(1, 1), (2, 3), (1, 5)])
def test_fitted_vectorizers_of_other_ranges_agree(ngram_range):
    texts = _titles()
    vec = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range).fit(texts[::3])
    assert _same(ngram_counts(vec, texts), vec.transform(texts))


def test_other_settings_are_left_to_scikit_learn():
    texts = _titles()
    word = CountVectorizer(analyzer="word", ngram_range=(1, 2)).fit(texts)
    upper = CountVectorizer(analyzer="char_wb", lowercase=False).fit(texts)
    for vec in (word, upper):
        assert _same(ngram_counts(vec, texts), vec.transform(texts))
    assert ngram_counts(word, []).shape == (0, len(word.vocabulary_))


@settings(deadline=None, max_examples=100)
@given(st.lists(st.text(alphabet=st.sampled_from(list("客服专员主管 (j0123)abcdeйцук\t\xa0ΣσςİÄﬁ😀")), max_size=30),
                max_size=8))
def test_counts_equal_transform_on_random_texts(texts):
    """The vectorised word n-grams (keys looked up in the vocabulary) against scikit-learn, on
    words in and out of the vocabulary, characters it never saw, repeats and empty texts."""
    char, _ = load_role_model()._vectorizers()
    assert _same(ngram_counts(char, texts), char.transform(texts))

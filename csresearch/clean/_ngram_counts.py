"""Character n-gram counts of many titles, each word's computed once: ``CountVectorizer.transform``'s matrix.

The role model (:mod:`csresearch.clean.roles_model`) reads every distinct title's character
n-grams within words (``analyzer="char_wb"``). scikit-learn's ``transform`` builds them in
Python for every title; titles share most of their words ("客服专员 (j0123)", "客服专员 (j0456)"),
and a character n-gram never crosses a space, so here each distinct word's features are looked
up once and a title's counts are the sum over its words. The result is the same sparse matrix
(same integer counts, indices sorted) as ``vectorizer.transform(texts)``; vectorizers with
other settings (word n-grams, which span words) are handed to ``transform`` itself.

Examples
--------
>>> from sklearn.feature_extraction.text import CountVectorizer
>>> vec = CountVectorizer(analyzer="char_wb", ngram_range=(1, 2)).fit(["ab a", "b"])
>>> texts = ["ab", "a ab", "zz"]
>>> (ngram_counts(vec, texts) != vec.transform(texts)).nnz
0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["ngram_counts"]


def _plain(vec: Any) -> bool:
    """Settings under which the fast path equals scikit-learn's analyzer."""
    return (vec.lowercase and vec.preprocessor is None and vec.tokenizer is None and vec.strip_accents is None
            and vec.stop_words is None and not vec.binary and vec.input == "content"
            and vec.analyzer == "char_wb" and getattr(vec, "vocabulary_", None) is not None)


def _word_char_ids(word: str, ngram_range: tuple[int, int], vocab: dict[str, int]) -> np.ndarray:
    """In-vocabulary ids of the padded word's n-grams, as ``CountVectorizer._char_wb_ngrams``.

    A padded word shorter than n gives itself once and no longer n-grams.
    """
    w = " " + word + " "
    size = len(w)
    get = vocab.get
    out: list[int | None] = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        if n >= size:
            out.append(get(w))
            break
        out.extend(map(get, [w[i:i + n] for i in range(size - n + 1)]))
    return np.array([i for i in out if i is not None], dtype=np.int64)


def _char_wb_ids(vec: Any, texts: Sequence[str]) -> tuple[list[np.ndarray], list[int]]:
    vocab = vec.vocabulary_
    cache: dict[str, np.ndarray] = {}
    ids: list[np.ndarray] = []
    lengths: list[int] = []
    for text in texts:
        n = 0
        for w in text.lower().split():  # char_wb n-grams are per whitespace-separated word
            got = cache.get(w)
            if got is None:
                got = cache[w] = _word_char_ids(w, vec.ngram_range, vocab)
            ids.append(got)
            n += len(got)
        lengths.append(n)
    return ids, lengths


def ngram_counts(vec: Any, texts: Sequence[str]) -> sp.csr_matrix:
    """``vec.transform(texts)`` for a fitted ``CountVectorizer``, words' n-grams looked up once each."""
    if not hasattr(vec, "vocabulary_") and vec.vocabulary is not None:
        vec._validate_vocabulary()  # as transform does for a vocabulary given, not fitted
    if not _plain(vec) or any(not isinstance(t, str) for t in texts):
        return vec.transform(texts)
    ids, lengths = _char_wb_ids(vec, texts)
    n_features = len(vec.vocabulary_)
    cols = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    keys, counts = np.unique(rows * n_features + cols, return_counts=True)  # sorted: row, then column
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n_features, minlength=len(texts)), out=indptr[1:])
    index_dtype = np.int32 if len(keys) <= np.iinfo(np.int32).max else np.int64
    X = sp.csr_matrix((counts.astype(vec.dtype), (keys % n_features).astype(index_dtype), indptr.astype(index_dtype)),
                      shape=(len(texts), n_features))
    X.sort_indices()
    return X

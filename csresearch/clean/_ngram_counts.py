"""Character n-gram counts of many titles, each word's computed once: ``CountVectorizer.transform``'s matrix.

The role model (:mod:`csresearch.clean.roles_model`) reads every distinct title's character
n-grams within words (``analyzer="char_wb"``). scikit-learn's ``transform`` builds them in
Python for every title; titles share most of their words ("客服专员 (j0123)", "客服专员 (j0456)"),
and a character n-gram never crosses a space, so here each distinct word's features are looked
up once and a title's counts are the sum over its words. The result is the same sparse matrix
(same integer counts, indices sorted) as ``vectorizer.transform(texts)``; vectorizers with
other settings (word n-grams, which span words) are handed to ``transform`` itself. For n-grams
from 1 up, the distinct words' n-grams are found all at once in NumPy (each n-gram an integer
key, looked up in the sorted keys of the vocabulary), not word by word in Python.

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


_KEYS: dict[int, tuple[Any, Any]] = {}


def _vocab_keys(vec: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
    """The vocabulary as integers: (alphabet, sorted n-gram keys, their columns, base), or None.

    A character is its rank in the vocabulary's alphabet plus one, an n-gram the base-``B``
    number of its characters (``B`` = alphabet size + 1): n-grams of different lengths or
    characters get different keys. None when a key of ``ngram_range[1]`` characters would not
    fit in 63 bits.
    """
    hit = _KEYS.get(id(vec))
    if hit is not None and hit[0] is vec:
        return hit[1]
    vocab = vec.vocabulary_
    hi = vec.ngram_range[1]
    alphabet = np.array(sorted({c for t in vocab for c in t}), dtype=object)
    base = len(alphabet) + 1
    out = None
    if base ** hi < 2**63:
        codes = np.array([ord(c) for c in alphabet], dtype=np.int64)
        rank = {c: i + 1 for i, c in enumerate(alphabet)}
        grams = [t for t in vocab if 0 < len(t) <= hi]
        keys = np.array([_key(t, rank, base) for t in grams], dtype=np.int64)
        cols = np.array([vocab[t] for t in grams], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        out = (codes, keys[order], cols[order], base)
    _KEYS[id(vec)] = (vec, out)
    return out


def _key(gram: str, rank: dict[str, int], base: int) -> int:
    k = 0
    for c in gram:
        k = k * base + rank[c]
    return k


def _word_ids_vectorised(words: list[str], vec: Any, table: tuple) -> tuple[np.ndarray, np.ndarray]:
    """In-vocabulary n-gram columns of distinct words, all at once: (columns, count per word).

    As :func:`_word_char_ids` for ``ngram_range[0] == 1``: every n-gram of the padded word for
    n up to ``min(ngram_range[1], padded length)`` (the whole padded word once when it is no
    longer than the largest n).
    """
    codes, keys, cols, base = table
    padded = [" " + w + " " for w in words]
    sizes = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    text = "".join(padded)
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    rank = np.searchsorted(codes, points)
    rank_c = np.minimum(rank, len(codes) - 1)
    known = (rank < len(codes)) & (codes[rank_c] == points)
    char_id = np.where(known, rank_c + 1, 0)
    word_of = np.repeat(np.arange(len(words), dtype=np.int64), sizes)
    ends = np.cumsum(sizes)[word_of]  # one past the last character of each position's word
    pos = np.arange(len(points), dtype=np.int64)
    key = np.zeros(len(points), dtype=np.int64)
    ok = np.ones(len(points), dtype=bool)
    found_word, found_col = [], []
    for n in range(1, vec.ngram_range[1] + 1):
        inside = pos + n <= ends
        nxt = np.where(inside, char_id[np.minimum(pos + n - 1, len(points) - 1)], 0)
        key = key * base + nxt
        ok &= nxt > 0
        valid = np.flatnonzero(inside & ok)
        at = np.searchsorted(keys, key[valid])
        at_c = np.minimum(at, len(keys) - 1)
        hit = (at < len(keys)) & (keys[at_c] == key[valid])
        found_word.append(word_of[valid[hit]])
        found_col.append(cols[at_c[hit]])
    w = np.concatenate(found_word)
    c = np.concatenate(found_col)
    order = np.argsort(w, kind="stable")
    return c[order], np.bincount(w, minlength=len(words))


def _char_wb_counts(vec: Any, texts: Sequence[str], table: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every in-vocabulary n-gram of ``texts``, each distinct word's n-grams found once."""
    index: dict[str, int] = {}
    occurrences: list[int] = []
    per_text: list[int] = []
    for text in texts:
        words = text.lower().split()  # char_wb n-grams are per whitespace-separated word
        occurrences.extend(index.setdefault(w, len(index)) for w in words)
        per_text.append(len(words))
    if not index:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    word_cols, word_len = _word_ids_vectorised(list(index), vec, table)
    starts = np.concatenate([[0], np.cumsum(word_len)[:-1]])
    occ = np.asarray(occurrences, dtype=np.int64)
    occ_len = word_len[occ]
    total = int(occ_len.sum())
    # for each occurrence, its word's columns: start of the word's run plus 0..len-1
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(occ_len) - occ_len, occ_len)
    cols = word_cols[np.repeat(starts[occ], occ_len) + offsets]
    occ_text = np.repeat(np.arange(len(texts), dtype=np.int64), np.asarray(per_text, dtype=np.int64))
    rows = np.repeat(occ_text, occ_len)
    return rows, cols


def ngram_counts(vec: Any, texts: Sequence[str]) -> sp.csr_matrix:
    """``vec.transform(texts)`` for a fitted ``CountVectorizer``, words' n-grams looked up once each."""
    if not hasattr(vec, "vocabulary_") and vec.vocabulary is not None:
        vec._validate_vocabulary()  # as transform does for a vocabulary given, not fitted
    if not _plain(vec) or any(not isinstance(t, str) for t in texts):
        return vec.transform(texts)
    table = _vocab_keys(vec) if vec.ngram_range[0] == 1 else None
    if table is not None and len(table[1]):
        rows, cols = _char_wb_counts(vec, texts, table)
    else:
        ids, lengths = _char_wb_ids(vec, texts)
        cols = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    n_features = len(vec.vocabulary_)
    keys, counts = np.unique(rows * n_features + cols, return_counts=True)  # sorted: row, then column
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n_features, minlength=len(texts)), out=indptr[1:])
    index_dtype = np.int32 if len(keys) <= np.iinfo(np.int32).max else np.int64
    X = sp.csr_matrix((counts.astype(vec.dtype), (keys % n_features).astype(index_dtype), indptr.astype(index_dtype)),
                      shape=(len(texts), n_features))
    X.sort_indices()
    return X

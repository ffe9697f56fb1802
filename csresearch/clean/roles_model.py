"""The learned half of the role classifier: n-gram TF-IDF into calibrated linear models.

Models are learned from the labelled titles (``data/labelled/role_titles*.csv`` and
``tests/data/titles_labelled.csv``): one for "customer service or not", one for the rung (1-6)
of customer-service titles. Their features are the title's character n-grams (1-4, within
words) and word n-grams (1-2), TF-IDF weighted, plus what the rules of
:mod:`csresearch.clean.roles` said (CS cue, veto, rung cue) and the title's language, so the model
learns where the lexicon is right and corrects it where the wording is new. In practice the rules'
verdict outweighs the n-grams there, so a third model reads the n-grams alone (``ngram_cs``): it
is the second opinion that :func:`csresearch.clean.role_classifier.classify_roles` weighs against
the rules' verdict with the first-contact stack (:mod:`csresearch.clean.role_stack`, ``stack_coef``).

Each model is a scikit-learn ``LogisticRegression`` calibrated with
``CalibratedClassifierCV(method="sigmoid", ensemble=False)``. The shipped file
``csresearch/reference/models/roles_v1.npz`` holds only arrays (vocabularies, idf weights,
coefficients, intercepts, sigmoid parameters), not a pickle, so it loads with any NumPy and
scikit-learn version; :func:`fit_role_model` rebuilds it (``scripts/train_role_model.py``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit

from ..errors import ReferenceDataError
from ._ngram_counts import ngram_counts

__all__ = ["RoleModel", "fit_role_model", "load_role_model", "load_labelled_titles", "MODEL_FILE", "RULE_FEATURES",
           "SCORED_HOLDOUTS"]

MODEL_FILE = "models/roles_v1.npz"
_LANGS = ("zh", "ru", "en", "de", "fr")
#: Names of the dense features taken from the rules' verdict.
RULE_FEATURES = (
    "rule_cs", "rule_veto", "rule_no_cue", "rule_abstain", "rule_level_default",
    *(f"rule_level_{k}" for k in range(1, 7)), "rule_expert", *(f"lang_{x}" for x in _LANGS),
)
# The rules' verdict enters at this scale, so that the L2 penalty lets it weigh as much as the
# many n-grams together (chosen by leave-one-source-out, benchmarks/eval_roles.py).
_RULE_SCALE = 3.0
# Calibrate on source-grouped folds (see _fit_calibrated); False = stratified random folds.
_GROUP_CALIBRATION = True
_CHAR = {"analyzer": "char_wb", "ngram_range": (1, 4)}
_WORD = {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"}


@dataclass(frozen=True)
class _Calibrated:
    """A linear model and its per-class sigmoid calibration, as plain arrays."""

    coef: np.ndarray  # (k, n_features); k = 1 for a binary model
    intercept: np.ndarray  # (k,)
    a: np.ndarray  # (k,)
    b: np.ndarray  # (k,)
    classes: np.ndarray  # (n_classes,)

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        d = np.asarray(X @ self.coef.T) + self.intercept
        p = expit(-(self.a * d + self.b))
        if len(self.classes) == 2:
            return np.column_stack([1 - p[:, 0], p[:, 0]])
        total = p.sum(axis=1, keepdims=True)
        return np.divide(p, total, out=np.full_like(p, 1 / len(self.classes)), where=total > 0)


@dataclass(frozen=True, eq=False)
class RoleModel:
    """Fitted vocabularies and calibrated models (see module docstring)."""

    char_vocab: np.ndarray
    char_idf: np.ndarray
    word_vocab: np.ndarray
    word_idf: np.ndarray
    cs: _Calibrated
    level: _Calibrated
    meta: dict[str, Any]
    #: P(CS) from the n-grams alone, without the rules' verdict: the second opinion that the stack
    #: weighs against the rules (``role_classifier._stack``); None in a model file written before it existed
    ngram_cs: _Calibrated | None = None
    #: the six coefficients of :mod:`csresearch.clean.role_stack` (how far the n-grams overrule the
    #: rules, learned from the rules' first contacts); None: the rules' and the combined verdict stand
    stack_coef: np.ndarray | None = None

    @cache
    def _vectorizers(self) -> tuple[Any, Any]:
        from sklearn.feature_extraction.text import CountVectorizer

        char = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.char_vocab.tolist())}, **_CHAR)
        word = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.word_vocab.tolist())}, **_WORD)
        return char, word

    def features(self, texts: list[str], rules: np.ndarray) -> sp.csr_matrix:
        """Feature matrix of normalised titles ``texts`` and their rule features ``rules``."""
        char, word = self._vectorizers()
        blocks = [_tfidf(ngram_counts(char, texts), self.char_idf), _tfidf(word.transform(texts), self.word_idf),
                  sp.csr_matrix(rules.astype(np.float64) * _RULE_SCALE)]
        return sp.hstack(blocks, format="csr")

    def predict(self, texts: list[str], rules: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(customer service) and P(level = 1..6) for each text (levels in columns 0-5)."""
        return self.predict_all(texts, rules)[:2]

    def predict_all(self, texts: list[str], rules: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`predict` and P(customer service) from the n-grams alone (NaN without that model)."""
        if len(texts) == 0:
            return np.zeros(0), np.zeros((0, 6)), np.zeros(0)
        X = self.features(texts, rules)
        p_cs = self.cs.predict_proba(X)[:, 1]
        p_lv = np.zeros((len(texts), 6))
        p_lv[:, self.level.classes.astype(int) - 1] = self.level.predict_proba(X)
        p_ngram = np.full(len(texts), np.nan) if self.ngram_cs is None else self._ngram_p(X)
        return p_cs, p_lv, p_ngram

    def ngram_probability(self, texts: list[str], rules: np.ndarray) -> np.ndarray:
        """P(customer service) from the n-grams alone (the rules' block of the features unread)."""
        if self.ngram_cs is None:
            raise ValueError("this role model has no n-gram-only model")
        if len(texts) == 0:
            return np.zeros(0)
        return self._ngram_p(self.features(texts, rules))

    def _ngram_p(self, X: sp.csr_matrix) -> np.ndarray:
        return self.ngram_cs.predict_proba(_ngrams_only(X))[:, 1]

    def save(self, path: str | Path) -> None:
        arrays = {
            "char_vocab": self.char_vocab, "char_idf": self.char_idf,
            "word_vocab": self.word_vocab, "word_idf": self.word_idf,
            "meta": np.array(json.dumps(self.meta, sort_keys=True, ensure_ascii=False)),
        }
        for name, m in (("cs", self.cs), ("level", self.level), ("ngram_cs", self.ngram_cs)):
            if m is None:
                continue
            for field in ("coef", "intercept", "a", "b", "classes"):
                arrays[f"{name}_{field}"] = getattr(m, field)
        if self.stack_coef is not None:
            arrays["stack_coef"] = np.asarray(self.stack_coef, dtype=np.float64)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def _ngrams_only(X: sp.csr_matrix) -> sp.csr_matrix:
    """The n-gram columns of :meth:`RoleModel.features` (the rules' block is last)."""
    return X[:, :-len(RULE_FEATURES)]


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    from sklearn.preprocessing import normalize

    X = counts.astype(np.float64).tocsr()
    np.log(X.data, out=X.data)
    X.data += 1.0  # sublinear tf, as TfidfVectorizer(sublinear_tf=True)
    X = X @ sp.diags(idf)
    return normalize(X, norm="l2", copy=False)


def load_role_model(path: str | Path | None = None) -> RoleModel:
    """Load the shipped model (or one written by :meth:`RoleModel.save`)."""
    if path is None:
        return _shipped()
    return _load(Path(path))


@cache
def _shipped() -> RoleModel:
    ref = resources.files("csresearch.reference").joinpath(MODEL_FILE)
    with resources.as_file(ref) as p:
        if not p.exists():
            raise ReferenceDataError(
                f"csresearch/reference/{MODEL_FILE} is missing; rebuild it with scripts/train_role_model.py"
            )
        return _load(p)


def _load(path: Path) -> RoleModel:
    try:
        z = np.load(path, allow_pickle=False)
        names = ("cs", "level", "ngram_cs") if "ngram_cs_coef" in z.files else ("cs", "level")
        parts = {name: _Calibrated(*(z[f"{name}_{f}"] for f in ("coef", "intercept", "a", "b", "classes")))
                 for name in names}
        return RoleModel(z["char_vocab"], z["char_idf"], z["word_vocab"], z["word_idf"], parts["cs"],
                         parts["level"], json.loads(str(z["meta"])), parts.get("ngram_cs"),
                         z["stack_coef"] if "stack_coef" in z.files else None)
    except (KeyError, ValueError, OSError) as exc:
        raise ReferenceDataError(f"role model {path} is unreadable or incomplete: {exc}") from exc


def _fit_calibrated(X: sp.csr_matrix, y: np.ndarray, C: float, class_weight: str | None,
                    groups: np.ndarray | None = None) -> _Calibrated:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    n_min = int(pd.Series(y).value_counts().min())
    folds = max(2, min(5, n_min))
    cv: Any = StratifiedKFold(folds, shuffle=True, random_state=0)
    if groups is not None and len(np.unique(groups)) >= 4:
        # calibrate on predictions for whole sources left out: every user's file is a new
        # source, and within-source folds made the probabilities overconfident there
        splits = list(GroupKFold(min(5, len(np.unique(groups)))).split(X, y, groups))
        if all(len(np.unique(y[train])) == len(np.unique(y)) for train, _ in splits):
            cv = splits
    clf = CalibratedClassifierCV(
        LogisticRegression(C=C, max_iter=2000, class_weight=class_weight),
        method="sigmoid", ensemble=False, cv=cv,
    ).fit(X, y)
    cal = clf.calibrated_classifiers_[0]
    lr = cal.estimator
    return _Calibrated(
        coef=np.asarray(lr.coef_, dtype=np.float64), intercept=np.asarray(lr.intercept_, dtype=np.float64),
        a=np.array([c.a_ for c in cal.calibrators], dtype=np.float64),
        b=np.array([c.b_ for c in cal.calibrators], dtype=np.float64),
        classes=np.asarray(clf.classes_),
    )


def fit_role_model(labelled: pd.DataFrame, *, C: float = 4.0, min_df: int = 2,
                   class_weight: str | None = None, stack_coef: np.ndarray | None = None) -> RoleModel:
    """Fit the role model on labelled titles.

    Parameters
    ----------
    labelled : DataFrame
        Columns ``title``, ``is_customer_service`` (bool) and ``level`` (1-6 for CS titles;
        rows whose level is missing train only the CS model); optional ``source``.
    C : float
        Inverse L2 penalty of both logistic regressions.
    min_df : int
        An n-gram enters the vocabulary when it occurs in at least this many titles.
    stack_coef : ndarray, optional
        The coefficients of :func:`csresearch.clean.role_stack.fit_first_contact_stack`, carried
        as they are (they are learned from the first-contact record, not from ``labelled``).

    Returns
    -------
    RoleModel
        Deterministic: the same rows give the same arrays.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"title": ["客服专员", "客服主管", "电话销售", "Sales Executive"] * 6,
    ...                    "is_customer_service": [True, True, False, False] * 6,
    ...                    "level": [1, 4, None, None] * 6})
    >>> m = fit_role_model(df)  # doctest: +SKIP
    """
    from threadpoolctl import threadpool_limits

    # one BLAS thread: on a busy 2-core machine threaded OpenBLAS made L-BFGS 20x slower
    with threadpool_limits(1):
        model = _fit(labelled.reset_index(drop=True), C, min_df, class_weight)
    if stack_coef is None:
        return model
    return dataclasses.replace(model, stack_coef=np.asarray(stack_coef, dtype=np.float64))


_PLACEHOLDER = _Calibrated(np.zeros((1, 1)), np.zeros(1), np.zeros(1), np.zeros(1), np.array([0, 1]))


def _vocabulary(df: pd.DataFrame, min_df: int) -> tuple[RoleModel, sp.csr_matrix, np.ndarray, np.ndarray | None,
                                                         np.ndarray]:
    """A model with the n-gram vocabulary of ``df`` and no classifier yet; its features, CS truth, groups."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .roles import rule_features

    texts, rules = rule_features(df["title"])
    vocab = {}
    for name, params in (("char", _CHAR), ("word", _WORD)):
        v = TfidfVectorizer(min_df=min_df, sublinear_tf=True, **params).fit(texts)
        order = np.argsort(list(v.vocabulary_.values()))
        vocab[name] = (np.array(list(v.vocabulary_.keys()))[order], v.idf_.astype(np.float64))
    model = RoleModel(vocab["char"][0], vocab["char"][1], vocab["word"][0], vocab["word"][1],
                      _PLACEHOLDER, _PLACEHOLDER, {})
    X = model.features(texts, rules)
    y_cs = df["is_customer_service"].astype(bool).to_numpy()
    groups = df["source"].astype(str).to_numpy() if "source" in df and _GROUP_CALIBRATION else None
    return model, X, y_cs, groups, rules


def _fit_ngram_only(df: pd.DataFrame, C: float = 4.0, min_df: int = 2) -> RoleModel:
    """A model whose only fitted part is ``ngram_cs`` (for the first-contact record of role_stack)."""
    model, X, y_cs, groups, _ = _vocabulary(df, min_df)
    ngram_cs = _fit_calibrated(_ngrams_only(X), y_cs.astype(int), C, None, groups)
    return dataclasses.replace(model, ngram_cs=ngram_cs)


def _fit(df: pd.DataFrame, C: float, min_df: int, class_weight: str | None) -> RoleModel:
    model, X, y_cs, groups, rules = _vocabulary(df, min_df)
    cs = _fit_calibrated(X, y_cs.astype(int), C, class_weight, groups)
    ngram_cs = _fit_calibrated(_ngrams_only(X), y_cs.astype(int), C, class_weight, groups)
    lv = pd.to_numeric(df["level"], errors="coerce")
    has_level = y_cs & lv.notna().to_numpy()
    counts = lv[has_level].value_counts()
    has_level &= lv.isin(counts[counts >= 2].index).to_numpy()  # calibration needs 2 per rung
    level = _fit_calibrated(X[has_level], lv[has_level].astype(int).to_numpy(), C, class_weight,
                            None if groups is None else groups[has_level])
    # The rung a rule cue names is kept (rules state the ladder; a model trained on few
    # high-rung titles drifts to the common rungs); its probability is how often such cue
    # rungs were right on the training titles, by rung.
    rule_level = np.where(rules[:, RULE_FEATURES.index("rule_cs")] > 0,
                          (rules[:, [RULE_FEATURES.index(f"rule_level_{k}") for k in range(1, 7)]]
                           * np.arange(1, 7)).sum(axis=1), 0)
    cue = (rule_level > 0) & (rules[:, RULE_FEATURES.index("rule_level_default")] == 0) & y_cs & lv.notna().to_numpy()
    right = rule_level[cue] == lv[cue].astype(int).to_numpy()
    cue_acc = [float((right[rule_level[cue] == k].sum() + 1) / ((rule_level[cue] == k).sum() + 2)) for k in range(1, 7)]
    meta = {
        "rule_cue_level_accuracy": cue_acc,
        "rows": int(len(df)), "cs_rows": int(y_cs.sum()), "level_rows": int(has_level.sum()),
        "sources": sorted(df["source"].astype(str).unique().tolist()) if "source" in df else [],
        "C": C, "min_df": min_df, "class_weight": class_weight, "rule_scale": _RULE_SCALE,
        "calibration_folds": "by source" if groups is not None else "stratified",
        "features": {"char": _CHAR["ngram_range"], "word": _WORD["ngram_range"], "rules": list(RULE_FEATURES)},
    }
    return RoleModel(model.char_vocab, model.char_idf, model.word_vocab, model.word_idf, cs, level, meta, ngram_cs)


#: Held-out sets the shipped model trains on: those whose first contact is recorded
#: (benchmarks/eval_roles_*_first_contact.txt). The n-gram model needs sources more than anything,
#: so every scored set joins it; a set's own later figures (eval_roles.py --holdout NAME) train
#: without it. A set not listed here (the next one being labelled) is never read for training.
SCORED_HOLDOUTS = ("final", "final2", "final3a", "final3b", "final4", "final5", "final6", "final7", "final8",
                   "final9", "final10", "final11", "final12", "final13")


def labelled_title_files(root: str | Path) -> list[Path]:
    """The files of the labelled title corpus under ``root``, in corpus order.

    ``data/labelled/role_titles.csv`` first, then the later sets kept in files of their own
    (``role_titles_final6.csv``, ``role_titles_final7.csv`` …, so that no file of the corpus grows
    past the repository's 2 MB limit); their rows follow in name order, as if appended to the first.
    """
    folder = Path(root) / "data" / "labelled"
    return sorted(folder.glob("role_titles*.csv"), key=lambda p: (p.name != "role_titles.csv", p.name))


def load_labelled_titles(root: str | Path, *, holdouts: tuple[str, ...] | str = ()) -> pd.DataFrame:
    """The labelled titles, one frame with ``source`` and ``holdout`` columns.

    Reads the corpus files of :func:`labelled_title_files` (when present) and
    ``tests/data/titles_labelled.csv`` under ``root`` (the repository). Rows with a non-empty ``holdout`` are held back unless their
    value is named in ``holdouts`` (``"all"`` keeps every row); the shipped model is trained with
    ``holdouts=SCORED_HOLDOUTS``, so a held-out set never reaches it before its first contact.
    """
    root = Path(root)
    frames = []
    for corpus in labelled_title_files(root):
        frames.append(pd.read_csv(corpus, dtype={"holdout": "str"}))
    older = pd.read_csv(root / "tests" / "data" / "titles_labelled.csv")
    frames.append(older.rename(columns={"origin": "source"}).assign(holdout=""))
    df = pd.concat(frames, ignore_index=True)
    df["holdout"] = df["holdout"].fillna("").astype(str).str.strip().str.lower()
    df["is_customer_service"] = df["is_customer_service"].astype(str).str.lower().isin(["true", "1", "yes"])
    df["level"] = pd.to_numeric(df["level"], errors="coerce").astype("Int64")
    df = df[df["title"].notna() & df["title"].astype(str).str.strip().ne("")]
    if holdouts != "all":
        keep = {h.lower() for h in ((holdouts,) if isinstance(holdouts, str) else holdouts)}
        df = df[df["holdout"].eq("") | df["holdout"].isin(keep)]
    df = df.drop_duplicates(subset=["title"], keep="first")  # the newer corpus's label wins
    return df.reset_index(drop=True)

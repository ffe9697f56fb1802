"""How far to trust the rules against the n-grams, learned from the rules' first contacts (issue 13).

Every labelled set was scored once, at its first contact, by rules that had never seen it; the rules'
verdicts then are kept in ``data/labelled/first_contact_rule_verdicts.csv``. Beside each of them, the
n-gram-only model (:attr:`~csresearch.clean.roles_model.RoleModel.ngram_cs`) trained only on the titles
labelled BEFORE that set gives P(CS). Both are out of sample, as they are on a user's file, which is
what the in-sample training titles cannot show: there the rules were written to be right.

A logistic regression on the rules' state (CS / no cue word / cue vetoed) and the logit of that
P(CS), one intercept and one slope per state, learns where the n-grams should overrule: a rules' CS
verdict the n-grams find unlikely, a title with no cue that they find likely. Six numbers; they ship
inside the role model file (``stack_coef``); :func:`csresearch.clean.role_classifier.classify_roles`
applies them to zh, ru and en titles (:data:`RECORD_LANGUAGES`), never to vetoed ones (a veto states the
ladder's policy), and drops a CS verdict only where the n-grams alone are sure
(``role_classifier.DROP_PROBABILITY``).

Examples
--------
>>> import numpy as np
>>> coef = np.array([2.0, -2.0, -3.0, 1.0, 1.0, 1.0])
>>> stack_probability(coef, np.array([STATE_CS, STATE_NO_CUE]), np.array([0.5, 0.99])).round(2)
array([0.88, 0.93])
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, logit

__all__ = ["RULE_STATES", "RECORD_LANGUAGES", "STATE_CS", "STATE_NO_CUE", "STATE_VETOED", "rule_states",
           "stack_probability", "fit_stack", "first_contact_record", "fit_record_stack", "fit_first_contact_stack",
           "FIRST_CONTACT_FILE"]

RULE_STATES = ("cs", "no_cue", "vetoed")
STATE_CS, STATE_NO_CUE, STATE_VETOED = range(3)
FIRST_CONTACT_FILE = Path("data") / "labelled" / "first_contact_rule_verdicts.csv"
#: Inverse L2 penalty of the stack: six coefficients from about 6,900 titles, of which only the few
#: hundred where rules and n-grams disagree carry information; chosen on the forward record
#: (benchmarks/eval_stack.py: against C = 1.0, better on two of six sets and tied on four)
STACK_C = 0.1
_CLIP = 1e-4  # P(CS) of exactly 0 or 1 would give an infinite logit
#: The languages of the first-contact record. Elsewhere (German, French: a few written titles in the
#: corpus) the n-grams know too little: left out of training, they put "Teamleiter Kundenservice" at
#: P(CS) 0.02, so the stack is not applied and the rules' verdict stands.
RECORD_LANGUAGES = ("zh", "ru", "en")


def rule_states(is_cs: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """The rules' state per title: :data:`STATE_CS`, :data:`STATE_NO_CUE` or :data:`STATE_VETOED`.

    ``evidence`` is the rules' evidence string (:func:`csresearch.clean.roles.rule_distinct`); a
    title that is not CS and whose evidence names no cue had no cue word at all.
    """
    return _states(is_cs, np.char.find(np.asarray(evidence).astype(str), "no_cue") >= 0)


def _states(is_cs: np.ndarray, no_cue: np.ndarray) -> np.ndarray:
    """The state of each title from the rules' CS flag and their finding no cue word."""
    is_cs, no_cue = np.asarray(is_cs, dtype=bool), np.asarray(no_cue, dtype=bool)
    return np.where(is_cs, STATE_CS, np.where(no_cue, STATE_NO_CUE, STATE_VETOED)).astype(np.int64)


def _design(states: np.ndarray, p_ngram: np.ndarray) -> np.ndarray:
    onehot = np.eye(len(RULE_STATES))[np.asarray(states, dtype=np.int64)]
    z = logit(np.clip(np.nan_to_num(np.asarray(p_ngram, dtype=np.float64), nan=0.5), _CLIP, 1 - _CLIP))
    return np.hstack([onehot, onehot * z[:, None]])


def stack_probability(coef: np.ndarray, states: np.ndarray, p_ngram: np.ndarray) -> np.ndarray:
    """P(CS) of the stack for rules' ``states`` and n-gram ``p_ngram`` (a missing P reads as 0.5)."""
    if len(states) == 0:
        return np.zeros(0)
    return expit(_design(states, p_ngram) @ np.asarray(coef, dtype=np.float64))


def fit_stack(states: np.ndarray, p_ngram: np.ndarray, y: np.ndarray, C: float = STACK_C) -> np.ndarray:
    """The six coefficients (intercepts of the three states, then their slopes on logit P(CS))."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=C, fit_intercept=False, max_iter=1000)
    lr.fit(_design(states, p_ngram), np.asarray(y, dtype=bool))
    return lr.coef_[0].astype(np.float64)


def first_contact_record(root: str | Path) -> pd.DataFrame:
    """The rules' first-contact verdicts with truth and the out-of-sample n-gram P(CS).

    For each held-out set of the record, in the order the sets were labelled
    (:data:`~csresearch.clean.roles_model.SCORED_HOLDOUTS`), the n-gram model is trained on the rows
    without a holdout plus the sets labelled before it. Columns: ``holdout``, ``title``, ``language``,
    ``source``, ``is_customer_service``, ``state``, ``p_ngram``.
    """
    from threadpoolctl import threadpool_limits

    from .roles import rule_features
    from .roles_model import SCORED_HOLDOUTS, _fit_ngram_only, load_labelled_titles

    root = Path(root)
    corpus = load_labelled_titles(root, holdouts="all")
    stored = pd.read_csv(root / FIRST_CONTACT_FILE)
    frames = []
    for name, verdicts in stored.groupby("holdout", sort=False):
        if name not in SCORED_HOLDOUTS:
            raise ValueError(f"{FIRST_CONTACT_FILE} records {name!r}, which is not a scored holdout")
        test = corpus[corpus["holdout"] == name].reset_index(drop=True)
        if len(test) != len(verdicts) or not verdicts["row"].eq(np.arange(len(test))).all():
            raise ValueError(f"{FIRST_CONTACT_FILE}: {name} has {len(verdicts)} rows, the corpus {len(test)}")
        earlier = corpus["holdout"].isin(["", *SCORED_HOLDOUTS[:SCORED_HOLDOUTS.index(name)]])
        with threadpool_limits(1):
            model = _fit_ngram_only(corpus[earlier].reset_index(drop=True))
        texts, rules = rule_features(test["title"])
        p = model.ngram_probability(list(texts), rules)
        states = _states(verdicts["rule_cs"].to_numpy(), verdicts["rule_no_cue"].to_numpy())
        frames.append(test[["holdout", "title", "language", "source", "is_customer_service"]]
                      .assign(state=states, p_ngram=p))
    return pd.concat(frames, ignore_index=True)


def fit_record_stack(record: pd.DataFrame, C: float = STACK_C) -> np.ndarray:
    """:func:`fit_stack` on rows of :func:`first_contact_record` (all of them, or a part)."""
    return fit_stack(record["state"].to_numpy(), record["p_ngram"].to_numpy(),
                     record["is_customer_service"].to_numpy(), C)


def fit_first_contact_stack(root: str | Path, C: float = STACK_C) -> np.ndarray:
    """:func:`fit_record_stack` on the whole :func:`first_contact_record` (what the shipped model carries)."""
    return fit_record_stack(first_contact_record(root), C)

"""Place job titles (and, when given, their descriptions) on the customer-service ladder.

:func:`classify_roles` combines three readers, each in its own module:

1. the lexicon rules of :mod:`csresearch.clean.roles` (how the job's language names the work),
2. the learned model of :mod:`csresearch.clean.roles_model` (n-gram TF-IDF into calibrated
   logistic regressions, whose inputs include the rules' verdict), which gives the probabilities;
   its n-gram-only part makes a title CS where the rules found no cue word and it is sure,
3. the description reader of :mod:`csresearch.clean.description`, which wins where the duties
   contradict the title.

Everything is computed once per distinct title and once per distinct description; rows only
index into those results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._text import factorize_text
from .description import DUTY_KINDS
from .roles import DEPUTY_CONFIDENCE, LANGUAGES, LEVEL_NAMES, function_of, rule_distinct, rule_feature_matrix
from .role_stack import RECORD_LANGUAGES, STATE_CS, STATE_NO_CUE, rule_states, stack_probability

__all__ = ["classify_roles", "REVIEW_THRESHOLD", "ROLE_COLUMNS"]

#: Rows whose confidence is below this are flagged ``needs_review``. On held-out sources rows
#: at or above it were right at least this often (benchmarks/eval_roles.py, roles.md).
REVIEW_THRESHOLD = 0.8
ROLE_COLUMNS = ("is_customer_service", "level", "level_name", "track", "function", "confidence",
                "language", "evidence", "needs_review")
# Where the description overruled the title, the result was right this often on the held-back
# postings (22 of 30, in-sample since cues were added after their first contact; printed by
# benchmarks/eval_descriptions.py into eval_descriptions_latest.txt; 18 of 18 on the development
# postings the cues were written on): the confidence of a verdict the description decided,
# below REVIEW_THRESHOLD, so such rows are flagged for review.
_DESCRIPTION_PRECISION = 0.75
_KINDS = DUTY_KINDS  # customer service first
# Where the first-contact stack (role_stack) overrules the rules, the flipped verdict was right 38
# times in 52 on the six sets it could be checked on forward (benchmarks/eval_stack.py): such a
# verdict's confidence is at most this, below REVIEW_THRESHOLD, so the rows are flagged for review.
_FLIP_CONFIDENCE = 0.7
#: The stack drops a rules' CS verdict only where the n-grams alone put it below this too. The record
#: measures the rules as they were at each first contact, before the fixes that followed, so it
#: overstates how often a cue is wrong now; and a drop costs a CS title its rung. Going forward over
#: final8-final13, dropping below 0.10 kept most of the stack's CS F1 gain (mean +0.009 against +0.012)
#: and never lowered CS recall below the rules', where the stack's own threshold (0.28) did on final13
#: (benchmarks/eval_stack.py).
DROP_PROBABILITY = 0.1


def _predict_per_key(model: Any, r: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's P(CS), P(level) and n-gram P(CS) per distinct title, once per (text, language).

    Distinct raw titles that differ only in what the rules strip (a reference code, a gender
    marker) share their text, rule verdict and so their features: a crawl's long tail of
    "客服专员 (J04217)" variants costs one prediction, not one per variant.
    """
    texts = r["text"].astype(str)
    keys = np.char.add(np.char.add(texts, "\x1f"), r["language"].astype(str))
    _, first, back = np.unique(keys, return_index=True, return_inverse=True)
    feats = rule_feature_matrix({k: v[first] for k, v in r.items() if k not in ("codes", "index")})
    p_cs, p_lv, p_ngram = model.predict_all(texts[first].tolist(), feats)
    return np.asarray(p_cs)[back], np.asarray(p_lv)[back], np.asarray(p_ngram)[back]


def _title_verdict(r: dict[str, np.ndarray], method: str, model: Any = None) -> dict[str, np.ndarray]:
    """Per distinct title: CS flag, level (0 = abstain), P(CS), P(level), evidence."""
    rule_cs = r["is_customer_service"].astype(bool)
    rule_level = np.array([0 if v is None else int(v) for v in r["level"]], dtype=np.int64)
    n = len(rule_cs)
    if method == "rules":
        return {"cs": rule_cs, "level": np.where(rule_cs, rule_level, 0), "level_any": np.maximum(rule_level, 1),
                "p_cs": r["confidence"].astype(float), "p_level": np.ones(n),
                "evidence": np.char.add("rules:", r["evidence"].astype(str))}
    from .roles_model import load_role_model

    model = model or load_role_model()
    rule_evidence = r["evidence"].astype(str)
    p_cs, p_lv, p_ngram = _predict_per_key(model, r)
    cs = p_cs >= 0.5
    level = p_lv.argmax(axis=1) + 1 if n else np.zeros(0, dtype=np.int64)
    p_level = p_lv.max(axis=1) if n else np.zeros(0)
    # a rung the rules read from a cue word stands; its probability is the cue's track record
    cue = rule_cs & (rule_level > 0) & ~np.char.endswith(rule_evidence, "level=default")
    if cue.any():
        acc = np.asarray(model.meta["rule_cue_level_accuracy"])
        level = np.where(cue, rule_level, level)
        p_level = np.where(cue, acc[np.clip(rule_level, 1, 6) - 1], p_level)
    deputy = np.char.find(rule_evidence, ";deputy;") >= 0
    p_level = np.where(deputy, np.minimum(p_level, DEPUTY_CONFIDENCE), p_level)
    agree = (cs == rule_cs) & (~cs | (level == rule_level))
    part = np.where(agree, "rules+model:", "model:")
    evidence = np.char.add(part, rule_evidence)
    if model.stack_coef is not None:
        covered = np.isin(r["language"].astype(str), RECORD_LANGUAGES)
        cs, p_cs, evidence = _stack(model.stack_coef, cs, rule_cs, rule_evidence, p_cs, p_ngram, evidence, covered)
    return {"cs": cs, "level": np.where(cs, level, 0), "level_any": level, "p_cs": p_cs, "p_level": p_level,
            "evidence": evidence}


def _stack(coef: np.ndarray, cs: np.ndarray, rule_cs: np.ndarray, rule_evidence: np.ndarray, p_cs: np.ndarray,
           p_ngram: np.ndarray, evidence: np.ndarray, covered: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the first-contact stack disagrees with the rules' state, its verdict stands, flagged.

    The stack (:mod:`.role_stack`) weighs the rules' state against the n-grams alone as the rules'
    first contacts with unseen sources did: it drops a CS verdict of the rules that the n-grams find
    unlikely (below :data:`DROP_PROBABILITY` too), and makes CS a title with no cue word that they find
    likely. A veto stands: it states
    the ladder's policy (selling, collections, field service … are not CS, LADDER.md), which the
    n-grams cannot read; promoting vetoed titles was right 9 times in 12 on the forward record, but
    it made CS written look-alikes such as "Telemarketing / Customer Support Agent" and 风控客服专员
    (tests/test_roles_kinds7.py, kinds8). Only titles in the record's languages (``covered``) are weighed.
    """
    promote, drop, p_stack = _stack_flips(coef, cs, rule_states(rule_cs, rule_evidence), p_ngram, covered)
    if not (promote.any() or drop.any()):
        return cs, p_cs, evidence
    # p_cs is P(CS): a flipped verdict's confidence (p_cs for CS, 1 - p_cs otherwise) is capped
    p_cs = np.where(promote, np.minimum(p_stack, _FLIP_CONFIDENCE),
                    np.where(drop, np.maximum(p_stack, 1 - _FLIP_CONFIDENCE), p_cs))
    evidence = np.where(promote, np.char.add("stack:cs;", rule_evidence),
                        np.where(drop, np.char.add("stack:not_cs;", rule_evidence), evidence))
    return (cs | promote) & ~drop, p_cs, evidence


def _stack_flips(coef: np.ndarray, cs: np.ndarray, states: np.ndarray, p_ngram: np.ndarray,
                 covered: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which verdicts ``cs`` the stack makes CS and which it drops (see :func:`_stack`), and its P(CS).

    benchmarks/eval_stack.py scores the record with this same decision.
    """
    p_stack = stack_probability(coef, states, p_ngram)
    promote = covered & ~cs & (states == STATE_NO_CUE) & (p_stack >= 0.5)
    drop = covered & cs & (states == STATE_CS) & (p_stack < 0.5) & (p_ngram < DROP_PROBABILITY)
    return promote, drop, p_stack


def classify_roles(
    titles: Any, descriptions: Any = None, *, language: str | None = None, method: str = "combined",
    model: Any = None, description_columns: bool = False,
) -> pd.DataFrame:
    """Classify postings as customer service and place them on the CS ladder.

    Parameters
    ----------
    titles : Series or sequence of str
        Job titles (zh, ru, en, de, fr). Non-strings are read as their text; missing or blank
        titles give ``is_customer_service=False``, confidence 0 and ``needs_review``.
    descriptions : Series or sequence of str, optional
        The postings' descriptions, aligned with ``titles`` (HTML allowed). Where the duties
        name a look-alike job (sales, collections, renewals, appointment setting, field service,
        survey interviewing) or clearly customer service, they overrule the title; management of
        a team raises an individual title to team lead (3).
    language : {"zh", "ru", "en", "de", "fr"}, optional
        Language of every title; detected per title when not given.
    method : {"combined", "rules"}
        Rules and learned model (default) or the lexicon rules alone.
    model : RoleModel, optional
        A model from :func:`csresearch.clean.roles_model.fit_role_model` instead of the shipped
        one (used by the leave-one-source-out evaluation).
    description_columns : bool
        Also return the ``description_*`` columns of
        :func:`csresearch.clean.description.read_descriptions` (the same values), read in the
        same pass that lets the description overrule the title, so each distinct description
        is read once (the cleaning pipeline uses this); all NA without ``descriptions``.

    Returns
    -------
    DataFrame
        Same index as ``titles``:

        - ``is_customer_service`` (bool), ``level`` (Int64 1-6, NA when not CS or abstained),
          ``level_name``, ``track``, ``function``, ``language``
        - ``confidence`` (float): calibrated probability that the CS flag and (for CS rows) the
          rung are both right
        - ``evidence`` (str): what decided, ``rules+model:<rule>`` when rules and model agree,
          ``model:<rule>`` when the model overruled the rule named, ``description:<duty>`` when
          the description did, ``missing`` for no title
        - ``needs_review`` (bool): confidence below :data:`REVIEW_THRESHOLD`

    Examples
    --------
    >>> out = classify_roles(["客服专员", "客服专员", "Customer Care Team Leader"],
    ...                      ["负责接听客户来电，处理客户投诉", "负责逾期客户的电话催收，回款", None])
    >>> out[["is_customer_service", "level", "evidence"]]  # doctest: +NORMALIZE_WHITESPACE
       is_customer_service  level                                    evidence
    0                 True      1  rules+model:cue=客服;level=专员
    1                False   <NA>              description:collections
    2                 True      3  rules+model:cue=customer care;level=team leader
    """
    if method not in ("combined", "rules"):
        raise ValueError(f"method must be 'combined' or 'rules', got {method!r}")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES} or None, got {language!r}")
    t_codes, t_values, index = _factorize(titles)
    if descriptions is None:
        codes, distinct = t_codes, _classify_distinct(t_values, None, language, method, model)
        if description_columns:
            distinct = distinct.join(_no_descriptions(len(distinct), distinct.index))
    else:
        d_codes, d_values, _ = _factorize(descriptions)
        if len(d_codes) != len(t_codes):
            raise ValueError(f"descriptions has {len(d_codes)} rows, titles {len(t_codes)}")
        codes, pairs = pd.factorize(t_codes.astype(np.int64) * max(len(d_values), 1) + d_codes)
        pairs = np.asarray(pairs, dtype=np.int64)
        t_pick, d_pick = np.divmod(pairs, max(len(d_values), 1))
        distinct = _classify_distinct(t_values[t_pick], (d_values, d_pick), language, method, model,
                                      description_columns)
    out = distinct.take(codes)
    out.index = index
    return out


def _factorize(values: Any) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Row codes, distinct values as text (NA for missing; :func:`factorize_text`) and the index."""
    codes, text, index = factorize_text(values)
    return codes, text.to_numpy(dtype=object, na_value=None), index


def _no_descriptions(n: int, index: pd.Index) -> pd.DataFrame:
    """The ``description_*`` columns of ``n`` rows without a description (all NA)."""
    from .description import read_distinct

    return read_distinct([None])[0].take(np.zeros(n, dtype=np.intp)).set_axis(index)


def _classify_distinct(titles: np.ndarray, descriptions: tuple[np.ndarray, np.ndarray] | None, language: str | None,
                       method: str, model: Any, description_columns: bool = False) -> pd.DataFrame:
    """:func:`classify_roles` on distinct (title, description) pairs, with a RangeIndex.

    ``descriptions`` is (distinct descriptions, the one each title row pairs with), so that each
    description is read once however many titles it comes with; ``description_columns`` adds
    what was read from it (:func:`csresearch.clean.description.read_distinct`).
    """
    r = rule_distinct(pd.Series(titles, dtype=object), language)
    v = _title_verdict(r, method, model)
    codes = r["codes"]
    present = codes >= 0
    take = np.where(present, codes, 0)

    def rows(a: np.ndarray, fill: Any) -> np.ndarray:
        if len(a) == 0:
            return np.full(len(codes), fill, dtype=object if isinstance(fill, str) or fill is None else None)
        out = a[take]
        if out.dtype == object or isinstance(fill, str) or fill is None:
            out = out.astype(object)
        out[~present] = fill
        return out

    cs = rows(v["cs"], False).astype(bool)
    level = rows(v["level"], 0).astype(np.int64)
    level_any = rows(v["level_any"], 1).astype(np.int64)
    p_cs = rows(v["p_cs"], 0.0).astype(float)
    p_level = rows(v["p_level"], 1.0).astype(float)
    evidence = rows(v["evidence"], "missing")
    rule_track = rows(r["track"], None)
    rule_level = rows(np.array([0 if x is None else int(x) for x in r["level"]], dtype=np.int64), 0)
    function = rows(r["function"], None)
    text = rows(r["text"], "")
    language_col = rows(r["language"], language)
    truncated = rows(r["truncated"], False).astype(bool)
    confidence = np.where(cs, p_cs * p_level, 1.0 - p_cs)
    confidence[~present] = 0.0

    described = None
    if descriptions is not None:
        cs, level, confidence, evidence, described = _apply_descriptions(descriptions, len(codes), cs, level,
                                                                         level_any, confidence, evidence, p_cs)
    # track and function follow the final rung; the rules' are kept where they still apply
    track = np.where(level >= 3, "management", "individual").astype(object)
    keep_rule_track = (rule_level == level) & pd.notna(rule_track)
    track[keep_rule_track] = rule_track[keep_rule_track]
    need_function = cs & pd.isna(function)
    if need_function.any():
        function[need_function] = function_of(text[need_function])
    level_na = ~cs | (level == 0)
    track[level_na] = None
    function[~cs] = None
    level_arr = pd.array(np.where(level_na, 0, level), dtype="Int64")
    level_arr[level_na] = pd.NA
    confidence = np.clip(confidence, 0.0, 1.0)
    index = r["index"]
    out = pd.DataFrame(
        {
            "is_customer_service": cs,
            "level": level_arr,
            "level_name": pd.Series(level_arr, index=index).map(LEVEL_NAMES, na_action="ignore").astype("str").array,
            "track": pd.array(track, dtype="str"),
            "function": pd.array(function, dtype="str"),
            "confidence": confidence.astype(np.float64),
            "language": pd.array(language_col, dtype="str"),
            "evidence": pd.array(evidence, dtype="str"),
            "needs_review": (confidence < REVIEW_THRESHOLD) | truncated,
        },
        index=index,
    )
    if description_columns:
        out = out.join(_no_descriptions(len(out), index) if described is None else described.set_axis(index))
    return out


def description_verdict(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the duties say against the title: (look-alike kind or None, says CS strongly, says CS).

    ``scores`` counts the cues found per duty kind (rows x :data:`DUTY_KINDS`, customer service
    first; :func:`csresearch.clean.description.read_distinct`). A description names a
    look-alike job when one look-alike kind has at least twice the customer-service cues, or
    the look-alike kinds together have at least two cues and twice the customer-service cues
    (sales plus collections in a 客服 posting). It says customer service when its CS cues are
    at least twice all look-alike cues together; strongly so with two cues or more.

    Examples
    --------
    >>> kind, strong, cs = description_verdict(np.array([[3, 1, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0]]))
    >>> kind.tolist(), strong.tolist(), cs.tolist()
    ([None, 'sales'], [True, False], [True, False])
    """
    scores = np.asarray(scores, dtype=np.int64).reshape(-1, len(_KINDS))
    cs, la = scores[:, 0], scores[:, 1:]
    best, total = la.max(axis=1, initial=0), la.sum(axis=1)
    lookalike = ((best >= 1) & (best >= 2 * cs)) | ((total >= 2) & (total >= 2 * cs))
    kind = np.where(lookalike, np.asarray(_KINDS[1:], dtype=object)[la.argmax(axis=1)] if len(la) else None, None)
    says_cs = (cs >= 1) & (cs >= 2 * total)
    return kind, says_cs & (cs >= 2), says_cs


def _apply_descriptions(descriptions: tuple[np.ndarray, np.ndarray], n: int, cs: np.ndarray, level: np.ndarray,
                        level_any: np.ndarray, confidence: np.ndarray, evidence: np.ndarray,
                        p_cs: np.ndarray) -> tuple[np.ndarray, ...]:
    """The description wins where its duties contradict the title (LADDER.md).

    A look-alike verdict makes a CS title not CS; a strong CS verdict (two cues or more, twice
    any look-alike evidence) makes any title CS; a weak one (a single cue) only a title the
    model gives at least a 5 % chance of being CS. Also returns the description columns read,
    per row (:func:`csresearch.clean.description.read_distinct`).
    """
    from .description import read_distinct

    values, pick = descriptions
    frame, scores = read_distinct(values)
    if len(pick) != n:
        raise ValueError(f"descriptions has {len(pick)} rows, titles {n}")
    kind, strong, says_cs = (a[pick] for a in description_verdict(scores))
    lookalike = kind != None  # noqa: E711 (elementwise on an object array)
    cs, level, confidence, evidence = cs.copy(), level.copy(), confidence.copy(), evidence.copy()
    overrule_out = cs & lookalike
    titled = evidence != "missing"  # a row without a title stays unclassified
    overrule_in = titled & ~cs & (strong | (says_cs & (p_cs >= 0.05)))
    for mask, value, why in ((overrule_out, False, kind), (overrule_in, True, np.full(n, "customer_service", dtype=object))):
        cs[mask] = value
        confidence[mask] = _DESCRIPTION_PRECISION
        evidence[mask] = np.char.add("description:", why[mask].astype(str))
    level[overrule_in] = level_any[overrule_in]  # the title's most likely rung
    manages = frame["description_manages"].fillna(False).to_numpy(dtype=bool)[pick]
    promote = cs & manages & (level <= 2) & (level >= 1)
    level[promote] = 3
    evidence[promote] = np.char.add(evidence[promote].astype(str), ";description:manages")
    confidence[promote] = np.minimum(confidence[promote], _DESCRIPTION_PRECISION)
    return cs, level, confidence, evidence, frame.take(pick)

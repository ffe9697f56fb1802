"""Read job descriptions: what the job does, whom it manages, how and when, and how it pays.

:func:`read_descriptions` turns free-text postings (Chinese, Russian, English; HTML allowed) into
the ``description_*`` columns of the processed table. The patterns are data
(``csresearch/reference/descriptions.yaml``, sources in ``reference/sources/roles.md``); each
distinct description is read once. One RE2 set (google-re2) finds in a single linear-time pass
which patterns match; only a team size is read again, and denied selling ("без продаж") removed
before a second pass.

The duty reading decides customer service against its look-alikes (sales, collections, renewals,
appointment setting, field service, survey interviewing) by counting the cues (YAML entries)
found for each; :func:`csresearch.classify_roles` lets it overrule the title when they disagree
(:func:`csresearch.clean.role_classifier.description_verdict`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._text import compile_pattern, factorize_text, load_yaml, simplify_chinese

__all__ = ["read_descriptions", "read_distinct", "normalise_descriptions", "DESCRIPTION_COLUMNS", "DUTY_KINDS", "CHANNELS"]

DUTY_KINDS = ("customer_service", "sales", "collections", "renewals", "appointment_setting",
              "field_service", "survey_interviewing")
CHANNELS = ("phone", "chat", "email", "social", "marketplace")
#: Columns returned by :func:`read_descriptions` (and added to the processed table).
DESCRIPTION_COLUMNS = (
    "description_role", "description_manages", "description_team_size", "description_channels",
    "description_shift_work", "description_night_work", "description_languages", "description_kpis",
    "description_pay_components",
)
_TAGS = re.compile(r"<[^>]{0,500}>")


# Python's \w, \d and \s are Unicode classes; RE2's are ASCII. Spelled out, both engines agree.
_RE2_CLASSES = {"w": r"\p{L}\p{N}_", "d": r"\p{Nd}", "s": r"\t\n\x{0b}\f\r\x{1c}-\x{1f} \x{85}\p{Z}"}


def to_re2(pattern: str, capture: bool = True) -> str:
    r"""Rewrite a Python regular expression for RE2 with the same Unicode ``\w``, ``\d``, ``\s``.

    ``\b`` stays RE2's ASCII word boundary: a Latin word glued to Chinese or Cyrillic text
    ("kpi考核") is a word of its own, as a reader would take it. ``capture=False`` makes plain
    groups non-capturing, so ``findall`` returns whole matches.

    Examples
    --------
    >>> to_re2(r"(\w+ ){0,2}[^,\d]")
    '([\\p{L}\\p{N}_]+ ){0,2}[^,\\p{Nd}]'
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            cls = _RE2_CLASSES.get(e)
            out.append(pattern[i:i + 2] if cls is None else (cls if in_class else f"[{cls}]"))
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a leading ] is a literal
                out.append("\\]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        elif c == "(" and not in_class and not capture and pattern[i + 1:i + 2] != "?":
            out.append("(?:")
        else:
            out.append(c)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Entry:
    """One pattern of the YAML: its group, label and RE2 form."""

    group: str
    label: str
    pattern: Any  # re2 pattern


@dataclass(frozen=True)
class _Reader:
    max_chars: int
    negations: tuple[_Entry, ...]
    requirements: tuple[_Entry, ...]  # experience required (or not): removed before negations
    entries: tuple[_Entry, ...]  # every other pattern, in YAML order within each group, then the negations
    matcher: Any  # an RE2 set of ``entries``: which of them match, in one pass over the text
    meta: tuple[tuple[str, str, int], ...]  # per entry: group, label, duty kind's position (-1: not a duty)


_SET_MEMORY = 64 << 20
_GROUPS = ("duties", "management", "team_size", "channels", "languages", "kpis", "pay_components",
           "shift_work", "night_work")


def _entries(group: str, label: str, patterns: Any, where: str) -> list[_Entry]:
    import re2

    out = []
    for p in [patterns] if isinstance(patterns, str) else list(patterns):
        compile_pattern(p, f"{where}:{label}")  # a Python regex, named in the error when malformed
        try:
            out.append(_Entry(group, label, re2.compile(to_re2(p, capture=group != "duties"))))
        except re2.error as exc:
            raise ReferenceDataError(f"{where}:{label}: {p!r} is outside the RE2 syntax: {exc}") from exc
    return out


def _group(raw: dict[str, Any], group: str, where: str) -> list[_Entry]:
    spec = raw[group]
    if isinstance(spec, dict):
        keys = DUTY_KINDS if group == "duties" else list(spec)
        return [e for k in keys for e in _entries(group, k, spec[k], f"{where}:{group}")]
    return _entries(group, group, spec, where)


@cache
def _reader(name: str = "descriptions.yaml") -> _Reader:
    import re2

    raw = load_yaml(name)
    where = f"csresearch/reference/{name}"
    try:
        if set(raw["duties"]) != set(DUTY_KINDS):
            raise ReferenceDataError(f"{where}:duties must name exactly {DUTY_KINDS}")
        if set(raw["channels"]) != set(CHANNELS):
            raise ReferenceDataError(f"{where}:channels must name exactly {CHANNELS}")
        entries = tuple(e for g in _GROUPS for e in _group(raw, g, where))
        negations = tuple(_entries("negations", "negation", raw["negations"], where))
        requirements = tuple(_entries("experience_requirements", "experience", raw["experience_requirements"], where))
        max_chars = int(raw["max_chars"])
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc
    options = re2.Options()
    # The DFA of a hundred patterns needs more state cache than RE2's default 8 MB; at 8 MB it is
    # flushed and rebuilt within every text (about 50x slower, benchmarks/bench_roles.py).
    options.max_mem = _SET_MEMORY
    matcher = re2.Set.SearchSet(options)
    every = entries + negations + requirements
    for e in every:
        matcher.Add(e.pattern.pattern)
    matcher.Compile()
    meta = tuple((e.group, e.label, DUTY_KINDS.index(e.label) if e.group == "duties" else -1) for e in every)
    return _Reader(max_chars, negations, requirements, every, matcher, meta)


_DASH_CHARS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASHES = re.compile(f"[{_DASH_CHARS}]")


def normalise_descriptions(texts: Sequence[str], max_chars: int = 20000) -> list[bytes]:
    """Plain lower-case UTF-8 of many descriptions: tags dropped, entities decoded, NFKC, capped.

    What :func:`csresearch.clean._text.basic_normalise` and
    :func:`csresearch.clean._text.simplify_chinese` do to titles (NFKC, case folding, ё -> е,
    Traditional Chinese as Simplified, one kind of dash, single spaces), after tags are dropped and entities decoded; each
    step runs only when it can change the text (tags when there is a ``<``, entities when
    there is a ``&``, NFKC and case folding when the text is not ASCII). NFKC runs once over
    all the texts that need it, in Arrow (``pyarrow.compute.utf8_normalize``, about 1.5x
    Python's per-text speed). Each text is cut to ``2 * max_chars`` characters before and
    ``max_chars`` after, so a pasted book costs no more than a long posting (a posting's
    duties come first).

    Examples
    --------
    >>> [t.decode() for t in normalise_descriptions(["<p>Answer&nbsp;customer <b>calls</b></p>",
    ...                                               "接听（客户）来电　Ёлка", "接聽客戶來電"])]
    ['answer customer calls', '接听(客户)来电 елка', '接听客户来电']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cut = []
    for t in texts:
        t = t[: max_chars * 2]
        if "<" in t:
            t = _TAGS.sub(" ", t)
        if "&" in t:
            t = html.unescape(t)
        cut.append(t)
    wide = [not t.isascii() for t in cut]
    rows = [i for i, w in enumerate(wide) if w]
    if rows:
        for i, t in zip(rows, pc.utf8_normalize(pa.array([cut[i] for i in rows], pa.large_string()), "NFKC").to_pylist()):
            t = simplify_chinese(t.casefold().replace("ё", "е"))  # Traditional Chinese read as titles are
            cut[i] = _DASHES.sub("-", t) if any(d in t for d in _DASH_CHARS) else t
    # str.split's whitespace is re's \s (and \xa0); ASCII text only needs lower-casing
    return [" ".join((t if i else t.lower()).split())[:max_chars].encode("utf-8")
            for t, i in zip(cut, wide)]


def normalise_description(text: str, max_chars: int = 20000) -> str:
    """:func:`normalise_descriptions` of one text, as ``str``.

    Examples
    --------
    >>> normalise_description("<p>Answer&nbsp;customer <b>calls</b></p>")
    'answer customer calls'
    """
    return normalise_descriptions([text], max_chars)[0].decode("utf-8")


def duty_role(scores: dict[str, int]) -> str | None:
    """The duty kind a description's evidence points to, ``mixed`` or None (nothing found).

    ``scores`` counts the cues (YAML entries) found for each kind. A kind wins with at least
    twice the evidence of any other kind (one cue suffices when no other kind has any).

    Examples
    --------
    >>> duty_role({"customer_service": 3, "sales": 1})
    'customer_service'
    >>> duty_role({"customer_service": 2, "sales": 2})
    'mixed'
    """
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (kind, best), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0)
    if best == 0:
        return None
    return kind if best >= 2 * runner_up else "mixed"


def _read_one(text: bytes, r: _Reader) -> tuple:
    """The description fields of one normalised text and its cue count per duty kind."""
    found = sorted(r.matcher.Match(text) or ())  # YAML order: the first team-size entry wins
    if found and r.entries[found[-1]].group == "experience_requirements":
        for e in r.requirements:  # who may apply is not what the job does
            text = e.pattern.sub(b" ", text)
        found = sorted(r.matcher.Match(text) or ())
    negated = bool(found) and r.entries[found[-1]].group == "negations"
    if negated:  # rare: remove the denied selling, then read the rest again
        for e in r.negations:
            text = e.pattern.sub(b" ", text)
        found = sorted(r.matcher.Match(text) or ())
    size = None
    scores = [int(negated)] + [0] * (len(DUTY_KINDS) - 1)
    labels: dict[str, list[str]] = {"channels": [], "languages": [], "kpis": [], "pay_components": []}
    seen = set()
    for i in found:
        group, label, kind = r.meta[i]
        if kind >= 0:
            scores[kind] += 1
        elif group == "team_size":
            if size is None:
                size = int(r.entries[i].pattern.search(text).group("n").decode())
        elif group in labels:
            if label not in labels[group]:  # a group's label may have several entries
                labels[group].append(label)
        else:
            seen.add(group)
    manages = (size is not None and size >= 2) or "management" in seen
    out = [";".join(v) if v else None for v in labels.values()]
    fields = (_role(scores), manages, size, out[0], "shift_work" in seen, "night_work" in seen, out[1], out[2], out[3])
    return fields, scores


def _role(scores: list[int]) -> str | None:
    """:func:`duty_role` of the scores listed in :data:`DUTY_KINDS` order."""
    best = max(scores)
    if best == 0:
        return None
    return DUTY_KINDS[scores.index(best)] if best >= 2 * sorted(scores)[-2] else "mixed"


def read_distinct(texts: Sequence[Any]) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`read_descriptions` of texts already distinct and clean, and their cue counts.

    ``texts`` holds each distinct description once as ``str``, or None for a missing one (as
    :func:`csresearch.clean._text.factorize_text` gives them); the result has a RangeIndex. The
    scores (int, rows x :data:`DUTY_KINDS`; zeros for a missing description) count the cues
    found for each duty kind, so that :func:`csresearch.classify_roles` can weigh how strongly a
    description speaks against its title.

    Examples
    --------
    >>> out, scores = read_distinct(["负责接听客户来电，处理客户投诉", None])
    >>> scores.tolist()
    [[2, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]]
    """
    r = _reader()
    missing = ((None,) * len(DESCRIPTION_COLUMNS), (0,) * len(DUTY_KINDS))
    # RE2 reads UTF-8 bytes; handing it bytes spares a decode of every match offset.
    present = [t is not None and t is not pd.NA for t in texts]
    read = iter([_read_one(t, r) for t in normalise_descriptions([t for t, p in zip(texts, present) if p], r.max_chars)])
    rows = [next(read) if p else missing for p in present]
    cols = list(zip(*[f for f, _ in rows])) if rows else [()] * len(DESCRIPTION_COLUMNS)
    scores = np.array([s for _, s in rows], dtype=np.int64).reshape(len(rows), len(DUTY_KINDS))
    dtypes = ["str", "boolean", "Int64", "str", "boolean", "boolean", "str", "str", "str"]
    data = {}
    for name, values, dtype in zip(DESCRIPTION_COLUMNS, cols, dtypes):
        arr = np.empty(len(rows), dtype=object)
        arr[:] = [pd.NA if v is None else v for v in values]
        data[name] = pd.array(arr, dtype=dtype)
    return pd.DataFrame(data), scores


def read_descriptions(descriptions: Any) -> pd.DataFrame:
    """Read job descriptions into the processed table's ``description_*`` columns.

    Parameters
    ----------
    descriptions : Series or sequence of str
        Free-text job descriptions (HTML allowed). Missing or blank ones give empty (NA) cells.

    Returns
    -------
    DataFrame
        Same index, columns:

        - ``description_role`` (str): customer_service, sales, collections, renewals,
          appointment_setting, field_service, survey_interviewing, ``mixed`` (evidence for
          several), NA when no duty is recognised or there is no description
        - ``description_manages`` (boolean): manages people (team size >= 2 or management duties)
        - ``description_team_size`` (Int64): the size of the team managed, when stated
        - ``description_channels`` (str): ``;``-joined phone, chat, email, social, marketplace
        - ``description_shift_work``, ``description_night_work`` (boolean)
        - ``description_languages`` (str): ``;``-joined ISO 639-1 codes required
        - ``description_kpis`` (str): ``;``-joined csat, nps, aht, fcr, sla, quality_score,
          complaint_rate, conversion, sales_target
        - ``description_pay_components`` (str): ``;``-joined base, commission, kpi_bonus,
          month_13, social_insurance, housing_fund, health_insurance, overtime_pay, allowances

    Examples
    --------
    >>> out = read_descriptions(["负责接听客户来电，处理客户投诉。底薪+提成，五险一金，13薪",
    ...                          "Manage a team of 12 advisors handling customer complaints by phone and chat"])
    >>> out[["description_role", "description_team_size", "description_channels"]]  # doctest: +NORMALIZE_WHITESPACE
      description_role  description_team_size description_channels
    0  customer_service                   <NA>                phone
    1  customer_service                     12           phone;chat
    >>> out["description_pay_components"].iloc[0]
    'base;commission;month_13;social_insurance;housing_fund'
    """
    codes, uniques, index = factorize_text(descriptions)
    out = read_distinct(uniques.to_numpy(dtype=object, na_value=None))[0].take(codes)
    out.index = index
    return out

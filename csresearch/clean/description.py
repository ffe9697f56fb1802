"""Read job descriptions: what the job does, whom it manages, how and when, and how it pays.

:func:`read_descriptions` turns free-text postings (Chinese, Russian, English; HTML allowed) into
the ``description_*`` columns of the processed table. The patterns are data
(``csresearch/reference/descriptions.yaml``, sources in ``reference/sources/roles.md``); each
distinct description is read once.

The duty reading decides customer service against its look-alikes (sales, collections, renewals,
appointment setting, field service, survey interviewing) by counting pieces of evidence for each;
:func:`csresearch.classify_roles` lets it overrule the title when they disagree.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._text import as_text_series, basic_normalise, compile_pattern, load_yaml

__all__ = ["read_descriptions", "DESCRIPTION_COLUMNS", "DUTY_KINDS", "CHANNELS"]

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


@dataclass(frozen=True)
class _Entry:
    """One pattern of the YAML, with the literals one of which any match must contain."""

    label: str
    pattern: re.Pattern[str]
    anchors: tuple[str, ...] | None  # None: no required literal found, always searched

    def may_match(self, text: str) -> bool:
        # substring tests run at C speed; most patterns are skipped without a regex search
        return self.anchors is None or any(a in text for a in self.anchors)


@dataclass(frozen=True)
class _Reader:
    max_chars: int
    negations: tuple[_Entry, ...]
    duties: tuple[_Entry, ...]
    management: tuple[_Entry, ...]
    team_size: tuple[_Entry, ...]
    labelled: dict[str, tuple[_Entry, ...]]  # channels, languages, kpis, pay_components
    shift: tuple[_Entry, ...]
    night: tuple[_Entry, ...]


def _required(items: Any) -> frozenset[str] | None:
    """Literals of which every match of the parsed sequence ``items`` contains one (or None)."""
    from re import _constants as C

    cands: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            cands.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if op is C.AT:  # \b, ^: zero width, the literal run goes on
            continue
        flush()
        found = None
        if op is C.SUBPATTERN:
            found = _required(av[-1])
        elif op is C.BRANCH:
            parts = [_required(b) for b in av[1]]
            found = None if any(p is None for p in parts) else frozenset().union(*parts)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            found = _required(av[2])
        if found:
            cands.append(found)
    flush()
    # the most selective set: longest shortest literal, then fewest literals
    return max(cands, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _entries(label: str, patterns: Any, where: str) -> list[_Entry]:
    from re import _parser

    out = []
    for p in [patterns] if isinstance(patterns, str) else list(patterns):
        compiled = compile_pattern(p, f"{where}:{label}")
        req = _required(_parser.parse(p))
        out.append(_Entry(label, compiled, None if req is None else tuple(sorted(req))))
    return out


def _group(spec: dict[str, Any], where: str) -> tuple[_Entry, ...]:
    return tuple(e for label, pats in spec.items() for e in _entries(label, pats, where))


@cache
def _reader(name: str = "descriptions.yaml") -> _Reader:
    raw = load_yaml(name)
    where = f"csresearch/reference/{name}"
    try:
        if set(raw["duties"]) != set(DUTY_KINDS):
            raise ReferenceDataError(f"{where}:duties must name exactly {DUTY_KINDS}")
        if set(raw["channels"]) != set(CHANNELS):
            raise ReferenceDataError(f"{where}:channels must name exactly {CHANNELS}")
        return _Reader(
            max_chars=int(raw["max_chars"]),
            negations=tuple(_entries("negation", raw["negations"], where)),
            duties=_group({k: raw["duties"][k] for k in DUTY_KINDS}, f"{where}:duties"),
            management=tuple(_entries("management", raw["management"], where)),
            team_size=tuple(_entries("team_size", raw["team_size"], where)),
            labelled={g: _group(raw[g], f"{where}:{g}") for g in ("channels", "languages", "kpis", "pay_components")},
            shift=tuple(_entries("shift_work", raw["shift_work"], where)),
            night=tuple(_entries("night_work", raw["night_work"], where)),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc


def _any(entries: tuple[_Entry, ...], text: str) -> bool:
    return any(e.may_match(text) and e.pattern.search(text) is not None for e in entries)


def normalise_description(text: str, max_chars: int = 20000) -> str:
    """Plain lower-case text of a description: tags dropped, entities decoded, NFKC, capped.

    Examples
    --------
    >>> normalise_description("<p>Answer&nbsp;customer <b>calls</b></p>")
    'answer customer calls'
    """
    t = text[: max_chars * 2]
    if "<" in t:
        t = _TAGS.sub(" ", t)
    if "&" in t:
        t = html.unescape(t)
    return basic_normalise(t)[:max_chars]


def duty_role(scores: dict[str, int]) -> str | None:
    """The duty kind a description's evidence points to, ``mixed`` or None (nothing found).

    ``scores`` counts the distinct phrases found for each kind. A kind wins with at least
    twice the evidence of any other kind (one phrase suffices when no other kind has any).

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


def _read_one(raw: str, r: _Reader) -> tuple:
    text = normalise_description(raw, r.max_chars)
    negated = False
    for e in r.negations:
        if e.may_match(text):
            text, k = e.pattern.subn(" ", text)
            negated = negated or k > 0
    phrases: dict[str, set[str]] = {k: set() for k in DUTY_KINDS}
    for e in r.duties:
        if e.may_match(text):
            phrases[e.label].update(m.group(0) for m in e.pattern.finditer(text))
    scores = {k: len(v) for k, v in phrases.items()}
    scores["customer_service"] += int(negated)
    size = None
    for e in r.team_size:
        m = e.pattern.search(text) if e.may_match(text) else None
        if m is not None:
            size = int(m.group("n"))
            break
    manages = (size is not None and size >= 2) or _any(r.management, text)

    def found(group: str) -> str | None:
        labels = dict.fromkeys(e.label for e in r.labelled[group] if e.may_match(text) and e.pattern.search(text))
        return ";".join(labels) if labels else None

    return (
        duty_role(scores), bool(manages), size, found("channels"), _any(r.shift, text), _any(r.night, text),
        found("languages"), found("kpis"), found("pay_components"),
    )


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
    r = _reader()
    s = as_text_series(descriptions)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    rows = [_read_one(u, r) for u in uniques]
    missing = (None, None, None, None, None, None, None, None, None)
    rows.append(missing)
    codes = np.where(codes < 0, len(rows) - 1, codes)
    cols = list(zip(*rows))
    dtypes = ["str", "boolean", "Int64", "str", "boolean", "boolean", "str", "str", "str"]
    data = {}
    for name, values, dtype in zip(DESCRIPTION_COLUMNS, cols, dtypes):
        arr = np.empty(len(rows), dtype=object)
        arr[:] = [pd.NA if v is None else v for v in values]
        data[name] = pd.array(arr.take(codes), dtype=dtype)
    return pd.DataFrame(data, index=s.index)

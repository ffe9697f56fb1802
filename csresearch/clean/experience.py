"""Parse required experience and education from posting or survey text.

:func:`parse_experience` turns "1-3年", "от 3 до 6 лет", "between1And3",
"2+ years" or a plain number into a (low, high) interval of years;
:func:`parse_education` maps "本科", "высшее", "Bachelor", "大专及以上" onto one
ordered scale. The phrase lists are data (``csresearch/reference/
experience.yaml`` and ``education.yaml``); the mapping decisions are explained
in ``csresearch/reference/sources/roles.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._text import apply_distinct, as_text_series, basic_normalise, compile_pattern, load_yaml

__all__ = ["parse_experience", "parse_education", "EDUCATION_LEVELS"]

_NUMBER = r"\d+(?:[.,]\d+)?"


@dataclass(frozen=True)
class _ExpRules:
    codes: dict[str, tuple[float, float]]
    none_required: tuple[re.Pattern[str], ...]
    ranges: tuple[re.Pattern[str], ...]
    lower_open: tuple[re.Pattern[str], ...]
    upper_open: tuple[re.Pattern[str], ...]
    single: re.Pattern[str]
    months: re.Pattern[str]
    words: dict[str, float]


def _nan(v: Any) -> float:
    return float("nan") if v is None else float(v)


@cache
def _exp_rules() -> _ExpRules:
    raw = load_yaml("experience.yaml")
    where = "csresearch/reference/experience.yaml"
    try:
        words = {str(k): float(v) for k, v in raw["number_words"].items()}
        # longest words first so "двух" is not read as "два"-prefix noise
        word_alt = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        num = f"(?P<n{{i}}>{_NUMBER}|{word_alt})"
        unit = f"(?:{raw['year_units']}|{raw['month_units']})"

        def fill(template: str) -> re.Pattern[str]:
            count = template.count("{n}")
            t = template.replace("{unit}", unit)
            for i in range(count):
                t = t.replace("{n}", num.format(i=i), 1)
            return compile_pattern(t, where)

        return _ExpRules(
            codes={str(k).lower(): (_nan(v[0]), _nan(v[1])) for k, v in raw["codes"].items()},
            none_required=tuple(compile_pattern(p, where) for p in raw["none_required"]),
            ranges=tuple(fill(t) for t in raw["ranges"]),
            lower_open=tuple(fill(t) for t in raw["lower_open"]),
            upper_open=tuple(fill(t) for t in raw["upper_open"]),
            single=fill("{n}\\s*" + unit),
            months=compile_pattern(f"^\\s*(?:{_NUMBER}|{word_alt})?\\s*(?:-\\s*{_NUMBER}\\s*)?{raw['month_units']}", where),
            words=words,
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc


def _to_years(token: str, rules: _ExpRules) -> float:
    token = token.strip()
    if token in rules.words:
        return rules.words[token]
    return float(token.replace(",", "."))


def _parse_one_experience(text: str) -> tuple[float, float, str]:
    rules = _exp_rules()
    t = basic_normalise(text)
    key = re.sub(r"[\s_]", "", t)
    if key in rules.codes:
        low, high = rules.codes[key]
        return low, high, "ok"
    if re.fullmatch(_NUMBER, t):
        v = float(t.replace(",", "."))
        return v, v, "ok"
    if any(p.search(t) for p in rules.none_required):
        return 0.0, 0.0, "ok"

    def scale(m: re.Match[str]) -> float:
        # months when a month unit follows the match ("6个月", "6 months")
        return 1 / 12 if rules.months.match(t[m.end():].lstrip()) or re.search(r"(个月|month|мес|monat|mois)", m.group(0)) else 1.0

    for p in rules.ranges:
        m = p.search(t)
        if m:
            f = scale(m)
            a, b = _to_years(m.group("n0"), rules) * f, _to_years(m.group("n1"), rules) * f
            return min(a, b), max(a, b), "ok"  # "5-3年" states the same interval as "3-5年"
    for p in rules.lower_open:
        m = p.search(t)
        if m:
            return _to_years(m.group("n0"), rules) * scale(m), float("nan"), "ok"
    for p in rules.upper_open:
        m = p.search(t)
        if m:
            return 0.0, _to_years(m.group("n0"), rules) * scale(m), "ok"
    m = rules.single.search(t)
    if m:
        v = _to_years(m.group("n0"), rules) * scale(m)
        return v, v, "ok"
    return float("nan"), float("nan"), "unparsed"


def parse_experience(texts: Any) -> pd.DataFrame:
    """Parse required or stated work experience into an interval of years.

    Parameters
    ----------
    texts : Series or sequence
        Strings such as "1-3年", "3年以上", "无需经验", "应届生", "от 3 до 6 лет",
        "1–3 года", "более 6 лет", "не требуется", "опыт работы от 1 года",
        hh.ru ids ("noExperience", "between1And3", "between3And6",
        "moreThan6"), "2+ years", "at least 3 years", "5 years", or numbers
        (``4`` means exactly 4 years).

    Returns
    -------
    DataFrame
        Same index, columns ``experience_years_low`` and
        ``experience_years_high`` (float; NaN high = open ended, both NaN when
        unknown) and ``experience_status`` (ok | missing | unparsed).
        "No experience required" phrases give 0, 0.

    Examples
    --------
    >>> parse_experience(["1-3年", "3年以上", "от 3 до 6 лет", "between1And3", "2+ years", 4, None, "полная занятость"])
       experience_years_low  experience_years_high experience_status
    0                   1.0                    3.0                ok
    1                   3.0                    NaN                ok
    2                   3.0                    6.0                ok
    3                   1.0                    3.0                ok
    4                   2.0                    NaN                ok
    5                   4.0                    4.0                ok
    6                   NaN                    NaN           missing
    7                   NaN                    NaN          unparsed
    """
    s = as_text_series(texts)
    low, high, status = apply_distinct(s, _parse_one_experience, (np.nan, np.nan, "missing"))
    return pd.DataFrame(
        {
            "experience_years_low": low.astype(float),
            "experience_years_high": high.astype(float),
            "experience_status": pd.array(status, dtype="str"),
        },
        index=s.index,
    )


@dataclass(frozen=True)
class _EduRules:
    categories: tuple[str, ...]
    no_requirement: tuple[re.Pattern[str], ...]
    rules: tuple[tuple[re.Pattern[str], str], ...]


@cache
def _edu_rules() -> _EduRules:
    raw = load_yaml("education.yaml")
    where = "csresearch/reference/education.yaml"
    try:
        cats = tuple(raw["categories"])
        rules = []
        for r in raw["rules"]:
            if r["category"] not in cats:
                raise ReferenceDataError(f"unknown education category {r['category']!r} in {where}")
            rules.append((compile_pattern(r["pattern"], where), r["category"]))
        return _EduRules(cats, tuple(compile_pattern(p, where) for p in raw["no_requirement"]), tuple(rules))
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc


EDUCATION_LEVELS: tuple[str, ...] = (
    "below_high_school", "high_school", "college", "bachelor", "master", "doctorate",
)


def _parse_one_education(text: str) -> str | None:
    rules = _edu_rules()
    t = basic_normalise(text)
    if any(p.search(t) for p in rules.no_requirement):
        return None
    found = []
    for pat, cat in rules.rules:
        if pat.search(t):
            found.append(rules.categories.index(cat))
            t = pat.sub(" ", t)  # so "неполное высшее" is not read again as "высшее"
    return rules.categories[min(found)] if found else None


def parse_education(texts: Any) -> pd.Series:
    """Map education text onto one ordered scale.

    Parameters
    ----------
    texts : Series or sequence of str
        E.g. "本科", "大专及以上", "硕士", "высшее", "среднее специальное",
        "Bachelor's degree", "PhD".

    Returns
    -------
    Series
        Named ``education``, same index, an ordered Categorical with
        categories below_high_school < high_school < college < bachelor <
        master < doctorate. NA when missing, unrecognised or "any"
        (学历不限, не важно). When a text names several levels the lowest is
        kept, because postings state a minimum ("本科/硕士" -> bachelor).

    Examples
    --------
    >>> parse_education(["大专及以上", "本科", "высшее", "среднее специальное", "学历不限", "PhD"]).tolist()
    ['college', 'bachelor', 'bachelor', 'college', nan, 'doctorate']
    """
    s = as_text_series(texts)
    (parsed,) = apply_distinct(s, lambda t: (_parse_one_education(t),), (None,))
    dtype = pd.CategoricalDtype(list(_edu_rules().categories), ordered=True)
    return pd.Series(pd.Categorical(parsed, dtype=dtype), index=s.index, name="education")

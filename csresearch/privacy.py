"""Confidential data: PII scrubbing, pseudonymous IDs and disclosure control.

Three separate guards stand between raw job postings / HR exports and anything
an analyst publishes:

* :func:`scrub_pii` replaces telephone numbers, e-mail addresses, identity
  document numbers, messenger handles and URLs in free text with typed tokens
  (``[PHONE]``, ``[EMAIL]``, ``[ID]``, ``[HANDLE]``, ``[URL]``), leaving pay,
  dates, experience and postcodes alone. :func:`find_pii` and
  :func:`count_pii` report what it would replace.
* :func:`drop_personal_columns` removes direct identifiers (names, phones,
  e-mails, document numbers, addresses) by header name, and
  :func:`pseudonymise_ids` turns record identifiers such as ``employee_id``
  into keyed HMAC-SHA256 pseudonyms.
* :func:`suppress_small_cells` applies primary and complementary cell
  suppression to an aggregate table; :func:`check_min_cell` refuses a table
  that would publish a cell below the minimum cell size
  (:func:`csresearch.config.get_min_cell_size`).

The patterns and header lists are data: ``reference/pii_patterns.yaml`` and
``reference/personal_columns.yaml``; their sources are in
``reference/sources/privacy.md``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from csresearch.config import get_min_cell_size
from csresearch.errors import ColumnMappingError, CsResearchError, ReferenceDataError

__all__ = [
    "PII_KINDS",
    "PseudonymKeyError",
    "DisclosureError",
    "scrub_pii",
    "scrub_text_columns",
    "scrub_frame",
    "find_pii",
    "count_pii",
    "drop_personal_columns",
    "find_personal_columns",
    "find_identifier_columns",
    "pseudonymise_ids",
    "suppress_small_cells",
    "check_min_cell",
    "audit_published_tables",
]

_REFERENCE = Path(__file__).resolve().parent / "reference"
PII_KINDS: tuple[str, ...] = ("PHONE", "EMAIL", "ID", "HANDLE", "URL", "NAME")

KEY_ENV = "CSRESEARCH_PSEUDONYM_KEY"
KEY_FILE_ENV = "CSRESEARCH_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 16

# only used to WARN about a total row that is not flagged; the flag decides (issue 18)
TOTAL_LABELS = frozenset({"total", "all", "overall", "grand", "合计", "总计", "全部", "小计", "итого", "всего", "все"})


class PseudonymKeyError(CsResearchError, RuntimeError):
    """No usable secret key for :func:`pseudonymise_ids`."""


class DisclosureError(CsResearchError, ValueError):
    """A table would publish a cell built from fewer respondents than allowed."""


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class _Pattern:
    name: str
    kind: str
    regex: re.Pattern[str]
    token: str
    check: Callable[[str], bool] | None


_DATE_RE = re.compile(r"^\d{4}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}$|^\d{1,2}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{4}$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_RANGE_RE = re.compile(r"^[1-9]\d{0,5}\s*-\s*[1-9]\d{0,5}$")


def _cn_id_ok(value: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an 18-character Chinese resident ID (GB 11643-1999)."""
    if len(value) != 18:
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(value[:17], weights))
    return "10X98765432"[total % 11] == value[17].upper()


def _cn_id_date_ok(value: str) -> bool:
    """Digits 7-14 of an 18-character Chinese ID are a real birth date (1900-2099).

    A failing check digit (typo, invented number) does not make the number anonymous: region
    and birth date still point at a person, so the shape and a real date are enough.
    """
    if len(value) != 18 or not value[:17].isdigit():
        return False
    y, m, d = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if not 1900 <= y <= 2099:
        return False
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _snils_ok(value: str) -> bool:
    """Check number of a Russian SNILS: digits weighted 9..1, sum mod 101, 100 -> 00."""
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) != 11:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(9, 0, -1)))
    check = total % 101 if total > 101 else total
    return (0 if check == 100 else check) == digits[9] * 10 + digits[10]


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _make_check(spec: dict, stoplists: dict[str, frozenset[str]]) -> Callable[[str], bool] | None:
    kind = spec.get("validate")
    lo, hi = int(spec.get("min_digits", 0)), int(spec.get("max_digits", 10**6))
    if kind is None:
        return None
    if kind == "cn_id":
        return _cn_id_ok
    if kind == "cn_id_date":
        return _cn_id_date_ok
    if kind == "name":
        stop = stoplists.get("name_stoplist", frozenset())
        han_stop = tuple(w for w in stop if _HAN.search(w))
        return lambda v: not (any(w in stop for w in re.findall(r"\w+", v.lower())) or any(w in v for w in han_stop))
    if kind == "snils":
        return _snils_ok
    if kind == "digits":
        return lambda v: lo <= _digit_count(v) <= hi
    if kind == "not_range":
        return lambda v: lo <= _digit_count(v) <= hi and not _DATE_RE.match(v) and not _RANGE_RE.match(v)
    if kind == "stoplist":
        name = spec.get("stoplist")
        if name not in stoplists:
            raise ReferenceDataError(f"pii_patterns.yaml: pattern {spec.get('name')!r} names no known stoplist ({name!r})")
        words = stoplists[name]
        return lambda v: v.lstrip("@").lower() not in words
    raise ReferenceDataError(f"pii_patterns.yaml: pattern {spec.get('name')!r} has unknown validate {kind!r}")


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[_Pattern, ...]:
    path = _REFERENCE / "pii_patterns.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    fragments: dict[str, str] = spec.get("fragments", {})
    tokens: dict[str, str] = spec["tokens"]
    stoplists = {k: frozenset(str(w).lower() for w in v) for k, v in spec.items() if k.endswith("_stoplist")}
    out = []
    for item in spec["patterns"]:
        text = item["regex"]
        # fragments may use earlier fragments; two rounds cover the nesting used
        for _ in range(2):
            for key, frag in fragments.items():
                text = text.replace("{{" + key + "}}", frag)
        if "{{" in text:
            raise ReferenceDataError(f"{path}: pattern {item['name']!r} has an unknown {{{{fragment}}}}")
        if item["kind"] not in tokens:
            raise ReferenceDataError(f"{path}: pattern {item['name']!r} has unknown kind {item['kind']!r}")
        try:
            regex = re.compile(text)
        except re.error as exc:
            raise ReferenceDataError(f"{path}: pattern {item['name']!r} does not compile: {exc}") from exc
        out.append(_Pattern(item["name"], item["kind"], regex, tokens[item["kind"]], _make_check(item, stoplists)))
    return tuple(out)


def _span(pattern: _Pattern, m: re.Match[str]) -> tuple[int, int] | None:
    """Span to replace for match ``m``, or None when the validator rejects it."""
    group = "pii" if "pii" in pattern.regex.groupindex and m.group("pii") is not None else 0
    value = m.group(group)
    if pattern.check is not None and not pattern.check(value):
        return None
    return m.span(group)


@functools.cache
def _replacer(pattern: _Pattern) -> Callable[[re.Match[str]], str]:
    def repl(m: re.Match[str]) -> str:
        span = _span(pattern, m)
        if span is None:
            return m.group(0)
        whole = m.group(0)
        a, b = span[0] - m.start(), span[1] - m.start()
        return whole[:a] + pattern.token + whole[b:]

    return repl


# --------------------------------------------------------------------------- scrubbing


def _as_series(texts: pd.Series | Iterable[object]) -> pd.Series:
    if isinstance(texts, pd.Series):
        return texts
    if isinstance(texts, str):
        raise TypeError("scrub_pii expects a Series or a list of strings, not a single str; wrap it in a list")
    return pd.Series(list(texts), dtype=object)


def _distinct_strings(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Non-missing values as str, and their distinct values (so each is parsed once)."""
    present = texts[texts.notna()]
    as_text = present.map(lambda v: v if isinstance(v, str) else str(v)) if present.dtype == object else present.astype(str)
    return as_text, pd.Series(pd.unique(as_text.to_numpy()), dtype=object)


_DIGIT = re.compile(r"\d")


def _min_digits(parsed: Any) -> int:
    """The fewest ``\\d`` characters any match of this parsed regex contains (0 when unsure).

    Read from the regex's syntax tree: a digit literal or class counts one, a sequence adds
    up, a repeat multiplies by its minimum, alternatives take their smallest.
    """
    from re import _constants as c

    def is_digit_item(op: Any, av: Any) -> bool:
        if op is c.CATEGORY:
            return av is c.CATEGORY_DIGIT
        if op is c.LITERAL:
            return bool(_DIGIT.fullmatch(chr(av)))
        if op is c.RANGE:
            return ord("0") <= av[0] and av[1] <= ord("9")
        return False  # NEGATE and anything else

    def node(op: Any, av: Any) -> int:
        if op is c.LITERAL:
            return int(bool(_DIGIT.fullmatch(chr(av))))
        if op is c.IN:
            return int(bool(av) and all(is_digit_item(o, a) for o, a in av))
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            return av[0] * seq(av[2])
        if op is c.SUBPATTERN:
            return seq(av[-1])
        if op is getattr(c, "ATOMIC_GROUP", None):
            return seq(av)
        if op is c.BRANCH:
            return min(seq(alt) for alt in av[1])
        return 0  # assertions, anchors, back-references: not counted

    def seq(items: Any) -> int:
        return sum(node(op, av) for op, av in items)

    return seq(parsed)


@functools.lru_cache(maxsize=1)
def _substitutions() -> tuple[tuple[Callable[..., str], Callable[[re.Match[str]], str], int], ...]:
    # bound methods and replacers looked up once: per distinct string only the regex work is left;
    # a pattern is skipped for text with fewer digits than any of its matches holds
    from re import _parser

    return tuple((p.regex.sub, _replacer(p), _min_digits(_parser.parse(p.regex.pattern, p.regex.flags)))
                 for p in _patterns())


def _scrub_one(text: str, max_passes: int) -> str:
    # replacing inserts no digit, so the count can only fall: an upper bound for every pass
    return _passes(text, len(_DIGIT.findall(text)), max(1, max_passes), _substitutions())


def _passes(text: str, digits: int, passes: int, subs: tuple) -> str:
    # patterns in order; repeat until stable so that scrub_pii is idempotent
    for _ in range(passes):
        before = text
        for sub, repl, need in subs:
            if digits >= need:
                text = sub(repl, text)
        if text == before:
            break
    return text


@functools.lru_cache(maxsize=1)
def _literal_sets() -> tuple[frozenset[str] | None, ...]:
    from .clean._screen import required_literals

    return tuple(required_literals(p.regex) for p in _patterns())


def _scrub_distinct(values: list[str], max_passes: int) -> list[str]:
    """:func:`_scrub_one` of each value, with the patterns screened for all values at once.

    A pattern whose required literals (:func:`csresearch.clean._screen.required_literals`) a
    value lacks cannot match it; most values (company names, titles) lack every pattern's and
    come back as they are without a regex call. Once a pattern changes a value, the rest of
    the passes run in full (a token just inserted may complete a later pattern's literal).
    """
    from .clean._screen import substring_hits

    if not values:
        return []
    subs = _substitutions()
    hits = substring_hits(values)
    screen = np.ones((len(values), len(subs)), dtype=bool)
    for j, lits in enumerate(_literal_sets()):
        if lits is not None:
            screen[:, j] = hits(lits)
    out = list(values)
    for i in np.flatnonzero(screen.any(axis=1)):
        out[i] = _scrub_screened(values[i], screen[i], max_passes, subs)
    return out


def _scrub_screened(text: str, screen: np.ndarray, max_passes: int, subs: tuple) -> str:
    """:func:`_scrub_one` of ``text``, given which patterns may match it (``screen``)."""
    digits = len(_DIGIT.findall(text))
    for j in np.flatnonzero(screen):
        sub, repl, need = subs[j]
        if digits >= need:
            new = sub(repl, text)
            if new != text:
                break
    else:
        return text  # the first pass changes nothing: neither would the full one
    before = text
    text = new
    for sub, repl, need in subs[j + 1:]:  # the rest of the first pass, as _scrub_one
        if digits >= need:
            text = sub(repl, text)
    return text if text == before else _passes(text, digits, max(1, max_passes) - 1, subs)


def scrub_pii(texts: pd.Series | Iterable[object], *, max_passes: int = 3) -> pd.Series:
    """Replace personal data in free text with typed tokens.

    Telephone numbers become ``[PHONE]``, e-mail addresses (also obfuscated
    ones such as ``name [at] domain [dot] com`` or ``name#domain.com``)
    ``[EMAIL]``, identity document numbers ``[ID]``, messenger handles
    (QQ, 微信/WeChat/vx, Telegram, ``@username``) ``[HANDLE]`` and links
    ``[URL]``. A label in front of a value is kept ("QQ：[HANDLE]",
    "ИНН [ID]"). Pay strings, dates, times, experience ranges, percentages,
    counts and postcodes are left as they are.

    Parameters
    ----------
    texts : Series or list of str
        Free text. Non-string values are read as ``str(value)``; missing
        values stay missing.
    max_passes : int, default 3
        The patterns are applied until the text no longer changes (at most
        this many passes), so that ``scrub_pii(scrub_pii(x)) == scrub_pii(x)``.

    Returns
    -------
    Series
        Same index as ``texts`` (a RangeIndex for a list), dtype ``str``.

    Notes
    -----
    The patterns live in ``reference/pii_patterns.yaml`` and are applied in
    order with compiled regexes over the distinct values only, then mapped
    back. Chinese resident ID numbers need a valid ISO 7064 MOD 11-2 check
    digit unless labelled (身份证号：…); bare local numbers (61212788) are
    replaced only after a phone label. Known misses: numbers spelled in words
    or with unusual separators, handles without a label or ``@``, personal
    names (no name recogniser is used), bank card numbers.

    Examples
    --------
    >>> scrub_pii(["联系电话：138-1234-5678，薪资4.5-6千/月", "QQ：12345678", None]).tolist()
    ['联系电话：[PHONE]，薪资4.5-6千/月', 'QQ：[HANDLE]', nan]
    >>> scrub_pii(["mail ivan.petrov [at] example [dot] ru, от 80 000 руб."]).tolist()
    ['mail [EMAIL], от 80 000 руб.']
    """
    series = _as_series(texts)
    as_text, distinct = _distinct_strings(series)
    # each distinct value is scrubbed once (real columns repeat heavily), then mapped back;
    # the patterns are screened for all distinct values at once (most values need none)
    scrubbed = _scrub_distinct(distinct.tolist(), max_passes)
    mapping = pd.Series(scrubbed, index=distinct.to_numpy(), dtype=object)
    out = pd.Series(np.nan, index=series.index, dtype=object)
    out[as_text.index] = as_text.map(mapping).to_numpy()
    return out.astype("str").where(series.notna(), np.nan) if len(out) else out.astype("str")


def scrub_text_columns(df: pd.DataFrame, columns: Sequence[Hashable] | None = None) -> pd.DataFrame:
    """Return a copy of ``df`` with :func:`scrub_pii` applied to text columns.

    Parameters
    ----------
    df : DataFrame
    columns : list of column names, optional
        Default: every column of string or object dtype.

    Returns
    -------
    DataFrame
        Same shape, index and column order.

    Examples
    --------
    >>> df = pd.DataFrame({"title": ["客服专员 微信: kefu_01"], "pay": [5000]})
    >>> scrub_text_columns(df)["title"].tolist()
    ['客服专员 微信: [HANDLE]']
    """
    if columns is None:
        columns = [c for c in df.columns if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ColumnMappingError(f"scrub_text_columns: no column(s) {missing} in table with columns {list(df.columns)}")
    out = df.copy()
    for col in columns:
        out[col] = scrub_pii(df[col])
    return out


def _number_text(values: pd.Series) -> pd.Series:
    """Numbers as the digits a person would type: 13812345678.0 -> '13812345678'."""
    as_float = pd.to_numeric(values, errors="coerce").astype("float64")
    whole = as_float.notna() & np.isfinite(as_float) & (as_float == np.round(as_float)) & (as_float.abs() < 1e18)
    text = values.astype("str")
    text[whole] = as_float[whole].map(lambda v: str(int(v)))
    return text.where(values.notna())


def scrub_frame(
    df: pd.DataFrame, scrub: Callable[[pd.Series], pd.Series] | None = None
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Scrub every column that could carry personal data: text, and numbers shaped like phones or IDs.

    Text columns (string or object dtype) go through ``scrub`` (:func:`scrub_pii` by default,
    which works once per distinct value). A numeric column is written out as digits
    (``13812345678.0`` -> ``"13812345678"``) and checked with the same patterns; if any value
    is a phone number or an identity number the column becomes the scrubbed text, otherwise it
    stays numeric. Booleans are left alone.

    Returns
    -------
    (DataFrame, list of str, list of str)
        The scrubbed copy, the text columns scrubbed and the numeric columns that held
        personal data (now text).

    Examples
    --------
    >>> df = pd.DataFrame({"note": ["QQ：12345678"], "mobile": [13812345678], "pay": [5000]})
    >>> out, text_cols, numeric_cols = scrub_frame(df)
    >>> out["mobile"].tolist(), out["pay"].dtype.kind, numeric_cols
    (['[PHONE]'], 'i', ['mobile'])
    """
    scrub = scrub_pii if scrub is None else scrub
    out = df.copy()
    text_cols, numeric_cols = [], []
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            out[col] = scrub(values)
            text_cols.append(str(col))
        elif pd.api.types.is_numeric_dtype(values):
            digits = _number_text(values)
            cleaned = scrub(digits)
            if bool((cleaned.fillna("") != digits.fillna("")).any()):
                out[col] = cleaned
                numeric_cols.append(str(col))
    return out, text_cols, numeric_cols


def find_pii(texts: pd.Series | Iterable[object]) -> pd.DataFrame:
    """List every piece of personal data :func:`scrub_pii` would replace.

    Parameters
    ----------
    texts : Series or list of str

    Returns
    -------
    DataFrame
        One row per match with columns ``row`` (index label of the text),
        ``kind`` (PHONE, EMAIL, ID, HANDLE, URL), ``pattern`` (name in
        pii_patterns.yaml), ``start``, ``end`` (offsets into the original
        text) and ``match`` (the matched text). Matches are found in the same
        order as :func:`scrub_pii` replaces them (first pass).

    Examples
    --------
    >>> find_pii(["tel. +7 (999) 123-45-67"])[["row", "kind", "start", "end"]].to_dict("records")
    [{'row': 0, 'kind': 'PHONE', 'start': 5, 'end': 23}]
    """
    series = _as_series(texts)
    as_text, distinct = _distinct_strings(series)
    found: dict[str, list[tuple[str, str, int, int, str]]] = {}
    for text in distinct:
        hits = []
        masked = text
        for pattern in _patterns():
            spans = [s for m in pattern.regex.finditer(masked) if (s := _span(pattern, m)) is not None]
            for a, b in spans:
                hits.append((pattern.kind, pattern.name, a, b, text[a:b]))
            # mask with an inert run of the same length so offsets stay those of the original
            for a, b in reversed(spans):
                masked = masked[:a] + ("[" + "\u2588" * max(b - a - 2, 0) + "]")[: b - a] + masked[b:]
        if hits:
            found[text] = sorted(hits, key=lambda h: h[2])
    rows = [(label, *hit) for label, text in as_text.items() for hit in found.get(text, ())]
    return pd.DataFrame(rows, columns=["row", "kind", "pattern", "start", "end", "match"]).astype(
        {"start": "int64", "end": "int64"}
    )


def count_pii(texts: pd.Series | Iterable[object]) -> pd.Series:
    """Number of personal-data matches per text (0 for missing text).

    Examples
    --------
    >>> count_pii(["a@b.com 13812345678", "5000-8000元", None]).tolist()
    [2, 0, 0]
    """
    series = _as_series(texts)
    hits = find_pii(series)
    counts = hits.groupby("row").size() if len(hits) else pd.Series(dtype="int64")
    return counts.reindex(series.index, fill_value=0).astype("int64")


# --------------------------------------------------------------------------- personal columns


def _norm_header(name: object) -> str:
    # separators carry no meaning in a header: "姓 名", "Employee Code", "mobile_no", "EmpID"
    text = unicodedata.normalize("NFKC", str(name)).casefold().replace("ё", "е")
    return re.sub(r"[\s_\-.:/\\()\[\]（）【】]+", "", text)


@functools.lru_cache(maxsize=1)
def _personal_columns() -> dict:
    path = _REFERENCE / "personal_columns.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))

    def norm_rule(rule: dict) -> tuple[frozenset[str], tuple[str, ...]]:
        return (frozenset(_norm_header(x) for x in rule.get("exact", [])),
                tuple(_norm_header(x) for x in rule.get("contains", [])))

    return {
        "direct": {kind: norm_rule(rule) for kind, rule in spec["direct_identifiers"].items()},
        "identifiers": norm_rule(spec["identifiers"]),
        "never": frozenset(_norm_header(x) for x in spec.get("never", [])),
    }


def _matches(header: str, rule: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    exact, contains = rule
    return header in exact or any(part in header for part in contains)


def find_personal_columns(columns: Iterable[Hashable]) -> dict[Hashable, str]:
    """Map each personal column among ``columns`` to its kind (name, phone, email, ...).

    Examples
    --------
    >>> find_personal_columns(["姓名", "title", "Contact Phone", "ФИО", "company_name"])
    {'姓名': 'name', 'Contact Phone': 'phone', 'ФИО': 'name'}
    """
    spec = _personal_columns()
    out: dict[Hashable, str] = {}
    for col in columns:
        header = _norm_header(col)
        if header in spec["never"]:
            continue
        for kind, rule in spec["direct"].items():
            if _matches(header, rule):
                out[col] = kind
                break
    return out


def find_identifier_columns(columns: Iterable[Hashable]) -> list[Hashable]:
    """Record-identifier columns (employee_id, 工号, табельный номер) to pseudonymise.

    Examples
    --------
    >>> find_identifier_columns(["employee_id", "EmployeeNumber", "department"])
    ['employee_id', 'EmployeeNumber']
    """
    spec = _personal_columns()
    return [c for c in columns if _norm_header(c) not in spec["never"] and _matches(_norm_header(c), spec["identifiers"])]


def drop_personal_columns(df: pd.DataFrame, *, keep: Iterable[Hashable] = ()) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns whose header names personal data (names, phones, e-mails, IDs, addresses).

    Call it after the header has been mapped to canonical names: a raw header
    ``name`` is a person in an HR export but a job title on hh.ru, and the
    column mapping knows which.

    Parameters
    ----------
    df : DataFrame
    keep : iterable of column names
        Personal columns the user deliberately keeps (opt-in). Names the
        table lacks are ignored.

    Returns
    -------
    (DataFrame, list of str)
        The table without the personal columns, and the dropped column names
        (for the pipeline manifest).

    Examples
    --------
    >>> df = pd.DataFrame({"姓名": ["张三"], "电话": ["13812345678"], "title": ["客服专员"]})
    >>> out, dropped = drop_personal_columns(df)
    >>> list(out.columns), dropped
    (['title'], ['姓名', '电话'])
    """
    # names in keep= that the table lacks are ignored: the pipeline passes one keep= to every
    # source, and a misspelt name errs on the safe side (the column is dropped)
    keep = set(keep)
    dropped = [c for c in find_personal_columns(df.columns) if c not in keep]
    return df.drop(columns=dropped), [str(c) for c in dropped]


# --------------------------------------------------------------------------- pseudonyms


def _repo_root() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        if (parent / ".git").exists() or (parent / "pyproject.toml").exists():
            return parent
    return None


def _resolve_key(key: str | bytes | None) -> bytes:
    source = "key= argument"
    if key is None and os.environ.get(KEY_ENV):
        key, source = os.environ[KEY_ENV], f"environment variable {KEY_ENV}"
    if key is None and os.environ.get(KEY_FILE_ENV):
        path = Path(os.environ[KEY_FILE_ENV]).expanduser().resolve()
        root = _repo_root()
        if root is not None and path.is_relative_to(root):
            raise PseudonymKeyError(
                f"pseudonym key file {path} (from {KEY_FILE_ENV}) is inside the repository {root}; "
                "keep the key outside any folder that is committed or shared"
            )
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise PseudonymKeyError(f"cannot read pseudonym key file {path} (from {KEY_FILE_ENV}): {exc}") from exc
        source = f"key file {path}"
    if key is None:
        raise PseudonymKeyError(
            "pseudonymise_ids needs a secret key: pass key=..., or set the environment variable "
            f"{KEY_ENV}, or point {KEY_FILE_ENV} at a file outside the repository holding the key "
            "(e.g. python -c \"import secrets; print(secrets.token_hex(32))\" > ~/.csresearch_key)"
        )
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"pseudonym key from {source} is {len(raw)} bytes; use at least {MIN_KEY_BYTES} random bytes "
            "so that pseudonyms cannot be reversed by guessing the key"
        )
    return raw


def _canonical_id(value: object) -> str:
    # 65438, 65438.0 (an int column that picked up a NaN) and "65438" are the same person
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def pseudonymise_ids(
    ids: pd.Series | Iterable[object], *, key: str | bytes | None = None, length: int = 16
) -> pd.Series:
    """Replace identifiers by keyed, stable pseudonyms ``p_<hex>``.

    The pseudonym is HMAC-SHA256(key, id) in hex, truncated to ``length``
    characters. The same id and key always give the same pseudonym (runs and
    machines agree), different keys give unrelated pseudonyms, and without
    the key the mapping cannot be reversed or recomputed, even for small id
    spaces that a plain hash would let anyone enumerate.

    Parameters
    ----------
    ids : Series or list
        Identifiers; ``65438``, ``65438.0`` and ``"65438"`` are one id.
        Missing values stay missing.
    key : str or bytes, optional
        Secret key (at least 16 bytes). Default: environment variable
        ``CSRESEARCH_PSEUDONYM_KEY``, else the contents of the file named by
        ``CSRESEARCH_PSEUDONYM_KEY_FILE`` (which must lie outside the
        repository). There is no built-in default key.
    length : int, default 16
        Hex characters kept (16 = 64 bits: collisions are negligible below
        millions of ids).

    Returns
    -------
    Series
        Same index as ``ids``, dtype ``str``.

    Raises
    ------
    PseudonymKeyError
        No key, a key shorter than 16 bytes, or a key file inside the repository.

    Examples
    --------
    >>> pseudonymise_ids([65438, "65438", None], key="0123456789abcdef-example").tolist()
    ['p_fcaab5196b2e5f0b', 'p_fcaab5196b2e5f0b', nan]
    """
    if not 8 <= length <= 64:
        raise ValueError(f"length must be between 8 and 64 hex characters, got {length}")
    raw_key = _resolve_key(key)
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    present = series[series.notna()]
    canon = present.map(_canonical_id) if len(present) else present.astype(str)
    distinct = pd.unique(canon.to_numpy())
    mapping = {
        v: "p_" + hmac.new(raw_key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for v in distinct
    }
    out = pd.Series(np.nan, index=series.index, dtype=object)
    out[canon.index] = canon.map(mapping).to_numpy()
    return out.astype("str").where(series.notna(), np.nan)


# --------------------------------------------------------------------------- disclosure control


def _is_total_label(value: object) -> bool:
    if not isinstance(value, str):
        return False
    words = re.sub(r"[\s:：,，.。()（）]+", " ", value).strip().lower().split()
    return bool(words) and (words[0] in TOTAL_LABELS or words[-1] in TOTAL_LABELS or "".join(words) in TOTAL_LABELS)


def _warn_unflagged_totals(tbl: pd.DataFrame, dims: list[Hashable], total_flag: str) -> None:
    """A row that reads like a total but is not flagged is published as an ordinary cell: say so."""
    flagged = tbl[total_flag].fillna(False).astype(bool) if total_flag in tbl else pd.Series(False, index=tbl.index)
    for d in dims:
        looks = tbl[d].map(_is_total_label) & ~flagged
        if looks.any():
            warnings.warn(
                f"suppress_small_cells: {d}={tbl.loc[looks, d].iloc[0]!r} reads like a total but {total_flag!r} "
                "is not set; its margin is not protected unless the row is flagged", stacklevel=3)


def _margins(
    tbl: pd.DataFrame, dims: list[Hashable], totals: list[Hashable], total_flag: str
) -> tuple[list[tuple[np.ndarray, int | None]], list[tuple[int, str]]]:
    """Margin equations as (member positions, total-row position or None)."""
    margins: list[tuple[np.ndarray, int | None]] = []
    notes: list[tuple[int, str]] = []
    is_total = tbl[total_flag].fillna(False).astype(bool).to_numpy() if total_flag in tbl else np.zeros(len(tbl), bool)
    cells = np.flatnonzero(~is_total)
    # 1. explicit total rows: members agree with the total row on every dim that is not totalled.
    # A dim is totalled when the flagged row's value is not a value of any cell ("All teams",
    # "Итого:", "合计：", "Grand total", empty): the flag is trusted, the label text is not read.
    cell_values = {d: set(tbl[d].iloc[cells].dropna().tolist()) for d in dims}
    for t in np.flatnonzero(is_total):
        row = tbl.iloc[t]
        fixed = [d for d in dims if not pd.isna(row[d]) and row[d] in cell_values[d]]
        match = np.ones(len(tbl), bool)
        for d in fixed:
            match &= (tbl[d] == row[d]).fillna(False).to_numpy()
        members = np.intersect1d(np.flatnonzero(match), cells)
        if len(members):
            margins.append((members, int(t)))
    # 2. margins published elsewhere: for each dim in totals=, sum over it within the other dims
    for dim in totals:
        others = [d for d in dims if d != dim]
        sub = tbl.iloc[cells]
        groups = sub.groupby(others, dropna=False, sort=False).indices if others else {(): np.arange(len(sub))}
        for key, pos in groups.items():
            members = cells[pos]
            margins.append((members, None))
            if len(members) == 1:
                notes.append((int(members[0]), f"margin over {dim!r} at {key!r} has a single cell: its published total equals it"))
    return margins, notes


def _determined_cells(margins: list[tuple[np.ndarray, int | None]], hidden: np.ndarray, n_cells: int) -> np.ndarray:
    """Hidden cells whose value follows exactly from published cells and margin totals.

    Each margin is a linear equation over cells; restricted to the hidden cells the system
    A x = b pins down x_i exactly when every null-space vector of A has a zero i-th component.
    """
    rows = []
    for members, total_pos in margins:
        row = np.zeros(n_cells)
        row[members] = 1.0
        if total_pos is not None:
            row[total_pos] = -1.0
        rows.append(row)
    hidden_idx = np.flatnonzero(hidden)
    if not rows or not hidden_idx.size:
        return np.array([], dtype=int)
    a = np.array(rows)[:, hidden_idx]
    a = a[np.abs(a).sum(axis=1) > 0]
    if not a.size:
        return np.array([], dtype=int)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * max(s.max(), 1.0)).sum())
    null = vt[rank:].T  # columns span the null space
    norms = np.linalg.norm(null, axis=1) if null.size else np.zeros(len(hidden_idx))
    return hidden_idx[norms < 1e-9]


def suppress_small_cells(
    table: pd.DataFrame,
    *,
    count: str = "n",
    k: int | None = None,
    value_columns: Sequence[Hashable] | None = None,
    totals: Hashable | Sequence[Hashable] | None = None,
    by: Sequence[Hashable] | None = None,
    total_flag: str = "is_total",
) -> pd.DataFrame:
    """Suppress table cells built from fewer than ``k`` respondents, with complementary suppression.

    Algorithm
    ---------
    1. Primary suppression: every row with ``count < k`` (or a missing count)
       has its value columns set to missing, ``suppression='primary'``.
    2. Complementary (secondary) suppression: a table is published with
       margins, each an equation ``total = sum(cells)``. Margins come from
       rows flagged in ``total_flag`` (their members are the rows that agree
       with the total row on every dimension where the total row holds a value
       that some cell holds; any other value, whatever its text - "All teams",
       "Итого:", "合计：", "Grand total" - or an empty one marks a totalled
       dimension; the label text is never read, and an unflagged row that reads
       like a total triggers a warning) and, with
       ``totals=[dim, ...]``, from totals over ``dim`` published elsewhere
       (one margin per combination of the other dimensions). In each margin,
       while exactly one cell is hidden (so it equals the total minus the
       published cells), or the hidden cells add up to fewer than ``k``
       respondents (their sum would be a small cell), the unsuppressed member
       with the smallest count is also hidden (``'secondary'``; ties: first
       row). A margin whose only free cell is its own total row hides that
       row. This repeats over all margins until nothing changes.
    3. Audit: the margins form a linear system; any hidden cell that this
       system still determines exactly (e.g. a hidden cell bridging two
       groups of hidden cells in a two-way table) triggers one more
       secondary suppression, the smallest free cell in its margins, until
       no hidden cell is determined.

    Limits
    ------
    With every published margin declared, no hidden cell can be recovered
    exactly by adding and subtracting published cells and totals (step 3
    checks this by linear algebra, in any number of dimensions). It does not
    protect against: margins that are published but not declared here;
    interval disclosure (non-negativity can still bound a hidden cell
    narrowly; tau-argus or sdcTable solve that with linear programming);
    differencing between tables cut by different groupings or periods; a
    margin with a single cell (nothing in the table can hide it: a warning
    is issued and the publisher must suppress that total). Secondary cells
    are chosen greedily by smallest count, not by minimum information loss,
    and the audit costs one SVD per added cell, fine for published tables
    of up to a few thousand cells.

    Parameters
    ----------
    table : DataFrame
        One row per cell; grouping dimensions either as columns or as a
        (Multi)Index.
    count : str, default "n"
        Column with the number of respondents in the cell.
    k : int, optional
        Minimum cell size; default :func:`csresearch.config.get_min_cell_size`.
    value_columns : list of str, optional
        Columns blanked in suppressed rows. Default: every numeric,
        non-boolean column that is not a dimension, including ``count``
        (a count of 2 is itself disclosive in a frequency table).
    totals : str or list of str, optional
        Dimensions whose totals are published (here or elsewhere).
    by : list of str, optional
        Grouping dimensions. Default: the index levels and the columns that
        are neither numeric value columns nor ``count``/``total_flag``.
    total_flag : str, default "is_total"
        Boolean column marking total rows, if any.

    Returns
    -------
    DataFrame
        A copy with value columns blanked in suppressed rows and two new
        columns, ``suppressed`` (bool) and ``suppression``
        (``'primary'``, ``'secondary'`` or ``''``).

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A", "B", "C", "Total"], "n": [2, 10, 12, 24],
    ...                   "pay_sum": [9e4, 5e5, 6e5, 1.19e6], "is_total": [False, False, False, True]})
    >>> out = suppress_small_cells(t, k=5)
    >>> out["suppression"].tolist(), out["pay_sum"].isna().tolist()
    (['primary', 'secondary', '', ''], [True, True, False, False])
    """
    k = get_min_cell_size() if k is None else int(k)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    index_names = [n for n in table.index.names if n is not None]
    tbl = table.reset_index() if index_names else table.reset_index(drop=True)
    if count not in tbl.columns:
        raise ColumnMappingError(f"suppress_small_cells: count column {count!r} not in {list(tbl.columns)}")
    reserved = {count, total_flag, "suppressed", "suppression"}
    numeric = [c for c in tbl.columns if pd.api.types.is_numeric_dtype(tbl[c]) and not pd.api.types.is_bool_dtype(tbl[c])]
    if by is None:
        value_cols = list(value_columns) if value_columns is not None else [c for c in numeric if c not in index_names and c != total_flag]
        dims = [c for c in tbl.columns if c not in reserved and c not in value_cols]
    else:
        dims = list(by)
        value_cols = list(value_columns) if value_columns is not None else [c for c in numeric if c not in dims and c != total_flag]
    missing = [c for c in [*dims, *value_cols] if c not in tbl.columns]
    totals_list = [] if totals is None else [totals] if isinstance(totals, (str, int)) else list(totals)
    missing += [d for d in totals_list if d not in dims]
    if missing:
        raise ColumnMappingError(f"suppress_small_cells: column(s) {missing} not among dimensions {dims} / columns {list(tbl.columns)}")

    n = pd.to_numeric(tbl[count], errors="coerce").to_numpy(dtype=float)
    primary = ~(n >= k)  # NaN counts cannot be checked, so they are hidden
    hidden = primary.copy()
    _warn_unflagged_totals(tbl, dims, total_flag)
    margins, notes = _margins(tbl, dims, totals_list, total_flag)
    n_for_choice = np.where(np.isnan(n), np.inf, n)
    changed = True
    while changed:
        changed = False
        for members, total_pos in margins:
            cells = members if total_pos is None else np.append(members, total_pos)
            n_hidden = hidden[cells].sum()
            if n_hidden == 0:
                continue
            hidden_members = members[hidden[members]]
            small_sum = len(hidden_members) > 0 and np.nansum(n[hidden_members]) < k
            if n_hidden >= 2 and not small_sum:
                continue
            free = members[~hidden[members]]
            if len(free):
                pick = free[np.argmin(n_for_choice[free])]
            elif total_pos is not None and not hidden[total_pos]:
                pick = total_pos
            else:
                continue
            hidden[pick] = True
            changed = True
    # audit: the per-margin rule can leave a hidden cell pinned down by a combination of
    # margins (a "bridge" between two groups of hidden cells); hide more until none is
    while (pinned := _determined_cells(margins, hidden, len(tbl))).size:
        cell = pinned[0]
        free = np.unique(np.concatenate([m[~hidden[m]] for m, t in margins if cell in m or cell == t] or [np.array([], int)]))
        if not free.size:
            break
        hidden[free[np.argmin(n_for_choice[free])]] = True
    for pos, note in notes:
        if hidden[pos]:
            warnings.warn(f"suppress_small_cells: {note}; suppress that total where it is published", stacklevel=2)

    out = tbl.copy()
    for col in value_cols:
        # integer counts stay integers (nullable) instead of turning into floats
        col_values = out[col].astype("Int64") if pd.api.types.is_integer_dtype(out[col]) else out[col]
        out[col] = col_values.mask(hidden)
    out["suppressed"] = hidden
    out["suppression"] = np.where(primary, "primary", np.where(hidden, "secondary", ""))
    out["suppression"] = out["suppression"].astype("str")
    if index_names:
        out = out.set_index(index_names)
    else:
        out.index = table.index
    return out


def check_min_cell(table: pd.DataFrame, *, count: str = "n", k: int | None = None) -> pd.DataFrame:
    """Raise if a published (not suppressed) cell holds fewer than ``k`` respondents.

    Rows with ``suppressed=True`` are not published. A published row whose
    count is missing cannot be checked and also fails.

    Returns
    -------
    DataFrame
        ``table`` unchanged, so the call can sit in a chain.

    Raises
    ------
    DisclosureError
        Naming the offending rows.

    Examples
    --------
    >>> check_min_cell(pd.DataFrame({"n": [7, 12]}), k=5)["n"].tolist()
    [7, 12]
    """
    k = get_min_cell_size() if k is None else int(k)
    if count not in table.columns:
        raise ColumnMappingError(f"check_min_cell: count column {count!r} not in {list(table.columns)}")
    published = ~table["suppressed"].fillna(False).astype(bool) if "suppressed" in table.columns else pd.Series(True, index=table.index)
    n = pd.to_numeric(table[count], errors="coerce")
    bad = published & ~(n >= k)
    if bad.any():
        shown = table.loc[bad].head(5)
        raise DisclosureError(
            f"{int(bad.sum())} published cell(s) have {count} < {k} (minimum cell size) or no count; "
            f"suppress them with suppress_small_cells first. First rows:\n{shown.to_string()}"
        )
    return table


# --------------------------------------------------------------------------- several tables from one data set


def _in_row_space(basis: np.ndarray, vec: np.ndarray) -> bool:
    """True if ``vec`` is a linear combination of the published equations (orthonormal ``basis`` rows)."""
    if not basis.size:
        return False
    resid = vec - basis.T @ (basis @ vec)
    return bool(np.linalg.norm(resid) < 1e-7 * max(1.0, np.linalg.norm(vec)))


def _orthonormal_rows(a: np.ndarray) -> np.ndarray:
    if not a.size:
        return np.zeros((0, a.shape[1] if a.ndim == 2 else 0))
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    rank = int((s > 1e-9 * max(s.max(), 1.0)).sum())
    return vt[:rank]


def audit_published_tables(
    df: pd.DataFrame,
    tables: dict[str, tuple[Sequence[Hashable], pd.Series | None]],
    *,
    k: int | None = None,
    total_published: bool = True,
) -> dict[str, pd.DataFrame]:
    """Suppress cells of several count tables cut from the same rows so none can be recovered.

    Every table counts rows of ``df`` by its own grouping (``country × level``,
    ``country × city``, ...). Each published cell is a linear equation in the counts of
    the finest cross-classification; an attacker who adds and subtracts cells of ANY set of
    the published tables (and the grand total, with ``total_published=True``) learns
    exactly the combinations in the span of those equations. A hidden cell is disclosed
    when its own equation lies in that span, and so is a group of hidden cells of one table
    whose sum is below ``k``. This function:

    1. hides every cell with fewer than ``k`` rows (``'primary'``);
    2. while some hidden cell (or a table's hidden cells together, when they hold fewer
       than ``k`` rows) is in the span of the published cells, hides the smallest
       published cell that overlaps it, in any table (``'secondary'``).

    Parameters
    ----------
    df : DataFrame
        The rows the tables are computed from (one row per respondent).
    tables : dict
        ``name -> (by, mask)``: grouping columns and an optional boolean Series selecting
        the rows that table uses (e.g. rows with a value); ``None`` uses every row.
    k : int, optional
        Minimum cell size (rows); default :func:`csresearch.config.get_min_cell_size`.
    total_published : bool, default True
        Treat the number of rows of each table as known (manifests publish row counts).

    Returns
    -------
    dict of DataFrame
        Per table, one row per cell in ``groupby(by, sort=True, dropna=False)`` order with
        the ``by`` columns, ``n_rows`` and ``suppression`` (``'primary'``,
        ``'secondary'`` or ``''``).

    Examples
    --------
    >>> d = pd.DataFrame({"country": ["A"] * 12 + ["B"] * 6, "city": ["a1"] * 10 + ["a2"] * 2 + ["b1"] * 6})
    >>> out = audit_published_tables(d, {"by_country": (["country"], None), "by_city": (["country", "city"], None)}, k=5)
    >>> out["by_city"]["suppression"].tolist(), out["by_country"]["suppression"].tolist()
    (['secondary', 'primary', ''], ['', ''])
    """
    k = get_min_cell_size() if k is None else int(k)
    names = list(tables)
    masks = {n: (pd.Series(True, index=df.index) if m is None else m.reindex(df.index).fillna(False).astype(bool))
             for n, (_, m) in tables.items()}
    dims = list(dict.fromkeys(d for by, _ in tables.values() for d in by))
    key = df[dims].copy() if dims else pd.DataFrame(index=df.index)
    for n in names:
        key[f"__in_{n}"] = masks[n].to_numpy()
    fine = key.groupby(list(key.columns), sort=True, dropna=False, observed=True).ngroup().to_numpy()
    n_fine = int(fine.max()) + 1 if len(fine) else 0
    fine_count = np.bincount(fine, minlength=n_fine).astype(float) if n_fine else np.zeros(0)

    cells: list[tuple[str, int]] = []
    vectors: list[np.ndarray] = []
    frames: dict[str, pd.DataFrame] = {}
    for n in names:
        by = list(tables[n][0])
        rows = df.loc[masks[n].to_numpy()]
        grouped = rows.groupby(by, sort=True, dropna=False, observed=True)
        codes = grouped.ngroup().to_numpy()
        frame = grouped.size().rename("n_rows").reset_index()
        for c in range(len(frame)):
            vec = np.zeros(n_fine)
            vec[np.unique(fine[masks[n].to_numpy()][codes == c])] = 1.0
            cells.append((n, c))
            vectors.append(vec)
        frames[n] = frame
    if not cells:
        return {n: f.assign(suppression=pd.Series(dtype="str")) for n, f in frames.items()}
    a = np.array(vectors)
    counts = a @ fine_count
    primary = counts < k
    hidden = primary.copy()
    totals = [np.isin(np.arange(n_fine), np.unique(fine[masks[n].to_numpy()])).astype(float) for n in names] if total_published else []
    table_of = np.array([names.index(t) for t, _ in cells])

    def span(hide: np.ndarray) -> np.ndarray:
        return _orthonormal_rows(np.vstack([a[~hide], *[t[None, :] for t in totals]]))

    def disclosed(hide: np.ndarray) -> np.ndarray | None:
        """The equation of a hidden cell (or small hidden group) an attacker can recover, if any."""
        basis = span(hide)
        for i in np.flatnonzero(hide):
            if _in_row_space(basis, a[i]):
                return a[i]
        for t in range(len(names)):
            group = np.flatnonzero(hide & (table_of == t))
            if len(group) > 1 and counts[group].sum() < k and _in_row_space(basis, a[group].sum(axis=0)):
                return a[group].sum(axis=0)
        return None

    while (target := disclosed(hidden)) is not None:
        # hide the smallest published cell whose removal takes the target out of the span;
        # cells that overlap it are tried first (they are the usual complements)
        free = np.flatnonzero(~hidden)
        near = (a[free] @ target) > 0
        order = np.concatenate([free[near][np.argsort(counts[free[near]], kind="stable")],
                                free[~near][np.argsort(counts[free[~near]], kind="stable")]])
        for cand in order:
            trial = hidden.copy()
            trial[cand] = True
            if not _in_row_space(span(trial), target):
                hidden[cand] = True
                break
        else:
            warnings.warn("audit_published_tables: a hidden cell is pinned down by the published totals alone; "
                          "do not publish those totals", stacklevel=2)
            break
    for n in names:
        idx = [i for i, (t, _) in enumerate(cells) if t == n]
        frames[n]["suppression"] = np.where(primary[idx], "primary", np.where(hidden[idx], "secondary", ""))
        frames[n]["suppression"] = frames[n]["suppression"].astype("str")
    return frames

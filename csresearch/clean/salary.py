"""Parse free-text pay statements (Chinese, Russian, English, German, French).

One public function, :func:`parse_salaries`, turns strings such as
``"4.5-6千/月"``, ``"от 50 000 до 150 000 руб. на руки"``, ``"£18k-£22k"`` or
``"2.500 € brutto/Monat"`` into amounts, currency, period, months of pay per
year, gross/net basis and monthly/annual equivalents.

Design
------
* The text is read once per *distinct* string (real columns repeat heavily):
  values are factorised together with the row's country, currency and default
  period, each distinct combination is resolved once, and the results are
  taken back to the rows.
* Words, symbols, units and conventions live in
  ``csresearch/reference/salary_lexicon.yaml``; working-time constants per
  country in ``csresearch/reference/working_time.csv`` (sources in
  ``csresearch/reference/sources/salary.md``). Both are loaded once.
* Only the first amount expression of a text is read (a single amount or a
  range); later numbers are usually restatements, bonus sizes or on-target
  earnings and are reported through ``flags`` rather than mixed in.
* The parser never rejects an amount for its size; plausibility is the
  pipeline's decision and ``monthly_low``/``monthly_high`` are there for it.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from csresearch.errors import ReferenceDataError

__all__ = ["parse_salaries", "PERIODS", "OUTPUT_COLUMNS"]

PERIODS = ("hour", "day", "week", "month", "year")
_FLOAT_COLUMNS = frozenset(
    {"low", "high", "months_per_year", "monthly_low", "monthly_high", "annual_low", "annual_high"}
)
OUTPUT_COLUMNS = (
    "status", "reason", "low", "high", "currency", "period", "months_per_year", "basis",
    "monthly_low", "monthly_high", "annual_low", "annual_high", "flags",
)

# Letters that bound a word; CJK characters are deliberately absent because
# Chinese has no spaces ("8千以上", "税后3500起").
_L = "a-zа-яёàâäçéèêëîïôöùûüÿœæßáíóúñãõåøąćęłńśźżčďěňřšťůýžőűğışіїєґәғқңөұүһ"
_LETTERS = re.compile(f"[{_L}\u4e00-\u9fff]")  # compiled once: re's own cache can be evicted
_DASHES = re.compile("[\u2010-\u2015\u2212\u2043\u301c\u30fc\uff5e~〜]")
_SPACES = re.compile(r"\s+")
_NOT_PAY_REASON = {
    "date": "looks like a date, not pay",
    "phone": "looks like a phone number, not pay",
    "experience": "looks like years of experience, not pay",
    "identifier": "looks like an identifier, not pay",
}


def _reference_path(name: str):
    return resources.files("csresearch") / "reference" / name


@functools.cache
def _lexicon() -> dict[str, Any]:
    path = _reference_path("salary_lexicon.yaml")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - packaging error
        raise ReferenceDataError(f"cannot read salary lexicon {path}: {exc}") from exc


@functools.cache
def _working_time() -> pd.DataFrame:
    path = _reference_path("working_time.csv")
    table = pd.read_csv(path, dtype={"country": str}).set_index("country")
    if "DEFAULT" not in table.index:  # pragma: no cover - packaging error
        raise ReferenceDataError(f"{path} has no DEFAULT row")
    return table


@functools.cache
def _working_time_rows() -> dict[str, dict[str, float]]:
    return _working_time().drop(columns="source_key").to_dict(orient="index")


def _wrap(pattern: str) -> str:
    """Give a lexicon entry word boundaries where it starts/contains letters."""
    left = f"(?<![{_L}])" if re.match(f"[{_L}]", pattern) else ""
    right = f"(?![{_L}])" if re.search(f"[{_L}]", pattern) else ""
    return f"{left}(?:{pattern}){right}"


def _first_char(pattern: str) -> str | None:
    """The literal first character of a pattern as a class item, or None if not literal."""
    if pattern.startswith("\\d"):
        return "0-9"
    if pattern.startswith("\\"):
        return re.escape(pattern[1]) if len(pattern) > 1 and not pattern[1].isalnum() else None
    if not pattern or pattern[0] in "([.^$|?*+{":
        return None
    return re.escape(pattern[0])


def _alt(patterns: Sequence[str]) -> str:
    # Longest first, so that "per annum" wins over "pa" and "美元" over "元".
    body = "|".join(_wrap(p) for p in sorted(patterns, key=len, reverse=True))
    firsts = [_first_char(p) for p in patterns]
    if all(firsts):
        # A one-character lookahead lets the engine skip most positions
        # without trying every alternative (about 5x faster on long lists).
        return f"(?=[{''.join(sorted(set(firsts)))}])(?:{body})"
    return f"(?:{body})"


def _guard(parts: list[str], patterns: list[str]) -> str:
    """Join named alternatives behind one first-character lookahead when possible."""
    firsts = [_first_char(p) for p in patterns]
    body = "|".join(parts)
    return f"(?=[{''.join(sorted(set(firsts)))}])(?:{body})" if all(firsts) else body


@dataclass(frozen=True)
class _Grammar:
    """Regular expressions compiled once from the lexicon."""

    number: re.Pattern
    unit_value: dict[str, float]
    unit_of: dict[str, tuple[float, str | None]]
    unit_groups: list[tuple[str, float, str | None]]
    currency: re.Pattern
    currency_groups: list[str]
    period: re.Pattern
    period_groups: list[str]
    basis: re.Pattern
    negotiable: re.Pattern
    bonus_months: list[re.Pattern]
    bonus_months_monthly: list[re.Pattern]
    placeholder: re.Pattern
    list_wrapped: re.Pattern
    ignore: re.Pattern
    ignore_trigger: re.Pattern
    pay_words: re.Pattern
    base: re.Pattern
    extras: re.Pattern
    ote: re.Pattern
    approx_before: re.Pattern
    approx_after: re.Pattern
    lower_before: re.Pattern
    upper_before: re.Pattern
    after_bound: re.Pattern
    range_gap: re.Pattern
    open_gap: re.Pattern
    not_pay: list[tuple[str, re.Pattern]]
    script: list[tuple[str, re.Pattern]]


@functools.cache
def _grammar() -> _Grammar:
    lex = _lexicon()
    # Units: one named group per multiplier, so the match says which.
    unit_groups: list[tuple[str, float, str | None]] = []
    unit_parts = []
    for i, (key, pats) in enumerate(lex["units"].items()):
        value, _, cur = str(key).partition("_")
        name = f"u{i}"
        unit_groups.append((name, float(value), cur.upper() or None))
        unit_parts.append(f"(?P<{name}>{_alt(pats)})")
    unit = "|".join(unit_parts)
    # A number: either thousands-grouped ("80 000", "15,000", "3.350 000",
    # "65,000.00") or plain with an optional decimal part ("6,08", "4.5").
    # Also Indian lakh grouping ("6,00,000") and the Swiss apostrophe ("100'000").
    number = re.compile(
        r"(?<![\d.,'’])(?:(?P<grp>\d{1,2}(?:,\d{2})+,\d{3}(?![\d])|\d{1,3}(?:[ .,'’]\d{3})+)"
        r"(?:[.,](?P<gdec>\d{1,2}))?(?![\d])"
        r"|(?P<plain>\d+(?:[.,]\d+)?))"
        rf"(?:\s?(?:{unit}))?"
    )
    cur_groups, cur_parts = [], []
    for i, (iso, pats) in enumerate(lex["currencies"].items()):
        cur_groups.append(iso)
        cur_parts.append(f"(?P<c{i}>{_alt(pats)})")
    # One group for the other ISO codes; "=" means the matched code is the currency.
    cur_groups.append("=")
    cur_parts.append(f"(?P<c{len(cur_groups) - 1}>{_alt([c.lower() for c in lex['other_iso_codes']])})")
    for j, sym in enumerate(lex["ambiguous"]):
        cur_groups.append("?" + sym)
        cur_parts.append(f"(?P<c{len(cur_groups) - 1}>{_wrap(sym)})")
    currency_alt = _guard(
        cur_parts,
        [p for pats in lex["currencies"].values() for p in pats]
        + [c.lower() for c in lex["other_iso_codes"]] + list(lex["ambiguous"]),
    )
    period_groups, period_parts = [], []
    for i, (per, pats) in enumerate(lex["periods"].items()):
        period_groups.append(per)
        period_parts.append(f"(?P<p{i}>{_alt(pats)})")
    period_alt = _guard(period_parts, [p for pats in lex["periods"].values() for p in pats])
    # Between two amounts a code that is also a word needs no amount next to it (the amounts
    # are the context): its adjacency look-arounds are dropped for range gaps and fillers.
    cur_plain = "|".join(
        [_alt(sorted({re.sub(r"\(\?<?=[^)]*\)", "", q) for q in p})) for p in lex["currencies"].values()]
        + [_alt([c.lower() for c in lex["other_iso_codes"]])] + [_wrap(a) for a in lex["ambiguous"]]
    )
    per_plain = "|".join(_alt(p) for p in lex["periods"].values())
    filler = rf"(?:{cur_plain}|{per_plain}|{_alt(lex['range_filler'])}|[.:,/])"
    bound_after = (
        rf"^\s*(?:{filler}\s*)*(?:(?P<lo>{_alt(lex['lower_after'])})|(?P<hi>{_alt(lex['upper_after'])}))"
    )
    for pattern in (number.pattern, currency_alt, period_alt):
        # The parser reads which alternative matched from `lastgroup`, which
        # names the outer group only if lexicon entries add no groups of their own.
        compiled = re.compile(pattern)
        if compiled.groups != len(compiled.groupindex):  # pragma: no cover - lexicon error
            raise ReferenceDataError("salary lexicon: use (?:...) not (...) in units, currencies and periods")
    return _Grammar(
        number=number,
        unit_value={name: v for name, v, _ in unit_groups},
        unit_of={name: (v, cur) for name, v, cur in unit_groups},
        unit_groups=unit_groups,
        currency=re.compile(currency_alt),
        currency_groups=cur_groups,
        period=re.compile(period_alt),
        period_groups=period_groups,
        basis=re.compile(f"(?P<net>{_alt(lex['basis']['net'])})|(?P<gross>{_alt(lex['basis']['gross'])})"),
        negotiable=re.compile(_alt(lex["negotiable"])),
        bonus_months=[re.compile(p) for p in lex["bonus_months"]],
        bonus_months_monthly=[re.compile(p) for p in lex["bonus_months_monthly"]],
        placeholder=re.compile("^(?:" + "|".join(lex["placeholders"]) + ")$"),
        list_wrapped=re.compile(lex["list_wrapped"]),
        # Spans that start with a number may only start where a number starts.
        ignore=re.compile("|".join(
            f"(?<![\\d.,])(?:{p})" if p.startswith("\\d") else f"(?:{p})" for p in lex["ignore_spans"]
        )),
        ignore_trigger=re.compile("|".join(lex["ignore_triggers"])),
        pay_words=re.compile(_alt(lex["pay_words"])),
        base=re.compile(_alt(lex["base_words"])),
        extras=re.compile(_alt(lex["extras_words"])),
        ote=re.compile(_alt(lex["ote_words"])),
        approx_before=re.compile(rf"(?:{_alt(lex['approx_words'])})\s*(?:{cur_plain})?\s*$"),
        approx_after=re.compile(rf"^\s*(?:{cur_plain})?\s*(?:{_alt(lex['approx_words'])})"),
        lower_before=re.compile(rf"(?:{_alt(lex['lower_before'])})\s*(?:{cur_plain})?\s*$"),
        upper_before=re.compile(rf"(?:{_alt(lex['upper_before'])})\s*(?:{cur_plain})?\s*$"),
        after_bound=re.compile(bound_after),
        range_gap=re.compile(
            rf"^\s*(?:{filler}\s*)*(?:{_alt(lex['range_words'])})\s*(?:(?:{cur_plain}|up\s?to)\s*)*$"
        ),
        open_gap=re.compile(
            rf"^\s*(?:{filler}\s*)*(?:-|to|до)\s*(?:{_alt(lex['negotiable'])})"
        ),
        not_pay=[(kind, re.compile("|".join(f"(?:{p})" for p in pats))) for kind, pats in lex["not_pay"].items()],
        script=[(iso, re.compile(p)) for iso, p in lex["script_currency"].items()],
    )


def _normalise(text: str) -> str:
    # NFKC folds full-width digits/punctuation and the exotic spaces
    # (U+00A0, U+2009, U+202F) into ASCII; casefold makes the lexicon
    # case-insensitive without per-pattern flags.
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _DASHES.sub("-", t)
    # str.split() splits on exactly the characters re's \s matches (str.isspace),
    # so this equals re.sub(r"\s+", " ", t).strip() at a fifth of the cost.
    return " ".join(t.split())


def _number_value(m: re.Match, gram: _Grammar) -> tuple[float, float | None, str | None]:
    """Value of a number match, its unit multiplier and any currency the unit implies."""
    # The unit groups come last in the pattern, so a matched unit is the last group.
    mult, unit_cur = gram.unit_of.get(m.lastgroup, (None, None))
    return _digits_value(*m.group("grp", "gdec", "plain"), mult), mult, unit_cur


_GROUP_SEPS = re.compile(r"[ .,'’]")
_COMMA_THOUSANDS = re.compile(r"\d{1,3},\d{3}")


def _digits_value(grp: str | None, gdec: str | None, plain: str | None, mult: float | None) -> float:
    """Value of a number's digits: thousands-grouped (``grp`` and decimals ``gdec``) or ``plain``."""
    if grp is None:
        return float(plain.replace(",", "."))
    seps = {c for c in " .,'’" if c in grp}  # the separators _GROUP_SEPS finds
    # ...but before 万/만 (and larger) a comma groups thousands: "3,500만원" is 35 000 000.
    grouped = mult is not None and mult >= 10000 and _COMMA_THOUSANDS.fullmatch(grp) is not None
    if mult is not None and not grouped and len(seps) == 1 and seps <= {".", ","} and grp.count(seps.pop()) == 1:
        # "1.500k" or "1,5 тыс": before a multiplier a lone separator is decimal.
        return float(grp.replace(",", "."))
    value = float(_GROUP_SEPS.sub("", grp))
    if gdec:
        value += float("0." + gdec)
    return value


@dataclass
class _TextResult:
    status: str
    reason: str = ""
    low: float = math.nan
    high: float = math.nan
    currency: str | None = None  # ISO code, "?<symbol>" when ambiguous, None when silent
    script_currency: str | None = None
    period: str | None = None
    months_per_year: float = 12.0
    basis: str = "unknown"
    flags: tuple[str, ...] = ()
    has_unit: bool = False  # a multiplier (千, k, 万, lakh...) was written


def _prelude(text: str) -> tuple[str, _TextResult | None, list[str], float, bool]:
    """Normalise and strip what is read before the amounts.

    Returns the text left to read, an early result (missing / not pay) or None,
    the flags so far, the months per year and whether ``·N薪`` fixed the period.
    """
    gram = _grammar()
    t = _normalise(text)
    wrapped = gram.list_wrapped.match(t)
    if wrapped:  # "['1-1.5万/月']" as a scraper stored it
        t = wrapped.group(1).strip()
    if not t:
        return t, _TextResult("missing", "empty text"), [], 12.0, False
    if gram.placeholder.match(t):
        return t, _TextResult("missing", f"scraper placeholder {t!r}"), [], 12.0, False
    for kind, pattern in gram.not_pay:
        if pattern.search(t):
            return t, _TextResult("unparsed", _NOT_PAY_REASON.get(kind, f"not pay ({kind})")), [], 12.0, False
    flags: list[str] = []
    mpy = 12.0
    monthly = False
    least = float(_lexicon()["bonus_months_min"])  # "00薪" is no count of pays (and 1/0 a year)
    for pattern in gram.bonus_months_monthly:
        m = next((m for m in pattern.finditer(t) if float(m.group(1)) >= least), None)
        if m:
            mpy, monthly = float(m.group(1)), True
            flags.append("bonus_months")
            t = t[: m.start()] + " " + t[m.end():]
            break
    for pattern in gram.bonus_months if not monthly else ():
        m = next((m for m in pattern.finditer(t) if float(m.group(1)) >= least), None)
        if m:
            mpy = float(m.group(1))
            flags.append("bonus_months")
            t = t[: m.start()] + " " + t[m.end():]
            break
    if gram.ignore_trigger.search(t):
        t = gram.ignore.sub(" ", t)
    return t, None, flags, mpy, monthly


@dataclass(frozen=True)
class _Words:
    """What the words of a text say, given where its numbers are.

    Nothing here depends on the digits themselves, so texts that differ only
    in their numbers share one ``_Words`` (see ``salary_shapes``).
    """

    early: _TextResult | None  # no amount: negotiable or unparsed
    is_range: bool
    bound: str | None  # single amount: "low_only", "high_only" or None
    approx: bool
    context: bool  # a currency, period, pay, basis, base or extras word
    letters: bool
    negotiable: bool
    currency: str | None
    script: str | None
    period: str | None
    basis: str
    base_only: bool
    ote: bool
    plus_extras: bool


def _words(t: str, nums: list[re.Match]) -> _Words:
    """Read the words of ``t`` around its number matches ``nums``."""
    gram = _grammar()
    negotiable = gram.negotiable.search(t) is not None
    if not nums:
        early = _TextResult("negotiable", "pay to be agreed") if negotiable else _TextResult(
            "unparsed", "no amount found")
        return _Words(early, False, None, False, False, False, negotiable, None, None, None, "unknown",
                      False, False, False)
    first = nums[0]
    is_range = len(nums) > 1 and gram.range_gap.match(t[first.end(): nums[1].start()]) is not None
    last = nums[1] if is_range else first
    prefix, rest = t[: first.start()], t[last.end():]
    bound, approx, context, letters = None, False, False, False
    if not is_range:
        after = gram.after_bound.match(rest)
        if gram.upper_before.search(prefix):
            bound = "high_only"
        elif gram.lower_before.search(prefix):
            bound = "low_only"
        elif gram.open_gap.match(rest):
            bound = "low_only"  # "35,000 to Negotiable per year"
        elif after is not None:
            bound = "low_only" if after.group("lo") is not None else "high_only"
            rest = rest[after.end():]
        approx = gram.approx_before.search(prefix) is not None or gram.approx_after.match(rest) is not None
        context = any(
            p.search(t) for p in (gram.currency, gram.period, gram.pay_words, gram.basis, gram.base, gram.extras)
        )
        letters = _LETTERS.search(t) is not None
    cur_m = gram.currency.search(t)
    currency = None
    if cur_m is not None:
        # Only the c<i> groups are capturing, so the matched one is the last group.
        currency = gram.currency_groups[int(cur_m.lastgroup[1:])]
        if currency == "=":
            currency = cur_m.group(0).upper()
        if currency.startswith("?"):
            currency = _resolve_by_code(t, currency, gram)
    script = next((iso for iso, p in gram.script if p.search(t)), None)
    per_m = gram.period.search(t)
    period = None if per_m is None else gram.period_groups[int(per_m.lastgroup[1:])]
    basis_m = gram.basis.search(t)
    basis = "unknown" if basis_m is None else ("net" if basis_m.group("net") else "gross")
    return _Words(None, is_range, bound, approx, context, letters, negotiable, currency, script, period, basis,
                  gram.base.search(t) is not None, gram.ote.search(t) is not None,
                  gram.extras.search(rest) is not None)


def _assemble(
    w: _Words, first: tuple, second: tuple | None, top: str, flags: list[str], mpy: float, monthly: bool
) -> _TextResult:
    """Combine the words with the values of the first one or two numbers.

    ``first`` and ``second`` are ``_number_value`` tuples (``second`` only for a
    range); ``top`` is the text of the range's second number.
    """
    if w.early is not None:
        return w.early
    flags = list(flags)
    v1, m1, c1 = first
    v2, m2, c2 = second if w.is_range else (math.nan, None, None)
    open_top = False
    if w.is_range and m1 is None and m2 is None:
        code = _range_code(v1, v2, top)
        if isinstance(code, _TextResult):
            return code
        open_top = code == "open"
    if w.is_range:
        # A multiplier written once covers both ends: "4.5-6千", "18 - 28K", "0.2-0.1千"; but not
        # a lower end already written in full ("$5500 - $8k" is 5 500 - 8 000, "80000-12万").
        if m1 is None and m2 is not None and not (v1 >= m2 and v1 > v2):
            m1 = m2
        elif m2 is None and m1 is not None and v2 < v1 * m1:
            m2 = m1
        if m1 is None and m2 is None:
            sh = _lexicon()["shorthand_thousands"]
            if v1 < sh["factor"] <= v2 and sh["min_ratio"] <= v1 * sh["factor"] / v2 <= 1:
                v1 *= sh["factor"]  # "30-45000" is 30 000 - 45 000
                flags.append("shorthand_thousands")
        v2 *= m2 or 1.0
    v1 *= m1 or 1.0
    if not (math.isfinite(v1) and (not w.is_range or math.isfinite(v2))):
        return _TextResult("unparsed", "number too long to be an amount")
    low, high = v1, v2 if w.is_range else v1
    if open_top:
        high = math.nan  # "25000-99999999"
        flags.append("open_sentinel")
    elif w.is_range:
        if low > high:
            low, high = high, low
            flags.append("swapped")
    else:
        if w.bound == "high_only":
            low = math.nan
        elif w.bound == "low_only":
            high = math.nan
        if w.approx:
            flags.append("approx")
        # A lone number in words with no sign of pay is a count, a level, a room...
        has_context = (w.context or m1 is not None or w.negotiable or len(flags) > 0
                       or math.isnan(low) or math.isnan(high))
        if not has_context and w.letters:
            return _TextResult("unparsed", "a number without any pay context")
    currency = c1 or c2 or w.currency
    period = w.period or ("month" if monthly else None)
    if w.negotiable:
        flags.append("negotiable")
    if w.base_only:
        flags.append("base_only")
    if w.ote:
        flags.append("ote")
    if w.plus_extras:
        flags.append("plus_extras")
    return _TextResult(
        "ok", "", low, high, currency, w.script, period, mpy, w.basis, tuple(dict.fromkeys(flags)),
        has_unit=m1 is not None or m2 is not None,
    )


def _parse_text(text: str) -> _TextResult:
    """Read one distinct salary string (no country/currency context yet)."""
    t, early, flags, mpy, monthly = _prelude(text)
    if early is not None:
        return early
    gram = _grammar()
    nums = list(gram.number.finditer(t))
    w = _words(t, nums)
    if w.early is not None:
        return w.early
    second, top = (_number_value(nums[1], gram), nums[1].group(0)) if w.is_range else (None, "")
    return _assemble(w, _number_value(nums[0], gram), second, top, flags, mpy, monthly)


def _resolve_by_code(t: str, symbol: str, gram: _Grammar) -> str:
    """An ambiguous sign ("$") named elsewhere by an unambiguous currency ("USD") that it can be."""
    candidates = _lexicon()["ambiguous"][symbol[1:]]["candidates"]
    for m in gram.currency.finditer(t):
        iso = gram.currency_groups[int(m.lastgroup[1:])]  # only the c<i> groups capture
        iso = m.group(0).upper() if iso == "=" else iso
        if not iso.startswith("?") and iso in candidates:
            return iso
    return symbol


@functools.cache
def _open_sentinel() -> re.Pattern:
    return re.compile(_lexicon()["open_upper_sentinel"])


def _range_code(v1: float, v2: float, top: str) -> _TextResult | str | None:
    """Database codes in a unitless range: "open" for a nines sentinel top, a result for 0/1 codes."""
    lex = _lexicon()
    if _open_sentinel().fullmatch(top.strip().replace(" ", "").replace(",", "").replace(".", "")):
        return "open"  # "25000-99999999": no upper limit
    floor = float(lex["placeholder_floor_max"])
    if v1 <= floor:
        if v2 <= floor:
            return _TextResult("missing", "range code for no salary given (0-1)")
        return _TextResult("unparsed", f"range floor {v1:g} is a placeholder, not pay")
    return None


def cur_symbol(res: _TextResult) -> str:
    return (res.currency or "?")[1:].replace("\\", "")


@functools.cache
def _country_currency() -> dict[str, str]:
    """Default currency of each country (reference/country_money.csv)."""
    with _reference_path("country_money.csv").open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return dict(zip(table["country"], table["currency"]))


@functools.cache
def _period_bands(currency: str) -> list:
    """Magnitude bands of a currency: listed in the lexicon, else the base row scaled by PPP."""
    lex = _lexicon()
    table = lex["period_by_magnitude"]
    if currency in table:
        return table[currency]
    scale = _ppp_scale(currency)
    if scale is None:
        return table["DEFAULT"]
    return [[float(b) * scale, p] for b, p in lex["period_by_magnitude_ppp_base"]]


@functools.cache
def _latest_ppp() -> dict[str, pd.DataFrame]:
    """Each country's latest row of reference/ppp.csv, by currency.

    Read and grouped once: reading the file again for every currency cost ~15 ms a currency."""
    with _reference_path("ppp.csv").open("r", encoding="utf-8") as fh:
        ppp = pd.read_csv(fh, dtype={"country": str, "currency": str})
    latest = ppp.sort_values("year").groupby("country").tail(1)
    return {cur: rows for cur, rows in latest.groupby("currency", sort=False)}


@functools.cache
def _fx_rates() -> pd.DataFrame:
    """reference/fx_rates.csv (PA.NUS.FCRF, LCU per USD), read once."""
    with _reference_path("fx_rates.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"currency": str})


@functools.cache
def _fx_series() -> dict[str, pd.Series]:
    """The PA.NUS.FCRF rates of each currency, indexed by year."""
    return {cur: rows.set_index("year")["value"] for cur, rows in _fx_rates().groupby("currency", sort=False)}


@functools.cache
def _ppp_scale(currency: str) -> float | None:
    """Latest private-consumption PPP of a currency (median over its countries); None if absent."""
    if currency == "USD":
        return 1.0
    rows = _latest_ppp().get(currency)
    if rows is None:
        return None
    scale, year = float(rows["value"].median()), int(rows["year"].max())
    # A PPP series that stops early (AR 2021, RU 2021) is carried forward with the exchange rate
    # (relative PPP), else the bands of a high-inflation currency stay years behind its prices.
    fx = _fx_series().get(currency, pd.Series(dtype=float))
    if year in fx.index and fx.index.max() > year:
        scale *= float(fx.loc[fx.index.max()]) / float(fx.loc[year])
    return scale


def _convention_conflict(res: _TextResult, cur: str, period: str) -> str:
    """Why a bare amount cannot be pay per `period` (the source's convention), or ''."""
    if period not in ("month", "year"):
        return ""
    top = res.low if math.isnan(res.high) else res.high
    floor = float(_lexicon()["convention_floor_ppp"]) * (_ppp_scale(cur) or 1.0)
    if top < floor and not res.has_unit:
        return f"{top:g} {cur} is too small to be {period}ly pay (the source's convention); a unit was probably lost"
    return ""


@functools.cache
def _latest_fx() -> dict[str, float]:
    """Latest PA.NUS.FCRF rate of each currency (LCU per USD)."""
    latest = _fx_rates().sort_values("year").groupby("currency").tail(1)
    return {**dict(zip(latest["currency"], latest["value"].astype(float))), "USD": 1.0}


def _local_scale(cur: str, country: str | None) -> float | None:
    """Units of `cur` per international dollar at the price level of `country` (latest PPP).

    Dollars paid in Armenia buy what AMD buy there: the home currency's PPP times the rate of
    `cur` against it. Without a country (or its rates) the currency's own PPP."""
    home = _country_currency().get(country) if country is not None else None
    fx = _latest_fx()
    if home is None or home == cur or home not in fx or cur not in fx:
        return _ppp_scale(cur)
    home_scale = _ppp_scale(home)
    return None if home_scale is None else home_scale * fx[cur] / fx[home]


def _beyond_any_month(res: _TextResult, cur: str, country: str | None) -> bool:
    """Even the lower bound is more than any monthly wage (``convention_ceiling_ppp``)."""
    scale = _local_scale(cur, country)
    bottom = res.high if math.isnan(res.low) else res.low
    return scale is not None and bottom > float(_lexicon()["convention_ceiling_ppp"]) * scale


def _above_month_band(res: _TextResult, cur: str, period: str) -> bool:
    """A monthly convention applied to an amount that magnitude would call yearly (flag only)."""
    top = res.low if math.isnan(res.high) else res.high
    ceiling = next((float(b) for b, p in _period_bands(cur) if p == "month"), math.inf)
    return period == "month" and top >= ceiling


@functools.cache
def _allowed_bands(currency: str, country: str | None) -> tuple[tuple[float, float, str], ...]:
    """Half-open magnitude bands [low, high) of a currency, kept to the periods the country quotes."""
    bands, lo = [], 0.0
    for bound, period in _period_bands(currency):
        bands.append((lo, float(bound), period))
        lo = float(bound)
    allowed = _lexicon()["quoted_periods"].get(country) if country is not None else None
    if allowed:
        bands = [b for b in bands if b[2] in allowed] or bands
    return tuple(bands)


def _infer_period(amount: float, currency: str, country: str | None = None) -> str:
    """The period whose magnitude band holds `amount`, among the periods the country's ads use.

    Where a country's job ads write pay only per hour or per year (``quoted_periods``), an amount
    in another period's band goes to the nearest allowed band (log distance to its edges).
    """
    bands = _allowed_bands(currency, country)
    for low, high, period in bands:
        if low <= amount < high:
            return period
    amount = max(amount, 1e-9)
    return min(bands, key=lambda b: math.log(b[0] / amount) if amount < b[0] else math.log(amount / b[1]))[2]


def _monthly_factor(period: str, months_per_year: float, wt: dict[str, float]) -> float:
    """Multiply an amount per `period` by this to get an amount per month."""
    # Yearly figures divided by 12, not the rounded monthly columns, so that
    # e.g. a US hourly rate annualises to exactly rate x 2080 (BLS convention).
    if period == "hour":
        return float(wt["hours_per_year"]) / 12.0
    if period == "day":
        return float(wt["days_per_year"]) / 12.0
    if period == "week":
        return float(wt["weeks_per_year"]) / 12.0
    if period == "year":
        return 1.0 / months_per_year
    return 1.0


_NAN6 = (math.nan,) * 6


def _unparsed_row(reason: str) -> tuple:
    return ("unparsed", reason, *_NAN6[:2], None, None, math.nan, None, *_NAN6[:4], "")


def _context(res: _TextResult, country: str | None, currency: str | None) -> tuple:
    """Currency, flags and working time of an ok text in its row's context, or ``(None, row)``.

    Depends on the text's words only, not its amounts, so rows share it (``_finish``'s memo).
    """
    flags = list(res.flags)
    cur = res.currency
    home = _country_currency().get(country) if country is not None else None
    if cur is not None and cur.startswith("?"):
        amb = _lexicon()["ambiguous"][cur[1:]]
        cur = home if home in amb["candidates"] else amb["default"]
        if cur is None:
            return None, _unparsed_row(
                f"currency symbol {cur_symbol(res)!r} is ambiguous without a country that uses it")
    if cur is None:
        if currency is not None:
            cur = currency
        elif home is not None:
            cur = home
            flags.append("currency_default")
        elif res.script_currency is not None:
            cur = res.script_currency
            flags.append("currency_inferred")
        else:
            return None, _unparsed_row("currency unknown: text names none and no country/currency given")
    wt_table = _working_time_rows()
    return cur, flags, wt_table.get(country, wt_table["DEFAULT"])


def _finish(
    res: _TextResult, country: str | None, currency: str | None, default_period: str | None,
    memo: dict | None = None,
) -> tuple:
    """Combine a text result with the row's context into one output row (``memo`` shares contexts)."""
    if res.status != "ok":
        return (res.status, res.reason, *_NAN6[:2], None, None, math.nan, None, *_NAN6[:4], "")
    key = (res.currency, res.script_currency, res.flags, country, currency)
    ctx = None if memo is None else memo.get(key)
    if ctx is None:
        ctx = _context(res, country, currency)
        if memo is not None:
            memo[key] = ctx
    if ctx[0] is None:
        return ctx[1]
    cur, flags, wt = ctx
    period = res.period
    if period is None:
        if default_period is not None:
            period = default_period
            conflict = _convention_conflict(res, cur, period)
            if conflict:
                return _unparsed_row(conflict)
            if period == "month" and _beyond_any_month(res, cur, country):
                period, flags = "year", [*flags, "convention_conflict"]  # "$25-30 K" in Armenia
            elif _above_month_band(res, cur, period):
                flags = [*flags, "convention_conflict"]  # the convention wins, but loudly
        else:
            period = _infer_period(res.high if math.isnan(res.low) else res.low, cur, country)
            flags = [*flags, "period_inferred"]
    mpy = res.months_per_year
    f = _monthly_factor(period, mpy, wt)
    mlow, mhigh = res.low * f, res.high * f
    return ("ok", "", res.low, res.high, cur, period, mpy, res.basis,
            mlow, mhigh, mlow * mpy, mhigh * mpy, ";".join(flags))


def _arg_codes(arg: Any, n: int, name: str, check) -> tuple[np.ndarray, list[str]]:
    """Factorise a scalar / sequence / Series argument of length n; NA -> code -1.

    A scalar (or absent) argument gives one code broadcast to n rows, not n integers."""
    if arg is None or (np.ndim(arg) == 0 and pd.isna(arg)):
        return np.broadcast_to(np.int64(-1), (n,)), []
    if np.ndim(arg) == 0:
        return np.broadcast_to(np.int64(0), (n,)), [check(arg, name)]
    # A Series is factorised as is (Arrow-backed strings dictionary-encode fast).
    arr = arg if isinstance(arg, pd.Series) else np.asarray(list(arg), dtype=object)
    if len(arr) != n:
        raise ValueError(f"parse_salaries: `{name}` has length {len(arr)}, values have {n}")
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), [check(u, name) for u in uniques]


def _check_country(value: Any, name: str) -> str:
    # Names and codes in any language ("UK", "Великобритания", "GBR") are accepted; others raise.
    from .country import country_code

    code = country_code(value, f"parse_salaries: `{name}` value")
    assert code is not None
    return code


def _check_currency(value: Any, name: str) -> str:
    s = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", s):
        raise ReferenceDataError(f"parse_salaries: `{name}` value {value!r} is not an ISO 4217 code")
    return s


def _check_period(value: Any, name: str) -> str:
    s = str(value).strip().lower()
    if s not in PERIODS:
        raise ReferenceDataError(f"parse_salaries: `{name}` value {value!r} is not one of {PERIODS}")
    return s


def parse_salaries(
    values: pd.Series | Sequence[str | None],
    *,
    country: str | Sequence[str | None] | pd.Series | None = None,
    currency: str | Sequence[str | None] | pd.Series | None = None,
    default_period: str | Sequence[str | None] | pd.Series | None = None,
) -> pd.DataFrame:
    """Parse free-text pay statements into amounts, currency, period and conversions.

    Parameters
    ----------
    values : Series or sequence of str
        Salary texts as received; None/NaN allowed. A Series keeps its index.
    country : str or array-like of str, optional
        ISO 3166 alpha-2 code per row (or one for all). Gives the default
        currency and the working-time constants used to convert hourly, daily
        and weekly rates (``csresearch/reference/working_time.csv``).
    currency : str or array-like of str, optional
        ISO 4217 code overriding the country's default currency. A currency
        written in the text (``$``, ``руб.``, ``€``...) still wins.
    default_period : {'hour', 'day', 'week', 'month', 'year'} or array-like, optional
        The source's period convention, used when the text names none (an amount
        too small for it is unparsed; a monthly one beyond any monthly wage is a
        year; both flagged ``convention_conflict``). When absent too, the period is
        inferred from the amount's magnitude per currency, among the periods the
        country's ads quote, and the flag ``period_inferred`` is set.

    Returns
    -------
    DataFrame
        One row per input, same index, columns ``status`` (ok, negotiable,
        missing, unparsed), ``reason``, ``low``, ``high`` (full currency units
        per ``period``; an open bound is NaN), ``currency``, ``period``,
        ``months_per_year``, ``basis`` (gross, net, unknown), ``monthly_low``,
        ``monthly_high``, ``annual_low``, ``annual_high`` (annual = monthly x
        months_per_year) and ``flags`` (semicolon-separated: swapped,
        base_only, ote, period_inferred, currency_default, currency_inferred,
        bonus_months, plus_extras, negotiable, approx, shorthand_thousands, open_sentinel,
        convention_conflict).

    Raises
    ------
    ReferenceDataError
        If a country, currency or default period is not a valid code.

    Notes
    -----
    Each distinct (text, country, currency, default_period) combination is
    parsed once and the result is mapped back to the rows, so a column of a
    million postings with a few thousand distinct strings costs a few thousand
    parses. Only the first amount expression of a text is read.

    Examples
    --------
    >>> from csresearch.clean.salary import parse_salaries
    >>> out = parse_salaries(["1-1.5万·13薪", "от 80 000 руб. на руки", "面议"], country=["CN", "RU", "CN"])
    >>> out[["status", "low", "high", "currency", "months_per_year", "basis"]]
           status      low     high currency  months_per_year    basis
    0          ok  10000.0  15000.0      CNY             13.0  unknown
    1          ok  80000.0      NaN      RUB             12.0      net
    2  negotiable      NaN      NaN      NaN              NaN      NaN
    >>> float(out.loc[0, "annual_high"])
    195000.0
    """
    if isinstance(values, pd.Series):
        index, texts = values.index, values
    else:
        texts = np.asarray(list(values), dtype=object)
        index = pd.RangeIndex(len(texts))
    n = len(texts)
    # Non-strings (NaN, None, numbers) are read as text or treated as missing.
    text_codes, text_uniques = pd.factorize(texts, use_na_sentinel=True)
    text_codes = np.asarray(text_codes, dtype=np.int64)
    # Texts that differ only in their digits share one reading of their words (salary_shapes).
    from .salary_shapes import parse_texts

    # tolist(): iterating an Arrow-backed Index element by element costs 10x more.
    parsed = parse_texts([u if isinstance(u, str) else str(u) for u in text_uniques.tolist()])
    missing = _TextResult("missing", "no value")

    c_codes, c_uni = _arg_codes(country, n, "country", _check_country)
    k_codes, k_uni = _arg_codes(currency, n, "currency", _check_currency)
    p_codes, p_uni = _arg_codes(default_period, n, "default_period", _check_period)

    # One integer key per (text, country, currency, period) combination; +1 maps NA (-1) to 0.
    dims = np.array([len(text_uniques), len(c_uni), len(k_uni), len(p_uni)], dtype=np.int64) + 1
    # (((t + 1) * d1 + c + 1) * d2 + k + 1) * d3 + p + 1, in place: each fresh 1 M-row temporary is page faults.
    key = text_codes + 1
    for codes, dim in ((c_codes, dims[1]), (k_codes, dims[2]), (p_codes, dims[3])):
        key *= dim
        key += codes
        key += 1
    combo_codes, combo_keys = _combinations(key, int(np.prod(dims)))
    # Decode every combination's parts at once; position 0 of each list stands for NA.
    k, p = np.divmod(combo_keys, dims[3])
    k, cu = np.divmod(k, dims[2])
    t, c = np.divmod(k, dims[1])
    res_of, c_of, k_of, p_of = [missing, *parsed], [None, *c_uni], [None, *k_uni], [None, *p_uni]
    memo: dict = {}
    rows = [
        _finish(res_of[ti], c_of[ci], k_of[ki], p_of[pi], memo)
        for ti, ci, ki, pi in zip(t.tolist(), c.tolist(), cu.tolist(), p.tolist())
    ]
    return _to_rows(rows, combo_codes, index)


def _combinations(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the rows' keys (each in ``[0, size)``) and the distinct keys, as ``pd.factorize`` but in key order.

    A key space no larger than the rows (a crawl's few thousand texts times a few countries) is
    marked in a flag array: three passes over the keys instead of hashing every one."""
    n = len(key)
    if size > max(n, 1 << 16):
        codes, keys = pd.factorize(key)
        return np.asarray(codes, dtype=np.intp), np.asarray(keys, dtype=np.int64)
    present = np.zeros(size, dtype=bool)
    present[key] = True
    keys = np.flatnonzero(present)
    position = np.empty(size, dtype=np.intp)
    position[keys] = np.arange(len(keys), dtype=np.intp)
    return position.take(key), keys.astype(np.int64, copy=False)


_ROW_DTYPE = np.dtype([(col, np.float64 if col in _FLOAT_COLUMNS else object) for col in OUTPUT_COLUMNS])
_TEXT_COLUMNS = tuple(col for col in OUTPUT_COLUMNS if col not in _FLOAT_COLUMNS)


def _to_rows(rows: list[tuple], codes: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The output frame: one row of ``rows`` (a distinct combination's result) per code.

    The combinations' results become one numpy structured array (a single C pass over the
    tuples; transposing them with ``zip(*rows)`` cost more than the rest on 1 M distinct
    strings). Float columns: one numpy take each. Text columns: their (status, reason,
    currency, period, basis, flags) tuples take few values even over a million combinations,
    so they are interned, and each column is one Arrow take from that short list, wrapped as
    the ``str`` dtype without a copy."""
    table = np.array(rows, dtype=_ROW_DTYPE) if rows else np.empty(0, dtype=_ROW_DTYPE)
    seen: dict[tuple, int] = {}
    text_id = np.fromiter(
        (seen.setdefault(t, len(seen)) for t in zip(*(table[col] for col in _TEXT_COLUMNS))),
        dtype=np.int64, count=len(table),
    )
    indices = pa.array(text_id.astype(np.min_scalar_type(len(seen)), copy=False).take(codes))
    texts = list(zip(*seen)) if seen else [()] * len(_TEXT_COLUMNS)
    data = {}
    for col in OUTPUT_COLUMNS:
        if col in _FLOAT_COLUMNS:
            data[col] = table[col].take(codes)
        else:
            values = pa.array(texts[_TEXT_COLUMNS.index(col)], type=pa.large_string())
            data[col] = pd.array(values.take(indices), dtype="str")
    return pd.DataFrame(data, index=index, copy=False)

"""Which characters can begin a match of a regular expression: a screen that skips a pattern exactly.

A lexicon holds a hundred patterns and each title is matched against all of them; most cannot
match at all (a Cyrillic pattern on a Chinese title). Running each costs a call whatever the
answer. :func:`first_chars` reads a pattern's parse tree once and returns the set of characters
a match must start with; a title holding none of them cannot match, so the pattern is skipped
with the same result as running it. Patterns whose first character cannot be bounded (``.``,
``\\w``, a negated class, a pattern that matches the empty string, case-insensitive flags) get
``None`` and are always run.

Examples
--------
>>> sorted(first_chars("客服|call(?:-| )cent"))
['c', '客']
>>> first_chars(r"\\w+ поддержк") is None
True
>>> may_match(first_chars(r"\\bsales\\b"), set("在线客服"))
False
>>> Screen(["客服", r"\\bsales\\b", r"\\w+ поддержк"]).select(set("在线客服"))
['客服', '\\\\w+ поддержк']
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python >= 3.11
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["Screen", "first_chars", "may_match"]

# A character class wider than this (the CJK block) is not enumerated: the pattern is always run.
_MAX_RANGE = 512
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}


def _class_chars(items: list[tuple[Any, Any]]) -> set[str] | None:
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            out.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] <= _MAX_RANGE:
            out.update(chr(i) for i in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\d, \s, \w), a wide range
            return None
    return out


def _sequence(data: Any) -> tuple[set[str] | None, bool]:
    """(first characters or None when unbounded, can the sequence match the empty string)."""
    acc: set[str] = set()
    for item in data:
        first, nullable = _item(*item)
        if first is None:
            return None, False
        acc |= first
        if not nullable:
            return acc, False
    return acc, True


def _item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    if op is _c.LITERAL:
        return {chr(av)}, False
    if op is _c.IN:
        return _class_chars(av), False
    if op in _ZERO_WIDTH:
        return set(), True
    if op is _c.BRANCH:
        acc: set[str] = set()
        nullable = False
        for branch in av[1]:
            first, null = _sequence(branch)
            if first is None:
                return None, False
            acc |= first
            nullable = nullable or null
        return acc, nullable
    if op is _c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None, False
        return _sequence(sub)
    if op in _REPEATS:
        lo, hi, sub = av
        if hi == 0:
            return set(), True
        first, null = _sequence(sub)
        return first, null or lo == 0
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av)
    return None, False  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...


def first_chars(pattern: str | re.Pattern[str]) -> frozenset[str] | None:
    """The characters any match of ``pattern`` starts with, or None when that cannot be bounded.

    A string without any of them holds no match: ``pattern.search(s)`` is None.
    """
    pat = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
    if pat.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pat.pattern, str):
        return None
    try:
        parsed = _p.parse(pat.pattern, pat.flags)
    except Exception:  # noqa: BLE001 - an internal parser change: fall back to always running
        return None
    first, nullable = _sequence(parsed.data)
    return None if first is None or nullable else frozenset(first)


def may_match(first: frozenset[str] | None, chars: set[str]) -> bool:
    """Can a pattern with these first characters match a string holding ``chars``?"""
    return first is None or not first.isdisjoint(chars)


class Screen:
    """Items (patterns, or records holding one) and, per character, which of them can match.

    ``select(set(text))`` returns, in their order, the items that may match ``text``: those
    whose first characters occur in it and those that cannot be screened. One dictionary
    look-up per character of the text replaces one test per pattern.
    """

    def __init__(self, items: Any, pattern: Any = None) -> None:
        self.items = tuple(items)
        get = pattern or (lambda item: item)
        self.always = 0
        self.by_char: dict[str, int] = {}
        for i, item in enumerate(self.items):
            first = first_chars(get(item))
            if first is None:
                self.always |= 1 << i
                continue
            for ch in first:
                self.by_char[ch] = self.by_char.get(ch, 0) | (1 << i)

    def select(self, chars: set[str]) -> list[Any]:
        """The items that may match a text holding ``chars`` (a superset is fine), in order."""
        mask = self.always
        get = self.by_char.get
        for ch in chars:
            mask |= get(ch, 0)
        out = []
        items = self.items
        while mask:
            low = mask & -mask
            out.append(items[low.bit_length() - 1])
            mask ^= low
        return out

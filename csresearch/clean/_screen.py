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

__all__ = ["Screen", "first_chars", "may_match", "required_literals", "substring_hits"]

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


def _parse(pattern: str | re.Pattern[str]) -> Any:
    """The parse tree's top sequence, or None for patterns not screened (case-insensitive, ...)."""
    pat = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
    if pat.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pat.pattern, str):
        return None
    try:
        return _p.parse(pat.pattern, pat.flags).data
    except Exception:  # noqa: BLE001 - an internal parser change: fall back to always running
        return None


def first_chars(pattern: str | re.Pattern[str]) -> frozenset[str] | None:
    """The characters any match of ``pattern`` starts with, or None when that cannot be bounded.

    A string without any of them holds no match: ``pattern.search(s)`` is None.
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    first, nullable = _sequence(parsed)
    return None if first is None or nullable else frozenset(first)


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The stronger of two literal sets: longer shortest literal, then fewer literals."""
    if a is None:
        return b
    if b is None:
        return a
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _literals(data: Any) -> set[str] | None:
    """Literals one of which every match of the sequence ``data`` contains (None: none known)."""
    best: set[str] | None = None
    run: list[str] = []
    for op, av in data:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:  # any other item ends the run of adjacent literals (conservatively)
            best, run = _better(best, {"".join(run)}), []
        if op is _c.BRANCH:
            subs = [_literals(b) for b in av[1]]
            if all(x is not None for x in subs):
                best = _better(best, set().union(*subs))
        elif op is _c.SUBPATTERN and not av[1] and not av[2]:
            best = _better(best, _literals(av[3]))
        elif op in _REPEATS and av[0] >= 1:
            best = _better(best, _literals(av[2]))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            best = _better(best, _literals(av))
    if run:
        best = _better(best, {"".join(run)})
    return best


def required_literals(pattern: str | re.Pattern[str]) -> frozenset[str] | None:
    """Literal strings one of which every match of ``pattern`` contains, or None when unknown.

    A string holding none of them holds no match.

    Examples
    --------
    >>> sorted(required_literals(r"\\b(head|chief) of\\b"))
    ['chief', 'head']
    >>> required_literals(r"\\w+") is None
    True
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    lits = _literals(parsed)
    return frozenset(lits) if lits else None


_RE2_SPECIAL = frozenset("\\.^$|?*+()[]{}")


def _re2_literal(lit: str) -> str:
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in lit)


def substring_hits(texts: Any, literal_sets: Any = None) -> Any:
    """A function ``literals -> bool array``: which of ``texts`` contain one of the literals.

    One Arrow (RE2) pass over all texts per set of literals, cached per set. With
    ``literal_sets`` (the sets that will be asked for), all of them are found at once: one RE2
    set pass per text says which sets it holds (for many short texts, such as titles, several
    times faster than a pass per set); a set not listed still gets its Arrow pass.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = list(texts)
    try:
        arr = pa.array(texts, type=pa.string())
    except (UnicodeEncodeError, pa.ArrowException):  # lone surrogates: every text may hold any literal
        return lambda literals: np.ones(len(texts), dtype=bool)
    cache: dict[frozenset[str], np.ndarray] = {}
    if literal_sets is not None:
        cache.update(_set_hits(texts, list(dict.fromkeys(s for s in literal_sets if s is not None))))

    def hits(literals: frozenset[str]) -> np.ndarray:
        out = cache.get(literals)
        if out is None:
            out = cache[literals] = pc.match_substring_regex(arr, _alternation(literals)).to_numpy(zero_copy_only=False)
        return out

    return hits


def _alternation(literals: frozenset[str]) -> str:
    return "|".join(_re2_literal(lit) for lit in sorted(literals))


# Room for the DFA states of a few hundred literal alternations. The budget is a cache, not a
# limit on the texts: an RE2 set never bails out of its DFA (it flushes the cache and goes on,
# Prog::kManyMatch), and a budget too small for the DFA to start fails at Compile() (RE2's
# CompileSet test-runs the DFA), so Match cannot silently report "no hits" for lack of memory
# (tests/test_review6_re2_budget.py: the same hits at the smallest budget that compiles).
_SET_MEMORY = 32 << 20


def _set_hits(texts: list[str], sets: list[frozenset[str]]) -> dict[frozenset[str], Any]:
    """Per literal set, which texts hold one of its literals: one RE2 set search per text."""
    import numpy as np
    import re2

    found = np.zeros((len(sets), len(texts)), dtype=bool)
    if sets and texts:
        options = re2.Options()
        options.max_mem = _SET_MEMORY
        matcher = re2.Set.SearchSet(options)
        for lits in sets:
            matcher.Add(_alternation(lits))
        matcher.Compile()
        match = matcher.Match
        for i, text in enumerate(texts):
            which = match(text)  # texts are valid UTF-8 here (the Arrow array was built)
            if which:
                found[which, i] = True
    return dict(zip(sets, found))


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
        self.literals = tuple(required_literals(get(item)) for item in self.items)
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

    def matrix(self, hits: Any, n: int) -> Any:
        """For ``n`` texts at once: which items may match each (``hits`` from :func:`substring_hits`).

        An item with required literals may match a text holding one of them; the others always may.
        """
        import numpy as np

        out = np.ones((n, len(self.items)), dtype=bool)
        for j, lits in enumerate(self.literals):
            if lits is not None:
                out[:, j] = hits(lits)
        return out

    def pick(self, row: Any) -> list[Any]:
        """The items a row of :meth:`matrix` keeps, in order."""
        items = self.items
        return [items[j] for j in row.nonzero()[0]]

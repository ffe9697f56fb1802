"""First pass of :func:`csresearch.clean.salary.parse_salaries`: read each text shape once.

A crawl's long tail is mostly distinct strings that share a handful of shapes:
``"£24,000 - £28,000 per annum"`` and ``"£31,500 - £35,000 per annum"`` differ
only in their digits. The patterns that read the words of a salary text
(currency, period, basis, range and bound words, pay context) and the number
pattern itself treat all digits alike, so this pass reads the words once per
*digit mask* (every ASCII digit turned into ``0``: ``"£00,000 - £00,000 per
annum"``) and only the values per text:

1. One combined regular expression, run over the distinct texts by pyarrow's
   RE2 kernel, marks the texts whose opening steps could act (list-wrapped
   values, placeholders, dates, phone numbers, ``13薪``-style bonus months,
   experience spans): these steps DO look at digit values ("10-15" is a date,
   "20-35" is not). It is a superset of those lexicon patterns (look-arounds
   dropped), so a text it passes is one on which they do nothing. Marked texts
   go to the full grammar (:func:`csresearch.clean.salary._parse_text`).
2. For the others the mask is read once by the full grammar's own word step
   (``_words``), and each text's numbers, found at the same places, are valued
   and combined by the full grammar's own assembly step (``_assemble``).

The result is the full grammar's, string for string. If a lexicon edit makes
a word pattern tell digits apart (a literal digit, a class with only some
digits, a back-reference), the pass switches itself off.
``tests/test_salary_shapes.py`` checks equality on generated and labelled texts.
"""

from __future__ import annotations

import functools
import re
from re import _constants as _C
from re import _parser

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import salary as _s

__all__ = ["parse_texts", "settle"]

# A look-around without nested parentheses; dropping one only widens a pattern.
_LOOKAROUND = re.compile(r"\(\?<?[=!](?:[^()\\]|\\.)*\)")
# Python syntax that RE2 reads differently rather than rejecting.
_RE2_UNSAFE = re.compile(r"\{,|\\[bBZ]|\[[^\]]*\\[wbB]")


_EDGE_CLASS = r"(\\d|\[[^\]^]*\])"  # "\d" or a plain class such as "[\d.,]"
_LEADING_NOT = re.compile(rf"^\(\?<!{_EDGE_CLASS}\)")
_TRAILING_NOT = re.compile(rf"\(\?!{_EDGE_CLASS}\)$")


def _edges(pattern: str) -> str:
    r"""A one-class look-behind / look-ahead at the very start / end as a consuming group.

    For "is there a match", ``(?<![\d.,])X`` is ``(?:^|[^\d.,])X`` and ``X(?!\d)`` is
    ``X(?:$|[^\d])``, which RE2 can run; only for a pattern without a top-level ``|``.
    """
    if any(op is _C.BRANCH for op, _ in _parser.parse(pattern)):
        return pattern
    strip = lambda cls: cls[1:-1] if cls.startswith("[") else cls  # noqa: E731
    pattern = _LEADING_NOT.sub(lambda m: f"(?:^|[^{strip(m.group(1))}])", pattern)
    return _TRAILING_NOT.sub(lambda m: f"(?:$|[^{strip(m.group(1))}])", pattern)


def _re2_superset(pattern: str) -> str | None:
    """The pattern in RE2 syntax, matching at least what Python matches on normalised text; None if not sure."""
    q = _LOOKAROUND.sub("", _edges(pattern))
    q = re.sub(r"(?<!\\)\\b", "", q)  # a word boundary outside a class: dropping it widens
    if "(?<" in q.replace("(?P<", "") or "(?=" in q or "(?!" in q or _RE2_UNSAFE.search(q):
        return None
    # Python's \d and \w are Unicode; RE2's are ASCII. (\s differs too, but a
    # normalised text has no whitespace other than " ".)
    q = re.sub(r"(?<!\\)\\d", r"\\p{Nd}", q)
    q = re.sub(r"(?<!\\)\\w", r"[\\p{L}\\p{N}\\p{M}_]", q)
    q = re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", q)
    try:
        pc.match_substring_regex(pa.array([""]), q)
    except Exception:  # noqa: BLE001 - any RE2 refusal means "not sure"
        return None
    return q


@functools.cache
def _screen() -> tuple[str, tuple[re.Pattern, ...]]:
    """RE2 pattern for texts whose opening steps might act, and the Python patterns it could not take."""
    lex = _s._lexicon()
    patterns = (
        [r"^$", r"^\[", "^(?:" + "|".join(lex["placeholders"]) + ")$"]
        + [p for pats in lex["not_pay"].values() for p in pats]
        + list(lex["bonus_months_monthly"]) + list(lex["bonus_months"]) + list(lex["ignore_spans"])
    )
    re2, python = [], []
    for p in patterns:
        q = _re2_superset(p)
        (re2.append(f"(?:{q})") if q is not None else python.append(re.compile(p)))
    return "|".join(re2), tuple(python)


_DIGITS = "0123456789"


def _in_class(items: list, d: str) -> bool:
    """Whether the digit ``d`` is in a parsed character class."""
    hit, negate = False, False
    for op, av in items:
        if op is _C.NEGATE:
            negate = True
        elif op is _C.LITERAL:
            hit |= chr(av) == d
        elif op is _C.RANGE:
            hit |= av[0] <= ord(d) <= av[1]
        elif op is _C.CATEGORY:
            hit |= av in (_C.CATEGORY_DIGIT, _C.CATEGORY_WORD, _C.CATEGORY_NOT_SPACE,
                          _C.CATEGORY_UNI_DIGIT, _C.CATEGORY_UNI_WORD, _C.CATEGORY_UNI_NOT_SPACE)
        else:  # an item this check does not know: assume it tells digits apart
            return d == "0"
    return hit != negate


def _digit_blind(sub) -> bool:
    """Whether a parsed pattern treats every ASCII digit alike (no literal digit, no class holding only some)."""
    for op, av in sub:
        if op in (_C.LITERAL, _C.NOT_LITERAL):
            if chr(av) in _DIGITS:
                return False
        elif op is _C.IN:
            if len({_in_class(av, d) for d in _DIGITS}) > 1:
                return False
        elif op in (_C.GROUPREF, _C.GROUPREF_EXISTS):
            return False  # a back-reference compares the digits themselves
        elif op is _C.BRANCH:
            if not all(_digit_blind(b) for b in av[1]):
                return False
        elif op is _C.SUBPATTERN:
            if not _digit_blind(av[-1]):
                return False
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            if not _digit_blind(av[2]):
                return False
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if not _digit_blind(av[1]):
                return False
        elif op is _C.ATOMIC_GROUP:
            if not _digit_blind(av):
                return False
        elif op not in (_C.ANY, _C.AT):
            return False  # unknown construct: not sure
    return True


@functools.cache
def _words_digit_blind() -> bool:
    """Whether the number pattern and every word pattern treat all digits alike (else the pass is off)."""
    gram = _s._grammar()
    pats = [gram.number, gram.negotiable, gram.range_gap, gram.after_bound, gram.upper_before, gram.lower_before,
            gram.open_gap, gram.approx_before, gram.approx_after, gram.currency, gram.period, gram.pay_words,
            gram.basis, gram.base, gram.extras, gram.ote] + [p for _, p in gram.script]
    return all(_digit_blind(_parser.parse(p.pattern)) for p in pats)


class _Reader:
    """Readings of digit masks, filled as texts come."""

    def __init__(self) -> None:
        self.gram = _s._grammar()
        self.digit_groups = tuple(self.gram.number.groupindex[g] for g in ("grp", "gdec", "plain"))
        self.masks: dict[str, tuple] = {}

    def read(self, masked: str) -> tuple | None:
        """Words and number layout of a text whose ASCII digits are all "0".

        Every pattern involved treats all digits alike (``_words_digit_blind``)
        and the mask keeps every position, so the text itself gives the same
        matches, groups and spans.
        """
        known = self.masks.get(masked, False)
        if known is False:
            nums = list(self.gram.number.finditer(masked))
            words = _s._words(masked, nums)
            layout = []
            for m in nums[: 2 if words.is_range else 1]:
                mult, cur = self.gram.unit_of.get(m.lastgroup, (None, None))
                layout.append((*(m.span(i) if m.start(i) >= 0 else None for i in self.digit_groups), mult, cur,
                               m.span()))
            # A currency named by its matched text ("=" codes) must not hold a digit of the mask.
            known = self.masks[masked] = None if "0" in (words.currency or "") else (words, layout)
        return known


def _value(t: str, layout: tuple) -> tuple[float, float | None, str | None]:
    """``_number_value`` from the spans of a number's digit groups in ``t``."""
    grp, gdec, plain, mult, cur, _ = layout
    if plain is not None:
        return _s._digits_value(None, None, t[plain[0]:plain[1]], mult), mult, cur
    return _s._digits_value(t[grp[0]:grp[1]], gdec and t[gdec[0]:gdec[1]], None, mult), mult, cur


def _utf8(t: str) -> bool:
    try:
        t.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_texts(texts: list[str]) -> list:
    """Parse distinct texts; the same ``_TextResult`` list as ``[_parse_text(t) for t in texts]``."""
    settled = settle(texts)
    return [_s._parse_text(t) if r is None else r for t, r in zip(texts, settled)]


def settle(texts: list[str]) -> list:
    """The results this pass settles: a ``_TextResult`` per text it can read, None for the full grammar."""
    if not texts or not _words_digit_blind():
        return [None] * len(texts)
    norm = [_s._normalise(t) for t in texts]
    try:
        arr, full = pa.array(norm, type=pa.large_string()), ()
    except (UnicodeEncodeError, pa.ArrowException):  # lone surrogates: those texts go to the full grammar
        full = {i for i, t in enumerate(norm) if not _utf8(t)}
        arr = pa.array(["" if i in full else t for i, t in enumerate(norm)], type=pa.large_string())
    re2, python = _screen()
    # pyarrow's RE2 kernels directly: pandas would hand \p{..} and \s back to Python's re.
    screened = (pc.match_substring_regex(arr, re2).to_numpy(zero_copy_only=False)
                if re2 else np.zeros(len(norm), dtype=bool))
    masks = pc.replace_substring_regex(arr, "[0-9]", "0").to_pylist()
    reader = _Reader()
    out = []
    for i, (t, masked, hit) in enumerate(zip(norm, masks, screened)):
        if hit or i in full or any(p.search(t) for p in python):
            out.append(None)
            continue
        known = reader.read(masked)
        if known is None:
            out.append(None)
            continue
        words, layout = known
        if words.early is not None:
            out.append(words.early)
        else:
            second, top = (_value(t, layout[1]), t[slice(*layout[1][-1])]) if words.is_range else (None, "")
            out.append(_s._assemble(words, _value(t, layout[0]), second, top, [], 12.0, False))
    return out

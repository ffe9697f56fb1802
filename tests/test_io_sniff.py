"""``_sniff_delimiter`` names the delimiter ``csv.Sniffer`` names, without its quadratic patterns.

The stdlib's quote-guessing patterns take ~20 s on one 40 KB line of punctuation holding two
stray quotes (issue: one hostile file stalls ``read_table``). ``csresearch.io`` finds the same
matches by bisection; the csv.Sniffer implementation it replaced is kept here, verbatim, as
the reference, and must agree on generated CSV-like samples, on every shipped text file and on
the real files in ../shared/realdata when present. The time on the pathological line is
measured in benchmarks/bench_hostile.py (``--only sniff``), not here.
"""

from __future__ import annotations

import csv
import inspect
import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csresearch.io import _line_count_delimiter, _quoted_delimiter, _quoted_field_delimiters, _sniff_delimiter

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("CSRESEARCH_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))
DELIMITERS = ",;\t|"


def reference_sniff(path: Path, text: str) -> str:
    """csresearch.io._sniff_delimiter before the fix (csv.Sniffer on the first 50 lines)."""
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def reference_quoted(sample: str) -> str:
    """The delimiter the stdlib's quote patterns name (``""`` when none)."""
    return csv.Sniffer()._guess_quote_and_delimiter(sample, DELIMITERS)[2] or ""


# csv.Sniffer._guess_quote_and_delimiter's patterns (Python 3.8-3.13), tried in this order
STDLIB_QUOTE_PATTERNS = [
    r'(?P<delim>[^\w\n"\'])(?P<space> ?)(?P<quote>["\']).*?(?P=quote)(?P=delim)',  # ,".*?",
    r'(?:^|\n)(?P<quote>["\']).*?(?P=quote)(?P<delim>[^\w\n"\'])(?P<space> ?)',  # ".*?",
    r'(?P<delim>[^\w\n"\'])(?P<space> ?)(?P<quote>["\']).*?(?P=quote)(?:$|\n)',  # ,".*?"
    r'(?:^|\n)(?P<quote>["\']).*?(?P=quote)(?:$|\n)',  # ".*?" (no delimiter)
]


def reference_field_delimiters(sample: str) -> list[str]:
    """The delimiter of every match of the first stdlib pattern that matches (none for the fourth)."""
    for pattern in STDLIB_QUOTE_PATTERNS:
        matches = list(re.finditer(pattern, sample, re.DOTALL | re.MULTILINE))
        if matches:
            return [m.group("delim") for m in matches] if "delim" in matches[0].re.groupindex else []
    return []


def _stdlib_is_the_reference() -> bool:
    """Whether the installed csv.Sniffer is the one csresearch restates (Python 3.11.7 has it).

    CPython's fix for gh-98820 changes the quote patterns (and some answers) and its main branch
    drops these heuristics (gh-83273); csresearch keeps the old answers, so a changed stdlib is
    no reference: only the patterns frozen above are then compared."""
    try:
        source = inspect.getsource(csv.Sniffer)
    except (OSError, TypeError):
        return False
    return hasattr(csv.Sniffer, "_guess_delimiter") and all(p in source for p in STDLIB_QUOTE_PATTERNS)


STDLIB = _stdlib_is_the_reference()


def assert_same(text: str) -> None:
    sample = "\n".join(text[:65536].splitlines()[:50])
    # every match the stdlib's patterns make, allowed delimiter or not, in order
    assert _quoted_field_delimiters(sample) == reference_field_delimiters(sample), repr(text[:300])
    if not STDLIB:
        return
    assert _quoted_delimiter(sample) == reference_quoted(sample), repr(text[:300])
    assert _line_count_delimiter(sample) == csv.Sniffer()._guess_delimiter(sample, DELIMITERS)[0], repr(text[:300])
    for name in ("x.csv", "x.tsv"):
        assert _sniff_delimiter(Path(name), text) == reference_sniff(Path(name), text), (name, repr(text[:300]))


def test_the_installed_csv_sniffer_is_the_reference():
    if not STDLIB:
        pytest.skip("this Python's csv.Sniffer is not the one csresearch restates (gh-98820 / gh-83273)")


# cells: delimiters, both quote characters, spaces, punctuation runs, line breaks of every kind
# str.splitlines knows, non-ASCII letters and punctuation; short, so the quadratic reference stays fast
CELL = st.text(alphabet=list(',;\t| :-."\'\\?/()客服专员上海МоскваéÜ，；！“”\u3000\xa0\r\n\u2028\x85\x00ab12_'), max_size=12)
# one long run of one unit at most a sample: the reference is quadratic in it (2 KB of '?' ~0.05 s)
LONG_RUN = st.builds(lambda unit, n: unit * n, st.sampled_from(["?", " ", "- ", ".", "客", '"', "'", ",", "?,"]),
                     st.integers(50, 2000)).map(lambda run: run[:2000])


@st.composite
def csv_like(draw) -> str:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " ", ":", "-"]))
    quotechar = draw(st.sampled_from(['"', '"', "'"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE]))
    width = draw(st.integers(1, 6))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width + 1), min_size=0, max_size=8))
    if rows and draw(st.booleans()):
        row = draw(st.integers(0, len(rows) - 1))
        rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(LONG_RUN)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quotechar=quotechar, quoting=quoting, escapechar="\\",
                        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    for row in rows:
        try:
            writer.writerow(row)
        except csv.Error:  # QUOTE_NONE cannot write a lone empty field
            buf.write(delimiter.join(row) + "\n")
    text = buf.getvalue()
    for _ in range(draw(st.integers(0, 3))):  # stray quotes anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "'", '\\"', ' "', '" '])) + text[at:]
    if draw(st.integers(0, 4)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # truncated, perhaps inside a quoted field
    return text


# fragments that open and close quoted fields, among delimiters, spaces and line ends
RAW = st.lists(st.sampled_from(['"', "'", ",", ";", "\t", "|", " ", "\n", "\r", "-", ".", "?", "a", "1", "客", "é", "\u2028",
                                ',"', '",', ';"', '";', '|"', '"|', "\t'", "'\t", '\n"', '"\n', ', "', '" ,', "aa", "??"]),
               max_size=200).map("".join)
SETTINGS = settings(max_examples=int(os.environ.get("SNIFF_N", 300)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(text=csv_like())
def test_same_delimiter_as_csv_sniffer_on_generated_tables(text):
    assert_same(text)


@SETTINGS
@given(text=RAW)
def test_same_delimiter_as_csv_sniffer_on_raw_text(text):
    assert_same(text)


@pytest.mark.parametrize("text", [
    "", "\n\n", "a", '"', '""', "'a'", '"a",', ',"a"', '"a";"b"\n"c";"d"', "a,b\n1,2\n", "a;b|c\n1;2|3\n",
    '"x, y";z\n"u";v\n', "' a',' b'\n", 'a|"b|c"|d\n', '"a"\t"b"\n', '"a" ,"b"\n', '"a"\n"b"\n',
    # the first of the stdlib's patterns to match decides, even when it names no allowed delimiter
    '-"a"-,"b",,"c",', '"a"-\n,"b",', 'x:"a":\n"q"\t1',
    # an unclosed quote is skipped, the next opening is tried
    ',"a\n;"b";', "|'a|\"b\"|",
])
def test_same_delimiter_as_csv_sniffer_on_written_cases(text):
    assert_same(text)


def _texts(path: Path) -> list[str]:
    head = path.read_bytes()[: 4 * 65536 + 8]
    return [head.decode(enc, errors="replace") for enc in ("utf_8_sig", "gb18030", "cp1251")]


SHIPPED = sorted(p for d in ("data/raw", "tests/data") for p in (ROOT / d).rglob("*")
                 if p.suffix.lower() in {".csv", ".tsv", ".txt", ".tab", ".json", ".jsonl"})


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_delimiter_as_csv_sniffer_on_shipped_files(path):
    for text in _texts(path):
        assert_same(text)


@pytest.mark.realdata
@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not present")
def test_same_delimiter_as_csv_sniffer_on_realdata():
    paths = sorted(p for p in REALDATA.rglob("*") if p.suffix.lower() in {".csv", ".tsv", ".txt"})
    assert paths
    for path in paths:
        for text in _texts(path):
            assert_same(text)


def test_forty_kb_line_with_two_stray_quotes():
    # what the hostile-file test generates: a huge CJK cell read as cp1251 ('?'), two escaped
    # quotes; csv.Sniffer takes ~20 s here and names ";" (run once, 2026-12-02). Timed in
    # benchmarks/bench_hostile.py --only sniff.
    text = 'title;notes\nx;\\"' + "?" * 40000 + '\\"\n'
    assert _sniff_delimiter(Path("h.csv"), text) == ";"
    assert _sniff_delimiter(Path("h.csv"), 'a,b\n' + '"' + "- " * 20000 + '"\n') == ","

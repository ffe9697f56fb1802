"""Reading raw survey and posting files, and locating the project's data folders.

Raw files arrive as CSV/TSV/XLSX/JSON/parquet, in UTF-8 (with or without BOM), GBK/GB18030 or
cp1251, with headers in Chinese, Russian or English. :func:`read_table` turns any of them into a
DataFrame of strings whose headers are mapped to canonical names, and records how it read the
file (format, encoding, hash, header mapping) in ``df.attrs["read_info"]``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io as _io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .arrow_csv import read_single_line_records
from .errors import ColumnMappingError, InputFileError
from .headers import alias_table as _alias_table
from .headers import canonical_columns, check_targets, header_periods
from .headers import normalise_header as _normalise_header

__all__ = [
    "read_table",
    "detect_encoding",
    "canonical_columns",
    "project_root",
    "load_processed",
    "DEFAULT_MAX_LINE_BYTES",
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_XLSX_BYTES",
    "DEFAULT_MAX_CELLS",
]

#: A line longer than this is treated as garbage rather than read into memory.
#: 16 MiB comfortably exceeds any real posting description; override per call or with
#: the environment variable ``CSRESEARCH_MAX_LINE_BYTES``.
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024

#: Most columns a header may have: Excel's own limit (16,384 = column XFD). A wider header is
#: refused before anything is parsed (environment variable ``CSRESEARCH_MAX_COLUMNS``).
DEFAULT_MAX_COLUMNS = 16_384

#: Most uncompressed bytes of an XLSX workbook's parts (sheets, shared strings), checked from
#: the zip directory before parsing: a few MB of zip can expand to gigabytes of XML
#: (environment variable ``CSRESEARCH_MAX_XLSX_BYTES``).
DEFAULT_MAX_XLSX_BYTES = 256 * 1024 * 1024

#: Most cells read from one worksheet (environment variable ``CSRESEARCH_MAX_CELLS``).
DEFAULT_MAX_CELLS = 20_000_000

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}

# Encodings we expect in this domain, in the order we prefer them when several decode cleanly.
# gb18030 is a superset of GBK and GB2312, so one name covers all three.
_CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "cp1251", "koi8_r", "big5", "utf_16"]


def project_root() -> Path:
    """Return the project root: the folder holding ``data/`` and ``pyproject.toml``.

    Looks upward from the current directory first (so notebooks run from ``notebooks/`` find it),
    then falls back to the folder above the installed package (an editable install).
    """
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "csresearch").is_dir():
            return candidate
    return Path(__file__).resolve().parents[1]


def load_processed(name: str = "survey", root: str | Path | None = None) -> pd.DataFrame:
    """Load a table written by ``csresearch build`` from ``data/processed``.

    Parameters
    ----------
    name : str
        Stem of the parquet file, e.g. ``"survey"`` or ``"oews_metro"``.
    root : path, optional
        Project root; found with :func:`project_root` when omitted.

    Raises
    ------
    InputFileError
        The table was never built.
    csresearch.outputs.OutputMismatchError
        The file does not match the SHA-256 and row count in ``data/processed/manifest.json``
        (a build was interrupted or is running).

    Examples
    --------
    >>> table = load_processed()  # doctest: +SKIP
    >>> table.groupby("country")["annual_mid_usd_ppp"].median()  # doctest: +SKIP
    """
    from .outputs import read_verified, safe_name

    base = Path(root) if root is not None else project_root()
    path = base / "data" / "processed" / f"{safe_name(name, 'table name')}.parquet"
    if not path.is_file():
        raise InputFileError(
            f"{path}: not found; run `csresearch build` first to write data/processed"
        )
    # refuse a table that is not the one the last complete build recorded (torn or interrupted)
    return read_verified(path, path.parent / "manifest.json", f"data/processed/{path.name}")


def detect_encoding(data: bytes) -> str:
    """Guess the text encoding of raw bytes among those met in CN/RU/EN sources.

    Returns a Python codec name: ``"utf_8_sig"`` (UTF-8 with BOM), ``"utf_8"``, ``"gb18030"``
    (covers GBK/GB2312), ``"cp1251"``, ``"koi8_r"``, ``"big5"`` or ``"utf_16"``.

    Examples
    --------
    >>> detect_encoding("客服专员,上海".encode("gbk"))
    'gb18030'
    >>> detect_encoding("Оператор call-центра, Москва".encode("cp1251"))
    'cp1251'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf_8_sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf_16"
    if b"\x00" in data[:65536]:
        raise InputFileError("binary data (NUL bytes), not a text table")
    try:
        data.decode("utf_8")
        return "utf_8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample boundary is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf_8"
        before = data[: exc.start]
        whole_lines = before[: before.rfind(b"\n") + 1]
        if sum(1 for c in whole_lines.decode("utf_8") if ord(c) > 127) >= 2:
            # Real multi-byte UTF-8 text up to here, then bytes that are not: two encodings in one file.
            line = before.count(b"\n") + 1
            raise InputFileError(
                f"mixed encoding: valid UTF-8 text up to line {line}, whose bytes at offset "
                f"{exc.start} are not UTF-8 (another encoding, e.g. GBK or cp1251, was appended)"
            ) from None
    scores = {enc: _plausibility(data, enc) for enc in ("gb18030", "cp1251")}
    decodable = {enc: sc for enc, sc in scores.items() if sc is not None}
    if decodable:
        return max(decodable, key=lambda enc: decodable[enc])
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS[1:]).best()
    if best is None:
        raise InputFileError("not text in any supported encoding (" + ", ".join(_CANDIDATE_ENCODINGS) + ")")
    return best.encoding


def _plausibility(data: bytes, encoding: str) -> float | None:
    """How much ``data`` decoded with ``encoding`` looks like real Chinese or Russian text.

    Both GB18030 and cp1251 decode almost any byte string, so "it decodes" decides nothing; and
    statistical detectors mislabel short cells (a GBK "上海" comes out as Big5). What does
    decide: Chinese text is mostly GB2312 level-1 characters (the 3,755 common ones, lead bytes
    0xB0-0xD7), Russian text is mostly lower-case Cyrillic letters; the wrong decoding of either
    scores low on the other's test. None when the bytes do not decode at all.
    """
    sample = data[:65536]
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return None
        text = sample[: exc.start].decode(encoding, errors="ignore")
    wide = len(text) - len(_NOT_WIDE.sub("", text)) if not text.isascii() else 0
    if not wide:
        return 0.0
    good_chars = _CYRILLIC_LOWER if encoding == "cp1251" else _gb2312_level1()
    # counted by the regex engine, not a Python loop per character (a 64 KB cell took 80 ms)
    good = len(text) - len(good_chars.sub("", text))
    return good / wide


_NOT_WIDE = re.compile(r"[^\x00-\x7f]")
_CYRILLIC_LOWER = re.compile("[а-яё]")


@cache
def _gb2312_level1() -> re.Pattern[str]:
    """The 3,755 common Chinese characters of GB2312 (lead bytes 0xB0-0xD7) as one character class."""
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return re.compile("[" + re.escape("".join(chars)) + "]")


def _longest_line(path: Path, limit: int) -> None:
    """Raise when a line is longer than ``limit`` bytes, reading in bounded chunks."""
    from .bytescan import first_long_line

    with path.open("rb") as fh:
        line = first_long_line(iter(lambda: fh.read(1 << 20), b""), limit)
    if line is not None:
        raise InputFileError(
            f"{path}: line {line} is longer than {limit:,} bytes; "
            "the file is not a delimited table (garbage or a wrong delimiter?). "
            "Raise max_line_bytes if it is genuine."
        )


def _to_utf8(path: Path, data: bytes, encoding: str | None) -> tuple[bytes, str]:
    """``data`` as checked UTF-8 bytes, and the encoding it was in: one pass, in chunks.

    UTF-8 input (with or without a byte-order mark) is validated, not copied; other
    encodings are transcoded chunk by chunk, so the text never exists as one large Python
    string. A decoding error is reported by :func:`_decode`, which says where.
    """
    try:
        enc = encoding or detect_encoding(data[: 1 << 20])
        name = codecs.lookup(enc).name
    except InputFileError as exc:
        raise InputFileError(f"{path}: {exc}") from None
    except LookupError:
        raise InputFileError(f"{path}: unknown encoding {enc!r}") from None
    # UTF-8 with a BOM is UTF-8 after its first three bytes: validate those, keep the bytes
    utf8 = name in ("utf-8", "utf-8-sig")
    view = memoryview(data)
    if name == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        view = view[len(codecs.BOM_UTF8):]
    decoder = codecs.getincrementaldecoder("utf_8" if utf8 else enc)()
    step, n = 1 << 22, len(view)
    parts: list[bytes] = []
    try:
        for i in range(0, n, step):
            text = decoder.decode(view[i:i + step], final=i + step >= n)
            if not utf8:
                parts.append(text.encode("utf_8"))
    except UnicodeDecodeError:
        _decode(path, data, encoding)  # raises, naming the line
        raise
    if not enc.startswith("utf"):
        _check_no_utf8_lines(path, data, enc)
    return (data if utf8 else b"".join(parts)), enc


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    try:
        enc = encoding or detect_encoding(data[: 1 << 20])
    except InputFileError as exc:
        raise InputFileError(f"{path}: {exc}") from None
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, LookupError):
            raise InputFileError(f"{path}: unknown encoding {enc!r}") from None
        line = data[: exc.start].count(b"\n") + 1
        how = "given" if encoding else "detected"
        raise InputFileError(
            f"{path}: wrong or mixed encoding: bytes at offset {exc.start} (line {line}) "
            f"are not valid {enc} (the {how} encoding); re-save the file in one encoding "
            "or pass encoding="
        ) from None
    if not enc.startswith("utf"):
        _check_no_utf8_lines(path, data, enc)
    return text, enc


def _check_no_utf8_lines(path: Path, data: bytes, enc: str) -> None:
    """Refuse a legacy-encoded file holding a line that is valid UTF-8 text.

    GB18030 and cp1251 decode almost any bytes, so a UTF-8 line appended to a GBK or cp1251
    export decodes "fine" into mojibake. Real GBK or cp1251 text is practically never valid
    UTF-8 (cp1251 lower-case letters are UTF-8 lead bytes without continuations; GBK trail bytes
    rarely form continuation runs), so a non-ASCII line that decodes as UTF-8 is the other
    encoding. Checked line by line, so the error names the first such line.
    """
    from .bytescan import first_utf8_line

    number = first_utf8_line(data)
    if number is not None:
        raise InputFileError(
            f"{path}: mixed encoding: the file reads as {enc} but line {number} is UTF-8 text; "
            "re-save the file in one encoding (or pass encoding= to force one)"
        )


_SNIFF_DELIMITERS = ",;\t|"
# csv.Sniffer's quote patterns, taken apart. Its first pattern, ``(D)( ?)(Q).*?(?P=Q)(?P=D)``
# (D = [^\w\n"'], Q = a quote, DOTALL), opens at a delimiter-like character before a quote;
# each opening is a lookahead match here, so every start position is found in one pass.
_OPEN_AFTER_DELIM = re.compile(r"""(?=([^\w\n"'])( ?)(["']))""")
_OPEN_AT_LINE = re.compile(r"""(?:^|(?<=\n))(["'])""")
_CLOSE_BEFORE_DELIM = re.compile(r"""(?=(["'])([^\w\n"']))""")
_CLOSE_AT_EOL = re.compile(r"""(["'])(?=\n|\Z)""")


def _quoted_delimiter(sample: str) -> str:
    """The delimiter ``csv.Sniffer()._guess_quote_and_delimiter(sample, ",;\\t|")`` finds, in O(n log n).

    ``""`` when the quotes name no allowed delimiter (the stdlib then counts characters per
    line, :func:`_sniff_delimiter`).
    """
    return _most_common_delimiter(_quoted_field_delimiters(sample))


def _quoted_field_delimiters(sample: str) -> list[str]:
    """The ``delim`` group of each match of the first of csv.Sniffer's quote patterns that matches.

    The stdlib finds its quoted fields with lazy ``.*?`` patterns: every opening quote that is
    never closed scans the rest of the sample, and its double-quote check (``\\W*"[^,\\n]*"...``)
    rescans every run of punctuation or spaces: a 40 KB line of spaces with two quotes in it
    takes 20 s. Here the same non-overlapping, leftmost, shortest matches of its first three
    patterns are found by bisecting sorted lists of the positions where a field can close.
    Its fourth pattern and the double-quote check name no delimiter, so they cannot change
    the answer and are not run: ``[]`` when none of the first three matches.
    """
    from bisect import bisect_left

    before_delim: dict[tuple[str, str], list[int]] = {}
    any_delim: dict[str, list[int]] = {}
    for m in _CLOSE_BEFORE_DELIM.finditer(sample):
        before_delim.setdefault((m.group(1), m.group(2)), []).append(m.start())
        any_delim.setdefault(m.group(1), []).append(m.start())
    at_eol: dict[str, list[int]] = {}
    for m in _CLOSE_AT_EOL.finditer(sample):
        at_eol.setdefault(m.group(1), []).append(m.start())

    def first_at_or_after(positions: list[int] | None, start: int) -> int:
        if not positions:
            return -1
        i = bisect_left(positions, start)
        return positions[i] if i < len(positions) else -1

    opens = [(m.start(), m.group(1), m.start(3), m.group(3)) for m in _OPEN_AFTER_DELIM.finditer(sample)]

    def after_delim(closes: Callable[[str, str], list[int] | None], width: int) -> list[str]:
        # (D)( ?)(Q).*?(?P=Q) then a close ``closes`` lists; the match ends ``width`` past the quote
        found: list[str] = []
        pos = 0
        for start, delim, quote_at, quote in opens:
            if start >= pos:
                close = first_at_or_after(closes(delim, quote), quote_at + 1)
                if close >= 0:
                    found.append(delim)
                    pos = close + width
        return found

    def at_line_start() -> list[str]:
        # (?:^|\n)(Q).*?(?P=Q)(D)( ?)
        found: list[str] = []
        pos = 0
        for m in _OPEN_AT_LINE.finditer(sample):
            quote_at, quote = m.start(1), m.group(1)
            if quote_at >= pos:
                close = first_at_or_after(any_delim.get(quote), quote_at + 1)
                if close >= 0:
                    found.append(sample[close + 1])
                    pos = close + 2 + (sample[close + 2 : close + 3] == " ")
        return found

    # the stdlib's order: the first pattern with any match decides, allowed delimiter or not
    return (after_delim(lambda d, q: before_delim.get((q, d)), 2)  # ,"...",
            or at_line_start()  # "...",
            or after_delim(lambda d, q: at_eol.get(q), 1))  # ,"..." at the line's end


def _most_common_delimiter(found: list[str]) -> str:
    """The stdlib's vote: the most frequent allowed delimiter, the first seen on a tie; ``""`` if none is allowed."""
    counts: dict[str, int] = {}
    for d in found:
        if d in _SNIFF_DELIMITERS:
            counts[d] = counts.get(d, 0) + 1
    return max(counts, key=counts.get) if counts else ""  # type: ignore[arg-type]


def _line_count_delimiter(sample: str) -> str:
    """The delimiter csv.Sniffer's per-line character count (``_guess_delimiter``) names, or ``""``.

    Restated for the four allowed delimiters only (no other character can win) so that the
    answer does not depend on the stdlib version: Python's main branch has replaced these
    heuristics (gh-83273). Lines are taken ten at a time; a character's expected count is the
    mode of its per-line counts, scored by the lines that have it less the lines that do not;
    the first chunk after which exactly one delimiter is that consistent in >= 90-100 % of the
    lines read wins; else the stdlib's preference order, else the best (score, character).
    """
    lines = [line for line in sample.split("\n") if line]
    chunk = min(10, len(lines))
    freq: dict[str, dict[int, int]] = {d: {} for d in _SNIFF_DELIMITERS}
    modes: dict[str, tuple[int, int]] = {}
    delims: dict[str, tuple[int, int]] = {}
    start, end, iteration = 0, chunk, 0
    while start < len(lines):
        iteration += 1
        for line in lines[start:end]:
            for d in _SNIFF_DELIMITERS:
                n = line.count(d)
                freq[d][n] = freq[d].get(n, 0) + 1
        for d, counts in freq.items():
            items = list(counts.items())
            if len(items) == 1 and items[0][0] == 0:
                continue
            mode = max(items, key=lambda x: x[1]) if len(items) > 1 else items[0]
            modes[d] = (mode[0], mode[1] - (sum(c for _, c in items) - mode[1]))
        total = float(min(chunk * iteration, len(lines)))
        consistency = 1.0
        while not delims and consistency >= 0.9:  # the stdlib's float steps, kept exactly
            for d, (expected, score) in modes.items():
                if expected > 0 and score > 0 and score / total >= consistency:
                    delims[d] = (expected, score)
            consistency -= 0.01
        if len(delims) == 1:
            return next(iter(delims))
        start = end
        end += chunk
    if not delims:
        return ""
    for d in (",", "\t", ";"):  # csv.Sniffer.preferred, in its order, for these delimiters
        if d in delims:
            return d
    return max((v, k) for k, v in delims.items())[1]


def _sniff_delimiter(path: Path, text: str) -> str:
    """The delimiter Python 3.11's ``csv.Sniffer().sniff(sample, ",;\\t|")`` names for the first 50 lines, or ``","``.

    Its two steps restated (:func:`_quoted_delimiter`, :func:`_line_count_delimiter`): the same
    answer without its quadratic quote patterns, and on every Python version
    (tests/test_io_sniff.py keeps the csv.Sniffer implementation as the reference).
    """
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    sample = "\n".join(text[:65536].splitlines()[:50])
    return _quoted_delimiter(sample) or _line_count_delimiter(sample) or ","


def _limit(name: str, default: int) -> int:
    """A size limit: the environment variable ``name`` when set, else ``default``."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise InputFileError(f"{name}={value!r} is not a whole number") from None


def _check_unique_headers(path: Path, cells: list[str]) -> None:
    limit = _limit("CSRESEARCH_MAX_COLUMNS", DEFAULT_MAX_COLUMNS)
    if len(cells) > limit:
        raise InputFileError(
            f"{path}: the header has {len(cells):,} columns, more than the limit of {limit:,} "
            "(Excel's own maximum); a wrong delimiter or not a table? Set CSRESEARCH_MAX_COLUMNS to raise it."
        )
    counts = Counter(c for c in cells if c)  # one pass: a wide header must not cost n^2
    dupes = sorted(c for c, k in counts.items() if k > 1)
    if dupes:
        raise InputFileError(f"{path}: duplicate column names in the header: {', '.join(map(repr, dupes))}")


def _mapping_info(mapping: dict[str, str]) -> dict[str, Any]:
    """The header-mapping part of ``read_info``: renamed columns, and columns left unmapped."""
    canonical = set(_alias_table().values())
    info: dict[str, Any] = {
        "column_map": {k: v for k, v in mapping.items() if k != v},
        "unmapped_columns": [v for v in mapping.values() if v not in canonical],
    }
    # "Annual Salary", "月薪": the header states the period of the bare amounts below it
    period = next((header_periods()[_normalise_header(raw)] for raw, c in mapping.items()
                   if c == "salary_text" and _normalise_header(raw) in header_periods()), None)
    if period:
        info["period_from_header"] = period
    return info


def _header_cells(text: str | _io.TextIOBase, sep: str) -> list[str]:
    # newline="" lets the csv module see bare carriage returns as line ends, not as cell text
    lines = _io.StringIO(text, newline="") if isinstance(text, str) else text
    first = next((r for r in csv.reader(lines, delimiter=sep) if r), [])
    return [c.strip() for c in first]


def _read_text_table(path: Path, encoding: str | None, headerless: bool, max_line: int) -> tuple[pd.DataFrame, dict]:
    _longest_line(path, max_line)
    data = path.read_bytes()
    if not data or data.isspace():  # data.strip() would copy the whole file
        raise InputFileError(f"{path}: file is empty")
    digest = hashlib.sha256(data).hexdigest()  # of the bytes parsed, without reading the file again
    utf8, enc = _to_utf8(path, data, encoding)
    del data  # transcoded: the UTF-8 copy is what is parsed
    head = utf8[: 4 * 65536 + 8].decode("utf_8_sig", errors="ignore")[:65536]
    sep = _sniff_delimiter(path, head)
    if not headerless:
        # the header may be longer than the head: read its cells from the whole text, lazily
        stream = _io.TextIOWrapper(_io.BytesIO(utf8), encoding="utf_8_sig", newline="")
        _check_unique_headers(path, _header_cells(stream, sep))
    df = parse_delimited(path, utf8, "utf_8_sig" if enc == "utf_8_sig" else "utf_8", sep, header=not headerless)
    return df, {"encoding": enc, "delimiter": sep, "sha256": digest}


def _line_ends(data: bytes) -> np.ndarray:
    """Offset of every line break (``\\n``, the ``\\n`` of ``\\r\\n``, or a lone ``\\r``)."""
    a = np.frombuffer(data, np.uint8)
    nl = np.flatnonzero(a == 10)
    cr = np.flatnonzero(a == 13)
    if len(cr):
        after = np.minimum(cr + 1, len(a) - 1)
        lone = cr[(cr + 1 == len(a)) | (a[after] != 10)]
        nl = np.union1d(nl, lone)
    return nl


def count_lines(data: bytes) -> int:
    """Physical lines in ``data`` (a last line without a line break counts)."""
    ends = _line_ends(data)
    return int(len(ends) + (1 if len(data) and (not len(ends) or ends[-1] < len(data) - 1) else 0))


def _record_spans(df: pd.DataFrame) -> np.ndarray:
    """Physical lines each record occupies: one, plus the line breaks inside its quoted cells."""
    spans = np.ones(len(df), dtype=np.int64)
    for col in df.columns:
        s = df[col]
        # vectorised on arrow strings; most columns hold no line break at all
        if not s.str.contains("[\r\n]", regex=True).fillna(False).any():
            continue
        breaks = s.str.count("\n") + s.str.count("\r") - s.str.count("\r\n")
        spans += breaks.fillna(0).to_numpy(dtype=np.int64)
    return spans


def parse_delimited(path: Path, data: bytes, enc: str, sep: str, *, header: bool,
                    width: int | None = None, first_line: int = 1) -> pd.DataFrame:
    """Delimited text (checked encoding) -> DataFrame of strings indexed by the file's line.

    ``source_row`` is the physical 1-based line where each record starts, counting the header,
    blank lines and the lines inside quoted multi-line cells (line breaks: ``\\n``, ``\\r\\n``
    or a lone ``\\r``). Blank lines (empty, or spaces and tabs only) are not rows. With
    ``header`` the first non-blank record is the header; ``width`` is the header's width when
    ``data`` is a later block of a file (the dask reader), whose first line is ``first_line``.
    """
    if enc.startswith("utf_16"):  # line breaks are found in the bytes: count them in UTF-8
        data, enc = data.decode(enc).encode("utf_8"), "utf_8"
    if codecs.lookup(enc).name in ("utf-8", "utf-8-sig"):
        # pyarrow, when every record is one line (the common case); else pandas, below
        fast = read_single_line_records(data, sep, header=header, width=width, first_line=first_line)
        if fast is not None:
            return fast
    # pandas takes the width from the first line, so leading blank lines are cut off (and counted)
    lead = len(data) - len(data.lstrip(b" \t\r\n"))
    if lead:
        cut = int(_line_ends(data[:lead])[-1]) + 1 if len(_line_ends(data[:lead])) else 0
        first_line += count_lines(data[:cut])
        data = data[cut:]
    try:
        # header=None: the first record fixes the number of fields, so a data row longer than
        # the header is an error naming its line (with header=0 pandas would silently take
        # the first column of a long first row as the index and shift every value left).
        # skip_blank_lines=False: blank lines stay records here, so that lines can be counted.
        # From the bytes with the checked encoding: pandas decodes them in one linear pass
        # (a StringIO of a large non-ASCII text is re-copied as it grows: quadratic time).
        df = pd.read_csv(
            _io.BytesIO(data), encoding=enc, sep=sep, header=None, dtype=str,
            keep_default_na=False, na_values=[""], skip_blank_lines=False, engine="c",
        )
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path}: file has no rows or columns") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1]
        if "EOF inside string" in msg:
            msg = f"truncated file or unterminated quote ({msg})"
        elif "Expected" in msg and "fields" in msg:
            msg = f"ragged rows: {msg} (a data row has more cells than the header)"
        raise InputFileError(f"{path}: {msg}") from None
    if width is not None:  # a later block: its first record fixed the width, not the header
        if df.shape[1] > width:
            raise InputFileError(f"{path}: ragged rows: a row at or after line {first_line} has "
                                 f"{df.shape[1]} cells, more than the {width} of the header")
        df = df.reindex(columns=range(width))
    starts = first_line + np.concatenate([[0], np.cumsum(_record_spans(df))[:-1]]) if len(df) else np.zeros(0, np.int64)
    blank = _blank_records(df, data, starts - first_line, sep)
    df = df.loc[~blank].set_axis(pd.Index(starts[~blank], name="source_row"), axis=0)
    if header:
        if df.empty:
            raise InputFileError(f"{path}: file has no rows or columns")
        cells = ["" if pd.isna(h) else str(h).lstrip("\ufeff").strip() for h in df.iloc[0]]
        df = df.iloc[1:].set_axis([h or f"Unnamed: {i}" for i, h in enumerate(cells)], axis=1)
    return df


def _blank_records(df: pd.DataFrame, data: bytes, lines: np.ndarray, sep: str) -> np.ndarray:
    """Records that are a blank line: one empty line, or one of spaces and tabs only.

    Their cells cannot tell (``,,`` and an empty line both read as missing cells), so the
    candidates are looked up in the bytes.
    """
    if df.empty:
        return np.zeros(len(df), dtype=bool)
    first = df.iloc[:, 0].astype("str")
    rest_empty = df.iloc[:, 1:].isna().all(axis=1).to_numpy() if df.shape[1] > 1 else np.ones(len(df), bool)
    candidate = rest_empty & (first.isna() | (first.str.strip(" \t") == "")).to_numpy()
    if not candidate.any():
        return candidate
    ends = _line_ends(data)
    bounds = np.concatenate([[-1], ends, [len(data)]])
    space = b" " if sep == "\t" else b" \t"
    out = np.zeros(len(df), dtype=bool)
    for i in np.flatnonzero(candidate):
        k = lines[i]
        line = data[bounds[k] + 1: bounds[k + 1]].rstrip(b"\r")
        out[i] = not line.strip(space) and b"\n" not in line
    return out


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose parts would expand past the limit, before parsing any XML."""
    import zipfile

    limit = _limit("CSRESEARCH_MAX_XLSX_BYTES", DEFAULT_MAX_XLSX_BYTES)
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{path}: not a readable XLSX workbook (not a zip archive: {exc})") from None
    total = sum(m.file_size for m in members)
    if total > limit:
        biggest = max(members, key=lambda m: m.file_size)
        raise InputFileError(
            f"{path}: the workbook expands to {total / 2**20:,.0f} MiB of XML ({biggest.filename}: "
            f"{biggest.file_size / 2**20:,.0f} MiB), more than the limit of {limit / 2**20:,.0f} MiB; "
            "save the sheet as CSV, or set CSRESEARCH_MAX_XLSX_BYTES to raise the limit"
        )


def _scan_sheet(archive: Any, member: str) -> tuple[list[str], list[str]]:
    """Merged ranges touching row 1, and formula cells saved without a cached value.

    openpyxl's read-only mode exposes neither, so the sheet XML is streamed once more.
    """
    from xml.etree.ElementTree import iterparse

    merged: list[str] = []
    no_value: list[str] = []
    with archive.open(member) as fh:
        for _, elem in iterparse(fh, events=("end",)):
            tag = elem.tag.rsplit("}", 1)[-1]
            if tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in elem}
                v = children.get("v")
                if "f" in children and (v is None or not (v.text or "").strip()):
                    no_value.append(elem.get("r", "?"))
                elem.clear()
            elif tag == "row":
                elem.clear()
            elif tag == "mergeCell":
                ref = elem.get("ref", "")
                first = ref.split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                if first == "1":
                    merged.append(ref)
    return merged, no_value


def _read_excel(path: Path, sheet: str | int | None, headerless: bool) -> tuple[pd.DataFrame, dict]:
    import openpyxl

    _check_xlsx_size(path)
    try:
        # read-only streams the sheet XML instead of building every cell object in memory
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip
        raise InputFileError(f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        return _read_sheet(path, wb, sheet, headerless)
    finally:
        wb.close()


def _read_sheet(path: Path, wb: Any, sheet: str | int | None, headerless: bool) -> tuple[pd.DataFrame, dict]:
    names = wb.sheetnames
    if sheet is None:
        ws = wb[names[0]]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InputFileError(f"{path}: sheet index {sheet} out of range; sheets are {names}")
        ws = wb[names[sheet]]
    elif sheet in names:
        ws = wb[sheet]
    else:
        raise InputFileError(f"{path}: no sheet {sheet!r}; sheets are {names}")
    merged, no_value = _scan_sheet(wb._archive, ws._worksheet_path)
    if merged and not headerless:
        raise InputFileError(
            f"{path}: merged header cells in sheet {ws.title!r} ({', '.join(merged)}); "
            "flatten the header into one row, or pass columns= with the names"
        )
    ws.reset_dimensions()  # the stored dimension may lie (A1:XFD1048576); rows say their own size
    limit = _limit("CSRESEARCH_MAX_CELLS", DEFAULT_MAX_CELLS)
    rows, numbers, cells = [], [], 0
    # iter_rows yields every sheet row from row 1 (an empty tuple for a row the XML leaves out),
    # so the count is the sheet's row number; empty rows are not rows, as blank lines in a CSV
    for number, r in enumerate(ws.iter_rows(values_only=True), start=1):
        cells += max(len(r), 1)
        if cells > limit:
            raise InputFileError(
                f"{path}: sheet {ws.title!r} has more than {limit:,} cells (limit reached at row "
                f"{number:,}); save it as CSV, or set CSRESEARCH_MAX_CELLS to raise the limit"
            )
        if any(v is not None and v != "" for v in r):
            rows.append(r)
            numbers.append(number)
    if not rows:
        raise InputFileError(f"{path}: sheet {ws.title!r} is empty")
    width = len(rows[0])
    if not headerless:
        _check_unique_headers(path, [("" if h is None else str(h).strip()) for h in rows[0]])
    for number, r in zip(numbers, rows):
        if len(r) > width and any(v is not None for v in r[width:]):
            raise InputFileError(
                f"{path}: ragged rows: sheet {ws.title!r} row {number} has values beyond the "
                f"{width} columns of {'the header' if not headerless else 'its first row'}"
            )
    body = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows]
    if headerless:
        header = list(range(width))
    else:
        header = [("" if h is None else str(h).strip()) for h in body[0]]
        header, body, numbers = [h or f"col_{i}" for i, h in enumerate(header)], body[1:], numbers[1:]
    df = pd.DataFrame(body, columns=header, dtype=object, index=pd.Index(numbers, dtype="int64", name="source_row"))
    df = df.map(_cell_text).astype("str")
    info: dict[str, Any] = {"encoding": "xlsx", "sheet": ws.title}
    others = [n for n in names if n != ws.title]
    if others:
        info["sheets_not_read"] = others
    if no_value:
        info["formulas_without_value"] = {"count": len(no_value), "cells": no_value[:10]}
    return df, info


def _cell_text(value: object) -> object:
    """Excel cells as the text a CSV export would hold (6000.0 -> '6000')."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_json(path: Path, encoding: str | None) -> tuple[pd.DataFrame, dict]:
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError(f"{path}: file is empty")
    text, enc = _decode(path, data, encoding)
    text = text.lstrip("\ufeff")
    lines = None
    try:
        if path.suffix.lower() in {".jsonl", ".ndjson"}:
            # "\n" only: str.splitlines would also split at U+2028 and others, valid inside JSON strings
            numbered = [(i, line) for i, line in enumerate(text.split("\n"), start=1) if line.strip()]
            records, lines = [], [i for i, _ in numbered]
            for i, line in numbered:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputFileError(f"{path}: invalid JSON on line {i} column {exc.colno}: {exc.msg}") from None
        else:
            obj = json.loads(text)
            records = obj
            if isinstance(obj, dict):
                # {"data": [...]} / {"items": [...]} as APIs return, or a column-oriented dict
                lists = [v for v in obj.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
                records = lists[0] if len(lists) == 1 else obj
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputFileError(f"{path}: JSON nested too deeply to be a table of records") from None
    if isinstance(records, list):
        bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
        if bad is not None and any(isinstance(r, dict) for r in records):
            raise InputFileError(
                f"{path}: JSON list mixes records and other values: item {bad + 1} is "
                f"{type(records[bad]).__name__}, not an object {{...}}"
            )
        if bad is not None:
            raise InputFileError(f"{path}: JSON is a list of {type(records[bad]).__name__}, not of records {{...}}")
    elif not isinstance(records, dict):
        raise InputFileError(f"{path}: JSON holds a single {type(records).__name__}, not a table of records")
    try:
        df = pd.DataFrame(records)
    except (ValueError, TypeError, RecursionError) as exc:
        raise InputFileError(f"{path}: JSON is not a table of records ({exc})") from None
    # JSON Lines: the record's line; a JSON array (or columns): the record's 1-based position
    df.index = pd.Index(lines if lines is not None else np.arange(1, len(df) + 1), dtype="int64", name="source_row")
    return df, {"encoding": enc}


def _check_list_names(names: Sequence[object]) -> None:
    """Names for a headerless file may be the analyst's own, but not a misspelt canonical name."""
    import difflib

    allowed = canonical_columns()
    for name in names:
        if name in (None, "") or name in allowed:
            continue
        near = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.8)
        if near:
            raise ColumnMappingError(
                f"columns= name {name!r} is not a canonical column; did you mean {near[0]!r}? "
                f"(allowed: {', '.join(allowed)}; other names are kept as they are)"
            )


def _apply_columns(df: pd.DataFrame, columns: Mapping[str, str] | Sequence[str] | None, path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename columns: the user's mapping first, then the reference aliases."""
    user_map: dict[str, str] = {}
    if columns is not None and not isinstance(columns, Mapping):
        names = list(columns)
        _check_list_names(names)
        if len(names) != df.shape[1]:
            raise ColumnMappingError(
                f"{path}: columns= names {len(names)} columns but the file has {df.shape[1]}"
            )
        user_map = {str(old): (str(new) if new not in (None, "") else f"col_{i}")
                    for i, (old, new) in enumerate(zip(df.columns, names))}
        df = df.set_axis([user_map[str(c)] for c in df.columns], axis=1)
        user_map = {}
    elif isinstance(columns, Mapping):
        missing = [k for k in columns if k not in df.columns]
        if missing:
            raise ColumnMappingError(
                f"{path}: columns= maps {missing} but the file's columns are {list(df.columns)}"
            )
        check_targets(columns.values())
        user_map = {str(k): str(v) for k, v in columns.items()}

    aliases = _alias_table()
    mapping: dict[str, str] = {}
    taken: set[str] = set(user_map.values())
    for col in df.columns:
        col = str(col)
        if col in user_map:
            mapping[col] = user_map[col]
            continue
        target = aliases.get(_normalise_header(col))
        # A second column mapping to a canonical name already taken keeps its raw name:
        # the leftmost wins, and read_info records the collision.
        if target is not None and target not in taken:
            mapping[col] = target
            taken.add(target)
        else:
            mapping[col] = col
    new_names = [mapping[str(c)] for c in df.columns]
    if len(set(new_names)) != len(new_names):
        dupes = sorted({n for n in new_names if new_names.count(n) > 1})
        raise ColumnMappingError(f"{path}: after mapping, duplicate column names {dupes}")
    return df.set_axis(new_names, axis=1), mapping


def read_table(
    path: str | os.PathLike,
    *,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    require: Sequence[str] | None = None,
    max_line_bytes: int | None = None,
) -> pd.DataFrame:
    """Read a raw survey or posting file into a DataFrame with canonical column names.

    Parameters
    ----------
    path : path-like
        A ``.csv``, ``.tsv``/``.txt``, ``.xlsx``, ``.json``/``.jsonl`` or ``.parquet`` file.
    columns : mapping or sequence, optional
        A mapping ``{raw header: canonical name}`` applied before the reference aliases, or a
        list of names for a headerless file (one per column; ``None`` keeps ``col_<i>``).
    encoding : str, optional
        Force a text encoding; detected among UTF-8 (with or without BOM), GB18030/GBK, cp1251,
        KOI8-R, Big5 and UTF-16 when omitted.
    sheet : str or int, optional
        Worksheet of an XLSX file (the first by default).
    require : sequence of str, optional
        Canonical columns that must be present after mapping.
    max_line_bytes : int, optional
        Longest line accepted in a text file (default :data:`DEFAULT_MAX_LINE_BYTES`).

    Returns
    -------
    DataFrame
        Text columns as strings (missing cells are NA), headers renamed to canonical names where
        known; unknown columns are kept under their raw names. The index, named ``source_row``,
        is where each row is in the file: for CSV/TSV the physical 1-based line where the
        record starts (the header is line 1; blank lines and the lines inside quoted
        multi-line cells count; blank lines are not rows); for XLSX the sheet row number (empty
        rows are not rows); for JSON Lines the line; for a JSON array or parquet the record's
        1-based position. :func:`csresearch.clean_survey` keeps it as ``source_row``.
        ``df.attrs["read_info"]`` holds ``path``, ``format``, ``encoding``, ``sha256``,
        ``n_rows`` and ``column_map``.

    Raises
    ------
    InputFileError
        Unreadable file: empty, wrong or mixed encoding, truncated, ragged rows, a line longer
        than ``max_line_bytes``, duplicate header names, merged XLSX header cells.
    ColumnMappingError
        ``columns=`` does not fit the file, or a ``require``d column is absent.

    Examples
    --------
    >>> df = read_table("data/raw/seed_survey.csv")  # doctest: +SKIP
    >>> df.attrs["read_info"]["encoding"]  # doctest: +SKIP
    'utf_8'
    >>> read_table("postings.csv", columns=["url", "title", "company", None, "salary_text"])  # doctest: +SKIP
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(
            f"{path}: is a folder; read_table reads one file (`csresearch clean FOLDER` cleans every file in it)"
        )
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    headerless = columns is not None and not isinstance(columns, Mapping)
    env_limit = os.environ.get("CSRESEARCH_MAX_LINE_BYTES")
    limit = max_line_bytes or (int(env_limit) if env_limit else DEFAULT_MAX_LINE_BYTES)

    if suffix in _TEXT_SUFFIXES or suffix == "":
        df, info = _read_text_table(path, encoding, headerless, limit)
        fmt = "tsv" if info["delimiter"] == "\t" else "csv"
    elif suffix in _EXCEL_SUFFIXES:
        df, info = _read_excel(path, sheet, headerless)
        fmt = "xlsx"
    elif suffix in _JSON_SUFFIXES:
        df, info = _read_json(path, encoding)
        fmt = "json"
    elif suffix in _PARQUET_SUFFIXES:
        try:
            df, info = pd.read_parquet(path), {"encoding": "parquet"}
            df.index = pd.RangeIndex(1, len(df) + 1, name="source_row")
        except Exception as exc:
            raise InputFileError(f"{path}: not a readable parquet file ({exc})") from None
        fmt = "parquet"
    elif suffix == ".xls":
        raise InputFileError(f"{path}: legacy .xls is not supported; save it as .xlsx or CSV")
    else:
        raise InputFileError(f"{path}: unsupported file type {suffix!r}")

    df, mapping = _apply_columns(df, columns, path)
    if require:
        missing = [c for c in require if c not in df.columns]
        if missing:
            raise ColumnMappingError(
                f"{path}: no column maps to {missing}; headers are {list(mapping)}. "
                "Pass columns={{raw: canonical}} (or a list of names for a headerless file)."
            )
    df.attrs["read_info"] = ReadInfo({
        "path": str(path),
        "format": fmt,
        **info,
        "sha256": info.get("sha256") or _sha256(path),  # text files: hashed when read
        "n_rows": int(len(df)),
        **_mapping_info(mapping),
    })
    return df


class ReadInfo(dict):
    """``df.attrs["read_info"]``: how a file was read. Treat it as read-only.

    pandas deep-copies ``attrs`` into the result of nearly every operation; for a wide file the
    header mapping would be copied again and again (a 10,000-column header cost minutes), so
    copies share this one object instead.
    """

    def __deepcopy__(self, memo: dict) -> ReadInfo:
        return self

    def __copy__(self) -> ReadInfo:
        return self


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


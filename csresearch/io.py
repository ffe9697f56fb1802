"""Reading raw survey and posting files, and locating the project's data folders.

Raw files arrive as CSV/TSV/XLSX/JSON/parquet, in UTF-8 (with or without BOM), GBK/GB18030 or
cp1251, with headers in Chinese, Russian or English. :func:`read_table` turns any of them into a
DataFrame of strings whose headers are mapped to canonical names, and records how it read the
file (format, encoding, hash, header mapping) in ``df.attrs["read_info"]``.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import ColumnMappingError, InputFileError

__all__ = [
    "read_table",
    "detect_encoding",
    "canonical_columns",
    "project_root",
    "load_processed",
    "DEFAULT_MAX_LINE_BYTES",
]

#: A line longer than this is treated as garbage rather than read into memory.
#: 16 MiB comfortably exceeds any real posting description; override per call or with
#: the environment variable ``CSRESEARCH_MAX_LINE_BYTES``.
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024

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

    Examples
    --------
    >>> table = load_processed()  # doctest: +SKIP
    >>> table.groupby("country")["annual_mid_usd_ppp"].median()  # doctest: +SKIP
    """
    base = Path(root) if root is not None else project_root()
    path = base / "data" / "processed" / f"{name}.parquet"
    if not path.is_file():
        raise InputFileError(
            f"{path}: not found; run `csresearch build` first to write data/processed"
        )
    return pd.read_parquet(path)


def _normalise_header(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name)).casefold().replace("ё", "е")
    return re.sub(r"[\s_\-./\\()\[\]{}:;,'\"]+", "", text)


@cache
def _alias_table() -> dict[str, str]:
    raw = yaml.safe_load(
        resources.files("csresearch.reference").joinpath("columns.yaml").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for canonical, aliases in raw.items():
        for alias in [canonical, *aliases]:
            key = _normalise_header(alias)
            if key in table and table[key] != canonical:
                raise ColumnMappingError(
                    f"columns.yaml: alias {alias!r} maps to both {table[key]!r} and {canonical!r}"
                )
            table[key] = canonical
    return table


def canonical_columns() -> list[str]:
    """Return the canonical column names that :func:`read_table` maps headers to."""
    return sorted(set(_alias_table().values()))


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
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 0.0
    if encoding == "cp1251":
        good = sum(1 for c in wide if "а" <= c <= "я" or c == "ё")
    else:
        good = 0
        for c in wide:
            try:
                b = c.encode("gb2312")
            except UnicodeEncodeError:
                continue
            good += len(b) == 2 and 0xB0 <= b[0] <= 0xD7
    return good / len(wide)


def _longest_line(path: Path, limit: int) -> None:
    """Raise when a line is longer than ``limit`` bytes, reading in bounded chunks."""
    run = 0
    line_no = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            parts = chunk.split(b"\n")
            for i, part in enumerate(parts):
                run = run + len(part) if i == 0 else len(part)
                if run > limit:
                    raise InputFileError(
                        f"{path}: line {line_no + i} is longer than {limit:,} bytes; "
                        "the file is not a delimited table (garbage or a wrong delimiter?). "
                        "Raise max_line_bytes if it is genuine."
                    )
            line_no += len(parts) - 1


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    try:
        enc = encoding or detect_encoding(data[: 1 << 20])
    except InputFileError as exc:
        raise InputFileError(f"{path}: {exc}") from None
    try:
        return data.decode(enc), enc
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


def _sniff_delimiter(path: Path, text: str) -> str:
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _check_unique_headers(path: Path, cells: list[str]) -> None:
    dupes = sorted({c for c in cells if c and cells.count(c) > 1})
    if dupes:
        raise InputFileError(f"{path}: duplicate column names in the header: {', '.join(map(repr, dupes))}")


def _mapping_info(mapping: dict[str, str]) -> dict[str, Any]:
    """The header-mapping part of ``read_info``: renamed columns, and columns left unmapped."""
    canonical = set(_alias_table().values())
    return {
        "column_map": {k: v for k, v in mapping.items() if k != v},
        "unmapped_columns": [v for v in mapping.values() if v not in canonical],
    }


def _header_cells(text: str, sep: str) -> list[str]:
    # newline="" lets the csv module see bare carriage returns as line ends, not as cell text
    first = next(csv.reader(_io.StringIO(text, newline=""), delimiter=sep), [])
    return [c.strip() for c in first]


def _read_text_table(path: Path, encoding: str | None, headerless: bool, max_line: int) -> tuple[pd.DataFrame, dict]:
    _longest_line(path, max_line)
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError(f"{path}: file is empty")
    text, enc = _decode(path, data, encoding)
    sep = _sniff_delimiter(path, text)
    if not headerless:
        _check_unique_headers(path, _header_cells(text.lstrip("\ufeff"), sep))
    try:
        df = pd.read_csv(
            _io.StringIO(text),
            sep=sep,
            header=None if headerless else 0,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path}: file has no rows or columns") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1]
        if "EOF inside string" in msg:
            msg = f"truncated file or unterminated quote ({msg})"
        elif "Expected" in msg and "fields" in msg:
            msg = f"ragged rows: {msg}"
        raise InputFileError(f"{path}: {msg}") from None
    return df, {"encoding": enc, "delimiter": sep}


def _read_excel(path: Path, sheet: str | int | None, headerless: bool) -> tuple[pd.DataFrame, dict]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip
        raise InputFileError(f"{path}: not a readable XLSX workbook ({exc})") from None
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
    if not headerless:
        merged = [str(r) for r in ws.merged_cells.ranges if r.min_row <= 1]
        if merged:
            raise InputFileError(
                f"{path}: merged header cells in sheet {ws.title!r} ({', '.join(merged)}); "
                "flatten the header into one row, or pass columns= with the names"
            )
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputFileError(f"{path}: sheet {ws.title!r} is empty")
    if headerless:
        header, body = list(range(len(rows[0]))), rows
    else:
        header, body = [("" if h is None else str(h).strip()) for h in rows[0]], rows[1:]
        _check_unique_headers(path, header)
        header = [h or f"col_{i}" for i, h in enumerate(header)]
    df = pd.DataFrame(body, columns=header, dtype=object).map(_cell_text).astype("str")
    return df, {"encoding": "xlsx", "sheet": ws.title}


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
    try:
        if path.suffix.lower() in {".jsonl", ".ndjson"}:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            obj = json.loads(text)
            records = obj
            if isinstance(obj, dict):
                # {"data": [...]} / {"items": [...]} as APIs return, or a column-oriented dict
                lists = [v for v in obj.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
                records = lists[0] if len(lists) == 1 else obj
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    try:
        df = pd.DataFrame(records)
    except ValueError as exc:
        raise InputFileError(f"{path}: JSON is not a table of records ({exc})") from None
    return df, {"encoding": enc}


def _apply_columns(df: pd.DataFrame, columns: Mapping[str, str] | Sequence[str] | None, path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename columns: the user's mapping first, then the reference aliases."""
    user_map: dict[str, str] = {}
    if columns is not None and not isinstance(columns, Mapping):
        names = list(columns)
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
        known; unknown columns are kept under their raw names. ``df.attrs["read_info"]`` holds
        ``path``, ``format``, ``encoding``, ``sha256``, ``n_rows`` and ``column_map``.

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
    df.attrs["read_info"] = {
        "path": str(path),
        "format": fmt,
        **info,
        "sha256": _sha256(path),
        "n_rows": int(len(df)),
        **_mapping_info(mapping),
    }
    return df


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


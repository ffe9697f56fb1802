"""Writing outputs safely: atomic files, a checked manifest, a build lock, safe names, safe CSV cells.

* Every file is written to a temporary file in the same folder, flushed, ``fsync``'d and
  moved into place with :func:`os.replace`, so a reader (or a killed build) sees the old
  file or the new one, never half of one.
* The manifest is written last and records the SHA-256 and row count of every output;
  :func:`read_verified` (used by :func:`csresearch.load_processed`) refuses a file that does
  not match it, so a build killed between two files cannot hand out a mixed set.
* :func:`output_lock` holds an ``fcntl`` lock on ``<folder>/.csresearch.lock`` while a build
  writes, so two builds into one folder run one after the other.
* :func:`safe_name` refuses names that would leave their folder (separators, ``..``,
  absolute paths, empty names, control characters).
* :func:`escape_formulas` prefixes text cells that a spreadsheet would run as a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return) with a single quote (OWASP "CSV
  injection" advice); numbers, and text that is just a number such as ``-5000``, are left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import CsResearchError

__all__ = [
    "OutputMismatchError",
    "UnsafeNameError",
    "BuildLockedError",
    "atomic_write",
    "escape_formulas",
    "output_lock",
    "output_entry",
    "read_verified",
    "safe_name",
    "sha256_file",
    "write_csv",
    "write_json",
    "write_parquet",
]

LOCK_NAME = ".csresearch.lock"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


class UnsafeNameError(CsResearchError, ValueError):
    """A name that becomes part of a path would leave its folder or is not a name at all."""


class OutputMismatchError(CsResearchError, RuntimeError):
    """An output file does not match the manifest written with it (torn or interrupted build)."""


class BuildLockedError(CsResearchError, RuntimeError):
    """Another build holds the lock of the output folder and did not release it in time."""


# --------------------------------------------------------------------------- names


def safe_name(name: object, what: str = "name") -> str:
    """Return ``name`` if it can be used as one file-name component, else raise.

    Refused: empty or blank names, ``.`` and ``..``, names containing ``/`` or ``\\``
    (so no absolute path and no sub-folder), names starting with ``.`` (hidden files, and
    ``.parquet`` for an empty stem), and control characters (newlines, NUL, ...).

    Raises
    ------
    UnsafeNameError

    Examples
    --------
    >>> safe_name("synth_cn_postings")
    'synth_cn_postings'
    >>> safe_name("../../evil", "--source")
    Traceback (most recent call last):
    ...
    csresearch.outputs.UnsafeNameError: --source '../../evil' cannot be used in a file name: it contains a path separator; use letters, digits, '_', '-' or '.'
    """
    text = "" if name is None else str(name)
    why = None
    if not text.strip():
        why = "it is empty"
    elif any(sep in text for sep in ("/", "\\")) or os.path.isabs(text):
        why = "it contains a path separator"
    elif text in {".", ".."} or text.startswith("."):
        why = "it starts with '.'"
    elif any(ord(c) < 32 or ord(c) == 127 for c in text):
        why = "it contains a control character"
    if why:
        raise UnsafeNameError(f"{what} {text!r} cannot be used in a file name: {why}; use letters, digits, '_', '-' or '.'")
    return text


# --------------------------------------------------------------------------- cells


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that start like a spreadsheet formula with a single quote.

    Only text columns are touched; in them a cell that is a plain number (``-5000``,
    ``+7.5``) stays as it is, because a spreadsheet reads it as that number.

    Examples
    --------
    >>> df = pd.DataFrame({"t": ["=HYPERLINK(\\"x\\")", "@SUM(A1)", "-5000", "ok"], "v": [-1.5, 2, 3, 4]})
    >>> escape_formulas(df)["t"].tolist(), escape_formulas(df)["v"].tolist()
    (['\\'=HYPERLINK("x")', "'@SUM(A1)", '-5000', 'ok'], [-1.5, 2.0, 3.0, 4.0])
    """
    out = df.copy()
    for col in out.columns:
        values = out[col]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            continue
        risky = _per_distinct(values, _is_formula, lambda s: s.str.slice(0, 1).isin(_FORMULA_START))
        if bool(risky.any()):
            out[col] = values.mask(risky, "'" + values.astype("str"))
    return out


def _newlines_as_lf(df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        values = df[col]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object) or _byte_absent(values, 13):
            continue
        has_cr = _per_distinct(values, lambda v: isinstance(v, str) and "\r" in v,
                               lambda s: s.str.contains("\r", regex=False))
        if bool(has_cr.any()):
            df[col] = values.mask(has_cr, values.astype("str").str.replace("\r\n", "\n").str.replace("\r", "\n"))
    return df


def _byte_absent(values: pd.Series, byte: int) -> bool:
    """True when an Arrow-backed text column cannot hold ``byte``: it is in none of its data buffers.

    One vectorised scan of the UTF-8 bytes instead of a test per cell; a byte below 0x80 is
    that character wherever it stands. False (not known) for other columns.
    """
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return False
    import pyarrow as pa

    arr = pa.array(values.array)
    for chunk in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]):
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, np.uint8) == np.uint8(byte)).any():
            return False
    return True


def _per_distinct(values: pd.Series, test: Callable[[object], bool],
                  may: Callable[[pd.Series], pd.Series] | None = None) -> pd.Series:
    """``values.map(test)`` for a missing-is-False test, evaluated once per distinct value.

    ``may`` is a vectorised necessary condition for text columns (the first character, a
    literal substring): only the cells it lets through are tested one distinct value at a time.
    """
    out = pd.Series(False, index=values.index)
    if may is not None and pd.api.types.is_string_dtype(values) and values.dtype != object:
        values = values[may(values).fillna(False).to_numpy(dtype=bool)]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hit = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    out[values.index] = np.append(hit, False)[codes]
    return out


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)


def _escape_value(value: object) -> object:
    return "'" + value if _is_formula(value) else value  # type: ignore[operator]


# --------------------------------------------------------------------------- atomic files


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, fsync it and move it into place.

    The temporary file is in the same folder (so :func:`os.replace` is atomic) and starts
    with ``.`` so a glob for outputs does not pick it up; it is removed if ``write`` fails.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    # the rename itself is durable only once the folder entry is on disk
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: Rows per parquet row group. A table is written one row group at a time, so a table that is
#: still in parts (:class:`~csresearch.clean.assemble.PendingTable`) is never held whole as
#: pandas or Arrow; a table of up to this many rows is one row group, as ``DataFrame.to_parquet``
#: writes it (the same bytes).
PARQUET_ROW_GROUP = 131_072


def write_parquet(table: pd.DataFrame | Any, path: str | Path) -> Path:
    """Write parquet atomically and deterministically (same bytes for the same table).

    ``table`` is a DataFrame (its index is not written) or a
    :class:`~csresearch.clean.assemble.PendingTable`; either way it is written in row groups
    of :data:`PARQUET_ROW_GROUP` rows, zstd-compressed, with pandas' metadata, and the bytes
    are the same for the same values.
    """
    if isinstance(table, pd.DataFrame):
        frame = table.reset_index(drop=True)
        # an object column's type is read from its values (all of them: one that is missing in
        # the first rows must not become a null column); other dtypes name their type
        typed = not (frame.dtypes == object).any()
        schema_of, chunks = (frame.iloc[:0] if typed else frame), _slices(frame, PARQUET_ROW_GROUP)
    else:
        schema_of, chunks = table.empty(), table.chunks(PARQUET_ROW_GROUP)
    return atomic_write(path, lambda tmp: _write_row_groups(tmp, schema_of, chunks))


def _slices(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    # no rows: one empty row group, as DataFrame.to_parquet writes it
    return (frame.iloc[start:start + size] for start in range(0, max(len(frame), 1), size))


def _write_row_groups(tmp: Path, schema_of: pd.DataFrame, chunks: Iterable[pd.DataFrame]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.Schema.from_pandas(schema_of, preserve_index=False)
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        wrote = False
        for chunk in chunks:
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
            wrote = True
        if not wrote:
            writer.write_table(schema.empty_table())


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False, **kwargs: Any) -> Path:
    """Write CSV atomically with formula-like text cells escaped (:func:`escape_formulas`).

    A carriage return inside a text cell is written as a newline: Python's csv writer quotes
    a cell holding "\\n" but not one holding a lone "\\r", which a reader then takes as the end
    of the row (a rejects file would read back with more rows than it has).
    """
    frame = _newlines_as_lf(escape_formulas(df))
    if index:
        frame.index = frame.index.map(lambda v: tuple(map(_escape_value, v)) if isinstance(v, tuple) else _escape_value(v))
    kwargs.setdefault("lineterminator", "\n")
    if not index and kwargs == {"lineterminator": "\n"}:
        from .csv_text import csv_chunks

        # the same bytes as to_csv, vectorised and a block of rows at a time; None for frames
        # it does not cover
        blocks = csv_chunks(frame)
        if blocks is not None:
            return atomic_write(path, lambda tmp: _write_blocks(tmp, blocks))
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=index, **kwargs))


def _write_blocks(tmp: Path, blocks: Iterable[bytes]) -> None:
    with open(tmp, "wb") as fh:
        fh.writelines(blocks)


def write_json(path: str | Path, obj: Any) -> Path:
    """Write JSON atomically and deterministically (sorted keys, UTF-8, trailing newline)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, "utf-8"))


# --------------------------------------------------------------------------- manifest checks


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def output_entry(path: str | Path, rows: int | None = None) -> dict[str, Any]:
    """Manifest entry of a written file: its SHA-256, byte size and (for tables) row count."""
    entry: dict[str, Any] = {"sha256": sha256_file(path), "bytes": Path(path).stat().st_size}
    if rows is not None:
        entry["rows"] = int(rows)
    return entry


def read_verified(path: str | Path, manifest_path: str | Path, key: str) -> pd.DataFrame:
    """Read the parquet ``path`` only if it matches entry ``key`` of the manifest at ``manifest_path``.

    The bytes are read once, hashed and parsed from memory, so a file replaced while it is
    being read cannot slip through.

    Raises
    ------
    OutputMismatchError
        No manifest, no entry for the file, or a SHA-256 or row count that differs.
    """
    path, manifest_path = Path(path), Path(manifest_path)
    hint = "the build was interrupted or another build is writing; run `csresearch build` again"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except FileNotFoundError:
        raise OutputMismatchError(f"{path}: no {manifest_path.name} beside it to check it against; {hint}") from None
    except (OSError, ValueError) as exc:
        raise OutputMismatchError(f"{manifest_path}: unreadable manifest ({exc}); {hint}") from None
    entry = (manifest.get("outputs") or {}).get(key) if isinstance(manifest.get("outputs"), Mapping) else None
    if entry is None:
        raise OutputMismatchError(f"{path}: not listed in {manifest_path.name}; {hint}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.get("sha256"):
        raise OutputMismatchError(
            f"{path}: SHA-256 {digest[:12]}… does not match {manifest_path.name} ({str(entry.get('sha256'))[:12]}…); {hint}"
        )
    df = pd.read_parquet(io.BytesIO(data))
    if "rows" in entry and len(df) != entry["rows"]:
        raise OutputMismatchError(f"{path}: {len(df)} rows but {manifest_path.name} says {entry['rows']}; {hint}")
    return df


# --------------------------------------------------------------------------- lock


@contextlib.contextmanager
def output_lock(folder: str | Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder/.csresearch.lock`` while writing into ``folder``.

    A second build into the same folder waits (printing one line to standard error) until
    the first releases the lock, or raises :class:`BuildLockedError` after ``timeout``
    seconds (default: the environment variable ``CSRESEARCH_LOCK_TIMEOUT``, else wait).
    The lock is released by the operating system if the holder dies.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / LOCK_NAME
    if timeout is None and os.environ.get("CSRESEARCH_LOCK_TIMEOUT"):
        timeout = float(os.environ["CSRESEARCH_LOCK_TIMEOUT"])
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"csresearch: another build is writing {folder} (lock {lock_path}); waiting for it to finish",
                  file=sys.stderr)
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise BuildLockedError(
                            f"{folder}: another build still holds {lock_path} after {timeout:g} s; "
                            "wait for it or stop it"
                        ) from None
                    time.sleep(0.05)
        try:
            yield lock_path
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)

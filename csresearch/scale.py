"""Cleaning at scale on dask: the pandas pipeline, partition by partition.

A national survey fits in memory; a multi-year crawl of job postings does not. This module runs
:func:`csresearch.clean_survey` unchanged on each partition of a dask DataFrame, so there is one
implementation of the cleaning and the dask result is the pandas result, row for row:

- CSV files are cut into blocks at line starts and each block is parsed by read_table's own
  parser; a block's rows carry their line within the block, shifted by the lines of the
  blocks before it (counted in the one pass before cleaning), so ``source_row`` is the file's
  line and ``record_id`` is the pandas path's; frames without a ``source_row`` index are
  numbered with ``first_row`` = the global number of each partition's first row;
- one cleaning task per partition feeds the table, the rejects and the manifest, so writing
  all three cleans each partition once (:func:`clean_files` cleans and writes a partition in
  one task, so a worker holds one cleaned partition at a time);
- per-partition manifests add up (``rows_in = rows_table + rows_rejected`` in every partition,
  so in the sum);
- :func:`clean_files` reads files with the same encoding detection, delimiter sniffing and
  header mapping as :func:`csresearch.read_table`, numbers rows per file as ``csresearch clean``
  does, and writes partitioned parquet plus a manifest.

Parsing caches (each parser handles each distinct string once) are per partition; with
heavily repeated strings a partition of a few hundred thousand rows already gets most of the
benefit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .clean.checks import first_copies, row_hashes
from .clean.pipeline import CleanResult, clean_survey, default_steps, file_source_names, reject_raw_columns
from .errors import InputFileError
from .io import (
    _EXCEL_SUFFIXES,
    _JSON_SUFFIXES,
    _PARQUET_SUFFIXES,
    _TEXT_SUFFIXES,
    _apply_columns,
    _check_unique_headers,
    _header_cells,
    _mapping_info,
    _sha256,
    _sniff_delimiter,
    detect_encoding,
    read_table,
)
from .schema import empty_processed

__all__ = ["DaskCleanResult", "clean_survey_dask", "clean_files"]

_COUNTS = ("rows_in", "rows_table", "rows_rejected")
# Manifest entries that are the same in every partition; any other entry that is a count or a
# dict of counts (rows_table, rejected_by_reason, salary_status, ppp_unavailable, ...) is summed.
_SHARED = frozenset({"source", "package_version", "input_sha256", "read_info", "parameters", "path",
                     "personal_columns_dropped"})
_REJECT_BASE = {"source": "str", "source_row": "Int64", "record_id": "str", "reason": "str", "detail": "str"}
# Bytes read from the head of a file to detect its encoding: the same amount read_table uses.
_HEAD_BYTES = 1 << 20


@dataclass
class DaskCleanResult:
    """What :func:`clean_survey_dask` returns: lazy table and rejects plus per-partition manifests.

    Attributes
    ----------
    table : dask DataFrame
        The processed table, partition by partition (meta :func:`csresearch.schema.empty_processed`).
    rejects : dask DataFrame
        The rejected rows with their reasons and raw values.
    manifests : dask DataFrame
        One row per partition: its :func:`clean_survey` manifest as JSON (column ``manifest``).
    source : str
        The source name.
    info : dict
        Entries of the combined manifest known without computing (parameters, partitions).
    """

    table: Any
    rejects: Any
    manifests: Any
    source: str
    info: dict[str, Any] = field(default_factory=dict)
    _manifest: dict[str, Any] | None = field(default=None, repr=False)
    _results: list[Any] = field(default_factory=list, repr=False)  # delayed CleanResult per partition
    _rejects_meta: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def manifest(self) -> dict[str, Any]:
        """The combined manifest (computed on first access; this cleans every partition)."""
        if self._manifest is None:
            self._manifest = self.compute_manifest()
        return self._manifest

    def compute_manifest(self, **compute_kwargs: Any) -> dict[str, Any]:
        """Compute the per-partition manifests and add them up."""
        parts = _parse_manifests(self.manifests.compute(**compute_kwargs))
        self._manifest = combine_manifests(parts, self.info)
        return self._manifest

    def compute(self, **compute_kwargs: Any) -> CleanResult:
        """Clean every partition once and return the pandas :class:`CleanResult`."""
        import dask

        table, rejects, parts = dask.compute(self.table, self.rejects, self.manifests, **compute_kwargs)
        self._manifest = combine_manifests(_parse_manifests(parts), self.info)
        return CleanResult(table.reset_index(drop=True), rejects.reset_index(drop=True), self._manifest)


def combine_manifests(parts: Sequence[Mapping[str, Any]], info: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Add up per-partition manifests of one source into the manifest of the whole.

    Counts are summed, dicts of counts are summed key by key, lists are united, and entries that
    are the same in every partition (source, parameters, personal columns dropped) are kept once.
    ``input_sha256`` becomes the hash of the partitions' hashes unless ``info`` gives one.

    Examples
    --------
    >>> a = {"source": "s", "rows_in": 3, "rows_table": 2, "rows_rejected": 1,
    ...      "rejected_by_reason": {"salary_missing": 1}, "input_sha256": "aa"}
    >>> b = {"source": "s", "rows_in": 2, "rows_table": 1, "rows_rejected": 1,
    ...      "rejected_by_reason": {"salary_missing": 1}, "input_sha256": "bb"}
    >>> m = combine_manifests([a, b])
    >>> m["rows_in"], m["rows_table"] + m["rows_rejected"], m["rejected_by_reason"]
    (5, 5, {'salary_missing': 2})
    """
    parts = [p for p in parts if p]  # empty partitions report nothing
    out: dict[str, Any] = {key: 0 for key in _COUNTS}
    for key in dict.fromkeys(k for p in parts for k in p):
        values = [p[key] for p in parts if key in p]
        if key in _SHARED:
            out[key] = values[0]
        elif all(_is_count(v) for v in values):
            out[key] = int(sum(values))
        elif all(isinstance(v, Mapping) and all(_is_count(x) for x in v.values()) for v in values):
            total: dict[str, int] = {}
            for v in values:
                for k, x in v.items():
                    total[k] = total.get(k, 0) + int(x)
            out[key] = dict(sorted(total.items()))
        elif all(isinstance(v, list) for v in values):
            # e.g. free-text columns: a partition whose cells are all empty may list fewer
            out[key] = list(dict.fromkeys(x for v in values for x in v))
        else:
            out[key] = values[0]
    digest = hashlib.sha256("".join(p.get("input_sha256", "") for p in parts).encode()).hexdigest()
    out["input_sha256"] = digest
    out["package_version"] = __version__
    out.update(info or {})
    if out["rows_in"] != out["rows_table"] + out["rows_rejected"]:
        raise AssertionError(f"manifest of {out.get('source')!r} does not add up: {out}")
    return out


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _rejects_meta(raw_meta: pd.DataFrame, steps: Mapping | None, keep_personal: Sequence[str]) -> pd.DataFrame:
    """Empty rejects frame with the columns the pipeline gives: personal columns dropped, raw_ prefix."""
    from .privacy import find_identifier_columns

    kept, _ = default_steps(steps)["personal"](raw_meta.iloc[:0].copy(), keep=tuple(keep_personal))
    raw_cols = reject_raw_columns(kept.columns, find_identifier_columns(kept.columns))
    cols = dict(_REJECT_BASE) | {f"raw_{c}": "str" for c in raw_cols}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def _conform(df: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Give a partition exactly the meta's columns and dtypes (absent columns become missing)."""
    if list(df.columns) == list(meta.columns) and (df.dtypes == meta.dtypes).all():
        return df
    return df.reindex(columns=meta.columns).astype(meta.dtypes.to_dict())


def _clean_partition(part: pd.DataFrame, first_row: int, source: str, kwargs: dict[str, Any],
                     line_offset: int = 0, dupes: tuple[np.ndarray, np.ndarray] | None = None) -> CleanResult | None:
    if len(part) == 0:  # an empty block (e.g. a trailing blank line) has nothing to clean
        return None
    if line_offset and part.index.name == "source_row":  # a block's lines -> the file's lines
        part = part.set_axis(part.index + line_offset)
    if dupes is not None:
        kwargs = {**kwargs, "duplicate_of": _dense_duplicates(len(part), *dupes)}
    return clean_survey(_as_read_table_dtypes(part), source=source, first_row=first_row, **kwargs)


def _sparse_duplicates(duplicate_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the duplicate rows and their first copies' ``source_row``.

    Most rows are unique, so the task graph carries two short arrays per partition instead of
    one number per row (a dense array made a 10 M-row graph 76 MiB).
    """
    pos = np.flatnonzero(~np.isnan(duplicate_of))
    return pos, duplicate_of[pos].astype(np.int64)


def _dense_duplicates(n: int, pos: np.ndarray, first: np.ndarray) -> np.ndarray:
    out = np.full(n, np.nan)
    out[pos] = first
    return out


def _as_read_table_dtypes(part: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas' default ``str`` dtype, as read_table returns them.

    dask turns text into ``string[pyarrow]`` (missing = ``pd.NA``); the pipeline, like the rest of
    the package, expects the ``str`` dtype that read_table gives.
    """
    text = {c: "str" for c, t in part.dtypes.items() if isinstance(t, pd.StringDtype) and t != "str"}
    return part.astype(text) if text else part


def _table_of(res: CleanResult | None, meta: pd.DataFrame) -> pd.DataFrame:
    return meta if res is None else _conform(res.table, meta)


def _rejects_of(res: CleanResult | None, meta: pd.DataFrame) -> pd.DataFrame:
    return meta if res is None else _conform(res.rejects, meta)


_MANIFEST_META = pd.DataFrame({"manifest": pd.Series(dtype="str")})


def _manifest_of(res: CleanResult | None) -> pd.DataFrame:
    # A one-row frame, so the manifests are a dask DataFrame computed with the table and rejects.
    text = "{}" if res is None else json.dumps(res.manifest, ensure_ascii=False, default=str)
    return pd.DataFrame({"manifest": pd.Series([text], dtype="str")})


def _write_partition(res: CleanResult | None, rejects_meta: pd.DataFrame, outputs: Mapping[str, Path],
                     name: str) -> str:
    """Write one partition's table and rejects as parquet and return its manifest as JSON.

    One task per partition that cleans, writes and keeps only the manifest: with separate
    table, rejects and manifest tasks a worker held each cleaned partition until all three had
    run, and a 10 M-row run grew one worker to 3 GiB.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table_meta = empty_processed()
    for key, frame, meta in (("table", _table_of(res, table_meta), table_meta),
                             ("rejects", _rejects_of(res, rejects_meta), rejects_meta)):
        schema = pa.Schema.from_pandas(meta, preserve_index=False)  # every file of a dataset alike
        pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False),
                       Path(outputs[key]) / name, compression="zstd")
    return _manifest_of(res)["manifest"].iloc[0]


def _parse_manifests(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [json.loads(t) for t in frame["manifest"]]


def clean_survey_dask(
    ddf: Any,
    *,
    source: str,
    partition_lengths: Sequence[int] | None = None,
    first_row: int = 1,
    rejects_meta: pd.DataFrame | None = None,
    duplicate_of: np.ndarray | None = None,
    line_offsets: Sequence[int] | None = None,
    **kwargs: Any,
) -> DaskCleanResult:
    """Clean a dask DataFrame of raw rows with :func:`csresearch.clean_survey`, partition by partition.

    Parameters
    ----------
    ddf : dask DataFrame
        Raw rows with canonical column names (as :func:`clean_files` reads them).
    source : str
        Name of the source, kept in every row and in ``record_id``.
    partition_lengths : sequence of int, optional
        Rows per partition, when already known; otherwise computed here, once.
    first_row : int
        Number of the first row of ``ddf`` in its raw file.
    rejects_meta : DataFrame, optional
        Empty frame with the rejects' columns (to line up several sources); by default the
        pipeline's columns for ``ddf``'s columns.
    duplicate_of : array, optional
        ``source_row`` of each row's first identical row in the whole input (NaN if unique), as
        :func:`clean_files` finds it; without it duplicates are found within each partition.
    line_offsets : sequence of int, optional
        Lines of the file before each partition, for partitions indexed by the line within
        their block (as :func:`clean_files` reads CSV); ``source_row`` is then the file's line.
    **kwargs
        Passed to :func:`csresearch.clean_survey` for every partition: ``country``, ``year``,
        ``default_period``, ``currency``, ``keep_unpaid``, ``keep_personal``, ``is_synthetic``,
        ``aggregate``, ``steps``.

    Returns
    -------
    DaskCleanResult
        ``table`` and ``rejects`` as dask DataFrames, ``manifests`` (one row per partition), and
        ``compute()`` / ``compute_manifest()`` to get pandas results and the summed manifest.
        Rows get the ``source_row`` and ``record_id`` the pandas path gives the same rows.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> raw = pd.DataFrame({"title": ["客服专员", "客服主管"] * 3, "salary_text": ["6-8千/月", "面议"] * 3})
    >>> res = clean_survey_dask(dd.from_pandas(raw, npartitions=3), source="demo", country="CN", year=2024)
    >>> out = res.compute(scheduler="sync")
    >>> out.manifest["rows_in"], sorted(out.table["source_row"].tolist()), out.manifest["npartitions"]
    (6, [1, 3, 5], 3)
    """
    import dask
    import dask.dataframe as dd

    if partition_lengths is None:
        partition_lengths = [int(n) for n in ddf.map_partitions(len).compute()]
    lengths = np.asarray(partition_lengths, dtype=np.int64)
    parts = ddf.to_delayed()
    if len(parts) != len(lengths):
        raise ValueError(f"{len(lengths)} partition lengths for {len(parts)} partitions")
    starts = first_row + np.concatenate([[0], np.cumsum(lengths)[:-1]])

    table_meta = empty_processed()
    if rejects_meta is None:
        rejects_meta = _rejects_meta(ddf._meta, kwargs.get("steps"), kwargs.get("keep_personal", ()))
    clean = dask.delayed(_clean_partition, pure=True)
    offs = [0] * len(parts) if line_offsets is None else [int(o) for o in line_offsets]
    if duplicate_of is not None:  # per partition, found across the whole file
        ends = np.cumsum(lengths)
        per_part = [_sparse_duplicates(np.asarray(duplicate_of[e - n:e], dtype="float64")) for n, e in zip(lengths, ends)]
        results = [clean(p, int(s), source, kwargs, o, d) for p, s, d, o in zip(parts, starts, per_part, offs)]
    else:
        results = [clean(p, int(s), source, kwargs, o) for p, s, o in zip(parts, starts, offs)]
    table = dd.from_delayed([dask.delayed(_table_of, pure=True)(r, table_meta) for r in results],
                            meta=table_meta, verify_meta=False)
    rejects = dd.from_delayed([dask.delayed(_rejects_of, pure=True)(r, rejects_meta) for r in results],
                              meta=rejects_meta, verify_meta=False)
    manifests = dd.from_delayed([dask.delayed(_manifest_of, pure=True)(r) for r in results],
                                meta=_MANIFEST_META, verify_meta=False)
    info = {"source": source, "engine": "dask", "npartitions": len(parts),
            "partition_rows": [int(n) for n in lengths]}
    return DaskCleanResult(table=table, rejects=rejects, manifests=manifests, source=source, info=info,
                           _results=results, _rejects_meta=rejects_meta)


# --------------------------------------------------------------------------------------------
# Files


@dataclass
class _FileRead:
    path: Path
    ddf: Any
    read_info: dict[str, Any]
    line_counts: list[Any] | None = None  # delayed physical lines per block (CSV read in blocks)


def _has_multiline_cells(text: str, sep: str) -> bool:
    """Whether a quoted cell in ``text`` spans lines (such files cannot be split at newlines)."""
    import csv
    import io as _io

    lines = text.splitlines(keepends=True)[:-1]  # drop the (perhaps cut) last line
    reader = csv.reader(_io.StringIO("".join(lines)), delimiter=sep)
    records = sum(1 for _ in reader)
    return reader.line_num > records


def _read_block(path: Path, offset: int, length: int | None) -> bytes:
    """Bytes of one block, from the line start at or after ``offset`` (as dask's CSV reader cuts)."""
    from fsspec.utils import read_block

    with path.open("rb") as fh:
        return read_block(fh, offset, length, delimiter=b"\n")


def _parse_block(block: bytes, path: Path, enc: str, sep: str, first: bool, headerless: bool,
                 names: list[str], offset: int) -> pd.DataFrame:
    """One block with read_table's own parser; index = the line within the block (1-based)."""
    from .io import _check_no_utf8_lines, parse_delimited

    width = len(names)
    if not first and not block.strip(b" \t\r\n"):  # blank lines only: no rows
        return pd.DataFrame({c: pd.Series(dtype="str") for c in names}, index=pd.Index([], dtype="int64", name="source_row"))
    if not enc.startswith("utf"):
        try:
            _check_no_utf8_lines(path, block, enc)
        except InputFileError as exc:
            raise InputFileError(f"{exc} (line counted in the block from byte {offset:,})") from None
    df = parse_delimited(path, block, enc, sep, header=first and not headerless, width=None if first else width)
    if df.shape[1] != width:  # the csv module and pandas disagree on the header: say so, never guess
        raise InputFileError(f"{path}: the header reads as {width} columns but the first block as {df.shape[1]}")
    return df.set_axis(names, axis=1)


def _check_partition_size(partition_size: Any) -> None:
    """Refuse a block size that is not "auto", None (one block per file) or a positive size:
    0 or a negative number would otherwise read each file as one block without a word."""
    if partition_size is None or partition_size == "auto":
        return
    from dask.utils import parse_bytes

    try:
        size = parse_bytes(partition_size) if isinstance(partition_size, str) else int(partition_size)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"partition_size must be 'auto', None or a positive size such as '32MB', not {partition_size!r}") from exc
    if size <= 0:
        raise ValueError(f"partition_size must be 'auto', None or a positive size such as '32MB', not {partition_size!r}")


def _read_csv(path: Path, *, columns: Any, encoding: str | None, blocksize: Any) -> _FileRead:
    """A delimited text file as a dask DataFrame of blocks, each parsed as read_table parses a file.

    The file is cut into the fewest blocks of at most ``blocksize`` bytes, all of one size: a
    100 MB file with 64 MB blocks gives two blocks of 50 MB, not 64 + 36.
    """
    import dask
    import dask.dataframe as dd
    from dask.utils import parse_bytes

    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head.strip():
        raise InputFileError(f"{path}: file is empty")
    enc = encoding or detect_encoding(head)
    try:
        text = head.decode(enc, errors="ignore")
    except LookupError:
        raise InputFileError(f"{path}: unknown encoding {enc!r}") from None
    sep = _sniff_delimiter(path, text)
    headerless = columns is not None and not isinstance(columns, Mapping)
    cells = _header_cells(text.lstrip("\ufeff"), sep)
    if not headerless:
        _check_unique_headers(path, cells)
    raw_names = [str(i) for i in range(len(cells))] if headerless else [h or f"Unnamed: {i}" for i, h in enumerate(cells)]
    meta = pd.DataFrame({c: pd.Series(dtype="str") for c in raw_names}, index=pd.Index([], dtype="int64", name="source_row"))
    if headerless:
        meta.columns = range(len(cells))
    renamed, mapping = _apply_columns(meta, columns, path)
    names = list(renamed.columns)
    # Splitting at newline bytes is wrong for UTF-16 and for quoted cells spanning lines:
    # such files are read as one partition.
    splittable = blocksize is not None and not enc.startswith("utf_16") and not _has_multiline_cells(text, sep)
    size = path.stat().st_size
    step = parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize or 0)
    if splittable and step > 0:
        step = -(-size // -(-size // step))  # the fewest blocks of at most `step` bytes, of equal size
    spans = [(off, step) for off in range(0, size, step)] if splittable and step > 0 else [(0, None)]
    read, parse = dask.delayed(_read_block, pure=True), dask.delayed(_parse_block, pure=True)
    blocks = [read(path, off, length) for off, length in spans]
    parts = [parse(b, path, enc, sep, i == 0, headerless, names, off) for i, (b, (off, _)) in enumerate(zip(blocks, spans))]
    ddf = dd.from_delayed(parts, meta=renamed, verify_meta=False)
    from .io import count_lines

    counts = [dask.delayed(count_lines, pure=True)(b) for b in blocks]
    info = {"format": "tsv" if sep == "\t" else "csv", "encoding": enc, "delimiter": sep, **_mapping_info(mapping)}
    return _FileRead(path, ddf, info, counts)


def _prepass(todo: dict[int, Any], reads: list[_FileRead], client: Any, skip: bool) -> tuple[dict[int, Any], dict[int, str]]:
    """Compute what must be known before cleaning, file by file when one fails.

    Returns the results and, with ``skip``, the files that could not be read (index -> why);
    without it the first unreadable file raises its error.
    """
    import dask

    try:
        (out,) = dask.compute(todo, scheduler=client)
        return out, {}
    except (UnicodeDecodeError, pd.errors.ParserError, InputFileError):
        pass
    out, failed = {}, {}
    for i, work in todo.items():  # find the file at fault, and say what is wrong with it
        try:
            (out[i],) = dask.compute(work, scheduler=client)
        except (UnicodeDecodeError, pd.errors.ParserError, InputFileError) as exc:
            err = _read_error(reads[i], exc)
            if not skip:
                raise err from None
            failed[i] = str(err).removeprefix(f"{reads[i].path}: ")
    return out, failed


def _read_error(read: _FileRead, exc: Exception) -> InputFileError:
    if isinstance(exc, UnicodeDecodeError):
        enc = read.read_info.get("encoding")
        return InputFileError(
            f"{read.path}: wrong or mixed encoding: bytes are not valid {enc} (detected from the "
            f"first {_HEAD_BYTES:,} bytes) further into the file ({exc.reason}); re-save the file in "
            "one encoding or pass encoding=")
    if isinstance(exc, pd.errors.ParserError):
        msg = str(exc).strip().splitlines()[-1]
        return InputFileError(f"{read.path}: {msg} (in a block of the file read by dask)")
    return exc if isinstance(exc, InputFileError) else InputFileError(f"{read.path}: {exc}")


def _row_keys(part: pd.DataFrame, read_info: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Row hashes (duplicates across partitions) and each row's line within its block."""
    return row_hashes(_as_read_table_dtypes(part), read_info), part.index.to_numpy(dtype=np.int64)


def _read_whole(path: Path, columns: Any, encoding: str | None, sheet: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    df = read_table(path, columns=columns, encoding=encoding, sheet=sheet)
    info = {k: v for k, v in df.attrs.pop("read_info", {}).items() if k != "path"}
    return df, info


def _frame_of(read: tuple[pd.DataFrame, dict]) -> pd.DataFrame:
    return read[0]


def _peek(read: tuple[pd.DataFrame, dict]) -> tuple[int, pd.DataFrame, dict]:
    df, info = read
    return len(df), df.iloc[:0], info


# Cleaning a block of short posting rows peaks near 30 times its CSV bytes (measured on the
# synthetic postings of benchmarks/bench_scale.py), so automatic blocks take at most a fortieth
# of a worker's memory limit, and at most 32 MB: two workers then stay near 1 GiB each, and a
# file of up to 32 MB is cleaned whole, its distinct strings handled once as with pandas.
_AUTO_BLOCK_MAX = 32_000_000
_AUTO_BLOCK_MIN = 4_000_000
_MEMORY_PER_CSV_BYTE = 40


def _auto_block_size(client: Any) -> int:
    """CSV bytes per partition for ``partition_size="auto"``, from the workers' memory limits."""
    limits = [w.get("memory_limit") or 0 for w in client.scheduler_info().get("workers", {}).values()]
    limit = min((m for m in limits if m > 0), default=0)
    if not limit:  # no limit set: the cap decides
        return _AUTO_BLOCK_MAX
    return int(min(_AUTO_BLOCK_MAX, max(_AUTO_BLOCK_MIN, limit // _MEMORY_PER_CSV_BYTE)))


def _memory_limit(n_workers: int) -> int:
    """Per-worker memory limit: three quarters of the machine's memory, shared by the workers."""
    import psutil

    return int(0.75 * psutil.virtual_memory().total / n_workers)


@contextlib.contextmanager
def _client(scheduler: Any) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
    elif scheduler is None:
        # Processes, not threads: the cleaning is Python-heavy and holds the GIL.
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=_memory_limit(2),
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def clean_files(
    paths: Sequence[str | Path],
    *,
    source: str,
    outdir: str | Path,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    encoding: str | None = None,
    scheduler: Any = None,
    partition_size: str | int | None = "auto",
    sheet: str | int | None = None,
    skip_unreadable: bool = False,
    files_not_read: Sequence[str] = (),
    **clean_kwargs: Any,
) -> dict[str, Any]:
    """Clean raw files on a dask cluster and write partitioned parquet plus a manifest.

    Parameters
    ----------
    paths : sequence of path-like
        Raw files. CSV/TSV are read in blocks of ``partition_size`` bytes; XLSX, JSON and
        parquet files are read whole by :func:`csresearch.read_table` on a worker (one
        partition each).
    source : str
        Source name. With several files each file is its own source ``f"{source}/{name}"``
        with rows numbered from 1 within the file, as ``csresearch clean`` does with pandas.
    outdir : path-like
        Output folder: ``<source>_table/`` and ``<source>_rejects/`` (parquet datasets, one
        file per partition, replaced if present) and ``<source>_manifest.json``.
    columns, encoding
        As for :func:`csresearch.read_table` (header mapping; forced encoding).
    sheet : str or int, optional
        Worksheet of XLSX files (the first by default), as for :func:`csresearch.read_table`.
    scheduler : str, Client or cluster, optional
        Address of a running ``dask.distributed`` scheduler, a ``Client``, or a cluster object.
        By default a ``LocalCluster`` of 2 worker processes with 1 thread each is started and
        closed.
    partition_size : str or int, optional
        Largest number of CSV bytes per partition (``"16MB"``); each file is cut into the fewest
        blocks of equal size within it. ``"auto"`` (default) takes a fortieth of the workers'
        memory limit, at most 32 MB; ``None`` reads each file as one partition. Files whose
        quoted cells span lines, and UTF-16 files, are always read whole.
    skip_unreadable : bool
        Clean the files that can be read and list the others, with the reason, in the
        manifest's ``files_not_read`` and ``warnings`` (``csresearch clean FOLDER``); by default
        the first unreadable file raises its :class:`~csresearch.errors.InputFileError`.
    files_not_read : sequence of str
        Files the caller left out (e.g. of a type not read), listed first in ``files_not_read``.
    **clean_kwargs
        Passed to :func:`csresearch.clean_survey` (``country``, ``year``, ``default_period``,
        ``currency``, ``keep_unpaid``, ``keep_personal``, ``is_synthetic``, ``aggregate``, ``steps``).

    Returns
    -------
    dict
        The manifest written: ``rows_in``, ``rows_table``, ``rows_rejected`` (adding up),
        ``rejected_by_reason``, ``sources`` (one manifest per file, equal in counts, hash and
        read info to the pandas path's), ``outputs`` and the engine settings.

    Examples
    --------
    >>> m = clean_files(["postings/cn_000.csv", "postings/ru_000.csv"], source="crawl",
    ...                 outdir="out", year=2024)  # doctest: +SKIP
    >>> m["rows_in"] == m["rows_table"] + m["rows_rejected"]  # doctest: +SKIP
    True
    """
    import dask
    import dask.dataframe as dd

    paths = [Path(p) for p in paths]
    if not paths:
        raise InputFileError("no input files")
    for p in paths:
        if not p.is_file():
            raise InputFileError(f"{p}: no such file")
    from .outputs import safe_name

    safe_name(source, "source name")  # it becomes folder names in outdir
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    names = file_source_names(source, paths)

    _check_partition_size(partition_size)
    with _client(scheduler) as client:
        block_size = _auto_block_size(client) if partition_size == "auto" else partition_size
        reads: list[_FileRead] = []
        whole: dict[int, Any] = {}
        failed: dict[int, str] = {}  # files not read (folder input only), index -> why
        for i, p in enumerate(paths):
            suffix = p.suffix.lower()
            try:
                if suffix in _TEXT_SUFFIXES or suffix == "":
                    reads.append(_read_csv(p, columns=columns, encoding=encoding, blocksize=block_size))
                    continue
                if suffix not in _EXCEL_SUFFIXES | _JSON_SUFFIXES | _PARQUET_SUFFIXES:
                    read_table(p)  # raises the same error the pandas path gives
            except InputFileError as exc:
                if not skip_unreadable:
                    raise
                failed[i] = str(exc).removeprefix(f"{p}: ")
                reads.append(_FileRead(p, None, {}))
                continue
            whole[i] = dask.delayed(_read_whole, pure=True)(p, columns, encoding, sheet)
            reads.append(_FileRead(p, None, {}))
        # One pass for what must be known before cleaning: partition lengths, lines per block,
        # and the columns of files read whole; row hashes give the partition lengths and the
        # duplicates across partitions. Every byte is read here, so bad files fail here.
        todo = {i: ([dask.delayed(_row_keys, pure=True)(part, r.read_info) for part in r.ddf.to_delayed()], r.line_counts)
                for i, r in enumerate(reads) if r.ddf is not None}
        todo.update({i: dask.delayed(_peek)(d) for i, d in whole.items()})
        done, late = _prepass(todo, reads, client, skip_unreadable)
        failed.update(late)
        keep = [i for i in range(len(paths)) if i not in failed]
        if not keep:
            raise InputFileError("no input file could be read: " + "; ".join(
                f"{paths[i].name} ({why})" for i, why in sorted(failed.items())))
        (hashes,) = dask.compute({i: dask.delayed(_sha256, pure=True)(paths[i]) for i in keep}, scheduler=client)
        lengths: dict[int, list[int]] = {}
        lines: dict[int, np.ndarray] = {}  # every row's line in its file
        offsets: dict[int, list[int]] = {}  # lines before each block
        for i in keep:
            if i in whole:
                n, meta, info = done[i]
                reads[i].ddf = dd.from_delayed([dask.delayed(_frame_of, pure=True)(whole[i])], meta=meta, verify_meta=False)
                reads[i].read_info = info
                lengths[i] = [n]
                continue
            keys, counts = done[i]
            lengths[i] = [len(k) for k, _ in keys]
            offsets[i] = [0, *np.cumsum(counts)[:-1].tolist()]
            lines[i] = np.concatenate([ln + off for (_, ln), off in zip(keys, offsets[i])])

        # Rejects of all files share one set of columns (in order of first appearance, as
        # pandas.concat lines them up), so they can go to one parquet dataset.
        metas = [_rejects_meta(reads[i].ddf._meta, clean_kwargs.get("steps"), clean_kwargs.get("keep_personal", ()))
                 for i in keep]
        all_cols = list(dict.fromkeys(c for m in metas for c in m.columns))
        rejects_meta = pd.DataFrame({c: pd.Series(dtype=_REJECT_BASE.get(c, "str")) for c in all_cols})

        results = []
        for i in keep:
            r, name = reads[i], names[i]
            file_kwargs = dict(clean_kwargs)
            if file_kwargs.get("default_period") is None and r.read_info.get("period_from_header"):
                file_kwargs["default_period"] = r.read_info["period_from_header"]  # as read_table's reader
            dupes = None
            if i in lines:
                dupes = first_copies(np.concatenate([k for k, _ in done[i][0]]), lines[i])
            res = clean_survey_dask(r.ddf, source=name, partition_lengths=list(lengths[i]),
                                    rejects_meta=rejects_meta, duplicate_of=dupes,
                                    line_offsets=offsets.get(i), **file_kwargs)
            n_rows = int(sum(lengths[i]))
            res.info.update(path=str(r.path), input_sha256=hashes[i],
                            read_info={**r.read_info, "sha256": hashes[i], "n_rows": n_rows})
            results.append(res)
        # the row hashes and lines (16 bytes a row) are done with: free them before the cleaning
        del done, lines, dupes

        outputs = {"table": out / f"{source}_table", "rejects": out / f"{source}_rejects"}
        for folder in outputs.values():  # replaced, as dask's to_parquet(overwrite=True) does
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        # One task per partition reads, cleans and writes it, returning only its manifest.
        write = dask.delayed(_write_partition, pure=True)
        numbers = iter(range(sum(len(r._results) for r in results)))
        writes = [[write(p, rejects_meta, outputs, f"part.{next(numbers)}.parquet") for p in r._results] for r in results]
        (parts,) = dask.compute(writes, scheduler=client)
        n_workers = len(client.scheduler_info().get("workers", {}))

    per_file = [combine_manifests([json.loads(t) for t in ps], r.info) for ps, r in zip(parts, results)]
    reasons: dict[str, int] = {}
    for m in per_file:
        for k, v in m["rejected_by_reason"].items():
            reasons[k] = reasons.get(k, 0) + v
    manifest = {
        "package_version": __version__,
        "engine": "dask",
        "partition_size": partition_size,
        "n_workers": n_workers,
        "rows_in": sum(m["rows_in"] for m in per_file),
        "rows_table": sum(m["rows_table"] for m in per_file),
        "rows_rejected": sum(m["rows_rejected"] for m in per_file),
        "rejected_by_reason": dict(sorted(reasons.items())),
        "sources": per_file,
        "outputs": {k: str(v) for k, v in outputs.items()},
    }
    if partition_size == "auto":
        manifest["partition_bytes"] = block_size  # what "auto" chose
    skipped = [*files_not_read, *(f"{paths[i].name} ({why})" for i, why in sorted(failed.items()))]
    if skipped:  # as the pandas engine says it (csresearch clean FOLDER)
        manifest["files_not_read"] = skipped
        manifest["warnings"] = ["files not read: " + ", ".join(skipped)]
    if manifest["rows_in"] != manifest["rows_table"] + manifest["rows_rejected"]:
        raise AssertionError("manifest does not add up across files")
    (out / f"{source}_manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n", "utf-8")
    return manifest

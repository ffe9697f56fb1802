"""The cleaning pipeline: raw survey or posting rows -> one validated processed table.

Every raw row ends in exactly one of two places: the processed table or the rejects table
(with its raw values and a reason). :class:`CleanResult` carries both plus a manifest whose
counts add up: ``rows_in == rows_table + rows_rejected``.
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import ColumnMappingError
from .assemble import PendingTable, TableParts, as_text as _as_text, hex_ids, record_keys
from .checks import RowChecks, row_checks
from ._text import without_lone_surrogates
from .description import DESCRIPTION_COLUMNS
from ._memory import release_free_memory
from .encoded import CODE_DTYPE, Block, Coded, combine, constant, encode, from_rows, on_distinct
from .summary import summary_warnings
from ..outputs import write_json, write_parquet  # noqa: F401  (re-exported: build and scale use them)
from ..schema import LEVEL_NAMES, PROCESSED_COLUMNS, schema_failures

__all__ = ["CleanResult", "REJECT_RAW_COLUMNS", "clean_survey", "reject_raw_columns", "combine_results", "default_steps", "file_source_names", "REJECT_REASONS"]

#: Why a row can be rejected, in the order the checks run.
REJECT_REASONS = {
    "repeated_header": "the row repeats the header (files concatenated with their headers)",
    "empty_row": "every cell of the row is empty",
    "country_unknown": "the country cell is not a country name or ISO 3166-1 code csresearch knows",
    "currency_unknown": "the currency cell is not an ISO 4217 code",
    "n_respondents_invalid": "the respondent count of an aggregate is not a whole number between 1 and 10^9",
    "no_salary_or_title": "the file has neither a salary nor a title column",
    "salary_missing": "no pay stated",
    "salary_negotiable": "pay stated as negotiable (kept when keep_unpaid=True)",
    "salary_unparsed": "pay text could not be read",
    "salary_implausible": "monthly pay outside the plausible range for its currency",
    "schema": "row breaks the processed-table schema",
}

#: Raw columns a rejects file keeps (scrubbed, with a ``raw_`` prefix): the ones the cleaning
#: reads, so that a reject can be understood. Everything else in the raw row (descriptions,
#: age, gender, region, unknown headers) stays out; ``keep_raw=True`` (CLI ``--keep-raw DIR``)
#: keeps them in a separate frame that is written outside data/processed.
REJECT_RAW_COLUMNS = (
    "title", "company", "salary_text", "salary_low", "salary_high", "salary_currency", "salary_gross",
    "period_hint", "currency_hint", "city", "country", "year", "date", "experience_text",
    "education_text", "n_respondents",
)


def reject_raw_columns(columns: Sequence[Any], pseudonymised: Sequence[Any] = ()) -> list[Any]:
    """The raw columns a rejects table keeps: :data:`REJECT_RAW_COLUMNS` and keyed pseudonyms."""
    keep = set(REJECT_RAW_COLUMNS) | {str(c) for c in pseudonymised}
    return [c for c in columns if str(c) in keep]


class CleanResult:
    """What :func:`clean_survey` returns.

    Attributes
    ----------
    table : DataFrame
        The processed table (schema :class:`csresearch.schema.ProcessedTable`). A result of
        :func:`clean_survey` assembles it on first use: :meth:`write` alone writes it a row
        group at a time from its parts, so ``csresearch clean`` never holds a whole copy of it.
    rejects : DataFrame
        One row per rejected raw row: ``source``, ``source_row``, ``record_id``, ``reason``,
        ``detail`` and the row's raw values (personal columns dropped, free text scrubbed).
    manifest : dict
        Counts in/out/rejected by reason, input hash, package version and parameters.
    raw_rejects : DataFrame or None
        With ``keep_raw=True`` only: the rejected rows with every raw column (personal columns
        still dropped, text still scrubbed), for debugging outside data/processed.
    """

    def __init__(self, table: pd.DataFrame | PendingTable, rejects: pd.DataFrame,
                 manifest: dict[str, Any] | None = None, raw_rejects: pd.DataFrame | None = None) -> None:
        self._table = table
        self.rejects = rejects
        self.manifest = {} if manifest is None else manifest
        self.raw_rejects = raw_rejects

    @property
    def table(self) -> pd.DataFrame:
        if isinstance(self._table, PendingTable):
            self._table = self._table.frame()  # the parts are freed with the pending table
        return self._table

    @table.setter
    def table(self, value: pd.DataFrame) -> None:
        self._table = value

    @property
    def n_table(self) -> int:
        """Rows of the processed table, without assembling it."""
        return len(self._table)

    def __repr__(self) -> str:
        return (f"CleanResult(table={self.n_table} rows, rejects={len(self.rejects)} rows, "
                f"source={self.manifest.get('source')!r})")

    def write(self, outdir: str | Path, stem: str = "survey") -> dict[str, Path]:
        """Write ``<stem>.parquet``, ``<stem>_rejects.csv`` and, last, ``<stem>_manifest.json``.

        Each file is written atomically (temporary file, fsync, rename) under the folder's
        build lock; the manifest lists every output with its SHA-256 and row count.
        """
        from ..outputs import output_entry, output_lock, safe_name, write_csv

        stem = safe_name(stem, "source name")
        out = Path(outdir)
        paths = {
            "table": out / f"{stem}.parquet",
            "rejects": out / f"{stem}_rejects.csv",
            "manifest": out / f"{stem}_manifest.json",
        }
        # what cleaning freed (its steps' arrays die with clean_survey's frame) goes back to the
        # system before the writers allocate their buffers
        release_free_memory()
        with output_lock(out), ThreadPoolExecutor(1) as pool:
            # the two files at once: Arrow's parquet writer and the rejects' Arrow compute
            # release the GIL (the same bytes as one after the other; the manifest still last)
            table_written = pool.submit(write_parquet, self._table, paths["table"])
            write_csv(self.rejects, paths["rejects"])
            table_written.result()
            outputs = {paths["table"].name: output_entry(paths["table"], self.n_table),
                       paths["rejects"].name: output_entry(paths["rejects"], len(self.rejects))}
            write_json(paths["manifest"], {**self.manifest, "outputs": outputs})
        return paths

    def write_raw(self, folder: str | Path, stem: str = "survey") -> Path:
        """Write the opt-in ``raw_rejects`` (every raw column of rejected rows) to ``folder``.

        Refuses a folder inside any ``data/processed``: raw columns are kept out of the
        published outputs on purpose.
        """
        from ..outputs import UnsafeNameError, safe_name, write_csv

        if self.raw_rejects is None:
            raise ValueError("no raw rejects kept: clean with keep_raw=True")
        folder = Path(folder).resolve()
        parts = folder.parts
        if any(a == "data" and b == "processed" for a, b in zip(parts, parts[1:])):
            raise UnsafeNameError(f"--keep-raw {folder}: raw rejects may not be written inside data/processed")
        return write_csv(self.raw_rejects, folder / f"{safe_name(stem, 'source name')}_rejects_raw.csv")


def file_source_names(source: str, paths: Sequence[str | Path]) -> list[str]:
    """Source name of each input file: ``source`` for one file, ``source/<file name>`` for several.

    Rows are numbered within each file, so each file needs its own source for ``record_id``
    to stay unique.
    """
    return [source] if len(paths) == 1 else [f"{source}/{Path(p).name}" for p in paths]


def combine_results(results: Sequence[CleanResult]) -> CleanResult:
    """One result from several sources: tables and rejects stacked, manifests kept per source."""
    # one source (the usual `csresearch clean`): its table as it is, still in parts if it was,
    # so that writing it never holds a whole copy
    table = (results[0]._table if len(results) == 1
             else pd.concat([r.table for r in results], ignore_index=True)[PROCESSED_COLUMNS])
    rejects = pd.concat([r.rejects for r in results], ignore_index=True)
    raws = [r.raw_rejects for r in results if r.raw_rejects is not None]
    manifest = {
        "package_version": __version__,
        "rows_in": sum(r.manifest["rows_in"] for r in results),
        "rows_table": int(len(table)),
        "rows_rejected": int(len(rejects)),
        "sources": [r.manifest for r in results],
        "warnings": [f"{r.manifest.get('source')}: {w}" for r in results for w in r.manifest.get("warnings", [])],
    }
    assert manifest["rows_in"] == manifest["rows_table"] + manifest["rows_rejected"]
    raw_rejects = pd.concat(raws, ignore_index=True) if raws else None
    return CleanResult(table=table, rejects=rejects, manifest=manifest, raw_rejects=raw_rejects)


_STEP_PATHS = {
    "salary": ("csresearch.clean.salary", "parse_salaries"),
    "titles": ("csresearch.clean.role_classifier", "classify_roles"),
    "descriptions": ("csresearch.clean.description", "read_descriptions"),
    "cities": ("csresearch.clean.geo", "normalize_cities"),
    "countries": ("csresearch.clean.country", "normalize_countries"),
    "experience": ("csresearch.clean.experience", "parse_experience"),
    "education": ("csresearch.clean.experience", "parse_education"),
    "scrub": ("csresearch.privacy", "scrub_pii"),
    "personal": ("csresearch.privacy", "drop_personal_columns"),
    "ppp": ("csresearch.money", "convert_currency"),
}


def default_steps(overrides: Mapping[str, Callable] | None = None) -> dict[str, Callable]:
    """The cleaning functions the pipeline uses, with ``overrides`` replacing any of them.

    Keys: ``salary`` (:func:`csresearch.parse_salaries`), ``titles``
    (:func:`csresearch.classify_roles`, called as ``titles(titles, descriptions)`` when the
    source has a ``description`` column, else ``titles(titles)``), ``descriptions``
    (:func:`csresearch.read_descriptions`), ``cities`` (:func:`csresearch.normalize_cities`),
    ``experience`` (:func:`csresearch.parse_experience`), ``education``
    (:func:`csresearch.parse_education`), ``scrub`` (:func:`csresearch.scrub_pii`),
    ``personal`` (:func:`csresearch.privacy.drop_personal_columns`), ``ppp``
    (:func:`csresearch.convert_currency`). A step is imported only when not overridden.
    """
    import importlib

    overrides = dict(overrides or {})
    unknown = set(overrides) - set(_STEP_PATHS)
    if unknown:
        raise KeyError(f"unknown cleaning steps {sorted(unknown)}; known: {sorted(_STEP_PATHS)}")
    steps = {}
    for key, (module, name) in _STEP_PATHS.items():
        steps[key] = overrides[key] if key in overrides else getattr(importlib.import_module(module), name)
    return steps


@cache
def _plausible_bounds() -> pd.DataFrame:
    path = resources.files("csresearch.reference").joinpath("plausible_pay.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh).set_index("currency")[["monthly_min", "monthly_max"]]


def _text(series: pd.Series) -> pd.Series:
    """Strip cells; empty strings become NA, so 'missing' means one thing."""
    s = series.astype("str").str.strip()
    return s.mask(s == "")


def _text_column(text: Mapping[Any, Coded], n: int, name: str) -> Coded:
    """The stripped text column ``name``, or missing on all ``n`` rows when the file has none."""
    return text[name] if name in text else constant(pd.NA, n, "str")


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return _text(df[name])
    return pd.Series(pd.NA, index=df.index, dtype="str")


def _format_amount(x: pd.Series) -> pd.Series:
    """6.0e4 -> '60000', 1.5 -> '1.5' (vectorised)."""
    as_int = x.round().astype("Int64").astype("str")
    return as_int.where((x - x.round()).abs() < 1e-9, x.astype("str")).mask(x.isna())


def _compose_salary_text(df: pd.DataFrame) -> pd.Series:
    """Pay text for sources that give numbers (salary_low/high/currency) instead of text.

    The text is written in the parser's neutral grammar ("60000-90000 RUB", "from 60000 RUB"),
    so numeric and textual sources go through one parser; the row's flags record it.
    """
    lo = pd.to_numeric(_column(df, "salary_low"), errors="coerce")
    hi = pd.to_numeric(_column(df, "salary_high"), errors="coerce")
    cur = _column(df, "salary_currency").fillna("")
    lo_s, hi_s = _format_amount(lo), _format_amount(hi)
    text = pd.Series(pd.NA, index=df.index, dtype="str")
    both = lo.notna() & hi.notna()
    text = text.mask(both, lo_s + "-" + hi_s + " " + cur)
    text = text.mask(lo.notna() & hi.isna(), "from " + lo_s + " " + cur)
    text = text.mask(lo.isna() & hi.notna(), "up to " + hi_s + " " + cur)
    gross = _column(df, "salary_gross").str.lower()
    basis = gross.map({"1": " gross", "true": " gross", "1.0": " gross", "0": " net", "false": " net", "0.0": " net"})
    return (text.str.strip() + basis.fillna("")).mask(text.isna())


def _record_ids(source: str, rows: np.ndarray) -> np.ndarray:
    """16 hex digits per row (``S16``): :func:`csresearch.clean.assemble.record_keys` as hex.

    Examples
    --------
    >>> _as_text(_record_ids("demo", np.array([1, 2]))).tolist()
    ['e157fa9fd8a61c59', '296fa20a247ff031']
    """
    return hex_ids(record_keys(source, rows))


def _input_hash(raw: pd.DataFrame, read_info: Mapping[str, Any]) -> str:
    """The file's SHA-256 when it was read from one, else a hash of the cells (not the index)."""
    if "sha256" in read_info:
        return read_info["sha256"]
    hashed = pd.util.hash_pandas_object(raw.astype("str"), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def clean_survey(
    df: pd.DataFrame,
    *,
    source: str,
    country: str | Sequence[str] | None = None,
    year: int | None = None,
    default_period: str | None = None,
    currency: str | None = None,
    keep_unpaid: bool = False,
    keep_personal: Sequence[str] = (),
    is_synthetic: bool = False,
    aggregate: bool = False,
    first_row: int = 1,
    steps: Mapping[str, Callable] | None = None,
    keep_raw: bool = False,
    duplicate_of: Sequence[Any] | None = None,
) -> CleanResult:
    """Clean raw survey or posting rows into the processed table.

    Parameters
    ----------
    df : DataFrame
        Raw rows with canonical column names, as returned by :func:`csresearch.read_table`
        (``title``, ``salary_text`` or ``salary_low``/``salary_high``, ``city``,
        ``experience_text``, ``education_text``, ``company``, ``country``, ``year``, ...).
        Handed over without a reference kept (``clean_survey(read_table(path), ...)``), its
        raw cells are freed once they are factorised, which lowers the peak memory of a big file.
    source : str
        Name of the source, kept in every row and in ``record_id``.
    country : str or array, optional
        ISO2 country for rows whose ``country`` cell is empty; otherwise inferred from the city.
    year : int, optional
        Year for rows without a ``year`` or dated ``date`` cell (needed for PPP conversion).
    default_period : str, optional
        The source's convention when pay text states no period (``"month"`` on 51job).
    currency : str, optional
        ISO 4217 code overriding the country's default currency.
    keep_unpaid : bool
        Keep rows whose pay is missing or negotiable in the table (``salary_status`` says which)
        instead of rejecting them.
    keep_personal : sequence of str
        Personal columns (names, phones, e-mails) to keep; by default they are dropped.
    is_synthetic : bool
        Mark rows as synthetic (data made by :mod:`csresearch.synth`).
    aggregate : bool
        Rows are published aggregates (a figure per group), not respondents: ``n_respondents``
        is taken from the column of that name and left empty when absent. Without it every
        row is one respondent, whatever an ``n``/``人数`` column says (a count in
        respondent-level data cannot be trusted to enlarge a cell past the minimum).
    first_row : int
        Number of the first row, for a ``df`` whose index is not read_table's ``source_row``
        (the file's line of each row, kept as ``source_row``); rows are then numbered from it.
    steps : mapping, optional
        Replace any of the cleaning functions of :func:`default_steps`.
    keep_raw : bool
        Also return every raw column of the rejected rows in ``raw_rejects`` (opt-in; the
        rejects table itself keeps only :data:`REJECT_RAW_COLUMNS`).
    duplicate_of : sequence, optional
        For each row, the ``source_row`` of the first identical row of the whole file (missing
        when unique), for callers that clean a file in parts (dask partitions); found within
        ``df`` by default.

    Returns
    -------
    CleanResult
        ``table``, ``rejects`` and ``manifest``; ``len(df) == len(table) + len(rejects)``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"title": ["客服专员", "客服主管"], "salary_text": ["6-8千/月", "面议"],
    ...                     "city": ["上海-浦东新区", "杭州"]})
    >>> res = clean_survey(raw, source="demo", country="CN", year=2024)  # doctest: +SKIP
    >>> res.manifest["rows_in"], len(res.table), len(res.rejects)  # doctest: +SKIP
    (2, 1, 1)
    """
    if _is_dask(df):
        # Same cleaning, partition by partition (csresearch.scale); no second implementation.
        from ..scale import clean_survey_dask

        return clean_survey_dask(
            df, source=source, country=country, year=year, default_period=default_period,
            currency=currency, keep_unpaid=keep_unpaid, keep_personal=keep_personal,
            is_synthetic=is_synthetic, aggregate=aggregate, first_row=first_row, steps=steps,
            keep_raw=keep_raw,
        )  # the dask layer finds duplicates across partitions itself
    fn = default_steps(steps)
    rows, renumbered = _source_rows(df, first_row)
    read_info = dict(df.attrs.get("read_info", {}))
    raw = without_lone_surrogates(df.reset_index(drop=True))
    # a caller that hands the frame over (clean_survey(read_table(path)), as the CLI does) lets
    # the raw cells be freed once they are factorised: a million rows' raw text is 2x the file
    del df
    input_hash = _input_hash(raw, read_info)  # before any cell is rewritten
    n = len(raw)

    if "title" not in raw.columns and "salary_text" not in raw.columns and "salary_low" not in raw.columns:
        raise ColumnMappingError(
            f"source {source!r}: no column maps to title or salary_text; columns are "
            f"{list(raw.columns)}. Pass columns={{raw: canonical}} to read_table."
        )
    # repeated headers, bad countries/currencies/counts: found first and blanked, so that no
    # parser sees them (a repeated header's 'COUNTRY' must be a reject, not a crash)
    # every raw column factorised once, here: the row checks and the scrubbing use the codes
    checked = {c: raw[c] for c in raw.columns}
    coded = {c: encode(v) for c, v in checked.items()}
    checks = row_checks(raw, read_info, aggregate=aggregate, coded=coded)
    raw, checks.raw = checks.raw, None
    if default_period is None:
        default_period = read_info.get("period_from_header")

    raw, dropped_personal = fn["personal"](raw, keep=tuple(keep_personal))
    raw, pseudonymised, dropped_ids = _protect_identifiers(raw, keep=tuple(keep_personal))
    # Every column is factorised once and scrubbed BEFORE parsing (pay must not be read out of
    # a contact detail: "面议，微信kefu_zhang88" is not 88 an hour); from here on each step
    # works on the distinct values of its inputs and rows only index into the results.
    cells, free_text, numeric_pii = _scrub_cells(raw, fn["scrub"], {c: (checked[c], v) for c, v in coded.items()})
    raw_columns = raw.columns
    del coded, checked, raw  # from here on only the encoded cells
    release_free_memory()  # the raw cells, and what reading the file left behind
    text = {c: v.stripped() for c, v in cells.items()}
    column = partial(_text_column, text, n)

    salary_text, composed_flag = column("salary_text"), None
    if "salary_low" in raw_columns:
        given = salary_text.rows()
        composed = _compose_salary_text(pd.DataFrame({c: cells[c].rows() for c in _COMPOSE_COLUMNS if c in cells}))
        salary_text = encode(given.fillna(composed))
        composed_flag = encode(composed.notna() & given.isna())
    default_country = _default_countries(fn["countries"], country, n)
    geo = on_distinct(partial(_geo, fn["countries"], fn["cities"]), column("country"), column("city"), default_country)
    row_country = geo["country"].compact()
    row_currency = column("currency_hint")
    if currency is not None:
        row_currency = _fill(row_currency, from_rows(currency, n, "str"))
    if "salary_currency" in raw_columns:
        row_currency = _fill(row_currency, column("salary_currency"))
    period_hint = _fill(column("period_hint"), from_rows(default_period, n, "str"))

    pay = _pay_block(on_distinct(partial(_parse_pay, fn["salary"]), salary_text, row_country, row_currency, period_hint))
    flags = (on_distinct(_join_flags, pay["flags"], composed_flag).only() if composed_flag is not None
             else pay["flags"].map(lambda f: _join_flags(f, False)))
    # the description is read, never kept: only what is read from it reaches the table
    roles, described = _roles_and_descriptions(fn, column("title"), column("description"), "description" in text)
    exp = _experience_block(on_distinct(fn["experience"], column("experience_text")))
    edu = on_distinct(fn["education"], column("education_text"))
    education = edu.only().map(lambda s: s.astype("str"))
    years = on_distinct(_year_values, column("year"), column("date") if "date" in raw_columns else None,
                        from_rows(year, n, "Float64")).only()
    n_resp = encode(checks.n_respondents.reset_index(drop=True)) if aggregate else constant(1, n, "Int64")
    dup = _duplicate_of(duplicate_of, rows, checks.first_copy, pd.RangeIndex(n))

    marks = _reject_reasons(n, text, pay, geo, salary_text, keep_unpaid, checks)
    ppp, ppp_missing, ppp_extrapolated = _fill_ppp(pay, years, row_country, marks.code < 0, fn["ppp"])

    per_row = pd.DataFrame({"source_row": pd.Series(rows, dtype="Int64"), "annual_mid_usd_ppp": ppp,
                            "duplicate_of": dup.reset_index(drop=True)})
    singles = {"source": constant(source, n, "str"), "year": years, "company": column("company"),
               "title": column("title"), "education": education, "salary_text": salary_text,
               "salary_flags": flags, "n_respondents": n_resp,
               "is_synthetic": constant(bool(is_synthetic), n, "bool")}
    parts = [Block(np.arange(n, dtype=CODE_DTYPE), per_row), *(Block(c.codes, c.values.to_frame(name)) for name, c in singles.items()),
             *(Block(b.codes, b.frame[list(names)]) for b, names in (
                 (geo, _GEO_COLUMNS), (roles, _ROLE_COLUMNS), (described, DESCRIPTION_COLUMNS),
                 (exp, _EXPERIENCE_COLUMNS), (pay, _PAY_COLUMNS)))]
    table = TableParts(parts, record_keys(source, rows), np.flatnonzero(marks.code < 0))
    failing, broken = table.failing()
    if len(failing) or broken:
        # The one full validation, on the failing rows only: it names each row's checks the
        # way validating the whole table would (and raises when a whole column is wrong).
        failures = schema_failures(table.rows(failing, pd.Index(failing)))
        if not failures.empty:
            marks.overrule(failures.index.to_numpy(), "schema", failures["reason"])
    rejected = np.flatnonzero(marks.code >= 0)
    rejects, raw_rejects = _rejects_tables(source, rows[rejected], _as_text(_record_ids(source, rows[rejected])), marks, rejected,
                                           cells, pseudonymised, fn["scrub"], keep_raw=keep_raw)
    salary_status = _row_counts(pay["salary_status"])
    # the rejects are built first, so that the cells' codes (4 bytes a row per column) are
    # freed before the largest allocation of all, the processed table
    del cells, text, column, salary_text, row_country, row_currency, period_hint, flags, pay, exp, edu, education
    release_free_memory()  # what the steps freed goes back to the system before the table is built
    # assembled when asked for (CleanResult.table); written a row group at a time otherwise
    table_out = PendingTable(table, np.flatnonzero(marks.code < 0))

    manifest = {
        "source": source,
        "package_version": __version__,
        "input_sha256": input_hash,
        "read_info": {k: v for k, v in read_info.items() if k not in {"path"}},
        "parameters": {
            "country": country if isinstance(country, (str, type(None))) else "per-row",
            "year": year, "default_period": default_period, "currency": currency,
            "keep_unpaid": keep_unpaid, "aggregate": aggregate, "is_synthetic": is_synthetic,
        },
        "rows_in": int(n),
        "rows_table": int(len(table_out)),
        "rows_rejected": int(len(rejected)),
        "rejected_by_reason": marks.counts(),
        "salary_status": salary_status,
        "personal_columns_dropped": list(dropped_personal) + dropped_ids,
        "id_columns_pseudonymised": pseudonymised,
        "free_text_columns_scrubbed": free_text,
        "numeric_columns_with_personal_data": numeric_pii,
        "n_respondents_ignored": bool(not aggregate and "n_respondents" in raw_columns),
        "ppp_unavailable": ppp_missing,
        "ppp_extrapolated_with_cpi": ppp_extrapolated,
        "customer_service_rows": int(table_out.column("is_customer_service").sum()),
        "rows_without_year": int(table_out.column("year").isna().sum()),
        "duplicate_rows": int(dup.notna().sum()),
        "source_rows_renumbered": renumbered,
        **checks.not_understood,
        "countries_not_understood": _countries_not_understood(geo),
    }
    manifest["warnings"] = summary_warnings(manifest)
    assert manifest["rows_in"] == manifest["rows_table"] + manifest["rows_rejected"]
    return CleanResult(table=table_out, rejects=rejects, manifest=manifest, raw_rejects=raw_rejects)


def _source_rows(df: pd.DataFrame, first_row: int) -> tuple[np.ndarray, bool]:
    """Each row's ``source_row``: the file's line from read_table's index, else a running number.

    True as second value when an index named ``source_row`` had to be set aside because it
    repeats values or is not a positive whole number (frames of several files concatenated).
    """
    if df.index.name == "source_row":
        idx = df.index
        if pd.api.types.is_integer_dtype(idx.dtype) and idx.is_unique and (len(idx) == 0 or idx.min() >= 1):
            return idx.to_numpy(dtype=np.int64), False
        return np.arange(first_row, first_row + len(df)), True
    return np.arange(first_row, first_row + len(df)), False


def _duplicate_of(given: Sequence[Any] | None, rows: np.ndarray, first_copy: np.ndarray, index: pd.Index) -> pd.Series:
    if given is not None:
        return pd.Series(pd.array(given, dtype="Int64"), index=index)
    return pd.Series(rows[first_copy], dtype="Int64").where(first_copy >= 0).set_axis(index)


def _protect_identifiers(raw: pd.DataFrame, keep: tuple[str, ...]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Employee/record ID columns: keyed pseudonyms when a key is configured, else dropped.

    The key comes from ``CSRESEARCH_PSEUDONYM_KEY`` (or ``CSRESEARCH_PSEUDONYM_KEY_FILE``);
    without one the IDs cannot be linked safely, so they leave the data rather than pass through.
    """
    from ..privacy import PseudonymKeyError, find_identifier_columns, pseudonymise_ids

    pseudonymised, dropped = [], []
    for col in find_identifier_columns(raw.columns):
        if col in keep:
            continue
        try:
            raw[col] = pseudonymise_ids(raw[col])
            pseudonymised.append(str(col))
        except PseudonymKeyError:
            raw = raw.drop(columns=col)
            dropped.append(str(col))
    return raw, pseudonymised, dropped


def _locate_cities(normalize: Callable, names: pd.Series, stated: pd.Series, default: pd.Series) -> pd.DataFrame:
    """Resolve cities with the row's stated country as hint, then retry the unknown ones with
    the source's default country (needed for names that only make sense there, e.g. 一线城市)."""
    first = normalize(names, country=stated)
    retry = (first["city_status"] != "known") & stated.isna() & default.notna() & names.notna()
    if retry.any():
        second = normalize(names[retry], country=default[retry])
        first = first.copy()
        first.loc[retry, second.columns] = second
    return first


def _is_dask(df: object) -> bool:
    return type(df).__module__.startswith("dask")


def _join_flags(flags: pd.Series, composed: pd.Series | bool) -> pd.Series:
    out = flags.astype("str").fillna("")
    if isinstance(composed, pd.Series):
        out = out.mask(composed, (out + ";composed_from_numbers").str.lstrip(";"))
    return out.mask(out == "")


def _annual_mid(pay: pd.DataFrame) -> pd.Series:
    lo, hi = pay["annual_low"].astype("float64"), pay["annual_high"].astype("float64")
    # Open-ended ranges have no midpoint: interval models use the bound instead.
    return ((lo + hi) / 2).where(lo.notna() & hi.notna())


def _experience_point(exp: pd.DataFrame) -> pd.Series:
    lo = exp["experience_years_low"].astype("float64")
    hi = exp["experience_years_high"].astype("float64")
    return ((lo + hi) / 2).where(hi.notna(), lo)


def _default_countries(normalize: Callable, country: Any, n: int) -> Coded:
    """The caller's ``country=`` as alpha-2 per row; a value that is no country raises, naming it."""
    given = from_rows(country, n, "str")
    if given.values.isna().all():
        return given
    res = on_distinct(normalize, given).frame
    unknown = res["country_status"] == "unknown"
    if unknown.any():
        from ..errors import ReferenceDataError

        bad = sorted(set(res.loc[unknown, "country_raw"].astype(str)))
        raise ReferenceDataError(
            f"country= {', '.join(map(repr, bad))} is not a country name or ISO 3166-1 code csresearch knows "
            "(try an alpha-2 code such as GB, or add the name to csresearch/reference/country_aliases.csv)"
        )
    return Coded(on_distinct(normalize, given).codes, res["country"].astype("str")).compact()


def _fill(values: Coded, fallback: Coded) -> Coded:
    """``values.fillna(fallback)``, once per distinct pair."""
    return on_distinct(lambda a, b: a.fillna(b), values, fallback).only().compact()


_COMPOSE_COLUMNS = ("salary_low", "salary_high", "salary_currency", "salary_gross")
_GEO_COLUMNS = ("country", "city", "city_local", "cn_tier")
_ROLE_COLUMNS = ("is_customer_service", "level", "level_name", "track", "function", "role_confidence",
                 "role_evidence", "role_needs_review")
_EXPERIENCE_COLUMNS = ("experience_years_low", "experience_years_high", "experience_years")
_PAY_COLUMNS = ("salary_status", "pay_low", "pay_high", "currency", "period", "months_per_year", "basis",
                "monthly_low", "monthly_high", "annual_low", "annual_high", "annual_mid")


def _same_text_data(a: pd.Series, b: pd.Series) -> bool:
    """Whether two Arrow-backed columns hold the very same array (nothing was blanked or replaced)."""
    pa_a, pa_b = getattr(a.array, "_pa_array", None), getattr(b.array, "_pa_array", None)
    return pa_a is not None and pa_a is pa_b and a.dtype == b.dtype


def _scrub_cells(raw: pd.DataFrame, scrub: Callable,
                 encoded: Mapping[Any, tuple[pd.Series, Coded]] | None = None) -> tuple[dict[Any, Coded], list[str], list[str]]:
    """Every column factorised, personal data scrubbed from its distinct values.

    The per-distinct form of :func:`csresearch.privacy.scrub_frame`: text columns go through
    ``scrub``; a numeric column is written out as digits and becomes the scrubbed text only if
    some value was a phone or identity number; booleans are left alone. ``encoded`` holds, per
    column, the raw column the row checks saw and its encoding, reused for the text columns
    whose data is unchanged since (columns blanked or pseudonymised are encoded again).
    """
    from ..privacy import _number_text

    encoded = encoded or {}
    cells, text_cols, numeric_cols = {}, [], []
    for col in raw.columns:
        values = raw[col]
        seen, before = encoded.get(col, (None, None))
        coded = before if seen is not None and _same_text_data(values, seen) else encode(values)
        if pd.api.types.is_bool_dtype(values):
            pass
        elif pd.api.types.is_string_dtype(values) or values.dtype == object:
            coded = coded.map(scrub)
            text_cols.append(str(col))
        elif pd.api.types.is_numeric_dtype(values):
            digits = coded.map(_number_text)
            cleaned = digits.map(scrub)
            if bool((cleaned.values.fillna("") != digits.values.fillna("")).any()):
                coded = cleaned
                numeric_cols.append(str(col))
        cells[col] = coded
    return cells, text_cols, numeric_cols


def _geo(countries: Callable, cities: Callable, country_cells: pd.Series, city_cells: pd.Series,
         default: pd.Series) -> pd.DataFrame:
    """Stated country, city and the row's country for distinct (country, city, default) triples."""
    stated = countries(country_cells)
    stated_country = stated["country"].astype("str")
    found = _locate_cities(cities, city_cells, stated_country, default)
    # A row's own country cell wins; then the country of a city we know (a Minsk posting in a
    # Russian crawl is Belarusian); then the source's default.
    known_city_country = found["country"].astype("str").where(found["city_status"] == "known")
    row_country = stated_country.fillna(known_city_country).fillna(default)
    return pd.DataFrame({
        "country_status": stated["country_status"], "country_raw": stated["country_raw"],
        "country": row_country.astype("str"), "city": found["city"].astype("str"),
        "city_local": found["city_local"].astype("str"),
        "cn_tier": found["cn_tier"].astype("Int64").where(row_country == "CN"),
    })


def _parse_pay(parse: Callable, texts: pd.Series, country: pd.Series, currency: pd.Series,
               period: pd.Series) -> pd.DataFrame:
    return parse(
        texts, country=country, currency=currency.astype("object").where(currency.notna(), None),
        default_period=period.astype("object").where(period.notna(), None),
    )


def _pay_block(pay: Block) -> Block:
    """The table's pay columns from the parser's, per distinct parse."""
    p = pay.frame
    status = p["status"].astype("str")
    # Values that only make sense with a pay statement are cleared when there is none.
    no_pay = status != "ok"
    out = pd.DataFrame({
        "salary_status": status, "reason": p["reason"], "flags": p["flags"],
        "pay_low": p["low"].astype("float64"), "pay_high": p["high"].astype("float64"),
        "currency": p["currency"].astype("str").mask(no_pay), "period": p["period"].astype("str").mask(no_pay),
        "months_per_year": p["months_per_year"].astype("float64").mask(no_pay),
        "basis": p["basis"].astype("str").mask(no_pay),
        **{c: p[c].astype("float64") for c in ("monthly_low", "monthly_high", "annual_low", "annual_high")},
        "annual_mid": _annual_mid(p),
    })
    return Block(pay.codes, out)


def _is_default(fn: Mapping[str, Callable], key: str) -> bool:
    """Is step ``key`` the default of :func:`default_steps` (not replaced by the caller)?"""
    module, name = _STEP_PATHS[key]
    loaded = sys.modules.get(module)
    return loaded is not None and fn[key] is getattr(loaded, name, None)


def _roles_and_descriptions(fn: Mapping[str, Callable], titles: Coded, descriptions: Coded,
                            has_description: bool) -> tuple[Block, Block]:
    """The role block and the description block, each distinct description read once.

    With both default steps, ``classify_roles(..., description_columns=True)`` returns what it
    read from the descriptions beside the roles (the values of ``read_descriptions``); a
    replaced step is called on its own, as :func:`default_steps` documents.
    """
    if not has_description:
        return _role_block(on_distinct(fn["titles"], titles)), on_distinct(fn["descriptions"], descriptions)
    if _is_default(fn, "titles") and _is_default(fn, "descriptions"):
        both = on_distinct(partial(fn["titles"], description_columns=True), titles, descriptions)
        return _role_block(both), Block(both.codes, both.frame[list(DESCRIPTION_COLUMNS)])
    return (_role_block(on_distinct(fn["titles"], titles, descriptions)),
            on_distinct(fn["descriptions"], descriptions))


def _role_block(roles: Block) -> Block:
    r = roles.frame
    cs = r["is_customer_service"].fillna(False).astype(bool)
    level = r["level"].astype("Int64").where(cs)
    return Block(roles.codes, pd.DataFrame({
        "is_customer_service": cs, "level": level,
        "level_name": level.map(LEVEL_NAMES, na_action="ignore").astype("str"),
        "track": r["track"].astype("str").where(cs), "function": r["function"].astype("str").where(cs),
        # a custom titles step may give no confidence, evidence or review flag: then NA
        "role_confidence": _optional(r, "confidence", "Float64").astype("float64"),
        "role_evidence": _optional(r, "evidence", "str"),
        "role_needs_review": _optional(r, "needs_review", "boolean"),
    }))


def _optional(frame: pd.DataFrame, name: str, dtype: str) -> pd.Series:
    return frame[name].astype(dtype) if name in frame else pd.Series(pd.NA, index=frame.index, dtype=dtype)


def _experience_block(exp: Block) -> Block:
    e = exp.frame
    return Block(exp.codes, pd.DataFrame({
        "experience_years_low": e["experience_years_low"].astype("float64"),
        "experience_years_high": e["experience_years_high"].astype("float64"),
        "experience_years": _experience_point(e),
    }))


def _year_values(year_cells: pd.Series, date_cells: pd.Series | None, default: pd.Series) -> pd.Series:
    from_col = pd.to_numeric(year_cells, errors="coerce")
    if date_cells is not None:
        # ISO dates and "2023-..." strings carry the year; "03-12" (51job) does not.
        found = date_cells.str.extract(r"((?:19|20)\d{2})", expand=False)
        from_col = from_col.fillna(pd.to_numeric(found, errors="coerce"))
    return from_col.astype("Float64").fillna(default).round().astype("Int64")


def _row_counts(values: Coded) -> dict[str, int]:
    """``values.rows().value_counts().sort_index()`` as a dict, counted on the codes."""
    counts = pd.Series(np.bincount(values.codes, minlength=len(values.values)), index=values.values.to_numpy())
    counts = counts[counts > 0]
    counts = counts[counts.index.notna()].groupby(level=0).sum().sort_index()
    return {str(k): int(v) for k, v in counts.items()}


class _Marks:
    """Reject reason per row (first mark wins) and where its detail comes from.

    A detail is a constant, a :class:`Coded` column or a Series indexed by row position; it is
    written out only for the rejected rows.
    """

    def __init__(self, n: int) -> None:
        self.code = np.full(n, -1, dtype=np.int16)
        self.src = np.full(n, -1, dtype=np.int32)
        self.whys: list[Any] = []

    def mark(self, mask: np.ndarray, code: str, why: Any = None) -> None:
        new = np.asarray(mask, dtype=bool) & (self.code < 0)
        self._set(new, code, why)

    def overrule(self, positions: np.ndarray, code: str, why: Any) -> None:
        new = np.zeros(len(self.code), dtype=bool)
        new[positions] = True
        self._set(new, code, why)

    def _set(self, new: np.ndarray, code: str, why: Any) -> None:
        self.code[new] = _REASON_CODES.index(code)
        if why is not None:
            self.whys.append(why)
            self.src[new] = len(self.whys) - 1

    def reasons(self, positions: np.ndarray) -> np.ndarray:
        return np.asarray(_REASON_CODES, dtype=object)[self.code[positions]]

    def detail(self, positions: np.ndarray) -> pd.Series:
        out = np.full(len(positions), None, dtype=object)
        src = self.src[positions]
        for k, why in enumerate(self.whys):
            sel = np.flatnonzero(src == k)
            if not len(sel):
                continue
            at = positions[sel]
            if isinstance(why, str):
                out[sel] = why
            elif isinstance(why, Coded):
                out[sel] = why.values.astype("str").take(why.codes[at]).to_numpy(dtype=object, na_value=None)
            else:
                out[sel] = why.loc[at].astype("str").to_numpy(dtype=object, na_value=None)
        return pd.Series(out, dtype="str")

    def counts(self) -> dict[str, int]:
        k = np.bincount(self.code[self.code >= 0], minlength=len(_REASON_CODES))
        return {c: int(v) for c, v in sorted(zip(_REASON_CODES, k)) if v}


_REASON_CODES = list(REJECT_REASONS)


def _reject_reasons(n: int, text: Mapping[Any, Coded], pay: Block, geo: Block, salary_text: Coded,
                    keep_unpaid: bool, checks: RowChecks) -> _Marks:
    marks = _Marks(n)
    marks.mark(checks.repeated_header.to_numpy(dtype=bool), "repeated_header", REJECT_REASONS["repeated_header"])
    empty = np.ones(n, dtype=bool)
    for coded in text.values():
        empty &= ~coded.notna()
    marks.mark(empty, "empty_row", REJECT_REASONS["empty_row"])
    unknown = geo["country_status"].map(lambda s: s == "unknown")
    if unknown.values.any():
        named = geo["country_raw"].map(
            lambda s: s.astype("object").map(lambda v: f"country value {v!r} is not a country name or code"))
        marks.mark(unknown.rows().to_numpy(dtype=bool), "country_unknown", named)
    for code, (mask, why) in checks.rejects.items():
        marks.mark(mask.to_numpy(dtype=bool), code, why)
    status = pay["salary_status"]

    def is_status(value: str) -> np.ndarray:
        return (status.values == value).to_numpy(dtype=bool)[status.codes]

    if not keep_unpaid:
        marks.mark(is_status("missing"), "salary_missing", pay["reason"])
        marks.mark(is_status("negotiable"), "salary_negotiable", salary_text)
    marks.mark(is_status("unparsed"), "salary_unparsed", pay["reason"])

    p = pay.frame
    bounds = _plausible_bounds()
    cur = p["currency"]
    lo_b = cur.map(bounds["monthly_min"]).astype("float64")
    hi_b = cur.map(bounds["monthly_max"]).astype("float64")
    m_any = p["monthly_low"].fillna(p["monthly_high"])
    m_top = p["monthly_high"].fillna(p["monthly_low"])
    implausible = (p["salary_status"] == "ok") & lo_b.notna() & ((m_any < lo_b) | (m_top > hi_b))
    why = (
        "monthly " + m_any.round(0).astype("str") + "-" + m_top.round(0).astype("str") + " " + cur.astype("str")
        + " outside [" + lo_b.astype("str") + ", " + hi_b.astype("str") + "]"
    )
    marks.mark(implausible.to_numpy(dtype=bool)[pay.codes], "salary_implausible", Coded(pay.codes, why))
    return marks


def _fill_ppp(pay: Block, years: Coded, country: Coded, usable: np.ndarray,
              convert: Callable) -> tuple[np.ndarray, dict[str, int], dict[str, int]]:
    """annual_mid_usd_ppp per row, converted once per distinct (pay, year, country) combination.

    PPP factors are per country (the euro has one per euro-area member), so groups are
    (currency, year, country). ICP benchmarks are published for few years; for another year the
    factor is carried with relative CPI, as the World Bank does between ICP rounds
    (``year_fallback="cpi"``), and the group is counted as extrapolated. A group with neither
    keeps NaN and is counted as unavailable, with the reference table's explanation: never a
    silent NaN.

    Returns
    -------
    (values, unavailable, extrapolated) : ndarray, dict, dict
        The converted amounts per row, and rows per group keyed "CUR YEAR CC[: reason]".
    """
    from ..errors import ReferenceDataError

    missing: dict[str, int] = {}
    extrapolated: dict[str, int] = {}
    out = np.full(len(usable), np.nan)
    todo_rows = np.flatnonzero(usable & pay["annual_mid"].notna())
    if not len(todo_rows):
        return out, missing, extrapolated
    parts = [Coded(c.codes[todo_rows], c.values) for c in (pay["annual_mid"], years, country)]
    combo, firsts = combine(*parts)
    todo = pd.DataFrame({
        "annual_mid": pay["annual_mid"].values.take(firsts[0]).reset_index(drop=True),
        "currency": pay["currency"].values.take(firsts[0]).reset_index(drop=True),
        "year": years.values.take(firsts[1]).reset_index(drop=True),
        "country": country.values.take(firsts[2]).reset_index(drop=True),
    })
    todo["rows"] = np.bincount(combo, minlength=len(todo))
    no_year = todo["year"].isna()
    if no_year.any():
        missing["year unknown"] = int(todo.loc[no_year, "rows"].sum())
    todo = todo[~no_year]
    converted = np.full(len(firsts[0]), np.nan)
    for (cur, yr, cc), grp in todo.groupby(["currency", "year", "country"], sort=True):
        key = f"{cur} {int(yr)} {cc}"
        count = int(grp["rows"].sum())
        try:
            conv = convert(grp["annual_mid"], cur, "USD", year=int(yr), method="ppp", country=cc)
        except ReferenceDataError:
            try:
                with warnings.catch_warnings():  # recorded in the manifest instead
                    warnings.simplefilter("ignore", UserWarning)
                    conv = convert(grp["annual_mid"], cur, "USD", year=int(yr), method="ppp", country=cc,
                                   year_fallback="cpi")
                extrapolated[key] = count
            except ReferenceDataError as exc:
                missing[f"{key}: {exc}"] = count
                continue
        converted[grp.index.to_numpy()] = np.asarray(conv, dtype="float64")
    out[todo_rows] = converted[combo]
    return out, missing, extrapolated


def _rejects_tables(source: str, rows: np.ndarray, record_ids: pd.Series, marks, rejected: np.ndarray,
                    cells: dict, pseudonymised: list, scrub, *, keep_raw: bool):
    """The rejects table (reasons and the whitelisted raw columns) and, with ``keep_raw``, every raw cell."""
    keep_cols = reject_raw_columns(list(cells), pseudonymised)
    index = pd.RangeIndex(len(rejected))
    reasons = pd.DataFrame({
        "source": source,
        "source_row": pd.Series(rows, dtype="Int64"),
        "record_id": record_ids,
        "reason": pd.Series(marks.reasons(rejected), dtype="str"),
        "detail": encode(marks.detail(rejected)).map(scrub).rows(),
    })
    raw_kept = pd.DataFrame({f"raw_{c}": cells[c].rows(rejected).astype("str") for c in keep_cols},
                            index=index, columns=[f"raw_{c}" for c in keep_cols])
    raw_rejects = (pd.DataFrame({c: cells[c].rows(rejected).astype("str") for c in cells},
                                index=index, columns=list(cells)) if keep_raw else None)
    return pd.concat([reasons, raw_kept], axis=1), raw_rejects


def _countries_not_understood(geo) -> dict[str, int]:
    """The 20 most frequent country values that were not understood, with their row counts."""
    unknown = np.flatnonzero(geo["country_status"].map(lambda s: s == "unknown").rows().to_numpy(dtype=bool))
    counts = geo["country_raw"].rows(unknown).astype("str").value_counts().head(20)
    return {str(k)[:80]: int(v) for k, v in counts.items()}

"""The cleaning pipeline: raw survey or posting rows -> one validated processed table.

Every raw row ends in exactly one of two places: the processed table or the rejects table
(with its raw values and a reason). :class:`CleanResult` carries both plus a manifest whose
counts add up: ``rows_in == rows_table + rows_rejected``.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import ColumnMappingError
from .checks import RowChecks, row_checks
from .summary import summary_warnings
from ..outputs import write_json, write_parquet  # noqa: F401  (re-exported: build and scale use them)
from ..schema import LEVEL_NAMES, PROCESSED_COLUMNS, coerce_processed, schema_failures, validate_processed

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


@dataclass
class CleanResult:
    """What :func:`clean_survey` returns.

    Attributes
    ----------
    table : DataFrame
        The processed table (schema :class:`csresearch.schema.ProcessedTable`).
    rejects : DataFrame
        One row per rejected raw row: ``source``, ``source_row``, ``record_id``, ``reason``,
        ``detail`` and the row's raw values (personal columns dropped, free text scrubbed).
    manifest : dict
        Counts in/out/rejected by reason, input hash, package version and parameters.
    raw_rejects : DataFrame or None
        With ``keep_raw=True`` only: the rejected rows with every raw column (personal columns
        still dropped, text still scrubbed), for debugging outside data/processed.
    """

    table: pd.DataFrame
    rejects: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    raw_rejects: pd.DataFrame | None = None

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
        with output_lock(out):
            write_parquet(self.table, paths["table"])
            write_csv(self.rejects, paths["rejects"])
            outputs = {paths["table"].name: output_entry(paths["table"], len(self.table)),
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
    table = pd.concat([r.table for r in results], ignore_index=True)[PROCESSED_COLUMNS]
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
    "titles": ("csresearch.clean.roles", "classify_titles"),
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
    (:func:`csresearch.classify_titles`), ``cities`` (:func:`csresearch.normalize_cities`),
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


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return _text(df[name])
    return pd.Series(pd.NA, index=df.index, dtype="str")


def _broadcast(value: Any, index: pd.Index, dtype: str) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.reindex(index).astype(dtype)
    if value is None:
        return pd.Series(pd.NA, index=index, dtype=dtype)
    if np.ndim(value) == 0:
        return pd.Series([value] * len(index), index=index, dtype=dtype)
    return pd.Series(np.asarray(value), index=index).astype(dtype)


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
    return np.array(
        [hashlib.sha256(f"{source}:{r}".encode()).hexdigest()[:16] for r in rows], dtype=object
    )


def _input_hash(df: pd.DataFrame) -> str:
    info = df.attrs.get("read_info", {})
    if "sha256" in info:
        return info["sha256"]
    hashed = pd.util.hash_pandas_object(df.astype("str"), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _year_column(raw: pd.DataFrame, year: Any) -> pd.Series:
    from_col = pd.to_numeric(_column(raw, "year"), errors="coerce")
    if "date" in raw.columns:
        # ISO dates and "2023-..." strings carry the year; "03-12" (51job) does not.
        found = _column(raw, "date").str.extract(r"((?:19|20)\d{2})", expand=False)
        from_col = from_col.fillna(pd.to_numeric(found, errors="coerce"))
    default = _broadcast(year, raw.index, "Float64")
    return from_col.astype("Float64").fillna(default).round().astype("Int64")


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
        Number of the first row in the raw file (for chunks and partitions of a larger file).
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
    raw = df.reset_index(drop=True)
    n = len(raw)
    rows = np.arange(first_row, first_row + n)
    record_id = _record_ids(source, rows)

    if "title" not in raw.columns and "salary_text" not in raw.columns and "salary_low" not in raw.columns:
        raise ColumnMappingError(
            f"source {source!r}: no column maps to title or salary_text; columns are "
            f"{list(raw.columns)}. Pass columns={{raw: canonical}} to read_table."
        )
    # repeated headers, bad countries/currencies/counts: found first and blanked, so that no
    # parser sees them (a repeated header's 'COUNTRY' must be a reject, not a crash)
    checks = row_checks(raw, df.attrs.get("read_info", {}), aggregate=aggregate)
    raw = checks.raw
    if default_period is None:
        default_period = df.attrs.get("read_info", {}).get("period_from_header")

    raw, dropped_personal = fn["personal"](raw, keep=tuple(keep_personal))
    raw, pseudonymised, dropped_ids = _protect_identifiers(raw, keep=tuple(keep_personal))
    # every column is scrubbed BEFORE parsing: pay must not be read out of a contact detail
    # ("面议，微信kefu_zhang88" is not 88 an hour), and structured columns reach the rejects
    from ..privacy import scrub_frame

    raw, free_text, numeric_pii = scrub_frame(raw, fn["scrub"])

    salary_text = _column(raw, "salary_text")
    composed = _compose_salary_text(raw) if "salary_low" in raw.columns else None
    if composed is not None:
        salary_text = salary_text.fillna(composed)
    stated = fn["countries"](_column(raw, "country"))
    stated_country = stated["country"].astype("str")
    default_country = _default_countries(fn["countries"], country, raw.index)
    cities = _locate_cities(fn["cities"], _column(raw, "city"), stated_country, default_country)
    # A row's own country cell wins; then the country of a city we know (a Minsk posting in a
    # Russian crawl is Belarusian); then the source's default.
    known_city_country = cities["country"].astype("str").where(cities["city_status"] == "known")
    row_country = stated_country.fillna(known_city_country).fillna(default_country)
    row_currency = _column(raw, "currency_hint")
    if currency is not None:
        row_currency = row_currency.fillna(_broadcast(currency, raw.index, "str"))
    if "salary_currency" in raw.columns:
        row_currency = row_currency.fillna(_column(raw, "salary_currency"))
    period_hint = _column(raw, "period_hint").fillna(_broadcast(default_period, raw.index, "str"))

    pay = fn["salary"](
        salary_text, country=row_country, currency=row_currency.astype("object").where(row_currency.notna(), None),
        default_period=period_hint.astype("object").where(period_hint.notna(), None),
    )
    roles = fn["titles"](_column(raw, "title"))
    exp = fn["experience"](_column(raw, "experience_text"))
    edu = fn["education"](_column(raw, "education_text"))

    mid = _annual_mid(pay)
    if aggregate:
        n_resp = checks.n_respondents
    else:
        n_resp = pd.Series(1, index=raw.index, dtype="Int64")

    cs = roles["is_customer_service"].fillna(False).astype(bool)
    table = pd.DataFrame(
        {
            "record_id": pd.Series(record_id, dtype="str"),
            "source": pd.Series([source] * n, dtype="str"),
            "source_row": pd.Series(rows, dtype="Int64"),
            "year": _year_column(raw, year),
            "country": row_country.astype("str"),
            "city": cities["city"].astype("str"),
            "city_local": cities["city_local"].astype("str"),
            "cn_tier": cities["cn_tier"].astype("Int64").where(row_country == "CN"),
            "company": _column(raw, "company"),
            "title": _column(raw, "title"),
            "is_customer_service": cs,
            "level": roles["level"].astype("Int64").where(cs),
            "level_name": roles["level"].astype("Int64").where(cs).map(LEVEL_NAMES, na_action="ignore").astype("str"),
            "track": roles["track"].astype("str").where(cs),
            "function": roles["function"].astype("str").where(cs),
            "experience_years_low": exp["experience_years_low"].astype("float64"),
            "experience_years_high": exp["experience_years_high"].astype("float64"),
            "experience_years": _experience_point(exp),
            "education": edu.astype("str"),
            "salary_text": salary_text,
            "salary_status": pay["status"].astype("str"),
            "salary_flags": _join_flags(pay["flags"], composed is not None and composed.notna() & _column(raw, "salary_text").isna()),
            "pay_low": pay["low"].astype("float64"),
            "pay_high": pay["high"].astype("float64"),
            "currency": pay["currency"].astype("str"),
            "period": pay["period"].astype("str"),
            "months_per_year": pay["months_per_year"].astype("float64"),
            "basis": pay["basis"].astype("str"),
            "monthly_low": pay["monthly_low"].astype("float64"),
            "monthly_high": pay["monthly_high"].astype("float64"),
            "annual_low": pay["annual_low"].astype("float64"),
            "annual_high": pay["annual_high"].astype("float64"),
            "annual_mid": mid,
            "annual_mid_usd_ppp": np.nan,
            "n_respondents": n_resp,
            "is_synthetic": pd.Series([bool(is_synthetic)] * n, dtype=bool),
            "duplicate_of": _duplicate_of(duplicate_of, rows, checks.first_copy, raw.index),
        },
        index=raw.index,
    )
    # Values that only make sense with a pay statement are cleared when there is none.
    no_pay = table["salary_status"] != "ok"
    for col in ["currency", "period", "basis", "months_per_year"]:
        table[col] = table[col].mask(no_pay)

    reason, detail = _reject_reasons(raw, table, pay, keep_unpaid, stated, checks)
    ppp_missing, ppp_extrapolated = _fill_ppp(table, reason.isna(), fn["ppp"])

    keep = reason.isna()
    candidate = coerce_processed(table.loc[keep, PROCESSED_COLUMNS])
    failures = schema_failures(candidate)
    if not failures.empty:
        reason.loc[failures.index] = "schema"
        detail.loc[failures.index] = failures["reason"]
        keep = reason.isna()
        candidate = validate_processed(candidate.loc[candidate.index.intersection(keep[keep].index)])
    # schema_failures validated the candidate already: one validation unless rows were dropped
    table_out = candidate.reset_index(drop=True)

    rejected = ~keep
    rejects = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": source,
                    "source_row": pd.Series(rows, dtype="Int64"),
                    "record_id": pd.Series(record_id, dtype="str"),
                    "reason": reason.astype("str"),
                    "detail": fn["scrub"](detail.astype("str")),
                }
            ),
            raw[reject_raw_columns(raw.columns, pseudonymised)].add_prefix("raw_").astype("str"),
        ],
        axis=1,
    ).loc[rejected].reset_index(drop=True)
    raw_rejects = raw.loc[rejected].reset_index(drop=True).astype("str") if keep_raw else None

    counts = reason[rejected].value_counts().sort_index()
    manifest = {
        "source": source,
        "package_version": __version__,
        "input_sha256": _input_hash(df),
        "read_info": {k: v for k, v in df.attrs.get("read_info", {}).items() if k not in {"path"}},
        "parameters": {
            "country": country if isinstance(country, (str, type(None))) else "per-row",
            "year": year, "default_period": default_period, "currency": currency,
            "keep_unpaid": keep_unpaid, "aggregate": aggregate, "is_synthetic": is_synthetic,
        },
        "rows_in": int(n),
        "rows_table": int(len(table_out)),
        "rows_rejected": int(rejected.sum()),
        "rejected_by_reason": {str(k): int(v) for k, v in counts.items()},
        "salary_status": {str(k): int(v) for k, v in table["salary_status"].value_counts().sort_index().items()},
        "personal_columns_dropped": list(dropped_personal) + dropped_ids,
        "id_columns_pseudonymised": pseudonymised,
        "free_text_columns_scrubbed": free_text,
        "numeric_columns_with_personal_data": numeric_pii,
        "n_respondents_ignored": bool(not aggregate and "n_respondents" in raw.columns),
        "ppp_unavailable": ppp_missing,
        "ppp_extrapolated_with_cpi": ppp_extrapolated,
        "customer_service_rows": int(table_out["is_customer_service"].sum()),
        "rows_without_year": int(table_out["year"].isna().sum()),
        "duplicate_rows": int(table["duplicate_of"].notna().sum()),
        **checks.not_understood,
        "countries_not_understood": {str(k)[:80]: int(v) for k, v in stated.loc[stated["country_status"] == "unknown", "country_raw"]
                                     .astype("str").value_counts().head(20).items()},
    }
    manifest["warnings"] = summary_warnings(manifest)
    assert manifest["rows_in"] == manifest["rows_table"] + manifest["rows_rejected"]
    return CleanResult(table=table_out, rejects=rejects, manifest=manifest, raw_rejects=raw_rejects)


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


def _default_countries(normalize: Callable, country: Any, index: pd.Index) -> pd.Series:
    """The caller's ``country=`` as alpha-2 per row; a value that is no country raises, naming it."""
    given = _broadcast(country, index, "str")
    if given.isna().all():
        return given
    res = normalize(given)
    unknown = res["country_status"] == "unknown"
    if unknown.any():
        from ..errors import ReferenceDataError

        bad = sorted(set(res.loc[unknown, "country_raw"].astype(str)))
        raise ReferenceDataError(
            f"country= {', '.join(map(repr, bad))} is not a country name or ISO 3166-1 code csresearch knows "
            "(try an alpha-2 code such as GB, or add the name to csresearch/reference/country_aliases.csv)"
        )
    return res["country"].astype("str")


def _reject_reasons(
    raw: pd.DataFrame, table: pd.DataFrame, pay: pd.DataFrame, keep_unpaid: bool, stated: pd.DataFrame,
    checks: RowChecks,
) -> tuple[pd.Series, pd.Series]:
    reason = pd.Series(pd.NA, index=table.index, dtype="str")
    detail = pd.Series(pd.NA, index=table.index, dtype="str")

    def mark(mask: pd.Series, code: str, why: pd.Series | str | None = None) -> None:
        new = mask & reason.isna()
        reason.loc[new] = code
        if why is not None:
            detail.loc[new] = why if isinstance(why, str) else why[new].astype("str")

    mark(checks.repeated_header, "repeated_header", REJECT_REASONS["repeated_header"])
    empty = raw.astype("str").apply(lambda s: s.str.strip().replace("", pd.NA)).isna().all(axis=1)
    mark(empty, "empty_row", REJECT_REASONS["empty_row"])
    unknown = stated["country_status"] == "unknown"
    if unknown.any():
        named = stated["country_raw"].astype("object").map(lambda v: f"country value {v!r} is not a country name or code")
        mark(unknown, "country_unknown", named)
    for code, (mask, why) in checks.rejects.items():
        mark(mask, code, why)
    status = table["salary_status"]
    if not keep_unpaid:
        mark(status == "missing", "salary_missing", pay["reason"])
        mark(status == "negotiable", "salary_negotiable", table["salary_text"])
    mark(status == "unparsed", "salary_unparsed", pay["reason"])

    bounds = _plausible_bounds()
    cur = table["currency"]
    lo_b = cur.map(bounds["monthly_min"]).astype("float64")
    hi_b = cur.map(bounds["monthly_max"]).astype("float64")
    m_lo, m_hi = table["monthly_low"], table["monthly_high"]
    m_any = m_lo.fillna(m_hi)
    m_top = m_hi.fillna(m_lo)
    implausible = (status == "ok") & lo_b.notna() & ((m_any < lo_b) | (m_top > hi_b))
    why = (
        "monthly " + m_any.round(0).astype("str") + "-" + m_top.round(0).astype("str") + " " + cur.astype("str")
        + " outside [" + lo_b.astype("str") + ", " + hi_b.astype("str") + "]"
    )
    mark(implausible, "salary_implausible", why)
    return reason, detail


def _fill_ppp(table: pd.DataFrame, usable: pd.Series, convert: Callable) -> tuple[dict[str, int], dict[str, int]]:
    """Fill annual_mid_usd_ppp group by group.

    PPP factors are per country (the euro has one per euro-area member), so groups are
    (currency, year, country). ICP benchmarks are published for few years; for another year the
    factor is carried with relative CPI, as the World Bank does between ICP rounds
    (``year_fallback="cpi"``), and the group is counted as extrapolated. A group with neither
    keeps NaN and is counted as unavailable, with the reference table's explanation: never a
    silent NaN.

    Returns
    -------
    (unavailable, extrapolated) : dict, dict
        Rows per group, keyed "CUR YEAR CC[: reason]".
    """
    from ..errors import ReferenceDataError

    missing: dict[str, int] = {}
    extrapolated: dict[str, int] = {}
    todo = table.loc[usable & table["annual_mid"].notna(), ["annual_mid", "currency", "year", "country"]]
    no_year = todo["year"].isna()
    if no_year.any():
        missing["year unknown"] = int(no_year.sum())
    todo = todo[~no_year]
    for (cur, yr, cc), grp in todo.groupby(["currency", "year", "country"], sort=True):
        key = f"{cur} {int(yr)} {cc}"
        try:
            conv = convert(grp["annual_mid"], cur, "USD", year=int(yr), method="ppp", country=cc)
        except ReferenceDataError:
            try:
                with warnings.catch_warnings():  # recorded in the manifest instead
                    warnings.simplefilter("ignore", UserWarning)
                    conv = convert(grp["annual_mid"], cur, "USD", year=int(yr), method="ppp", country=cc,
                                   year_fallback="cpi")
                extrapolated[key] = int(len(grp))
            except ReferenceDataError as exc:
                missing[f"{key}: {exc}"] = int(len(grp))
                continue
        table.loc[grp.index, "annual_mid_usd_ppp"] = np.asarray(conv, dtype="float64")
    return missing, extrapolated

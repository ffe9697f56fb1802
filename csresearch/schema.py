"""The processed-table schema: one row per respondent or posting.

The README's "Processed table" section describes each column; the pandera schema
:func:`processed_schema` (built on first use) is the executable form of it.
:func:`validate_processed` raises :class:`~csresearch.errors.SchemaError` naming the failing
columns and values; :func:`schema_failures` returns the failing rows instead, so the pipeline
can move them to the rejects table rather than drop them.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import pandas as pd

from ._pandera import Col, build_schema
from .errors import SchemaError

__all__ = [
    "ProcessedTable",
    "processed_schema",
    "PROCESSED_COLUMNS",
    "LEVEL_NAMES",
    "validate_processed",
    "schema_failures",
    "empty_processed",
    "coerce_columns",
    "schema_screen",
    "TABLE_CHECK_COLUMNS",
    "UNIQUE_COLUMNS",
]

#: The career ladder shared by every module: level number -> name.
LEVEL_NAMES = {1: "agent", 2: "senior", 3: "team_lead", 4: "supervisor", 5: "manager", 6: "head"}
TRACKS = ["individual", "expert", "management"]
FUNCTIONS = [
    "general", "pre_sales", "after_sales", "vip", "call_centre", "online_chat",
    "technical_support", "complaints", "ecommerce", "customer_success", "training_quality",
]
EDUCATION_LEVELS = ["below_high_school", "high_school", "college", "bachelor", "master", "doctorate"]
SALARY_STATUSES = ["ok", "negotiable", "missing", "unparsed"]
PERIODS = ["hour", "day", "week", "month", "year"]
BASES = ["gross", "net", "unknown"]
#: description_role values (csresearch.clean.description.DUTY_KINDS and "mixed").
DESCRIPTION_ROLES = ["customer_service", "sales", "collections", "renewals", "appointment_setting",
                     "field_service", "survey_interviewing", "mixed"]
_LABELS = r"^[a-z0-9_]+(;[a-z0-9_]+)*$"  # ;-joined labels from a fixed vocabulary


# The columns in order (README "Processed table"), as data: the pandera schema is built from
# this on first validation (csresearch._pandera says why not a DataFrameModel).
_COLUMNS: dict[str, Col] = {
    "record_id": Col("str", unique=True, str_matches=r"^[0-9a-f]{16}$"),
    "source": Col("str", str_length={"min_value": 1}),
    "source_row": Col("Int64", ge=1),
    "year": Col("Int64", nullable=True, ge=1990, le=2100),
    "country": Col("str", nullable=True, str_matches=r"^[A-Z]{2}$"),
    "city": Col("str", nullable=True),
    "city_local": Col("str", nullable=True),
    "cn_tier": Col("Int64", nullable=True, isin=[1, 2, 3]),
    "company": Col("str", nullable=True),
    "title": Col("str", nullable=True),
    "is_customer_service": Col("bool"),
    "level": Col("Int64", nullable=True, isin=list(LEVEL_NAMES)),
    "level_name": Col("str", nullable=True, isin=list(LEVEL_NAMES.values())),
    "track": Col("str", nullable=True, isin=TRACKS),
    "function": Col("str", nullable=True, isin=FUNCTIONS),
    "role_confidence": Col("float64", nullable=True, ge=0, le=1),
    "role_evidence": Col("str", nullable=True),
    "role_needs_review": Col("boolean", nullable=True),
    "description_role": Col("str", nullable=True, isin=DESCRIPTION_ROLES),
    "description_manages": Col("boolean", nullable=True),
    "description_team_size": Col("Int64", nullable=True, ge=0),
    "description_channels": Col("str", nullable=True, str_matches=_LABELS),
    "description_shift_work": Col("boolean", nullable=True),
    "description_night_work": Col("boolean", nullable=True),
    "description_languages": Col("str", nullable=True, str_matches=_LABELS),
    "description_kpis": Col("str", nullable=True, str_matches=_LABELS),
    "description_pay_components": Col("str", nullable=True, str_matches=_LABELS),
    "experience_years_low": Col("float64", nullable=True, ge=0, le=60),
    "experience_years_high": Col("float64", nullable=True, ge=0, le=60),
    "experience_years": Col("float64", nullable=True, ge=0, le=60),
    "education": Col("str", nullable=True, isin=EDUCATION_LEVELS),
    "salary_text": Col("str", nullable=True),
    "salary_status": Col("str", isin=SALARY_STATUSES),
    "salary_flags": Col("str", nullable=True),
    "pay_low": Col("float64", nullable=True, gt=0),
    "pay_high": Col("float64", nullable=True, gt=0),
    "currency": Col("str", nullable=True, str_matches=r"^[A-Z]{3}$"),
    "period": Col("str", nullable=True, isin=PERIODS),
    "months_per_year": Col("float64", nullable=True, ge=12, le=24),
    "basis": Col("str", nullable=True, isin=BASES),
    "monthly_low": Col("float64", nullable=True, gt=0),
    "monthly_high": Col("float64", nullable=True, gt=0),
    "annual_low": Col("float64", nullable=True, gt=0),
    "annual_high": Col("float64", nullable=True, gt=0),
    "annual_mid": Col("float64", nullable=True, gt=0),
    "annual_mid_usd_ppp": Col("float64", nullable=True, gt=0),
    "n_respondents": Col("Int64", nullable=True, ge=1),
    "is_synthetic": Col("bool"),
    "duplicate_of": Col("Int64", nullable=True, ge=1),
}


def _ordered_range(df: pd.DataFrame) -> pd.Series:
    lo, hi = df["pay_low"], df["pay_high"]
    return ~(lo.notna() & hi.notna() & (lo > hi))


def _ordered_experience(df: pd.DataFrame) -> pd.Series:
    lo, hi = df["experience_years_low"], df["experience_years_high"]
    return ~(lo.notna() & hi.notna() & (lo > hi))


def _ok_salary_complete(df: pd.DataFrame) -> pd.Series:
    ok = df["salary_status"] == "ok"
    complete = (
        df["currency"].notna() & df["period"].notna()
        & (df["pay_low"].notna() | df["pay_high"].notna())
    )
    return ~ok | complete


def _level_only_for_cs(df: pd.DataFrame) -> pd.Series:
    return df["is_customer_service"] | df["level"].isna()


def _level_name_matches(df: pd.DataFrame) -> pd.Series:
    expected = df["level"].map(LEVEL_NAMES)
    both = df["level"].notna()
    return ~both | (expected.astype("str") == df["level_name"].astype("str"))


def _tier_only_cn(df: pd.DataFrame) -> pd.Series:
    return df["cn_tier"].isna() | (df["country"] == "CN")


_TABLE_CHECKS = [
    ("_ordered_range", _ordered_range, "pay_low > pay_high"),
    ("_ordered_experience", _ordered_experience, "experience_years_low > experience_years_high"),
    ("_ok_salary_complete", _ok_salary_complete, "ok salary without currency, period or any amount"),
    ("_level_only_for_cs", _level_only_for_cs, "level set for a title that is not customer service"),
    ("_level_name_matches", _level_name_matches, "level_name does not match level"),
    ("_tier_only_cn", _tier_only_cn, "cn_tier set outside China"),
]
#: The columns each table check reads: a check runs on any frame holding them (schema_screen).
TABLE_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "_ordered_range": ("pay_low", "pay_high"),
    "_ordered_experience": ("experience_years_low", "experience_years_high"),
    "_ok_salary_complete": ("salary_status", "currency", "period", "pay_low", "pay_high"),
    "_level_only_for_cs": ("is_customer_service", "level"),
    "_level_name_matches": ("level", "level_name"),
    "_tier_only_cn": ("cn_tier", "country"),
}
assert set(TABLE_CHECK_COLUMNS) == {name for name, _, _ in _TABLE_CHECKS}, "every table check names its columns"
#: Columns whose values must be unique across the table (checked by the caller of schema_screen).
UNIQUE_COLUMNS: tuple[str, ...] = tuple(c for c, spec in _COLUMNS.items() if spec.unique)


@lru_cache(maxsize=1)
def processed_schema() -> Any:
    """The pandera ``DataFrameSchema`` of ``data/processed/survey.parquet`` (strict, ordered).

    Also available as ``csresearch.schema.ProcessedTable``; built (and pandera imported) on
    first use.
    """
    return build_schema("ProcessedTable", _COLUMNS, _TABLE_CHECKS, strict=True, ordered=True, coerce=False)


def __getattr__(name: str) -> Any:
    if name == "ProcessedTable":
        return processed_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Column order of the processed table.
PROCESSED_COLUMNS: list[str] = list(_COLUMNS)

_DTYPES = {
    "source_row": "Int64", "year": "Int64", "cn_tier": "Int64", "level": "Int64",
    "n_respondents": "Int64", "is_customer_service": "bool", "is_synthetic": "bool",
    "duplicate_of": "Int64", "role_needs_review": "boolean", "description_manages": "boolean",
    "description_team_size": "Int64", "description_shift_work": "boolean", "description_night_work": "boolean",
}
_FLOATS = [
    "role_confidence",
    "experience_years_low", "experience_years_high", "experience_years", "pay_low", "pay_high",
    "months_per_year", "monthly_low", "monthly_high", "annual_low", "annual_high", "annual_mid",
    "annual_mid_usd_ppp",
]


def empty_processed() -> pd.DataFrame:
    """Return an empty table with the processed columns and dtypes."""
    return _empty_processed().copy()


@cache
def _empty_processed() -> pd.DataFrame:
    # casting ~50 empty columns costs ~70 ms; every empty file and dask partition meta asks for it
    return coerce_processed(pd.DataFrame({c: pd.Series(dtype="str") for c in PROCESSED_COLUMNS}))


def coerce_processed(df: pd.DataFrame) -> pd.DataFrame:
    """Cast columns to the processed dtypes (used before validation and after reading parquet)."""
    missing = [c for c in PROCESSED_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(missing[0])
    return coerce_columns(df)


def coerce_columns(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with each processed column it holds cast to its processed dtype.

    The casts are elementwise, so casting a column's distinct values and then taking them to
    the rows gives the same table as casting the rows (the pipeline casts distinct values).
    """
    out = df.copy()
    for col in (c for c in PROCESSED_COLUMNS if c in df.columns):
        if col in _DTYPES:
            out[col] = out[col].astype(_DTYPES[col])
        elif col in _FLOATS:
            out[col] = pd.to_numeric(out[col], errors="raise").astype("float64")
        else:
            out[col] = out[col].astype("str")
    return out


@lru_cache(maxsize=64)
def _part_schema(columns: tuple[str, ...]) -> Any:
    """The processed schema cut to ``columns`` (in that order), with the table checks whose
    columns all lie among them, and without ``unique`` (a part is not the whole table)."""
    specs = {c: _COLUMNS[c] for c in columns}
    plain = {c: Col(s.dtype, nullable=s.nullable, **s.checks) for c, s in specs.items()}
    checks = [t for t in _TABLE_CHECKS if set(TABLE_CHECK_COLUMNS[t[0]]) <= set(columns)]
    return build_schema("ProcessedTable", plain, checks, strict=True, ordered=True, coerce=False)


def schema_screen(part: pd.DataFrame) -> tuple[Any, bool]:
    """Which rows of ``part`` (some processed columns, in table order) break the schema.

    Every check of :func:`processed_schema` but ``unique`` looks at one row at a time, and each
    table check at the columns :data:`TABLE_CHECK_COLUMNS` names; so a row of the whole table
    fails exactly when its values fail in one of the parts that hold them (with each table
    check's columns together in one part), and the parts can be validated on their distinct
    values. The reasons are not taken from here: pandera names a failing table check once per
    filled cell of the whole row, so :func:`schema_failures` is run on the rows found.

    Returns
    -------
    (index, bool)
        Index labels of the failing rows, and whether a check of a whole column (its dtype)
        failed.
    """
    import pandera.errors

    try:
        _part_schema(tuple(part.columns)).validate(part, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        return pd.unique(fc.loc[fc["index"].notna(), "index"]), bool(fc["index"].isna().any())
    return pd.unique(part.index[:0]), False


def schema_failures(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` that break the schema, as ``index`` -> ``reason`` (empty when valid).

    Examples
    --------
    >>> bad = empty_processed()
    >>> schema_failures(bad).empty
    True
    """
    import pandera.errors

    try:
        processed_schema().validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        rows = fc[fc["index"].notna()].copy()
        table_level = fc[fc["index"].isna()]
        if not table_level.empty and rows.empty:
            raise SchemaError(_describe(fc)) from None
        rows["reason"] = "schema: " + rows["column"].astype("str").fillna("") + " " + rows["check"].astype("str")
        return (
            rows.groupby("index")["reason"].agg(lambda s: "; ".join(sorted(set(s))))
            .rename_axis(None).to_frame()
        )
    return pd.DataFrame({"reason": pd.Series(dtype="str")})


def _describe(fc: pd.DataFrame, limit: int = 8) -> str:
    parts = []
    for _, r in fc.head(limit).iterrows():
        where = "" if pd.isna(r["index"]) else f" at row {r['index']}"
        parts.append(f"column {r['column']!s}: {r['check']!s} failed{where} (value {r['failure_case']!r})")
    more = f"; and {len(fc) - limit} more" if len(fc) > limit else ""
    return "processed table fails its schema: " + "; ".join(parts) + more


def validate_processed(df: pd.DataFrame) -> pd.DataFrame:
    """Validate a processed table, raising :class:`SchemaError` with what failed.

    Examples
    --------
    >>> validate_processed(empty_processed()).shape[1] == len(PROCESSED_COLUMNS)
    True
    """
    import pandera.errors

    try:
        return processed_schema().validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise SchemaError(_describe(exc.failure_cases)) from None
    except pandera.errors.SchemaError as exc:  # pragma: no cover - lazy=True collects instead
        raise SchemaError(str(exc)) from None


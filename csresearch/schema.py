"""The processed-table schema: one row per respondent or posting.

The README's "Processed table" section describes each column; this pandera model is the
executable form of it. :func:`validate_processed` raises :class:`~csresearch.errors.SchemaError`
naming the failing columns and values; :func:`schema_failures` returns the failing rows instead,
so the pipeline can move them to the rejects table rather than drop them.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .errors import SchemaError

__all__ = [
    "ProcessedTable",
    "PROCESSED_COLUMNS",
    "LEVEL_NAMES",
    "validate_processed",
    "schema_failures",
    "empty_processed",
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


class ProcessedTable(pa.DataFrameModel):
    """pandera model of ``data/processed/survey.parquet``."""

    record_id: Series[str] = pa.Field(unique=True, str_matches=r"^[0-9a-f]{16}$")
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    source_row: Series[pd.Int64Dtype] = pa.Field(ge=1)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1990, le=2100, nullable=True)
    country: Series[str] = pa.Field(str_matches=r"^[A-Z]{2}$", nullable=True)
    city: Series[str] = pa.Field(nullable=True)
    city_local: Series[str] = pa.Field(nullable=True)
    cn_tier: Series[pd.Int64Dtype] = pa.Field(isin=[1, 2, 3], nullable=True)
    company: Series[str] = pa.Field(nullable=True)
    title: Series[str] = pa.Field(nullable=True)
    is_customer_service: Series[bool]
    level: Series[pd.Int64Dtype] = pa.Field(isin=list(LEVEL_NAMES), nullable=True)
    level_name: Series[str] = pa.Field(isin=list(LEVEL_NAMES.values()), nullable=True)
    track: Series[str] = pa.Field(isin=TRACKS, nullable=True)
    function: Series[str] = pa.Field(isin=FUNCTIONS, nullable=True)
    experience_years_low: Series[float] = pa.Field(ge=0, le=60, nullable=True)
    experience_years_high: Series[float] = pa.Field(ge=0, le=60, nullable=True)
    experience_years: Series[float] = pa.Field(ge=0, le=60, nullable=True)
    education: Series[str] = pa.Field(isin=EDUCATION_LEVELS, nullable=True)
    salary_text: Series[str] = pa.Field(nullable=True)
    salary_status: Series[str] = pa.Field(isin=SALARY_STATUSES)
    salary_flags: Series[str] = pa.Field(nullable=True)
    pay_low: Series[float] = pa.Field(gt=0, nullable=True)
    pay_high: Series[float] = pa.Field(gt=0, nullable=True)
    currency: Series[str] = pa.Field(str_matches=r"^[A-Z]{3}$", nullable=True)
    period: Series[str] = pa.Field(isin=PERIODS, nullable=True)
    months_per_year: Series[float] = pa.Field(ge=12, le=24, nullable=True)
    basis: Series[str] = pa.Field(isin=BASES, nullable=True)
    monthly_low: Series[float] = pa.Field(gt=0, nullable=True)
    monthly_high: Series[float] = pa.Field(gt=0, nullable=True)
    annual_low: Series[float] = pa.Field(gt=0, nullable=True)
    annual_high: Series[float] = pa.Field(gt=0, nullable=True)
    annual_mid: Series[float] = pa.Field(gt=0, nullable=True)
    annual_mid_usd_ppp: Series[float] = pa.Field(gt=0, nullable=True)
    n_respondents: Series[pd.Int64Dtype] = pa.Field(ge=1, nullable=True)
    is_synthetic: Series[bool]
    duplicate_of: Series[pd.Int64Dtype] = pa.Field(ge=1, nullable=True)

    class Config:
        strict = True
        ordered = True
        coerce = False

    @pa.dataframe_check(error="pay_low > pay_high")
    def _ordered_range(cls, df: pd.DataFrame) -> Series[bool]:
        lo, hi = df["pay_low"], df["pay_high"]
        return ~(lo.notna() & hi.notna() & (lo > hi))

    @pa.dataframe_check(error="experience_years_low > experience_years_high")
    def _ordered_experience(cls, df: pd.DataFrame) -> Series[bool]:
        lo, hi = df["experience_years_low"], df["experience_years_high"]
        return ~(lo.notna() & hi.notna() & (lo > hi))

    @pa.dataframe_check(error="ok salary without currency, period or any amount")
    def _ok_salary_complete(cls, df: pd.DataFrame) -> Series[bool]:
        ok = df["salary_status"] == "ok"
        complete = (
            df["currency"].notna() & df["period"].notna()
            & (df["pay_low"].notna() | df["pay_high"].notna())
        )
        return ~ok | complete

    @pa.dataframe_check(error="level set for a title that is not customer service")
    def _level_only_for_cs(cls, df: pd.DataFrame) -> Series[bool]:
        return df["is_customer_service"] | df["level"].isna()

    @pa.dataframe_check(error="level_name does not match level")
    def _level_name_matches(cls, df: pd.DataFrame) -> Series[bool]:
        expected = df["level"].map(LEVEL_NAMES)
        both = df["level"].notna()
        return ~both | (expected.astype("str") == df["level_name"].astype("str"))

    @pa.dataframe_check(error="cn_tier set outside China")
    def _tier_only_cn(cls, df: pd.DataFrame) -> Series[bool]:
        return df["cn_tier"].isna() | (df["country"] == "CN")


#: Column order of the processed table.
PROCESSED_COLUMNS: list[str] = list(ProcessedTable.to_schema().columns)

_DTYPES = {
    "source_row": "Int64", "year": "Int64", "cn_tier": "Int64", "level": "Int64",
    "n_respondents": "Int64", "is_customer_service": "bool", "is_synthetic": "bool",
    "duplicate_of": "Int64",
}
_FLOATS = [
    "experience_years_low", "experience_years_high", "experience_years", "pay_low", "pay_high",
    "months_per_year", "monthly_low", "monthly_high", "annual_low", "annual_high", "annual_mid",
    "annual_mid_usd_ppp",
]


def empty_processed() -> pd.DataFrame:
    """Return an empty table with the processed columns and dtypes."""
    out = pd.DataFrame({c: pd.Series(dtype="str") for c in PROCESSED_COLUMNS})
    return coerce_processed(out)


def coerce_processed(df: pd.DataFrame) -> pd.DataFrame:
    """Cast columns to the processed dtypes (used before validation and after reading parquet)."""
    out = df.copy()
    for col in PROCESSED_COLUMNS:
        if col in _DTYPES:
            out[col] = out[col].astype(_DTYPES[col])
        elif col in _FLOATS:
            out[col] = pd.to_numeric(out[col], errors="raise").astype("float64")
        else:
            out[col] = out[col].astype("str")
    return out


def schema_failures(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` that break the schema, as ``index`` -> ``reason`` (empty when valid).

    Examples
    --------
    >>> bad = empty_processed()
    >>> schema_failures(bad).empty
    True
    """
    try:
        ProcessedTable.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
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
    try:
        return ProcessedTable.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise SchemaError(_describe(exc.failure_cases)) from None
    except pa.errors.SchemaError as exc:  # pragma: no cover - lazy=True collects instead
        raise SchemaError(str(exc)) from None


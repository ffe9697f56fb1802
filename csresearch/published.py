"""Official pay statistics for customer-service occupations, as one tidy table.

Every official extract shipped in ``data/raw`` (see its README) is read into the same long form:
one row per country x area x occupation x population x statistic. A cell the publisher
withheld (BLS "Estimate not released", ONS ``x``/``..``) stays in the table with
``suppressed=True``, an empty ``value`` and the publisher's reason in ``note``: it is drawn
and listed as suppressed, never silently dropped.

These rows are statistics a statistical office published, not respondents: ``n_jobs`` is the
publisher's job count for the cell (rounded as published), not a sample size.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._pandera import Col, build_schema
from .clean.oews import OEWS_STATS, read_oews
from .errors import ColumnMappingError, InputFileError, SchemaError
from .schema import LEVEL_NAMES

__all__ = ["PublishedStatistics", "STATISTICS", "read_ashe", "read_oews_published", "read_fso_lse", "read_ilostat_geo",
           "read_rosstat_regions", "read_rosstat_sectors", "read_nbs_wage", "published_statistics",
           "validate_published", "empty_published", "check_published_cells", "to_ppp_dollars", "OFFICIAL_SOURCES"]

STATISTICS = ["p10", "p20", "p25", "p30", "p40", "median", "p60", "p70", "p75", "p80", "p90", "mean"]

#: Source name -> (raw file, reader, publisher, licence). The order is the table's order.
OFFICIAL_SOURCES = {
    "bls_oews_2025": ("oews_2025_cs_metro.csv", "read_oews_published",
                      "U.S. Bureau of Labor Statistics, OEWS May 2025", "public domain (17 U.S.C. 105)"),
    "ons_ashe_2024_t14": ("ons_ashe_2024_cs_table14.csv", "read_ashe",
                          "Office for National Statistics, ASHE 2024 provisional, Table 14",
                          "Open Government Licence v3.0"),
    "fso_lse_t17": ("fso_lse_cs_regions.csv", "read_fso_lse",
                    "Swiss Federal Statistical Office, Swiss Earnings Structure Survey (LSE), table T17",
                    "FSO terms of use OPEN-BY-ASK (free non-commercial use with source; commercial use by permission)"),
    "ilostat_ear_4mth_sex_geo": ("ilostat_ear_4mth_sex_geo.csv", "read_ilostat_geo",
                                 "ILO, ILOSTAT, EAR_4MTH_SEX_GEO_CUR_NB_A (download filtered 2025-06-01)",
                                 "CC BY 4.0"),
    "rosstat_zpl_regions": ("rosstat_zpl_regions_2018_2023.csv", "read_rosstat_regions",
                            "Rosstat, average monthly nominal accrued wages by federal subject (tab4-zpl_2023)",
                            "TERMS NOT VERIFIED: Rosstat official statistics, free on rosstat.gov.ru; no stored copy of "
                            "Rosstat's reuse terms was found (data/raw/README.md)"),
    "rosstat_zpl_sectors": ("rosstat_zpl_sectors_2017_2023.csv", "read_rosstat_sectors",
                            "Rosstat, average monthly nominal accrued wages by economic activity, OKVED 2 (tab3-zpl_2023)",
                            "TERMS NOT VERIFIED: Rosstat official statistics, free on rosstat.gov.ru; no stored copy of "
                            "Rosstat's reuse terms was found (data/raw/README.md)"),
    "nbs_urban_avg_wage": ("nbs_urban_avg_wage_2000_2019.csv", "read_nbs_wage",
                           "National Bureau of Statistics of China, average wage in urban units (data portal, 年度数据)",
                           "NBS website terms: data may be reprinted or quoted, unmodified, naming www.stats.gov.cn; "
                           "redistribution of a data file not addressed"),
}

#: ``currency`` of values ILOSTAT publishes in its "2021 PPP $" (not an ISO 4217 code)
ILO_PPP = "PPP2021"

COLUMNS = ["country", "region_or_city", "area_type", "occupation_system", "occupation_code", "occupation_name",
           "rung", "rung_name", "population", "statistic", "value", "currency", "period", "year", "n_jobs",
           "suppressed", "note", "source", "licence"]


_PUBLISHED_COLUMNS = {
    "country": Col("str", str_matches=r"^[A-Z]{2}$"),
    "region_or_city": Col("str", str_length={"min_value": 1}),
    # region_part: a part of a region the publisher also prints whole (Rosstat's autonomous okrugs)
    "area_type": Col("str", isin=["national", "federal_district", "region", "region_part", "state", "metro", "nonmetro",
                                  "city"]),
    "occupation_system": Col("str", isin=["SOC2018", "SOC2020", "ISCO-08", "OKZ", "all"]),
    "occupation_code": Col("str", nullable=True),
    "occupation_name": Col("str", str_length={"min_value": 1}),
    "rung": Col("Int64", nullable=True, isin=list(LEVEL_NAMES)),
    "rung_name": Col("str", nullable=True, isin=list(LEVEL_NAMES.values())),
    "population": Col("str", str_length={"min_value": 1}),
    "statistic": Col("str", isin=STATISTICS),
    "value": Col("float64", nullable=True, gt=0),
    # ISO 4217, or ILOSTAT's "2021 PPP $" (international dollars, not converted further here)
    "currency": Col("str", str_matches=rf"^([A-Z]{{3}}|{ILO_PPP})$"),
    "period": Col("str", isin=["hour", "week", "month", "year"]),
    "year": Col("int64", ge=1990, le=2100),
    "n_jobs": Col("Int64", nullable=True, ge=0),
    "suppressed": Col("bool"),
    "note": Col("str", nullable=True),
    "source": Col("str", isin=list(OFFICIAL_SOURCES)),
    "licence": Col("str", str_length={"min_value": 1}),
}


def _suppressed_has_no_value(df: pd.DataFrame) -> pd.Series:
    return df["suppressed"] == df["value"].isna()


def _rung_name_matches(df: pd.DataFrame) -> pd.Series:
    return df["rung_name"].isna() | (df["rung"].map(LEVEL_NAMES) == df["rung_name"])


@lru_cache(maxsize=1)
def _published_schema() -> Any:
    """pandera schema of ``data/processed/published_pay.csv`` (README: "Published statistics"),
    built on first use (csresearch._pandera says why not at import)."""
    checks = [("_suppressed_has_no_value", _suppressed_has_no_value, None), ("_rung_name_matches", _rung_name_matches, None)]
    return build_schema("PublishedStatistics", _PUBLISHED_COLUMNS, checks, strict=True, ordered=True, coerce=False)


def __getattr__(name: str) -> Any:
    if name == "PublishedStatistics":
        return _published_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def empty_published() -> pd.DataFrame:
    """A published-statistics table with no rows and the schema's dtypes (it validates)."""
    return pd.DataFrame({c: pd.Series([], dtype=col.dtype) for c, col in _PUBLISHED_COLUMNS.items()})


def validate_published(df: pd.DataFrame) -> pd.DataFrame:
    """Validate a published-statistics table; raise :class:`SchemaError` naming what fails."""
    import pandera.errors

    try:
        return _published_schema().validate(df, lazy=True)
    except pandera.errors.SchemaErrors as e:
        fc = e.failure_cases
        raise SchemaError(f"published statistics fail the schema: {fc[['column', 'check']].drop_duplicates().to_dict('records')[:8]}") from e


@lru_cache(maxsize=1)
def _rungs() -> pd.DataFrame:
    with (resources.files("csresearch") / "reference" / "occupation_rungs.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str)


def _attach_rungs(df: pd.DataFrame) -> pd.DataFrame:
    rungs = _rungs()
    key = dict(zip(zip(rungs["system"], rungs["code"]), rungs["rung"].astype(int)))
    rung = [key.get(k) for k in zip(df["occupation_system"], df["occupation_code"])]
    df["rung"] = pd.array(rung, dtype="Int64")
    df["rung_name"] = df["rung"].map(LEVEL_NAMES).astype("object").where(df["rung"].notna(), None)
    return df


def _finish(df: pd.DataFrame, source: str) -> pd.DataFrame:
    df["source"] = source
    df["licence"] = OFFICIAL_SOURCES[source][3]
    df = _attach_rungs(df)
    df["value"] = df["value"].astype("float64")
    df["n_jobs"] = df["n_jobs"].astype("Int64")
    df["year"] = df["year"].astype("int64")
    df["suppressed"] = df["value"].isna()
    return df[COLUMNS]


# --------------------------------------------------------------------------- ONS ASHE

_ASHE_MARKERS = {"x": "ONS x: CV > 20%, unreliable, suppressed", "..": "ONS ..: disclosive, suppressed",
                 ":": "ONS :: not applicable", "-": "ONS -: nil or negligible", "": "ONS left the cell empty"}
_ASHE_STATS = {"median": "median", "mean": "mean", **{f"p{q}": f"p{q}" for q in (10, 20, 25, 30, 40, 60, 70, 75, 80, 90)}}
_ASHE_COLUMNS = ["table", "measure", "period", "sheet", "soc2020_code", "description", "jobs_thousand", *_ASHE_STATS]


def read_ashe(path: str | Path) -> pd.DataFrame:
    """Read the ONS ASHE Table 14 extract into the published-statistics form.

    Parameters
    ----------
    path : path-like
        ``data/raw/ons_ashe_2024_cs_table14.csv`` (built by ``scripts/build_ashe_extract.py``).

    Returns
    -------
    DataFrame
        The :data:`COLUMNS` of the published table; ONS markers (``x``, ``..``) become
        suppressed rows whose ``note`` quotes the marker's meaning.

    Examples
    --------
    >>> t = read_ashe("data/raw/ons_ashe_2024_cs_table14.csv")  # doctest: +SKIP
    >>> t.query("occupation_code == '7211' and population == 'All' and statistic == 'median'")  # doctest: +SKIP
    """
    raw = _read_raw(path, _ASHE_COLUMNS)
    jobs = pd.to_numeric(raw["jobs_thousand"], errors="coerce") * 1000
    frames = []
    for stat, col in _ASHE_STATS.items():
        text = raw[col].fillna("").str.strip()
        value = pd.to_numeric(text, errors="coerce")
        unknown = value.isna() & ~text.isin(list(_ASHE_MARKERS))
        if unknown.any():
            raise ColumnMappingError(f"{path}: column {col} holds {sorted(set(text[unknown]))[:5]}, neither a number nor an ONS marker")
        frames.append(pd.DataFrame({
            "country": "GB", "region_or_city": "United Kingdom", "area_type": "national",
            "occupation_system": np.where(raw["soc2020_code"].fillna("") == "", "all", "SOC2020"),
            "occupation_code": raw["soc2020_code"].where(raw["soc2020_code"].fillna("") != "", None),
            "occupation_name": raw["description"],
            "population": raw["sheet"] + " employee jobs", "statistic": stat, "value": value,
            "currency": "GBP", "period": raw["period"], "year": 2024, "n_jobs": jobs.round().astype("Int64"),
            "note": np.where(value.isna(), text.map(_ASHE_MARKERS), None),
        }))
    return _finish(pd.concat(frames, ignore_index=True), "ons_ashe_2024_t14")


# --------------------------------------------------------------------------- BLS OEWS

_OEWS_AREA = {"national": "national", "state": "state", "metro": "metro", "nonmetro": "nonmetro"}


def read_oews_published(path: str | Path) -> pd.DataFrame:
    """Read the BLS OEWS extract into the published-statistics form (annual and hourly rows).

    Examples
    --------
    >>> t = read_oews_published("data/raw/oews_2025_cs_metro.csv")  # doctest: +SKIP
    """
    long = read_oews(path)
    notes = pd.read_csv(path, dtype=str, usecols=["area_code", "occ_code", "notes"]).fillna("")
    long = long.merge(notes, on=["area_code", "occ_code"], how="left")
    frames = []
    for period, col in (("year", "annual_usd"), ("hour", "hourly_usd")):
        frames.append(pd.DataFrame({
            "country": "US", "region_or_city": long["area_title"], "area_type": long["area_type"].map(_OEWS_AREA),
            "occupation_system": "SOC2018", "occupation_code": long["occ_code"], "occupation_name": long["occ_title"],
            "population": "all wage and salary jobs", "statistic": long["stat"], "value": long[col],
            "currency": "USD", "period": period, "year": 2025, "n_jobs": long["tot_emp"],
            "note": np.where(long[col].isna(), "BLS: " + long["notes"].replace("", "no value published"), None),
        }))
    return _finish(pd.concat(frames, ignore_index=True), "bls_oews_2025")


# --------------------------------------------------------------------------- Swiss FSO LSE

_FSO_AGES = {"age_total": "all ages", "age_le29": "aged 29 and under", "age_30_49": "aged 30-49",
             "age_50plus": "aged 50 and over"}
_FSO_SEXES = {"total": "all", "women": "women", "men": "men"}
_FSO_VALUE_COLUMNS = [f"{a}_{s}" for a in _FSO_AGES for s in _FSO_SEXES]
_FSO_MARKERS = {"*": "FSO *: too few data, not published", "-": "FSO -: no data available"}
_FSO_UNCERTAIN = "FSO [ ]: coefficient of variation above 5%, numerically uncertain"
_FSO_NUMBER = r"^(\[)?\s*(\d[\d\s]*)\s*(\])?$"  # FSO prints thousands with a space, "[ ]" when CV > 5%


def read_fso_lse(path: str | Path) -> pd.DataFrame:
    """Read the Swiss FSO LSE T17 extract (median gross monthly wage) into the published form.

    Parameters
    ----------
    path : path-like
        ``data/raw/fso_lse_cs_regions.csv`` (built by ``scripts/build_fso_lse_extract.py``).

    Returns
    -------
    DataFrame
        The :data:`COLUMNS` of the published table, one row per region x year x occupation x
        age band x sex. ``*`` and ``-`` become suppressed rows; a bracketed value is kept and its
        ``note`` says FSO finds it uncertain (CV > 5%). Where FSO's sheets for two years of a
        region repeat each other cell for cell, both are noted (a likely publishing error).

    Examples
    --------
    >>> t = read_fso_lse("data/raw/fso_lse_cs_regions.csv")  # doctest: +SKIP
    >>> t.query("occupation_code == '42' and year == 2018 and population.str.startswith('all ages, all')")  # doctest: +SKIP
    """
    raw = _read_raw(path, ["table", "region", "year", "isco08_code", "description", *_FSO_VALUE_COLUMNS])
    repeated = _fso_repeated_years(raw)
    long = raw.melt(id_vars=["table", "region", "year", "isco08_code", "description"], value_vars=_FSO_VALUE_COLUMNS,
                    var_name="cell", value_name="text")
    text = long["text"].str.strip()
    parts = text.str.extract(_FSO_NUMBER)
    value = pd.to_numeric(parts[1].str.replace(r"\s", "", regex=True), errors="coerce")
    bracketed = parts[0].notna() & parts[2].notna()
    unknown = value.isna() & ~text.isin(list(_FSO_MARKERS))
    unknown |= parts[0].notna() != parts[2].notna()  # an unbalanced bracket is not an FSO marker
    if unknown.any():
        raise ColumnMappingError(f"{path}: cells {sorted(set(text[unknown]))[:5]} are neither a number nor an FSO marker")
    age, sex = long["cell"].str.rsplit("_", n=1).str[0], long["cell"].str.rsplit("_", n=1).str[1]
    note = pd.Series(np.where(value.isna(), text.map(_FSO_MARKERS), np.where(bracketed, _FSO_UNCERTAIN, None)),
                     dtype=object)
    rep = pd.Series([repeated.get((t, y)) for t, y in zip(long["table"], long["year"])], dtype=object)
    note = np.where(rep.notna(), np.where(note.isna(), rep, note.astype(str) + "; " + rep.astype(str)), note)
    code = long["isco08_code"].fillna("")
    df = pd.DataFrame({
        "country": "CH", "region_or_city": long["region"], "area_type": "region",
        "occupation_system": np.where(code == "", "all", "ISCO-08"), "occupation_code": code.where(code != "", None),
        "occupation_name": long["description"].replace("TOTAL", "All occupations"),
        "population": age.map(_FSO_AGES) + ", " + sex.map(_FSO_SEXES) + " (full-time equivalent)",
        "statistic": "median", "value": value, "currency": "CHF", "period": "month",
        "year": long["year"].astype(int), "n_jobs": pd.array([pd.NA] * len(long), dtype="Int64"),
        "note": pd.Series(note, dtype=object).where(pd.notna(note), None),
    })
    return _finish(df, "fso_lse_t17")


def _fso_repeated_years(raw: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(table, year) -> note, for year sheets whose every cell equals another year's of the same table."""
    out: dict[tuple[str, str], str] = {}
    for table, g in raw.groupby("table"):
        sig = {y: tuple(map(tuple, gy.sort_values("isco08_code")[_FSO_VALUE_COLUMNS].to_numpy()))
               for y, gy in g.groupby("year")}
        for y1 in sig:
            same = [y2 for y2 in sig if y2 != y1 and sig[y2] == sig[y1]]
            if same:
                out[(table, y1)] = f"FSO's {y1} sheet repeats its {', '.join(same)} sheet cell for cell (likely a publishing error)"
    return out


# --------------------------------------------------------------------------- ILOSTAT

_ILO_COLUMNS = ["ref_area.label", "source.label", "indicator.label", "sex.label", "classif1.label", "classif2.label",
                "time", "obs_value", "obs_status.label", "note_indicator.label", "note_source.label"]
_ILO_AREAS = {"Area type: National": "all areas", "Area type: Urban": "urban areas", "Area type: Rural": "rural areas"}


def read_ilostat_geo(path: str | Path) -> pd.DataFrame:
    """Read the ILOSTAT EAR_4MTH_SEX_GEO extract (mean monthly earnings, all employees) into the published form.

    Values stay in ILOSTAT's "2021 PPP $" (``currency`` :data:`ILO_PPP`); ILOSTAT's notes
    (break in series, survey, local currency) are kept in ``note``. Rows carry no occupation:
    ``occupation_system`` is ``all`` and there is no rung.

    Examples
    --------
    >>> t = read_ilostat_geo("data/raw/ilostat_ear_4mth_sex_geo.csv")  # doctest: +SKIP
    """
    from .clean.country import normalize_countries

    raw = _read_raw(path, _ILO_COLUMNS)
    bad = sorted(set(raw["classif2.label"]) - {"Currency: 2021 PPP $"}) + sorted(set(raw["classif1.label"]) - set(_ILO_AREAS))
    if bad:
        raise ColumnMappingError(f"{path}: classifications {bad[:5]} are not the 2021 PPP $ national/urban/rural series")
    country = normalize_countries(raw["ref_area.label"])
    if (country["country_status"] != "known").any():
        raise ColumnMappingError(f"{path}: countries not understood: {sorted(set(raw.loc[country['country_status'] != 'known', 'ref_area.label']))}")
    value = pd.to_numeric(raw["obs_value"].where(raw["obs_value"] != ""), errors="coerce")
    if (value.isna() & (raw["obs_value"] != "")).any():
        raise ColumnMappingError(f"{path}: obs_value holds text that is not a number")
    notes = raw[["obs_status.label", "source.label", "note_indicator.label", "note_source.label"]].agg(
        lambda r: "ILOSTAT: " + "; ".join(v for v in r if v), axis=1)
    df = pd.DataFrame({
        "country": country["country"].to_numpy(), "region_or_city": raw["ref_area.label"], "area_type": "national",
        "occupation_system": "all", "occupation_code": None, "occupation_name": "All employees",
        "population": "employees, sex " + raw["sex.label"] + ", " + raw["classif1.label"].map(_ILO_AREAS),
        "statistic": "mean", "value": value, "currency": ILO_PPP, "period": "month", "year": raw["time"].astype(int),
        "n_jobs": pd.array([pd.NA] * len(raw), dtype="Int64"), "note": notes,
    })
    return _finish(df, "ilostat_ear_4mth_sex_geo")


# --------------------------------------------------------------------------- Rosstat, China NBS (all employees)

def _numbers(raw: pd.Series, path: str | Path, column: str) -> pd.Series:
    """Published number strings as floats; an empty cell is NaN, any other text is an error."""
    value = pd.to_numeric(raw.where(raw != ""), errors="coerce")
    if (value.isna() & (raw != "")).any():
        raise ColumnMappingError(f"{path}: column {column} holds {sorted(set(raw[value.isna() & (raw != '')]))[:5]}, not numbers")
    return value


def _rosstat_area(region: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Area type of each printed row, and the subject a part belongs to.

    Rosstat prints an oblast, then its autonomous okrugs (after a "в том числе" heading, or
    with "в том числе" before the name), then the oblast "без авт. округ(ов)": those rows are
    parts of the oblast printed before them. An okrug not followed by such a row (Chukotka) is
    a subject of its own.
    """
    names = region.drop_duplicates().tolist()

    def okrug(name: str) -> bool:
        return "без авт" not in name.lower() and bool(re.search(r"авт\.\s?округ|автономный округ", name.lower()))

    area, parent, current = {}, {}, None
    for i, name in enumerate(names):
        low = name.lower()
        following = next((n for n in names[i + 1:] if not okrug(n) or n.lower().startswith("в том числе")), "")
        if name == "Российская Федерация":
            area[name] = "national"
        elif "федеральный округ" in low:
            area[name] = "federal_district"
        elif "без авт" in low or low.startswith("в том числе") or (okrug(name) and "без авт" in following.lower()):
            area[name], parent[name] = "region_part", current
        else:
            area[name], current = "region", name
    return region.map(area), region.map(parent)


def read_rosstat_regions(path: str | Path) -> pd.DataFrame:
    """Read the Rosstat regional wage extract (mean monthly accrued wage, all employees, RUB).

    Parameters
    ----------
    path : path-like
        ``data/raw/rosstat_zpl_regions_2018_2023.csv`` (``scripts/build_rosstat_regions_extract.py``).

    Returns
    -------
    DataFrame
        The :data:`COLUMNS` of the published table: Russia (``national``), the federal districts,
        the federal subjects (``region``) and the parts of a subject Rosstat also prints
        (``region_part``, its subject named in ``note``). No occupation (``all``), no rung.

    Examples
    --------
    >>> t = read_rosstat_regions("data/raw/rosstat_zpl_regions_2018_2023.csv")  # doctest: +SKIP
    >>> t.query("area_type == 'region' and year == 2023").nlargest(3, "value")  # doctest: +SKIP
    """
    raw = _read_raw(path, ["table", "sheet_row", "region", "year", "wage_rub_month", "sheet_notes"])
    area, parent = _rosstat_area(raw["region"])
    part = ("part of " + parent.astype(str) + "; ").where(parent.notna(), "")
    df = pd.DataFrame({
        "country": "RU", "region_or_city": raw["region"], "area_type": area,
        "occupation_system": "all", "occupation_code": None, "occupation_name": "All employees",
        "population": "employees of organisations (full range of organisations)", "statistic": "mean",
        "value": _numbers(raw["wage_rub_month"], path, "wage_rub_month"), "currency": "RUB", "period": "month",
        "year": raw["year"].astype(int), "n_jobs": pd.array([pd.NA] * len(raw), dtype="Int64"),
        "note": part + "Rosstat sheet footnotes (their markers are not in this copy): " + raw["sheet_notes"],
    })
    return _finish(df, "rosstat_zpl_regions")


def read_rosstat_sectors(path: str | Path) -> pd.DataFrame:
    """Read the Rosstat wage extract by economic activity (mean monthly accrued wage, Russia, RUB).

    Industries, not occupations: each OKVED 2 activity is a ``population`` ("employees of
    organisations; activity: …"), ``occupation_system`` is ``all``, no rung. ``Всего`` is all activities.

    Examples
    --------
    >>> t = read_rosstat_sectors("data/raw/rosstat_zpl_sectors_2017_2023.csv")  # doctest: +SKIP
    """
    raw = _read_raw(path, ["table", "sheet_row", "activity", "year", "wage_rub_month"])
    activity = raw["activity"].replace("Всего", "all activities (Всего)")
    df = pd.DataFrame({
        "country": "RU", "region_or_city": "Российская Федерация", "area_type": "national",
        "occupation_system": "all", "occupation_code": None, "occupation_name": "All employees",
        "population": "employees of organisations (full range); activity (OKVED 2): " + activity, "statistic": "mean",
        "value": _numbers(raw["wage_rub_month"], path, "wage_rub_month"), "currency": "RUB", "period": "month",
        "year": raw["year"].astype(int), "n_jobs": pd.array([pd.NA] * len(raw), dtype="Int64"), "note": None,
    })
    return _finish(df, "rosstat_zpl_sectors")


#: NBS indicator -> population it covers (the indicator's own words kept in brackets)
_NBS_POPULATIONS = {
    "城镇单位就业人员平均工资(元)": "employed persons in urban units (城镇单位就业人员)",
    "城镇单位在岗职工平均工资(元)": "on-post staff and workers of urban units (城镇单位在岗职工)",
    "国有单位就业人员平均工资(元)": "employed persons in state-owned units (国有单位就业人员)",
    "城镇集体单位就业人员平均工资(元)": "employed persons in urban collective units (城镇集体单位就业人员)",
    "其他单位就业人员平均工资(元)": "employed persons in other units (其他单位就业人员)",
}


def read_nbs_wage(path: str | Path) -> pd.DataFrame:
    """Read the China NBS national average-wage extract (mean annual wage in urban units, CNY).

    An indicator this reader does not know is an error (:class:`ColumnMappingError`), not a
    guess; a year the export leaves empty is a suppressed row noted as not published.

    Examples
    --------
    >>> t = read_nbs_wage("data/raw/nbs_urban_avg_wage_2000_2019.csv")  # doctest: +SKIP
    """
    raw = _read_raw(path, ["indicator", "year", "wage_cny_year", "note"])
    unknown = sorted(set(raw["indicator"]) - set(_NBS_POPULATIONS))
    if unknown:
        raise ColumnMappingError(f"{path}: NBS indicators {unknown[:5]} are not known average-wage series")
    value = _numbers(raw["wage_cny_year"], path, "wage_cny_year")
    note = np.where(value.isna(), "NBS: no value in the export for this year", "")
    note = pd.Series(note, index=raw.index).str.cat(raw["note"].where(raw["note"] != "", ""), sep="; ").str.strip("; ")
    df = pd.DataFrame({
        "country": "CN", "region_or_city": "China", "area_type": "national",
        "occupation_system": "all", "occupation_code": None, "occupation_name": "All employees",
        "population": raw["indicator"].map(_NBS_POPULATIONS), "statistic": "mean", "value": value, "currency": "CNY",
        "period": "year", "year": raw["year"].astype(int), "n_jobs": pd.array([pd.NA] * len(raw), dtype="Int64"),
        "note": note.where(note != "", None),
    })
    return _finish(df, "nbs_urban_avg_wage")


def _read_raw(path: str | Path, needed: list[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise ColumnMappingError(f"{path}: extract lacks columns {missing}")
    return raw


def published_statistics(raw_dir: str | Path) -> pd.DataFrame:
    """Every official extract present in ``raw_dir``, as one validated tidy table.

    Parameters
    ----------
    raw_dir : path-like
        The ``data/raw`` folder. A source whose file is absent is skipped and named in
        ``.attrs["missing_sources"]`` (the build prints it).

    Returns
    -------
    DataFrame
        Validated by ``PublishedStatistics`` (a pandera schema).

    Examples
    --------
    >>> pub = published_statistics("data/raw")  # doctest: +SKIP
    >>> pub.groupby("country").size()  # doctest: +SKIP
    """
    raw_dir = Path(raw_dir)
    readers = {"read_ashe": read_ashe, "read_oews_published": read_oews_published, "read_fso_lse": read_fso_lse,
               "read_ilostat_geo": read_ilostat_geo, "read_rosstat_regions": read_rosstat_regions,
               "read_rosstat_sectors": read_rosstat_sectors, "read_nbs_wage": read_nbs_wage}
    frames, missing = [], []
    for name, (file, reader, _publisher, _licence) in OFFICIAL_SOURCES.items():
        if (raw_dir / file).is_file():
            frames.append(readers[reader](raw_dir / file))
        else:
            missing.append(name)
    table = pd.concat(frames, ignore_index=True) if frames else empty_published()
    table = validate_published(table.reset_index(drop=True))
    table.attrs["missing_sources"] = missing
    return table


def check_published_cells(pub: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
    """Raise :class:`~csresearch.privacy.DisclosureError` if a shown value has a job count below ``k``.

    Official statistics come with their publisher's disclosure control (BLS and ONS withhold
    cells themselves); this adds ours: where the publisher gives the cell's job count, a value
    is shown only if the count reaches the minimum cell size. A count the publisher withheld
    (ONS ``x`` in the jobs column) cannot be checked here and is left to the publisher.
    """
    from .config import get_min_cell_size
    from .privacy import DisclosureError

    k = get_min_cell_size() if k is None else int(k)
    bad = pub["value"].notna() & pub["n_jobs"].notna() & (pub["n_jobs"].fillna(0) < k)
    if bad.any():
        raise DisclosureError(f"{int(bad.sum())} published statistic(s) from fewer than {k} jobs:\n"
                              f"{pub.loc[bad].head(5).to_string()}")
    return pub


def to_ppp_dollars(pub: pd.DataFrame, *, period: str = "year") -> pd.Series:
    """Published values in international (PPP) dollars of their own year, for rows of one ``period``.

    Rows of another period are NaN (no hours assumption is made), and so are ILOSTAT's
    "2021 PPP $" rows (:data:`ILO_PPP`: already international dollars, but of 2021 prices; how
    ILOSTAT deflated them is not in the file, so they are not re-based here). Years after the
    last PPP benchmark are carried forward with relative CPI (``year_fallback="cpi"``), flagged
    in ``.attrs["fallback"]``.
    """
    from .money import convert_currency

    keep = (pub["period"] == period) & (pub["currency"] != ILO_PPP)
    out = pd.Series(np.nan, index=pub.index)
    if keep.any():
        sub = pub.loc[keep]
        conv = convert_currency(sub["value"], sub["currency"].to_numpy(), "USD", sub["year"].to_numpy(), method="ppp",
                                country=sub["country"].to_numpy(), year_fallback="cpi")
        out.loc[keep] = conv.to_numpy()
        out.attrs["fallback"] = conv.attrs.get("fallback")
    return out

"""Normalise city names and attach the Chinese city tier.

:func:`normalize_cities` maps raw place strings ("上海-浦东新区", "г. Москва",
"СПб", "London, UK", "New York-Newark-Jersey City, NY-NJ-PA") to a canonical
English city name, the local-language name, an ISO 3166-1 alpha-2 country and,
for Chinese cities, a 1/2/3 tier. The city list is data
(``csresearch/reference/cities.csv``), the cleaning rules are in
``csresearch/reference/geo.yaml``; sources and the tier convention are in
``csresearch/reference/sources/geo.md``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._text import apply_distinct, as_text_series, basic_normalise, compile_pattern, load_yaml

__all__ = ["normalize_cities", "city_table"]

# the bracketed part holds no opening bracket: "(1(1(1..." is then linear, not quadratic
_BRACKETS = re.compile(r"\s*[(\[（【][^(\[（【)\]）】]*[)\]）】]\s*")
_US_METRO = re.compile(r",\s*([A-Za-z]{2})((?:-[A-Za-z]{2})*)\s*$")
_REQUIRED = ["city", "city_local", "country", "admin1", "cn_tier", "aliases"]

#: Longest cell looked up as a place name. The longest real place strings ("New York-Newark-Jersey
#: City, NY-NJ-PA", a Chinese address with district and street) are well under 100 characters; a
#: longer cell is text that landed in the city column, and splitting it into thousands of parts
#: would cost seconds per cell. It is kept as written with city_status "unknown".
MAX_PLACE_CHARS = 200


def _fold(text: str) -> str:
    """Lookup key: normalised and without accents (Düsseldorf == Dusseldorf)."""
    t = basic_normalise(text)
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return re.sub(r"\s*-\s*", "-", t.replace("'", "").replace("’", "")).strip(" .,")


@cache
def city_table() -> pd.DataFrame:
    """The reference city list (``csresearch/reference/cities.csv``) as a DataFrame.

    Examples
    --------
    >>> t = city_table()
    >>> row = t.loc[t.city_local == "杭州"].iloc[0]
    >>> (row["city"], row["country"], int(row["cn_tier"]))
    ('Hangzhou', 'CN', 2)
    """
    path = resources.files("csresearch.reference").joinpath("cities.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"cn_tier": "Int64"}, keep_default_na=False, na_values={"cn_tier": [""]})
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise ReferenceDataError(f"csresearch/reference/cities.csv lacks columns {missing}")
    bad = df.loc[df["cn_tier"].notna() & (df["country"] != "CN"), "city"].tolist()
    if bad:
        raise ReferenceDataError(f"csresearch/reference/cities.csv gives a cn_tier to non-CN cities: {bad}")
    return df


@dataclass(frozen=True)
class _Rules:
    index: dict[str, tuple[int, ...]]
    prefixes: tuple[re.Pattern[str], ...]
    cn_suffixes: tuple[str, ...]
    non_places: tuple[re.Pattern[str], ...]
    country_names: dict[str, str]
    us_states: frozenset[str]
    tier_labels: tuple[tuple[int, re.Pattern[str]], ...]


@cache
def _rules() -> _Rules:
    table = city_table()
    index: dict[str, list[int]] = {}
    for i, row in enumerate(table.itertuples(index=False)):
        names = [row.city, row.city_local, *[a for a in str(row.aliases).split(";") if a.strip()]]
        for name in names:
            key = _fold(name)
            if i not in index.setdefault(key, []):
                index[key].append(i)
    raw = load_yaml("geo.yaml")
    where = "csresearch/reference/geo.yaml"
    try:
        countries = {_fold(n): iso for iso, names in raw["country_names"].items() for n in names}
        return _Rules(
            index={k: tuple(v) for k, v in index.items()},
            prefixes=tuple(compile_pattern(p, where) for p in raw["prefixes"]),
            cn_suffixes=tuple(raw["cn_suffixes"]),
            non_places=tuple(compile_pattern(p, where) for p in raw["non_places"]),
            country_names=countries,
            us_states=frozenset(raw["us_states"]),
            tier_labels=tuple((int(k), compile_pattern(v, where)) for k, v in raw.get("tier_labels", {}).items()),
        )
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc


def _strip_prefixes(text: str, rules: _Rules) -> str:
    for pat in rules.prefixes:
        text = pat.sub("", text)
    return text.strip()


def _candidates(raw: str, rules: _Rules) -> list[str]:
    """Lookup keys to try, most literal first."""
    base = basic_normalise(raw)
    no_br = _BRACKETS.sub(" ", base).strip()
    stripped = _strip_prefixes(no_br, rules)
    out = [base, no_br, stripped]
    parts = [p.strip() for p in re.split(r"[,;/]", stripped) if p.strip()]
    out += [_strip_prefixes(p, rules) for p in parts]
    for p in list(out):
        # "上海-浦东新区", "Dallas-Fort Worth-Arlington": the first hyphen part
        # is the city (tried after the whole string, so Ростов-на-Дону survives)
        first = re.split(r"\s*-\s*|\s+", p)[0] if re.search(r"[\u3400-\u9fff]", p) else p.split("-")[0]
        out.append(first.strip())
        city_part = re.match(r"^([\u3400-\u9fff]{2,5}?市)", first)  # "深圳市南山区" -> "深圳市"
        if city_part:
            out.append(city_part.group(1))
            first = city_part.group(1)
        for suf in rules.cn_suffixes:
            if first.endswith(suf) and len(first) > len(suf) + 1:
                out.append(first[: -len(suf)])
    seen: dict[str, None] = {}  # ordered and O(1) membership
    for c in out:
        k = _fold(c)
        if k:
            seen.setdefault(k, None)
    return list(seen)


def _resolve(raw: str, country: str | None) -> tuple[str | None, str | None, str | None, Any, str]:
    """(city, city_local, country, cn_tier, status) for one raw string and country hint."""
    if len(raw) > MAX_PLACE_CHARS:  # not a place name (see MAX_PLACE_CHARS): kept, not looked up
        return raw.strip(), raw.strip(), country, pd.NA, "unknown"
    rules = _rules()
    table = city_table()
    m = _US_METRO.search(raw.strip())
    if m and country is None and {m.group(1).upper(), *m.group(2).upper().split("-")[1:]} <= rules.us_states:
        country = "US"
    for key in _candidates(raw, rules):
        rows = rules.index.get(key, ())
        if country is not None:
            rows = tuple(i for i in rows if table.at[i, "country"] == country)
        if rows:
            r = table.iloc[rows[0]]
            return r["city"], r["city_local"], r["country"], r["cn_tier"], "known"
    cleaned = _strip_prefixes(_BRACKETS.sub(" ", unicodedata.normalize("NFKC", raw)).strip(), rules) or raw.strip()
    folded = _fold(cleaned)
    named_country = next(
        (rules.country_names[p.strip()] for p in [folded, *folded.split(",")] if p.strip() in rules.country_names), None
    )
    is_place = named_country is None and not any(p.search(folded) for p in rules.non_places)
    label_tier = next((t for t, p in rules.tier_labels if p.search(folded)), None)
    if label_tier is not None:  # "一线城市": a tier, not a place
        return cleaned, cleaned, country or "CN", label_tier, "unknown"
    if country is None and named_country is None and is_place and re.search(r"[\u3400-\u9fff]", cleaned):
        country = "CN"  # Chinese script and no hint: the project's only Chinese-script country
    country = country or named_country
    tier = 3 if (country == "CN" and is_place) else pd.NA
    return cleaned, cleaned, country, tier, "unknown"


def _country_series(country: Any, index: pd.Index) -> pd.Series:
    if country is None or (np.isscalar(country) and pd.isna(country)):
        return pd.Series([None] * len(index), index=index, dtype="object")
    if isinstance(country, str):
        return pd.Series([country.upper()] * len(index), index=index, dtype="object")
    values = country.to_numpy() if isinstance(country, pd.Series) else np.asarray(country, dtype=object)
    if len(values) != len(index):
        raise ValueError(f"country has {len(values)} values but names has {len(index)}")
    s = pd.Series(values, index=index, dtype="object")
    return s.map(lambda v: None if v is None or (np.isscalar(v) and pd.isna(v)) or str(v).strip() == "" else str(v).strip().upper())


def normalize_cities(names: Any, *, country: Any = None) -> pd.DataFrame:
    """Map raw place strings to canonical cities, countries and Chinese tiers.

    Parameters
    ----------
    names : Series or sequence of str
        Raw city/location strings in any of the project's languages, e.g.
        "上海-浦东新区", "上海市", "г. Москва", "СПб", "London, UK",
        "Greater Manchester", "New York-Newark-Jersey City, NY-NJ-PA".
    country : str or sequence of str, optional
        ISO 3166-1 alpha-2 code(s), one for all rows or one per row (NA where
        unknown). It disambiguates names shared across countries
        (Birmingham GB vs US) and fills ``country`` for unknown cities.

    Returns
    -------
    DataFrame
        Same index as ``names``, columns ``city`` (canonical English name; for
        unknown places the cleaned input), ``city_local`` (local-language
        name), ``country`` (ISO2 or NA), ``cn_tier`` (Int64 1/2/3 for Chinese
        cities, NA elsewhere) and ``city_status`` (known | unknown | missing).

    Notes
    -----
    Tier convention (seed article 000): 1 = 北京/上海/广州/深圳; 2 = the 15
    新一线 cities of the 第一财经·新一线城市研究所 2025 list (杭州, 成都, ...);
    3 = every other Chinese city, including places not in the reference list.

    A cell longer than :data:`MAX_PLACE_CHARS` (200) characters is not looked up: it is kept
    as written with ``city_status`` "unknown" and no tier (linear time on any input).

    Examples
    --------
    >>> normalize_cities(["上海-浦东新区", "г. Москва", "СПб", "London, UK", "杭州市", "Ulaanbaatar", None])
                  city       city_local country  cn_tier city_status
    0         Shanghai               上海      CN        1       known
    1           Moscow           Москва      RU     <NA>       known
    2  Saint Petersburg  Санкт-Петербург      RU     <NA>       known
    3           London           London      GB     <NA>       known
    4         Hangzhou               杭州      CN        2       known
    5      Ulaanbaatar      Ulaanbaatar     NaN     <NA>     unknown
    6              NaN              NaN     NaN     <NA>     missing
    """
    s = as_text_series(names)
    hint = _country_series(country, s.index)
    # one key per distinct (name, country hint) pair
    key = (s + "\x1f" + hint.fillna("").astype("str")).where(s.notna())

    def resolve(k: str) -> tuple:
        name, _, hint_country = k.partition("\x1f")
        return _resolve(name, hint_country or None)

    city, local, ctry, tier, status = apply_distinct(key, resolve, (None, None, None, pd.NA, "missing"))
    ctry = np.where(status == "missing", hint.to_numpy(dtype=object), ctry)
    return pd.DataFrame(
        {
            "city": pd.array(city, dtype="str"),
            "city_local": pd.array(local, dtype="str"),
            "country": pd.array(ctry, dtype="str"),
            "cn_tier": pd.array(tier, dtype="Int64"),
            "city_status": pd.array(status, dtype="str"),
        },
        index=s.index,
    )

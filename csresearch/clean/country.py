"""Normalise country names and codes to ISO 3166-1 alpha-2.

:func:`normalize_countries` maps what survey and posting files put in a
country column -- ``"UK"``, ``"U.K."``, ``"United Kingdom"``, ``"Великобритания"``,
``"英国"``, ``"GBR"``, ``"826"`` -- to one code (``"GB"``). Names come from two
well-kept libraries and one small file:

* pycountry (the ISO 3166-1 table of Debian's iso-codes): alpha-2, alpha-3 and
  numeric codes, short, official and common names;
* babel (Unicode CLDR): the country names in English, Russian, Chinese,
  German, French, Spanish, Ukrainian and Kazakh;
* ``csresearch/reference/country_aliases.csv``: colloquial names the two do not
  hold (UK, England, USA, США, РФ, 中国大陆, PRC, Holland...), each with a reason;
  sources in ``csresearch/reference/sources/country.md``. The file wins over the
  libraries.

A value that matches none of them is ``unknown``: callers reject the row (the
pipeline's ``country_unknown``) or raise, never pass it through.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._text import apply_distinct, as_text_series

__all__ = ["normalize_countries", "country_code"]

# CLDR locales whose country names are looked up (the project's languages plus
# neighbours whose boards we read: Ukrainian, Kazakh, Spanish).
_LOCALES = ("en", "ru", "zh", "zh_Hant", "de", "fr", "es", "uk", "kk")
_STRIP = re.compile(r"[.\s'’`\"()\[\]]+")


def _key(text: str) -> str:
    """Lookup key: NFKC, casefold, no accents, no dots/spaces/quotes, no leading 'the'."""
    t = unicodedata.normalize("NFKC", str(text)).casefold().replace("ё", "е").strip()
    t = re.sub(r"^the\s+", "", t)
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    t = unicodedata.normalize("NFC", t)  # recompose Cyrillic й, CJK etc. after accent stripping
    t = _STRIP.sub("", t).replace("&", "and")
    raw = str(text).strip()
    if re.fullmatch(r"\d{1,3}(?:\.0+)?", raw):
        t = str(int(float(raw))).zfill(3)  # numeric codes: "36" -> "036", 826.0 from a numeric column
    return t


@cache
def _index() -> dict[str, str]:
    """Every known spelling (as a key) -> alpha-2. Built once."""
    import pycountry
    from babel import Locale

    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.alpha_2, c.alpha_3, c.numeric, c.name,
                     getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if name:
                index.setdefault(_key(name), c.alpha_2)
    valid = {c.alpha_2 for c in pycountry.countries}
    for loc in _LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if code in valid:  # skip regions ("001", "150") and CLDR-only codes
                index.setdefault(_key(name), code)
    path = resources.files("csresearch.reference").joinpath("country_aliases.csv")
    with path.open("r", encoding="utf-8") as fh:
        aliases = pd.read_csv(fh, dtype=str, keep_default_na=False)
    bad = sorted(set(aliases["country"]) - valid)
    if bad:
        raise ReferenceDataError(f"csresearch/reference/country_aliases.csv maps to non-ISO codes {bad}")
    for alias, code in zip(aliases["alias"], aliases["country"]):
        index[_key(alias)] = code  # the curated file wins over library names
    return index


@cache
def _alpha2() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def _resolve(value: str) -> tuple[Any, str]:
    code = _index().get(_key(value))
    return (code, "known") if code is not None else (pd.NA, "unknown")


def normalize_countries(values: Any) -> pd.DataFrame:
    """Map country names and codes in any of the project's languages to ISO 3166-1 alpha-2.

    Parameters
    ----------
    values : Series or sequence of str
        Raw country cells: names (en/ru/zh/de/fr/es/uk/kk), colloquial names
        (UK, England, USA, США, РФ, 中国大陆, PRC), alpha-2, alpha-3 or numeric
        codes. Each distinct value is resolved once.

    Returns
    -------
    DataFrame
        Same index as ``values``; ``country`` (alpha-2, NA when missing or
        unknown), ``country_status`` (known | unknown | missing) and
        ``country_raw`` (the value as given, for error messages).

    Examples
    --------
    >>> out = normalize_countries(["UK", "U.K.", "Великобритания", "英国", "GBR", "826", "Narnia", None])
    >>> out["country"].tolist()
    ['GB', 'GB', 'GB', 'GB', 'GB', 'GB', nan, nan]
    >>> out["country_status"].tolist()
    ['known', 'known', 'known', 'known', 'known', 'known', 'unknown', 'missing']
    """
    s = as_text_series(values)
    code, status = apply_distinct(s.str.strip(), _resolve, (pd.NA, "missing"))
    return pd.DataFrame(
        {
            "country": pd.array(code, dtype="str"),
            "country_status": pd.array(status, dtype="str"),
            "country_raw": s,
        },
        index=s.index,
    )


def country_code(value: Any, what: str = "country") -> str | None:
    """One value to alpha-2; ``None`` stays ``None``; an unknown value raises, naming it.

    Examples
    --------
    >>> country_code("Deutschland"), country_code(None)
    ('DE', None)
    """
    if value is None or (np.ndim(value) == 0 and pd.isna(value)) or str(value).strip() == "":
        return None
    text = str(value).strip()
    if len(text) == 2 and text.upper() in _alpha2():
        return text.upper()  # the common case, without building the name index
    code, status = _resolve(text)
    if status != "known":
        raise ReferenceDataError(
            f"{what} {value!r} is not a country name or ISO 3166-1 code known to csresearch "
            "(pycountry, CLDR names via babel, csresearch/reference/country_aliases.csv)"
        )
    return str(code)

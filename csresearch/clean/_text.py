"""Text normalisation shared by the title, city and experience parsers.

Real columns repeat heavily, so every parser here works on the distinct
normalised strings and maps the result back (:func:`apply_distinct`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import ReferenceDataError

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACES = re.compile(r"\s+")
_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[a-z]")
_WORD = re.compile(r"[^\W\d_]+")


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """Read a YAML file from ``csresearch/reference`` (cached)."""
    path = resources.files("csresearch.reference").joinpath(name)
    try:
        with path.open("r", encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"reference file csresearch/reference/{name} is missing") from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"reference file csresearch/reference/{name} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ReferenceDataError(f"reference file csresearch/reference/{name} must hold a mapping at the top level")
    return data


def compile_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """Compile a lexicon regex, naming the file entry when it is malformed."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ReferenceDataError(f"bad regular expression {pattern!r} in {where}: {exc}") from exc


def fix_homoglyphs(text: str, cyr_to_lat: Mapping[str, str]) -> str:
    """Repair words that mix Latin and Cyrillic look-alike letters.

    A word is moved wholly into the script whose letters cannot be look-alikes
    ("саll" -> "call": the Cyrillic с, а have Latin twins but l has no
    Cyrillic one). Words in one script are left alone.
    """
    if not (_CYR.search(text) and _LAT.search(text)):
        return text  # no word can mix the scripts
    lat_to_cyr = {v: k for k, v in cyr_to_lat.items()}

    def repair(m: re.Match[str]) -> str:
        w = m.group(0)
        if not (_CYR.search(w) and _LAT.search(w)):
            return w
        cyr = [c for c in w if _CYR.match(c)]
        lat = [c for c in w if _LAT.match(c)]
        if all(c in cyr_to_lat for c in cyr):
            return "".join(cyr_to_lat.get(c, c) for c in w)
        if all(c in lat_to_cyr for c in lat):
            return "".join(lat_to_cyr.get(c, c) for c in w)
        return w

    return _WORD.sub(repair, text)


def basic_normalise(text: str) -> str:
    """NFKC, casefold, ё->е, one kind of dash, single spaces, stripped.

    Examples
    --------
    >>> basic_normalise("  客服专员（双休）  Ёлка—Test ")
    '客服专员(双休) елка-test'
    """
    t = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е").replace("\xa0", " ")
    t = _DASHES.sub("-", t)
    return " ".join(t.split())  # str.split's whitespace is re's \s; three times faster than a sub


@cache
def _traditional_table() -> dict[int, str]:
    path = resources.files("csresearch.reference").joinpath("zh_traditional.tsv")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise ReferenceDataError("reference file csresearch/reference/zh_traditional.tsv is missing") from exc
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")][1:]
    return {ord(t): s for t, s in rows}


@cache
def _traditional_chars() -> frozenset[str]:
    return frozenset(chr(c) for c in _traditional_table())


def simplify_chinese(text: str) -> str:
    """Traditional Chinese characters as their Simplified forms (OpenCC's character table).

    Taiwan and Hong Kong boards write 客戶服務 and 經理 where the lexicon has 客户服务 and 经理;
    one spelling lets one pattern read both. Other scripts pass unchanged.

    Examples
    --------
    >>> simplify_chinese("客戶服務專員 / 電話客服")
    '客户服务专员 / 电话客服'
    """
    # a set test finds the (rare) text holding a Traditional character at half the cost of
    # str.translate with a mapping (32 against 75 µs on a 920-character Chinese description)
    if text.isascii() or _traditional_chars().isdisjoint(text):
        return text
    return text.translate(_traditional_table())


def as_text_series(values: Any, name: str | None = None) -> pd.Series:
    """Turn a Series, list or array into a ``str`` Series keeping the index; blanks become NA."""
    if isinstance(values, str) or not hasattr(values, "__len__"):
        values = [values]
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    out = s.astype("str")
    stripped = out.str.strip()
    out = out.mask(stripped.isna() | (stripped == "") | stripped.str.lower().isin(["nan", "none", "<na>"]))
    out.name = name if name is not None else s.name
    return out


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _as_clean(value: Any) -> Any:
    """A cell pyarrow can hold as text: bytes decoded, lone surrogates replaced (U+FFFD)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _LONE_SURROGATE.sub("\ufffd", value)  # encode's "replace" would give "?"
    return value


def without_lone_surrogates(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every lone surrogate in its object columns read as U+FFFD.

    Text decoded with ``errors="surrogateescape"`` can hold them; Arrow-backed strings cannot, so
    the first cast would raise. Only a column that fails the one vectorised check is rewritten
    (once per distinct cell); a frame read by ``read_table`` (valid UTF-8) is returned as is.
    """
    import pyarrow as pa

    bad = []
    for col in frame.columns[frame.dtypes == object]:
        try:
            pa.array(frame[col], from_pandas=True)
        except UnicodeEncodeError:
            bad.append(col)
        except (pa.ArrowException, TypeError, ValueError):  # mixed cell types: read elsewhere
            continue
    if not bad:
        return frame
    out = frame.copy(deep=False)
    for col in bad:
        codes, uniques = pd.factorize(out[col], use_na_sentinel=True)
        clean = np.array([_as_clean(u) for u in uniques] + [None], dtype=object)
        out[col] = pd.Series(clean[codes], index=out.index, dtype=object)
    return out


def factorize_text(values: Any) -> tuple[np.ndarray, pd.Series, pd.Index]:
    """Row codes into the distinct values, those values as clean text, and the rows' index.

    Every cell gets a code (missing ones too); the distinct values are read as text with
    :func:`as_text_series` (blanks become NA) after bytes are decoded, unhashable cells (lists,
    dicts) are taken as their ``str`` and lone surrogates are replaced, so no input raises.
    """
    if isinstance(values, str) or not hasattr(values, "__len__"):
        values = [values]
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
    except TypeError:  # unhashable cells
        cells = [v if isinstance(v, Hashable) else str(v) for v in s]
        codes, uniques = pd.factorize(pd.Series(cells, dtype="object"), use_na_sentinel=False)
    clean = pd.Series([_as_clean(u) for u in np.asarray(uniques, dtype=object)], dtype="object")
    return np.asarray(codes), as_text_series(clean), s.index


def apply_distinct(values: pd.Series, func: Callable[[str], tuple], missing: tuple) -> list[np.ndarray]:
    """Apply ``func`` once per distinct non-missing value; return one array per output field.

    ``func`` returns a tuple; rows whose value is missing get ``missing``. The
    distinct results are spread back with one integer take per field, so the
    cost is proportional to the number of DISTINCT strings, not rows.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [func(u) for u in uniques]
    results.append(missing)
    codes = np.where(codes < 0, len(results) - 1, codes)
    fields = []
    for j in range(len(missing)):
        col = np.empty(len(results), dtype=object)
        col[:] = [r[j] for r in results]
        fields.append(col.take(codes))
    return fields

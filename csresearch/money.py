"""Comparable money: exchange rates, purchasing-power parities and deflation.

Pay posted in yuan, roubles, pounds and euros only becomes comparable once it is
expressed in one unit. Two conversions answer two different questions:

* ``method="fx"`` (market exchange rate, World Bank WDI ``PA.NUS.FCRF``): what the
  pay is worth to someone holding dollars -- the cost of the job to a foreign
  employer.
* ``method="ppp"`` (purchasing-power parity for household consumption, WDI
  ``PA.NUS.PRVT.PP``): what the pay buys where it is earned, in international
  dollars. This is the right unit for comparing living standards of agents across
  countries, so it is what ``annual_mid_usd_ppp`` uses.

:func:`deflate` moves an amount between years within one currency with the
consumer price index of the currency's country.

The rates live in ``csresearch/reference/{fx_rates,ppp,cpi}.csv`` (long format,
one row per currency or country and year, each with its series code); their
sources are listed in ``csresearch/reference/sources/money.md``. A year the
tables do not hold is an error that names the last year shipped; a caller who
accepts an approximation must ask for it with ``year_fallback`` and gets the
affected rows flagged (a :class:`UserWarning`, and ``result.attrs["fallback"]``
when the result is a Series).
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from csresearch.errors import ReferenceDataError

__all__ = ["convert_currency", "deflate", "load_reference_table"]

_TABLES = {"fx": "fx_rates.csv", "ppp": "ppp.csv", "cpi": "cpi.csv"}
# Consumer price index used for a currency when the caller names no country.
# The euro has one monetary policy, so the euro-area HICP is its natural deflator.
_EUR_CPI_COUNTRY = "EA"

YearFallback = Literal["latest", "cpi"] | None


@lru_cache(maxsize=None)
def load_reference_table(name: Literal["fx", "ppp", "cpi"]) -> pd.DataFrame:
    """Return one of the money reference tables as shipped with the package.

    Parameters
    ----------
    name : {"fx", "ppp", "cpi"}
        ``fx``: LCU per USD, annual average (WDI PA.NUS.FCRF);
        ``ppp``: LCU per international dollar, household consumption (WDI PA.NUS.PRVT.PP);
        ``cpi``: consumer price index levels (each country's own base year).

    Returns
    -------
    pandas.DataFrame
        Long format with ``year`` and ``value`` plus ``currency`` and/or ``country``
        and ``series_code``. Treat it as read-only (it is cached).

    Examples
    --------
    >>> fx = load_reference_table("fx")
    >>> round(float(fx.query("currency == 'CNY' and year == 2020")["value"].iloc[0]), 4)
    6.9008
    """
    if name not in _TABLES:
        raise ValueError(f"unknown money table {name!r}; expected one of {sorted(_TABLES)}")
    path = resources.files("csresearch") / "reference" / _TABLES[name]
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype={"currency": "str", "country": "str"})
    table["year"] = table["year"].astype("int64")
    table["value"] = table["value"].astype("float64")
    return table


# --------------------------------------------------------------------------- helpers
def _as_array(x: Any, n: int, name: str) -> np.ndarray:
    """Broadcast a scalar or array-like to length ``n`` (object dtype kept for strings)."""
    if isinstance(x, (pd.Series, pd.Index)):
        arr = x.to_numpy(dtype=object) if x.dtype.kind not in "if" else x.to_numpy(dtype=float, na_value=np.nan)
    elif np.ndim(x) == 0:
        return np.full(n, x, dtype=object if isinstance(x, str) or x is None else float)
    else:
        arr = np.asarray(x)
        if arr.dtype.kind in "US":
            arr = arr.astype(object)
    if arr.shape != (n,):
        raise ValueError(f"{name} has length {len(arr)} but amounts has length {n}")
    return arr


def _prepare_amounts(amounts: Any, *others: Any) -> tuple[np.ndarray, pd.Index | None]:
    """Amounts as a float array; a scalar amount broadcasts to the length of the other arguments."""
    if isinstance(amounts, pd.Series):
        return amounts.to_numpy(dtype=float, na_value=np.nan), amounts.index
    arr = np.asarray(amounts, dtype=float)
    if arr.ndim == 0:
        lengths = {len(o) for o in others if o is not None and not isinstance(o, str) and np.ndim(o) == 1}
        if len(lengths) > 1:
            raise ValueError(f"arguments have different lengths {sorted(lengths)}")
        return np.full(lengths.pop() if lengths else 1, float(arr)), None
    return np.atleast_1d(arr), None


def _per_unique(func, *arrays: np.ndarray) -> np.ndarray:
    """Apply ``func`` once per distinct tuple of ``arrays`` and map the results back to rows.

    Real columns repeat heavily (a few currencies and years), so this keeps lookups off the
    per-row path.
    """
    if len(arrays[0]) == 0:
        return np.empty(0, dtype=object)
    codes = np.zeros(len(arrays[0]), dtype="int64")
    levels = []
    for a in arrays:
        c, u = pd.factorize(pd.Series(a, dtype=object), use_na_sentinel=False)
        codes = codes * len(u) + c
        levels.append(np.asarray(u, dtype=object))
    combined, first = np.unique(codes, return_index=True)
    pos = np.searchsorted(combined, codes)
    results = np.empty(len(combined), dtype=object)
    results[:] = [func(*(arr[i] for arr in arrays)) for i in first]
    return results[pos]


def _norm_codes(values: np.ndarray) -> np.ndarray:
    """Upper-case, stripped codes; missing stays None."""
    return _per_unique(lambda v: None if pd.isna(v) else str(v).strip().upper(), values)


def _years(values: np.ndarray, active: np.ndarray, name: str) -> np.ndarray:
    yrs = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = active & ~np.isfinite(yrs)
    if bad.any():
        raise ReferenceDataError(
            f"{name} is missing or not a number for {int(bad.sum())} row(s) with an amount "
            f"(first at position {int(np.flatnonzero(bad)[0])}); a conversion needs the year the pay refers to"
        )
    return np.where(np.isfinite(yrs), np.round(yrs), -1).astype("int64")


def _finish(values: np.ndarray, index: pd.Index | None, flags: list[pd.DataFrame], name: str | None):
    flag_table = pd.concat(flags, ignore_index=True) if flags else None
    if flag_table is not None and len(flag_table):
        summary = "; ".join(
            f"{r.key} {r.requested_year}->{r.used_year} ({r.how}, {r.n_rows} rows)" for r in flag_table.itertuples()
        )
        warnings.warn(f"year_fallback used for: {summary}", UserWarning, stacklevel=3)
    if index is None:
        return values
    result = pd.Series(values, index=index, name=name, dtype="float64")
    if flag_table is not None and len(flag_table):
        result.attrs["fallback"] = flag_table
    return result


class _Lookup:
    """Vectorised (key, year) -> value lookup with explicit fallbacks and clear errors."""

    def __init__(self, table: pd.DataFrame, key: str, what: str, file: str):
        self.what, self.file, self.key = what, file, key
        self.series = table.set_index([key, "year"])["value"].sort_index()
        self.years = table.groupby(key)["year"].agg(["min", "max"])
        self.by_key = {k: np.sort(g["year"].to_numpy()) for k, g in table.groupby(key)}

    def coverage(self, k: str) -> str:
        lo, hi = self.years.loc[k]
        return f"{self.file} covers {k} {lo}-{hi}; the latest year shipped is {hi}"

    def check_keys(self, keys: np.ndarray) -> None:
        unknown = sorted({k for k in pd.unique(keys) if k not in self.by_key})
        if unknown:
            raise ReferenceDataError(
                f"unknown {self.key} {', '.join(map(repr, unknown))} in {self.what} "
                f"({self.file} has {', '.join(sorted(self.by_key))})"
            )

    def resolve_years(self, keys: np.ndarray, years: np.ndarray, fallback: str | None) -> tuple[np.ndarray, list]:
        """Return the year to look up for each row (fallback applied) and the flag records."""
        self.check_keys(keys)
        pairs = pd.DataFrame({"k": keys, "y": years})
        uniq = pairs.drop_duplicates()
        used = {}
        missing, records = [], []
        for k, y in uniq.itertuples(index=False):
            avail = self.by_key[k]
            if y in avail:
                used[(k, y)] = y
                continue
            if fallback == "latest" and (y > avail[-1] or self.what.startswith("PPP")):
                used[(k, y)] = int(avail[-1])
                records.append((k, y, int(avail[-1]), "latest"))
                continue
            missing.append((k, y))
        if missing:
            msgs = [f"{k} in {y} ({self.coverage(k)})" for k, y in missing[:10]]
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            hint = ""
            if fallback is None:
                hint = " Pass year_fallback='latest' to use the latest year shipped (rows are flagged)"
                if self.what.startswith("PPP"):
                    hint += ", or year_fallback='cpi' to extrapolate it with relative CPI as WDI does"
            hint += "."
            raise ReferenceDataError(f"no {self.what} for " + "; ".join(msgs) + more + "." + hint.rstrip("."))
        used_years = _per_unique(lambda k, y: used[(k, y)], keys, years).astype("int64") if len(keys) else years
        return used_years, records

    def values(self, keys: np.ndarray, years: np.ndarray) -> np.ndarray:
        idx = self.series.index.get_indexer(pd.MultiIndex.from_arrays([keys, years]))
        return self.series.to_numpy()[idx]


def _flag_frame(records: list, counts: pd.Series, what: str) -> pd.DataFrame:
    df = pd.DataFrame(records, columns=["key", "requested_year", "used_year", "how"])
    df.insert(0, "table", what)
    df["n_rows"] = [int(counts.get((r[0], r[1]), 0)) for r in records]
    return df


@lru_cache(maxsize=None)
def _lookups() -> dict[str, _Lookup]:
    return {
        "fx": _Lookup(load_reference_table("fx"), "currency", "PA.NUS.FCRF exchange rate", "fx_rates.csv"),
        "ppp": _Lookup(load_reference_table("ppp"), "country", "PPP factor (PA.NUS.PRVT.PP)", "ppp.csv"),
        "cpi": _Lookup(load_reference_table("cpi"), "country", "consumer price index", "cpi.csv"),
    }


def _currency_country(kind: Literal["ppp", "cpi"]) -> dict[str, str]:
    table = load_reference_table(kind)
    pairs = table[["currency", "country"]].drop_duplicates()
    counts = pairs["currency"].value_counts()
    mapping = {c: k for c, k in zip(pairs["currency"], pairs["country"]) if counts[c] == 1}
    if kind == "cpi":
        mapping["EUR"] = _EUR_CPI_COUNTRY
    return mapping


def _countries_for(currencies: np.ndarray, country: Any, active: np.ndarray, kind: Literal["ppp", "cpi"], arg: str):
    """Country whose PPP/CPI applies to each row: the explicit ``country`` or the currency's."""
    n = len(currencies)
    given = _norm_codes(_as_array(country, n, arg)) if country is not None else np.full(n, None, dtype=object)
    mapping = _currency_country(kind)
    derived = _per_unique(lambda c: mapping.get(c) if c is not None else None, currencies)
    out = np.where(pd.isna(given), derived, given)
    lacking = active & pd.isna(out)
    if lacking.any():
        curs = sorted({str(c) for c in currencies[lacking]})
        if "EUR" in curs and kind == "ppp":
            raise ReferenceDataError(
                "PPP conversion of EUR needs the country (pass "
                f"{arg}= e.g. 'DE' or 'FR'): PPP factors are per country and WDI publishes no euro-area "
                "aggregate of PA.NUS.PRVT.PP"
            )
        raise ReferenceDataError(f"no country known for currency {', '.join(curs)} in {kind}.csv; pass {arg}=")
    return out


def _check_fallback(year_fallback: str | None, allowed: tuple[str, ...]) -> None:
    if year_fallback is not None and year_fallback not in allowed:
        raise ValueError(f"year_fallback must be None or one of {allowed}, got {year_fallback!r}")


def _cpi_levels(countries: np.ndarray, years: np.ndarray, fallback: str | None, flags: list, counts_src) -> np.ndarray:
    lk = _lookups()["cpi"]
    used, rec = lk.resolve_years(countries, years, fallback)
    if rec:
        flags.append(_flag_frame(rec, counts_src(countries, years), "cpi"))
    return lk.values(countries, used)


def _counter(keys: np.ndarray, years: np.ndarray) -> pd.Series:
    return pd.Series(1, index=pd.MultiIndex.from_arrays([keys, years])).groupby(level=[0, 1]).size()


def _ppp_factors(countries: np.ndarray, years: np.ndarray, fallback: str | None, flags: list) -> np.ndarray:
    """LCU per international dollar for each (country, year), with the chosen fallback."""
    lk = _lookups()["ppp"]
    if fallback != "cpi":
        used, rec = lk.resolve_years(countries, years, fallback)
        if rec:
            flags.append(_flag_frame(rec, _counter(countries, years), "ppp"))
        return lk.values(countries, used)
    # WDI's own method for non-benchmark years: carry the nearest published PPP
    # forward/backward with the country's inflation relative to US inflation.
    lk.check_keys(countries)
    base = _per_unique(lambda c, y: _nearest(lk.by_key[c], y), countries, years).astype("int64")
    exact = base == years
    ppp_base = lk.values(countries, base)
    cpi_c_t = _cpi_levels(countries, years, "latest", flags, _counter)
    cpi_c_b = _cpi_levels(countries, base, None, flags, _counter)
    us = np.full(len(countries), "US", dtype=object)
    cpi_us_t = _cpi_levels(us, years, "latest", flags, _counter)
    cpi_us_b = _cpi_levels(us, base, None, flags, _counter)
    factor = ppp_base * (cpi_c_t / cpi_c_b) / (cpi_us_t / cpi_us_b)
    rec = sorted({(c, int(y), int(b), "cpi-extrapolated") for c, y, b, e in zip(countries, years, base, exact) if not e})
    if rec:
        flags.append(_flag_frame(rec, _counter(countries, years), "ppp"))
    return np.where(exact, ppp_base, factor)


def _nearest(avail: np.ndarray, year: int) -> int:
    return int(avail[np.argmin(np.abs(avail - year))])


# --------------------------------------------------------------------------- public API
def convert_currency(
    amounts: Any,
    from_currency: Any,
    to_currency: Any = "USD",
    year: Any = None,
    method: Literal["fx", "ppp"] = "fx",
    *,
    country: Any = None,
    to_country: Any = None,
    year_fallback: YearFallback = None,
) -> pd.Series | np.ndarray:
    """Convert amounts between currencies at annual-average FX rates or PPPs.

    Parameters
    ----------
    amounts : scalar, array-like or Series
        Money amounts. NaN stays NaN (and needs no currency or year).
    from_currency, to_currency : str or array-like
        ISO 4217 codes (scalars broadcast). ``to_currency`` defaults to USD; with
        ``method="ppp"`` USD means international dollars.
    year : int or array-like
        The year the amounts refer to; the rate of that year is used.
    method : {"fx", "ppp"}
        ``fx``: WDI PA.NUS.FCRF annual averages (LCU per USD).
        ``ppp``: WDI PA.NUS.PRVT.PP (LCU per international $, household consumption).
    country, to_country : str or array-like, optional
        ISO2 country whose PPP applies (PPP only). Needed for EUR (there is no
        euro-area PPP aggregate); otherwise derived from the currency.
    year_fallback : {None, "latest", "cpi"}
        ``None`` (default): a year missing from the tables is an error.
        ``"latest"``: use the latest year shipped (for PPP, the benchmark year
        shipped); affected rows are flagged.
        ``"cpi"`` (PPP only): extrapolate the nearest PPP benchmark to the year with
        the country's CPI relative to US CPI (the method WDI uses between ICP
        rounds); years beyond the CPI table use its latest year. Flagged.

    Returns
    -------
    pandas.Series or numpy.ndarray
        A float Series with the index of ``amounts`` when it is a Series (flags in
        ``.attrs["fallback"]``), else an ndarray.

    Raises
    ------
    ReferenceDataError
        Unknown currency or country, or a (currency, year) the tables do not hold,
        naming it and the latest year shipped.

    Examples
    --------
    >>> round(float(convert_currency(69008.0, "CNY", year=2020)[0]), 1)
    10000.0
    >>> s = pd.Series([100.0, np.nan], index=["a", "b"])
    >>> convert_currency(s, "GBP", year=2022).round(2).tolist()
    [123.26, nan]
    >>> round(float(convert_currency(1000.0, "EUR", year=2023, method="ppp", country="DE")[0]), 1)
    1340.2
    """
    if method not in ("fx", "ppp"):
        raise ValueError(f"method must be 'fx' or 'ppp', got {method!r}")
    _check_fallback(year_fallback, ("latest",) if method == "fx" else ("latest", "cpi"))
    if year is None:
        raise ValueError("year is required: rates are annual and nothing here reads the clock")
    values, index = _prepare_amounts(amounts, from_currency, to_currency, year, country, to_country)
    n = len(values)
    active = np.isfinite(values)
    src = _norm_codes(_as_array(from_currency, n, "from_currency"))
    dst = _norm_codes(_as_array(to_currency, n, "to_currency"))
    for name, codes in (("from_currency", src), ("to_currency", dst)):
        lacking = active & pd.isna(codes)
        if lacking.any():
            raise ReferenceDataError(
                f"{name} is missing for {int(lacking.sum())} row(s) with an amount "
                f"(first at position {int(np.flatnonzero(lacking)[0])})"
            )
    yrs = _years(_as_array(year, n, "year"), active, "year")
    out = np.full(n, np.nan)
    flags: list[pd.DataFrame] = []
    rows = active & (src != dst)
    out[active & (src == dst)] = values[active & (src == dst)]
    if rows.any():
        r_src, r_dst, r_yrs = src[rows], dst[rows], yrs[rows]
        if method == "fx":
            lk = _lookups()["fx"]
            # USD per USD is 1 in every year; no lookup needed for it.
            f_src = np.ones(rows.sum())
            f_dst = np.ones(rows.sum())
            for codes, factor in ((r_src, f_src), (r_dst, f_dst)):
                need = codes != "USD"
                if need.any():
                    used, rec = lk.resolve_years(codes[need], r_yrs[need], year_fallback)
                    if rec:
                        flags.append(_flag_frame(rec, _counter(codes[need], r_yrs[need]), "fx"))
                    factor[need] = lk.values(codes[need], used)
        else:
            c_src = _countries_for(src, country, rows, "ppp", "country")[rows]
            c_dst = _countries_for(dst, to_country, rows, "ppp", "to_country")[rows]
            f_src = _ppp_for(c_src, r_yrs, year_fallback, flags)
            f_dst = _ppp_for(c_dst, r_yrs, year_fallback, flags)
        out[rows] = values[rows] / f_src * f_dst
    return _finish(out, index, flags, getattr(amounts, "name", None))


def _ppp_for(countries: np.ndarray, years: np.ndarray, fallback: str | None, flags: list) -> np.ndarray:
    factor = np.ones(len(countries))
    need = countries != "US"  # the international dollar is the US dollar in every year
    if need.any():
        factor[need] = _ppp_factors(countries[need], years[need], fallback, flags)
    return factor


def deflate(
    amounts: Any,
    currency: Any,
    from_year: Any,
    to_year: Any,
    *,
    country: Any = None,
    year_fallback: Literal["latest"] | None = None,
) -> pd.Series | np.ndarray:
    """Express amounts of ``from_year`` in prices of ``to_year`` with the consumer price index.

    Parameters
    ----------
    amounts : scalar, array-like or Series
        Money amounts in ``currency``; NaN stays NaN.
    currency : str or array-like
        ISO 4217 code; selects the CPI of the currency's country (EUR: euro-area
        HICP unless ``country`` names a member state).
    from_year, to_year : int or array-like
        The year the amounts refer to and the year whose prices are wanted.
    country : str or array-like, optional
        ISO2 code whose CPI to use instead of the currency's default ("EA" is the euro area).
    year_fallback : {None, "latest"}
        ``"latest"``: years beyond the CPI table use its latest year (flagged).

    Returns
    -------
    pandas.Series or numpy.ndarray
        Same shape and index rules as :func:`convert_currency`.

    Examples
    --------
    >>> round(float(deflate(100.0, "USD", 2020, 2023)[0]), 2)
    117.73
    >>> round(float(deflate(100.0, "EUR", 2021, 2022, country="DE")[0]), 2)
    106.87
    """
    _check_fallback(year_fallback, ("latest",))
    values, index = _prepare_amounts(amounts, currency, from_year, to_year, country)
    n = len(values)
    active = np.isfinite(values)
    cur = _norm_codes(_as_array(currency, n, "currency"))
    lacking = active & pd.isna(cur)
    if lacking.any() and country is None:
        raise ReferenceDataError(f"currency is missing for {int(lacking.sum())} row(s) with an amount")
    y0 = _years(_as_array(from_year, n, "from_year"), active, "from_year")
    y1 = _years(_as_array(to_year, n, "to_year"), active, "to_year")
    out = np.full(n, np.nan)
    flags: list[pd.DataFrame] = []
    if active.any():
        ctry = _countries_for(cur, country, active, "cpi", "country")[active]
        level0 = _cpi_levels(ctry, y0[active], year_fallback, flags, _counter)
        level1 = _cpi_levels(ctry, y1[active], year_fallback, flags, _counter)
        out[active] = values[active] * level1 / level0
    return _finish(out, index, flags, getattr(amounts, "name", None))

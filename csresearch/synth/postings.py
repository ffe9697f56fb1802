"""Synthetic job postings at crawl scale, written to disk.

A multi-year crawl of job sites repeats itself heavily: a few dozen titles make up most rows, a
few hundred salary strings cover most pay texts, a handful of cities hold most jobs, and a long
tail of one-off variants ("客服专员 (J04217)", a pay range nobody else quotes) fills the rest.
The cleaning pipeline parses each distinct string once per partition, so this structure is what
decides its speed; uniform random strings would measure something else.

The pool of distinct strings is the output of :func:`csresearch.synth.synthetic_survey` (its
titles, pay texts, cities, companies, experience and education wording, per country). Each
column is drawn from that pool with Zipf-like frequencies (the k-th most common value has
weight ``1 / k**zipf_s``), the pool's share of empty cells is kept, and a share ``tail`` of rows
gets a one-off title, company and pay text. Rows are written per site (country) in the site's
own headers, encoding and delimiter, split into files of at most ``rows_per_file`` rows.
These postings carry no truth table: they are for timing and memory, not for accuracy.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .survey import SYNTHETIC_SOURCES, synthetic_survey

__all__ = ["POSTING_SITES", "synthetic_postings", "write_synthetic_postings"]

#: Columns of a posting row (canonical names; each site writes them under its own headers).
_COLUMNS = ["title", "company", "salary_text", "city", "country", "experience_text", "education_text", "description"]


@dataclass(frozen=True)
class _Site:
    name: str
    share: float  # share of all rows
    pool_sources: tuple[str, ...]  # synthetic_survey sources whose strings form the pool
    headers_from: str  # source whose localised headers, encoding and delimiter the files use
    encoding: str
    sep: str


#: The sites of the synthetic crawl: share of rows, string pool, file encoding and delimiter.
POSTING_SITES: tuple[_Site, ...] = (
    _Site("cn", 0.45, ("synth_cn_postings", "synth_cn_survey"), "synth_cn_postings", "gb18030", ","),
    _Site("ru", 0.20, ("synth_ru_postings",), "synth_ru_postings", "cp1251", ";"),
    _Site("us", 0.15, ("synth_us_survey",), "synth_us_survey", "utf-8", ","),
    _Site("gb", 0.10, ("synth_gb_postings",), "synth_gb_postings", "utf-8", ","),
    _Site("de_fr", 0.10, ("synth_de_fr_postings",), "synth_de_fr_postings", "utf-8-sig", ","),
)


@dataclass(frozen=True)
class _Pool:
    values: np.ndarray  # distinct strings, most common first
    weights: np.ndarray  # Zipf probabilities over `values`
    na_share: float


@cache
def _pools(seed: int, zipf_s: float) -> dict[str, dict[str, _Pool]]:
    """Site -> column -> pool of distinct strings with Zipf weights (ranked by pool frequency)."""
    sources, _ = synthetic_survey(seed=seed)
    by_name = {s.name: s for s in SYNTHETIC_SOURCES}
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str, _Pool]] = {}
    for site in POSTING_SITES:
        frames = []
        for name in site.pool_sources:
            inverse = {v: k for k, v in by_name[name].headers.items()}
            frames.append(sources[name].rename(columns=inverse))
        raw = pd.concat(frames, ignore_index=True)
        cols: dict[str, _Pool] = {}
        for col in _site_columns(site):
            s = raw[col].astype("str")
            counts = s.value_counts(dropna=True)
            # Ties in pool frequency are broken at random so the ranking is not alphabetical.
            jitter = pd.Series(rng.random(len(counts)), index=counts.index)
            order = pd.DataFrame({"n": counts, "j": jitter}).sort_values(["n", "j"], ascending=False).index
            ranks = np.arange(1, len(order) + 1, dtype=float)
            w = ranks ** -zipf_s
            cols[col] = _Pool(np.asarray(order, dtype=object), w / w.sum(), float(s.isna().mean()))
        out[site.name] = cols
    return out


def _site_columns(site: _Site) -> list[str]:
    headers = {s.name: s.headers for s in SYNTHETIC_SOURCES}[site.headers_from]
    return [c for c in _COLUMNS if c in headers]


# A whole number as written: digit groups of three joined by one separator ("47 000",
# "£24,000", "1 200 000"), then an optional decimal part; else plain digits with decimals.
_NUMBER = re.compile(r"\d{1,3}(?:(?P<sep>[ \u00a0\u202f,'])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?")


def _scale_numbers(text: str, factor: float) -> str:
    """Multiply every number in a pay text by ``factor``, keeping how it is written.

    The whole number is scaled ("от 47 000" -> "от 51 700", not "от 52 0"), and the result
    keeps the original's digit-group separator and number of decimals.

    Examples
    --------
    >>> _scale_numbers("от 47 000 до 60 000 руб.", 1.1), _scale_numbers("£24,000 - £31,500", 1.1)
    ('от 51 700 до 66 000 руб.', '£26,400 - £34,650')
    >>> _scale_numbers("4.5-6千/月", 2)
    '9.0-12千/月'
    """

    def repl(m: re.Match) -> str:
        sep = m.group("sep")
        num = m.group(0).replace(sep, "") if sep else m.group(0)
        decimals = len(num.split(".")[1]) if "." in num else 0
        out = f"{float(num) * factor:,.{decimals}f}"
        return out.replace(",", sep) if sep else out.replace(",", "")

    return _NUMBER.sub(repl, text)


def _draw_site(site: _Site, n: int, rng: np.random.Generator, *, tail: float, seed: int, zipf_s: float,
               first_id: int) -> pd.DataFrame:
    pools = _pools(seed, zipf_s)[site.name]
    data = {}
    for col, pool in pools.items():
        picked = pool.values[rng.choice(len(pool.values), size=n, p=pool.weights)]
        data[col] = pd.Series(picked, dtype="str").mask(rng.random(n) < pool.na_share)
    df = pd.DataFrame(data)
    # The long tail: one-off titles, companies and pay texts, unique across the whole crawl.
    one_off = np.flatnonzero(rng.random(n) < tail)
    if len(one_off):
        ids = pd.Series(np.arange(first_id, first_id + n)[one_off]).astype("str").str.zfill(7)
        idx = df.index[one_off]
        df.loc[idx, "title"] = df.loc[idx, "title"].fillna("") + " (J" + ids.to_numpy() + ")"
        df.loc[idx, "company"] = df.loc[idx, "company"].fillna("") + " " + ids.to_numpy()
        factors = rng.uniform(0.8, 1.25, len(one_off))
        pay = df.loc[idx, "salary_text"]
        df.loc[idx, "salary_text"] = [
            None if pd.isna(t) else _scale_numbers(t, f) for t, f in zip(pay, factors)
        ]
    return df


def synthetic_postings(n_rows: int, *, site: str = "cn", seed: int = 20241203, tail: float = 0.02,
                       zipf_s: float = 1.1) -> pd.DataFrame:
    """Draw ``n_rows`` synthetic postings of one site, in memory, with canonical column names.

    Parameters
    ----------
    n_rows : int
        Number of rows.
    site : str
        One of the :data:`POSTING_SITES` names (``"cn"``, ``"ru"``, ``"us"``, ``"gb"``, ``"de_fr"``).
    seed : int
        Seed of the string pool and of the draws.
    tail : float
        Share of rows with a one-off title, company and pay text.
    zipf_s : float
        Exponent of the Zipf weights (larger: fewer distinct strings cover most rows).

    Returns
    -------
    DataFrame
        Columns ``title``, ``company``, ``salary_text``, ``city``, ``experience_text``,
        ``education_text``, ``description`` (and ``country`` for ``de_fr``), as strings.

    Examples
    --------
    >>> df = synthetic_postings(10_000, site="ru", seed=1)
    >>> len(df), df["title"].nunique() < 1_000
    (10000, True)
    """
    sites = {s.name: s for s in POSTING_SITES}
    if site not in sites:
        raise ValueError(f"unknown site {site!r}; sites are {sorted(sites)}")
    rng = np.random.default_rng([seed, list(sites).index(site)])
    return _draw_site(sites[site], n_rows, rng, tail=tail, seed=seed, zipf_s=zipf_s, first_id=1)


def write_synthetic_postings(
    outdir: str | Path,
    n_rows: int,
    *,
    seed: int = 20241203,
    rows_per_file: int = 1_000_000,
    chunk_rows: int = 250_000,
    tail: float = 0.02,
    zipf_s: float = 1.1,
) -> list[Path]:
    """Write ``n_rows`` synthetic postings as CSV files, one or more per site.

    Each site's rows (``n_rows`` times its share) go to ``<site>_<part>.csv`` files of at most
    ``rows_per_file`` rows, in the site's headers, encoding and delimiter (GB18030 for ``cn``,
    cp1251 with ``;`` for ``ru``, UTF-8 with BOM for ``de_fr``). Rows are generated and written
    ``chunk_rows`` at a time, so memory stays small whatever ``n_rows``. A ``postings.json``
    records the parameters and the files. The same arguments write the same bytes.

    Parameters
    ----------
    outdir : path-like
        Folder to write to (created).
    n_rows : int
        Total number of rows over all sites.
    seed : int
        Seed of the string pool and of the draws.
    rows_per_file : int
        Largest number of rows in one file.
    chunk_rows : int
        Rows generated and written at a time.
    tail : float
        Share of rows with a one-off title, company and pay text.
    zipf_s : float
        Exponent of the Zipf weights.

    Returns
    -------
    list of Path
        The CSV files written, in site order.

    Examples
    --------
    >>> paths = write_synthetic_postings("benchmarks/_data/postings_1m", 1_000_000)  # doctest: +SKIP
    >>> [p.name for p in paths][:2]  # doctest: +SKIP
    ['cn_000.csv', 'ru_000.csv']
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    shares = np.array([s.share for s in POSTING_SITES])
    counts = np.floor(shares / shares.sum() * n_rows).astype(int)
    counts[0] += n_rows - counts.sum()
    headers = {s.name: s.headers for s in SYNTHETIC_SOURCES}
    paths: list[Path] = []
    files: dict[str, int] = {}
    first_id = 1
    for k, (site, n_site) in enumerate(zip(POSTING_SITES, counts)):
        n_files = max(1, -(-int(n_site) // rows_per_file))
        bounds = np.linspace(0, n_site, n_files + 1).astype(int)
        for part in range(n_files):
            path = out / f"{site.name}_{part:03d}.csv"
            n_file = int(bounds[part + 1] - bounds[part])
            cols = _site_columns(site)
            # One handle per file: an encoding with a BOM writes it once, not once per chunk.
            with path.open("w", encoding=site.encoding, newline="") as fh:
                writer = csv.writer(fh, delimiter=site.sep, lineterminator="\n")
                writer.writerow([headers[site.headers_from][c] for c in cols])
                for c, start in enumerate(range(0, n_file, chunk_rows)):
                    rng = np.random.default_rng([seed, k, part, c])
                    n = min(chunk_rows, n_file - start)
                    df = _draw_site(site, n, rng, tail=tail, seed=seed, zipf_s=zipf_s, first_id=first_id)
                    first_id += n
                    df[cols].to_csv(fh, header=False, index=False, sep=site.sep, lineterminator="\n")
            paths.append(path)
            files[path.name] = n_file
    meta = {
        "generator": "csresearch.synth.write_synthetic_postings",
        "n_rows": int(n_rows), "seed": seed, "tail": tail, "zipf_s": zipf_s,
        "rows_per_file": rows_per_file, "chunk_rows": chunk_rows,
        "files": files,
        "sites": {s.name: {"encoding": s.encoding, "sep": s.sep, "share": s.share} for s in POSTING_SITES},
    }
    (out / "postings.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return paths

"""Official pay statistics by ladder rung, in PPP dollars, beside the seed articles' stated ranges.

Real data only: the published-statistics table (:func:`csresearch.published.published_statistics`)
and the seed transcription (``data/raw/seed_survey.csv``). Nothing here is synthetic.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..schema import LEVEL_NAMES
from .labels import attach_data, label_figure

__all__ = ["official_by_rung", "official_by_place", "all_employee_benchmark", "all_employee_by_place", "seed_ranges_by_rung",
           "plot_official_by_rung", "plot_official_by_place", "make_official_figures"]

_STATS = ["p10", "p25", "median", "p75", "p90"]
#: The population compared across countries: OEWS annual wages are hourly x 2,080 (a full-time
#: year), so ASHE's full-time annual pay is the like-for-like UK figure.
POPULATIONS = {"US": "all wage and salary jobs", "GB": "Full-Time employee jobs"}
#: The places compared for each country: the finest area each publisher gives for its rung
#: occupations here (OEWS states, FSO large regions; ASHE Table 14 is UK-wide only), and the
#: population of each (FSO's standardised wage is already full-time equivalent).
PLACES = {"US": ("state", "all wage and salary jobs"), "GB": ("national", "Full-Time employee jobs"),
          "CH": ("region", "all ages, all (full-time equivalent)")}
#: Published monthly amounts that are a twelfth of the year by the publisher's definition, so x 12 is
#: the annual amount: FSO's standardised monthly wage includes 1/12 of the 13th salary and of special payments.
MONTHLY_IS_TWELFTH = {"fso_lse_t17", "rosstat_zpl_regions"}  # Rosstat: annual wage fund / 12 / headcount
#: All-employee means published by place in local currency (no occupation):
#: source -> (area type, population, publisher as the figure names it)
ALL_EMPLOYEE_PLACES = {
    "rosstat_zpl_regions": ("region", "employees of organisations (full range of organisations)", "Rosstat"),
    "nbs_urban_avg_wage": ("national", "employed persons in urban units (城镇单位就业人员)", "NBS"),
}


def _ppp(values: pd.Series, currency: pd.Series, year: pd.Series, country: pd.Series) -> pd.Series:
    from ..money import convert_currency

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CPI carry-forward past the 2023 PPP benchmark is documented
        return convert_currency(values, currency.to_numpy(), "USD", year.to_numpy(), method="ppp",
                                country=country.to_numpy(), year_fallback="cpi")


def official_by_rung(pub: pd.DataFrame, *, area_type: str = "national") -> pd.DataFrame:
    """National annual pay percentiles of each occupation that maps to a rung, in PPP dollars.

    Parameters
    ----------
    pub : DataFrame
        The published-statistics table.
    area_type : str
        ``"national"`` (one row per country and occupation).

    Returns
    -------
    DataFrame
        ``country, rung, rung_name, occupation_code, occupation_name, source, year, n_jobs,
        p10 ... p90`` (PPP $ a year) and ``suppressed_stats`` (the statistics the publisher
        withheld, listed, not dropped).
    """
    sub = pub[(pub["period"] == "year") & (pub["area_type"] == area_type) & pub["rung"].notna()
              & pub["statistic"].isin(_STATS)]
    sub = sub[sub["population"] == sub["country"].map(POPULATIONS)].copy()
    sub["ppp"] = _ppp(sub["value"], sub["currency"], sub["year"], sub["country"]).to_numpy()
    keys = ["country", "rung", "rung_name", "occupation_code", "occupation_name", "source", "year"]
    wide = sub.set_index(keys + ["statistic"])["ppp"].unstack("statistic").reindex(columns=_STATS)
    n = sub.groupby(keys)["n_jobs"].first()
    gone = sub[sub["suppressed"]].groupby(keys)["statistic"].agg(lambda s: ", ".join(s))
    out = wide.join(n).join(gone.rename("suppressed_stats")).reset_index()
    out["suppressed_stats"] = out["suppressed_stats"].fillna("")
    return out.sort_values(["rung", "country", "occupation_code"]).reset_index(drop=True)


def official_by_place(pub: pd.DataFrame) -> pd.DataFrame:
    """Annual median pay of each rung occupation in each place, latest year, in PPP dollars.

    Parameters
    ----------
    pub : DataFrame
        The published-statistics table.

    Returns
    -------
    DataFrame
        ``country, region_or_city, area_type, rung, rung_name, occupation_code, occupation_name,
        source, year, n_jobs, median`` (local currency a year), ``median_ppp`` (PPP $ a year) and
        ``suppressed`` (the publisher withheld the median; drawn and listed, not dropped). Places
        per country are :data:`PLACES`; FSO monthly medians are x 12 (:data:`MONTHLY_IS_TWELFTH`).

    Examples
    --------
    >>> from csresearch.published import published_statistics
    >>> places = official_by_place(published_statistics("data/raw"))  # doctest: +SKIP
    >>> places.groupby(["country", "rung_name"]).size()  # doctest: +SKIP
    """
    frames = []
    for country, (area, population) in PLACES.items():
        sub = pub[(pub["country"] == country) & (pub["area_type"] == area) & (pub["population"] == population)
                  & pub["rung"].notna() & (pub["statistic"] == "median")]
        annual = sub["period"] == "year"
        twelfth = (sub["period"] == "month") & sub["source"].isin(MONTHLY_IS_TWELFTH)
        sub = sub[annual | twelfth].assign(value=lambda d: np.where(d["period"] == "month", d["value"] * 12, d["value"]))
        frames.append(sub[sub["year"] == sub["year"].max()])
    cols = ["country", "region_or_city", "area_type", "rung", "rung_name", "occupation_code", "occupation_name",
            "source", "year", "n_jobs", "value", "currency", "suppressed"]
    out = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    out["median_ppp"] = _ppp(out["value"], out["currency"], out["year"], out["country"]).to_numpy()
    out = out.rename(columns={"value": "median"}).drop(columns="currency")
    return out.sort_values(["rung", "country", "median_ppp"]).reset_index(drop=True)


def all_employee_benchmark(pub: pd.DataFrame) -> pd.DataFrame:
    """ILOSTAT's mean monthly earnings of all employees, national, latest year per country, as published.

    In ILOSTAT's "2021 PPP $" (``PPP2021``), not re-based to the year (see
    :func:`csresearch.published.to_ppp_dollars`); x 12 gives a year of a monthly mean.
    """
    sub = pub[(pub["source"] == "ilostat_ear_4mth_sex_geo") & (pub["population"] == "employees, sex Total, all areas")]
    latest = sub[sub["year"] == sub.groupby("country")["year"].transform("max")]
    return latest[["country", "year", "value", "currency", "note"]].rename(columns={"value": "mean_month"}) \
        .sort_values("country").reset_index(drop=True)


def all_employee_by_place(pub: pd.DataFrame) -> pd.DataFrame:
    """Mean annual pay of **all employees** (no occupation) by place, latest year, in PPP dollars.

    The places of :data:`ALL_EMPLOYEE_PLACES`: Rosstat's federal subjects (monthly mean x 12: Rosstat's
    monthly average is the annual wage fund over twelve months and the headcount) and China NBS's
    national mean of urban units. A benchmark beside the customer-service figures, not one of them.

    Returns
    -------
    DataFrame
        ``country, region_or_city, area_type, source, year, mean`` (local currency a year),
        ``mean_ppp`` (PPP $ a year) and ``suppressed``.

    Examples
    --------
    >>> from csresearch.published import published_statistics
    >>> allemp = all_employee_by_place(published_statistics("data/raw"))  # doctest: +SKIP
    """
    frames = []
    for source, (area, population, _publisher) in ALL_EMPLOYEE_PLACES.items():
        sub = pub[(pub["source"] == source) & (pub["area_type"] == area) & (pub["population"] == population)
                  & (pub["statistic"] == "mean")]
        sub = sub[sub["year"] == sub.loc[~sub["suppressed"], "year"].max()]
        twelfth = (sub["period"] == "month") & sub["source"].isin(MONTHLY_IS_TWELFTH)
        frames.append(sub[(sub["period"] == "year") | twelfth].assign(
            value=lambda d: np.where(d["period"] == "month", d["value"] * 12, d["value"])))
    cols = ["country", "region_or_city", "area_type", "source", "year", "value", "currency", "suppressed"]
    out = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    out["mean_ppp"] = _ppp(out["value"], out["currency"], out["year"], out["country"]).to_numpy()
    return out.rename(columns={"value": "mean"}).drop(columns="currency") \
        .sort_values(["country", "mean_ppp"]).reset_index(drop=True)


def plot_official_by_place(places: pd.DataFrame, benchmark: pd.DataFrame | None = None,
                           all_employees: pd.DataFrame | None = None) -> Figure:
    """Median annual pay of each rung occupation by place (dots), per country and rung, in PPP $.

    A withheld median is drawn as an open marker at the left edge and counted in the label.
    ILOSTAT's all-employee mean (x 12, 2021 PPP $) is drawn as a grey tick where given.
    ``all_employees`` (:func:`all_employee_by_place`: means of all employees by place, no occupation)
    are drawn below a line as grey squares, labelled "all employees, not CS".

    Examples
    --------
    >>> p = pd.DataFrame({"country": ["CH", "CH"], "region_or_city": ["Zurich (ZH)", "Ticino (TI)"],
    ...                   "area_type": ["region", "region"], "rung": [1, 1], "rung_name": ["agent", "agent"], "occupation_code": ["42", "42"],
    ...                   "occupation_name": ["Customer services clerks"] * 2, "source": ["fso_lse_t17"] * 2,
    ...                   "year": [2018, 2018], "median_ppp": [40000.0, np.nan], "suppressed": [False, True]})
    >>> len(plot_official_by_place(p).axes)
    1
    """
    groups = list(places.groupby(["rung", "country", "occupation_code"], sort=True))
    extra = list(all_employees.groupby(["country", "source"], sort=True)) if all_employees is not None else []
    fig, ax = plt.subplots(figsize=(11, 0.42 * (len(groups) + len(extra)) + 1.9))
    colors = {"US": "tab:blue", "GB": "tab:purple", "CH": "tab:red"}
    values = pd.concat([places["median_ppp"]] + ([all_employees["mean_ppp"]] if extra else []))
    lo = np.nanmin(values) / 1.3 if values.notna().any() else 1.0
    labels = []
    for i, ((_rung, country, code), g) in enumerate(groups):
        c = colors.get(country, "grey")
        shown = g[~g["suppressed"] & g["median_ppp"].notna()]
        ax.plot(shown["median_ppp"], np.full(len(shown), i), "o", color=c, alpha=0.6, ms=5)
        if len(shown) > 1:
            ax.plot(shown["median_ppp"].median(), i, "|", color="black", ms=14, mew=2)
        n_gone = int(len(g) - len(shown))
        if n_gone:
            ax.plot(np.full(n_gone, lo * 1.05), np.full(n_gone, i), "o", mfc="none", color=c, ms=5)
        if benchmark is not None and (benchmark["country"] == country).any():
            b = benchmark.loc[benchmark["country"] == country].iloc[0]
            ax.plot(b["mean_month"] * 12, i, marker="D", color="grey", ms=6, mfc="none")
        first = g.iloc[0]
        gone = f", {n_gone} withheld" if n_gone else ""
        areas = f"{len(g)} {first['area_type']}-level areas" if len(g) > 1 else first["area_type"]
        labels.append(f"{first['rung_name']} · {country} {code} {str(first['occupation_name'])[:28]} "
                      f"({first['year']}; {areas}{gone})")
    for j, ((country, source), g) in enumerate(extra, start=len(groups)):
        shown = g[~g["suppressed"] & g["mean_ppp"].notna()]
        ax.plot(shown["mean_ppp"], np.full(len(shown), j), "s", color="grey", mfc="none", alpha=0.7, ms=5)
        if len(shown) > 1:
            ax.plot(shown["mean_ppp"].median(), j, "|", color="black", ms=14, mew=2)
        first = g.iloc[0]
        areas = f"{len(g)} {first['area_type']}s" if len(g) > 1 else first["area_type"]
        publisher = ALL_EMPLOYEE_PLACES.get(source, (None, None, source))[2]
        labels.append(f"all employees, not CS · {country} {publisher} mean ({first['year']}; {areas})")
    if extra:
        ax.axhline(len(groups) - 0.5, color="grey", lw=0.6, ls="--")
    ax.set_yticks(np.arange(len(groups) + len(extra)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(left=lo)
    for axis in (ax.xaxis.set_major_formatter, ax.xaxis.set_minor_formatter):
        axis(lambda x, _p: f"{x / 1000:,.0f}k")
    ax.tick_params(axis="x", which="minor", labelsize=6)
    ax.set_xlabel("median annual pay by place, PPP \\$ (log); bar: median of the places; open circle: withheld;\n"
                  "grey diamond: ILOSTAT mean of all employees x 12 (2021 PPP \\$, national);\n"
                  "grey squares below the line: all-employee means by place (PPP \\$ of the year), not CS", fontsize=8)
    ax.set_title("Pay by place and rung: official statistics", fontsize=11)
    fig.tight_layout()
    attach_data(fig, pd.concat([places, all_employees], ignore_index=True) if extra else places)
    return fig


def seed_ranges_by_rung(table: pd.DataFrame, *, ppp_year: int = 2023) -> pd.DataFrame:
    """The seed articles' stated annual pay for each country and rung, in PPP dollars.

    One span per country and rung, from the lowest to the highest figure stated (rows of
    ``data/raw/seed_survey.csv``, by row number). A seed row without a year is converted at
    the ``ppp_year`` PPP (the benchmark shipped). Seed 001's Chinese figures are base pay of
    model pay schemes, not market surveys (see data/raw/README.md).
    """
    seed = table[(table["source"] == "seed_survey") & table["level"].notna()
                 & table["annual_low"].notna()].copy()
    year = seed["year"].astype("Float64").fillna(ppp_year).astype(int)
    out = seed[["source_row", "country", "level", "annual_low", "annual_high", "currency"]].copy()
    out["year"] = year.to_numpy()
    for side in ("low", "high"):
        out[f"ppp_{side}"] = _ppp(out[f"annual_{side}"], out["currency"], out["year"], out["country"]).to_numpy()
    # one span per country and rung: the lowest and highest figure the seeds state for it
    agg = out.groupby(["country", "level"]).agg(ppp_low=("ppp_low", "min"), ppp_high=("ppp_high", "max"),
                                                 n_figures=("source_row", "size"),
                                                 seed_rows=("source_row", lambda r: ",".join(map(str, sorted(r)))))
    agg = agg.reset_index().rename(columns={"level": "rung"})
    agg["rung"] = agg["rung"].astype(int)
    agg["rung_name"] = agg["rung"].map(LEVEL_NAMES)
    return agg


def plot_official_by_rung(official: pd.DataFrame, seeds: pd.DataFrame | None = None) -> Figure:
    """Official pay percentiles by rung and country (PPP $), seed ranges as hollow bars.

    Examples
    --------
    >>> o = pd.DataFrame({"country": ["GB"], "rung": [1], "rung_name": ["agent"], "occupation_code": ["7211"],
    ...                   "occupation_name": ["Call and contact centre occupations"], "source": ["ons"], "year": [2024],
    ...                   "n_jobs": [1000], "p10": [1.0], "p25": [2.0], "median": [3.0], "p75": [4.0], "p90": [np.nan],
    ...                   "suppressed_stats": ["p90"]})
    >>> len(plot_official_by_rung(o).axes)
    1
    """
    rows = [("official", r) for r in official.itertuples()]
    if seeds is not None:
        rows += [("seed", r) for r in seeds.sort_values(["rung", "country"]).itertuples()]
    rows.sort(key=lambda t: (t[1].rung, t[0] != "official", t[1].country))
    fig, ax = plt.subplots(figsize=(9, 0.36 * len(rows) + 2.0))
    colors = {"US": "tab:blue", "GB": "tab:purple", "CN": "tab:red", "RU": "tab:green", "DE": "tab:orange", "FR": "tab:cyan"}
    labels = []
    for i, (kind, r) in enumerate(rows):
        c = colors.get(r.country, "grey")
        if kind == "official":
            ax.hlines(i, r.p10, r.p90, color=c, lw=1)
            ax.hlines(i, r.p25, r.p75, color=c, lw=5)
            ax.plot(r.median, i, "o", color="black", ms=4)
            gone = f" [{r.suppressed_stats} suppressed by publisher]" if r.suppressed_stats else ""
            if gone and pd.notna(r.median):
                ax.text(np.nanmax([r.p75, r.median]), i + 0.3, gone.strip(), fontsize=6, color="grey")
            labels.append(f"{r.rung_name} · {r.country} {r.occupation_code} {str(r.occupation_name)[:30]} ({r.year})")
        else:
            ax.barh(i, r.ppp_high - r.ppp_low, left=r.ppp_low, height=0.5, fill=False, edgecolor=c, hatch="//", lw=1)
            rows_txt = r.seed_rows if r.n_figures <= 3 else f"{r.seed_rows.split(',')[0]}-{r.seed_rows.split(',')[-1]}"
            labels.append(f"{r.rung_name} · {r.country} seed figures (n={r.n_figures}; rows {rows_txt})")
    ax.set_yticks(np.arange(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    lo = np.nanmin([official["p10"].min(), official["p25"].min()] + ([seeds["ppp_low"].min()] if seeds is not None else []))
    hi = np.nanmax([official["p90"].max(), official["p75"].max()] + ([seeds["ppp_high"].max()] if seeds is not None else []))
    ax.set_xlim(lo / 1.25, hi * 1.5)
    ax.xaxis.set_major_formatter(lambda x, _p: f"{x / 1000:,.0f}k")
    ax.set_xlabel("annual pay, PPP $ (log). Bar p25-p75, line p10-p90, dot median; hatched: seeds' span", fontsize=9)
    ax.set_title("Pay by ladder rung: official statistics and the seed articles", fontsize=11)
    handles = [plt.Line2D([], [], color=colors[c], lw=5, label=c) for c in colors if c in {r.country for _, r in rows}]
    ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)
    fig.tight_layout()
    attach_data(fig, official)
    return fig


def make_official_figures(pub: pd.DataFrame, table: pd.DataFrame | None = None) -> dict[str, Figure]:
    """The official-statistics figures of notebook 02, for ``csresearch build``.

    With no official rows (every extract absent from ``data/raw``) there is nothing to draw:
    the result is empty and the build says so in its warnings.
    """
    official = official_by_rung(pub)
    if official.empty:
        return {}
    seeds = seed_ranges_by_rung(table) if table is not None else None
    fig = plot_official_by_rung(official, seeds)
    pubs = "; ".join(sorted(set(official["source"])))
    label_figure(fig, caption=(f"Data (real): {pubs} -- U.S. BLS OEWS May 2025 (public domain), ONS ASHE 2024 "
                               "Table 14, full-time (OGL v3.0); seed articles (data/raw/seed_survey.csv). "
                               "PPP: World Bank WDI PA.NUS.PRVT.PP, 2023 carried by CPI."))
    return {"official_pay_by_rung": fig}


#: Caption of :func:`plot_official_by_place` (what the data are and who published them).
PLACE_CAPTION = ("Data (real): U.S. BLS OEWS May 2025, states (public domain); ONS ASHE 2024 Table 14, UK, full-time "
                 "(OGL v3.0); Swiss FSO LSE T17 2018, large regions, standardised monthly median x 12 (FSO, "
                 "OPEN-BY-ASK); ILOSTAT EAR_4MTH_SEX_GEO (CC BY 4.0). All employees, not CS: Rosstat tab4-zpl_2023, "
                 "federal subjects, monthly mean x 12 (reuse terms not verified); NBS national mean of urban units "
                 "(www.stats.gov.cn). PPP: World Bank WDI PA.NUS.PRVT.PP (RU after 2021 carried by CPI).")

"""The official pay statistics: rebuild scripts reproduce the shipped extracts, the tidy table
keeps every published cell (suppressed ones flagged), values match the raw files."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from csresearch.published import (
    OFFICIAL_SOURCES, STATISTICS, check_published_cells, empty_published, published_statistics, read_ashe,
    read_fso_lse, read_ilostat_geo, to_ppp_dollars, validate_published,
)
from csresearch.errors import ColumnMappingError, SchemaError

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
ASHE_CSV = RAW / "ons_ashe_2024_cs_table14.csv"
UKJOBS_GIT = Path("/work/.mirror/PMOLDN+ukjobs/repo")
UKJOBS_COMMIT = "521199b3adc8b26bc3878d3765707001dbc5a353"
ASHE_DIR = "Data/Raw/pay/ashetable142024provisional"
FSO_CSV = RAW / "fso_lse_cs_regions.csv"
OPENDATA_GIT = Path("/work/.mirror/epicalekspwner+OpenData/repo")
OPENDATA_COMMIT = "e40fc4738e45fda89634139f0f319fd7196c1f3d"
FSO_DIR = "demographicsIncome/sources"
ILO_CSV = RAW / "ilostat_ear_4mth_sex_geo.csv"
ILOWAGE_GIT = Path("/work/.mirror/openwashdata-conf+ilostat-wage/repo")
ILOWAGE_COMMIT = "1b478daf8ffa97c89e7618ab87176c013e292dd4"
ILO_FILE = "data-raw/EAR_4MTH_SEX_GEO_CUR_NB_A-filtered-2025-06-01.csv"


@pytest.fixture(scope="module")
def pub() -> pd.DataFrame:
    return published_statistics(RAW)


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not UKJOBS_GIT.is_dir() or shutil.which("git") is None,
                    reason="stored copy of PMOLDN/ukjobs (the ASHE workbooks) is not on this machine")
def test_ashe_rebuild_is_byte_identical(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    archive = subprocess.run(["git", "--git-dir", str(UKJOBS_GIT), "archive", UKJOBS_COMMIT, ASHE_DIR],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    out = tmp_path / "ashe.csv"
    assert _script("build_ashe_extract").main([str(src / ASHE_DIR), "-o", str(out)]) == 0
    assert out.read_bytes() == ASHE_CSV.read_bytes()


def test_ashe_script_refuses_other_workbooks(tmp_path):
    builder = _script("build_ashe_extract")
    blobs = {name: b"not a workbook" for name in builder.WORKBOOKS}
    with pytest.raises(builder.SourceError, match="SHA-256"):
        builder.read_rows(blobs)


def test_every_source_present_and_validated(pub):
    assert pub.attrs["missing_sources"] == []
    assert set(pub["source"]) == set(OFFICIAL_SOURCES)
    assert validate_published(pub) is not None


def test_ashe_rows_add_up_and_markers_become_suppressed():
    raw = pd.read_csv(ASHE_CSV, dtype=str, keep_default_na=False)
    t = read_ashe(ASHE_CSV)
    assert len(t) == len(raw) * len(STATISTICS)  # every published cell, none dropped
    n_marked = sum((raw[s] == "x").sum() + (raw[s] == "..").sum() + (raw[s] == "").sum() for s in STATISTICS)
    assert t["suppressed"].sum() == n_marked
    assert t.loc[t["suppressed"], "note"].str.startswith("ONS").all()


def test_ashe_values_are_the_published_cells():
    raw = pd.read_csv(ASHE_CSV, dtype=str, keep_default_na=False)
    row = raw[(raw["table"] == "14.7a") & (raw["sheet"] == "All") & (raw["soc2020_code"] == "7211")].iloc[0]
    t = read_ashe(ASHE_CSV)
    got = t[(t["period"] == "year") & (t["population"] == "All employee jobs") & (t["occupation_code"] == "7211")]
    by_stat = got.set_index("statistic")["value"]
    assert by_stat["median"] == float(row["median"])
    assert by_stat["p25"] == float(row["p25"])
    assert got["rung_name"].eq("agent").all()
    assert got["n_jobs"].eq(int(row["jobs_thousand"]) * 1000).all()


def test_percentiles_ordered_where_published(pub):
    order = [s for s in STATISTICS if s != "mean"]
    keys = ["source", "region_or_city", "occupation_code", "population", "period"]
    wide = pub[pub["statistic"].isin(order)].pivot_table(index=keys, columns="statistic", values="value")[order]
    diffs = wide.diff(axis=1).iloc[:, 1:]
    assert (diffs.isna() | (diffs >= 0)).all().all()


def test_schema_rejects_a_value_on_a_suppressed_row(pub):
    bad = pub.head(3).copy()
    bad["suppressed"] = True
    with pytest.raises(SchemaError):
        validate_published(bad)


def test_real_rows_by_country(pub):
    real = pub[~pub["suppressed"]]
    counts = real.groupby("country").size()
    assert counts.get("US", 0) > 1000 and counts.get("GB", 0) > 1000 and counts.get("CH", 0) > 900


def _git_extract(git_dir: Path, commit: str, folder: str, dest: Path) -> Path:
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", commit, folder],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / folder


@pytest.mark.skipif(not OPENDATA_GIT.is_dir() or shutil.which("git") is None,
                    reason="stored copy of epicalekspwner/OpenData (the FSO workbooks) is not on this machine")
def test_fso_rebuild_is_byte_identical(tmp_path):
    src = _git_extract(OPENDATA_GIT, OPENDATA_COMMIT, FSO_DIR, tmp_path)
    out = tmp_path / "fso.csv"
    assert _script("build_fso_lse_extract").main([str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == FSO_CSV.read_bytes()


def test_fso_script_refuses_other_workbooks(tmp_path):
    builder = _script("build_fso_lse_extract")
    for name in builder.WORKBOOKS:
        (tmp_path / name).write_bytes(b"not a workbook")
    with pytest.raises(builder.SourceError, match="SHA-256"):
        builder.read_rows(tmp_path)


def test_fso_rows_add_up_and_markers_become_suppressed():
    raw = pd.read_csv(FSO_CSV, dtype=str, keep_default_na=False)
    cells = raw.filter(regex=r"^age_").stack().str.strip()
    t = read_fso_lse(FSO_CSV)
    assert len(t) == cells.size  # every published cell, none dropped
    assert t["suppressed"].sum() == cells.isin(["*", "-"]).sum()
    assert t.loc[t["suppressed"], "note"].str.startswith("FSO").all()
    n_bracketed = cells.str.startswith("[").sum()
    assert t["note"].fillna("").str.contains("coefficient of variation").sum() == n_bracketed > 0


def test_fso_values_are_the_published_cells():
    raw = pd.read_csv(FSO_CSV, dtype=str, keep_default_na=False)
    row = raw[(raw["year"] == "2018") & (raw["isco08_code"] == "42") & raw["region"].str.startswith("Zurich")].iloc[0]
    t = read_fso_lse(FSO_CSV)
    got = t[(t["year"] == 2018) & (t["occupation_code"] == "42") & t["region_or_city"].str.startswith("Zurich")]
    by_pop = got.set_index("population")["value"]
    assert by_pop["all ages, all (full-time equivalent)"] == float(row["age_total_total"])
    assert by_pop["aged 30-49, women (full-time equivalent)"] == float(row["age_30_49_women"].strip("[]").replace(" ", ""))
    assert got["rung_name"].eq("agent").all() and got["currency"].eq("CHF").all()


def test_fso_reader_rejects_unknown_markers_and_notes_repeated_years(tmp_path):
    raw = pd.read_csv(FSO_CSV, dtype=str, keep_default_na=False)
    one = raw[raw["table"] == raw["table"].iloc[0]].copy()
    y18, y16 = one["year"] == "2018", one["year"] == "2016"
    one.loc[y16, one.columns[5:17]] = one.loc[y18, one.columns[5:17]].to_numpy()  # 2016 repeats 2018
    path = tmp_path / "fso.csv"
    one.to_csv(path, index=False)
    t = read_fso_lse(path)
    repeated = t["note"].fillna("").str.contains("repeats")
    assert set(t.loc[repeated, "year"]) == {2016, 2018}
    one.iloc[0, 5] = "5 0x0"
    one.to_csv(path, index=False)
    with pytest.raises(ColumnMappingError, match="FSO marker"):
        read_fso_lse(path)


def test_missing_official_files_give_an_empty_valid_table(tmp_path):
    from csresearch.plots.official import make_official_figures

    pub = check_published_cells(published_statistics(tmp_path))
    assert len(pub) == 0 and pub.attrs["missing_sources"] == list(OFFICIAL_SOURCES)
    assert list(pub.columns) == list(empty_published().columns)
    assert make_official_figures(pub) == {}


@pytest.mark.skipif(not ILOWAGE_GIT.is_dir() or shutil.which("git") is None,
                    reason="stored copy of openwashdata-conf/ilostat-wage (the ILOSTAT download) is not on this machine")
def test_ilostat_rebuild_is_byte_identical(tmp_path):
    src = tmp_path / "ilo.csv"
    src.write_bytes(subprocess.run(["git", "--git-dir", str(ILOWAGE_GIT), "show", f"{ILOWAGE_COMMIT}:{ILO_FILE}"],
                                   check=True, capture_output=True).stdout)
    out = tmp_path / "extract.csv"
    assert _script("build_ilostat_extract").main([str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == ILO_CSV.read_bytes()


def test_ilostat_rows_are_the_published_cells():
    raw = pd.read_csv(ILO_CSV, dtype=str, keep_default_na=False)
    t = read_ilostat_geo(ILO_CSV)
    assert len(t) == len(raw) and t["value"].tolist() == raw["obs_value"].astype(float).tolist()
    assert set(t["country"]) == {"AU", "CH", "DE", "FR", "GB", "US"}
    assert t["currency"].eq("PPP2021").all() and t["rung"].isna().all()
    breaks = raw["obs_status.label"] == "Break in series"
    assert t.loc[breaks.to_numpy(), "note"].str.contains("Break in series").all() and breaks.any()
    # ILOSTAT's 2021 PPP $ are not re-based: no PPP value is made up for them
    assert to_ppp_dollars(t, period="month").isna().all()


def test_ilostat_reader_refuses_another_currency_series(tmp_path):
    raw = pd.read_csv(ILO_CSV, dtype=str, keep_default_na=False)
    raw.loc[0, "classif2.label"] = "Currency: Local currency"
    raw.to_csv(tmp_path / "ilo.csv", index=False)
    with pytest.raises(ColumnMappingError, match="2021 PPP"):
        read_ilostat_geo(tmp_path / "ilo.csv")


def test_four_sources_and_four_countries_of_real_rows(pub):
    real = pub[~pub["suppressed"]]
    assert real["source"].nunique() >= 4 and len(real) >= 1000
    assert real["country"].nunique() >= 4


def test_pay_by_place_takes_each_publishers_places_and_annualises_fso_by_twelve(pub):
    import matplotlib

    matplotlib.use("Agg")
    from csresearch.plots.labels import figure_data
    from csresearch.plots.official import all_employee_benchmark, official_by_place, plot_official_by_place

    places = official_by_place(pub)
    n = places.groupby(["country", "occupation_code"]).size()
    states = pub.loc[pub["area_type"] == "state", "region_or_city"].nunique()  # 50 states, DC, PR, GU, VI
    assert n["US", "43-4051"] == n["US", "43-1011"] == states == 54
    assert n["CH", "42"] == 7 and n["GB", "7211"] == 1
    raw = pd.read_csv(FSO_CSV, dtype=str, keep_default_na=False)
    zh = raw[(raw["year"] == "2018") & (raw["isco08_code"] == "42") & raw["region"].str.startswith("Zurich")].iloc[0]
    got = places[(places["country"] == "CH") & places["region_or_city"].str.startswith("Zurich")].iloc[0]
    assert got["median"] == 12 * float(zh["age_total_total"]) and got["year"] == 2018
    ashe = pd.read_csv(ASHE_CSV, dtype=str, keep_default_na=False)
    ft = ashe[(ashe["table"] == "14.7a") & (ashe["sheet"] == "Full-Time") & (ashe["soc2020_code"] == "7211")].iloc[0]
    assert places.loc[places["occupation_code"] == "7211", "median"].iloc[0] == float(ft["median"])
    bench = all_employee_benchmark(pub)
    assert set(bench["country"]) == {"AU", "CH", "DE", "FR", "GB", "US"} and bench["currency"].eq("PPP2021").all()
    fig = plot_official_by_place(places, bench)
    assert len(figure_data(fig)) == len(places)

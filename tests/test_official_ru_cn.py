"""Rosstat's regional wages and China NBS's national average wages: the rebuild scripts reproduce
the shipped extracts byte for byte (skipped when the stored copies are absent), the readers keep
every published cell, and the regional hierarchy is read from how Rosstat prints it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from csresearch.errors import ColumnMappingError
from csresearch.published import OFFICIAL_SOURCES, published_statistics, read_nbs_wage, read_rosstat_regions

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
RU_CSV = RAW / "rosstat_zpl_regions_2018_2023.csv"
RU_GIT = Path("/work/.mirror/koomytcevaav18+advanced_python_project/repo")
RU_COMMIT, RU_FILE = "76c2a525b8010f8b5da622325a61bc6dcc050e22", "tab4-zpl_2023.xlsx"
# Rosstat's sector table (tab3-zpl_2023.xlsx)
RU3_GIT = Path("/work/.mirror/InnaBoby+HSE_bootcamp_Start_DS/repo")
RU3_COMMIT, RU3_FILE = "9cdaeace7f65d308b4e82273b03752480de51515", "tab3-zpl_2023.xlsx"
CN_CSV = RAW / "nbs_urban_avg_wage_2000_2019.csv"
CN_GIT = Path("/work/.mirror/xiehuiaa+housing_price/repo")
CN_COMMIT, CN_FILE = "c2ad5b963c2b149bf668527286b50c640c1587ff", "年度数据_工资.xls"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _git_show(git: Path, commit: str, path: str, dest: Path) -> Path:
    dest.write_bytes(subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{path}"],
                                    check=True, capture_output=True).stdout)
    return dest


SEC_CSV = RAW / "rosstat_zpl_sectors_2017_2023.csv"


def _stored(git: Path, repo: str):
    return pytest.mark.skipif(not git.is_dir() or shutil.which("git") is None,
                              reason=f"stored copy of {repo} is not on this machine")


@pytest.mark.parametrize(("git", "commit", "path", "script", "shipped"), [
    pytest.param(RU_GIT, RU_COMMIT, RU_FILE, "build_rosstat_regions_extract", RU_CSV, id="rosstat_regions",
                 marks=_stored(RU_GIT, "koomytcevaav18/advanced_python_project (Rosstat tab4-zpl_2023)")),
    pytest.param(RU3_GIT, RU3_COMMIT, RU3_FILE, "build_rosstat_sectors_extract", SEC_CSV, id="rosstat_sectors",
                 marks=_stored(RU3_GIT, "InnaBoby/HSE_bootcamp_Start_DS (Rosstat tab3-zpl_2023)")),
    pytest.param(CN_GIT, CN_COMMIT, CN_FILE, "build_nbs_wage_extract", CN_CSV, id="nbs",
                 marks=_stored(CN_GIT, "xiehuiaa/housing_price (the NBS export)")),
])
def test_rebuild_is_byte_identical(tmp_path, git, commit, path, script, shipped):
    if script == "build_nbs_wage_extract":
        pytest.importorskip("xlrd", reason="xlrd (test extra) reads the NBS .xls export")
    src = _git_show(git, commit, path, tmp_path / Path(path).name)
    out = tmp_path / "extract.csv"
    assert _script(script).main([str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize("script", ["build_rosstat_regions_extract", "build_nbs_wage_extract"])
def test_scripts_refuse_other_files(tmp_path, script):
    builder = _script(script)
    (tmp_path / "other.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(builder.SourceError, match="SHA-256"):
        builder.read_rows(tmp_path / "other.xlsx")


def test_rosstat_rows_are_the_published_cells_and_the_hierarchy_is_read():
    raw = pd.read_csv(RU_CSV, dtype=str, keep_default_na=False)
    t = read_rosstat_regions(RU_CSV)
    assert len(t) == len(raw) and t["value"].tolist() == raw["wage_rub_month"].astype(float).tolist()
    assert not t["suppressed"].any() and t["currency"].eq("RUB").all() and t["rung"].isna().all()
    names = t.drop_duplicates("region_or_city").groupby("area_type")["region_or_city"].apply(set)
    assert names["national"] == {"Российская Федерация"} and len(names["federal_district"]) == 8
    # 82 subjects printed whole, and the three okrugs and two remainders Rosstat prints as parts
    assert len(names["region"]) == 82 and len(names["region_part"]) == 5
    assert "Чукотский авт.округ" in names["region"] and "Ямало-Ненецкий авт.округ" in names["region_part"]
    parts = t[t["area_type"] == "region_part"].drop_duplicates("region_or_city")
    assert set(parts["note"].str.extract(r"^part of ([^;]+);")[0]) == {"Архангельская область", "Тюменская область"}


def test_nbs_rows_are_the_published_cells_and_empty_years_are_suppressed():
    raw = pd.read_csv(CN_CSV, dtype=str, keep_default_na=False)
    t = read_nbs_wage(CN_CSV)
    assert len(t) == len(raw) == 5 * 20
    empty = raw["wage_cny_year"] == ""
    assert t["suppressed"].tolist() == empty.tolist() and empty.any()
    assert t.loc[~empty.to_numpy(), "value"].tolist() == raw.loc[~empty, "wage_cny_year"].astype(float).tolist()
    assert t["period"].eq("year").all() and t["currency"].eq("CNY").all() and set(t["country"]) == {"CN"}


def test_nbs_reader_refuses_an_unknown_indicator(tmp_path):
    raw = pd.read_csv(CN_CSV, dtype=str, keep_default_na=False)
    raw.loc[0, "indicator"] = "城镇单位就业人员平均工资指数(上年=100)"
    raw.to_csv(tmp_path / "cn.csv", index=False)
    with pytest.raises(ColumnMappingError, match="not known"):
        read_nbs_wage(tmp_path / "cn.csv")


def test_rosstat_licence_flag_is_in_every_row():
    pub = published_statistics(RAW)
    ru = pub[pub["source"] == "rosstat_zpl_regions"]
    assert ru["licence"].str.startswith("TERMS NOT VERIFIED").all()
    assert OFFICIAL_SOURCES["nbs_urban_avg_wage"][3] in set(pub.loc[pub["country"] == "CN", "licence"])


# a second, independently re-saved copy of tab3-zpl_2023.xlsx (numbers partly stored as text there)
RU3B_GIT = Path("/work/.mirror/conscienceofinternalcombustion+DataScience-Final-Project/repo")
RU3B_COMMIT = "26f63532a8ce84549ce36502120c29935ca5d2b2"


@pytest.mark.skipif(not RU3B_GIT.is_dir() or shutil.which("git") is None,
                    reason="second stored copy of Rosstat tab3-zpl_2023 is not on this machine")
def test_rosstat_sectors_second_copy_has_the_same_values(tmp_path):
    src = _git_show(RU3B_GIT, RU3B_COMMIT, RU3_FILE, tmp_path / RU3_FILE)
    out = tmp_path / "sec_b.csv"
    assert _script("build_rosstat_sectors_extract").main([str(src), "-o", str(out), "--no-check-sha"]) == 0
    a, b = (pd.read_csv(f, dtype=str, keep_default_na=False) for f in (SEC_CSV, out))
    assert a["activity"].tolist() == b["activity"].tolist() and a["year"].tolist() == b["year"].tolist()
    assert a["wage_rub_month"].astype(float).tolist() == b["wage_rub_month"].astype(float).tolist()


def test_rosstat_sectors_are_populations_not_occupations():
    from csresearch.published import read_rosstat_sectors

    raw = pd.read_csv(SEC_CSV, dtype=str, keep_default_na=False)
    t = read_rosstat_sectors(SEC_CSV)
    assert len(t) == len(raw) == 50 * 7 and t["value"].tolist() == raw["wage_rub_month"].astype(float).tolist()
    assert t["occupation_system"].eq("all").all() and t["rung"].isna().all() and t["population"].nunique() == 50
    total = t[t["population"].str.endswith("(Всего)")].set_index("year")["value"]
    regions = read_rosstat_regions(RU_CSV)
    national = regions[regions["area_type"] == "national"].set_index("year")["value"]
    # the two Rosstat tables agree on the all-economy mean (the regional one rounds 2018-2021 to roubles)
    assert ((total.loc[national.index] - national).abs() <= 0.5).all()


def test_pay_by_place_draws_all_employee_means_apart_and_keeps_their_cells():
    import matplotlib

    matplotlib.use("Agg")
    from csresearch.plots.labels import figure_data
    from csresearch.plots.official import all_employee_by_place, official_by_place, plot_official_by_place

    pub = published_statistics(RAW)
    allemp = all_employee_by_place(pub)
    ru = allemp[allemp["country"] == "RU"]
    # the 82 subjects printed whole, latest year, x 12; no okrug counted twice, no district or national row
    assert len(ru) == 82 and set(ru["area_type"]) == {"region"} and set(ru["year"]) == {2023}
    raw = pd.read_csv(RU_CSV, dtype=str, keep_default_na=False)
    moscow = float(raw.loc[(raw["region"] == "г. Москва") & (raw["year"] == "2023"), "wage_rub_month"].iloc[0])
    assert ru.loc[ru["region_or_city"] == "г. Москва", "mean"].iloc[0] == 12 * moscow
    cn = allemp[allemp["country"] == "CN"]
    assert len(cn) == 1 and cn["year"].iloc[0] == 2019 and allemp["mean_ppp"].notna().all()
    places = official_by_place(pub)
    fig = plot_official_by_place(places, None, allemp)
    assert len(figure_data(fig)) == len(places) + len(allemp)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert sum(label.startswith("all employees, not CS") for label in labels) == 2

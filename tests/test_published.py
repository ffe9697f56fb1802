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
    OFFICIAL_SOURCES, STATISTICS, published_statistics, read_ashe, validate_published,
)
from csresearch.errors import SchemaError

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
ASHE_CSV = RAW / "ons_ashe_2024_cs_table14.csv"
UKJOBS_GIT = Path("/work/.mirror/PMOLDN+ukjobs/repo")
UKJOBS_COMMIT = "521199b3adc8b26bc3878d3765707001dbc5a353"
ASHE_DIR = "Data/Raw/pay/ashetable142024provisional"


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
    assert counts.get("US", 0) > 1000 and counts.get("GB", 0) > 1000

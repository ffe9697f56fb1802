"""`csresearch build` on the shipped data: complete, accounted for, reproducible, private."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from csresearch.build import build
from csresearch.io import project_root
from csresearch.schema import validate_processed


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object, dict[str, bytes]]:
    """Build twice in a scratch copy of data/raw; keep the first build's bytes."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(project_root() / "data" / "raw", root / "data" / "raw")
    shutil.copytree(project_root() / "notebooks", root / "notebooks")
    first = build(root, figures=True, show_progress=False)
    snapshot = {p.name: p.read_bytes() for p in sorted((root / "data" / "processed").iterdir())}
    build(root, figures=False, show_progress=False)
    return root, first, snapshot


def test_two_builds_give_byte_identical_processed_files(built):
    root, _, first = built
    second = {p.name: p.read_bytes() for p in sorted((root / "data" / "processed").iterdir())}
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"


def test_every_raw_row_is_in_the_table_or_the_rejects(built):
    root, report, _ = built
    m = json.loads((root / "data" / "processed" / "manifest.json").read_text("utf-8"))
    table = pd.read_parquet(root / "data" / "processed" / "survey.parquet")
    rejects = pd.read_csv(root / "data" / "processed" / "survey_rejects.csv", dtype=str)
    assert m["rows_in"] == len(table) + len(rejects) == m["rows_table"] + m["rows_rejected"]
    for src in m["sources"]:
        assert src["rows_in"] == src["rows_table"] + src["rows_rejected"]
        assert sum(src["rejected_by_reason"].values()) == src["rows_rejected"]
    validate_processed(table)
    assert set(table["source"]) >= {"seed_survey", "synth_cn_postings", "synth_ru_postings", "synth_us_survey"}


def test_no_personal_data_reaches_processed_files(built):
    root, _, _ = built

    def as_text(path):
        text = path.read_bytes().decode("utf-8", errors="ignore") if path.suffix != ".parquet" else ""
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif path.suffix == ".csv" and "record_id" in text.partition("\n")[0]:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            return text
        if "record_id" in frame.columns:
            # an opaque 16-hex-digit id: it holds no input text, but a run of its digits can look
            # like a phone number, so it is checked for its shape and left out of the scan
            assert frame["record_id"].astype(str).str.fullmatch(r"[0-9a-f]{16}").all()
            frame = frame.drop(columns="record_id")
        return frame.to_csv()

    text = "\n".join(as_text(p) for p in (root / "data" / "processed").iterdir())
    patterns = {
        "cn mobile": r"(?<![\d.])1[3-9]\d{9}(?![\d.])",
        "e-mail": r"[\w.+-]+@[\w-]+\.[a-z]{2,}",
        "ru phone": r"\+7\s?\(\d{3}\)",
        "uk mobile": r"07700\s?900\d{3}",
        "obfuscated e-mail": r"\bat example dot com\b",
    }
    for name, pattern in patterns.items():
        assert not re.search(pattern, text), f"{name} found in data/processed"


def test_every_figure_is_written_as_png_and_svg(built):
    _, report, _ = built
    names = {p.stem for p in report.figures}
    assert {"01_row_accounting", "01_pay_by_country"} <= names
    for stem in names:
        assert {p.suffix for p in report.figures if p.stem == stem} == {".png", ".svg"}
    assert all(p.stat().st_size > 1000 for p in report.figures)


def test_every_published_table_respects_the_minimum_cell(built):
    from csresearch.config import get_min_cell_size
    from csresearch.privacy import check_min_cell

    root, _, _ = built
    tables = [p for p in (root / "data" / "processed").glob("*.csv") if p.name != "survey_rejects.csv"]
    checked = 0
    for path in tables:
        frame = pd.read_csv(path)
        if "n" in frame.columns and "p50" in frame.columns:  # the pay-band tables
            check_min_cell(frame, count="n")
            published = frame[~frame["suppressed"]]
            assert (published["n"] >= get_min_cell_size()).all(), path.name
            assert frame.loc[frame["suppressed"], ["p10", "p50", "p90"]].isna().all().all(), path.name
            checked += 1
    assert checked >= 2  # the pay-band tables


def test_a_larger_minimum_cell_suppresses_more(built, monkeypatch):
    from csresearch.models.pay import pay_bands

    root, _, _ = built
    table = pd.read_parquet(root / "data" / "processed" / "survey.parquet")
    cs = table[table["is_customer_service"] & table["annual_mid"].notna()]
    few = pay_bands(cs, ["country", "city"], value="annual_mid")["suppressed"].sum()
    monkeypatch.setenv("CSRESEARCH_MIN_CELL", "40")
    many = pay_bands(cs, ["country", "city"], value="annual_mid")
    assert many["suppressed"].sum() > few
    assert (many.loc[~many["suppressed"], "n"] >= 40).all()


# Statistics tables the build writes, with the column that counts what each row is built from.
# A new CSV output must be added here (and so be checked), or this test fails.
COUNT_COLUMN = {
    "pay_bands_country_level.csv": "n", "pay_bands_city.csv": "n", "pay_model_effects.csv": "n",
    "published_pay.csv": "n_jobs",
}
NOT_STATISTICS = {"survey_rejects.csv"}  # row-level rejects (personal data removed), not a published statistic
FIGURES_FROM_CELLS = {"01_pay_by_country", "pay_by_city_tier", "pay_experience_curve", "pay_us_metros_oews",
                      "official_pay_by_rung"}


def _count_column(frame: pd.DataFrame, name: str) -> str:
    if name in COUNT_COLUMN:
        return COUNT_COLUMN[name]
    for col in ("n", "n_jobs"):
        if col in frame.columns:
            return col
    raise AssertionError(f"{name}: a statistics file with no count column cannot be checked against the minimum cell")


def test_no_csv_or_figure_data_shows_a_statistic_below_the_minimum_cell(built):
    """Every CSV the build writes (tables and each figure's data) respects the minimum cell."""
    from csresearch.config import get_min_cell_size

    root, report, _ = built
    k = get_min_cell_size()
    processed = sorted((root / "data" / "processed").glob("*.csv"))
    figure_data = sorted((root / "reports" / "figures").glob("*.data.csv"))
    assert {p.name for p in processed} - NOT_STATISTICS == set(COUNT_COLUMN)
    assert FIGURES_FROM_CELLS <= {p.name.removesuffix(".data.csv") for p in figure_data}
    for path in processed + figure_data:
        if path.name in NOT_STATISTICS:
            continue
        frame = pd.read_csv(path)
        small, leaked = _small_cells(frame, path.name, k)
        assert not small.any(), f"{path.name}: {int(small.sum())} row(s) shown from fewer than {k}:\n{frame[small].head()}"
        assert not leaked, f"{path.name}: a suppressed row still shows a value"


def _small_cells(frame: pd.DataFrame, name: str, k: int) -> tuple[pd.Series, bool]:
    """Rows shown from fewer than k, and whether a suppressed row still carries a statistic."""
    count = pd.to_numeric(frame[_count_column(frame, name)], errors="coerce")
    hidden = frame["suppressed"].fillna(False).astype(bool) if "suppressed" in frame.columns else pd.Series(False, index=frame.index)
    stats = [c for c in frame.columns if re.fullmatch(r"p\d+|median|mean|value|estimate|ppp_(low|high)", c)]
    shown = ~hidden & frame[stats].notna().any(axis=1) if stats else ~hidden
    # a count the publisher withheld (ONS x in the jobs column) is left to the publisher's control
    checkable = shown & count.notna() if name == "published_pay.csv" else shown
    leaked = bool(stats) and "suppressed" in frame.columns and not frame.loc[hidden, stats].isna().all().all()
    return checkable & ~(count >= k), leaked


def test_the_scan_finds_a_small_cell_and_a_leaked_value():
    frame = pd.DataFrame({"city": ["A", "B", "C"], "n": [12, 3, 2], "p50": [1.0, 2.0, 5.0], "suppressed": [False, False, True]})
    small, leaked = _small_cells(frame, "x.data.csv", 5)
    assert small.tolist() == [False, True, False] and leaked
    with pytest.raises(AssertionError, match="no count column"):
        _small_cells(frame.drop(columns="n"), "x.data.csv", 5)


def test_build_renders_every_notebook_to_html(built):
    root, report, _ = built
    assert sorted(p.name for p in report.reports) == sorted(p.stem + ".html" for p in (root / "notebooks").glob("*.ipynb"))
    assert all(p.stat().st_size > 10_000 for p in report.reports)

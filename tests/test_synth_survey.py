"""The synthetic survey: reproducible, in each source's own format, and true to its spec."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csresearch.io import project_root, read_table
from csresearch.synth import SYNTHETIC_SOURCES, survey_spec, synthetic_survey, write_synthetic_survey

SHIPPED = project_root() / "data" / "raw" / "synthetic"


def test_committed_files_are_what_the_generator_writes(tmp_path):
    write_synthetic_survey(tmp_path)
    for src in SYNTHETIC_SOURCES:
        new, old = read_table(tmp_path / src.file), read_table(SHIPPED / src.file)
        pd.testing.assert_frame_equal(new, old, check_dtype=False)
        if not src.file.endswith(".xlsx"):  # xlsx stores a timestamp; its cells are compared above
            assert (tmp_path / src.file).read_bytes() == (SHIPPED / src.file).read_bytes(), src.file
    assert (tmp_path / "truth.csv").read_bytes() == (SHIPPED / "truth.csv").read_bytes()


def test_each_source_has_its_encoding_and_localised_headers():
    frames = {s.name: read_table(SHIPPED / s.file) for s in SYNTHETIC_SOURCES}
    info = {name: df.attrs["read_info"] for name, df in frames.items()}
    assert info["synth_cn_postings"]["encoding"] == "gb18030"
    assert info["synth_ru_postings"]["encoding"] == "cp1251"
    assert info["synth_de_fr_postings"]["encoding"] == "utf_8_sig"
    assert info["synth_cn_survey"]["format"] == "xlsx" and info["synth_us_survey"]["format"] == "json"
    for name, df in frames.items():
        assert {"title", "salary_text", "city", "experience_text", "education_text"} <= set(df.columns), name
    assert info["synth_ru_postings"]["column_map"]["Зарплата"] == "salary_text"


def test_truth_follows_the_spec_effects():
    """Regressing true log pay on the drawn covariates recovers the spec's effects."""
    _, truth = synthetic_survey(seed=7)
    eff = survey_spec()["true_effects"]
    cs = truth[truth["is_customer_service"]].copy()
    exp = np.minimum(cs["experience_years"], eff["experience_cap_years"])
    X = pd.get_dummies(cs[["level", "education"]].astype(str), drop_first=False).astype(float)
    X = X.drop(columns=["level_1", "education_college"])
    X["experience"] = exp
    X["city"] = 0.0
    # city bases are known from the spec; subtract them with each city's drawn deviation absorbed by fixed effects
    fe = pd.get_dummies(cs["source"] + cs["city_true"], drop_first=False).astype(float)
    design = np.column_stack([X.drop(columns="city").to_numpy(), fe.to_numpy()])
    beta, *_ = np.linalg.lstsq(design, cs["true_log_monthly"].to_numpy(), rcond=None)
    names = list(X.drop(columns="city").columns)
    est = dict(zip(names, beta[: len(names)]))
    assert est["experience"] == pytest.approx(eff["experience_slope"], abs=0.01)
    for lv in (2, 3, 4, 5, 6):
        assert est[f"level_{lv}"] == pytest.approx(eff["log_level_premium"][lv], abs=0.06)


def test_open_ended_ranges_become_more_frequent_with_experience():
    _, truth = synthetic_survey()
    posts = truth[(truth["shown_status"] == "ok") & truth["source"].str.contains("postings")]
    open_end = posts["shown_low"].isna() | posts["shown_high"].isna()
    senior = posts["experience_years"] >= 5
    assert open_end[senior].mean() > 2 * open_end[~senior].mean()


def test_shown_ranges_hold_the_truth_for_gross_monthly_postings():
    _, truth = synthetic_survey()
    rows = truth[(truth["shown_period"] == "month") & (truth["shown_basis"] != "net") & (truth["shown_months"] == 12)
                 & truth["shown_low"].notna() & truth["shown_high"].notna() & truth["source"].str.contains("postings")]
    inside = (rows["shown_low"] <= rows["true_monthly_gross"] * 1.03) & (rows["true_monthly_gross"] <= rows["shown_high"] * 1.03)
    assert inside.mean() > 0.97


def test_truth_names_each_row_by_its_line_in_the_written_file():
    # source_row is the line (sheet row) read_table gives each row: header on line 1 above it
    sources, truth = synthetic_survey()
    for src in SYNTHETIC_SOURCES:
        read = read_table(SHIPPED / src.file)
        want = truth.loc[truth["source"] == src.name, "source_row"].tolist()
        assert read.index.tolist() == want == sources[src.name].index.tolist(), src.name
        assert want[0] == (1 if src.file.endswith(".json") else 2)

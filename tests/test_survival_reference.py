"""Cox, Kaplan-Meier medians and Fine-Gray against stored R values (tests/reference/R/survival_reference.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csresearch.models.cox import fit_cox
from csresearch.models.promotion import fit_promotion_model, time_to_promotion

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "survival_reference.json").read_text())


@pytest.fixture(scope="module")
def review():
    d = pd.read_csv(REF / "cox_review_spells.csv")
    return d.assign(outcome=np.where(d["promotion"] == 1, "promotion", "censored"), duration_months=d["time"])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_with_ties_strata_and_clusters_matches_r(review, ties):
    m = fit_promotion_model(review, "kpi_score + C(education, Treatment('high_school'))", strata="level", ties=ties)
    ref = R[f"review_{ties}"]
    fit = m.promotion
    order = [0, 1, 2, 3]  # R: kpi_score, bachelor, college, master; ours: education terms first
    ours = pd.Series(fit.params, index=fit.names)
    names = ["kpi_score", *[f"C(education, Treatment('high_school'))[T.{e}]" for e in ("bachelor", "college", "master")]]
    np.testing.assert_allclose(ours[names].to_numpy(), np.array(ref["coef"])[order], atol=1e-8)
    np.testing.assert_allclose(pd.Series(fit.bse, index=fit.names)[names], ref["se"], atol=1e-8)  # coxph(cluster=id)
    np.testing.assert_allclose(pd.Series(fit.naive_bse, index=fit.names)[names], ref["naive_se"], atol=1e-8)
    assert fit.loglik == pytest.approx(ref["loglik"], abs=1e-7)
    # Baseline cumulative hazard at covariates 0, per stratum, as basehaz(centered = FALSE).
    bh = pd.DataFrame(ref["basehaz"])
    for code, (label, g) in enumerate(bh.groupby("strata", sort=True)):
        np.testing.assert_allclose(fit.cumulative_hazard(code, g["time"].to_numpy()), g["hazard"], rtol=1e-8, atol=1e-10)


def test_cox_counting_process_kpi_path_matches_r():
    k = pd.read_csv(REF / "cox_kpi_intervals.csv")
    fit = fit_cox(k[["kpi_score"]], k["stop"], k["promotion"], entry=k["entry"], strata=k["level"] - 1,
                  cluster=k["employee_id"])
    ref = R["kpi_intervals"]
    assert abs(fit.params[0] - ref["coef"]) < 1e-8
    assert abs(fit.bse[0] - ref["se"]) < 1e-8 and abs(fit.naive_bse[0] - ref["naive_se"]) < 1e-8
    bh = pd.DataFrame(ref["basehaz"])
    g = bh[bh["strata"] == "level=1"]
    np.testing.assert_allclose(fit.cumulative_hazard(0, g["time"].to_numpy()), g["hazard"], rtol=1e-8)


@pytest.mark.parametrize("case", ["km_half", "km_half2", "km_zero"])
def test_kaplan_meier_median_and_limits_match_r(case):
    ref = R[case]
    sp = pd.DataFrame({"employee_id": range(len(ref["time"])), "duration_months": ref["time"],
                       "outcome": np.where(np.array(ref["status"]) == 1, "promotion", "censored")})
    from csresearch.config import set_min_cell_size
    set_min_cell_size(1)
    try:
        med = time_to_promotion(sp, competing=False).medians.iloc[0]
    finally:
        set_min_cell_size(None)
    assert med["median_months"] == pytest.approx(ref["median"])
    assert med["ci_low"] == pytest.approx(ref["lower"])
    if ref["upper"] == "NA":
        assert np.isnan(med["ci_high"])  # R reports no upper limit
    else:
        assert med["ci_high"] == pytest.approx(ref["upper"])


def test_fine_gray_matches_cmprsk_crr():
    from csresearch.models.finegray import fit_fine_gray

    f = pd.read_csv(REF / "finegray_level1.csv")
    sp = f.assign(duration_months=f["time"], outcome=f["status"].map({0: "censored", 1: "promotion", 2: "exit"}))
    fg = fit_fine_gray(sp, "kpi_score + tier3")
    ref = R["finegray"]
    assert np.abs(fg.params - np.array(ref["coef"])).max() < 1e-3
    assert np.abs(fg.bse - np.array(ref["se"])).max() < 1e-3  # crr's sandwich, with the term for estimating G
    assert fg.loglik == pytest.approx(ref["loglik"], abs=1e-4)
    assert fg.effects().loc["kpi_score", "subdistribution_hr"] > 1

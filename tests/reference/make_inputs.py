"""Write the input data sets of the R reference scripts (tests/reference/R/*.R).

Run from the repository root: ``python tests/reference/make_inputs.py``, then
``Rscript tests/reference/R/survival_reference.R`` and
``Rscript tests/reference/R/quantreg_reference.R``. The tests read the stored
CSV inputs and the JSON written by R; neither R nor this script runs in the suite.
All data are SYNTHETIC (csresearch.synth.hr, seeded).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from csresearch.events import build_spells, split_spells
from csresearch.synth.hr import simulate_histories, simulate_kpi_histories

HERE = Path(__file__).resolve().parent


def main() -> None:
    # Pooled levels with promotions at quarterly reviews: many tied times, several spells per employee.
    ev, truth = simulate_histories(400, seed=7, review_every_months=3)
    sp = build_spells(ev, censor_date=truth.censor_date)
    sp = sp[sp["level"] <= 3]
    pd.DataFrame({
        "employee_id": sp["employee_id"], "level": sp["level"].astype(int),
        "time": sp["duration_months"].round(6), "promotion": (sp["outcome"] == "promotion").astype(int),
        "kpi_score": sp["kpi_score"], "education": sp["education"],
    }).to_csv(HERE / "cox_review_spells.csv", index=False)

    # Counting-process rows: promotion depends on the last published quarterly KPI.
    ev, kpi, truth = simulate_kpi_histories(300, seed=8)
    rows = split_spells(build_spells(ev, censor_date=truth.censor_date), kpi)
    pd.DataFrame({
        "employee_id": rows["employee_id"], "level": rows["level"].astype(int),
        "entry": rows["entry_months"].round(6), "stop": rows["duration_months"].round(6),
        "promotion": (rows["outcome"] == "promotion").astype(int), "kpi_score": rows["kpi_score"],
    }).to_csv(HERE / "cox_kpi_intervals.csv", index=False)

    # Competing risks at level 1: promotion (1) vs exit (2), censored (0).
    ev, truth = simulate_histories(500, seed=9)
    sp = build_spells(ev, censor_date=truth.censor_date)
    sp = sp[sp["level"] == 1]
    pd.DataFrame({
        "time": sp["duration_months"].round(6),
        "status": sp["outcome"].map({"promotion": 1, "exit": 2}).fillna(0).astype(int),
        "kpi_score": sp["kpi_score"], "tier3": (sp["city_tier"] == 3).astype(int),
    }).to_csv(HERE / "finegray_level1.csv", index=False)

    # Log pay with heteroskedastic errors, for quantile regression.
    rng = np.random.default_rng(10)
    n = 307  # no city holds a multiple of 10 rows: otherwise n * tau is whole and the rq optimum is a flat segment
    exp_years = rng.uniform(0, 10, n).round(6)  # continuous, so the rq solution is unique
    city = rng.choice(["beijing", "chengdu", "wuhan"], n)
    log_pay = 8.6 + 0.05 * exp_years + np.where(city == "beijing", 0.25, 0.0) + (0.15 + 0.03 * exp_years) * rng.standard_normal(n)
    pd.DataFrame({"log_pay": log_pay.round(6), "experience_years": exp_years, "city": city}).to_csv(
        HERE / "quantreg_pay.csv", index=False)


if __name__ == "__main__":
    main()

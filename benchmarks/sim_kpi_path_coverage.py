"""Simulation: does the 95 % interval of the time-varying KPI effect cover the truth?

Each replication draws histories where promotion depends on the KPI published at
the end of the last quarter (csresearch.synth.hr.simulate_kpi_histories, SYNTHETIC),
then fits two Cox models of promotion stratified by level, clustered by employee:

* path model: counting-process rows from csresearch.split_spells (KPI as it changes);
* at-hire model: the KPI recorded at hire, fixed for the whole spell.

Prints the coverage of the 95 % intervals of the KPI hazard ratio (with its Monte
Carlo standard error) and the mean estimate of each model against the truth.
Run: python benchmarks/sim_kpi_path_coverage.py [n_replications] [n_employees]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from csresearch.events import build_spells, split_spells
from csresearch.models.promotion import fit_promotion_model
from csresearch.synth.hr import simulate_kpi_histories


def one(seed: int, n: int) -> tuple[float, float, float, float]:
    events, kpi, truth = simulate_kpi_histories(n, seed=seed)
    spells = build_spells(events, censor_date=truth.censor_date)
    path = fit_promotion_model(split_spells(spells, kpi), "kpi_score", strata="level").effects().loc["kpi_score"]
    hire = fit_promotion_model(spells, "kpi_score", strata="level").effects().loc["kpi_score"]
    return (path["coef"], float(path["ci_low"] <= truth.kpi_hazard_ratio <= path["ci_high"]),
            hire["coef"], float(hire["ci_low"] <= truth.kpi_hazard_ratio <= hire["ci_high"]))


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 800
    truth = simulate_kpi_histories(10, seed=0)[2].kpi_hazard_ratio
    t0 = time.perf_counter()
    res = np.array([one(1000 + r, n) for r in range(reps)])
    path_cov, hire_cov = res[:, 1].mean(), res[:, 3].mean()
    mc = lambda p: np.sqrt(p * (1 - p) / reps)  # noqa: E731
    print(f"{reps} replications of {n} employees (SYNTHETIC), true KPI hazard ratio {truth}, {time.perf_counter() - t0:.0f} s")
    print(f"KPI-path model : mean HR {np.exp(res[:, 0].mean()):.3f} (mean log HR bias {res[:, 0].mean() - np.log(truth):+.4f}), "
          f"95 % interval coverage {path_cov:.3f} (MC s.e. {mc(path_cov):.3f})")
    print(f"at-hire model  : mean HR {np.exp(res[:, 2].mean()):.3f} (mean log HR bias {res[:, 2].mean() - np.log(truth):+.4f}), "
          f"95 % interval coverage {hire_cov:.3f}")


if __name__ == "__main__":
    main()

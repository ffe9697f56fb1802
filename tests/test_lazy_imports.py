"""Importing csresearch, and using its pandas functions, loads no library a caller did not ask for.

Behaviour, not timing: each case runs in a fresh interpreter and reads ``sys.modules``
(the import-time figures are in benchmarks/bench_import.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("statsmodels", "sklearn", "matplotlib", "dask", "distributed", "pandera", "pandas", "scipy")


def _loaded_after(code: str) -> list[str]:
    probe = code + f"\nimport sys, json; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_csresearch_loads_no_heavy_library():
    assert _loaded_after("import csresearch; csresearch.__version__; dir(csresearch)") == []


def test_cleaning_events_and_published_statistics_do_not_import_dask_or_models():
    code = """
import pandas as pd
import csresearch as cs
raw = pd.DataFrame({"title": ["客服专员", "会计"], "salary": ["8000", "面议"], "city": ["上海", "北京"]})
res = cs.clean_survey(raw, source="t", country="CN", year=2024)
assert res.manifest["rows_in"] == 2
cs.validate_events(pd.DataFrame({"employee_id": [1, 1], "date": ["2020-01-01", "2021-01-01"],
                                 "event": ["hire", "promotion"], "level": [1, 2]}))
from csresearch.schema import ProcessedTable  # the schema object, built on first use
ProcessedTable.validate(res.table)
"""
    loaded = _loaded_after(code)
    assert "pandera" in loaded and "pandas" in loaded  # the probe did validate
    # scikit-learn is expected: clean_survey reads titles with classify_roles, whose learned model
    # turns titles into n-grams with scikit-learn's vectoriser (issue 13)
    assert [m for m in loaded if m in ("dask", "distributed", "statsmodels", "matplotlib")] == []

"""scripts/build_wdi_reference.py reproduces the shipped fx_rates.csv, ppp.csv and cpi.csv.

The WDI bulk files are public copies in other repositories and are not redistributed here
(csresearch/reference/sources/money.md names repository, path, commit and release). Point
CSRESEARCH_WDI_DIR at a folder holding the three files below to run this test; without them it
is skipped.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "fx": "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv",  # WDI release 2025-07-01
    "ppp": "API_PA.NUS.PRVT.PP_DS2_en_csv_v2_5762.csv",  # WDI release 2025-10-07
    "cpi": "API_FP.CPI.TOTL_DS2_en_csv_v2_129887.csv",  # WDI release 2025-10-07
}


def _wdi_dir() -> Path | None:
    folder = os.environ.get("CSRESEARCH_WDI_DIR")
    if not folder:
        return None
    folder = Path(folder)
    return folder if all((folder / name).is_file() for name in FILES.values()) else None


def _script():
    spec = importlib.util.spec_from_file_location("build_wdi_reference", ROOT / "scripts" / "build_wdi_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(_wdi_dir() is None, reason="WDI bulk files not present (set CSRESEARCH_WDI_DIR)")
def test_build_reproduces_shipped_tables():
    folder = _wdi_dir()
    script = _script()
    args = [f"--{key}={folder / name}" for key, name in FILES.items()]
    assert script.main([*args, "--check"]) == 0


@pytest.mark.skipif(_wdi_dir() is None, reason="WDI bulk files not present (set CSRESEARCH_WDI_DIR)")
def test_release_dates_are_the_documented_ones():
    folder = _wdi_dir()
    script = _script()
    dates = {key: script.read_wdi(folder / name)[1] for key, name in FILES.items()}
    assert dates == {"fx": "2025-07-01", "ppp": "2025-10-07", "cpi": "2025-10-07"}

"""One WDI release behind fx_rates.csv, ppp.csv and cpi.csv, rebuilt from the shipped extract.

``data/raw/wdi_2025_07_01_money.csv`` is made by ``scripts/build_wdi_extract.py`` from three WDI
API downloads of release 2025-07-01 stored in public repositories (data/raw/README.md names
repository, path, commit and SHA-256). ``scripts/build_wdi_reference.py`` turns it into the
reference tables. The byte-for-byte rebuild of the extract needs the stored copies under
/work/.mirror and is skipped without them.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "csresearch" / "reference"
EXTRACT = ROOT / "data" / "raw" / "wdi_2025_07_01_money.csv"
RELEASE = "2025-07-01"
OWID_GIT = Path("/work/.mirror/owid+notebooks/repo")
OWID_COMMIT = "9041b56382f770faae7a12a8b9d74ffa0469cc2f"
OWID_DIR = "PabloArriagada/global_distribution_giving_what_we_can"
FX_GIT = Path("/work/.mirror/Harb1nger001+GlobalConflictFXStress/repo")
FX_COMMIT = "d90bf9f42e7959aa1a3078608e920be70b01b565"
STORED = {
    "fx": (FX_GIT, FX_COMMIT, "data/raw/API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv"),
    "ppp": (OWID_GIT, OWID_COMMIT, f"{OWID_DIR}/API_PA.NUS.PRVT.PP_DS2_en_csv_v2_22915.csv"),
    "cpi": (OWID_GIT, OWID_COMMIT, f"{OWID_DIR}/API_FP.CPI.TOTL_DS2_en_csv_v2_37831.csv"),
}
EURO = ["AT", "BE", "DE", "ES", "FI", "FR", "GR", "IE", "IT", "NL", "PT"]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_tables_are_rebuilt_exactly_from_the_extract():
    assert _script("build_wdi_reference").main(["--check"]) == 0


def test_every_wdi_row_of_the_three_tables_names_the_one_release():
    for name in ("fx_rates.csv", "ppp.csv", "cpi.csv"):
        t = pd.read_csv(REF / name, keep_default_na=False)
        wdi = t[t["source"].str.startswith("World Bank WDI")]
        assert set(wdi["source"]) == {f"World Bank WDI (updated {RELEASE})"}, name
        assert len(wdi) > 400, name


def test_extract_is_one_release_of_the_three_series():
    x = pd.read_csv(EXTRACT, dtype=str, keep_default_na=False)
    assert set(x["last_updated"]) == {RELEASE}
    assert set(x["Indicator Code"]) == {"PA.NUS.FCRF", "PA.NUS.PRVT.PP", "FP.CPI.TOTL"}
    assert set(x["year"]) == {str(y) for y in range(2015, 2025)}
    assert not (x["value"] == "").any()


def test_euro_members_carry_the_euro_area_rate_and_their_own_ppp():
    x = pd.read_csv(EXTRACT, dtype={"value": float, "year": int}, keep_default_na=False)
    fx = x[x["Indicator Code"] == "PA.NUS.FCRF"].pivot(index="year", columns="Country Code", values="value")
    for iso3 in ["AUT", "BEL", "DEU", "ESP", "FIN", "FRA", "GRC", "IRL", "ITA", "NLD", "PRT"]:
        assert (fx[iso3] == fx["EMU"]).all(), iso3
    ppp = pd.read_csv(REF / "ppp.csv")
    p23 = ppp[(ppp["year"] == 2023) & ppp["country"].isin(EURO)].set_index("country")["value"]
    assert sorted(p23.index) == sorted(EURO)
    # release 2025-07-01 as published (France's earlier shipped 0.719442 is in no stored copy)
    assert p23["FR"] == 0.771728 and p23["DE"] == 0.746175
    assert p23.nunique() == len(EURO)  # per-country price levels, not one euro figure


def _api_csv(path: Path, code: str, updated: str, rows: dict[str, str]) -> Path:
    years = ",".join(f'"{y}"' for y in range(1960, 2025))
    lines = ['"Data Source","World Development Indicators",', "", f'"Last Updated Date","{updated}",', "",
             f'"Country Name","Country Code","Indicator Name","Indicator Code",{years},']
    for iso3, v2023 in rows.items():
        cells = ['""'] * 63 + [f'"{v2023}"', '""']
        lines.append(f'"{iso3} name","{iso3}","indicator","{code}",' + ",".join(cells) + ",")
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_extract_script_refuses_files_of_two_releases(tmp_path, capsys):
    fx = _api_csv(tmp_path / "fx.csv", "PA.NUS.FCRF", "2025-07-01", {"EMU": "0.92", "FRA": "0.92"})
    ppp = _api_csv(tmp_path / "ppp.csv", "PA.NUS.PRVT.PP", "2025-10-07", {"FRA": "0.77"})
    cpi = _api_csv(tmp_path / "cpi.csv", "FP.CPI.TOTL", "2025-07-01", {"FRA": "124.0"})
    out = tmp_path / "x.csv"
    args = ["--fx", str(fx), "--ppp", str(ppp), "--cpi", str(cpi), "-o", str(out), "--no-check-sha"]
    script = _script("build_wdi_extract")
    assert script.main(args) == 1
    assert "different WDI releases" in capsys.readouterr().err and not out.exists()
    _api_csv(ppp, "PA.NUS.PRVT.PP", "2025-07-01", {"FRA": "0.77", "XXX": "9"})
    assert script.main(args) == 0
    got = pd.read_csv(out, dtype=str)
    assert got[["Country Code", "Indicator Code", "year", "value"]].values.tolist() == [
        ["EMU", "PA.NUS.FCRF", "2023", "0.92"], ["FRA", "PA.NUS.FCRF", "2023", "0.92"],
        ["FRA", "PA.NUS.PRVT.PP", "2023", "0.77"], ["FRA", "FP.CPI.TOTL", "2023", "124.0"]]
    # without --no-check-sha a file other than the recorded copy is refused
    assert script.main(args[:-1]) == 1


def test_reference_build_refuses_an_extract_of_two_releases(tmp_path):
    x = pd.read_csv(EXTRACT, dtype=str, keep_default_na=False)
    x.loc[x.index[0], "last_updated"] = "2025-10-07"
    bad = tmp_path / "mixed.csv"
    x.to_csv(bad, index=False)
    script = _script("build_wdi_reference")
    with pytest.raises(script.ExtractError, match="2 WDI releases"):
        script.build(bad)


@pytest.mark.skipif(not all(git.is_dir() for git, _, _ in STORED.values()) or shutil.which("git") is None,
                    reason="stored copies of owid/notebooks and Harb1nger001/GlobalConflictFXStress not on this machine")
def test_extract_rebuild_from_the_stored_copies_is_byte_identical(tmp_path):
    args = []
    for key, (git, commit, path) in STORED.items():
        src = tmp_path / f"{key}.csv"
        src.write_bytes(subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{path}"],
                                       check=True, capture_output=True).stdout)
        args += [f"--{key}", str(src)]
    out = tmp_path / "extract.csv"
    assert _script("build_wdi_extract").main([*args, "-o", str(out)]) == 0
    assert out.read_bytes() == EXTRACT.read_bytes()

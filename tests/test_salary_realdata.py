"""parse_salaries on every salary string of the four real posting files.

Skipped when ../shared/realdata is absent. Nothing from those files is
written anywhere; the test only reads them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csresearch.clean.salary import parse_salaries

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"

pytestmark = pytest.mark.realdata

# (file, reader, column, country, minimum share of rows parsed "ok" — all four
# files hold only postings with a stated salary; measured 1.000 each).
SOURCES = {
    "51job": ("cn_51job_shanghai_2020/qianchengwuyou_all.csv", {"header": None}, 4, "CN"),
    "hh": ("ru_hh_salary_strings_2023/vacancies.csv", {}, "salary", "RU"),
    "superjob": ("ru_superjob_it_2018/vacancies.csv", {}, "salary", "RU"),
    "adzuna": ("en_adzuna_uk_2013_subset/Train_rev1.csv", {}, "SalaryRaw", "GB"),
}


def _read(name: str) -> tuple[pd.DataFrame, pd.Series, str]:
    rel, kwargs, column, country = SOURCES[name]
    path = REALDATA / rel
    if not path.exists():
        pytest.skip(f"real data not available: {path} (see /work/shared/realdata/*/PROVENANCE.md)")
    frame = pd.read_csv(path, **kwargs)
    return frame, frame[column], country


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_real_salary_string_parses(name):
    _, texts, country = _read(name)
    out = parse_salaries(texts, country=country)
    assert out.index.equals(texts.index) and len(out) == len(texts)
    share_ok = (out["status"] == "ok").mean()
    print(f"{name}: {len(out)} rows, {texts.nunique()} distinct, share ok {share_ok:.4f}")
    assert share_ok >= 0.99
    ok = out["status"] == "ok"
    assert (out.loc[ok, "currency"].notna()).all()
    assert (out.loc[ok, ["monthly_low", "monthly_high"]].max(axis=1) > 0).all()


def test_adzuna_annual_mid_matches_salary_normalized():
    frame, texts, country = _read("adzuna")
    out = parse_salaries(texts, country=country)
    ok = out["status"].eq("ok") & out["currency"].eq("GBP")
    lo, hi = out["annual_low"], out["annual_high"]
    # The pipeline's annual_mid leaves open ranges empty; Adzuna fills them, so
    # compare with the stated bound there.
    mid = ((lo + hi) / 2).fillna(lo).fillna(hi)
    truth = frame["SalaryNormalized"].astype(float)
    rel = ((mid - truth).abs() / truth)[ok]
    median_rel, within_5 = float(rel.median()), float((rel <= 0.05).mean())
    print(f"adzuna: median |annual_mid - SalaryNormalized| / SalaryNormalized = {median_rel:.4f}; "
          f"share within 5% = {within_5:.4f} over {int(ok.sum())} rows")
    assert median_rel <= 0.01
    assert within_5 >= 0.95
    # Hourly rates: Adzuna annualises with 1920 h (40 h x 48 weeks); our GB
    # row uses 1950 h (37.5 h x 52 weeks), so their figure is 1920/1950 of ours.
    hourly = ok & out["period"].eq("hour") & lo.notna() & hi.notna()
    ratio = (truth / mid)[hourly]
    print(f"adzuna hourly rows: {int(hourly.sum())}, median SalaryNormalized/annual_mid = {ratio.median():.4f}")
    assert np.isclose(ratio.median(), 1920 / 1950, rtol=1e-3)

"""Pay figures: they draw what they are given and never a cell below the minimum size."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from csresearch.config import set_min_cell_size  # noqa: E402
from csresearch.models.pay import pay_bands  # noqa: E402
from csresearch.plots import pay as pp  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _cn_rows() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    sizes = {"Big": (1, 40), "Mid": (2, 12), "Tiny": (3, 3)}
    rows = []
    for city, (tier, n) in sizes.items():
        rows += [{"city": city, "cn_tier": tier, "annual_mid": float(v)} for v in rng.uniform(5e4, 2e5, n)]
    return pd.DataFrame(rows)


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def test_tier_figure_lists_small_cities_as_suppressed_and_follows_the_config():
    # issue 15: a suppressed city is drawn and labelled as suppressed, not dropped, and no value is drawn for it
    bands = pay_bands(_cn_rows(), ["cn_tier", "city"], value="annual_mid", min_cell=5)
    ranges = pd.DataFrame({"cn_tier": [1, 2, 3], "annual_low": [1e5, 6e4, 4e4], "annual_high": [3e5, 2e5, 1.5e5]})
    fig = pp.plot_pay_by_tier(bands, ranges, min_cell=5)
    assert _labels(fig.axes[0]) == ["Big (n=40)", "Mid (n=12)", "Tiny: suppressed (n < 5)"]
    assert len(fig.axes[0].lines) == 2  # one median dot per shown city
    set_min_cell_size(20)
    try:
        fig = pp.plot_pay_by_tier(bands, ranges)
    finally:
        set_min_cell_size(None)
    assert _labels(fig.axes[0]) == ["Big (n=40)", "Mid: suppressed (n < 20)", "Tiny: suppressed (n < 20)"]
    assert len(fig.axes[0].lines) == 1
    data = fig.csresearch_data
    assert data.loc[data["suppressed"], ["p10", "p50", "p90"]].isna().all().all()


def test_level_premiums_are_exp_minus_one_of_level_terms():
    eff = pd.DataFrame(
        {"estimate": [9.0, 0.2, 0.5, 0.03], "ci_low": [8.9, 0.1, 0.4, 0.02], "ci_high": [9.1, 0.3, 0.6, 0.04]},
        index=["Intercept", "C(level)[T.2]", "C(level)[T.3]", "experience_years"],
    )
    lp = pp.level_premiums(eff)
    assert lp["level"].tolist() == [2, 3]
    np.testing.assert_allclose(lp["premium_estimate"], np.expm1([0.2, 0.5]))
    fig = pp.plot_level_premiums({"a": eff}, truth={1: 0.0, 2: 0.18, 3: 0.35})
    ys = np.asarray(fig.axes[0].containers[0].lines[0].get_ydata(), dtype=float)
    np.testing.assert_allclose(ys, 100 * np.expm1([0.2, 0.5]))


def test_oews_figure_drops_small_areas_and_keeps_top_by_employment():
    stats = ["p10", "p25", "median", "p75", "p90"]
    rows = []
    for i, (area, emp) in enumerate([("A, X", 5000), ("B, Y", 900), ("C, Z", 3)]):
        rows += [{"area_title": area, "area_type": "metro", "occ_code": "43-4051", "occ_title": "CSR", "release": "May 2025",
                  "tot_emp": emp, "stat": s, "annual_usd": 30000 + 5000 * j + 1000 * i} for j, s in enumerate(stats)]
    fig = pp.plot_oews_metros(pd.DataFrame(rows), top=10, min_cell=5)
    assert sorted(_labels(fig.axes[0])) == ["A", "B"]


def test_cv_and_interval_figures_draw_each_model():
    scores = pd.DataFrame({"fold": [0, 0, 1, 1], "model": ["gradient_boosting", "linear"] * 2,
                           "rmse_log": [0.2, 0.3, 0.25, 0.28], "mdape": [0.1, 0.2, 0.12, 0.18]})
    assert len(pp.plot_cv_error(scores).axes) == 2
    e = pd.DataFrame({"estimate": [0.03, 0.2], "ci_low": [0.02, 0.1], "ci_high": [0.04, 0.3]},
                     index=["experience_years", "C(level)[T.2]"])
    fig = pp.plot_interval_vs_midpoint({"interval": e, "midpoint": e * 0.9})
    assert len(fig.axes) == 2  # slope panel and category panel


def test_country_table_converts_with_ppp():
    table = pd.DataFrame({
        "source": ["seed_survey"] * 3, "title": ["Head of Customer Service"] * 3, "country": ["US", "DE", "CN"],
        "currency": ["USD", "EUR", "CNY"], "annual_low": [8e4, 6e4, 2e5], "annual_high": [1.2e5, 9e4, 4e5],
    })
    ct = pp.seed_country_table(table)
    assert ct.set_index("country").loc["US", "ppp_low"] == 8e4
    from csresearch.money import load_reference_table

    ppp = load_reference_table("ppp").set_index(["country", "year"])["value"]
    assert ct.set_index("country").loc["DE", "ppp_low"] == pytest.approx(6e4 / ppp["DE", 2023])  # ppp_year default
    assert len(pp.plot_country_table(ct).axes) == 2

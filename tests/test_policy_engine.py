"""Simulator of written promotion rules: degenerate policies whose answer is arithmetic.

Expected months come from the seed's figures (3 months at 初级, a year before 高级, six
consecutive months, two years in post, 3/6-month reviews) or from the test's own policy file,
never from a previous run of the simulator.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from csresearch.policy import (
    PerformanceProcess,
    load_policy,
    policy_summary,
    simulate_policy,
    time_to_level,
)

ALWAYS_EXCELLENT = 100.0
ALWAYS_BAD = 0.0


def months_since_hire(events: pd.DataFrame) -> pd.Series:
    hire = events.groupby("employee_id")["date"].transform("first")
    return (events["date"].dt.year - hire.dt.year) * 12 + events["date"].dt.month - hire.dt.month


def moves(events: pd.DataFrame) -> list[tuple[int, str, int]]:
    """(month, event, level) of each non-hire event of the first employee."""
    first = events[events["employee_id"] == events["employee_id"].iloc[0]]
    m = months_since_hire(first)
    rows = first.assign(m=m)[first["event"] != "hire"]
    return list(zip(rows["m"].astype(int), rows["event"], rows["level"].astype(int), strict=True))


def same_for_everyone(events: pd.DataFrame) -> bool:
    key = events.assign(m=months_since_hire(events)).groupby("employee_id")[["m", "event", "level"]]
    seqs = key.apply(lambda d: tuple(map(tuple, d.to_numpy()))).unique()
    return len(seqs) == 1


# ---------------------------------------------------------------- always excellent
def test_tiered_tenure_monthly_reviews_promote_at_seed_tenure_minimums():
    # "必须在初级客服上干满3个月以上" -> 中级 at month 3; "必须在初级客服上干满1年以上" -> 高级 at 12;
    # 资深: no stated minimum, so the 3-month score window after entering 高级 -> 15.
    policy = load_policy("tiered_tenure").with_changes(review_months=1)
    ev = simulate_policy(policy, 200, months=36, seed=1, performance=ALWAYS_EXCELLENT, exit_hazard=0.0)
    assert moves(ev) == [(3, "promotion", 2), (12, "promotion", 3), (15, "promotion", 4)]
    assert same_for_everyone(ev)


def test_tiered_tenure_quarterly_reviews_promote_only_at_review_months():
    ev = simulate_policy("tiered_tenure", 100, months=36, seed=2, performance=ALWAYS_EXCELLENT, exit_hazard=0.0)
    assert moves(ev) == [(3, "promotion", 2), (12, "promotion", 3), (15, "promotion", 4)]
    # every level move of every employee falls on a quarterly review (all grades review every 3)
    ev = simulate_policy("tiered_tenure", 2000, months=48, seed=3, exit_hazard=0.0)
    moved = ev["event"].isin(["promotion", "demotion"])
    assert moved.sum() > 100
    assert (months_since_hire(ev)[moved] % 3 == 0).all()


def test_review_cadence_change_moves_promotions_to_the_new_review_months():
    policy = load_policy("tiered_tenure").with_changes(review_months=6)
    ev = simulate_policy(policy, 50, months=36, seed=4, performance=ALWAYS_EXCELLENT, exit_hazard=0.0)
    assert moves(ev) == [(6, "promotion", 2), (12, "promotion", 3), (18, "promotion", 4)]


def test_tenure_minimum_change_delays_first_promotion():
    policy = load_policy("tiered_tenure").with_changes(min_months={"初级客服": 6}, review_months=1)
    ev = simulate_policy(policy, 20, months=24, seed=5, performance=ALWAYS_EXCELLENT, exit_hazard=0.0)
    assert moves(ev)[0] == (6, "promotion", 2)


def test_own_policy_file_three_month_minimum_monthly_reviews(tmp_path):
    path = tmp_path / "every_three.yaml"
    path.write_text(
        textwrap.dedent(
            """
            name: every_three
            source: test
            review_months: 1
            ratings: [{name: bad, min_score: null}, {name: good, min_score: 50}]
            promotion: {consecutive: {at_least: good, months: 1}}
            demotion: {consecutive: {at_most: bad, months: 1}}
            grades:
              - {name: a, rung: 1, min_months: 3}
              - {name: b, rung: 1, min_months: 3}
              - {name: c, rung: 2, min_months: 3}
              - {name: d, rung: 3}
            """
        ),
        encoding="utf-8",
    )
    ev = simulate_policy(path, 500, months=30, seed=6, performance=ALWAYS_EXCELLENT, exit_hazard=0.0)
    assert moves(ev) == [(3, "promotion", 2), (6, "promotion", 3), (9, "promotion", 4)]  # grade numbers
    assert same_for_everyone(ev)


def test_ecommerce_review_always_excellent_follows_3_3_6_month_reviews():
    # 初级 and 中级 "3个月考核一次", 高级 "6个月考核一次"
    ev = simulate_policy("ecommerce_review", 50, months=24, seed=7, performance=ALWAYS_EXCELLENT, exit_hazard=0.0)
    assert moves(ev) == [(3, "promotion", 2), (6, "promotion", 3), (12, "promotion", 4)]


def test_consecutive_excellent_six_months_then_two_years_in_post():
    # "连续6个月业绩达到优秀标准" -> 6, 12; "在当前岗位工作满两年以上" -> 12+24, 36+24
    ev = simulate_policy("consecutive_excellent", 50, months=72, seed=8, performance=ALWAYS_EXCELLENT, exit_hazard=0)
    assert moves(ev) == [(6, "promotion", 2), (12, "promotion", 3), (36, "promotion", 4), (60, "promotion", 5)]


# ---------------------------------------------------------------- always bad
def test_tiered_tenure_always_bad_demotes_each_quarter_and_never_below_lowest():
    ev = simulate_policy(
        "tiered_tenure", 100, months=36, seed=9, performance=ALWAYS_BAD, exit_hazard=0.0, initial_level=4
    )
    assert moves(ev) == [(3, "demotion", 3), (6, "demotion", 2), (9, "demotion", 1)]
    assert ev["level"].min() == 1
    assert same_for_everyone(ev)


def test_ecommerce_always_bad_demotes_then_dismisses_at_lowest_grade():
    # 高级 reviewed at 6 -> 中级; 中级 at 3 more -> 初级; 初级 after 3 more: "则淘汰" (exit at level 1)
    ev = simulate_policy(
        "ecommerce_review", 100, months=24, seed=10, performance=ALWAYS_BAD, exit_hazard=0.0, initial_level=3
    )
    assert moves(ev) == [(6, "demotion", 2), (9, "demotion", 1), (12, "exit", 1)]
    hired_low = simulate_policy("ecommerce_review", 10, months=12, seed=10, performance=ALWAYS_BAD, exit_hazard=0)
    assert moves(hired_low) == [(3, "exit", 1)]


def test_consecutive_excellent_has_no_demotion_rule():
    ev = simulate_policy(
        "consecutive_excellent", 50, months=24, seed=11, performance=ALWAYS_BAD, exit_hazard=0.0, initial_level=3
    )
    assert (ev["event"] == "hire").all()


# ---------------------------------------------------------------- rule semantics on crafted scores
@pytest.mark.parametrize(
    ("scores", "promoted"),
    [
        ([85, 85, 69], False),  # mean 79.7 < 80
        ([90, 90, 60], True),  # mean exactly 80: "at_least" includes the threshold
        ([100, 100, 100], True),
    ],
)
def test_tiered_tenure_quarterly_mean_threshold(scores, promoted):
    ev = simulate_policy("tiered_tenure", 1, months=3, seed=0, performance=np.array(scores, float), exit_hazard=0)
    assert (ev["event"] == "promotion").any() == promoted


@pytest.mark.parametrize(
    ("scores", "promoted"),
    [
        ([95, 85, 85], True),  # 1 reserve (>=90) + 2 gold (>=80)
        ([85, 85, 95], True),  # order within the window does not matter
        ([95, 95, 95], True),  # a reserve month also counts as gold
        ([85, 85, 85], False),  # no reserve month
        ([95, 95, 75], False),  # only two months at gold or better
    ],
)
def test_ecommerce_two_gold_one_reserve(scores, promoted):
    ev = simulate_policy("ecommerce_review", 1, months=3, seed=0, performance=np.array(scores, float), exit_hazard=0)
    assert (ev["event"] == "promotion").any() == promoted


def test_consecutive_run_restarts_after_a_bad_month():
    scores = np.array([100] * 5 + [0] + [100] * 6, float)
    ev = simulate_policy("consecutive_excellent", 1, months=12, seed=0, performance=scores, exit_hazard=0)
    assert moves(ev) == [(12, "promotion", 2)]


def test_demotion_needs_three_consecutive_middle_months():
    # 中级: months at or below "middle" (< 70) break by one senior month -> no demotion at month 3 or 6
    scores = np.array([65, 65, 75, 65, 65, 75], float)
    ev = simulate_policy(
        "ecommerce_review", 1, months=6, seed=0, performance=scores, exit_hazard=0, initial_level=2
    )
    assert (ev["event"] == "hire").all()
    ev = simulate_policy(
        "ecommerce_review", 1, months=3, seed=0, performance=np.array([65, 65, 65], float), exit_hazard=0,
        initial_level=2,
    )
    assert moves(ev) == [(3, "demotion", 1)]


# ---------------------------------------------------------------- exits
def test_zero_exit_hazard_means_no_exits():
    for name in ("tiered_tenure", "consecutive_excellent"):
        ev = simulate_policy(name, 3000, months=60, seed=12, exit_hazard=0.0)
        assert not (ev["event"] == "exit").any()


@pytest.mark.parametrize("h", [0.02, 0.1])
def test_exit_share_matches_geometric_survival(h):
    n = 20_000
    ev = simulate_policy("consecutive_excellent", n, months=24, seed=13, exit_hazard=h)
    exit_month = months_since_hire(ev)[ev["event"] == "exit"]
    for m in (1, 6, 12, 24):
        expected = 1 - (1 - h) ** m
        observed = (exit_month <= m).sum() / n
        se = np.sqrt(expected * (1 - expected) / n)
        assert abs(observed - expected) < 4 * se, (m, observed, expected)


def test_exit_hazard_per_level():
    # everyone reaches level 2 at month 3 and leaves that month (hazard 1 at level 2, 0 elsewhere)
    ev = simulate_policy(
        "tiered_tenure",
        100,
        months=12,
        seed=14,
        performance=ALWAYS_EXCELLENT,
        exit_hazard={1: 0.0, 2: 1.0, 3: 0.0, 4: 0.0},
    )
    assert moves(ev) == [(3, "promotion", 2), (3, "exit", 2)]
    with pytest.raises(ValueError, match="lacks level"):
        simulate_policy("tiered_tenure", 5, months=3, seed=0, exit_hazard={1: 0.1})


# ---------------------------------------------------------------- schema and reproducibility
def test_event_history_schema():
    ev = simulate_policy("ecommerce_review", 500, months=36, seed=15)
    assert list(ev.columns[:4]) == ["employee_id", "date", "event", "level"]
    assert ev["employee_id"].dtype == "str"
    assert pd.api.types.is_datetime64_any_dtype(ev["date"])
    assert ev["level"].dtype == "Int64"
    assert set(ev["event"]) <= {"hire", "promotion", "demotion", "exit"}
    first = ev.groupby("employee_id").head(1)
    assert (first["event"] == "hire").all() and len(first) == 500
    assert (first["date"] == pd.Timestamp("2024-01-01")).all()
    assert (ev["event"] == "hire").sum() == 500
    assert (ev.groupby("employee_id")["event"].apply(lambda s: (s == "exit").sum()) <= 1).all()
    assert ev["date"].max() <= ev.attrs["end"]
    # covariates are constant per employee
    assert (ev.groupby("employee_id")[["person_effect", "education"]].nunique() == 1).all().all()
    # sorted by employee then date
    assert ev.equals(ev.sort_values(["employee_id", "date"], kind="stable").reset_index(drop=True))


def test_event_history_passes_shared_validator():
    events = pytest.importorskip("csresearch.events")
    ev = simulate_policy("ecommerce_review", 300, months=36, seed=16)
    checked = events.validate_events(ev)
    assert len(checked) == len(ev)


def test_same_seed_same_history_other_seed_differs():
    a = simulate_policy("tiered_tenure", 300, months=24, seed=17)
    b = simulate_policy("tiered_tenure", 300, months=24, seed=17)
    c = simulate_policy("tiered_tenure", 300, months=24, seed=18)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_callable_performance_gets_month_and_size():
    seen = []

    def perf(month, n, rng):
        seen.append((month, n))
        return np.full(n, 100.0)

    simulate_policy("tiered_tenure", 7, months=4, seed=0, performance=perf, exit_hazard=0)
    assert seen == [(1, 7), (2, 7), (3, 7), (4, 7)]


def test_bad_performance_array_shape_is_rejected():
    with pytest.raises(ValueError, match="performance array"):
        simulate_policy("tiered_tenure", 5, months=4, seed=0, performance=np.zeros((3, 5)))


# ---------------------------------------------------------------- performance process
def test_performance_process_moments_and_persistence():
    proc = PerformanceProcess(mean=50, persistence=0.7, spread=5, person_sd=3, low=-1e9, high=1e9)
    s = proc.sample(20_000, 40, seed=19)
    assert abs(s.mean() - 50) < 0.2
    assert abs(s.var() - (25 + 9)) < 1.0
    within = s - s.mean(axis=0)  # remove person effects (40 months each)
    r1 = (within[1:] * within[:-1]).sum() / (within**2).sum()
    # the within-person lag-1 autocorrelation of an AR(1) is biased down by ~(1+phi)/T
    assert abs(r1 - 0.7) < 0.1


def test_performance_process_rejects_bad_persistence():
    with pytest.raises(ValueError, match="persistence"):
        PerformanceProcess(persistence=1.0)


def test_persistence_range_is_drawn_per_person():
    ev = simulate_policy(
        "tiered_tenure", 2000, months=3, seed=20, performance=PerformanceProcess(persistence=(0.2, 0.8))
    )
    phi = ev.groupby("employee_id")["performance_persistence"].first()
    assert 0.2 <= phi.min() < 0.25 and 0.75 < phi.max() <= 0.8


# ---------------------------------------------------------------- time_to_level
def test_time_to_level_on_a_hand_made_history():
    ev = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "b", "b", "c", "d"],
            "date": pd.to_datetime(
                ["2020-01-15", "2020-07-15", "2021-01-15", "2020-03-01", "2020-09-01", "2020-01-01", "2020-01-01"]
            ),
            "event": ["hire", "promotion", "promotion", "hire", "exit", "hire", "hire"],
            "level": [1, 2, 3, 1, 1, 1, 2],
        }
    )
    out = time_to_level(ev, 2, end="2022-01-01")
    assert out.loc["a", "months"] == 6 and out.loc["d", "months"] == 0
    assert np.isnan(out.loc["b", "months"]) and out.loc["b", "exited"] and out.loc["b", "followup_months"] == 6
    assert not out.loc["c", "reached"] and out.loc["c", "followup_months"] == 24
    assert time_to_level(ev, 3, end="2022-01-01").loc["a", "months"] == 12


def test_policy_summary_on_degenerate_policy():
    ev = simulate_policy("tiered_tenure", 40, months=24, seed=21, performance=ALWAYS_EXCELLENT, exit_hazard=0)
    s = policy_summary(ev)
    assert s["median_months_L2"] == 3 and s["median_months_L3"] == 12
    assert s["share_reached_L3"] == 1 and s["share_demoted"] == 0 and s["share_exited"] == 0


def test_kpi_path_export_feeds_split_spells():
    from csresearch.events import build_spells, split_spells

    ev, kpi = simulate_policy("tiered_tenure", 200, months=24, seed=3, kpi_path=True)
    assert list(kpi.columns) == ["employee_id", "date", "kpi_score"]
    assert ev.equals(simulate_policy("tiered_tenure", 200, months=24, seed=3))  # same draws with or without it
    assert set(kpi["date"].dt.month) == {4, 7, 10, 1}  # quarter ends from the 2024-01-01 hire date
    always = simulate_policy("tiered_tenure", 5, months=6, seed=0, performance=90.0, kpi_path=True)[1]
    assert np.allclose(always["kpi_score"], 90.0)  # the quarter's mean monthly score
    rows = split_spells(build_spells(ev, censor_date=ev.attrs["end"]), kpi)
    assert rows["kpi_score"].notna().mean() > 0.5
    cut = rows[rows["entry_months"] > 0]  # pieces after a KPI publication (zero-length spells stay whole)
    assert len(cut) and (cut["entry_months"] < cut["duration_months"]).all()

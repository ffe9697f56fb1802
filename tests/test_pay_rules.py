"""Pay-rule calculator against the figures printed in seed 001 (001_498ef97af563ed54.txt).

Every expected amount below is computed in the test from the seed's own numbers (quoted next to
it), not read back from the policy file or a previous run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.errors import ColumnMappingError, SchemaError
from csresearch.policy import compute_monthly_pay, load_pay_policy

# "入职员工:本科生4000元/月,大专生3500元/月,高中生3000元/月" / "工作满一年员工:本科生4200元/月,大专生3700元/月,
# 高中生3200元/月" / "工作满两年员工:本科生4500元/月,大专生3900元/月,高中生3300元/月"
SEED_BASE = {
    "bachelor": (4000, 4200, 4500),
    "college": (3500, 3700, 3900),
    "high_school": (3000, 3200, 3300),
}


def staff(**cols):
    n = max(len(v) for v in cols.values() if isinstance(v, list))
    base = {"education": ["bachelor"] * n, "tenure_months": [0] * n}
    base.update(cols)
    return pd.DataFrame(base)


@pytest.mark.parametrize("education", list(SEED_BASE))
def test_base_by_education_and_tenure(education):
    tenures = [0, 11, 11.9, 12, 23, 24, 120]
    bands = [0, 0, 0, 1, 1, 2, 2]  # 入职 / 工作满一年 / 工作满两年
    out = compute_monthly_pay(staff(education=[education] * 7, tenure_months=tenures))
    assert out["base"].tolist() == [SEED_BASE[education][b] for b in bands]


def test_unlisted_education_gets_no_base_not_a_guess():
    out = compute_monthly_pay(staff(education=["master", None, "college"], tenure_months=[0, 0, 0]))
    assert np.isnan(out["base"].iloc[0]) and np.isnan(out["base"].iloc[1]) and out["base"].iloc[2] == 3500
    assert np.isnan(out["total"].iloc[0]) and not np.isnan(out["total"].iloc[2])


def test_performance_points_times_half_yuan():
    # "绩效工资=总绩效分数×0.5元"
    points = [0, 1, 999, 1000, 1234.5]
    out = compute_monthly_pay(staff(performance_points=points))
    assert out["performance_pay"].tolist() == [p * 0.5 for p in points]
    assert out["kpi_coefficient"].isna().all()  # no deductions given


# 基础客服: "≤20分 1.2" "21-30分 1.0" "31-49分 0.8" "50-69分 0.6" "扣分≥70分当月无绩效"
BASIC_ROWS = [(0, 1.2), (20, 1.2), (21, 1.0), (30, 1.0), (31, 0.8), (49, 0.8), (50, 0.6), (69, 0.6), (70, 0), (95, 0)]
# 贵宾客服: "≤15分 1.5" "16-20分 1.2" "21-35分 1.0" "36-50分 0.8" "扣分≥51分当月无绩效"
VIP_ROWS = [(0, 1.5), (15, 1.5), (16, 1.2), (20, 1.2), (21, 1.0), (35, 1.0), (36, 0.8), (50, 0.8), (51, 0), (80, 0)]


@pytest.mark.parametrize(("group", "rows"), [("basic", BASIC_ROWS), ("vip", VIP_ROWS)])
def test_kpi_coefficient_table_rows(group, rows):
    deductions = [d for d, _ in rows]
    out = compute_monthly_pay(
        staff(kpi_deductions=deductions, kpi_group=[group] * len(rows), reception_points=[100] * len(rows))
    )
    assert out["kpi_coefficient"].tolist() == [c for _, c in rows]
    # "总绩效分数=(接待量分值×系数)+..." ; "绩效工资=总绩效分数×0.5元"
    assert np.allclose(out["performance_pay"], [100 * c * 0.5 for _, c in rows])


def test_no_performance_pay_month_forfeits_other_points_too():
    # "扣分≥70分当月无绩效": nothing, not even the non-reception points
    out = compute_monthly_pay(staff(kpi_deductions=[69, 70], reception_points=[500, 500], performance_points=[80, 80]))
    assert out["performance_pay"].tolist() == [(500 * 0.6 + 80) * 0.5, 0.0]


def test_total_points_formula():
    out = compute_monthly_pay(staff(kpi_deductions=[10], reception_points=[500], performance_points=[100]))
    assert out["performance_pay"].iloc[0] == pytest.approx((500 * 1.2 + 100) * 0.5)


# "销售额10000元以下:2%" "10001-50000元:3%" "50001-100000元:4%" "100001-200000元:5%" "200001元以上:6%"
@pytest.mark.parametrize(
    ("sales", "rate"),
    [
        (0, 0.02),
        (10000, 0.02),
        (10001, 0.03),
        (50000, 0.03),
        (50001, 0.04),
        (100000, 0.04),
        (100001, 0.05),
        (200000, 0.05),
        (200001, 0.06),
        (1_000_000, 0.06),
    ],
)
def test_commission_brackets_at_each_boundary(sales, rate):
    out = compute_monthly_pay(staff(sales=[sales]))
    assert out["commission"].iloc[0] == pytest.approx(sales * rate)


def seed_commission(sales: float) -> float:
    """Independent oracle written from the seed's five sentences."""
    if sales <= 10000:
        return sales * 0.02
    if sales <= 50000:
        return sales * 0.03
    if sales <= 100000:
        return sales * 0.04
    if sales <= 200000:
        return sales * 0.05
    return sales * 0.06


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=400_000), min_size=1, max_size=30))
def test_commission_matches_seed_oracle(sales):
    out = compute_monthly_pay(staff(sales=sales, education=["college"] * len(sales), tenure_months=[5] * len(sales)))
    assert np.allclose(out["commission"], [seed_commission(s) for s in sales])


def test_completion_bonus_bands():
    # "完成率90%-100%:...基本工资的10%" "80%-90%: 8%" "70%-80%: 6%" "60%-70%: 4%" "60%以下:无"
    completion = [0.0, 0.59, 0.6, 0.7, 0.8, 0.9, 1.0, 1.3]
    shares = [0, 0, 0.04, 0.06, 0.08, 0.10, 0.10, 0.10]
    out = compute_monthly_pay(staff(target_completion=completion))
    assert np.allclose(out["completion_bonus"], [4000 * s for s in shares])


def test_allowances_attendance_and_total():
    # "交通补贴:500元/月" "通讯补贴:300元/月" "餐补:300元/月"; "全勤奖:每月500元"
    out = compute_monthly_pay(
        staff(
            education=["high_school", "bachelor"],
            tenure_months=[30, 12],
            performance_points=[200, 0],
            kpi_deductions=[25, 75],
            sales=[60000, 0],
            target_completion=[0.85, 0.5],
            full_attendance=[True, False],
        )
    )
    assert out["allowances"].tolist() == [1100, 1100]
    assert out["attendance_bonus"].tolist() == [500, 0]
    expected0 = 3300 + 200 * 0.5 + 60000 * 0.04 + 3300 * 0.08 + 1100 + 500
    expected1 = 4200 + 0 + 0 + 0 + 1100 + 0
    assert out["total"].tolist() == pytest.approx([expected0, expected1])


def test_keeps_input_index_and_column_order():
    df = staff(sales=[1.0, 2.0, 3.0]).set_index(pd.Index(["x", "y", "z"], name="pid"))
    out = compute_monthly_pay(df, load_pay_policy("pay_seed001"))
    assert out.index.equals(df.index)
    assert list(out.columns) == [
        "base", "kpi_coefficient", "performance_pay", "commission", "completion_bonus", "allowances",
        "attendance_bonus", "total",
    ]  # fmt: skip


def test_missing_values_propagate_as_nan():
    out = compute_monthly_pay(staff(sales=[np.nan, 100.0], kpi_deductions=[np.nan, 0]))
    assert np.isnan(out["commission"].iloc[0]) and np.isnan(out["total"].iloc[0])
    assert np.isnan(out["kpi_coefficient"].iloc[0]) and out["kpi_coefficient"].iloc[1] == 1.2


def test_input_errors():
    with pytest.raises(ColumnMappingError, match="education"):
        compute_monthly_pay(pd.DataFrame({"tenure_months": [1]}))
    with pytest.raises(ColumnMappingError, match="tenure_months"):
        compute_monthly_pay(pd.DataFrame({"education": ["college"]}))
    with pytest.raises(SchemaError, match="'sales'.*negative"):
        compute_monthly_pay(staff(sales=[-5.0]))
    with pytest.raises(SchemaError, match="'sales'.*non-numeric"):
        compute_monthly_pay(staff(sales=["lots"]))
    with pytest.raises(SchemaError, match="unknown group"):
        compute_monthly_pay(staff(kpi_deductions=[1], kpi_group=["gold"]))
    with pytest.raises(ColumnMappingError, match="kpi_deductions"):
        compute_monthly_pay(staff(reception_points=[10]))


def test_vectorised_on_many_rows():
    n = 50_000
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "education": rng.choice(list(SEED_BASE), n),
            "tenure_months": rng.integers(0, 60, n),
            "kpi_deductions": rng.integers(0, 100, n),
            "sales": rng.integers(0, 300_000, n),
        }
    )
    out = compute_monthly_pay(df)
    assert out["total"].notna().all() and len(out) == n

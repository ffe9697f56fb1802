"""Monthly pay from a written pay policy: base, performance points, KPI coefficient, commission.

A pay policy is a YAML file (``csresearch/policy/policies/pay_*.yaml``) transcribing the pay
formulas of a source article; ``pay_seed001`` holds those of seed 001. The calculator takes one
row per person-month and returns every component next to the input index, computed with array
lookups (``np.searchsorted`` over band bounds), never a row loop.

Components (each needs only its own input columns; an absent optional column contributes 0,
while a missing *value* in a present column gives NaN, so gaps are never silently paid as 0):

=================  ==========================================  ===============================
component          formula                                     input columns
=================  ==========================================  ===============================
base               table[education, tenure band]               education, tenure_months
kpi_coefficient    band of the month's deduction points        kpi_deductions, kpi_group
performance_pay    (reception_points x coefficient             reception_points,
                   + performance_points) x point_value         performance_points
commission         rate of the sales bracket x whole sales     sales
completion_bonus   share of base by target completion band     target_completion (fraction)
allowances         fixed monthly allowances                    (none)
attendance_bonus   fixed amount if full attendance             full_attendance (bool)
total              sum of the money components
=================  ==========================================  ===============================
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csresearch.errors import ColumnMappingError, SchemaError
from csresearch.policy.engine import _Checker, _policy_files, read_policy_yaml

__all__ = ["PayPolicy", "load_pay_policy", "compute_monthly_pay", "PAY_COMPONENTS"]

PAY_COMPONENTS = (
    "base",
    "kpi_coefficient",
    "performance_pay",
    "commission",
    "completion_bonus",
    "allowances",
    "attendance_bonus",
    "total",
)
_MONEY = ("base", "performance_pay", "commission", "completion_bonus", "allowances", "attendance_bonus")


@dataclass(frozen=True)
class PayPolicy:
    """A pay policy loaded with :func:`load_pay_policy`.

    Band tables are stored as numpy-friendly tuples: ``*_max`` upper bounds are inclusive and
    the last one is ``inf``; a NaN coefficient means "no performance pay this month".

    Examples
    --------
    >>> p = load_pay_policy("pay_seed001")
    >>> p.point_value, p.commission_rate
    (0.5, (0.02, 0.03, 0.04, 0.05, 0.06))
    """

    name: str
    source: str
    currency: str
    base_tenure_months: tuple[float, ...]
    base_by_education: tuple[tuple[str, tuple[float, ...]], ...]
    point_value: float
    kpi_max: tuple[tuple[str, tuple[float, ...]], ...]
    kpi_coefficient: tuple[tuple[str, tuple[float, ...]], ...]
    commission_max: tuple[float, ...]
    commission_rate: tuple[float, ...]
    completion_min: tuple[float, ...] = ()
    completion_share: tuple[float, ...] = ()
    allowances: tuple[tuple[str, float], ...] = ()
    attendance_bonus: float = 0.0

    def __repr__(self) -> str:
        edu = ", ".join(k for k, _ in self.base_by_education)
        return (
            f"PayPolicy({self.name!r}, source={self.source!r}, {self.currency}/month; base by {edu} x "
            f"{len(self.base_tenure_months)} tenure bands; points x {self.point_value:g}; "
            f"commission {min(self.commission_rate):.0%}-{max(self.commission_rate):.0%})"
        )


def _numbers(chk: _Checker, value: Any, key: str, *, last_null: bool = False) -> tuple[float, ...]:
    if not isinstance(value, list) or not value:
        raise chk.fail(key, f"must be a non-empty list of numbers, got {value!r}")
    out = []
    for i, v in enumerate(value):
        if v is None and last_null and i == len(value) - 1:
            out.append(np.inf)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v))
        else:
            raise chk.fail(f"{key}[{i}]", f"must be a number{' (null only last)' if last_null else ''}, got {v!r}")
    return tuple(out)


def _bands(chk: _Checker, raw: Any, key: str, bound: str, value: str, *, value_null: bool = False) -> tuple:
    """Parse a list of {bound: x, value: y} rows; bounds must increase, last bound null."""
    if not isinstance(raw, list) or not raw:
        raise chk.fail(key, "must be a non-empty list of bands")
    for i, row in enumerate(raw):
        if not isinstance(row, dict) or set(row) != {bound, value}:
            raise chk.fail(f"{key}[{i}]", f"must be a mapping with exactly {bound!r} and {value!r}, got {row!r}")
    bounds = _numbers(chk, [r[bound] for r in raw], f"{key}.{bound}", last_null=True)
    if bounds[-1] != np.inf:
        raise chk.fail(f"{key}[{len(raw) - 1}].{bound}", "the last band must be open (null)")
    if any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)):
        raise chk.fail(f"{key}.{bound}", f"bounds must increase, got {list(bounds)}")
    vals = []
    for i, r in enumerate(raw):
        v = r[value]
        if v is None and value_null:
            vals.append(np.nan)
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0:
            vals.append(float(v))
        else:
            raise chk.fail(f"{key}[{i}].{value}", f"must be a non-negative number, got {v!r}")
    return bounds, tuple(vals)


def load_pay_policy(name_or_path: str | Path | PayPolicy = "pay_seed001") -> PayPolicy:
    """Load a pay policy by shipped name (``pay_seed001``) or YAML path.

    Raises
    ------
    ReferenceDataError
        For an unknown policy name.
    PolicyError
        For a malformed file, naming the file and key.

    Examples
    --------
    >>> dict(load_pay_policy("pay_seed001").base_by_education)["bachelor"]
    (4000.0, 4200.0, 4500.0)
    """
    if isinstance(name_or_path, PayPolicy):
        return name_or_path
    if isinstance(name_or_path, str) and name_or_path in _policy_files():
        return _load_shipped(name_or_path)  # frozen, so one parsed copy can be shared
    return _parse_pay_policy(*read_policy_yaml(name_or_path, kind="pay"))


@functools.lru_cache(maxsize=None)
def _load_shipped(name: str) -> PayPolicy:
    return _parse_pay_policy(*read_policy_yaml(name, kind="pay"))


def _parse_pay_policy(data: dict, label: str) -> PayPolicy:
    chk = _Checker(label)
    allowed = {"name", "source", "currency", "period", "base", "performance", "commission",
               "completion_bonus", "allowances", "attendance_bonus"}  # fmt: skip
    chk.keys(data, allowed, "")
    if chk.get(data, "period", default="month", types=(str,)) != "month":
        raise chk.fail("period", "only monthly pay policies are supported")

    base = chk.get(data, "base", types=(dict,))
    chk.keys(base, {"tenure_months", "by_education"}, "base")
    tenure = _numbers(chk, chk.get(base, "tenure_months", "base"), "base.tenure_months")
    if tenure[0] != 0 or any(b <= a for a, b in zip(tenure, tenure[1:], strict=False)):
        raise chk.fail("base.tenure_months", f"must start at 0 and increase, got {list(tenure)}")
    by_edu = chk.get(base, "by_education", "base", types=(dict,))
    table = []
    for edu, row in by_edu.items():
        amounts = _numbers(chk, row, f"base.by_education.{edu}")
        if len(amounts) != len(tenure):
            raise chk.fail(f"base.by_education.{edu}", f"needs {len(tenure)} amounts (one per tenure band)")
        table.append((str(edu), amounts))

    perf = chk.get(data, "performance", types=(dict,))
    chk.keys(perf, {"point_value", "kpi_coefficients"}, "performance")
    point_value = float(chk.get(perf, "point_value", "performance", types=(int, float)))
    groups = chk.get(perf, "kpi_coefficients", "performance", types=(dict,))
    kpi_max, kpi_coef = [], []
    for grp, rows in groups.items():
        b, c = _bands(chk, rows, f"performance.kpi_coefficients.{grp}", "max_deductions", "coefficient",
                      value_null=True)  # fmt: skip
        kpi_max.append((str(grp), b))
        kpi_coef.append((str(grp), c))

    com = chk.get(data, "commission", types=(dict,))
    chk.keys(com, {"brackets"}, "commission")
    com_max, com_rate = _bands(chk, chk.get(com, "brackets", "commission"), "commission.brackets", "max_sales", "rate")
    if max(com_rate) > 1:
        raise chk.fail("commission.brackets", "rates are fractions (0.02 = 2%), got a value above 1")

    comp_min: tuple[float, ...] = ()
    comp_share: tuple[float, ...] = ()
    if "completion_bonus" in data:
        cb = chk.get(data, "completion_bonus", types=(dict,))
        chk.keys(cb, {"bands"}, "completion_bonus")
        rows = chk.get(cb, "bands", "completion_bonus", types=(list,))
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or set(row) != {"min_completion", "share_of_base"}:
                raise chk.fail(f"completion_bonus.bands[{i}]", "needs exactly min_completion and share_of_base")
        pairs = sorted(
            zip(_numbers(chk, [r["min_completion"] for r in rows], "completion_bonus.bands.min_completion"),
                _numbers(chk, [r["share_of_base"] for r in rows], "completion_bonus.bands.share_of_base"),
                strict=True)
        )  # fmt: skip
        comp_min, comp_share = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)

    allowances = chk.get(data, "allowances", default={}, types=(dict,))
    allow = tuple((str(k), v) for k, v in zip(allowances, _numbers(chk, list(allowances.values()) or [0], "allowances"),
                                              strict=False))  # fmt: skip
    return PayPolicy(
        name=chk.get(data, "name", types=(str,)),
        source=chk.get(data, "source", types=(str,)),
        currency=chk.get(data, "currency", types=(str,)),
        base_tenure_months=tenure,
        base_by_education=tuple(table),
        point_value=point_value,
        kpi_max=tuple(kpi_max),
        kpi_coefficient=tuple(kpi_coef),
        commission_max=com_max,
        commission_rate=com_rate,
        completion_min=comp_min,
        completion_share=comp_share,
        allowances=allow,
        attendance_bonus=float(chk.get(data, "attendance_bonus", default=0, types=(int, float))),
    )


def _numeric(staff: pd.DataFrame, col: str, *, required: bool = False, nonnegative: bool = True) -> np.ndarray | None:
    if col not in staff.columns:
        if required:
            raise ColumnMappingError(f"staff table lacks required column {col!r} (got {list(staff.columns)})")
        return None
    values = pd.to_numeric(staff[col], errors="coerce").to_numpy(dtype=float)
    bad = staff[col].notna().to_numpy() & np.isnan(values)
    if bad.any():
        raise SchemaError(f"column {col!r} has non-numeric value(s), e.g. {staff[col][bad].iloc[0]!r}")
    if nonnegative and (values < 0).any():
        raise SchemaError(f"column {col!r} has negative value(s), e.g. {values[values < 0][0]!r}")
    return values


def _band_lookup(x: np.ndarray, upper: tuple[float, ...], values: tuple[float, ...]) -> np.ndarray:
    """Value of the band whose inclusive upper bound is the first >= x; NaN for NaN x."""
    idx = np.searchsorted(np.asarray(upper), np.nan_to_num(x, nan=0.0), side="left")
    return np.where(np.isnan(x), np.nan, np.asarray(values)[np.minimum(idx, len(values) - 1)])


def compute_monthly_pay(staff: pd.DataFrame, policy: str | Path | PayPolicy = "pay_seed001") -> pd.DataFrame:
    """Monthly pay components of each person-month under a written pay policy.

    Parameters
    ----------
    staff : DataFrame
        One row per person-month. Required: ``education`` (csresearch codes, e.g. bachelor,
        college, high_school) and ``tenure_months``. Optional: ``kpi_deductions`` (deduction
        points of the month), ``kpi_group`` (``basic`` or ``vip``; default basic),
        ``reception_points`` (接待量分值, multiplied by the KPI coefficient),
        ``performance_points`` (the other point items, added as they are), ``sales`` (CNY),
        ``target_completion`` (fraction of the target reached), ``full_attendance`` (bool).
    policy : str, path or PayPolicy
        Default ``"pay_seed001"``.

    Returns
    -------
    DataFrame
        Same index as ``staff``; columns ``base, kpi_coefficient, performance_pay, commission,
        completion_bonus, allowances, attendance_bonus, total`` (money in the policy currency).
        ``kpi_coefficient`` is 0 in a "no performance pay" band and NaN when no deductions
        were given; ``base`` is NaN for an education the policy does not list, and the total
        is then NaN too.

    Raises
    ------
    ColumnMappingError
        A required column is absent, or ``reception_points`` is given without ``kpi_deductions``.
    SchemaError
        A numeric column holds text or negative values, or ``kpi_group`` an unknown group.

    Examples
    --------
    >>> staff = pd.DataFrame({"education": ["bachelor", "college"], "tenure_months": [0, 13],
    ...                       "performance_points": [400, 600], "kpi_deductions": [20, 21],
    ...                       "sales": [10000, 10001]})
    >>> compute_monthly_pay(staff)[["base", "performance_pay", "kpi_coefficient", "commission"]]
         base  performance_pay  kpi_coefficient  commission
    0  4000.0            200.0              1.2      200.00
    1  3700.0            300.0              1.0      300.03
    """
    p = load_pay_policy(policy)
    n = len(staff)
    out = pd.DataFrame(index=staff.index)

    # base: education row x tenure band
    if "education" not in staff.columns:
        raise ColumnMappingError(f"staff table lacks required column 'education' (got {list(staff.columns)})")
    tenure = _numeric(staff, "tenure_months", required=True)
    edu_names = [k for k, _ in p.base_by_education]
    edu_code = pd.Index(edu_names).get_indexer(staff["education"])  # -1: unlisted or missing
    table = np.array([row for _, row in p.base_by_education])
    band = np.searchsorted(np.asarray(p.base_tenure_months), np.nan_to_num(tenure, nan=0.0), side="right") - 1
    base = table[np.maximum(edu_code, 0), band]
    out["base"] = np.where((edu_code < 0) | np.isnan(tenure), np.nan, base)

    # KPI coefficient by deduction band, per group (a loop over the few groups, not over rows)
    deductions = _numeric(staff, "kpi_deductions")
    coef = np.full(n, np.nan)
    if deductions is not None:
        names = [grp for grp, _ in p.kpi_max]
        if "kpi_group" in staff.columns:
            raw = staff["kpi_group"]
            code = pd.Index(names).get_indexer(raw.fillna("basic"))
            if (code < 0).any():
                unknown = sorted(pd.unique(raw[code < 0].astype(str)))
                raise SchemaError(f"column 'kpi_group' has unknown group(s) {unknown}; policy {p.name} has {names}")
        else:
            code = np.full(n, names.index("basic") if "basic" in names else 0)
        for k, (grp, upper) in enumerate(p.kpi_max):
            m = code == k
            coef[m] = _band_lookup(deductions[m], upper, dict(p.kpi_coefficient)[grp])
        no_pay = ~np.isnan(deductions) & np.isnan(coef)
        coef[no_pay] = 0.0  # "当月无绩效": the whole month's performance pay is forfeited
    out["kpi_coefficient"] = coef

    reception = _numeric(staff, "reception_points")
    other = _numeric(staff, "performance_points", nonnegative=False)  # 错误工单 may make it negative
    if reception is not None and deductions is None:
        raise ColumnMappingError("'reception_points' is multiplied by the KPI coefficient: give 'kpi_deductions' too")
    points = (0.0 if reception is None else reception * coef) + (0.0 if other is None else other)
    perf = np.asarray(points, dtype=float) * p.point_value * np.ones(n)
    if deductions is not None:
        perf = np.where(coef == 0.0, 0.0, perf)
    out["performance_pay"] = perf

    sales = _numeric(staff, "sales")
    out["commission"] = 0.0 if sales is None else sales * _band_lookup(sales, p.commission_max, p.commission_rate)

    completion = _numeric(staff, "target_completion")
    if completion is None or not p.completion_min:
        out["completion_bonus"] = 0.0
    else:
        idx = np.searchsorted(np.asarray(p.completion_min), np.nan_to_num(completion, nan=-1.0), side="right") - 1
        share = np.where(idx >= 0, np.asarray(p.completion_share)[np.maximum(idx, 0)], 0.0)
        out["completion_bonus"] = np.where(np.isnan(completion), np.nan, share * out["base"].to_numpy())

    out["allowances"] = float(sum(v for _, v in p.allowances))
    if "full_attendance" in staff.columns:
        att = staff["full_attendance"].astype("boolean").to_numpy(dtype=float, na_value=np.nan)
        out["attendance_bonus"] = att * p.attendance_bonus
    else:
        out["attendance_bonus"] = 0.0
    out["total"] = out[list(_MONEY)].sum(axis=1, skipna=False)
    return out[list(PAY_COMPONENTS)]

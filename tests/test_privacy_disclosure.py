"""Disclosure control: suppress_small_cells and check_min_cell.

The attacker in these tests knows every published cell and every declared
margin total and solves for hidden cells by linear algebra (an oracle written
here independently of the implementation: a cell is recoverable when adding
its unit vector to the hidden-cell constraint matrix does not raise its rank).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csresearch.config import get_min_cell_size, set_min_cell_size
from csresearch.errors import ColumnMappingError, CsResearchError
from csresearch.privacy import DisclosureError, check_min_cell, suppress_small_cells


def recoverable(constraints: list[list[int]], hidden: list[int]) -> list[int]:
    """Hidden cells an attacker can compute from the margins (rank test)."""
    if not constraints or not hidden:
        return []
    a = np.zeros((len(constraints), len(hidden)))
    col = {c: j for j, c in enumerate(hidden)}
    for i, cells in enumerate(constraints):
        for c in cells:
            if c in col:
                a[i, col[c]] = 1
    base = np.linalg.matrix_rank(a)
    out = []
    for c, j in col.items():
        e = np.zeros((1, len(hidden)))
        e[0, j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == base:
            out.append(c)
    return out


def test_total_row_subtraction_cannot_recover_the_small_cell():
    t = pd.DataFrame({
        "team": ["A", "B", "C", "Total"],
        "n": [2, 10, 12, 24],
        "pay_sum": [90_000.0, 500_000.0, 610_000.0, 1_200_000.0],
        "is_total": [False, False, False, True],
    })
    out = suppress_small_cells(t, k=5)
    assert out["suppression"].tolist() == ["primary", "secondary", "", ""]
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out.loc[[0, 1], ["n", "pay_sum"]].isna().all().all()
    # what a reader can compute: total minus published cells = A + B, not A
    published = out.loc[~out["suppressed"] & ~out["is_total"], "pay_sum"].sum()
    assert out.loc[3, "pay_sum"] - published == pytest.approx(90_000 + 500_000)
    assert recoverable([[0, 1, 2]], [0, 1]) == []  # A+B+C = known total
    check_min_cell(out, k=5)
    # without complementary suppression the attacker gets A exactly
    assert recoverable([[0, 1, 2]], [0]) == [0]
    assert t["pay_sum"].iloc[3] - t["pay_sum"].iloc[1:3].sum() == 90_000


def test_two_way_table_with_totals_published_elsewhere():
    # city x level, n per cell; margins over city and over level are published in another table
    n = np.array([[2, 30, 40], [25, 3, 50], [60, 70, 80]])
    cities, levels = ["SH", "BJ", "GZ"], [1, 2, 3]
    t = pd.DataFrame([(c, lv, n[i, j], 1000.0 * n[i, j]) for i, c in enumerate(cities) for j, lv in enumerate(levels)],
                     columns=["city", "level", "n", "pay_sum"])
    out = suppress_small_cells(t, k=5, by=["city", "level"], totals=["city", "level"])
    hidden = np.flatnonzero(out["suppressed"].to_numpy()).tolist()
    assert {0, 4} <= set(hidden)  # the two primary cells
    rows = [[3 * i + j for j in range(3)] for i in range(3)]
    cols = [[3 * i + j for i in range(3)] for j in range(3)]
    assert recoverable(rows + cols, hidden) == []
    check_min_cell(out, k=5)


def test_a_bridge_between_two_hidden_blocks_is_found_by_the_audit():
    # every row and column holds >= 2 hidden cells, yet cell (1, 2) joins two closed blocks
    # and equals a combination of margins; the per-margin rule alone would publish it
    n = np.full((4, 4), 50)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        n[i, j] = 3
    t = pd.DataFrame([(f"r{i}", f"c{j}", int(n[i, j])) for i in range(4) for j in range(4)], columns=["row", "col", "n"])
    rows = [[4 * i + j for j in range(4)] for i in range(4)]
    cols = [[4 * i + j for i in range(4)] for j in range(4)]
    primary = np.flatnonzero(n.ravel() < 5).tolist()
    assert recoverable(rows + cols, primary) == [6]
    out = suppress_small_cells(t, k=5, by=["row", "col"], totals=["row", "col"])
    hidden = np.flatnonzero(out["suppressed"].to_numpy()).tolist()
    assert recoverable(rows + cols, hidden) == []
    assert (out["suppression"] == "secondary").sum() >= 1


def test_index_dimensions_and_primary_only_when_no_margins():
    t = pd.DataFrame({"n": [1, 9, 20], "median_pay": [5000.0, 6000.0, 7000.0]},
                     index=pd.Index(["agent", "senior", "lead"], name="level"))
    out = suppress_small_cells(t, k=5)
    assert out.index.equals(t.index)
    assert out["suppression"].tolist() == ["primary", "", ""]
    assert out["median_pay"].isna().tolist() == [True, False, False]
    assert out["n"].dtype == "Int64"
    assert t["median_pay"].notna().all()  # input untouched


def test_k_defaults_to_the_package_setting():
    t = pd.DataFrame({"g": list("abc"), "n": [4, 6, 12], "v": [1.0, 2.0, 3.0]})
    try:
        set_min_cell_size(7)
        assert get_min_cell_size() == 7
        out = suppress_small_cells(t)
        assert out["suppression"].tolist() == ["primary", "primary", ""]
        with pytest.raises(DisclosureError):
            check_min_cell(t)
    finally:
        set_min_cell_size(None)
    assert suppress_small_cells(t)["suppression"].tolist() == ["primary", "", ""]


def test_missing_count_is_suppressed_and_bad_names_are_errors():
    t = pd.DataFrame({"g": ["a", "b"], "n": [np.nan, 10], "v": [1.0, 2.0]})
    assert suppress_small_cells(t, k=5)["suppressed"].tolist() == [True, False]
    with pytest.raises(ColumnMappingError, match="count"):
        suppress_small_cells(t, count="respondents")
    with pytest.raises(ColumnMappingError, match="region"):
        suppress_small_cells(t, totals=["region"])


def test_check_min_cell_names_the_rows_and_passes_suppressed_tables():
    t = pd.DataFrame({"city": ["SH", "BJ"], "n": [3, 40], "median_pay": [5e3, 6e3]})
    with pytest.raises(DisclosureError, match="SH") as err:
        check_min_cell(t, k=5)
    assert isinstance(err.value, CsResearchError)
    assert check_min_cell(suppress_small_cells(t, k=5), k=5) is not None
    with pytest.raises(DisclosureError):  # an unchecked count is not publishable
        check_min_cell(pd.DataFrame({"n": [np.nan]}), k=5)


def test_single_cell_margin_warns():
    t = pd.DataFrame({"city": ["SH", "BJ", "BJ"], "level": [1, 1, 2], "n": [2, 40, 50]})
    with pytest.warns(UserWarning, match="single cell"):
        suppress_small_cells(t, k=5, by=["city", "level"], totals=["level"])


grids = st.tuples(st.integers(2, 5), st.integers(2, 5), st.integers(0, 10**6)).map(
    lambda a: np.random.default_rng(a[2]).choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=(a[0], a[1]),
                                                  p=[0.05, 0.1, 0.1, 0.1, 0.05, 0.1, 0.1, 0.2, 0.2])
)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(grids, st.integers(3, 10))
def test_random_two_way_tables_publish_nothing_small_or_recoverable(n, k):
    r, c = n.shape
    t = pd.DataFrame([(f"r{i}", f"c{j}", int(n[i, j]), float(n[i, j]) * 3.0) for i in range(r) for j in range(c)],
                     columns=["row", "col", "n", "pay_sum"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = suppress_small_cells(t, k=k, by=["row", "col"], totals=["row", "col"])
    check_min_cell(out, k=k)
    hidden = np.flatnonzero(out["suppressed"].to_numpy()).tolist()
    assert set(np.flatnonzero(n.ravel() < k)) <= set(hidden)
    assert out.loc[out["suppressed"], ["n", "pay_sum"]].isna().all().all()
    rows = [[c * i + j for j in range(c)] for i in range(r)]
    cols = [[c * i + j for i in range(r)] for j in range(c)]
    assert recoverable(rows + cols, hidden) == []
    # no margin exposes a group of hidden cells that together hold fewer than k people
    flat = n.ravel()
    for cells in rows + cols:
        h = [x for x in cells if x in hidden]
        if h and len(h) < len(cells):
            assert flat[h].sum() >= k or len(h) == len(cells)


@pytest.mark.parametrize("label", ["All teams", "Итого:", "合计：", "Grand total", "Total", None])
def test_a_flagged_total_row_is_protected_whatever_its_label(label):
    t = pd.DataFrame({"team": ["A", "B", "C", label], "n": [2, 10, 12, 24],
                      "pay_sum": [9e4, 5e5, 6.1e5, 1.2e6], "is_total": [False, False, False, True]})
    out = suppress_small_cells(t, k=5)
    assert out["suppression"].tolist() == ["primary", "secondary", "", ""]


def test_an_unflagged_row_that_reads_like_a_total_warns():
    t = pd.DataFrame({"team": ["A", "B", "Итого:"], "n": [2, 10, 12], "pay_sum": [9e4, 5e5, 5.9e5]})
    with pytest.warns(UserWarning, match="reads like a total"):
        suppress_small_cells(t, k=5)

"""The processed table validated on distinct values equals validating the whole table.

``TableParts.failing`` screens each part on its distinct values; the pipeline then runs the full
pandera schema on the failing rows only. These tests break known cells of a valid table (each
kind of check: column checks, every table check, duplicate ``record_id``) and compare with
:func:`csresearch.schema.schema_failures` on the whole table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csresearch.clean.assemble import TableParts, as_text, hex_ids, record_keys
from csresearch.clean.encoded import Block, encode
from csresearch.schema import PROCESSED_COLUMNS, coerce_processed, schema_failures


def _valid_table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    lo = rng.choice([4000.0, 5000.0, 6000.0], n)
    level = pd.array(rng.choice([1, 2, 3], n), dtype="Int64")
    row = {c: pd.Series(pd.NA, index=range(n), dtype="str") for c in PROCESSED_COLUMNS}
    row.update(
        record_id=as_text(hex_ids(record_keys("t", np.arange(1, n + 1)))), source="t",
        source_row=np.arange(1, n + 1), year=2024, country=rng.choice(["CN", "RU"], n), city="X",
        is_customer_service=True, level=level, level_name=pd.Series(level).map({1: "agent", 2: "senior", 3: "team_lead"}),
        salary_status="ok", pay_low=lo, pay_high=lo + 1000, currency="CNY", period="month",
        months_per_year=12.0, basis="net", monthly_low=lo, monthly_high=lo + 1000,
        experience_years_low=rng.choice([0.0, 1.0], n), experience_years_high=3.0, is_synthetic=True,
    )
    row["cn_tier"] = pd.Series(np.where(row["country"] == "CN", 1, None), dtype="Int64")
    return coerce_processed(pd.DataFrame(row))


# one broken cell (or pair) per kind of check; positions chosen so some rows break twice
_BREAKS = [
    (3, "months_per_year", 10.0), (5, "level", 7), (5, "level_name", "head"), (8, "pay_low", 99999.0),
    (9, "experience_years_low", 9.0), (11, "country", "GB"), (11, "cn_tier", 2), (12, "currency", "cny"),
    (13, "salary_status", "fine"), (14, "is_customer_service", False), (15, "source_row", 0),
    (16, "annual_mid_usd_ppp", -1.0), (17, "period", None), (18, "year", 1800),
]


def _parts(table: pd.DataFrame) -> list[Block]:
    """Every column encoded on its own (table checks then need parts merged)."""
    parts = []
    for col in PROCESSED_COLUMNS[1:]:
        coded = encode(table[col])
        parts.append(Block(coded.codes, coded.values.to_frame(col)))
    return parts


def _broken(n: int = 40) -> tuple[pd.DataFrame, np.ndarray]:
    table = _valid_table(n)
    for pos, col, value in _BREAKS:
        table.loc[pos, col] = value
    keys = record_keys("t", np.arange(1, n + 1))
    keys[21] = keys[20]  # a shared record_id: both rows fail
    table["record_id"] = as_text(hex_ids(keys))
    return table, keys


def test_failing_rows_and_reasons_equal_whole_table_validation():
    table, keys = _broken()
    keep = np.arange(len(table))
    parts = TableParts(_parts(table), keys, keep)
    assembled = parts.rows(keep)
    pd.testing.assert_frame_equal(assembled, table)
    whole = schema_failures(assembled)
    failing, broken = parts.failing()
    assert not broken
    assert failing.tolist() == sorted(whole.index) == sorted({p for p, _, _ in _BREAKS} | {20, 21})
    screened = schema_failures(parts.rows(failing, pd.Index(failing)))
    pd.testing.assert_frame_equal(screened, whole)
    assert "pay_low > pay_high" in screened.loc[8, "reason"] and "field_uniqueness" in screened.loc[21, "reason"]


def test_only_kept_rows_are_validated_and_assembled():
    table, keys = _broken()
    keep = np.array([0, 1, 2, 3, 20, 30])  # 21 (the other copy of 20's id) is not kept
    parts = TableParts(_parts(table), keys, keep)
    failing, _ = parts.failing()
    assert failing.tolist() == [3]
    pd.testing.assert_frame_equal(parts.rows(keep), table.iloc[keep].reset_index(drop=True))
    with pytest.raises(IndexError):
        parts.rows(np.array([4]))


def test_values_are_cast_to_the_table_dtypes_before_validation():
    table, keys = _broken()
    parts = _parts(table)
    parts[PROCESSED_COLUMNS.index("title") - 1] = Block(np.zeros(len(table), dtype=np.intp),
                                                        pd.DataFrame({"title": pd.Series([1.5])}))
    screen = TableParts(parts, keys, np.arange(len(table)))
    # cast to str by the table's dtypes, as the pipeline always did, so only the breaks fail
    assert screen.failing()[0].tolist() == sorted({p for p, _, _ in _BREAKS} | {20, 21})
    assert screen.rows(np.array([0]))["title"].tolist() == ["1.5"]

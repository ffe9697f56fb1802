"""The processed table is written a row group at a time, with the bytes DataFrame.to_parquet gives.

``clean_survey`` keeps its table in parts (:class:`~csresearch.clean.assemble.PendingTable`)
until it is asked for; ``CleanResult.write`` writes it from the parts, so that a run that only
writes never holds a whole pandas copy. These tests pin that the shortcut changes nothing the
user can see: same bytes, same values, the same columns one by one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import csresearch.outputs as outputs
from csresearch import clean_survey
from csresearch.clean.assemble import PendingTable
from csresearch.outputs import write_parquet
from csresearch.synth.postings import synthetic_postings


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cleaned(site: str, n: int = 3000):
    return clean_survey(synthetic_postings(n, site=site, seed=7), source=f"t/{site}", year=2024)


@pytest.mark.parametrize("site", ["cn", "ru", "gb"])
def test_a_pending_table_writes_the_bytes_to_parquet_writes(site, tmp_path):
    res = _cleaned(site)
    assert isinstance(res._table, PendingTable)
    write_parquet(res._table, tmp_path / "parts.parquet")
    res.table.to_parquet(tmp_path / "pandas.parquet", index=False, compression="zstd")
    write_parquet(res.table, tmp_path / "frame.parquet")
    assert _sha(tmp_path / "parts.parquet") == _sha(tmp_path / "pandas.parquet") == _sha(tmp_path / "frame.parquet")


def test_row_groups_of_a_long_table_are_the_same_from_parts_and_from_the_frame(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "PARQUET_ROW_GROUP", 700)
    res = _cleaned("cn")
    n = res.n_table
    assert n > 2 * 700  # several row groups, the last one short
    write_parquet(res._table, tmp_path / "parts.parquet")
    write_parquet(res.table, tmp_path / "frame.parquet")
    assert _sha(tmp_path / "parts.parquet") == _sha(tmp_path / "frame.parquet")
    meta = pq.ParquetFile(tmp_path / "parts.parquet").metadata
    assert meta.num_row_groups == -(-n // 700) and meta.num_rows == n
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "parts.parquet"), res.table)


def test_write_leaves_the_table_in_parts_and_counts_agree(tmp_path):
    res = _cleaned("ru")
    paths = res.write(tmp_path)
    assert isinstance(res._table, PendingTable)  # writing did not assemble it
    assert pq.ParquetFile(paths["table"]).metadata.num_rows == res.n_table == res.manifest["rows_table"]
    assert res.n_table + len(res.rejects) == res.manifest["rows_in"]
    table = res.table
    assert isinstance(res._table, pd.DataFrame) and res.table is table  # assembled once
    pd.testing.assert_frame_equal(pd.read_parquet(paths["table"]), table)


def test_each_column_taken_alone_is_the_tables_column():
    res = _cleaned("gb", 1500)
    pending = res._table
    table = pending.frame()
    for col in table.columns:
        pd.testing.assert_series_equal(pending.column(col), table[col].reset_index(drop=True), check_names=True)
    pd.testing.assert_frame_equal(pending.empty(), table.iloc[:0])
    chunks = list(pending.chunks(400))
    assert [len(c) for c in chunks][:-1] == [400] * (len(chunks) - 1)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), table)


def test_a_table_with_no_rows_is_one_empty_row_group(tmp_path):
    res = clean_survey(pd.DataFrame({"title": ["客服"], "salary_text": ["面议"]}), source="t", country="CN", year=2024)
    assert res.n_table == 0
    write_parquet(res._table, tmp_path / "parts.parquet")
    res.table.to_parquet(tmp_path / "pandas.parquet", index=False, compression="zstd")
    assert _sha(tmp_path / "parts.parquet") == _sha(tmp_path / "pandas.parquet")


def test_an_object_column_missing_in_the_first_row_group_keeps_its_type(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "PARQUET_ROW_GROUP", 2)
    frame = pd.DataFrame({"note": np.array([None, None, "late", None, "x"], dtype=object), "n": range(5)})
    write_parquet(frame, tmp_path / "t.parquet")
    back = pq.read_table(tmp_path / "t.parquet")
    assert str(back.schema.field("note").type) in {"string", "large_string"}
    assert back.column("note").to_pylist() == [None, None, "late", None, "x"]
    assert pq.ParquetFile(tmp_path / "t.parquet").metadata.num_row_groups == 3


def test_one_source_combined_stays_in_parts_and_several_are_stacked(tmp_path):
    from csresearch.clean.pipeline import combine_results

    one, other = _cleaned("cn", 800), _cleaned("gb", 800)
    alone = combine_results([one])
    assert isinstance(alone._table, PendingTable)  # `csresearch clean` on one file: never assembled to write
    assert alone.manifest["rows_table"] == one.n_table
    both = combine_results([one, other])
    assert both.n_table == one.n_table + other.n_table
    pd.testing.assert_frame_equal(both.table.iloc[: one.n_table], one.table)

"""Synthetic postings at scale (csresearch.synth.postings): repeat structure, files, determinism."""

from __future__ import annotations

import json

import pytest

from csresearch.io import read_table
from csresearch.synth.postings import POSTING_SITES, synthetic_postings, write_synthetic_postings


def test_repeats_follow_the_set_zipf_weights_and_tail_share():
    df = synthetic_postings(40_000, site="cn", seed=3, tail=0.05, zipf_s=1.1)
    one_off = df["title"].str.contains(r"\(J\d{7}\)", na=False)
    assert one_off.mean() == pytest.approx(0.05, abs=0.006)  # the tail share we set
    assert df.loc[one_off, "title"].is_unique
    common = df.loc[~one_off, "title"].dropna().value_counts(normalize=True)
    # Zipf with s = 1.1 over n values: the top value's share is 1 / sum(k**-1.1).
    n = len(common)
    expected_top = 1 / sum(k ** -1.1 for k in range(1, n + 1))
    assert common.iloc[0] == pytest.approx(expected_top, rel=0.1)
    assert common.iloc[0] / common.iloc[9] == pytest.approx(10 ** 1.1, rel=0.25)


def test_files_have_each_sites_encoding_headers_and_row_counts(tmp_path):
    paths = write_synthetic_postings(tmp_path, 5_000, seed=1, rows_per_file=1_500, chunk_rows=700)
    meta = json.loads((tmp_path / "postings.json").read_text("utf-8"))
    assert sum(meta["files"].values()) == 5_000
    expected = {"cn": "gb18030", "ru": "cp1251", "us": "utf_8", "gb": "utf_8", "de_fr": "utf_8_sig"}
    assert {s.name for s in POSTING_SITES} == set(expected)
    for p in paths:
        df = read_table(p)
        site = p.stem.rsplit("_", 1)[0]
        assert df.attrs["read_info"]["encoding"] == expected[site], p.name
        assert len(df) == meta["files"][p.name] <= 1_500
        assert {"title", "salary_text", "city"} <= set(df.columns)  # localised headers map back
    assert read_table(tmp_path / "ru_000.csv").attrs["read_info"]["delimiter"] == ";"


def test_same_arguments_write_the_same_bytes(tmp_path):
    a = write_synthetic_postings(tmp_path / "a", 3_000, seed=5, chunk_rows=1_000)
    b = write_synthetic_postings(tmp_path / "b", 3_000, seed=5, chunk_rows=1_000)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    c = write_synthetic_postings(tmp_path / "c", 3_000, seed=6, chunk_rows=1_000)
    assert a[0].read_bytes() != c[0].read_bytes()

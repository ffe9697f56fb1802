"""CleanResult.write writes the same bytes whichever way it is scheduled, and refuses half a set."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from csresearch.clean.pipeline import CleanResult
from csresearch.outputs import _byte_absent, write_csv, write_parquet


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _result() -> CleanResult:
    table = pd.DataFrame({"record_id": pd.Series(["a1", "b2", "c3"], dtype="str"), "pay": [1.0, None, 3.0]})
    rejects = pd.DataFrame({"source_row": pd.array([4, 5], dtype="Int64"),
                            "raw_title": pd.Series(["=cmd\r\nx", "ok"], dtype="str"),
                            "raw_city": pd.Series(["Leeds", None], dtype="str")})
    return CleanResult(table, rejects, {"source": "t", "rows_in": 5})


def test_write_gives_the_bytes_of_the_files_written_one_after_the_other(tmp_path):
    res = _result()
    paths = res.write(tmp_path / "a")
    write_parquet(res.table, tmp_path / "t.parquet")
    write_csv(res.rejects, tmp_path / "r.csv")
    assert _sha(paths["table"]) == _sha(tmp_path / "t.parquet")
    assert _sha(paths["rejects"]) == _sha(tmp_path / "r.csv")
    assert "\r" not in paths["rejects"].read_text("utf-8")  # the carriage return became a newline
    assert paths["manifest"].is_file()


@pytest.mark.parametrize("rejects", [pd.DataFrame(), pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="str")})])
def test_write_with_no_rejects(tmp_path, rejects):
    res = _result()
    res.rejects = rejects
    paths = res.write(tmp_path)
    assert paths["manifest"].is_file() and paths["rejects"].is_file()


def test_a_failing_table_write_raises_and_writes_no_manifest(tmp_path, monkeypatch):
    import csresearch.clean.pipeline as pipeline

    def broken(df, path):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        _result().write(tmp_path)
    assert not (tmp_path / "survey_manifest.json").exists()


def test_byte_absent_is_exact_or_unsure():
    s = pd.Series(["ab", None, "c\rd", "e"], dtype="str")
    assert not _byte_absent(s, 13)
    assert _byte_absent(s.iloc[[0, 3]].reset_index(drop=True), 13) in (True, False)  # a slice may keep the buffer
    assert _byte_absent(pd.Series(["ab", None, "\u4e2d"], dtype="str"), 13)
    assert _byte_absent(pd.Series([], dtype="str"), 13)
    assert not _byte_absent(pd.Series(["a\rb"], dtype=object), 13)  # not Arrow: not known, tested per cell
    assert not _byte_absent(pd.Series(["ab"], dtype=object), 13)

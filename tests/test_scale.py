"""The dask path gives the pandas path's tables, rejects and counts (csresearch.scale).

Ground truth here is the pandas pipeline itself: the same files cleaned by ``read_table`` +
``clean_survey`` per file (the rule of ``csresearch clean``: each of several files is its own
source ``"<source>/<file name>"`` with rows numbered from 1) must come out of the dask path
row for row, with CSV files split into several partitions so that mid-file row numbering is
exercised. The files are the synthetic survey (GB18030, cp1251 with ``;``, UTF-8 with BOM,
UTF-8, XLSX, JSON) with the real cleaning steps.

Most tests use a 2-worker LocalCluster with ``processes=False``: the same scheduler, task graph
and worker model, without starting two Python interpreters per test (each import of the
package takes several seconds on a loaded 2-core machine). One test runs the default
``clean_files`` cluster: 2 worker processes, so steps and results really cross processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from csresearch.clean.pipeline import combine_results  # noqa: E402  (the CLI's pandas combination rule)
from csresearch.clean.pipeline import clean_survey  # noqa: E402
from csresearch.errors import InputFileError  # noqa: E402
from csresearch.io import read_table  # noqa: E402
from csresearch.scale import DaskCleanResult, clean_files, combine_manifests  # noqa: E402
from csresearch.schema import coerce_processed, empty_processed  # noqa: E402
from csresearch.synth.survey import write_synthetic_survey  # noqa: E402

YEAR = 2024
CSV_FILES = ["cn_postings_gbk.csv", "de_fr_postings.csv", "gb_postings.csv", "ru_postings_cp1251.csv"]
ALL_FILES = [*CSV_FILES, "cn_survey.xlsx", "us_survey.json"]
CSV_ROWS = 400
BLOCK = "8KB"  # CSV files of 27-45 KB -> 3 to 5 partitions each


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    write_synthetic_survey(out, seed=7)
    for name in CSV_FILES:  # 400 rows per CSV keep the module fast; bytes (encoding, BOM) untouched
        path = out / name
        path.write_bytes(b"\n".join(path.read_bytes().split(b"\n")[:CSV_ROWS + 1]) + b"\n")
    return out


@pytest.fixture(scope="module")
def pandas_results(raw_dir) -> dict[str, object]:
    """Each file cleaned by the pandas path, as its own source (the multi-file rule)."""
    out = {}
    for name in ALL_FILES:
        res = clean_survey(read_table(raw_dir / name), source=f"crawl/{name}", year=YEAR)
        res.manifest["path"] = str(raw_dir / name)
        out[name] = res
    return out


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("record_id").reset_index(drop=True)


def _read_outputs(outdir: Path, source: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    table = coerce_processed(pd.read_parquet(outdir / f"{source}_table"))
    rejects = pd.read_parquet(outdir / f"{source}_rejects")
    rejects = rejects.astype({c: ("Int64" if c == "source_row" else "str") for c in rejects.columns})
    manifest = json.loads((outdir / f"{source}_manifest.json").read_text("utf-8"))
    return table, rejects, manifest


def _assert_same_as_pandas(outdir: Path, source: str, manifest: dict, pandas_results: dict, files: list[str]):
    table, rejects, written = _read_outputs(outdir, source)
    expected = combine_results([pandas_results[f] for f in files])
    exp_table, exp_rejects, exp_manifest = expected.table, expected.rejects, expected.manifest
    pd.testing.assert_frame_equal(_sorted(table), _sorted(exp_table))
    assert list(rejects.columns) == list(exp_rejects.columns)
    pd.testing.assert_frame_equal(_sorted(rejects), _sorted(exp_rejects))
    assert written["rows_in"] == manifest["rows_in"] == exp_manifest["rows_in"]
    assert manifest["rows_in"] == manifest["rows_table"] + manifest["rows_rejected"]
    assert manifest["rows_table"] == len(exp_table) and manifest["rows_rejected"] == len(exp_rejects)
    # Per file: every entry of the pandas manifest (counts, reasons, input hash, read info,
    # columns dropped and scrubbed) is the same in the dask manifest.
    for name, got in zip(files, manifest["sources"]):
        want = pandas_results[name].manifest
        assert {k: got.get(k) for k in want} == want, name


@pytest.fixture(scope="module")
def dask_run(raw_dir, client, tmp_path_factory) -> tuple[Path, dict]:
    """All files cleaned by clean_files, CSV files in blocks of 16 KB."""
    out = tmp_path_factory.mktemp("dask_out")
    manifest = clean_files([raw_dir / f for f in ALL_FILES], source="crawl", outdir=out, scheduler=client,
                           partition_size=BLOCK, year=YEAR)
    return out, manifest


def test_clean_files_gives_the_pandas_tables_rejects_and_counts(dask_run, pandas_results):
    outdir, manifest = dask_run
    parts = {Path(s["path"]).name: s["npartitions"] for s in manifest["sources"]}
    assert all(parts[f] >= 3 for f in CSV_FILES), parts  # mid-file splits are exercised
    assert parts["cn_survey.xlsx"] == parts["us_survey.json"] == 1
    _assert_same_as_pandas(outdir, "crawl", manifest, pandas_results, ALL_FILES)
    # Counts add up per file and over files.
    reasons = {}
    for s in manifest["sources"]:
        assert s["rows_in"] == s["rows_table"] + s["rows_rejected"] == sum(s["partition_rows"])
        assert sum(s["rejected_by_reason"].values()) == s["rows_rejected"]
        for k, v in s["rejected_by_reason"].items():
            reasons[k] = reasons.get(k, 0) + v
    assert manifest["rejected_by_reason"] == reasons
    assert sum(reasons.values()) == manifest["rows_rejected"] > 0


def test_rows_are_numbered_by_their_line_in_each_file(dask_run, raw_dir):
    outdir, manifest = dask_run
    table, rejects, _ = _read_outputs(outdir, "crawl")
    rows = pd.concat([table[["source", "source_row"]], rejects[["source", "source_row"]]])
    for s in manifest["sources"]:
        got = sorted(rows.loc[rows["source"] == s["source"], "source_row"])
        # each row's line (sheet row, JSON position) in its file, blocks cut mid-file included
        assert got == read_table(raw_dir / Path(s["path"]).name).index.tolist()
        assert len(got) == s["rows_in"]
    assert sorted(rows["source"].unique()) == sorted(f"crawl/{f}" for f in ALL_FILES)


def test_default_cluster_of_two_worker_processes(raw_dir, pandas_results, tmp_path):
    files = ["gb_postings.csv", "ru_postings_cp1251.csv"]
    manifest = clean_files([raw_dir / f for f in files], source="crawl", outdir=tmp_path,
                           partition_size=BLOCK, year=YEAR)
    assert manifest["n_workers"] == 2
    assert all(s["npartitions"] >= 3 for s in manifest["sources"])
    _assert_same_as_pandas(tmp_path, "crawl", manifest, pandas_results, files)


def test_headerless_file_with_column_names_and_quoted_line_breaks(client, tmp_path):
    # Quoted cells spanning lines cannot be split at newlines: the file is read whole.
    lines = ["客服专员,\"6-8千/月\",上海,\"备注\n第二行\"", "客服主管,面议,北京,", "在线客服,5000元/月,杭州,"] * 400
    path = tmp_path / "headerless.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    names = ["title", "salary_text", "city", "description"]
    manifest = clean_files([path], source="h", outdir=tmp_path / "out", columns=names, scheduler=client,
                           partition_size="4KB", country="CN", year=YEAR)
    assert manifest["sources"][0]["npartitions"] == 1
    table, rejects, _ = _read_outputs(tmp_path / "out", "h")
    expected = clean_survey(read_table(path, columns=names), source="h", country="CN", year=YEAR)
    pd.testing.assert_frame_equal(_sorted(table), _sorted(expected.table))
    pd.testing.assert_frame_equal(_sorted(rejects), _sorted(expected.rejects))
    assert len(table) + len(rejects) == 1200
    assert set(table["source"]) == {"h"}  # one file: the source is named as given


def test_clean_survey_on_a_dask_frame_returns_lazy_dask_results(pandas_results, raw_dir):
    raw = read_table(raw_dir / "ru_postings_cp1251.csv")
    res = clean_survey(dd.from_pandas(raw, npartitions=5), source="crawl/ru_postings_cp1251.csv", year=YEAR)
    assert isinstance(res, DaskCleanResult)
    assert isinstance(res.table, dd.DataFrame) and isinstance(res.rejects, dd.DataFrame)
    assert res.table.npartitions == 5
    assert res.table.dtypes.equals(empty_processed().dtypes)
    out = res.compute(scheduler="sync")
    want = pandas_results["ru_postings_cp1251.csv"]
    pd.testing.assert_frame_equal(_sorted(out.table), _sorted(want.table))
    pd.testing.assert_frame_equal(_sorted(out.rejects), _sorted(want.rejects))
    for key in ["rows_in", "rows_table", "rows_rejected", "rejected_by_reason", "salary_status",
                "customer_service_rows", "ppp_unavailable", "personal_columns_dropped"]:
        assert out.manifest[key] == want.manifest[key], key


@settings(deadline=None, max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), nparts=st.integers(1, 3), offset=st.integers(0, 340))
def test_any_partitioning_gives_the_same_rows(raw_dir, n, nparts, offset):
    raw = read_table(raw_dir / "gb_postings.csv").iloc[offset:offset + n].reset_index(drop=True)
    want = clean_survey(raw, source="s", year=YEAR, first_row=offset + 1)
    got = clean_survey_dask_compute(raw, nparts, first_row=offset + 1)
    pd.testing.assert_frame_equal(_sorted(got.table), _sorted(want.table))
    pd.testing.assert_frame_equal(_sorted(got.rejects), _sorted(want.rejects))
    assert got.manifest["rows_in"] == n == got.manifest["rows_table"] + got.manifest["rows_rejected"]


def clean_survey_dask_compute(raw: pd.DataFrame, nparts: int, first_row: int):
    from csresearch.scale import clean_survey_dask

    ddf = dd.from_pandas(raw, npartitions=nparts, sort=False)
    return clean_survey_dask(ddf, source="s", first_row=first_row, year=YEAR).compute(scheduler="sync")


def test_manifests_add_up_and_keep_shared_entries():
    a = {"source": "s", "rows_in": 4, "rows_table": 3, "rows_rejected": 1, "customer_service_rows": 2,
         "rejected_by_reason": {"salary_missing": 1}, "salary_status": {"ok": 3, "missing": 1},
         "ppp_unavailable": {}, "personal_columns_dropped": ["name"], "input_sha256": "a"}
    b = {**a, "rows_in": 2, "rows_table": 0, "rows_rejected": 2, "customer_service_rows": 0,
         "rejected_by_reason": {"salary_missing": 1, "empty_row": 1}, "salary_status": {"missing": 2},
         "input_sha256": "b"}
    m = combine_manifests([a, {}, b], {"engine": "dask"})
    assert (m["rows_in"], m["rows_table"], m["rows_rejected"]) == (6, 3, 3)
    assert m["rejected_by_reason"] == {"empty_row": 1, "salary_missing": 2}
    assert m["salary_status"] == {"missing": 3, "ok": 3}
    assert m["personal_columns_dropped"] == ["name"] and m["engine"] == "dask"
    with pytest.raises(AssertionError, match="does not add up"):
        combine_manifests([{**a, "rows_table": 4}])


def test_unreadable_inputs_are_typed_errors_naming_the_file(tmp_path, client):
    dup = tmp_path / "dup.csv"
    dup.write_text("title,title,salary\nx,y,z\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="dup.csv.*duplicate"):
        clean_files([dup], source="d", outdir=tmp_path / "o", scheduler=client)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty.csv.*empty"):
        clean_files([empty], source="e", outdir=tmp_path / "o", scheduler=client)
    mixed = tmp_path / "mixed.csv"  # UTF-8 head, a cp1251 row far beyond the sniffed head
    mixed.write_bytes(("title,salary\n" + "客服,5000\n" * 120_000).encode() + "Оператор,30000\n".encode("cp1251"))
    with pytest.raises(InputFileError, match="mixed.csv.*mixed encoding"):
        clean_files([mixed], source="x", outdir=tmp_path / "o", scheduler=client, partition_size="256KB")
    with pytest.raises(InputFileError, match="missing.csv"):
        clean_files([tmp_path / "missing.csv"], source="m", outdir=tmp_path / "o", scheduler=client)


def _messy_csv(path: Path, n: int = 300) -> None:
    """Blank lines, CRLF, a repeated header and duplicates scattered through a file of many blocks."""
    head = "title,salary_text,city,country\r\n"
    rows = [head]
    for i in range(n):
        rows.append(f"Customer Service Advisor {i % 7},£{2000 + i % 5} per month,London,GB\r\n")
        if i % 11 == 0:
            rows.append("\r\n" if i % 2 else "   \n")
        if i == 150:
            rows.append(head)
    path.write_bytes("".join(rows).encode("utf-8"))


def test_dask_source_rows_are_the_file_lines_across_blocks(client, tmp_path):
    path = tmp_path / "messy.csv"
    _messy_csv(path)
    want = clean_survey(read_table(path), source="m", year=YEAR)
    manifest = clean_files([path], source="m", outdir=tmp_path / "o", scheduler=client, partition_size="2KB", year=YEAR)
    assert manifest["sources"][0]["npartitions"] >= 5
    table, rejects, _ = _read_outputs(tmp_path / "o", "m")
    assert sorted(table["source_row"]) == sorted(want.table["source_row"])
    assert sorted(rejects["source_row"]) == sorted(want.rejects["source_row"]) and len(rejects) == 1
    got = table.set_index("source_row").sort_index()["duplicate_of"]
    assert got.tolist() == want.table.set_index("source_row").sort_index()["duplicate_of"].tolist()
    assert got.notna().sum() > 200  # duplicates found across blocks, named by their first line


def test_dask_folder_input_lists_the_files_not_read(client, tmp_path, capsys):
    from csresearch.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.csv").write_text("title,salary_text\nAgent,£2000 per month\n", "utf-8")
    (folder / "dup.csv").write_text("title,title\nx,y\n", "utf-8")
    (folder / "ragged.csv").write_text("title,salary_text\n" + "a,b\n" * 50 + "a,b,c\n", "utf-8")
    (folder / "broken.xlsx").write_bytes(b"not a zip")
    (folder / "notes.doc").write_bytes(b"x")
    code = main(["clean", str(folder), "--source", "f", "--country", "GB", "--year", "2024", "-o", str(tmp_path / "o"),
                 "--engine", "dask", "--scheduler", client.scheduler.address])
    out = capsys.readouterr().out
    assert code == 0
    manifest = json.loads((tmp_path / "o" / "f_manifest.json").read_text("utf-8"))
    names = [s.split(" ")[0] for s in manifest["files_not_read"]]
    assert sorted(names) == ["broken.xlsx", "dup.csv", "notes.doc", "ragged.csv"]
    assert manifest["rows_in"] == 1 and any("files not read" in w for w in manifest["warnings"])
    assert "files not read: " in out and "duplicate" in out


def test_files_are_cut_into_the_fewest_equal_blocks(tmp_path):
    from csresearch.scale import _read_csv

    path = tmp_path / "rows.csv"
    path.write_text("title,salary_text\n" + "".join(f"agent {i:05d},{10000 + i}\n" for i in range(2000)), "utf-8")
    size = path.stat().st_size
    for block in (size // 3 + 1, size // 2, size + 1):
        n = -(-size // block)
        read = _read_csv(path, columns=None, encoding=None, blocksize=block)
        assert read.ddf.npartitions == n  # ceil(size / block): never a small remainder block
        rows = [len(p.compute(scheduler="sync")) for p in read.ddf.to_delayed()]
        assert sum(rows) == 2000 and max(rows) - min(rows) <= 2  # equal blocks of lines of one length


def test_auto_partition_size_follows_the_worker_memory_limit():
    from csresearch.scale import _AUTO_BLOCK_MAX, _AUTO_BLOCK_MIN, _MEMORY_PER_CSV_BYTE, _auto_block_size

    class Stub:
        def __init__(self, *limits):
            self.limits = limits

        def scheduler_info(self):
            return {"workers": {f"w{i}": {"memory_limit": m} for i, m in enumerate(self.limits)}}

    gib = 1 << 30
    assert _auto_block_size(Stub(gib // 2, gib)) == (gib // 2) // _MEMORY_PER_CSV_BYTE  # the smallest worker
    assert _auto_block_size(Stub(64 * gib)) == _AUTO_BLOCK_MAX
    assert _auto_block_size(Stub(1 << 20)) == _AUTO_BLOCK_MIN
    assert _auto_block_size(Stub(0, None)) == _AUTO_BLOCK_MAX  # no limit known


@pytest.mark.parametrize("size", [0, -5, "0B", "-1MB", "lots"])
def test_a_partition_size_that_is_not_positive_is_refused(tmp_path, size):
    # refused before any cluster starts: 0 used to read each file as one block without a word
    path = tmp_path / "a.csv"
    path.write_text("title,salary\nx,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="partition_size"):
        clean_files([path], source="p", outdir=tmp_path / "o", partition_size=size)

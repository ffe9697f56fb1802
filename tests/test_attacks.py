"""A deliberate attacker against the outputs (issue 18).

Each test plays one attack that worked on the build before issue 18: personal data planted in
every column of every input format, small cells recovered from quantiles or by differencing
published tables, a build killed mid-way or run twice at once, path traversal through names,
and formula cells in CSVs.
"""

from __future__ import annotations

import csv
import itertools
import json
import multiprocessing as mp
import os
import random
import re
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csresearch.cli import main
from csresearch.io import load_processed
from csresearch.models.pay import pay_band_tables, pay_bands, quantile_min_rows
from csresearch.outputs import OutputMismatchError, UnsafeNameError, escape_formulas, safe_name
from csresearch.privacy import find_pii

# --------------------------------------------------------------------------- planted PII

SECRETS = {
    # column -> text planted in it (canonical names are mapped by read_table's aliases)
    "title": "客服专员 联系人：梅小姐 13812345678",
    "salary_text": "面议，微信kefu_zhang88，邮箱 hr.zhang@qq.com",
    "city": "上海 hr.li@example.com",
    "experience_text": "3-5年 QQ：20481632",
    "education_text": "本科 身份证 110105194912310021",
    "date": "2024-03-15 tel 13712345670",
    "company": "某某公司 wx: kefu_wang99",
    "description": "Контактное лицо: Иван Петров, +7 (999) 123-45-67, ivan.petrov@example.ru",
    "姓 名": "张伟",
    "Имя кандидата": "Ольга Смирнова",
    "联系QQ": "87654321",
    "wx": "wxid_abc123",
    "EmpID": "E0001",
    "staff no": "S7777",
    "员工ID": "9001",
    "Employee Code": "EC5555",
    "age": "34",
    "gender": "F",
    "region": "Pudong-Zhangjiang",
}
NUMERIC_SECRETS = {"mobile_no": 13812345678, "id_card_no": 110105194912310021, "x_unknown": 13698765432}
# strings that must appear nowhere in any written byte
LITERALS = ["梅小姐", "13812345678", "kefu_zhang88", "hr.zhang", "hr.li@", "20481632", "110105194912310021",
            "13712345670", "kefu_wang99", "Иван Петров", "123-45-67", "ivan.petrov", "张伟", "Ольга", "87654321",
            "wxid_abc123", "E0001", "S7777", "EC5555", "Pudong-Zhangjiang", "13698765432"]
INDEPENDENT = {
    "cn mobile": re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])"),
    "e-mail": re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}"),
    "cn id": re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),
    "ru phone": re.compile(r"\+7\s?\(\d{3}\)"),
}


def _raw_frame(n: int = 12) -> pd.DataFrame:
    good = {"title": "客服专员", "salary_text": "6000-8000元/月", "city": "上海", "experience_text": "1-3年",
            "education_text": "大专", "date": "2024-03-15", "company": "某某公司", "description": "负责客户咨询"}
    rows = []
    for i in range(n):
        row = {**SECRETS} if i % 3 == 0 else {**good, **{k: v for k, v in SECRETS.items() if k not in good}}
        if i % 3 == 1:
            row["salary_text"] = f"{5000 + 100 * i}-{7000 + 100 * i}元/月"
        rows.append(row)
    df = pd.DataFrame(rows)
    for col, value in NUMERIC_SECRETS.items():
        df[col] = value
    return df


def _write(df: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        df.to_csv(path, index=False)
    elif path.suffix == ".xlsx":
        df.to_excel(path, index=False)
    elif path.suffix == ".json":
        path.write_text(json.dumps(df.to_dict("records"), ensure_ascii=False), "utf-8")
    else:
        df.to_parquet(path, index=False)
    return path


def _all_text(folder: Path) -> dict[Path, str]:
    """Every written file as text: parquet through pandas, everything else as its bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[p] = pd.read_parquet(p).to_csv(index=False) if p.suffix == ".parquet" else p.read_bytes().decode("utf-8", "replace")
    return out


def _assert_clean(files: dict[Path, str]) -> None:
    assert files
    for path, text in files.items():
        for lit in LITERALS:
            assert lit not in text, f"{lit!r} written to {path.name}"
        for name, rx in INDEPENDENT.items():
            assert not rx.search(text), f"{name} {rx.search(text).group(0)!r} written to {path.name}"
        if path.suffix in {".csv", ".parquet"}:
            cells = pd.Series(text.splitlines())
            hits = find_pii(cells)
            assert hits.empty, f"project detectors find {hits['match'].tolist()[:3]} in {path.name}"
        for header in ("raw_age", "raw_gender", "raw_region", "raw_description"):
            assert header not in text, f"{header} in {path.name}"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json", ".parquet"])
def test_pii_in_every_column_of_every_format_reaches_no_written_file(tmp_path, suffix):
    src = _write(_raw_frame(), tmp_path / f"hr{suffix}")
    out = tmp_path / "data" / "processed"
    assert main(["clean", str(src), "--source", "atk", "--country", "CN", "--year", "2024", "-o", str(out)]) == 0
    _assert_clean(_all_text(out))
    table = pd.read_parquet(out / "atk.parquet")
    # pay is not read out of a contact detail: "微信kefu_zhang88" is not 88 CNY an hour
    assert not (table["pay_low"] == 88).any()
    assert len(table) + len(pd.read_csv(out / "atk_rejects.csv")) == 12


def test_keep_raw_is_opt_in_and_never_inside_data_processed(tmp_path):
    src = _write(_raw_frame(), tmp_path / "hr.csv")
    out = tmp_path / "data" / "processed"
    args = ["clean", str(src), "--source", "atk", "--country", "CN", "--year", "2024", "-o", str(out)]
    assert main([*args, "--keep-raw", str(out / "raw")]) == 2
    assert main([*args, "--keep-raw", str(tmp_path / "debug")]) == 0
    raw = pd.read_csv(tmp_path / "debug" / "atk_rejects_raw.csv")
    assert "raw_description" not in raw.columns and "description" in raw.columns
    _assert_clean(_all_text(out))


# --------------------------------------------------------------------------- small cells


def _interp_rows(n: int, qs: list[float]) -> np.ndarray:
    """numpy's default (linear) quantile as weights on the sorted values."""
    rows = []
    for q in qs:
        h = (n - 1) * q
        lo = int(np.floor(h))
        w = np.zeros(n)
        w[lo] += 1 - (h - lo)
        if h > lo:
            w[lo + 1] += h - lo
        rows.append(w)
    return np.array(rows).reshape(len(qs), n)


def _recovered(n: int, published: list[float]) -> int:
    """Sorted values an attacker pins down exactly from the published quantiles."""
    if not published:
        return 0
    a = _interp_rows(n, published)
    rank = np.linalg.matrix_rank(a)
    return sum(np.linalg.matrix_rank(np.vstack([a, np.eye(n)[i]])) == rank for i in range(n))


@pytest.mark.parametrize("n", [5, 6, 7, 9, 10, 13, 20, 49, 50])
def test_quantile_inversion_cannot_recover_a_small_cell(n):
    k = 5
    pay = np.sort(np.random.default_rng(n).uniform(3000, 9000, n))
    band = pay_bands(pd.DataFrame({"g": "a", "pay": pay}), "g", value="pay", min_cell=k).iloc[0]
    qs = {"p10": 0.1, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p90": 0.9}
    published = [q for col, q in qs.items() if pd.notna(band[col])]
    assert all(n >= quantile_min_rows(q, k) for q in published)
    got = _recovered(n, published)
    # a cell of exactly k (and anything below 2k) publishes no quantile; larger cells at most
    # one value per published quantile, never the whole cell
    assert got == 0 if n < 2 * k else got <= len(published) < n
    # the same attack on all five quantiles of a cell of k rows recovers every value: what the rule prevents
    assert _recovered(k, list(qs.values())) == k


def _span_recovers(vectors: list[np.ndarray], target: np.ndarray) -> bool:
    if not vectors:
        return False
    a = np.array(vectors)
    return np.linalg.matrix_rank(np.vstack([a, target])) == np.linalg.matrix_rank(a)


def _cells(df: pd.DataFrame, by: list[str], fine: pd.Series) -> list[np.ndarray]:
    n_fine = int(fine.max()) + 1
    out = []
    for _, idx in df.groupby(by, sort=True, dropna=False).indices.items():
        v = np.zeros(n_fine)
        v[np.unique(fine.to_numpy()[idx])] = 1
        out.append(v)
    return out


def test_differencing_any_pair_of_published_tables_recovers_no_suppressed_cell():
    rng = np.random.default_rng(18)
    rows = []
    for country, cities in {"CN": ["上海", "北京", "深圳"], "RU": ["Москва", "Казань"], "GB": ["London"]}.items():
        for city in cities:
            for level in ["agent", "senior", "team lead"]:
                rows += [(country, city, level)] * int(rng.choice([1, 2, 3, 6, 8, 12, 30]))
    df = pd.DataFrame(rows, columns=["country", "city", "level_name"])
    df["pay"] = rng.uniform(3000, 9000, len(df))
    specs = {"country_level": (["country", "level_name"], "pay"), "city": (["country", "city"], "pay"),
             "country": (["country"], "pay"), "city_level": (["country", "city", "level_name"], "pay")}
    tables = pay_band_tables(df, specs, min_cell=5)
    fine = df.groupby(["country", "city", "level_name"], sort=True).ngroup()
    vecs = {name: _cells(df, list(by), fine) for name, (by, _) in specs.items()}
    total = np.ones(int(fine.max()) + 1)
    hidden_any = 0
    for t1, t2 in itertools.combinations_with_replacement(specs, 2):
        pub = [v for t in {t1, t2} for v, s in zip(vecs[t], tables[t]["suppressed"]) if not s] + [total]
        for t in {t1, t2}:
            for v, s in zip(vecs[t], tables[t]["suppressed"]):
                if s:
                    hidden_any += 1
                    assert not _span_recovers(pub, v), f"a suppressed cell of {t} follows from {t1} and {t2}"
    assert hidden_any > 0
    # every table at once is no better for the attacker
    pub_all = [v for t in specs for v, s in zip(vecs[t], tables[t]["suppressed"]) if not s] + [total]
    assert not any(_span_recovers(pub_all, v) for t in specs for v, s in zip(vecs[t], tables[t]["suppressed"]) if s)
    # and suppressed cells publish no counts
    for frame in tables.values():
        assert frame.loc[frame["suppressed"], ["n", "n_rows"]].isna().all().all()


def test_without_the_joint_audit_the_city_minus_level_attack_works():
    df = pd.DataFrame({"city": ["X"] * 7 + ["Y"] * 9, "level": ["a"] * 5 + ["b"] * 2 + ["a"] * 9, "pay": range(16)})
    city = pay_bands(df, ["city"], value="pay", min_cell=5)
    level = pay_bands(df, ["city", "level"], value="pay", min_cell=5)
    # alone, each table looks safe, but X minus X·a gives the suppressed 2-person cell
    assert int(city.loc[0, "n"]) - int(level.loc[0, "n"]) == 2
    joint = pay_band_tables(df, {"city": (["city"], "pay"), "level": (["city", "level"], "pay")}, min_cell=5)
    visible = joint["city"].loc[0, "n"], joint["level"].loc[0, "n"]
    assert any(pd.isna(v) for v in visible)


# --------------------------------------------------------------------------- torn outputs

_SOURCES = """sources:
  - name: tiny
    path: tiny.csv
    country: CN
    year: 2024
    default_period: month
    is_synthetic: true
"""


def _tiny_project(root: Path, variant: int) -> None:
    raw = root / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "sources.yaml").write_text(_SOURCES, "utf-8")
    rng = np.random.default_rng(variant)
    n = 60 + 20 * variant
    titles = rng.choice(["客服专员", "客服主管", "客服经理", "高级客服"], n)
    lo = rng.integers(4, 12, n) * 1000
    cities = rng.choice(["上海", "北京", "杭州"], n)
    pd.DataFrame({"title": titles, "salary_text": [f"{a}-{a + 2000}元/月" for a in lo], "city": cities,
                  "company": [f"公司{i % 7}" for i in range(n)], "experience_text": "1-3年"}).to_csv(
        raw / "tiny.csv", index=False)


def _build(root: str) -> None:
    from csresearch.build import build

    build(root, figures=False, show_progress=False)


@pytest.fixture
def fast_build(monkeypatch, tmp_path):
    """The real build and its writers, with the slow steps that write nothing of their own
    (official statistics, model fits) replaced by precomputed or cheap stand-ins, and one
    build run in this process first so that forked children start with warm caches: random
    kills then land in the cleaning and writing phase and the test stays cheap."""
    import csresearch.build as b
    from csresearch.io import project_root
    from csresearch.published import published_statistics

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("needs fork")
    published = published_statistics(project_root() / "data" / "raw")
    monkeypatch.setattr(b, "published_statistics", lambda raw_dir: published.copy())
    monkeypatch.setattr(b, "_model_summaries", lambda table: pay_band_tables(
        table[table["is_customer_service"]], {"pay_bands_city": (["country", "city"], "annual_mid")}))
    monkeypatch.setenv("CSRESEARCH_LOCK_TIMEOUT", "60")
    _tiny_project(tmp_path, 0)
    _build(str(tmp_path))  # warms the caches the children inherit
    t0 = time.monotonic()
    _build(str(tmp_path))
    return mp.get_context("fork"), time.monotonic() - t0


def _consistent(root: Path) -> bool:
    """load_processed either refuses, or returns exactly what the manifest describes."""
    try:
        df = load_processed("survey", root)
    except (OutputMismatchError, FileNotFoundError):
        return False
    except Exception as exc:  # InputFileError when nothing was written yet
        assert "not found" in str(exc) or "manifest" in str(exc), exc
        return False
    entry = json.loads((root / "data" / "processed" / "manifest.json").read_text())["outputs"]["data/processed/survey.parquet"]
    assert len(df) == entry["rows"]
    return True


@pytest.mark.slow
def test_a_build_killed_at_random_points_never_leaves_mismatched_outputs(tmp_path, fast_build):
    ctx, full = fast_build
    assert _consistent(tmp_path)
    rng = random.Random(18)
    outcomes = []
    for i in range(20):
        _tiny_project(tmp_path, 1 + i % 2)  # inputs alternate, so a torn set would show
        p = ctx.Process(target=_build, args=(str(tmp_path),))
        p.start()
        time.sleep(rng.uniform(0.0, full))
        os.kill(p.pid, signal.SIGKILL)
        p.join()
        outcomes.append(_consistent(tmp_path))
        leftovers = [f.name for f in (tmp_path / "data" / "processed").iterdir() if f.name.endswith(".tmp")]
        for name in leftovers:  # a killed writer may leave its temporary file, never a half output
            assert name.startswith(".")
    assert len(outcomes) == 20
    print(f"\nkilled builds: {sum(outcomes)} left a complete matching set, {20 - sum(outcomes)} were refused")


@pytest.mark.slow
def test_two_concurrent_builds_never_leave_torn_files(tmp_path, fast_build):
    ctx, _ = fast_build
    _tiny_project(tmp_path, 1)
    procs = [ctx.Process(target=_build, args=(str(tmp_path),)) for _ in range(2)]
    for p in procs:
        p.start()
    seen_ok = 0
    while any(p.is_alive() for p in procs):
        seen_ok += _consistent(tmp_path)
        time.sleep(0.05)
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert _consistent(tmp_path)
    manifest = json.loads((tmp_path / "data" / "processed" / "manifest.json").read_text())
    from csresearch.outputs import sha256_file

    for rel, entry in manifest["outputs"].items():
        assert sha256_file(tmp_path / rel) == entry["sha256"], rel


# --------------------------------------------------------------------------- names and cells


@pytest.mark.parametrize("name", ["../../evil", "/abs/path", "a/b", "a\\b", "", "  ", ".", "..", ".hidden", "x\ny", "nul\x00"])
def test_traversal_and_empty_names_are_refused(tmp_path, name, capsys):
    src = _write(_raw_frame(3), tmp_path / "in.csv")
    out = tmp_path / "deep" / "out"
    assert main(["clean", str(src), "--source", name, "--country", "CN", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be used in a file name" in err[0]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [src]  # nothing written anywhere
    with pytest.raises(UnsafeNameError):
        safe_name(name)
    with pytest.raises(UnsafeNameError):
        load_processed(name or "..", tmp_path)


def test_formula_cells_are_escaped_and_numbers_stay_numbers(tmp_path):
    evil = ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
    df = pd.DataFrame({"title": evil, "salary_text": ["面议"] * len(evil), "city": ["上海"] * len(evil)})
    src = _write(df, tmp_path / "in.csv")
    out = tmp_path / "out"
    assert main(["clean", str(src), "--source", "f", "--country", "CN", "-o", str(out)]) == 0
    with open(out / "f_rejects.csv", newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    risky = [c for c in cells if c[:1] in {"=", "+", "-", "@", "\t", "\r"} and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
    assert risky == []
    assert sum(c.startswith("'") for c in cells) >= 4
    frame = escape_formulas(pd.DataFrame({"t": ["-5000", "=1", None], "v": [-1.5, 2.0, None]}))
    assert frame["t"].tolist()[:2] == ["-5000", "'=1"] and frame["v"].dtype == "float64"

"""Hostile inputs (issue 17): limits instead of exhaustion, and a fast command line.

Prints, each in a fresh subprocess (wall time and peak RSS):

* the workbook bomb: a valid ~1 MB .xlsx whose sheet XML expands past 1 GiB;
* a CSV whose header has 1,000,000 columns;
* 100 KB adversarial strings through every text cleaner (worst unit per cleaner);
* ``csresearch --help`` and ``csresearch parse-salary``: this tree against a baseline commit
  (default 3dae528, before the fix), extracted with ``git archive`` into a temporary folder;
* delimiter sniffing of a 40 KB line of '?' holding two stray quotes (what the hostile-file
  test makes of a huge CJK cell read as cp1251), against ``csv.Sniffer`` on shorter lines
  (quadratic: ~20 s at 40 KB; ``--sniff-stdlib-kb 40`` to run it).

Run:  PYTHONPATH=$PWD python benchmarks/bench_hostile.py [--baseline COMMIT] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>')


def write_bomb(path: Path, gib: float = 1.2) -> None:
    """A valid workbook whose one sheet is >1 GiB of highly compressible row XML, streamed into the zip."""
    # cell and row references are optional in SpreadsheetML: identical rows compress ~1000:1
    row = '<row><c t="inlineStr"><is><t>客服专员</t></is></c><c><v>6000</v></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><sheetData>')
            written, target, chunk = 0, int(gib * 2**30), (row * 10_000).encode()
            while written < target:
                fh.write(chunk)
                written += len(chunk)
            fh.write(b"</sheetData></worksheet>")


def write_wide_header(path: Path, n: int = 1_000_000) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(f"c{i}" for i in range(n)) + "\n")
        fh.write(",".join("1" for _ in range(n)) + "\n")


def _measure(code: str, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS MiB of a child python running ``code``, and its first output line."""
    code += "\nimport resource\nprint('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env or os.environ.copy())
    wall = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    peak = next((int(x.split()[1]) for x in lines if x.startswith("PEAK ")), 0)
    first = next((x for x in lines if not x.startswith("PEAK ")), proc.stderr.strip()[-200:])
    return wall, peak / 1024, first[:200]


def _read_code(path: Path) -> str:
    return ("from csresearch.io import read_table\n"
            "from csresearch.errors import CsResearchError\n"
            f"try:\n    read_table({str(path)!r}); print('read (no error)')\n"
            "except CsResearchError as e:\n    print('error:', e)\n")


def bench_limits(tmp: Path, raised: bool = False) -> None:
    bomb = tmp / "bomb.xlsx"
    t0 = time.perf_counter()
    write_bomb(bomb)
    with zipfile.ZipFile(bomb) as zf:
        xml = sum(i.file_size for i in zf.infolist())
    print(f"workbook bomb: {bomb.stat().st_size / 2**20:.1f} MiB zip, {xml / 2**30:.2f} GiB of XML "
          f"(made in {time.perf_counter() - t0:.0f} s)")
    wall, rss, line = _measure(_read_code(bomb))
    print(f"  read_table: {wall:.2f} s, peak RSS {rss:.0f} MiB -> {line}")

    wide = tmp / "wide.csv"
    write_wide_header(wide)
    print(f"1,000,000-column header: {wide.stat().st_size / 2**20:.1f} MiB file")
    wall, rss, line = _measure(_read_code(wide))
    print(f"  read_table: {wall:.2f} s, peak RSS {rss:.0f} MiB -> {line}")
    if raised:  # what the limit saves: pandas itself on a million columns (minutes, GiBs)
        wall, rss, line = _measure(_read_code(wide), {**os.environ, "CSRESEARCH_MAX_COLUMNS": "2000000"})
        print(f"  with CSRESEARCH_MAX_COLUMNS=2000000 (limit raised): {wall:.2f} s, peak RSS {rss:.0f} MiB -> {line[:120]}")


UNITS = ["a dot ", "(1", "（1", "[", "1", "1,", "1-", "1 ", " ", ";;", " - ", "a.", "a@", "a at b dot ", "+7 ", "от 1 ",
         "万", "市", "((", "a.b ", "客服a Оп1 ", "上海(", "£1-"]


def bench_regex(n: int = 100_000) -> None:
    import csresearch

    print(f"{n // 1000} KB adversarial strings, worst of {len(UNITS)} repeating units per cleaner:")
    for name in ["scrub_pii", "parse_salaries", "classify_titles", "classify_roles", "normalize_cities",
                 "parse_experience", "parse_education", "normalize_countries", "read_descriptions"]:
        fn = getattr(csresearch, name)
        fn(["warm up"])
        worst = (0.0, "")
        for unit in UNITS:
            text = (unit * (n // len(unit) + 1))[:n]
            t0 = time.perf_counter()
            fn([text])
            worst = max(worst, (time.perf_counter() - t0, unit))
        print(f"  {name:<18} {worst[0]:6.3f} s  (on {worst[1]!r})")


def _cli_time(tree: Path, args: list[str], repeat: int = 5) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        # cwd=tree: `python -m` puts the working directory first on sys.path
        subprocess.run([sys.executable, "-m", "csresearch.cli", *args], capture_output=True, env=env, check=True, cwd=tree)
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def bench_cli(baseline: str | None) -> None:
    cases = [["--help"], ["parse-salary", "1-1.5万·13薪", "--country", "CN"]]
    with tempfile.TemporaryDirectory() as base_dir:
        trees = {"this tree": ROOT}
        if baseline:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", baseline], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", base_dir], input=archive, check=True)
            trees[f"baseline {baseline}"] = Path(base_dir)
        print("command line, median of 5 runs, alternating trees:")
        for args in cases:
            t = {name: _cli_time(tree, args) for name, tree in trees.items()}
            shown = ", ".join(f"{name} {v:.2f} s" for name, v in t.items())
            ratio = f"  -> {t[f'baseline {baseline}'] / t['this tree']:.1f}x faster" if baseline else ""
            print(f"  csresearch {' '.join(args):<40} {shown}{ratio}")


SNIFF_BOUND_S = 0.5  # generous: the bisecting sniffer takes ~0.01 s on the 40 KB line


def _stray_quote_line(kb: int) -> str:
    return 'title;notes\nx;\\"' + "?" * (kb * 1000) + '\\"\n'


def bench_sniff(stdlib_kb: list[int]) -> None:
    import csv

    from csresearch.io import _sniff_delimiter

    path = Path("hostile.csv")
    text = _stray_quote_line(40)
    t0 = time.perf_counter()
    got = _sniff_delimiter(path, text)
    took = time.perf_counter() - t0
    verdict = "within" if took < SNIFF_BOUND_S else "OVER"
    print(f"delimiter sniffing, 40 KB line of '?' with two stray quotes: {took:.3f} s -> {got!r} "
          f"({verdict} the {SNIFF_BOUND_S} s bound)")
    for kb in stdlib_kb:
        sample = "\n".join(_stray_quote_line(kb).splitlines()[:50])
        t0 = time.perf_counter()
        ref = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        print(f"  csv.Sniffer (before the fix) on a {kb} KB line: {time.perf_counter() - t0:.2f} s -> {ref!r}")
    if took >= SNIFF_BOUND_S:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="3dae528", help="commit to compare the command line with")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--only", choices=["limits", "regex", "cli", "sniff"])
    parser.add_argument("--sniff-stdlib-kb", type=int, nargs="*", default=[5, 10],
                        help="line lengths (KB) to time csv.Sniffer on, for comparison")
    parser.add_argument("--raised", action="store_true", help="also read the 1M-column file with the limit raised (slow)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores")
    if args.only in (None, "cli"):
        bench_cli(None if args.skip_baseline else args.baseline)
    if args.only in (None, "regex"):
        bench_regex()
    if args.only in (None, "sniff"):
        bench_sniff(args.sniff_stdlib_kb)
    if args.only in (None, "limits"):
        with tempfile.TemporaryDirectory() as tmp:
            bench_limits(Path(tmp), args.raised)


if __name__ == "__main__":
    main()

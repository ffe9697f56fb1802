"""Command-line interface: ``csresearch build | clean | parse-salary``."""

from __future__ import annotations

import argparse
import functools
import glob
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# Only the standard library and the light modules at import time: `csresearch --help` and
# `parse-salary` must not pay for pandas, statsmodels or matplotlib (each command imports its own).
from . import __version__
from .errors import ColumnMappingError, CsResearchError, InputFileError

_DESCRIPTION = """\
csresearch: customer-service careers and pay across countries.

Cleans raw salary surveys and job postings (Chinese, Russian, English; CSV/TSV/XLSX/JSON/parquet;
UTF-8, GBK or cp1251) into one validated table of monthly and annual pay, city and tier,
experience and career level; fits pay and promotion-timing models; writes the figures.

commands:
  build          clean data/raw into data/processed, fit the models, write reports/figures
  clean          clean one raw file (or a glob of files) into parquet table, rejects and manifest
  parse-salary   parse one pay text and print the parsed row

examples:
  csresearch build
  csresearch clean postings.csv --source my_postings --country CN --year 2024 -o out/
  csresearch clean 51job.xlsx --source 51job --country CN \\
      --columns url,title,company,welfare,salary_text,description,city,,,,date -o out/
  csresearch clean 'postings/*.csv' --source crawl --engine dask --partition-size 16MB -o out/
  csresearch parse-salary "1-1.5万·13薪" --country CN
"""


def _parse_columns(spec: str | None) -> dict[str, str] | list[str | None] | None:
    """--columns: a YAML/JSON file, 'raw=canonical,...' pairs, or 'a,b,,c' names for a headerless file."""
    if spec is None:
        return None
    path = Path(spec)
    if path.suffix.lower() in {".yaml", ".yml", ".json"}:
        return _columns_file(path)
    if "=" in spec:
        pairs = [p.split("=", 1) for p in spec.split(",") if p.strip()]
        bad = [p[0] for p in pairs if len(p) != 2]
        if bad:
            raise ColumnMappingError(f"--columns: {bad[0]!r} is not raw=canonical (mix of pairs and names?)")
        return {k.strip(): v.strip() for k, v in pairs}
    return [name.strip() or None for name in spec.split(",")]


def _columns_file(path: Path) -> dict[str, str] | list[str | None]:
    """A --columns YAML/JSON file: a mapping {raw: canonical} or a list of names."""
    import yaml  # safe_load: no Python tags, a file cannot run code

    if not path.is_file():
        raise InputFileError(f"--columns {path}: no such file")
    try:
        value = yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(f"--columns {path}: not a valid YAML/JSON mapping ({first})") from None
    if isinstance(value, dict) and all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()):
        return {k: v for k, v in value.items() if v is not None}
    if isinstance(value, list) and all(v is None or isinstance(v, str) for v in value):
        return value
    raise InputFileError(f"--columns {path}: must hold a mapping raw: canonical (text to text) or a list of names")


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    from .clean.summary import summary_lines

    report = build(args.root, figures=not args.no_figures, show_progress=not args.quiet)
    m = report.manifest
    print(f"cleaned {m['rows_in']} raw rows from {len(m['sources'])} sources: "
          f"{m['rows_table']} in the processed table, {m['rows_rejected']} rejected (reasons in the manifest)")
    for line in summary_lines(m):
        print(line)
    pub = m.get("published_pay", {})
    print(f"official statistics: {pub.get('rows', 0)} rows ({pub.get('suppressed', 0)} suppressed by the publisher), "
          f"by country {pub.get('rows_by_country', {})}")
    for name in pub.get("missing_sources", []):
        print(f"  warning: official source {name} missing from data/raw (see data/raw/README.md to rebuild it)")
    print("processed data:")
    for name, path in sorted(report.processed.items()):
        print(f"  {name:<24} {path}")
    if report.figures:
        folders = sorted({str(p.parent) for p in report.figures})
        print(f"figures: {len(report.figures)} files in {', '.join(folders)}")
    return _strict_exit(args, m)


def _strict_exit(args: argparse.Namespace, manifest: dict) -> int:
    n = len(manifest.get("warnings", []))
    if n and args.strict:
        print(f"csresearch: error: {n} warning(s) and --strict", file=sys.stderr)
        return 1
    return 0


#: File types `clean FOLDER` reads (the others in the folder are listed as not read).
_READABLE = {".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson", ".parquet", ".pq"}


def _input_paths(spec: str) -> tuple[list[str], list[str]]:
    """Files to clean, and files of a folder left out (with why)."""
    if any(ch in spec for ch in "*?["):
        paths = sorted(glob.glob(spec))
        if not paths:
            raise InputFileError(f"{spec}: no file matches")
        return paths, []
    folder = Path(spec)
    if not folder.is_dir():
        return [spec], []
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    paths = [str(p) for p in files if p.suffix.lower() in _READABLE]
    skipped = [f"{p.name} (type {p.suffix or 'none'} is not read)" for p in files if p.suffix.lower() not in _READABLE]
    if not paths:
        raise InputFileError(f"{spec}: folder holds no readable file (csv, tsv, txt, xlsx, json, jsonl, parquet)")
    return paths, skipped


def _cmd_clean(args: argparse.Namespace) -> int:
    paths, skipped = _input_paths(args.input)
    in_folder = Path(args.input).is_dir()
    from .clean.country import country_code

    from .outputs import safe_name

    safe_name(args.source, "--source")  # it becomes file names in -o: no separators, no '..'
    # Checked before any file is read: a typo in --country must not cost a long run.
    common = dict(country=country_code(args.country, "--country"), year=args.year, default_period=args.default_period,
                  currency=args.currency, keep_unpaid=args.keep_unpaid)
    columns = _parse_columns(args.columns)
    if isinstance(columns, dict):
        from .headers import check_targets

        check_targets(columns.values(), option="--columns")
    out = Path(args.output)
    if args.engine == "dask":
        from .scale import clean_files

        manifest = clean_files(paths, source=args.source, outdir=out, columns=columns, encoding=args.encoding,
                               sheet=args.sheet, scheduler=args.scheduler, partition_size=args.partition_size,
                               skip_unreadable=in_folder, files_not_read=skipped, **common)
        skipped = list(manifest.get("files_not_read", []))
    else:
        from .clean.pipeline import clean_survey, combine_results, file_source_names
        from .io import read_table

        results = []
        for p, source in zip(paths, file_source_names(args.source, paths)):
            try:
                read = [read_table(p, columns=columns, encoding=args.encoding, sheet=args.sheet)]
            except InputFileError as exc:
                if not in_folder:
                    raise
                skipped.append(f"{Path(p).name} ({str(exc).removeprefix(str(p) + ': ')})")
                continue
            # the frame is handed over (no reference kept here): clean_survey frees the raw
            # cells once it has factorised them, before the processed table is built
            res = clean_survey(read.pop(), source=source, keep_raw=args.keep_raw is not None, **common)
            res.manifest["path"] = str(p)
            results.append(res)
        if not results:
            raise InputFileError(f"{args.input}: no file in the folder could be read: " + "; ".join(skipped))
        combined = combine_results(results)
        _note_skipped(combined.manifest, skipped)
        combined.write(out, args.source)
        if args.keep_raw is not None:
            print(f"raw columns of rejected rows: {combined.write_raw(args.keep_raw, args.source)}")
        manifest = combined.manifest
    from .clean.summary import summary_lines

    _note_skipped(manifest, skipped)
    print(f"{manifest['rows_in']} rows in: {manifest['rows_table']} to the table, "
          f"{manifest['rows_rejected']} rejected; outputs in {out}/")
    for line in summary_lines(manifest):
        print(line)
    if skipped:
        print("warning: files not read: " + ", ".join(skipped))
    return _strict_exit(args, manifest)


def _note_skipped(manifest: dict, skipped: list[str]) -> None:
    if skipped and "files_not_read" not in manifest:
        manifest.setdefault("warnings", []).append("files not read: " + ", ".join(skipped))
        manifest["files_not_read"] = list(skipped)


def _cmd_parse_salary(args: argparse.Namespace) -> int:
    import pandas as pd

    from .clean.salary import parse_salaries

    from .clean.country import country_code

    country = country_code(args.country, "--country")
    row = parse_salaries(pd.Series([args.text]), country=country, currency=args.currency).iloc[0]
    width = max(len(k) for k in row.index)
    for key, value in row.items():
        shown = "" if (value is None or (isinstance(value, float) and pd.isna(value))) else value
        if isinstance(shown, float):
            shown = f"{shown:,.2f}".rstrip("0").rstrip(".")
        print(f"{key:<{width}}  {shown}")
    return 0


def _clean_epilog() -> str:
    import textwrap

    from .headers import canonical_columns

    names = textwrap.fill(", ".join(canonical_columns()), width=88, initial_indent="  ", subsequent_indent="  ")
    return ("--columns targets (canonical names; headers such as 'Annual Salary', 'Зарплата', '薪资' map by "
            "themselves):\n" + names + "\n\nINPUT may be a folder: every csv/tsv/txt/xlsx/json/jsonl/parquet file in it "
            "is cleaned; files that cannot be read are listed.\nThe summary lists columns mapped and not, and every "
            "warning (rows without year/PPP, cells not understood,\nsheets not read, duplicates); --strict makes a "
            "warning exit 1.")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csresearch", description=_DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"csresearch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,clean,parse-salary}")

    b = sub.add_parser("build", help="clean data/raw, fit models, write figures",
                       description="Clean every source listed in data/raw/sources.yaml into data/processed/, "
                                   "fit the pay and promotion models, and write every figure to reports/figures/ "
                                   "(PNG and SVG). Two builds in a row give byte-identical data/processed files.")
    b.add_argument("--root", default=None, help="project root (default: found from the working directory)")
    b.add_argument("--no-figures", action="store_true", help="skip writing figures")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--strict", action="store_true", help="exit 1 when the summary has any warning (for CI)")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("clean", help="clean one raw file (or a glob) into table, rejects and manifest",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_clean_epilog(),
                       description="Read INPUT (CSV/TSV/XLSX/JSON/parquet, any of UTF-8/GBK/cp1251), map its headers, "
                                   "clean it and write OUT/NAME.parquet, OUT/NAME_rejects.csv and "
                                   "OUT/NAME_manifest.json. Rows in = rows in table + rows rejected.")
    c.add_argument("input", help="a file, a folder, or a quoted glob such as 'postings/*.csv'")
    c.add_argument("--source", required=True, help="source name kept in every row")
    c.add_argument("--country", help="country for rows that do not say: ISO code or name (CN, GB, UK, Россия, 中国)")
    c.add_argument("--year", type=int, help="year of the data (for PPP conversion)")
    c.add_argument("--currency", help="ISO 4217 currency overriding the country's default")
    c.add_argument("--default-period", choices=["hour", "day", "week", "month", "year"],
                   help="period of pay texts that state none (the source's convention)")
    c.add_argument("--columns", help="header mapping: a YAML/JSON file, 'raw=canonical,...', "
                                     "or comma-separated names for a headerless file")
    c.add_argument("--encoding", help="force the text encoding (detected by default)")
    c.add_argument("--sheet", help="XLSX worksheet name")
    c.add_argument("--keep-unpaid", action="store_true", help="keep rows with missing or negotiable pay")
    c.add_argument("--keep-raw", metavar="DIR", help="also write every raw column of the rejected rows to DIR "
                                                     "(opt-in, for debugging; DIR may not be inside data/processed)")
    c.add_argument("--engine", choices=["pandas", "dask"], default="pandas",
                   help="pandas (one machine, in memory) or dask (partitioned, larger than memory)")
    c.add_argument("--scheduler", help="address of an existing dask.distributed scheduler (dask engine)")
    c.add_argument("--partition-size", default="auto",
                   help="dask engine: largest CSV bytes per partition, e.g. 16MB (auto: from worker memory, <= 32MB)")
    c.add_argument("-o", "--output", required=True, help="output folder")
    c.add_argument("--strict", action="store_true", help="exit 1 when the summary has any warning (for CI)")
    c.set_defaults(func=_cmd_clean)

    p = sub.add_parser("parse-salary", help="parse one pay text and print the parsed row",
                       description="Parse TEXT with csresearch.parse_salaries and print every field.")
    p.add_argument("text", help='pay text, e.g. "1-1.5万·13薪" or "от 50 000 до 150 000 руб. на руки"')
    p.add_argument("--country", help="ISO2 country (default currency and working time)")
    p.add_argument("--currency", help="ISO 4217 currency override")
    p.set_defaults(func=_cmd_parse_salary)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """One parser a process: parse_args does not change it, and building one costs ~4 ms
    (the epilog lists every canonical column), paid per call by in-process callers such as
    the hostile-file test. Each command's function is bound when the parser is built."""
    return make_parser()


#: Python parameter names in messages -> what a command-line user types.
_CLI_WORDS = {"columns=": "--columns", "encoding=": "--encoding", "sheet=": "--sheet", "year=": "--year",
              "default_period=": "--default-period", "currency=": "--currency", "country=": "--country",
              "max_line_bytes": "CSRESEARCH_MAX_LINE_BYTES", " to read_table": ""}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    for py, cli in _CLI_WORDS.items():
        text = text.replace(py, cli)
    return text[:2000]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; every failure is one line on standard error, never a traceback.

    Exit codes: 0 success, 1 warnings under ``--strict``, 2 the input or an option is wrong
    (the line says what and where), 3 an internal error (a bug; ``CSRESEARCH_DEBUG=1`` shows
    the traceback).
    """
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except CsResearchError as exc:
        print(f"csresearch: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # output folder is a file, read-only, disk full...
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"csresearch: error: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("csresearch: error: out of memory; try --engine dask for a file larger than memory", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("CSRESEARCH_DEBUG"):
            raise
        print(f"csresearch: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(a bug; rerun with CSRESEARCH_DEBUG=1 for the traceback)", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

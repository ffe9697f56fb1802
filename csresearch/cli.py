"""Command-line interface: ``csresearch build | clean | parse-salary``."""

from __future__ import annotations

import argparse
import glob
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from . import __version__
from .errors import CsResearchError

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
    if path.suffix.lower() in {".yaml", ".yml", ".json"} and path.is_file():
        return yaml.safe_load(path.read_text("utf-8"))
    if "=" in spec:
        pairs = [p.split("=", 1) for p in spec.split(",") if p.strip()]
        return {k.strip(): v.strip() for k, v in pairs}
    return [name.strip() or None for name in spec.split(",")]


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    report = build(args.root, figures=not args.no_figures, show_progress=not args.quiet)
    m = report.manifest
    print(f"cleaned {m['rows_in']} raw rows from {len(m['sources'])} sources: "
          f"{m['rows_table']} in the processed table, {m['rows_rejected']} rejected (reasons in the manifest)")
    print("processed data:")
    for name, path in sorted(report.processed.items()):
        print(f"  {name:<24} {path}")
    if report.figures:
        folders = sorted({str(p.parent) for p in report.figures})
        print(f"figures: {len(report.figures)} files in {', '.join(folders)}")
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:
    paths = sorted(glob.glob(args.input)) if any(ch in args.input for ch in "*?[") else [args.input]
    if not paths:
        raise CsResearchError(f"{args.input}: no file matches")
    from .clean.country import country_code

    # Checked before any file is read: a typo in --country must not cost a long run.
    common = dict(country=country_code(args.country, "--country"), year=args.year, default_period=args.default_period,
                  currency=args.currency, keep_unpaid=args.keep_unpaid)
    columns = _parse_columns(args.columns)
    out = Path(args.output)
    if args.engine == "dask":
        from .scale import clean_files

        manifest = clean_files(paths, source=args.source, outdir=out, columns=columns, encoding=args.encoding,
                               sheet=args.sheet, scheduler=args.scheduler, partition_size=args.partition_size,
                               **common)
    else:
        from .clean.pipeline import clean_survey, combine_results, file_source_names
        from .io import read_table

        results = []
        for p, source in zip(paths, file_source_names(args.source, paths)):
            df = read_table(p, columns=columns, encoding=args.encoding, sheet=args.sheet)
            res = clean_survey(df, source=source, **common)
            res.manifest["path"] = str(p)
            results.append(res)
        combined = combine_results(results)
        combined.write(out, args.source)
        manifest = combined.manifest
    print(f"{manifest['rows_in']} rows in: {manifest['rows_table']} to the table, "
          f"{manifest['rows_rejected']} rejected; outputs in {out}/")
    return 0


def _cmd_parse_salary(args: argparse.Namespace) -> int:
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
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("clean", help="clean one raw file (or a glob) into table, rejects and manifest",
                       description="Read INPUT (CSV/TSV/XLSX/JSON/parquet, any of UTF-8/GBK/cp1251), map its headers, "
                                   "clean it and write OUT/NAME.parquet, OUT/NAME_rejects.csv and "
                                   "OUT/NAME_manifest.json. Rows in = rows in table + rows rejected.")
    c.add_argument("input", help="a file, or a quoted glob such as 'postings/*.csv'")
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
    c.add_argument("--engine", choices=["pandas", "dask"], default="pandas",
                   help="pandas (one machine, in memory) or dask (partitioned, larger than memory)")
    c.add_argument("--scheduler", help="address of an existing dask.distributed scheduler (dask engine)")
    c.add_argument("--partition-size", default="16MB", help="dask partition size (dask engine)")
    c.add_argument("-o", "--output", required=True, help="output folder")
    c.set_defaults(func=_cmd_clean)

    p = sub.add_parser("parse-salary", help="parse one pay text and print the parsed row",
                       description="Parse TEXT with csresearch.parse_salaries and print every field.")
    p.add_argument("text", help='pay text, e.g. "1-1.5万·13薪" or "от 50 000 до 150 000 руб. на руки"')
    p.add_argument("--country", help="ISO2 country (default currency and working time)")
    p.add_argument("--currency", help="ISO 4217 currency override")
    p.set_defaults(func=_cmd_parse_salary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except CsResearchError as exc:
        print(f"csresearch: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Score parse_salaries on tests/data/salary_labelled.csv per source (exact match of status, low,
high, currency, period, months_per_year and basis).

Usage: python benchmarks/score_salary_labelled.py [--source NAME ...]

``--source`` scores only the named sources, so that sources held out for first contact are
not looked at while the rules are written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_salary import _load_labelled, _matches, _parse_labelled  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", nargs="*", help="score only these sources")
    args = ap.parse_args()
    lab = _load_labelled()
    if args.source:
        unknown = set(args.source) - set(lab["source"])
        if unknown:
            raise SystemExit(f"unknown source(s): {sorted(unknown)}")
        lab = lab[lab["source"].isin(args.source)].reset_index(drop=True)
    out = _parse_labelled(lab)
    ok = _matches(out, lab)
    table = ok.groupby(lab["source"]).agg(["mean", "sum", "size"])
    print(table.to_string(float_format="%.3f"))
    print(f"all: {ok.mean():.4f} ({int(ok.sum())}/{len(ok)})")
    show = lab.loc[~ok, ["source", "text", "country"]].copy()
    for col in ("status", "low", "high", "currency", "period", "months_per_year", "basis"):
        show[col] = out.loc[~ok, col].to_numpy()
    print(show.to_string(max_colwidth=40))


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()

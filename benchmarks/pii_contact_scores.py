"""Recall and clean-text preservation of csresearch.scrub_pii on tests/data/pii_contact_labelled.csv.

A PII case is recalled when none of its ``pii`` substrings survives scrubbing; a clean case is
preserved when it comes out unchanged. Run: python benchmarks/pii_contact_scores.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csresearch.privacy import scrub_pii

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_contact_labelled.csv"


def score(df: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-case outcome and a summary by kind and language."""
    df = pd.read_csv(DATA, dtype=str, keep_default_na=False) if df is None else df.copy()
    df["scrubbed"] = scrub_pii(df["text"]).to_numpy()
    is_pii = df["kinds"] != ""
    df["ok"] = [
        all(p not in s for p in pii.split(" | ")) if k else s == t
        for k, pii, s, t in zip(df["kinds"], df["pii"], df["scrubbed"], df["text"])
    ]
    df["kind"] = df["kinds"].str.split(";").str[0].where(is_pii, "CLEAN")
    summary = df.groupby(["kind", "lang"])["ok"].agg(["mean", "size"]).rename(columns={"mean": "rate", "size": "n"})
    return df, summary


if __name__ == "__main__":
    cases, summary = score()
    pii = cases["kinds"] != ""
    print(summary.to_string(float_format="%.3f"))
    print(f"recall {cases.loc[pii, 'ok'].mean():.3f} (n={pii.sum()})  "
          f"clean preserved {cases.loc[~pii, 'ok'].mean():.3f} (n={(~pii).sum()})")
    print(cases.loc[~cases["ok"], ["kinds", "text", "scrubbed"]].to_string())

"""Contact-line PII set (issue 18): recall and clean-text preservation, and the name detector's precision.

The set (tests/data/pii_contact_labelled.csv, made by scripts/make_pii_contact_set.py) was
built by construction before the detectors ran; first contact is in
benchmarks/pii_contact_first_contact.txt (recall 0.713, clean 1.000).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from csresearch.privacy import find_pii

_SCORER = Path(__file__).resolve().parents[1] / "benchmarks" / "pii_contact_scores.py"


@pytest.fixture(scope="module")
def scored():
    spec = importlib.util.spec_from_file_location("pii_contact_scores", _SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.score()


def test_the_set_is_wide_enough(scored):
    cases, _ = scored
    assert len(cases) >= 500 and set(cases["lang"]) == {"zh", "ru", "en"}
    assert {"PHONE", "EMAIL", "ID", "HANDLE", "NAME", "CLEAN"} <= set(cases["kind"])


def test_recall_and_clean_text_preservation(scored):
    cases, summary = scored
    pii = cases["kinds"] != ""
    print("\n" + summary.to_string(float_format="%.3f"))
    assert cases.loc[pii, "ok"].mean() >= 0.99
    assert cases.loc[~pii, "ok"].mean() >= 0.99
    assert (summary["rate"] >= 0.9).all(), summary[summary["rate"] < 0.9]


def test_name_detector_precision_and_recall(scored):
    cases, _ = scored
    hits = find_pii(cases["text"])
    names = hits[hits["kind"] == "NAME"]
    gold = cases["kinds"].str.contains("NAME")
    tp = sum(any(m in p for p in cases.loc[r, "pii"].split(" | ")) or any(p in m for p in cases.loc[r, "pii"].split(" | "))
             for r, m in zip(names["row"], names["match"]) if gold[r])
    precision = tp / max(len(names), 1)
    recall = cases.loc[gold, "ok"].mean()
    print(f"\nNAME precision {precision:.3f} ({len(names)} spans), recall {recall:.3f} ({int(gold.sum())} cases)")
    assert precision >= 0.95 and recall >= 0.95

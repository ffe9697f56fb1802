"""The build and the cleaning of synthetic postings give the outputs recorded in the digest.

A deliberate change of outputs re-records with a reason:
``PYTHONPATH=$PWD python scripts/record_build_digest.py --reason "..."``.
"""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

from csresearch.io import project_root

_SCRIPT = project_root() / "scripts" / "record_build_digest.py"


def _digest_module():
    spec = importlib.util.spec_from_file_location("record_build_digest", _SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def digest():
    return _digest_module()


def test_outputs_match_the_recorded_digest(digest):
    recorded = json.loads(digest.DIGEST.read_text("utf-8"))
    assert recorded["reasons"], "the digest records why it was (re-)recorded"
    diff = digest.differences(recorded["outputs"], digest.compute_digest())
    assert not diff, (
        "outputs differ from tests/data/build_digest.json:\n" + "\n".join(diff)
        + "\nIf the change is deliberate, re-record: python scripts/record_build_digest.py --reason '...'"
    )


def test_the_digest_sees_a_changed_value_and_names_its_column(digest):
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", None]})
    changed = df.copy()
    changed.loc[1, "a"] = 2.0000001
    before, after = digest.frame_digest(df), digest.frame_digest(changed)
    assert before != after
    assert digest.differences({"t": before}, {"t": after}) == ["t: columns differ: a"]
    # NA and the empty string are told apart; dtype changes are seen.
    assert digest.frame_digest(df.fillna("")) != before
    assert digest.frame_digest(df.astype({"a": "float32"})) != before

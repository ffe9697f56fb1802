"""Policy YAML files: loading, validation errors, and transcription against the seed text."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

import csresearch.policy.engine as engine
from csresearch.errors import PolicyError, ReferenceDataError
from csresearch.policy import list_policies, load_pay_policy, load_policy

POLICY_DIR = Path(engine.__file__).parent / "policies"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
GOOD = (POLICY_DIR / "tiered_tenure.yaml").read_text(encoding="utf-8")


def test_shipped_rule_sets():
    assert list_policies() == ["consecutive_excellent", "ecommerce_review", "tiered_tenure"]
    for name in list_policies():
        p = load_policy(name)
        assert p.name == name and p.source.startswith("001_")
        assert [g.level for g in p.grades] == list(range(1, len(p.grades) + 1))  # grade numbers, not rungs
        rungs = [g.rung for g in p.grades]
        assert rungs == sorted(rungs) and 1 <= rungs[0] and rungs[-1] <= 6
        assert p.grades[-1].promotion is None
        assert name in repr(p) and "初级客服(rung 1)" in repr(p)
    # LADDER.md: seed 001's 初级/中级/高级/资深客服 are rungs 1, 1, 2, 2
    assert [g.rung for g in load_policy("tiered_tenure").grades] == [1, 1, 2, 2]
    assert load_policy("tiered_tenure").describe()["rung_name"].tolist() == ["agent", "agent", "senior", "senior"]
    # seed figures transcribed into the files
    tiered = load_policy("tiered_tenure")
    assert tiered.grades[0].min_months == 3 and tiered.grades[2].min_service_months == 12
    assert {g.review_months for g in tiered.grades} == {3}
    eco = load_policy("ecommerce_review")
    assert [g.review_months for g in eco.grades[:3]] == [3, 3, 6] and eco.at_lowest == "exit"
    assert dict(eco.grades[2].promotion.require) == {"reserve": 2, "gold": 4}
    cons = load_policy("consecutive_excellent")
    assert cons.grades[0].promotion.months == 6 and [g.min_months for g in cons.grades[2:4]] == [24, 24]


def test_policy_is_frozen_and_replaceable():
    p = load_policy("tiered_tenure")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"
    assert dataclasses.replace(p, name="x").name == "x"
    q = p.with_changes(review_months={"senior": 6}, min_months=1)
    assert [g.review_months for g in q.grades] == [3, 3, 6, 3]
    assert [g.min_months for g in q.grades] == [1, 1, 1, 0]
    assert p.grades[0].min_months == 3  # original untouched
    with pytest.raises(ReferenceDataError, match="no grade"):
        p.with_changes(min_months={"组长": 3})


def test_unknown_name_lists_available():
    with pytest.raises(ReferenceDataError, match="tiered_tenure"):
        load_policy("nonexistent_policy")
    with pytest.raises(ReferenceDataError, match="pay_seed001"):
        load_pay_policy("nope")
    with pytest.raises(ReferenceDataError, match="unknown promotion policy 'pay_seed001'"):
        load_policy("pay_seed001")
    with pytest.raises(ReferenceDataError, match="unknown pay policy 'tiered_tenure'"):
        load_pay_policy("tiered_tenure")


def _write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("name: tiered_tenure\n", "", "'name'"),
        ("review_months: 3 ", "review_months: 0 ", "'review_months'"),
        ("at_lowest: stay", "at_lowest: fire", "'at_lowest'"),
        ("mean: {window: 3, at_least: 80}", "mean: {window: 3, at_least: eighty}", "'promotion.mean.at_least'"),
        ("mean: {window: 3, at_least: 80}", "mean: {window: 3}", "'promotion.mean'"),
        ("mean: {window: 3, below: 70}", "consecutive: {at_most: awful, months: 3}", "'demotion.consecutive.at_most'"),
        ("{name: weak, min_score: 31}", "{name: weak, min_score: 90}", "'ratings[2].min_score'"),
        ("{name: weak, min_score: 31}", "{name: weak, min_score: null}", "'ratings[1].min_score'"),
        ("name_en: senior, rung: 2", "name_en: senior, rung: 0", "'grades[2].rung'"),
        ("name_en: veteran, rung: 2", "name_en: veteran, rung: 7", "'grades[3].rung'"),
        ("name_en: veteran, rung: 2", "name_en: veteran, rung: 1", "'grades[3].rung'"),
        ("name_en: veteran, rung: 2", "name_en: veteran, level: 4", "'grades[3]'"),
        ("min_months: 3}", "min_months: 3, min_month: 4}", "'grades[0]'"),
        ("promotion:\n  mean:", "promotion:\n  window: 3\n  require: {excellent: 4}\n  xmean:", "'promotion'"),
    ],
)
def test_malformed_policy_names_file_and_key(tmp_path, old, new, key):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert "bad.yaml" in str(err.value) and key in str(err.value)


def test_require_more_months_than_window(tmp_path):
    text = GOOD.replace("mean: {window: 3, at_least: 80}", "window: 3\n  require: {excellent: 2, standard: 2}", 1)
    with pytest.raises(PolicyError, match=r"'promotion.require'.*more months than the window"):
        load_policy(_write(tmp_path, text))


def test_not_a_mapping_or_not_yaml(tmp_path):
    with pytest.raises(PolicyError, match="bad.yaml.*mapping"):
        load_policy(_write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(PolicyError, match="bad.yaml.*not valid YAML"):
        load_policy(_write(tmp_path, "name: [unclosed\n"))


def test_malformed_pay_policy_names_file_and_key(tmp_path):
    text = (POLICY_DIR / "pay_seed001.yaml").read_text(encoding="utf-8")
    cases = [
        ("{max_sales: 50000, rate: 0.03}", "{max_sales: 5000, rate: 0.03}", "'commission.brackets.max_sales'"),
        ("{max_sales: null, rate: 0.06}", "{max_sales: 300000, rate: 0.06}", "'commission.brackets[4].max_sales'"),
        ("bachelor: [4000, 4200, 4500]", "bachelor: [4000, 4200]", "'base.by_education.bachelor'"),
        ("point_value: 0.5", "point_value: half", "'performance.point_value'"),
        ("{max_deductions: 30, coefficient: 1.0}", "{max_deductions: 30, coef: 1.0}", "'performance.kpi_coefficients.basic[1]'"),
        ("attendance_bonus: 500", "attendance_bonus: 500\nbonus: 1", "'<top>'"),
    ]  # fmt: skip
    for old, new, key in cases:
        assert old in text
        with pytest.raises(PolicyError) as err:
            load_pay_policy(_write(tmp_path, text.replace(old, new, 1), "pay_bad.yaml"))
        assert "pay_bad.yaml" in str(err.value) and key in str(err.value), (key, str(err.value))


def _quoted_phrases(text: str) -> list[str]:
    """Chinese phrases quoted in YAML comments ("..."), split at the ' ... ' ellipses we use."""
    comments = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    # a quote may continue on the next comment line: join continuation lines first
    comments = re.sub(r"\n\s*", "", comments)
    phrases = re.findall(r'"([^"]+)"', comments)
    parts = [p.strip() for ph in phrases for p in ph.split("...")]
    return [p for p in parts if re.search(r"[\u4e00-\u9fff]", p) and len(p) >= 2]


@pytest.mark.parametrize("name", ["tiered_tenure", "ecommerce_review", "consecutive_excellent", "pay_seed001"])
def test_quoted_seed_phrases_appear_in_the_seed(name):
    seed = SEEDS / "001_498ef97af563ed54.txt"
    if not seed.exists():
        pytest.skip(f"seed text not available at {seed}")
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 - the seed wraps lines and spaces oddly
    seed_text = squash(seed.read_text(encoding="utf-8"))
    text = (POLICY_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["source"] == seed.name
    phrases = _quoted_phrases(text)
    assert len(phrases) >= 5
    missing = [p for p in phrases if squash(p) not in seed_text]
    assert not missing, missing

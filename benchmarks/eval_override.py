"""Would the n-gram override have helped at the recorded first contacts? (issue 13)

For each of the four latest held-out sets, the rules' verdicts AT ITS FIRST CONTACT (stored in
benchmarks/first_contact_rule_verdicts.csv: set, row within the set in corpus order, rule CS flag,
whether the rules found no cue; written from the first-contact runs' --errors files) are combined
with the n-gram model of :func:`csresearch.clean.roles_model.fit_role_model` trained only on the
labelled rows available before that set (the development rows and the EARLIER held-out sets), as
:func:`csresearch.clean.role_classifier._title_verdict` combines them: a title with no cue that the
n-grams put at P(CS) >= OVERRIDE_PROBABILITY becomes CS. CS F1 before and after, and how many
overrides were right, are printed; so is the variant not shipped, where the n-grams would also
drop a CS verdict they put at P(CS) <= 1 - OVERRIDE_PROBABILITY, with the P(CS) they give a
canonical call-centre title absent from the labelled data (why drops are not shipped).

    PYTHONPATH=$PWD python benchmarks/eval_override.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csresearch.clean.role_classifier import OVERRIDE_PROBABILITY  # noqa: E402
from csresearch.clean.roles import rule_features  # noqa: E402
from csresearch.clean.roles_model import fit_role_model, load_labelled_titles  # noqa: E402

PROBE = "Руководитель группы операторов"  # a call centre's team lead; not in the labelled titles
ORDER = ["final", "final2", "final3a", "final3b", "final4", "final5", "final6", "final7", "final8", "final9",
         "final10", "final11", "final12"]


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp, fp, fn = (y & p).sum(), (~y & p).sum(), (y & ~p).sum()
    return float(2 * tp / (2 * tp + fp + fn))


def _features(title: str) -> tuple[list[str], np.ndarray]:
    texts, rules = rule_features(pd.Series([title]))
    return list(texts), rules


def main() -> None:
    corpus = load_labelled_titles(ROOT, holdouts="all")
    stored = pd.read_csv(ROOT / "benchmarks" / "first_contact_rule_verdicts.csv")
    right_total = changed_total = 0
    for name, verdicts in stored.groupby("holdout", sort=False):
        test = corpus[corpus["holdout"] == name].reset_index(drop=True)
        assert len(test) == len(verdicts), name
        earlier = corpus["holdout"].isin(["", *ORDER[:ORDER.index(name)]])
        model = fit_role_model(corpus[earlier])
        texts, rules = rule_features(test["title"])
        p = model.predict_all(list(texts), rules)[2]
        y = test["is_customer_service"].astype(bool).to_numpy()
        rule_cs = verdicts["rule_cs"].astype(bool).to_numpy()
        add = ~rule_cs & verdicts["rule_no_cue"].astype(bool).to_numpy() & (p >= OVERRIDE_PROBABILITY)
        drop = rule_cs & (p <= 1 - OVERRIDE_PROBABILITY)
        right_total += int((add & y).sum())
        changed_total += int(add.sum())
        probe = model.predict_all(*_features(PROBE))[2][0]
        print(f"{name}: trained on {int(earlier.sum())} rows; CS F1 rules "
              f"{f1(y, rule_cs):.3f} -> with override {f1(y, rule_cs | add):.3f} (made CS {int(add.sum())}, "
              f"right {int((add & y).sum())}); n-grams alone {f1(y, p >= 0.5):.3f}; not shipped, with drops: "
              f"{f1(y, (rule_cs | add) & ~drop):.3f} (dropped {int(drop.sum())}, right {int((drop & ~y).sum())}); "
              f"P(CS) of {PROBE!r}: {probe:.2f}", flush=True)
    print(f"titles made CS by the override: {right_total} of {changed_total} right")


if __name__ == "__main__":
    main()

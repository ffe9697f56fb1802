"""Would the first-contact stack have helped at the recorded first contacts? (issue 13)

The record (data/labelled/first_contact_rule_verdicts.csv) holds the rules' verdicts on each held-out
set AT ITS FIRST CONTACT; :func:`csresearch.clean.role_stack.first_contact_record` adds the n-gram
P(CS) of a model trained only on the titles labelled before that set. Going forward through the
sets, the stack is fitted on the record of the EARLIER sets only and applied to the next one, as a
user's file meets the shipped stack. Printed per set: CS F1 of the rules alone, of session 10's
override (no cue and P >= 0.9 -> CS) and of the stack as shipped (vetoes stand; a CS verdict is dropped
only below role_classifier.DROP_PROBABILITY), with vetoed titles promoted too and dropping at the
stack's own threshold (neither shipped), how many verdicts the shipped stack flipped and how many of
those were right; then the same for the stack's penalty C = 1.0 and the flips' precision (the
confidence cap of role_classifier._FLIP_CONFIDENCE).

    PYTHONPATH=$PWD python benchmarks/eval_stack.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csresearch.clean.role_classifier import _stack_flips  # noqa: E402
from csresearch.clean.role_stack import (  # noqa: E402
    STACK_C, STATE_CS, STATE_NO_CUE, STATE_VETOED, first_contact_record, fit_record_stack, stack_probability,
)
from csresearch.clean.roles import rule_features  # noqa: E402
from csresearch.clean.roles_model import SCORED_HOLDOUTS, _fit_ngram_only, load_labelled_titles  # noqa: E402

PROBE = "Руководитель группы операторов"  # a team lead of operators (of a call centre?); not labelled
FIRST_FORWARD = 2  # the stack needs two earlier sets before it is applied


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp, fp, fn = (y & p).sum(), (~y & p).sum(), (y & ~p).sum()
    return float(2 * tp / (2 * tp + fp + fn))


def main() -> None:
    rec = first_contact_record(ROOT)
    sets = list(dict.fromkeys(rec["holdout"]))
    y_all = rec["is_customer_service"].to_numpy(bool)
    flips = {STACK_C: [0, 0], 1.0: [0, 0]}
    for k in range(FIRST_FORWARD, len(sets)):
        before, now = rec["holdout"].isin(sets[:k]).to_numpy(), (rec["holdout"] == sets[k]).to_numpy()
        y, state, p = y_all[now], rec["state"].to_numpy()[now], rec["p_ngram"].to_numpy()[now]
        rules = state == STATE_CS
        override = rules | ((state == STATE_NO_CUE) & (p >= 0.9))
        line = (f"{sets[k]}: {int(now.sum())} titles, {int(y.sum())} CS; stack fitted on {', '.join(sets[:k])}; "
                f"CS F1 rules {f1(y, rules):.3f} (recall {(rules & y).sum() / y.sum():.3f}), override {f1(y, override):.3f}")
        for C in flips:
            coef = fit_record_stack(rec[before], C)
            full = stack_probability(coef, state, p) >= 0.5
            own = np.where(state == STATE_VETOED, False, full)  # a veto stands
            promote, drop = _stack_flips(coef, rules, state, p, np.ones(len(p), dtype=bool))[:2]
            stack = (rules | promote) & ~drop  # as shipped, the rules' verdict as the base
            if C == STACK_C:
                line += (f", not shipped: with veto promotions {f1(y, full):.3f}, dropping at the stack's own "
                         f"threshold {f1(y, own):.3f} (CS recall {(own & y).sum() / y.sum():.3f})")
            flip = stack != rules
            flips[C][0] += int(flip.sum())
            flips[C][1] += int((flip & (stack == y)).sum())
            line += (f", shipped stack C={C} {f1(y, stack):.3f} (recall {(stack & y).sum() / y.sum():.3f}; "
                     f"made CS {int((flip & stack).sum())}, right "
                     f"{int((flip & stack & y).sum())}; dropped {int((flip & ~stack).sum())}, right "
                     f"{int((flip & ~stack & ~y).sum())})")
        print(line, flush=True)
    for C, (n, right) in flips.items():
        print(f"stack C={C}: {right} of {n} flipped verdicts right ({right / max(n, 1):.2f})")
    coef = fit_record_stack(rec)
    model = _fit_ngram_only(load_labelled_titles(ROOT, holdouts=SCORED_HOLDOUTS))
    texts, feats = rule_features(pd.Series([PROBE]))
    p_probe = model.ngram_probability(list(texts), feats)
    print(f"shipped stack (whole record, C={STACK_C}): {np.round(coef, 3).tolist()}; {PROBE!r}: P(CS) n-grams "
          f"{p_probe[0]:.2f}, stack {stack_probability(coef, np.array([STATE_CS]), p_probe)[0]:.2f}")


if __name__ == "__main__":
    main()

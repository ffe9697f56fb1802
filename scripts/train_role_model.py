"""Rebuild the shipped role model, csresearch/reference/models/roles_v1.npz.

Trains :func:`csresearch.clean.roles_model.fit_role_model` on data/labelled/role_titles*.csv
and tests/data/titles_labelled.csv. Deterministic: the same labelled rows give the same file.

    python scripts/train_role_model.py                  # the shipped model
    python scripts/train_role_model.py --exclude-final  # without the holdout == "final" rows

The shipped model trains on the rows without a holdout plus the held-out sets whose first
contact is recorded (``SCORED_HOLDOUTS``); a set still held back (the next one being labelled) is
never read. The model also carries the first-contact stack (:mod:`csresearch.clean.role_stack`),
fitted on data/labelled/first_contact_rule_verdicts.csv with n-gram models trained, set by set, on
the titles labelled before each set.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from csresearch.clean.role_stack import fit_first_contact_stack
from csresearch.clean.roles_model import MODEL_FILE, SCORED_HOLDOUTS, fit_role_model, load_labelled_titles

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exclude-final", action="store_true", help="leave out holdout == 'final' rows")
    ap.add_argument("--out", type=Path, default=ROOT / "csresearch" / "reference" / MODEL_FILE)
    args = ap.parse_args()
    holdouts = tuple(h for h in SCORED_HOLDOUTS if not (args.exclude_final and h == "final"))
    df = load_labelled_titles(ROOT, holdouts=holdouts)
    model = fit_role_model(df, stack_coef=fit_first_contact_stack(ROOT))
    model.meta["trained_on"] = "rows without holdout, plus holdouts " + ", ".join(holdouts or ("(none)",))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"{args.out}: {model.meta['rows']} titles ({model.meta['cs_rows']} CS), "
          f"{len(model.char_vocab)} char and {len(model.word_vocab)} word n-grams, "
          f"{args.out.stat().st_size / 1024:.0f} KiB; stack {np.round(model.stack_coef, 3).tolist()}")


if __name__ == "__main__":
    main()

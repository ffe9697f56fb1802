"""Does reading the description beat the title alone? Scored on data/labelled/role_postings.csv.

Every posting there was labelled customer service or not by reading its description
(``is_customer_service``); ``title_says_cs`` records what the title alone suggests. For each
posting source, the title model is trained on the labelled titles of every OTHER source
(holdout sets kept out, as in benchmarks/eval_roles.py), then ``classify_roles`` runs twice:
on the title alone and with the description. Printed, for the development postings
(``holdout`` empty) and the held-back ones (``holdout == final``):

- all postings: CS F1 and accuracy of the CS flag, title-only beside description-aware;
- the rows where title and description disagree (``title_says_cs != is_customer_service``):
  accuracy of each; only here can the description win;
- the look-alikes (the title says CS, the description does not): share caught;
- the same per source.

The description rules (csresearch/reference/descriptions.yaml) were written on the development
postings; their first contact with the held-back postings, before any rule was changed after
seeing them, is recorded in benchmarks/eval_descriptions_latest.txt.

    python benchmarks/eval_descriptions.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csresearch.clean.role_classifier import classify_roles  # noqa: E402
from csresearch.clean.roles_model import fit_role_model, load_labelled_titles  # noqa: E402


def _truthy(s: pd.Series) -> np.ndarray:
    return s.astype(str).str.lower().isin(["true", "1"]).to_numpy()


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp, fp, fn = (y & p).sum(), (~y & p).sum(), (y & ~p).sum()
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def predictions(posts: pd.DataFrame, titles: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CS flags, title-only and with description, each source scored by a model that never saw it,
    and whether the description decided the row (``evidence`` starts with ``description:``)."""
    t, d = pd.Series(False, index=posts.index), pd.Series(False, index=posts.index)
    decided = pd.Series(False, index=posts.index)
    for source, part in posts.groupby("source"):
        model = fit_role_model(titles[titles["source"] != source])
        t[part.index] = classify_roles(part["title"], model=model)["is_customer_service"].to_numpy()
        out = classify_roles(part["title"], part["description"], model=model)
        d[part.index] = out["is_customer_service"].to_numpy()
        decided[part.index] = out["evidence"].astype(str).str.startswith("description:").to_numpy()
    return t.to_numpy(bool), d.to_numpy(bool), decided.to_numpy(bool)


def report(name: str, posts: pd.DataFrame, t: np.ndarray, d: np.ndarray, decided: np.ndarray) -> None:
    y, says = _truthy(posts["is_customer_service"]), _truthy(posts["title_says_cs"])
    disagree, look = says != y, says & ~y
    rows = {}
    for key, m in [("ALL", np.ones(len(y), bool))] + [(s, (posts["source"] == s).to_numpy())
                                                        for s in sorted(posts["source"].unique())]:
        dm, lm = disagree & m, look & m
        rows[key] = {
            "n": int(m.sum()), "F1 title": f1(y[m], t[m]), "F1 desc": f1(y[m], d[m]),
            "acc title": (y == t)[m].mean(), "acc desc": (y == d)[m].mean(),
            "n disagree": int(dm.sum()),
            "disagree acc title": (y == t)[dm].mean() if dm.any() else np.nan,
            "disagree acc desc": (y == d)[dm].mean() if dm.any() else np.nan,
            "n look-alikes": int(lm.sum()),
            "caught title": (~t)[lm].mean() if lm.any() else np.nan,
            "caught desc": (~d)[lm].mean() if lm.any() else np.nan,
        }
    print(f"\n{name}: title-only vs description-aware (CS flag)\n" + pd.DataFrame(rows).T.round(3).to_string())
    # the figure behind role_classifier._DESCRIPTION_PRECISION (the confidence of such rows)
    right = int((y == d)[decided].sum())
    print(f"{name}: rows the description decided: {right} of {int(decided.sum())} right")


def main() -> None:
    posts = pd.read_csv(ROOT / "data" / "labelled" / "role_postings.csv", dtype={"holdout": "str"})
    titles = load_labelled_titles(ROOT)  # holdout sets of titles are kept out
    held = posts["holdout"].fillna("").str.lower().eq("final")
    for name, part in (("development postings", posts[~held]), ("held-back postings (holdout == final)", posts[held])):
        part = part.reset_index(drop=True)
        report(name, part, *predictions(part, titles))


if __name__ == "__main__":
    main()

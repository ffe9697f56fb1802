"""Leave-one-source-out evaluation of the role classifier (issue 13).

For every labelled source: train the model on every OTHER source, classify the left-out
source's titles, score. Prints per source and pooled per language: CS precision / recall / F1,
rung accuracy (a missed CS title counts as a wrong rung), abstain rate, track and function
accuracy, then a reliability table and the Brier score of ``confidence`` (correct = CS flag right
and, for CS titles, rung right). Rules alone are scored beside the combined system (rules have
no training; the lexicon was written on the older tests/data sources, so their rules figures
are in-sample). With data/labelled/role_postings.csv: description-aware vs title-only on all
postings and on the look-alikes (title says CS, description says otherwise).

Rows with any non-empty ``holdout`` ("final", "final2", ...) are never used in the dev LOSO
(neither scored nor trained on). ``--holdout NAME`` scores the rows of that holdout once: the
model is trained on the rows without a holdout plus the held-out sets whose first contact is
already recorded (``SCORED_HOLDOUTS``, other than NAME); other held-back sets stay unread.
``--final`` is ``--holdout final``, whose first contact (before any rule was written for it)
is recorded in benchmarks/eval_roles_latest.txt; after it, generic rules were fixed from its
misses, so later --final figures are no longer a clean holdout.

    python benchmarks/eval_roles.py [--holdout NAME | --final | --all-sources | --train-on-holdouts] [--errors rows.csv]
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csresearch.clean.role_classifier import REVIEW_THRESHOLD, classify_roles  # noqa: E402
from csresearch.clean.role_stack import first_contact_record, fit_record_stack  # noqa: E402
from csresearch.clean.roles_model import SCORED_HOLDOUTS, fit_role_model, load_labelled_titles  # noqa: E402

BINS = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001]


def correct(truth: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
    y = truth["is_customer_service"].to_numpy(bool)
    p = out["is_customer_service"].to_numpy(bool)
    lv = (out["level"].to_numpy(dtype=float, na_value=np.nan) == truth["level"].to_numpy(dtype=float, na_value=np.nan))
    return (y == p) & (~y | lv)


def scores(truth: pd.DataFrame, out: pd.DataFrame) -> dict[str, float]:
    y = truth["is_customer_service"].to_numpy(bool)
    p = out["is_customer_service"].to_numpy(bool)
    tp, fp, fn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum())
    prec = tp / (tp + fp) if tp + fp else np.nan
    rec = tp / (tp + fn) if tp + fn else np.nan
    f1 = 2 * prec * rec / (prec + rec) if tp else (np.nan if tp + fp + fn == 0 else 0.0)
    lv_ok = out["level"].to_numpy(dtype=float, na_value=np.nan) == truth["level"].to_numpy(dtype=float, na_value=np.nan)
    both = y & p
    return {
        "n": len(truth), "n_cs": int(y.sum()), "precision": prec, "recall": rec, "f1": f1,
        "rung_acc": float((p & lv_ok)[y].mean()) if y.any() else np.nan,
        "abstain": float(out["level"][p].isna().mean()) if p.any() else 0.0,
        "track_acc": float((out["track"].to_numpy(object)[both] == truth["track"].to_numpy(object)[both]).mean()) if both.any() else np.nan,
        "function_acc": float((out["function"].to_numpy(object)[both] == truth["function"].to_numpy(object)[both]).mean()) if both.any() else np.nan,
        "review": float(out["needs_review"].mean()),
    }


def reliability(conf: np.ndarray, ok: np.ndarray) -> pd.DataFrame:
    cut = pd.cut(conf, BINS, right=False)
    t = pd.DataFrame({"bin": cut, "conf": conf, "ok": ok}).groupby("bin", observed=False).agg(
        n=("ok", "size"), mean_confidence=("conf", "mean"), share_right=("ok", "mean"))
    return t


def table(rows: dict[str, dict]) -> str:
    return pd.DataFrame(rows).T.round(3).to_string()


@cache
def _record() -> pd.DataFrame:
    return first_contact_record(ROOT)


def stack_without(column: str, value: str) -> np.ndarray:
    """The first-contact stack (role_stack) fitted without the record's rows of one source or set.

    The record's n-gram probabilities were computed by models that may have seen that source's
    titles (a development source, or a set labelled earlier): a small leak, for six coefficients.
    """
    rec = _record()
    return fit_record_stack(rec[rec[column] != value])


def loso(df: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Held-out predictions of every row (combined system and rules alone).

    ``extra``: rows of other sources that every fold also trains on (the scored held-out sets, as
    the shipped model does).
    """
    parts = []
    for source in sorted(df["source"].unique()):
        test = df[df["source"] == source]
        t0 = time.perf_counter()
        train = df[df["source"] != source]
        if extra is not None:
            train = pd.concat([train, extra[extra["source"] != source]], ignore_index=True)
        model = fit_role_model(train, stack_coef=stack_without("source", source))
        comb = classify_roles(test["title"], model=model)
        rules = classify_roles(test["title"], method="rules")
        parts.append(pd.concat([comb.add_prefix("c_"), rules.add_prefix("r_")], axis=1))
        print(f"  held out {source:28s} {len(test):5d} titles, trained in {time.perf_counter() - t0:5.1f} s", flush=True)
    return pd.concat(parts).loc[df.index]


def report(df: pd.DataFrame, pred: pd.DataFrame, label: str) -> None:
    comb = pred[[c for c in pred.columns if c.startswith("c_")]].rename(columns=lambda c: c[2:])
    rules = pred[[c for c in pred.columns if c.startswith("r_")]].rename(columns=lambda c: c[2:])
    for name, group in (("source", "source"), ("language", "language")):
        rows = {}
        for key, idx in df.groupby(group).groups.items():
            rows[f"{key}"] = scores(df.loc[idx], comb.loc[idx])
            rows[f"{key} (rules)"] = scores(df.loc[idx], rules.loc[idx])
        rows["ALL"] = scores(df, comb)
        rows["ALL (rules)"] = scores(df, rules)
        print(f"\n{label}: per {name} (combined; '(rules)' = lexicon alone)\n" + table(rows))
    ok = correct(df, comb)
    conf = comb["confidence"].to_numpy(float)
    print(f"\n{label}: reliability of confidence (combined)\n" + reliability(conf, ok).round(3).to_string())
    hi = conf >= 0.9
    print(f"Brier score {np.mean((conf - ok) ** 2):.4f}; rows with confidence >= 0.9: {hi.mean():.1%} of rows, "
          f"{ok[hi].mean():.3f} right; needs_review (< {REVIEW_THRESHOLD}): {(conf < REVIEW_THRESHOLD).mean():.1%}")


def postings(root: Path, titles: pd.DataFrame, holdout: str | None) -> None:
    path = root / "data" / "labelled" / "role_postings.csv"
    if not path.exists():
        print("\n(no data/labelled/role_postings.csv: posting evaluation skipped)")
        return
    p = pd.read_csv(path, dtype={"holdout": "str"})
    tag_col = p["holdout"].fillna("").astype(str).str.strip().str.lower()
    p = p[tag_col == holdout] if holdout else p[tag_col == ""]
    final = holdout is not None
    if p.empty:
        return
    p = p.assign(is_customer_service=p["is_customer_service"].astype(str).str.lower().isin(["true", "1"]),
                 level=pd.to_numeric(p["level"], errors="coerce").astype("Int64"))
    rows, look = {}, {}
    outs = {"title only": [], "with description": []}
    for source in sorted(p["source"].unique()):
        part = p[p["source"] == source]
        train = titles[titles["source"] != source]
        if final:
            train = titles
        model = fit_role_model(train, stack_coef=stack_without("source", source))
        outs["title only"].append(classify_roles(part["title"], model=model))
        outs["with description"].append(classify_roles(part["title"], part["description"], model=model))
    says = p["title_says_cs"].astype(str).str.lower().isin(["true", "1"])
    lookalike = says & ~p["is_customer_service"]
    for name, o in outs.items():
        o = pd.concat(o).loc[p.index]
        rows[name] = scores(p, o)
        if lookalike.any():
            look[name] = scores(p[lookalike | (says & p["is_customer_service"])], o[lookalike | (says & p["is_customer_service"])])
            look[name]["lookalikes_caught"] = float((~o["is_customer_service"][lookalike]).mean())
    tag = f"{holdout} postings (held out)" if final else "postings (leave one source out)"
    print(f"\n{tag}: all {len(p)}\n" + table(rows))
    if look:
        print(f"{tag}: titles that say CS ({int(says.sum())}, of which {int(lookalike.sum())} look-alikes)\n" + table(look))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdout", metavar="NAME", help="score the rows with holdout == NAME once (first contact)")
    ap.add_argument("--final", action="store_true", help="same as --holdout final")
    ap.add_argument("--errors", type=Path, help="write every held-out row with truth and prediction to this CSV")
    ap.add_argument("--all-sources", action="store_true",
                    help="leave-one-source-out over every labelled source, the scored held-out sets included "
                         "(the rules were revised on all of them: in-sample for the rules, not for the model)")
    ap.add_argument("--train-on-holdouts", action="store_true",
                    help="leave out each development source in turn, training on every other labelled row, "
                         "the scored held-out sets included, as the shipped model is trained")
    args = ap.parse_args()
    holdout = "final" if args.final else (args.holdout.strip().lower() if args.holdout else None)
    cols = ["title", "language", "source", "is_customer_service", "level", "track", "function"]
    if holdout:
        train = load_labelled_titles(ROOT, holdouts=tuple(h for h in SCORED_HOLDOUTS if h != holdout))
        fin = load_labelled_titles(ROOT, holdouts=(holdout,))
        fin = fin[fin["holdout"] == holdout].reset_index(drop=True)
        if fin.empty:
            sys.exit(f"no labelled titles with holdout == {holdout!r}")
        print(f"{len(fin)} rows with holdout == {holdout!r} from {fin['source'].nunique()} sources; "
              f"model trained on {len(train)} other rows (holdouts trained on: "
              f"{', '.join(sorted(set(train['holdout']) - {''})) or 'none'})")
        model = fit_role_model(train, stack_coef=stack_without("holdout", holdout))
        pred = pd.concat([classify_roles(fin["title"], model=model).add_prefix("c_"),
                          classify_roles(fin["title"], method="rules").add_prefix("r_")], axis=1)
        report(fin, pred, f"holdout {holdout}")
        if args.errors:
            pd.concat([fin[cols], pred], axis=1).to_csv(args.errors, index=False)
        postings(ROOT, train, holdout)
        return
    dev = load_labelled_titles(ROOT, holdouts=SCORED_HOLDOUTS if args.all_sources else ())
    print(f"{len(dev)} labelled titles from {dev['source'].nunique()} sources "
          f"({'every scored held-out set included' if args.all_sources else 'every holdout left out'})")
    extra = None
    if args.train_on_holdouts and not args.all_sources:
        every = load_labelled_titles(ROOT, holdouts=SCORED_HOLDOUTS)
        extra = every[every["holdout"] != ""]
        print(f"each fold also trains on the {len(extra)} titles of the scored held-out sets")
    pred = loso(dev, extra)
    report(dev, pred, "leave one source out")
    if args.errors:
        pd.concat([dev[cols], pred], axis=1).to_csv(args.errors, index=False)
    if not args.all_sources and extra is None:
        postings(ROOT, dev, None)


if __name__ == "__main__":
    main()

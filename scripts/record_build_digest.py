"""Record (or check) a digest of what the build and the cleaning of synthetic postings produce.

The digest is ``tests/data/build_digest.json``: for every output, a sha256 of its CONTENT
(tables as canonical CSV with a dtype header, so parquet metadata cannot change it), its row
count and a sha256 per column (so a failing comparison names the columns that moved).
``tests/test_digest.py`` rebuilds and compares. A change that alters outputs on purpose
re-records with a reason, which is appended, dated, to the file's ``reasons``::

    PYTHONPATH=$PWD python scripts/record_build_digest.py --reason "issue 13: description columns"

Two sets of outputs are digested:

- ``build/...``: ``csresearch build`` (no figures) on a scratch copy of ``data/raw``: every file
  of ``data/processed``.
- ``postings/...``: :func:`csresearch.clean_survey` on ``POSTINGS_ROWS`` synthetic postings
  (``csresearch.synth.postings.write_synthetic_postings``, default seed), one result per site
  file: table, rejects and manifest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIGEST = ROOT / "tests" / "data" / "build_digest.json"
POSTINGS_ROWS = 20_000
POSTINGS_YEAR = 2024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def frame_digest(df: Any) -> dict[str, Any]:
    """Content digest of a DataFrame: whole table, row count, one hash per column."""
    def canon(frame: Any) -> bytes:
        buf = io.StringIO()
        buf.write(",".join(f"{c}:{t}" for c, t in frame.dtypes.astype(str).items()) + "\n")
        frame.to_csv(buf, index=False, lineterminator="\n", na_rep="<NA>")
        return buf.getvalue().encode("utf-8")

    return {
        "rows": int(len(df)),
        "sha256": _sha(canon(df)),
        "columns": {str(c): _sha(canon(df[[c]])) for c in df.columns},
    }


def json_digest(obj: Any) -> dict[str, Any]:
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    out: dict[str, Any] = {"sha256": _sha(text.encode("utf-8"))}
    if isinstance(obj, dict):
        out["keys"] = {str(k): _sha(json.dumps(v, ensure_ascii=False, sort_keys=True, default=str).encode())
                       for k, v in obj.items()}
        if "rows_in" in obj:
            out["rows"] = {k: obj[k] for k in ("rows_in", "rows_table", "rows_rejected") if k in obj}
    return out


def file_digest(path: Path) -> dict[str, Any]:
    import pandas as pd

    if path.suffix == ".parquet":
        return frame_digest(pd.read_parquet(path))
    if path.suffix == ".json":
        return json_digest(json.loads(path.read_text("utf-8")))
    if path.suffix == ".csv":
        out = frame_digest(pd.read_csv(path, dtype=str, keep_default_na=False))
        out["bytes_sha256"] = _sha(path.read_bytes())
        return out
    return {"bytes_sha256": _sha(path.read_bytes())}


def compute_digest() -> dict[str, dict[str, Any]]:
    """Build and clean in scratch folders; return ``{output name: digest}``."""
    from csresearch import clean_survey, read_table
    from csresearch.build import build
    from csresearch.synth.postings import write_synthetic_postings

    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
        build(root, figures=False, show_progress=False)
        for p in sorted((root / "data" / "processed").iterdir()):
            out[f"build/{p.name}"] = file_digest(p)
        for p in write_synthetic_postings(Path(tmp) / "postings", POSTINGS_ROWS):
            res = clean_survey(read_table(p), source=f"postings/{p.name}", year=POSTINGS_YEAR)
            out[f"postings/{p.stem}/table"] = frame_digest(res.table)
            out[f"postings/{p.stem}/rejects"] = frame_digest(res.rejects)
            out[f"postings/{p.stem}/manifest"] = json_digest(res.manifest)
    return out


def differences(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Human-readable list of what differs between two digests (empty when equal)."""
    lines = []
    for name in sorted(set(recorded) | set(current)):
        a, b = recorded.get(name), current.get(name)
        if a is None or b is None:
            lines.append(f"{name}: {'new output' if a is None else 'output gone'}")
            continue
        if a == b:
            continue
        parts = []
        if a.get("rows") != b.get("rows"):
            parts.append(f"rows {a.get('rows')} -> {b.get('rows')}")
        for key in ("columns", "keys"):
            ca, cb = a.get(key, {}), b.get(key, {})
            moved = sorted(c for c in set(ca) | set(cb) if ca.get(c) != cb.get(c))
            if moved:
                parts.append(f"{key} differ: {', '.join(moved)}")
        lines.append(f"{name}: " + ("; ".join(parts) or "content differs"))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reason", help="why the outputs changed (required to re-record)")
    ap.add_argument("--check", action="store_true", help="only compare with the recorded digest")
    args = ap.parse_args(argv)
    current = compute_digest()
    recorded = json.loads(DIGEST.read_text("utf-8")) if DIGEST.is_file() else {"outputs": {}, "reasons": []}
    diff = differences(recorded["outputs"], current)
    if args.check:
        print("\n".join(diff) or "digest matches")
        return 1 if diff else 0
    if not args.reason:
        ap.error("--reason is required to re-record the digest")
    print("\n".join(diff) or "no output changed")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    reasons = recorded.get("reasons", []) + [f"{stamp}: {args.reason}"]
    DIGEST.write_text(json.dumps({"reasons": reasons, "outputs": current}, indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {DIGEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

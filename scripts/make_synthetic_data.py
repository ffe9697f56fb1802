"""Regenerate the synthetic raw files in data/raw/synthetic/ (run once; they are committed).

    python scripts/make_synthetic_data.py [--seed 20241203] [--out data/raw/synthetic]

The files are inputs as received: the build never rewrites them. tests/test_synth_survey.py
checks that this script with the default seed reproduces the committed files' contents.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from csresearch.synth import write_synthetic_survey

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=20241203)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "data" / "raw" / "synthetic"))
    args = parser.parse_args()
    for name, path in write_synthetic_survey(args.out, seed=args.seed).items():
        print(f"{name:<24} {path}")

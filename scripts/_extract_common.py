"""What the ``build_*_extract.py`` scripts share: the byte-stable CSV writer and the command line."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections.abc import Callable
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def read_checked(path: Path, sha256: str | None, error: type[Exception]) -> bytes:
    """The file's bytes; ``error`` if it is missing or (``sha256`` given) is not the recorded copy."""
    if not path.is_file():
        raise error(f"{path}: no such file")
    blob = path.read_bytes()
    if sha256 is not None:
        check_sha256(path.name, blob, sha256, error)
    return blob


def check_sha256(name: str, blob: bytes, sha256: str, error: type[Exception]) -> None:
    """Refuse a file other than the copy the shipped extract was built from."""
    digest = hashlib.sha256(blob).hexdigest()
    if digest != sha256:
        raise error(f"{name}: SHA-256 {digest[:12]} is not the recorded {sha256[:12]} (another release?)")


def sheet_cells(source: Path, sha256: str | None, error: type[Exception], *, sheets: list[str],
                sheet: str) -> list[tuple[str, ...]]:
    """Every row of one sheet as printed cells (:func:`cell`), after checking the workbook.

    ``error`` if the file is missing, is not the recorded copy (``sha256`` given) or its sheet
    names are not ``sheets``.
    """
    from openpyxl import load_workbook

    blob = read_checked(source, sha256, error)
    wb = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
    if wb.sheetnames != sheets:
        raise error(f"{source.name}: sheets {wb.sheetnames}, expected {sheets}")
    rows = [tuple(cell(v) for v in r) for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    return rows


def cell(value: object) -> str:
    """A workbook cell as the publisher printed it (outer spaces stripped)."""
    # openpyxl gives ints for whole numbers and floats otherwise; repr-free str() keeps the digits
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def write_csv(rows: list[dict[str, str]], columns: list[str], out: Path) -> None:
    """UTF-8, LF line ends, every field as read (the byte-for-byte rebuild depends on it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([columns, *([r[c] for c in columns] for r in rows)])
    out.write_bytes(buf.getvalue().encode("utf-8"))


def run_extract(argv: list[str] | None, *, doc: str, source_help: str, out_name: str, columns: list[str],
                release: str, read: Callable[..., list[dict[str, str]]],
                errors: tuple[type[BaseException], ...], sources: dict[str, str] | None = None) -> int:
    """Parse ``SOURCE [-o OUT] [--no-check-sha]``, read the rows, write the extract; 1 on a source error.

    With ``sources`` (option name -> help) the inputs are required options ``--NAME FILE`` instead of
    one positional ``SOURCE``, and ``read`` gets a dict of their paths.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    if sources is None:
        parser.add_argument("source", type=Path, help=source_help)
    for name, help_text in (sources or {}).items():
        parser.add_argument(f"--{name}", type=Path, required=True, help=help_text)
    parser.add_argument("-o", "--out", type=Path, default=RAW / out_name)
    parser.add_argument("--no-check-sha", action="store_true", help="accept files other than the recorded copies")
    args = parser.parse_args(argv)
    given = args.source if sources is None else {name: getattr(args, name) for name in sources}
    try:
        rows = read(given, not args.no_check_sha)
    except errors as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    write_csv(rows, columns, args.out)
    print(f"{args.out}: {len(rows)} rows, {release}")
    return 0

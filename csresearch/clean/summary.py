"""The summary a clean or build prints: what was read, what was not, and every warning.

Warnings are things an analyst must know before trusting the table: rows that lost their PPP
value (and why), country or currency cells not understood, sheets not read, formula cells with
no saved value, duplicate rows, repeated header rows. They are kept in the manifest
(``manifest["warnings"]``); ``csresearch clean --strict`` exits non-zero when there is any.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["summary_warnings", "summary_lines"]

_SHOWN = 8  # items listed before "... and N more"


def _some(items: list[str]) -> str:
    head = ", ".join(items[:_SHOWN])
    return head + (f" ... and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _counts(values: Mapping[str, int]) -> str:
    return _some([f"{k!r} ({v})" for k, v in sorted(values.items(), key=lambda kv: -kv[1])])


def summary_warnings(m: Mapping[str, Any]) -> list[str]:
    """Warnings for one source's manifest (as written by :func:`csresearch.clean_survey`)."""
    info = m.get("read_info") or {}
    out: list[str] = []
    if m.get("rows_without_year"):
        out.append(f"{m['rows_without_year']} rows in the table have no year (no year or dated date column, "
                   "and no year given): their PPP value is empty; pass --year / year=")
    missing = {k: v for k, v in (m.get("ppp_unavailable") or {}).items() if k != "year unknown"}
    if missing:
        out.append(f"no PPP value for {sum(missing.values())} rows: {_some([f'{k} ({v})' for k, v in missing.items()])}")
    if m.get("countries_not_understood"):
        out.append(f"country cells not understood (rows rejected as country_unknown): {_counts(m['countries_not_understood'])}")
    if m.get("currencies_not_understood"):
        out.append(f"currency cells not understood (rows rejected as currency_unknown): {_counts(m['currencies_not_understood'])}")
    if info.get("sheets_not_read"):
        out.append(f"sheets not read: {_some(list(info['sheets_not_read']))} (only {info.get('sheet')!r}; "
                   "pass --sheet / sheet= for another)")
    formulas = info.get("formulas_without_value")
    if formulas:
        out.append(f"{formulas['count']} formula cells have no saved value (e.g. {', '.join(formulas['cells'][:3])}) "
                   "and read as empty; open and re-save the workbook in Excel or LibreOffice")
    if m.get("duplicate_rows"):
        out.append(f"{m['duplicate_rows']} rows repeat an earlier row exactly (flagged in duplicate_of, kept)")
    if m.get("source_rows_renumbered"):
        out.append("source_row is a running number, not the file's line: the index named source_row "
                   "repeats values or is not a positive whole number (frames of several files concatenated?)")
    repeated = (m.get("rejected_by_reason") or {}).get("repeated_header")
    if repeated:
        out.append(f"{repeated} rows repeat the header (rejected as repeated_header): files concatenated?")
    return out


def summary_lines(m: Mapping[str, Any]) -> list[str]:
    """Lines describing a (combined) manifest: per source, the header mapping and the warnings."""
    lines = []
    for src in m.get("sources", [m]):
        info = src.get("read_info") or {}
        where = f" ({src['path']})" if src.get("path") else ""
        reasons = ", ".join(f"{k} {v}" for k, v in (src.get("rejected_by_reason") or {}).items())
        lines.append(f"{src.get('source')}{where}: {src['rows_in']} rows in, {src['rows_table']} to the table, "
                     f"{src['rows_rejected']} rejected" + (f" ({reasons})" if reasons else ""))
        mapped = info.get("column_map") or {}
        if mapped:
            lines.append("  columns mapped: " + _some([f"{k!r} -> {v}" for k, v in mapped.items()]))
        if info.get("unmapped_columns"):
            lines.append("  columns not mapped (kept as they are): " + _some([repr(c) for c in info["unmapped_columns"]]))
        for w in src.get("warnings", []):
            lines.append(f"  warning: {w}")
    return lines

"""Header names -> canonical column names (the alias table ``reference/columns.yaml``).

Kept apart from :mod:`csresearch.io` and free of pandas, so that the command line can list the
target names in ``csresearch clean --help`` and check ``--columns`` without loading the readers.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

from .errors import ColumnMappingError, ReferenceDataError

__all__ = ["canonical_columns", "canonical_name", "closest_canonical", "check_targets", "header_periods"]

_SEPARATORS = re.compile(r"[\s_\-./\\()\[\]{}:;,'\"]+")


def normalise_header(name: object) -> str:
    """Matching key of a header: NFKC, case-folded, ё->е, separators and brackets removed."""
    text = unicodedata.normalize("NFKC", str(name)).casefold().replace("ё", "е")
    return _SEPARATORS.sub("", text)


@cache
def _reference() -> dict:
    import yaml

    text = resources.files("csresearch.reference").joinpath("columns.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ReferenceDataError("csresearch/reference/columns.yaml must hold a mapping")
    return raw


@cache
def alias_table() -> dict[str, str]:
    """Normalised alias -> canonical name, for every alias in ``columns.yaml``."""
    table: dict[str, str] = {}
    for canonical, aliases in _reference().items():
        if canonical.startswith("_"):
            continue  # sections such as _periods are not columns
        for alias in [canonical, *aliases]:
            key = normalise_header(alias)
            if key in table and table[key] != canonical:
                raise ColumnMappingError(
                    f"columns.yaml: alias {alias!r} maps to both {table[key]!r} and {canonical!r}"
                )
            table[key] = canonical
    return table


@cache
def header_periods() -> dict[str, str]:
    """Normalised header -> pay period the header states ("Annual Salary" -> "year")."""
    out: dict[str, str] = {}
    for period, headers in (_reference().get("_periods") or {}).items():
        for h in headers:
            out[normalise_header(h)] = period
    return out


def canonical_columns() -> list[str]:
    """Return the canonical column names that :func:`csresearch.read_table` maps headers to.

    Examples
    --------
    >>> "salary_text" in canonical_columns()
    True
    """
    return sorted(set(alias_table().values()))


def canonical_name(header: object) -> str | None:
    """The canonical column a raw header stands for, or None.

    Examples
    --------
    >>> canonical_name("Annual Salary"), canonical_name("Опыт работы"), canonical_name("城市")
    ('salary_text', 'experience_text', 'city')
    """
    return alias_table().get(normalise_header(header))


def closest_canonical(name: str) -> str | None:
    """The canonical name ``name`` most likely meant: an alias of it, else the nearest spelling."""
    by_alias = canonical_name(name)
    if by_alias is not None:
        return by_alias
    names = canonical_columns()
    match = difflib.get_close_matches(str(name).strip().lower(), names, n=1, cutoff=0.5)
    return match[0] if match else None


def check_targets(targets: Iterable[object], *, option: str = "columns=") -> None:
    """Raise when a name given as a mapping target is not a canonical column.

    ``option`` names the parameter in the caller's language (``columns=`` in Python,
    ``--columns`` at the command line).
    """
    allowed = set(canonical_columns())
    bad = [str(t) for t in targets if t not in (None, "") and str(t) not in allowed]
    if not bad:
        return
    hints = []
    for t in bad:
        near = closest_canonical(t)
        hints.append(f"{t!r} (did you mean {near!r}?)" if near else repr(t))
    raise ColumnMappingError(
        f"{option} target(s) {', '.join(hints)} are not canonical column names; "
        f"allowed: {', '.join(sorted(allowed))}"
    )

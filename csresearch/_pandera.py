"""pandera schemas declared as data and built on first use.

pandera's class API (``DataFrameModel`` with ``pandera.typing.Series`` annotations) imports
``pandera.typing.dask`` -- and with it ``dask.dataframe``, over a second -- the first time a
model is turned into a schema, which every ``validate`` does. The object API
(``DataFrameSchema``) does not. So the tables' schemas are written here as plain
``{column: Col(...)}`` specs, which cost nothing to import, and :func:`build_schema` turns one
into a ``DataFrameSchema`` (importing pandera) only when something validates.

The checks are the same pandera checks the class API's ``Field`` keywords make (``isin``,
``ge``, ``gt``, ``le``, ``str_matches``, ``str_length``, ``unique``), so failure cases name the
same checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Col", "build_schema"]


class Col:
    """One column: its dtype (``"str"``, ``"Int64"``, ``"float64"``, ``"bool"``, ``"int64"``,
    ``"datetime"`` or None for any), whether it may be missing or must be unique, and checks as
    ``Field``-style keywords, e.g. ``Col("Int64", nullable=True, isin=[1, 2, 3])``."""

    __slots__ = ("dtype", "nullable", "unique", "checks")

    def __init__(self, dtype: str | None, *, nullable: bool = False, unique: bool = False, **checks: Any) -> None:
        self.dtype, self.nullable, self.unique, self.checks = dtype, nullable, unique, checks


def _dtype(name: str | None) -> Any:
    import pandera.pandas as pa

    return {"str": str, "datetime": pa.DateTime}.get(name, name) if name is not None else None


def build_schema(
    name: str,
    columns: dict[str, Col],
    table_checks: list[tuple[str, Callable[[Any], Any], str | None]] = (),  # type: ignore[assignment]
    **options: Any,
) -> Any:
    """A ``pandera.DataFrameSchema`` from a column spec.

    ``table_checks`` are ``(name, function of the frame -> boolean Series, error)``; ``options``
    go to ``DataFrameSchema`` (``strict``, ``ordered``, ``coerce``).

    Examples
    --------
    >>> s = build_schema("T", {"a": Col("Int64", ge=1)}, strict=True)
    >>> [c.name for c in s.columns["a"].checks]
    ['greater_than_or_equal_to']
    """
    import pandera.pandas as pa

    def checks(spec: Col) -> list[Any]:
        out = []
        for kind, arg in spec.checks.items():
            make = getattr(pa.Check, kind)
            out.append(make(**arg) if isinstance(arg, dict) else make(arg))
        return out

    cols = {c: pa.Column(_dtype(s.dtype), checks(s), nullable=s.nullable, unique=s.unique, name=c)
            for c, s in columns.items()}
    frame_checks = [pa.Check(fn, name=check_name, error=error) for check_name, fn, error in table_checks]
    return pa.DataFrameSchema(cols, checks=frame_checks, name=name, **options)

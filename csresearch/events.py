"""Event histories of employees and the spells (stays at one level) built from them.

An HR export is a long table with one row per event::

    employee_id, date, event, level, <covariates...>

``event`` is one of ``hire``, ``promotion``, ``demotion``, ``exit`` and ``level``
is the level held *after* the event (for ``exit``, the level held when leaving;
it may be left empty and is then filled from the previous event). Every other
column is a covariate; its value is taken from the hire row (fixed at hire).

Covariates that change (quarterly KPI score, rating, training, team) come as a
second long table ``employee_id, date, <covariates...>``: a value recorded on
``date`` is in force *after* that date. :func:`split_spells` cuts each spell at
those dates into counting-process rows ``(entry_months, duration_months]``
(months since the spell began), the input of Cox models with time-varying
covariates and of person-period data.

:func:`validate_events` checks the schema and the logic of each history and
raises :class:`csresearch.errors.SchemaError` naming the employee and the
problem. :func:`build_spells` turns histories into one row per stay at a level,
the unit of analysis of :mod:`csresearch.models.promotion`.

Same-day events are ordered deterministically: ``hire`` first, then
``promotion``/``demotion`` in input order, then ``exit``. A promotion and an
exit on the same day therefore give a zero-length spell at the new level that
ends in ``exit``; such spells are kept so that counts reconcile with the export
(survival estimators treat them as events at time 0).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from csresearch._pandera import Col, build_schema
from csresearch.errors import SchemaError

__all__ = ["EVENTS", "EventHistorySchema", "validate_events", "build_spells", "split_spells", "DAYS_PER_MONTH"]

EVENTS: tuple[str, ...] = ("hire", "promotion", "demotion", "exit")
OUTCOMES: tuple[str, ...] = ("promotion", "demotion", "exit", "censored")
DAYS_PER_MONTH = 30.4375  # mean Gregorian month: 365.25 / 12
_CORE = ("employee_id", "date", "event", "level")
# Rank used to order events on the same date: a hire opens the history, an exit closes it.
_SAME_DAY_RANK = {"hire": 0, "promotion": 1, "demotion": 1, "exit": 2}
_MAX_LISTED = 10


_EVENT_COLUMNS = {
    "employee_id": Col(None),
    "date": Col("datetime"),
    "event": Col("str", isin=list(EVENTS)),
    "level": Col("Int64", ge=1),
}


def __getattr__(name: str) -> Any:
    # EventHistorySchema: the column types of an event history (covariates allowed), a pandera
    # schema built on first use (csresearch._pandera says why not at import).
    if name == "EventHistorySchema":
        return _event_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _event_schema() -> Any:
    return build_schema("EventHistorySchema", _EVENT_COLUMNS, coerce=True)


def _raise_problems(problems: pd.DataFrame, what: str) -> None:
    """Raise one SchemaError listing the first problems, employee by employee."""
    if problems.empty:
        return
    lines = ("employee " + problems["employee_id"].astype(str) + ": " + problems["problem"]).tolist()
    more = f"\n  ... and {len(lines) - _MAX_LISTED} more" if len(lines) > _MAX_LISTED else ""
    raise SchemaError(
        f"{what}: {len(lines)} problem(s) in the event history\n  " + "\n  ".join(lines[:_MAX_LISTED]) + more
    )


def _fmt_date(d: pd.Series) -> pd.Series:
    return d.dt.strftime("%Y-%m-%d")


def validate_events(events: pd.DataFrame) -> pd.DataFrame:
    """Check an event history and return it typed, ordered and completed.

    Parameters
    ----------
    events : DataFrame
        Columns ``employee_id``, ``date``, ``event`` (hire, promotion, demotion,
        exit), ``level`` and any covariates.

    Returns
    -------
    DataFrame
        The same rows (input index kept) sorted by employee, date and the
        same-day order hire < promotion/demotion < exit; ``date`` as datetime,
        ``event`` lower-cased, ``level`` as Int64 with empty exit levels filled
        from the previous event.

    Raises
    ------
    SchemaError
        Naming the employee and the problem for: a missing column, a missing or
        unparseable date, an unknown event, a missing level, no hire, two hires,
        an event before the hire, an event after the exit, a promotion to a level
        not above the one held, a demotion to a level not below it, or an exit
        recorded at a level other than the one held.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"employee_id": [1, 1], "date": ["2021-01-04", "2022-01-03"],
    ...                    "event": ["hire", "promotion"], "level": [1, 2]})
    >>> validate_events(ev)["level"].tolist()
    [1, 2]
    """
    missing = [c for c in _CORE if c not in events.columns]
    if missing:
        raise SchemaError(
            f"event history lacks column(s) {missing}; required: {list(_CORE)} (got {list(events.columns)})"
        )
    ev = events.copy()
    if ev.empty:
        raise SchemaError("event history is empty")

    # Row-level problems first, so messages name employees rather than pandera internals.
    ev["event"] = ev["event"].astype("str").str.strip().str.lower().where(ev["event"].notna())
    raw_date = ev["date"]
    ev["date"] = pd.to_datetime(raw_date, errors="coerce")
    level_num = pd.to_numeric(ev["level"], errors="coerce")
    row_problems = []
    no_id = ev["employee_id"].isna()
    if no_id.any():
        raise SchemaError(f"event history has {int(no_id.sum())} row(s) without employee_id (rows {ev.index[no_id][:5].tolist()})")
    bad_date = ev["date"].isna()
    row_problems.append(
        ev.loc[bad_date, ["employee_id"]].assign(
            problem="missing or unparseable date " + raw_date[bad_date].astype("str").str.slice(0, 30).map(repr)
            + " for event " + ev.loc[bad_date, "event"].astype("str")
        )
    )
    bad_event = ~ev["event"].isin(EVENTS)
    row_problems.append(
        ev.loc[bad_event, ["employee_id"]].assign(
            problem="unknown event " + events.loc[bad_event, "event"].astype("str").map(repr) + f" (allowed: {', '.join(EVENTS)})"
        )
    )
    bad_level = (level_num.isna() & (ev["event"] != "exit")) | (level_num.notna() & ((level_num < 1) | (level_num % 1 != 0)))
    row_problems.append(
        ev.loc[bad_level, ["employee_id"]].assign(
            problem="level " + events.loc[bad_level, "level"].astype("str").map(repr)
            + " on " + ev.loc[bad_level, "event"].astype("str") + " is not a positive whole number"
        )
    )
    _raise_problems(pd.concat(row_problems), "invalid rows")

    ev["level"] = level_num.astype("Int64")
    ev["_pos"] = np.arange(len(ev))
    ev["_rank"] = ev["event"].map(_SAME_DAY_RANK).astype(int)
    try:
        ev = ev.sort_values(["employee_id", "date", "_rank", "_pos"], kind="stable")
    except TypeError as err:
        raise SchemaError(f"employee_id mixes types that cannot be ordered (e.g. numbers and text): {err}") from err

    grp = ev.groupby("employee_id", sort=False)
    n_hire = (ev["event"] == "hire").groupby(ev["employee_id"]).transform("sum")
    n_exit = (ev["event"] == "exit").groupby(ev["employee_id"]).transform("sum")
    first = grp.cumcount() == 0
    last = grp.cumcount(ascending=False) == 0
    hire_date = ev["date"].where(ev["event"] == "hire").groupby(ev["employee_id"]).transform("min")
    exit_date = ev["date"].where(ev["event"] == "exit").groupby(ev["employee_id"]).transform("min")
    prev_level = grp["level"].shift(1)
    # An exit may omit its level: it is the level held.
    fill = (ev["event"] == "exit") & ev["level"].isna()
    ev.loc[fill, "level"] = prev_level[fill]
    # Messages are built only for the offending rows (string work on every row would dominate).
    info = pd.DataFrame({"event": ev["event"], "date": ev["date"], "level": ev["level"], "prev": prev_level,
                         "n_hire": n_hire, "n_exit": n_exit, "hire": hire_date, "exit": exit_date})

    def on(r: pd.DataFrame) -> pd.Series:
        return r["event"] + " on " + _fmt_date(r["date"])

    def levels(r: pd.DataFrame) -> pd.Series:
        return " to level " + r["level"].astype("str") + " is not {} the level held (" + r["prev"].astype("str") + ")"

    checks = [
        (first & (n_hire == 0), lambda r: "has no hire event"),
        (first & (n_hire > 1), lambda r: "has " + r["n_hire"].astype("str") + " hire events (expected one)"),
        ((n_hire == 1) & (ev["date"] < hire_date), lambda r: on(r) + " is before the hire on " + _fmt_date(r["hire"])),
        ((n_exit > 1) & (ev["event"] == "exit") & ~last,
         lambda r: "has " + r["n_exit"].astype("str") + " exit events (expected at most one)"),
        ((n_exit == 1) & (ev["event"] != "exit") & (ev["date"] > exit_date),
         lambda r: on(r) + " is after the exit on " + _fmt_date(r["exit"])),
        ((ev["event"] == "promotion") & ~first & (ev["level"] <= prev_level),
         lambda r: on(r) + levels(r).str.replace("{}", "above")),
        ((ev["event"] == "demotion") & ~first & (ev["level"] >= prev_level),
         lambda r: on(r) + levels(r).str.replace("{}", "below")),
        ((ev["event"] == "exit") & ~first & (ev["level"] != prev_level),
         lambda r: on(r) + " records level " + r["level"].astype("str") + " but the level held was " + r["prev"].astype("str")),
    ]
    problems = []
    for mask, message in checks:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            problems.append(ev.loc[mask, ["employee_id"]].assign(problem=message(info[mask])))
    if problems:
        _raise_problems(pd.concat(problems), "impossible histories")

    ev = ev.drop(columns=["_pos", "_rank"])
    import pandera.errors

    try:
        return _event_schema().validate(ev)
    except (pandera.errors.SchemaError, pandera.errors.SchemaErrors) as err:  # pragma: no cover - caught above
        raise SchemaError(f"event history does not match the schema: {err}") from err


def build_spells(events: pd.DataFrame, *, censor_date: Any) -> pd.DataFrame:
    """One row per stay at a level, with how it ended.

    Parameters
    ----------
    events : DataFrame
        An event history (see :func:`validate_events`, which is applied).
    censor_date : date-like
        End of observation. Events after it are ignored; spells still open at
        it are ``censored`` there. Spells that would start exactly at it carry
        no information and are dropped.

    Returns
    -------
    DataFrame
        Indexed like the event that opened the spell, sorted by employee and
        time, with columns ``employee_id``, ``spell_number`` (1, 2, ... per
        employee), ``level``, ``start``, ``stop``, ``duration_months`` (days /
        30.4375), ``outcome`` (promotion, demotion, exit, censored),
        ``start_event`` (hire, promotion, demotion) and the covariates from the
        hire row. Zero-length spells (two events on the same day) are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"employee_id": ["a", "a", "a"],
    ...                    "date": ["2021-01-01", "2021-07-02", "2022-01-01"],
    ...                    "event": ["hire", "promotion", "exit"], "level": [1, 2, 2],
    ...                    "kpi_score": [0.3, None, None]})
    >>> sp = build_spells(ev, censor_date="2023-01-01")
    >>> sp[["level", "outcome", "kpi_score"]].values.tolist()
    [[1, 'promotion', 0.3], [2, 'exit', 0.3]]
    """
    ev = validate_events(events)
    censor = pd.Timestamp(censor_date)
    ev = ev[ev["date"] <= censor]
    covariates = [c for c in ev.columns if c not in _CORE]
    grp = ev.groupby("employee_id", sort=False)
    next_date = grp["date"].shift(-1)
    next_event = grp["event"].shift(-1)

    opens = ev["event"] != "exit"
    spells = pd.DataFrame(
        {
            "employee_id": ev["employee_id"],
            "level": ev["level"],
            "start": ev["date"],
            "stop": next_date.fillna(censor),
            "outcome": next_event.fillna("censored").astype("str"),
            "start_event": ev["event"],
        },
        index=ev.index,
    )[opens]
    spells = spells[~((spells["outcome"] == "censored") & (spells["start"] >= censor))]
    spells["duration_months"] = (spells["stop"] - spells["start"]).dt.total_seconds() / (86400 * DAYS_PER_MONTH)
    spells["spell_number"] = spells.groupby("employee_id", sort=False).cumcount() + 1

    if covariates:
        at_hire = ev.loc[ev["event"] == "hire", ["employee_id", *covariates]].set_index("employee_id")
        cov = at_hire.reindex(spells["employee_id"].to_numpy())
        cov.index = spells.index
        spells = pd.concat([spells, cov], axis=1)
    cols = ["employee_id", "spell_number", "level", "start", "stop", "duration_months", "outcome", "start_event", *covariates]
    return spells[cols]


def split_spells(spells: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Cut spells at covariate changes into counting-process rows.

    Parameters
    ----------
    spells : DataFrame
        From :func:`build_spells`.
    changes : DataFrame
        ``employee_id``, ``date`` and one or more covariate columns: the value
        recorded on ``date`` holds from just after it until the next record
        (e.g. the quarterly KPI published at the end of each quarter).

    Returns
    -------
    DataFrame
        One row per piece ``(entry_months, duration_months]`` of a spell, in
        months since the spell began, with ``spell_id`` (the spell's index
        label), the spell's columns, ``outcome`` ``censored`` on every piece but
        the last (which keeps the spell's ending), and each changing covariate
        as in force during the piece. Before an employee's first record the
        value from the spell (the hire row) is kept if the spell has that
        column, else it is missing (and models drop the piece, counting it).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"employee_id": ["a", "a"], "date": ["2021-01-01", "2021-07-01"],
    ...                    "event": ["hire", "promotion"], "level": [1, 2]})
    >>> sp = build_spells(ev, censor_date="2021-10-01")
    >>> kpi = pd.DataFrame({"employee_id": ["a", "a"], "date": ["2021-03-31", "2021-06-30"],
    ...                     "kpi_score": [0.5, -1.0]})
    >>> split_spells(sp, kpi)[["level", "entry_months", "outcome", "kpi_score"]].round(2).values.tolist()
    [[1, 0.0, 'censored', nan], [1, 2.92, 'censored', 0.5], [1, 5.91, 'promotion', -1.0], [2, 0.0, 'censored', -1.0]]
    """
    missing = [c for c in ("employee_id", "date") if c not in changes.columns]
    if missing:
        raise SchemaError(f"covariate changes lack column(s) {missing} (got {list(changes.columns)})")
    covs = [c for c in changes.columns if c not in ("employee_id", "date")]
    if not covs:
        raise SchemaError("covariate changes name no covariate column besides employee_id and date")
    unit = spells["start"].dtype  # merge_asof needs one datetime resolution on both sides
    ch = changes.assign(date=pd.to_datetime(changes["date"], errors="coerce").astype(unit))
    if ch["date"].isna().any():
        raise SchemaError(f"{int(ch['date'].isna().sum())} covariate change(s) without a readable date")
    sp = spells.assign(spell_id=spells.index)
    cuts = sp[["spell_id", "employee_id", "start", "stop"]].merge(ch[["employee_id", "date"]], on="employee_id")
    cuts = cuts[(cuts["date"] > cuts["start"]) & (cuts["date"] < cuts["stop"])]
    bounds = pd.concat([sp[["spell_id", "start"]].rename(columns={"start": "a"}),
                        cuts[["spell_id", "date"]].rename(columns={"date": "a"})], ignore_index=True)
    bounds = bounds.drop_duplicates().sort_values(["spell_id", "a"], kind="stable")
    bounds["b"] = bounds.groupby("spell_id", sort=False)["a"].shift(-1)
    rows = bounds.merge(sp, on="spell_id", how="left")
    last = rows["b"].isna()
    rows["b"] = rows["b"].fillna(rows["stop"])
    rows.loc[~last, "outcome"] = "censored"
    month = 86400 * DAYS_PER_MONTH
    rows["entry_months"] = (rows["a"] - rows["start"]).dt.total_seconds() / month
    rows["duration_months"] = (rows["b"] - rows["start"]).dt.total_seconds() / month
    # The value in force on (a, b] is the latest record dated on or before a.
    ordered = ch.sort_values("date", kind="stable").rename(columns={c: f"_new_{c}" for c in covs})
    rows = pd.merge_asof(rows.sort_values("a", kind="stable"), ordered, left_on="a", right_on="date",
                         by="employee_id", direction="backward", suffixes=("", "_change"))
    for c in covs:
        rows[c] = rows[f"_new_{c}"].combine_first(rows[c]) if c in rows.columns else rows[f"_new_{c}"]
    cols = ["spell_id", *[c for c in spells.columns if c not in covs], "entry_months", *[c for c in spells.columns if c in covs],
            *[c for c in covs if c not in spells.columns]]
    out = rows.sort_values(["spell_id", "a"], kind="stable")[[c for c in dict.fromkeys(cols)]]
    return out.reset_index(drop=True)

"""Event-history validation and spell building: each impossible history is rejected by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.errors import SchemaError
from csresearch.events import DAYS_PER_MONTH, build_spells, validate_events


def history(rows, **covariates):
    frame = pd.DataFrame(rows, columns=["employee_id", "date", "event", "level"])
    return frame.assign(**covariates)


GOOD = [
    ("a", "2021-01-01", "hire", 1),
    ("a", "2021-07-02", "promotion", 2),
    ("a", "2022-01-01", "exit", 2),
    ("b", "2021-03-01", "hire", 1),
]


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([("x", "2021-01-01", "promotion", 2)], "employee x: has no hire event"),
        ([("x", "2021-01-01", "hire", 1), ("x", "2021-02-01", "hire", 1)], "employee x: has 2 hire events"),
        ([("x", "2021-01-01", "hire", 1), ("x", "2020-06-01", "promotion", 2)],
         "employee x: promotion on 2020-06-01 is before the hire on 2021-01-01"),
        ([("x", "2021-01-01", "hire", 1), ("x", "2021-02-01", "exit", 1), ("x", "2021-03-01", "promotion", 2)],
         "employee x: promotion on 2021-03-01 is after the exit on 2021-02-01"),
        ([("x", "2021-01-01", "hire", 1), ("x", "2021-02-01", "exit", 1), ("x", "2021-03-01", "exit", 1)],
         "employee x: has 2 exit events"),
        ([("x", "2021-01-01", "hire", 2), ("x", "2021-02-01", "promotion", 2)],
         "employee x: promotion on 2021-02-01 to level 2 is not above the level held (2)"),
        ([("x", "2021-01-01", "hire", 2), ("x", "2021-02-01", "promotion", 1)],
         "promotion on 2021-02-01 to level 1 is not above the level held (2)"),
        ([("x", "2021-01-01", "hire", 2), ("x", "2021-02-01", "demotion", 3)],
         "employee x: demotion on 2021-02-01 to level 3 is not below the level held (2)"),
        ([("x", "2021-01-01", "hire", 2), ("x", "2021-02-01", "demotion", 2)], "demotion on 2021-02-01 to level 2 is not below"),
        ([("x", "2021-01-01", "hire", 1), ("x", "2021-02-01", "resigned", 1)], "employee x: unknown event 'resigned'"),
        ([("x", None, "hire", 1)], "employee x: missing or unparseable date"),
        ([("x", "not a date", "hire", 1)], "employee x: missing or unparseable date 'not a date'"),
        ([("x", "2021-01-01", "hire", None)], "employee x: level"),
        ([("x", "2021-01-01", "hire", 1), ("x", "2021-02-01", "exit", 3)],
         "employee x: exit on 2021-02-01 records level 3 but the level held was 1"),
    ],
)
def test_impossible_histories_are_named(rows, fragment):
    with pytest.raises(SchemaError, match="problem") as err:
        validate_events(history(GOOD + rows))
    assert fragment in str(err.value)
    assert "employee a" not in str(err.value)  # the valid history is not blamed


def test_missing_column_is_reported():
    with pytest.raises(SchemaError, match="lacks column"):
        validate_events(history(GOOD).drop(columns="level"))


def test_many_problems_are_listed_with_a_count():
    rows = [(f"e{i}", "2021-01-01", "promotion", 2) for i in range(15)]
    with pytest.raises(SchemaError, match="15 problem") as err:
        validate_events(history(rows))
    assert "and 5 more" in str(err.value)


def test_validate_types_orders_and_fills_exit_level():
    ev = history([GOOD[2], GOOD[0], GOOD[3], GOOD[1]]).assign(level=lambda d: d["level"].astype(object))
    ev.loc[0, "level"] = None  # exit without level: the level held
    out = validate_events(ev)
    assert out.index.tolist() == [1, 3, 0, 2]  # input index kept, rows sorted
    assert out["level"].dtype == "Int64"
    assert out.loc[0, "level"] == 2
    assert pd.api.types.is_datetime64_any_dtype(out["date"])


def test_build_spells_outcomes_durations_and_covariates():
    ev = history(GOOD, kpi_score=[0.3, None, None, -1.0])
    sp = build_spells(ev, censor_date="2023-03-01")
    assert sp["outcome"].tolist() == ["promotion", "exit", "censored"]
    assert sp["level"].tolist() == [1, 2, 1]
    assert sp["spell_number"].tolist() == [1, 2, 1]
    assert sp["kpi_score"].tolist() == [0.3, 0.3, -1.0]  # from the hire row
    days = (pd.Timestamp("2021-07-02") - pd.Timestamp("2021-01-01")).days
    assert sp["duration_months"].iloc[0] == pytest.approx(days / DAYS_PER_MONTH)
    assert sp["stop"].iloc[2] == pd.Timestamp("2023-03-01")


def test_events_after_censor_date_are_unseen():
    sp = build_spells(history(GOOD), censor_date="2021-05-01")
    assert sp["outcome"].tolist() == ["censored", "censored"]
    assert (sp["stop"] == pd.Timestamp("2021-05-01")).all()
    # hired after the censor date: no spell at all
    assert build_spells(history(GOOD), censor_date="2021-02-01")["employee_id"].tolist() == ["a"]


def test_same_day_events_are_ordered_and_zero_length_spell_kept():
    rows = [("z", "2021-01-01", "exit", 2), ("z", "2021-01-01", "promotion", 2), ("z", "2020-01-01", "hire", 1)]
    sp = build_spells(history(rows), censor_date="2022-01-01")
    assert sp["outcome"].tolist() == ["promotion", "exit"]
    assert sp["duration_months"].iloc[1] == 0.0


@st.composite
def random_history(draw):
    n_moves = draw(st.integers(0, 6))
    gaps = draw(st.lists(st.integers(0, 400), min_size=n_moves + 1, max_size=n_moves + 1))
    ups = draw(st.lists(st.booleans(), min_size=n_moves, max_size=n_moves))
    leaves = draw(st.booleans())
    level, day, rows = 3, gaps[0], [("p", gaps[0], "hire", 3)]
    for gap, up in zip(gaps[1:], ups):
        day += gap
        level += 1 if up or level == 1 else -1
        rows.append(("p", day, "promotion" if level > rows[-1][3] else "demotion", level))
    if leaves:
        rows.append(("p", day + draw(st.integers(0, 300)), "exit", level))
    frame = history(rows)
    frame["date"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(frame["date"], unit="D")
    return frame


@settings(deadline=None, max_examples=60)
@given(random_history(), st.integers(0, 4000))
def test_spells_tile_the_observed_history(ev, censor_days):
    censor = pd.Timestamp("2020-01-01") + pd.Timedelta(days=censor_days)
    sp = build_spells(ev, censor_date=censor)
    hire = ev["date"].iloc[0]
    seen = ev[ev["date"] <= censor]
    if hire > censor or (hire == censor and len(seen) == 1):  # nothing observed
        assert sp.empty
        return
    end = seen["date"].iloc[-1] if seen["event"].iloc[-1] == "exit" else censor
    # spells are contiguous and cover hire .. exit-or-censor exactly
    assert sp["start"].iloc[0] == hire and sp["stop"].iloc[-1] == end
    assert (sp["start"].iloc[1:].to_numpy() == sp["stop"].iloc[:-1].to_numpy()).all()
    total = (end - hire).days / DAYS_PER_MONTH
    assert np.isclose(sp["duration_months"].sum(), total)
    assert (sp["outcome"].iloc[:-1] != "censored").all()

"""Written promotion rules as data, and a vectorised simulator of the careers they produce.

A promotion policy is a YAML file under ``csresearch/policy/policies/`` (or any path) that
transcribes a written rule set: the grades of a ladder and the csresearch level (1-6) each maps
to, the minimum months in a grade, the review cadence, and a promotion and a demotion rule in a
small declarative vocabulary evaluated on monthly performance ratings::

    promotion:
      window: 3                       # at a review, look at the last 3 months in the grade
      require: {gold: 2, reserve: 1}  # ... at least 2 gold and 1 reserve month (see below)
    promotion:
      consecutive: {at_least: excellent, months: 6}   # 6 consecutive months rated >= excellent
    promotion:
      mean: {window: 3, at_least: 80}                 # quarterly mean score >= 80
    demotion:
      consecutive: {at_most: middle, months: 3}       # 3 consecutive months rated <= middle
    demotion:
      mean: {window: 3, below: 70}                    # quarterly mean score < 70

Ratings are ordered (lowest first) and a month rated higher also counts for a lower rating, so
``require: {gold: 2, reserve: 1}`` with reserve above gold means "at least one reserve month and
at least three months at gold or better": each required month must be a distinct month.

:func:`simulate_policy` runs a hire cohort through a policy month by month (numpy arrays over
employees, a Python loop over months only) and returns an event history in the schema shared
with :mod:`csresearch.events` (``employee_id, date, event, level`` plus covariates), so the same
survival code analyses simulated and real histories. Everything here is simulated from written
rules and assumed performance processes; it describes what the rules imply, not what any
company's staff experienced.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from csresearch.errors import PolicyError, ReferenceDataError
from csresearch.schema import LEVEL_NAMES

__all__ = [
    "Rating",
    "WindowCountRule",
    "ConsecutiveRule",
    "MeanScoreRule",
    "Grade",
    "Policy",
    "PerformanceProcess",
    "list_policies",
    "load_policy",
    "simulate_policy",
    "time_to_level",
    "policy_summary",
    "sweep_policy",
]

POLICY_DIR = "policies"
_DAYS_PER_MONTH = 365.25 / 12
_EVENT_RANK = {"hire": 0, "promotion": 1, "demotion": 1, "exit": 2}
# Education mix of simulated hires; education has NO effect on simulated careers, so it is a
# covariate whose true effect is known to be zero (a placebo for the survival models).
_EDUCATION = ("high_school", "college", "bachelor")
_EDUCATION_P = (0.3, 0.45, 0.25)


# --------------------------------------------------------------------------------------------
# Policy objects
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rating:
    """A monthly rating: scores ``>= min_score`` (and below the next rating) get this name."""

    name: str
    min_score: float


@dataclass(frozen=True)
class WindowCountRule:
    """At least ``count`` months at or above each rating within the last ``window`` months."""

    window: int
    require: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        req = ", ".join(f"{c} {r}" for r, c in self.require)
        return f"{req} in {self.window} months"


@dataclass(frozen=True)
class ConsecutiveRule:
    """``months`` consecutive months rated at least (or at most) ``rating`` in the grade."""

    rating: str
    months: int
    direction: Literal["at_least", "at_most"]

    def __str__(self) -> str:
        return f"{self.months} consecutive months {self.direction.replace('_', ' ')} {self.rating}"


@dataclass(frozen=True)
class MeanScoreRule:
    """Mean score over the last ``window`` months at least (or below) ``threshold``."""

    window: int
    threshold: float
    direction: Literal["at_least", "below"]

    def __str__(self) -> str:
        op = ">=" if self.direction == "at_least" else "<"
        return f"mean score over {self.window} months {op} {self.threshold:g}"


Rule = WindowCountRule | ConsecutiveRule | MeanScoreRule


@dataclass(frozen=True)
class Grade:
    """One grade of a ladder with its rules (policy defaults already applied).

    ``level`` is the grade's number in this ladder (1 = the entry grade), the
    ``level`` of simulated event histories; it is *not* a career rung. ``rung`` is
    the rung of the shared ladder (LADDER.md: 1 agent, 2 senior, 3 team_lead,
    4 supervisor, 5 manager, 6 head) the grade belongs to, so seed 001's
    初级/中级/高级/资深客服 are grades 1-4 on rungs 1, 1, 2, 2.
    ``min_months`` is the time in this grade before promotion out of it;
    ``min_service_months`` the time since hire before promotion *into* it.
    """

    name: str
    name_en: str
    level: int
    rung: int
    min_months: int
    min_service_months: int
    review_months: int
    promotion: Rule | None
    demotion: Rule | None


@dataclass(frozen=True)
class Policy:
    """A written promotion rule set, loaded with :func:`load_policy`.

    Attributes
    ----------
    name, source, description : str
        Identifier, seed file the rules are transcribed from, one-line summary.
    ratings : tuple of Rating
        Monthly score to rating bands, lowest first.
    grades : tuple of Grade
        The ladder, lowest first, with csresearch levels strictly increasing.
    at_lowest : {"stay", "exit"}
        What a demotion does in the lowest grade: nothing, or dismissal (an ``exit`` event).

    Examples
    --------
    >>> p = load_policy("tiered_tenure")
    >>> p.name, [g.level for g in p.grades]
    ('tiered_tenure', [1, 2, 3, 4])
    >>> q = p.with_changes(review_months=1)
    >>> {g.review_months for g in q.grades}
    {1}
    """

    name: str
    source: str
    description: str
    ratings: tuple[Rating, ...]
    grades: tuple[Grade, ...]
    at_lowest: Literal["stay", "exit"] = "stay"
    path: str | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        ladder = " -> ".join(f"{g.name}(rung {g.rung})" for g in self.grades)
        cadence = sorted({g.review_months for g in self.grades})
        return (
            f"Policy({self.name!r}, source={self.source!r}, grades: {ladder}; "
            f"review every {'/'.join(map(str, cadence))} month(s))"
        )

    def grade_label(self, level: int) -> str:
        """How figures and tables name a grade: its names and its rung.

        Examples
        --------
        >>> load_policy("tiered_tenure").grade_label(3)
        '高级客服 senior (rung 2 senior)'
        """
        g = self.grades[self._grade_index(int(level))]
        return f"{g.name} {g.name_en} (rung {g.rung} {LEVEL_NAMES[g.rung]})".replace("  ", " ")

    def grade_names(self, english: bool = False) -> dict[int, str]:
        """Map grade number (the ``level`` of simulated histories) -> grade name (Chinese, or English).

        Examples
        --------
        >>> load_policy("tiered_tenure").grade_names()[2]
        '中级客服'
        """
        return {g.level: (g.name_en if english else g.name) for g in self.grades}

    def describe(self) -> pd.DataFrame:
        """One row per grade: names, grade number (``level``), rung and rung name, tenure minimums, cadence and rules."""
        return pd.DataFrame(
            {
                "grade": [g.name for g in self.grades],
                "grade_en": [g.name_en for g in self.grades],
                "level": [g.level for g in self.grades],
                "rung": [g.rung for g in self.grades],
                "rung_name": [LEVEL_NAMES[g.rung] for g in self.grades],
                "min_months": [g.min_months for g in self.grades],
                "min_service_months": [g.min_service_months for g in self.grades],
                "review_months": [g.review_months for g in self.grades],
                "promotion": [str(g.promotion) if g.promotion else "-" for g in self.grades],
                "demotion": [str(g.demotion) if g.demotion else "-" for g in self.grades],
            }
        )

    def with_changes(
        self,
        *,
        review_months: int | Mapping[str | int, int] | None = None,
        min_months: int | Mapping[str | int, int] | None = None,
        name: str | None = None,
    ) -> Policy:
        """Return a copy with a different review cadence or tenure minimum.

        Parameters
        ----------
        review_months, min_months : int or mapping, optional
            An int sets every grade (for ``min_months``: every grade below the top); a mapping
            keyed by grade name (Chinese or English) or by level sets only those grades.
        name : str, optional
            Name of the new policy; by default the old name with the changes appended.

        Examples
        --------
        >>> p = load_policy("tiered_tenure").with_changes(min_months={"初级客服": 6})
        >>> p.grades[0].min_months, p.name
        (6, "tiered_tenure[min_months={'初级客服': 6}]")
        """
        grades = list(self.grades)
        changes = []
        for attr, value in (("review_months", review_months), ("min_months", min_months)):
            if value is None:
                continue
            changes.append(f"{attr}={value}")
            if isinstance(value, Mapping):
                targets = {self._grade_index(k): int(v) for k, v in value.items()}
            else:
                top = len(grades) - 1 if attr == "min_months" else len(grades)
                targets = {i: int(value) for i in range(top)}
            for i, v in targets.items():
                if v < (1 if attr == "review_months" else 0):
                    raise PolicyError(f"{self.name}: {attr} for grade {grades[i].name!r} must be positive, got {v}")
                grades[i] = dataclasses.replace(grades[i], **{attr: v})
        new_name = name or (f"{self.name}[{', '.join(changes)}]" if changes else self.name)
        return dataclasses.replace(self, grades=tuple(grades), name=new_name)

    def _grade_index(self, key: str | int) -> int:
        for i, g in enumerate(self.grades):
            if key in (g.name, g.name_en) or (isinstance(key, (int, np.integer)) and key == g.level):
                return i
        known = [g.name for g in self.grades] + [g.name_en for g in self.grades]
        raise ReferenceDataError(f"policy {self.name!r} has no grade {key!r}; grades: {known}")


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _policy_files() -> dict[str, Any]:
    folder = resources.files("csresearch.policy") / POLICY_DIR
    return {p.name[: -len(".yaml")]: p for p in folder.iterdir() if p.name.endswith(".yaml")}


def list_policies() -> list[str]:
    """Names of the promotion policies shipped with csresearch (pay policies excluded).

    Examples
    --------
    >>> list_policies()
    ['consecutive_excellent', 'ecommerce_review', 'tiered_tenure']
    """
    return sorted(n for n in _policy_files() if not n.startswith("pay_"))


def read_policy_yaml(name_or_path: str | Path, *, kind: str) -> tuple[dict, str]:
    """Read a shipped policy by name or a YAML file by path; return (mapping, file label).

    Shared by promotion and pay policies. Raises ReferenceDataError for an unknown name and
    PolicyError for unreadable or non-mapping YAML.
    """
    text_path = Path(name_or_path)
    if text_path.suffix in (".yaml", ".yml") or text_path.exists():
        label = str(text_path)
        try:
            text = text_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"{label}: cannot read {kind} policy file ({exc})") from exc
    else:
        files = {k: v for k, v in _policy_files().items() if k.startswith("pay_") == (kind == "pay")}
        if str(name_or_path) not in files:
            known = sorted(files)
            raise ReferenceDataError(f"unknown {kind} policy {str(name_or_path)!r}; available: {known}")
        label = files[str(name_or_path)].name
        text = files[str(name_or_path)].read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{label}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{label}: a {kind} policy must be a YAML mapping, got {type(data).__name__}")
    return data, label


class _Checker:
    """Small helpers that raise PolicyError naming the file and the key path."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, key: str, msg: str) -> PolicyError:
        return PolicyError(f"{self.label}: key '{key}': {msg}")

    def get(self, d: Mapping, key: str, where: str = "", *, default: Any = ..., types: tuple = ()) -> Any:
        path = f"{where}.{key}" if where else key
        if key not in d:
            if default is ...:
                raise self.fail(path, "is required")
            return default
        value = d[key]
        if types and not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            names = "/".join(t.__name__ for t in types)
            raise self.fail(path, f"must be {names}, got {value!r}")
        return value

    def integer(self, d: Mapping, key: str, where: str, *, minimum: int, default: Any = ...) -> int:
        value = self.get(d, key, where, default=default, types=(int,))
        if value is not None and value < minimum:
            raise self.fail(f"{where}.{key}" if where else key, f"must be >= {minimum}, got {value}")
        return value

    def keys(self, d: Mapping, allowed: set[str], where: str) -> None:
        extra = sorted(set(d) - allowed)
        if extra:
            raise self.fail(where or "<top>", f"unknown key(s) {extra}; allowed: {sorted(allowed)}")


def _parse_rule(raw: Any, where: str, chk: _Checker, ratings: Sequence[str]) -> Rule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise chk.fail(where, f"a rule must be a mapping or null, got {raw!r}")

    def rating(name: Any, key: str) -> str:
        if name not in ratings:
            raise chk.fail(key, f"unknown rating {name!r}; ratings: {list(ratings)}")
        return name

    if "require" in raw or "window" in raw and "mean" not in raw:
        chk.keys(raw, {"window", "require"}, where)
        window = chk.integer(raw, "window", where, minimum=1)
        req = chk.get(raw, "require", where, types=(dict,))
        if not req:
            raise chk.fail(f"{where}.require", "must name at least one rating")
        pairs = []
        for r, c in req.items():
            rating(r, f"{where}.require.{r}")
            if not isinstance(c, int) or isinstance(c, bool) or c < 1:
                raise chk.fail(f"{where}.require.{r}", f"must be a positive integer, got {c!r}")
            pairs.append((r, c))
        if sum(c for _, c in pairs) > window:
            raise chk.fail(f"{where}.require", f"asks for more months than the window of {window}")
        pairs.sort(key=lambda rc: -list(ratings).index(rc[0]))  # highest rating first
        return WindowCountRule(window=window, require=tuple(pairs))
    if "consecutive" in raw:
        chk.keys(raw, {"consecutive"}, where)
        spec = chk.get(raw, "consecutive", where, types=(dict,))
        w = f"{where}.consecutive"
        chk.keys(spec, {"at_least", "at_most", "months"}, w)
        direction = [k for k in ("at_least", "at_most") if k in spec]
        if len(direction) != 1:
            raise chk.fail(w, "needs exactly one of 'at_least' or 'at_most' (a rating name)")
        months = chk.integer(spec, "months", w, minimum=1)
        return ConsecutiveRule(rating(spec[direction[0]], f"{w}.{direction[0]}"), months, direction[0])
    if "mean" in raw:
        chk.keys(raw, {"mean"}, where)
        spec = chk.get(raw, "mean", where, types=(dict,))
        w = f"{where}.mean"
        chk.keys(spec, {"window", "at_least", "below"}, w)
        direction = [k for k in ("at_least", "below") if k in spec]
        if len(direction) != 1:
            raise chk.fail(w, "needs exactly one of 'at_least' or 'below' (a score)")
        threshold = chk.get(spec, direction[0], w, types=(int, float))
        return MeanScoreRule(chk.integer(spec, "window", w, minimum=1), float(threshold), direction[0])
    raise chk.fail(where, "a rule needs 'window'+'require', 'consecutive' or 'mean'")


def _parse_policy(data: dict, label: str) -> Policy:
    chk = _Checker(label)
    chk.keys(
        data,
        {"name", "source", "description", "review_months", "ratings", "promotion", "demotion", "at_lowest", "grades"},
        "",
    )
    name = chk.get(data, "name", types=(str,))
    source = chk.get(data, "source", types=(str,))
    description = chk.get(data, "description", default="", types=(str,))
    default_review = chk.integer(data, "review_months", "", minimum=1)
    at_lowest = chk.get(data, "at_lowest", default="stay", types=(str,))
    if at_lowest not in ("stay", "exit"):
        raise chk.fail("at_lowest", f"must be 'stay' or 'exit', got {at_lowest!r}")

    raw_ratings = chk.get(data, "ratings", types=(list,))
    if len(raw_ratings) < 2:
        raise chk.fail("ratings", "needs at least two ratings, lowest first")
    ratings: list[Rating] = []
    for i, r in enumerate(raw_ratings):
        where = f"ratings[{i}]"
        if not isinstance(r, dict):
            raise chk.fail(where, f"must be a mapping with name and min_score, got {r!r}")
        chk.keys(r, {"name", "min_score"}, where)
        rname = chk.get(r, "name", where, types=(str,))
        low = chk.get(r, "min_score", where, types=(int, float, type(None)))
        if (low is None) != (i == 0):
            raise chk.fail(f"{where}.min_score", "must be null for the lowest rating and a number for the others")
        low = -np.inf if low is None else float(low)
        if ratings and low <= ratings[-1].min_score:
            raise chk.fail(f"{where}.min_score", "ratings must be listed lowest first with increasing min_score")
        if any(rname == x.name for x in ratings):
            raise chk.fail(f"{where}.name", f"duplicate rating {rname!r}")
        ratings.append(Rating(rname, low))
    names = [r.name for r in ratings]

    default_promo = _parse_rule(chk.get(data, "promotion"), "promotion", chk, names)
    default_demo = _parse_rule(chk.get(data, "demotion", default=None), "demotion", chk, names)

    raw_grades = chk.get(data, "grades", types=(list,))
    if not raw_grades:
        raise chk.fail("grades", "needs at least one grade")
    grades: list[Grade] = []
    for i, g in enumerate(raw_grades):
        where = f"grades[{i}]"
        if not isinstance(g, dict):
            raise chk.fail(where, f"must be a mapping, got {g!r}")
        chk.keys(
            g,
            {"name", "name_en", "rung", "min_months", "min_service_months", "review_months", "promotion", "demotion"},
            where,
        )
        level = i + 1  # grades are numbered by their place in the ladder
        rung = chk.integer(g, "rung", where, minimum=1)
        if rung > 6:
            raise chk.fail(f"{where}.rung", f"LADDER.md rungs run 1-6, got {rung}")
        if grades and rung < grades[-1].rung:
            raise chk.fail(f"{where}.rung", "rungs cannot go down a ladder")
        top = i == len(raw_grades) - 1
        promo = _parse_rule(g["promotion"], f"{where}.promotion", chk, names) if "promotion" in g else default_promo
        demo = _parse_rule(g["demotion"], f"{where}.demotion", chk, names) if "demotion" in g else default_demo
        grades.append(
            Grade(
                name=chk.get(g, "name", where, types=(str,)),
                name_en=chk.get(g, "name_en", where, default="", types=(str,)),
                level=level,
                rung=rung,
                min_months=chk.integer(g, "min_months", where, minimum=0, default=0),
                min_service_months=chk.integer(g, "min_service_months", where, minimum=0, default=0),
                review_months=chk.integer(g, "review_months", where, minimum=1, default=default_review),
                promotion=None if top else promo,
                demotion=demo,
            )
        )
    if default_promo is None and len(grades) > 1 and all(g.promotion is None for g in grades):
        raise chk.fail("promotion", "no grade has a promotion rule")
    return Policy(name, source, description, tuple(ratings), tuple(grades), at_lowest, path=label)


def load_policy(name_or_path: str | Path | Policy) -> Policy:
    """Load a promotion policy by shipped name (see :func:`list_policies`) or YAML path.

    Raises
    ------
    ReferenceDataError
        For an unknown policy name.
    PolicyError
        For a malformed file, naming the file and the offending key.

    Examples
    --------
    >>> load_policy("ecommerce_review").grades[2].review_months
    6
    """
    if isinstance(name_or_path, Policy):
        return name_or_path
    if isinstance(name_or_path, str) and name_or_path in _policy_files():
        return _load_shipped(name_or_path)  # frozen, so one parsed copy can be shared
    data, label = read_policy_yaml(name_or_path, kind="promotion")
    return _parse_policy(data, label)


@functools.lru_cache(maxsize=None)
def _load_shipped(name: str) -> Policy:
    return _parse_policy(*read_policy_yaml(name, kind="promotion"))


# --------------------------------------------------------------------------------------------
# Performance
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PerformanceProcess:
    """Monthly score = mean + person effect + AR(1) noise, clipped to [low, high].

    ``score[i, t] = clip(mean + u[i] + e[i, t])`` with ``u ~ N(0, person_sd)`` fixed per person
    and ``e[i, t] = phi[i] e[i, t-1] + sqrt(1 - phi[i]**2) * spread * z`` (so ``e`` has standard
    deviation ``spread`` in every month). ``persistence`` is ``phi`` in [0, 1), either one value
    or a ``(low, high)`` range from which each person's ``phi`` is drawn uniformly. The default
    scale is the 0-100 KPI score of the seed's rule sets (100 minus monthly deduction points);
    the default parameters are illustrative, not estimated.

    Examples
    --------
    >>> PerformanceProcess(mean=70, persistence=(0.2, 0.8)).persistence
    (0.2, 0.8)
    """

    mean: float = 78.0
    persistence: float | tuple[float, float] = 0.5
    spread: float = 8.0
    person_sd: float = 6.0
    low: float = 0.0
    high: float = 100.0

    def __post_init__(self) -> None:
        lo, hi = self.persistence if isinstance(self.persistence, tuple) else (self.persistence,) * 2
        if not 0 <= lo <= hi < 1:
            raise ValueError(f"persistence must lie in [0, 1), got {self.persistence!r}")
        if self.spread < 0 or self.person_sd < 0:
            raise ValueError("spread and person_sd must be >= 0")

    def sample(self, n_employees: int, months: int, seed: int | np.random.Generator | None) -> np.ndarray:
        """Draw scores of shape ``(months, n_employees)``, as :func:`simulate_policy` does.

        Examples
        --------
        >>> PerformanceProcess(spread=0, person_sd=0).sample(2, 3, seed=0).tolist()
        [[78.0, 78.0], [78.0, 78.0], [78.0, 78.0]]
        """
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        draws = _Scores(self, int(n_employees), int(months), rng)
        return np.stack([draws.month(t) for t in range(1, int(months) + 1)])


PerformanceLike = PerformanceProcess | Callable[[int, int, np.random.Generator], Any] | float | np.ndarray | None


class _Scores:
    """Yields one month of scores for all employees from any accepted performance spec."""

    def __init__(self, performance: PerformanceLike, n: int, months: int, rng: np.random.Generator) -> None:
        self.n, self.rng = n, rng
        self.process = PerformanceProcess() if performance is None else performance
        self.persistence = np.full(n, np.nan)
        self.person_effect = np.full(n, np.nan)
        if isinstance(self.process, PerformanceProcess):
            p = self.process
            lo, hi = p.persistence if isinstance(p.persistence, tuple) else (p.persistence,) * 2
            self.persistence = rng.uniform(lo, hi, n) if hi > lo else np.full(n, float(lo))
            self.person_effect = rng.normal(0.0, p.person_sd, n)
            self._e = rng.normal(0.0, p.spread, n)  # stationary start
            self._innov_sd = np.sqrt(1.0 - self.persistence**2) * p.spread
        elif not callable(self.process):
            arr = np.asarray(self.process, dtype=float)
            if arr.ndim == 0:
                arr = np.broadcast_to(arr, (months, n))
            elif arr.ndim == 1 and arr.shape[0] == months:
                arr = np.broadcast_to(arr[:, None], (months, n))
            if arr.shape != (months, n):
                raise ValueError(
                    f"performance array must be a scalar, shape (months,)=({months},) or "
                    f"(months, n_employees)=({months}, {n}); got {arr.shape}"
                )
            self._arr = arr

    def month(self, t: int) -> np.ndarray:
        """Scores of month ``t`` (1-based)."""
        p = self.process
        if isinstance(p, PerformanceProcess):
            if t > 1:
                self._e = self.persistence * self._e + self._innov_sd * self.rng.standard_normal(self.n)
            return np.clip(p.mean + self.person_effect + self._e, p.low, p.high)
        if callable(p):
            return np.broadcast_to(np.asarray(p(t, self.n, self.rng), dtype=float), (self.n,))
        return self._arr[t - 1]


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------
class _RuleState:
    """Rolling windows of ratings/scores and run counters, all shaped (n_employees,)."""

    def __init__(self, policy: Policy, n: int) -> None:
        rules = [r for g in policy.grades for r in (g.promotion, g.demotion) if r is not None]
        self.width = max([getattr(r, "window", 1) for r in rules] + [1])
        self.ratings = np.zeros((self.width, n), dtype=np.int16)
        self.scores = np.zeros((self.width, n))
        self.rank = {r.name: i for i, r in enumerate(policy.ratings)}
        self.runs = {
            (r.rating, r.direction): np.zeros(n, dtype=np.int32) for r in rules if isinstance(r, ConsecutiveRule)
        }

    def update(self, t: int, score: np.ndarray, rating: np.ndarray) -> None:
        self.ratings[t % self.width] = rating
        self.scores[t % self.width] = score
        for (name, direction), run in self.runs.items():
            hit = rating >= self.rank[name] if direction == "at_least" else rating <= self.rank[name]
            run[:] = np.where(hit, run + 1, 0)

    def reset(self, who: np.ndarray) -> None:
        for run in self.runs.values():
            run[who] = 0

    def holds(self, rule: Rule, t: int, months_in_grade: np.ndarray) -> np.ndarray:
        if isinstance(rule, ConsecutiveRule):
            return self.runs[(rule.rating, rule.direction)] >= rule.months
        rows = [(t - k) % self.width for k in range(rule.window)]
        enough = months_in_grade >= rule.window  # only months spent in the current grade count
        if isinstance(rule, MeanScoreRule):
            mean = self.scores[rows].mean(axis=0)
            return enough & (mean >= rule.threshold if rule.direction == "at_least" else mean < rule.threshold)
        window = self.ratings[rows]
        ok, needed = enough, 0
        for name, count in rule.require:  # highest rating first: each month is used once
            needed += count
            ok = ok & ((window >= self.rank[name]).sum(axis=0) >= needed)
        return ok


def _exit_hazard_by_grade(exit_hazard: float | Mapping[int, float], policy: Policy) -> np.ndarray:
    if isinstance(exit_hazard, Mapping):
        missing = [g.level for g in policy.grades if g.level not in exit_hazard]
        if missing:
            raise ValueError(f"exit_hazard mapping lacks level(s) {missing} of policy {policy.name!r}")
        h = np.array([float(exit_hazard[g.level]) for g in policy.grades])
    else:
        h = np.full(len(policy.grades), float(exit_hazard))
    if not np.all((h >= 0) & (h <= 1)):
        raise ValueError(f"exit hazards must lie in [0, 1], got {h.tolist()}")
    return h


def simulate_policy(
    policy: Policy | str | Path,
    n_employees: int,
    *,
    months: int,
    seed: int | np.random.Generator | None,
    performance: PerformanceLike = None,
    exit_hazard: float | Mapping[int, float] = 0.02,
    start: str | pd.Timestamp = "2024-01-01",
    initial_level: int | None = None,
    kpi_path: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a hire cohort under a written promotion policy; return its event history.

    Each month, in order: every employee gets a performance score and rating; employees whose
    months in grade are a multiple of the grade's review cadence are reviewed (promotion if the
    rule holds and the tenure minimums are met, otherwise demotion if the demotion rule holds;
    a demotion in the lowest grade is a dismissal when the policy says ``at_lowest: exit``);
    then each employee still employed leaves with the monthly exit hazard of their level.
    Windows and run counters restart in a new grade.

    Parameters
    ----------
    policy : Policy, str or path
        A loaded policy, a shipped policy name or a YAML path.
    n_employees : int
        Size of the cohort, all hired on ``start``.
    months : int
        Months of follow-up; events happen on ``start + k months`` for k = 1..months.
    seed : int, Generator or None
        Random seed; the same seed gives the same history.
    performance : PerformanceProcess, callable, float or array, optional
        Monthly score process (default ``PerformanceProcess()``). A callable is called as
        ``performance(month, n_employees, rng)`` for month = 1..months; an array may be a
        scalar, shape ``(months,)`` (same score for everyone) or ``(months, n_employees)``.
    exit_hazard : float or mapping level -> float
        Monthly probability of leaving, constant or per csresearch level.
    start : str or Timestamp
        Hire date of the cohort.
    initial_level : int, optional
        Grade number everyone is hired into (default: the lowest grade).
    kpi_path : bool, default False
        Also return the quarterly KPI path: ``employee_id, date, kpi_score``, the mean
        monthly score of each quarter published at its end for everyone employed then,
        the format :func:`csresearch.split_spells` reads (and
        :func:`csresearch.synth.hr.simulate_kpi_histories` writes).

    Returns
    -------
    DataFrame
        ``employee_id`` (str), ``date``, ``event`` (hire, promotion, demotion, exit), ``level``
        (Int64, held after the event; ``Policy.grade_names()`` maps it to the policy's grade) and the
        per-employee covariates ``performance_persistence`` and ``person_effect`` (true values of the
        process; NaN for a fixed performance input) and ``education`` (drawn independently of
        everything: its true effect is zero). Sorted by employee, date, hire < moves < exit.
        ``attrs`` holds policy, start, end, months and seed. With ``kpi_path=True`` a tuple
        ``(events, kpi)``.

    Examples
    --------
    >>> ev = simulate_policy("tiered_tenure", 3, months=12, seed=0, performance=100.0, exit_hazard=0.0)
    >>> ev.loc[ev["employee_id"] == "E000000", ["date", "event", "level"]].to_string(index=False)
    '      date     event  level\\n2024-01-01      hire      1\\n2024-04-01 promotion      2\\n2025-01-01 promotion      3'
    """
    policy = load_policy(policy)
    n, months = int(n_employees), int(months)
    if n < 1 or months < 1:
        raise ValueError(f"n_employees and months must be >= 1, got {n_employees}, {months}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    hazard = _exit_hazard_by_grade(exit_hazard, policy)
    levels = np.array([g.level for g in policy.grades])
    g0 = 0 if initial_level is None else policy._grade_index(int(initial_level))

    scores = _Scores(performance, n, months, rng)
    education = np.asarray(_EDUCATION)[rng.choice(len(_EDUCATION), size=n, p=_EDUCATION_P)]
    bounds = np.array([r.min_score for r in policy.ratings[1:]])
    state = _RuleState(policy, n)
    grade = np.full(n, g0, dtype=np.int16)
    in_grade = np.zeros(n, dtype=np.int32)
    alive = np.ones(n, dtype=bool)
    top = len(policy.grades) - 1

    # Events are collected as (employee, month, code, grade) arrays and framed once at the end.
    who, when, code, at = [np.arange(n)], [np.zeros(n, np.int32)], [np.zeros(n, np.int8)], [grade.copy()]

    def record(mask: np.ndarray, t: int, c: int) -> None:
        idx = np.flatnonzero(mask)
        who.append(idx), when.append(np.full(idx.size, t, np.int32))
        code.append(np.full(idx.size, c, np.int8)), at.append(grade[idx].copy())

    quarter_sum = np.zeros(n)
    kpi_who, kpi_when, kpi_value = [], [], []
    for t in range(1, months + 1):
        score = scores.month(t)
        quarter_sum += score
        if kpi_path and t % 3 == 0:  # published at the quarter's end, for those employed then
            idx = np.flatnonzero(alive)
            kpi_who.append(idx), kpi_when.append(np.full(idx.size, t)), kpi_value.append(quarter_sum[idx] / 3)
            quarter_sum[:] = 0.0
        state.update(t, score, np.searchsorted(bounds, score, side="right"))
        in_grade += 1
        up = np.zeros(n, dtype=bool)
        down = np.zeros(n, dtype=bool)
        for gi, g in enumerate(policy.grades):
            reviewed = alive & (grade == gi) & (in_grade % g.review_months == 0)
            if not reviewed.any():
                continue
            promote = np.zeros(n, dtype=bool)
            if gi < top and g.promotion is not None and t >= policy.grades[gi + 1].min_service_months:
                promote = reviewed & (in_grade >= g.min_months) & state.holds(g.promotion, t, in_grade)
            up |= promote
            if g.demotion is not None:
                down |= reviewed & ~promote & state.holds(g.demotion, t, in_grade)
        fired = down & (grade == 0)
        dismissed = fired if policy.at_lowest == "exit" else np.zeros(n, dtype=bool)
        down &= grade > 0
        grade[up] += 1
        grade[down] -= 1
        record(up, t, 1)
        record(down, t, 2)
        moved = up | down
        in_grade[moved] = 0
        state.reset(moved)
        leave = dismissed | (alive & ~dismissed & (rng.random(n) < hazard[grade]))
        record(leave, t, 3)
        alive &= ~leave

    events = _frame_events(policy, scores, education, levels, who, when, code, at, start, months, seed)
    if not kpi_path:
        return events
    dates = pd.DatetimeIndex([pd.Timestamp(start) + pd.DateOffset(months=k) for k in range(months + 1)])
    k_who = np.concatenate(kpi_who) if kpi_who else np.array([], int)
    kpi = pd.DataFrame({
        "employee_id": ("E" + pd.Series(k_who).astype(str).str.zfill(6)).to_numpy(),
        "date": dates[np.concatenate(kpi_when).astype(int)] if kpi_when else pd.DatetimeIndex([]),
        "kpi_score": np.concatenate(kpi_value) if kpi_value else np.array([]),
    }).sort_values(["employee_id", "date"], kind="stable", ignore_index=True)
    return events, kpi


def _frame_events(policy, scores, education, levels, who, when, code, at, start, months, seed) -> pd.DataFrame:
    who, when, code, at = (np.concatenate(x) for x in (who, when, code, at))
    rank = np.array([_EVENT_RANK[e] for e in ("hire", "promotion", "demotion", "exit")])[code]
    order = np.lexsort((rank, when, who))  # stable: employee, month, hire < moves < exit
    who, when, code, at = who[order], when[order], code[order], at[order]
    start = pd.Timestamp(start)
    month_dates = pd.DatetimeIndex([start + pd.DateOffset(months=k) for k in range(months + 1)])
    ids = "E" + pd.Series(np.arange(scores.n)).astype(str).str.zfill(6)
    events = pd.DataFrame(
        {
            "employee_id": ids.to_numpy()[who],
            "date": month_dates[when],
            "event": np.asarray(["hire", "promotion", "demotion", "exit"])[code],
            "level": pd.array(levels[at], dtype="Int64"),
            "performance_persistence": scores.persistence[who],
            "person_effect": scores.person_effect[who],
            "education": education[who],
        }
    )
    events = events.astype({"employee_id": "str", "event": "str", "education": "str"})
    events.attrs.update(
        {"policy": policy.name, "start": start, "end": month_dates[-1], "months": months, "seed": seed}
    )
    return events


# --------------------------------------------------------------------------------------------
# Summaries of event histories
# --------------------------------------------------------------------------------------------
def _months_between(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Calendar months from ``a`` to ``b``; exact integers for dates on the same day of month."""
    a64 = pd.DatetimeIndex(a).to_numpy(dtype="datetime64[ns]")
    b64 = pd.DatetimeIndex(b).to_numpy(dtype="datetime64[ns]")
    am, bm = a64.astype("datetime64[M]"), b64.astype("datetime64[M]")
    whole = (bm - am).astype(np.int64).astype(float)
    day = np.timedelta64(1, "D")
    frac = ((b64 - bm.astype("datetime64[ns]")) - (a64 - am.astype("datetime64[ns]"))) / day / _DAYS_PER_MONTH
    return np.where(np.isnat(a64) | np.isnat(b64), np.nan, whole + frac)


def time_to_level(events: pd.DataFrame, level: int, *, end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Months from hire to first holding ``level`` or above, one row per employee.

    Parameters
    ----------
    events : DataFrame
        Event history (``employee_id, date, event, level``), sorted by employee and date.
    level : int
        csresearch level (1-6).
    end : date, optional
        End of observation for employees who neither reached the level nor left; default
        ``events.attrs["end"]`` (set by :func:`simulate_policy`) or else the last date seen.

    Returns
    -------
    DataFrame indexed by ``employee_id`` with ``months`` (NaN when not reached), ``reached``
    (bool), ``exited`` (left before reaching) and ``followup_months`` (to reaching, exit or end).

    Examples
    --------
    >>> ev = simulate_policy("tiered_tenure", 2, months=12, seed=0, performance=100.0, exit_hazard=0.0)
    >>> time_to_level(ev, 3)["months"].tolist()
    [12.0, 12.0]
    """
    end = pd.Timestamp(end if end is not None else events.attrs.get("end", events["date"].max()))
    ev = events[["employee_id", "date", "event", "level"]]
    first = ev.groupby("employee_id", sort=False)
    hire = first["date"].first()
    hit = ev[ev["level"] >= level].groupby("employee_id", sort=False)["date"].first()
    gone = ev[ev["event"] == "exit"].groupby("employee_id", sort=False)["date"].first()
    out = pd.DataFrame(index=hire.index)
    reached_at = hit.reindex(out.index)
    out["reached"] = reached_at.notna().to_numpy()
    out["months"] = np.where(out["reached"], _months_between(hire, reached_at), np.nan)
    stop = reached_at.fillna(gone.reindex(out.index)).fillna(end)
    out["exited"] = ~out["reached"] & gone.reindex(out.index).notna().to_numpy()
    out["followup_months"] = _months_between(hire, stop)
    return out


def policy_summary(events: pd.DataFrame, levels: Sequence[int] = (2, 3)) -> pd.Series:
    """Headline numbers of one simulated (or real) cohort.

    For each level: ``median_months_L<k>``, the median time to promotion as csresearch
    defines it everywhere (:func:`csresearch.time_to_promotion`: the month at which the
    cumulative incidence of reaching the grade, with exits competing and follow-up
    censored, first reaches 0.5; NaN when it never does), beside it
    ``share_never_L<k>``, the estimated share never reaching it within follow-up
    (1 - cumulative incidence at the end), and ``share_reached_L<k>``, the share seen
    reaching it. Plus shares ever demoted and exited. Grade numbers ``k`` are the
    policy's (see :meth:`Policy.grade_label`), not rungs.

    Examples
    --------
    >>> ev = simulate_policy("tiered_tenure", 50, months=24, seed=0, performance=100.0, exit_hazard=0.0)
    >>> policy_summary(ev)[["median_months_L2", "share_reached_L3", "share_demoted"]].tolist()
    [3.0, 1.0, 0.0]
    """
    from csresearch.models.promotion import time_to_promotion  # policy -> models, never back

    out: dict[str, float] = {"n": float(events["employee_id"].nunique())}
    for lv in levels:
        ttl = time_to_level(events, lv)
        spells = pd.DataFrame({
            "employee_id": ttl.index, "duration_months": ttl["followup_months"].to_numpy(),
            "outcome": np.where(ttl["reached"], "promotion", np.where(ttl["exited"], "exit", "censored")),
        })
        timing = time_to_promotion(spells)
        med = timing.medians.iloc[0]
        out[f"median_months_L{lv}"] = float(med["median_months"])
        out[f"share_never_L{lv}"] = float(med["share_never_promoted"])
        out[f"share_reached_L{lv}"] = float(ttl["reached"].mean())
    n = events["employee_id"].nunique()
    for kind, col in (("demotion", "share_demoted"), ("exit", "share_exited")):
        out[col] = events.loc[events["event"] == kind, "employee_id"].nunique() / n
    return pd.Series(out, name=events.attrs.get("policy", None))


def sweep_policy(
    policy: Policy | str | Path,
    change: Literal["min_months", "review_months"],
    values: Sequence[int],
    *,
    grade: str | int | None = None,
    n_employees: int = 2000,
    months: int = 60,
    seed: int = 0,
    levels: Sequence[int] = (2, 3),
    **simulate_kwargs: Any,
) -> pd.DataFrame:
    """Simulate a policy under several values of one rule and summarise each run.

    Parameters
    ----------
    policy : Policy, str or path
    change : {"min_months", "review_months"}
        The rule to vary (see :meth:`Policy.with_changes`).
    values : sequence of int
        Values to try.
    grade : str or int, optional
        Only change this grade (name or level); default every grade.
    n_employees, months, seed, **simulate_kwargs
        Passed to :func:`simulate_policy`; the same seed is used for every value, so
        differences between rows come from the rule, not from the draw (common random numbers).
    levels : sequence of int
        Levels summarised by :func:`policy_summary`.

    Returns
    -------
    DataFrame
        One row per value: ``value`` and the :func:`policy_summary` columns.

    Examples
    --------
    >>> t = sweep_policy("tiered_tenure", "min_months", [3, 6], grade="初级客服", n_employees=20,
    ...                  months=24, seed=0, performance=100.0, exit_hazard=0.0)
    >>> t[["value", "median_months_L2"]].to_numpy().tolist()
    [[3.0, 3.0], [6.0, 6.0]]
    """
    base = load_policy(policy)
    rows = []
    for v in values:
        arg = {grade: int(v)} if grade is not None else int(v)
        changed = base.with_changes(**{change: arg})
        ev = simulate_policy(changed, n_employees, months=months, seed=seed, **simulate_kwargs)
        rows.append(pd.concat([pd.Series({"value": float(v)}), policy_summary(ev, levels)]))
    out = pd.DataFrame(rows).reset_index(drop=True)
    out.attrs.update({"policy": base.name, "change": change, "grade": grade})
    return out

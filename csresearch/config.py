"""Package-wide settings that must be set in one place.

The minimum cell size is the disclosure-control threshold: no published table or
figure shows a statistic built from fewer respondents than this. Override it for
a session with :func:`set_min_cell_size` or the environment variable
``CSRESEARCH_MIN_CELL``.
"""

from __future__ import annotations

import os

DEFAULT_MIN_CELL_SIZE = 5  # a common floor in official pay statistics (e.g. ONS ASHE suppresses below 5 jobs... see README)

_min_cell_override: int | None = None


def get_min_cell_size() -> int:
    """Return the minimum number of respondents a published cell must hold."""
    if _min_cell_override is not None:
        return _min_cell_override
    env = os.environ.get("CSRESEARCH_MIN_CELL")
    if env:
        value = int(env)
        if value < 1:
            raise ValueError(f"CSRESEARCH_MIN_CELL must be >= 1, got {env!r}")
        return value
    return DEFAULT_MIN_CELL_SIZE


def set_min_cell_size(k: int | None) -> None:
    """Set (or with ``None`` reset) the session-wide minimum cell size."""
    global _min_cell_override
    if k is not None and int(k) < 1:
        raise ValueError(f"minimum cell size must be >= 1, got {k!r}")
    _min_cell_override = None if k is None else int(k)


#: The seeds of the notebooks, used by ``csresearch build`` too, so that a figure in
#: reports/figures/ is the one its notebook shows (tests/test_figures_in_notebooks.py checks
#: each notebook's ``SEED =`` line against this table).
FIGURE_SEEDS = {"pay": 0, "promotion": 2026, "policy": 2024}

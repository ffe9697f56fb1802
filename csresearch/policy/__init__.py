"""Written promotion and pay rules as data files, a career simulator and a pay calculator."""

from csresearch.policy.engine import (
    ConsecutiveRule,
    Grade,
    MeanScoreRule,
    PerformanceProcess,
    Policy,
    Rating,
    WindowCountRule,
    list_policies,
    load_policy,
    policy_summary,
    simulate_policy,
    time_to_level,
)

__all__ = [
    "ConsecutiveRule",
    "Grade",
    "MeanScoreRule",
    "PerformanceProcess",
    "Policy",
    "Rating",
    "WindowCountRule",
    "list_policies",
    "load_policy",
    "policy_summary",
    "simulate_policy",
    "time_to_level",
]

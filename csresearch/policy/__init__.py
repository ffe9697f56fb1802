"""Written promotion and pay rules as data files, a career simulator and a pay calculator.

Promotion rule sets (``list_policies()``) and pay policies (``pay_*``) are YAML files under
``csresearch/policy/policies/``, each transcribed from a seed article with the quoted phrase
next to every figure. Histories simulated here come from written rules and an assumed
performance process, not from observed careers.
"""

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
    sweep_policy,
    time_to_level,
)
from csresearch.policy.pay import PAY_COMPONENTS, PayPolicy, compute_monthly_pay, load_pay_policy

__all__ = [
    "PAY_COMPONENTS",
    "ConsecutiveRule",
    "Grade",
    "MeanScoreRule",
    "PayPolicy",
    "PerformanceProcess",
    "Policy",
    "Rating",
    "WindowCountRule",
    "compute_monthly_pay",
    "list_policies",
    "load_pay_policy",
    "load_policy",
    "policy_summary",
    "simulate_policy",
    "sweep_policy",
    "time_to_level",
]

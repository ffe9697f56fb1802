"""csresearch: customer-service careers and pay across countries.

The public API, by stage of the research:

- reading and cleaning: :func:`read_table`, :func:`canonical_columns`, :func:`clean_survey`, :func:`parse_salaries`,
  :func:`classify_titles`, :func:`classify_roles`, :func:`read_descriptions`, :func:`normalize_cities`, :func:`parse_experience`,
  :func:`parse_education`, :func:`load_processed`
- money: :func:`convert_currency`, :func:`deflate`
- pay models: :func:`fit_pay_model`, :func:`pay_bands`, :func:`pay_band_tables`, :func:`fit_pay_predictor`
- promotion timing: :func:`validate_events`, :func:`build_spells`, :func:`time_to_promotion`,
  :func:`fit_promotion_model`
- written rules: :func:`load_policy`, :func:`simulate_policy`, :func:`compute_monthly_pay`
- official statistics: :func:`published_statistics` (BLS OEWS, ONS ASHE, one tidy table)
- confidentiality: :func:`scrub_pii`, :func:`drop_personal_columns`, :func:`pseudonymise_ids`,
  :func:`suppress_small_cells`, :func:`check_min_cell`

Examples
--------
>>> import csresearch as cs
>>> cs.parse_salaries(["1-1.5万·13薪"], country="CN")[["low", "high", "months_per_year"]]
       low     high  months_per_year
0  10000.0  15000.0             13.0
"""

__version__ = "0.1.0"

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

# Public name -> module that defines it. Importing csresearch loads none of them: each
# module is imported on first use (PEP 562), so ``csresearch --help`` does not pay for pandas,
# statsmodels or matplotlib.
_EXPORTS = {
    "config": "csresearch.config",
    "CleanResult": "csresearch.clean.pipeline",
    "clean_survey": "csresearch.clean.pipeline",
    "read_table": "csresearch.io",
    "load_processed": "csresearch.io",
    "canonical_columns": "csresearch.io",
    "parse_salaries": "csresearch.clean.salary",
    "classify_titles": "csresearch.clean.roles",
    "classify_roles": "csresearch.clean.role_classifier",
    "read_descriptions": "csresearch.clean.description",
    "normalize_cities": "csresearch.clean.geo",
    "normalize_countries": "csresearch.clean.country",
    "parse_experience": "csresearch.clean.experience",
    "parse_education": "csresearch.clean.experience",
    "convert_currency": "csresearch.money",
    "deflate": "csresearch.money",
    "fit_pay_model": "csresearch.models.pay",
    "pay_bands": "csresearch.models.pay",
    "pay_band_tables": "csresearch.models.pay",
    "fit_pay_predictor": "csresearch.models.pay",
    "validate_events": "csresearch.events",
    "build_spells": "csresearch.events",
    "split_spells": "csresearch.events",
    "time_to_promotion": "csresearch.models.promotion",
    "fit_promotion_model": "csresearch.models.promotion",
    "fit_fine_gray": "csresearch.models.finegray",
    "load_policy": "csresearch.policy",
    "simulate_policy": "csresearch.policy",
    "compute_monthly_pay": "csresearch.policy",
    "scrub_pii": "csresearch.privacy",
    "pseudonymise_ids": "csresearch.privacy",
    "suppress_small_cells": "csresearch.privacy",
    "check_min_cell": "csresearch.privacy",
    "drop_personal_columns": "csresearch.privacy",
    "audit_published_tables": "csresearch.privacy",
    "published_statistics": "csresearch.published",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
            raise AttributeError(f"module 'csresearch' has no attribute {name!r}")
        module = f"{__name__}.{name}"  # a subpackage such as csresearch.plots
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # static analysers and IDEs see the real names
    from . import config
    from .clean.experience import parse_education, parse_experience
    from .clean.country import normalize_countries
    from .clean.geo import normalize_cities
    from .clean.pipeline import CleanResult, clean_survey
    from .clean.description import read_descriptions
    from .clean.role_classifier import classify_roles
    from .clean.roles import classify_titles
    from .clean.salary import parse_salaries
    from .events import build_spells, split_spells, validate_events
    from .io import canonical_columns, load_processed, read_table
    from .models.pay import fit_pay_model, fit_pay_predictor, pay_band_tables, pay_bands
    from .models.finegray import fit_fine_gray
    from .models.promotion import fit_promotion_model, time_to_promotion
    from .money import convert_currency, deflate
    from .published import published_statistics
    from .policy import compute_monthly_pay, load_policy, simulate_policy
    from .privacy import audit_published_tables, check_min_cell, drop_personal_columns, pseudonymise_ids, scrub_pii, suppress_small_cells

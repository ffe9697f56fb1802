"""csresearch: customer-service careers and pay across countries.

The public API, by stage of the research:

- reading and cleaning: :func:`read_table`, :func:`clean_survey`, :func:`parse_salaries`,
  :func:`classify_titles`, :func:`normalize_cities`, :func:`parse_experience`,
  :func:`parse_education`, :func:`load_processed`
- money: :func:`convert_currency`, :func:`deflate`
- pay models: :func:`fit_pay_model`, :func:`pay_bands`, :func:`fit_pay_predictor`
- promotion timing: :func:`validate_events`, :func:`build_spells`, :func:`time_to_promotion`,
  :func:`fit_promotion_model`
- written rules: :func:`load_policy`, :func:`simulate_policy`, :func:`compute_monthly_pay`
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

from . import config
from .clean.experience import parse_education, parse_experience
from .clean.country import normalize_countries
from .clean.geo import normalize_cities
from .clean.pipeline import CleanResult, clean_survey
from .clean.roles import classify_titles
from .clean.salary import parse_salaries
from .events import build_spells, validate_events
from .io import load_processed, read_table
from .models.pay import fit_pay_model, fit_pay_predictor, pay_bands
from .models.promotion import fit_promotion_model, time_to_promotion
from .money import convert_currency, deflate
from .policy import compute_monthly_pay, load_policy, simulate_policy
from .privacy import check_min_cell, drop_personal_columns, pseudonymise_ids, scrub_pii, suppress_small_cells

__all__ = [
    "__version__",
    "config",
    "CleanResult",
    "read_table",
    "load_processed",
    "clean_survey",
    "parse_salaries",
    "classify_titles",
    "normalize_cities",
    "normalize_countries",
    "parse_experience",
    "parse_education",
    "convert_currency",
    "deflate",
    "fit_pay_model",
    "pay_bands",
    "fit_pay_predictor",
    "validate_events",
    "build_spells",
    "time_to_promotion",
    "fit_promotion_model",
    "load_policy",
    "simulate_policy",
    "compute_monthly_pay",
    "scrub_pii",
    "pseudonymise_ids",
    "suppress_small_cells",
    "check_min_cell",
    "drop_personal_columns",
]

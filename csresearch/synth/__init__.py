"""Synthetic data with known truth: surveys and postings (survey), HR histories (hr)."""

from .survey import SYNTHETIC_SOURCES, survey_spec, synthetic_survey, write_synthetic_survey

__all__ = ["SYNTHETIC_SOURCES", "survey_spec", "synthetic_survey", "write_synthetic_survey"]

"""Typed errors raised by csresearch.

Every error names what went wrong and where (file, column, value), so that an
analyst feeding in their own survey can fix the input without reading code.
"""

from __future__ import annotations


class CsResearchError(Exception):
    """Base class of every error this package raises on purpose."""


class InputFileError(CsResearchError, ValueError):
    """A raw input file cannot be read: encoding, truncation, ragged rows, empty file."""


class ColumnMappingError(CsResearchError, KeyError):
    """A header cannot be mapped to canonical columns, or a required column is absent."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0]) if self.args else ""


class SchemaError(CsResearchError, ValueError):
    """A table does not satisfy the processed-table or event-history schema."""


class ReferenceDataError(CsResearchError, LookupError):
    """A reference table lacks what was asked: unknown currency, year, city or policy."""


class PolicyError(CsResearchError, ValueError):
    """A promotion or pay policy file is malformed."""

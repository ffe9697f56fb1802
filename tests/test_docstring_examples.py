"""Every docstring example in the package runs and prints what it says (the examples are API docs)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import matplotlib
import pytest

import csresearch

matplotlib.use("Agg")

MODULES = sorted(m.name for m in pkgutil.walk_packages(csresearch.__path__, "csresearch."))
# modules whose examples are their documentation: they must keep having some
MUST_HAVE_EXAMPLES = {"csresearch.policy.engine", "csresearch.policy.pay"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a figure's tight_layout note is not an example's result
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                                 report=False)
    assert result.attempted > 0 or name not in MUST_HAVE_EXAMPLES, f"{name} lost its docstring examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (run doctest on it)"

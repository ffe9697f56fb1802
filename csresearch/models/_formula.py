"""The names patsy formulas of the models may use, with a ``C()`` that is fast on Categoricals.

patsy turns a factor wrapped by ``C(...)`` into integer codes value by value in Python (about
5 s per million rows and factor), even when the column is a pandas Categorical, which unwrapped
it takes by its codes. The models pass their factor columns as Categoricals (sorted levels,
the levels patsy would find), so :func:`categorical` returns such a column unwrapped when that
changes nothing: plain ``C(col)``, and ``C(col, Treatment(ref))`` as the Categorical with
``ref`` moved first (the default contrast then drops the same level, and the column names,
taken from the formula text and the level names, are the same). Anything else goes to
patsy's own ``C``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import patsy
import patsy.builtins
from patsy.contrasts import Treatment

__all__ = ["categorical", "formula_env"]


def categorical(data: Any, contrast: Any = None, levels: Any = None) -> Any:
    """patsy's ``C()``, returning a Categorical column unwrapped when that gives the same design.

    Examples
    --------
    >>> cat = pd.Series(pd.Categorical(["b", "a", "c"]))
    >>> list(categorical(cat, Treatment("c")).cat.categories)
    ['c', 'a', 'b']
    """
    if levels is None and isinstance(getattr(data, "dtype", None), pd.CategoricalDtype):
        if contrast is None:
            return data
        ref = getattr(contrast, "reference", None)
        cats = list(data.cat.categories)
        if type(contrast) is Treatment and ref is not None and ref in cats:
            return data.cat.reorder_categories([ref] + [c for c in cats if c != ref])
    return patsy.builtins.C(data, contrast, levels)


def formula_env() -> Any:
    """Names a model formula may use besides patsy's own (``I``, ``Treatment``, ``bs``, ...)."""
    return patsy.EvalEnvironment([{"np": np, "pd": pd, "C": categorical}])

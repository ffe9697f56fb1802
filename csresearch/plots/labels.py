"""Say on every figure what its data is: a source caption, and a SYNTHETIC stamp inside the axes.

A figure drawn from the synthetic survey (``csresearch.synth``) must not be mistaken for a
finding, so :func:`label_figure` writes "SYNTHETIC" across it; a figure of published
statistics names its publisher. :func:`attach_data` keeps the cells a figure shows on the
figure, so :func:`csresearch.plots.save_figure` writes them beside it for the disclosure scan.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

__all__ = ["label_figure", "stamp_simulated", "attach_data", "figure_data", "SYNTHETIC_CAPTION"]

SYNTHETIC_CAPTION = ("SYNTHETIC data (csresearch.synth, true effects in csresearch/synth/survey_spec.yaml): "
                     "shows the models recover a known truth, not real pay")


def label_figure(fig: Figure, *, caption: str, synthetic: bool | str = False) -> Figure:
    """Add a data caption under the axes and, for synthetic data, a SYNTHETIC stamp inside each axes.

    Parameters
    ----------
    fig : Figure
    caption : str
        What the data are and who published them (``"Data: ONS ASHE 2024 ..."``).
    synthetic : bool or str
        Stamp "SYNTHETIC" diagonally across every axes. A string says what made the data and
        replaces :data:`SYNTHETIC_CAPTION` at the head of the caption (it must say SYNTHETIC).

    Returns
    -------
    Figure
        The same figure, for chaining.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = label_figure(fig, caption="Data: example", synthetic=True)
    >>> [t.get_text() for t in ax.texts]
    ['SYNTHETIC']
    """
    if synthetic:
        for ax in fig.axes:
            ax.text(0.5, 0.5, "SYNTHETIC", transform=ax.transAxes, ha="center", va="center", rotation=25,
                    fontsize=34, color="#c0392b", alpha=0.22, fontweight="bold", zorder=10)
        head = synthetic if isinstance(synthetic, str) else SYNTHETIC_CAPTION
        if "SYNTHETIC" not in head:
            raise ValueError(f"a synthetic figure's caption must say SYNTHETIC: {head!r}")
        caption = f"{head}. {caption}" if caption else head
    fig.text(0.01, 0.004, caption, ha="left", va="bottom", fontsize=6.5, color="#444444", wrap=True)
    # room for the caption under the axes (two lines at most at this size)
    pad = min(0.2, 0.55 / max(fig.get_figheight(), 1.0))
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0, pad, 1, 1 - pad / 4))
    else:
        fig.tight_layout(rect=(0, pad, 1, 1))
    fig.csresearch_synthetic = bool(synthetic)  # read by save_figure's caller and the tests
    return fig


def stamp_simulated(fig: Figure, made_by: str) -> Figure:
    """Stamp a figure of simulated (not observed) histories SYNTHETIC and say what simulated them.

    Parameters
    ----------
    fig : Figure
    made_by : str
        The simulator and its settings, e.g. ``"csresearch.synth.hr.simulate_histories, seed 2026"``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = stamp_simulated(fig, "a simulator, seed 1")
    >>> [t.get_text() for t in ax.texts], fig.csresearch_synthetic
    (['SYNTHETIC'], True)
    """
    return label_figure(fig, caption="", synthetic=f"SYNTHETIC: simulated histories ({made_by}), not observed employees")


def attach_data(fig: Figure, data: pd.DataFrame) -> Figure:
    """Keep the table of cells a figure draws (with ``n`` and ``suppressed`` where it has them)."""
    fig.csresearch_data = data.reset_index(drop=True)
    return fig


def figure_data(fig: Figure) -> pd.DataFrame | None:
    """The table :func:`attach_data` attached, or ``None``."""
    return getattr(fig, "csresearch_data", None)

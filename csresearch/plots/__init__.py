"""Figure functions, one per figure, each returning a matplotlib Figure.

Submodules group them by topic (cleaning, pay, promotion, policy); :func:`save_figure` writes a
figure as PNG and SVG with fixed metadata, so a rebuild gives the same files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["save_figure"]


def save_figure(fig: Figure, outdir: str | Path, name: str, *, formats: tuple[str, ...] = ("png", "svg"), dpi: int = 120) -> list[Path]:
    """Save ``fig`` as ``outdir/name.png`` and ``.svg`` reproducibly, then close it.

    A figure carrying its data (:func:`csresearch.plots.labels.attach_data`) also gets
    ``outdir/name.data.csv``.

    Dates and software versions are left out of the file metadata and SVG element ids are
    salted with the figure name, so the same figure gives the same bytes on every build.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> paths = save_figure(fig, "/tmp/figs", "demo")  # doctest: +SKIP
    """
    from ..outputs import atomic_write, safe_name, write_csv

    out = Path(outdir)
    name = safe_name(name, "figure name")
    written = []
    data = getattr(fig, "csresearch_data", None)
    if data is not None:  # the cells the figure shows, for the disclosure scan of the build's outputs
        data_path = out / f"{name}.data.csv"
        write_csv(data, data_path, float_format="%.6g")  # atomic, formula-like labels escaped
    with plt.rc_context({"svg.hashsalt": name, "svg.fonttype": "path"}):
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            meta = {"Date": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else {})
            # a killed build leaves the old figure or the new one, never half of one
            atomic_write(path, lambda tmp, fmt=fmt, meta=meta: fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta))
            written.append(path)
    plt.close(fig)
    return written

"""Render the stored (executed) notebooks to self-contained HTML under ``reports/``.

The build converts what each notebook stores; it does not execute them (their stored
outputs are what a fresh run gives: nbval checks that). Images are embedded as data URIs,
so one HTML file is the whole report.
"""

from __future__ import annotations

import re
from pathlib import Path

from .outputs import atomic_write

__all__ = ["render_notebooks", "FIGURE_REPR"]

#: The text a matplotlib Figure shows when no image was rendered for it.
FIGURE_REPR = re.compile(r"<Figure size \d+(\.\d+)?x\d+(\.\d+)? with \d+ Axes>")


_CDN_SCRIPT = re.compile(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>\n?')


def render_notebooks(notebook_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Write ``out_dir/<notebook>.html`` for every ``*.ipynb`` in ``notebook_dir``.

    Parameters
    ----------
    notebook_dir, out_dir : path-like

    Returns
    -------
    list of Path
        The HTML files written, in name order.

    Raises
    ------
    ValueError
        If a notebook stores a figure repr with no image (a figure that would not show).

    Examples
    --------
    >>> render_notebooks("notebooks", "reports")  # doctest: +SKIP
    """
    import nbformat
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    written = []
    for path in sorted(Path(notebook_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        bad = figure_reprs_without_image(nb)
        if bad:
            raise ValueError(f"{path.name}: cells {bad} show a figure repr with no image; re-run it with an inline backend")
        body, _ = exporter.from_notebook_node(nb)
        # self-contained: the template's CDN scripts (require.js, MathJax) would make the
        # report depend on the network; nothing in the notebooks needs them
        body = _CDN_SCRIPT.sub("", body)
        target = out_dir / f"{path.stem}.html"
        atomic_write(target, lambda tmp, body=body: tmp.write_text(body, encoding="utf-8"))
        written.append(target)
    return written


def figure_reprs_without_image(nb) -> list[int]:
    """Indices of code cells with an output whose text is a Figure repr and which carries no image."""
    bad = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = "".join(data.get("text/plain", "")) if isinstance(data.get("text/plain"), list) else data.get("text/plain", "")
            if out.get("output_type") == "stream":
                text = "".join(out.get("text", ""))
            has_image = any(k.startswith("image/") for k in data)
            if FIGURE_REPR.search(text or "") and not has_image:
                bad.append(i)
                break
    return bad

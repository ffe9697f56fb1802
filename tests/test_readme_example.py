"""The README's "In ten lines" example runs and prints what the README shows."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _blocks() -> tuple[str, str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## In ten lines", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section, flags=re.S).group(1)
    return code, shown


def _ensure_built() -> None:
    """Build data/processed as the README's first command would, when it is absent or stale.

    A skip here would leave the example untested on every fresh checkout (CI included).
    """
    from csresearch import load_processed
    from csresearch.errors import CsResearchError

    try:
        load_processed()
    except CsResearchError:
        from csresearch.build import build

        build(ROOT, figures=False, show_progress=False)


def test_readme_example_prints_the_shown_output(monkeypatch):
    monkeypatch.chdir(ROOT)
    _ensure_built()
    code, shown = _blocks()
    assert code.count("\n") <= 16
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().rstrip() == shown.rstrip()

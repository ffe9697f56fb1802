"""Notebooks show their figures: no stored output is a bare Figure repr, the HTML reports
render in a real (headless Chromium) browser with every image loaded, and the build uses
the notebooks' seeds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from csresearch.config import FIGURE_SEEDS
from csresearch.reports import FIGURE_REPR, figure_reprs_without_image, render_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SEED_OF = {"02_pay_by_city_experience_level": "pay", "03_promotion_timing": "promotion",
           "04_policy_simulation": "policy"}

# Runs after load inside the page and writes what it found into the DOM that --dump-dom prints.
_PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const result = {n: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 40)),
    text: document.body.innerText};
  const pre = document.createElement('pre');
  pre.id = 'probe-result';
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_figure_repr_without_image(path):
    nb = nbformat.read(path, as_version=4)
    assert figure_reprs_without_image(nb) == [], "figure shown as text only: run with %matplotlib inline"


def test_detector_finds_a_bare_figure_repr():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(fig)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 1360x380 with 3 Axes>"})]
    ok = nbformat.v4.new_code_cell("display(fig)")
    ok.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>",
                                                                "image/png": "iVBORw0KGgo="})]
    nb.cells = [ok, cell]
    assert figure_reprs_without_image(nb) == [1]


@pytest.mark.parametrize("stem,kind", sorted(SEED_OF.items()))
def test_notebook_seed_is_the_build_seed(stem, kind):
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    seeds = re.findall(r"^SEED\s*=\s*(\d+)", code, flags=re.M)
    assert seeds == [str(FIGURE_SEEDS[kind])]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium); .ci/run installs it")
def test_html_reports_render_with_every_image_loaded(tmp_path):
    written = render_notebooks(ROOT / "notebooks", tmp_path / "reports")
    assert [p.stem for p in written] == [p.stem for p in NOTEBOOKS]
    for page in written:
        html = page.read_text("utf-8")
        assert not re.search(r'<script[^>]*src="https?:', html), f"{page.name}: the report loads scripts from the network"
        page.write_text(html.replace("</body>", _PROBE + "</body>"), "utf-8")
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / ('profile-' + page.stem)}", "--virtual-time-budget=20000",
             "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=180)
        m = re.search(r'<pre id="probe-result">(.*?)</pre>', proc.stdout, flags=re.S)
        assert m, f"{page.name}: chromium printed no probe result (rc={proc.returncode}): {proc.stderr[-500:]}"
        result = json.loads(m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                            .replace("&quot;", '"'))
        assert result["n"] > 0, f"{page.name}: no images"
        assert result["broken"] == [], f"{page.name}: images that did not load: {result['broken']}"
        assert not FIGURE_REPR.search(result["text"]), f"{page.name}: figure repr text left in the page"

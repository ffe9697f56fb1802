"""``csresearch build``: raw data -> processed tables, model summaries and figures.

The build reads the source registry ``data/raw/sources.yaml``, cleans each source with
:func:`csresearch.clean_survey`, writes ``data/processed/`` (parquet table, rejects, manifest,
the OEWS extract in long form, the official pay statistics ``published_pay.csv``, model summaries), and saves every figure to ``reports/figures/``.
The same inputs give byte-identical outputs: nothing depends on the clock or on unseeded
randomness, and files are written with fixed metadata.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from tqdm import tqdm

from .clean.oews import read_oews
from .clean.pipeline import CleanResult, clean_survey, combine_results
from .errors import InputFileError
from .published import OFFICIAL_SOURCES, check_published_cells, published_statistics
from .io import project_root, read_table
from .outputs import output_entry, output_lock, write_csv, write_json, write_parquet

__all__ = ["build", "clean_registered_sources", "load_sources", "BuildReport"]

_READ_KEYS = {"columns", "encoding", "sheet"}
_CLEAN_KEYS = {"country", "year", "default_period", "currency", "aggregate", "is_synthetic", "keep_unpaid"}


@dataclass
class BuildReport:
    """What a build wrote, for printing and for tests."""

    processed: dict[str, Path] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def load_sources(raw_dir: Path) -> list[dict[str, Any]]:
    """Read and check the source registry ``sources.yaml`` in ``raw_dir``."""
    path = raw_dir / "sources.yaml"
    if not path.is_file():
        raise InputFileError(f"{path}: no source registry; list the raw files to clean there")
    entries = yaml.safe_load(path.read_text("utf-8")).get("sources", [])
    for i, e in enumerate(entries):
        unknown = set(e) - _READ_KEYS - _CLEAN_KEYS - {"name", "path"}
        if unknown or "name" not in e or "path" not in e:
            raise InputFileError(f"{path}: entry {i} needs name and path; unknown keys {sorted(unknown)}")
    return entries


def clean_registered_sources(raw_dir: Path, *, progress: Callable | None = None) -> list[CleanResult]:
    """Read and clean every source of the registry, in registry order."""
    results = []
    for entry in load_sources(raw_dir):
        df = read_table(raw_dir / entry["path"], **{k: v for k, v in entry.items() if k in _READ_KEYS})
        res = clean_survey(df, source=entry["name"], **{k: v for k, v in entry.items() if k in _CLEAN_KEYS})
        res.manifest["path"] = entry["path"]
        results.append(res)
        if progress:
            progress(entry["name"])
    return results


def build(root: str | Path | None = None, *, figures: bool = True, show_progress: bool = True) -> BuildReport:
    """Run the whole job on the data shipped in ``data/raw``.

    Parameters
    ----------
    root : path, optional
        Project root (the folder with ``data/``); found from the working directory when omitted.
    figures : bool
        Also write every figure to ``reports/figures`` (PNG and SVG) and each stored notebook to
        ``reports/<notebook>.html``.
    show_progress : bool
        Show a progress bar on standard error.

    Returns
    -------
    BuildReport
        Paths written and the combined manifest.

    Examples
    --------
    >>> report = build()  # doctest: +SKIP
    >>> report.manifest["rows_in"] == report.manifest["rows_table"] + report.manifest["rows_rejected"]  # doctest: +SKIP
    True
    """
    base = Path(root) if root is not None else project_root()
    raw_dir, out_dir, fig_dir = base / "data" / "raw", base / "data" / "processed", base / "reports" / "figures"
    out_dir.mkdir(parents=True, exist_ok=True)
    # one build at a time per project: a second one waits here (see csresearch.outputs.output_lock)
    with output_lock(out_dir):
        return _build_locked(base, raw_dir, out_dir, fig_dir, figures=figures, show_progress=show_progress)


def _build_locked(base: Path, raw_dir: Path, out_dir: Path, fig_dir: Path, *, figures: bool,
                  show_progress: bool) -> BuildReport:
    from .plots import save_figure

    report = BuildReport()
    sources = load_sources(raw_dir)
    stages = ["models", "figures"] if figures else ["models"]
    bar = tqdm(total=len(sources) + 1 + len(stages), desc="csresearch build", unit="step",
               disable=not show_progress, file=sys.stderr)

    def tick(label: str) -> None:
        bar.set_postfix_str(label)
        bar.update(1)

    results = clean_registered_sources(raw_dir, progress=tick)
    combined = combine_results(results)
    table, rejects, manifest = combined.table, combined.rejects, combined.manifest
    rows: dict[str, int] = {}
    report.processed["survey"] = out_dir / "survey.parquet"
    write_parquet(table, report.processed["survey"])
    report.processed["rejects"] = out_dir / "survey_rejects.csv"
    write_csv(rejects, report.processed["rejects"])
    rows.update(survey=len(table), rejects=len(rejects))

    oews_path = raw_dir / "oews_2025_cs_metro.csv"
    oews = read_oews(oews_path) if oews_path.is_file() else None
    if oews is not None:
        report.processed["oews"] = out_dir / "oews_metro.parquet"
        write_parquet(oews, report.processed["oews"])
        rows["oews"] = len(oews)
    published = check_published_cells(published_statistics(raw_dir))
    report.processed["published_pay"] = out_dir / "published_pay.csv"
    write_csv(published, report.processed["published_pay"], float_format="%.10g")
    rows["published_pay"] = len(published)
    manifest["published_pay"] = {
        "rows": int(len(published)), "suppressed": int(published["suppressed"].sum()),
        "rows_by_country": {k: int(v) for k, v in published.groupby("country").size().items()},
        "missing_sources": published.attrs["missing_sources"],
    }
    for name in published.attrs["missing_sources"]:
        # loud, but not fatal: the rest of the build does not need the official extracts
        msg = f"official source {name}: {OFFICIAL_SOURCES[name][0]} not in {raw_dir}; left out of published_pay.csv"
        manifest.setdefault("warnings", []).append(msg)
        print(f"warning: {msg}", file=sys.stderr)
    tick("official statistics")

    summaries = _model_summaries(table)
    for name, frame in summaries.items():
        report.processed[name] = out_dir / f"{name}.csv"
        keep_index = not isinstance(frame.index, pd.RangeIndex)  # effects are indexed by term
        write_csv(frame, report.processed[name], index=keep_index, float_format="%.6g")
        rows[name] = len(frame)
    tick("models")

    # the manifest goes after the files it lists, with their SHA-256 and rows, so a reader can
    # tell a complete build from an interrupted one (csresearch.load_processed checks it)
    outputs = {str(p.relative_to(base)): output_entry(p, rows.get(k)) for k, p in report.processed.items()}
    manifest["outputs"] = dict(sorted(outputs.items()))
    report.processed["manifest"] = out_dir / "manifest.json"
    write_json(report.processed["manifest"], manifest)
    report.manifest = manifest

    if figures:
        for name, fig in _figures(table, manifest, oews, published).items():
            report.figures.extend(save_figure(fig, fig_dir, name))
        # figures have their own manifest (a build without figures leaves them and it alone)
        write_json(fig_dir / "manifest.json",
                   {"outputs": {str(p.relative_to(base)): output_entry(p) for p in sorted(report.figures)}})
        report.reports = _render_reports(base)
        tick("figures")
    bar.close()
    return report


def _render_reports(base: Path) -> list[Path]:
    """HTML of every stored notebook under ``reports/`` (images embedded)."""
    from .reports import render_notebooks

    nb_dir = base / "notebooks"
    if not nb_dir.is_dir():
        print(f"warning: no notebooks/ under {base}; no HTML reports written", file=sys.stderr)
        return []
    return render_notebooks(nb_dir, base / "reports")


def _model_summaries(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Published tables: pay bands (small cells suppressed, then checked) and pay-model effects."""
    from .models.pay import fit_pay_model, pay_band_tables
    from .privacy import check_min_cell

    cs = table[table["is_customer_service"] & table["annual_mid"].notna()]
    # suppressed together: no hidden cell may follow from differencing the two tables
    out: dict[str, pd.DataFrame] = pay_band_tables(cs, {
        "pay_bands_country_level": (["country", "level_name"], "annual_mid_usd_ppp"),
        "pay_bands_city": (["country", "city"], "annual_mid"),
    })
    for frame in out.values():
        check_min_cell(frame, count="n")
    synth = cs[cs["is_synthetic"] & cs["experience_years"].notna() & cs["annual_mid_usd_ppp"].notna()]
    model = fit_pay_model(synth, "np.log(annual_mid_usd_ppp) ~ experience_years + C(level) + C(country)",
                          kind="ols", cluster="company")
    out["pay_model_effects"] = check_min_cell(_with_term_counts(model.effects(), synth, model.nobs), count="n")
    return out


def _with_term_counts(effects: pd.DataFrame, data: pd.DataFrame, nobs: int) -> pd.DataFrame:
    """Add ``n``: rows behind each term (a dummy's level count; every row for the others).

    A dummy estimated from a handful of rows discloses them as surely as a small cell does.
    """
    import re

    n = []
    for term in effects.index:
        m = re.match(r"^C\((\w+)[^)]*\)\[T\.(.+)\]$", str(term))
        n.append(int((data[m.group(1)].astype(str) == m.group(2)).sum()) if m else int(nobs))
    return effects.assign(n=n)


def _figures(table: pd.DataFrame, manifest: dict[str, Any], oews: pd.DataFrame | None,
             published: pd.DataFrame) -> dict[str, Any]:
    """Every figure of the notebooks, made with the build's fixed seeds."""
    from .plots.cleaning import make_cleaning_figures
    from .plots.official import make_official_figures
    from .plots.pay import make_pay_figures
    from .plots.policy import make_policy_figures
    from .plots.promotion import make_promotion_figures

    from .config import FIGURE_SEEDS
    from .policy import PerformanceProcess

    figs = dict(make_cleaning_figures(table, manifest["sources"]))
    figs.update(make_official_figures(published, table))
    figs.update(make_pay_figures(table, oews=oews, seed=FIGURE_SEEDS["pay"]))
    # the notebooks' seeds and sizes (notebooks 03 and 04), so both show the same figure
    figs.update(make_promotion_figures(seed=FIGURE_SEEDS["promotion"], n_employees=2000))
    figs.update(make_policy_figures(seed=FIGURE_SEEDS["policy"], n_employees=5000, months=60,
                                    performance=PerformanceProcess(mean=78, persistence=0.5, spread=8, person_sd=6)))
    return figs

"""environment.yml stays in step with pyproject.toml (conda is not reachable in CI to solve it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_NAME = {"dask[dataframe]": "dask"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", req)
    name, spec = m.group(1).lower(), m.group(2).replace(" ", "")
    return CONDA_NAME.get(name, name), spec


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    assert env["channels"] == ["conda-forge"]
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    return dict(_split(d.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=]", d) else d) for d in deps)


def test_environment_parses_and_pins_python():
    conda = _conda()
    assert conda["python"] == "==3.11"
    assert "pip" in conda


def test_every_core_dependency_is_in_environment_yml_with_the_same_pin():
    conda = _conda()
    for req in _pyproject()["dependencies"]:
        name, spec = _split(req)
        assert name in conda, f"{name} is a core dependency in pyproject.toml but missing from environment.yml"
        assert conda[name] == spec, f"{name}: pyproject pins {spec!r}, environment.yml {conda[name]!r}"


def test_test_and_scale_extras_are_in_environment_yml():
    conda = _conda()
    extras = _pyproject()["optional-dependencies"]
    for req in extras["test"] + extras["scale"]:
        name, spec = _split(req)
        assert conda.get(name) == spec, f"extra {name}{spec} not mirrored in environment.yml"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    command = 'pip install -e ".[test]" && pytest'
    assert command in readme
    assert command in (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pip install -e . && csresearch build" in readme

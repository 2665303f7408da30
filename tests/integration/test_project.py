"""Project hygiene: pins in step, notebooks stripped and taking the runner's parameters,
.gitignore not hiding the library."""

import json
import re
import subprocess
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from perfpack.parameters import NOTEBOOK_PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def pins(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(?:-\s*)?([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_environment_yml_has_the_same_pins_as_requirements():
    req = pins((ROOT / "requirements.txt").read_text())
    env = pins((ROOT / "environment.yml").read_text())
    assert req and req == env


def test_requirements_agree_with_constraints():
    req = pins((ROOT / "requirements.txt").read_text())
    con = pins((ROOT / "constraints.txt").read_text())
    for name, version in req.items():
        assert con.get(name) == version, f"{name}: requirements {version}, constraints {con.get(name)}"


def test_gitignore_does_not_hide_lib():
    out = subprocess.run(["git", "check-ignore", "-q", "lib/perfpack/__init__.py"], cwd=ROOT)
    assert out.returncode == 1, "lib/ is ignored by .gitignore"


def test_there_are_section_notebooks():
    assert NOTEBOOKS, "no notebooks/NN-*.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"{path.name} has outputs: strip them (nbstripout)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_takes_exactly_the_runner_parameters(path):
    params = pm.inspect_notebook(str(path))
    assert set(params) == set(NOTEBOOK_PARAMETERS)
    for name, default in NOTEBOOK_PARAMETERS.items():
        assert params[name]["default"].strip("'\"") == default


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(path):
    """Logic lives in lib/: no function or class definitions and no loops in cells."""
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not re.match(r"^\s*(def|class|for|while)\s", line), f"{path.name}: move '{line.strip()}' into the library"
    titles = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("# ")]
    assert titles, f"{path.name} needs a '# Title' Markdown cell (the section title)"

"""Project hygiene: pins in step, notebooks stripped and taking the runner's parameters,
.gitignore not hiding the library."""

import ast
import json
import re
import subprocess
import sys
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


def _statements(source: str) -> list[ast.stmt]:
    return ast.parse(source).body


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(path):
    """A notebook reads like the report: Markdown prose, and code cells of one statement each,
    a call into the library or a name bound to one (``counts = all_crime.by_area(s)``); no
    conditionals, loops, definitions, comprehensions or arithmetic, so no logic escapes the
    library's tests. The parameters cell binds typed constants; the opening cell imports and
    opens the section."""
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name}: one cell tagged parameters"
    for stmt in _statements(params[0].source):
        assert isinstance(stmt, ast.AnnAssign) and isinstance(stmt.value, ast.Constant), f"{path.name}: parameters are typed constants"
    banned = (
        ast.If,
        ast.IfExp,
        ast.For,
        ast.While,
        ast.With,
        ast.Try,
        ast.FunctionDef,
        ast.Lambda,
        ast.ClassDef,
        ast.ListComp,
        ast.DictComp,
        ast.SetComp,
        ast.GeneratorExp,
        ast.BinOp,
        ast.BoolOp,
        ast.Compare,
        ast.Subscript,
    )
    for cell in code:
        if cell is params[0]:
            continue
        statements = _statements(cell.source)
        imports = [s for s in statements if isinstance(s, ast.ImportFrom | ast.Import)]
        rest = [s for s in statements if s not in imports]
        if imports:  # the opening cell: imports, open the section, its header
            assert all(isinstance(s, ast.ImportFrom) and (s.module or "").startswith("perfpack") for s in imports), (
                f"{path.name}: notebooks import only perfpack"
            )
            assert len(rest) <= 2, f"{path.name}: the opening cell imports, opens the Section and shows its header"
        else:
            assert len(rest) == 1, f"{path.name}: one statement per cell, found {len(rest)} in {cell.source!r}"
        for stmt in rest:
            assert isinstance(stmt, ast.Expr | ast.Assign), f"{path.name}: {ast.unparse(stmt)!r} is neither a call nor a name bound to one"
            value = stmt.value
            assert isinstance(value, ast.Call), f"{path.name}: {ast.unparse(stmt)!r} is not a call into the library"
            for node in ast.walk(stmt):
                assert not isinstance(node, banned), f"{path.name}: {ast.unparse(stmt)!r} carries logic ({type(node).__name__}): move it into lib/perfpack"
    titles = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("# ")]
    assert titles, f"{path.name} needs a '# Title' Markdown cell (the section title)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_its_page_module(path):
    """One notebook, one ``perfpack.pages`` module, named after it (``04-serious-acquisitive-crime``
    calls ``perfpack.pages.serious_acquisitive_crime``)."""
    module = path.stem.split("-", 1)[1].replace("-", "_")
    assert (ROOT / "lib" / "perfpack" / "pages" / f"{module}.py").is_file()
    assert f"from perfpack.pages import {module}" in path.read_text(encoding="utf-8")


def test_nbstripout_finds_nothing_to_strip():
    """What ``make check-notebooks`` runs: the committed notebooks are exactly as the git filter
    would store them (no outputs, no counts, ids kept)."""
    out = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", "--keep-id", *map(str, NOTEBOOKS)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_import_layers_hold():
    """The import-linter contracts in pyproject.toml: sources -> measures -> stats -> present ->
    pages -> publish -> execution -> cli, never upwards; numbers draw nothing; presentation loads nothing."""
    out = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


def test_ruff_is_clean():
    out = subprocess.run([_tool("ruff"), "check", "lib", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]


def test_ruff_format_is_clean():
    out = subprocess.run([_tool("ruff"), "format", "--check", "lib", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]


LIB = ROOT / "lib" / "perfpack"


def test_no_module_over_600_lines():
    long = {str(p.relative_to(LIB)): n for p in LIB.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, f"split these modules by concern: {long}"


def test_imports_inside_functions_say_why():
    """An import inside a function is allowed only for a heavy or optional module, with a comment
    on the line saying so; never to dodge an import cycle (import-linter would not see it)."""
    bare = []
    for path in LIB.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and "#" not in lines[inner.lineno - 1]:
                        bare.append(f"{path.relative_to(LIB)}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    assert not bare, "move to the top of the module, or say why it is heavy:\n" + "\n".join(bare)


def test_readme_names_every_module():
    """The README's module list stays true: every module of the library is named there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    modules = readme.split("### The modules")[1].split("\n### ")[0]
    missing = [
        m.relative_to(LIB).as_posix() for m in sorted(LIB.rglob("*.py")) if m.name != "__init__.py" and f"`{m.relative_to(LIB).as_posix()}`" not in modules
    ]
    assert not missing, f"README, 'The modules', does not name: {missing}"

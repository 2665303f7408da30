"""Which code made a pack: the library's version, the git commit (and whether files the run
used had local changes), the offence classification's hash, and the versions of the packages
that compute figures. Recorded in the manifest; :func:`perfpack.publish.export.describe_version`
puts it in words."""

from __future__ import annotations

import importlib.metadata as md
import platform
import subprocess
from pathlib import Path

from perfpack import __version__
from perfpack.config import PROJECT_ROOT
from perfpack.sources.classification import classification_version


def code_version(profile_dir: str | Path | None = None, notebooks_dir: str | Path | None = None) -> dict:
    """The code a run used. ``git_dirty`` is true when a file the run used differs from the
    commit: a tracked file changed in ``lib``, the notebooks or the profile, or an untracked
    file in the notebooks folder or the profile folder (an extra notebook runs as a section; an
    extra commentary file is shown). Notebooks outside the repository are not the commit's
    either. A profile outside the repository is not code: the manifest records the hash of
    every file in it."""
    out = {"perfpack": __version__, "classification": classification_version(), "python": platform.python_version()}
    notebooks = Path(notebooks_dir).resolve() if notebooks_dir else PROJECT_ROOT / "notebooks"
    used = ["lib", *(_inside(p) for p in (notebooks, profile_dir) if p is not None and _inside(p))]
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=10)
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            tracked = subprocess.run(
                ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no", "--", *used], capture_output=True, text=True, timeout=10
            )
            untracked_in = [p for p in used if p != "lib"]
            extra = (
                subprocess.run(
                    ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=all", "--", *untracked_in],
                    capture_output=True,
                    text=True,
                    timeout=10,
                )
                if untracked_in
                else None
            )
            untracked = [line[3:] for line in (extra.stdout.splitlines() if extra else []) if line.startswith("??")]
            out["git_dirty"] = bool(tracked.stdout.strip()) or bool(untracked)
            if untracked:
                out["untracked_files_used"] = untracked
            if _inside(notebooks) is None:
                out["git_dirty"] = True
                out["notebooks_outside_repository"] = str(notebooks)
    except (OSError, subprocess.SubprocessError):
        pass
    if profile_dir is not None and _inside(profile_dir) is None:
        out["profile_outside_repository"] = str(Path(profile_dir).resolve())
    out["packages"] = {
        p: md.version(p) for p in ("pandas", "numpy", "pandera", "papermill", "nbconvert", "statsmodels", "seaborn", "matplotlib", "duckdb") if _has(p)
    }
    return out


def _inside(path: str | Path) -> str | None:
    """``path`` relative to the repository, or None when it is outside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT)) or "."
    except ValueError:
        return None


def _has(pkg: str) -> bool:
    try:
        md.version(pkg)
        return True
    except md.PackageNotFoundError:
        return False

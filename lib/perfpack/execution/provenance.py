"""Which code made a pack: the library's version, the git commit (and whether files the run
used had local changes), the offence classification's hash, and the versions of the packages
that compute figures. Recorded in the manifest; :func:`perfpack.publish.export.describe_version`
puts it in words."""

from __future__ import annotations

import importlib.metadata as md
import platform
import subprocess

from perfpack import __version__
from perfpack.config import PROJECT_ROOT
from perfpack.sources.classification import classification_version


def code_version() -> dict:
    out = {"perfpack": __version__, "classification": classification_version(), "python": platform.python_version()}
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=10)
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no", "--", "lib", "notebooks", "config"], capture_output=True, text=True, timeout=10)
            out["git_dirty"] = bool(dirty.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    out["packages"] = {p: md.version(p) for p in ("pandas", "numpy", "pandera", "papermill", "nbconvert", "statsmodels", "seaborn", "matplotlib", "duckdb") if _has(p)}
    return out


def _has(pkg: str) -> bool:
    try:
        md.version(pkg)
        return True
    except md.PackageNotFoundError:
        return False

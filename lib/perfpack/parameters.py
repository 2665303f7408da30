"""The parameters every section notebook takes, with their defaults for a hand run (JupyterLab,
or plain ``papermill`` from any folder). The runner passes exactly these.

Empty paths mean "the project's own": ``data_dir=""`` is the bundled demo data and
``config_path=""`` the profile ``force`` names (``profiles/<force>/``; the demo profile when
``force`` is empty, a profile derived from the data for a force with none), resolved from the
installed library, not from the working folder, so a notebook runs the same from
``notebooks/`` or the repository root.

A module of its own, light on purpose (no pandas), so that the runner can check notebooks'
parameters without importing what a notebook needs.
"""

from __future__ import annotations

import json
from pathlib import Path

#: name -> (type, default, one-line description), in the order the parameters cell sets them.
PARAMETERS = {
    "period": ("str", "2020-Q4", "the reporting quarter, e.g. 2020-Q4"),
    "data_dir": ("str", "", "folder of input data; empty for the bundled demo data"),
    "source": ("str", "canonical", "kind of input: canonical, policeuk or homeoffice"),
    "force": ("str", "", "force name or police.uk slug (public sources only)"),
    "config_path": ("str", "", "pack configuration (pack.yaml); empty for the project's own"),
    "figures_dir": ("str", "", "where to write this section's figures; empty writes none"),
}

NOTEBOOK_PARAMETERS = {name: default for name, (_, default, _) in PARAMETERS.items()}


def parameters_cell() -> str:
    """The source of the ``parameters`` cell every notebook carries (typed, with a comment
    each, so that ``papermill --help-notebook`` shows type and meaning)."""
    return "\n".join(f"{name}: {kind} = {json.dumps(default)}  # {help}" for name, (kind, default, help) in PARAMETERS.items())


def commentary_path(config, period, section_id: str) -> Path | None:
    """Where the force lead's words for a section and period live, in the force's own profile:
    ``<profile folder>/commentary/<period>/<section id>.md``. None for a profile derived from
    the data (a force with no profile has no commentary)."""
    if getattr(config, "derived", False):
        return None
    return Path(config.path).resolve().parent / "commentary" / str(getattr(period, "id", period)) / f"{section_id}.md"

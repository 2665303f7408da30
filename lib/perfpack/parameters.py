"""The parameters every section notebook takes, with their defaults for a hand run in
JupyterLab (paths relative to ``notebooks/``). The runner passes exactly these.

A module of its own so that the runner can check notebooks' parameters without importing
what a notebook needs (pandas, matplotlib, scipy: 1.5 s of start-up for every ``perfpack``
command). :mod:`perfpack.pages.section` re-exports it.
"""

NOTEBOOK_PARAMETERS = {
    "period": "2020-Q4",
    "data_dir": "../data/demo",
    "source": "canonical",
    "force": "",
    "config_path": "../config/pack.yaml",
    "figures_dir": "",
}


def commentary_path(config, period, section_id: str):
    """Where the force lead's words for a section and period live:
    ``commentary/<period>/<section id>.md`` beside the configuration folder. Light on purpose
    (no pandas), so that the runner's paper step can use it cheaply."""
    from pathlib import Path

    return Path(config.path).resolve().parent.parent / "commentary" / str(getattr(period, "id", period)) / f"{section_id}.md"

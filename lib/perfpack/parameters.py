"""The parameters every section notebook takes, with their defaults for a hand run in
JupyterLab (paths relative to ``notebooks/``). The runner passes exactly these.

A module of its own so that the runner can check notebooks' parameters without importing
what a notebook needs (pandas, matplotlib, scipy: 1.5 s of start-up for every ``perfpack``
command). :data:`perfpack.report.NOTEBOOK_PARAMETERS` must be the same mapping (a test checks).
"""

NOTEBOOK_PARAMETERS = {
    "period": "2020-Q4",
    "data_dir": "../data/demo",
    "source": "canonical",
    "force": "",
    "config_path": "../config/pack.yaml",
    "figures_dir": "",
}

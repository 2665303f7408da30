"""The draft meeting paper: what goes in (:mod:`perfpack.publish.paper_content`), written as
Word (:mod:`perfpack.publish.paper_docx`) and as HTML (:mod:`perfpack.publish.paper_html`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfpack.periods import Period
from perfpack.publish.paper_content import DOCX_NAME, FAILED_TEXT, HTML_NAME, Paper, collect, notebook_charts  # noqa: F401  (the paper's API)
from perfpack.publish.paper_docx import write_docx
from perfpack.publish.paper_html import write_html


def write_paper(build_dir, manifest: dict, figures: pd.DataFrame, config, period) -> tuple[Path, Path]:
    """Write ``meeting-paper.docx`` and ``meeting-paper.html`` into ``build_dir``.

    Parameters
    ----------
    build_dir : Path
        The run's folder (the build folder, before it is published): holds
        ``notebooks/<section>.ipynb`` (executed) and the section pages.
    manifest : dict
        The run's manifest (sections in order with status, inputs, code version, times).
    figures : DataFrame
        The run's figures (as written to ``figures.csv``).
    config : PackConfig
    period : Period or str

    Returns
    -------
    (docx_path, html_path)
    """
    build_dir = Path(build_dir)
    period = period if isinstance(period, Period) else Period.parse(str(period))
    paper = collect(build_dir, manifest, figures, config, period)
    return write_docx(paper, build_dir / DOCX_NAME), write_html(paper, build_dir / HTML_NAME)

"""What the sections will read besides the data, checked before anything runs: a mistake here
is refused in words with nothing written, rather than found by a notebook half-way through a
run (which would publish a failure page in place of a good one).

- The force lead's commentary for each section run (``<profile>/commentary/<period>/<section>.md``): UTF-8
  text, and no image a page would fetch (``![](https://…)``, ``//host/…``, a file): the pages
  load nothing from anywhere, so the author is told the file and line, and to remove it. The
  same for the analyst's own sections of the meeting paper (``<profile>/paper/*.md``).
- For the strategic risk section: the scoring model (``risk.yaml``) and the register
  (``risk_register.csv``) in the force's profile folder, with every check
  :func:`perfpack.measures.risk.load_register` makes (unknown area or sub-area, scores outside
  the scale, dates, notes, duplicates).

:func:`check_inputs` returns the problems as sentences; the runner refuses the run when there
are any. Imports nothing that draws (the runner calls it before starting any kernel).
"""

from __future__ import annotations

from pathlib import Path

from perfpack.measures import risk
from perfpack.parameters import commentary_path
from perfpack.present.markdown import image_problems
from perfpack.sources.text_files import SAVE_TEXT_AS_UTF8, encoding_problem

STRATEGIC_RISK = "strategic-risk"  # the section that reads the register (08-strategic-risk)


def commentary_problems(path: Path, what: str = "the commentary", instead: str = "or ask for the chart to be added to the section") -> list[str]:
    """Problems with one Markdown file the pack renders (a section's commentary; ``what`` and
    ``instead`` word the advice for another, such as the paper's foreword), each naming the
    file and line."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        enc = encoding_problem(Path(path), spreadsheet=False)
        shown = "; ".join(enc[1]) if enc else "a byte that is not UTF-8"
        return [f"{path}: {enc[0] if enc else 'not UTF-8 text'} ({shown}). What to do: {SAVE_TEXT_AS_UTF8}"]
    except OSError as exc:
        return [f"{path}: cannot be read ({exc.strerror or exc})."]
    out = []
    for line, url, remote in image_problems(text):
        if remote:
            out.append(
                f"{path}, line {line}: an image from {url[:120]!r}. A published page must load nothing from anywhere (an image fetched from a web address or a shared folder tells its owner who opened the page, and breaks the page offline). What to do: remove the image from {what}; describe it in words, {instead}."
            )
        else:
            out.append(
                f"{path}, line {line}: an image file {url[:120]!r}. The pack publishes no image files beside its pages, so it would not be shown. What to do: remove the image from {what}; describe it in words, {instead}."
            )
    return out


def register_problems(config_dir: Path) -> list[str]:
    """Problems with the risk model and register in the force's profile folder (none when the
    profile has neither: the section says there are no ratings to show)."""
    config_dir = Path(config_dir)
    if not any((config_dir / name).is_file() for name in ("risk.yaml", "risk_register.csv")):
        return []
    try:
        model = risk.load_config(config_dir / "risk.yaml")
        risk.load_register(config_dir / "risk_register.csv", model)
    except (risk.RiskConfigError, risk.RiskRegisterError) as exc:
        return [str(exc)]
    return []


def check_inputs(config, period, section_ids: list[str], pack_section_ids: list[str] = ()) -> list[str]:
    """Every problem with what the sections ``section_ids`` will read besides the data, and with
    the commentary of every section of the pack (``pack_section_ids``: in a partial run the
    meeting paper carries the commentary of the sections it keeps as well)."""
    problems: list[str] = []
    for sid in sorted({*section_ids, *pack_section_ids}):
        path = commentary_path(config, period, sid)  # None: a profile derived from the data has none
        if path is not None and path.is_file():
            problems += commentary_problems(path)
    if not getattr(config, "derived", False):  # the analyst's own sections of the meeting paper
        paper = Path(config.path).parent / "paper"
        for path in sorted(paper.glob("*.md")) if paper.is_dir() else []:
            problems += commentary_problems(path, "the file", "or ask for a chart to be added to a section")
    if any(sid.endswith(STRATEGIC_RISK) for sid in section_ids) and not getattr(config, "derived", False):
        problems += register_problems(config.profile_dir)
    return problems

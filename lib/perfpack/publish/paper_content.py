"""The draft meeting paper: ``meeting-paper.docx`` for the analyst and ``meeting-paper.html``
with the same content, written into a run's build folder.

Like the runner, this knows nothing about crime. It assembles what the run produced:

- a title page (force, meeting, marking and transparency from the configuration; the meeting
  date and publication date are left for the analyst, never invented);
- contents;
- the revisions note (what changed since earlier packs: the manifest's ``revisions``, see
  ``docs/revisions.md``), and revised figures marked in the tables;
- per section, in the manifest's order: its headline figures (force-wide rows of
  ``figures.csv``, the same selection as the index page), the paragraphs the section wrote
  for the paper (``<p class="pp-paper-text">``: the peer comparison's summary, say), its first
  charts as the executed notebook shows them (image, alt text and caption written by the
  library; a chart marked ``pp-not-in-paper`` is passed over), and the force lead's
  commentary where the force's profile has ``commentary/<period>/<section>.md``. A section
  that failed says so instead;
- a closing note on the data (input files and their SHA-256, code version) and caveats (short
  sentences from the configuration, ``paper.caveats``; the full log is ``docs/caveats.md``).

Every number comes from the run. Places for the analyst's words are marked ``[Analyst: ...]``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd

from perfpack.config import PROJECT_ROOT
from perfpack.parameters import commentary_path
from perfpack.periods import Period
from perfpack.publish.index import headline_cells, headline_rows, revision_marks, significance_note
from perfpack.publish.paper_exhibits import NOT_IN_PAPER_CLASS, PAPER_TEXT_CLASS, RAG_FILLS, Chart, Exhibit, Table, notebook_exhibits  # noqa: F401  (the paper's API)
from perfpack.publish.revisions import REVISIONS_FILE, read_revisions
from perfpack.sources.dataset import source_words

DOCX_NAME = "meeting-paper.docx"
HTML_NAME = "meeting-paper.html"
FAILED_TEXT = "This section failed in the run; see index"
DEFAULT_CHARTS_PER_SECTION = None  # every chart the page shows, unless the configuration says
DEFAULT_BEFORE = ("Foreword",)
DEFAULT_AFTER = ("Risks, issues and opportunities", "HMICFRS and inspection update")
#: The label over the sentences the pack wrote for a section, offered as the first draft of its text.
DRAFT_LABEL = "[Draft: sentences written by the pack from this run's figures. Check them, edit or replace them, and delete this line]"
COMMENTARY_LABEL = "Commentary: force lead response (written by the force, not computed)"

REVISIONS_TITLE = "Revisions since earlier packs"


# ---- what goes in ------------------------------------------------------------------------------


@dataclass
class PaperSection:
    id: str
    title: str
    status: str
    error: str = ""
    page: str | None = None  # the section's reviewer page, relative to the pack folder
    rows: list[dict] = field(default_factory=list)  # plain-text cells, see index.headline_cells
    has_variation: bool = False
    charts: list[Chart] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # plain text the section wrote for the paper
    commentary_md: str | None = None
    commentary_file: str = ""
    exhibits: list[Exhibit] = field(default_factory=list)  # tables, charts and sentences from the page, in order

    @property
    def tables(self) -> list[Table]:
        return [e.table for e in self.exhibits if e.kind == "table"]

    @property
    def sentences(self) -> list[str]:
        return [e.text for e in self.exhibits if e.kind == "text"]

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Paper:
    force: str
    meeting: str
    produced_by: str
    marking: str
    transparency: str
    period: str
    period_end: str
    window_words: str
    finished_at: str
    sections: list[PaperSection]
    before: list[str]
    after: list[str]
    source: str
    inputs: list[dict]
    code_version: str
    caveats: list[str]
    data_notes: list[str]
    unavailable: dict
    revisions_note: str = ""  # the note the paper opens with; empty for a run that made none
    revisions_file: str | None = None  # revisions.csv, when the run wrote it
    revisions_count: int = 0  # the figures it lists
    final: bool = False  # paper.final in the configuration: the draft marks come off
    narrative: dict = field(default_factory=dict)  # title -> the analyst's Markdown (config folder, paper/)
    narrative_files: dict = field(default_factory=dict)  # title -> where to write it
    source_words: str = ""  # the data source in words, for the public


class _FigureParser(HTMLParser):
    """Collects ``<figure class="pp-chart"><img src alt><figcaption>`` from output HTML (not
    those marked ``pp-not-in-paper``), and the text of ``<p class="pp-paper-text">``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.paragraphs: list[str] = []
        self._in_fig = 0
        self._in_cap = False
        self._img: tuple[str, str] | None = None
        self._cap: list[str] = []
        self._para: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "p" and PAPER_TEXT_CLASS in classes:
            self._para = []
        elif tag == "figure" and "pp-chart" in classes and NOT_IN_PAPER_CLASS not in classes:
            self._in_fig, self._img, self._cap = 1, None, []
        elif self._in_fig and tag == "figure":
            self._in_fig += 1
        elif self._in_fig and tag == "img" and self._img is None:
            self._img = (a.get("src") or "", a.get("alt") or "")
        elif self._in_fig and tag == "figcaption":
            self._in_cap = True

    def handle_endtag(self, tag):
        if tag == "p" and self._para is not None:
            self.paragraphs.append(" ".join("".join(self._para).split()))
            self._para = None
        elif tag == "figcaption":
            self._in_cap = False
        elif tag == "figure" and self._in_fig:
            self._in_fig -= 1
            if not self._in_fig and self._img:
                self.found.append((self._img[0], self._img[1], " ".join("".join(self._cap).split())))

    def handle_data(self, data):
        if self._in_cap:
            self._cap.append(data)
        if self._para is not None:
            self._para.append(data)


def _html_outputs(nb_path: Path):
    """The HTML outputs of an executed notebook's code cells, in order."""
    if not nb_path or not Path(nb_path).is_file():
        return
    nb = nbformat.read(str(nb_path), as_version=4)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            text = (out.get("data") or {}).get("text/html")
            if text:
                yield "".join(text) if isinstance(text, list) else text


def notebook_paragraphs(nb_path: Path) -> list[str]:
    """The paragraphs a section wrote for the paper (``<p class="pp-paper-text">``), as
    plain text, in order."""
    out: list[str] = []
    for text in _html_outputs(nb_path):
        if PAPER_TEXT_CLASS in text:
            parser = _FigureParser()
            parser.feed(text)
            out += [p for p in parser.paragraphs if p]
    return out


def notebook_charts(nb_path: Path, limit: int | None = DEFAULT_CHARTS_PER_SECTION) -> list[Chart]:
    """The first ``limit`` charts (``<figure class="pp-chart">`` with a PNG data URI, not
    marked ``pp-not-in-paper``) in an executed notebook's HTML outputs, in order."""

    charts: list[Chart] = []
    for text in _html_outputs(nb_path):
        if "pp-chart" not in text:
            continue
        parser = _FigureParser()
        parser.feed(text)
        for src, alt, cap in parser.found:
            m = re.match(r"data:image/png;base64,(.*)$", src.strip(), re.S)
            if not m:
                continue
            charts.append(Chart(base64.b64decode(m.group(1)), alt.strip(), cap))
            if limit is not None and len(charts) >= limit:
                return charts
    return charts


def paper_rows(figures: pd.DataFrame, period: Period, section: str) -> pd.DataFrame:
    """A section's headline figures: the index page's selection
    (:func:`perfpack.publish.index.headline_rows`: one force-wide row per key, the 12 months to the
    period end or the key's longest window, no category breakdowns) for this section."""

    rows = headline_rows(figures, period)
    if rows.empty or "section" not in rows:
        return rows
    return rows[rows["section"] == section]


def _paper_config(config) -> dict:
    return dict((getattr(config, "raw", None) or {}).get("paper") or {})


def collect(build_dir: Path, manifest: dict, figures: pd.DataFrame, config, period: Period) -> Paper:
    """Everything the paper shows, from the run's records (no numbers are made up here)."""

    pc = _paper_config(config)
    limit = pc.get("charts_per_section", DEFAULT_CHARTS_PER_SECTION)
    limit = int(limit) if limit not in (None, "", "all") else None
    leave_out = [str(x) for x in pc.get("leave_out", []) or []]
    revisions = manifest.get("revisions") or {}
    marks = revision_marks(read_revisions(Path(build_dir) / REVISIONS_FILE), period.id) if revisions.get("status") == "ok" else {}
    sections = []
    for s in manifest.get("sections", []):
        ps = PaperSection(id=s["id"], title=s.get("title") or s["id"], status=s.get("status") or "failed", error=s.get("error") or "", page=s.get("html"))
        if ps.ok:
            rows = paper_rows(figures, period, ps.id)
            ps.rows = [headline_cells(r, marks) for r in rows.to_dict("records")] if not rows.empty else []
            ps.has_variation = any(r["variation"] for r in ps.rows)
            nb = Path(build_dir) / s["notebook"] if s.get("notebook") else None
            ps.exhibits = notebook_exhibits(nb, leave_out, limit) if nb else []
            ps.charts = [e.chart for e in ps.exhibits if e.kind == "chart"]
            ps.paragraphs = notebook_paragraphs(nb) if nb else []
            path = commentary_path(config, period, ps.id)  # the force's own profile only
            ps.commentary_file = _shown_path(path) if path is not None else ""
            if path is not None and path.is_file():
                text = path.read_text(encoding="utf-8").strip()
                ps.commentary_md = text or None
        sections.append(ps)
    r12 = period.rolling_12m
    force = manifest.get("force") or config.force_name
    before = [str(x) for x in pc.get("before", DEFAULT_BEFORE) or []]
    after = [str(x) for x in pc.get("after", DEFAULT_AFTER) or []]
    narrative, files = {}, {}
    for title in before + after:
        path = narrative_path(config, title)
        files[title] = narrative_file_words(config, title)
        if path is not None and path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            if text:
                narrative[title] = text
    return Paper(
        force=force,
        meeting=config.meeting_title,
        produced_by=config.produced_by,
        marking=config.protective_marking,
        transparency=config.transparency,
        period=period.id,
        period_end=f"{period.end.day} {period.end:%B %Y}",
        window_words=f"the 12 months {r12.start.day} {r12.start:%B %Y} to {r12.end.day} {r12.end:%B %Y} against the 12 months before, unless the Period column says otherwise",
        finished_at=_when(manifest.get("finished_at", "")),
        sections=sections,
        before=before,
        after=after,
        source=f"{manifest.get('parameters', {}).get('source', '')}: {force}",
        source_words=source_words(manifest.get("parameters", {}).get("source", ""), force),
        final=bool(pc.get("final", False)),
        narrative=narrative,
        narrative_files=files,
        inputs=list(manifest.get("inputs") or []),
        code_version=public_version(manifest.get("code_version") or {}),
        caveats=[str(c) for c in pc.get("caveats", []) or []] + _computed_caveats(config),
        data_notes=[str(n) for n in manifest.get("data_notes") or []],
        unavailable=dict(manifest.get("unavailable") or {}),
        revisions_note=str(revisions.get("note") or ""),
        revisions_file=REVISIONS_FILE if revisions.get("status") == "ok" else None,
        revisions_count=int(revisions.get("count") or 0),
    )


def _computed_caveats(config) -> list[str]:

    return [
        significance_note(config),
        f"Counts below {config.disclosure_threshold} in breakdowns below force level are not published (shown as \u201c<{config.disclosure_threshold}\u201d), with further cells hidden where they could be worked out from the totals.",
        "The pack's assumptions and caveats log says what each figure means and cannot say; it is published with the evidence pack.",
    ]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def narrative_path(config, title: str) -> Path | None:
    """Where the analyst writes a narrative section (the foreword, say) in Markdown: a
    ``paper/`` folder beside the configuration file, ``<title as a slug>.md``
    (``paper/foreword.md``, ``paper/risks-issues-and-opportunities.md``)."""
    path = getattr(config, "path", None)
    return Path(path).parent / "paper" / f"{_slug(title)}.md" if path else None


def narrative_file_words(config, title: str) -> str:
    path = narrative_path(config, title)
    return f"{path.parent.parent.name}/paper/{path.name}" if path is not None else f"paper/{_slug(title)}.md"


def production_sentences(paper: Paper) -> list[str]:
    """How the paper was produced, in two plain sentences for the public."""
    return [
        f"The figures, tables and charts in this paper were produced on {paper.finished_at.split(' at ')[0]} by the force's performance pack ({paper.code_version}) from {paper.source_words}.",
        "The evidence behind each section, with every figure, the input files and their checksums, is in the performance pack published with this paper.",
    ]


def public_version(v: dict) -> str:
    """The code version in words for the public, without hashes: "version 0.1.0, commit
    0123456789ab" (the evidence pack's manifest has the rest)."""
    s = f"version {v.get('perfpack')}"
    if v.get("git_commit"):
        s += f", commit {str(v['git_commit'])[:12]}{' with local changes' if v.get('git_dirty') else ''}"
    return s


def _when(iso: str) -> str:
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso or "")
    return f"{t.day} {t:%B %Y} at {t:%H:%M}"


def analyst_prompt(what: str) -> str:
    return f"[Analyst: {what}]"


def section_prompt(s: PaperSection) -> str:
    return analyst_prompt("what these figures show and why, in two or three sentences; quote numbers from the table and charts rather than retyping them")


def extra_prompt(title: str, where: str = "") -> str:
    return analyst_prompt(f"{title}, to be written" + (f". Write it in Markdown in {where} so that the next run places it here" if where else ""))


def commentary_prompt(s: PaperSection) -> str:
    if not s.commentary_file:
        return analyst_prompt(
            "force lead response, if there is one. This force has no profile, so the pack shows no commentary: make a profile (perfpack init-force, docs/new-force.md) and write it there"
        )
    return analyst_prompt(
        f"force lead response, if there is one. Write it in {s.commentary_file} so that it also appears on the section page, and run the pack again"
    )


def _shown_path(path: Path) -> str:
    """A commentary file's path as the analyst would type it: from the repository root when
    the profile is inside it (``profiles/demo/commentary/2020-Q4/01-all-crime.md``)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)

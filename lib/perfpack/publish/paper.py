"""The draft meeting paper: ``meeting-paper.docx`` for the analyst and ``meeting-paper.html``
with the same content, written into a run's build folder.

Like the runner, this knows nothing about crime. It assembles what the run produced:

- a title page (force, meeting, marking and transparency from the configuration; the meeting
  date and publication date are left for the analyst, never invented);
- contents;
- per section, in the manifest's order: its headline figures (force-wide rows of
  ``figures.csv``, the same selection as the index page), its first charts as the executed
  notebook shows them (image, alt text and caption written by the library), and the force
  lead's commentary where ``commentary/<period>/<section>.md`` exists. A section that failed
  says so instead;
- a closing note on the data (input files and their SHA-256, code version) and caveats (short
  sentences from the configuration, ``paper.caveats``; the full log is ``docs/caveats.md``).

Every number comes from the run. Places for the analyst's words are marked ``[Analyst: ...]``.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import docx
import jinja2
import mistune
import nbformat
import pandas as pd
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from perfpack.parameters import commentary_path
from perfpack.periods import Period
from perfpack.present.tables import html_table, significance_cell
from perfpack.publish.export import TEMPLATES, _slug, offline_only, pack_css, print_css
from perfpack.publish.index import HEADLINE_HEADER, VARIATION_HEADER, VARIATION_WORDS, headline_cells, headline_rows, significance_note, variation_cell
from perfpack.publish.run_info import describe_version

DOCX_NAME = "meeting-paper.docx"
HTML_NAME = "meeting-paper.html"
FAILED_TEXT = "This section failed in the run; see index"
DEFAULT_CHARTS_PER_SECTION = 2
DEFAULT_BEFORE = ("Foreword",)
COMMENTARY_LABEL = "Commentary: force lead response (written by the force, not computed)"


# ---- what goes in ------------------------------------------------------------------------------


@dataclass
class Chart:
    png: bytes
    alt: str
    caption: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


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
    commentary_md: str | None = None
    commentary_file: str = ""

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


class _FigureParser(HTMLParser):
    """Collects ``<figure class="pp-chart"><img src alt><figcaption>`` from output HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self._in_fig = 0
        self._in_cap = False
        self._img: tuple[str, str] | None = None
        self._cap: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "pp-chart" in (a.get("class") or "").split():
            self._in_fig, self._img, self._cap = 1, None, []
        elif self._in_fig and tag == "figure":
            self._in_fig += 1
        elif self._in_fig and tag == "img" and self._img is None:
            self._img = (a.get("src") or "", a.get("alt") or "")
        elif self._in_fig and tag == "figcaption":
            self._in_cap = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_cap = False
        elif tag == "figure" and self._in_fig:
            self._in_fig -= 1
            if not self._in_fig and self._img:
                self.found.append((self._img[0], self._img[1], " ".join("".join(self._cap).split())))

    def handle_data(self, data):
        if self._in_cap:
            self._cap.append(data)


def notebook_charts(nb_path: Path, limit: int = DEFAULT_CHARTS_PER_SECTION) -> list[Chart]:
    """The first ``limit`` charts (``<figure class="pp-chart">`` with a PNG data URI) in an
    executed notebook's HTML outputs, in order."""

    if not nb_path or not Path(nb_path).is_file():
        return []
    nb = nbformat.read(str(nb_path), as_version=4)
    charts: list[Chart] = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            text = (out.get("data") or {}).get("text/html")
            if not text:
                continue
            text = "".join(text) if isinstance(text, list) else text
            if "pp-chart" not in text:
                continue
            parser = _FigureParser()
            parser.feed(text)
            for src, alt, cap in parser.found:
                m = re.match(r"data:image/png;base64,(.*)$", src.strip(), re.S)
                if not m:
                    continue
                charts.append(Chart(base64.b64decode(m.group(1)), alt.strip(), cap))
                if len(charts) >= limit:
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
    limit = int(pc.get("charts_per_section", DEFAULT_CHARTS_PER_SECTION))
    sections = []
    for s in manifest.get("sections", []):
        ps = PaperSection(id=s["id"], title=s.get("title") or s["id"], status=s.get("status") or "failed", error=s.get("error") or "", page=s.get("html"))
        if ps.ok:
            rows = paper_rows(figures, period, ps.id)
            ps.rows = [headline_cells(r) for r in rows.to_dict("records")] if not rows.empty else []
            ps.has_variation = any(r["variation"] for r in ps.rows)
            nb = Path(build_dir) / s["notebook"] if s.get("notebook") else None
            ps.charts = notebook_charts(nb, limit) if nb else []
            path = commentary_path(config, period, ps.id)
            ps.commentary_file = f"commentary/{period.id}/{ps.id}.md"
            if path.is_file():
                text = path.read_text(encoding="utf-8").strip()
                ps.commentary_md = text or None
        sections.append(ps)
    r12 = period.rolling_12m
    force = manifest.get("force") or config.force_name
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
        before=[str(x) for x in pc.get("before", DEFAULT_BEFORE) or []],
        after=[str(x) for x in pc.get("after", []) or []],
        source=f"{manifest.get('parameters', {}).get('source', '')}: {force}",
        inputs=list(manifest.get("inputs") or []),
        code_version=describe_version(manifest.get("code_version") or {}),
        caveats=[str(c) for c in pc.get("caveats", []) or []] + _computed_caveats(config),
        data_notes=[str(n) for n in manifest.get("data_notes") or []],
        unavailable=dict(manifest.get("unavailable") or {}),
    )


def _computed_caveats(config) -> list[str]:

    return [
        significance_note(config),
        f"Counts below {config.disclosure_threshold} in breakdowns below force level are not published (shown as \u201c<{config.disclosure_threshold}\u201d), with further cells hidden where they could be worked out from the totals.",
        "The assumptions and caveats log, docs/caveats.md in the pack's repository, says what each figure means and cannot say.",
    ]


def _when(iso: str) -> str:
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso or "")
    return f"{t.day} {t:%B %Y} at {t:%H:%M}"


def _analyst(what: str) -> str:
    return f"[Analyst: {what}]"


def section_prompt(s: PaperSection) -> str:
    return _analyst("what these figures show and why, in two or three sentences; quote numbers from the table and charts rather than retyping them")


def extra_prompt(title: str) -> str:
    return _analyst(f"{title}, to be written")


def commentary_prompt(s: PaperSection) -> str:
    return _analyst(f"force lead response, if there is one. Write it in {s.commentary_file} so that it also appears on the section page, and run the pack again")


# ---- Word --------------------------------------------------------------------------------------

SIG_COLOURS = {"significant increase": ("801650", "▲"), "significant decrease": ("12436D", "▼"), "no significant change": ("3D3D3D", "◆")}


def _field(paragraph, instr: str, placeholder: str = ""):
    """A Word field (PAGE, TOC...) in a paragraph, with ``placeholder`` as its shown result."""

    def fld(kind):
        r = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)
        return r

    fld("begin")
    r = paragraph.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r._r.append(it)
    fld("separate")
    paragraph.add_run(placeholder)
    fld("end")


def _marking_paragraph(p, paper: Paper, page_number: bool = False):

    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(paper.marking)
    r.bold = True
    r.font.size = Pt(10)
    r2 = p.add_run(f"    {paper.transparency}")
    r2.font.size = Pt(9)
    if page_number:
        r3 = p.add_run("    Page ")
        r3.font.size = Pt(9)
        _field(p, "PAGE", "1")


def _shade(cell, hex_fill: str):

    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    tc_pr.append(shd)


def _header_row(row):

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))  # repeats on each page; read as a header row


def _placeholder(doc, text: str):

    p = doc.add_paragraph(style="Analyst")
    r = p.add_run(text)
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


def _styles(doc):

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for name, size in (("Title", 28), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        st = doc.styles[name]
        st.font.name = "Arial"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x12, 0x43, 0x6D)
    cap = doc.styles["Caption"]
    cap.font.name = "Arial"
    cap.font.size = Pt(9)
    cap.font.italic = False
    cap.font.color.rgb = RGBColor(0x3D, 0x3D, 0x3D)
    st = doc.styles.add_style("Analyst", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.font.italic = True
    st.font.color.rgb = RGBColor(0x3D, 0x3D, 0x3D)
    st = doc.styles.add_style("Commentary", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.paragraph_format.left_indent = Cm(0.6)
    st = doc.styles.add_style("Commentary Label", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.font.bold = True
    st.font.color.rgb = RGBColor(0x3D, 0x3D, 0x3D)
    st.paragraph_format.left_indent = Cm(0.6)
    st = doc.styles.add_style("Small", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.font.size = Pt(9)


def _inline(paragraph, children: list, bold=False, italic=False, code=False):
    """Mistune inline tokens into runs of a Word paragraph."""
    for t in children or []:
        kind = t.get("type")
        if kind in ("text", "codespan"):
            r = paragraph.add_run(t.get("raw", ""))
            r.bold, r.italic = bold or None, italic or None
            if kind == "codespan" or code:
                r.font.name = "Consolas"
        elif kind == "strong":
            _inline(paragraph, t.get("children"), True, italic, code)
        elif kind == "emphasis":
            _inline(paragraph, t.get("children"), bold, True, code)
        elif kind == "link":
            _inline(paragraph, t.get("children"), bold, italic, code)
            url = (t.get("attrs") or {}).get("url", "")
            if url and not url.startswith("#"):
                paragraph.add_run(f" ({url})")
        elif kind in ("softbreak",):
            paragraph.add_run(" ")
        elif kind == "linebreak":
            paragraph.add_run().add_break()
        elif kind == "image":
            paragraph.add_run(f"[image: {(t.get('attrs') or {}).get('url', '')}]")
        elif t.get("children"):
            _inline(paragraph, t["children"], bold, italic, code)
        elif t.get("raw"):
            paragraph.add_run(t["raw"])


def _markdown_blocks(doc, tokens: list, style: str = "Commentary", depth: int = 0):
    for t in tokens:
        kind = t.get("type")
        if kind in ("paragraph", "block_text"):
            _inline(doc.add_paragraph(style=style), t.get("children"))
        elif kind == "heading":
            p = doc.add_paragraph(style=style)
            _inline(p, t.get("children"), bold=True)
        elif kind == "list":
            ordered = (t.get("attrs") or {}).get("ordered")
            for n, item in enumerate(t.get("children") or [], 1):
                for sub in item.get("children") or []:
                    if sub.get("type") in ("block_text", "paragraph"):
                        p = doc.add_paragraph(style=style)
                        p.add_run(f"{n}. " if ordered else "• ")
                        _inline(p, sub.get("children"))
                    else:
                        _markdown_blocks(doc, [sub], style, depth + 1)
        elif kind == "block_quote":
            _markdown_blocks(doc, t.get("children") or [], style, depth + 1)
        elif kind == "block_code":
            p = doc.add_paragraph(style=style)
            r = p.add_run(t.get("raw", "").rstrip("\n"))
            r.font.name = "Consolas"
        elif kind == "thematic_break":
            doc.add_paragraph(style=style)


def _markdown_tokens(text: str) -> list:

    return mistune.create_markdown(renderer=None)(text)


def _docx_table(doc, s: PaperSection, number: int):


    doc.add_paragraph(f"Table {number}: {s.title}, headline figures", style="Caption")
    header = HEADLINE_HEADER + ([VARIATION_HEADER] if s.has_variation else [])
    keys = ["label", "period", "previous", "latest", "change", "pct", "significance"] + (["variation"] if s.has_variation else [])
    numeric = {2, 3, 4, 5}
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _header_row(table.rows[0])
    for i, h in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        p = cell.paragraphs[0]
        r = p.add_run(h)
        r.bold = True
        r.font.size = Pt(8.5)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.LEFT
        _shade(cell, "E8EDF2")
    for row in s.rows:
        cells = table.add_row().cells
        for i, k in enumerate(keys):
            p = cells[i].paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.LEFT
            value = row[k]
            if k == "significance" and value:
                colour, mark = SIG_COLOURS.get(value, ("3D3D3D", ""))
                r = p.add_run(f"{mark} {value}".strip())
                r.font.color.rgb = RGBColor.from_string(colour)
                r.bold = True
            elif k == "variation" and value:
                colour, words = VARIATION_WORDS.get(value, ("#3D3D3D", value))
                r = p.add_run(words)
                r.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
            else:
                r = p.add_run(value)
            r.font.size = Pt(8.5)
    # widths that fit A4 between the margins (16.6 cm): the measure's name gets the room
    widths = [3.8, 1.9, 1.6, 1.6, 1.5, 1.4, 2.5] + ([2.3] if s.has_variation else [])
    widths[0] += 16.6 - sum(widths)
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Cm(w)
    return table


def write_docx(paper: Paper, path: Path) -> Path:

    doc = docx.Document()
    _styles(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.2))
    sec.top_margin = sec.bottom_margin = Cm(2.0)
    _marking_paragraph(sec.header.paragraphs[0], paper)
    _marking_paragraph(sec.footer.paragraphs[0], paper, page_number=True)
    cp = doc.core_properties
    cp.title = f"{paper.force}: {paper.meeting} ({paper.period})"
    cp.subject = f"Performance to {paper.period_end}"
    cp.author = paper.produced_by or paper.force
    cp.comments = f"Draft generated from the pack run finished {paper.finished_at}. Replace every [Analyst: ...] paragraph before publication."
    cp.keywords = paper.marking

    # title page, laid out like the seed paper's
    def centred(text, size=14, bold=False, space=6, style=None):
        p = doc.add_paragraph(style=style)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(space)
        r = p.add_run(text)
        r.font.size = Pt(size)
        r.bold = bold or None
        return p

    for _ in range(3):
        doc.add_paragraph()
    centred(paper.force.upper(), 28, True, 18)
    centred(paper.meeting, 22, True, 18)
    p = centred("", 14)
    r = p.add_run(_analyst("meeting date"))
    r.font.size = Pt(14)
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    p = centred("Published – ", 12)
    r = p.add_run(_analyst("publication date"))
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    centred(f"Performance to {paper.period_end} (reporting period {paper.period})", 12)
    if paper.produced_by:
        centred(f"Produced by {paper.produced_by}", 12)
    p = centred("Dissemination authorised by ", 12)
    r = p.add_run(_analyst("name and role"))
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    for _ in range(2):
        doc.add_paragraph()
    centred("This document is classified as", 12)
    centred(paper.marking, 20, True)
    centred(paper.transparency, 12)
    doc.add_paragraph()
    note = centred(f"Draft generated from the pack run of {paper.finished_at}. Every figure and chart comes from that run; paragraphs marked [Analyst: ...] are for the analyst's words.", 9)
    note.runs[0].italic = True
    doc.add_page_break()

    # contents: a Word TOC field, shown as a plain list until Word updates it (page numbers)
    ph = doc.add_paragraph(style="TOC Heading")
    ph.add_run("Contents")
    entries = list(paper.before) + [s.title for s in paper.sections] + list(paper.after) + ["Data sources and caveats"]
    first = doc.add_paragraph()

    def fld(par, kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        par.add_run()._r.append(el)

    fld(first, "begin")
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = ' TOC \\o "1-1" \\h \\z \\u '
    first.add_run()._r.append(it)
    fld(first, "separate")
    first.add_run(entries[0])
    last = first
    for e in entries[1:]:
        last = doc.add_paragraph(e)
    fld(last, "end")
    # Word offers to fill in the page numbers when the draft is opened. The schema fixes the
    # order of settings: updateFields goes before the first of these that is present.
    settings = doc.settings.element
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    later = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
    nxt = next((el for el in settings if el.tag in {qn(f"w:{t}") for t in later}), None)
    if nxt is not None:
        nxt.addprevious(upd)
    else:
        settings.append(upd)
    doc.add_page_break()

    for title in paper.before:
        doc.add_heading(title, level=1)
        _placeholder(doc, extra_prompt(title))

    n_table = n_fig = 0
    for s in paper.sections:
        doc.add_heading(s.title, level=1)
        if not s.ok:
            p = doc.add_paragraph()
            r = p.add_run(f"{FAILED_TEXT} (index.html, Run status, has the error).")
            r.bold = True
            continue
        _placeholder(doc, section_prompt(s))
        if s.rows:
            n_table += 1
            _docx_table(doc, s, n_table)
            doc.add_paragraph()
        for c in s.charts:
            n_fig += 1
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            shape = p.add_run().add_picture(io.BytesIO(c.png), width=Cm(16))
            docpr = shape._inline.docPr
            docpr.set("descr", c.alt)
            docpr.set("title", f"Figure {n_fig}")
            docpr.set("name", f"Figure {n_fig}")
            doc.add_paragraph(f"Figure {n_fig}: {c.caption}" if c.caption else f"Figure {n_fig}", style="Caption")
        if s.commentary_md:
            doc.add_paragraph(COMMENTARY_LABEL, style="Commentary Label")
            _markdown_blocks(doc, _markdown_tokens(s.commentary_md))
        else:
            _placeholder(doc, commentary_prompt(s))

    for title in paper.after:
        doc.add_heading(title, level=1)
        _placeholder(doc, extra_prompt(title))

    doc.add_heading("Data sources and caveats", level=1)
    doc.add_paragraph(f"Every figure and chart in this paper was produced by the performance pack run for {paper.period}, finished {paper.finished_at}. The pack's contents page (index.html) has the evidence behind each section, with breakdowns by area and month; figures.csv lists every figure and manifest.json records the run.")
    doc.add_paragraph(f"Data source: {paper.source}. Code: {paper.code_version}.")
    if paper.inputs:
        t = doc.add_table(rows=1, cols=3)
        t.style = "Table Grid"
        _header_row(t.rows[0])
        for i, h in enumerate(("Input file", "Rows", "SHA-256")):
            t.rows[0].cells[i].text = ""
            rr = t.rows[0].cells[i].paragraphs[0].add_run(h)
            rr.bold = True
            rr.font.size = Pt(8.5)
            _shade(t.rows[0].cells[i], "E8EDF2")
        for f in paper.inputs:
            cells = t.add_row().cells
            vals = (Path(str(f.get("path", ""))).name, f"{int(f['rows']):,}" if f.get("rows") is not None else "–", str(f.get("sha256", "")))
            for i, v in enumerate(vals):
                p = cells[i].paragraphs[0]
                rr = p.add_run(v)
                rr.font.size = Pt(7.5 if i == 2 else 8.5)
                if i == 1:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if i == 2:
                    rr.font.name = "Consolas"
        t.autofit = False
        for row in t.rows:
            for cell, w in zip(row.cells, (3.6, 2.0, 11.0)):
                cell.width = Cm(w)
        doc.add_paragraph()
    if paper.data_notes or paper.unavailable:
        doc.add_heading("Notes on the data of this run", level=2)
        for n in paper.data_notes:
            doc.add_paragraph(n, style="List Bullet")
        for k, v in paper.unavailable.items():
            doc.add_paragraph(f"Not available from this source: {k.replace('_', ' ')}: {v}", style="List Bullet")
    doc.add_heading("Caveats", level=2)
    for c in paper.caveats:
        doc.add_paragraph(c, style="List Bullet")
    path = Path(path)
    doc.save(str(path))
    return path


# ---- HTML --------------------------------------------------------------------------------------


def _html_table(s: PaperSection, number: int) -> str:

    body = []
    for r in s.rows:
        row = [html.escape(r["label"]), html.escape(r["period"]), r["previous"], r["latest"], r["change"], r["pct"], significance_cell(r["significance"]) if r["significance"] else ""]
        if s.has_variation:
            row.append(variation_cell(r["variation"]))
        body.append(row)
    header = HEADLINE_HEADER + ([VARIATION_HEADER] if s.has_variation else [])
    return html_table(header, body, numeric={2, 3, 4, 5}, caption=f"Table {number}: {s.title}, headline figures")


def write_html(paper: Paper, path: Path) -> Path:


    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html", "j2"]))
    Markup = jinja2.utils.markupsafe.Markup
    md = mistune.create_markdown(escape=True)
    n_table = n_fig = 0
    views = []
    used = set()
    for s in paper.sections:
        anchor = _slug(s.id)
        used.add(anchor)
        view = {"s": s, "anchor": anchor, "table": None, "figures": [], "commentary": None, "prompt": section_prompt(s), "commentary_prompt": commentary_prompt(s)}
        if s.ok:
            if s.rows:
                n_table += 1
                view["table"] = Markup(_html_table(s, n_table))
            for c in s.charts:
                n_fig += 1
                view["figures"].append({"uri": c.data_uri, "alt": c.alt, "caption": f"Figure {n_fig}: {c.caption}" if c.caption else f"Figure {n_fig}"})
            if s.commentary_md:
                view["commentary"] = Markup(md(s.commentary_md))
        views.append(view)

    def extra(titles):
        out = []
        for t in titles:
            a = _slug(t)
            while a in used:
                a += "-x"
            used.add(a)
            out.append({"title": t, "anchor": a, "prompt": extra_prompt(t)})
        return out

    page = env.get_template("meeting-paper.html.j2").render(
        p=paper,
        css=pack_css(),
        print_css=Markup(print_css(paper.marking, paper.transparency)),
        sections=views,
        before=extra(paper.before),
        after=extra(paper.after),
        failed_text=FAILED_TEXT,
        commentary_label=COMMENTARY_LABEL,
        analyst=_analyst,
        inputs=[{"name": Path(str(f.get("path", ""))).name, "rows": f"{int(f['rows']):,}" if f.get("rows") is not None else "–", "sha256": str(f.get("sha256", ""))} for f in paper.inputs],
    )
    path = Path(path)
    path.write_text(offline_only(page), encoding="utf-8")
    return path


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

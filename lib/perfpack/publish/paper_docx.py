"""The draft meeting paper as Word (python-docx): title page, contents, each section's tables,
charts and commentary, marked for the analyst where words are theirs to write."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import mistune
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from perfpack.publish.index import HEADLINE_HEADER, VARIATION_HEADER, VARIATION_WORDS
from perfpack.publish.paper_content import (
    COMMENTARY_LABEL,
    DRAFT_LABEL,
    FAILED_TEXT,
    REVISIONS_TITLE,
    Paper,
    PaperSection,
    Table,
    analyst_prompt,
    commentary_prompt,
    extra_prompt,
    production_sentences,
    section_prompt,
)

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
    if not paper.final:
        d = p.add_run("DRAFT    ")
        d.bold = True
        d.font.size = Pt(10)
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
    st = doc.styles.add_style("Draft", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.paragraph_format.left_indent = Cm(0.3)
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
            alt = "".join(c.get("raw", "") for c in t.get("children") or []).strip()
            paragraph.add_run(f"[image not shown{': ' + alt if alt else ''}]")  # the paper fetches nothing
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
            mark = row.get(f"revised_{k}", "") if k in ("previous", "latest") else ""
            if mark:  # a revised figure: the words beneath its value
                r.add_break()
                m = p.add_run(mark)
                m.italic = True
                m.font.size = Pt(7.5)
    # widths that fit A4 between the margins (16.6 cm): the measure's name gets the room
    widths = [3.8, 1.9, 1.6, 1.6, 1.5, 1.4, 2.5] + ([2.3] if s.has_variation else [])
    widths[0] += 16.6 - sum(widths)
    _set_widths(table, widths)
    return table


TEXT_WIDTH_CM = 16.6  # A4 between the margins
TABLE_PT = 8.5


def _text_cm(text: str, pt: float = TABLE_PT, bold: bool = False) -> float:
    """A generous width of ``text`` in Arial at ``pt`` points (average glyph about 0.56 em,
    bold 0.6; figures and capitals are wider than the average)."""
    em = pt * 0.0353  # cm per em
    return len(text) * em * (0.62 if bold else 0.57)


def column_widths(t: Table, total: float = TEXT_WIDTH_CM, pt: float = TABLE_PT) -> list[float]:
    """Widths (cm) for a table's columns: each at least its longest word (so no word is
    broken), then the room left shared out towards each column's longest line."""

    pad = 0.42  # the cell's left and right margins, and a little to spare
    n = len(t.header)
    cells = [[t.header[j]] + [r[j] for r in t.rows] for j in range(n)]
    least = [max(max((_text_cm(w, pt, i == 0) for w in c.split()), default=0.0) for i, c in enumerate(col)) + pad for col in cells]
    want = [max(_text_cm(c, pt, i == 0) for i, c in enumerate(col)) + pad for col in cells]
    if sum(least) >= total:
        return least
    widths = least[:]
    spare = total - sum(least)
    extra = [w - m for w, m in zip(want, least)]
    if sum(extra) <= spare:
        widths = [w + e for w, e in zip(least, extra)]
        left = total - sum(widths)
        widths = [w + left * (w / sum(widths)) for w in widths]  # fill the width, in proportion
    else:
        widths = [m + spare * e / sum(extra) for m, e in zip(least, extra)]
    return widths


def _set_widths(table, widths: list[float]) -> None:
    """Fixed layout with the widths in the grid and in every cell (Word and LibreOffice
    each read one of them)."""
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    tw = OxmlElement("w:tblW")
    tw.set(qn("w:w"), str(int(sum(widths) / 2.54 * 1440)))
    tw.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(tw)
    table.autofit = False
    for col, w in zip(table.columns, widths):
        col.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Cm(w)


def _exhibit_table(doc, t: Table, number: int):
    """A table from the section page, typeset for reading: caption, one header row that
    repeats, no merged cells, numbers right-aligned, widths that break no word."""

    doc.add_paragraph(f"Table {number}: {t.caption}" if t.caption else f"Table {number}", style="Caption")
    n = len(t.header)
    widths = column_widths(t)
    pt = TABLE_PT if sum(widths) <= TEXT_WIDTH_CM + 0.01 else TABLE_PT * TEXT_WIDTH_CM / sum(widths)
    if pt != TABLE_PT:
        widths = column_widths(t, pt=pt)
    table = doc.add_table(rows=1, cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _header_row(table.rows[0])
    for j, h in enumerate(t.header):
        cell = table.rows[0].cells[j]
        p = cell.paragraphs[0]
        r = p.add_run(h)
        r.bold = True
        r.font.size = Pt(pt)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if t.numeric[j] else WD_ALIGN_PARAGRAPH.LEFT
        _shade(cell, "E8EDF2")
    for row in t.rows:
        cells = table.add_row().cells
        for j, value in enumerate(row):
            p = cells[j].paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if t.numeric[j] else WD_ALIGN_PARAGRAPH.LEFT
            sig = next((k for k in SIG_COLOURS if value.endswith(k)), None)
            r = p.add_run(value.lstrip("  ") if j else value.replace(" ", "  "))
            r.font.size = Pt(pt)
            fill = t.fill(value)
            if fill:
                _shade(cells[j], fill[0])
                r.font.color.rgb = RGBColor.from_string(fill[1])
                r.bold = True
            elif sig:
                r.font.color.rgb = RGBColor.from_string(SIG_COLOURS[sig][0])
    _set_widths(table, widths)
    for note in t.notes:
        doc.add_paragraph(note, style="Small")
    doc.add_paragraph()
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
    r = p.add_run(analyst_prompt("meeting date"))
    r.font.size = Pt(14)
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    p = centred("Published – ", 12)
    r = p.add_run(analyst_prompt("publication date"))
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    centred(f"Performance to {paper.period_end} (reporting period {paper.period})", 12)
    if paper.produced_by:
        centred(f"Produced by {paper.produced_by}", 12)
    p = centred("Dissemination authorised by ", 12)
    r = p.add_run(analyst_prompt("name and role"))
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    for _ in range(2):
        doc.add_paragraph()
    centred("This document is classified as", 12)
    centred(paper.marking, 20, True)
    centred(paper.transparency, 12)
    doc.add_paragraph()
    if not paper.final:
        centred("DRAFT", 20, True)
        note = centred(
            f"Draft generated from the pack run of {paper.finished_at}. Every figure and chart comes from that run; paragraphs marked [Analyst: ...] are for the analyst's words, and those under [Draft: ...] are the pack's sentences for the analyst to check.",
            9,
        )
        note.runs[0].italic = True
    doc.add_page_break()

    # contents: a Word TOC field, shown as a plain list until Word updates it (page numbers)
    ph = doc.add_paragraph(style="TOC Heading")
    ph.add_run("Contents")
    entries = (
        ([REVISIONS_TITLE] if paper.revisions_note else [])
        + list(paper.before)
        + [s.title for s in paper.sections]
        + list(paper.after)
        + ["Data sources and caveats"]
    )
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
    later = (
        "hdrShapeDefaults",
        "footnotePr",
        "endnotePr",
        "compat",
        "docVars",
        "rsids",
        "mathPr",
        "attachedSchema",
        "themeFontLang",
        "clrSchemeMapping",
        "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures",
        "forceUpgrade",
        "captions",
        "readModeInkLockDown",
        "smartTagType",
        "schemaLibrary",
        "shapeDefaults",
        "doNotEmbedSmartTags",
        "decimalSymbol",
        "listSeparator",
    )
    nxt = next((el for el in settings if el.tag in {qn(f"w:{t}") for t in later}), None)
    if nxt is not None:
        nxt.addprevious(upd)
    else:
        settings.append(upd)
    doc.add_page_break()

    if paper.revisions_note:
        doc.add_heading(REVISIONS_TITLE, level=1)
        doc.add_paragraph(paper.revisions_note)
        if paper.revisions_file and paper.revisions_count:
            doc.add_paragraph(
                f"Every revised figure, with its value then and now, is in the pack's {paper.revisions_file}; revised figures are marked in the tables below."
            )

    def narrative(title):
        doc.add_heading(title, level=1)
        if title in paper.narrative:
            _markdown_blocks(doc, _markdown_tokens(paper.narrative[title]), style="Normal")
        else:
            _placeholder(doc, extra_prompt(title, paper.narrative_files.get(title, "")))

    for title in paper.before:
        narrative(title)

    n_table = n_fig = 0
    for s in paper.sections:
        doc.add_heading(s.title, level=1)
        if not s.ok:
            p = doc.add_paragraph()
            r = p.add_run(f"{FAILED_TEXT} (index.html, Run status, has the error).")
            r.bold = True
            continue
        sentences = s.sentences
        if sentences:  # the pack's own sentences, the first draft of the section's text
            _placeholder(doc, DRAFT_LABEL)
            for text in sentences:
                doc.add_paragraph(text, style="Draft")
        else:
            _placeholder(doc, section_prompt(s))
        tables = s.tables
        if s.rows and not tables:
            n_table += 1
            _docx_table(doc, s, n_table)
            doc.add_paragraph()
        if not s.exhibits:
            for text in s.paragraphs:
                doc.add_paragraph(text)
        for e in s.exhibits:
            if e.kind == "table":
                n_table += 1
                _exhibit_table(doc, e.table, n_table)
            elif e.kind == "chart":
                c = e.chart
                n_fig += 1
                p = doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.keep_with_next = True
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
        narrative(title)

    doc.add_heading("Data sources and caveats", level=1)
    for sentence in production_sentences(paper):
        doc.add_paragraph(sentence)
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

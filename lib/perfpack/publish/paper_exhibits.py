"""What the meeting paper takes from a section page: the executed notebook's outputs read
in order as sentences, tables (flattened for reading) and charts
(:func:`notebook_exhibits`). Knows nothing about crime: it reads the HTML the pages write."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat

#: The classes a section page marks its output with for the paper (as
#: :class:`perfpack.pages.section.Section` writes them: ``paper_text``, ``chart(paper=False)``).
PAPER_TEXT_CLASS, NOT_IN_PAPER_CLASS = "pp-paper-text", "pp-not-in-paper"
#: Fills for cells whose text is a rating (the FMS's red, amber and green), with the text colour.
RAG_FILLS = {"Red": ("B10E1E", "FFFFFF"), "Amber": ("FFBF47", "0B0C0C"), "Green": ("00703C", "FFFFFF")}


@dataclass
class Chart:
    png: bytes
    alt: str
    caption: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Table:
    """A table from a section page, flattened for reading: one header row (a two-row header
    becomes "Jan - Dec 2019: Victims"), no merged cells, which columns hold numbers."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    notes: list[str] = field(default_factory=list)  # the lines under it on the page (what a column means)

    def fill(self, text: str) -> tuple[str, str] | None:
        return RAG_FILLS.get(text.strip())


@dataclass
class Exhibit:
    """One thing a section page shows that the paper carries, in page order: ``text`` (a
    sentence the pack wrote), ``table`` or ``chart``."""

    kind: str
    text: str = ""
    table: Table | None = None
    chart: Chart | None = None


_NUMBER = re.compile(r"^(?:[▲▼◆]\s*)?[−\-+–]?£?\d[\d,]*(?:\.\d+)?(?:%| pts| points|[kmbn]+)?$|^[<>]\d[\d,]*$|^–$|^\[c\]$|^n/a$", re.I)


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def flatten_table(caption: str, head: list[list[tuple[str, int]]], body: list[list[tuple[str, int]]]) -> Table:
    """A table as read from HTML (rows of ``(text, colspan)``) with one header row and no
    merged cells: a header over several columns is put in front of each of them
    ("Jan - Dec 2019: Victims"), a merged body cell keeps its text in its first column."""

    def expand(row, fill_span: bool):
        out = []
        for text, span in row:
            out += [text] + ([text if fill_span else ""] * (max(span, 1) - 1))
        return out

    head_rows = [expand(r, True) for r in head]
    width = max([len(r) for r in head_rows] + [len(expand(r, False)) for r in body] + [0])
    header = [""] * width
    for r in head_rows:
        for j, text in enumerate(r + [""] * (width - len(r))):
            if text and text != header[j]:
                header[j] = f"{header[j]}: {text}" if header[j] else text
    rows = [(lambda r: r + [""] * (width - len(r)))(expand(r, False)) for r in body]
    numeric = []
    for j in range(width):
        col = [r[j] for r in rows if r[j].strip()]
        numeric.append(bool(col) and all(_is_number(c) for c in col) and any(any(ch.isdigit() for ch in c) for c in col))
    return Table(caption=caption, header=header, rows=rows, numeric=numeric)


class _PageParser(HTMLParser):
    """A section's output, in order, as the paper takes it: sentences the pack wrote (plain
    paragraphs; not the period block, the commentary, folded breakdowns or notes), tables
    (not folded ones: ``<details>`` holds breakdowns and the figures behind a chart) with the
    notes under them, and charts (``<figure class="pp-chart">``). Anything marked
    ``pp-not-in-paper`` is passed over."""

    SKIP_CLASSES = {NOT_IN_PAPER_CLASS, "pp-period", "pp-commentary", "pp-revisions", "pp-unavailable"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []  # ("text", str) | ("note", str) | ("table", Table) | ("chart", src, alt, caption)
        self._skip = 0  # depth inside something the paper passes over
        self._stack: list[str] = []
        self._para: list[str] | None = None
        self._para_kind = "text"
        self._table: dict | None = None
        self._cell: list[str] | None = None
        self._cell_span = 1
        self._fig: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag in ("br", "img", "hr", "meta", "input"):
            if tag == "img" and self._fig is not None and self._fig.get("src") is None:
                self._fig["src"], self._fig["alt"] = a.get("src") or "", a.get("alt") or ""
            if tag == "br" and self._cell is not None:
                self._cell.append(" ")
            return
        self._stack.append(tag)
        if self._skip or tag in ("details", "style", "script") or classes & self.SKIP_CLASSES:
            self._skip += 1
            return
        if tag == "figure" and "pp-chart" in classes:
            self._fig = {"src": None, "alt": "", "cap": [], "in_cap": False}
        elif tag == "figcaption" and self._fig is not None:
            self._fig["in_cap"] = True
        elif tag == "table" and self._fig is None:
            self._table = {"caption": [], "head": [], "body": [], "section": "body", "in_caption": False, "row": None}
        elif self._table is not None:
            if tag == "caption":
                self._table["in_caption"] = True
            elif tag == "thead":
                self._table["section"] = "head"
            elif tag == "tbody":
                self._table["section"] = "body"
            elif tag == "tr":
                self._table["row"] = []
            elif tag in ("td", "th"):
                self._cell, self._cell_span = [], int(a.get("colspan") or 1)
        elif tag == "p" and self._fig is None:
            self._para = []
            self._para_kind = "note" if "pp-note" in classes else "text"
        elif tag == "small" and self._para is not None:
            self._para_kind = "note"

    def handle_endtag(self, tag):
        if tag in ("br", "img", "hr", "meta", "input"):
            return
        while self._stack:
            top = self._stack.pop()
            if self._skip:
                self._skip -= 1
                if top == tag:
                    return
                continue
            self._close(top)
            if top == tag:
                break

    def _close(self, tag):
        t = self._table
        if tag == "figcaption" and self._fig is not None:
            self._fig["in_cap"] = False
        elif tag == "figure" and self._fig is not None:
            f, self._fig = self._fig, None
            if f.get("src"):
                self.items.append(("chart", f["src"], f["alt"], " ".join("".join(f["cap"]).split())))
        elif t is not None and tag == "caption":
            t["in_caption"] = False
        elif t is not None and tag in ("td", "th") and self._cell is not None:
            if t["row"] is not None:
                t["row"].append((" ".join("".join(self._cell).split()), self._cell_span))
            self._cell = None
        elif t is not None and tag == "tr":
            if t["row"]:
                t["head" if t["section"] == "head" else "body"].append(t["row"])
            t["row"] = None
        elif t is not None and tag == "table":
            self._table = None
            head, body = t["head"], t["body"]
            if not head and body and all(len(r) and True for r in body[:1]):
                pass
            if body or head:
                cap = " ".join("".join(t["caption"]).split()).rstrip(".")
                self.items.append(("table", flatten_table(cap, head, body)))
        elif tag == "p" and self._para is not None:
            text = " ".join("".join(self._para).split())
            if text:
                self.items.append((self._para_kind, text))
            self._para = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._fig is not None:
            if self._fig["in_cap"]:
                self._fig["cap"].append(data)
        elif self._table is not None:
            if self._table["in_caption"]:
                self._table["caption"].append(data)
            elif self._cell is not None:
                self._cell.append(data)
        elif self._para is not None:
            self._para.append(data)


def _left_out(text: str, leave_out: list[str]) -> bool:
    low = text.strip().lower()
    return any(x and low.startswith(x.strip().lower()) for x in leave_out)


def notebook_exhibits(nb_path: Path, leave_out: list[str] = (), charts_limit: int | None = None) -> list[Exhibit]:
    """What a section page shows that the paper carries, in the page's order: the sentences
    the pack wrote, the tables (with the notes under them) and the charts (with alt text and
    caption). ``leave_out``: a sentence, or a table or chart whose caption (or a table's first header),
    words are passed over; ``charts_limit``: at most this many charts."""

    out: list[Exhibit] = []
    charts = 0
    for heading, text in _outputs_under_headings(nb_path):
        parser = _PageParser()
        parser.feed(text)
        parser.close()
        for item in parser.items:
            kind = item[0]
            if kind == "text":
                if not _left_out(item[1], leave_out):
                    out.append(Exhibit("text", text=item[1]))
            elif kind == "note":
                if out and out[-1].kind == "table":
                    out[-1].table.notes.append(item[1])
            elif kind == "table":
                t = item[1]
                if not t.caption:  # named by the page's heading over it
                    t.caption = heading + (", by area" if t.header and t.header[0] in ("Area", "NPA") else "")
                if _left_out(t.caption or (t.header[0] if t.header else ""), leave_out) or not t.rows:
                    continue
                out.append(Exhibit("table", table=t))
            elif kind == "chart":
                m = re.match(r"data:image/png;base64,(.*)$", item[1].strip(), re.S)
                if not m or _left_out(item[3], leave_out) or (charts_limit is not None and charts >= charts_limit):
                    continue
                charts += 1
                out.append(Exhibit("chart", chart=Chart(base64.b64decode(m.group(1)), item[2].strip(), item[3])))
    return out


def _outputs_under_headings(nb_path: Path):
    """``(heading, html)`` for each HTML output of an executed notebook, with the text of the
    last Markdown heading above it."""
    if not nb_path or not Path(nb_path).is_file():
        return
    nb = nbformat.read(str(nb_path), as_version=4)
    heading = ""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in str(cell.get("source", "")).splitlines():
                m = re.match(r"^#{2,6}\s+(.*\S)", line)
                if m:
                    heading = re.sub(r"[*_`]", "", m.group(1))
            continue
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            text = (out.get("data") or {}).get("text/html")
            if text:
                yield heading, "".join(text) if isinstance(text, list) else text

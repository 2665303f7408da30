"""The draft meeting paper (perfpack.publish.paper): Word and HTML from a small hand-made build folder,
and the runner's handling of the paper (written on a full run; a failure is recorded, flagged
on the index and gives a non-zero exit, but the pack is still published)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import zlib
from pathlib import Path

import docx
import nbformat
import pandas as pd
import pytest
from docx.oxml.ns import qn

from perfpack.config import DEFAULT_CONFIG, load_config
from perfpack.periods import Period, Window
from perfpack.publish.paper import FAILED_TEXT, notebook_charts, write_paper
from perfpack.stats.figures import count_row, to_frame, value_row

ROOT = Path(__file__).resolve().parents[2]
PERIOD = Period.parse("2020-Q4")
ALT_1 = "Line chart of alpha events per month, 2020 against 2019. In total 12,345 against 10,000 (+23%)."
ALT_2 = "Bar chart of alpha events by kind across 3 categories; the largest is kind A with 6,000."
ALT_3 = "A third chart that the paper leaves on the section page."
COMMENTARY = "Alpha events rose, **mostly in the summer**.\n\nWe are:\n\n- watching it\n- acting on it\n"


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG (so python-docx can read its size)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x12\x43\x6d" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def figure_html(alt: str, caption: str, paper: bool = True) -> str:
    uri = "data:image/png;base64," + base64.b64encode(tiny_png()).decode("ascii")
    esc = alt.replace("&", "&amp;").replace('"', "&quot;")
    return f'<figure class="pp-chart{"" if paper else " pp-not-in-paper"}"><img src="{uri}" alt="{esc}" style="max-width:100%"><figcaption>{caption}</figcaption></figure>'


def executed_notebook(path: Path, figures: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Alpha things")]
    for alt, cap in figures:
        cell = nbformat.v4.new_code_cell("s.chart(...)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>A sentence.</p>" + figure_html(alt, cap, paper=alt != ALT_3)})]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def figures_frame() -> pd.DataFrame:
    cur, prev = PERIOD.rolling_12m, PERIOD.previous_12m
    rows = [
        count_row("01-alpha", "alpha", "Alpha events", cur, prev, 12345, 10000),
        count_row("01-alpha", "alpha", "Alpha events", cur, prev, 2345, 2000, area="North"),
        value_row("01-alpha", "alpha_share", "Alpha events that were repeats (%)", cur, 33.0, 31.0, kind="share", previous_window=prev),
        value_row(
            "01-alpha",
            "alpha_losses",
            "Alpha losses (£)",
            Window.from_id("2020-01-01..2021-01-31"),
            15_800_000.0,
            17_200_000.0,
            kind="amount",
            previous_window=Window.from_id("2018-12-01..2019-12-31"),
        ),
        count_row("01-alpha", "alpha_kind_a", "Alpha events by kind: A", cur, prev, 6000, 5000) | {"category": "A"},
        count_row(
            "01-alpha", "alpha_month", "Alpha events, March 2020", Window.from_id("2020-03-01..2020-03-31"), Window.from_id("2019-03-01..2019-03-31"), 999, 888
        ),
        value_row("01-alpha", "alpha_months_outside", "Alpha: months outside the usual range", cur, 4, kind="months"),
        count_row("02-beta", "beta", "Beta events", cur, prev, 777, 700),
    ]
    rows[0]["variation"] = "concern"
    frame = to_frame(rows)
    # as the runner holds it: read back from the sections' CSV files as text
    return frame.astype(str).replace({"None": "", "nan": ""})


@pytest.fixture
def build(tmp_path):
    """A run's build folder (a section that ran, one that failed), a force profile in a folder
    of its own with its commentary in it, the manifest and the figures."""
    proj = tmp_path / "proj"
    (proj / "profiles" / "alpha").mkdir(parents=True)
    shutil.copy(DEFAULT_CONFIG, proj / "profiles" / "alpha" / "pack.yaml")
    (proj / "profiles" / "alpha" / "commentary" / PERIOD.id).mkdir(parents=True)
    (proj / "profiles" / "alpha" / "commentary" / PERIOD.id / "01-alpha.md").write_text(COMMENTARY, encoding="utf-8")
    config = load_config(proj / "profiles" / "alpha" / "pack.yaml")
    b = tmp_path / "build"
    executed_notebook(
        b / "notebooks" / "01-alpha.ipynb", [(ALT_1, "Alpha events per month, 2020 against 2019."), (ALT_2, "Alpha events by kind, 2020."), (ALT_3, "Third.")]
    )
    executed_notebook(b / "notebooks" / "02-beta.ipynb", [])
    manifest = {
        "period": PERIOD.id,
        "parameters": {"source": "canonical", "data_dir": "/data", "force": ""},
        "started_at": "2021-02-01T09:00:00+00:00",
        "finished_at": "2021-02-01T09:02:30+00:00",
        "code_version": {"perfpack": "0.1.0", "classification": "sha256:abcdef", "git_commit": "0123456789ab", "git_dirty": False},
        "inputs": [{"path": "/data/crimes.csv", "sha256": "ab" * 32, "rows": 43210}],
        "data_notes": ["A note about the data from the run."],
        "unavailable": {"victim_age": "not in this source"},
        "sections": [
            {"id": "01-alpha", "title": "Alpha things", "status": "ok", "error": None, "html": "01-alpha.html", "notebook": "notebooks/01-alpha.ipynb"},
            {
                "id": "02-beta",
                "title": "Beta things",
                "status": "failed",
                "error": "ValueError: the beta table is empty",
                "html": "02-beta.html",
                "notebook": "notebooks/02-beta.ipynb",
            },
        ],
    }
    docx_path, html_path = write_paper(b, manifest, figures_frame(), config, PERIOD)
    return {"dir": b, "docx": docx_path, "html": html_path, "config": config, "manifest": manifest}


def paragraphs(doc) -> list:
    return list(doc.paragraphs)


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_texts(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def section_paragraphs(doc, title: str) -> list:
    """The paragraphs from the Heading 1 ``title`` to the next Heading 1."""
    out, inside = [], False
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            if inside:
                break
            inside = p.text == title
            continue
        if inside:
            out.append(p)
    return out


# ---- Word ----------------------------------------------------------------------------------------


def test_docx_and_html_are_written(build):
    assert build["docx"] == build["dir"] / "meeting-paper.docx" and build["docx"].stat().st_size > 5000
    assert build["html"] == build["dir"] / "meeting-paper.html"


def test_docx_title_page(build):
    doc = docx.Document(str(build["docx"]))
    t = texts(doc)
    cfg = build["config"]
    first_page = t[: t.index("Contents")]
    assert cfg.force_name.upper() in first_page and cfg.meeting_title in first_page
    assert "[Analyst: meeting date]" in first_page, "the meeting date is left for the analyst, never invented"
    assert any(x.startswith("Published – [Analyst:") for x in first_page)
    assert f"Produced by {cfg.produced_by}" in first_page
    assert "Performance to 31 December 2020 (reporting period 2020-Q4)" in first_page
    assert "This document is classified as" in first_page and cfg.protective_marking in first_page and cfg.transparency in first_page
    assert doc.core_properties.title.startswith(cfg.force_name)


def test_docx_marking_in_header_and_footer_of_every_page(build):
    doc = docx.Document(str(build["docx"]))
    cfg = build["config"]
    assert len(doc.sections) == 1, "one section: one header and footer for every page"
    sec = doc.sections[0]
    assert not sec.different_first_page_header_footer
    for part in (sec.header, sec.footer):
        text = " ".join(p.text for p in part.paragraphs)
        assert cfg.protective_marking in text and cfg.transparency in text
    assert "PAGE" in "".join(sec.footer._element.itertext()), "page number field in the footer"


def test_docx_contents_is_a_toc_field_listing_every_heading(build):
    doc = docx.Document(str(build["docx"]))
    body = doc.element.body
    instr = " ".join(e.text for e in body.iter(qn("w:instrText")))
    assert "TOC" in instr
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Foreword",
        "Alpha things",
        "Beta things",
        "Risks, issues and opportunities",
        "HMICFRS and inspection update",
        "Data sources and caveats",
    ]
    t = texts(doc)
    start = t.index("Contents")
    assert [x for x in t[start + 1 : start + 1 + len(headings)]] == headings, "the contents list (the TOC field's shown result)"


def test_docx_headline_table_has_the_run_figures(build):
    doc = docx.Document(str(build["docx"]))
    tables = table_texts(doc)
    alpha = tables[0]
    assert alpha[0][:7] == ["Measure", "Period", "Previous", "Latest", "Change", "% change", "Significance"]
    by_label = {r[0]: r for r in alpha[1:]}
    f = figures_frame()
    pct = float(f[(f["key"] == "alpha") & (f["area"] == "Force")]["pct_change"].iloc[0])  # rate-adjusted: 2020 has 366 days
    assert by_label["Alpha events"][1:6] == ["2020", "10,000", "12,345", "+2,345", f"{pct:+.1f}%"]
    assert by_label["Alpha events"][6] == "▲ significant increase"
    assert by_label["Alpha events"][7] == "Concern (special cause)"
    assert by_label["Alpha events that were repeats (%)"][2:5] == ["31.0%", "33.0%", "+2.0 pts"]
    assert by_label["Alpha losses (£)"][1:5] == ["Jan 2020 – Jan 2021", "£17.2m", "£15.8m", "−£1.4m"]
    assert "Alpha events by kind: A" not in by_label, "category breakdowns stay on the section page"
    assert "Alpha events, March 2020" not in by_label, "single months stay on the section page"
    assert not any("months outside" in k for k in by_label)
    assert "2,345" not in [r[3] for r in alpha[1:]], "NPA rows are not headline rows"
    # header row repeats on every page and is marked as the header
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # numbers right-aligned
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    assert doc.tables[0].rows[1].cells[3].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_docx_charts_carry_the_library_alt_text_and_captions(build):
    doc = docx.Document(str(build["docx"]))
    pics = list(doc.element.body.iter(qn("wp:docPr")))
    assert [p.get("descr") for p in pics] == [ALT_1, ALT_2], (
        "the charts for the paper (not the one marked pp-not-in-paper), with the alt text the library wrote"
    )
    assert len(doc.inline_shapes) == 2
    t = texts(doc)
    assert "Figure 1: Alpha events per month, 2020 against 2019." in t
    assert "Figure 2: Alpha events by kind, 2020." in t
    assert not any("Third." in x for x in t)


def test_docx_commentary_is_marked_and_keeps_its_structure(build):
    doc = docx.Document(str(build["docx"]))
    alpha = section_paragraphs(doc, "Alpha things")
    labels = [p for p in alpha if p.style.name == "Commentary Label"]
    assert len(labels) == 1 and labels[0].text.startswith("Commentary")
    body = [p for p in alpha if p.style.name == "Commentary"]
    assert [p.text for p in body] == ["Alpha events rose, mostly in the summer.", "We are:", "• watching it", "• acting on it"]
    bold = [r.text for r in body[0].runs if r.bold]
    assert bold == ["mostly in the summer"]


def test_docx_analyst_placeholders_are_marked(build):
    doc = docx.Document(str(build["docx"]))
    analyst = [p for p in doc.paragraphs if p.style.name == "Analyst"]
    assert analyst and all(p.text.startswith(("[Analyst: ", "[Draft: ")) and p.text.endswith("]") for p in analyst)
    alpha = section_paragraphs(doc, "Alpha things")
    assert alpha[0].style.name == "Analyst" and alpha[0].text.startswith("[Draft: "), "the pack's sentences come first in a section, marked as a draft"
    assert alpha[1].text == "A sentence." and alpha[1].style.name == "Draft"
    assert not any(p.text.startswith("[Analyst: what these figures show") for p in alpha), "the pack wrote sentences: no bare placeholder"
    assert not any("force lead response" in p.text for p in alpha if p.style.name == "Analyst"), "commentary exists: no placeholder for it"
    assert any(p.text.startswith("[Analyst: Foreword") for p in analyst)


def test_docx_failed_section_says_so_instead_of_content(build):
    doc = docx.Document(str(build["docx"]))
    beta = section_paragraphs(doc, "Beta things")
    assert len(beta) == 1 and beta[0].text.startswith(FAILED_TEXT)
    assert "ValueError" not in beta[0].text, "the error (it may carry paths) is on the index, not in the paper"
    assert len(doc.tables) == 1, "the alpha table; nothing for beta (the input files are in the evidence pack)"
    assert not any("777" in c for t in table_texts(doc) for r in t for c in r), "no figures from a failed section"


def test_docx_closing_note_has_sources_hashes_code_and_caveats(build):
    doc = docx.Document(str(build["docx"]))
    closing = section_paragraphs(doc, "Data sources and caveats")
    text = "\n".join(p.text for p in closing)
    assert "produced on 1 February 2021 by the force's performance pack (version 0.1.0, commit 0123456789ab)" in text
    assert "own records" in text and "canonical" not in text
    assert "sha" not in text.lower() and "ab" * 32 not in text, "hashes stay in the evidence pack"
    bullets = [p.text for p in closing if p.style.name == "List Bullet"]
    caveats = build["config"].raw["paper"]["caveats"]
    assert all(c in bullets for c in caveats), "caveats from the configuration"
    assert any("95% level" in b for b in bullets), "the significance rule, from the configuration"
    assert not any("docs/" in b for b in bullets), "no repository paths in a public paper"
    assert "A note about the data from the run." in bullets and any("victim age" in b for b in bullets)


# ---- HTML ----------------------------------------------------------------------------------------


def test_html_has_the_same_content(build):
    page = build["html"].read_text(encoding="utf-8")
    cfg = build["config"]
    assert page.count(cfg.protective_marking) >= 2 and page.count(cfg.transparency) >= 2
    assert re.search(r'<header class="pp-marking"', page) and re.search(r'<footer class="pp-marking"', page)
    assert "[Analyst: meeting date]" in page and cfg.meeting_title in page
    for h in ("Foreword", "Alpha things", "Beta things", "Data sources and caveats"):
        m = re.search(rf"<h2 id=\"([^\"]+)\">{re.escape(h)}</h2>", page)
        assert m, h
        assert f'<li><a href="#{m.group(1)}">{h}</a>' in page, f"contents links to {h}"
    assert '<a href="#02-beta">Beta things</a> <span class="pp-status-failed">(failed in this run)</span>' in page
    for n in ("10,000", "12,345", "+2,345", "31.0%", "+2.0 pts", "−£1.4m"):
        assert f">{n}<" in page, n
    assert "Alpha events by kind: A" not in page
    alts = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', page)
    assert [a.replace("&#43;", "+") for a in alts] == [ALT_1, ALT_2]
    assert "<figcaption>Figure 1: Alpha events per month, 2020 against 2019.</figcaption>" in page
    assert '<aside class="pp-commentary"' in page and "<strong>mostly in the summer</strong>" in page
    assert f'{FAILED_TEXT}:</b> <a href="index.html#status-02-beta">' in page
    assert "ab" * 32 not in page and "version 0.1.0, commit 0123456789ab" in page and "canonical" not in page
    assert 'href="01-alpha.html"' in page, "links to the full section page"


def test_html_works_offline_and_its_style_sheet_is_not_escaped(build):
    page = build["html"].read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", page)
    style = page[page.index("<style") : page.index("</style>")]
    assert "&#34;" not in style and "&quot;" not in style, "the style sheet is inlined as CSS, not HTML-escaped"
    assert "@page" in style and "@top-center" in style, "the marking in the margin of every printed page"


# ---- parts -----------------------------------------------------------------------------------------


def test_notebook_charts_reads_figures_in_order(tmp_path):
    nb = tmp_path / "n.ipynb"
    executed_notebook(nb, [('First & best "chart"', "Cap <one>"), ("Second", "")])
    charts = notebook_charts(nb, limit=5)
    assert [c.alt for c in charts] == ['First & best "chart"', "Second"]
    assert charts[0].png == tiny_png()
    assert notebook_charts(tmp_path / "missing.ipynb") == []


def test_no_commentary_gives_a_placeholder_naming_the_file(build, tmp_path):
    (build["config"].path.parent / "commentary" / PERIOD.id / "01-alpha.md").unlink()
    docx_path, html_path = write_paper(build["dir"], build["manifest"], figures_frame(), build["config"], PERIOD)
    doc = docx.Document(str(docx_path))
    alpha = section_paragraphs(doc, "Alpha things")
    assert not [p for p in alpha if p.style.name.startswith("Commentary")]
    assert any(p.style.name == "Analyst" and "commentary/2020-Q4/01-alpha.md" in p.text for p in alpha)
    assert "commentary/2020-Q4/01-alpha.md" in html_path.read_text(encoding="utf-8")


# ---- in the runner -----------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.xdist_group("pack")
def test_full_run_writes_the_paper_and_links_it(pack_run):
    out = pack_run["out"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["paper"]["status"] == "ok"
    assert (out / "meeting-paper.docx").is_file() and (out / "meeting-paper.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="meeting-paper.html"' in index and 'href="meeting-paper.docx"' in index
    doc = docx.Document(str(out / "meeting-paper.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    for s in m["sections"]:
        assert s["title"] in headings
    assert len(doc.inline_shapes) >= len([s for s in m["sections"] if s["status"] == "ok"])
    assert all(p.get("descr") and len(p.get("descr")) > 40 for p in doc.element.body.iter(qn("wp:docPr")))


def _section_notebook(path: Path, body: str) -> None:
    from perfpack.parameters import NOTEBOOK_PARAMETERS

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "perfpack", "display_name": "Python (perfpack)", "language": "python"}
    p = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in NOTEBOOK_PARAMETERS.items()))
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), p, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, str(path))


@pytest.mark.e2e
def test_a_paper_that_cannot_be_made_publishes_nothing_and_leaves_the_earlier_pack(tiny_dir, tmp_path, monkeypatch):
    """Publishing is all or nothing: without its paper the pack is not published, the earlier
    pack stays byte for byte, and the run ends non-zero with words."""
    import perfpack.publish.paper
    from perfpack.execution.runner import NotPublished, run

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _section_notebook(
        nbs / "01-fine.ipynb",
        'from perfpack.pages.section import Section\ns = Section("01-fine", period=period, data_dir=data_dir, source=source, force=force, config_path=config_path, figures_dir=figures_dir)\ns.say("fine")\ns.save()',
    )
    good = run("2020-Q1", data_dir=tiny_dir, out_dir=tmp_path / "out", notebooks_dir=nbs, progress=False, workers=1)
    assert good.exit_code == 0
    before = {p.relative_to(good.out_dir): p.read_bytes() for p in sorted(good.out_dir.rglob("*")) if p.is_file()}

    def broken(*a, **k):
        raise RuntimeError("the Word template is missing")

    monkeypatch.setattr(perfpack.publish.paper, "write_paper", broken)
    with pytest.raises(NotPublished) as e:
        run("2020-Q1", data_dir=tiny_dir, out_dir=tmp_path / "out", notebooks_dir=nbs, progress=False, workers=1)
    assert e.value.exit_code == 1
    assert "The draft meeting paper could not be made (RuntimeError: the Word template is missing); nothing was published" in str(e.value)
    assert {p.relative_to(good.out_dir): p.read_bytes() for p in sorted(good.out_dir.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2020-Q1"], "no build folder, lock or swap left"


# ---- exhibits from the page: tables as the seed lays them out, typeset for reading ----------------

REPEAT_TABLE = (
    '<table class="pp-table"><caption>Domestic abuse repeat victims</caption><thead>'
    '<tr><th></th><th colspan="2">Jan - Dec 2019</th><th colspan="2">Jan - Dec 2020</th><th colspan="2">Change</th></tr>'
    "<tr><th>Domestic Abuse</th><th>Victims</th><th>% of Repeats</th><th>Victims</th><th>% of Repeats</th><th>Volume</th><th>Percentage</th></tr></thead>"
    "<tbody><tr><td>Repeat Victims</td><td>5,004</td><td>31%</td><td>4,991</td><td>33%</td><td>-13</td><td>-0.3%</td></tr></tbody></table>"
    '<p class="pp-note">Distinct domestic abuse victims (repeat or not): 16,142 in Jan - Dec 2019, 15,124 in Jan - Dec 2020.</p>'
)
RAG_TABLE = (
    '<style>#T_risk td {color: red}</style><table id="T_risk"><caption>Strategic risk assessment summary.</caption><thead><tr><th>Ref</th><th>Area or sub-area</th><th>Rating</th><th>Against baseline</th><th>Score</th></tr></thead>'
    "<tbody><tr><td>1</td><td>Finance</td><td>Amber</td><td>◆ the same</td><td>24</td></tr><tr><td>3a</td><td>Responding to the Public - Requests for Service</td><td>Red</td><td>▲ increased</td><td>48</td></tr></tbody></table>"
)
FOLDED = '<details><summary>By NPA</summary><table class="pp-table"><thead><tr><th>Area</th><th>2019</th></tr></thead><tbody><tr><td>Folded</td><td>1</td></tr></tbody></table></details>'


@pytest.fixture
def exhibits_build(tmp_path):
    """A build folder whose one section shows a sentence, the repeat-victims table, the RAG
    table and a folded breakdown; the analyst's foreword in paper/ beside pack.yaml."""
    proj = tmp_path / "proj"
    (proj / "config" / "paper").mkdir(parents=True)
    text = Path(DEFAULT_CONFIG).read_text(encoding="utf-8")
    (proj / "config" / "pack.yaml").write_text(text, encoding="utf-8")
    (proj / "config" / "paper" / "foreword.md").write_text("Crime fell by **a fifth** in the Covid-19 period.\n", encoding="utf-8")
    b = tmp_path / "build"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Gamma\n\n## Repeat victims")]
    cell = nbformat.v4.new_code_cell("s.show(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<p>Repeat victims fell by less than 1% (from 5,004 to 4,991).</p>" + REPEAT_TABLE + FOLDED + RAG_TABLE}
        )
    ]
    nb.cells.append(cell)
    (b / "notebooks").mkdir(parents=True)
    nbformat.write(nb, str(b / "notebooks" / "03-gamma.ipynb"))
    manifest = {
        "period": PERIOD.id,
        "parameters": {"source": "canonical"},
        "finished_at": "2021-02-01T09:02:30+00:00",
        "code_version": {"perfpack": "0.1.0", "git_commit": "0123456789ab"},
        "sections": [{"id": "03-gamma", "title": "Gamma things", "status": "ok", "html": "03-gamma.html", "notebook": "notebooks/03-gamma.ipynb"}],
    }

    def write(final: bool = False):
        (proj / "config" / "pack.yaml").write_text(text.replace("final: false", f"final: {str(final).lower()}"), encoding="utf-8")
        config = load_config(proj / "config" / "pack.yaml")
        return write_paper(b, manifest, figures_frame().iloc[0:0], config, PERIOD)

    return write


def test_docx_carries_the_page_tables_flattened_for_reading(exhibits_build):
    docx_path, html_path = exhibits_build()
    doc = docx.Document(str(docx_path))
    tables = table_texts(doc)
    assert len(tables) == 2, "the repeat-victims and RAG tables; the folded breakdown stays on the page"
    repeat, rag = tables
    assert repeat == [
        [
            "Domestic Abuse",
            "Jan - Dec 2019: Victims",
            "Jan - Dec 2019: % of Repeats",
            "Jan - Dec 2020: Victims",
            "Jan - Dec 2020: % of Repeats",
            "Change: Volume",
            "Change: Percentage",
        ],
        ["Repeat Victims", "5,004", "31%", "4,991", "33%", "-13", "-0.3%"],
    ], "one header row, no merged cells, the seed's layout"
    assert rag[1] == ["1", "Finance", "Amber", "◆ the same", "24"] and rag[2][2] == "Red"
    t = doc.tables[0]
    trs = t._tbl.findall(qn("w:tr"))
    assert [tr.find(qn("w:trPr")) is not None and tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None for tr in trs] == [True, False], (
        "one header row, repeated"
    )
    assert not t._tbl.xpath(".//w:gridSpan") and not t._tbl.xpath(".//w:vMerge"), "no merged cells"
    grid = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.findall(qn("w:gridCol"))]
    cells = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in trs[1].findall(qn("w:tc"))]
    assert len(grid) == 7 and all(grid) and cells == grid, "widths in the grid and in each cell"
    assert t._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    align = [c.paragraphs[0].alignment for c in t.rows[1].cells]
    assert align[0] in (None, 0) and all(a == 2 for a in align[1:]), "names left, numbers right"
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert "Table 1: Domestic abuse repeat victims" in captions and "Table 2: Strategic risk assessment summary" in captions
    assert any("16,142 in Jan - Dec 2019" in p.text for p in doc.paragraphs), "the note under the table"
    fill = doc.tables[1].rows[1].cells[2]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fill == "FFBF47", "Amber on amber, the word as well as the colour"
    page = html_path.read_text(encoding="utf-8")
    assert ">Jan - Dec 2019: Victims<" in page and ">5,004<" in page and "Folded" not in page


def test_paper_offers_the_pack_sentences_and_places_the_analyst_sections(exhibits_build):
    docx_path, html_path = exhibits_build()
    doc = docx.Document(str(docx_path))
    gamma = section_paragraphs(doc, "Gamma things")
    assert gamma[0].text.startswith("[Draft: ") and gamma[1].text == "Repeat victims fell by less than 1% (from 5,004 to 4,991)."
    assert not any(p.text.startswith("[Analyst: what these figures show") for p in gamma)
    foreword = section_paragraphs(doc, "Foreword")
    assert [p.text for p in foreword] == ["Crime fell by a fifth in the Covid-19 period."], "the analyst's foreword from paper/foreword.md beside pack.yaml"
    risks = section_paragraphs(doc, "Risks, issues and opportunities")
    assert (
        risks[0].text.startswith("[Analyst: Risks, issues and opportunities, to be written")
        and "config/paper/risks-issues-and-opportunities.md" in risks[0].text
    )
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert (
        headings.index("Foreword")
        < headings.index("Gamma things")
        < headings.index("Risks, issues and opportunities")
        < headings.index("HMICFRS and inspection update")
    )
    page = html_path.read_text(encoding="utf-8")
    assert "<strong>a fifth</strong>" in page and "Repeat victims fell by less than 1%" in page


def test_paper_says_draft_until_final(exhibits_build):
    docx_path, html_path = exhibits_build()
    doc = docx.Document(str(docx_path))
    assert doc.sections[0].header.paragraphs[0].text.startswith("DRAFT") and "DRAFT" in texts(doc)
    assert "DRAFT" in html_path.read_text(encoding="utf-8")
    docx_path, html_path = exhibits_build(final=True)
    doc = docx.Document(str(docx_path))
    assert "DRAFT" not in doc.sections[0].header.paragraphs[0].text and "DRAFT" not in texts(doc)
    assert "DRAFT" not in html_path.read_text(encoding="utf-8")

"""The meeting paper of the demo 2020-Q4 run: the seed's exhibits with their known answers,
public wording, and the Word draft rendered by LibreOffice with no word broken in a table cell.

One LibreOffice conversion serves the module (it takes several seconds); the rendering tests
are skipped, saying why, where LibreOffice or pdftotext is not installed (``.ci/run`` installs
them)."""

from __future__ import annotations

import shutil
import subprocess

import docx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def paper(pack_run):
    assert pack_run["proc"].returncode == 0, pack_run["proc"].stderr[-2000:]
    path = pack_run["out"] / "meeting-paper.docx"
    doc = docx.Document(str(path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    text = "\n".join(p.text for p in doc.paragraphs)
    return {"path": path, "doc": doc, "tables": tables, "text": text, "html": (pack_run["out"] / "meeting-paper.html").read_text(encoding="utf-8")}


def _table(paper, first_header: str, contains: str = ""):
    found = [t for t in paper["tables"] if t and t[0][0] == first_header and (not contains or any(contains in c for r in t for c in r))]
    assert found, f"a table headed {first_header!r}"
    return found[0]


def test_rag_table_with_its_rating_words_and_key(paper):
    rag = _table(paper, "Ref")
    assert rag[0] == ["Ref", "Area or sub-area", "Rating", "Against baseline", "Score", "Baseline score", "Baseline rating"]
    assert ["1", "Finance", "Amber", "◆ the same", "24", "24", "Amber"] in rag
    assert any(r[2] == "Red" and r[3].startswith("▲") for r in rag[1:])
    key = _table(paper, "Symbol")
    assert ["Red", "score 48 or more"] in key and ["▲", "Risk increased"] in key


def test_repeat_victims_as_the_seed_lays_them_out(paper):
    t = _table(paper, "Domestic Abuse")
    assert t[0][1:] == [
        "Jan - Dec 2019: Victims",
        "Jan - Dec 2019: % of Repeats",
        "Jan - Dec 2020: Victims",
        "Jan - Dec 2020: % of Repeats",
        "Change: Volume",
        "Change: Percentage",
    ]
    assert t[1][:5] == ["Repeat Victims", "5,004", "31%", "4,991", "33%"]


def test_covid_periods_area_table_and_foreword_figures(paper):
    covid = _table(paper, "Measure", "All crime")
    assert covid[0][1].startswith("Covid-19 period") and any(r[0] == "ASB incidents" for r in covid)
    foreword = _table(paper, "Crime type", "Domestic burglary")
    assert foreword[1][:5] == ["Domestic burglary", "2,790", "1,929", "\u2212861", "\u221230.9%"]
    area = _table(paper, "Area", "Stoke-on-Trent")
    assert area[1][0] == "Force" and len(area) >= 10


def test_every_chart_has_alt_text_and_a_caption(paper):
    from docx.oxml.ns import qn

    alts = [p.get("descr") for p in paper["doc"].element.body.iter(qn("wp:docPr"))]
    assert len(alts) >= 20 and all(alts)
    for words in ("fixed penalty notices", "Covid-19 related incidents", "age group", "disseminated"):
        assert any(words.lower() in a.lower() for a in alts), words


def test_public_wording(paper):
    text = paper["text"] + paper["html"]
    assert "All crime fell by 18% (from 85,261 to 70,270), a statistically significant decrease." in paper["text"]
    assert "[Draft: " in paper["text"] and "[Analyst: what these figures show" not in paper["text"], "the pack's sentences, not bare placeholders"
    assert "sha256" not in text.lower() and "SHA-256" not in text
    assert "docs/caveats.md" not in text and "source 'canonical'" not in text and "breakdowns by area and month" not in text
    assert "DRAFT" in paper["text"]


# ---- rendered by LibreOffice ---------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def rendered(paper, tmp_path_factory):
    if not SOFFICE or not PDFTOTEXT:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed: apt-get install libreoffice-writer-nogui poppler-utils (.ci/run does)")
    out = tmp_path_factory.mktemp("paper-pdf")
    profile = out / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(paper["path"])],
        capture_output=True,
        timeout=300,
        check=True,
    )
    pdf = out / "meeting-paper.pdf"
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, timeout=120, check=True).stdout
    return {"pdf": pdf, "text": text}


def test_no_word_is_broken_inside_a_table_cell(paper, rendered):
    doc = paper["doc"]
    cell_words = {w for t in paper["tables"] for r in t for c in r for w in c.split()}
    words = set(cell_words)
    for p in doc.paragraphs:
        words.update(p.text.split())
    for s in doc.sections:
        for p in s.header.paragraphs + s.footer.paragraphs:
            words.update(p.text.split())
    broken = sorted(
        {
            tok
            for tok in rendered["text"].split()
            if tok not in words and not tok.isdigit() and any(w != tok and len(w) > len(tok) and (w.startswith(tok) or w.endswith(tok)) for w in cell_words)
        }
    )
    assert not broken, f"words split across lines in a table cell of {rendered['pdf']}: {broken[:20]}"


def test_the_rendered_paper_reads_the_run(rendered):
    assert "5,004" in rendered["text"] and "4,991" in rendered["text"] and "DRAFT" in rendered["text"]

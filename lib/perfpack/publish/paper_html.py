"""The draft meeting paper as one offline HTML page, following the Word draft's content."""

from __future__ import annotations

import html
from pathlib import Path

import jinja2

from perfpack.present.markdown import to_html as markdown_html
from perfpack.present.tables import html_table, significance_cell
from perfpack.publish.export import TEMPLATES, csp_meta, offline_only, pack_css, print_css, slug
from perfpack.publish.index import HEADLINE_HEADER, VARIATION_HEADER, revised_cell, variation_cell
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

# ---- HTML --------------------------------------------------------------------------------------


def _html_table(s: PaperSection, number: int) -> str:

    body = []
    for r in s.rows:
        row = [
            html.escape(r["label"]),
            html.escape(r["period"]),
            revised_cell(r["previous"], r.get("revised_previous", "")),
            revised_cell(r["latest"], r.get("revised_latest", "")),
            r["change"],
            r["pct"],
            significance_cell(r["significance"]) if r["significance"] else "",
        ]
        if s.has_variation:
            row.append(variation_cell(r["variation"]))
        body.append(row)
    header = HEADLINE_HEADER + ([VARIATION_HEADER] if s.has_variation else [])
    return html_table(header, body, numeric={2, 3, 4, 5}, caption=f"Table {number}: {s.title}, headline figures")


def _exhibit_table(t: Table, number: int) -> str:
    """A table from the section page as the paper shows it: one header row, no merged cells,
    numbers right-aligned, ratings on their colour."""

    def cell(j, v):
        fill = t.fill(v)
        if fill:
            return f'<span style="background-color:#{fill[0]};color:#{fill[1]};font-weight:700;padding:0 .3em">{html.escape(v)}</span>'
        sig = next((k for k in ("significant increase", "significant decrease", "no significant change", "too few to test") if v.endswith(k)), None)
        return significance_cell(sig) if sig and v.strip("▲▼◆ ") == sig else html.escape(v)

    body = [[cell(j, v) for j, v in enumerate(r)] for r in t.rows]
    out = html_table(
        list(t.header), body, numeric={j for j, n in enumerate(t.numeric) if n}, caption=f"Table {number}: {t.caption}" if t.caption else f"Table {number}"
    )
    return out + "".join(f'<p class="pp-note"><small>{html.escape(n)}</small></p>' for n in t.notes)


def write_html(paper: Paper, path: Path) -> Path:

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html", "j2"]))
    Markup = jinja2.utils.markupsafe.Markup
    md = markdown_html  # escaped; no image fetched from anywhere
    n_table = n_fig = 0
    views = []
    used = {"revisions"}
    for s in paper.sections:
        anchor = slug(s.id)
        used.add(anchor)
        view = {
            "s": s,
            "anchor": anchor,
            "table": None,
            "figures": [],
            "exhibits": [],
            "draft": s.sentences,
            "commentary": None,
            "prompt": section_prompt(s),
            "commentary_prompt": commentary_prompt(s),
        }
        if s.ok:
            if s.rows and not s.tables:
                n_table += 1
                view["table"] = Markup(_html_table(s, n_table))
            for e in s.exhibits:
                if e.kind == "table":
                    n_table += 1
                    view["exhibits"].append(Markup(_exhibit_table(e.table, n_table)))
                elif e.kind == "chart":
                    c = e.chart
                    n_fig += 1
                    cap = f"Figure {n_fig}: {c.caption}" if c.caption else f"Figure {n_fig}"
                    view["exhibits"].append(
                        Markup(
                            f'<figure class="pp-chart"><img src="{c.data_uri}" alt="{html.escape(c.alt, quote=True)}" style="max-width:100%"><figcaption>{html.escape(cap)}</figcaption></figure>'
                        )
                    )
                    view["figures"].append({"uri": c.data_uri, "alt": c.alt, "caption": cap})
            if s.commentary_md:
                view["commentary"] = Markup(md(s.commentary_md))
        views.append(view)

    def extra(titles):
        out = []
        for t in titles:
            a = slug(t)
            while a in used:
                a += "-x"
            used.add(a)
            text = paper.narrative.get(t)
            out.append({"title": t, "anchor": a, "prompt": extra_prompt(t, paper.narrative_files.get(t, "")), "text": Markup(md(text)) if text else None})
        return out

    page = env.get_template("meeting-paper.html.j2").render(
        csp_meta=Markup(csp_meta()),  # the browser loads nothing from anywhere
        p=paper,
        css=pack_css(),
        print_css=Markup(print_css(paper.marking, paper.transparency)),
        sections=views,
        before=extra(paper.before),
        after=extra(paper.after),
        failed_text=FAILED_TEXT,
        revisions_title=REVISIONS_TITLE,
        commentary_label=COMMENTARY_LABEL,
        analyst=analyst_prompt,
        draft_label=DRAFT_LABEL,
        production=production_sentences(paper),
        inputs=[
            {"name": Path(str(f.get("path", ""))).name, "rows": f"{int(f['rows']):,}" if f.get("rows") is not None else "–", "sha256": str(f.get("sha256", ""))}
            for f in paper.inputs
        ],
    )
    path = Path(path)
    path.write_text(offline_only(page), encoding="utf-8")
    return path

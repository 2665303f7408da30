"""The draft meeting paper as one offline HTML page, following the Word draft's content."""

from __future__ import annotations

import html
from pathlib import Path

import jinja2

from perfpack.present.markdown import to_html as markdown_html
from perfpack.present.tables import html_table, significance_cell
from perfpack.publish.export import TEMPLATES, _slug, csp_meta, offline_only, pack_css, print_css
from perfpack.publish.index import HEADLINE_HEADER, VARIATION_HEADER, variation_cell
from perfpack.publish.paper_content import COMMENTARY_LABEL, FAILED_TEXT, Paper, PaperSection, analyst_prompt, commentary_prompt, extra_prompt, section_prompt

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
    md = markdown_html  # escaped; no image fetched from anywhere
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
        csp_meta=Markup(csp_meta()),  # the browser loads nothing from anywhere
        p=paper,
        css=pack_css(),
        print_css=Markup(print_css(paper.marking, paper.transparency)),
        sections=views,
        before=extra(paper.before),
        after=extra(paper.after),
        failed_text=FAILED_TEXT,
        commentary_label=COMMENTARY_LABEL,
        analyst=analyst_prompt,
        inputs=[{"name": Path(str(f.get("path", ""))).name, "rows": f"{int(f['rows']):,}" if f.get("rows") is not None else "–", "sha256": str(f.get("sha256", ""))} for f in paper.inputs],
    )
    path = Path(path)
    path.write_text(offline_only(page), encoding="utf-8")
    return path



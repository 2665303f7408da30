"""The pack's contents page: sections with links, headline figures, run status, data quality."""

from __future__ import annotations

import html
from pathlib import Path

import jinja2
import pandas as pd

from .export import TEMPLATES, pack_css, run_block
from .periods import Period
from .tables import fmt_count, fmt_pct, fmt_signed, html_table, significance_cell


def headline_rows(figures: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Force-wide rows for the 12 months to the period end, one per key, in section order."""
    if figures.empty:
        return figures
    f = figures[(figures["area"] == "Force") & (figures["window"] == period.rolling_12m.id)]
    return f.drop_duplicates("key", keep="first")


def _num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def headline_table(rows: pd.DataFrame) -> str:
    has_icon = "variation" in rows.columns
    out = []
    for r in rows.to_dict("records"):
        kind = r.get("kind") or "count"
        cur, prev = _num(r.get("current")), _num(r.get("previous"))
        if kind == "amount":
            from .tables import fmt_money

            cells = [fmt_money(prev), fmt_money(cur), fmt_money(_num(r.get("change"))) if r.get("change") not in (None, "") else "–"]
        elif kind == "share":
            cells = [fmt_pct(prev, signed=False), fmt_pct(cur, signed=False), f"{_num(r.get('change')):+.1f} pts" if _num(r.get("change")) is not None else "–"]
        else:
            cells = [fmt_count(prev), fmt_count(cur), fmt_signed(_num(r.get("change")))]
        sig = r.get("significance") or ""
        pct = "–" if sig == "too few to test" or kind == "share" else fmt_pct(_num(r.get("pct_change")))
        row = [html.escape(str(r.get("label", r["key"])))] + cells + [pct, significance_cell(sig) if sig else ""]
        if has_icon:
            row.append(html.escape(str(r.get("variation") or "")))
        out.append(row)
    header = ["Measure", "Previous 12 months", "Latest 12 months", "Change", "% change", "Significance"] + (["Variation (SPC)"] if has_icon else [])
    return html_table(header, out, numeric={1, 2, 3, 4})


def quality_table(facts: dict) -> str:
    rows = []
    for table, f in facts.items():
        nulls = ", ".join(f"{k}: {v:,}" for k, v in (f.get("nulls") or {}).items()) or "none"
        extra = ", ".join(f.get("extra_columns") or []) or "none"
        rows.append([html.escape(table), html.escape(Path(str(f.get("file", ""))).name), fmt_count(f.get("rows")), html.escape(f"{f.get('first') or '–'} to {f.get('last') or '–'}"), html.escape(nulls), html.escape(extra)])
    return html_table(["Table", "File", "Rows", "Dates", "Empty values", "Extra columns (ignored)"], rows, numeric={2})


def write_index(folder: Path, manifest: dict, figures: pd.DataFrame, config, period: Period) -> Path:
    from .runner import describe_version

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html", "j2"]))
    tmpl = env.get_template("index.html.j2")
    heads = headline_rows(figures, period)
    sections = manifest["sections"]
    info = {"period": period.id, "source": manifest["parameters"]["source"], "force": config.force_name, "files": manifest["inputs"], "code_version": describe_version(manifest["code_version"]), "started_at": manifest["started_at"], "finished_at": manifest["finished_at"]}
    page = tmpl.render(
        force=config.force_name,
        meeting=config.meeting_title,
        period=period.id,
        period_words=f"the quarter {period.start:%d %B %Y} to {period.end:%d %B %Y}, with the 12 months to {period.end:%d %B %Y} compared with the 12 months before",
        marking=config.protective_marking,
        transparency=config.transparency,
        css=pack_css(),
        sections=sections,
        failed=[s for s in sections if s["status"] != "ok"],
        headline_intro=f"Force-wide figures for the 12 months to {period.end:%d %B %Y} against the 12 months before. Each section page has the breakdown by Neighbourhood Policing Area and month.",
        headline_table=jinja2.utils.markupsafe.Markup(headline_table(heads) if not heads.empty else "<p>No headline figures: every section failed.</p>"),
        significance_note=f"A change is called significant only when an exact test says it is unlikely to be chance at the {100 * (1 - config.alpha):.0f}% level; below {config.min_count_to_test} events in the two periods together no test and no percentage are given.",
        quality_intro="What the run read, after checking every file against the data contract (data/README.md).",
        quality_table=jinja2.utils.markupsafe.Markup(quality_table(manifest.get("data_quality") or {})),
        notes=manifest.get("data_notes") or [],
        unavailable=manifest.get("unavailable") or {},
        run_block=jinja2.utils.markupsafe.Markup(run_block(info)),
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path

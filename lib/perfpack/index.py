"""The pack's contents page: sections with links, headline figures, run status, data quality."""

from __future__ import annotations

import html
from pathlib import Path

import jinja2
import pandas as pd

from .export import TEMPLATES, pack_css, run_block
from .periods import Period
from .tables import fmt_count, fmt_pct, fmt_signed, html_table, significance_cell


HEADLINE_KINDS = ("count", "amount", "share")


def _window_days(window_id: str) -> int:
    try:
        a, b = str(window_id).split("..")
        return (pd.Timestamp(b) - pd.Timestamp(a)).days
    except ValueError:
        return -1


def headline_rows(figures: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One force-wide row per key, in section order: the row for the 12 months to the period
    end where the key has one, otherwise its longest window (e.g. the 13-month fraud total
    rather than one month of it)."""
    if figures.empty:
        return figures
    f = figures[(figures["area"] == "Force") & (figures["kind"].isin(HEADLINE_KINDS))].copy()
    f["_order"] = range(len(f))
    f["_main"] = f["window"] == period.rolling_12m.id
    f["_days"] = f["window"].map(_window_days)
    best = f.sort_values(["_main", "_days"], ascending=False).drop_duplicates("key", keep="first")
    first_seen = f.drop_duplicates("key", keep="first").set_index("key")["_order"]
    best = best.assign(_first=best["key"].map(first_seen)).sort_values("_first")
    return best.drop(columns=["_order", "_main", "_days", "_first"])


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
        row = [html.escape(str(r.get("label", r["key"]))), html.escape(_window_words(r.get("window")))] + cells + [pct, significance_cell(sig) if sig else ""]
        if has_icon:
            row.append(variation_cell(r.get("variation")))
        out.append(row)
    header = ["Measure", "Period", "Previous", "Latest", "Change", "% change", "Significance"] + (["Variation (SPC, latest month)"] if has_icon else [])
    return html_table(header, out, numeric={2, 3, 4, 5})


VARIATION_WORDS = {
    "improvement": ("#12436D", "Improvement (special cause)"),
    "concern": ("#B5420E", "Concern (special cause)"),
    "common cause": ("#3D3D3D", "Common cause (no signal)"),
    "neutral special cause": ("#801650", "Special cause (neither better nor worse)"),
}


def variation_cell(icon) -> str:
    if not icon or (isinstance(icon, float) and icon != icon):
        return ""
    colour, words = VARIATION_WORDS.get(str(icon), ("#3D3D3D", str(icon)))
    return f'<span style="color:{colour};font-weight:600">{html.escape(words)}</span>'


def _window_words(window_id) -> str:
    try:
        a, b = str(window_id).split("..")
        a, b = pd.Timestamp(a), pd.Timestamp(b)
    except ValueError:
        return str(window_id or "")
    if a.month == 1 and a.day == 1 and b.month == 12 and b.day == 31 and a.year == b.year:
        return str(a.year)
    return f"{a:%b %Y} – {b:%b %Y}" if a.day == 1 else f"{a:%-d %b %Y} – {b:%-d %b %Y}"


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
        headline_intro=f"Force-wide figures, one row per measure: the 12 months to {period.end:%d %B %Y} against the 12 months before, unless the Period column says otherwise (each compared with the same dates a year earlier). Each section page has the breakdown by Neighbourhood Policing Area and by month. The variation column is the SPC reading of the latest month against limits set on the year before (NHS Making Data Count).",
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

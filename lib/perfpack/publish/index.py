"""The pack's contents page: sections with links, headline figures, run status, data quality."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import jinja2
import pandas as pd

from perfpack.periods import Period
from perfpack.present import spc_icons
from perfpack.present.tables import fmt_count, fmt_money, fmt_pct, fmt_pts, fmt_signed, html_table, significance_cell, with_sign
from perfpack.publish.export import TEMPLATES, csp_meta, pack_css, print_css, run_block
from perfpack.publish.revisions import REVISIONS_FILE, read_revisions
from perfpack.publish.run_info import describe_version
from perfpack.sources.coverage import month_words
from perfpack.stats.published import mark_words
from perfpack.stats.significance import is_missing

HEADLINE_KINDS = ("count", "amount", "share")


def _window_days(window_id: str) -> int:
    try:
        a, b = str(window_id).split("..")
        return (pd.Timestamp(b) - pd.Timestamp(a)).days
    except ValueError:
        return -1


# Shorter windows (a single month of a monthly series) are not headlines: the section page
# shows them month by month.
HEADLINE_MIN_DAYS = 88


def headline_rows(figures: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One force-wide row per key, in section order: the row for the 12 months to the period
    end where the key has one, otherwise its longest window of at least a quarter (e.g. the
    13-month fraud total rather than one month of it). Breakdowns into categories (rows with a
    ``category``) stay on the section pages. The index page and the meeting paper both use this."""
    if figures.empty:
        return figures
    f = figures[(figures["area"] == "Force") & (figures["kind"].isin(HEADLINE_KINDS))].copy()
    if "category" in f:  # rows of a breakdown (fraud types, age groups...) belong on their page
        f = f[f["category"].isna() | (f["category"].astype(str).isin(["", "nan"]))]
    if "category" in f:
        f = f[f["category"].fillna("").astype(str).str.strip() == ""]
    f["_order"] = range(len(f))
    f["_main"] = f["window"] == period.rolling_12m.id
    f["_days"] = f["window"].map(_window_days)
    f = f[f["_main"] | (f["_days"] >= HEADLINE_MIN_DAYS)]
    best = f.sort_values(["_main", "_days"], ascending=False, kind="stable").drop_duplicates("key", keep="first")
    return best.sort_values("_order", kind="stable").drop(columns=["_order", "_main", "_days"])


def _num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _signed_money(x) -> str:

    return "–" if x is None else with_sign(x, fmt_money(abs(x)))


def revision_marks(revisions: pd.DataFrame, period: str | None = None) -> dict[tuple[str, str, str], str]:
    """The words beside each revised figure (``revised since the 2020-Q3 pack (was 63,214)``)
    by ``(key, area, window)``, from a pack's ``revisions.csv``."""
    if revisions is None or revisions.empty:
        return {}
    return {(str(r["key"]), str(r["area"]), str(r["window"])): mark_words(r, period) for r in revisions.to_dict("records")}


def headline_cells(r: dict, marks: dict | None = None) -> dict:
    """One headline row as plain-text cells (the index page and the meeting paper share this):
    ``label, period, previous, latest, change, pct, significance, variation``, and
    ``revised_previous``, ``revised_latest``: the words of ``marks`` (:func:`revision_marks`)
    for a revised figure, else empty."""

    kind = r.get("kind") or "count"
    cur, prev, change = _num(r.get("current")), _num(r.get("previous")), _num(r.get("change"))
    if kind == "amount":
        cells = [fmt_money(prev), fmt_money(cur), _signed_money(change)]
    elif kind == "share":
        cells = [fmt_pct(prev, signed=False), fmt_pct(cur, signed=False), fmt_pts(change)]
    else:
        cells = [fmt_count(prev), fmt_count(cur), fmt_signed(change)]
    sig = r.get("significance") or ""
    sig = "" if is_missing(sig) else str(sig)
    pct = "–" if sig == "too few to test" or kind == "share" else fmt_pct(_num(r.get("pct_change")))
    coverage = r.get("coverage")
    if sig == "incomplete coverage" and coverage and not is_missing(coverage):
        sig = f"incomplete coverage: {coverage}"  # the words travel with the figure, to the index and the paper
    variation = r.get("variation")
    variation = "" if is_missing(variation) or not variation else str(variation)
    marks = marks or {}
    area = str(r.get("area") or "Force")
    revised = {
        f"revised_{name}": marks.get((str(r["key"]), area, str(r.get(col) or "")), "") for name, col in (("previous", "previous_window"), ("latest", "window"))
    }
    return {
        "label": str(r.get("label", r["key"])),
        "period": _window_words(r.get("window")),
        "previous": cells[0],
        "latest": cells[1],
        "change": cells[2],
        "pct": pct,
        "significance": sig,
        "variation": variation,
        "variation_direction": "" if is_missing(r.get("variation_direction")) else str(r.get("variation_direction") or ""),
        **revised,
    }


def revised_cell(value: str, words: str) -> str:
    """A table cell's value with its revision mark beneath it, as HTML (``value`` is HTML)."""
    return value + (f'<br><small class="pp-revised">{html.escape(words)}</small>' if words else "")


HEADLINE_HEADER = ["Measure", "Period", "Previous", "Latest", "Change", "% change", "Significance"]
VARIATION_HEADER = "Variation (SPC, latest month)"


def headline_table(rows: pd.DataFrame, sections: list[dict] | None = None, marks: dict | None = None) -> str:
    """The headline figures as an HTML table. With ``sections`` (the manifest's records), rows
    are grouped under each section's title, linked to its page, in the sections' order; a
    failed section gets a group row saying so, linked to its run status. ``marks``
    (:func:`revision_marks`) marks revised figures."""
    has_icon = "variation" in rows.columns
    header = HEADLINE_HEADER + ([VARIATION_HEADER] if has_icon else [])
    records = rows.to_dict("records")
    groups: list[tuple[str | None, list[dict]]] = [(None, records)]
    if sections and "section" in rows.columns:
        groups = []
        for sec in sections:
            mine = [r for r in records if r.get("section") == sec["id"]]
            title = html.escape(sec.get("title") or sec["id"])
            if sec.get("status") != "ok":
                label = f'<a href="#status-{html.escape(sec["id"])}">{title}</a> <span class="pp-status-failed">(failed in this run: see Run status)</span>'
            elif not mine:
                continue
            else:
                label = f'<a href="{html.escape(sec["html"])}">{title}</a>' if sec.get("html") else title
            groups.append((label, mine))
        known = {sec["id"] for sec in sections}
        rest = [r for r in records if r.get("section") not in known]
        if rest:
            groups.append(("Other", rest))
    out = []
    for label, recs in groups:
        if label is not None:
            out.append(["<!--group-->" + label] + [""] * (len(header) - 1))
        for r in recs:
            c = headline_cells(r, marks)
            row = [
                html.escape(c["label"]),
                html.escape(c["period"]),
                revised_cell(c["previous"], c["revised_previous"]),
                revised_cell(c["latest"], c["revised_latest"]),
                c["change"],
                c["pct"],
                significance_cell(c["significance"]) if c["significance"] else "",
            ]
            if has_icon:
                row.append(variation_cell(c["variation"], c.get("variation_direction", "")))
            out.append(row)
    table = html_table(header, out, numeric={2, 3, 4, 5})
    return re.sub(
        r"<tr><td[^>]*><!--group-->(.*?)</td>(?:<td[^>]*></td>)*</tr>",
        lambda m: f'<tr class="pp-group"><th scope="rowgroup" colspan="{len(header)}" style="text-align:left">{m.group(1)}</th></tr>',
        table,
    )


def significance_note(config) -> str:
    """How significance is called, in words, from the configuration."""
    return f"A change is called significant only when an exact test says it is unlikely to be chance at the {100 * (1 - config.alpha):.0f}% level; below {config.min_count_to_test} events in the two periods together no test and no percentage are given."


VARIATION_WORDS = {
    "improvement": ("#12436D", "Improvement (special cause)"),
    "concern": ("#B5420E", "Concern (special cause)"),
    "common cause": ("#3D3D3D", "Common cause (no signal)"),
    "neutral special cause": ("#801650", "Special cause (neither better nor worse)"),
}


def variation_cell(icon, direction="") -> str:
    """The Making Data Count icon (inline SVG with its reading as text alternative) and the
    reading in words (in dark text: MDC's own colours are too light for text)."""
    if is_missing(icon) or not icon:
        return ""
    direction = "" if is_missing(direction) else str(direction)
    colour, words = VARIATION_WORDS.get(str(icon), ("#3D3D3D", str(icon)))
    return f'{spc_icons.icon_svg(str(icon), direction)} <span style="color:{colour};font-weight:600">{html.escape(words)}</span>'


def _window_words(window_id) -> str:
    try:
        a, b = str(window_id).split("..")
        a, b = pd.Timestamp(a), pd.Timestamp(b)
    except ValueError:
        return str(window_id or "")
    if a.month == 1 and a.day == 1 and b.month == 12 and b.day == 31 and a.year == b.year:
        return str(a.year)
    return f"{a:%b %Y} – {b:%b %Y}" if a.day == 1 else f"{a:%-d %b %Y} – {b:%-d %b %Y}"


def gap_words(gaps) -> str:
    """``['2024-10', '2024-11']`` -> ``October–November 2024``; ``none`` for no gaps."""
    months = [date.fromisoformat(f"{g}-01") for g in gaps or []]
    return month_words(months) if months else "none"


def quality_table(facts: dict) -> str:
    rows = []
    for table, f in facts.items():
        nulls = ", ".join(f"{k}: {v:,}" for k, v in (f.get("nulls") or {}).items()) or "none"
        extra = ", ".join(f.get("extra_columns") or []) or "none"
        rows.append(
            [
                html.escape(table),
                html.escape(Path(str(f.get("file", ""))).name),
                fmt_count(f.get("rows")),
                html.escape(f"{f.get('first') or '–'} to {f.get('last') or '–'}"),
                html.escape(gap_words(f.get("gaps"))),
                html.escape(nulls),
                html.escape(extra),
            ]
        )
    return html_table(
        ["Table", "File", "Rows", "Dates", "Months without data (not counted as zero)", "Empty values", "Extra columns (ignored)"], rows, numeric={2}
    )


def write_index(folder: Path, manifest: dict, figures: pd.DataFrame, config, period: Period) -> Path:

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html", "j2"]))
    tmpl = env.get_template("index.html.j2")
    heads = headline_rows(figures, period)
    area_word = "district" if getattr(config, "derived", False) else getattr(config, "area_word", "Neighbourhood Policing Area")
    sections = manifest["sections"]
    revisions = manifest.get("revisions") or {}
    marks = revision_marks(read_revisions(folder / REVISIONS_FILE), period.id) if revisions.get("status") == "ok" else {}
    force = manifest.get("force") or config.force_name
    info = {
        "period": period.id,
        "source": manifest["parameters"]["source"],
        "force": force,
        "files": manifest["inputs"],
        "code_version": describe_version(manifest["code_version"]),
        "started_at": manifest["started_at"],
        "finished_at": manifest["finished_at"],
    }
    page = tmpl.render(
        csp_meta=jinja2.utils.markupsafe.Markup(csp_meta()),  # the browser loads nothing from anywhere
        force=force,
        meeting=config.meeting_title,
        period=period.id,
        period_words=f"the quarter {period.start:%d %B %Y} to {period.end:%d %B %Y}, with the 12 months to {period.end:%d %B %Y} compared with the 12 months before",
        marking=config.protective_marking,
        transparency=config.transparency,
        css=pack_css(),
        print_css=jinja2.utils.markupsafe.Markup(print_css(config.protective_marking, config.transparency)),
        sections=sections,
        failed=[s for s in sections if s["status"] != "ok"],
        headline_intro=f"Force-wide figures, one row per measure: the 12 months to {period.end:%d %B %Y} against the 12 months before, unless the Period column says otherwise (each compared with the same dates a year earlier). Each section page has the breakdown by {area_word} and by month. A figure whose windows the data do not cover in full is counted but not compared, and says so (incomplete coverage). The variation column is the SPC reading of the latest month against limits set on the year before (NHS Making Data Count).",
        headline_table=jinja2.utils.markupsafe.Markup(
            headline_table(heads, sections, marks) if not heads.empty else "<p>No headline figures: every section failed.</p>"
        ),
        significance_note=significance_note(config),
        quality_intro="What the run read, after checking every file against the data contract (data/README.md).",
        quality_table=jinja2.utils.markupsafe.Markup(quality_table(manifest.get("data_quality") or {})),
        notes=manifest.get("data_notes") or [],
        unavailable=manifest.get("unavailable") or {},
        run_block=jinja2.utils.markupsafe.Markup(run_block(info)),
        paper=manifest.get("paper") or {},
        revisions=revisions,
        revisions_file=REVISIONS_FILE,
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path

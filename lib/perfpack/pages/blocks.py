"""The generic blocks a section page is made of: a comparison table, a monthly chart with its
statistics, a breakdown by category, Covid-19 periods. They know nothing about crime: a page
module (:mod:`perfpack.pages.all_crime` and the rest) picks the events and calls them.

Each block takes the page's :class:`~perfpack.pages.section.Section`, shows what it made,
records its figures in ``s.rows`` and returns the figures it recorded as a table (a
:class:`pandas.DataFrame` of figures.csv rows), so that an analyst in JupyterLab can carry
on from it. A block whose source cannot give it says so in words and returns an empty table.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from perfpack.measures.counts import FORCE, compare_windows, in_window, monthly_counts
from perfpack.measures.coverage import compared, shortfall

# the blocks' API is one name for pages to call (blocks.available, blocks.monthly_comparison, ...):
# the shared checks live in pages/common.py, the monthly blocks in pages/monthly.py
from perfpack.pages.common import available, partial_note, recorded_since, round1, snake  # noqa: F401
from perfpack.pages.monthly import monthly_bars, monthly_comparison, monthly_split, spc_months, trend  # noqa: F401
from perfpack.pages.protect import hiding_for, protect_together  # noqa: F401 - protect_together is called as blocks.protect_together
from perfpack.pages.section import NOT_IN_PAPER, Section
from perfpack.periods import Window
from perfpack.present import charts, spc_icons, tables
from perfpack.present.section_charts import ordered_bar_chart
from perfpack.sources.coverage import month_words, whole_months, years_back
from perfpack.sources.dataset import NOT_AREAS
from perfpack.stats.disclosure import SECONDARY_LABEL, suppress
from perfpack.stats.spc import TooFewPoints, latest_icon, xmr

# ---- the blocks ---------------------------------------------------------------------------


def compare_counts(
    s: Section,
    key: str,
    label: str,
    events: pd.DataFrame,
    date_col: str,
    by: str | None = "npa",
    current: Window | None = None,
    previous: Window | None = None,
    table: str = "crimes",
    show: bool = True,
    first_col: str = "Area",
    improvement: str = "decrease",
) -> pd.DataFrame:
    """Count events in the current and previous windows, force-wide and by NPA; record the
    rows for figures.csv (small NPA counts suppressed, with secondary suppression), give
    the force row its SPC variation icon, and show the sentence and the table.

    Returns the rows it recorded (also in ``s.rows``)."""
    first_row = len(s.rows)

    current = current or s.current
    previous = previous or s.previous
    cmp = compared(s.data, table, current, previous)
    use_by = by if (by and by in events and by not in s.data.unavailable and events[by].notna().any()) else None
    counts = compare_windows(events, date_col, current, previous, by=use_by, areas=s.npas)
    hiding = hiding_for(s, key, current, counts, cmp.previous_none)
    rows = []
    for r in counts.to_dict("records"):
        prev = None if cmp.previous_none else r["previous"]
        hidden, shown_cur, shown_prev = hiding[r["area"]]
        row = s.count_row(
            key, label, current, previous, r["current"], prev, area=r["area"], suppressed=hidden, coverage=cmp.words, tested=r["area"] not in NOT_AREAS
        )
        if hidden:
            row["_display_current"] = shown_cur
            row["_display_previous"] = "–" if prev is None else shown_prev
        rows.append(row)
    spc = None
    if cmp.ok:
        spc = _variation(s, events, date_col, current, improvement, table=table)
        rows[0]["variation"] = "" if spc is None else latest_icon(spc)
        if spc is not None:
            rows[0]["variation_direction"] = str(spc["direction"].iloc[-1]) if rows[0]["variation"] != "common cause" else ""
            rows[0]["_spc"] = spc
    s.rows.extend(rows)
    if show:
        s.say(s.sentence(rows[0]))
        if cmp.previous_none and not cmp.words:
            s.unavailable(f"Comparison with {previous.short()}", f"no data for the comparison period ({shortfall(s.data, table, previous)})")
        if use_by is None and by:
            s.unavailable(f"Breakdown by {s.area_word}", s.data.unavailable.get(by, "not available from this source"))
        s.show(tables.change_table(rows, current.short(), previous.short(), first_col=first_col, threshold=s.config.disclosure_threshold))
        s.show(spc_details(rows[0], label))
    return recorded_since(s, first_row)


def spc_details(row: dict, what: str) -> str:
    """The row's variation icon (Making Data Count) with its reading in words, and its XmR
    chart one click away (folded); empty when the row has no SPC reading."""
    spc = row.get("_spc")
    icon = row.get("variation")
    if spc is None or not icon:
        return ""
    direction = row.get("variation_direction", "")
    svg, _alt = spc_icons.xmr_chart_svg(spc, what)
    reading = spc_icons.words(icon, direction)
    return (
        f'<div class="pp-variation">{spc_icons.icon_svg(icon, direction)} <b>{html.escape(what[0].upper() + what[1:])}, SPC:</b> {html.escape(reading)} (Making Data Count; limits fixed on the 12 months before the latest 12).'
        f'<details class="pp-spc"><summary>XmR chart: {html.escape(what)}, month by month</summary>'
        f'<figure class="pp-chart {NOT_IN_PAPER}">{svg}<figcaption>Points joined month by month; solid line the mean, dashed lines the process limits, both fixed on the first 12 months; special-cause months in Making Data Count\'s colours (blue an improvement, orange a concern, purple neither).</figcaption></figure></details></div>'
    )


def _variation(s: Section, events: pd.DataFrame, date_col: str, window: Window, improvement: str = "decrease", table: str = "crimes") -> pd.DataFrame | None:
    """XmR over the window and the 12 months before it, limits fixed on those earlier 12
    months; None when the data cannot give one (quarterly counts, or a month of those 24
    the data do not cover)."""
    if s.data.granularity.get("crimes") == "quarter" and date_col == "recorded_date":
        return None
    span = Window(window.year_earlier().start, window.end)
    if shortfall(s.data, table, span):
        return None
    series = monthly_counts(events, date_col, span.start, span.end)
    try:
        return xmr(series, improvement=improvement, baseline=12)
    except (TooFewPoints, ValueError):
        return None


def variation(s: Section, events: pd.DataFrame, date_col: str, window: Window, improvement: str = "decrease", table: str = "crimes") -> str:
    """SPC variation icon of the latest month: XmR over the window and the 12 months
    before it, limits fixed on those earlier 12 months (none when the data do not cover
    every one of those months)."""
    spc = _variation(s, events, date_col, window, improvement, table=table)
    return "" if spc is None else latest_icon(spc)


def covid_counted(s: Section, table: str, window: Window, previous: Window) -> tuple[Window | None, Window | None]:
    """The windows a Covid-19 period is counted over on ``table``: its own dates, or on a
    source dated by month the whole months at least half inside it (and the same months of the
    base year). ``(None, None)`` when no month is half inside it."""
    if s.data.granularity.get(table) != "month":
        return window, previous
    months = whole_months(window)
    if months is None:
        return None, None
    return months, years_back(months, window.start.year - previous.start.year)


def covid_comparison(s: Section, measures: list[tuple[str, str, pd.DataFrame | None, str, str]]) -> pd.DataFrame:
    """Each Covid-19 period against its base (the same dates a year earlier, or before the
    pandemic: the profile's ``covid.compare_with``), for several measures.

    ``measures`` holds ``(key, label, events or None, date column, table)``; a measure whose
    table the source lacks is shown as not available. On a source dated by month a period is
    counted in whole months (those at least half inside it), and the page says which. A period
    the data do not reach at all is left out (never shown as a zero); one they cover in part
    is counted but not compared (incomplete coverage).
    """
    first_row = len(s.rows)
    windows = s.period.covid_windows(s.config)
    if not windows:
        s.say(f"The Covid-19 periods in the configuration start after {s.period.end:%d %B %Y}.")
        return recorded_since(s, first_row)
    usable = [m for m in measures if m[2] is not None and s.data.has(m[4]) and s.data.granularity.get(m[4]) != "quarter"]

    def reached(table: str, w: Window, prev: Window) -> bool:
        cw, _ = covid_counted(s, table, w, prev)
        cov = s.data.coverage_of(table)
        return cw is not None and cov is not None and not cov.covers_none(cw)

    kept = [(pid, w, prev) for pid, w, prev in windows if not usable or any(reached(m[4], w, prev) for m in usable)]
    left_out = [w for pid, w, prev in windows if (pid, w, prev) not in kept]
    all_rows, body, notes = [], [], []
    for key, label, events, date_col, table in measures:
        if events is None or not s.data.has(table):
            body.append([html.escape(label)] + ['<span class="pp-na">not available from this source</span>'] * len(kept))
            continue
        if s.data.granularity.get(table) == "quarter":
            body.append([html.escape(label)] + ['<span class="pp-na">not available from this source (counts are quarterly)</span>'] * len(kept))
            continue
        cov = s.data.coverage_of(table)
        cells, counted_as = [], []
        for pid, w, prev in kept:
            cw, cp = covid_counted(s, table, w, prev)
            if cw is None:
                cells.append('<span class="pp-na">too short to count in whole months</span>')
                continue
            if cw != w:
                counted_as.append(
                    f"{w.label} ({w.describe()}): {month_words(list(pd.date_range(cw.start, cw.end, freq='MS').date))} against {month_words(list(pd.date_range(cp.start, cp.end, freq='MS').date))}"
                )
            if cov is None or cov.covers_none(cw):
                cells.append('<span class="pp-na">no data for this period</span>')
                continue
            cmp = compared(s.data, table, cw, cp)
            cur_n = int(events.loc[in_window(events, date_col, cw), "count"].sum())
            prev_n = None if cmp.previous_none else int(events.loc[in_window(events, date_col, cp), "count"].sum())
            row = s.count_row(key, f"{label}, {w.label}", cw, cp, cur_n, prev_n, coverage=cmp.words)
            row["covid_period"] = pid
            all_rows.append(row)
            marks = s.revised_mark(row, "current", f"{cur_n:,}") + ("" if prev_n is None else s.revised_mark(row, "previous", f"{prev_n:,}"))
            if cmp.words:
                cells.append(
                    f"{cur_n:,}{'' if prev_n is None else f' against {prev_n:,}'}<br><small>incomplete coverage: {html.escape(cmp.words)}</small>{marks}"
                )
            elif prev_n is None:
                cells.append(f"{cur_n:,}<br><small>no data for the comparison period</small>{marks}")
            else:
                pct = "" if row["significance"] == "too few to test" else f"<b>{tables.fmt_pct(row['pct_change'])}</b> "
                cells.append(f"{pct}({prev_n:,} → {cur_n:,})<br>{tables.significance_cell(row['significance'])}{marks}")
        body.append([html.escape(label)] + cells)
        if counted_as:
            notes.append(
                f"{label}: this source dates records to the month, so each period counts the whole months at least half inside it: "
                + "; ".join(counted_as)
                + "."
            )
    s.rows.extend(all_rows)
    if kept:
        header = ["Measure"] + [f"{w.label} ({w.describe()}; against {prev.describe()})" for _, w, prev in kept]
        s.show(tables.html_table(header, body, numeric=set(), caption="Each period against the dates given with it: " + s.config.covid_base_words))
    for note in notes:
        s.say(note)
    if left_out:
        s.say("Left out, because the data do not reach them: " + "; ".join(f"{w.label} ({w.describe()})" for w in left_out) + ".")
    return recorded_since(s, first_row)


def record_comparison(
    s: Section,
    key: str,
    label: str,
    counts: pd.DataFrame,
    current: Window | None = None,
    previous: Window | None = None,
    gap: str | None = None,
    coverage: str | None = None,
) -> list[dict]:
    """Rows for figures.csv from counts already made (columns ``area``, ``current``,
    ``previous``, the force row first): the same tests and disclosure control as
    :meth:`compare_counts` (small NPA counts hidden, with secondary suppression), for
    things that are not events in a date column (distinct victims, say). ``gap`` (words)
    means the data hold nothing for the previous window; ``coverage`` (words) that they do not
    cover the windows in full: either way no comparison is made. Returns the rows (also kept
    in :attr:`rows`); shows nothing."""

    current = current or s.current
    previous = previous or s.previous
    hiding = hiding_for(s, key, current, counts, gap)
    rows = []
    for r in counts.to_dict("records"):
        hidden, shown_cur, shown_prev = hiding[r["area"]]
        prev = None if gap else int(r["previous"])
        row = s.count_row(
            key, label, current, previous, int(r["current"]), prev, area=r["area"], suppressed=hidden, coverage=coverage, tested=r["area"] not in NOT_AREAS
        )
        if hidden:
            row["_display_current"] = shown_cur
            row["_display_previous"] = "–" if prev is None else shown_prev
        rows.append(row)
    s.rows.extend(rows)
    return rows


def _significant_in_words(rows: list[dict]) -> str:
    """One sentence on which rows of a table changed significantly (the table itself has
    every figure, so the words do not repeat it)."""

    def name(r):
        label = str(r["label"])
        return label if re.match(r"^(?:[A-Z]{2,}|[A-Z][a-z]*-\d)", label) else label[0].lower() + label[1:]

    up = [name(r) for r in rows if r.get("significance") == "significant increase"]
    down = [name(r) for r in rows if r.get("significance") == "significant decrease"]
    rest = len(rows) - len(up) - len(down)
    if not up and not down:
        return "None of these changed significantly."
    parts = ([f"{', '.join(down)} fell significantly"] if down else []) + ([f"{', '.join(up)} rose significantly"] if up else [])
    text = "; ".join(parts)
    if rest:
        text += f"; the other {rest} did not change significantly" if rest > 1 else "; the other did not change significantly"
    return text[0].upper() + text[1:] + "."


def compare_many(
    s: Section,
    items: list[tuple[str, str, pd.DataFrame]],
    date_col: str,
    table: str = "crimes",
    by: str | None = "npa",
    current: Window | None = None,
    previous: Window | None = None,
    first_col: str = "Measure",
    caption: str = "",
    improvement: str = "decrease",
) -> pd.DataFrame:
    """Several measures in one table, force-wide, one row each, with a sentence for each
    and each measure's breakdown by NPA folded beneath (the rows of every measure, force
    and NPA, go to figures.csv exactly as :meth:`compare_counts` records them).

    ``items`` holds ``(key, label, events)``."""
    first_row = len(s.rows)
    current = current or s.current
    previous = previous or s.previous
    cur_label, prev_label = current.short(), previous.short()
    force_rows, details = [], []
    for key, label, events in items:
        start = len(s.rows)
        compare_counts(s, key, label, events, date_col, by=by, current=current, previous=previous, table=table, show=False, improvement=improvement)
        rows = s.rows[start:]
        force_rows.append(rows[0])
        if len(rows) > 1:
            details.append(
                f"<details><summary>{html.escape(label)}: by {html.escape(s.area_word)}</summary>"
                + tables.change_table(rows, cur_label, prev_label, threshold=s.config.disclosure_threshold)
                + "</details>"
            )
    if not force_rows:
        return recorded_since(s, first_row)
    s.show(
        tables.change_table(force_rows, cur_label, prev_label, first_col=first_col, caption=caption, threshold=s.config.disclosure_threshold, name_key="label")
    )
    s.say(_significant_in_words(force_rows))  # the table has each row; the words say only what stands out
    s.show("".join(spc_details(r, r["label"]) for r in force_rows))
    if force_rows[0].get("coverage"):
        s.unavailable("Not compared", f"{force_rows[0]['coverage']} (incomplete coverage)")
    elif force_rows[0].get("previous") is None:
        s.unavailable(f"Comparison with {prev_label}", f"no data for the comparison period ({shortfall(s.data, table, previous)})")
    if by and not details:
        s.unavailable(f"Breakdown by {s.area_word}", s.data.unavailable.get(by, "not available from this source"))
    if details:
        s.show("".join(details))
    return recorded_since(s, first_row)


def category_breakdown(
    s: Section,
    key: str,
    what: str,
    events: pd.DataFrame,
    column: str,
    date_col: str,
    window: Window | None = None,
    previous: Window | None = None,
    table: str = "crimes",
    order: list[str] | None = None,
    missing_label: str = "Not known",
    ylabel: str = "",
) -> pd.DataFrame:
    """Counts by category (fraud type, age group, breach type...) in a window, against
    ``previous`` when given and covered by the data.

    Small categories are suppressed (primary and secondary: the force total is published),
    shown as "<threshold" and flagged ``suppressed`` in figures.csv. Shows a bar chart (in
    ``order`` when given, largest first otherwise) and the table, and records one count row
    per category, key ``<key>_<category in snake case>``."""
    first_row = len(s.rows)

    window = window or s.current
    cmp = compared(s.data, table, window, previous)
    gap = "no data" if previous is not None and cmp.previous_none else None
    cats = events[column].astype("string").fillna(missing_label).str.strip().replace("", missing_label)
    framed = events.assign(**{column: cats})
    counts = compare_windows(framed, date_col, window, previous or window, by=column, areas=order)
    counts = counts[counts["area"] != FORCE].set_index("area")
    if order is None:
        counts = counts.sort_values("current", ascending=False, kind="stable")
    has_prev = previous is not None and not gap
    cols = ["current", "previous"] if has_prev else ["current"]
    shown, mask = suppress(counts[cols], cols, threshold=s.config.disclosure_threshold, column_totals_known=True)
    rows = []
    for cat, r in counts.iterrows():
        hidden = bool(mask.loc[cat].any())
        row = s.count_row(
            f"{key}_{snake(cat)}",
            f"{what[0].upper() + what[1:]}: {cat}",
            window,
            previous,
            int(r["current"]),
            int(r["previous"]) if has_prev else None,
            suppressed=hidden,
            coverage=cmp.words,
        )
        row["category"] = str(cat)
        if hidden:  # hidden whole: a count left showing beside a hidden one would give the complement away
            labels = (f"<{s.config.disclosure_threshold}", SECONDARY_LABEL)
            row["_display_current"] = str(shown.loc[cat, "current"]) if str(shown.loc[cat, "current"]) in labels else SECONDARY_LABEL
            row["_display_previous"] = (str(shown.loc[cat, "previous"]) if str(shown.loc[cat, "previous"]) in labels else SECONDARY_LABEL) if has_prev else ""
        rows.append(row)
    s.rows.extend(rows)
    if not rows:
        s.say(f"No {what} in {window.short()}.")
        return recorded_since(s, first_row)
    values = counts["current"]
    hidden_cur = mask["current"]
    threshold = s.config.disclosure_threshold
    if order is not None:
        fig_alt = ordered_bar_chart(values, what, ylabel=ylabel, suppressed=hidden_cur, threshold=threshold)
    else:
        fig_alt = charts.bar_chart(values, what, xlabel=ylabel, suppressed=hidden_cur, threshold=threshold)
    note = f" Categories with fewer than {threshold} are shown as \u201c<{threshold}\u201d (disclosure control)." if mask.to_numpy().any() else ""
    if cmp.words:
        note += f" Not compared: {cmp.words} (incomplete coverage)."
    s.chart(fig_alt, caption=f"{what[0].upper() + what[1:]}, {window.short()}.{note}")
    if has_prev:
        body = tables.change_table(rows, window.short(), previous.short(), first_col="Category", threshold=threshold, name_key="category")
    else:
        total = int(values.sum())
        body_rows = []
        for r in rows:
            mark = r.get("_revised_current", "")
            if r["suppressed"]:
                body_rows.append([html.escape(r["category"]), html.escape(r.get("_display_current", f"<{threshold}")) + mark, "–"])
            else:
                body_rows.append(
                    [
                        html.escape(r["category"]),
                        tables.fmt_count(r["current"]) + mark,
                        tables.fmt_pct(100.0 * r["current"] / total, signed=False) if total else "–",
                    ]
                )
        body = tables.html_table(["Category", window.short(), "Share"], body_rows, numeric={1, 2})
    s.show(f"<details><summary>Figures behind the chart</summary>{body}</details>")
    return recorded_since(s, first_row)


def area_counts(
    s: Section, key: str, label: str, events: pd.DataFrame, date_col: str, window: Window, table: str, by: str = "npa", note: str = ""
) -> pd.DataFrame:
    """Counts in one window, force-wide and by NPA, with no comparison: for a measure that
    has nothing before the window to compare with (say so in ``note``). Small NPA counts
    are suppressed (primary and secondary); one count row per area goes to figures.csv."""
    first_row = len(s.rows)

    use_by = by if (by and by in events and by not in s.data.unavailable and events[by].notna().any()) else None
    counts = compare_windows(events, date_col, window, window, by=use_by, areas=s.npas).set_index("area")[["current"]]
    shown, mask = suppress(counts, ["current"], threshold=s.config.disclosure_threshold, total_row=FORCE)
    total = int(counts.loc[FORCE, "current"])
    gap = shortfall(s.data, table, window)
    words = f"{window.short()}: {gap}" if gap else None
    body = []
    for area, r in counts.iterrows():
        hidden = bool(mask.loc[area, "current"]) if area != FORCE else False
        row = s.count_row(key, label, window, None, int(r["current"]), None, area=area, suppressed=hidden, coverage=words)
        s.rows.append(row)
        mark = row.get("_revised_current", "")
        name = f"<b>{html.escape(str(area))}</b>" if area == FORCE else html.escape(str(area))
        if hidden:
            body.append([name, html.escape(str(shown.loc[area, "current"])) + mark, "–"])
        else:
            body.append([name, tables.fmt_count(r["current"]) + mark, tables.fmt_pct(100.0 * r["current"] / total, signed=False) if total else "–"])
    s.say(
        f"{label}: {total:,} in {window.short()}."
        + (f" {note}" if note else "")
        + (f" The data do not cover the whole window ({gap}): the total counts the months covered only (incomplete coverage)." if gap else "")
    )
    if use_by is None and by:
        s.unavailable(f"Breakdown by {s.area_word}", s.data.unavailable.get(by, "not available from this source"))
    s.show(tables.html_table(["Area", window.short(), "Share of force"], body, numeric={1, 2}))
    return recorded_since(s, first_row)


def show_values(s: Section, rows: list[dict], caption: str = "") -> None:
    """A small table of figures that are not counts (amounts, shares), as recorded by
    :meth:`add_value`: previous window, current window, change."""
    if not rows:
        return
    first = rows[0]
    cur_label = Window.from_id(first["window"]).short()
    prev_label = Window.from_id(first["previous_window"]).short() if first.get("previous_window") else "Previous"
    body = []
    for r in rows:
        kind = r.get("kind")
        if kind == "share":
            fmt = lambda v: "–" if v is None else tables.fmt_pct(v, signed=False)  # noqa: E731
            change = tables.fmt_pts(r.get("change"))
        elif kind == "amount":
            fmt = tables.fmt_money
            change = (
                "–"
                if r.get("change") is None
                else (
                    tables.with_sign(r["change"], tables.fmt_money(abs(r["change"])))
                    + (f" ({tables.fmt_pct(r['pct_change'])})" if r.get("pct_change") is not None else "")
                )
            )
        else:
            fmt = tables.fmt_count
            change = tables.fmt_signed(r.get("change"))
        body.append(
            [html.escape(r["label"]), fmt(r.get("previous")) + r.get("_revised_previous", ""), fmt(r.get("current")) + r.get("_revised_current", ""), change]
        )
    s.show(tables.html_table(["Measure", prev_label, cur_label, "Change"], body, numeric={1, 2, 3}, caption=caption))

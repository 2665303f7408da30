"""The monthly blocks: this year's months against last year's with the usual seasonal range or
SPC limits, plain monthly bars, SPC over a run of months, a long trend, a month split into parts."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pandas as pd

from perfpack.measures.counts import count_in, monthly_counts, this_year_vs_last
from perfpack.measures.coverage import compared
from perfpack.pages.common import RULE_WORDS, first_line, recorded_since
from perfpack.pages.gaps import blank_series, blank_uncovered
from perfpack.pages.section import Section
from perfpack.periods import Window, add_months, month_end
from perfpack.present import charts, tables
from perfpack.present.section_charts import spc_series_chart, split_comparison_chart
from perfpack.sources.coverage import month_words
from perfpack.stats.seasonal import expected_range, months_outside
from perfpack.stats.spc import TooFewPoints, xmr


def _monthly_coverage(s: Section, what: str, table: str):
    """The table's coverage when it can be shown month by month; None, with the reason said on
    the page, when the source has no such table or counts only by quarter."""
    cov = s.data.coverage_of(table)
    if cov is None:
        s.unavailable(f"Monthly {what}", s.data.why_not(table))
        return None
    if s.data.granularity.get(table) == "quarter":
        s.unavailable(f"Monthly {what}", s.data.unavailable.get("monthly", "counts in this source are quarterly"))
        return None
    return cov


def monthly_comparison(
    s: Section,
    what: str,
    events: pd.DataFrame,
    date_col: str,
    table: str = "crimes",
    ylabel: str = "per month",
    window: Window | None = None,
    key: str | None = None,
    method: str = "band",
    improvement: str = "decrease",
) -> pd.DataFrame:
    """Chart of this year's months against last year's, with the statistics behind it.

    ``method`` chooses what the chart carries (see docs/caveats.md for the choice per
    series): ``band`` draws the usual seasonal range forecast from the years before the
    window (and records the number of months outside it as ``<key>_months_outside``);
    ``spc`` draws XmR limits fixed on the previous 12 months, ringing special-cause months.
    A series too short for either gets a plain sentence instead, never a misleading chart.

    With ``key``, each month of the window is recorded too (a ``count`` row per month, window
    the month, against the same month a year earlier, as :func:`monthly_bars` records them; a
    month the data do not cover gets no row, never a zero), so that consecutive packs share
    figures and a later pack shows which months were revised (docs/revisions.md).
    """
    first_row = len(s.rows)

    window = window or s.current
    cov = _monthly_coverage(s, what, table)
    if cov is None:
        return recorded_since(s, first_row)
    gap = cov.shortfall(window)
    prev_gap = cov.shortfall(window.year_earlier())
    data = this_year_vs_last(events, date_col, window)
    if gap or prev_gap:
        data = blank_uncovered(data, cov, window)
    cur_label, prev_label = window.short(), window.year_earlier().short()
    if key:  # each month as a figure, against the same month a year earlier; an unknown month gets no row
        rows = []
        for m, cur, prev in zip(pd.to_datetime(data["current_month"]), data["current"], data["previous"]):
            mw = Window(m.date(), month_end(m.date()))
            rows.append(
                None
                if pd.isna(cur)
                else s.count_row(key, f"{what[0].upper() + what[1:]}, {m:%B %Y}", mw, mw.year_earlier(), int(cur), None if pd.isna(prev) else int(prev))
            )
        s.rows.extend(r for r in rows if r is not None)
        for measure in ("current", "previous"):  # the monthly table marks revised months
            data[f"_revised_{measure}"] = [r.get(f"_revised_{measure}") if r else None for r in rows]
    band = spc = None
    stat_note = ""
    if method == "band":
        first_full = cov.first if cov.first.day == 1 else add_months(cov.first, 1)
        history = monthly_counts(events, date_col, max(first_full, date(2000, 1, 1)), window.end)
        history = history[history.index >= pd.Timestamp(first_full)]
        before = [m for m in cov.gaps if pd.Timestamp(first_full) <= pd.Timestamp(m) < pd.Timestamp(window.start)]
        try:
            if before:
                raise ValueError(f"the years before {window.start:%B %Y} have months without data ({month_words(before)})")
            band = expected_range(blank_series(history, cov).rename(what), window.start, window.end)
            n_out = months_outside(band)
            above, below = int((band["outside"] == "above").sum()), int((band["outside"] == "below").sum())
            shown = int(band["observed"].notna().sum()) if "observed" in band else len(band)
            stat_note = f" The shaded band is the usual seasonal range (about 95%) forecast from the years before {window.start:%B %Y}; {n_out} of {shown} months{' with data' if shown < len(band) else ''} fell outside it ({below} below, {above} above)."
            if key:
                s.add_value(
                    f"{key}_months_outside",
                    f"{what[0].upper() + what[1:]}: months outside the usual seasonal range",
                    window,
                    n_out,
                    kind="months",
                    coverage=f"{cur_label}: {gap}" if gap else None,
                )
        except (TooFewPoints, ValueError) as exc:
            s.say(f"No usual seasonal range for {what}: {first_line(exc)}.")
    elif method == "spc":
        series = monthly_counts(events, date_col, window.year_earlier().start, window.end)
        try:
            if gap or prev_gap:
                raise ValueError(
                    f"the limits need every month of {prev_label} and {cur_label}, and the data do not cover them all ({'; '.join(g for g in (prev_gap, gap) if g)})"
                )
            full = xmr(series, improvement=improvement, baseline=12)
            spc = full.iloc[-len(data) :].reset_index(drop=True)
            sig = full.iloc[-len(data) :]
            fired = sorted({r for r in sig.loc[sig["signal"], "rule"] if r})
            stat_note = f" Dashed lines are SPC process limits fixed on {prev_label}; " + (
                f"{int(sig['signal'].sum())} months show special-cause variation ({', '.join(RULE_WORDS.get(r, r) for r in fired)})."
                if fired
                else "no month shows special-cause variation."
            )
        except (TooFewPoints, ValueError) as exc:
            s.say(f"No SPC limits for {what}: {first_line(exc)}.")
    fig, alt = charts.comparison_chart(data, what, cur_label, prev_label, ylabel=ylabel, band=band, spc=spc)
    notes = [f"{lab}: {g}" for lab, g in ((cur_label, gap), (prev_label, prev_gap)) if g]
    note = f" Note: {'; '.join(notes)}; months without data are left blank, and totals are given only for whole windows." if notes else ""
    s.chart((fig, alt + stat_note), caption=f"{what[0].upper() + what[1:]} per month, {cur_label} against {prev_label}." + stat_note + note)
    s.show("<details><summary>Figures behind the chart</summary>" + tables.monthly_table(data, cur_label, prev_label) + "</details>")
    return recorded_since(s, first_row)


def monthly_bars(
    s: Section, key: str, label: str, events: pd.DataFrame, date_col: str, window: Window, table: str, ylabel: str = "per month", caption: str = ""
) -> pd.DataFrame:
    """Counts per month over a window as plain bars (for a series too new or too irregular
    for a seasonal range or SPC limits: say why in ``caption``), with one count row per
    month in figures.csv (``window`` = the month), compared with the same month a year
    earlier where the data cover it."""
    first_row = len(s.rows)

    cov = s.data.coverage_of(table)
    if cov is None:
        s.unavailable(f"{label} per month", s.data.why_not(table))
        return recorded_since(s, first_row)
    series = blank_series(monthly_counts(events, date_col, window.start, window.end), cov)
    body = []
    for m, n in series.items():
        mw = Window(m.date(), month_end(m.date()), f"{m:%b %Y}")
        if pd.isna(n):  # a month the data do not cover: no row, never a zero
            body.append([f"{m:%b %Y}", "– (no data)"])
            continue
        pw = mw.year_earlier()
        prev = None if cov.covers_none(pw) else count_in(events, date_col, pw)
        row = s.count_row(key, f"{label}, {m:%B %Y}", mw, pw, int(n), prev, coverage=compared(s.data, table, mw, pw).words if prev is not None else None)
        s.rows.append(row)
        body.append([f"{m:%b %Y}", tables.fmt_count(n) + row.get("_revised_current", "")])
    gap = cov.shortfall(window)
    # the chart says "per month" itself; a name such as Covid-19 or ASB keeps its capital
    what = label if re.match(r"^(?:[A-Z]{2,}|[A-Z][a-z]*-\d)", label) else label[0].lower() + label[1:]
    fig, alt = charts.monthly_bar_chart(series, what, ylabel=ylabel)
    s.chart((fig, alt), caption=(caption or f"{label} per month, {window.short()}.") + (f" Note: {gap}; months without data are left blank." if gap else ""))
    body.append(["<b>Total</b>", "<b>–</b>" if gap else f"<b>{tables.fmt_count(series.sum())}</b>"])
    s.show("<details><summary>Figures behind the chart</summary>" + tables.html_table(["Month", label], body, numeric={1}) + "</details>")
    return recorded_since(s, first_row)


def spc_months(
    s: Section,
    what: str,
    events: pd.DataFrame,
    date_col: str,
    window: Window,
    table: str,
    improvement: str = "neutral",
    ylabel: str = "per month",
    baseline_months: int = 12,
) -> pd.DataFrame:
    """Counts per month over a window as bars, with XmR process limits fixed on the
    ``baseline_months`` before the window (for a series without a strong seasonal pattern,
    over a window other than this year against last)."""
    first_row = len(s.rows)

    cov = s.data.coverage_of(table)
    if cov is None:
        s.unavailable(f"Monthly {what}", s.data.why_not(table))
        return recorded_since(s, first_row)
    start = add_months(window.start, -baseline_months)
    series = blank_series(monthly_counts(events, date_col, start, window.end), cov)
    base = Window(start, window.start - timedelta(days=1))
    base_label = base.short()
    try:
        if cov.shortfall(base):
            raise TooFewPoints(f"the data do not cover {base_label}, the months the limits are fixed on ({cov.shortfall(base)})")
        if cov.shortfall(window):
            raise TooFewPoints(f"{window.short()}: {cov.shortfall(window)}")
        full = xmr(series, improvement=improvement, baseline=baseline_months)
    except (TooFewPoints, ValueError) as exc:
        s.say(f"No SPC limits for {what}: {first_line(exc)}.")
        fig, alt = charts.monthly_bar_chart(series.iloc[baseline_months:], what, ylabel=ylabel, highlight_max=False)
        s.chart((fig, alt), caption=f"{what[0].upper() + what[1:]} per month, {window.short()}.")
        return recorded_since(s, first_row)
    shown = full.iloc[baseline_months:]
    fired = sorted({r for r in shown.loc[shown["signal"], "rule"] if r})
    note = f" Dashed lines are SPC process limits fixed on {base_label}; " + (
        f"{int(shown['signal'].sum())} months show special-cause variation ({', '.join(RULE_WORDS.get(r, r) for r in fired)}), drawn in Making Data Count's colours (blue an improvement, orange a concern, purple neither)."
        if fired
        else "no month shows special-cause variation."
    )
    fig, alt = spc_series_chart(shown, what, ylabel=ylabel, baseline_label=base_label)
    s.chart((fig, alt), caption=f"{what[0].upper() + what[1:]} per month, {window.short()}." + note)
    body = [[f"{m:%b %Y}", tables.fmt_count(r["value"]), "special cause" if r["signal"] else ""] for m, r in shown.iterrows()]
    s.show(
        "<details><summary>Figures behind the chart</summary>"
        + tables.html_table(["Month", what[0].upper() + what[1:], "SPC"], body, numeric={1})
        + "</details>"
    )
    return recorded_since(s, first_row)


def trend(s: Section, what: str, events: pd.DataFrame, date_col: str, window: Window, table: str, ylabel: str = "per month", caption: str = "") -> pd.DataFrame:
    """A long monthly trend (several years) as a plain line, with the counts by year and
    month folded beneath."""
    first_row = len(s.rows)
    cov = s.data.coverage_of(table)
    if cov is None:
        s.unavailable(f"Monthly {what}", s.data.why_not(table))
        return recorded_since(s, first_row)
    gap = cov.shortfall(window)
    series = monthly_counts(events, date_col, window.start, window.end)
    if gap:
        series = blank_series(series, cov)
    fig, alt = charts.trend_chart(series, what, ylabel=ylabel)
    s.chart(
        (fig, alt),
        caption=(caption or f"{what[0].upper() + what[1:]} per month, {window.short()}.")
        + (f" Note: {gap}; months without data are left blank." if gap else ""),
    )
    grid = series.groupby([series.index.year, series.index.month]).sum(min_count=1).unstack()
    months = [pd.Timestamp(2000, m, 1).strftime("%b") for m in grid.columns]
    body = [[str(y)] + [tables.fmt_count(v) for v in r] + [f"<b>{tables.fmt_count(r.sum()) if r.notna().all() else '–'}</b>"] for y, r in grid.iterrows()]
    s.show(
        "<details><summary>Figures behind the chart</summary>"
        + tables.html_table(["Year"] + months + ["Total"], body, numeric=set(range(1, len(months) + 2)))
        + "</details>"
    )
    return recorded_since(s, first_row)


def monthly_split(
    s: Section, what: str, parts: list[tuple[str, pd.DataFrame]], date_col: str, table: str, window: Window | None = None, ylabel: str = "per month"
) -> pd.DataFrame:
    """This year's months as stacked bars split into ``parts`` (``(label, events)``), against
    last year's total, with the figures folded beneath."""
    first_row = len(s.rows)

    window = window or s.current
    cov = _monthly_coverage(s, what, table)
    if cov is None:
        return recorded_since(s, first_row)
    frames = {label: this_year_vs_last(ev, date_col, window) for label, ev in parts}
    if cov.shortfall(window) or cov.shortfall(window.year_earlier()):
        frames = {label: blank_uncovered(f, cov, window) for label, f in frames.items()}
    cur = pd.DataFrame({label: f["current"] for label, f in frames.items()})
    prev = sum(f["previous"] for f in frames.values())
    cur_label, prev_label = window.short(), window.year_earlier().short()
    fig, alt = split_comparison_chart(cur, prev, what, cur_label, prev_label, ylabel=ylabel)
    s.chart(
        (fig, alt),
        caption=f"{what[0].upper() + what[1:]} per month: {cur_label} split into {' and '.join(str(c) for c in cur.columns)}, against {prev_label}'s total.",
    )

    def whole(x):  # a total only when no month is blank
        return x.sum() if pd.notna(x).all() else float("nan")

    body = [
        [html.escape(str(m)), tables.fmt_count(prev[m])]
        + [tables.fmt_count(cur.loc[m, c]) for c in cur.columns]
        + [tables.fmt_count(whole(cur.loc[m])), tables.fmt_signed(whole(cur.loc[m]) - prev[m])]
        for m in cur.index
    ]
    body.append(
        ["<b>Total</b>", f"<b>{tables.fmt_count(whole(prev))}</b>"]
        + [f"<b>{tables.fmt_count(whole(cur[c]))}</b>" for c in cur.columns]
        + [
            f"<b>{tables.fmt_count(whole(pd.Series(cur.to_numpy().ravel())))}</b>",
            f"<b>{tables.fmt_signed(whole(pd.Series(cur.to_numpy().ravel())) - whole(prev))}</b>",
        ]
    )
    header = ["Month", f"{prev_label}: all"] + [f"{cur_label}: {c}" for c in cur.columns] + [f"{cur_label}: all", "Change"]
    s.show("<details><summary>Figures behind the chart</summary>" + tables.html_table(header, body, numeric=set(range(1, len(header)))) + "</details>")
    return recorded_since(s, first_row)

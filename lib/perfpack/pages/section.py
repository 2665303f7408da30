"""What a section notebook calls: open the data for a period, show tables and charts, collect
the figures for ``figures.csv``.

A notebook reads like its section of the report: a heading, a sentence, one call here, a
table or chart, the next heading. Everything shown is HTML built by the library, so that the
export carries real alt text and no code.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from perfpack.present import charts
from perfpack.present import tables
from perfpack.config import PackConfig, load_config
from perfpack.sources.contract import TABLES
from perfpack.stats.figures import count_row, value_row, write_section_figures
from perfpack.measures.counts import FORCE, compare_windows, coverage_gap, in_window, monthly_counts, this_year_vs_last
from perfpack.periods import Period, Window
from perfpack.sources import Dataset, load_dataset

from perfpack.parameters import NOTEBOOK_PARAMETERS, commentary_path  # noqa: F401  (re-exported)


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is always there in a kernel
        return
    display(obj)


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


class Section:
    """One section of the pack for one period.

    Parameters
    ----------
    section_id : str
        The notebook's stem, e.g. ``01-all-crime``; names the figures file and the commentary.
    period, data_dir, source, force, config_path, figures_dir
        The notebook parameters (see :data:`NOTEBOOK_PARAMETERS`).
    data : Dataset, optional
        Already-loaded data (tests and benchmarks); skips loading.
    """

    def __init__(self, section_id: str, *, period: str, data_dir: str, source: str = "canonical", force: str = "", config_path: str = "", figures_dir: str = "", data: Dataset | None = None, display: bool = True):
        self.id = section_id
        self.config: PackConfig = load_config(config_path or None)
        self.period = Period.parse(period)
        self.data = (data if data is not None else load_dataset(data_dir, source, force, self.config)).without_identifiers()
        self.figures_dir = figures_dir
        self.rows: list[dict] = []
        self._memo: dict = {}
        self.displaying = display
        charts.set_style()

    def memo(self, key: str, compute):
        """``compute()`` worked out once per section: later calls with the same ``key`` get
        the same result (a derived table several parts of a section use)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def npas(self) -> list[str]:
        """The NPAs of the data's force (for a public source, its districts), else the configured ones."""
        return list(getattr(self.data, "npas", None) or self.config.npas)

    # ---- windows ---------------------------------------------------------------------------
    @property
    def current(self) -> Window:
        return self.period.rolling_12m

    @property
    def previous(self) -> Window:
        return self.period.previous_12m

    @property
    def current_label(self) -> str:
        return _window_short(self.current)

    @property
    def previous_label(self) -> str:
        return _window_short(self.previous)

    # ---- showing ---------------------------------------------------------------------------
    def show(self, html_text: str) -> None:
        if self.displaying:
            _display(_html(html_text))

    def say(self, text: str) -> None:
        """A paragraph of plain text written by the library (escaped)."""
        self.show(f"<p>{html.escape(text)}</p>")

    def header(self) -> None:
        """The period, the windows and the data source, in one short block."""
        ds = self.data
        cov = ds.coverage("crimes") or next((ds.coverage(t) for t in TABLES if ds.coverage(t)), None)
        cov_text = f"; data from {cov[0]:%d %b %Y} to {cov[1]:%d %b %Y}" if cov else ""
        self.show(
            '<div class="pp-period"><p><b>Period:</b> '
            + html.escape(f"{self.period.id} (figures for the 12 months to {self.current.end:%d %B %Y}, compared with the 12 months before unless stated)")
            + "</p><p><b>Data:</b> "
            + html.escape(f"{ds.force}, source '{ds.source}'{cov_text}.")
            + "</p></div>"
        )

    def unavailable(self, what: str, reason: str | None = None) -> None:
        """Say in words that the source cannot give something (never a zero, never a crash)."""
        self.show(f'<p class="pp-unavailable"><b>{html.escape(what)}:</b> {html.escape(reason or "not available from this source")}.</p>')

    def chart(self, fig_alt: tuple, caption: str = "") -> None:
        fig, alt = fig_alt
        uri = charts.png_data_uri(fig)
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self.show(f'<figure class="pp-chart"><img src="{uri}" alt="{html.escape(alt, quote=True)}" style="max-width:100%">{cap}</figure>')

    def commentary(self) -> None:
        """The force lead's response for this section and period, when an analyst has written one."""
        path = commentary_path(self.config, self.period, self.id)
        if not path.is_file():
            return
        import mistune  # nbconvert's Markdown renderer; escape=True keeps raw HTML out

        text = mistune.create_markdown(escape=True)(path.read_text(encoding="utf-8"))
        self.show(f'<aside class="pp-commentary"><p class="pp-commentary-label">Commentary: force lead response (written by the force, not computed)</p>{text}</aside>')

    # ---- figures ---------------------------------------------------------------------------
    def compare_counts(self, key: str, label: str, events: pd.DataFrame, date_col: str, by: str | None = "npa", current: Window | None = None, previous: Window | None = None, table: str = "crimes", show: bool = True, first_col: str = "Area", improvement: str = "decrease") -> None:
        """Count events in the current and previous windows, force-wide and by NPA; record the
        rows for figures.csv (small NPA counts suppressed, with secondary suppression), give
        the force row its SPC variation icon, and show the sentence and the table.

        Returns nothing (a notebook cell would print it); the rows are in :attr:`rows`."""
        from perfpack.stats.disclosure import suppress

        current = current or self.current
        previous = previous or self.previous
        cov = self.data.coverage(table)
        gap = coverage_gap(cov[0], cov[1], previous) if cov else "no data"
        use_by = by if (by and by in events and by not in self.data.unavailable and events[by].notna().any()) else None
        counts = compare_windows(events, date_col, current, previous, by=use_by, areas=self.npas)
        shown, mask = suppress(counts.set_index("area")[["current", "previous"]], ["current", "previous"], threshold=self.config.disclosure_threshold, total_row=FORCE)
        rows = []
        for r in counts.to_dict("records"):
            prev = None if gap else r["previous"]
            hidden = bool(mask.loc[r["area"]].any()) if r["area"] != FORCE else False
            row = self._count_row(key, label, current, previous, r["current"], prev, area=r["area"], suppressed=hidden)
            if hidden:
                row["_display_current"] = str(shown.loc[r["area"], "current"])
                row["_display_previous"] = "–" if prev is None else str(shown.loc[r["area"], "previous"])
            rows.append(row)
        if cov and not gap:
            rows[0]["variation"] = self.variation(events, date_col, current, improvement)
        self.rows.extend(rows)
        if show:
            self.say(self.sentence(rows[0]))
            if gap:
                self.unavailable(f"Comparison with {_window_short(previous)}", f"no data for the comparison period ({gap})")
            if use_by is None and by:
                self.unavailable("Breakdown by NPA", self.data.unavailable.get(by, "not available from this source"))
            self.show(tables.change_table(rows, _window_short(current), _window_short(previous), first_col=first_col, threshold=self.config.disclosure_threshold))

    def crime_types(self) -> None:
        """Recorded crime and ASB by data.police.uk crime type, force-wide: the breakdown every
        source can give (record-level crimes through the offence classification), so that
        figures agree in name with the public police.uk data."""
        from perfpack.sources.policeuk import policeuk_type_rows

        rows = policeuk_type_rows(self.id, self.data, self.current, self.previous, self.config)
        if not rows:
            self.unavailable("Crime types", "not available from this source")
            return
        if self.data.source != "policeuk":
            for r in rows:  # a breakdown here; the headline table keeps it for police.uk data only
                r["category"] = r["key"]
        self.rows.extend(rows)
        self.show(tables.change_table(rows, _window_short(self.current), _window_short(self.previous), first_col="Crime type (police.uk)", threshold=self.config.disclosure_threshold, name_key="label"))

    def variation(self, events: pd.DataFrame, date_col: str, window: Window, improvement: str = "decrease") -> str:
        """SPC variation icon of the latest month: XmR over the window and the 12 months
        before it, limits fixed on those earlier 12 months."""
        from perfpack.stats.spc import TooFewPoints, latest_icon, xmr

        if self.data.granularity.get("crimes") == "quarter" and date_col == "recorded_date":
            return ""
        series = monthly_counts(events, date_col, window.year_earlier().start, window.end)
        try:
            return latest_icon(xmr(series, improvement=improvement, baseline=12))
        except (TooFewPoints, ValueError):
            return ""

    def _count_row(self, key, label, current, previous, cur, prev, area=FORCE, suppressed=None) -> dict:
        return count_row(self.id, key, label, current, previous, cur, prev, area=area, alpha=self.config.alpha, min_count=self.config.min_count_to_test, threshold=self.config.disclosure_threshold, suppressed=suppressed)

    def add_count(self, key: str, label: str, current_window: Window, previous_window: Window | None, current: int, previous: int | None, area: str = FORCE) -> dict:
        row = self._count_row(key, label, current_window, previous_window, current, previous, area)
        self.rows.append(row)
        return row

    def add_value(self, key: str, label: str, window: Window, current, previous=None, kind: str = "amount", previous_window: Window | None = None) -> dict:
        row = value_row(self.id, key, label, window, current, previous, kind=kind, previous_window=previous_window)
        self.rows.append(row)
        return row

    def sentence(self, row: dict) -> str:
        from perfpack.stats.significance import Comparison, describe_change

        if row.get("previous") is None:
            return f"{row['label']}: {row['current']:,} in {_window_short(Window.from_id(row['window']))}; no data for the comparison period."
        cmp = Comparison(current=row["current"], previous=row["previous"], change=row["change"], pct_change=row["pct_change"], p_value=row["p_value"], significance=row["significance"], method="")
        return describe_change(row["label"], cmp)

    def monthly_comparison(self, what: str, events: pd.DataFrame, date_col: str, table: str = "crimes", ylabel: str = "per month", window: Window | None = None, key: str | None = None, method: str = "band", improvement: str = "decrease") -> None:
        """Chart of this year's months against last year's, with the statistics behind it.

        ``method`` chooses what the chart carries (see docs/caveats.md for the choice per
        series): ``band`` draws the usual seasonal range forecast from the years before the
        window (and records the number of months outside it as ``<key>_months_outside``);
        ``spc`` draws XmR limits fixed on the previous 12 months, ringing special-cause months.
        A series too short for either gets a plain sentence instead, never a misleading chart.
        """
        from perfpack.stats.seasonal import expected_range, months_outside
        from perfpack.stats.spc import TooFewPoints, xmr

        window = window or self.current
        cov = self.data.coverage(table)
        if cov is None:
            self.unavailable(f"Monthly {what}", self.data.why_not(table))
            return
        if self.data.granularity.get(table) == "quarter":
            self.unavailable(f"Monthly {what}", self.data.unavailable.get("monthly", "counts in this source are quarterly"))
            return
        gap = coverage_gap(cov[0], cov[1], window)
        data = this_year_vs_last(events, date_col, window)
        if gap or coverage_gap(cov[0], cov[1], window.year_earlier()):
            data = _blank_uncovered(data, cov, window)
        cur_label, prev_label = _window_short(window), _window_short(window.year_earlier())
        band = spc = None
        stat_note = ""
        if method == "band":
            history = monthly_counts(events, date_col, max(cov[0], date(2000, 1, 1)), window.end)
            history = history[history.index >= pd.Timestamp(cov[0]).to_period("M").to_timestamp()]
            try:
                band = expected_range(history.rename(what), window.start, window.end)
                n_out = months_outside(band)
                above, below = int((band["outside"] == "above").sum()), int((band["outside"] == "below").sum())
                stat_note = f" The shaded band is the usual seasonal range (about 95%) forecast from the years before {window.start:%B %Y}; {n_out} of {len(band)} months fell outside it ({below} below, {above} above)."
                if key:
                    self.add_value(f"{key}_months_outside", f"{what[0].upper() + what[1:]}: months outside the usual seasonal range", window, n_out, kind="months")
            except (TooFewPoints, ValueError) as exc:
                self.say(f"No usual seasonal range for {what}: {_first_line(exc)}.")
        elif method == "spc":
            series = monthly_counts(events, date_col, window.year_earlier().start, window.end)
            try:
                full = xmr(series, improvement=improvement, baseline=12)
                spc = full.iloc[-len(data):].reset_index(drop=True)
                sig = full.iloc[-len(data):]
                fired = sorted({r for r in sig.loc[sig["signal"], "rule"] if r})
                stat_note = f" Dashed lines are SPC process limits fixed on {prev_label}; " + (f"{int(sig['signal'].sum())} months show special-cause variation ({', '.join(RULE_WORDS.get(r, r) for r in fired)})." if fired else "no month shows special-cause variation.")
            except (TooFewPoints, ValueError) as exc:
                self.say(f"No SPC limits for {what}: {_first_line(exc)}.")
        fig, alt = charts.comparison_chart(data, what, cur_label, prev_label, ylabel=ylabel, band=band, spc=spc)
        self.chart((fig, alt + stat_note), caption=f"{what[0].upper() + what[1:]} per month, {cur_label} against {prev_label}." + stat_note + (f" Note: {gap}." if gap else ""))
        self.show("<details><summary>Figures behind the chart</summary>" + tables.monthly_table(data, cur_label, prev_label) + "</details>")

    def covid_comparison(self, measures: list[tuple[str, str, pd.DataFrame | None, str, str]]) -> None:
        """Each Covid-19 period against the same dates a year earlier, for several measures.

        ``measures`` holds ``(key, label, events or None, date column, table)``; a measure whose
        table the source lacks is shown as not available.
        """
        windows = self.period.covid_windows(self.config)
        if not windows:
            self.say(f"The Covid-19 periods in the configuration start after {self.period.end:%d %B %Y}.")
            return
        all_rows, body, notes = [], [], []
        for key, label, events, date_col, table in measures:
            if events is None or not self.data.has(table):
                body.append([html.escape(label)] + ['<span class="pp-na">not available from this source</span>'] * len(windows))
                continue
            if self.data.granularity.get(table) == "quarter":
                body.append([html.escape(label)] + ['<span class="pp-na">not available from this source (counts are quarterly)</span>'] * len(windows))
                continue
            if self.data.granularity.get(table) == "month":
                notes.append(f"{label}: this source dates records to the month only, so each period counts the whole months that start inside it.")
            cov = self.data.coverage(table)
            cells = []
            for pid, w, prev in windows:
                gap = coverage_gap(cov[0], cov[1], prev) if cov else "no data"
                cur_n = int(events.loc[in_window(events, date_col, w), "count"].sum())
                prev_n = None if gap else int(events.loc[in_window(events, date_col, prev), "count"].sum())
                row = self._count_row(key, f"{label}, {w.label}", w, prev, cur_n, prev_n)
                row["covid_period"] = pid
                all_rows.append(row)
                if prev_n is None:
                    cells.append(f"{cur_n:,}<br><small>no data for the comparison period</small>")
                else:
                    pct = "" if row["significance"] == "too few to test" else f"<b>{tables.fmt_pct(row['pct_change'])}</b> "
                    cells.append(f"{pct}({prev_n:,} → {cur_n:,})<br>{tables.significance_cell(row['significance'])}")
            body.append([html.escape(label)] + cells)
        self.rows.extend(all_rows)
        header = ["Measure"] + [f"{w.label} ({w.describe()})" for _, w, _ in windows]
        self.show(tables.html_table(header, body, numeric=set(), caption="Each period against the same dates a year earlier"))
        for note in notes:
            self.say(note)

    def save(self) -> None:
        """Write this section's rows for the runner to gather into figures.csv."""
        if self.figures_dir:
            write_section_figures(self.rows, Path(self.figures_dir) / f"{self.id}.csv")

    # ---- building blocks added for sections 02-07 (generic: they know nothing about crime) --
    def record_comparison(self, key: str, label: str, counts: pd.DataFrame, current: Window | None = None, previous: Window | None = None, gap: str | None = None) -> list[dict]:
        """Rows for figures.csv from counts already made (columns ``area``, ``current``,
        ``previous``, the force row first): the same tests and disclosure control as
        :meth:`compare_counts` (small NPA counts hidden, with secondary suppression), for
        things that are not events in a date column (distinct victims, say). ``gap`` (words)
        means the data do not cover the previous window: no comparison is made. Returns the
        rows (also kept in :attr:`rows`); shows nothing."""
        from perfpack.stats.disclosure import suppress

        current = current or self.current
        previous = previous or self.previous
        shown, mask = suppress(counts.set_index("area")[["current", "previous"]], ["current", "previous"], threshold=self.config.disclosure_threshold, total_row=FORCE)
        rows = []
        for r in counts.to_dict("records"):
            hidden = bool(mask.loc[r["area"]].any()) if r["area"] != FORCE else False
            prev = None if gap else int(r["previous"])
            row = self._count_row(key, label, current, previous, int(r["current"]), prev, area=r["area"], suppressed=hidden)
            if hidden:
                row["_display_current"] = str(shown.loc[r["area"], "current"])
                row["_display_previous"] = "–" if prev is None else str(shown.loc[r["area"], "previous"])
            rows.append(row)
        self.rows.extend(rows)
        return rows

    def compare_many(self, items: list[tuple[str, str, pd.DataFrame]], date_col: str, table: str = "crimes", by: str | None = "npa", current: Window | None = None, previous: Window | None = None, first_col: str = "Measure", caption: str = "", improvement: str = "decrease") -> None:
        """Several measures in one table, force-wide, one row each, with a sentence for each
        and each measure's breakdown by NPA folded beneath (the rows of every measure, force
        and NPA, go to figures.csv exactly as :meth:`compare_counts` records them).

        ``items`` holds ``(key, label, events)``."""
        current = current or self.current
        previous = previous or self.previous
        cur_label, prev_label = _window_short(current), _window_short(previous)
        force_rows, details = [], []
        for key, label, events in items:
            start = len(self.rows)
            self.compare_counts(key, label, events, date_col, by=by, current=current, previous=previous, table=table, show=False, improvement=improvement)
            rows = self.rows[start:]
            force_rows.append(rows[0])
            if len(rows) > 1:
                details.append(f"<details><summary>{html.escape(label)}: by NPA</summary>" + tables.change_table(rows, cur_label, prev_label, threshold=self.config.disclosure_threshold) + "</details>")
        if not force_rows:
            return
        self.show(tables.change_table(force_rows, cur_label, prev_label, first_col=first_col, caption=caption, threshold=self.config.disclosure_threshold, name_key="label"))
        self.show("<ul>" + "".join(f"<li>{html.escape(self.sentence(r))}</li>" for r in force_rows) + "</ul>")
        if force_rows[0].get("previous") is None:
            cov = self.data.coverage(table)
            self.unavailable(f"Comparison with {prev_label}", f"no data for the comparison period ({coverage_gap(cov[0], cov[1], previous) if cov else 'no data'})")
        if by and not details:
            self.unavailable("Breakdown by NPA", self.data.unavailable.get(by, "not available from this source"))
        if details:
            self.show("".join(details))

    def category_breakdown(self, key: str, what: str, events: pd.DataFrame, column: str, date_col: str, window: Window | None = None, previous: Window | None = None, table: str = "crimes", order: list[str] | None = None, missing_label: str = "Not known", ylabel: str = "") -> None:
        """Counts by category (fraud type, age group, breach type...) in a window, against
        ``previous`` when given and covered by the data.

        Small categories are suppressed (primary and secondary: the force total is published),
        shown as "<threshold" and flagged ``suppressed`` in figures.csv. Shows a bar chart (in
        ``order`` when given, largest first otherwise) and the table, and records one count row
        per category, key ``<key>_<category in snake case>``."""
        from perfpack.present.section_charts import ordered_bar_chart
        from perfpack.stats.disclosure import suppress

        window = window or self.current
        cov = self.data.coverage(table)
        gap = None
        if previous is not None:
            gap = coverage_gap(cov[0], cov[1], previous) if cov else "no data"
        cats = events[column].astype("string").fillna(missing_label).str.strip().replace("", missing_label)
        framed = events.assign(**{column: cats})
        counts = compare_windows(framed, date_col, window, previous or window, by=column, areas=order)
        counts = counts[counts["area"] != FORCE].set_index("area")
        if order is None:
            counts = counts.sort_values("current", ascending=False, kind="stable")
        has_prev = previous is not None and not gap
        cols = ["current", "previous"] if has_prev else ["current"]
        shown, mask = suppress(counts[cols], cols, threshold=self.config.disclosure_threshold, column_totals_known=True)
        rows = []
        for cat, r in counts.iterrows():
            hidden = bool(mask.loc[cat].any())
            row = self._count_row(f"{key}_{snake(cat)}", f"{what[0].upper() + what[1:]}: {cat}", window, previous, int(r["current"]), int(r["previous"]) if has_prev else None, suppressed=hidden)
            row["category"] = str(cat)
            if hidden:
                row["_display_current"] = str(shown.loc[cat, "current"])
                row["_display_previous"] = str(shown.loc[cat, "previous"]) if has_prev else ""
            rows.append(row)
        self.rows.extend(rows)
        if not rows:
            self.say(f"No {what} in {_window_short(window)}.")
            return
        values = counts["current"]
        hidden_cur = mask["current"]
        threshold = self.config.disclosure_threshold
        if order is not None:
            fig_alt = ordered_bar_chart(values, what, ylabel=ylabel, suppressed=hidden_cur, threshold=threshold)
        else:
            fig_alt = charts.bar_chart(values, what, xlabel=ylabel, suppressed=hidden_cur, threshold=threshold)
        note = f" Categories with fewer than {threshold} are shown as \u201c<{threshold}\u201d (disclosure control)." if mask.to_numpy().any() else ""
        self.chart(fig_alt, caption=f"{what[0].upper() + what[1:]}, {_window_short(window)}.{note}")
        if has_prev:
            body = tables.change_table(rows, _window_short(window), _window_short(previous), first_col="Category", threshold=threshold, name_key="category")
        else:
            total = int(values.sum())
            body_rows = []
            for r in rows:
                if r["suppressed"]:
                    body_rows.append([html.escape(r["category"]), html.escape(r.get("_display_current", f"<{threshold}")), "–"])
                else:
                    body_rows.append([html.escape(r["category"]), tables.fmt_count(r["current"]), tables.fmt_pct(100.0 * r["current"] / total, signed=False) if total else "–"])
            body = tables.html_table(["Category", _window_short(window), "Share"], body_rows, numeric={1, 2})
        self.show(f"<details><summary>Figures behind the chart</summary>{body}</details>")

    def monthly_bars(self, key: str, label: str, events: pd.DataFrame, date_col: str, window: Window, table: str, ylabel: str = "per month", caption: str = "") -> None:
        """Counts per month over a window as plain bars (for a series too new or too irregular
        for a seasonal range or SPC limits: say why in ``caption``), with one count row per
        month in figures.csv (``window`` = the month), compared with the same month a year
        earlier where the data cover it."""
        from perfpack.measures.counts import count_in
        from perfpack.periods import month_end

        cov = self.data.coverage(table)
        if cov is None:
            self.unavailable(f"{label} per month", self.data.why_not(table))
            return
        series = monthly_counts(events, date_col, window.start, window.end)
        body = []
        for m, n in series.items():
            mw = Window(m.date(), month_end(m.date()), f"{m:%b %Y}")
            pw = mw.year_earlier()
            prev = None if coverage_gap(cov[0], cov[1], pw) else count_in(events, date_col, pw)
            self.rows.append(self._count_row(key, f"{label}, {m:%B %Y}", mw, pw, int(n), prev))
            body.append([f"{m:%b %Y}", tables.fmt_count(n)])
        fig, alt = charts.monthly_bar_chart(series, f"{label[0].lower() + label[1:]} per month", ylabel=ylabel)
        self.chart((fig, alt), caption=caption or f"{label} per month, {_window_short(window)}.")
        body.append(["<b>Total</b>", f"<b>{tables.fmt_count(series.sum())}</b>"])
        self.show("<details><summary>Figures behind the chart</summary>" + tables.html_table(["Month", label], body, numeric={1}) + "</details>")

    def spc_months(self, what: str, events: pd.DataFrame, date_col: str, window: Window, table: str, improvement: str = "neutral", ylabel: str = "per month", baseline_months: int = 12) -> None:
        """Counts per month over a window as bars, with XmR process limits fixed on the
        ``baseline_months`` before the window (for a series without a strong seasonal pattern,
        over a window other than this year against last)."""
        from perfpack.present.section_charts import spc_series_chart
        from perfpack.periods import add_months
        from perfpack.stats.spc import TooFewPoints, xmr

        cov = self.data.coverage(table)
        if cov is None:
            self.unavailable(f"Monthly {what}", self.data.why_not(table))
            return
        start = add_months(window.start, -baseline_months)
        series = monthly_counts(events, date_col, start, window.end)
        base = Window(start, window.start - timedelta(days=1))
        base_label = _window_short(base)
        try:
            if coverage_gap(cov[0], cov[1], base):
                raise TooFewPoints(f"the data do not cover {base_label}, the months the limits are fixed on")
            full = xmr(series, improvement=improvement, baseline=baseline_months)
        except (TooFewPoints, ValueError) as exc:
            self.say(f"No SPC limits for {what}: {_first_line(exc)}.")
            fig, alt = charts.monthly_bar_chart(series.iloc[baseline_months:], what, ylabel=ylabel, highlight_max=False)
            self.chart((fig, alt), caption=f"{what[0].upper() + what[1:]} per month, {_window_short(window)}.")
            return
        shown = full.iloc[baseline_months:]
        fired = sorted({r for r in shown.loc[shown["signal"], "rule"] if r})
        note = f" Dashed lines are SPC process limits fixed on {base_label}; " + (f"{int(shown['signal'].sum())} months show special-cause variation ({', '.join(RULE_WORDS.get(r, r) for r in fired)}), drawn in orange." if fired else "no month shows special-cause variation.")
        fig, alt = spc_series_chart(shown, what, ylabel=ylabel, baseline_label=base_label)
        self.chart((fig, alt), caption=f"{what[0].upper() + what[1:]} per month, {_window_short(window)}." + note)
        body = [[f"{m:%b %Y}", tables.fmt_count(r["value"]), "special cause" if r["signal"] else ""] for m, r in shown.iterrows()]
        self.show("<details><summary>Figures behind the chart</summary>" + tables.html_table(["Month", what[0].upper() + what[1:], "SPC"], body, numeric={1}) + "</details>")

    def trend(self, what: str, events: pd.DataFrame, date_col: str, window: Window, table: str, ylabel: str = "per month", caption: str = "") -> None:
        """A long monthly trend (several years) as a plain line, with the counts by year and
        month folded beneath."""
        cov = self.data.coverage(table)
        if cov is None:
            self.unavailable(f"Monthly {what}", self.data.why_not(table))
            return
        gap = coverage_gap(cov[0], cov[1], window)
        series = monthly_counts(events, date_col, window.start, window.end)
        fig, alt = charts.trend_chart(series, what, ylabel=ylabel)
        self.chart((fig, alt), caption=(caption or f"{what[0].upper() + what[1:]} per month, {_window_short(window)}.") + (f" Note: {gap}." if gap else ""))
        grid = series.groupby([series.index.year, series.index.month]).sum().unstack(fill_value=0)
        months = [pd.Timestamp(2000, m, 1).strftime("%b") for m in grid.columns]
        body = [[str(y)] + [tables.fmt_count(v) for v in r] + [f"<b>{tables.fmt_count(r.sum())}</b>"] for y, r in grid.iterrows()]
        self.show("<details><summary>Figures behind the chart</summary>" + tables.html_table(["Year"] + months + ["Total"], body, numeric=set(range(1, len(months) + 2))) + "</details>")

    def monthly_split(self, what: str, parts: list[tuple[str, pd.DataFrame]], date_col: str, table: str, window: Window | None = None, ylabel: str = "per month") -> None:
        """This year's months as stacked bars split into ``parts`` (``(label, events)``), against
        last year's total, with the figures folded beneath."""
        from perfpack.present.section_charts import split_comparison_chart

        window = window or self.current
        if self.data.coverage(table) is None:
            self.unavailable(f"Monthly {what}", self.data.why_not(table))
            return
        if self.data.granularity.get(table) == "quarter":
            self.unavailable(f"Monthly {what}", self.data.unavailable.get("monthly", "counts in this source are quarterly"))
            return
        frames = {label: this_year_vs_last(ev, date_col, window) for label, ev in parts}
        cur = pd.DataFrame({label: f["current"] for label, f in frames.items()})
        prev = sum(f["previous"] for f in frames.values())
        cur_label, prev_label = _window_short(window), _window_short(window.year_earlier())
        fig, alt = split_comparison_chart(cur, prev, what, cur_label, prev_label, ylabel=ylabel)
        self.chart((fig, alt), caption=f"{what[0].upper() + what[1:]} per month: {cur_label} split into {' and '.join(str(c) for c in cur.columns)}, against {prev_label}'s total.")
        body = [[html.escape(str(m)), tables.fmt_count(prev[m])] + [tables.fmt_count(cur.loc[m, c]) for c in cur.columns] + [tables.fmt_count(cur.loc[m].sum()), tables.fmt_signed(cur.loc[m].sum() - prev[m])] for m in cur.index]
        body.append(["<b>Total</b>", f"<b>{tables.fmt_count(prev.sum())}</b>"] + [f"<b>{tables.fmt_count(cur[c].sum())}</b>" for c in cur.columns] + [f"<b>{tables.fmt_count(cur.values.sum())}</b>", f"<b>{tables.fmt_signed(cur.values.sum() - prev.sum())}</b>"])
        header = ["Month", f"{prev_label}: all"] + [f"{cur_label}: {c}" for c in cur.columns] + [f"{cur_label}: all", "Change"]
        self.show("<details><summary>Figures behind the chart</summary>" + tables.html_table(header, body, numeric=set(range(1, len(header)))) + "</details>")

    def area_counts(self, key: str, label: str, events: pd.DataFrame, date_col: str, window: Window, table: str, by: str = "npa", note: str = "") -> None:
        """Counts in one window, force-wide and by NPA, with no comparison: for a measure that
        has nothing before the window to compare with (say so in ``note``). Small NPA counts
        are suppressed (primary and secondary); one count row per area goes to figures.csv."""
        from perfpack.stats.disclosure import suppress

        use_by = by if (by and by in events and by not in self.data.unavailable and events[by].notna().any()) else None
        counts = compare_windows(events, date_col, window, window, by=use_by, areas=self.npas).set_index("area")[["current"]]
        shown, mask = suppress(counts, ["current"], threshold=self.config.disclosure_threshold, total_row=FORCE)
        total = int(counts.loc[FORCE, "current"])
        body = []
        for area, r in counts.iterrows():
            hidden = bool(mask.loc[area, "current"]) if area != FORCE else False
            self.rows.append(self._count_row(key, label, window, None, int(r["current"]), None, area=area, suppressed=hidden))
            name = f"<b>{html.escape(str(area))}</b>" if area == FORCE else html.escape(str(area))
            if hidden:
                body.append([name, html.escape(str(shown.loc[area, "current"])), "–"])
            else:
                body.append([name, tables.fmt_count(r["current"]), tables.fmt_pct(100.0 * r["current"] / total, signed=False) if total else "–"])
        self.say(f"{label}: {total:,} in {_window_short(window)}." + (f" {note}" if note else ""))
        if use_by is None and by:
            self.unavailable("Breakdown by NPA", self.data.unavailable.get(by, "not available from this source"))
        self.show(tables.html_table(["Area", _window_short(window), "Share of force"], body, numeric={1, 2}))

    def show_values(self, rows: list[dict], caption: str = "") -> None:
        """A small table of figures that are not counts (amounts, shares), as recorded by
        :meth:`add_value`: previous window, current window, change."""
        if not rows:
            return
        first = rows[0]
        cur_label = _window_short(Window.from_id(first["window"]))
        prev_label = _window_short(Window.from_id(first["previous_window"])) if first.get("previous_window") else "Previous"
        body = []
        for r in rows:
            kind = r.get("kind")
            if kind == "share":
                fmt = lambda v: "–" if v is None else tables.fmt_pct(v, signed=False)  # noqa: E731
                change = "–" if r.get("change") is None else f"{r['change']:+.1f} pts"
            elif kind == "amount":
                fmt = tables.fmt_money
                change = "–" if r.get("change") is None else (("+" if r["change"] >= 0 else "−") + tables.fmt_money(abs(r["change"])) + (f" ({tables.fmt_pct(r['pct_change'])})" if r.get("pct_change") is not None else ""))
            else:
                fmt = tables.fmt_count
                change = tables.fmt_signed(r.get("change"))
            body.append([html.escape(r["label"]), fmt(r.get("previous")), fmt(r.get("current")), change])
        self.show(tables.html_table(["Measure", prev_label, cur_label, "Change"], body, numeric={1, 2, 3}, caption=caption))


RULE_WORDS = {"beyond_limit": "a point beyond a limit", "run": "a run on one side of the mean", "trend": "a trend of consecutive rises or falls", "two_of_three": "two of three points near a limit"}


def snake(text) -> str:
    """A figure key from a category name: ``'Consumer fraud'`` -> ``consumer_fraud``,
    ``'70+'`` -> ``70_plus``."""
    import re

    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower().replace("+", " plus")).strip("_")
    return s or "blank"


def _blank_uncovered(data: pd.DataFrame, cov: tuple, window: Window) -> pd.DataFrame:
    """Months the data do not cover are unknown, not zero: blank them so charts leave a gap."""
    first, last = pd.Timestamp(cov[0]).to_period("M"), pd.Timestamp(cov[1]).to_period("M")
    out = data.astype({"current": "float64", "previous": "float64"})
    cur_m = pd.PeriodIndex(pd.to_datetime(out["current_month"]), freq="M")
    prev_m = cur_m - 12
    out.loc[(cur_m < first) | (cur_m > last), "current"] = float("nan")
    out.loc[(prev_m < first) | (prev_m > last), "previous"] = float("nan")
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0].rstrip(".")


def _window_short(w: Window) -> str:
    if w.start.day == 1 and w.start.month == 1 and w.end.month == 12 and w.end.day == 31 and w.start.year == w.end.year:
        return str(w.start.year)
    if w.start.day == 1:
        return f"{w.start:%b %Y} – {w.end:%b %Y}"
    return w.describe()


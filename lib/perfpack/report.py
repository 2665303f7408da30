"""What a section notebook calls: open the data for a period, show tables and charts, collect
the figures for ``figures.csv``.

A notebook reads like its section of the report: a heading, a sentence, one call here, a
table or chart, the next heading. Everything shown is HTML built by the library, so that the
export carries real alt text and no code.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pandas as pd

from . import charts, tables
from .config import PackConfig, load_config
from .contract import TABLES
from .figures import count_row, value_row, write_section_figures
from .measures import FORCE, compare_windows, coverage_gap, in_window, monthly_counts, this_year_vs_last
from .periods import Period, Window
from .sources import Dataset, load_dataset

# The parameters every section notebook takes, with their defaults for a hand run in
# JupyterLab (paths relative to notebooks/). The runner passes exactly these.
NOTEBOOK_PARAMETERS = {
    "period": "2020-Q4",
    "data_dir": "../data/demo",
    "source": "canonical",
    "force": "",
    "config_path": "../config/pack.yaml",
    "figures_dir": "",
}


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
        self.data = data if data is not None else load_dataset(data_dir, source, force, self.config)
        self.figures_dir = figures_dir
        self.rows: list[dict] = []
        self.displaying = display
        charts.set_style()

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
        from .disclosure import suppress

        current = current or self.current
        previous = previous or self.previous
        cov = self.data.coverage(table)
        gap = coverage_gap(cov[0], cov[1], previous) if cov else "no data"
        use_by = by if (by and by in events and by not in self.data.unavailable and events[by].notna().any()) else None
        counts = compare_windows(events, date_col, current, previous, by=use_by, areas=self.config.npas)
        shown, mask = suppress(counts.set_index("area")[["current", "previous"]], ["current", "previous"], threshold=self.config.disclosure_threshold, total_row=FORCE)
        rows = []
        for r in counts.to_dict("records"):
            prev = None if gap else r["previous"]
            hidden = bool(mask.loc[r["area"]].any()) if r["area"] != FORCE else False
            row = self._count_row(key, label, current, previous, r["current"], prev, area=r["area"], suppressed=hidden)
            if hidden:
                row["_display_current"] = str(shown.loc[r["area"], "current"])
                row["_display_previous"] = str(shown.loc[r["area"], "previous"])
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

    def variation(self, events: pd.DataFrame, date_col: str, window: Window, improvement: str = "decrease") -> str:
        """SPC variation icon of the latest month: XmR over the window and the 12 months
        before it, limits fixed on those earlier 12 months."""
        from .spc import TooFewPoints, latest_icon, xmr

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
        from .stats import Comparison, describe_change

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
        from .seasonal import expected_range, months_outside
        from .spc import TooFewPoints, xmr

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
        all_rows, body = [], []
        for key, label, events, date_col, table in measures:
            if events is None or not self.data.has(table):
                body.append([html.escape(label)] + ['<span class="pp-na">not available from this source</span>'] * len(windows))
                continue
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

    def save(self) -> None:
        """Write this section's rows for the runner to gather into figures.csv."""
        if self.figures_dir:
            write_section_figures(self.rows, Path(self.figures_dir) / f"{self.id}.csv")


RULE_WORDS = {"beyond_limit": "a point beyond a limit", "run": "a run on one side of the mean", "trend": "a trend of consecutive rises or falls", "two_of_three": "two of three points near a limit"}


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0].rstrip(".")


def _window_short(w: Window) -> str:
    if w.start.day == 1 and w.start.month == 1 and w.end.month == 12 and w.end.day == 31 and w.start.year == w.end.year:
        return str(w.start.year)
    if w.start.day == 1:
        return f"{w.start:%b %Y} – {w.end:%b %Y}"
    return w.describe()


def commentary_path(config: PackConfig, period: Period, section_id: str) -> Path:
    return config.path.resolve().parent.parent / "commentary" / period.id / f"{section_id}.md"

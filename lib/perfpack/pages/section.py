"""What a section notebook calls: open the data for a period, show tables and charts, collect
the figures for ``figures.csv``.

A notebook reads like its section of the report: a heading, a sentence, one call here, a
table or chart, the next heading. Everything shown is HTML built by the library, so that the
export carries real alt text and no code.
"""

from __future__ import annotations

import html
from pathlib import Path

from IPython.display import HTML, display

from perfpack.config import DEMO_DIR, PackConfig, load_config
from perfpack.measures.counts import FORCE
from perfpack.parameters import commentary_path
from perfpack.periods import Period, Window
from perfpack.present import charts, markdown
from perfpack.sources import Dataset, load_dataset
from perfpack.sources.contract import TABLES
from perfpack.stats.figures import count_row, value_row, write_section_figures
from perfpack.stats.significance import Comparison, describe_change


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
        self.data = (data if data is not None else load_dataset(data_dir or DEMO_DIR, source, force, self.config)).without_identifiers()
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
        return self.current.short()

    @property
    def previous_label(self) -> str:
        return self.previous.short()

    # ---- showing ---------------------------------------------------------------------------
    def show(self, html_text: str) -> None:
        if self.displaying:
            display(HTML(html_text))

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
        text = markdown.to_html(path.read_text(encoding="utf-8"))  # escaped; no image fetched from anywhere
        self.show(f'<aside class="pp-commentary"><p class="pp-commentary-label">Commentary: force lead response (written by the force, not computed)</p>{text}</aside>')

    # ---- figures ---------------------------------------------------------------------------

    def count_row(self, key, label, current, previous, cur, prev, area=FORCE, suppressed=None) -> dict:
        """A figures.csv row for a count in ``current`` against ``previous``, tested and
        disclosure-checked with this pack's settings (not yet recorded: see :attr:`rows`)."""
        return count_row(self.id, key, label, current, previous, cur, prev, area=area, alpha=self.config.alpha, min_count=self.config.min_count_to_test, threshold=self.config.disclosure_threshold, suppressed=suppressed)

    def add_value(self, key: str, label: str, window: Window, current, previous=None, kind: str = "amount", previous_window: Window | None = None) -> dict:
        row = value_row(self.id, key, label, window, current, previous, kind=kind, previous_window=previous_window)
        self.rows.append(row)
        return row

    def sentence(self, row: dict) -> str:
        """The sentence for a count row: the change in words, with its significance."""
        if row.get("previous") is None:
            return f"{row['label']}: {row['current']:,} in {Window.from_id(row['window']).short()}; no data for the comparison period."
        cmp = Comparison(current=row["current"], previous=row["previous"], change=row["change"], pct_change=row["pct_change"], p_value=row["p_value"], significance=row["significance"], method="")
        return describe_change(row["label"], cmp)

    def end(self) -> None:
        """The end of the page: the force lead's commentary (where written), then this
        section's figures saved for the pack."""
        self.commentary()
        self.save()

    def save(self) -> None:
        """Write this section's rows for the runner to gather into figures.csv."""
        if self.figures_dir:
            write_section_figures(self.rows, Path(self.figures_dir) / f"{self.id}.csv")

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

from IPython.display import HTML, display

from perfpack.config import DEMO_DIR, PackConfig
from perfpack.measures.counts import FORCE
from perfpack.parameters import commentary_path
from perfpack.periods import Period, Window
from perfpack.present import charts, markdown
from perfpack.profiles import data_force, resolve
from perfpack.sources import Dataset, load_dataset
from perfpack.sources.contract import TABLES
from perfpack.sources.coverage import month_words
from perfpack.sources.dataset import source_words
from perfpack.stats.figures import INCOMPLETE_COVERAGE, count_row, value_row, write_section_figures
from perfpack.stats.published import EARLIER_FIGURES, Published, mark_words, read_published, revision_words
from perfpack.stats.significance import Comparison, describe_change

#: Classes the meeting paper looks for in a section's output (:mod:`perfpack.publish.paper_content`).
PAPER_TEXT, NOT_IN_PAPER = "pp-paper-text", "pp-not-in-paper"


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

    def __init__(
        self,
        section_id: str,
        *,
        period: str,
        data_dir: str,
        source: str = "canonical",
        force: str = "",
        config_path: str = "",
        figures_dir: str = "",
        data: Dataset | None = None,
        display: bool = True,
    ):
        self.id = section_id
        self.config: PackConfig = resolve(force, config_path or None, source)
        self.period = Period.parse(period)
        self.data_dir = Path(data_dir or DEMO_DIR)  # a run's snapshot also carries its peer data
        self.force_asked = force  # the force or police.uk slug asked for (public sources)
        self.data = (
            data if data is not None else load_dataset(self.data_dir, source, data_force(self.config, force, source), self.config)
        ).without_identifiers()
        self.figures_dir = figures_dir
        #: What earlier packs published (written by the runner beside the figures), to mark revisions; None when run by hand.
        self.published: Published | None = read_published(Path(figures_dir) / EARLIER_FIGURES) if figures_dir else None
        self.rows: list[dict] = []
        #: Disclosure control planned across tables published together (:func:`perfpack.pages.blocks.protect_together`):
        #: the keys it covers, and the rows ``(key, area, window)`` it hides, each True when hidden for its own small count.
        self.planned_keys: set[str] = set()
        self.withheld: dict[tuple, bool] = {}
        #: Key -> the day a measure began (Covid-19 related ASB): a comparison with a window before it reads "new since".
        self.new_since: dict = {}
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

    @property
    def area_word(self) -> str:
        """What the force calls its areas, short ("NPA", "LPA"; "district" for a profile
        derived from police.uk data)."""
        return self.config.area_short if self.config.npas or not self.config.derived else "district"

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
        gaps = ds.gaps() if hasattr(ds, "gaps") else {}
        if gaps:  # months without data, never counted as zero
            by_months: dict[tuple, list[str]] = {}
            for table, months in gaps.items():
                by_months.setdefault(tuple(months), []).append(table.replace("_", " "))
            cov_text += "; no data for " + "; ".join(
                f"{month_words([date.fromisoformat(g + '-01') for g in months])} ({', '.join(tables)})" for months, tables in by_months.items()
            )
        self.show(
            '<div class="pp-period"><p><b>Period:</b> '
            + html.escape(f"{self.period.id} (figures for the 12 months to {self.current.end:%d %B %Y}, compared with the 12 months before unless stated)")
            + "</p><p><b>Data:</b> "
            + html.escape(_data_words(ds.source, ds.force) + f"{cov_text}.")
            + "</p></div>"
        )

    def unavailable(self, what: str, reason: str | None = None) -> None:
        """Say in words that the source cannot give something (never a zero, never a crash)."""
        self.show(f'<p class="pp-unavailable"><b>{html.escape(what)}:</b> {html.escape(reason or "not available from this source")}.</p>')

    def chart(self, fig_alt: tuple, caption: str = "", paper: bool = True) -> None:
        """Show a chart with its alt text and caption. ``paper=False``: the meeting paper,
        which takes a section's first charts, passes over this one."""
        fig, alt = fig_alt
        uri = charts.png_data_uri(fig)
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        classes = "pp-chart" if paper else f"pp-chart {NOT_IN_PAPER}"
        self.show(f'<figure class="{classes}"><img src="{uri}" alt="{html.escape(alt, quote=True)}" style="max-width:100%">{cap}</figure>')

    def paper_text(self, text: str) -> None:
        """A paragraph shown on the page that the meeting paper also carries, under the
        section's headline figures (plain text, escaped)."""
        self.show(f'<p class="{PAPER_TEXT}">{html.escape(text)}</p>')

    def commentary(self) -> None:
        """The force lead's response for this section and period, when an analyst has written
        one in this force's profile (never another force's)."""
        path = commentary_path(self.config, self.period, self.id)
        if path is None or not path.is_file():
            return
        text = markdown.to_html(path.read_text(encoding="utf-8"))  # escaped; no image fetched from anywhere
        self.show(
            f'<aside class="pp-commentary"><p class="pp-commentary-label">Commentary: force lead response (written by the force, not computed)</p>{text}</aside>'
        )

    # ---- figures ---------------------------------------------------------------------------

    def count_row(self, key, label, current, previous, cur, prev, area=FORCE, suppressed=None, coverage=None, tested=True) -> dict:
        """A figures.csv row for a count in ``current`` against ``previous``, tested and
        disclosure-checked with this pack's settings (not yet recorded: see :attr:`rows`).
        ``coverage`` (words): the data do not cover the windows in full, so no comparison;
        ``tested`` False: not an area (outside the force area, no location)."""
        row = count_row(
            self.id,
            key,
            label,
            current,
            previous,
            cur,
            prev,
            area=area,
            alpha=self.config.alpha,
            min_count=self.config.min_count_to_test,
            threshold=self.config.disclosure_threshold,
            suppressed=suppressed,
            coverage=coverage,
            tested=tested,
            new_since=self.new_since.get(key),
        )
        return self.mark_revisions(row)

    def add_value(
        self,
        key: str,
        label: str,
        window: Window,
        current,
        previous=None,
        kind: str = "amount",
        previous_window: Window | None = None,
        coverage: str | None = None,
    ) -> dict:
        row = self.mark_revisions(value_row(self.id, key, label, window, current, previous, kind=kind, previous_window=previous_window, coverage=coverage))
        self.rows.append(row)
        return row

    # ---- revisions -------------------------------------------------------------------------
    # A figure that differs from what an earlier pack published (docs/revisions.md) is marked
    # beside it: the tables of :mod:`perfpack.present.tables` show a row's ``_revised_current``
    # and ``_revised_previous``, and :meth:`end` lists every revision of the page in words.

    def revision(self, row: dict, measure: str = "current") -> dict | None:
        """How the figure a figures row states in ``measure`` (``current`` for its window,
        ``previous`` for its previous window) differs from what an earlier pack published, as
        a row of ``revisions.csv``; None when it does not, or was not published."""
        if not self.published:
            return None
        return self.published.revision(row, measure, self.config.revisions_material_pct)

    def revised_mark(self, row: dict, measure: str = "current", what: str = "") -> str:
        """The mark beside a revised figure (escaped HTML, starting on a new line of its
        cell): ``revised since the 2020-Q3 pack (was 63,214)``; empty when not revised."""
        rev = self.revision(row, measure)
        if rev is None:
            return ""
        words = mark_words(rev, self.period.id)
        return f'<br><small class="pp-revised">{html.escape(f"{what}: {words}" if what else words)}</small>'

    def mark_revisions(self, row: dict) -> dict:
        """Set a row's ``_revised_current`` and ``_revised_previous`` marks (not written to
        figures.csv) where its figures are revised; returns the row."""
        for measure in ("current", "previous"):
            mark = self.revised_mark(row, measure)
            if mark:
                row[f"_revised_{measure}"] = mark
        return row

    def revisions(self) -> list[dict]:
        """Every revised figure among this page's recorded figures, each once."""
        return self.published.revisions(self.rows, self.config.revisions_material_pct) if self.published else []

    def revisions_list(self) -> None:
        """This page's revised figures in words, folded, with a pointer to revisions.csv."""
        if not self.published:
            return
        revs = self.revisions()
        if not revs:
            self.show('<p class="pp-revisions">No figure on this page differs from what an earlier pack published.</p>')
            return
        items = "".join(f"<li>{html.escape(w[0].upper() + w[1:])}</li>" for w in (revision_words(r, self.period.id) for r in revs))
        n = len(revs)
        self.show(
            f'<details class="pp-revisions"><summary>Revised since an earlier pack: {n:,} figure{"s" if n != 1 else ""} on this page</summary><ul>{items}</ul><p>Where a table on this page shows one, it is marked \u201crevised\u201d beside it. revisions.csv in the pack lists every revision of the pack.</p></details>'
        )

    def sentence(self, row: dict) -> str:
        """The sentence for a count row: the change in words, with its significance; for a
        row the data do not cover in full, the counts and why they are not compared."""
        if row.get("significance") == INCOMPLETE_COVERAGE:
            w = Window.from_id(row["window"]).short()
            prev = (
                ""
                if row.get("previous") is None or not row.get("previous_window")
                else f" and {row['previous']:,} in {Window.from_id(row['previous_window']).short()}"
            )
            return f"{row['label']}: {row['current']:,} in {w}{prev}, not compared: the data do not cover both periods in full ({row['coverage']})."
        if row.get("previous") is None:
            return f"{row['label']}: {row['current']:,} in {Window.from_id(row['window']).short()}; no data for the comparison period."
        cmp = Comparison(
            current=row["current"],
            previous=row["previous"],
            change=row["change"],
            pct_change=row["pct_change"],
            p_value=row["p_value"],
            significance=row["significance"] or "",
            method="",
        )
        return describe_change(row["label"], cmp)

    def end(self) -> None:
        """The end of the page: the figures revised since an earlier pack, the force lead's
        commentary (where written), then this section's figures saved for the pack."""
        self.revisions_list()
        self.commentary()
        self.save()

    def save(self) -> None:
        """Write this section's rows for the runner to gather into figures.csv."""
        if self.figures_dir:
            write_section_figures(self.rows, Path(self.figures_dir) / f"{self.id}.csv")


def _data_words(source: str, force: str) -> str:
    """Where a page's figures come from, as its Data line opens: "Staffordshire Police's own
    records (...)", "The street-level crime ... files published on data.police.uk, for City of
    London Police"."""
    words = source_words(source, force)
    words = words[0].upper() + words[1:]
    return words if not force or force in words else f"{words}, for {force}"

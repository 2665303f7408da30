"""What earlier packs published, figure by figure, and whether a figure of this run revises it.

The part of revisions (``docs/revisions.md``) that section pages need as well as the run:
:mod:`perfpack.publish.revisions` finds the earlier packs, compares a whole run and writes
``revisions.csv`` and the note; a section page, which runs before the run's figures exist,
marks a revised figure beside it from a table of what the earlier packs published
(:data:`EARLIER_FIGURES`, written by the runner into the sections' figures folder). Both decide
with :func:`revision`, so a page marks exactly the figures ``revisions.csv`` lists.

A figure is ``(key, area, window)``; a row of ``figures.csv`` states two (``current`` for
``window``, ``previous`` for ``previous_window``); only counts and amounts are compared;
suppressed values are never read (:func:`stated_figures`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from perfpack.csv_cells import restore_frame
from perfpack.measures.counts import FORCE

#: The kinds of figure compared: counts of events and amounts (money).
COMPARED_KINDS = ("count", "amount")

#: Written in place of a value that is not published.
SUPPRESSED = "suppressed"

#: The table of figures earlier packs published that the runner writes beside the sections'
#: figures (in their ``figures_dir``) for the pages to mark revisions.
EARLIER_FIGURES = "earlier-figures.csv"

#: Its columns: one row per figure and kind, from the most recent pack that published it.
PUBLISHED_COLUMNS = ["key", "area", "window", "kind", "label", "value", "suppressed", "published_in", "published_at"]

MINUS = "\u2212"  # the real minus sign
EN_DASH = "\u2013"


# ---- reading figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: float | None  # None: suppressed
    suppressed: bool
    label: str
    kind: str


def is_true(x) -> bool:
    if isinstance(x, bool):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return False
    return str(x).strip().lower() in ("true", "1", "yes")


def num(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, str):
        x = x.strip()
        if not x or x.lower() in ("nan", "none", "<na>"):
            return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def text(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    s = str(x)
    return "" if s in ("nan", "None", "<NA>") else s.strip()


def stated_figures(df: pd.DataFrame | list[dict], kinds: Iterable[str] = COMPARED_KINDS) -> dict[tuple[str, str, str], Figure]:
    """Every figure a figures table (or a list of its rows) states, by ``(key, area, window)``,
    in the table's order: the ``current`` values first, then ``previous`` values for their
    ``previous_window`` where the table does not state that figure as a current value. A
    suppressed row hides both its values."""
    kinds = set(kinds)
    out: dict[tuple[str, str, str], Figure] = {}
    if df is None or len(df) == 0:
        return out
    recs = df.to_dict("records") if isinstance(df, pd.DataFrame) else list(df)
    for measure, window_col in (("current", "window"), ("previous", "previous_window")):
        for r in recs:
            fig = stated(r, measure, window_col, kinds)
            if fig is None:
                continue
            fid, f = fig
            if fid not in out:
                out[fid] = f
    return out


def stated(row: dict, measure: str, window_col: str, kinds: Iterable[str] = COMPARED_KINDS) -> tuple[tuple[str, str, str], Figure] | None:
    """The figure one value of a row states (``measure`` ``current`` or ``previous``), or
    None when the row states none there (another kind, no window, no value)."""
    kind = text(row.get("kind")) or "count"
    if kind not in set(kinds):
        return None
    window = text(row.get(window_col))
    if not window:
        return None
    hidden = is_true(row.get("suppressed"))
    value = None if hidden else num(row.get(measure))
    if value is None and not hidden:
        return None  # no value stated (no data for that window): nothing published
    return (text(row.get("key")), text(row.get("area")) or FORCE, window), Figure(value, hidden, text(row.get("label")) or text(row.get("key")), kind)


# ---- comparing one figure -----------------------------------------------------------------


def plain(v: float, kind: str):
    if kind == "count" and float(v).is_integer():
        return int(v)
    return round(float(v), 2)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def revision(fid: tuple[str, str, str], old: Figure, new: Figure, published_in: str, published_at: str, threshold_pct: float) -> dict | None:
    """A row of ``revisions.csv`` for a figure published as ``old`` and now ``new``, or None
    when it is not a revision (the same value, or hidden in both)."""
    key, area, window = fid
    base = {"key": key, "area": area, "window": window, "published_in": published_in, "published_at": published_at, "label": new.label, "kind": new.kind}
    if old.suppressed and new.suppressed:
        return None  # hidden in both: nothing can be said without disclosing
    if old.suppressed or new.suppressed:
        return base | {
            "published": SUPPRESSED if old.suppressed else plain(old.value, old.kind),
            "revised": SUPPRESSED if new.suppressed else plain(new.value, new.kind),
            "change": None,
            "pct_change": None,
            "material": False,
        }
    if _same(old.value, new.value):
        return None
    change = new.value - old.value
    pct = None if old.value == 0 else 100.0 * change / abs(old.value)
    material = pct is None or abs(pct) >= threshold_pct
    return base | {
        "published": plain(old.value, old.kind),
        "revised": plain(new.value, new.kind),
        "change": plain(change, new.kind),
        "pct_change": None if pct is None else round(pct, 1),
        "material": bool(material),
    }


class Published:
    """What earlier packs published (a table of :data:`PUBLISHED_COLUMNS`), to ask of one
    figure whether this run revises it."""

    def __init__(self, table: pd.DataFrame):
        self.figures: dict[tuple[str, str, str, str], tuple[Figure, str, str]] = {}
        for r in table.to_dict("records") if table is not None else []:
            kind = text(r.get("kind")) or "count"
            fid = (text(r.get("key")), text(r.get("area")) or FORCE, text(r.get("window")), kind)
            if fid in self.figures:
                continue
            hidden = is_true(r.get("suppressed"))
            self.figures[fid] = (
                Figure(None if hidden else num(r.get("value")), hidden, text(r.get("label")), kind),
                text(r.get("published_in")),
                text(r.get("published_at")),
            )

    def __len__(self) -> int:
        return len(self.figures)

    def revision(self, row: dict, measure: str = "current", threshold_pct: float = 1.0) -> dict | None:
        """The revision of the figure a figures row states in ``measure`` (``current`` for
        its ``window``, ``previous`` for its ``previous_window``), as a row of
        ``revisions.csv``, or None: unchanged, never published, or not compared."""
        got = stated(row, measure, "window" if measure == "current" else "previous_window")
        if got is None:
            return None
        fid, new = got
        before = self.figures.get((*fid, new.kind))
        if before is None:
            return None
        old, published_in, published_at = before
        return revision(fid, old, new, published_in, published_at, threshold_pct)

    def revisions(self, rows: pd.DataFrame | list[dict], threshold_pct: float = 1.0) -> list[dict]:
        """Every figure ``rows`` state (:func:`stated_figures`: each once, a current value
        first) that differs from what was published, in the rows' order."""
        out = []
        for fid, new in stated_figures(rows).items():
            before = self.figures.get((*fid, new.kind))
            if before is not None and (rev := revision(fid, before[0], new, before[1], before[2], threshold_pct)) is not None:
                out.append(rev)
        return out


def read_published(path: str | Path) -> Published | None:
    """The table the runner wrote (:data:`EARLIER_FIGURES`), or None when there is none (a
    notebook run by hand, or a runner that wrote none)."""
    path = Path(path)
    if not path.is_file():
        return None
    return Published(restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False)))  # written by csv_cells.write_csv


# ---- words --------------------------------------------------------------------------------


def window_words(window_id: str) -> str:
    """A window id in words: ``January–September 2020``, ``October 2019–September 2020``,
    ``March 2020``, ``16 March–3 July 2020``; an id that is not a date range as it is."""
    try:
        a, b = str(window_id).split("..")
        start, end = date.fromisoformat(a), date.fromisoformat(b)
    except ValueError:
        return str(window_id)
    whole = start.day == 1 and (pd.Timestamp(end) + pd.Timedelta(days=1)).day == 1
    if whole:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
        if start.year == end.year:
            return f"{start:%B}{EN_DASH}{end:%B %Y}"
        return f"{start:%B %Y}{EN_DASH}{end:%B %Y}"
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B}{EN_DASH}{end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y}{EN_DASH}{end.day} {end:%B %Y}"


def lower_first(label: str) -> str:
    """``All crime`` -> ``all crime``; ``ASB incidents``, ``Covid-19 ...`` stay as they are."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isalpha() and first[0].isupper() and first[1:].islower():
        return label[0].lower() + label[1:]
    return label


def value_words(v, kind: str) -> str:
    if v == SUPPRESSED or v is None:
        return "not published (a small number)"
    v = float(v)
    if kind == "amount":
        return f"£{v:,.0f}" if abs(v) < 1e6 else f"£{v / 1e6:,.1f}m"
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def _change_words(change, kind: str) -> str:
    c = float(change)
    size = value_words(abs(c), kind)
    if kind == "count":
        return f"{size} {'more' if c > 0 else 'fewer'}"
    return f"{size} {'more' if c > 0 else 'less'}"


def _signed_pct(p) -> str:
    p = float(p)
    return f"{'+' if p > 0 else MINUS if p < 0 else ''}{abs(p):.1f}%"


def pack_words(published_in: str, period: str | None) -> str:
    """``the 2020-Q3 pack``; ``the earlier run of the 2020-Q4 pack`` when ``period`` (this
    run's) is the pack's own."""
    return f"the earlier run of the {published_in} pack" if period and published_in == period else f"the {published_in} pack"


def revision_words(row: dict, period: str | None = None) -> str:
    """One revision in words: ``all crime for January–September 2020, published in the 2020-Q3
    pack as 63,214, is now 63,114: 100 fewer (−0.2%)``. With ``period`` (this run's), a
    figure published by an earlier run of the same period says so."""
    kind = str(row.get("kind") or "count")
    area = str(row.get("area") or FORCE)
    label = str(row.get("label") or row["key"])
    when = window_words(row["window"])
    what = lower_first(label) + ("" if area == FORCE else f" in {area}") + ("" if when in label else f" for {when}")
    head = f"{what}, published in {pack_words(str(row['published_in']), period)} as {value_words(row['published'], kind)}, is now {value_words(row['revised'], kind)}"
    if row.get("change") is None or (isinstance(row.get("change"), float) and math.isnan(row["change"])):
        return head
    pct = row.get("pct_change")
    pct_text = "" if pct is None or (isinstance(pct, float) and math.isnan(pct)) else f" ({_signed_pct(pct)})"
    return f"{head}: {_change_words(row['change'], kind)}{pct_text}"


def mark_words(row: dict, period: str | None = None) -> str:
    """The short words beside a revised figure on a page: ``revised since the 2020-Q3 pack
    (was 63,214)``; ``revised since the 2020-Q3 pack, which did not publish it (a small
    number)``."""
    kind = str(row.get("kind") or "count")
    since = f"revised since {pack_words(str(row['published_in']), period)}"
    if row.get("published") == SUPPRESSED:
        return f"{since}, which did not publish it (a small number)"
    return f"{since} (was {value_words(row['published'], kind)})"

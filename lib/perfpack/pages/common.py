"""What every page block shares: the check that a source can give what a block needs (and the
words when it cannot), the figures a block recorded as a table, figure keys from names."""

from __future__ import annotations

import re

import pandas as pd

from perfpack.measures.coverage import shortfall
from perfpack.pages.protect import hiding_for, protect_together  # noqa: F401 - protect_together is called as blocks.protect_together
from perfpack.pages.section import Section
from perfpack.stats.figures import to_frame

RULE_WORDS = {
    "beyond_limit": "a point beyond a limit",
    "run": "a run on one side of the mean",
    "trend": "a trend of consecutive rises or falls",
    "two_of_three": "two of three points near a limit",
}


def snake(text) -> str:
    """A figure key from a category name: ``'Consumer fraud'`` -> ``consumer_fraud``,
    ``'70+'`` -> ``70_plus``."""
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower().replace("+", " plus")).strip("_")
    return s or "blank"


def first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0].rstrip(".")


def round1(x: float | None) -> float | None:
    """A share or amount rounded to one decimal place, as figures.csv holds it (None stays None)."""
    return None if x is None else round(x, 1)


def recorded_since(s: Section, start: int) -> pd.DataFrame:
    """The figures a block recorded (``s.rows`` from ``start`` on) as a table."""
    return to_frame([{k: v for k, v in r.items() if not k.startswith("_")} for r in s.rows[start:]])


# ---- what a block needs -------------------------------------------------------------------


def available(s: Section, what: str, tables: tuple[str, ...] = (), fields: tuple[str, ...] = ()) -> bool:
    """Whether the source has the ``tables`` and ``fields`` a block needs; when it has not,
    say so under ``what`` (the source's own words) and return False."""
    for t in tables:
        if not s.data.has(t):
            s.unavailable(what, s.data.why_not(t))
            return False
    for f in fields:
        if f in s.data.unavailable:
            s.unavailable(what, s.data.unavailable[f])
            return False
    for t in tables:
        cov = s.data.coverage_of(t)
        if cov is None:
            s.unavailable(what, f"the {t.replace('_', ' ')} data hold no records")
            return False
        if cov.covers_none(s.current):
            s.unavailable(what, f"the {t.replace('_', ' ')} data cover {cov.first:%d %b %Y} to {cov.last:%d %b %Y}, nothing in {s.current.short()}")
            return False
    return True


def partial_note(s: Section, table: str) -> None:
    """Say so when the data cover only part of the latest 12 months: its figures are counted
    but not compared."""
    gap = shortfall(s.data, table, s.current)
    if gap:
        s.unavailable(f"Part of {s.current.short()} only", f"{gap}; figures for {s.current.short()} are counted but not compared (incomplete coverage)")

"""Whether a dataset covers the windows a figure compares, in words.

A figure is computed over fully covered windows only (see
:mod:`perfpack.sources.coverage`). These helpers ask a :class:`~perfpack.sources.dataset.Dataset`
about one table and one or two windows and give the words a figure carries when the data fall
short.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfpack.periods import Window
from perfpack.sources.coverage import NO_DATA
from perfpack.sources.dataset import Dataset


def shortfall(ds: Dataset, table: str, window: Window) -> str | None:
    """Words for a window the table does not cover in full (``NO_DATA`` when it covers none
    of it, or the source lacks the table), or None when it covers all of it."""
    cov = ds.coverage_of(table)
    if cov is None:
        return NO_DATA
    return cov.shortfall(window)


@dataclass(frozen=True)
class Compared:
    """What the data allow for a comparison of ``current`` with ``previous``.

    ``words``: why it cannot be made (None when it can, or when only the previous window is
    wholly outside the data); ``previous_none``: the data hold nothing for the previous
    window (its count is not given, the figure says "no data for the comparison period")."""

    words: str | None
    previous_none: bool

    @property
    def ok(self) -> bool:
        return self.words is None and not self.previous_none


def compared(ds: Dataset, table: str, current: Window, previous: Window | None) -> Compared:
    """Whether ``current`` can be compared with ``previous`` on ``table``, and the words."""
    cur = shortfall(ds, table, current)
    prev = shortfall(ds, table, previous) if previous is not None else None
    parts = []
    if cur:
        parts.append(f"{current.short()}: {cur}")
    if prev and (cur or prev != NO_DATA):
        parts.append(f"{previous.short()}: {prev}")
    return Compared("; ".join(parts) or None, prev == NO_DATA)

"""Which months each table of a dataset covers, and the words for a window it does not.

A table's coverage is the span of days it covers and the months inside that span it holds no
data for (its *gaps*):

- data.police.uk street files: the months whose file is present; a month without a file
  between the first and the last is a gap (granularity ``month``).
- Home Office force-area tables: the quarters present, three months each (``quarter``).
- a force's own extracts (record-level): the months from the first record to the last, less
  the months inside that range with no record where the table normally has many
  (:func:`find_gaps`). A table with many records a day (ten or more on average, as crimes,
  incidents and Action Fraud reports have) is taken to start and end on the days of its first
  and last record, so an extract pulled in the middle of a month covers only part of it; a
  sparser table (FPNs, the daily calls rows) is taken to hold whole months at its ends.

A figure is computed only over windows the data cover in full
(:meth:`Coverage.covers`); otherwise :meth:`Coverage.shortfall` gives the words the page, the
index, the paper and ``figures.csv`` show instead ("data cover 11 of 12 months (no data for
October 2024)").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from perfpack.periods import Window, add_months, month_end, month_start

#: A run of months with no records inside a table's range is a gap when the months on both
#: sides of it each hold at least GAP_MIN_AROUND records and at least GAP_MIN_LEVEL of the
#: table's median month. A month that quiet by chance beside such months is implausible (a
#: Poisson count with mean 20 is zero once in 500 million); the real quiet months of a table
#: whose volume follows events (FPNs before and between the lockdowns) sit beside months well
#: below its usual level as the rules wound down or came back, and are not flagged.
GAP_MIN_AROUND = 20
GAP_MIN_LEVEL = 0.25
#: A table with at least this many records a day on average is read to the day at its ends.
DAILY_MIN_PER_DAY = 10
#: The words for a window with no data at all.
NO_DATA = "no data for this period"


@dataclass(frozen=True)
class Coverage:
    """The days a table covers: from ``first`` to ``last``, less the months in ``gaps``
    (month starts)."""

    first: date
    last: date
    gaps: tuple[date, ...] = ()
    granularity: str = "record"

    # ---- to and from the snapshot (plain JSON) ----
    def to_meta(self) -> dict:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(), "gaps": [f"{g:%Y-%m}" for g in self.gaps], "granularity": self.granularity}

    @classmethod
    def from_meta(cls, meta: dict) -> Coverage:
        return cls(
            date.fromisoformat(meta["first"]),
            date.fromisoformat(meta["last"]),
            tuple(date.fromisoformat(g + "-01") for g in meta.get("gaps", [])),
            meta.get("granularity", "record"),
        )

    # ---- questions a section asks ----
    def missing(self, window: Window) -> list[tuple[date, bool]]:
        """The months ``window`` touches that the data do not cover, as ``(month start,
        wholly)``: ``wholly`` False when the data cover part of the month's days in the window."""
        out = []
        gaps = set(self.gaps)
        m = month_start(window.start)
        while m <= window.end:
            a, b = max(window.start, m), min(window.end, month_end(m))
            if m in gaps or b < self.first or a > self.last:
                out.append((m, True))
            elif a < self.first or b > self.last:
                out.append((m, False))
            m = add_months(m, 1)
        return out

    def covers(self, window: Window) -> bool:
        """Whether the data cover every day of ``window``."""
        return not self.missing(window)

    def covers_none(self, window: Window) -> bool:
        """Whether the data cover no day of ``window`` (the window lies outside the data or in
        its gaps)."""
        months = len(window.months)
        missing = self.missing(window)
        return len(missing) == months and all(whole for _, whole in missing)

    def shortfall(self, window: Window) -> str | None:
        """Words for a window the data do not cover in full, or None when they do: ``data
        cover 11 of 12 months (no data for October 2024)``, ``no data for this period``."""
        missing = self.missing(window)
        if not missing:
            return None
        if self.covers_none(window):
            return NO_DATA
        n = len(window.months)
        whole_months = window.start.day == 1 and window.end == month_end(window.end)
        what = missing_words(missing)
        if whole_months and all(w for _, w in missing):
            return f"data cover {n - len(missing)} of {n} months (no data for {what})"
        return f"data cover only part of {window.describe()} (no data for {what})"

    def months_in(self, start: date, end: date) -> list[date]:
        """The gap months between ``start`` and ``end`` (inclusive, by month)."""
        a, b = month_start(start), month_start(end)
        return [g for g in self.gaps if a <= g <= b]


def month_words(months: list[date]) -> str:
    """Months in words, consecutive runs joined: ``October 2024``, ``January–March 2017``,
    ``December 2023–February 2024``, ``May 2019 and October 2024``."""
    months = sorted(set(months))
    runs: list[list[date]] = []
    for m in months:
        if runs and add_months(runs[-1][-1], 1) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    words = []
    for run in runs:
        a, b = run[0], run[-1]
        if a == b:
            words.append(f"{a:%B %Y}")
        elif a.year == b.year:
            words.append(f"{a:%B}–{b:%B %Y}")
        else:
            words.append(f"{a:%B %Y}–{b:%B %Y}")
    if len(words) <= 1:
        return "".join(words)
    if len(words) > 6:
        return ", ".join(words[:5]) + f" and {len(words) - 5} more periods"
    return ", ".join(words[:-1]) + " and " + words[-1]


def missing_words(missing: list[tuple[date, bool]]) -> str:
    whole = [m for m, w in missing if w]
    part = [m for m, w in missing if not w]
    bits = []
    if whole:
        bits.append(month_words(whole))
    if part:
        bits.append("part of " + month_words(part))
    return " and ".join(bits)


def find_gaps(monthly: pd.Series, min_around: int = GAP_MIN_AROUND, min_level: float = GAP_MIN_LEVEL) -> list[date]:
    """Months with no records inside a table's range where the table normally has many.

    ``monthly`` holds records per month (month-start index, every month from the first to
    the last, zeros included). A run of zero months is a gap when the months just before and
    just after it each hold at least ``min_around`` records and at least ``min_level`` of the
    median month; quiet months beside quiet months (FPNs before and between the lockdowns)
    are real and are not flagged."""
    values = monthly.to_numpy()
    if not len(values):
        return []
    floor = max(min_around, min_level * float(pd.Series(values).median()))
    out: list[date] = []
    i = 0
    while i < len(values):
        if values[i] != 0:
            i += 1
            continue
        j = i
        while j < len(values) and values[j] == 0:
            j += 1
        if 0 < i and j < len(values) and min(values[i - 1], values[j]) >= floor:
            out += [pd.Timestamp(m).date() for m in monthly.index[i:j]]
        i = j
    return out


def record_coverage(dates: pd.Series, weights: pd.Series | None = None) -> Coverage | None:
    """The coverage of a record-level table from its dates (None when it has none).

    ``weights`` (records per row, e.g. an aggregated ``count``) default to one per row."""
    d = pd.to_datetime(dates)
    ok = d.notna()
    if not ok.any():
        return None
    d = d[ok]
    w = (weights[ok] if weights is not None else pd.Series(1, index=d.index)).astype("float64")
    lo, hi = d.min(), d.max()
    first_m, last_m = lo.to_period("M"), hi.to_period("M")
    idx = pd.period_range(first_m, last_m, freq="M")
    monthly = w.groupby(d.dt.to_period("M")).sum().reindex(idx, fill_value=0)
    monthly.index = idx.to_timestamp()
    days = (hi.normalize() - lo.normalize()).days + 1
    daily = float(w.sum()) / days >= DAILY_MIN_PER_DAY
    first = lo.date() if daily else first_m.start_time.date()
    last = hi.date() if daily else last_m.end_time.date()
    return Coverage(first, last, tuple(find_gaps(monthly)), "record")


def months_coverage(months: list[date], granularity: str = "month", step: int = 1) -> Coverage | None:
    """The coverage of a source that comes in whole months (``step`` 1) or quarters
    (``step`` 3): ``months`` are the first months of the periods present."""
    if not months:
        return None
    present = set()
    for m in months:
        for k in range(step):
            present.add(add_months(m, k))
    first, last = min(present), max(present)
    gaps = []
    m = first
    while m <= last:
        if m not in present:
            gaps.append(m)
        m = add_months(m, 1)
    return Coverage(first, month_end(last), tuple(gaps), granularity)


def whole_months(window: Window) -> Window | None:
    """The calendar months at least half inside ``window``, as one window of whole months (a
    Covid-19 period counted on a monthly source): ``16 Mar – 3 Jul 2020`` -> March–June 2020.
    None when no month is half inside it."""
    chosen = []
    m = month_start(window.start)
    while m <= window.end:
        a, b = max(window.start, m), min(window.end, month_end(m))
        inside = (b - a).days + 1
        if 2 * inside >= (month_end(m) - m).days + 1:
            chosen.append(m)
        m = add_months(m, 1)
    if not chosen:
        return None
    return Window(chosen[0], month_end(chosen[-1]), window.label)


def years_back(window: Window, years: int) -> Window:
    """``window`` moved back ``years`` whole years; a window of whole months stays one (February
    2021 -> February 2020 ends on the 29th)."""
    start, end = window.start, window.end
    for _ in range(years):
        start, end = _year_back(start), _year_back(end)
    if window.end == month_end(window.end):
        end = month_end(end)
    return Window(start, end, window.label)


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)

"""Reporting periods and the windows a report compares.

A period id is a calendar quarter, ``YYYY-QN`` (e.g. ``2020-Q4``). From it the library
derives the windows every section uses. Windows are inclusive date ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from perfpack.config import PackConfig

PERIOD_RE = re.compile(r"^(\d{4})-Q([1-4])$")


class PeriodError(ValueError):
    """A period id that cannot be understood."""


@dataclass(frozen=True, order=True)
class Window:
    """An inclusive range of days, with a label for tables and a key for figures.csv."""

    start: date
    end: date
    label: str = field(default="", compare=False)

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"window {self.label!r} ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> pd.PeriodIndex:
        """The calendar months the window touches."""
        return pd.period_range(pd.Period(self.start, "M"), pd.Period(self.end, "M"), freq="M")

    @property
    def id(self) -> str:
        """Compact id used in figures.csv: ``2020-01-01..2020-12-31``."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @classmethod
    def from_id(cls, text: str, label: str = "") -> Window:
        """Inverse of :attr:`id`."""
        a, b = text.split("..")
        return cls(date.fromisoformat(a), date.fromisoformat(b), label)

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def year_earlier(self) -> Window:
        """The same dates a year earlier (29 February maps to 28 February)."""
        return Window(_minus_year(self.start), _minus_year(self.end), _year_earlier_label(self.label))

    def describe(self) -> str:
        """Human label such as '1 Jan 2020 – 31 Dec 2020'."""
        return f"{format_day(self.start)} – {format_day(self.end)}"

    def short(self) -> str:
        """The window as tables and sentences name it: ``2020`` for a calendar year,
        ``Jan 2020 – Dec 2020`` for whole months, else :meth:`describe`."""
        a, b = self.start, self.end
        if a.year == b.year and (a.month, a.day) == (1, 1) and (b.month, b.day) == (12, 31):
            return str(a.year)
        if a.day == 1:
            return f"{a:%b %Y} – {b:%b %Y}"
        return self.describe()

    def head(self) -> str:
        """The window as the meeting paper heads a table column: ``Jan - Dec 2020``,
        ``Apr - Mar 2019/20``."""
        year = str(self.start.year) if self.start.year == self.end.year else f"{self.start:%Y}/{self.end:%y}"
        return f"{self.start:%b} - {self.end:%b} {year}"


def window_label(window_id) -> str:
    """:meth:`Window.short` of a window id such as ``2020-01-01..2020-12-31``; text that is not
    a window id is returned as it is."""
    try:
        return Window.from_id(str(window_id)).short()
    except (ValueError, TypeError):
        return str(window_id or "")


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _year_earlier_label(label: str) -> str:
    return f"{label}, a year earlier" if label else ""


def format_day(d: date) -> str:
    return f"{d.day} {d.strftime('%b %Y')}"


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def add_months(d: date, n: int) -> date:
    """First day of the month ``n`` months after the month of ``d``."""
    y, m = divmod(d.year * 12 + (d.month - 1) + n, 12)
    return date(y, m + 1, 1)


@dataclass(frozen=True)
class Period:
    """A reporting quarter and every window derived from it.

    Examples
    --------
    >>> p = Period.parse("2020-Q4")
    >>> p.rolling_12m.start, p.rolling_12m.end
    (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    """

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = PERIOD_RE.match(str(text).strip())
        if not m:
            raise PeriodError(f"'{text}' is not a reporting period. Write the quarter as YYYY-QN, for example 2020-Q4.")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def id(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.id

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def end(self) -> date:
        return month_end(date(self.year, 3 * self.quarter, 1))

    @property
    def quarter_window(self) -> Window:
        return Window(self.start, self.end, f"Quarter {self.id}")

    @property
    def rolling_12m(self) -> Window:
        """The 12 months to the end of the period."""
        return Window(add_months(self.end, -11), self.end, "12 months to " + self.end.strftime("%b %Y"))

    @property
    def previous_12m(self) -> Window:
        """The 12 months before :attr:`rolling_12m`."""
        cur = self.rolling_12m
        return Window(add_months(cur.start, -12), cur.start - timedelta(days=1), "12 months to " + (cur.start - timedelta(days=1)).strftime("%b %Y"))

    @property
    def financial_year_start(self) -> date:
        return date(self.end.year if self.end.month >= 4 else self.end.year - 1, 4, 1)

    @property
    def fytd(self) -> Window:
        """The financial year (April to March) to the end of the period."""
        fy = self.financial_year_start
        return Window(fy, self.end, f"Financial year {fy.year}/{str(fy.year + 1)[2:]} to date")

    def trailing_months(self, n: int, offset: int = 0) -> Window:
        """The ``n`` months ending ``offset`` months after the period end."""
        end = month_end(add_months(self.end, offset))
        return Window(add_months(end, -(n - 1)), end, f"{n} months to {end.strftime('%b %Y')}")

    def covid_windows(self, config: PackConfig) -> list[tuple[str, Window, Window]]:
        """Covid-19 periods that have started by the period end, each clipped to it.

        Returns ``(id, window, base)``; the first is the whole pandemic window (id
        ``overall``), to the period end or the end of the last configured period, whichever is
        earlier. The base is the same dates a year earlier; with the profile's
        ``covid.compare_with: before_pandemic``, a base that would reach into the pandemic
        (a 2021 period's) is moved back whole years until it ends before the pandemic began:
        the third lockdown of 2021 against the same dates of 2019.
        """
        start = config.covid_overall_start

        def base(w: Window) -> Window:
            b = w.year_earlier()
            while getattr(config, "covid_compare_with", "year_earlier") == "before_pandemic" and b.end >= start:
                b = b.year_earlier()
            return b

        out = []
        last = max((p.end for p in config.covid_periods), default=self.end)
        end = min(self.end, last)  # the pandemic window ends with its last period
        if start <= end:
            w = Window(start, end, f"{config.covid_overall_label} to {format_day(end)}")
            out.append(("overall", w, base(w)))
        for p in config.covid_periods:
            if p.start > self.end:
                continue
            w = Window(p.start, min(p.end, self.end), p.label)
            out.append((p.id, w, base(w)))
        return out


def month_index(start: date, end: date) -> pd.DatetimeIndex:
    """Month starts from the month of ``start`` to the month of ``end`` inclusive."""
    return pd.date_range(month_start(start), month_start(end), freq="MS")

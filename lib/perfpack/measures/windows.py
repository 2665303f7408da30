"""Windows that run past the period end: sources more current than recorded crime.

Action Fraud data and FPN logs are usually a month ahead of the force's crime records, and
the meeting paper quotes them to the latest month it has (January 2021 in a paper on data to
31 December 2020). How far past the period end a section may look is configuration
(``windows.latest_data_offset_months``); how far it does look depends on the data: a window
never ends after the last whole month the data cover, and never before the period end.
"""

from __future__ import annotations

from datetime import date, timedelta

from perfpack.periods import Period, Window, add_months, month_end, month_start

__all__ = ["last_whole_month_end", "latest_end", "trailing_window", "window_since", "months_before"]


def last_whole_month_end(last_day: date) -> date:
    """The last day of the last calendar month that ``last_day`` completes."""
    if last_day == month_end(last_day):
        return last_day
    return month_start(last_day) - timedelta(days=1)


def latest_end(period: Period, offset: int, last_day: date | None = None) -> date:
    """The last day a window may reach: ``offset`` months after the period end, cut back to
    the last whole month the data cover, but never before the period end.

    Parameters
    ----------
    period : Period
        The reporting period.
    offset : int
        Months after the period end (``windows.latest_data_offset_months``), 0 or more.
    last_day : date, optional
        The last day the data cover (``Dataset.coverage(table)[1]``); None means no limit.

    Returns
    -------
    date

    Examples
    --------
    >>> latest_end(Period.parse("2020-Q4"), 1, date(2021, 3, 31))
    datetime.date(2021, 1, 31)
    >>> latest_end(Period.parse("2020-Q4"), 1, date(2021, 1, 15))
    datetime.date(2020, 12, 31)
    """
    if offset < 0:
        raise ValueError(f"the offset after the period end must be 0 or more months, got {offset}")
    end = month_end(add_months(period.end, offset))
    if last_day is not None and last_day < end:
        end = max(period.end, last_whole_month_end(last_day))
    return end


def trailing_window(period: Period, months: int, offset: int = 0, last_day: date | None = None) -> Window:
    """The ``months`` calendar months ending at :func:`latest_end`.

    With data covering the whole offset this is ``period.trailing_months(months, offset)``:
    for 2020-Q4, 13 months and an offset of 1, January 2020 to January 2021.
    """
    if months < 1:
        raise ValueError(f"a window needs at least one month, got {months}")
    end = latest_end(period, offset, last_day)
    return Window(add_months(end, -(months - 1)), end, f"{months} months to {end:%b %Y}")


def window_since(period: Period, start: date, offset: int = 0, last_day: date | None = None) -> Window | None:
    """From the month of ``start`` to :func:`latest_end` (e.g. FPNs since March 2020), or None
    when ``start`` is after that end."""
    end = latest_end(period, offset, last_day)
    first = month_start(start)
    if first > end:
        return None
    return Window(first, end, f"{first:%b %Y} to {end:%b %Y}")


def months_before(window: Window) -> Window:
    """The window of the same number of whole months just before ``window`` (which must start
    on the first of a month and end on the last day of one)."""
    n = len(window.months)
    start = add_months(window.start, -n)
    end = window.start - timedelta(days=1)
    return Window(start, end, f"{n} months to {end:%b %Y}")

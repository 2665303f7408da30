"""Measures: counts of events in windows, by area and by month.

Every function takes a DataFrame of events (one row per record, or aggregated rows with a
``count`` column) and plain values, and returns numbers or DataFrames. Nothing here draws or
prints.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from perfpack.periods import Window, month_index
from perfpack.sources.contract import NOT_AREAS

FORCE = "Force"


def _weights(df: pd.DataFrame, weight: str | None) -> pd.Series:
    if weight and weight in df:
        return df[weight]
    return pd.Series(1, index=df.index)


def rows_where(df: pd.DataFrame, mask: pd.Series, columns) -> pd.DataFrame:
    """The rows of ``df`` where ``mask`` holds, with only those of ``columns`` the frame has.

    Filtering copies every column it keeps, and a table has millions of rows for a large
    force: take only what the measure uses."""
    return df.loc[mask, [c for c in columns if c in df]]


def in_window(df: pd.DataFrame, date_col: str, window: Window) -> pd.Series:
    """Boolean mask of rows whose date falls in ``window`` (inclusive, by day)."""
    d = df[date_col]
    return (d >= pd.Timestamp(window.start)) & (d < pd.Timestamp(window.end) + pd.Timedelta(days=1))


def count_in(df: pd.DataFrame, date_col: str, window: Window, weight: str | None = "count") -> int:
    """Number of events in a window."""
    return int(_weights(df, weight)[in_window(df, date_col, window)].sum())


def compare_windows(
    df: pd.DataFrame,
    date_col: str,
    current: Window,
    previous: Window,
    by: str | None = None,
    areas: list[str] | tuple[str, ...] | None = None,
    weight: str | None = "count",
) -> pd.DataFrame:
    """Counts in two windows, force-wide and (optionally) by an area column.

    Returns
    -------
    DataFrame with columns ``area``, ``current``, ``previous``: the force row first, then one
    row per area in the order of ``areas`` (areas with no events get zeros), then any other
    area values found in the data, so that nothing is dropped silently: by name, and last the
    rows that are not areas ("Outside the force area", "No location"). When the source gives no area at all (``by`` empty in every row, as in
    the Home Office force totals), only the force row.
    """
    w = _weights(df, weight)
    cur_mask, prev_mask = in_window(df, date_col, current), in_window(df, date_col, previous)
    rows = [{"area": FORCE, "current": int(w[cur_mask].sum()), "previous": int(w[prev_mask].sum())}]
    if by and len(df) and df[by].isna().all():
        by = None
    if by:
        cur = w[cur_mask].groupby(df.loc[cur_mask, by]).sum()
        prev = w[prev_mask].groupby(df.loc[prev_mask, by]).sum()
        names = list(areas or [])
        found = (set(cur.index) | set(prev.index)) - set(names)
        extra = sorted(found - set(NOT_AREAS), key=str) + [n for n in NOT_AREAS if n in found]
        for name in names + extra:
            rows.append({"area": name, "current": int(cur.get(name, 0)), "previous": int(prev.get(name, 0))})
    return pd.DataFrame(rows)


def monthly_counts(df: pd.DataFrame, date_col: str, start: date, end: date, weight: str | None = "count", by: str | None = None) -> pd.Series | pd.DataFrame:
    """Events per calendar month from the month of ``start`` to the month of ``end``.

    Months with no events are zero. With ``by``, one column per value of that column.
    """
    idx = month_index(start, end)
    lo, hi = pd.Timestamp(idx[0]), pd.Timestamp(idx[-1]) + pd.offsets.MonthBegin(1)
    sel = df[(df[date_col] >= lo) & (df[date_col] < hi)]
    months = sel[date_col].dt.to_period("M").dt.to_timestamp()
    w = _weights(sel, weight)
    if by is None:
        s = w.groupby(months).sum().reindex(idx, fill_value=0).astype("int64")
        s.index.name = "month"
        return s
    t = w.groupby([months, sel[by]]).sum().unstack(fill_value=0).reindex(idx, fill_value=0).astype("int64")
    t.index.name = "month"
    return t


def this_year_vs_last(df: pd.DataFrame, date_col: str, current: Window, weight: str | None = "count") -> pd.DataFrame:
    """Monthly counts of the current 12-month window beside the same months a year earlier.

    Returns
    -------
    DataFrame indexed by month label (``Jan``...), columns ``current``, ``previous``,
    ``current_month`` (the month start of the current year), aligned month by month.
    """
    prev = current.year_earlier()
    cur = monthly_counts(df, date_col, current.start, current.end, weight)
    before = monthly_counts(df, date_col, prev.start, prev.end, weight)
    if len(cur) != len(before):
        raise ValueError("the two windows cover different numbers of months")
    out = pd.DataFrame(
        {
            "current_month": cur.index,
            "current": cur.to_numpy(),
            "previous": before.to_numpy(),
        },
        index=[m.strftime("%b") for m in cur.index],
    )
    out.index.name = "month"
    return out


def coverage_gap(first: date | None, last: date | None, window: Window) -> str | None:
    """Words for a window the data do not fully cover, or None when they do."""
    if first is None or last is None:
        return "no data"
    if window.end < first or window.start > last:
        return "no data for this period"
    if window.start < first or window.end > last:
        return f"data cover only {max(first, window.start).isoformat()} to {min(last, window.end).isoformat()}"
    return None


# ---- selections of events, named as the report names them ----------------------------------


def all_crime(crimes: pd.DataFrame) -> pd.DataFrame:
    """Police recorded crime: every offence except fraud recorded by Action Fraud and others."""
    return crimes[crimes["in_all_crime"]]


def asb_incidents(incidents: pd.DataFrame) -> pd.DataFrame:
    """Recorded anti-social behaviour, Covid-19 breach reports included (classed as ASB in force)."""
    return incidents[incidents["is_asb"]]


def total_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """Calls as weighted events (``count`` = calls that day on that channel)."""
    return calls.assign(count=calls["calls"].astype("int64"))

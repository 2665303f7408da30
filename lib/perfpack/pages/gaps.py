"""Months a table does not cover, as gaps in what a block draws and tabulates: a month
without data is unknown (NaN: a gap in a chart, a dash in a table), never a zero."""

from __future__ import annotations

import pandas as pd

from perfpack.periods import Window, month_end
from perfpack.sources.coverage import Coverage


def uncovered_months(cov: Coverage | None, start, end) -> set:
    """Month starts (as timestamps) from the month of ``start`` to that of ``end`` the data do
    not cover in full."""
    if cov is None:
        return set(pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS"))
    return {pd.Timestamp(m) for m, _ in cov.missing(Window(pd.Timestamp(start).date().replace(day=1), month_end(pd.Timestamp(end).date())))}


def blank_uncovered(data: pd.DataFrame, cov: Coverage | None, window: Window) -> pd.DataFrame:
    """Months the data do not cover are unknown, not zero: blank them so charts leave a gap
    and tables show a dash."""
    out = data.astype({"current": "float64", "previous": "float64"})
    cur_m = pd.to_datetime(out["current_month"])
    prev_m = cur_m - pd.DateOffset(years=1)
    missing = uncovered_months(cov, window.year_earlier().start, window.end)
    out.loc[cur_m.isin(missing).to_numpy(), "current"] = float("nan")
    out.loc[prev_m.isin(missing).to_numpy(), "previous"] = float("nan")
    return out


def blank_series(series: pd.Series, cov: Coverage | None) -> pd.Series:
    """A monthly series with the months the data do not cover as NaN (a gap, not a zero)."""
    if series.empty:
        return series.astype("float64")
    missing = uncovered_months(cov, series.index[0], series.index[-1])
    out = series.astype("float64")
    out[out.index.isin(list(missing))] = float("nan")
    return out

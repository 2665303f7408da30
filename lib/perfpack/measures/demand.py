"""The monthly demand series a dataset can give for a period (incidents attended, by grade; 999
calls; recorded crime), for the four-year demand forecasts of the strategic risk section."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from perfpack.measures.counts import all_crime, rows_where
from perfpack.periods import Period, add_months, format_day, month_end
from perfpack.sources.coverage import month_words


@dataclass(frozen=True)
class DemandDefinition:
    """One demand series: its ``figures.csv`` key, the title of its chart and sub-heading, and
    the plural noun phrase the statements use ("999 calls are forecast to rise ...")."""

    key: str
    title: str
    noun: str
    table: str


#: The series forecast, in page order. Incidents attended by grade let the FMS statement
#: "fewer incidents attended, but more grade 1 and 2 incidents" be checked; the two grade
#: groups add up to the total (the total is forecast on its own, so forecasts need not add up).
DEMAND_SERIES: tuple[DemandDefinition, ...] = (
    DemandDefinition("incidents_attended", "Incidents attended (all grades)", "incidents attended", "incidents"),
    DemandDefinition("incidents_attended_grade_1_2", "Grade 1 and 2 incidents attended", "grade 1 and 2 incidents attended", "incidents"),
    DemandDefinition("incidents_attended_grade_3_4", "Grade 3 and 4 incidents attended", "grade 3 and 4 incidents attended", "incidents"),
    DemandDefinition("calls_999", "999 calls", "999 calls", "calls"),
    DemandDefinition("recorded_crime", "Recorded crime", "recorded crimes", "crimes"),
)


DEMAND_BY_KEY = {d.key: d for d in DEMAND_SERIES}


@dataclass
class Demand:
    """The monthly demand series a dataset can give for a period.

    Attributes
    ----------
    series : dict
        Key (see :data:`DEMAND_SERIES`) -> monthly counts indexed by month start, named by
        the series' noun phrase; only the series the data can give.
    unavailable : dict
        Key -> why the series cannot be built from this source (words for the page).
    notes : list of str
        Where a series is shorter than asked (data ending before the period end).
    """

    series: dict[str, pd.Series] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _month_range(first: date, last: date, period_end: date) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Whole months covered by the data, ending no later than the period's last month.

    A first month is used only from its first day, a last month only to its last day,
    so that a partly covered month never looks like a fall in demand.
    """
    start = pd.Timestamp(first if first.day == 1 else add_months(first, 1))
    stop_day = min(last, period_end)
    end = pd.Timestamp(stop_day.replace(day=1)) if stop_day == month_end(stop_day) else pd.Timestamp(add_months(stop_day, -1))
    return (start, end) if end >= start else None


def _monthly(dates: pd.Series, weights: pd.Series, start: pd.Timestamp, end: pd.Timestamp, name: str) -> pd.Series:
    months = pd.date_range(start, end, freq="MS")
    d = pd.to_datetime(dates)
    keep = (d >= start) & (d < end + pd.offsets.MonthBegin(1))
    s = weights[keep].groupby(d[keep].dt.to_period("M").dt.to_timestamp()).sum()
    s = s.reindex(months, fill_value=0).astype("int64")
    s.index.name = "month"
    s.name = name
    return s


def _table_reason(ds, table: str) -> str | None:
    """Why a table cannot give a monthly series, or None when it can."""
    if not ds.has(table):
        return ds.why_not(table)
    if ds.granularity.get(table) == "quarter":
        return ds.unavailable.get("monthly", "not available from this source: counts are by quarter, not by month")
    if ds.coverage(table) is None:
        return f"not available from this source: the {table} table is empty"
    return None


def demand_series(ds, period: Period | str) -> Demand:
    """The monthly demand series the data can give, from the first whole month of data to the
    last month of the period.

    Parameters
    ----------
    ds : Dataset
        The section's data (``Section.data``).
    period : Period or str
        The reporting period; months after its end are never used.

    Returns
    -------
    Demand
        ``series`` holds, where the source has them: ``incidents_attended`` (incidents with
        ``attended`` true, all grades), ``incidents_attended_grade_1_2`` and
        ``incidents_attended_grade_3_4`` (the same by ``grade``), ``calls_999`` (``calls`` on
        channel ``999``), ``recorded_crime`` (crimes in all crime, by ``recorded_date``,
        weighted by ``count``). ``unavailable`` says why any other is missing.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    out = Demand()

    def _add(key: str, dates: pd.Series, weights: pd.Series, table: str) -> None:
        first, last = ds.coverage(table)
        rng = _month_range(first, last, period.end)
        d = DEMAND_BY_KEY[key]
        if rng is None:
            out.unavailable[key] = f"no whole month of {table} data up to {format_day(period.end)}"
            return
        cov = ds.coverage_of(table)
        gaps = [pd.Timestamp(g) for g in (cov.gaps if cov else ()) if rng[0] <= pd.Timestamp(g) <= rng[1]]
        if gaps:  # a forecast needs an unbroken series: the months after the last gap
            start = gaps[-1] + pd.offsets.MonthBegin(1)
            out.notes.append(
                f"{d.title}: the data have no {table} for {month_words([g.date() for g in gaps])}, so the series starts after, in {start:%B %Y} (a month without data is never a month of zero demand)."
            )
            if start > rng[1]:
                out.unavailable[key] = f"no whole month of {table} data after {gaps[-1]:%B %Y}, the last month without data"
                return
            rng = (start, rng[1])
        out.series[key] = _monthly(dates, weights, rng[0], rng[1], d.noun)
        if rng[1] < pd.Timestamp(period.end.replace(day=1)):
            out.notes.append(f"{d.title}: the data end on {format_day(last)}, so the series ends with {rng[1]:%B %Y}, before the end of the period.")

    # Incidents attended, by grade.
    reason = _table_reason(ds, "incidents")
    if reason is None:
        for col in ("grade", "attended"):
            inc = ds.tables["incidents"]
            if col in ds.unavailable or col not in inc or inc[col].isna().all():
                reason = ds.unavailable.get(col, f"not available from this source: incidents carry no {col}")
                break
    if reason is None:
        inc = ds.tables["incidents"]
        attended = rows_where(inc, inc["attended"].fillna(False).astype(bool), ("opened_at", "grade"))
        grade = pd.to_numeric(attended["grade"], errors="coerce")
        one = pd.Series(1, index=attended.index)
        _add("incidents_attended", attended["opened_at"], one, "incidents")
        _add("incidents_attended_grade_1_2", attended["opened_at"], one.where(grade.isin([1, 2]), 0), "incidents")
        _add("incidents_attended_grade_3_4", attended["opened_at"], one.where(grade.isin([3, 4]), 0), "incidents")
    else:
        for key in ("incidents_attended", "incidents_attended_grade_1_2", "incidents_attended_grade_3_4"):
            out.unavailable[key] = reason

    # 999 calls.
    reason = _table_reason(ds, "calls")
    if reason is None:
        calls = ds.tables["calls"]
        c999 = calls[calls["channel"].astype(str) == "999"]
        _add("calls_999", c999["date"], pd.to_numeric(c999["calls"]).astype("int64"), "calls")
    else:
        out.unavailable["calls_999"] = reason

    # Recorded crime.
    reason = _table_reason(ds, "crimes")
    if reason is None:
        crimes = ds.tables["crimes"]
        crime = all_crime(crimes[[c for c in ("recorded_date", "count", "in_all_crime") if c in crimes]])
        weights = crime["count"] if "count" in crime else pd.Series(1, index=crime.index)
        _add("recorded_crime", crime["recorded_date"], weights.astype("int64"), "crimes")
    else:
        out.unavailable["recorded_crime"] = reason

    # Page order.
    out.series = {k: out.series[k] for k in DEMAND_BY_KEY if k in out.series}
    return out


def demand_note(demand: Demand) -> str:
    """A sentence on the months each series covers (and any that end early).

    Parameters
    ----------
    demand : Demand

    Returns
    -------
    str
        Empty when no series could be built.
    """
    if not demand.series:
        return ""
    spans = {(s.index[0], s.index[-1]) for s in demand.series.values()}
    if len(spans) == 1:
        a, b = next(iter(spans))
        months = f"{a:%B %Y} only" if a == b else f"from {a:%B %Y} to {b:%B %Y}"
        text = f"Each series counts whole months {months}; months in the data after the period are not used."
    else:
        text = (
            "The series cover: "
            + "; ".join(f"{DEMAND_BY_KEY[k].title} {span_words(s.index.to_series())}" for k, s in demand.series.items())
            + "; months in the data after the period are not used."
        )
    return " ".join([text, *demand.notes])


def span_words(months: pd.Series) -> str:
    """The months of a series in words: "Apr 2016 to Dec 2020" (one month: "Dec 2020")."""
    a, b = pd.Timestamp(months.iloc[0]), pd.Timestamp(months.iloc[-1])
    return f"{a:%b %Y}" if a == b else f"{a:%b %Y} to {b:%b %Y}"

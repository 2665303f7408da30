"""Counts by data.police.uk crime type, the breakdown every source can give: record-level
crimes through the offence classification, ASB from incidents."""

from __future__ import annotations

import pandas as pd

from perfpack.measures.counts import in_window, rows_where
from perfpack.periods import Window
from perfpack.sources.dataset import Dataset
from perfpack.sources.policeuk import ASB_TYPE, POLICEUK_CRIME_TYPES


def _counts(
    ds: Dataset, frame: pd.DataFrame, date_col: str, type_col: pd.Series, table: str, current: Window, previous: Window
) -> dict[str, tuple[int, int | None]]:
    cov = ds.coverage_of(table)
    gap = cov is None or cov.covers_none(previous)
    w = frame["count"] if "count" in frame else pd.Series(1, index=frame.index)
    cur = w[in_window(frame, date_col, current)].groupby(type_col).sum()
    prev = w[in_window(frame, date_col, previous)].groupby(type_col).sum()
    return {str(t): (int(cur.get(t, 0)), None if gap else int(prev.get(t, 0))) for t in type_col.dropna().unique()}


def _crime_types(crimes: pd.DataFrame) -> pd.Series:
    types = crimes["policeuk_crime_type"]
    if isinstance(types.dtype, pd.CategoricalDtype):  # a blank type is no type; no text copy of every row
        return types.cat.remove_categories([c for c in types.cat.categories if not str(c).strip()])
    types = types.astype("str").where(types.notna())
    return types.where(types.str.strip() != "")


def policeuk_type_counts(ds: Dataset, current: Window, previous: Window) -> dict[str, tuple[int, int | None]]:
    """Crimes (in all crime) and ASB incidents by police.uk crime type: ``{type: (current,
    previous)}`` in police.uk's order, previous ``None`` when the data hold nothing for the
    previous window (a window they cover in part is counted: the caller says whether the
    windows are covered in full, :func:`type_table`). A type the source cannot give has no
    entry (never a zero)."""
    found: dict[str, tuple[int, int | None]] = {}
    if ds.has("crimes") and "policeuk_crime_type" in ds.tables["crimes"]:
        crimes = ds.tables["crimes"]
        in_all_crime = crimes["in_all_crime"].astype(bool) if "in_all_crime" in crimes else slice(None)
        crimes = rows_where(crimes, in_all_crime, ("recorded_date", "count", "policeuk_crime_type"))
        found.update(_counts(ds, crimes, "recorded_date", _crime_types(crimes), "crimes", current, previous))
    if ds.has("incidents") and "is_asb" in ds.tables["incidents"]:
        asb = ds.tables["incidents"]
        asb = rows_where(asb, asb["is_asb"].astype(bool), ("opened_at", "count"))
        if len(asb):
            found.update(_counts(ds, asb, "opened_at", pd.Series(ASB_TYPE, index=asb.index), "incidents", current, previous))
    order = [t for t in POLICEUK_CRIME_TYPES if t in found] + sorted(t for t in found if t not in POLICEUK_CRIME_TYPES)
    return {t: found[t] for t in order}


def type_table(crime_type: str) -> str:
    """The dataset table a police.uk crime type is counted from."""
    return "incidents" if crime_type == ASB_TYPE else "crimes"

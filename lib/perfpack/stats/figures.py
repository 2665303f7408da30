"""Rows of ``figures.csv``: every headline figure of the pack, one row per key, window and area.

Columns (REPORT_SPEC): ``section, key, label, window, current, previous, change, pct_change,
significance, suppressed``, then ``area`` (``Force`` or an NPA), ``previous_window``, ``kind``
(``count``, ``amount``, ``share``, ``forecast``) and ``p_value``.

Counts below the disclosure threshold in rows below force level are suppressed: their values
are left empty in the file and ``suppressed`` is true.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from perfpack.csv_cells import restore_frame, write_csv
from perfpack.measures.counts import FORCE
from perfpack.periods import Window
from perfpack.stats.disclosure import is_suppressed
from perfpack.stats.significance import compare_counts

FIGURE_COLUMNS = [
    "section",
    "key",
    "label",
    "window",
    "current",
    "previous",
    "change",
    "pct_change",
    "significance",
    "suppressed",
    "area",
    "previous_window",
    "kind",
    "p_value",
]


def _wid(w: Window | str | None) -> str:
    if w is None:
        return ""
    return w.id if isinstance(w, Window) else str(w)


def count_row(
    section: str,
    key: str,
    label: str,
    window: Window,
    previous_window: Window | None,
    current: int,
    previous: int | None,
    *,
    area: str = FORCE,
    alpha: float = 0.05,
    min_count: int = 10,
    threshold: int = 10,
    suppressed: bool | None = None,
) -> dict:
    """A count compared with the same-length window before, tested for significance.

    Rows below force level are suppressed when either count is small
    (:func:`perfpack.stats.disclosure.is_suppressed`), unless the caller decided already
    (``suppressed``, e.g. after secondary suppression of a whole breakdown).
    """

    row = {"section": section, "key": key, "label": label, "window": _wid(window), "previous_window": _wid(previous_window), "area": area, "kind": "count", "current": int(current)}
    if previous is None:
        row.update(previous=None, change=None, pct_change=None, significance="no data for the comparison period", p_value=None)
    else:
        cmp = compare_counts(int(current), int(previous), window.days if previous_window else None, previous_window.days if previous_window else None, alpha=alpha, min_count=min_count)
        row.update(previous=int(previous), change=int(current) - int(previous), pct_change=None if cmp.pct_change is None else round(cmp.pct_change, 1), significance=cmp.significance, p_value=cmp.p_value)
    if suppressed is None:
        suppressed = area != FORCE and (is_suppressed(current, threshold) or (previous is not None and is_suppressed(previous, threshold)))
    row["suppressed"] = bool(suppressed)
    return row


def value_row(section: str, key: str, label: str, window: Window | str, current: float | None, previous: float | None = None, *, kind: str = "amount", area: str = FORCE, previous_window: Window | str | None = None) -> dict:
    """A figure that is not a count of events (an amount, a share in percent, a forecast)."""
    change = None if current is None or previous is None else current - previous
    pct = None
    if change is not None and previous and kind != "share":
        pct = round(100.0 * change / previous, 1)
    return {"section": section, "key": key, "label": label, "window": _wid(window), "previous_window": _wid(previous_window), "area": area, "kind": kind, "current": current, "previous": previous, "change": change, "pct_change": pct, "significance": "", "suppressed": False, "p_value": None}


def monthly_rows(section: str, key: str, label: str, monthly: pd.Series, area: str = FORCE, *, threshold: int = 10) -> list[dict]:
    """One ``count`` row per calendar month of a headline series, so that a later pack can
    tell which months were revised (:mod:`perfpack.revisions`).

    ``monthly`` is indexed by month (a month-start timestamp, a monthly ``Period`` or any date
    in the month, as :func:`perfpack.measures.monthly_counts` gives) and holds the month's
    count. Each row has window ``YYYY-MM-01..YYYY-MM-<last day>``, ``current`` the count and
    no previous window or comparison. A month with no data (NaN) gets no row. Below force
    level a small count is suppressed (primary suppression only: a caller publishing a full
    breakdown by area applies :func:`perfpack.disclosure.suppress` itself).

    The index page and the paper leave these rows out of their headlines (windows shorter
    than a quarter are not headlines: :data:`perfpack.index.HEADLINE_MIN_DAYS`).
    """
    from .disclosure import is_suppressed

    rows = []
    for month, value in monthly.items():
        if value is None or pd.isna(value):
            continue
        m = month if isinstance(month, pd.Period) else pd.Period(pd.Timestamp(month), "M")
        window = Window(m.start_time.date(), m.end_time.date())
        count = round(float(value))
        rows.append({"section": section, "key": key, "label": label, "window": window.id, "previous_window": "", "area": area, "kind": "count", "current": count, "previous": None, "change": None, "pct_change": None, "significance": "", "suppressed": bool(area != FORCE and is_suppressed(count, threshold)), "p_value": None})
    return rows


def to_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a DataFrame in the published column order, suppressed values emptied."""
    df = pd.DataFrame(rows, dtype=object)  # keep whole numbers whole where other rows have no value
    for c in FIGURE_COLUMNS:
        if c not in df:
            df[c] = None
    extra = [c for c in df.columns if c not in FIGURE_COLUMNS and not str(c).startswith("_")]
    df = df[FIGURE_COLUMNS + extra].astype(object)
    sup = df["suppressed"].fillna(False).astype(bool)
    df.loc[sup, ["current", "previous", "change", "pct_change", "p_value"]] = None
    return df


def write_section_figures(rows: list[dict], path: str | Path) -> Path:
    """A section's rows as CSV, text a spreadsheet would run as a formula neutralised
    (:mod:`perfpack.csv_cells`), written atomically."""
    return write_csv(to_frame(rows), path)


def read_figures_text(path: str | Path) -> pd.DataFrame:
    """A figures file the pack wrote, every cell as text as the section wrote it (the
    spreadsheet escaping undone)."""
    return restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def merge_figures(paths: list[Path]) -> pd.DataFrame:
    """All sections' rows, in section order."""
    frames = [read_figures_text(p) for p in paths if p.is_file() and p.stat().st_size > 0]
    if not frames:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def read_figures(path: str | Path) -> pd.DataFrame:
    """Read a run's ``figures.csv`` with numbers as numbers (and text as the sections wrote
    it: the spreadsheet escaping undone)."""
    df = pd.read_csv(path, dtype={"section": str, "key": str, "label": str, "window": str, "significance": str, "area": str, "kind": str}, keep_default_na=True)
    df = restore_frame(df)
    df["suppressed"] = df["suppressed"].astype(str).str.lower().eq("true")
    return df


def is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))

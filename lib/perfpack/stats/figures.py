"""Rows of ``figures.csv``: every headline figure of the pack, one row per key, window and area.

Columns (REPORT_SPEC): ``section, key, label, window, current, previous, change, pct_change,
significance, suppressed``, then ``area`` (``Force`` or an NPA), ``previous_window``, ``kind``
(``count``, ``amount``, ``share``, ``forecast``, ``rate``: a rate per 1,000 population
against other forces, its funnel reading in ``significance``) and ``p_value``.

Counts below the disclosure threshold in rows below force level are suppressed: their values
are left empty in the file and ``suppressed`` is true.

``coverage`` says, in words, when the data do not cover a row's windows in full ("Oct 2019 –
Sep 2020: data cover 11 of 12 months (no data for March 2020)"): such a row has no change, no
percentage and no test, and its ``significance`` is ``incomplete coverage``. Rows of a
breakdown that are not areas (rows outside the force area, rows without a location) are never
tested: ``not tested (not an area)``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from perfpack.csv_cells import restore_frame, write_csv
from perfpack.measures.counts import FORCE
from perfpack.periods import Window
from perfpack.stats.disclosure import is_suppressed
from perfpack.stats.significance import NOTHING_BEFORE, compare_counts
from perfpack.stats.significance import new_since as new_since_words

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
    "coverage",
]

#: ``significance`` of a row whose windows the data do not cover in full.
INCOMPLETE_COVERAGE = "incomplete coverage"
#: ``significance`` of a row that is not an area of the force (outside it, no location).
NOT_AN_AREA = "not tested (not an area)"
NO_COMPARISON_DATA = "no data for the comparison period"


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
    new_since: date | None = None,
    coverage: str | None = None,
    tested: bool = True,
) -> dict:
    """A count compared with the same-length window before, tested for significance.

    Rows below force level are suppressed when either count is small
    (:func:`perfpack.stats.disclosure.is_suppressed`), unless the caller decided already
    (``suppressed``, e.g. after secondary suppression of a whole breakdown).

    A measure that began on ``new_since`` (Covid-19 related ASB: none before 16 March 2020)
    compared with a window starting before then, or any count with nothing in its previous
    window, gets no percentage and no test: its reading is ``new since 16 March 2020`` or
    ``none in the comparison period`` (a rise from nothing is not an increase a reader can
    weigh).

    ``coverage`` (words): the data do not cover the windows in full, so the counts are given
    as counted but not compared (no change, percentage or test; significance
    :data:`INCOMPLETE_COVERAGE`). ``tested`` False: a row that is not an area (outside the
    force area, no location) gets its change but no percentage or test.
    """

    row = {
        "section": section,
        "key": key,
        "label": label,
        "window": _wid(window),
        "previous_window": _wid(previous_window),
        "area": area,
        "kind": "count",
        "current": int(current),
        "coverage": coverage or "",
    }
    if coverage:
        row.update(previous=None if previous is None else int(previous), change=None, pct_change=None, significance=INCOMPLETE_COVERAGE, p_value=None)
    elif previous is None:
        row.update(previous=None, change=None, pct_change=None, significance=NO_COMPARISON_DATA, p_value=None)
    elif not tested:
        row.update(previous=int(previous), change=int(current) - int(previous), pct_change=None, significance=NOT_AN_AREA, p_value=None)
    else:
        cmp = compare_counts(
            int(current),
            int(previous),
            window.days if previous_window else None,
            previous_window.days if previous_window else None,
            alpha=alpha,
            min_count=min_count,
        )
        row.update(
            previous=int(previous),
            change=int(current) - int(previous),
            pct_change=None if cmp.pct_change is None else round(cmp.pct_change, 1),
            significance=cmp.significance,
            p_value=cmp.p_value,
        )
        if new_since is not None and previous_window is not None and previous_window.start < new_since:
            row.update(pct_change=None, significance=new_since_words(new_since), p_value=None)
        elif int(previous) == 0 and int(current) > 0:
            row.update(pct_change=None, significance=NOTHING_BEFORE, p_value=None)
    if suppressed is None:
        suppressed = area != FORCE and (is_suppressed(current, threshold) or (previous is not None and is_suppressed(previous, threshold)))
    row["suppressed"] = bool(suppressed)
    if suppressed:  # "no significant change" would tell a reader that the hidden counts total 10 or more
        row.update(significance="", p_value=None)
    return row


def value_row(
    section: str,
    key: str,
    label: str,
    window: Window | str,
    current: float | None,
    previous: float | None = None,
    *,
    kind: str = "amount",
    area: str = FORCE,
    previous_window: Window | str | None = None,
    coverage: str | None = None,
) -> dict:
    """A figure that is not a count of events (an amount, a share in percent, a forecast).
    With ``coverage`` (words: the data do not cover its windows in full) no change is given."""
    change = None if current is None or previous is None or coverage else current - previous
    pct = None
    if change is not None and previous and kind != "share":
        pct = round(100.0 * change / previous, 1)
    return {
        "section": section,
        "key": key,
        "label": label,
        "window": _wid(window),
        "previous_window": _wid(previous_window),
        "area": area,
        "kind": kind,
        "current": current,
        "previous": previous,
        "change": change,
        "pct_change": pct,
        "significance": INCOMPLETE_COVERAGE if coverage else "",
        "suppressed": False,
        "p_value": None,
        "coverage": coverage or "",
    }


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
    rows = []
    for month, value in monthly.items():
        if value is None or pd.isna(value):
            continue
        m = month if isinstance(month, pd.Period) else pd.Period(pd.Timestamp(month), "M")
        window = Window(m.start_time.date(), m.end_time.date())
        count = round(float(value))
        rows.append(
            {
                "section": section,
                "key": key,
                "label": label,
                "window": window.id,
                "previous_window": "",
                "area": area,
                "kind": "count",
                "current": count,
                "previous": None,
                "change": None,
                "pct_change": None,
                "significance": "",
                "suppressed": bool(area != FORCE and is_suppressed(count, threshold)),
                "p_value": None,
                "coverage": "",
            }
        )
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
    df.loc[sup, "significance"] = ""
    return df


def write_section_figures(rows: list[dict], path: str | Path) -> Path:
    """A section's rows as CSV, text a spreadsheet would run as a formula neutralised
    (:mod:`perfpack.csv_cells`), written atomically."""
    return write_csv(to_frame(rows), path)


def read_figures_text(path: str | Path) -> pd.DataFrame:
    """A figures file the pack wrote, every cell as text as the section wrote it (the
    spreadsheet escaping undone)."""
    return restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


#: Where under its figures folder a section writes a table for the pack itself (``peers.csv``):
#: ``pack/<section>/<name>``; the runner copies each file there into the pack beside
#: ``figures.csv`` and records which section wrote it.
PACK_FILES_DIR = "pack"


def write_pack_table(frame: pd.DataFrame, figures_dir: str | Path, name: str, section: str) -> Path | None:
    """Write ``frame`` as ``name`` (a CSV file name) for the runner to put in the pack, text a
    spreadsheet would run as a formula neutralised; nothing when ``figures_dir`` is empty (a
    notebook run by hand)."""
    if not figures_dir:
        return None
    return write_csv(frame, Path(figures_dir) / PACK_FILES_DIR / section / name)


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

"""Disclosure control for breakdowns below force level.

Rules (see ``docs/statistics.md``):

* **Primary suppression.** A count ``c`` with ``0 < c < threshold`` is shown as
  ``"<10"`` (the label is built from the threshold, ``disclosure.threshold`` in the
  configuration). Zero is shown: it identifies nobody, and hiding it would make tables
  of rare offences unreadable.
* **Secondary suppression.** Where a published total would let a reader work a hidden
  cell out by subtraction - a line (a column, or a row) whose total is known and that
  has exactly one hidden cell - the smallest other non-zero count in that line is hidden
  too (a zero only if there is no non-zero count left). This repeats until no line has
  exactly one hidden cell, because hiding a cell in a column can expose one in a row.
  A cell hidden this way is usually 10 or more, so it is shown as ``"[c]"``
  (confidential, the Government Statistical Service symbol), not ``"<10"``, which would
  be untrue. Both kinds are True in the returned mask.
* **Force level is not suppressed.** Only call :func:`suppress` on breakdowns (NPA,
  sub-category); a ``total_row`` (force totals) is never hidden.

Which totals are "known": column totals are assumed published (the force-level figure
of every measure is in the headline table), unless ``column_totals_known=False``; row
totals are known when the table has a ``total_col`` or ``row_totals_known=True``.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["SUPPRESSED_LABEL", "SECONDARY_LABEL", "is_suppressed", "suppress"]

#: Shown for a cell hidden only to protect another (secondary suppression).
SECONDARY_LABEL = "[c]"


def _check_threshold(threshold) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 1:
        raise ValueError(
            f"threshold must be a whole number of at least 1 (disclosure.threshold in the "
            f"configuration), got {threshold!r}"
        )
    return int(threshold)


def SUPPRESSED_LABEL(threshold: int = 10) -> str:  # noqa: N802 - a constant-like label
    """The text shown in place of a suppressed count, e.g. ``"<10"``.

    Parameters
    ----------
    threshold : int, default 10
        The suppression threshold.

    Returns
    -------
    str
    """
    return f"<{_check_threshold(threshold)}"


def is_suppressed(count, threshold: int = 10) -> bool:
    """Whether a count is small enough to be hidden (primary suppression).

    Parameters
    ----------
    count : int or None
        A count. None or NaN (not available) is never suppressed.
    threshold : int, default 10
        Counts with ``0 < count < threshold`` are suppressed; zero is shown.

    Returns
    -------
    bool
    """
    threshold = _check_threshold(threshold)
    if count is None or isinstance(count, str):
        return False
    try:
        if pd.isna(count):
            return False
    except (TypeError, ValueError):
        return False
    return bool(0 < count < threshold)


def _pick_complement(values: np.ndarray, hidden: np.ndarray, members: np.ndarray):
    """Position (into members) of the cell to hide alongside a single hidden cell, or None."""
    best = None
    for zero_ok in (False, True):
        for pos in members:
            v = values[pos]
            if hidden[pos] or np.isnan(v) or (v == 0 and not zero_ok):
                continue
            if best is None or v < values[best]:
                best = pos
        if best is not None:
            return best
    return None


def suppress(
    df: pd.DataFrame,
    count_cols,
    threshold: int = 10,
    total_row=None,
    total_col=None,
    *,
    secondary: bool = True,
    column_totals_known: bool = True,
    row_totals_known: bool = False,
    secondary_label: str = SECONDARY_LABEL,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hide small counts in a breakdown, and whatever would reveal them.

    Parameters
    ----------
    df : pd.DataFrame
        A breakdown below force level: one row per NPA (or category), counts in
        ``count_cols``. Other columns are passed through untouched.
    count_cols : list of str
        Columns holding counts (whole numbers, 0 or more; NaN means not available).
    threshold : int, default 10
        Counts with ``0 < count < threshold`` are hidden.
    total_row : label, optional
        Index label of a row of column totals (force level). It is never hidden and is
        not part of the breakdown.
    total_col : str, optional
        Column holding each row's total over ``count_cols``. It is subject to primary
        suppression like any count, and makes row totals known.
    secondary : bool, default True
        Apply secondary suppression.
    column_totals_known : bool, default True
        Treat each column's total as published even without a ``total_row`` (the
        force figure is in the headline table).
    row_totals_known : bool, default False
        Treat each row's total over ``count_cols`` as published even without a
        ``total_col``.
    secondary_label : str, default "[c]"
        Shown for cells hidden by secondary suppression.

    Returns
    -------
    display_df : pd.DataFrame
        Copy of ``df`` with small counts replaced by ``"<threshold"`` (e.g. ``"<10"``) and
        cells hidden to protect them by ``secondary_label``; count columns become object
        dtype.
    suppressed_mask : pd.DataFrame
        Booleans, same index as ``df``, one column per count column (and ``total_col``),
        True where the cell is hidden - use it to set the ``suppressed`` flag in exports.

    Raises
    ------
    ValueError
        Unknown columns or total row, negative or non-whole counts, or a bad threshold.
    """
    threshold = _check_threshold(threshold)
    count_cols = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    if not count_cols:
        raise ValueError("count_cols is empty; name the columns that hold counts")
    cols = count_cols + ([total_col] if total_col is not None and total_col not in count_cols else [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the table; it has {list(df.columns)}")
    if total_row is not None and total_row not in df.index:
        raise ValueError(f"total_row {total_row!r} is not in the table's index")
    if not df.index.is_unique:
        raise ValueError("the table's index has duplicate labels; give each row a unique label")

    try:
        values = df[cols].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"count columns must hold numbers: {exc}") from None
    finite = values[~np.isnan(values)]
    if (finite < 0).any() or (finite != np.round(finite)).any():
        raise ValueError("count columns must hold whole numbers, 0 or more (NaN for not available)")

    is_total_row = np.asarray(df.index == total_row) if total_row is not None else np.zeros(len(df), bool)
    breakdown_rows = np.flatnonzero(~is_total_row)
    hidden = np.zeros(values.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        hidden[breakdown_rows] = (values[breakdown_rows] > 0) & (values[breakdown_rows] < threshold)
    primary = hidden.copy()

    if secondary:
        n_count = len(count_cols)
        lines = []  # each line: list of (row, col) cells that add up to a known total
        if column_totals_known or total_row is not None:
            for j in range(len(cols)):
                lines.append([(i, j) for i in breakdown_rows])
        if total_col is not None or row_totals_known:
            for i in breakdown_rows:
                members = [(i, j) for j in range(n_count)]
                if total_col is not None and total_col not in count_cols:
                    members.append((i, len(cols) - 1))
                lines.append(members)
        changed = True
        while changed:
            changed = False
            for line in lines:
                cells = [c for c in line if not np.isnan(values[c])]
                if sum(hidden[c] for c in cells) != 1 or len(cells) < 2:
                    continue
                flat_vals = np.array([values[c] for c in cells])
                flat_hidden = np.array([hidden[c] for c in cells])
                pick = _pick_complement(flat_vals, flat_hidden, np.arange(len(cells)))
                if pick is not None:
                    hidden[cells[pick]] = True
                    changed = True

    label = SUPPRESSED_LABEL(threshold)
    display = df.copy()
    mask = pd.DataFrame(hidden, index=df.index, columns=cols)
    for j, col in enumerate(cols):
        column = display[col].astype(object)
        column[hidden[:, j] & ~primary[:, j]] = secondary_label
        column[primary[:, j]] = label
        display[col] = column
    return display, mask

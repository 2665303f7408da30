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

__all__ = ["SUPPRESSED_LABEL", "SECONDARY_LABEL", "is_suppressed", "suppress", "protect_rows", "figure_relations", "protect_figures"]

#: Shown for a cell hidden only to protect another (secondary suppression).
SECONDARY_LABEL = "[c]"


def _check_threshold(threshold) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1 (disclosure.threshold in the configuration), got {threshold!r}")
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


# ---- disclosure control across everything published together --------------------------------
#
# A page publishes many tables that add up to one another: a total by area and its parts by
# area (serious acquisitive crime and its six categories), the force and its areas, the
# current window and the previous (with the change between them). :func:`suppress` protects
# one table; a reader can still difference across tables. :func:`protect_rows` takes every
# row published together and the additive relations between them and hides rows until no
# relation has exactly one hidden cell (the only unknown of a published sum is the sum minus
# the rest).

#: A row of a published system: (key, area, window).
RowId = tuple


def protect_rows(
    values: dict,
    relations: list,
    threshold: int = 10,
    fixed=(),
    measures=("current", "previous"),
) -> tuple[set, set]:
    """Rows to hide so that no published sum gives a hidden count away.

    Parameters
    ----------
    values : dict
        Row id -> {measure: count or None}. A row is published whole: when hidden, all its
        measures are hidden (the change between them is published with them).
    relations : list of (measure, list of row ids)
        In each, the ``measure`` of the rows named adds up exactly: one row may be the total
        of the others, or their total is published elsewhere. A row with no value for the
        measure (None) is not part of the sum.
    threshold : int, default 10
        A row holding any count ``0 < c < threshold`` is hidden (primary suppression).
    fixed : iterable of row ids
        Rows never hidden (force level).

    Returns
    -------
    hidden, primary : set, set
        Every row to hide, and those hidden for their own small counts.

    Every relation ends with no hidden cell or at least two. A complement is the smallest
    non-zero count of the relation not yet hidden (a zero only when nothing else is left);
    hiding a row can expose a cell in another relation, so this repeats until stable. A
    relation whose other rows are all fixed (a force of one area) is left alone: the hidden
    count is the fixed ones' difference, published at force level anyway.
    """
    threshold = _check_threshold(threshold)
    fixed = set(fixed)
    primary = {rid for rid, v in values.items() if rid not in fixed and any(is_suppressed(v.get(m), threshold) for m in measures)}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for measure, ids in relations:
            cells = [r for r in ids if r in values and values[r].get(measure) is not None and not pd.isna(values[r].get(measure))]
            n_hidden = sum(r in hidden for r in cells)
            if n_hidden != 1 or len(cells) < 2:
                continue
            free = [r for r in cells if r not in hidden and r not in fixed]
            if not free:  # every other cell is force level: the hidden one is published there anyway
                continue
            nonzero = [r for r in free if values[r][measure] > 0]
            pick = min(nonzero or free, key=lambda r: (values[r][measure], str(r)))
            hidden.add(pick)
            changed = True
    return hidden, primary


def figure_relations(rows: list[dict], composites: dict | None = None, measures=("current", "previous"), force: str = "Force") -> list:
    """The additive relations between count rows of ``figures.csv`` published together.

    Parameters
    ----------
    rows : list of dict
        Figure rows (``key, area, window, previous_window, current, previous``).
    composites : dict, optional
        ``total key -> [part keys]``: in each area and window the total is the sum of its parts
        (serious acquisitive crime = its six categories).

    Returns
    -------
    list of (measure, [row ids])
        A row id is ``(key, area, window)``. For every key and window, the force and its areas
        (the areas add up to the force); for every composite, area and window, the total and
        its parts.
    """
    ids = {(r["key"], r["area"], r["window"]) for r in rows}
    by_key: dict = {}
    for key, area, window in ids:
        by_key.setdefault((key, window), []).append((key, area, window))
    relations = []
    for (key, window), members in by_key.items():
        if any(a != force for _, a, _ in members) and (key, force, window) in ids:
            for m in measures:
                relations.append((m, sorted(members)))
    for total, parts in (composites or {}).items():
        for key, area, window in ids:
            if key != total:
                continue
            members = [(total, area, window)] + [(p, area, window) for p in parts if (p, area, window) in ids]
            if len(members) == len(parts) + 1:
                for m in measures:
                    relations.append((m, members))
    return relations


def protect_figures(rows: list[dict], composites: dict | None = None, threshold: int = 10, force: str = "Force") -> tuple[set, set]:
    """:func:`protect_rows` over count rows of figures.csv with :func:`figure_relations`;
    force-level rows are never hidden. Returns (hidden, primary) sets of ``(key, area, window)``."""
    values = {(r["key"], r["area"], r["window"]): {"current": r.get("current"), "previous": r.get("previous")} for r in rows}
    fixed = {rid for rid in values if rid[1] == force}
    return protect_rows(values, figure_relations(rows, composites, force=force), threshold, fixed=fixed)

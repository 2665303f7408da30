"""Disclosure control planned across the tables a page publishes together (a total by area
and its parts by area): see :func:`protect_together` and docs/statistics.md."""

from __future__ import annotations

import pandas as pd

from perfpack.measures.counts import FORCE, compare_windows, coverage_gap
from perfpack.pages.section import Section
from perfpack.periods import Window
from perfpack.stats.disclosure import SECONDARY_LABEL, is_suppressed, protect_figures, suppress


def hiding_for(s: Section, key: str, current: Window, counts: pd.DataFrame, gap) -> dict:
    """Area -> (hidden, current as shown, previous as shown) for a key's table by area: from
    the plan made across the page's tables (:func:`protect_together`) when it covers ``key``,
    else primary and secondary suppression of this table alone."""
    threshold = s.config.disclosure_threshold
    label = f"<{threshold}"
    if key in s.planned_keys:
        out = {}
        for r in counts.to_dict("records"):
            hidden = (key, r["area"], current.id) in s.withheld
            cur = label if is_suppressed(r["current"], threshold) else SECONDARY_LABEL
            prev = label if (not gap and is_suppressed(r["previous"], threshold)) else SECONDARY_LABEL
            out[r["area"]] = (hidden, cur, prev)
        return out
    cols = ["current"] if gap else ["current", "previous"]
    shown, mask = suppress(counts.set_index("area")[cols], cols, threshold=threshold, total_row=FORCE)
    out = {}
    for area in counts["area"]:
        hidden = bool(mask.loc[area].any()) if area != FORCE else False
        cur, prev = str(shown.loc[area, "current"]), "–" if gap else str(shown.loc[area, "previous"])
        # a hidden row is hidden whole: a count left showing beside a hidden one would give the complement away
        out[area] = (hidden, cur if cur in (label, SECONDARY_LABEL) else SECONDARY_LABEL, prev if prev in (label, SECONDARY_LABEL, "–") else SECONDARY_LABEL)
    return out


def protect_together(
    s: Section,
    total: tuple[str, pd.DataFrame],
    parts: list[tuple[str, pd.DataFrame]],
    date_col: str,
    table: str = "crimes",
    by: str | None = "npa",
    current: Window | None = None,
    previous: Window | None = None,
) -> None:
    """Plan disclosure control across a total by area and its parts by area, published on
    the same page (``total`` and ``parts`` as ``(key, events)``): the force and its areas,
    the total and its parts, current and previous are one system
    (:func:`perfpack.stats.disclosure.protect_figures`), so that no hidden count can be
    worked out by subtracting published ones. Call it before the blocks that show them;
    :func:`compare_counts` and :func:`record_comparison` then hide what the plan hides."""
    current = current or s.current
    previous = previous or s.previous
    cov = s.data.coverage(table)
    gap = coverage_gap(cov[0], cov[1], previous) if cov else "no data"
    rows = []
    for key, events in [total, *parts]:
        use_by = by if (by and by in events and by not in s.data.unavailable and events[by].notna().any()) else None
        counts = compare_windows(events, date_col, current, previous, by=use_by, areas=s.npas)
        for r in counts.to_dict("records"):
            rows.append({"key": key, "area": r["area"], "window": current.id, "current": int(r["current"]), "previous": None if gap else int(r["previous"])})
    hidden, primary = protect_figures(rows, {total[0]: [k for k, _ in parts]}, threshold=s.config.disclosure_threshold, force=FORCE)
    s.planned_keys.update(k for k, _ in [total, *parts])
    for rid in hidden:
        s.withheld[rid] = rid in primary

"""Domestic abuse measures: occurrences (crime and non-crime) and repeat victims.

Definitions (``docs/caveats.md``):

* A **domestic abuse occurrence** is a recorded crime flagged ``domestic`` or an incident of
  category ``domestic_non_crime``; crimes count on their recorded date, incidents on the
  date they were opened.
* A **repeat victim** is a victim (``victim_id``) with two or more occurrences, crime or
  non-crime, in the window; the **share** is repeat victims over all distinct victims with an
  occurrence in the window. Occurrences without a victim reference count as occurrences but
  cannot be linked, so they are left out of the victim counts (and counted, so a section can
  say how many).
* A victim's **NPA** in a window is the NPA of their latest occurrence in it, so the NPA
  rows of the victims table add up to the force figure.

Everything here takes DataFrames and returns numbers or DataFrames; nothing draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from perfpack.measures.counts import FORCE, in_window, rows_where
from perfpack.periods import Window

NON_CRIME_CATEGORY = "domestic_non_crime"
REPEAT_AT = 2

#: The "other violence against the person" offences the meeting paper names, by Home Office
#: code (the rest of other VAP is threats to kill, child cruelty, kidnapping and the like).
OTHER_VAP_OFFENCES = {
    "domestic_harassment": ("Harassment", ("8L", "8M")),
    "domestic_malicious_communications": ("Malicious communications", ("8R",)),
    "domestic_stalking": ("Stalking", ("8Q",)),
}


def occurrences(crimes: pd.DataFrame, incidents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Domestic abuse occurrences, crime and non-crime, as one frame.

    Parameters
    ----------
    crimes : DataFrame
        Classified crimes with ``recorded_date``, ``npa``, ``domestic``, ``victim_id`` (and
        ``violence_type``, ``offence_code``, ``count`` when present).
    incidents : DataFrame, optional
        Incidents with ``opened_at``, ``category``, ``npa``, ``victim_id``; None when the
        source has none (then only crimes are occurrences).

    Returns
    -------
    DataFrame
        Columns ``date``, ``npa``, ``victim_id``, ``kind`` (``crime`` or ``non-crime``),
        ``violence_type``, ``offence_code``, ``count``.
    """
    dom = rows_where(crimes, crimes["domestic"].fillna(False).astype(bool), ("recorded_date", "npa", "victim_id", "violence_type", "offence_code", "count"))
    parts = [
        pd.DataFrame(
            {
                "date": dom["recorded_date"],
                "npa": dom["npa"],
                "victim_id": dom["victim_id"] if "victim_id" in dom else pd.NA,
                "kind": "crime",
                "violence_type": dom["violence_type"] if "violence_type" in dom else pd.NA,
                "offence_code": dom["offence_code"] if "offence_code" in dom else pd.NA,
                "count": dom["count"] if "count" in dom else 1,
            }
        )
    ]
    if incidents is not None:
        nc = rows_where(incidents, incidents["category"] == NON_CRIME_CATEGORY, ("opened_at", "npa", "victim_id"))
        parts.append(
            pd.DataFrame(
                {
                    "date": nc["opened_at"],
                    "npa": nc["npa"],
                    "victim_id": nc["victim_id"] if "victim_id" in nc else pd.NA,
                    "kind": "non-crime",
                    "violence_type": pd.NA,
                    "offence_code": pd.NA,
                    "count": 1,
                }
            )
        )
    out = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    out["count"] = out["count"].astype("int64")
    out["victim_id"] = out["victim_id"].astype("string")
    return out


def victims(occ: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One row per distinct victim with an occurrence in ``window``.

    Returns
    -------
    DataFrame
        Index ``victim_id``; columns ``occurrences``, ``repeat`` (two or more), ``npa`` (of the
        latest occurrence in the window) and ``date`` (that occurrence's date).
    """
    sel = occ[in_window(occ, "date", window)]
    sel = sel[sel["victim_id"].notna() & (sel["victim_id"].astype("string").str.strip() != "")]
    if sel.empty:
        return pd.DataFrame(
            {
                "occurrences": pd.Series(dtype="int64"),
                "repeat": pd.Series(dtype=bool),
                "npa": pd.Series(dtype="string"),
                "date": pd.Series(dtype="datetime64[ns]"),
            },
            index=pd.Index([], name="victim_id"),
        )
    sel = sel.sort_values("date", kind="stable")
    g = sel.groupby("victim_id", sort=True)
    out = pd.DataFrame({"occurrences": g["count"].sum().astype("int64"), "npa": g["npa"].last(), "date": g["date"].last()})
    out["repeat"] = out["occurrences"] >= REPEAT_AT
    return out[["occurrences", "repeat", "npa", "date"]]


@dataclass(frozen=True)
class RepeatVictims:
    """Distinct victims in a window, how many were repeat victims, and the share (percent)."""

    window: Window
    victims: int
    repeat_victims: int
    share: float | None
    occurrences: int
    without_victim: int


def repeat_victims(occ: pd.DataFrame, window: Window) -> RepeatVictims:
    """Distinct victims, repeat victims and the repeat share in one window.

    Examples
    --------
    Victim A twice, B once, C once, one occurrence with no victim: 3 victims, 1 repeat
    victim, a share of 33.3%.
    """
    v = victims(occ, window)
    in_w = occ[in_window(occ, "date", window)]
    has_victim = in_w["victim_id"].notna() & (in_w["victim_id"].astype("string").str.strip() != "")
    n = len(v)
    rep = int(v["repeat"].sum())
    return RepeatVictims(
        window=window,
        victims=n,
        repeat_victims=rep,
        share=(100.0 * rep / n) if n else None,
        occurrences=int(in_w["count"].sum()),
        without_victim=int(in_w.loc[~has_victim, "count"].sum()),
    )


def victims_by_area(occ: pd.DataFrame, current: Window, previous: Window, areas: list[str] | tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distinct victims and repeat victims in two windows, force-wide and by NPA.

    Returns
    -------
    (victims, repeat_victims) : two DataFrames with columns ``area``, ``current``,
        ``previous`` (force row first, then ``areas`` in order, then any other NPA found),
        as :func:`perfpack.measures.counts.compare_windows` returns.
    """
    cur, prev = victims(occ, current), victims(occ, previous)

    def table(c: pd.Series, p: pd.Series, c_total: int, p_total: int) -> pd.DataFrame:
        names = list(areas)
        extra = sorted((set(c.index) | set(p.index)) - set(names), key=str)
        rows = [{"area": FORCE, "current": c_total, "previous": p_total}]
        rows += [{"area": a, "current": int(c.get(a, 0)), "previous": int(p.get(a, 0))} for a in names + extra]
        return pd.DataFrame(rows)

    all_v = table(cur.groupby("npa").size(), prev.groupby("npa").size(), len(cur), len(prev))
    rep_c, rep_p = cur[cur["repeat"]], prev[prev["repeat"]]
    rep_v = table(rep_c.groupby("npa").size(), rep_p.groupby("npa").size(), len(rep_c), len(rep_p))
    return all_v, rep_v


def violence(occ: pd.DataFrame, violence_type: str) -> pd.DataFrame:
    """Domestic crimes of one violence type (``serious_assault``, ``less_serious_assault``,
    ``other_vap``)."""
    return occ[(occ["kind"] == "crime") & (occ["violence_type"] == violence_type)]


def offences(occ: pd.DataFrame, codes: tuple[str, ...]) -> pd.DataFrame:
    """Domestic crimes with one of the Home Office ``codes``."""
    return occ[(occ["kind"] == "crime") & occ["offence_code"].isin(codes)]

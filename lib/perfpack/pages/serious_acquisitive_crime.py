"""Serious acquisitive crime: the six categories, their total and theft of a motor vehicle."""

from __future__ import annotations

import pandas as pd

from perfpack.pages import blocks
from perfpack.pages.section import Section
from perfpack.sources.classification import SAC_CATEGORIES

#: data.police.uk crime types that hold the serious acquisitive crime categories, whole.
POLICEUK_SAC_TYPES = {"burglary_all": "Burglary", "robbery_all": "Robbery", "vehicle_crime_all": "Vehicle crime"}


def _policeuk_sac(s: Section) -> list[tuple[str, str, pd.DataFrame]] | None:
    c = s.data.tables["crimes"]
    if "policeuk_crime_type" not in c:
        return None
    t = c["policeuk_crime_type"].astype("string")
    return [(key, f"{label} (all, police.uk crime type)", c[t == label]) for key, label in POLICEUK_SAC_TYPES.items()]


def sac_events(crimes: pd.DataFrame) -> pd.DataFrame:
    """Crimes in the six serious acquisitive crime categories."""
    return crimes[crimes["category"].isin(list(SAC_CATEGORIES))]


def _protect(s: Section) -> None:
    """The total by NPA and the six categories by NPA are published together: disclosure
    control across them (the total minus five categories would give the sixth)."""

    def plan():
        c = s.data.tables["crimes"]
        blocks.protect_together(s, ("serious_acquisitive_crime", sac_events(c)), [(cat, c[c["category"] == cat]) for cat in SAC_CATEGORIES], "recorded_date")
        return True

    s.memo("sac_disclosure", plan)


def counts(s: Section) -> pd.DataFrame:
    """The total against last year by NPA, then the six categories (or, from police.uk,
    burglary, robbery and vehicle crime whole)."""
    first_row = len(s.rows)
    if not blocks.available(s, "Serious acquisitive crime", ("crimes",)):
        return blocks.recorded_since(s, first_row)
    blocks.partial_note(s, "crimes")
    if "offence_code" in s.data.unavailable:
        s.unavailable("Serious acquisitive crime (the six categories)", s.data.unavailable["offence_code"])
        items = _policeuk_sac(s)
        if items:
            blocks.compare_many(s, items, "recorded_date", first_col="police.uk crime type")
        return blocks.recorded_since(s, first_row)
    c = s.data.tables["crimes"]
    _protect(s)
    blocks.compare_counts(s, "serious_acquisitive_crime", "Serious acquisitive crime (the six categories)", sac_events(c), "recorded_date")
    return blocks.recorded_since(s, first_row)


def categories(s: Section) -> pd.DataFrame:
    """The six categories' change table, as the paper's list of reductions."""
    first_row = len(s.rows)
    if not blocks.available(s, "The six serious acquisitive crime categories", ("crimes",), ("offence_code",)):
        return blocks.recorded_since(s, first_row)
    c = s.data.tables["crimes"]
    _protect(s)
    items = [(cat, label, c[c["category"] == cat]) for cat, label in SAC_CATEGORIES.items()]
    blocks.compare_many(s, items, "recorded_date", first_col="Category", caption="Serious acquisitive crime by category")
    return blocks.recorded_since(s, first_row)


def monthly(s: Section) -> pd.DataFrame:
    first_row = len(s.rows)
    if not blocks.available(s, "Monthly serious acquisitive crime", ("crimes",)):
        return blocks.recorded_since(s, first_row)
    if "offence_code" in s.data.unavailable:
        items = _policeuk_sac(s)
        if items:
            blocks.monthly_comparison(
                s, "burglary, robbery and vehicle crime (police.uk types)", pd.concat([ev for _, _, ev in items]), "recorded_date", method="band"
            )
        return blocks.recorded_since(s, first_row)
    blocks.monthly_comparison(
        s, "serious acquisitive crime", sac_events(s.data.tables["crimes"]), "recorded_date", key="serious_acquisitive_crime", method="band"
    )
    return blocks.recorded_since(s, first_row)


def theft_of_motor_vehicle(s: Section) -> pd.DataFrame:
    """Theft of a motor vehicle's own trend, this year against last."""
    first_row = len(s.rows)
    if not blocks.available(s, "Theft of a motor vehicle", ("crimes",), ("offence_code",)):
        return blocks.recorded_since(s, first_row)
    c = s.data.tables["crimes"]
    tmv = c[c["category"] == "theft_of_motor_vehicle"]
    row = next((r for r in s.rows if r["key"] == "theft_of_motor_vehicle" and r["area"] == "Force" and r["window"] == s.current.id), None)
    if row is not None:
        s.say(s.sentence(row))
    blocks.monthly_comparison(s, "theft of a motor vehicle", tmv, "recorded_date", key="theft_of_motor_vehicle", method="band")
    return blocks.recorded_since(s, first_row)

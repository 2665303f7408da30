"""Violent crime outside domestic abuse, and serious violence."""

from __future__ import annotations

import pandas as pd

from perfpack.pages import blocks
from perfpack.pages.section import Section


def _violence(s: Section, what: str) -> pd.DataFrame | None:
    if not blocks.available(s, what, ("crimes",), ("domestic", "violence_type")):
        return None
    c = s.data.tables["crimes"]
    vt = c["violence_type"].astype("string")
    return c[vt.notna() & (vt.str.strip() != "") & ~c["domestic"].fillna(False).astype(bool)]


def counts(s: Section) -> pd.DataFrame:
    first_row = len(s.rows)
    ev = _violence(s, "Non-domestic violent crime")
    if ev is not None:
        blocks.partial_note(s, "crimes")
        blocks.compare_counts(s, "violence_non_domestic", "Non-domestic violence against the person", ev, "recorded_date")
    return blocks.recorded_since(s, first_row)


def monthly(s: Section) -> pd.DataFrame:
    first_row = len(s.rows)
    ev = _violence(s, "Monthly non-domestic violent crime")
    if ev is not None:
        blocks.monthly_comparison(s, "non-domestic violence against the person", ev, "recorded_date", key="violence_non_domestic", method="band")
    return blocks.recorded_since(s, first_row)


def serious_violence(s: Section) -> pd.DataFrame:
    """Serious violence (non-domestic serious assault) against last year: table and SPC chart."""
    first_row = len(s.rows)
    ev = _violence(s, "Serious violence")
    if ev is None:
        return blocks.recorded_since(s, first_row)
    sv = ev[ev["violence_type"] == "serious_assault"]
    if s.config.wording.get("serious_violence"):
        s.say(s.config.wording["serious_violence"])
    blocks.compare_counts(s, "serious_violence", "Serious violence (non-domestic serious assault)", sv, "recorded_date")
    blocks.monthly_comparison(s, "serious violence", sv, "recorded_date", key="serious_violence", method="spc")
    return blocks.recorded_since(s, first_row)

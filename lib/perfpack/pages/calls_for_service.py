"""Calls for service: 999, 101 and digital contact."""

from __future__ import annotations

import pandas as pd

from perfpack.measures import calls as calls_measures
from perfpack.pages import blocks
from perfpack.pages.section import Section


def _calls(s: Section, what: str) -> pd.DataFrame | None:
    if not blocks.available(s, what, ("calls",)):
        return None
    return s.data.tables["calls"]


def counts(s: Section) -> pd.DataFrame:
    """999, 101, digital and all calls against the previous 12 months (calls carry no NPA)."""
    first_row = len(s.rows)
    c = _calls(s, "Calls for service")
    if c is None:
        return blocks.recorded_since(s, first_row)
    blocks.partial_note(s, "calls")
    blocks.compare_many(
        s, calls_measures.by_channel(c), "date", table="calls", by=None, first_col="Channel", caption="Calls for service by channel", improvement="neutral"
    )
    s.say(f"Calls are counted by channel and day; they carry no {s.config.area_word}, so there is no breakdown by {s.area_word}.")
    return blocks.recorded_since(s, first_row)


def monthly(s: Section) -> pd.DataFrame:
    """Each channel per month, this year against last: 999, 101 and all calls in the usual
    seasonal range; digital contact with SPC limits (its use changed with the pandemic)."""
    first_row = len(s.rows)
    c = _calls(s, "Monthly calls for service")
    if c is None:
        return blocks.recorded_since(s, first_row)
    items = {key: (label, ev) for key, label, ev in calls_measures.by_channel(c)}
    for key, method in (("calls_total", "band"), ("calls_999", "band"), ("calls_101", "band"), ("calls_digital", "spc")):
        label, ev = items[key]
        blocks.monthly_comparison(
            s,
            label[0].lower() + label[1:] if not label[0].isdigit() else label,
            ev,
            "date",
            table="calls",
            key=key,
            method=method,
            improvement="neutral",
            ylabel="calls per month",
        )
    return blocks.recorded_since(s, first_row)


def covid_periods(s: Section) -> pd.DataFrame:
    """Each channel in each Covid-19 period against the same dates a year earlier (all calls
    are in the overview's table)."""
    first_row = len(s.rows)
    c = _calls(s, "Calls for service by Covid-19 period")
    if c is None:
        return blocks.recorded_since(s, first_row)
    blocks.covid_comparison(s, [(key, label, ev, "date", "calls") for key, label, ev in calls_measures.by_channel(c) if key != "calls_total"])
    return blocks.recorded_since(s, first_row)

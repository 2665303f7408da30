"""All crime: the 12 months against the 12 before by area, by police.uk crime type, month by
month in the usual seasonal range, and the Covid-19 periods (crime, ASB, calls)."""

from __future__ import annotations

import pandas as pd

from perfpack.measures import counts as measures
from perfpack.measures.coverage import compared
from perfpack.measures.crime_types import policeuk_type_counts, type_table
from perfpack.measures.foreword import foreword_counts
from perfpack.pages import blocks
from perfpack.pages.section import Section
from perfpack.present import tables
from perfpack.sources.policeuk import type_key
from perfpack.stats.figures import to_frame


def _crime(s: Section) -> pd.DataFrame:
    return s.memo("all_crime", lambda: measures.all_crime(s.data.tables["crimes"]))


def by_area(s: Section) -> pd.DataFrame:
    """Recorded crime force-wide and by area, the 12 months against the 12 before."""
    return blocks.compare_counts(s, "all_crime", "All crime", _crime(s), "recorded_date")


def policeuk_type_rows(s: Section) -> list[dict]:
    """One figures.csv row per data.police.uk crime type (ASB included), force-wide, keys in
    snake case (``violence_and_sexual_offences``), labels as police.uk writes them."""
    found = policeuk_type_counts(s.data, s.current, s.previous)
    words = {t: compared(s.data, t, s.current, s.previous).words for t in ("crimes", "incidents")}
    return [s.count_row(type_key(t), t, s.current, s.previous, cur, prev, coverage=words[type_table(t)]) for t, (cur, prev) in found.items()]


def by_crime_type(s: Section) -> pd.DataFrame:
    """Recorded crime and ASB by data.police.uk crime type, force-wide, so that figures agree
    in name with the public police.uk data."""
    rows = policeuk_type_rows(s)
    if not rows:
        s.unavailable("Crime types", "not available from this source")
        return to_frame([])
    if s.data.source != "policeuk":
        for r in rows:  # a breakdown here; the headline table keeps it for police.uk data only
            r["category"] = r["key"]
    s.rows.extend(rows)
    s.show(
        tables.change_table(
            rows, s.current.short(), s.previous.short(), first_col="Crime type (police.uk)", threshold=s.config.disclosure_threshold, name_key="label"
        )
    )
    return to_frame(rows)


def month_by_month(s: Section) -> pd.DataFrame:
    """Each month of the latest 12 against the same month a year earlier, in the usual
    seasonal range."""
    return blocks.monthly_comparison(s, "all crime", _crime(s), "recorded_date", key="all_crime")


def covid_periods(s: Section) -> pd.DataFrame:
    """Recorded crime, ASB incidents and calls for service in each Covid-19 period against the
    same dates a year earlier; a table the source lacks is shown as not available."""
    incidents = s.data.tables.get("incidents")
    calls = s.data.tables.get("calls")
    return blocks.covid_comparison(
        s,
        [
            ("all_crime", "All crime", _crime(s), "recorded_date", "crimes"),
            ("asb_incidents", "ASB incidents", measures.asb_incidents(incidents) if incidents is not None else None, "opened_at", "incidents"),
            ("calls_total", "Calls for service", measures.total_calls(calls) if calls is not None else None, "date", "calls"),
        ],
    )


def covid_period_by_crime_type(s: Section) -> pd.DataFrame:
    """The figures the meeting paper's foreword quotes: domestic burglary, robbery, serious
    sexual offences, rape, vehicle crime and domestic abuse crimes over the Covid-19 period to
    the end of the quarter (from 16 March 2020), against the same dates a year earlier."""
    if not blocks.available(s, "The Covid-19 period by crime type", ("crimes",), ("offence_code",)):
        return to_frame([])
    end = min(s.period.end, s.config.covid_periods[-1].end) if s.config.covid_periods else s.period.end
    if s.config.covid_overall_start > end:
        s.say(f"The Covid-19 period in the configuration starts after {s.period.end:%d %B %Y}.")
        return to_frame([])
    if s.data.granularity.get("crimes") == "quarter":
        s.unavailable(
            "The Covid-19 period by crime type",
            s.data.unavailable.get("monthly", "not available from this source: counts are quarterly") + "; the Covid-19 period does not start on a quarter",
        )
        return to_frame([])
    window, previous, counts = foreword_counts(s.data.tables["crimes"], s.config, end)
    cmp = compared(s.data, "crimes", window, previous)
    rows = []
    for key, (label, cur, prev) in counts.items():
        if key == "domestic_abuse_crime" and "domestic" in s.data.unavailable:
            continue
        rows.append(s.count_row(key, label, window, previous, cur, None if cmp.previous_none else prev, coverage=cmp.words))
    s.rows.extend(rows)
    s.show(
        tables.change_table(
            rows,
            window.short(),
            previous.short(),
            first_col="Crime type",
            caption=f"The Covid-19 period ({window.describe()}) against the same dates a year earlier",
            threshold=s.config.disclosure_threshold,
            name_key="label",
        )
    )
    if "domestic" in s.data.unavailable:
        s.unavailable("Domestic abuse crimes", s.data.unavailable["domestic"])
    return to_frame(rows)

"""Anti-social behaviour and Covid-19: ASB split Covid-19 related and other, Covid-19 incidents, fixed penalty notices."""

from __future__ import annotations

import pandas as pd

from perfpack.measures import covid
from perfpack.measures.counts import asb_incidents
from perfpack.measures.windows import window_since
from perfpack.pages import blocks
from perfpack.pages.section import Section
from perfpack.periods import format_day

#: Measures that began with the Covid-19 restrictions (``covid_overall_start``): a comparison
#: with a window before then reads "new since 16 March 2020", with no percentage.
NEW_WITH_COVID = ("asb_covid_incidents", "covid_incidents", "covid_fpns")


def _new_with_covid(s: Section) -> None:
    s.new_since.update(dict.fromkeys(NEW_WITH_COVID, s.config.covid_overall_start))


def _asb(s: Section, what: str) -> pd.DataFrame | None:
    _new_with_covid(s)
    if not blocks.available(s, what, ("incidents",)):
        return None
    return asb_incidents(s.data.tables["incidents"])


def counts(s: Section) -> pd.DataFrame:
    """ASB incidents against the previous 12 months by NPA, then Covid-19 related and other."""
    first_row = len(s.rows)
    asb = _asb(s, "ASB incidents")
    if asb is None:
        return blocks.recorded_since(s, first_row)
    blocks.partial_note(s, "incidents")
    split = "covid_related" not in s.data.unavailable
    if split:  # the total by NPA and its two parts by NPA are published together
        cov_asb, other = covid.asb_split(asb)
        blocks.protect_together(s, ("asb_incidents", asb), [("asb_covid_incidents", cov_asb), ("asb_other_incidents", other)], "opened_at", table="incidents")
    blocks.compare_counts(s, "asb_incidents", "ASB incidents", asb, "opened_at", table="incidents")
    if s.config.wording.get("asb") and s.data.source == "canonical":
        s.say(s.config.wording["asb"])
    if not blocks.available(s, "Covid-19 related and other ASB", fields=("covid_related",)):
        return blocks.recorded_since(s, first_row)
    blocks.compare_many(
        s,
        [("asb_covid_incidents", "Covid-19 related ASB incidents", cov_asb), ("asb_other_incidents", "Other ASB incidents", other)],
        "opened_at",
        table="incidents",
        first_col="ASB",
    )
    start = s.config.covid_overall_start
    if s.previous.start < start:
        s.say(
            f"Covid-19 related reports exist only from the start of the Covid-19 period ({format_day(start)}), so "
            f"{s.previous.short()} {'had none' if s.previous.end < start else 'has few'} by definition: the rise in that row "
            f"reflects the restrictions, not a change in behaviour. Other ASB is the like-for-like comparison."
        )
    return blocks.recorded_since(s, first_row)


def monthly(s: Section) -> pd.DataFrame:
    """ASB per month in the usual seasonal range; then this year split Covid-19 related / other."""
    first_row = len(s.rows)
    asb = _asb(s, "Monthly ASB incidents")
    if asb is None:
        return blocks.recorded_since(s, first_row)
    blocks.monthly_comparison(s, "ASB incidents", asb, "opened_at", table="incidents", key="asb_incidents", method="band")
    if not blocks.available(s, "Covid-19 related and other ASB per month", fields=("covid_related",)):
        return blocks.recorded_since(s, first_row)
    cov_asb, other = covid.asb_split(asb)
    blocks.monthly_split(s, "ASB incidents, Covid-19 related and other", [("Covid-19 related", cov_asb), ("Other ASB", other)], "opened_at", table="incidents")
    blocks.monthly_comparison(s, "ASB incidents other than Covid-19 related", other, "opened_at", table="incidents", key="asb_other_incidents", method="band")
    return blocks.recorded_since(s, first_row)


def covid_incidents(s: Section) -> pd.DataFrame:
    """Covid-19 related incidents (any category) per month since the pandemic began."""
    first_row = len(s.rows)
    _new_with_covid(s)
    if not blocks.available(s, "Covid-19 related incidents", ("incidents",), ("covid_related",)):
        return blocks.recorded_since(s, first_row)
    inc = covid.covid_related(s.data.tables["incidents"])
    start = s.config.covid_overall_start
    if start > s.period.end:
        s.say(f"The Covid-19 period in the configuration starts after {s.period.end:%d %B %Y}.")
        return blocks.recorded_since(s, first_row)
    # to the same month as the FPN chart beside it (a month after the period, where the data have it)
    ends = [c[1] for c in (s.data.coverage("incidents"), s.data.coverage("fpns")) if c]
    window = window_since(s.period, start, s.config.latest_data_offset_months, min(ends) if ends else None)
    blocks.monthly_bars(
        s,
        "covid_incidents",
        "Covid-19 related incidents",
        inc,
        "opened_at",
        window,
        table="incidents",
        ylabel="incidents per month",
        caption=f"Covid-19 related incidents (reports of restriction breaches, of any category) per month, {window.short()}. Plain bars: the series begins with the pandemic, so there is no earlier year for a seasonal range or SPC limits.",
    )
    return blocks.recorded_since(s, first_row)


def fpns(s: Section) -> pd.DataFrame:
    """Covid-19 fixed penalty notices per month from the configured start to a month after the
    period end (where the data have it), by NPA and by breach type."""
    first_row = len(s.rows)
    _new_with_covid(s)
    if not blocks.available(s, "Covid-19 fixed penalty notices", ("fpns",)):
        return blocks.recorded_since(s, first_row)
    fpns = s.data.tables["fpns"]
    cov = s.data.coverage("fpns")
    window = window_since(s.period, s.config.fpn_start, s.config.latest_data_offset_months, cov[1] if cov else None)
    if window is None:
        s.say(f"The FPN window in the configuration starts after {s.period.end:%d %B %Y}.")
        return blocks.recorded_since(s, first_row)
    blocks.monthly_bars(
        s,
        "covid_fpns",
        "Covid-19 fixed penalty notices",
        fpns,
        "issued_date",
        window,
        table="fpns",
        ylabel="FPNs per month",
        caption=f"Covid-19 fixed penalty notices issued per month, {window.short()}. Plain bars: enforcement follows the rules in force each month, not a stable process, so neither a seasonal range nor SPC limits apply.",
    )
    blocks.area_counts(
        s,
        "covid_fpns",
        "Covid-19 fixed penalty notices",
        fpns,
        "issued_date",
        window,
        table="fpns",
        note="There were no Covid-19 FPNs before the restrictions of March 2020, so there is nothing to compare with.",
    )
    # breach types as names in a table or on an axis ("Gathering", not "gathering"); the keys are unchanged
    named = fpns.assign(breach_type=fpns["breach_type"].astype("string").map(lambda v: v[:1].upper() + v[1:] if isinstance(v, str) else v))
    blocks.category_breakdown(
        s, "covid_fpns_breach", "Covid-19 FPNs by breach type", named, "breach_type", "issued_date", window=window, table="fpns", ylabel="FPNs"
    )
    return blocks.recorded_since(s, first_row)

"""Fraud and cyber crime: Action Fraud reports, losses, fraud types, victims' ages, NFIB disseminations."""

from __future__ import annotations

import pandas as pd

from perfpack.measures import fraud
from perfpack.measures.coverage import compared
from perfpack.measures.windows import months_before, trailing_window
from perfpack.pages import blocks
from perfpack.pages.section import Section

#: The shares of reports the page records: key, label, attribute of :class:`perfpack.measures.fraud.FraudSummary`.
FRAUD_SHARES = (
    ("fraud_share_individuals", "Reports from individuals (%)", "share_individuals"),
    ("fraud_share_organisations", "Reports from organisations (%)", "share_organisations"),
    ("fraud_share_support", "Victims asking for support (%)", "share_support"),
)


def _fraud(s: Section, what: str):
    """(reports, window, previous window or None) for the Action Fraud blocks, or None."""
    if not blocks.available(s, what, ("fraud_reports",)):
        return None
    reports = s.data.tables["fraud_reports"]
    cov = s.data.coverage("fraud_reports")
    window = trailing_window(s.period, s.config.fraud_months, s.config.latest_data_offset_months, cov[1] if cov else None)
    prev = months_before(window)
    if s.data.coverage_of("fraud_reports") is None or s.data.coverage_of("fraud_reports").covers_none(prev):
        prev = None
    return reports, window, prev


def reports(s: Section) -> pd.DataFrame:
    """Reports over the fraud window (13 months to a month after the period end), losses, who
    reported and who asked for support; the months with SPC limits."""
    first_row = len(s.rows)
    got = _fraud(s, "Action Fraud reports")
    if got is None:
        return blocks.recorded_since(s, first_row)
    reports, window, prev = got
    cmp = compared(s.data, "fraud_reports", window, prev)
    gap = blocks.shortfall(s.data, "fraud_reports", window)
    if gap:
        s.unavailable(f"Part of {window.short()} only", f"{gap}; figures for it are counted but not compared (incomplete coverage)")
    blocks.compare_counts(
        s,
        "fraud_reports",
        "Action Fraud reports from the force's victims",
        reports,
        "reported_date",
        by=None,
        current=window,
        previous=prev or months_before(window),
        table="fraud_reports",
        improvement="neutral",
    )
    cur = fraud.summary(reports, window)
    old = fraud.summary(reports, prev) if prev else None
    words = cmp.words
    rows = [
        s.add_value(
            "fraud_losses_gbp",
            "Reported losses (£)",
            window,
            round(cur.losses_gbp, 2),
            round(old.losses_gbp, 2) if old else None,
            kind="amount",
            previous_window=prev,
            coverage=words,
        ),
    ]
    for key, label, share in FRAUD_SHARES:
        rows.append(
            s.add_value(
                key,
                label,
                window,
                blocks.round1(getattr(cur, share)),
                blocks.round1(getattr(old, share)) if old else None,
                kind="share",
                previous_window=prev,
                coverage=words,
            )
        )
    s.say(
        f"In the {len(window.months)} months {window.short()}, {cur.reports:,} reports from victims in the force area were made to Action Fraud, "
        f"with reported losses of {_money(cur.losses_gbp)}. {cur.share_individuals or 0:.0f}% came from individuals and {cur.share_organisations or 0:.0f}% from organisations; "
        f"{cur.share_support or 0:.0f}% of victims asked for support."
    )
    blocks.show_values(s, rows, caption="Losses and shares")
    s.say(f"Action Fraud reports carry no {s.config.area_word} in the data the force receives, so there is no breakdown by {s.area_word}.")
    blocks.spc_months(s, "Action Fraud reports", reports, "reported_date", window, table="fraud_reports", improvement="neutral", ylabel="reports per month")
    return blocks.recorded_since(s, first_row)


def _money(x: float) -> str:
    return f"£{x / 1e6:,.1f} million" if x >= 1e6 else f"£{x:,.0f}"


def types(s: Section) -> pd.DataFrame:
    first_row = len(s.rows)
    got = _fraud(s, "Fraud types")
    if got is None:
        return blocks.recorded_since(s, first_row)
    reports, window, prev = got
    blocks.category_breakdown(
        s,
        "fraud_type",
        "Action Fraud reports by fraud type",
        reports,
        "fraud_type",
        "reported_date",
        window=window,
        previous=prev,
        table="fraud_reports",
        ylabel="reports",
    )
    return blocks.recorded_since(s, first_row)


def victim_ages(s: Section) -> pd.DataFrame:
    first_row = len(s.rows)
    got = _fraud(s, "Victim age groups")
    if got is None:
        return blocks.recorded_since(s, first_row)
    reports, window, prev = got
    people = fraud.individuals(reports)
    blocks.category_breakdown(
        s,
        "fraud_age",
        "reports from individuals by victim age group",
        people,
        "victim_age_band",
        "reported_date",
        window=window,
        previous=prev,
        table="fraud_reports",
        order=fraud.age_band_order(people["victim_age_band"].dropna()),
        ylabel="reports",
    )
    return blocks.recorded_since(s, first_row)


def disseminations(s: Section) -> pd.DataFrame:
    """Crimes NFIB disseminated to the force: several years of months, and the 12 months
    against the 12 before."""
    first_row = len(s.rows)
    if not blocks.available(s, "Crimes disseminated to the force", ("fraud_reports",)):
        return blocks.recorded_since(s, first_row)
    reports = s.data.tables["fraud_reports"]
    cov = s.data.coverage("fraud_reports")
    dis = fraud.disseminated(reports)
    blocks.compare_counts(
        s, "fraud_disseminations", "Crimes disseminated to the force by NFIB", dis, "reported_date", by=None, table="fraud_reports", improvement="neutral"
    )
    window = fraud.dissemination_window(s.period, s.config.dissemination_years, cov[1] if cov else None)
    blocks.trend(
        s,
        "crimes disseminated to the force by NFIB",
        dis,
        "reported_date",
        window,
        table="fraud_reports",
        ylabel="crimes per month",
        caption=f"Crimes disseminated to the force by NFIB per month, {window.short()}, by the month the victim reported to Action Fraud. A plain trend: the volumes are set by NFIB's review, not by demand in the force area, so neither a seasonal range nor SPC limits would say anything about the force.",
    )
    return blocks.recorded_since(s, first_row)

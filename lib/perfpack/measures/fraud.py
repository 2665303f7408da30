"""Action Fraud measures: reports from the force's victims, losses, who reported, fraud
types, victim age groups and crimes disseminated to the force by NFIB.

Reports count on the date they were made to Action Fraud. Disseminations are the reports
NFIB sent to the force to investigate, counted on the date of the report (the data carry no
dissemination date). Shares are percentages of the reports in the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from perfpack.measures.counts import in_window, monthly_counts
from perfpack.measures.windows import last_whole_month_end
from perfpack.periods import Period, Window, add_months

NOT_APPLICABLE_AGE = "Not applicable"


@dataclass(frozen=True)
class FraudSummary:
    """Reports, losses and shares for one window."""

    window: Window
    reports: int
    losses_gbp: float
    individuals: int
    organisations: int
    support_requested: int

    @property
    def share_individuals(self) -> float | None:
        return pct(self.individuals, self.reports)

    @property
    def share_organisations(self) -> float | None:
        return pct(self.organisations, self.reports)

    @property
    def share_support(self) -> float | None:
        return pct(self.support_requested, self.reports)


def pct(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``; None when ``whole`` is 0."""
    return 100.0 * part / whole if whole else None


def summary(reports: pd.DataFrame, window: Window) -> FraudSummary:
    """Count, losses, individuals / organisations and support requested in a window.

    Examples
    --------
    Three reports in the window, two from individuals, one asking for support, losses
    £100 + £0 + £50: ``reports=3, losses_gbp=150.0``, shares 66.7% and 33.3%.
    """
    sel = reports[in_window(reports, "reported_date", window)]
    vt = sel["victim_type"].astype("string").str.lower()
    return FraudSummary(
        window=window,
        reports=int(len(sel)),
        losses_gbp=float(sel["loss_gbp"].fillna(0).sum()),
        individuals=int((vt == "individual").sum()),
        organisations=int((vt == "organisation").sum()),
        support_requested=int(sel["support_requested"].fillna(False).astype(bool).sum()),
    )


def individuals(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports from individuals (victim age groups apply to them only)."""
    return reports[reports["victim_type"].astype("string").str.lower() == "individual"]


def age_band_order(bands) -> list[str]:
    """Age bands in age order: 'Under 18', '18-29', ..., '70+', then anything else, then
    'Not applicable' / missing last."""

    def key(b: str):
        s = str(b)
        if s.lower().startswith("under"):
            return (0, 0, s)
        digits = "".join(ch if ch.isdigit() else " " for ch in s).split()
        if digits:
            return (1, int(digits[0]), s)
        return (3 if s in (NOT_APPLICABLE_AGE, "Not known", "Unknown") else 2, 0, s)

    return sorted({str(b) for b in bands}, key=key)


def disseminated(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports NFIB sent to the force to investigate."""
    return reports[reports["disseminated_to_force"].fillna(False).astype(bool)]


def dissemination_window(period: Period, years: int, last_day: date | None = None) -> Window:
    """``years`` whole years of months to the period end (cut to the data's last day)."""
    end = period.end if last_day is None or last_day >= period.end else last_whole_month_end(last_day)
    return Window(add_months(end, -(12 * years - 1)), end, f"{years} years to {end:%b %Y}")


def monthly(reports: pd.DataFrame, window: Window) -> pd.Series:
    """Reports per month over a window (months with none are zero)."""
    return monthly_counts(reports, "reported_date", window.start, window.end, weight=None)

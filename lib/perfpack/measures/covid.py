"""Covid-19 measures: ASB split into Covid-19 related and other, Covid-19 related incidents.

``covid_related`` marks a report of a breach of the Covid-19 restrictions. The force classes
those as ASB, so most are ASB incidents; a few are logged under other categories (public
safety, say), which is why "Covid-19 related incidents" and "Covid-19 related ASB" differ.
"""

from __future__ import annotations

import pandas as pd


def _flag(incidents: pd.DataFrame) -> pd.Series:
    return incidents["covid_related"].fillna(False).astype(bool)


def covid_related(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents of any category marked as Covid-19 related."""
    return incidents[_flag(incidents)]


def asb_split(asb: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ASB incidents split into (Covid-19 related, other)."""
    flag = _flag(asb)
    return asb[flag], asb[~flag]

"""The foreword's figures: crime types over the Covid-19 period against the same dates a year earlier.

The seed meeting paper's foreword (and the opening of its performance overview) compares the
Covid-19 period, 16 March to 31 December 2020, with the same dates of 2019: domestic burglary
-31%, robbery -37%, serious sexual offences -28%, rape -27%, vehicle crime -33% and domestic
abuse crimes -2%. :func:`foreword_counts` counts them; section 01 (:func:`perfpack.pages.all_crime.covid_period_by_crime_type`) publishes them.

What each figure counts (offence codes through :mod:`perfpack.sources.classification`):

``residential_burglary``
    Domestic (residential) burglary: HO codes ``28A``-``28H``, ``29``, ``29A``.
``robbery``
    Personal and business robbery (``34B``, ``34A``).
``serious_sexual_offences``
    Rape and the other sexual offences: the Home Office offence group "Sexual offences"
    (:data:`perfpack.sources.classification.SERIOUS_SEXUAL_OFFENCES`).
``rape``
    Rape, HO class 19 (``19C``-``19H``).
``vehicle_crime``
    Theft of and theft from a motor vehicle (``48``, ``37.2``, ``45``); interfering with a
    motor vehicle (``126``) is not counted.
``domestic_abuse_crime``
    Recorded crimes flagged domestic (crimes only: domestic non-crime incidents are not).

Counts use the classified, record-level crimes a :class:`~perfpack.sources.dataset.Dataset`
holds (a ``count`` column, when present, weights aggregated rows). A source without domestic
flags has no domestic abuse figure: the caller says so rather than showing a zero.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from perfpack.measures.counts import count_in
from perfpack.periods import Window
from perfpack.sources.classification import SERIOUS_SEXUAL_OFFENCES

#: The foreword's figures, in the order the paper quotes them: key -> (label, report
#: categories counted). ``None`` means crimes flagged domestic, whatever their category.
FOREWORD_MEASURES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "residential_burglary": ("Domestic burglary", ("residential_burglary",)),
    "robbery": ("Robbery (personal and business)", ("personal_robbery", "business_robbery")),
    "serious_sexual_offences": ("Serious sexual offences", SERIOUS_SEXUAL_OFFENCES),
    "rape": ("Rape", ("rape",)),
    "vehicle_crime": ("Vehicle crime (theft of and from a motor vehicle)", ("theft_of_motor_vehicle", "theft_from_motor_vehicle")),
    "domestic_abuse_crime": ("Domestic abuse crimes", None),
}


def foreword_window(config, end: date | None = None) -> Window:
    """The Covid-19 period the foreword quotes: from the configured start of the pandemic
    (``covid.overall.start``, 16 March 2020) to ``end``, by default the end of the last
    configured Covid-19 period (31 December 2020)."""
    end = end or config.covid_periods[-1].end
    return Window(config.covid_overall_start, end, f"{config.covid_overall_label} to {end.day} {end:%b %Y}")


def foreword_selection(crimes: pd.DataFrame, key: str) -> pd.DataFrame:
    """The crimes one foreword figure counts (``key`` of :data:`FOREWORD_MEASURES`)."""
    _, categories = FOREWORD_MEASURES[key]
    if categories is None:
        return crimes[crimes["domestic"].fillna(False).astype(bool)]
    return crimes[crimes["category"].isin(categories)]


def foreword_counts(crimes: pd.DataFrame, config, end: date | None = None) -> tuple[Window, Window, dict[str, tuple[str, int, int]]]:
    """Each of :data:`FOREWORD_MEASURES` in the Covid-19 period (:func:`foreword_window`,
    16 March-31 December 2020) and on the same dates a year earlier.

    Parameters
    ----------
    crimes : DataFrame
        Classified crimes (``recorded_date``, ``category``, ``domestic``; ``count`` optional).
    config : PackConfig
        For the Covid-19 period.
    end : date, optional
        Last day of the window (the period end); the last configured Covid-19 period's end by
        default.

    Returns
    -------
    (window, previous, counts)
        ``counts`` maps each key to ``(label, count in window, count in previous)``.
    """
    window = foreword_window(config, end)
    previous = window.year_earlier()
    weight = "count" if "count" in crimes else None
    counts = {}
    for key, (label, _) in FOREWORD_MEASURES.items():
        sel = foreword_selection(crimes, key)
        counts[key] = (label, count_in(sel, "recorded_date", window, weight), count_in(sel, "recorded_date", previous, weight))
    return window, previous, counts

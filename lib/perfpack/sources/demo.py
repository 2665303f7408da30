"""A deterministic synthetic data set for one force: the pack's demo and test input.

The demo force has the areas (NPAs) of its profile (``profiles/demo/pack.yaml``; another
profile's areas when given one: unknown names get the mean share) and record-level data from 1 January 2016 to 31 March 2021 in the five canonical tables
(``crimes``, ``incidents``, ``calls``, ``fraud_reports``, ``fpns``). It is built so that,
run for period ``2020-Q4``, the pack reproduces the figures of the seed meeting paper
(see ``docs/demo-data.md`` and the calibration table in the report specification).

How it is built
---------------
Every stream of events (a group of offence codes, an incident category, a call channel,
Action Fraud reports) is one :class:`Series` in the tables below: a 2019 annual volume, a
seasonal cycle, a weekly cycle, a trend for 2016-2018 relative to 2019 and, from 2020, a
ratio to **the same dates a year earlier** for each Covid-19 period (the way the seed states
its figures), optionally shaped month by month inside a period. From these the generator
derives an expected count for every day (per-day multipliers, no per-record special cases).

Counts are then drawn in two steps. Each year is cut into *calibration segments* at the
Covid-19 period boundaries (1 Jan-15 Mar, 16 Mar-3 Jul, 4 Jul-30 Sep, 1 Oct-31 Dec; 2021's
first quarter is one). Before 2020 a segment's total is a Poisson draw around its expected
total times ``scale``; from 2020 it is the same dates' drawn total a year earlier times the
period's ratio, with a small noise of its own (at most 0.6%). The days inside a segment share
its total by a multinomial draw, with a little extra month-to-month variation. So no total is
a round number and no period repeats the year before's count, while the period comparisons
the pack reports stay within a fraction of a point of the seed's at any seed and any scale.
Action Fraud reports and FPNs are fixed month by month instead.

Domestic abuse victims share one id namespace across domestic crimes and domestic non-crime
incidents. A victim is a chain of occurrences in time (a repeat victim's next occurrence a few
weeks later, sometimes more than a year), so the share of repeat victims (two or more
occurrences in a window) holds in any 12-month window, not only in calendar years: 30-34%
in every window of 2019-2021, and exactly the seed's 5,004 at 31% for 2019 and 4,991 at
33% for 2020.

Everything random comes from one seeded :class:`numpy.random.Generator` per table (spawned
from ``seed``), and all work is vectorised: scale 1 takes about a second, scale 10 (about
4.3 million crimes and 7 million incidents) about 20 seconds including writing CSV.

Usage::

    python -m perfpack.sources.demo data/demo              # scale 1, CSV
    python -m perfpack.sources.demo /tmp/big --scale 10 --format parquet
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from perfpack.config import PackConfig, load_config
from perfpack.periods import Window
from perfpack.sources.classification import classification

__all__ = [
    "generate",
    "write_demo",
    "TABLES",
    "COLUMNS",
    "INCIDENT_CATEGORIES",
    "ASB_CATEGORIES",
    "CHANNELS",
    "FRAUD_TYPES",
    "AGE_BANDS",
    "BREACH_TYPES",
    "GRADES",
    "DEMO_START",
    "DEMO_END",
]

# --------------------------------------------------------------------------------------
# The tables and their columns
# --------------------------------------------------------------------------------------

DEMO_START = date(2016, 1, 1)
DEMO_END = date(2021, 3, 31)
BASE_YEAR = 2019  # every Series.base is a calendar-2019 volume at scale 1

TABLES = ("crimes", "incidents", "calls", "fraud_reports", "fpns")

COLUMNS: dict[str, tuple[str, ...]] = {
    "crimes": ("crime_id", "recorded_date", "offence_code", "npa", "domestic", "victim_id"),
    "incidents": ("incident_id", "opened_at", "category", "covid_related", "npa", "victim_id", "grade", "attended"),
    "calls": ("date", "channel", "calls"),
    "fraud_reports": (
        "report_id", "reported_date", "fraud_type", "loss_gbp", "victim_type",
        "victim_age_band", "support_requested", "disseminated_to_force",
    ),
    "fpns": ("fpn_id", "issued_date", "breach_type", "npa"),
}
DATE_COLUMNS = {"crimes": "recorded_date", "calls": "date", "fraud_reports": "reported_date", "fpns": "issued_date"}
DATETIME_COLUMNS = {"incidents": "opened_at"}

#: Command-and-control incident categories (the ``asb_*`` ones are recorded ASB).
INCIDENT_CATEGORIES: dict[str, str] = {
    "asb_personal": "ASB aimed at a person or group (targeted harassment, intimidation)",
    "asb_nuisance": "ASB causing trouble to a community (rowdy groups, noise, gatherings; most Covid-19 breach reports)",
    "asb_environmental": "ASB affecting the environment (fly-tipping, graffiti, litter)",
    "domestic_non_crime": "Domestic abuse incident that is not a crime (always has a victim_id)",
    "crime_related": "Report of a crime in progress or just committed",
    "concern_for_safety": "Concern for the welfare of a person, including mental ill health",
    "missing_person": "Report of a missing or absent person",
    "road_traffic": "Road traffic collision or road-related incident",
    "public_safety": "Public safety: hazards, alarms, animals, disorder not amounting to crime",
    "suspicious_circumstances": "Suspicious person, vehicle or circumstances",
    "admin": "Administrative, advice or transferred to another agency",
}
ASB_CATEGORIES = ("asb_personal", "asb_nuisance", "asb_environmental")
GRADES = {1: "emergency", 2: "priority", 3: "scheduled", 4: "resolved without deployment"}
CHANNELS = ("999", "101", "digital")
FRAUD_TYPES = (
    "Consumer fraud", "Advance fee fraud", "Investment fraud", "Romance fraud",
    "Computer misuse", "Banking and card fraud", "Other fraud",
)
AGE_BANDS = ("Under 18", "18-29", "30-39", "40-49", "50-59", "60-69", "70+", "Not applicable")
BREACH_TYPES = ("gathering", "face covering", "self-isolation", "travel", "business premises")

# --------------------------------------------------------------------------------------
# Shapes: seasonal, weekly, hourly, NPA
# --------------------------------------------------------------------------------------

# (amplitude, peak day of year): factor 1 + a*cos(2*pi*(doy - peak)/365.25)
FLAT = (0.0, 0)
SUMMER = (0.10, 196)  # violence, public order: July peak
SUMMER_STRONG = (0.25, 190)  # ASB, bicycle theft
WINTER = (0.14, 352)  # burglary, vehicle crime: dark evenings
WINTER_MILD = (0.06, 340)  # shoplifting, calls to 101

WEEKLY = {  # Monday .. Sunday, normalised to mean 1 when used
    "flat": (1, 1, 1, 1, 1, 1, 1),
    "weekday": (1.14, 1.07, 1.04, 1.03, 1.0, 0.88, 0.84),
    "weekend": (0.92, 0.9, 0.92, 0.96, 1.08, 1.16, 1.06),
    "nightlife": (0.86, 0.82, 0.85, 0.9, 1.08, 1.32, 1.17),
}

_H = np.arange(24)


def _hours(peak: float, width: float, floor: float) -> np.ndarray:
    d = np.minimum(np.abs(_H - peak), 24 - np.abs(_H - peak))
    w = floor + np.exp(-0.5 * (d / width) ** 2)
    return w / w.sum()


HOURS = {
    "evening": _hours(20, 3.5, 0.08),
    "late": _hours(23, 3.0, 0.05),
    "day": _hours(14, 4.0, 0.05),
    "office": _hours(12, 2.5, 0.01),
    "spread": _hours(16, 6.0, 0.2),
}

# Share of crime by NPA (2019-like); Stoke-on-Trent the largest. Unknown NPAs in another
# configuration get the mean share.
NPA_SHARE = {
    "Stoke-on-Trent": 0.35,
    "East Staffordshire": 0.106,
    "Newcastle-under-Lyme": 0.10,
    "Stafford": 0.094,
    "Cannock Chase": 0.088,
    "Tamworth": 0.076,
    "Lichfield": 0.065,
    "South Staffordshire": 0.065,
    "Staffordshire Moorlands": 0.056,
}
NPA_TILT = {  # multipliers on NPA_SHARE for some streams
    "crime": {},
    "urban": {"Stoke-on-Trent": 1.35},
    # cross-border vehicle crime and burglary from the West Midlands
    "south": {"South Staffordshire": 1.35, "Cannock Chase": 1.25, "Tamworth": 1.2, "Lichfield": 1.25},
    "rural": {"Staffordshire Moorlands": 1.3, "South Staffordshire": 1.2, "Lichfield": 1.15, "Stafford": 1.1},
}

# --------------------------------------------------------------------------------------
# The per-series parameter table
# --------------------------------------------------------------------------------------

#: Order of the ratios in ``Series.covid``. Each is the series' volume over those dates
#: divided by its volume over the same dates a year earlier. The middle three are the
#: configured Covid-19 periods (in config order); "pre" runs from 1 January of the pandemic
#: year to the day before it starts; "after" from the day after the last period to the end of
#: the data (here the first quarter of 2021, the third national lockdown).
COVID_KEYS = ("pre", "period_1", "period_2", "period_3", "after")
#: The pandemic the demo models (dates of the seed paper): its start and three periods of 2020.
PANDEMIC_START = date(2020, 3, 16)
MODEL_PERIODS = ((date(2020, 3, 16), date(2020, 7, 3)), (date(2020, 7, 4), date(2020, 9, 30)), (date(2020, 10, 1), date(2020, 12, 31)))


@dataclass(frozen=True)
class Series:
    """One stream of events and how its expected daily volume is built.

    ``base`` is the expected volume in calendar 2019 at scale 1. ``trend`` gives the
    2016, 2017 and 2018 levels relative to 2019 (mid-year knots, linear between). ``covid``
    gives one ratio per :data:`COVID_KEYS` entry; ``shape`` optionally weights months
    (``'YYYY-MM'``) inside their period without changing the period's total.

    A series with ``relative_to`` has no volume of its own before the pandemic: its
    ``covid`` ratios are *extra* volume as a share of the named series' volume on the same
    dates a year earlier (Covid-19 breach reports are an addition to ASB).
    """

    name: str
    base: float
    season: tuple[float, int] = FLAT
    weekly: str = "flat"
    trend: tuple[float, float, float] = (1.0, 1.0, 1.0)
    covid: tuple[float, float, float, float, float] = (1.0, 1.0, 1.0, 1.0, 1.0)
    shape: Mapping[str, float] = field(default_factory=dict)
    relative_to: str | None = None
    # --- what each record carries (per table)
    mix: Mapping[str, float] = field(default_factory=dict)  # offence codes / incident categories
    domestic: bool = False  # crimes: domestic flag; incidents: domestic abuse victim
    victim_share: float = 0.0  # crimes: share of non-domestic records with a victim_id
    npa: str = "crime"  # key of NPA_TILT
    hours: str = "spread"  # incidents: key of HOURS
    covid_related: bool = False  # incidents


S = Series
FALLING = (1.0, 1.05, 1.06)  # crime peaked in 2018, then a sustained decline into 2020

# Offence code mixes (codes from the shipped Home Office classification).
SERIOUS = {"5D": 0.62, "5E": 0.3, "2": 0.055, "1": 0.02, "4.1": 0.005}
LESS_SERIOUS = {"8N": 0.42, "105A": 0.45, "104": 0.07, "8S": 0.02, "105B": 0.02, "8P": 0.02}
OTHER_VAP = {"8L": 0.3, "8R": 0.3, "3B": 0.12, "8Q": 0.07, "8M": 0.03, "11A": 0.09, "36": 0.03,
             "13": 0.01, "106": 0.02, "4.4": 0.01, "4.8": 0.01, "37.1": 0.001}
RAPE = {"19C": 0.68, "19D": 0.18, "19E": 0.09, "19F": 0.03, "19G": 0.01, "19H": 0.01}
OTHER_SEXUAL = {"20A": 0.44, "22B": 0.12, "20B": 0.07, "21": 0.04, "22A": 0.06, "88E": 0.12, "88A": 0.04,
                "71": 0.03, "73": 0.03, "17A": 0.04, "17B": 0.01}

#: Recorded crime. Domestic series carry domestic=True and always a victim_id.
#: Targets (2020 vs 2019) from the seed: all crime -18%, 16 Mar-31 Dec -20%, first lockdown
#: -30%, withdrawal -16%; the SAC rows; domestic serious -4%, less serious -16%, other VAP +5%.
#: The foreword's figures for 16 Mar-31 Dec against the same dates of 2019: domestic burglary
#: -31%, robbery -37%, serious sexual offences -28%, rape -27%, vehicle crime (theft of and
#: from a motor vehicle) -33%, domestic abuse crimes -2%. Those that also have a 2020 target
#: fall less before the pandemic (1 Jan-15 Mar) than in it: vehicle crime was slightly above
#: 2019 until the first lockdown, domestic abuse crime below it (the fall in domestic crime
#: and non-crime, -5% for the year, is before the pandemic and in non-crime incidents).
#: Rape and the other sexual offences are separate series (domestic too) so that their falls
#: are set, not left to the draw of offence codes.
#: Domestic abuse is about 15,000 of the 85,000 crimes of 2019 and falls only about 3% in
#: 2020, so the non-domestic series fall a little more in each period (about -21% for the
#: year) for all crime to fall as the seed says.
CRIME_SERIES: tuple[Series, ...] = (
    #  name, 2019 volume, season, weekly, trend 2016-18, covid (pre, lockdown, withdrawal, tiers, Q1 2021)
    S("violence_serious", 486, SUMMER, "nightlife", FALLING, (0.9, 0.68, 0.88, 0.86, 0.85),
      {"2020-04": 0.85, "2020-06": 1.12, "2020-08": 1.06, "2020-12": 0.9}, mix=SERIOUS, victim_share=0.95, npa="urban"),
    S("violence_less_serious", 9835, SUMMER, "nightlife", FALLING, (0.89, 0.57, 0.84, 0.88, 0.8),
      {"2020-04": 0.78, "2020-05": 0.95, "2020-06": 1.12, "2020-08": 1.17, "2020-09": 0.93, "2020-11": 0.9},
      mix=LESS_SERIOUS, victim_share=0.9, npa="urban"),
    S("violence_other", 9362, SUMMER, "weekday", FALLING, (0.91, 0.71, 0.87, 0.95, 0.88),
      {"2020-04": 0.9, "2020-08": 1.08}, mix=OTHER_VAP, victim_share=0.9),
    S("rape", 655, SUMMER, "weekday", FALLING, (0.93, 0.56, 0.72, 0.74, 0.8), mix=RAPE, victim_share=0.95),
    S("other_sexual_offences", 1365, SUMMER, "weekday", FALLING, (0.91, 0.55, 0.76, 0.77, 0.8),
      mix=OTHER_SEXUAL, victim_share=0.95),
    S("residential_burglary", 3684, WINTER, "flat", (1.12, 1.13, 1.08), (0.97, 0.64, 0.77, 0.67, 0.7),
      {"2020-04": 0.85}, mix={"28E": 0.78, "28F": 0.16, "28G": 0.025, "28H": 0.01, "29A": 0.025},
      victim_share=0.85, npa="south"),
    S("business_burglary", 1793, WINTER, "weekday", (1.1, 1.08, 1.05), (0.86, 0.55, 0.64, 0.57, 0.62),
      mix={"30C": 0.8, "30D": 0.18, "31A": 0.02}, npa="rural"),
    S("theft_of_motor_vehicle", 1612, WINTER, "flat", (0.92, 1.0, 1.06), (1.05, 0.64, 0.78, 0.87, 0.9),
      {"2020-04": 0.85, "2020-10": 0.9, "2020-12": 1.08}, mix={"48": 0.86, "37.2": 0.14}, victim_share=0.8, npa="south"),
    S("theft_from_motor_vehicle", 3087, WINTER, "flat", (1.05, 1.08, 1.06), (1.05, 0.56, 0.71, 0.64, 0.7),
      mix={"45": 1.0}, victim_share=0.8, npa="south"),
    S("vehicle_interference", 594, WINTER, "flat", FALLING, (0.89, 0.54, 0.77, 0.79, 0.75), mix={"126": 1.0}, npa="south"),
    S("personal_robbery", 563, WINTER, "nightlife", (1.0, 1.06, 1.1), (0.8, 0.52, 0.69, 0.64, 0.6),
      mix={"34B": 1.0}, victim_share=0.95, npa="urban"),
    S("business_robbery", 118, WINTER, "flat", (1.0, 1.1, 1.1), (0.86, 0.66, 0.8, 0.68, 0.7),
      mix={"34A": 1.0}, npa="urban"),
    S("shoplifting", 6236, WINTER_MILD, "weekday", FALLING, (0.9, 0.49, 0.75, 0.79, 0.65), mix={"46": 1.0}),
    S("theft_from_person", 547, WINTER_MILD, "weekend", FALLING, (0.89, 0.4, 0.59, 0.64, 0.55),
      mix={"39": 1.0}, victim_share=0.9, npa="urban"),
    S("bicycle_theft", 1013, SUMMER_STRONG, "flat", FALLING, (0.91, 0.76, 1.04, 0.98, 0.85),
      mix={"44": 1.0}, victim_share=0.6),
    S("other_theft", 7468, SUMMER, "weekday", FALLING, (0.9, 0.59, 0.8, 0.88, 0.8),
      mix={"49": 0.62, "49A": 0.16, "40": 0.08, "41": 0.05, "47": 0.01, "42": 0.01, "43": 0.02, "35": 0.05},
      victim_share=0.6),
    S("criminal_damage_arson", 8274, SUMMER, "weekend", FALLING, (0.9, 0.68, 0.82, 0.9, 0.82),
      mix={"58A": 0.25, "58B": 0.12, "58C": 0.33, "58D": 0.18, "58J": 0.02, "56B": 0.08, "56A": 0.02},
      victim_share=0.6),
    S("public_order", 7937, SUMMER, "nightlife", FALLING, (0.91, 0.71, 0.85, 0.92, 0.85),
      mix={"9A": 0.82, "9B": 0.1, "62A": 0.03, "66": 0.05}, victim_share=0.4, npa="urban"),
    S("drugs", 2386, FLAT, "weekday", (1.1, 1.05, 1.02), (0.93, 1.04, 0.94, 1.01, 1.0),
      mix={"92D": 0.25, "92E": 0.6, "92A": 0.12, "92C": 0.03}, npa="urban"),
    S("weapons", 853, SUMMER, "weekend", (0.85, 0.92, 0.98), (0.91, 0.7, 0.88, 0.94, 0.88),
      mix={"10D": 0.45, "10C": 0.35, "10A": 0.04, "10B": 0.05, "81": 0.05, "90": 0.06}, npa="urban"),
    S("miscellaneous", 2318, FLAT, "weekday", FALLING, (0.92, 0.68, 0.84, 0.94, 0.85),
      mix={"33": 0.06, "54": 0.06, "83": 0.05, "79": 0.04, "80": 0.01, "61": 0.02, "61A": 0.04, "802": 0.15,
           "99": 0.12, "59": 0.12, "69": 0.05, "86": 0.1, "95": 0.05, "33A": 0.03, "38": 0.03, "96": 0.02, "27": 0.01}),
    # --- domestic abuse crime (always a victim_id). Summer and December the seasonal peaks in 2019,
    #     and the biggest falls in 2020 in summer and December.
    S("domestic_serious", 503, SUMMER, "weekend", (0.9, 0.95, 1.0), (0.94, 1.0, 0.93, 0.98, 0.95),
      mix=SERIOUS, domestic=True),
    S("domestic_less_serious", 5183, SUMMER, "weekend", (0.92, 0.98, 1.02), (0.78, 0.9, 0.83, 0.86, 0.85),
      {"2020-12": 0.88}, mix=LESS_SERIOUS, domestic=True),
    S("domestic_other_vap", 6226, SUMMER, "weekday", (0.75, 0.85, 0.95), (0.98, 1.09, 1.05, 1.09, 1.05),
      {"2020-12": 0.92}, mix={"8L": 0.3, "8R": 0.28, "8Q": 0.26, "3B": 0.06, "11A": 0.06, "36": 0.02, "13": 0.02},
      domestic=True),
    S("domestic_rape", 331, FLAT, "flat", (0.9, 0.95, 1.0), (0.95, 0.85, 0.9, 0.88, 0.9),
      mix={"19C": 0.88, "19D": 0.12}, domestic=True),
    S("domestic_sexual", 317, FLAT, "flat", (0.9, 0.95, 1.0), (0.95, 0.85, 0.9, 0.88, 0.9),
      mix={"20A": 0.6, "22A": 0.2, "20B": 0.08, "23": 0.1, "22B": 0.02}, domestic=True),
    S("domestic_criminal_damage", 1694, SUMMER, "weekend", (0.95, 1.0, 1.02), (0.96, 1.03, 1.0, 1.02, 0.98),
      mix={"58A": 0.7, "58C": 0.2, "58D": 0.1}, domestic=True),
    S("domestic_public_order", 667, SUMMER, "weekend", (0.95, 1.0, 1.02), (0.97, 1.0, 0.98, 1.0, 0.95),
      mix={"9A": 1.0}, domestic=True),
)

#: Command-and-control incidents. The Covid-19 breach series adds to recorded ASB: +66% in
#: the first lockdown with non-Covid ASB down 15%, near 2019 levels in the summer, rising again
#: with the tiers and second lockdown (+39% over 16 Mar-31 Dec 2020).
ASB_MIX = {"asb_nuisance": 0.70, "asb_personal": 0.22, "asb_environmental": 0.08}
INCIDENT_SERIES: tuple[Series, ...] = (
    S("asb", 21837, SUMMER_STRONG, "weekend", (1.16, 1.1, 1.05), (0.96, 0.85, 0.93, 0.78, 0.82),
      {"2020-08": 1.06, "2020-11": 0.92}, mix=ASB_MIX, hours="evening"),
    S("covid_breaches", 0, weekly="weekend", covid=(0.0, 0.83, 0.09, 0.70, 0.95), relative_to="asb",
      shape={"2020-03": 0.9, "2020-04": 1.55, "2020-05": 1.05, "2020-06": 0.55, "2020-07": 0.5,
             "2020-08": 0.8, "2020-09": 1.5, "2020-10": 0.85, "2020-11": 1.25, "2020-12": 0.95,
             "2021-01": 1.3, "2021-02": 0.95, "2021-03": 0.75},
      mix={"asb_nuisance": 0.83, "asb_personal": 0.15, "public_safety": 0.02}, hours="evening", covid_related=True),
    S("domestic_non_crime", 8963, SUMMER, "weekend", (0.88, 0.93, 0.98), (0.94, 0.94, 0.89, 0.93, 0.95),
      {"2020-12": 0.9}, mix={"domestic_non_crime": 1.0}, domestic=True, hours="late"),
    S("crime_related", 35381, SUMMER, "weekend", (1.03, 1.05, 1.06), (0.94, 0.72, 0.86, 0.84, 0.84),
      mix={"crime_related": 1.0}, hours="evening"),
    S("concern_for_safety", 16874, SUMMER, "flat", (0.86, 0.91, 0.96), (1.03, 1.04, 1.05, 1.04, 1.04),
      mix={"concern_for_safety": 1.0}, hours="spread"),
    S("missing_person", 3786, FLAT, "flat", (1.08, 1.12, 1.15), (0.97, 0.62, 0.85, 0.9, 0.85),
      mix={"missing_person": 1.0}, hours="evening"),
    S("road_traffic", 12943, WINTER_MILD, "weekday", (0.97, 0.99, 1.0), (0.98, 0.55, 0.9, 0.82, 0.75),
      mix={"road_traffic": 1.0}, hours="day"),
    S("public_safety", 11062, SUMMER, "weekend", (0.97, 0.98, 0.99), (1.0, 1.08, 1.04, 1.0, 1.0),
      mix={"public_safety": 1.0}, hours="spread"),
    S("suspicious_circumstances", 9057, WINTER_MILD, "flat", (1.02, 1.02, 1.01), (0.97, 0.9, 0.95, 0.92, 0.92),
      mix={"suspicious_circumstances": 1.0}, hours="late"),
    S("admin", 13918, FLAT, "weekday", (1.04, 1.03, 1.01), (0.99, 0.95, 0.98, 0.97, 0.97),
      mix={"admin": 1.0}, hours="office"),
)

#: Grade mix in 2019 by category (grade 1..4); see GRADE_DRIFT for other years.
GRADE_MIX = {
    "asb_personal": (0.04, 0.34, 0.38, 0.24),
    "asb_nuisance": (0.02, 0.28, 0.40, 0.30),
    "asb_environmental": (0.0, 0.10, 0.45, 0.45),
    "domestic_non_crime": (0.15, 0.60, 0.20, 0.05),
    "crime_related": (0.12, 0.38, 0.35, 0.15),
    "concern_for_safety": (0.30, 0.45, 0.15, 0.10),
    "missing_person": (0.25, 0.45, 0.25, 0.05),
    "road_traffic": (0.35, 0.30, 0.15, 0.20),
    "public_safety": (0.15, 0.35, 0.25, 0.25),
    "suspicious_circumstances": (0.10, 0.40, 0.25, 0.25),
    "admin": (0.0, 0.02, 0.10, 0.88),
}
#: Yearly relative growth of the grade 1, 2 and 4 shares (grade 3 takes the rest): more
#: urgent incidents and more resolved without deployment, so attendance falls gently (FMS).
GRADE_DRIFT = (0.07, 0.05, 0.0, 0.10)
#: Probability that an incident of each grade is attended.
ATTEND_P = (0.99, 0.95, 0.70, 0.0)

#: Calls for service, one series per channel. 999 rising over the years and in August 2020;
#: 101 falling as the public move to digital contact, which grows fast.
CALL_SERIES: tuple[Series, ...] = (
    S("999", 148_716, SUMMER, "weekend", (0.85, 0.9, 0.95), (1.03, 0.93, 1.08, 1.0, 1.03),
      {"2020-04": 0.92, "2020-07": 1.0, "2020-08": 1.12, "2020-09": 0.9}),
    S("101", 318_529, WINTER_MILD, "weekday", (1.14, 1.09, 1.04), (0.96, 0.79, 0.86, 0.81, 0.85)),
    S("digital", 54_883, FLAT, "weekday", (0.42, 0.58, 0.78), (1.18, 1.85, 1.5, 1.6, 1.45),
      {"2020-04": 1.1, "2020-12": 1.08}),
)

#: Action Fraud reports. The base volume is solved so that the 13 months to the end of
#: January 2021 hold FRAUD_REPORTS_13M reports; peak month July 2020.
FRAUD_SERIES = S("fraud", 1.0, FLAT, "weekday", (0.76, 0.84, 0.92), (1.04, 1.2, 1.28, 1.15, 1.12),
                 {"2020-03": 0.88, "2020-04": 0.95, "2020-05": 1.02, "2020-06": 1.08, "2020-07": 1.28,
                  "2020-08": 1.02, "2020-09": 0.88, "2020-10": 1.0, "2020-11": 0.98, "2020-12": 0.92})
FRAUD_REPORTS_13M = 6599
FRAUD_LOSSES_13M = 15_800_000.0
FRAUD_WINDOW = (date(2020, 1, 1), date(2021, 1, 31))
FRAUD_INDIVIDUAL_SHARE = 0.89
#: fraud type: (share before the pandemic, share from it, probability of no loss, log-loss offset)
FRAUD_TYPE_PARAMS = {
    "Consumer fraud": (0.27, 0.33, 0.35, -0.7),
    "Advance fee fraud": (0.15, 0.13, 0.50, 0.2),
    "Investment fraud": (0.06, 0.06, 0.15, 1.7),
    "Romance fraud": (0.05, 0.05, 0.25, 1.4),
    "Computer misuse": (0.17, 0.15, 0.80, -0.3),
    "Banking and card fraud": (0.12, 0.11, 0.30, 0.1),
    "Other fraud": (0.18, 0.17, 0.50, 0.0),
}
FRAUD_LOG_LOSS = (6.6, 1.8)  # lognormal mu, sigma of non-zero losses (before the type offset)
FRAUD_LOSS_CAP = 2_500_000.0
AGE_SHARE = {"Under 18": 0.02, "18-29": 0.17, "30-39": 0.18, "40-49": 0.18, "50-59": 0.18, "60-69": 0.14, "70+": 0.13}
SUPPORT_P = {"individual": 0.50, "organisation": 0.25}
#: Crimes disseminated to the force by NFIB, expected per month (knots, linear between):
#: rising to the end of 2018, dropping since, a rise in April 2020, 2020 slightly above 2019.
DISSEMINATION_KNOTS = {
    "2016-01": 60, "2018-10": 82, "2019-03": 50, "2019-12": 47, "2020-03": 47,
    "2020-04": 75, "2020-05": 56, "2020-12": 52, "2021-03": 50,
}

#: Domestic abuse victims. Each victim's occurrences (crime or non-crime) are a chain in time:
#: a first occurrence and, for a repeat victim, at least one more, each after a gap
#: (lognormal, DA_GAP_DAYS: median three weeks, a long tail, a few gaps over a year). Chains
#: start evenly through the data (and two years before, so 2016 already has victims seen
#: before), so a repeat victim is a repeat victim in any 12-month window, not only in a
#: calendar year. DA_REPEAT_P is the chance that a victim is a repeat victim and DA_EXTRA the
#: mean number of occurrences beyond two (negative binomial, shape DA_EXTRA_SHAPE: a heavy tail,
#: a few victims with over ten), each by the year of the victim's first occurrence (mid-year
#: knots, linear between). The window cuts some chains, so the chance is above the share it
#: gives: a steady 0.35 to 2019 gives a share of about 31.5% in any 12 months to 2019 (the
#: calendar year then pulled to the seed's 31%, below), rising through 2020 to about 33%, so
#: every 12-month window ending in 2019-2021 is within 30-34% with a margin for the draw.
DA_REPEAT_P = {2016: 0.35, 2019: 0.35, 2020: 0.377, 2021: 0.35}
DA_EXTRA = {2016: 0.67, 2019: 0.67, 2020: 0.67, 2021: 0.65}
DA_EXTRA_SHAPE = 0.8
DA_GAP_DAYS = (20.0, 1.3)  # lognormal: median days between a victim's occurrences, sigma of the log
DA_BURN_IN_YEARS = 2
#: The seed's repeat-victims table (scale 1): repeat victims and their share of all distinct
#: domestic abuse victims in the calendar year, so distinct victims = repeat victims / share.
#: The chains come close; a few victims wholly inside the year are then merged or split so
#: that these years hold exactly (5,004 repeat victims, 31% of 16,142, in 2019; 4,991, 33% of
#: 15,124, in 2020).
DA_REPEAT_VICTIMS = {2019: (5004, 0.31), 2020: (4991, 0.33)}

#: Covid-19 fixed penalty notices per month (scale 1): low April-June 2020 (engage, explain,
#: encourage), none July-September, rising from November, January 2021 the highest.
FPN_FIRST_DAY = date(2020, 3, 26)  # the Coronavirus Restrictions Regulations came into force
FPN_MONTHLY = {
    "2020-03": 2, "2020-04": 64, "2020-05": 48, "2020-06": 19, "2020-07": 0, "2020-08": 0,
    "2020-09": 0, "2020-10": 7, "2020-11": 86, "2020-12": 118, "2021-01": 262, "2021-02": 171, "2021-03": 94,
}
#: breach type mix by phase (first month the mix applies from)
FPN_BREACH_MIX = {
    "2020-03": {"gathering": 0.62, "travel": 0.35, "business premises": 0.03},
    "2020-10": {"gathering": 0.52, "face covering": 0.12, "self-isolation": 0.09, "business premises": 0.16, "travel": 0.11},
    "2021-01": {"gathering": 0.58, "travel": 0.22, "face covering": 0.08, "self-isolation": 0.05, "business premises": 0.07},
}

#: Extra month-to-month variation (coefficient of variation) on top of Poisson noise.
MONTHLY_DISPERSION = 0.035
#: Largest relative standard deviation of the noise on a segment total from the pandemic year
#: on (see _segment_totals): enough that no total equals the year before's, small enough that
#: every calibrated comparison stays within a point of its target.
SEGMENT_NOISE_CAP = 0.003

# --------------------------------------------------------------------------------------
# Calendar and expected volumes
# --------------------------------------------------------------------------------------


class _Calendar:
    """Days of the demo, their attributes, Covid-19 periods and calibration segments."""

    def __init__(self, config: PackConfig):
        self.days = np.arange(np.datetime64(DEMO_START, "D"), np.datetime64(DEMO_END + timedelta(days=1), "D"))
        self.n = len(self.days)
        d = self.days
        self.year = d.astype("datetime64[Y]").astype(np.int64) + 1970
        months = d.astype("datetime64[M]")
        self.month_labels = np.array([str(m) for m in np.unique(months)])
        self.month = (months - months[0]).astype(np.int64)
        self.doy = (d - d.astype("datetime64[Y]")).astype(np.int64)
        self.dow = (d.astype(np.int64) + 3) % 7  # Monday = 0
        self.day_no = np.arange(self.n)

        # The synthetic pandemic follows the national timeline the demo is calibrated to (the
        # seed paper's three periods of 2020, then the third lockdown to the end of the data),
        # whatever Covid-19 periods a profile reports on: a profile may list any number.
        start = PANDEMIC_START
        self.pandemic_year = start.year
        windows = [(date(start.year, 1, 1), start - timedelta(days=1))]
        windows += list(MODEL_PERIODS)
        windows.append((MODEL_PERIODS[-1][1] + timedelta(days=1), DEMO_END))
        self.periods = windows  # in COVID_KEYS order
        # Calibration segments: every year cut where the pandemic year's periods start.
        cuts = set()
        for y in range(DEMO_START.year, start.year + 1):
            for s, _ in windows[:4]:
                try:
                    cuts.add(np.datetime64(s.replace(year=y), "D"))
                except ValueError:  # 29 February in a common year
                    pass
        cuts.add(np.datetime64(windows[4][0], "D"))
        cuts |= {np.datetime64(date(y, 1, 1), "D") for y in range(DEMO_START.year, DEMO_END.year + 1)}
        cuts = np.array(sorted(c for c in cuts if d[0] <= c <= d[-1]))
        self.segment = np.searchsorted(cuts, d, side="right") - 1
        self.month_of = {lab: i for i, lab in enumerate(self.month_labels)}
        # each segment's year, and the segment holding the same dates a year earlier (-1 if none)
        first = [date.fromisoformat(str(c)) for c in cuts]
        last = [date.fromisoformat(str(c - 1)) for c in [*cuts[1:], d[-1] + 1]]
        self.segment_year = np.array([f.year for f in first])
        span = {(f, e): i for i, (f, e) in enumerate(zip(first, last))}
        self.segment_prev = np.array([span.get((Window(f, e).year_earlier().start, Window(f, e).year_earlier().end), -1)
                                      for f, e in zip(first, last)], dtype=np.int64)

    def mask(self, start: date, end: date) -> np.ndarray:
        return (self.days >= np.datetime64(start, "D")) & (self.days <= np.datetime64(end, "D"))

    def index(self, d: date) -> int:
        return int((np.datetime64(d, "D") - self.days[0]).astype(np.int64))


def _baseline(s: Series, cal: _Calendar) -> np.ndarray:
    """Expected daily volume with no pandemic, calendar 2019 summing to ``s.base``."""
    amp, peak = s.season
    season = 1 + amp * np.cos(2 * np.pi * (cal.doy - peak) / 365.25)
    week = np.asarray(WEEKLY[s.weekly], dtype=float)
    week = week / week.mean()
    knots_x = [cal.index(date(y, 7, 1)) for y in (2016, 2017, 2018, BASE_YEAR)]
    trend = np.interp(cal.day_no, knots_x, [*s.trend, 1.0])
    lam = season * week[cal.dow] * trend
    return lam * (s.base / lam[cal.year == BASE_YEAR].sum())


def _month_shape(shape: Mapping[str, float], cal: _Calendar) -> np.ndarray:
    f = np.ones(len(cal.month_labels))
    for m, v in shape.items():
        f[cal.month_of[m]] = v
    return f[cal.month]


def _expected(s: Series, cal: _Calendar, done: Mapping[str, np.ndarray]) -> np.ndarray:
    """Expected daily volume (scale 1) with the Covid-19 ratios applied period by period.

    Each period's total is its ratio times the (already final) volume on the same dates a
    year earlier; inside the period, days follow the no-pandemic baseline times ``shape``.
    """
    if s.relative_to is None:
        base = _baseline(s, cal)
        ref = None
    else:
        week = np.asarray(WEEKLY[s.weekly], dtype=float)
        base = (week / week.mean())[cal.dow]
        ref = done[s.relative_to]
    lam = base.copy() if ref is None else np.zeros(cal.n)
    shape = _month_shape(s.shape, cal)
    for ratio, (start, end) in zip(s.covid, cal.periods):
        if end < start:
            continue
        p = cal.mask(start, end)
        earlier = Window(start, end).year_earlier()
        w_total = (lam if ref is None else ref)[cal.mask(earlier.start, earlier.end)].sum()
        weights = base[p] * shape[p]
        lam[p] = weights * (ratio * w_total / weights.sum())
    return lam


def _expected_all(series: Sequence[Series], cal: _Calendar) -> dict[str, np.ndarray]:
    done: dict[str, np.ndarray] = {}
    for s in series:
        done[s.name] = _expected(s, cal, done)
    return done


def _segment_totals(lam: np.ndarray, cal: _Calendar, scale: float, rng: np.random.Generator,
                    ref_factor: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Drawn totals of the calibration segments, and each one's drawn over expected total.

    Before the pandemic year a segment's total is a Poisson draw around its expected total.
    From the pandemic year on, a segment's expected total is first multiplied by the factor
    (drawn over expected) of the segment holding the same dates a year earlier, so that its
    ratio to that segment is the configured one whatever that draw; it then gets a noise of its
    own, normal with a relative standard deviation of ``1/sqrt(total)`` but at most
    :data:`SEGMENT_NOISE_CAP`, cut at two standard deviations. ``ref_factor`` (a series with
    ``relative_to``) takes the year-earlier factors from the named series instead.
    """
    expected = scale * np.bincount(cal.segment, weights=lam, minlength=len(cal.segment_year))
    n = len(expected)
    draws = rng.poisson(expected)
    eps = np.clip(rng.standard_normal(n), -2.0, 2.0)
    totals = np.zeros(n, dtype=np.int64)
    factor = np.ones(n)
    for i in range(n):
        if cal.segment_year[i] < cal.pandemic_year:
            totals[i] = draws[i]
        else:
            p = cal.segment_prev[i]
            e = expected[i] * ((factor if ref_factor is None else ref_factor)[p] if p >= 0 else 1.0)
            sd = min(1.0 / np.sqrt(e), SEGMENT_NOISE_CAP) if e > 0 else 0.0
            totals[i] = int(np.rint(e * (1.0 + sd * eps[i])))
        if expected[i] > 0:
            factor[i] = totals[i] / expected[i]
    return totals, factor


def _allocate(lam: np.ndarray, segment: np.ndarray, cal: _Calendar, scale: float, rng: np.random.Generator,
              dispersion: float = MONTHLY_DISPERSION, totals: np.ndarray | None = None) -> np.ndarray:
    """Daily counts whose segment totals are ``totals`` (by default the rounded expected totals
    times ``scale``), shared among the days by a multinomial draw."""
    if totals is None:
        totals = np.rint(scale * np.bincount(segment, weights=lam)).astype(np.int64)
    w = lam.copy()
    if dispersion > 0:
        k = 1 / dispersion**2
        w *= rng.gamma(k, 1 / k, size=len(cal.month_labels))[cal.month]
    counts = np.zeros(cal.n, dtype=np.int64)
    bounds = np.flatnonzero(np.diff(segment)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, cal.n]):
        t = totals[segment[lo]]
        if t > 0:
            ww = w[lo:hi]
            counts[lo:hi] = rng.multinomial(t, ww / ww.sum())
    return counts


def _draw_counts(series: Sequence[Series], cal: _Calendar, scale: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Daily counts of each series: segment totals drawn by :func:`_segment_totals`, then shared
    among the days."""
    expected = _expected_all(series, cal)
    factors: dict[str, np.ndarray] = {}
    out = {}
    for s in series:
        totals, factors[s.name] = _segment_totals(expected[s.name], cal, scale, rng, factors.get(s.relative_to))
        out[s.name] = _allocate(expected[s.name], cal.segment, cal, scale, rng, totals=totals)
    return out


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _npa_probs(npas: Sequence[str], tilt: str) -> np.ndarray:
    mean = float(np.mean(list(NPA_SHARE.values())))
    w = np.array([NPA_SHARE.get(n, mean) * NPA_TILT[tilt].get(n, 1.0) for n in npas])
    return w / w.sum()


def _choice(rng: np.random.Generator, probs: Sequence[float], size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int32)


def _unique_ints(rng: np.random.Generator, n: int, bits: int) -> np.ndarray:
    """``n`` distinct random integers below ``2**bits`` (redrawing any collisions)."""
    v = rng.integers(0, 1 << bits, size=n, dtype=np.int64)
    while True:
        _, first = np.unique(v, return_index=True)
        if len(first) == n:
            return v
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        v[dup] = rng.integers(0, 1 << bits, size=int(dup.sum()), dtype=np.int64)


_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def _hex_strings(values: np.ndarray, prefix: str, digits: int, valid: np.ndarray | None = None) -> pd.Series:
    """``prefix`` + ``digits`` upper-case hex digits of each value, as a pandas str Series.

    Built directly as an Arrow string array (fast at millions of rows); rows where
    ``valid`` is False are missing.
    """
    n = len(values)
    width = len(prefix) + digits
    if valid is None:
        valid = np.ones(n, dtype=bool)
    v = values[valid]
    shifts = np.arange(4 * (digits - 1), -1, -4, dtype=np.int64)
    buf = np.empty((len(v), width), dtype=np.uint8)
    buf[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    buf[:, len(prefix):] = _HEX[(v[:, None] >> shifts) & 0xF]
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.where(valid, width, 0))
    validity = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    arr = pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(buf.tobytes()), validity,
        null_count=int(n - valid.sum()),
    )
    return pd.Series(arr, dtype="str")


def _labels(index: np.ndarray, values: Sequence[str]) -> pd.Series:
    """Strings from small-integer codes, via an Arrow dictionary (fast, no Python objects)."""
    dict_arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32)), pa.array(list(values), pa.large_string()))
    return pd.Series(dict_arr.cast(pa.large_string()), dtype="str")


def _dates(day_no: np.ndarray, cal: _Calendar) -> pd.Series:
    return pd.Series(cal.days[day_no].astype("datetime64[us]"))


def _rng_streams(seed: int) -> dict[str, np.random.Generator]:
    names = ("crimes", "incidents", "victims", "calls", "fraud", "fpns", "ids")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {n: np.random.default_rng(c) for n, c in zip(names, children)}


# --------------------------------------------------------------------------------------
# Table builders
# --------------------------------------------------------------------------------------


@dataclass
class _Records:
    """Record-level arrays for one table before they become a DataFrame."""

    day: np.ndarray
    cols: dict[str, np.ndarray]


def _draw_series(series: Sequence[Series], cal: _Calendar, scale: float, rng: np.random.Generator,
                 mix_values: Sequence[str], npas: Sequence[str]) -> _Records:
    drawn = _draw_counts(series, cal, scale, rng)
    mix_pos = {v: i for i, v in enumerate(mix_values)}
    parts: list[dict[str, np.ndarray]] = []
    for i, s in enumerate(series):
        counts = drawn[s.name]
        day = np.repeat(cal.day_no, counts).astype(np.int32)
        m = len(day)
        keys = list(s.mix)
        codes = np.array([mix_pos[k] for k in keys], dtype=np.int32)[_choice(rng, list(s.mix.values()), m)]
        npa = _choice(rng, _npa_probs(npas, s.npa), m)
        victim = np.zeros(m, dtype=bool) if s.domestic else rng.random(m) < s.victim_share
        parts.append({
            "day": day, "mix": codes, "npa": npa,
            "domestic": np.full(m, s.domestic), "victim": victim,
            "series": np.full(m, i, dtype=np.int16),
        })
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return _Records(cols.pop("day"), cols)


def _order(day_key: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Chronological order with random ties (so ids are not in day order within a day)."""
    perm = rng.permutation(len(day_key))
    return perm[np.argsort(day_key[perm], kind="stable")]


def _crimes(cal: _Calendar, scale: float, rng: np.random.Generator, npas: Sequence[str]) -> tuple[_Records, list[str]]:
    codes = sorted({c for s in CRIME_SERIES for c in s.mix})
    lookup = classification()
    unknown = [c for c in codes if c not in lookup.index]
    fraud = [c for c in codes if c in lookup.index and not lookup.loc[c, "in_all_crime"]]
    if unknown or fraud:
        raise ValueError(f"demo offence codes not usable: unknown {unknown}, outside all crime {fraud}")
    rec = _draw_series(CRIME_SERIES, cal, scale, rng, codes, npas)
    order = _order(rec.day, rng)
    rec.day = rec.day[order]
    rec.cols = {k: v[order] for k, v in rec.cols.items()}
    return rec, codes


def _incidents(cal: _Calendar, scale: float, rng: np.random.Generator, npas: Sequence[str]) -> _Records:
    cats = list(INCIDENT_CATEGORIES)
    rec = _draw_series(INCIDENT_SERIES, cal, scale, rng, cats, npas)
    n = len(rec.day)
    c = rec.cols
    # time of day by series
    seconds = np.empty(n, dtype=np.int64)
    for i, s in enumerate(INCIDENT_SERIES):
        idx = np.flatnonzero(c["series"] == i)
        hour = _choice(rng, HOURS[s.hours], len(idx)).astype(np.int64)
        seconds[idx] = hour * 3600 + rng.integers(0, 3600, size=len(idx))
    c["covid_related"] = np.array([s.covid_related for s in INCIDENT_SERIES])[c["series"]]
    # grade: category mix drifting by year; attended by grade
    years = np.arange(DEMO_START.year, DEMO_END.year + 1)
    base = np.array([GRADE_MIX[k] for k in cats], dtype=float)  # (category, 4)
    growth = (1 + np.asarray(GRADE_DRIFT))[None, :] ** (years - BASE_YEAR)[:, None]  # (year, 4)
    probs = base[:, None, :] * growth[None, :, :]
    probs[..., 2] = 0
    probs[..., 2] = np.clip(1 - probs.sum(axis=-1), 0.02, None)
    probs /= probs.sum(axis=-1, keepdims=True)
    cum = probs.cumsum(axis=-1)
    year_idx = cal.year[rec.day] - DEMO_START.year
    u = rng.random(n)
    grade = np.ones(n, dtype=np.int64)
    for g in range(3):
        grade += u > cum[c["mix"], year_idx, g]
    c["grade"] = grade
    c["attended"] = rng.random(n) < np.asarray(ATTEND_P)[grade - 1]
    c["seconds"] = seconds
    ts = rec.day.astype(np.int64) * 86400 + seconds
    order = _order(ts, rng)
    rec.day = rec.day[order]
    rec.cols = {k: v[order] for k, v in c.items()}
    return rec


def _knots(table: Mapping[int, float], cal: _Calendar, day: np.ndarray) -> np.ndarray:
    """A yearly parameter at ``day`` (day numbers): linear between mid-year knots."""
    years = sorted(table)
    x = [(np.datetime64(date(y, 7, 1), "D") - cal.days[0]).astype(np.int64) for y in years]
    return np.interp(day, x, [table[y] for y in years])


def _assign_da_victims(cal: _Calendar, scale: float, rng: np.random.Generator,
                       da_day: np.ndarray, da_npa: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Victim numbers for domestic abuse occurrences (crimes and non-crime together).

    Victims are chains of occurrences in time (:data:`DA_REPEAT_P`, :data:`DA_EXTRA`,
    :data:`DA_GAP_DAYS`), laid out on the occurrences in date order: the k-th earliest event of
    all chains is the k-th earliest occurrence. Chains run on past the end of the data (those
    occurrences are not there yet) and start before its beginning. Then the calendar years of
    :data:`DA_REPEAT_VICTIMS` are made exact (:func:`_exact_year`). Returns victim numbers, the
    NPA of each occurrence (a victim's occurrences are all in the NPA of their first) and the
    number of victims.
    """
    n = len(da_day)
    order = _order(da_day, rng)  # occurrences by day, ties at random
    per_day = n / cal.n
    burn_in = int(DA_BURN_IN_YEARS * 365.25 * per_day)
    # chains start evenly on the occurrence scale (position k = the k-th occurrence), a few
    # more than needed so that every occurrence gets a victim
    p_mean, x_mean = np.mean(list(DA_REPEAT_P.values())), np.mean(list(DA_EXTRA.values()))
    per_chain = 1 + p_mean * (1 + x_mean)
    m = int((n + burn_in) * 1.04 / per_chain) + 10
    start = rng.uniform(-burn_in, 1.04 * n, size=m)
    start_day = da_day[order][np.clip(start, 0, n - 1).astype(np.int64)]
    repeat = rng.random(m) < _knots(DA_REPEAT_P, cal, start_day)
    size = np.ones(m, dtype=np.int64)
    extra_mean = _knots(DA_EXTRA, cal, start_day[repeat])
    size[repeat] = 2 + rng.poisson(extra_mean * rng.gamma(DA_EXTRA_SHAPE, 1 / DA_EXTRA_SHAPE, size=int(repeat.sum())))
    chain = np.repeat(np.arange(m), size)
    first = np.r_[0, np.cumsum(size)[:-1]]
    median, sigma = DA_GAP_DAYS
    gap = np.exp(rng.normal(np.log(median), sigma, size=len(chain))) * per_day
    gap[first] = 0.0
    run = np.cumsum(gap)
    pos = start[chain] + run - np.repeat(run[first], size)
    keep = pos >= 0
    pos, chain = pos[keep], chain[keep]
    if len(pos) < n:  # never at the margins above; a few single victims if it were
        chain = np.r_[chain, m + np.arange(n - len(pos))]
        pos = np.r_[pos, rng.uniform(0, n, size=n - len(pos))]
    taken = np.argsort(pos, kind="stable")[:n]
    victim = np.empty(n, dtype=np.int64)
    victim[order] = _dense(chain[taken])
    year = cal.year[da_day]
    for y, (r0, share) in DA_REPEAT_VICTIMS.items():
        victim = _exact_year(victim, year == y, da_day, round(scale * r0), round(scale * r0 / share), rng)
    victim = _dense(victim)
    n_victims = int(victim.max()) + 1 if n else 0
    # a victim's occurrences are in one NPA: that of their first occurrence
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    first = np.full(n_victims, n, dtype=np.int64)
    np.minimum.at(first, victim, rank)
    home = da_npa[order[first]]
    return victim, home[victim], n_victims


def _dense(ids: np.ndarray) -> np.ndarray:
    """Non-negative integer ids renumbered 0, 1, ... in the order of their values."""
    used = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=bool)
    used[ids] = True
    return (np.cumsum(used) - 1)[ids]


def _exact_year(victim: np.ndarray, in_year: np.ndarray, day: np.ndarray, n_repeat: int, n_victims: int,
                rng: np.random.Generator) -> np.ndarray:
    """Relabel a few occurrences so that the year (``in_year``) has exactly ``n_repeat`` repeat
    victims among ``n_victims`` distinct victims.

    Only victims with every occurrence inside the year are touched, so other years keep their
    figures. First the repeat victims: pairs of single victims close in time become one repeat
    victim each (or victims with two occurrences lose the later one to a new victim). Then the
    distinct victims: single victims' occurrences go to the repeat victim closest in time (or
    victims with three or more occurrences lose their last one to a new victim). At a small
    scale there may be too few such victims; the year then comes as close as they allow.
    """
    victim = victim.copy()
    year_occ = np.flatnonzero(in_year)
    year_occ = year_occ[np.argsort(day[year_occ], kind="stable")]  # the year's occurrences by date

    def counts():
        total = np.bincount(victim)
        in_y = np.bincount(victim[in_year], minlength=len(total))
        return in_y, in_y == total  # occurrences in the year; all of the victim's are in it

    def choose(mask: np.ndarray, k: int) -> np.ndarray:
        """``k`` victims of ``mask`` at random (as many as there are, if fewer: only at a small
        scale), in the date order of their first occurrence."""
        occ = year_occ[mask[victim[year_occ]]]
        ids, first = np.unique(victim[occ], return_index=True)
        pick = np.sort(rng.choice(len(ids), size=min(k, len(ids)), replace=False))
        return ids[np.argsort(first)][pick]

    def last_occurrence(ids: np.ndarray) -> np.ndarray:
        """The latest occurrence in the year of each victim of ``ids``."""
        occ = year_occ[np.isin(victim[year_occ], ids)]
        by = np.argsort(victim[occ], kind="stable")
        v = victim[occ][by]
        return occ[by][np.r_[v[1:] != v[:-1], True]]

    n_in, inside = counts()
    d_rep = n_repeat - int((n_in >= 2).sum())
    if d_rep > 0:
        singles = choose(inside & (n_in == 1), 2 * d_rep)
        pairs = singles[: len(singles) // 2 * 2].reshape(-1, 2)
        pairs = pairs[np.argsort(pairs[:, 1])]
        occ = year_occ[np.isin(victim[year_occ], pairs[:, 1])]
        victim[occ] = pairs[np.searchsorted(pairs[:, 1], victim[occ]), 0]
    elif d_rep < 0:
        twos = choose(inside & (n_in == 2), -d_rep)
        victim[last_occurrence(twos)] = len(np.bincount(victim)) + np.arange(len(twos))
    n_in, inside = counts()
    d_vic = n_victims - int((n_in >= 1).sum())
    if d_vic < 0:
        singles = choose(inside & (n_in == 1), -d_vic)
        occ = year_occ[np.isin(victim[year_occ], singles)]
        reps = year_occ[(inside & (n_in >= 2))[victim[year_occ]]]
        if len(reps):
            near = np.clip(np.searchsorted(day[reps], day[occ]), 0, len(reps) - 1)
            victim[occ] = victim[reps[near]]
    elif d_vic > 0:
        many = choose(inside & (n_in >= 3), d_vic)
        victim[last_occurrence(many)] = len(np.bincount(victim)) + np.arange(len(many))
    return victim


def _calls(cal: _Calendar, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    drawn = _draw_counts(CALL_SERIES, cal, scale, rng)
    counts = np.stack([drawn[s.name] for s in CALL_SERIES], axis=1)
    k = len(CALL_SERIES)
    return pd.DataFrame({
        "date": _dates(np.repeat(cal.day_no, k), cal),
        "channel": _labels(np.tile(np.arange(k), cal.n), [s.name for s in CALL_SERIES]),
        "calls": counts.ravel().astype(np.int64),
    })


def _fraud(cal: _Calendar, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    unit = _expected(FRAUD_SERIES, cal, {})
    win = cal.mask(*FRAUD_WINDOW)
    lam = unit * (FRAUD_REPORTS_13M / unit[win].sum())
    counts = _allocate(lam, cal.month, cal, scale, rng, dispersion=0.0)
    day = np.repeat(cal.day_no, counts)
    n = len(day)
    pandemic = cal.days[day] >= np.datetime64(cal.periods[1][0], "D")
    types = list(FRAUD_TYPE_PARAMS)
    params = np.array([FRAUD_TYPE_PARAMS[t] for t in types])
    ftype = np.where(pandemic, _choice(rng, params[:, 1], n), _choice(rng, params[:, 0], n))
    individual = rng.random(n) < FRAUD_INDIVIDUAL_SHARE
    ages = list(AGE_SHARE)
    age = np.where(individual, _choice(rng, list(AGE_SHARE.values()), n), len(ages))
    support = rng.random(n) < np.where(individual, SUPPORT_P["individual"], SUPPORT_P["organisation"])
    # losses: many zero, the rest lognormal (heavy tail, capped); the tail's scale is then
    # calibrated so the 13-month window's total is the seed's figure at every seed.
    mu, sigma = FRAUD_LOG_LOSS
    nonzero = rng.random(n) >= params[ftype, 2]
    raw = np.where(nonzero, np.minimum(np.exp(rng.normal(mu + params[ftype, 3], sigma)), FRAUD_LOSS_CAP), 0.0)
    in_win = win[day]
    raw *= scale * FRAUD_LOSSES_13M / raw[in_win].sum()
    loss = np.round(raw, 2)
    # disseminations: a set number a month, chosen at random among that month's reports
    months = cal.month[day]
    knots = {cal.month_of[m]: v for m, v in DISSEMINATION_KNOTS.items()}
    per_month = np.interp(np.arange(len(cal.month_labels)), list(knots), list(knots.values()))
    target = np.rint(scale * per_month).astype(np.int64)
    key = rng.random(n)
    order = np.lexsort((key, months))
    rank = np.empty(n, dtype=np.int64)
    starts = np.searchsorted(months[order], np.arange(len(cal.month_labels)))
    rank[order] = np.arange(n) - starts[months[order]]
    disseminated = rank < target[months]
    ids = _unique_ints(rng, n, 40)
    return pd.DataFrame({
        "report_id": _hex_strings(ids, "AF", 10),
        "reported_date": _dates(day, cal),
        "fraud_type": _labels(ftype, types),
        "loss_gbp": loss.astype(np.float64),
        "victim_type": _labels(np.where(individual, 0, 1), ["individual", "organisation"]),
        "victim_age_band": _labels(age, [*ages, "Not applicable"]),
        "support_requested": support,
        "disseminated_to_force": disseminated,
    })


def _fpns(cal: _Calendar, scale: float, rng: np.random.Generator, npas: Sequence[str]) -> pd.DataFrame:
    lam = np.zeros(cal.n)
    week = np.asarray(WEEKLY["nightlife"])[cal.dow]
    for m, v in FPN_MONTHLY.items():
        sel = (cal.month == cal.month_of[m]) & (cal.days >= np.datetime64(FPN_FIRST_DAY, "D"))
        lam[sel] = v * week[sel] / week[sel].sum()
    counts = _allocate(lam, cal.month, cal, scale, rng, dispersion=0.0)
    day = np.repeat(cal.day_no, counts)
    n = len(day)
    phase_starts = sorted(FPN_BREACH_MIX)
    phase = np.searchsorted([cal.month_of[m] for m in phase_starts], cal.month[day], side="right") - 1
    breach = np.zeros(n, dtype=np.int32)
    for i, m in enumerate(phase_starts):
        sel = np.flatnonzero(phase == i)
        mix = FPN_BREACH_MIX[m]
        pos = np.array([BREACH_TYPES.index(b) for b in mix], dtype=np.int32)
        breach[sel] = pos[_choice(rng, list(mix.values()), len(sel))]
    npa = _choice(rng, _npa_probs(npas, "urban"), n)
    ids = _unique_ints(rng, n, 32)
    return pd.DataFrame({
        "fpn_id": _hex_strings(ids, "FPN", 8),
        "issued_date": _dates(day, cal),
        "breach_type": _labels(breach, BREACH_TYPES),
        "npa": _labels(npa, npas),
    })


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def _config(config) -> PackConfig:
    if config is None or isinstance(config, (str, os.PathLike)):
        return load_config(config)
    return config


def generate(scale: float = 1.0, seed: int = 2021, config=None) -> dict[str, pd.DataFrame]:
    """Make the demo data set.

    Parameters
    ----------
    scale : float
        Multiplies every volume (crimes, incidents, calls, fraud reports, FPNs, domestic
        abuse victims). Scale 1 is about 85,000 crimes a year before the pandemic.
    seed : int
        Seed of the random generator; the same seed and scale give identical frames.
    config : PackConfig, path or None
        The profile (its areas); the demo profile, ``profiles/demo/pack.yaml``, by default.
        Its Covid-19 periods do not change the data: the synthetic pandemic follows the
        national timeline the demo is calibrated to.

    Returns
    -------
    dict of str to DataFrame
        The five canonical tables, keyed by :data:`TABLES`, columns as in :data:`COLUMNS`.
        Dates are ``datetime64[us]`` at midnight, ``opened_at`` a ``datetime64[us]`` with a
        time of day; text is the pandas ``str`` dtype with missing ``victim_id`` as NA.
    """
    if not (isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    cfg = _config(config)
    npas = list(cfg.npas)
    cal = _Calendar(cfg)
    rngs = _rng_streams(int(seed))

    crimes, codes = _crimes(cal, scale, rngs["crimes"], npas)
    incidents = _incidents(cal, scale, rngs["incidents"], npas)

    # domestic abuse victims across domestic crimes and domestic non-crime incidents
    c_da = np.flatnonzero(crimes.cols["domestic"])
    i_da = np.flatnonzero(incidents.cols["mix"] == list(INCIDENT_CATEGORIES).index("domestic_non_crime"))
    da_day = np.r_[crimes.day[c_da], incidents.day[i_da]]
    da_npa = np.r_[crimes.cols["npa"][c_da], incidents.cols["npa"][i_da]]
    victim, home, n_da = _assign_da_victims(cal, scale, rngs["victims"], da_day, da_npa)
    crimes.cols["npa"][c_da] = home[: len(c_da)]
    incidents.cols["npa"][i_da] = home[len(c_da):]
    # every victim (domestic and other) gets a distinct pseudonymous id
    c_other = np.flatnonzero(crimes.cols["victim"])
    ids_rng = rngs["ids"]
    victim_hex = _unique_ints(ids_rng, n_da + len(c_other), 40)
    c_victim = np.zeros(len(crimes.day), dtype=np.int64)
    c_victim[c_da] = victim_hex[victim[: len(c_da)]]
    c_victim[c_other] = victim_hex[n_da:]
    c_has = np.zeros(len(crimes.day), dtype=bool)
    c_has[c_da] = True
    c_has[c_other] = True
    i_victim = np.zeros(len(incidents.day), dtype=np.int64)
    i_victim[i_da] = victim_hex[victim[len(c_da):]]
    i_has = np.zeros(len(incidents.day), dtype=bool)
    i_has[i_da] = True

    crime_ids = _unique_ints(ids_rng, len(crimes.day), 40)
    incident_ids = _unique_ints(ids_rng, len(incidents.day), 40)
    c, ic = crimes.cols, incidents.cols
    out = {
        "crimes": pd.DataFrame({
            "crime_id": _hex_strings(crime_ids, "CR", 10),
            "recorded_date": _dates(crimes.day, cal),
            "offence_code": _labels(c["mix"], codes),
            "npa": _labels(c["npa"], npas),
            "domestic": c["domestic"].astype(bool),
            "victim_id": _hex_strings(c_victim, "V", 10, c_has),
        }),
        "incidents": pd.DataFrame({
            "incident_id": _hex_strings(incident_ids, "IN", 10),
            "opened_at": pd.Series(
                (cal.days[incidents.day].astype("datetime64[s]") + ic["seconds"].astype("timedelta64[s]")).astype("datetime64[us]")
            ),
            "category": _labels(ic["mix"], list(INCIDENT_CATEGORIES)),
            "covid_related": ic["covid_related"].astype(bool),
            "npa": _labels(ic["npa"], npas),
            "victim_id": _hex_strings(i_victim, "V", 10, i_has),
            "grade": ic["grade"].astype(np.int64),
            "attended": ic["attended"].astype(bool),
        }),
        "calls": _calls(cal, scale, rngs["calls"]),
        "fraud_reports": _fraud(cal, scale, rngs["fraud"]),
        "fpns": _fpns(cal, scale, rngs["fpns"], npas),
    }
    for name, df in out.items():
        assert tuple(df.columns) == COLUMNS[name], name
    return out


def _arrow_table(name: str, df: pd.DataFrame) -> pa.Table:
    """The frame as Arrow: dates as ``date32``, ``opened_at`` to the second, no pandas metadata."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    if name in DATE_COLUMNS:
        col = DATE_COLUMNS[name]
        table = table.set_column(table.schema.get_field_index(col), col, table[col].cast(pa.date32()))
    if name in DATETIME_COLUMNS:
        col = DATETIME_COLUMNS[name]
        table = table.set_column(table.schema.get_field_index(col), col, table[col].cast(pa.timestamp("s")))
    return table


def _write_table(name: str, df: pd.DataFrame, path: Path, fmt: str) -> None:
    table = _arrow_table(name, df)
    if fmt == "csv":
        with open(path, "wb") as f:
            f.write((",".join(df.columns) + "\n").encode("utf-8"))
            pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    else:
        pq.write_table(table, path, compression="zstd")


def write_demo(out_dir, scale: float = 1.0, seed: int = 2021, fmt: str = "csv", config=None) -> list[Path]:
    """Generate the demo set and write one file per table into ``out_dir``.

    Files are ``<table>.csv`` (dates ``YYYY-MM-DD``, ``opened_at`` ``YYYY-MM-DD HH:MM:SS``,
    booleans ``true``/``false``, a missing ``victim_id`` an empty field) or
    ``<table>.parquet``. The files are written into a temporary sibling directory that is
    renamed into place only when complete, so an interrupted run never leaves a half-written
    folder. An existing ``out_dir`` is replaced only if it holds nothing but demo tables.
    The same seed and scale give byte-identical files.

    Returns
    -------
    list of Path
        The files written, in :data:`TABLES` order.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a directory")
        ours = {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")}
        foreign = sorted(p.name for p in out.iterdir() if p.name not in ours)
        if foreign:
            raise FileExistsError(
                f"{out} already holds files that are not demo tables ({', '.join(foreign[:5])}); "
                "choose an empty or new directory"
            )
    frames = generate(scale=scale, seed=seed, config=config)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    old = None
    try:
        for name in TABLES:
            _write_table(name, frames[name], tmp / f"{name}.{fmt}", fmt)
        tmp.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / out.name).exists() and not out.exists():
            os.replace(old / out.name, out)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return [out / f"{name}.{fmt}" for name in TABLES]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfpack.sources.demo", description="Write the synthetic demo data set.")
    parser.add_argument("out_dir", help="folder to write (created; replaced if it only holds demo tables)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every volume by this (default 1)")
    parser.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    parser.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--config", default=None, help="profile's pack.yaml (default profiles/demo/pack.yaml)")
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error("--scale must be positive")
    t0 = time.perf_counter()
    paths = write_demo(args.out_dir, scale=args.scale, seed=args.seed, fmt=args.fmt, config=args.config)
    for p in paths:
        print(f"{p}  {p.stat().st_size:,} bytes")
    print(f"demo data (scale {args.scale:g}, seed {args.seed}) written in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

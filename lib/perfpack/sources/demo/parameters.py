"""The demo force's parameters: tables and columns, seasonal/weekly/hourly shapes, NPA shares,
and the per-series table (2019 volumes, trends, Covid-19 ratios) the calibration rests on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

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
        "report_id",
        "reported_date",
        "fraud_type",
        "loss_gbp",
        "victim_type",
        "victim_age_band",
        "support_requested",
        "disseminated_to_force",
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
    "Consumer fraud",
    "Advance fee fraud",
    "Investment fraud",
    "Romance fraud",
    "Computer misuse",
    "Banking and card fraud",
    "Other fraud",
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
OTHER_VAP = {
    "8L": 0.3,
    "8R": 0.3,
    "3B": 0.12,
    "8Q": 0.07,
    "8M": 0.03,
    "11A": 0.09,
    "36": 0.03,
    "13": 0.01,
    "106": 0.02,
    "4.4": 0.01,
    "4.8": 0.01,
    "37.1": 0.001,
}
RAPE = {"19C": 0.68, "19D": 0.18, "19E": 0.09, "19F": 0.03, "19G": 0.01, "19H": 0.01}
OTHER_SEXUAL = {"20A": 0.44, "22B": 0.12, "20B": 0.07, "21": 0.04, "22A": 0.06, "88E": 0.12, "88A": 0.04, "71": 0.03, "73": 0.03, "17A": 0.04, "17B": 0.01}

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
    S(
        "violence_serious",
        486,
        SUMMER,
        "nightlife",
        FALLING,
        (0.9, 0.68, 0.88, 0.86, 0.85),
        {"2020-04": 0.85, "2020-06": 1.12, "2020-08": 1.06, "2020-12": 0.9},
        mix=SERIOUS,
        victim_share=0.95,
        npa="urban",
    ),
    S(
        "violence_less_serious",
        9835,
        SUMMER,
        "nightlife",
        FALLING,
        (0.89, 0.57, 0.84, 0.88, 0.8),
        {"2020-04": 0.78, "2020-05": 0.95, "2020-06": 1.12, "2020-08": 1.17, "2020-09": 0.93, "2020-11": 0.9},
        mix=LESS_SERIOUS,
        victim_share=0.9,
        npa="urban",
    ),
    S("violence_other", 9362, SUMMER, "weekday", FALLING, (0.91, 0.71, 0.87, 0.95, 0.88), {"2020-04": 0.9, "2020-08": 1.08}, mix=OTHER_VAP, victim_share=0.9),
    S("rape", 655, SUMMER, "weekday", FALLING, (0.93, 0.56, 0.72, 0.74, 0.8), mix=RAPE, victim_share=0.95),
    S("other_sexual_offences", 1365, SUMMER, "weekday", FALLING, (0.91, 0.55, 0.76, 0.77, 0.8), mix=OTHER_SEXUAL, victim_share=0.95),
    S(
        "residential_burglary",
        3684,
        WINTER,
        "flat",
        (1.12, 1.13, 1.08),
        (0.97, 0.64, 0.77, 0.67, 0.7),
        {"2020-04": 0.85},
        mix={"28E": 0.78, "28F": 0.16, "28G": 0.025, "28H": 0.01, "29A": 0.025},
        victim_share=0.85,
        npa="south",
    ),
    S("business_burglary", 1793, WINTER, "weekday", (1.1, 1.08, 1.05), (0.86, 0.55, 0.64, 0.57, 0.62), mix={"30C": 0.8, "30D": 0.18, "31A": 0.02}, npa="rural"),
    S(
        "theft_of_motor_vehicle",
        1612,
        WINTER,
        "flat",
        (0.92, 1.0, 1.06),
        (1.05, 0.64, 0.78, 0.87, 0.9),
        {"2020-04": 0.85, "2020-10": 0.9, "2020-12": 1.08},
        mix={"48": 0.86, "37.2": 0.14},
        victim_share=0.8,
        npa="south",
    ),
    S("theft_from_motor_vehicle", 3087, WINTER, "flat", (1.05, 1.08, 1.06), (1.05, 0.56, 0.71, 0.64, 0.7), mix={"45": 1.0}, victim_share=0.8, npa="south"),
    S("vehicle_interference", 594, WINTER, "flat", FALLING, (0.89, 0.54, 0.77, 0.79, 0.75), mix={"126": 1.0}, npa="south"),
    S("personal_robbery", 563, WINTER, "nightlife", (1.0, 1.06, 1.1), (0.8, 0.52, 0.69, 0.64, 0.6), mix={"34B": 1.0}, victim_share=0.95, npa="urban"),
    S("business_robbery", 118, WINTER, "flat", (1.0, 1.1, 1.1), (0.86, 0.66, 0.8, 0.68, 0.7), mix={"34A": 1.0}, npa="urban"),
    S("shoplifting", 6236, WINTER_MILD, "weekday", FALLING, (0.9, 0.49, 0.75, 0.79, 0.65), mix={"46": 1.0}),
    S("theft_from_person", 547, WINTER_MILD, "weekend", FALLING, (0.89, 0.4, 0.59, 0.64, 0.55), mix={"39": 1.0}, victim_share=0.9, npa="urban"),
    S("bicycle_theft", 1013, SUMMER_STRONG, "flat", FALLING, (0.91, 0.76, 1.04, 0.98, 0.85), mix={"44": 1.0}, victim_share=0.6),
    S(
        "other_theft",
        7468,
        SUMMER,
        "weekday",
        FALLING,
        (0.9, 0.59, 0.8, 0.88, 0.8),
        mix={"49": 0.62, "49A": 0.16, "40": 0.08, "41": 0.05, "47": 0.01, "42": 0.01, "43": 0.02, "35": 0.05},
        victim_share=0.6,
    ),
    S(
        "criminal_damage_arson",
        8274,
        SUMMER,
        "weekend",
        FALLING,
        (0.9, 0.68, 0.82, 0.9, 0.82),
        mix={"58A": 0.25, "58B": 0.12, "58C": 0.33, "58D": 0.18, "58J": 0.02, "56B": 0.08, "56A": 0.02},
        victim_share=0.6,
    ),
    S(
        "public_order",
        7937,
        SUMMER,
        "nightlife",
        FALLING,
        (0.91, 0.71, 0.85, 0.92, 0.85),
        mix={"9A": 0.82, "9B": 0.1, "62A": 0.03, "66": 0.05},
        victim_share=0.4,
        npa="urban",
    ),
    S("drugs", 2386, FLAT, "weekday", (1.1, 1.05, 1.02), (0.93, 1.04, 0.94, 1.01, 1.0), mix={"92D": 0.25, "92E": 0.6, "92A": 0.12, "92C": 0.03}, npa="urban"),
    S(
        "weapons",
        853,
        SUMMER,
        "weekend",
        (0.85, 0.92, 0.98),
        (0.91, 0.7, 0.88, 0.94, 0.88),
        mix={"10D": 0.45, "10C": 0.35, "10A": 0.04, "10B": 0.05, "81": 0.05, "90": 0.06},
        npa="urban",
    ),
    S(
        "miscellaneous",
        2318,
        FLAT,
        "weekday",
        FALLING,
        (0.92, 0.68, 0.84, 0.94, 0.85),
        mix={
            "33": 0.06,
            "54": 0.06,
            "83": 0.05,
            "79": 0.04,
            "80": 0.01,
            "61": 0.02,
            "61A": 0.04,
            "802": 0.15,
            "99": 0.12,
            "59": 0.12,
            "69": 0.05,
            "86": 0.1,
            "95": 0.05,
            "33A": 0.03,
            "38": 0.03,
            "96": 0.02,
            "27": 0.01,
        },
    ),
    # --- domestic abuse crime (always a victim_id). Summer and December the seasonal peaks in 2019,
    #     and the biggest falls in 2020 in summer and December.
    S("domestic_serious", 503, SUMMER, "weekend", (0.9, 0.95, 1.0), (0.94, 1.0, 0.93, 0.98, 0.95), mix=SERIOUS, domestic=True),
    S("domestic_less_serious", 5183, SUMMER, "weekend", (0.92, 0.98, 1.02), (0.78, 0.9, 0.83, 0.86, 0.85), {"2020-12": 0.88}, mix=LESS_SERIOUS, domestic=True),
    S(
        "domestic_other_vap",
        6226,
        SUMMER,
        "weekday",
        (0.75, 0.85, 0.95),
        (0.98, 1.09, 1.05, 1.09, 1.05),
        {"2020-12": 0.92},
        mix={"8L": 0.3, "8R": 0.28, "8Q": 0.26, "3B": 0.06, "11A": 0.06, "36": 0.02, "13": 0.02},
        domestic=True,
    ),
    S("domestic_rape", 331, FLAT, "flat", (0.9, 0.95, 1.0), (0.95, 0.85, 0.9, 0.88, 0.9), mix={"19C": 0.88, "19D": 0.12}, domestic=True),
    S(
        "domestic_sexual",
        317,
        FLAT,
        "flat",
        (0.9, 0.95, 1.0),
        (0.95, 0.85, 0.9, 0.88, 0.9),
        mix={"20A": 0.6, "22A": 0.2, "20B": 0.08, "23": 0.1, "22B": 0.02},
        domestic=True,
    ),
    S(
        "domestic_criminal_damage",
        1694,
        SUMMER,
        "weekend",
        (0.95, 1.0, 1.02),
        (0.96, 1.03, 1.0, 1.02, 0.98),
        mix={"58A": 0.7, "58C": 0.2, "58D": 0.1},
        domestic=True,
    ),
    S("domestic_public_order", 667, SUMMER, "weekend", (0.95, 1.0, 1.02), (0.97, 1.0, 0.98, 1.0, 0.95), mix={"9A": 1.0}, domestic=True),
)

#: Command-and-control incidents. The Covid-19 breach series adds to recorded ASB: +66% in
#: the first lockdown with non-Covid ASB down 15%, near 2019 levels in the summer, rising again
#: with the tiers and second lockdown (+39% over 16 Mar-31 Dec 2020).
ASB_MIX = {"asb_nuisance": 0.70, "asb_personal": 0.22, "asb_environmental": 0.08}
INCIDENT_SERIES: tuple[Series, ...] = (
    S(
        "asb",
        21837,
        SUMMER_STRONG,
        "weekend",
        (1.16, 1.1, 1.05),
        (0.96, 0.85, 0.93, 0.78, 0.82),
        {"2020-08": 1.06, "2020-11": 0.92},
        mix=ASB_MIX,
        hours="evening",
    ),
    S(
        "covid_breaches",
        0,
        weekly="weekend",
        covid=(0.0, 0.83, 0.09, 0.70, 0.95),
        relative_to="asb",
        shape={
            "2020-03": 0.9,
            "2020-04": 1.55,
            "2020-05": 1.05,
            "2020-06": 0.55,
            "2020-07": 0.5,
            "2020-08": 0.8,
            "2020-09": 1.5,
            "2020-10": 0.85,
            "2020-11": 1.25,
            "2020-12": 0.95,
            "2021-01": 1.3,
            "2021-02": 0.95,
            "2021-03": 0.75,
        },
        mix={"asb_nuisance": 0.83, "asb_personal": 0.15, "public_safety": 0.02},
        hours="evening",
        covid_related=True,
    ),
    S(
        "domestic_non_crime",
        8963,
        SUMMER,
        "weekend",
        (0.88, 0.93, 0.98),
        (0.94, 0.94, 0.89, 0.93, 0.95),
        {"2020-12": 0.9},
        mix={"domestic_non_crime": 1.0},
        domestic=True,
        hours="late",
    ),
    S("crime_related", 35381, SUMMER, "weekend", (1.03, 1.05, 1.06), (0.94, 0.72, 0.86, 0.84, 0.84), mix={"crime_related": 1.0}, hours="evening"),
    S("concern_for_safety", 16874, SUMMER, "flat", (0.86, 0.91, 0.96), (1.03, 1.04, 1.05, 1.04, 1.04), mix={"concern_for_safety": 1.0}, hours="spread"),
    S("missing_person", 3786, FLAT, "flat", (1.08, 1.12, 1.15), (0.97, 0.62, 0.85, 0.9, 0.85), mix={"missing_person": 1.0}, hours="evening"),
    S("road_traffic", 12943, WINTER_MILD, "weekday", (0.97, 0.99, 1.0), (0.98, 0.55, 0.9, 0.82, 0.75), mix={"road_traffic": 1.0}, hours="day"),
    S("public_safety", 11062, SUMMER, "weekend", (0.97, 0.98, 0.99), (1.0, 1.08, 1.04, 1.0, 1.0), mix={"public_safety": 1.0}, hours="spread"),
    S(
        "suspicious_circumstances",
        9057,
        WINTER_MILD,
        "flat",
        (1.02, 1.02, 1.01),
        (0.97, 0.9, 0.95, 0.92, 0.92),
        mix={"suspicious_circumstances": 1.0},
        hours="late",
    ),
    S("admin", 13918, FLAT, "weekday", (1.04, 1.03, 1.01), (0.99, 0.95, 0.98, 0.97, 0.97), mix={"admin": 1.0}, hours="office"),
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
    S("999", 148_716, SUMMER, "weekend", (0.85, 0.9, 0.95), (1.03, 0.93, 1.08, 1.0, 1.03), {"2020-04": 0.92, "2020-07": 1.0, "2020-08": 1.12, "2020-09": 0.9}),
    S("101", 318_529, WINTER_MILD, "weekday", (1.14, 1.09, 1.04), (0.96, 0.79, 0.86, 0.81, 0.85)),
    S("digital", 54_883, FLAT, "weekday", (0.42, 0.58, 0.78), (1.18, 1.85, 1.5, 1.6, 1.45), {"2020-04": 1.1, "2020-12": 1.08}),
)

#: Action Fraud reports. The base volume is solved so that the 13 months to the end of
#: January 2021 hold FRAUD_REPORTS_13M reports; peak month July 2020.
FRAUD_SERIES = S(
    "fraud",
    1.0,
    FLAT,
    "weekday",
    (0.76, 0.84, 0.92),
    (1.04, 1.2, 1.28, 1.15, 1.12),
    {
        "2020-03": 0.88,
        "2020-04": 0.95,
        "2020-05": 1.02,
        "2020-06": 1.08,
        "2020-07": 1.28,
        "2020-08": 1.02,
        "2020-09": 0.88,
        "2020-10": 1.0,
        "2020-11": 0.98,
        "2020-12": 0.92,
    },
)
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
    "2016-01": 60,
    "2018-10": 82,
    "2019-03": 50,
    "2019-12": 47,
    "2020-03": 47,
    "2020-04": 75,
    "2020-05": 56,
    "2020-12": 52,
    "2021-03": 50,
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
    "2020-03": 2,
    "2020-04": 64,
    "2020-05": 48,
    "2020-06": 19,
    "2020-07": 0,
    "2020-08": 0,
    "2020-09": 0,
    "2020-10": 7,
    "2020-11": 86,
    "2020-12": 118,
    "2021-01": 262,
    "2021-02": 171,
    "2021-03": 94,
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

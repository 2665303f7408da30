"""The seed's figures that the demo data must reproduce (REPORT_SPEC calibration table): change
in percent and the tolerance in points. One copy, used by the demo generator's own check
(tests/integration/test_demo.py) and by the pack's check (tests/e2e/test_calibration.py)."""

#: Serious acquisitive crime, January-December 2020 against 2019.
SAC_TARGETS = [
    ("residential_burglary", -25, 3),
    ("business_burglary", -36, 3),
    ("theft_of_motor_vehicle", -17, 3),
    ("theft_from_motor_vehicle", -27, 3),
    ("personal_robbery", -35, 3),
    ("business_robbery", -27, 5),
]

#: The foreword (and the opening of the performance overview) of the seed meeting paper: the
#: Covid-19 period, 16 March-31 December 2020, against the same dates of 2019. Keys as
#: section 01 (pages.all_crime.covid_period_by_crime_type) writes them.
FOREWORD_WINDOW = ("2020-03-16", "2020-12-31")
FOREWORD_TARGETS = [
    ("residential_burglary", -31, 3),  # "domestic burglary"
    ("robbery", -37, 3),  # personal and business robbery
    ("serious_sexual_offences", -28, 3),
    ("rape", -27, 3),
    ("vehicle_crime", -33, 3),  # theft of and theft from a motor vehicle
    ("domestic_abuse_crime", -2, 3),  # crimes flagged domestic (not non-crime incidents)
]
#: The Home Office offence codes each foreword figure counts, from the counting rules (written
#: out here for the recounts, not read from the library's lookup); domestic abuse crimes are
#: the crimes flagged domestic, whatever their code.
FOREWORD_CODES = {
    "residential_burglary": {"28A", "28B", "28C", "28D", "28E", "28F", "28G", "28H", "29", "29A"},
    "robbery": {"34A", "34B"},
    "serious_sexual_offences": {
        "19C",
        "19D",
        "19E",
        "19F",
        "19G",
        "19H",  # rape (class 19)
        "17A",
        "17B",
        "20A",
        "20B",
        "21",
        "22A",
        "22B",
        "23",  # other sexual offences
        "70",
        "71",
        "72",
        "73",
        "88A",
        "88C",
        "88D",
        "88E",
    },
    "rape": {"19C", "19D", "19E", "19F", "19G", "19H"},
    "vehicle_crime": {"48", "37.2", "45"},
}

#: Domestic abuse repeat victims as a share of distinct victims (percent), in every 12-month
#: window ending in a month of 2019-2021 that the data cover: the seed's 31% (2019) and 33%
#: (2020) are calendar years, and a window ending in another month must not fall apart.
REPEAT_SHARE_ANY_WINDOW = (30, 34)

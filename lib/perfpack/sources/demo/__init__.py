"""A deterministic synthetic data set for one force: the pack's demo and test input.

The demo force has the areas (NPAs) of its profile (``profiles/demo/pack.yaml``; another
profile's areas when given one: unknown names get the mean share)
and record-level data from 1 January 2016 to 31 March 2021 in the five canonical tables
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

from perfpack.sources.demo.parameters import (
    AGE_BANDS,
    ASB_CATEGORIES,
    BREACH_TYPES,
    CHANNELS,
    COLUMNS,
    DATE_COLUMNS,
    DATETIME_COLUMNS,
    DEMO_END,
    DEMO_START,
    FRAUD_TYPES,
    GRADES,
    INCIDENT_CATEGORIES,
    TABLES,
)
from perfpack.sources.demo.write import generate, main, write_demo, write_table

__all__ = [
    "generate",
    "main",
    "write_table",
    "DATE_COLUMNS",
    "DATETIME_COLUMNS",
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

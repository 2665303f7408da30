"""The data contract of the canonical input tables.

One folder holds one file per table, CSV or Parquet: ``crimes``, ``incidents``, ``calls``,
``fraud_reports`` and ``fpns``. Every file is read as text, each column is parsed to its type
(collecting every row that will not parse), then a pandera schema checks the values (known
codes, known NPAs, unique identifiers, no negative losses, no future dates, no dates apart from
the rest of the table).

Every problem is reported as a :class:`DataProblem` naming the file, the column, a few
offending rows (file line numbers for CSV) and what to do; :class:`DataValidationError` joins
them into one plain message. See ``data/README.md`` for the contract in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# The checking machinery (pandera, the parsers) is in perfpack.sources.canonical: a notebook that
# reads a run's validated snapshot needs the table specifications below, not the checking.

TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}
EARLIEST_DATE = pd.Timestamp("2000-01-01")
# A table covers one unbroken span of time. A date more than this many days away from every
# other date of its table (a mistyped year, 2011 for 2021, in a 2016-2021 extract) is outside
# the data's own range: it would stretch the coverage the sections trust and add a lone
# record to a window the extract does not really cover.
APART_DAYS = 366
SHOW_ROWS = 5
# A count or an amount in pounds larger than this (a million million) is a corrupted value,
# not a figure: 1e300 calls, or a loss of 1e19, would reach the pages as "£inf million".
MAX_NUMBER = 1e12
# Columns with few distinct values in many rows (dates, flags, grades) are parsed once per
# distinct value (see _parse_column); identifiers, free text and timestamps row by row.
PARSE_DISTINCT = ("date", "bool", "int", "float")
# pandas parses ISO timestamps by way of Python objects (600 MB for 7 million rows):
# timestamp columns are parsed this many rows at a time.
PARSE_CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a canonical table.

    ``kind`` is one of ``str``, ``id``, ``date``, ``datetime``, ``bool``, ``int``, ``float``.
    ``allowed`` lists the values a text column may take (None: any); ``allowed_from`` names a
    configuration list instead (``npas``) or the offence classification (``offence_codes``).
    """

    kind: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    allowed_from: str | None = None
    minimum: float | None = None
    what: str = ""
    many: bool = False  # text whose values are mostly distinct (victim references)

    @property
    def few_values(self) -> bool:
        """Whether the column repeats a few values over many rows (read dictionary-encoded)."""
        return self.kind not in ("id", "datetime") and not self.many


@dataclass(frozen=True)
class TableSpec:
    name: str
    row_is: str
    columns: dict[str, ColumnSpec]
    id_column: str | None
    date_column: str


#: Rows a public source places outside the force's areas: in a district of another force (an
#: LSOA just over the border) or without a location. Each is one row of a breakdown by area,
#: shown last and never tested as an area.
OUTSIDE_AREA = "Outside the force area"
NO_LOCATION = "No location"
NOT_AREAS = (OUTSIDE_AREA, NO_LOCATION)

#: The tables a force's extracts must hold; any other may be absent (a force without an FPN or
#: Action Fraud extract), and the sections that need it say it is not available.
REQUIRED_TABLES = ("crimes",)

INCIDENT_CATEGORIES = (
    "asb_personal",
    "asb_nuisance",
    "asb_environmental",
    "domestic_non_crime",
    "crime_related",
    "concern_for_safety",
    "missing_person",
    "road_traffic",
    "public_safety",
    "suspicious_circumstances",
    "admin",
    "asb_unspecified",
)
# ``asb_unspecified``: ASB whose kind the source does not say (data.police.uk street files).
ASB_CATEGORIES = ("asb_personal", "asb_nuisance", "asb_environmental", "asb_unspecified")
CHANNELS = ("999", "101", "digital")
VICTIM_TYPES = ("individual", "organisation")

TABLES: dict[str, TableSpec] = {
    "crimes": TableSpec(
        "crimes",
        "a recorded crime",
        {
            "crime_id": ColumnSpec("id", what="pseudonymous crime reference, unique"),
            "recorded_date": ColumnSpec("date", what="date the crime was recorded"),
            "offence_code": ColumnSpec("str", allowed_from="offence_codes", what="Home Office offence code, e.g. 28E"),
            "npa": ColumnSpec("str", allowed_from="npas", what="Neighbourhood Policing Area"),
            "domestic": ColumnSpec("bool", what="domestic abuse flag"),
            "victim_id": ColumnSpec("str", nullable=True, many=True, what="pseudonymous victim reference; may be empty"),
        },
        "crime_id",
        "recorded_date",
    ),
    "incidents": TableSpec(
        "incidents",
        "a logged command-and-control incident",
        {
            "incident_id": ColumnSpec("id", what="pseudonymous incident reference, unique"),
            "opened_at": ColumnSpec("datetime", what="date and time the incident was opened"),
            "category": ColumnSpec("str", allowed=INCIDENT_CATEGORIES, what="incident category"),
            "covid_related": ColumnSpec("bool", what="Covid-19 restriction-breach report"),
            "npa": ColumnSpec("str", allowed_from="npas", what="Neighbourhood Policing Area"),
            "victim_id": ColumnSpec("str", nullable=True, many=True, what="pseudonymous victim reference; may be empty"),
            "grade": ColumnSpec("int", allowed=("1", "2", "3", "4"), what="response grade 1 (emergency) to 4"),
            "attended": ColumnSpec("bool", what="whether officers attended"),
        },
        "incident_id",
        "opened_at",
    ),
    "calls": TableSpec(
        "calls",
        "calls on one day on one channel",
        {
            "date": ColumnSpec("date", what="day"),
            "channel": ColumnSpec("str", allowed=CHANNELS, what="999, 101 or digital"),
            "calls": ColumnSpec("int", minimum=0, what="number of contacts"),
        },
        None,
        "date",
    ),
    "fraud_reports": TableSpec(
        "fraud_reports",
        "an Action Fraud report from the force area",
        {
            "report_id": ColumnSpec("id", what="pseudonymous report reference, unique"),
            "reported_date": ColumnSpec("date", what="date reported to Action Fraud"),
            "fraud_type": ColumnSpec("str", what="fraud type"),
            "loss_gbp": ColumnSpec("float", minimum=0, what="reported loss in pounds"),
            "victim_type": ColumnSpec("str", allowed=VICTIM_TYPES, what="individual or organisation"),
            "victim_age_band": ColumnSpec("str", nullable=True, what="victim age band"),
            "support_requested": ColumnSpec("bool", what="victim asked for support"),
            "disseminated_to_force": ColumnSpec("bool", what="sent by NFIB to the force to investigate"),
        },
        "report_id",
        "reported_date",
    ),
    "fpns": TableSpec(
        "fpns",
        "a Covid-19 fixed penalty notice",
        {
            "fpn_id": ColumnSpec("id", what="pseudonymous FPN reference, unique"),
            "issued_date": ColumnSpec("date", what="date issued"),
            "breach_type": ColumnSpec("str", what="kind of breach"),
            "npa": ColumnSpec("str", allowed_from="npas", what="Neighbourhood Policing Area"),
        },
        "fpn_id",
        "issued_date",
    ),
}


@dataclass
class DataProblem:
    """One thing wrong with one column of one file."""

    file: str
    column: str | None
    problem: str
    rows: list[str] = field(default_factory=list)
    todo: str = ""
    count: int = 0

    def render(self) -> str:
        where = self.file + (f", column '{self.column}'" if self.column else "")
        lines = [f"{where}: {self.problem}"]
        if self.rows:
            more = f" (and {self.count - len(self.rows)} more)" if self.count > len(self.rows) else ""
            lines.append("  e.g. " + "; ".join(self.rows) + more)
        if self.todo:
            lines.append(f"  What to do: {self.todo}")
        return "\n".join(lines)


class DataValidationError(ValueError):
    """The input data breaks the contract. ``str(err)`` is the plain message for the user."""

    def __init__(self, problems: list[DataProblem], where: str = ""):
        self.problems = problems
        head = f"The data{(' in ' + where) if where else ''} failed its checks ({len(problems)} problem{'s' if len(problems) != 1 else ''}); nothing was run and no outputs were changed."
        super().__init__(head + "\n\n" + "\n\n".join(p.render() for p in problems))


def table_files(folder: Path, table: str) -> list[Path]:
    """Every file in ``folder`` that could hold ``table`` (``<table>.csv``, ``<table>.parquet``)."""
    return [p for ext in (".csv", ".parquet") if (p := Path(folder) / f"{table}{ext}").is_file()]


def find_table_file(folder: Path, table: str) -> Path | None:
    found = table_files(folder, table)
    return found[0] if found else None

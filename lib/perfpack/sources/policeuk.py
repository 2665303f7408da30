"""data.police.uk street-level files as a :class:`~perfpack.sources.dataset.Dataset`.

data.police.uk publishes, for each force and month, a file ``YYYY-MM-<force>-street.csv``
with one row per crime or anti-social behaviour (ASB) incident and the columns ``Crime ID,
Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime
type, Last outcome category, Context``. A download from the site's archive or "custom
download" page puts each month in its own folder (``2021-03/2021-03-staffordshire-street.csv``);
the files may also sit flat in one folder. Both layouts are read, one folder level deep.

What the loader makes of a row:

- ``Crime type`` "Anti-social behaviour" -> an ASB *incident* (category ``asb_unspecified``:
  police.uk does not say which kind of ASB), with a synthetic, stable ``incident_id`` (ASB rows
  have no Crime ID); every other row -> a *crime* of that police.uk crime type, keyed by its
  Crime ID.
- The date is the first day of ``Month`` (the files are monthly: granularity ``month``).
- The district is the one in the LSOA name (``Cannock Chase 001A`` -> ``Cannock Chase``);
  names that differ only in form (``The Vale of Glamorgan``, ``Vale of Glamorgan``) are one
  district (:func:`district_key`). The force's areas (:attr:`Dataset.npas`) are the profile's
  areas when the profile is this force's and its files show every one of them; otherwise the
  districts holding a real share of the force's own rows (:func:`derive_areas`), largest
  first. A row's ``npa`` is its area; a row in any other district (an LSOA just over the
  border) is ``Outside the force area`` and a row without an LSOA ``No location``: each is one
  row of a breakdown, shown last and never tested as an area, and counted force-wide (nothing
  is dropped). The row's own district stays in the ``district`` column and the notes list them.
- Coverage (:attr:`Dataset.covered`): the months whose file is present; a month without a
  file between the first and the last is a gap, never a month of zeros.

Only the requested force's files are read (DuckDB over the file list, every column as text), so
a national year of files (about six million rows) costs no more than the one force's share.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from perfpack.config import PackConfig
from perfpack.periods import month_end
from perfpack.sources.areas import AREA_MIN_DENSITY, AREA_MIN_SHARE, derive_areas, district_key, one_form  # noqa: F401  (part of this source's API)
from perfpack.sources.contract import DataProblem, DataValidationError
from perfpack.sources.coverage import months_coverage
from perfpack.sources.dataset import NO_LOCATION, OUTSIDE_AREA, Dataset, SourceError, sha256_file

STREET_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
STREET_NAME = re.compile(r"^(\d{4})-(\d{2})-(.+)-street\.csv$", re.IGNORECASE)
ASB_TYPE = "Anti-social behaviour"
ASB_CATEGORY = "asb_unspecified"

# The crime types data.police.uk has used since May 2013, in the site's (alphabetical) order.
POLICEUK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

# police.uk slugs that a force's name does not lead to by itself.
SLUG_ALIASES = {
    "british-transport": "btp",
    "london-city-of": "city-of-london",
    "city-of-london-police": "city-of-london",
    "metropolitan-police-service": "metropolitan",
}

UNAVAILABLE = {
    "domestic": "not available from this source: data.police.uk street files carry no domestic abuse flag",
    "victim_id": "not available from this source: data.police.uk street files carry no victim references, so repeat victims cannot be counted",
    "fraud_reports": "not available from this source: Action Fraud reports are not in data.police.uk street files",
    "calls": "not available from this source: data.police.uk does not publish calls for service",
    "fpns": "not available from this source: Covid-19 fixed penalty notices are not in data.police.uk street files",
    "covid_related": "not available from this source: data.police.uk does not mark which ASB was Covid-19 related",
    "offence_code": "not available from this source: police.uk gives crime types, not Home Office offence codes: burglary, robbery and vehicle crime are shown whole (residential and business burglary, personal and business robbery, theft of and from a vehicle cannot be told apart)",
    "violence_type": "not available from this source: police.uk gives 'Violence and sexual offences' as one crime type, so serious and less serious assault cannot be told apart",
    "grade": "not available from this source: data.police.uk has no command-and-control incidents (response grade, attendance)",
    "attended": "not available from this source: data.police.uk has no command-and-control incidents (response grade, attendance)",
}


@dataclass(frozen=True)
class StreetFile:
    path: Path
    month: date
    slug: str


def slugify(text: str) -> str:
    """A force name as data.police.uk writes it in file names (``Avon and Somerset`` ->
    ``avon-and-somerset``)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).strip().lower()).strip("-")


def type_key(crime_type: str) -> str:
    """A police.uk crime type as a ``figures.csv`` key (``Anti-social behaviour`` ->
    ``anti_social_behaviour``)."""
    return re.sub(r"[^a-z0-9]+", "_", str(crime_type).strip().lower()).strip("_")


def district_of(lsoa_name: str | None) -> str | None:
    """The district in an LSOA name (``Cannock Chase 001A`` -> ``Cannock Chase``)."""
    if lsoa_name is None or pd.isna(lsoa_name) or not str(lsoa_name).strip():
        return None
    name = str(lsoa_name).strip()
    return re.sub(r"\s+\d{3}[A-Z]$", "", name) or name


def find_street_files(data_dir: str | Path) -> list[StreetFile]:
    """Every ``YYYY-MM-<force>-street.csv`` in ``data_dir`` or one folder below it."""
    data_dir = Path(data_dir)
    out = []
    for pattern in ("*-street.csv", "*/*-street.csv"):
        for p in sorted(data_dir.glob(pattern)):
            m = STREET_NAME.match(p.name)
            if m and p.is_file() and 1 <= int(m.group(2)) <= 12:
                out.append(StreetFile(p, date(int(m.group(1)), int(m.group(2)), 1), m.group(3).lower()))
    return out


def _force_candidates(force: str) -> list[str]:
    s = slugify(force)
    out = [s]
    for suffix in ("-police-service", "-police", "-constabulary"):
        if s.endswith(suffix):
            out.append(s[: -len(suffix)])
    if s.startswith("police-"):
        out.append(s[len("police-") :])
    out += [SLUG_ALIASES[c] for c in list(out) if c in SLUG_ALIASES]
    return out


def _check_header(path: Path) -> DataProblem | None:
    if path.stat().st_size == 0:
        return DataProblem(str(path), None, "the file is empty (0 bytes)", todo="download the month again from data.police.uk.")
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        header = next(csv.reader(f), [])
    header = [h.strip() for h in header]
    if tuple(header) != STREET_COLUMNS:
        missing = [c for c in STREET_COLUMNS if c not in header]
        return DataProblem(
            str(path),
            None,
            "the header is not the data.police.uk street-level layout"
            + (f" (missing: {', '.join(missing)})" if missing else " (columns in another order or extra columns)"),
            todo=f"use the unmodified street-level file; its columns are: {', '.join(STREET_COLUMNS)}.",
        )
    return None


def _pick_files(files: list[StreetFile], slug: str) -> tuple[list[StreetFile], list[str]]:
    """The force's files, one per month; identical copies of a month (both layouts) are used once."""
    by_month: dict[date, list[StreetFile]] = {}
    for f in files:
        if f.slug == slug:
            by_month.setdefault(f.month, []).append(f)
    chosen, notes, clashes = [], [], []
    for month in sorted(by_month):
        group = by_month[month]
        if len(group) > 1:
            hashes = {sha256_file(f.path) for f in group}
            if len(hashes) > 1:
                clashes.append(f"{month:%Y-%m}: " + ", ".join(str(f.path) for f in group))
                continue
            notes.append(f"{month:%Y-%m} was found {len(group)} times with the same content ({', '.join(str(f.path) for f in group)}); it was read once.")
        chosen.append(group[0])
    if clashes:
        raise SourceError(
            "Two different files were found for the same month, so the counts would be doubled or ambiguous:\n"
            + "\n".join("  " + c for c in clashes)
            + "\nKeep one file per month (the newer download) and run again."
        )
    return chosen, notes


def _read(files: list[StreetFile]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The force's rows, the columns the pack uses, read by DuckDB (every column as text).

    Computed in DuckDB, not row by row in Python: the month (the row's ``Month``, else the file
    name's), the NPA (the district in the LSOA name, without its ``001A`` code; ``No location``
    without an LSOA) and, for rows without a Crime ID, a stable reference: a hash of the row's
    content numbered among identical rows.

    Returns
    -------
    (crimes with a Crime ID, in file order; every other row: ASB and crimes without an ID, with
    ``ref`` and ``is_asb``). Both carry ``month_from_file`` and ``month_differs`` flags.
    """
    import duckdb  # heavy, optional: only for data.police.uk folders

    cols = {c: "VARCHAR" for c in STREET_COLUMNS}
    src = r"""
        SELECT
            nullif(trim("Crime ID"), '') AS crime_id,
            try_strptime(trim("Month"), '%Y-%m') AS row_month,
            strptime(regexp_extract(parse_filename(filename), '^(\d{4}-\d{2})-', 1), '%Y-%m') AS file_month,
            nullif(trim("LSOA code"), '') AS lsoa_code,
            nullif(trim("LSOA name"), '') AS lsoa_name,
            coalesce(nullif(trim("Crime type"), ''), '(no crime type)') AS crime_type,
            "Crime type" AS raw_type, "Month" AS raw_month, "Reported by" AS reported_by, "Falls within" AS falls_within,
            "Longitude" AS lon, "Latitude" AS lat, "Location" AS location, "LSOA code" AS raw_lsoa_code,
            "LSOA name" AS raw_lsoa_name, "Last outcome category" AS outcome, "Context" AS context
        FROM read_csv($files, columns = $cols, header = true, auto_detect = false, filename = true,
                      delim = ',', quote = '"', escape = '"')
    """
    common = f"""
            coalesce(row_month, file_month) AS month,
            coalesce(CASE WHEN lsoa_name IS NOT NULL THEN coalesce(nullif(regexp_replace(lsoa_name, '\\s+[0-9]{{3}}[A-Z]$', ''), ''), lsoa_name) END, '{NO_LOCATION}') AS npa,
            crime_type, lsoa_code,
            row_month IS NULL AS month_from_file,
            row_month IS NOT NULL AND row_month <> file_month AS month_differs
    """
    with_id = f"SELECT crime_id, {common} FROM ({src}) WHERE crime_id IS NOT NULL AND crime_type <> $asb"
    others = f"""
        SELECT crime_id, h || '-' || CAST(row_number() OVER (PARTITION BY h) AS VARCHAR) AS ref, crime_type = $asb AS is_asb, * EXCLUDE (crime_id, h)
        FROM (
            SELECT crime_id, {common},
                   substr(md5(concat_ws('|', raw_month, reported_by, falls_within, lon, lat, location, raw_lsoa_code, raw_lsoa_name, raw_type, outcome, context)), 1, 16) AS h
            FROM ({src}) WHERE crime_id IS NULL OR crime_type = $asb
        )
        ORDER BY month, npa, ref
    """
    params = {"files": [str(f.path) for f in files], "cols": cols, "asb": ASB_TYPE}
    con = duckdb.connect()
    try:
        crimes = con.execute(with_id, params).df()
        rest = con.execute(others, params).df()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataValidationError(
            [
                DataProblem(
                    ", ".join(sorted({str(f.path.parent) for f in files})),
                    None,
                    f"a street-level file could not be read as CSV ({first})",
                    todo="download the month named in the message again from data.police.uk; the files must be unmodified.",
                )
            ]
        ) from None
    finally:
        con.close()
    return crimes, rest


def _empty_bool(n: int) -> pd.arrays.BooleanArray:
    """A nullable boolean column with every value unknown (the source does not say)."""
    return pd.arrays.BooleanArray(np.zeros(n, bool), np.ones(n, bool))


def _first_value(path: Path, column: str) -> str | None:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        row = next(csv.DictReader(f), None)
    return (row or {}).get(column) or None


def _is_profile_force(slug: str, config: PackConfig) -> bool:
    if getattr(config, "derived", False) or not getattr(config, "npas", ()):
        return False
    names = {config.force_name, config.force_short_name, str((getattr(config, "raw", {}) or {}).get("force", {}).get("sources", {}).get("policeuk", "") or "")}
    return slug in {c for n in names if n for c in _force_candidates(n)}


def _areas(counts: pd.Series, lsoas: pd.Series, slug: str, config: PackConfig) -> tuple[list[str], str | None]:
    """The force's areas and, when the profile's could not be used, why."""
    if _is_profile_force(slug, config):
        missing = [a for a in config.npas if a not in set(counts.index)]
        if not missing:
            return list(config.npas), None
        note = f"The profile's areas {', '.join(missing)} do not appear in the files' LSOA names, so the areas were derived from the data instead (see docs/public-data.md)."
        return derive_areas(counts, lsoas), note
    return derive_areas(counts, lsoas), None


def load_policeuk(data_dir: str | Path, force: str, config: PackConfig) -> Dataset:
    """Load one force's data.police.uk street-level files.

    Parameters
    ----------
    data_dir : str or Path
        Folder holding ``YYYY-MM-<force>-street.csv`` files, flat or in ``YYYY-MM/`` folders.
    force : str
        The force's slug as in the file names (``staffordshire``, ``west-midlands``); a force
        name such as ``Staffordshire Police`` is accepted too.
    config : PackConfig
        The force's profile (its areas are used when ``force`` is the profile's force).

    Returns
    -------
    Dataset
        ``crimes`` (one row per crime, ``policeuk_crime_type`` set, ``offence_code`` empty,
        ``domestic`` and ``victim_id`` empty) and ``incidents`` (one row per ASB incident),
        monthly granularity; ``unavailable`` says what police.uk cannot give.

    Raises
    ------
    SourceError
        The folder holds no street files, or none for this force (the message lists the forces
        that are there), or two different files for one month.
    DataValidationError
        A file is empty, has another header, or cannot be parsed.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SourceError(
            f"The data folder {data_dir} does not exist. Pass --data with the folder holding the data.police.uk street-level files (YYYY-MM-<force>-street.csv, flat or in YYYY-MM/ folders)."
        )
    if not str(force or "").strip():
        raise SourceError("--source policeuk needs --force: the force's name as in the file names, e.g. --force staffordshire.")
    files = find_street_files(data_dir)
    if not files:
        raise SourceError(
            f"No data.police.uk street-level files (YYYY-MM-<force>-street.csv) in {data_dir} or its YYYY-MM/ folders. Download the force's 'street' files from data.police.uk (see docs/public-data.md) and unzip them there."
        )
    slugs = sorted({f.slug for f in files})
    slug = next((c for c in _force_candidates(force) if c in slugs), None)
    if slug is None:
        raise SourceError(
            f"No street-level files for force '{force}' in {data_dir} (flat or in YYYY-MM/ folders). The forces with files there are: {', '.join(slugs)}. Pass one of these with --force."
        )
    chosen, notes = _pick_files(files, slug)
    problems = [p for p in (_check_header(f.path) for f in chosen) if p]
    if problems:
        raise DataValidationError(problems, str(data_dir))

    with_id, rest = _read(chosen)
    is_asb = rest["is_asb"].astype(bool)
    no_id = rest[~is_asb]
    crimes = with_id if no_id.empty else pd.concat([with_id, no_id.assign(crime_id="PUK-" + no_id["ref"]).drop(columns=["ref", "is_asb"])], ignore_index=True)
    incidents = rest[is_asb].reset_index(drop=True)
    incidents = incidents.assign(incident_id="ASB-" + incidents["ref"].fillna(incidents["crime_id"])).drop(columns=["ref", "is_asb", "crime_id", "crime_type"])
    del with_id, rest, no_id

    total = len(crimes) + len(incidents)
    no_id_crimes = int(crimes["crime_id"].str.startswith("PUK-").sum())
    dup = int(crimes["crime_id"].duplicated().sum())
    bad_month = int(crimes["month_from_file"].sum() + incidents["month_from_file"].sum())
    other_month = int(crimes["month_differs"].sum() + incidents["month_differs"].sum())
    crimes = crimes.drop(columns=["month_from_file", "month_differs"])
    incidents = incidents.drop(columns=["month_from_file", "month_differs"])
    crimes = crimes.rename(columns={"month": "recorded_date", "crime_type": "policeuk_crime_type"})
    incidents = incidents.rename(columns={"month": "opened_at"})
    # one form per district, then the areas, then each row's area (or outside / no location)
    forms = one_form(pd.concat([crimes["npa"], incidents["npa"]]), tuple(config.npas) if _is_profile_force(slug, config) else ())
    crimes["district"] = crimes["npa"].map(forms)
    incidents["district"] = incidents["npa"].map(forms)
    renamed = sorted({f"'{a}' as '{b}'" for a, b in forms.items() if a != b and a != NO_LOCATION})
    if renamed:
        notes.append("District names that differ only in form are one district: " + ", ".join(renamed) + ".")
    both = pd.concat([crimes[["district", "lsoa_code"]], incidents[["district", "lsoa_code"]]])
    counts = both["district"].value_counts()
    no_location = int(counts.pop(NO_LOCATION)) if NO_LOCATION in counts.index else 0
    counts = counts.sort_values(ascending=False, kind="stable")
    lsoas = both[both["district"] != NO_LOCATION].groupby("district")["lsoa_code"].nunique()
    del both
    types_seen = Counter(crimes["policeuk_crime_type"].value_counts().to_dict())
    if len(incidents):
        types_seen[ASB_TYPE] += len(incidents)
    by_month = pd.concat([crimes["recorded_date"], incidents["opened_at"]]).value_counts()
    force_name = _first_value(chosen[0].path, "Falls within") or slug.replace("-", " ").title()
    if bad_month:
        notes.append(f"{bad_month:,} rows had no readable Month; the month in their file's name was used.")
    if other_month:
        notes.append(f"{other_month:,} rows carry a Month other than their file's; the row's Month was used.")

    npas, area_note = _areas(counts, lsoas, slug, config)
    if area_note:
        notes.append(area_note)
    outside = counts[~counts.index.isin(npas)]
    for frame in (crimes, incidents):
        d = frame["district"]
        frame["npa"] = d.where(d.isin(npas) | (d == NO_LOCATION), OUTSIDE_AREA)

    n = len(crimes)
    crimes["recorded_date"] = crimes["recorded_date"].astype("datetime64[ns]")
    for col in ("crime_id", "npa", "policeuk_crime_type", "lsoa_code", "district"):
        crimes[col] = crimes[col].astype("str")
    crimes = crimes.assign(
        offence_code=pd.Series("", index=crimes.index, dtype="str"),
        domestic=_empty_bool(n),
        victim_id=pd.Series(pd.NA, index=crimes.index, dtype="str"),
        ho_offence_group=pd.Series(pd.NA, index=crimes.index, dtype="str"),
        ho_offence_subgroup=pd.Series(pd.NA, index=crimes.index, dtype="str"),
        category=pd.Series("other", index=crimes.index, dtype="str"),
        violence_type=pd.Series(pd.NA, index=crimes.index, dtype="str"),
        in_all_crime=True,
        count=pd.Series(1, index=crimes.index, dtype="int64"),
    )[
        [
            "crime_id",
            "recorded_date",
            "offence_code",
            "npa",
            "domestic",
            "victim_id",
            "ho_offence_group",
            "ho_offence_subgroup",
            "category",
            "violence_type",
            "in_all_crime",
            "policeuk_crime_type",
            "count",
            "lsoa_code",
            "district",
        ]
    ]

    n_asb = len(incidents)
    incidents["opened_at"] = incidents["opened_at"].astype("datetime64[ns]")
    for col in ("incident_id", "npa", "lsoa_code", "district"):
        incidents[col] = incidents[col].astype("str")
    incidents = incidents.assign(
        category=pd.Series(ASB_CATEGORY, index=incidents.index, dtype="str"),
        covid_related=_empty_bool(n_asb),
        victim_id=pd.Series(pd.NA, index=incidents.index, dtype="str"),
        grade=pd.arrays.IntegerArray(np.zeros(n_asb, "int64"), np.ones(n_asb, bool)),
        attended=_empty_bool(n_asb),
        is_asb=True,
        count=pd.Series(1, index=incidents.index, dtype="int64"),
        policeuk_crime_type=pd.Series(ASB_TYPE, index=incidents.index, dtype="str"),
    )[
        [
            "incident_id",
            "opened_at",
            "category",
            "covid_related",
            "npa",
            "victim_id",
            "grade",
            "attended",
            "is_asb",
            "count",
            "policeuk_crime_type",
            "lsoa_code",
            "district",
        ]
    ]

    # ---- what the quality report and the sections are told ----
    months = sorted(f.month for f in chosen)
    expected = pd.date_range(months[0], months[-1], freq="MS").date
    missing = [m for m in expected if m not in set(months)]
    if missing:
        notes.append(
            f"No file for {len(missing)} month{'s' if len(missing) != 1 else ''} between the first and the last ({', '.join(f'{m:%Y-%m}' for m in missing[:12])}{' …' if len(missing) > 12 else ''}): those months are missing, not zero; a figure whose window includes them is counted but not compared ('incomplete coverage')."
        )
    if no_location:
        notes.append(
            f"{no_location:,} of {total:,} rows ({100 * no_location / total:.1f}%) have no LSOA (no location); they are counted force-wide and shown as '{NO_LOCATION}'."
        )
    if len(outside):
        n_out = int(outside.sum())
        notes.append(
            f"{n_out:,} rows fall in LSOAs of districts outside the force's areas: "
            + ", ".join(f"{d} ({int(n):,})" for d, n in outside.items())
            + f"; they are counted force-wide and shown as one row, '{OUTSIDE_AREA}', never tested as an area."
        )
    if no_id_crimes:
        notes.append(f"{no_id_crimes:,} crimes have no Crime ID; they were given a reference made from the row's content.")
    if dup:
        notes.append(f"{dup:,} crime rows repeat a Crime ID already seen; data.police.uk published them as separate rows, and each is counted.")
    unknown_types = sorted(t for t in types_seen if t not in POLICEUK_CRIME_TYPES)
    if unknown_types:
        notes.append(
            "Crime types outside the current police.uk list (kept, each its own row): " + ", ".join(f"{t} ({types_seen[t]:,})" for t in unknown_types) + "."
        )

    files_meta = [
        {
            "table": "crimes+incidents",
            "path": str(f.path),
            "month": f"{f.month:%Y-%m}",
            "sha256": sha256_file(f.path),
            "bytes": f.path.stat().st_size,
            "rows": int(by_month.get(pd.Timestamp(f.month), 0)),
        }
        for f in chosen
    ]

    def table_facts(frame: pd.DataFrame, date_col: str) -> dict:
        d = frame[date_col]
        return {
            "file": str(data_dir),
            "files": len(chosen),
            "rows": int(len(frame)),
            "first": d.min().date().isoformat() if len(frame) else None,
            "last": month_end(d.max().date()).isoformat() if len(frame) else None,
            "values": {"npa": {str(k): int(v) for k, v in frame["npa"].value_counts().sort_index().items()}},
            "nulls": {"LSOA (no location)": n} if (n := int((frame["npa"] == NO_LOCATION).sum())) else {},
            "no_location_rows": n,
            "outside_force_rows": {str(k): int(v) for k, v in frame.loc[frame["npa"] == OUTSIDE_AREA, "district"].value_counts().items()},
        }

    facts = {"crimes": table_facts(crimes, "recorded_date")}
    facts["crimes"]["values"]["policeuk_crime_type"] = {str(k): int(v) for k, v in crimes["policeuk_crime_type"].value_counts().sort_index().items()}
    facts["crimes"].update(
        rows_read=total,
        months=[f"{m:%Y-%m}" for m in months],
        months_missing=[f"{m:%Y-%m}" for m in missing],
        crime_types_seen={str(k): int(v) for k, v in sorted(types_seen.items())},
        crimes_without_id=no_id_crimes,
    )
    cov = months_coverage(months).to_meta()
    facts["crimes"]["gaps"] = cov["gaps"]
    facts["crimes"]["areas_rule"] = (
        "profile" if npas == list(getattr(config, "npas", ()) or ()) and _is_profile_force(slug, config) else "derived from the data (docs/public-data.md)"
    )
    tables = {"crimes": crimes}
    covered = {"crimes": cov}
    granularity = {"crimes": "month"}
    unavailable = dict(UNAVAILABLE)
    if n_asb:
        tables["incidents"] = incidents
        granularity["incidents"] = "month"
        facts["incidents"] = table_facts(incidents, "opened_at")
        facts["incidents"]["gaps"] = cov["gaps"]
        covered["incidents"] = cov
    else:
        unavailable["incidents"] = "no anti-social behaviour rows in these data.police.uk files"
    return Dataset(
        source="policeuk",
        force=force_name,
        tables=tables,
        files=files_meta,
        facts=facts,
        unavailable=unavailable,
        notes=notes,
        granularity=granularity,
        npas=npas,
        covered=covered,
    )

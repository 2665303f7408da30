"""ONS "Crime in England and Wales: police force area data tables" for peer comparison.

The ONS publishes, with each quarterly crime bulletin, a workbook of police force area (PFA)
tables (``policeforceareatablesyearending*.xlsx``). Two of its tables are read here:

``Table P1``
    police recorded crime by offence group, number of offences, per force, region and
    country;
``Table P3``
    the same as a rate per 1,000 population, with each area's mid-year population (rounded
    to 100 by the ONS; the rates were worked on the unrounded population).

What the reader makes of them (:func:`read_peer_table`): one row per force and offence group
with the count (P1), the force's population and the ONS's own printed rate (P3). The layout
quirks handled: notes rows above the header, footnote digits stuck to names and labels
("ENGLAND AND WALES7,8", "Lancashire8", "fraud3)"), regions, countries and the England and
Wales total among the forces (left out: only police force areas are kept), British Transport
Police (a force with no area and no population: left out, and said so), "-", ".." and "+"
(figures not shown, or shown in another row) read as missing, never as 0. Forces are
recognised by their ONS area code (:data:`FORCES`), so the two sheets' spellings ("London,
City of" / "City of London") do not matter. A force the table leaves out is listed by
:func:`absent_forces`, and a force's footnotes (Lancashire's estimated months, say) come
with its rows in ``force_note``.

Contains public sector information licensed under the Open Government Licence v3.0.
Nothing is fetched: the workbooks are files the user has downloaded.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "FORCES",
    "PeerDataError",
    "absent_forces",
    "clean_label",
    "find_workbook",
    "force_code",
    "offence_key",
    "read_peer_table",
    "workbook_title",
    "workbook_year_end",
]

# The 43 territorial police force areas of England and Wales and their ONS area codes
# (GSS codes: E23 for English PFAs, W15 for Welsh ones), as in the ONS "Police Force Areas
# (December 2018) Names and Codes in England and Wales" list on the ONS Open Geography
# portal, and as printed in Tables P1 and P3 of the 2018 workbooks. Written out by hand;
# tests check every code and name against the workbooks.
FORCES: dict[str, str] = {
    "E23000001": "Metropolitan Police",
    "E23000002": "Cumbria",
    "E23000003": "Lancashire",
    "E23000004": "Merseyside",
    "E23000005": "Greater Manchester",
    "E23000006": "Cheshire",
    "E23000007": "Northumbria",
    "E23000008": "Durham",
    "E23000009": "North Yorkshire",
    "E23000010": "West Yorkshire",
    "E23000011": "South Yorkshire",
    "E23000012": "Humberside",
    "E23000013": "Cleveland",
    "E23000014": "West Midlands",
    "E23000015": "Staffordshire",
    "E23000016": "West Mercia",
    "E23000017": "Warwickshire",
    "E23000018": "Derbyshire",
    "E23000019": "Nottinghamshire",
    "E23000020": "Lincolnshire",
    "E23000021": "Leicestershire",
    "E23000022": "Northamptonshire",
    "E23000023": "Cambridgeshire",
    "E23000024": "Norfolk",
    "E23000025": "Suffolk",
    "E23000026": "Bedfordshire",
    "E23000027": "Hertfordshire",
    "E23000028": "Essex",
    "E23000029": "Thames Valley",
    "E23000030": "Hampshire",
    "E23000031": "Surrey",
    "E23000032": "Kent",
    "E23000033": "Sussex",
    "E23000034": "City of London",
    "E23000035": "Devon and Cornwall",
    "E23000036": "Avon and Somerset",
    "E23000037": "Gloucestershire",
    "E23000038": "Wiltshire",
    "E23000039": "Dorset",
    "W15000001": "North Wales",
    "W15000002": "Gwent",
    "W15000003": "South Wales",
    "W15000004": "Dyfed-Powys",
}

_CODE_BY_NAME = {name.lower(): code for code, name in FORCES.items()}
PFA_CODE = re.compile(r"^(E23|W15)\d{6}$")
AREA_CODE = re.compile(r"^[EWK]\d{8}$")
NOT_SHOWN = {"-", "..", "+", ":", "x", "*", ""}
OFFENCE_ALIASES = {  # P3 spells two groups differently from P1; one key for each
    "all_other_theft_offences": "other_theft_offences",
    "miscellaneous_crimes": "miscellaneous_crimes_against_society",
}
SKIP_P3 = ("residential_burglary_households",)  # a rate per 1,000 households, not population
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
TITLE_YEAR_END = re.compile(r"year\s+ending\s+([A-Za-z]+)\.?\s*(\d{2,})", re.IGNORECASE)
HEADER_SEARCH_ROWS = 30
FIX = "Use the unmodified ONS download of the police force area data tables."


class PeerDataError(ValueError):
    """An ONS workbook cannot be found or read; the message names the file, sheet and row,
    and what to do."""


@dataclass
class _Table:
    """One sheet's data rows: header labels by column, rows as (row number, code, raw name,
    cells), and the numbered notes under the table."""

    path: Path
    sheet: str
    labels: dict[int, str]
    rows: list[tuple[int, str | None, str, tuple]]
    notes: dict[int, str] = field(default_factory=dict)


def clean_label(text: object) -> str:
    """A name or column label without footnote digits and spare spaces.

    ``"ENGLAND AND WALES7,8"`` -> ``"ENGLAND AND WALES"``, ``"Total recorded crime (excluding
    fraud3)"`` -> ``"Total recorded crime (excluding fraud)"``, ``"Residential burglary
    (households) 6,7,9"`` -> ``"Residential burglary (households)"``, ``"West Midlands "`` ->
    ``"West Midlands"``. Only digits stuck to the end of a word (or ending the text) go:
    the offence and area names carry no digits of their own.
    """
    s = re.sub(r"\s+", " ", str(text)).strip()
    s = re.sub(r"(?<=[A-Za-z)])\d+(?:,\d+)*(?=\)|\s|$)", "", s)
    s = re.sub(r"\s+\d+(?:,\d+)*$", "", s)
    return re.sub(r"\s+", " ", s).strip()


def _footnotes(text: str) -> list[int]:
    """Footnote numbers stuck to the end of a name: ``"Lancashire8"`` -> ``[8]``."""
    m = re.search(r"(?<=[A-Za-z)])(\d+(?:,\d+)*)\s*$", str(text).strip())
    return [int(n) for n in m.group(1).split(",")] if m else []


def offence_key(label: str) -> str:
    """The snake_case key of an offence group label, the same in P1 and P3.

    ``"Total recorded crime (excluding fraud3)"`` -> ``"total_recorded_crime_excluding_fraud"``,
    ``"Death or serious injury - unlawful driving"`` ->
    ``"death_or_serious_injury_unlawful_driving"``; P3's "All other theft offences" and P1's
    "Miscellaneous crimes" take the key of the other table's spelling.
    """
    key = re.sub(r"[^a-z0-9]+", "_", clean_label(label).lower()).strip("_")
    return OFFENCE_ALIASES.get(key, key)


def _open(path: Path):
    import openpyxl  # heavy, optional: only for ONS workbooks

    if not path.is_file():
        raise PeerDataError(f"{path}: no such file. Give the path of an ONS police force area tables workbook (.xlsx).")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML or format errors: all mean the same to the user
        raise PeerDataError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}). {FIX}") from exc


def _rows(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _title_of(wb) -> tuple[str, str] | None:
    """(sheet, text) of the workbook's title: the first text of the Notes sheet, else the
    first table's title cell."""
    names = [n for n in wb.sheetnames if n.strip().lower() == "notes"]
    names += [n for n in wb.sheetnames if re.match(r"^table\s*p1$", n.strip(), re.IGNORECASE)]
    for name in names:
        for row in wb[name].iter_rows(min_row=1, max_row=10, values_only=True):
            for v in row:
                if isinstance(v, str) and TITLE_YEAR_END.search(v):
                    return name, v.strip()
    return None


def workbook_title(path: str | Path) -> str:
    """The workbook's own title, e.g. "Crime in England & Wales, year ending June 2018 - PFA
    tables" (the first line of its Notes sheet; Table P1's title if it has no Notes sheet).

    Raises
    ------
    PeerDataError
        If the file cannot be opened or no title saying "year ending <month> <year>" is found.
    """
    path = Path(path)
    wb = _open(path)
    try:
        found = _title_of(wb)
    finally:
        wb.close()
    if found is None:
        raise PeerDataError(
            f"{path}: no title saying 'year ending <month> <year>' in the first rows of sheet 'Notes' or 'Table P1' (sheets: {', '.join(wb.sheetnames)}). {FIX}"
        )
    return found[1]


def _parse_year_end(title: str, where: str) -> date:
    m = TITLE_YEAR_END.search(title)
    month = MONTHS.get(m.group(1).lower()) if m else None
    if month is None:
        raise PeerDataError(f"{where}: title {title!r} does not say 'year ending <month> <year>'. {FIX}")
    digits = m.group(2)
    # Footnote digits may follow the year: "June 20181,2" is 2018, "June 181,2" is 2018 too.
    year = int(digits[:4]) if digits.startswith("20") and len(digits) >= 4 else 2000 + int(digits[:2])
    return date(year, month, calendar.monthrange(year, month)[1])


def workbook_year_end(path: str | Path) -> date:
    """The last day of the year the workbook covers, from its title: "year ending December
    2018" -> 2018-12-31. Remembered per file (path, size, modification time): opening a
    workbook takes a few tenths of a second."""
    path = Path(path)
    stat = path.stat() if path.is_file() else None
    if stat is None:
        return _parse_year_end(workbook_title(path), str(path))  # raises: no such file
    return _year_end_of(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _year_end_of(path: str, size: int, mtime_ns: int) -> date:
    return _parse_year_end(workbook_title(path), path)


def _describe(year_end: date) -> str:
    return f"year ending {calendar.month_name[year_end.month]} {year_end.year}"


def find_workbook(folder: str | Path, year_end: date) -> Path:
    """The ``.xlsx`` workbook in ``folder`` whose own title says the year ends in the month of
    ``year_end`` (any day of that month will do); file names are not trusted.

    Raises
    ------
    PeerDataError
        If the folder does not exist, or no workbook or more than one says that year end;
        the message lists the year ends found, file by file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise PeerDataError(f"{folder}: no such folder. Give the folder holding the ONS police force area tables workbooks.")
    wanted = _describe(year_end)
    found: dict[Path, str] = {}
    for path in sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$")):
        try:
            found[path] = _describe(workbook_year_end(path))
        except PeerDataError as exc:
            found[path] = f"unreadable ({exc})"
    matches = [p for p, said in found.items() if said == wanted]
    listing = "; ".join(f"{p.name}: {said}" for p, said in found.items()) or "no .xlsx files"
    if not matches:
        raise PeerDataError(f"{folder}: no workbook's title says {wanted}. Found: {listing}. Download the ONS tables for that period into the folder.")
    if len(matches) > 1:
        raise PeerDataError(
            f"{folder}: {len(matches)} workbooks say {wanted}: {', '.join(p.name for p in matches)}. "
            "Keep one (the latest corrected edition) in the folder, or pass the file itself."
        )
    return matches[0]


def _sheet(wb, table: str, path: Path):
    for name in wb.sheetnames:
        if re.match(rf"^table\s*{table}$", name.strip(), re.IGNORECASE):
            return name, wb[name]
    raise PeerDataError(f"{path}: no sheet 'Table {table}' (sheets: {', '.join(wb.sheetnames)}). {FIX}")


def _header_row(rows: list[tuple], path: Path, sheet: str) -> int:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(v).strip().lower() if v is not None else "" for v in row[:2]]
        if cells == ["area code", "area name"]:
            return i
    raise PeerDataError(
        f"{path}, sheet {sheet!r}: no header row with 'Area Code' and 'Area Name' in columns A and B in the first {HEADER_SEARCH_ROWS} rows. {FIX}"
    )


def _labels(rows: list[tuple], header: int) -> dict[int, str]:
    """Column -> label: the header row's text, else the row above (where P1 puts "Total
    recorded crime"); spanning group headers ("Victim-based crime") are never taken when the
    header row has its own label. Columns without data are dropped later."""
    above = rows[header - 1] if header > 0 else ()
    labels = {}
    for j in range(2, len(rows[header])):
        text = rows[header][j] if rows[header][j] is not None else (above[j] if j < len(above) else None)
        if isinstance(text, str) and text.strip():
            labels[j] = text
    return labels


def _notes(rows: list[tuple]) -> dict[int, str]:
    notes = {}
    for row in rows:
        m = re.match(r"^\s*(\d+)\.\s+(.*)$", row[0], re.DOTALL) if row and isinstance(row[0], str) else None
        if m:
            notes[int(m.group(1))] = re.sub(r"\s+", " ", m.group(2)).strip()
    return notes


def _read_sheet(wb, table: str, path: Path) -> _Table:
    sheet, ws = _sheet(wb, table, path)
    rows = _rows(ws)
    header = _header_row(rows, path, sheet)
    width = len(rows[header])
    data, end = [], len(rows)
    for i in range(header + 1, len(rows)):
        row = tuple(rows[i]) + (None,) * (width - len(rows[i]))
        code, name = row[0], row[1]
        if isinstance(name, str) and name.strip():
            data.append((i + 1, str(code).strip() if code is not None else None, name, row))
        elif isinstance(code, str) and code.strip():  # "Source: ..." and the numbered notes
            end = i
            break
    if not data:
        raise PeerDataError(f"{path}, sheet {sheet!r}: no data rows under the header (row {header + 1}). {FIX}")
    return _Table(path, sheet, _labels(rows, header), data, _notes(rows[end:]))


def _number(value, table: _Table, row: int, name: str, label: str) -> float:
    """A cell as a number; the ONS's "not shown" marks as NaN (never 0)."""
    if value is None:
        return np.nan
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text in NOT_SHOWN:
        return np.nan
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise PeerDataError(
            f"{table.path}, sheet {table.sheet!r}, row {row} ({clean_label(name)}), column {clean_label(label)!r}: "
            f"cannot read {value!r} as a number (expected a number, or '-', '..' or '+' for a figure not shown). {FIX}"
        ) from None


def _force_of(code: str | None, name: str) -> tuple[str, str] | None:
    """(force, area code) of a data row, or None for a region, country, total or a force with
    no area (British Transport Police). Known codes take the name in :data:`FORCES`."""
    if code and PFA_CODE.match(code):
        return FORCES.get(code, clean_label(name)), code
    key = _CODE_BY_NAME.get(clean_label(name).lower())
    if key and not (code and AREA_CODE.match(code)):
        return FORCES[key], key
    return None


def _force_rows(table: _Table) -> tuple[dict[str, tuple[str, int, str, tuple]], list[str]]:
    """Area code -> (force, row number, raw name, cells) for each police force area row; and
    the cleaned names of rows that are neither force areas nor regions/countries/totals."""
    forces, others = {}, []
    for row, code, name, cells in table.rows:
        found = _force_of(code, name)
        if found is None:
            if not (code and AREA_CODE.match(code)):
                others.append(clean_label(name))
            continue
        force, key = found
        if key in forces:
            raise PeerDataError(f"{table.path}, sheet {table.sheet!r}, row {row}: {force} ({key}) appears twice (also row {forces[key][1]}). {FIX}")
        forces[key] = (force, row, name, cells)
    if not forces:
        raise PeerDataError(f"{table.path}, sheet {table.sheet!r}: no police force area rows (no E23/W15 area codes). {FIX}")
    return forces, others


def _offence_columns(table: _Table) -> dict[str, tuple[int, str]]:
    """Offence key -> (column, label) for the count or rate columns of a sheet."""
    out = {}
    for col, label in table.labels.items():
        key = offence_key(label)
        empty = all(cells[col] is None for *_, cells in table.rows)  # a spacer under a group header
        if empty or key.startswith(("population", "household")) or key in SKIP_P3:
            continue
        if key in out:
            raise PeerDataError(f"{table.path}, sheet {table.sheet!r}: two columns are labelled {clean_label(label)!r}. {FIX}")
        out[key] = (col, clean_label(label))
    if not out:
        raise PeerDataError(f"{table.path}, sheet {table.sheet!r}: no offence group columns in the header. {FIX}")
    return out


def _population_column(table: _Table) -> int:
    for col, label in table.labels.items():
        if clean_label(label).lower().startswith("population"):
            return col
    raise PeerDataError(f"{table.path}, sheet {table.sheet!r}: no 'Population figures' column in the header. {FIX}")


def _force_notes(tables: list[_Table], raw_names: dict[str, list[tuple[_Table, str]]]) -> dict[str, str]:
    """Area code -> the text of the footnotes stuck to the force's name, in either sheet."""
    out = {}
    for key, seen in raw_names.items():
        texts = []
        for table, name in seen:
            texts += [table.notes[n] for n in _footnotes(name) if n in table.notes and table.notes[n] not in texts]
        out[key] = " ".join(texts)
    return out


def _long_frame(p1: _Table, p3: _Table) -> tuple[pd.DataFrame, list[str]]:
    forces1, others = _force_rows(p1)
    forces3, _ = _force_rows(p3)
    counts, rates, pop_col = _offence_columns(p1), _offence_columns(p3), _population_column(p3)
    missing = [label for key, (_, label) in counts.items() if key not in rates]
    if missing:
        raise PeerDataError(f"{p3.path}, sheet {p3.sheet!r}: no rate column for the offence groups of {p1.sheet!r}: {', '.join(missing)}. {FIX}")
    raw = {k: [(p1, v[2])] + ([(p3, forces3[k][2])] if k in forces3 else []) for k, v in forces1.items()}
    notes = _force_notes([p1, p3], raw)
    records = []
    for key, (force, row, name, cells) in forces1.items():
        r3 = forces3.get(key)
        population = _number(r3[3][pop_col], p3, r3[1], r3[2], "population") if r3 else np.nan
        note = notes[key] if r3 else (notes[key] + " Not in Table P3: no population or rate.").strip()
        for group, (col, label) in counts.items():
            rate = _number(r3[3][rates[group][0]], p3, r3[1], r3[2], label) if r3 else np.nan
            records.append((force, key, group, label, _number(cells[col], p1, row, name, label), population, rate, note))
    columns = ["force", "area_code", "offence_group", "offence_label", "count", "population", "rate_per_1000", "force_note"]
    return pd.DataFrame.from_records(records, columns=columns), others


def read_peer_table(path: str | Path) -> pd.DataFrame:
    """Recorded crime by police force area and offence group, from one ONS workbook.

    Parameters
    ----------
    path
        An ONS "police force area data tables" workbook (``.xlsx``) with Tables P1 and P3.

    Returns
    -------
    pandas.DataFrame
        Long form, one row per force and offence group, forces in alphabetical order and
        offence groups in the table's order: ``year_end`` (date, from the workbook's title),
        ``force`` (name as in :data:`FORCES`), ``area_code`` (E23.../W15...),
        ``offence_group`` (snake_case key, e.g. ``total_recorded_crime_excluding_fraud``),
        ``offence_label`` (P1's label without footnote digits), ``count`` (P1),
        ``population`` (P3, mid-year estimate rounded to 100), ``rate_per_1000`` (P3's own
        printed rate; NaN where P3 shows "+", as for the City of London, whose rates the ONS
        folds into London's), ``force_note`` (the footnotes on the force's name, "" if none).
        Figures not shown ("-", "..") are NaN, never 0. ``attrs`` holds ``source``,
        ``title``, ``year_end``, ``absent_forces`` (see :func:`absent_forces`) and
        ``not_force_areas`` (rows kept out that are neither forces nor regions, e.g.
        British Transport Police).

    Raises
    ------
    PeerDataError
        Naming file, sheet and row, when a sheet, the header, a column or a number cannot
        be read, a force appears twice, or P3 lacks a rate column P1 has.
    """
    path = Path(path)
    wb = _open(path)
    try:
        title = _title_of(wb)
        if title is None:
            raise PeerDataError(f"{path}: no title saying 'year ending <month> <year>' in sheet 'Notes' or 'Table P1'. {FIX}")
        year_end = _parse_year_end(title[1], f"{path}, sheet {title[0]!r}")
        p1, p3 = _read_sheet(wb, "P1", path), _read_sheet(wb, "P3", path)
    finally:
        wb.close()
    frame, others = _long_frame(p1, p3)
    order = {k: i for i, k in enumerate(dict.fromkeys(frame["offence_group"]))}
    frame = frame.sort_values(["force", "offence_group"], key=lambda s: s.map(order) if s.name == "offence_group" else s)
    frame.insert(0, "year_end", year_end)
    frame = frame.reset_index(drop=True)
    frame.attrs.update(source=path.name, title=title[1], year_end=year_end, not_force_areas=others)
    frame.attrs["absent_forces"] = absent_forces(frame)
    return frame


def absent_forces(frame: pd.DataFrame) -> list[str]:
    """The territorial forces of :data:`FORCES` that a peer table leaves out: not in it at
    all, or with no count shown for any offence group. Alphabetical."""
    shown = set(frame.loc[frame["count"].notna(), "area_code"])
    return sorted(name for code, name in FORCES.items() if code not in shown)


# Words a force's own name carries that the ONS leaves out ("Staffordshire Police",
# "Durham Constabulary", "Metropolitan Police Service"), and other spellings of two areas.
_NAME_WORDS = {"police", "constabulary", "service", "force", "the", "area"}
_NAME_ALIASES = {"london city of": "city of london", "hampshire and isle of wight": "hampshire", "met": "metropolitan"}


def _name_key(name: str) -> str:
    s = re.sub(r"[^a-z]+", " ", clean_label(name).lower().replace("&", " and "))
    s = " ".join(w for w in s.split() if w not in _NAME_WORDS)
    return _NAME_ALIASES.get(s, s)


_CODE_BY_KEY = {_name_key(name): code for code, name in FORCES.items()}


def force_code(name: str | None) -> str | None:
    """The ONS area code of a force named as a pack names it: its configured name
    ("Staffordshire Police"), its short name, a data.police.uk slug ("city-of-london") or the
    ONS's own spelling ("London, City of"); None when it is not one of the 43 territorial
    forces (British Transport Police, a test force). Case, "&"/"and", hyphens and the words
    "Police", "Constabulary" and "Service" do not matter."""
    if not name or not str(name).strip():
        return None
    return _CODE_BY_KEY.get(_name_key(str(name)))

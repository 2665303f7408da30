"""Home Office police recorded crime, police force area tables, as a
:class:`~perfpack.sources.dataset.Dataset`.

The Home Office publishes recorded crime by force, offence code and financial-year quarter
(``prc-pfa-mar2013-onwards-tables-*.ods``, with CSV versions ``prc-pfa*.csv``) with the
columns ``Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group,
Offence Subgroup, Offence Code, Number of Offences``. The CSV is what this loader reads (every
``prc-pfa*.csv`` in the folder, or one file); for the ODS, save the sheet as CSV.

What the loader makes of it:

- one ``crimes`` row per force, quarter and offence-code row of the table, with ``count`` the
  number of offences (spaces trimmed; ``-00`` is zero; the few negative revisions are kept as
  published), dated the first day of the quarter: financial year ``2017/18`` quarter 1 is
  April-June 2017 (2017-04-01), quarter 4 is January-March 2018 (2018-01-01);
- offence codes go through the same classification as record-level data
  (:func:`perfpack.sources.classification.classify` via :func:`~perfpack.sources.dataset.enrich`), so
  ``all_crime``, ``residential_burglary``... come out of the same code paths; an unknown code
  is an error naming the file, line and code;
- no NPA (force totals only), no domestic flag, no victims, no incidents, calls, fraud reports
  or FPNs: :attr:`Dataset.unavailable` says so in words.

The tables also list Action Fraud, CIFAS, UK Finance and Financial Fraud Action UK as
"forces": they are national fraud recording bodies, not forces, and cannot be chosen.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from perfpack.config import PackConfig
from perfpack.periods import add_months, month_end
from perfpack.sources.classification import classification, normalise_code
from perfpack.sources.contract import SHOW_ROWS, DataProblem, DataValidationError
from perfpack.sources.coverage import month_words, months_coverage
from perfpack.sources.dataset import Dataset, SourceError, enrich, sha256_file

HO_COLUMNS = (
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
)
FILE_GLOB = "prc-pfa*.csv"
NOT_FORCES = ("Action Fraud", "CIFAS", "UK Finance", "Financial Fraud Action UK")
FY_RE = re.compile(r"^(\d{4})/(\d{2})$")

UNAVAILABLE = {
    "npa": "not available from this source: the Home Office tables give force totals only, not Neighbourhood Policing Areas",
    "monthly": "not available from this source: the Home Office tables give counts by quarter, not by month",
    "domestic": "not available from this source: the Home Office force-area tables carry no domestic abuse flag",
    "victim_id": "not available from this source: the Home Office tables are counts, with no victims, so repeat victims cannot be counted",
    "incidents": "not available from this source: the Home Office tables hold recorded crime only (no ASB or other incidents)",
    "calls": "not available from this source: the Home Office recorded crime tables hold no calls for service",
    "fraud_reports": "not available from this source: Action Fraud counts are national in these tables, not by force",
    "fpns": "not available from this source: Covid-19 fixed penalty notices are not in the Home Office recorded crime tables",
    "covid_related": "not available from this source: the Home Office tables hold no incidents",
    "grade": "not available from this source: the Home Office tables hold no incidents",
    "attended": "not available from this source: the Home Office tables hold no incidents",
}


def quarter_start(financial_year: str, quarter: int | str) -> date:
    """First day of a financial-year quarter: ``('2017/18', 1)`` -> 1 April 2017, ``('2017/18', 4)``
    -> 1 January 2018.

    Raises
    ------
    ValueError
        If the year is not written ``YYYY/YY`` (with consecutive years) or the quarter is not 1-4.
    """
    m = FY_RE.match(str(financial_year).strip())
    q = int(str(quarter).strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)) or not 1 <= q <= 4:
        raise ValueError(f"not a financial year and quarter: {financial_year!r}, {quarter!r}")
    y = int(m.group(1))
    return date(y, 4 + 3 * (q - 1), 1) if q < 4 else date(y + 1, 1, 1)


def _force_key(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", str(name).strip().lower()).strip("-")
    for suffix in ("-police-service", "-police", "-constabulary"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    return {"btp": "british-transport", "city-of-london": "london-city-of"}.get(s, s)


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise SourceError(
            f"{path} does not exist. Pass --data with the folder holding the Home Office police force area tables (prc-pfa*.csv), or the file itself."
        )
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().startswith("prc-pfa") and p.suffix.lower() == ".csv")
    if not files:
        ods = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".ods", ".xlsx"))
        hint = (
            f" There is {', '.join(ods)}: open it in a spreadsheet and save the data sheet as CSV (named prc-pfa….csv), or download the CSV version."
            if ods
            else ""
        )
        raise SourceError(f"No Home Office police force area tables (prc-pfa*.csv) in {path}.{hint} See docs/public-data.md.")
    return files


def _read(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:
        raise DataValidationError(
            [
                DataProblem(
                    str(path),
                    None,
                    f"the file could not be read as CSV ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                    todo="use the CSV version of the Home Office police force area tables, unmodified.",
                )
            ]
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in HO_COLUMNS if c not in df.columns]
    if missing:
        raise DataValidationError(
            [
                DataProblem(
                    str(path),
                    m,
                    "column is missing",
                    todo=f"the Home Office police force area tables have the columns {', '.join(HO_COLUMNS)} (found: {', '.join(df.columns) or 'none'}).",
                )
                for m in missing
            ]
        )
    df = df[list(HO_COLUMNS)].apply(lambda s: s.str.strip())
    df["_file"] = str(path)
    df["_line"] = df.index + 2  # as a text editor shows it (header = line 1)
    return df


def _problem(path: str, column: str, what: str, bad: pd.DataFrame, todo: str) -> DataProblem:
    rows = [f"line {int(r['_line'])}: {r[column]!r}" for _, r in bad.head(SHOW_ROWS).iterrows()]
    return DataProblem(path, column, what, rows, todo, len(bad))


def load_homeoffice(data_dir_or_file: str | Path, force: str, config: PackConfig) -> Dataset:
    """Load one force's quarterly counts from the Home Office police force area tables.

    Parameters
    ----------
    data_dir_or_file : str or Path
        A folder holding ``prc-pfa*.csv`` (every one is read) or one such file.
    force : str
        The force as the tables name it (``Staffordshire``, ``Metropolitan Police``,
        ``London, City of``); case does not matter, and ``Staffordshire Police`` or the
        data.police.uk slug (``staffordshire``, ``city-of-london``) are accepted too.
    config : PackConfig
        The pack configuration (not used for the counts; kept for the common loader signature).

    Returns
    -------
    Dataset
        ``crimes``: one row per quarter and offence-code row, ``count`` the number of offences,
        classified; quarterly granularity; no NPAs.

    Raises
    ------
    SourceError
        No tables found, a force the tables do not list (the message lists those they do), or a
        quarter found in two files.
    DataValidationError
        A missing column, a count that is not a number, a year or quarter that cannot be read, or
        an offence code the classification does not know; each names the file, line and value.
    """
    path = Path(data_dir_or_file)
    files = _files(path)
    if not str(force or "").strip():
        raise SourceError("--source homeoffice needs --force: the force as the Home Office tables name it, e.g. --force Staffordshire.")
    frames = [_read(p) for p in files]
    df = pd.concat(frames, ignore_index=True)

    # the same quarter in two files would be counted twice
    seen = df.groupby(["Financial Year", "Financial Quarter"])["_file"].unique()
    twice = {k: v for k, v in seen.items() if len(v) > 1}
    if twice:
        lines = [f"{fy} quarter {q}: {', '.join(v)}" for (fy, q), v in list(twice.items())[:8]]
        raise SourceError(
            "The same quarter is in more than one file, so its counts would be doubled:\n"
            + "\n".join("  " + ln for ln in lines)
            + "\nKeep one file per period (the latest publication, which carries the revised figures) and run again."
        )

    names = sorted(set(df["Force Name"]) - {""})
    forces = [n for n in names if n not in NOT_FORCES]
    national = [n for n in names if n in NOT_FORCES]
    where = str(path)
    wanted = _force_key(force)
    if wanted in {_force_key(n) for n in NOT_FORCES}:
        raise SourceError(
            f"'{force}' is a national fraud recording body in these tables, not a police force: its counts cover England and Wales. Choose a force: {', '.join(forces)}."
        )
    match = [n for n in forces if _force_key(n) == wanted]
    if not match:
        also = f" (the tables also list {', '.join(national)}: national fraud recording bodies, not forces)" if national else ""
        raise SourceError(f"No rows for force '{force}' in {where}. The forces in these tables are: {', '.join(forces)}{also}. Pass one of these with --force.")
    name = match[0]
    mine = df[df["Force Name"] == name].reset_index(drop=True)

    problems: list[DataProblem] = []
    for file, part in mine.groupby("_file", sort=False):
        counts = pd.to_numeric(part["Number of Offences"].str.replace(",", "", regex=False), errors="coerce")
        bad = part[counts.isna() | (counts % 1 != 0)]
        if len(bad):
            problems.append(
                _problem(
                    file,
                    "Number of Offences",
                    f"{len(bad)} count{'s' if len(bad) != 1 else ''} that are not whole numbers",
                    bad,
                    "use the unmodified Home Office table; counts must be whole numbers (spaces around them are fine).",
                )
            )
        starts = [_safe_quarter(fy, q) for fy, q in zip(part["Financial Year"], part["Financial Quarter"])]
        bad = part[[s is None for s in starts]]
        if len(bad):
            bad = bad.assign(**{"Financial Year": bad["Financial Year"] + " Q" + bad["Financial Quarter"]})
            problems.append(
                _problem(
                    file,
                    "Financial Year",
                    f"{len(bad)} rows whose financial year and quarter cannot be read",
                    bad,
                    "write the year as YYYY/YY (e.g. 2017/18) and the quarter as 1 to 4.",
                )
            )
        codes = part["Offence Code"].map(normalise_code)
        bad = part[~codes.isin(classification().index)]
        if len(bad):
            problems.append(
                _problem(
                    file,
                    "Offence Code",
                    f"{len(bad)} offence code{'s' if len(bad) != 1 else ''} not in the Home Office classification ({', '.join(sorted(set(bad['Offence Code'])))})",
                    bad,
                    "if the Home Office list has changed, add the codes to lib/perfpack/data/offence_classification.csv (see data/README.md); otherwise correct the file.",
                )
            )
    if problems:
        raise DataValidationError(problems, where)

    count = pd.to_numeric(mine["Number of Offences"].str.replace(",", "", regex=False)).astype("int64")
    start = pd.to_datetime([quarter_start(fy, q) for fy, q in zip(mine["Financial Year"], mine["Financial Quarter"])]).astype("datetime64[ns]")
    qlabel = mine["Financial Year"] + " Q" + mine["Financial Quarter"]
    code = mine["Offence Code"].map(normalise_code)
    slug = _force_key(name)
    # a stable reference: force, quarter, code, and the row's place among rows with that code
    nth = mine.groupby([qlabel, code]).cumcount() + 1
    crime_id = "HO-" + slug + "-" + pd.Series([f"{d:%Y}Q{q}" for d, q in zip(start, mine["Financial Quarter"])]) + "-" + code + "-" + nth.astype(str)
    n = len(mine)
    crimes = pd.DataFrame(
        {
            "crime_id": crime_id.astype("str"),
            "recorded_date": start,
            "offence_code": code.astype("str"),
            "npa": pd.Series(pd.NA, index=range(n), dtype="str"),
            "domestic": pd.array([pd.NA] * n, dtype="boolean"),
            "victim_id": pd.Series(pd.NA, index=range(n), dtype="str"),
            "count": count,
            "financial_year": mine["Financial Year"].astype("str"),
            "financial_quarter": mine["Financial Quarter"].astype("int64"),
        }
    )
    crimes = enrich({"crimes": crimes})["crimes"]
    crimes["domestic"] = pd.array([pd.NA] * n, dtype="boolean")  # enrich reads an empty flag as False; here it is unknown

    notes = [f"Counts are the Home Office's quarterly totals for {name}, dated the first day of each quarter (financial-year quarters: Q1 is April–June)."]
    neg = mine[count < 0]
    if len(neg):
        notes.append(
            f"{len(neg)} rows carry negative counts (revisions published by the Home Office, total {int(count[count < 0].sum()):,}); they are kept as published."
        )
    if national:
        notes.append(
            f"The tables also list {', '.join(national)}: national fraud recording bodies whose counts cover England and Wales; they are not used for the force."
        )
    by_quarter = crimes.groupby(qlabel.to_numpy())["count"].sum()
    files_meta = []
    for p, frame in zip(files, frames):
        files_meta.append(
            {
                "table": "crimes",
                "path": str(p),
                "sha256": sha256_file(p),
                "bytes": p.stat().st_size,
                "rows": int(len(frame)),
                "force_rows": int((frame["Force Name"] == name).sum()),
            }
        )
    facts = {
        "crimes": {
            "file": where,
            "rows": n,
            "first": crimes["recorded_date"].min().date().isoformat() if n else None,
            "last": month_end(add_months(crimes["recorded_date"].max().date(), 2)).isoformat() if n else None,
            "codes_seen": int(code.nunique()),
            "values": {"quarter (offences)": {str(k): int(v) for k, v in by_quarter.items()}},
            "offences": int(count.sum()),
            "negative_rows": int(len(neg)),
            "force_name": name,
        }
    }
    quarters = sorted({d.date() for d in crimes["recorded_date"]})
    cov = months_coverage(quarters, "quarter", step=3)
    covered = {"crimes": cov.to_meta()} if cov else {}
    if cov and cov.gaps:
        notes.append(
            f"No rows for {name} in {month_words(list(cov.gaps))}, between the first quarter and the last: those months are missing, not zero; a figure whose window includes them is counted but not compared ('incomplete coverage')."
        )
    if n:
        facts["crimes"]["gaps"] = covered["crimes"]["gaps"]
    return Dataset(
        source="homeoffice",
        force=name,
        tables={"crimes": crimes},
        files=files_meta,
        facts=facts,
        unavailable=dict(UNAVAILABLE),
        notes=notes,
        granularity={"crimes": "quarter"},
        npas=[],
        covered=covered,
    )


def _safe_quarter(fy: str, q: str) -> date | None:
    try:
        return quarter_start(fy, q)
    except ValueError:
        return None

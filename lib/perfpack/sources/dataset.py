"""The Dataset every section reads, whatever the source.

A run validates its source once and writes a *snapshot* (Arrow IPC tables plus
``snapshot.json``) to a private temporary folder; notebooks opened by the runner read the
snapshot, so the data are parsed and checked once per run, not once per section. A notebook
opened by hand in JupyterLab on the raw folder validates it itself.

The snapshot's tables are uncompressed Arrow IPC (Feather v2) files, opened memory-mapped:
a section reads them in milliseconds whatever their size, touches only the columns it uses,
and the sections running at once share one copy of the data in the page cache. (Parquet
took three seconds per section for the crimes table alone at scale 10.)
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfpack.periods import add_months, month_end
from perfpack.sources.classification import classify
from perfpack.sources.contract import ASB_CATEGORIES, NO_LOCATION, NOT_AREAS, OUTSIDE_AREA, TABLES  # noqa: F401  (the area names, re-exported)
from perfpack.sources.coverage import Coverage, months_coverage, record_coverage

SNAPSHOT_MARKER = "snapshot.json"
SNAPSHOT_SUFFIX = ".arrow"
SOURCES = ("canonical", "policeuk", "homeoffice")


class SourceError(ValueError):
    """The source, force or folder asked for cannot be used; the message says why."""


@dataclass
class Dataset:
    """Canonical tables for one force, with what the source could and could not give.

    Attributes
    ----------
    tables : dict
        ``crimes`` (classified, with a ``count`` column: 1 per record, or the count of an
        aggregated row), ``incidents``, ``calls``, ``fraud_reports``, ``fpns``; a table the
        source cannot give is absent.
    unavailable : dict
        Table or measure name -> the words a section shows instead ("not available from this
        source").
    granularity : dict
        Table -> ``record``, ``month`` or ``quarter``.
    npas : list
        The force's areas, in the order sections show them: the configured NPAs for the
        canonical source, the districts in the LSOA names for data.police.uk, none for the
        Home Office tables (force totals only).
    covered : dict
        Table -> its coverage (:meth:`perfpack.sources.coverage.Coverage.to_meta`): the days
        it covers and the months inside them it has no data for. See :meth:`coverage_of`.
    """

    source: str
    force: str
    tables: dict[str, pd.DataFrame]
    files: list[dict] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    granularity: dict[str, str] = field(default_factory=dict)
    npas: list[str] = field(default_factory=list)
    covered: dict[str, dict] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        return table in self.tables and table not in self.unavailable

    def why_not(self, table: str) -> str:
        return self.unavailable.get(table, f"No {table.replace('_', ' ')} data in this source.")

    def without_identifiers(self) -> Dataset:
        """The same data without the record identifiers (``crime_id``, ``incident_id``, ...):
        no section counts or shows them, and a section filtering a table then copies no
        identifier text (4 million crime references at scale 10). Victim references stay:
        repeat victims are counted by them."""
        ids = {name: spec.id_column for name, spec in TABLES.items() if spec.id_column}
        tables = self.tables if isinstance(self.tables, SnapshotTables) else SnapshotTables(self.tables)
        return replace(self, tables=tables.without_columns(ids))

    def coverage(self, table: str) -> tuple[date, date] | None:
        """First and last day the table covers (whole months for aggregated sources)."""
        if not self.has(table):
            return None
        col = TABLES[table].date_column
        span = self.tables.min_max(table, col) if isinstance(self.tables, SnapshotTables) else _min_max(self.tables[table], col)
        if span is None:
            return None
        first, last = pd.Timestamp(span[0]).date(), pd.Timestamp(span[1]).date()
        g = self.granularity.get(table, "record")
        if g in ("month", "quarter"):
            last = month_end(add_months(last, 2 if g == "quarter" else 0))
        return first, last

    def coverage_of(self, table: str) -> Coverage | None:
        """Which days and months the table covers (None when the source lacks it or it holds
        no records): what the loader recorded, else worked out from the table once, by the
        loaders' rules (:mod:`perfpack.sources.coverage`)."""
        if not self.has(table):
            return None
        if table not in self.covered:
            g = self.granularity.get(table, "record")
            df = self.tables[table]
            dates = df[TABLES[table].date_column]
            if g == "record":
                cov = record_coverage(dates, df["count"] if "count" in df else None)
            else:
                starts = sorted({pd.Timestamp(d).date() for d in dates.dropna().unique()})
                cov = months_coverage(starts, g, step=3 if g == "quarter" else 1)
            if cov is None:
                return None
            self.covered[table] = cov.to_meta()
        return Coverage.from_meta(self.covered[table])

    def gaps(self) -> dict[str, list[str]]:
        """Table -> the months inside its range it has no data for (``YYYY-MM``), for tables
        that have any."""
        return {t: c["gaps"] for t, c in self.covered.items() if c.get("gaps") and self.has(t)}


def _min_max(df: pd.DataFrame, column: str):
    return None if df.empty else (df[column].min(), df[column].max())


class SnapshotTables(MutableMapping):
    """A run snapshot's tables, each converted from its memory-mapped Arrow file to a pandas
    frame the first time a section uses it: a section that reads only the calls never pays
    for the 7 million incidents (at scale 10, 0.8 s and 400 MB a section for all tables).
    Otherwise a dict of name -> DataFrame; it may also be given frames."""

    def __init__(self, tables: dict[str, pa.Table | pd.DataFrame]):
        self._arrow = {n: t for n, t in tables.items() if isinstance(t, pa.Table)}
        self._frames = {n: t for n, t in tables.items() if not isinstance(t, pa.Table)}
        self._names = list(tables)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = self._arrow.pop(name).to_pandas()  # KeyError: no such table
        return self._frames[name]

    def __setitem__(self, name: str, df: pd.DataFrame) -> None:
        self._arrow.pop(name, None)
        self._frames[name] = df
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._arrow.pop(name, None)
        self._frames.pop(name, None)
        self._names.remove(name)

    def __contains__(self, name) -> bool:
        return name in self._arrow or name in self._frames

    def __iter__(self):
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def min_max(self, name: str, column: str):
        """Smallest and largest value of a column (None for an empty table), read from the
        Arrow file when the table has not been converted."""
        if name in self._frames:
            return _min_max(self._frames[name], column)

        table = self._arrow[name]
        if table.num_rows == 0:
            return None
        mm = pc.min_max(table.column(column))
        return mm["min"].as_py(), mm["max"].as_py()

    def without_columns(self, columns: dict[str, str]) -> SnapshotTables:
        """The same tables without ``columns[name]`` in table ``name`` (where present)."""
        out = {}
        for name in self._names:
            t, col = self._frames.get(name, self._arrow.get(name)), columns.get(name)
            if isinstance(t, pa.Table):
                out[name] = t.drop_columns([col]) if col in t.column_names else t
            else:
                out[name] = t.drop(columns=[col]) if col in t else t
        return SnapshotTables(out)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def enrich(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add the derived columns measures use: offence classification, counts, ASB flag."""
    out = dict(tables)
    if "crimes" in out:
        crimes = _classify(out["crimes"])
        if "count" not in crimes:
            crimes["count"] = 1
        crimes["domestic"] = crimes["domestic"].fillna(False).astype(bool)
        out["crimes"] = crimes
    if "incidents" in out:
        inc = out["incidents"].copy(deep=False)  # copy-on-write: new columns never touch the caller's frame
        inc["is_asb"] = inc["category"].isin(ASB_CATEGORIES)
        inc["count"] = 1
        for col in ("covid_related", "attended"):
            inc[col] = inc[col].fillna(False).astype(bool)
        out["incidents"] = inc
    if "fraud_reports" in out:
        fr = out["fraud_reports"].copy(deep=False)
        for col in ("support_requested", "disseminated_to_force"):
            fr[col] = fr[col].fillna(False).astype(bool)
        out["fraud_reports"] = fr
    return {name: _compact(df, CATEGORICAL.get(name, ())) for name, df in out.items()}


# Text columns with a handful of values: held as pandas categoricals (one small integer a row
# instead of a string), which keeps a scale-10 force's 4 million crimes within memory when
# sections filter them. Values and comparisons are unchanged.
# The other tables are small: their text stays plain text (a categorical would list every
# category in value counts, even those absent from a window).
CRIME_CODES = ("offence_code", "npa", "ho_offence_group", "ho_offence_subgroup", "category", "violence_type", "policeuk_crime_type")
CATEGORICAL = {"crimes": CRIME_CODES, "incidents": ("category", "npa")}


def _compact(df: pd.DataFrame, columns) -> pd.DataFrame:
    """``columns`` as categoricals; any other categorical column (validation reads repeated
    text dictionary-encoded) back to plain text. The caller's frame is left as it was."""
    df = df.copy(deep=False)
    for col in df.columns:
        if col in columns and df[col].dtype != "category" and df[col].notna().any():
            df[col] = df[col].astype("category")
        elif col not in columns and isinstance(df[col].dtype, pd.CategoricalDtype):
            df[col] = df[col].astype(df[col].cat.categories.dtype)
    return df


def _classify(crimes: pd.DataFrame) -> pd.DataFrame:
    """:func:`~perfpack.sources.classification.classify`, worked out once per distinct offence code and
    spread over the rows (the same columns and values; at scale 10, 4 million crimes share a
    few hundred codes)."""
    if "offence_code" not in crimes or len(crimes) < 10_000:
        return classify(crimes)
    idx, distinct = pd.factorize(crimes["offence_code"])
    if (idx < 0).any():
        return classify(crimes)
    lookup = classify(pd.DataFrame({"offence_code": pd.Series(distinct, dtype=crimes["offence_code"].dtype)}))
    out = crimes.reset_index(drop=True)
    for col in lookup.columns:
        out[col] = lookup[col].array.take(idx)  # Arrow take for text: no Python objects
    return out


#: The data sources in words for the public (``--source``).
SOURCE_WORDS = {
    "canonical": "the force's own records (crime, incident, call and fixed penalty notice systems, and Action Fraud reports for the force area)",
    "policeuk": "the street-level crime and anti-social behaviour files published on data.police.uk",
    "homeoffice": "the Home Office police recorded crime tables for the force area",
}


def source_words(source: str, force: str) -> str:
    """Where the figures come from, in words for the public (the pages and the paper)."""
    words = SOURCE_WORDS.get(str(source or ""), f"the {source} data" if source else "the force's records")
    return words.replace("the force's own", f"{force}'s own") if force else words

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
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from ..classification import classify
from ..config import PackConfig
from ..contract import ASB_CATEGORIES, TABLES, load_canonical

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

    def has(self, table: str) -> bool:
        return table in self.tables and table not in self.unavailable

    def why_not(self, table: str) -> str:
        return self.unavailable.get(table, f"No {table.replace('_', ' ')} data in this source.")

    def coverage(self, table: str) -> tuple[date, date] | None:
        """First and last day the table covers (whole months for aggregated sources)."""
        if not self.has(table) or self.tables[table].empty:
            return None
        col = TABLES[table].date_column
        s = self.tables[table][col]
        first, last = s.min().date(), s.max().date()
        g = self.granularity.get(table, "record")
        if g in ("month", "quarter"):
            from ..periods import add_months, month_end

            last = month_end(add_months(last, 2 if g == "quarter" else 0))
        return first, last


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
        out["crimes"] = _compact(crimes, CRIME_CODES)
    if "incidents" in out:
        inc = out["incidents"].copy(deep=False)  # copy-on-write: new columns never touch the caller's frame
        inc["is_asb"] = inc["category"].isin(ASB_CATEGORIES)
        inc["count"] = 1
        for col in ("covid_related", "attended"):
            inc[col] = inc[col].fillna(False).astype(bool)
        out["incidents"] = _compact(inc, ("category", "npa"))
    if "fraud_reports" in out:
        fr = out["fraud_reports"].copy(deep=False)
        for col in ("support_requested", "disseminated_to_force"):
            fr[col] = fr[col].fillna(False).astype(bool)
        out["fraud_reports"] = fr
    return out


# Text columns with a handful of values: held as pandas categoricals (one small integer a row
# instead of a string), which keeps a scale-10 force's 4 million crimes within memory when
# sections filter them. Values and comparisons are unchanged.
CRIME_CODES = ("offence_code", "npa", "ho_offence_group", "ho_offence_subgroup", "category", "violence_type", "policeuk_crime_type")


def _compact(df: pd.DataFrame, columns) -> pd.DataFrame:
    for col in columns:
        if col in df and df[col].dtype != "category" and df[col].notna().any():
            df[col] = df[col].astype("category")
    return df


def _classify(crimes: pd.DataFrame) -> pd.DataFrame:
    """:func:`~perfpack.classification.classify`, worked out once per distinct offence code and
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


def _load_canonical(data_dir: Path, config: PackConfig, today: date | None) -> Dataset:
    tables, facts, files = load_canonical(data_dir, config.npas, today=today)
    return Dataset(
        source="canonical",
        force=config.force_name,
        tables=enrich(tables),
        files=[{"table": t, "path": str(p), "sha256": sha256_file(p), "bytes": p.stat().st_size, "rows": facts[t].get("rows")} for t, p in files.items()],
        facts=facts,
        granularity={t: "record" for t in tables},
        npas=list(config.npas),
    )


def load_dataset(data_dir: str | Path, source: str, force: str, config: PackConfig, today: date | None = None) -> Dataset:
    """Load a source's data for one force, validated, as a :class:`Dataset`.

    A folder holding a run's snapshot is read directly (it was validated when written).
    """
    data_dir = Path(data_dir)
    if (data_dir / SNAPSHOT_MARKER).is_file():
        return read_snapshot(data_dir)
    if source not in SOURCES:
        raise SourceError(f"Unknown data source '{source}'. Use one of: {', '.join(SOURCES)}.")
    if source == "policeuk":
        from .policeuk import load_policeuk

        return load_policeuk(data_dir, force, config)
    if source == "homeoffice":
        from .homeoffice import load_homeoffice

        return load_homeoffice(data_dir, force, config)
    return _load_canonical(data_dir, config, today)


def write_snapshot(ds: Dataset, folder: str | Path) -> Path:
    """Write a dataset as Parquet tables plus ``snapshot.json``; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in ds.tables.items():
        table = pa.Table.from_pandas(df, preserve_index=False)
        # one record batch: columns stay contiguous (no per-chunk work in pandas later)
        feather.write_feather(table, folder / f"{name}{SNAPSHOT_SUFFIX}", compression="uncompressed", chunksize=max(1, table.num_rows))
    meta = {
        "source": ds.source,
        "force": ds.force,
        "tables": sorted(ds.tables),
        "files": ds.files,
        "facts": ds.facts,
        "unavailable": ds.unavailable,
        "notes": ds.notes,
        "granularity": ds.granularity,
        "npas": list(ds.npas),
    }
    (folder / SNAPSHOT_MARKER).write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    return folder


def read_snapshot(folder: str | Path) -> Dataset:
    folder = Path(folder)
    meta = json.loads((folder / SNAPSHOT_MARKER).read_text(encoding="utf-8"))
    # memory-mapped, zero-copy: pandas writes go to copies (copy-on-write), the file stays as written
    tables = {name: feather.read_table(folder / f"{name}{SNAPSHOT_SUFFIX}", memory_map=True).to_pandas() for name in meta["tables"]}
    return Dataset(
        source=meta["source"],
        force=meta["force"],
        tables=tables,
        files=meta["files"],
        facts=meta["facts"],
        unavailable=meta["unavailable"],
        notes=meta["notes"],
        granularity=meta["granularity"],
        npas=list(meta.get("npas", [])),
    )

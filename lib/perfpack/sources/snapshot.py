"""The run's snapshot: a validated dataset written once as uncompressed Arrow IPC tables plus
``snapshot.json`` (written last, so a folder without it is never trusted), and read back
memory-mapped by every section."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from perfpack.sources.dataset import SNAPSHOT_MARKER, SNAPSHOT_SUFFIX, Dataset, SnapshotTables, SourceError


def write_table(df: pd.DataFrame, folder: Path, name: str) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    # one record batch: columns stay contiguous (no per-chunk work in pandas later)
    feather.write_feather(table, folder / f"{name}{SNAPSHOT_SUFFIX}", compression="uncompressed", chunksize=max(1, table.num_rows))


def _arrow_table(folder: Path, name: str) -> pa.Table:
    # memory-mapped, zero-copy: pandas writes go to copies (copy-on-write), the file stays as written
    return feather.read_table(folder / f"{name}{SNAPSHOT_SUFFIX}", memory_map=True)


def write_snapshot(ds: Dataset, folder: str | Path) -> Path:
    """Write a dataset as Arrow tables plus ``snapshot.json``; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in ds.tables.items():
        write_table(df, folder, name)
    return write_meta(ds, folder)


def write_meta(ds: Dataset, folder: Path) -> Path:
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
        "covered": ds.covered,
    }
    (folder / SNAPSHOT_MARKER).write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    return folder


def read_snapshot(folder: str | Path) -> Dataset:
    folder = Path(folder)
    try:
        meta = json.loads((folder / SNAPSHOT_MARKER).read_text(encoding="utf-8"))
        missing = [k for k in ("source", "force", "tables", "files", "facts", "unavailable", "notes", "granularity") if k not in meta]
        if missing:
            raise ValueError(f"it has no {', '.join(missing)}")
        tables = SnapshotTables({name: _arrow_table(folder, name) for name in meta["tables"]})
    except (OSError, ValueError, TypeError, AttributeError, pa.ArrowException) as exc:
        raise SourceError(
            f"{folder / SNAPSHOT_MARKER} is not a snapshot the pack wrote ({type(exc).__name__}: {str(exc)[:200]}). The pack writes snapshot.json only in its own temporary folder, "
            "with the validated tables beside it; move this one out of the data folder, and point --data at the folder of the force's tables."
        ) from None
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
        covered=dict(meta.get("covered", {})),
    )

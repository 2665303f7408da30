"""Loading a source for one force into a validated :class:`~perfpack.sources.dataset.Dataset`:
the force's own extracts in the data contract (canonical), data.police.uk street files, or the
Home Office recorded-crime tables; and the run's snapshot made from any of them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa

from perfpack.config import PackConfig
from perfpack.sources.canonical import load_canonical
from perfpack.sources.contract import TABLES, find_table_file, table_files
from perfpack.sources.dataset import SNAPSHOT_MARKER, SOURCES, Dataset, SourceError, enrich, sha256_file
from perfpack.sources.homeoffice import load_homeoffice
from perfpack.sources.peers import write_peers
from perfpack.sources.policeuk import load_policeuk
from perfpack.sources.snapshot import read_snapshot, write_meta, write_table


def _load_canonical(data_dir: Path, config: PackConfig, today: date | None, snapshot: Path | None = None, keep_rows: bool = True) -> Dataset:
    if not config.npas:
        raise SourceError(
            f"The profile {config.path} lists no areas (force.npas), and a force's own extracts are checked against them. Fill in the force's areas there (docs/new-force.md)."
        )
    each = None
    if not keep_rows:

        def each(name: str, typed: pd.DataFrame) -> pd.DataFrame:
            return typed.iloc[:0]

    elif snapshot is not None:

        def each(name: str, typed: pd.DataFrame) -> pd.DataFrame:
            write_table(enrich({name: typed})[name], snapshot, name)
            pa.default_memory_pool().release_unused()
            return typed.iloc[:0]  # the rows are in the snapshot now (make_snapshot reads it back)

    # the files' hashes are worked out beside the validation (hashlib lets go of the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashes = {t: pool.submit(sha256_file, p) for t in TABLES if (p := find_table_file(data_dir, t)) is not None}
        tables, facts, files = load_canonical(data_dir, config.npas, today=today, each=each)
        digests = {t: f.result() for t, f in hashes.items()}
    absent = {t: f.pop("absent") for t, f in list(facts.items()) if "absent" in f}
    for t in absent:
        facts.pop(t)
    return Dataset(
        source="canonical",
        force=config.force_name,
        tables=tables if snapshot is not None else enrich(tables),
        files=[{"table": t, "path": str(p), "sha256": digests[t], "bytes": p.stat().st_size, "rows": facts[t].get("rows")} for t, p in files.items()],
        facts=facts,
        unavailable=absent,
        notes=[f["gap_note"] for f in facts.values() if f.get("gap_note")],
        granularity={t: "record" for t in tables},
        npas=list(config.npas),
        covered={t: f["coverage"] for t, f in facts.items() if f.get("coverage")},
    )


def _not_a_stray_marker(data_dir: Path) -> None:
    """A ``snapshot.json`` beside the force's own tables is not a run's snapshot (the pack
    writes those only in its private temporary folder): refuse it in words rather than read
    the folder as one."""
    tables = [p.name for t in TABLES for p in table_files(data_dir, t)]
    if tables:
        raise SourceError(
            f"{data_dir} holds {SNAPSHOT_MARKER} as well as the tables ({', '.join(tables)}). {SNAPSHOT_MARKER} marks a run's private snapshot of validated data; "
            f"in a data folder it is a stray copy, and the pack will not guess which to read. Move {data_dir / SNAPSHOT_MARKER} out of the folder and run again."
        )


def load_dataset(data_dir: str | Path, source: str, force: str, config: PackConfig, today: date | None = None, keep_rows: bool = True) -> Dataset:
    """Load a source's data for one force, validated, as a :class:`Dataset`.

    A folder holding a run's snapshot is read directly (it was validated when written).
    ``keep_rows=False`` (``perfpack validate``): check and describe the canonical tables
    holding one at a time; the dataset's tables come back with their columns and no rows.
    """
    data_dir = Path(data_dir)
    if (data_dir / SNAPSHOT_MARKER).is_file():
        _not_a_stray_marker(data_dir)
        return read_snapshot(data_dir)
    if source not in SOURCES:
        raise SourceError(f"Unknown data source '{source}'. Use one of: {', '.join(SOURCES)}.")
    if source == "policeuk":
        return load_policeuk(data_dir, force, config)
    if source == "homeoffice":
        return load_homeoffice(data_dir, force, config)
    return _load_canonical(data_dir, config, today, keep_rows=keep_rows)


def make_snapshot(
    data_dir: str | Path, source: str, force: str, config: PackConfig, folder: str | Path, today: date | None = None, peers: str | Path | None = None
) -> Dataset:
    """Load and validate a source into a snapshot in ``folder``; returns the dataset with its
    tables read back memory-mapped from there.

    Canonical tables are written one at a time as each passes its checks, so a run holds one
    table in memory, not all five (at scale 10: 1.1 GB rather than 1.9 GB). Nothing is left in
    ``folder`` to trust unless this returns: ``snapshot.json`` is written last.

    ``peers``: an ONS police force area tables workbook, read into the snapshot beside the
    data (:func:`perfpack.sources.peers.write_peers`) and listed among the input files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if (Path(data_dir) / SNAPSHOT_MARKER).is_file():
        _not_a_stray_marker(Path(data_dir))
    peer_files = [write_peers(folder, peers).file_entry()] if peers else []
    if source == "canonical" and not (Path(data_dir) / SNAPSHOT_MARKER).is_file():
        ds = _load_canonical(Path(data_dir), config, today, snapshot=folder)
    else:
        ds = load_dataset(data_dir, source, force, config, today=today)
        for name, df in ds.tables.items():
            write_table(df, folder, name)
    ds.files = list(ds.files) + peer_files
    write_meta(ds, folder)
    return read_snapshot(folder)

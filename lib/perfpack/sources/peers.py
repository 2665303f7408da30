"""The peer data of a run: the ONS police force area table for the year ending at the period's
end (:mod:`perfpack.sources.ons`), read once by the runner into the run's snapshot beside the
force's own data, and read back by the peer comparison section.

``perfpack run --peers DIR`` (or ``peers.dir`` in the configuration) names a folder of ONS
workbooks; the runner picks the one whose own title says its year ends in the period's last
month (:func:`perfpack.sources.ons.find_workbook`; a clear error when none does), and
:func:`write_peers` puts its table in the snapshot as ``peers.arrow`` with ``peers.json``
(where it came from, its SHA-256, its title and the forces it leaves out). A snapshot without
them is a run given no peer data. A notebook run by hand (its data not a snapshot) reads the
folder in the configuration itself (:func:`load_peers`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from perfpack.sources.dataset import SNAPSHOT_MARKER, sha256_file
from perfpack.sources.ons import FORCES, PeerDataError, find_workbook, force_code, read_peer_table
from perfpack.sources.snapshot import _arrow_table, write_table

PEERS_TABLE = "peers"
PEERS_META = "peers.json"

__all__ = ["PEERS_META", "PEERS_TABLE", "PeerData", "PeerDataError", "check_group", "load_peers", "read_peers", "write_peers"]


@dataclass
class PeerData:
    """One ONS workbook's peer table and where it came from.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`perfpack.sources.ons.read_peer_table`'s long form: one row per force and
        offence group.
    path, sha256, title
        The workbook, its hash and its own title ("Crime in England & Wales, year ending
        December 2018 - PFA tables").
    year_end : date
        The last day of the year the table covers.
    absent_forces : list
        Territorial forces the table leaves out (no count shown for any group).
    not_force_areas : list
        Rows kept out that are neither forces nor regions (British Transport Police).
    """

    table: pd.DataFrame
    path: str
    sha256: str
    title: str
    year_end: date
    absent_forces: list[str] = field(default_factory=list)
    not_force_areas: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def file_entry(self) -> dict:
        """The workbook as the manifest lists an input file."""
        p = Path(self.path)
        return {"table": PEERS_TABLE, "path": str(p), "sha256": self.sha256, "bytes": p.stat().st_size if p.is_file() else None, "rows": int(len(self.table))}


def _read(path: Path) -> PeerData:
    table = read_peer_table(path)
    return PeerData(
        table=table,
        path=str(Path(path).resolve()),
        sha256=sha256_file(path),
        title=str(table.attrs.get("title", "")),
        year_end=table.attrs["year_end"],
        absent_forces=list(table.attrs.get("absent_forces", [])),
        not_force_areas=list(table.attrs.get("not_force_areas", [])),
    )


def write_peers(folder: str | Path, workbook: str | Path) -> PeerData:
    """Read ``workbook`` (raising :class:`PeerDataError` when it cannot be read) and write
    its table into the snapshot ``folder``; returns what was read."""
    folder = Path(folder)
    data = _read(Path(workbook))
    table = data.table.copy()
    table.attrs = {}  # kept in peers.json (Arrow's metadata cannot hold the dates)
    write_table(table, folder, PEERS_TABLE)
    meta = {
        "path": data.path,
        "sha256": data.sha256,
        "title": data.title,
        "year_end": data.year_end.isoformat(),
        "absent_forces": data.absent_forces,
        "not_force_areas": data.not_force_areas,
    }
    (folder / PEERS_META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return data


def read_peers(folder: str | Path) -> PeerData | None:
    """The peer data of a snapshot, or None if the run was given none."""
    folder = Path(folder)
    if not (folder / PEERS_META).is_file():
        return None
    meta = json.loads((folder / PEERS_META).read_text(encoding="utf-8"))
    table = _arrow_table(folder, PEERS_TABLE).to_pandas()
    year_end = date.fromisoformat(meta["year_end"])
    table.attrs.update(
        title=meta["title"], year_end=year_end, absent_forces=meta["absent_forces"], not_force_areas=meta["not_force_areas"], source=Path(meta["path"]).name
    )
    return PeerData(
        table=table,
        path=meta["path"],
        sha256=meta["sha256"],
        title=meta["title"],
        year_end=year_end,
        absent_forces=list(meta["absent_forces"]),
        not_force_areas=list(meta["not_force_areas"]),
    )


def load_peers(data_dir: str | Path, peers_dir: str | Path | None, year_end: date) -> PeerData | None:
    """The peer data a section uses: a run's snapshot carries its own (or none); otherwise
    (a notebook run by hand) the workbook in ``peers_dir`` for the year ending ``year_end``,
    or None when no folder is given.

    Raises
    ------
    PeerDataError
        When the folder has no workbook for that year, or it cannot be read.
    """
    data_dir = Path(data_dir)
    if (data_dir / SNAPSHOT_MARKER).is_file():
        return read_peers(data_dir)
    if peers_dir is None:
        return None
    return _read(find_workbook(peers_dir, year_end))


def check_group(names) -> tuple[list[str], list[str]]:
    """The most similar group as typed in: (the ONS names of those recognised, in the order
    given, without repeats; the names not recognised as one of the 43 forces)."""
    known, unknown = [], []
    for n in names:
        code = force_code(n)
        if code is None:
            unknown.append(str(n))
        elif FORCES[code] not in known:
            known.append(FORCES[code])
    return known, unknown

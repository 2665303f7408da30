"""The demo's public API: :func:`generate` the tables in memory, :func:`write_demo` them to a
folder (CSV or Parquet), and the command line."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from perfpack.config import PackConfig, load_config
from perfpack.sources.demo.parameters import COLUMNS, DATE_COLUMNS, DATETIME_COLUMNS, INCIDENT_CATEGORIES, TABLES
from perfpack.sources.demo.records import (
    assign_da_victims,
    calls_table,
    crimes_table,
    dates,
    fpns_table,
    fraud_table,
    hex_strings,
    incidents_table,
    labels,
    rng_streams,
    unique_ints,
)
from perfpack.sources.demo.volumes import Calendar

# Public API
# --------------------------------------------------------------------------------------


def _config(config) -> PackConfig:
    if config is None or isinstance(config, (str, os.PathLike)):
        return load_config(config)
    return config


def generate(scale: float = 1.0, seed: int = 2021, config=None) -> dict[str, pd.DataFrame]:
    """Make the demo data set.

    Parameters
    ----------
    scale : float
        Multiplies every volume (crimes, incidents, calls, fraud reports, FPNs, domestic
        abuse victims). Scale 1 is about 85,000 crimes a year before the pandemic.
    seed : int
        Seed of the random generator; the same seed and scale give identical frames.
    config : PackConfig, path or None
        The profile (its areas); the demo profile, ``profiles/demo/pack.yaml``, by default.
        Its Covid-19 periods do not change the data: the synthetic pandemic follows the
        national timeline the demo is calibrated to.

    Returns
    -------
    dict of str to DataFrame
        The five canonical tables, keyed by :data:`TABLES`, columns as in :data:`COLUMNS`.
        Dates are ``datetime64[us]`` at midnight, ``opened_at`` a ``datetime64[us]`` with a
        time of day; text is the pandas ``str`` dtype with missing ``victim_id`` as NA.
    """
    if not (isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    cfg = _config(config)
    npas = list(cfg.npas)
    cal = Calendar(cfg)
    rngs = rng_streams(int(seed))

    crimes, codes = crimes_table(cal, scale, rngs["crimes"], npas)
    incidents = incidents_table(cal, scale, rngs["incidents"], npas)

    # domestic abuse victims across domestic crimes and domestic non-crime incidents
    c_da = np.flatnonzero(crimes.cols["domestic"])
    i_da = np.flatnonzero(incidents.cols["mix"] == list(INCIDENT_CATEGORIES).index("domestic_non_crime"))
    da_day = np.r_[crimes.day[c_da], incidents.day[i_da]]
    da_npa = np.r_[crimes.cols["npa"][c_da], incidents.cols["npa"][i_da]]
    victim, home, n_da = assign_da_victims(cal, scale, rngs["victims"], da_day, da_npa)
    crimes.cols["npa"][c_da] = home[: len(c_da)]
    incidents.cols["npa"][i_da] = home[len(c_da) :]
    # every victim (domestic and other) gets a distinct pseudonymous id
    c_other = np.flatnonzero(crimes.cols["victim"])
    ids_rng = rngs["ids"]
    victim_hex = unique_ints(ids_rng, n_da + len(c_other), 40)
    c_victim = np.zeros(len(crimes.day), dtype=np.int64)
    c_victim[c_da] = victim_hex[victim[: len(c_da)]]
    c_victim[c_other] = victim_hex[n_da:]
    c_has = np.zeros(len(crimes.day), dtype=bool)
    c_has[c_da] = True
    c_has[c_other] = True
    i_victim = np.zeros(len(incidents.day), dtype=np.int64)
    i_victim[i_da] = victim_hex[victim[len(c_da) :]]
    i_has = np.zeros(len(incidents.day), dtype=bool)
    i_has[i_da] = True

    crime_ids = unique_ints(ids_rng, len(crimes.day), 40)
    incident_ids = unique_ints(ids_rng, len(incidents.day), 40)
    c, ic = crimes.cols, incidents.cols
    out = {
        "crimes": pd.DataFrame(
            {
                "crime_id": hex_strings(crime_ids, "CR", 10),
                "recorded_date": dates(crimes.day, cal),
                "offence_code": labels(c["mix"], codes),
                "npa": labels(c["npa"], npas),
                "domestic": c["domestic"].astype(bool),
                "victim_id": hex_strings(c_victim, "V", 10, c_has),
            }
        ),
        "incidents": pd.DataFrame(
            {
                "incident_id": hex_strings(incident_ids, "IN", 10),
                "opened_at": pd.Series((cal.days[incidents.day].astype("datetime64[s]") + ic["seconds"].astype("timedelta64[s]")).astype("datetime64[us]")),
                "category": labels(ic["mix"], list(INCIDENT_CATEGORIES)),
                "covid_related": ic["covid_related"].astype(bool),
                "npa": labels(ic["npa"], npas),
                "victim_id": hex_strings(i_victim, "V", 10, i_has),
                "grade": ic["grade"].astype(np.int64),
                "attended": ic["attended"].astype(bool),
            }
        ),
        "calls": calls_table(cal, scale, rngs["calls"]),
        "fraud_reports": fraud_table(cal, scale, rngs["fraud"]),
        "fpns": fpns_table(cal, scale, rngs["fpns"], npas),
    }
    for name, df in out.items():
        assert tuple(df.columns) == COLUMNS[name], name
    return out


def _arrow_table(name: str, df: pd.DataFrame) -> pa.Table:
    """The frame as Arrow: dates as ``date32``, ``opened_at`` to the second, no pandas metadata."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    if name in DATE_COLUMNS:
        col = DATE_COLUMNS[name]
        table = table.set_column(table.schema.get_field_index(col), col, table[col].cast(pa.date32()))
    if name in DATETIME_COLUMNS:
        col = DATETIME_COLUMNS[name]
        table = table.set_column(table.schema.get_field_index(col), col, table[col].cast(pa.timestamp("s")))
    return table


def write_table(name: str, df: pd.DataFrame, path: Path, fmt: str) -> None:
    table = _arrow_table(name, df)
    if fmt == "csv":
        with open(path, "wb") as f:
            f.write((",".join(df.columns) + "\n").encode("utf-8"))
            pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    else:
        pq.write_table(table, path, compression="zstd")


def write_demo(out_dir, scale: float = 1.0, seed: int = 2021, fmt: str = "csv", config=None) -> list[Path]:
    """Generate the demo set and write one file per table into ``out_dir``.

    Files are ``<table>.csv`` (dates ``YYYY-MM-DD``, ``opened_at`` ``YYYY-MM-DD HH:MM:SS``,
    booleans ``true``/``false``, a missing ``victim_id`` an empty field) or
    ``<table>.parquet``. The files are written into a temporary sibling directory that is
    renamed into place only when complete, so an interrupted run never leaves a half-written
    folder. An existing ``out_dir`` is replaced only if it holds nothing but demo tables.
    The same seed and scale give byte-identical files.

    Returns
    -------
    list of Path
        The files written, in :data:`TABLES` order.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a directory")
        ours = {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")}
        foreign = sorted(p.name for p in out.iterdir() if p.name not in ours)
        if foreign:
            raise FileExistsError(f"{out} already holds files that are not demo tables ({', '.join(foreign[:5])}); choose an empty or new directory")
    frames = generate(scale=scale, seed=seed, config=config)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    old = None
    try:
        for name in TABLES:
            write_table(name, frames[name], tmp / f"{name}.{fmt}", fmt)
        tmp.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / out.name).exists() and not out.exists():
            os.replace(old / out.name, out)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return [out / f"{name}.{fmt}" for name in TABLES]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfpack.sources.demo", description="Write the synthetic demo data set.")
    parser.add_argument("out_dir", help="folder to write (created; replaced if it only holds demo tables)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every volume by this (default 1)")
    parser.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    parser.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--config", default=None, help="profile's pack.yaml (default profiles/demo/pack.yaml)")
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error("--scale must be positive")
    t0 = time.perf_counter()
    paths = write_demo(args.out_dir, scale=args.scale, seed=args.seed, fmt=args.fmt, config=args.config)
    for p in paths:
        print(f"{p}  {p.stat().st_size:,} bytes")
    print(f"demo data (scale {args.scale:g}, seed {args.seed}) written in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

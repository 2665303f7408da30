"""Benchmark: one force's pack from a national year of data.police.uk street files.

A national year of street-level files is about six million rows for the 43 territorial forces
of England and Wales. This script

1. generates such a set once (synthetic rows in the real column layout and the site's archive
   layout ``YYYY-MM/YYYY-MM-<force>-street.csv``; 64-hex Crime IDs, ASB rows without one, LSOA
   names "<district> 001A", about 8% of rows without a location, a few rows in neighbouring
   forces' districts) into ``benchmarks/results/national-policeuk/`` (git-ignored) and reuses
   it on later runs;
2. measures, each in a fresh process pinned to two cores (``taskset -c 0,1`` where available):
   (a) ``load_policeuk`` for one force, (b) the whole pack for that force
   (``perfpack run --period 2019-Q4 --source policeuk --force staffordshire``), and for
   context (c) a DuckDB scan of every file in the national set;
3. prints a small table and writes ``benchmarks/results/national_policeuk.json``.

Peak memory: for (a) and (c) the process's own maximum resident set size; for (b) the largest
single process (``RUSAGE_CHILDREN``) and the peak of the summed resident memory of the whole
process tree (runner, section workers, Jupyter kernels), sampled every 50 ms.

Usage::

    .venv/bin/python benchmarks/national_policeuk.py [--force staffordshire] [--rows 6000000]
        [--regenerate] [--cores 0,1] [--skip-pack]

Aim: under a minute and under 2 GB on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DATA = RESULTS / "national-policeuk"
MARKER = DATA / "GENERATED.json"
YEAR = 2019
SEED = 2019

# The 43 territorial forces (data.police.uk slugs) with rough monthly volumes (crime + ASB);
# only the proportions matter, the total is scaled to --rows.
FORCES = {
    "avon-and-somerset": 13000,
    "bedfordshire": 4500,
    "cambridgeshire": 6500,
    "cheshire": 7000,
    "city-of-london": 700,
    "cleveland": 7000,
    "cumbria": 3000,
    "derbyshire": 7500,
    "devon-and-cornwall": 10000,
    "dorset": 4500,
    "durham": 5500,
    "dyfed-powys": 2500,
    "essex": 14000,
    "gloucestershire": 4000,
    "greater-manchester": 40000,
    "gwent": 5000,
    "hampshire": 16000,
    "hertfordshire": 7500,
    "humberside": 9000,
    "kent": 17000,
    "lancashire": 15000,
    "leicestershire": 8000,
    "lincolnshire": 5000,
    "merseyside": 13000,
    "metropolitan": 95000,
    "norfolk": 6000,
    "north-wales": 5000,
    "north-yorkshire": 5000,
    "northamptonshire": 6000,
    "northumbria": 14000,
    "nottinghamshire": 9000,
    "south-wales": 11000,
    "south-yorkshire": 16000,
    "staffordshire": 8500,
    "suffolk": 4500,
    "surrey": 6500,
    "sussex": 12000,
    "thames-valley": 17000,
    "warwickshire": 3500,
    "west-mercia": 9000,
    "west-midlands": 32000,
    "west-yorkshire": 33000,
    "wiltshire": 4000,
}
STAFFORDSHIRE_DISTRICTS = [
    "Stoke-on-Trent",
    "Newcastle-under-Lyme",
    "East Staffordshire",
    "Stafford",
    "Cannock Chase",
    "Lichfield",
    "Tamworth",
    "South Staffordshire",
    "Staffordshire Moorlands",
]
SUFFIXES = ["Central", "North", "South", "East", "West", "Vale", "Heath", "Moor", "Downs", "Valley", "Coast", "Forest"]
# police.uk crime types with shares close to a real force's mix
CRIME_TYPES = {
    "Anti-social behaviour": 0.330,
    "Violence and sexual offences": 0.268,
    "Criminal damage and arson": 0.079,
    "Other theft": 0.076,
    "Shoplifting": 0.071,
    "Vehicle crime": 0.042,
    "Public order": 0.040,
    "Burglary": 0.039,
    "Drugs": 0.015,
    "Other crime": 0.014,
    "Bicycle theft": 0.010,
    "Robbery": 0.007,
    "Theft from the person": 0.005,
    "Possession of weapons": 0.004,
}
OUTCOMES = [
    "Under investigation",
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Awaiting court outcome",
    "Local resolution",
    "Offender given a caution",
    "Status update unavailable",
]
STREETS = [
    f"On or near {a} {b}"
    for a in ("High", "Church", "Mill", "Station", "Park", "Victoria", "Queen", "King", "New", "School", "Green", "Chapel", "Albert", "York", "Grange", "Manor")
    for b in ("Street", "Road", "Lane", "Close", "Avenue", "Way", "Drive", "Crescent")
] + [
    "On or near Supermarket",
    "On or near Petrol Station",
    "On or near Parking Area",
    "On or near Shopping Area",
    "On or near Sports/Recreation Area",
    "On or near Nightclub",
]
NO_LOCATION_SHARE = 0.085
NEIGHBOUR_SHARE = 0.003
LSOAS_PER_DISTRICT = 90


def force_name(slug: str) -> str:
    special = {
        "metropolitan": "Metropolitan Police Service",
        "city-of-london": "City of London Police",
        "devon-and-cornwall": "Devon & Cornwall Police",
        "avon-and-somerset": "Avon and Somerset Constabulary",
    }
    return special.get(slug, slug.replace("-", " ").title().replace(" And ", " and ") + " Police")


def districts(slug: str, size: int) -> list[str]:
    if slug == "staffordshire":
        return STAFFORDSHIRE_DISTRICTS
    base = slug.replace("-", " ").title().replace(" And ", " and ")
    k = int(np.clip(round(size / 2500), 2, len(SUFFIXES)))
    return [f"{base} {s}" for s in SUFFIXES[:k]]


def generate(rows_total: int, out: Path) -> dict:
    """Write the synthetic national year; returns what was written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(SEED)
    t0 = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    weights = np.array(list(FORCES.values()), dtype=float)
    per_month = weights / weights.sum() * rows_total / 12
    types = np.array(list(CRIME_TYPES))
    p_types = np.array(list(CRIME_TYPES.values()))
    p_types = p_types / p_types.sum()
    asb_index = int(np.flatnonzero(types == "Anti-social behaviour")[0])
    # LSOA pools: per force, per district, LSOA codes, names and a centre point
    pools = {}
    code_next = 1000
    for slug, size in FORCES.items():
        ds = districts(slug, size)
        names, codes, lon, lat = [], [], [], []
        centre = (rng.uniform(-4.5, 1.2), rng.uniform(50.5, 54.8))
        for d in ds:
            for i in range(LSOAS_PER_DISTRICT):
                names.append(f"{d} {i // 4 + 1:03d}{'ABCD'[i % 4]}")
                codes.append(f"E0{code_next:07d}")
                code_next += 1
                lon.append(centre[0] + rng.normal(0, 0.15))
                lat.append(centre[1] + rng.normal(0, 0.1))
        pools[slug] = (pa.array(names), pa.array(codes), np.array(lon), np.array(lat))
    slugs = list(FORCES)
    streets = pa.array(STREETS)
    outcomes = pa.array(OUTCOMES)
    type_arr = pa.array(types)
    written = 0
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none", eol="\r\n")
    for month in range(1, 13):
        mid = f"{YEAR}-{month:02d}"
        (out / mid).mkdir()
        for fi, slug in enumerate(slugs):
            n = int(rng.poisson(per_month[fi]))
            names, codes, lon, lat = pools[slug]
            # where: own LSOAs, a few in a neighbouring force, some with no location
            own = rng.integers(0, len(names), n)
            neighbour = rng.random(n) < NEIGHBOUR_SHARE
            nb_slug = slugs[(fi + 1) % len(slugs)]
            nb_names, nb_codes, nb_lon, nb_lat = pools[nb_slug]
            nb_idx = rng.integers(0, len(nb_names), n)
            lsoa_name = pc.if_else(pa.array(neighbour), nb_names.take(pa.array(nb_idx)), names.take(pa.array(own)))
            lsoa_code = pc.if_else(pa.array(neighbour), nb_codes.take(pa.array(nb_idx)), codes.take(pa.array(own)))
            x = np.where(neighbour, nb_lon[nb_idx], lon[own]) + rng.normal(0, 0.005, n)
            y = np.where(neighbour, nb_lat[nb_idx], lat[own]) + rng.normal(0, 0.005, n)
            missing = pa.array(rng.random(n) < NO_LOCATION_SHARE)
            null_str = pa.scalar(None, pa.string())
            t = rng.choice(len(types), n, p=p_types)
            is_asb = pa.array(t == asb_index)
            ids = np.frombuffer(rng.bytes(32 * n).hex().encode("ascii"), dtype="S64")
            crime_id = pc.if_else(is_asb, null_str, pa.array(ids).cast(pa.string()))
            outcome = pc.if_else(is_asb, null_str, outcomes.take(pa.array(rng.integers(0, len(OUTCOMES), n))))
            fname = force_name(slug)
            table = pa.table(
                {
                    "Crime ID": crime_id,
                    "Month": pa.array([mid] * n),
                    "Reported by": pa.array([fname] * n),
                    "Falls within": pa.array([fname] * n),
                    "Longitude": pc.if_else(missing, null_str, pa.array(np.round(x, 6)).cast(pa.string())),
                    "Latitude": pc.if_else(missing, null_str, pa.array(np.round(y, 6)).cast(pa.string())),
                    "Location": pc.if_else(missing, pa.scalar("No Location"), streets.take(pa.array(rng.integers(0, len(STREETS), n)))),
                    "LSOA code": pc.if_else(missing, null_str, lsoa_code),
                    "LSOA name": pc.if_else(missing, null_str, lsoa_name),
                    "Crime type": type_arr.take(pa.array(t)),
                    "Last outcome category": outcome,
                    "Context": pa.nulls(n, pa.string()),
                }
            )
            pacsv.write_csv(table, out / mid / f"{mid}-{slug}-street.csv", options)
            written += n
    meta = {
        "rows": written,
        "files": 12 * len(slugs),
        "forces": len(slugs),
        "year": YEAR,
        "seed": SEED,
        "rows_asked": rows_total,
        "seconds": round(time.perf_counter() - t0, 1),
        "bytes": sum(p.stat().st_size for p in out.rglob("*.csv")),
    }
    MARKER.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def _pin(cores: str | None) -> list[str]:
    return ["taskset", "-c", cores] if cores and shutil.which("taskset") else []


def run_child(code: str, cores: str | None) -> dict:
    """Run Python code in a fresh process; it prints one JSON line, to which its peak RSS is added."""
    wrapper = code + textwrap.dedent(
        """
        import resource as _r, json as _j
        RESULT["peak_rss_mb"] = round(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print("RESULT " + _j.dumps(RESULT))
        """
    )
    proc = subprocess.run(_pin(cores) + [sys.executable, "-c", wrapper], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def measure_load(force: str, cores: str | None) -> dict:
    code = textwrap.dedent(
        f"""
        import time
        t = time.perf_counter()
        from perfpack.config import load_config
        from perfpack.sources.policeuk import load_policeuk
        t_import = time.perf_counter()
        ds = load_policeuk({str(DATA)!r}, {force!r}, load_config())
        RESULT = {{"seconds": round(time.perf_counter() - t_import, 2), "import_seconds": round(t_import - t, 2),
                  "crimes": len(ds.tables["crimes"]), "incidents": len(ds.tables.get("incidents", [])),
                  "files_read": len(ds.files), "npas": ds.npas}}
        """
    )
    return run_child(code, cores)


def measure_scan(cores: str | None) -> dict:
    code = textwrap.dedent(
        f"""
        import time, duckdb
        t = time.perf_counter()
        con = duckdb.connect()
        con.execute("SET threads = 2")
        n, forces = con.execute("SELECT count(*), count(DISTINCT \\"Falls within\\") FROM read_csv(?, header=true, all_varchar=true)", [{str(DATA / "*" / "*-street.csv")!r}]).fetchone()
        RESULT = {{"seconds": round(time.perf_counter() - t, 2), "rows": n, "forces": forces}}
        """
    )
    return run_child(code, cores)


def measure_pack(force: str, period: str, cores: str | None) -> dict:
    from _measure import run_sampled

    out = Path(tempfile.mkdtemp(prefix="perfpack-bench-"))
    cmd = _pin(cores) + [
        sys.executable,
        "-m",
        "perfpack.cli",
        "run",
        "--period",
        period,
        "--source",
        "policeuk",
        "--force",
        force,
        "--data",
        str(DATA),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = run_sampled(cmd, ROOT, interval=0.05)
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = {}
    mpath = out / period / "manifest.json"
    if mpath.is_file():
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    shutil.rmtree(out, ignore_errors=True)
    return {
        "seconds": round(r.seconds, 2),
        "exit_code": r.returncode,
        "peak_tree_rss_mb": round(r.peak_rss_mb, 1),
        "largest_process_rss_mb": round(max(largest, before) / 1024, 1),
        "validate_seconds": manifest.get("validate_seconds"),
        "sections": [(s["id"], s["status"], s["seconds"]) for s in manifest.get("sections", [])],
        "stderr_tail": r.stderr.strip().splitlines()[-3:] if r.returncode else [],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", default="staffordshire")
    ap.add_argument("--period", default=f"{YEAR}-Q4")
    ap.add_argument("--rows", type=int, default=6_000_000, help="rows in the national year (default 6,000,000)")
    ap.add_argument("--regenerate", action="store_true", help="write the national set again even if it is there")
    ap.add_argument("--cores", default="0,1", help="CPU list for taskset (default 0,1; empty: no pinning)")
    ap.add_argument("--skip-pack", action="store_true", help="only measure the loader")
    args = ap.parse_args(argv)

    meta = json.loads(MARKER.read_text(encoding="utf-8")) if MARKER.is_file() else None
    if args.regenerate or meta is None or meta.get("rows_asked") != args.rows:
        print(f"Generating a national year of street files ({args.rows:,} rows) in {DATA} ...", flush=True)
        meta = generate(args.rows, DATA)
        print(f"  {meta['rows']:,} rows in {meta['files']} files ({meta['bytes'] / 2**30:.2f} GiB) in {meta['seconds']} s")
    else:
        print(f"Using the national set in {DATA} ({meta['rows']:,} rows, {meta['files']} files; --regenerate to rebuild)")
    cores = args.cores or None

    scan = measure_scan(cores)
    load = measure_load(args.force, cores)
    pack = None if args.skip_pack else measure_pack(args.force, args.period, cores)

    rows = [
        ("national scan, DuckDB (context)", f"{scan['rows']:,} rows, {scan['forces']} forces", scan["seconds"], f"{scan['peak_rss_mb']:,.0f}"),
        (
            f"load_policeuk('{args.force}')",
            f"{load['crimes'] + load['incidents']:,} rows from {load['files_read']} files",
            load["seconds"],
            f"{load['peak_rss_mb']:,.0f}",
        ),
    ]
    if pack:
        rows.append(
            (
                f"perfpack run {args.period} (whole pack)",
                f"exit {pack['exit_code']}, {len(pack['sections'])} section(s)",
                pack["seconds"],
                f"{pack['peak_tree_rss_mb']:,.0f} tree / {pack['largest_process_rss_mb']:,.0f} largest",
            )
        )
    print()
    print(f"{'step':44} {'what':34} {'seconds':>8}  peak memory (MB)")
    for r in rows:
        print(f"{r[0]:44} {r[1]:34} {r[2]:8.1f}  {r[3]}")
    cpu = f"pinned to CPUs {cores}" if cores and shutil.which("taskset") else "not pinned"
    print(f"\n{os.cpu_count()} CPUs on this machine, measurements {cpu}; aim: under 60 s and under 2,048 MB.")
    if pack and pack["exit_code"]:
        print("The pack run failed: " + " | ".join(pack["stderr_tail"]))
    result = {"data": meta, "scan": scan, "load": load, "pack": pack, "cores": cores, "cpus": os.cpu_count()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "national_policeuk.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    ok = (
        load["seconds"] < 60
        and load["peak_rss_mb"] < 2048
        and (pack is None or (pack["seconds"] < 60 and pack["peak_tree_rss_mb"] < 2048 and pack["exit_code"] == 0))
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

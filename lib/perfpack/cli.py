"""Command line: ``perfpack demo-data``, ``perfpack validate``, ``perfpack run``,
``perfpack init-force``.

``--force`` (the force's profile, or a force with none on public data) and ``--config`` (a
profile's pack.yaml, explicitly) are accepted before or after the command. Bad input ends with
a plain message on stderr (no traceback) and exit code 2; a run in which any section failed
ends with exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_SECTIONS_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_CODES = """exit codes:
  0    every section ran; the pack is published
  1    a section failed (its page shows the error, the others are complete), or the draft
       meeting paper could not be made (then nothing is published)
  2    bad input (data, period, section, configuration, commentary, risk register, --out,
       a full or read-only disk), said in plain words; nothing is written
  130  interrupted (Ctrl-C); 143 stopped by SIGTERM; 129 by SIGHUP: the earlier outputs are
       unchanged and the run's temporary files removed"""


def _plain_errors():
    from perfpack.config import ConfigError  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.execution.runner import RunError  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.periods import PeriodError  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.sources import SourceError  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.sources.classification import UnknownOffenceCode  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.sources.contract import DataValidationError  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.sources.ons import PeerDataError  # heavy: loaded only for the command that needs it (perfpack --help stays instant)

    return (RunError, DataValidationError, PeriodError, ConfigError, SourceError, UnknownOffenceCode, PeerDataError)


def cmd_demo_data(args) -> int:
    from perfpack.profiles import resolve  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.sources.demo import write_demo  # heavy: loaded only for the command that needs it (perfpack --help stays instant)

    config = resolve(args.force, args.config)  # the profile's areas
    t = time.perf_counter()
    paths = write_demo(args.out, scale=args.scale, seed=args.seed, fmt=args.format, config=config)
    print(f"Demo data written to {args.out} in {time.perf_counter() - t:.1f} s:")
    for p in paths:
        print(f"  {p.name}")
    return EXIT_OK


def quality_report(ds) -> str:
    lines = [f"Data quality report: {ds.force}, source '{ds.source}'", ""]
    for table, f in ds.facts.items():
        lines.append(f"{table}: {f.get('rows', 0):,} rows, {f.get('first')} to {f.get('last')}  [{Path(str(f.get('file', ''))).name}]")
        if f.get("nulls"):
            lines.append("  empty values: " + ", ".join(f"{k} {v:,}" for k, v in f["nulls"].items()))
        if f.get("extra_columns"):
            lines.append("  extra columns (allowed, ignored): " + ", ".join(f["extra_columns"]))
        if f.get("codes_seen"):
            lines.append(f"  offence codes seen: {f['codes_seen']}")
        for col, counts in (f.get("values") or {}).items():
            shown = ", ".join(f"{k} {v:,}" for k, v in list(counts.items())[:12])
            more = f" (+{len(counts) - 12} more)" if len(counts) > 12 else ""
            lines.append(f"  {col}: {shown}{more}")
    gaps = ds.gaps() if hasattr(ds, "gaps") else {}
    for table, months in gaps.items():
        lines.append(f"months without data in {table} (not counted as zero): {', '.join(months)}")
    for n in ds.notes:
        lines.append(f"note: {n}")
    for k, v in ds.unavailable.items():
        lines.append(f"not available: {k}: {v}")
    return "\n".join(lines)


def cmd_validate(args) -> int:
    from perfpack.config import DEMO_DIR  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.profiles import data_force, resolve  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.sources import load_dataset  # heavy: loaded only for the command that needs it (perfpack --help stays instant)

    config = resolve(args.force, args.config, args.source)
    print(f"Profile: {config.profile}{' (no profile for this force: derived from the data)' if config.derived else ''}")
    ds = load_dataset(args.data or DEMO_DIR, args.source, data_force(config, args.force, args.source), config, keep_rows=False)
    print(quality_report(ds))
    print("\nNo problems found.")
    return EXIT_OK


def cmd_run(args) -> int:
    from perfpack.execution.runner import run  # heavy: loaded only for the command that needs it (perfpack --help stays instant)

    sections = [s for s in args.sections.split(",") if s.strip()] if args.sections is not None else None
    result = run(
        args.period,
        data_dir=args.data,
        source=args.source,
        force=args.force or "",
        sections=sections,
        workers=args.workers,
        out_dir=args.out,
        config_path=args.config,
        timeout=args.timeout,
        progress=not args.no_progress,
        notebooks_dir=args.notebooks,
        peers=args.peers,
    )
    m = result.manifest
    print(f"\n{m['period']}: {len(m['sections'])} sections in {m['duration_seconds']:.1f} s -> {result.out_dir}")
    for s in m["sections"]:
        flag = ("kept" if s.get("kept") else "ok") if s["status"] == "ok" else s["status"].upper()
        detail = (
            f"failed in this run ({s['update_failed']['error']}); the pack keeps its earlier page"
            if s.get("update_failed")
            else ("from an earlier run" if s.get("kept") else (s["error"] or ""))
        )
        print(f"  {flag:8} {s['id']:28} {s['seconds'] or 0:6.1f} s  {detail}")
    rev = m.get("revisions") or {}
    if rev.get("status") == "ok":
        since = " and ".join(c["period"] for c in rev["compared_with"])
        if not since:
            print("Revisions: no earlier pack to compare with")
        else:
            print(
                f"Revisions: {rev['count']:,} figure{'s' if rev['count'] != 1 else ''} changed since {since} ({rev['material']:,} material), listed in revisions.csv"
                if rev["count"]
                else f"Revisions: no figure changed since {since}"
            )
    print(f"Open {result.out_dir / 'index.html'}")
    n_failed = sum(s["status"] != "ok" or bool(s.get("update_failed")) for s in m["sections"])
    if n_failed:
        print(f"{n_failed} section(s) failed; their pages show the error.", file=sys.stderr)
    if rev.get("status") == "failed":
        print(f"The revisions against earlier packs could not be worked out: {rev['error']}", file=sys.stderr)
    if (m.get("paper") or {}).get("status") == "failed":
        print(f"The draft meeting paper could not be made: {m['paper']['error']}", file=sys.stderr)
    return result.exit_code


def cmd_init_force(args) -> int:
    from perfpack.config import PROFILES_DIR  # heavy: loaded only for the command that needs it (perfpack --help stays instant)
    from perfpack.profiles import init_profile  # heavy: loaded only for the command that needs it (perfpack --help stays instant)

    root = Path(args.profiles) if args.profiles else PROFILES_DIR
    if args.source_dir:
        from perfpack.sources.derive import profile_from_policeuk  # heavy: loaded only for the command that needs it (perfpack --help stays instant)

        found = profile_from_policeuk(args.source_dir, args.name)
        dest = init_profile(args.name, root, **found)
        print(f"Profile written to {dest}, areas from the data.police.uk files in {args.source_dir}:")
        for a in found["areas"]:
            print(f"  {a}")
    else:
        dest = init_profile(args.name, root)
        print(f"Profile written to {dest} from the template.")
    print("Check every setting marked FILL IN or CHECK in its pack.yaml (docs/new-force.md), then run with --force " + dest.name)
    return EXIT_OK


def _profile_options(p: argparse.ArgumentParser, default) -> None:
    """``--force`` and ``--config``, on the main parser (default None) and on each command
    (default: not set, so that a value given before the command stands)."""
    p.add_argument(
        "--force",
        default=default,
        help="the force: its profile (a folder of profiles/, or a path to one), or, on public data, a force with no profile as the source names it",
    )
    p.add_argument("--config", default=default, help="a profile's pack.yaml, explicitly (default: the profile --force names; with neither, profiles/demo)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="perfpack", description="Quarterly police performance pack.", epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _profile_options(p, None)
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo-data", help="write the synthetic demo data set")
    d.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "data" / "demo"), help="folder to write (default data/demo)")
    d.add_argument("--scale", type=float, default=1.0, help="multiply every volume by K (benchmarks)")
    d.add_argument("--seed", type=int, default=2021, help="random seed (same seed, same files)")
    d.add_argument("--format", choices=["csv", "parquet"], default="csv")
    _profile_options(d, argparse.SUPPRESS)
    d.set_defaults(func=cmd_demo_data)

    v = sub.add_parser("validate", help="check the input data and print a data-quality report")
    v.add_argument("--data", default=None, help="data folder (default data/demo)")
    v.add_argument("--source", default="canonical")
    _profile_options(v, argparse.SUPPRESS)
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser(
        "run",
        help="run every section for one period",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run the pack for one period. With --sections, those sections are run again inside the existing pack, which keeps the others.",
    )
    r.add_argument("--period", required=True, help="reporting quarter, e.g. 2020-Q4")
    r.add_argument("--data", default=None, help="data folder (default data/demo)")
    r.add_argument("--source", default="canonical")
    _profile_options(r, argparse.SUPPRESS)
    r.add_argument("--sections", default=None, help="comma-separated section ids, numbers or names (default all); the pack keeps the sections not named")
    r.add_argument("--workers", type=int, default=os.cpu_count(), help="sections run at once (default: cores)")
    r.add_argument("--out", default=None, help="outputs folder (default outputs/)")
    r.add_argument("--timeout", type=int, default=None, help="seconds per section (default from the configuration)")
    r.add_argument("--notebooks", default=None, help="folder of section notebooks (default notebooks/)")
    r.add_argument(
        "--peers",
        default=None,
        metavar="DIR",
        help="folder of ONS police force area tables workbooks for the peer comparison (default peers.dir in the configuration; none: no peer comparison)",
    )
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)

    i = sub.add_parser("init-force", help="write a new force profile (profiles/<name>/) from the template or from police.uk files")
    i.add_argument("name", help="the force, e.g. west-mercia (the profile folder's name)")
    i.add_argument(
        "--from", dest="source_dir", default=None, help="a folder of the force's data.police.uk street files: its name and areas are taken from them"
    )
    i.add_argument("--profiles", default=None, help="where to write it (default profiles/)")
    i.set_defaults(func=cmd_init_force)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.force = args.force or ""
    try:
        return args.func(args)
    except _plain_errors() as exc:
        print(f"perfpack {args.command}: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_BAD_INPUT)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGHUP (the runner's Stopped)
        signum = getattr(exc, "signum", 2)
        print(f"perfpack: {'interrupted' if signum == 2 else exc}; earlier outputs are unchanged and the run's temporary files were removed.", file=sys.stderr)
        return 128 + signum


if __name__ == "__main__":
    raise SystemExit(main())

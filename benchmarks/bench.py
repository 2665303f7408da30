"""Benchmark: the quarterly pack on the demo data at scale 1 and scale 10.

Scale 10 is a force about the size of the largest in the country (about 4.3 million
recorded crimes and 7 million incidents over 2016-2021). For each scale the script measures,
each in a fresh process:

* **generation**: ``perfpack demo-data --scale K`` (synthetic CSV files);
* **validation**: ``perfpack validate`` (read, parse and check every file, classify crimes);
* **the pack**: ``perfpack run --period 2020-Q4`` with 1 and with 2 workers: wall time, the
  time of each section (from ``manifest.json``: its worker process, kernel, notebook and HTML
  export), and the validation step inside the run;
* **the floor**: every figure and chart of the pack computed in one Python process without
  notebooks or kernels: the data validated once, then the code cells of each section
  notebook run with ``exec`` in one namespace per section (parameters set as the runner sets
  them, ``IPython.display.display`` a no-op, charts still rendered to PNG);
* **peak memory**: the largest single process (``ru_maxrss`` of the measured command's process
  tree, via ``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh helper process per
  measurement) and the peak of the whole tree (sum of proportional set sizes, PSS, sampled
  every 0.2 s: shared pages such as the memory-mapped snapshot are counted once).

It prints a Markdown table (pack ÷ floor is the price of notebooks, kernels and exports) and
writes ``benchmarks/results/bench-<date>.json`` (git-ignored).

Usage::

    .venv/bin/python benchmarks/bench.py [--scales 1,10] [--workers 1,2] [--quick]
        [--period 2020-Q4] [--data-root DIR]

``--quick`` is scale 1 with 2 workers only. Aims on two cores: scale 1 under 20 s,
scale 10 under 60 s, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
NOTEBOOKS = ROOT / "notebooks"
AIMS = {1: 20.0, 10: 60.0}
MEMORY_AIM_MB = 2048


# ---- measuring one command in a fresh helper process -------------------------------------------


def _child_main(out_json: str, cmd: list[str]) -> int:
    """Run ``cmd``, sample its process tree's memory, write wall time, peak memory and CPU."""
    from _measure import run_sampled

    r = run_sampled(cmd, ROOT, interval=0.2)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(out_json).write_text(
        json.dumps(
            {
                "seconds": round(r.seconds, 2),
                "exit_code": r.returncode,
                "largest_process_mb": round(ru.ru_maxrss / 1024, 1),
                "tree_peak_pss_mb": round(r.peak_pss_mb, 1),
                "tree_peak_rss_mb": round(r.peak_rss_mb, 1),
                "cpu_seconds": round(ru.ru_utime + ru.ru_stime, 2),
                "stdout_tail": r.stdout.strip().splitlines()[-40:],
                "stderr_tail": r.stderr.strip().splitlines()[-15:],
            }
        ),
        encoding="utf-8",
    )
    return 0


def measure(cmd: list[str]) -> dict:
    """``cmd`` run by a fresh helper process, so that ``RUSAGE_CHILDREN`` covers it alone."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        subprocess.run([sys.executable, __file__, "--_child", out, "--", *cmd], check=True, cwd=ROOT)
        return json.loads(Path(out).read_text(encoding="utf-8"))
    finally:
        Path(out).unlink(missing_ok=True)


def perfpack_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "perfpack.cli", *args]


# ---- the floor: every figure and chart in one process, no notebooks ---------------------------


def _floor_main(data_dir: str, period: str, out_json: str) -> int:
    """Validate the data once, then run each section notebook's code cells with ``exec``."""
    t0 = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display
    import matplotlib.pyplot as plt

    import perfpack.pages.section
    import perfpack.pages.sections  # noqa: F401  (the notebooks' imports, timed here, not in a section)
    import perfpack.pages.strategic  # noqa: F401
    from perfpack.config import load_config
    from perfpack.sources import load_dataset

    t_import = time.perf_counter()
    config = load_config()
    ds = load_dataset(data_dir, "canonical", "", config)
    t_load = time.perf_counter()

    IPython.display.display = lambda *a, **k: None  # Section.show builds the HTML, then nothing
    perfpack.pages.section.load_dataset = lambda *a, **k: ds  # the data are validated once, as in a run
    figures_dir = Path(tempfile.mkdtemp(prefix="perfpack-floor-"))
    sections, rows = {}, 0
    os.chdir(NOTEBOOKS)
    try:
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
            nb = json.loads(path.read_text(encoding="utf-8"))  # plain JSON: no nbformat in the floor
            ns = {"display": IPython.display.display}
            params = {
                "period": period,
                "data_dir": data_dir,
                "source": "canonical",
                "force": "",
                "config_path": str(config.path),
                "figures_dir": str(figures_dir),
            }
            t = time.perf_counter()
            status = "ok"
            try:
                for cell in nb["cells"]:
                    if cell["cell_type"] != "code":
                        continue
                    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                    exec(compile(source, f"{path.name}", "exec"), ns)
                    if "parameters" in cell.get("metadata", {}).get("tags", []):
                        ns.update(params)
            except Exception as exc:  # a failing section is reported, the others go on
                status = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            plt.close("all")
            sections[path.stem] = {"seconds": round(time.perf_counter() - t, 2), "status": status}
        for f in figures_dir.glob("*.csv"):
            rows += max(0, sum(1 for _ in f.open(encoding="utf-8")) - 1)
    finally:
        shutil.rmtree(figures_dir, ignore_errors=True)
    t_end = time.perf_counter()
    result = {
        "import_seconds": round(t_import - t0, 2),
        "load_seconds": round(t_load - t_import, 2),
        "compute_seconds": round(t_end - t_load, 2),
        "seconds": round(t_end - t0, 2),
        "sections": sections,
        "figure_rows": rows,
        "largest_process_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    Path(out_json).write_text(json.dumps(result), encoding="utf-8")
    return 0


def measure_floor(data_dir: Path, period: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        outer = measure([sys.executable, __file__, "--_floor", str(data_dir), period, out])
        inner = json.loads(Path(out).read_text(encoding="utf-8")) if Path(out).stat().st_size else {}
    finally:
        Path(out).unlink(missing_ok=True)
    if outer["exit_code"]:
        raise SystemExit("the floor failed:\n" + "\n".join(outer["stderr_tail"]))
    return dict(inner, wall_seconds=outer["seconds"], largest_process_mb=outer["largest_process_mb"])


# ---- one scale ---------------------------------------------------------------------------------


def bench_scale(scale: float, workers: list[int], period: str, data_root: Path) -> dict:
    data = data_root / f"demo-scale{scale:g}"
    print(f"\n== scale {scale:g}: generating {data} ...", flush=True)
    gen = measure(perfpack_cmd("demo-data", "--out", str(data), "--scale", str(scale)))
    if gen["exit_code"]:
        raise SystemExit("generation failed:\n" + "\n".join(gen["stderr_tail"]))
    rows = {p.stem: _count_lines(p) - 1 for p in sorted(data.glob("*.csv"))}
    print(f"   {gen['seconds']:.1f} s; rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()), flush=True)

    print("   validating ...", flush=True)
    val = measure(perfpack_cmd("validate", "--data", str(data)))
    if val["exit_code"]:
        raise SystemExit("validation failed:\n" + "\n".join(val["stderr_tail"]))
    print(f"   {val['seconds']:.1f} s, {val['largest_process_mb']:,.0f} MB", flush=True)

    packs = {}
    for w in workers:
        out = Path(tempfile.mkdtemp(prefix="perfpack-bench-"))
        try:
            print(f"   the pack for {period}, {w} worker{'s' if w > 1 else ''} ...", flush=True)
            res = measure(perfpack_cmd("run", "--period", period, "--data", str(data), "--out", str(out), "--workers", str(w), "--no-progress"))
            manifest_path = out / period / "manifest.json"
            m = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
            res["validate_seconds"] = m.get("validate_seconds")
            res["manifest_seconds"] = m.get("duration_seconds")
            res["sections"] = {
                s["id"]: {"seconds": s["seconds"], "execute_seconds": s.get("execute_seconds"), "status": s["status"]} for s in m.get("sections", [])
            }
            packs[w] = res
            bad = [k for k, v in res["sections"].items() if v["status"] != "ok"]
            print(
                f"   {res['seconds']:.1f} s (exit {res['exit_code']}{', failed: ' + ', '.join(bad) if bad else ''}), largest process {res['largest_process_mb']:,.0f} MB, tree {res['tree_peak_pss_mb']:,.0f} MB",
                flush=True,
            )
            if res["exit_code"] == 2:
                print("   " + "\n   ".join(res["stderr_tail"]), flush=True)
        finally:
            shutil.rmtree(out, ignore_errors=True)

    print("   the floor (one process, no notebooks) ...", flush=True)
    floor = measure_floor(data, period)
    print(f"   {floor['seconds']:.1f} s (import {floor['import_seconds']}, load {floor['load_seconds']}, compute {floor['compute_seconds']})", flush=True)
    return {"scale": scale, "data": str(data), "rows": rows, "generate": gen, "validate": val, "pack": packs, "floor": floor}


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            n += block.count(b"\n")
    return n


# ---- the table -----------------------------------------------------------------------------------


def _s(x) -> str:
    return "–" if x is None else f"{x:.1f}"


def _mb(x) -> str:
    return "–" if x is None else f"{x:,.0f}"


def table(results: list[dict], workers: list[int]) -> str:
    cols = [f"scale {r['scale']:g}" for r in results]
    lines = ["| | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]

    def row(label, values):
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("crimes / incidents (rows)", [f"{r['rows'].get('crimes', 0):,} / {r['rows'].get('incidents', 0):,}" for r in results])
    row("data generation (s)", [_s(r["generate"]["seconds"]) for r in results])
    row("validation, `perfpack validate` (s)", [_s(r["validate"]["seconds"]) for r in results])
    for w in workers:
        row(
            f"**pack, {w} worker{'s' if w > 1 else ''} (s)**",
            [f"**{_s(r['pack'][w]['seconds'])}**" + ("" if r["pack"][w]["exit_code"] == 0 else f" (exit {r['pack'][w]['exit_code']})") for r in results],
        )
        row(f"of which validation and snapshot, {w} worker{'s' if w > 1 else ''} (s)", [_s(r["pack"][w].get("validate_seconds")) for r in results])
    row("floor: every figure and chart in one process (s)", [_s(r["floor"]["seconds"]) for r in results])
    row(
        "floor: import / load and validate / compute (s)",
        [f"{_s(r['floor']['import_seconds'])} / {_s(r['floor']['load_seconds'])} / {_s(r['floor']['compute_seconds'])}" for r in results],
    )
    for w in workers:
        row(f"ratio pack ({w} worker{'s' if w > 1 else ''}) ÷ floor", [f"{r['pack'][w]['seconds'] / r['floor']['seconds']:.1f}" for r in results])
    w = max(workers)
    row(f"peak memory, largest process, pack {w} workers (MB)", [_mb(r["pack"][w]["largest_process_mb"]) for r in results])
    row(f"peak memory, whole pack {w} workers, sum of PSS (MB)", [_mb(r["pack"][w]["tree_peak_pss_mb"]) for r in results])
    row("peak memory, validation / floor (MB)", [f"{_mb(r['validate']['largest_process_mb'])} / {_mb(r['floor']['largest_process_mb'])}" for r in results])
    row("aim for the pack (s)", [_s(AIMS.get(int(r["scale"]))) if r["scale"] in AIMS else "–" for r in results])

    # per section: the pack's time per section (worker, kernel, notebook, export) and the floor's
    ids = sorted({k for r in results for p in r["pack"].values() for k in p["sections"]} | {k for r in results for k in r["floor"]["sections"]})
    head = []
    for r in results:
        head += [f"s{r['scale']:g}, {w}w" for w in workers] + [f"s{r['scale']:g}, floor"]
    sec = ["", "| section (s) | " + " | ".join(head) + " |", "|---|" + "---:|" * len(head)]
    for i in ids:
        vals = []
        for r in results:
            for w in workers:
                v = r["pack"][w]["sections"].get(i, {})
                vals.append(_s(v.get("seconds")) + ("" if v.get("status", "ok") == "ok" else " ✗"))
            f = r["floor"]["sections"].get(i, {})
            vals.append(_s(f.get("seconds")) + ("" if f.get("status", "ok") == "ok" else " ✗"))
        sec.append(f"| {i} | " + " | ".join(vals) + " |")
    return "\n".join(lines + sec)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_child"]:
        return _child_main(argv[1], argv[3:])
    if argv[:1] == ["--_floor"]:
        return _floor_main(argv[1], argv[2], argv[3])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,10", help="comma-separated demo scales (default 1,10)")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    ap.add_argument("--period", default="2020-Q4")
    ap.add_argument("--quick", action="store_true", help="scale 1 with 2 workers only")
    ap.add_argument("--data-root", default=None, help="where to write the demo data (default: a temporary folder, removed after)")
    args = ap.parse_args(argv)
    scales = [1.0] if args.quick else [float(s) for s in args.scales.split(",") if s.strip()]
    workers = [2] if args.quick else [int(w) for w in args.workers.split(",") if w.strip()]
    data_root = Path(args.data_root) if args.data_root else Path(tempfile.mkdtemp(prefix="perfpack-bench-data-"))
    load = os.getloadavg()
    try:
        results = [bench_scale(s, workers, args.period, data_root) for s in scales]
    finally:
        if not args.data_root:
            shutil.rmtree(data_root, ignore_errors=True)
    text = table(results, workers)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
    note = f"{os.cpu_count()} CPUs, Python {platform.python_version()}, commit {commit or '?'}, load average before {load[0]:.1f}; period {args.period}."
    print("\n" + text + "\n\n" + note)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now():%Y-%m-%d-%H%M}.json"
    out.write_text(
        json.dumps(
            {"when": datetime.now().isoformat(timespec="seconds"), "note": note, "period": args.period, "results": results, "table": text},
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    print(f"Written {out.relative_to(ROOT)}")
    ok = all(r["pack"][w]["exit_code"] == 0 for r in results for w in workers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

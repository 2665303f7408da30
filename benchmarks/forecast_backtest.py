"""Benchmark: the demand forecasts' back-test, their stability from one quarter to the next,
and the time they take.

On the demo data (or ``--data``), for the five demand series of section 08
(``strategic.demand_series``) this script prints

1. the rolling-origin back-test the pack runs (``forecast_selection.rolling_backtest`` on the months
   the methods are fitted on, i.e. before the Covid-19 period): per series, every method's
   MAPE, the method used, the coverage of its model's own 95% intervals and of the widened
   ones (leave one origin out), and the widening factor;
2. the final financial year's forecast (2023/24) from the 2020-Q3 run and the 2020-Q4 run,
   before (ETS with the Covid-19 months in the fit: ``forecast.forecast_series``, as the pack
   did before issue 14, with its one-origin back-test ``forecast.backtest``) and after
   (``strategic.forecast_one``, as the pack does now), and the swing between the two runs;
3. with ``--baseline REF``: the time of ``strategic.forecast_demand`` over the five series
   (2020-Q4, median of ``--repeats`` runs in each of ``--rounds`` fresh processes, old and new
   interleaved) for the code at git ``REF`` against the working tree, side by side.

Usage::

    PYTHONPATH=lib .venv/bin/python benchmarks/forecast_backtest.py [--data DIR] [--baseline cf32711]
        [--rounds 3] [--repeats 3] [--timing-only]

Takes about a minute with ``--baseline`` on two cores.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

PERIODS = ("2020-Q3", "2020-Q4")
FINAL_YEAR = "2023/24"

# Run in a fresh process: time forecast_demand over the pickled 2020-Q4 series.
TIMER = r"""
import pickle, statistics, sys, time, warnings
from datetime import date
import matplotlib
matplotlib.use("Agg")
try:  # the library by role (issue 12 on)
    from perfpack.pages import strategic
    from perfpack.measures.demand import Demand
except ImportError:  # the flat library of a baseline before it
    from perfpack import strategic
    Demand = strategic.Demand
series, covid_start, repeats = pickle.load(open(sys.argv[1], "rb"))
demand = Demand(series=series)
warnings.simplefilter("ignore")
strategic.forecast_demand(demand, "08-strategic-risk", covid_start=covid_start)  # warm up
wall, cpu = [], []
for _ in range(repeats):
    t, c = time.perf_counter(), time.process_time()
    strategic.forecast_demand(demand, "08-strategic-risk", covid_start=covid_start)
    wall.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print(statistics.median(wall), statistics.median(cpu))
"""


def demand_by_period(data_dir: Path):
    from perfpack.config import load_config
    from perfpack.measures.demand import demand_series
    from perfpack.periods import Period
    from perfpack.sources import load_dataset

    config = load_config(ROOT / "profiles" / "demo" / "pack.yaml")
    ds = load_dataset(data_dir, "canonical", "", config).without_identifiers()
    return {p: demand_series(ds, Period.parse(p)).series for p in PERIODS}, config.covid_overall_start


def final_year(fc) -> float:
    y = fc.yearly.set_index("year")
    return float(y.loc[FINAL_YEAR, "forecast"]) if FINAL_YEAR in y.index else float("nan")


def timing(baseline: str, series, covid_start, rounds: int, repeats: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(f"git -C {ROOT} archive {baseline} lib | tar -x -C {tmp}", shell=True, check=True)
        blob = tmp / "series.pkl"
        blob.write_bytes(pickle.dumps((series, covid_start, repeats)))
        libs = {"before": tmp / "lib", "after": ROOT / "lib"}
        wall, cpu = {k: [] for k in libs}, {k: [] for k in libs}
        for _ in range(rounds):
            for label, lib in libs.items():
                env = dict(os.environ, PYTHONPATH=str(lib), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
                out = subprocess.run([sys.executable, "-c", TIMER, str(blob)], env=env, capture_output=True, text=True, check=True)
                w, c = out.stdout.strip().splitlines()[-1].split()
                wall[label].append(float(w))
                cpu[label].append(float(c))
    return {"wall": wall, "cpu": cpu}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="a canonical data folder (default: generate the demo set)")
    ap.add_argument("--baseline", help="git ref of the code to time against (e.g. the commit before issue 14)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timing-only", action="store_true", help="only part 3 (needs --baseline)")
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    from perfpack.pages import strategic
    from perfpack.stats.forecast import backtest, forecast_series
    from perfpack.stats.forecast_methods import METHODS
    from perfpack.stats.forecast_selection import fit_sample, rolling_backtest

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            from perfpack.sources.demo import write_demo

            data = Path(tmp) / "demo"
            write_demo(data)
        demand, covid_start = demand_by_period(data)
    exclude = strategic.covid_exclusion(covid_start)
    warnings.simplefilter("ignore")
    if args.timing_only:
        return _print_timing(args, demand, covid_start)

    print(f"1. Rolling-origin back-test of the 2020-Q4 series (the months before the Covid-19 period, from {exclude[0]:%B %Y}, left out)")
    head = " ".join(f"{m[:18]:>18s}" for m in METHODS)
    print(f"{'series':30s} {head}   {'used':18s} {'own cover':>9s} {'widened':>8s} {'factor':>6s}")
    for key, s in demand["2020-Q4"].items():
        fit, scored, _ = fit_sample(s.rename(key), exclude)
        bt = rolling_backtest(fit, scored=scored)
        sc = bt.scores.set_index("method")
        mapes = " ".join(f"{sc.loc[m, 'mape']:17.1f}%" if m in sc.index else f"{'-':>18s}" for m in METHODS)
        print(f"{key:30s} {mapes}   {bt.method:18s} {bt.raw_coverage:9.0%} {bt.coverage:8.0%} {bt.calibration:6.2f}")
    print(f"   origins: {', '.join(f'{o:%b %Y}' for o in bt.origins)}; 12 months each")

    print(f"\n2. Final year ({FINAL_YEAR}) forecast, 2020-Q3 run against 2020-Q4 run")
    print(
        f"{'series':30s} {'before: Q3':>11s} {'Q4':>9s} {'swing':>7s} {'bt MAPE':>8s} {'inside':>7s} | {'after: Q3':>10s} {'Q4':>9s} {'swing':>7s} {'method':>20s}"
    )
    for key in demand["2020-Q4"]:
        old = {p: forecast_series(demand[p][key].rename(key)) for p in PERIODS}
        old_bt = backtest(demand["2020-Q4"][key].rename(key))
        new = {p: strategic.forecast_one(key, demand[p][key], "08-strategic-risk", covid_start=covid_start, compare=False) for p in PERIODS}
        o3, o4 = final_year(old["2020-Q3"]), final_year(old["2020-Q4"])
        n3, n4 = final_year(new["2020-Q3"].forecast), final_year(new["2020-Q4"].forecast)
        print(
            f"{key:30s} {o3:11,.0f} {o4:9,.0f} {100 * (o4 / o3 - 1):+6.1f}% {old_bt.mape:7.1f}% {round(old_bt.coverage * 12):4d}/12 | "
            f"{n3:10,.0f} {n4:9,.0f} {100 * (n4 / n3 - 1):+6.1f}% {new['2020-Q4'].forecast.model[:20]:>20s}"
        )
        base = new["2020-Q4"].forecast.actual_yearly.iloc[-1]
        lo, hi = new["2020-Q4"].forecast.yearly.iloc[-1][["lower", "upper"]]
        old_y = old["2020-Q4"].yearly.iloc[-1]
        print(
            f"{'':30s}  against {base['year']} ({base['actual']:,.0f}): before {100 * (o4 / base['actual'] - 1):+.0f}% "
            f"(interval {old_y['lower']:,.0f} to {old_y['upper']:,.0f}), after {100 * (n4 / base['actual'] - 1):+.0f}% (interval {lo:,.0f} to {hi:,.0f})"
        )

    return _print_timing(args, demand, covid_start)


def _print_timing(args, demand, covid_start) -> int:
    if args.baseline:
        t = timing(args.baseline, demand["2020-Q4"], covid_start, args.rounds, args.repeats)
        print(
            f"\n3. strategic.forecast_demand over the five 2020-Q4 series: median of {args.rounds} fresh processes (old and new interleaved), each the median of {args.repeats} runs after a warm-up"
        )
        for kind, what in (("wall", "wall time"), ("cpu", "CPU time of the process (less sensitive to a shared machine)")):
            b, a = statistics.median(t[kind]["before"]), statistics.median(t[kind]["after"])
            print(
                f"   {what}: before ({args.baseline}) {b:.2f} s [{', '.join(f'{x:.2f}' for x in t[kind]['before'])}], "
                f"after (working tree) {a:.2f} s [{', '.join(f'{x:.2f}' for x in t[kind]['after'])}], after / before {a / b:.2f}"
            )
        print(f"   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

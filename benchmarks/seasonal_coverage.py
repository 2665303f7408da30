"""Benchmark: how often the usual seasonal range holds the months it is drawn for.

For every series the section charts draw with the band (all crime, domestic abuse crime and
non-crime, non-domestic violence, serious acquisitive crime, theft of a motor vehicle, ASB
incidents, all calls, 999 calls, 101 calls), over rolling pre-Covid windows: each window is
12 months, the band is made by ``seasonal.expected_range`` from the months before the window
only (exactly as the pack does), and each observed month is scored inside or outside. The
windows start every month from the first with two years of history before it (January 2018
on the demo data) to the last that ends before the Covid-19 period (March 2019 to February
2020). Prints coverage per series and overall, the standardised errors (mean and SD; 0 and 1
for an honest normal band) and the run time.

``--method ets`` scores the band the pack drew before issue 14 instead (statsmodels ETS, the
model's own 95% interval, ``forecast.forecast_series``), for the before/after comparison.
``--first``/``--last`` change the window starts (the review quoted 13 windows, February 2018
to February 2019).

Usage::

    PYTHONPATH=lib .venv/bin/python benchmarks/seasonal_coverage.py [--data DIR] [--method rule|ets]
        [--first 2018-01] [--last 2019-03] [--level 0.95]

Without ``--data`` the default demo set (scale 1, seed 2021) is generated into a temporary folder.
Aim (issue 14): 93-97% overall, no series under 88%. Takes about 10 s (the ETS band about a minute).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from perfpack.config import load_config  # noqa: E402
from perfpack.measures import calls as calls_measures  # noqa: E402
from perfpack.measures import domestic  # noqa: E402
from perfpack.measures.counts import all_crime, asb_incidents, monthly_counts  # noqa: E402
from perfpack.pages.serious_acquisitive_crime import sac_events  # noqa: E402
from perfpack.sources import load_dataset  # noqa: E402


def band_series(data_dir: Path) -> tuple[dict[str, pd.Series], date]:
    """The monthly series the section charts draw with the band, as the sections count them."""
    config = load_config(ROOT / "profiles" / "demo" / "pack.yaml")
    ds = load_dataset(data_dir, "canonical", "", config).without_identifiers()
    c, inc, calls = ds.tables["crimes"], ds.tables["incidents"], ds.tables["calls"]
    first = min(ds.coverage(t)[0] for t in ("crimes", "incidents", "calls"))
    last = max(ds.coverage(t)[1] for t in ("crimes", "incidents", "calls"))
    vt = c["violence_type"].astype("string")
    violence = c[vt.notna() & (vt.str.strip() != "") & ~c["domestic"].fillna(False).astype(bool)]
    asb = asb_incidents(inc)
    channels = {key: ev for key, _, ev in calls_measures.by_channel(calls)}
    out = {
        "all crime": (all_crime(c), "recorded_date"),
        "domestic abuse crime and non-crime": (domestic.occurrences(c, inc), "date"),
        "non-domestic violence": (violence, "recorded_date"),
        "serious acquisitive crime": (sac_events(c), "recorded_date"),
        "theft of a motor vehicle": (c[c["category"] == "theft_of_motor_vehicle"], "recorded_date"),
        "ASB incidents": (asb, "opened_at"),
        "all calls": (channels["calls_total"], "date"),
        "999 calls": (channels["calls_999"], "date"),
        "101 calls": (channels["calls_101"], "date"),
    }
    # "ASB other than Covid-19 related" is the same series as ASB before the pandemic: not scored twice.
    return {k: monthly_counts(ev, col, first, last).astype(float) for k, (ev, col) in out.items()}, config.covid_overall_start


def ets_band(history: pd.Series, start, end, level: float) -> pd.DataFrame:
    """The band before issue 14: ETS's own interval, fitted on the months before the window."""
    from perfpack.stats.forecast import forecast_series  # heavy: only for --method ets

    horizon = len(pd.date_range(history.index[-1], end, freq="MS")) - 1
    fc = forecast_series(history, horizon_months=horizon, level=level, n_simulations=10)
    return fc.monthly.set_index("month").reindex(pd.date_range(start, end, freq="MS"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="a canonical data folder (default: generate the demo set)")
    ap.add_argument("--method", choices=("rule", "ets"), default="rule", help="rule: the pack's band; ets: the band before issue 14")
    ap.add_argument("--first", default=None, help="first window start, YYYY-MM (default: two years after the data start)")
    ap.add_argument("--last", default=None, help="last window start, YYYY-MM (default: the last window ending before the Covid-19 period)")
    ap.add_argument("--level", type=float, default=0.95)
    args = ap.parse_args(argv)

    from perfpack.stats.seasonal import expected_range  # heavy: after the arguments are read

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            from perfpack.demo import write_demo

            data = Path(tmp) / "demo"
            write_demo(data)
        series, covid_start = band_series(data)
    start0 = next(iter(series.values())).index[0]
    first = pd.Timestamp(args.first) if args.first else start0 + pd.DateOffset(months=24)
    covid_month = pd.Timestamp(covid_start).to_period("M").to_timestamp()
    last = pd.Timestamp(args.last) if args.last else covid_month - pd.DateOffset(months=12)
    starts = pd.date_range(first, last, freq="MS")
    z = stats.norm.ppf(0.5 + args.level / 2)

    t0 = time.perf_counter()
    rows, errors = [], []
    for name, s in series.items():
        inside = total = 0
        for start in starts:
            end = start + pd.DateOffset(months=11)
            if args.method == "rule":
                band = expected_range(s, start, end, level=args.level)
                expected = band["expected"]
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    band = ets_band(s[s.index < start], start, end, args.level)
                expected = band["forecast"]
            observed = s.reindex(band.index)
            ok = (observed >= band["lower"]) & (observed <= band["upper"])
            inside += int(ok.sum())
            total += len(band)
            sd = (band["upper"] - band["lower"]) / (2 * z)
            errors.extend(((observed - expected) / sd).to_numpy())
        rows.append((name, inside, total))
    seconds = time.perf_counter() - t0

    label = "usual seasonal range (two-year seasonal rule)" if args.method == "rule" else "ETS band before issue 14"
    print(f"{label}: {len(starts)} windows of 12 months starting {starts[0]:%b %Y} to {starts[-1]:%b %Y}, nominal {args.level:.0%}")
    print(f"{'series':38s} {'months':>7s} {'inside':>7s} {'coverage':>9s}")
    for name, inside, total in rows:
        print(f"{name:38s} {total:7d} {inside:7d} {inside / total:9.1%}")
    n_in, n = sum(r[1] for r in rows), sum(r[2] for r in rows)
    e = np.asarray(errors, dtype=float)
    print(f"{'overall':38s} {n:7d} {n_in:7d} {n_in / n:9.1%}")
    print(f"lowest series: {min(r[1] / r[2] for r in rows):.1%}; standardised errors: mean {e.mean():+.2f}, SD {e.std():.2f}; {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

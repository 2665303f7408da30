"""The demo's calendar and expected daily volumes, and the drawn counts per day: calibration
segments cut at the Covid-19 period boundaries, Poisson totals, multinomial days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np

from perfpack.config import PackConfig
from perfpack.periods import Window
from perfpack.sources.demo.parameters import (
    BASE_YEAR,
    DEMO_END,
    DEMO_START,
    MODEL_PERIODS,
    MONTHLY_DISPERSION,
    PANDEMIC_START,
    SEGMENT_NOISE_CAP,
    WEEKLY,
    Series,
)

# Calendar and expected volumes
# --------------------------------------------------------------------------------------


class Calendar:
    """Days of the demo, their attributes, Covid-19 periods and calibration segments."""

    def __init__(self, config: PackConfig):
        self.days = np.arange(np.datetime64(DEMO_START, "D"), np.datetime64(DEMO_END + timedelta(days=1), "D"))
        self.n = len(self.days)
        d = self.days
        self.year = d.astype("datetime64[Y]").astype(np.int64) + 1970
        months = d.astype("datetime64[M]")
        self.month_labels = np.array([str(m) for m in np.unique(months)])
        self.month = (months - months[0]).astype(np.int64)
        self.doy = (d - d.astype("datetime64[Y]")).astype(np.int64)
        self.dow = (d.astype(np.int64) + 3) % 7  # Monday = 0
        self.day_no = np.arange(self.n)

        # The synthetic pandemic follows the national timeline the demo is calibrated to (the
        # seed paper's three periods of 2020, then the third lockdown to the end of the data),
        # whatever Covid-19 periods a profile reports on: a profile may list any number.
        start = PANDEMIC_START
        self.pandemic_year = start.year
        windows = [(date(start.year, 1, 1), start - timedelta(days=1))]
        windows += list(MODEL_PERIODS)
        windows.append((MODEL_PERIODS[-1][1] + timedelta(days=1), DEMO_END))
        self.periods = windows  # in COVID_KEYS order
        # Calibration segments: every year cut where the pandemic year's periods start.
        cuts = set()
        for y in range(DEMO_START.year, start.year + 1):
            for s, _ in windows[:4]:
                try:
                    cuts.add(np.datetime64(s.replace(year=y), "D"))
                except ValueError:  # 29 February in a common year
                    pass
        cuts.add(np.datetime64(windows[4][0], "D"))
        cuts |= {np.datetime64(date(y, 1, 1), "D") for y in range(DEMO_START.year, DEMO_END.year + 1)}
        cuts = np.array(sorted(c for c in cuts if d[0] <= c <= d[-1]))
        self.segment = np.searchsorted(cuts, d, side="right") - 1
        self.month_of = {lab: i for i, lab in enumerate(self.month_labels)}
        # each segment's year, and the segment holding the same dates a year earlier (-1 if none)
        first = [date.fromisoformat(str(c)) for c in cuts]
        last = [date.fromisoformat(str(c - 1)) for c in [*cuts[1:], d[-1] + 1]]
        self.segment_year = np.array([f.year for f in first])
        span = {(f, e): i for i, (f, e) in enumerate(zip(first, last))}
        self.segment_prev = np.array(
            [span.get((Window(f, e).year_earlier().start, Window(f, e).year_earlier().end), -1) for f, e in zip(first, last)], dtype=np.int64
        )

    def mask(self, start: date, end: date) -> np.ndarray:
        return (self.days >= np.datetime64(start, "D")) & (self.days <= np.datetime64(end, "D"))

    def index(self, d: date) -> int:
        return int((np.datetime64(d, "D") - self.days[0]).astype(np.int64))


def _baseline(s: Series, cal: Calendar) -> np.ndarray:
    """Expected daily volume with no pandemic, calendar 2019 summing to ``s.base``."""
    amp, peak = s.season
    season = 1 + amp * np.cos(2 * np.pi * (cal.doy - peak) / 365.25)
    week = np.asarray(WEEKLY[s.weekly], dtype=float)
    week = week / week.mean()
    knots_x = [cal.index(date(y, 7, 1)) for y in (2016, 2017, 2018, BASE_YEAR)]
    trend = np.interp(cal.day_no, knots_x, [*s.trend, 1.0])
    lam = season * week[cal.dow] * trend
    return lam * (s.base / lam[cal.year == BASE_YEAR].sum())


def _month_shape(shape: Mapping[str, float], cal: Calendar) -> np.ndarray:
    f = np.ones(len(cal.month_labels))
    for m, v in shape.items():
        f[cal.month_of[m]] = v
    return f[cal.month]


def expected(s: Series, cal: Calendar, done: Mapping[str, np.ndarray]) -> np.ndarray:
    """Expected daily volume (scale 1) with the Covid-19 ratios applied period by period.

    Each period's total is its ratio times the (already final) volume on the same dates a
    year earlier; inside the period, days follow the no-pandemic baseline times ``shape``.
    """
    if s.relative_to is None:
        base = _baseline(s, cal)
        ref = None
    else:
        week = np.asarray(WEEKLY[s.weekly], dtype=float)
        base = (week / week.mean())[cal.dow]
        ref = done[s.relative_to]
    lam = base.copy() if ref is None else np.zeros(cal.n)
    shape = _month_shape(s.shape, cal)
    for ratio, (start, end) in zip(s.covid, cal.periods):
        if end < start:
            continue
        p = cal.mask(start, end)
        earlier = Window(start, end).year_earlier()
        w_total = (lam if ref is None else ref)[cal.mask(earlier.start, earlier.end)].sum()
        weights = base[p] * shape[p]
        lam[p] = weights * (ratio * w_total / weights.sum())
    return lam


def _expected_all(series: Sequence[Series], cal: Calendar) -> dict[str, np.ndarray]:
    done: dict[str, np.ndarray] = {}
    for s in series:
        done[s.name] = expected(s, cal, done)
    return done


def _segment_totals(
    lam: np.ndarray, cal: Calendar, scale: float, rng: np.random.Generator, ref_factor: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Drawn totals of the calibration segments, and each one's drawn over expected total.

    Before the pandemic year a segment's total is a Poisson draw around its expected total.
    From the pandemic year on, a segment's expected total is first multiplied by the factor
    (drawn over expected) of the segment holding the same dates a year earlier, so that its
    ratio to that segment is the configured one whatever that draw; it then gets a noise of its
    own, normal with a relative standard deviation of ``1/sqrt(total)`` but at most
    :data:`SEGMENT_NOISE_CAP`, cut at two standard deviations. ``ref_factor`` (a series with
    ``relative_to``) takes the year-earlier factors from the named series instead.
    """
    expected = scale * np.bincount(cal.segment, weights=lam, minlength=len(cal.segment_year))
    n = len(expected)
    draws = rng.poisson(expected)
    eps = np.clip(rng.standard_normal(n), -2.0, 2.0)
    totals = np.zeros(n, dtype=np.int64)
    factor = np.ones(n)
    for i in range(n):
        if cal.segment_year[i] < cal.pandemic_year:
            totals[i] = draws[i]
        else:
            p = cal.segment_prev[i]
            e = expected[i] * ((factor if ref_factor is None else ref_factor)[p] if p >= 0 else 1.0)
            sd = min(1.0 / np.sqrt(e), SEGMENT_NOISE_CAP) if e > 0 else 0.0
            totals[i] = int(np.rint(e * (1.0 + sd * eps[i])))
        if expected[i] > 0:
            factor[i] = totals[i] / expected[i]
    return totals, factor


def allocate(
    lam: np.ndarray,
    segment: np.ndarray,
    cal: Calendar,
    scale: float,
    rng: np.random.Generator,
    dispersion: float = MONTHLY_DISPERSION,
    totals: np.ndarray | None = None,
) -> np.ndarray:
    """Daily counts whose segment totals are ``totals`` (by default the rounded expected totals
    times ``scale``), shared among the days by a multinomial draw."""
    if totals is None:
        totals = np.rint(scale * np.bincount(segment, weights=lam)).astype(np.int64)
    w = lam.copy()
    if dispersion > 0:
        k = 1 / dispersion**2
        w *= rng.gamma(k, 1 / k, size=len(cal.month_labels))[cal.month]
    counts = np.zeros(cal.n, dtype=np.int64)
    bounds = np.flatnonzero(np.diff(segment)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, cal.n]):
        t = totals[segment[lo]]
        if t > 0:
            ww = w[lo:hi]
            counts[lo:hi] = rng.multinomial(t, ww / ww.sum())
    return counts


def draw_counts(series: Sequence[Series], cal: Calendar, scale: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Daily counts of each series: segment totals drawn by :func:`_segment_totals`, then shared
    among the days."""
    expected = _expected_all(series, cal)
    factors: dict[str, np.ndarray] = {}
    out = {}
    for s in series:
        totals, factors[s.name] = _segment_totals(expected[s.name], cal, scale, rng, factors.get(s.relative_to))
        out[s.name] = allocate(expected[s.name], cal.segment, cal, scale, rng, totals=totals)
    return out


# --------------------------------------------------------------------------------------

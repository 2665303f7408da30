"""XmR (statistical process control) charts following NHS "Making Data Count".

One small verb per step, as NHSRplotthedots does, and the chart is drawn elsewhere:

1. :func:`xmr_limits` - centre line and limits per segment (rebasing, fixed baseline);
2. :func:`classify_points` - which points are special cause, by which rule, which way;
3. :func:`variation_icon` - what a point means given the direction of improvement;
4. :func:`xmr` - the three above in one call, one row per point;
5. :func:`latest_icon` - the variation icon for the latest point.

Where this follows NHSRplotthedots and where it departs from it is written up in
``docs/spc.md``. In short: limits are mean +/- 2.66 x mean moving range, with moving
ranges of 3.267 x the mean moving range or more screened out (NHSRplotthedots'
default); a trend is ``run_length`` points (so ``run_length - 1`` consecutive rises or
falls; a tie breaks it); a run is ``run_length`` points strictly on one side of the
centre line (a point on the line breaks it); two-of-three counts points beyond three
sigma too (the 2023 Making Data Count change, which NHSRplotthedots has not adopted);
rules never look across a rebase. When several rules flag a point the ``rule`` column
shows one, by NHSRplotthedots' precedence: beyond_limit, trend, two_of_three, run.
"""

from __future__ import annotations

import datetime as _dt
import numbers

import numpy as np
import pandas as pd

__all__ = [
    "TooFewPoints",
    "LIMIT_FACTOR",
    "NEAR_LIMIT_FACTOR",
    "MOVING_RANGE_SCREEN",
    "MIN_POINTS",
    "RULE_BEYOND_LIMIT",
    "RULE_RUN",
    "RULE_TREND",
    "RULE_TWO_OF_THREE",
    "RULE_PRECEDENCE",
    "IMPROVEMENT",
    "CONCERN",
    "NEUTRAL",
    "COMMON_CAUSE",
    "ICON_IMPROVEMENT",
    "ICON_CONCERN",
    "ICON_COMMON_CAUSE",
    "ICON_NEUTRAL",
    "xmr_limits",
    "classify_points",
    "variation_icon",
    "xmr",
    "latest_icon",
]

#: Limits are centre +/- LIMIT_FACTOR x mean moving range (3 sigma, sigma = mR-bar / 1.128).
LIMIT_FACTOR = 2.66
#: The near-limit band: two thirds of the way to the limits, i.e. two sigma.
NEAR_LIMIT_FACTOR = LIMIT_FACTOR * 2 / 3
#: Moving ranges at or above this multiple of the mean moving range are screened out.
MOVING_RANGE_SCREEN = 3.267
#: Making Data Count: at least 12 points before limits are worth drawing.
MIN_POINTS = 12
RUN_LENGTHS = (6, 7)

RULE_BEYOND_LIMIT = "beyond_limit"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two_of_three"
RULE_RUN = "run"
#: Which rule the ``rule`` column shows when several flag one point (NHSRplotthedots' order).
RULE_PRECEDENCE = (RULE_BEYOND_LIMIT, RULE_TREND, RULE_TWO_OF_THREE, RULE_RUN)

# Per-point variation (the ``variation`` column).
IMPROVEMENT = "improvement"
CONCERN = "concern"
NEUTRAL = "neutral"
COMMON_CAUSE = "common_cause"

# Variation icon of the latest point (what :func:`latest_icon` returns).
ICON_IMPROVEMENT = "improvement"
ICON_CONCERN = "concern"
ICON_COMMON_CAUSE = "common cause"
ICON_NEUTRAL = "neutral special cause"

_IMPROVEMENT_DIRECTIONS = ("increase", "decrease", "neutral")
_LIMIT_COLUMNS = ["value", "segment", "centre", "lower", "upper", "lower_2s", "upper_2s"]


class TooFewPoints(ValueError):
    """Raised when a series is too short for the statistic asked of it.

    The message is a plain sentence that a notebook can show in place of a chart, e.g.
    "too few months for SPC limits (9; at least 12 needed)".

    Attributes
    ----------
    n : int
        How many points there were.
    needed : int
        How many are needed.
    """

    def __init__(self, message: str, n: int | None = None, needed: int | None = None):
        super().__init__(message)
        self.n = n
        self.needed = needed


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------


def _as_series(values, index=None) -> pd.Series:
    if isinstance(values, pd.Series):
        if index is not None:
            raise ValueError("values is a Series with its own index; give the index either through the Series or through index=, not both")
        series = values
    elif isinstance(values, pd.DataFrame):
        raise ValueError("values must be one series of numbers, not a DataFrame; pick the column first")
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"values must be one-dimensional, got shape {arr.shape}")
        if index is not None and len(index) != len(arr):
            raise ValueError(f"index has {len(index)} entries but there are {len(arr)} values")
        series = pd.Series(arr, index=index)
    try:
        out = pd.to_numeric(series, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numbers: {exc}") from None
    missing = out.index[out.isna()]
    if len(missing):
        shown = ", ".join(str(m.date()) if isinstance(m, pd.Timestamp) else str(m) for m in missing[:5])
        raise ValueError(
            f"values are missing at {shown}; SPC needs a complete series - fill the gap (e.g. a month with no events is 0) or start the chart after it"
        )
    return out


def _check_int_option(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _check_run_length(run_length) -> int:
    if isinstance(run_length, bool) or run_length not in RUN_LENGTHS:
        raise ValueError(f"run_length must be 6 or 7 (Making Data Count allows either; 7 is the default), got {run_length!r}")
    return int(run_length)


def _check_improvement(improvement) -> str:
    if improvement not in _IMPROVEMENT_DIRECTIONS:
        raise ValueError(f"improvement must be 'increase', 'decrease' or 'neutral' (the direction in which the measure gets better), got {improvement!r}")
    return improvement


def _label(index: pd.Index, pos: int) -> str:
    key = index[pos]
    return str(key.date()) if isinstance(key, pd.Timestamp) else str(key)


def _rebase_positions(rebase, index: pd.Index) -> list[int]:
    """Positions (0-based) of the first point of each new segment."""
    if rebase is None:
        return []
    if isinstance(rebase, (str, _dt.date, numbers.Integral)) and not isinstance(rebase, bool):
        rebase = [rebase]
    n = len(index)
    positions = set()
    for item in rebase:
        if isinstance(item, numbers.Integral) and not isinstance(item, bool):
            pos = int(item)
            if not 0 <= pos < n:
                raise ValueError(f"rebase position {pos} is outside the series (0 to {n - 1})")
        else:
            if not isinstance(index, pd.DatetimeIndex):
                raise ValueError(
                    f"rebase entry {item!r} is not a position, and the series has no dates to "
                    "match it against; give integer positions or a Series with a DatetimeIndex"
                )
            try:
                when = pd.Timestamp(item)
            except (TypeError, ValueError):
                raise ValueError(f"rebase entry {item!r} is neither a position nor a date") from None
            matches = np.flatnonzero(index == when)
            if len(matches) == 0:
                raise ValueError(
                    f"rebase date {when.date()} is not a point of the series "
                    f"({_label(index, 0)} to {_label(index, n - 1)}); give the date of the first "
                    "point of the new segment exactly (month starts for monthly data)"
                )
            pos = int(matches[0])
        if pos == 0:
            raise ValueError("cannot rebase at the first point: the first segment always starts there")
        positions.add(pos)
    return sorted(positions)


# ---------------------------------------------------------------------------
# step 1: limits
# ---------------------------------------------------------------------------


def _segment_limits(values: np.ndarray, baseline: int | None, screen_outliers: bool):
    base = values if baseline is None else values[:baseline]
    centre = float(np.mean(base))
    moving_ranges = np.abs(np.diff(base))
    mean_mr = float(np.mean(moving_ranges))
    if screen_outliers and mean_mr > 0:
        kept = moving_ranges[moving_ranges < MOVING_RANGE_SCREEN * mean_mr]
        mean_mr = float(np.mean(kept))
    return centre, mean_mr


def xmr_limits(
    values,
    baseline: int | None = None,
    rebase=None,
    *,
    screen_outliers: bool = True,
    min_points: int = MIN_POINTS,
    index=None,
) -> pd.DataFrame:
    """Centre line and XmR limits for each point.

    Parameters
    ----------
    values : pd.Series or array-like
        The series in time order (e.g. monthly counts). A Series keeps its index.
    baseline : int, optional
        Fix the limits on the first ``baseline`` points of each segment (NHSRplotthedots'
        ``fix_after_n_points``); later points are judged against them. At least
        ``min_points``. Default: limits from all points of the segment.
    rebase : list of int or dates, optional
        Where a new segment starts (a change in process): integer positions, or dates
        that are in the series' DatetimeIndex. Limits are recalculated per segment.
    screen_outliers : bool, default True
        Leave out moving ranges of 3.267 x the mean moving range or more before
        recalculating the mean moving range (NHSRplotthedots' default), so one
        exceptional month does not widen the limits.
    min_points : int, default 12
        Fewest points worth calculating limits from, for the series and for each segment.
    index : array-like, optional
        Index for ``values`` when it is not a Series (e.g. month starts).

    Returns
    -------
    pd.DataFrame
        One row per point, same index as ``values``, columns ``value``, ``segment``
        (0, 1, ... after each rebase), ``centre``, ``lower``, ``upper`` (centre -/+
        2.66 x mean moving range) and ``lower_2s``, ``upper_2s`` (two sigma: two thirds
        of the distance to the limits). Lower limits are not clipped at zero.

    Raises
    ------
    TooFewPoints
        If the series, or a segment, has fewer than ``min_points`` points.
    ValueError
        If values are missing or not numbers, or an option is invalid.
    """
    min_points = _check_int_option(min_points, "min_points", 2)
    series = _as_series(values, index)
    n = len(series)
    if n < min_points:
        raise TooFewPoints(f"too few months for SPC limits ({n}; at least {min_points} needed)", n=n, needed=min_points)
    if baseline is not None:
        baseline = _check_int_option(baseline, "baseline", 2)
        if baseline < min_points:
            raise ValueError(f"baseline={baseline} is too short to fix limits on; use at least {min_points} points (or lower min_points deliberately)")
    starts = [0, *_rebase_positions(rebase, series.index), n]
    vals = series.to_numpy()

    segment = np.empty(n, dtype=int)
    centre = np.empty(n)
    mean_mr = np.empty(n)
    for seg, (lo, hi) in enumerate(zip(starts[:-1], starts[1:])):
        if hi - lo < min_points:
            raise TooFewPoints(
                f"too few months for SPC limits in the segment starting {_label(series.index, lo)} ({hi - lo}; at least {min_points} needed)",
                n=hi - lo,
                needed=min_points,
            )
        c, mr = _segment_limits(vals[lo:hi], baseline, screen_outliers)
        segment[lo:hi] = seg
        centre[lo:hi] = c
        mean_mr[lo:hi] = mr

    return pd.DataFrame(
        {
            "value": vals,
            "segment": segment,
            "centre": centre,
            "lower": centre - LIMIT_FACTOR * mean_mr,
            "upper": centre + LIMIT_FACTOR * mean_mr,
            "lower_2s": centre - NEAR_LIMIT_FACTOR * mean_mr,
            "upper_2s": centre + NEAR_LIMIT_FACTOR * mean_mr,
        },
        index=series.index,
    )


# ---------------------------------------------------------------------------
# step 2: special-cause rules
# ---------------------------------------------------------------------------


def _windows(n: int, width: int):
    return range(max(n - width + 1, 0))


def _rules_for_segment(v, centre, lower, upper, lower_2s, upper_2s, run_length):
    """Flags and directions (+1 high, -1 low) of each rule for one segment."""
    n = len(v)
    side = np.sign(v - centre).astype(int)  # 0 = on the centre line

    beyond = (v > upper) | (v < lower)
    beyond_dir = np.where(beyond, side, 0)

    # Run: run_length consecutive points strictly on one side; a point on the line breaks it.
    run = np.zeros(n, dtype=bool)
    run_dir = np.zeros(n, dtype=int)
    for i in _windows(n, run_length):
        w = side[i : i + run_length]
        if w[0] != 0 and np.all(w == w[0]):
            run[i : i + run_length] = True
            run_dir[i : i + run_length] = w[0]

    # Trend: run_length points, each strictly above (below) the one before; a tie breaks it.
    # A point at the turn of a rise and a fall takes the later trend's direction
    # (NHSRplotthedots uses the right-hand side).
    steps = np.sign(np.diff(v)).astype(int)
    trend = np.zeros(n, dtype=bool)
    trend_dir = np.zeros(n, dtype=int)
    for i in _windows(n, run_length):
        w = steps[i : i + run_length - 1]
        if w[0] != 0 and np.all(w == w[0]):
            trend[i : i + run_length] = True
            trend_dir[i : i + run_length] = w[0]

    # Two of three: three consecutive points on one side of the centre, at least two of them
    # beyond two sigma on that side (beyond three sigma counts: Making Data Count, 2023).
    # Only the points beyond two sigma are flagged, as in NHSRplotthedots.
    near = (v > upper_2s) | (v < lower_2s)
    two3 = np.zeros(n, dtype=bool)
    two3_dir = np.zeros(n, dtype=int)
    for i in _windows(n, 3):
        w = side[i : i + 3]
        if w[0] != 0 and np.all(w == w[0]) and near[i : i + 3].sum() >= 2:
            hit = np.arange(i, i + 3)[near[i : i + 3]]
            two3[hit] = True
            two3_dir[hit] = w[0]

    return {
        RULE_BEYOND_LIMIT: (beyond, beyond_dir),
        RULE_TREND: (trend, trend_dir),
        RULE_TWO_OF_THREE: (two3, two3_dir),
        RULE_RUN: (run, run_dir),
    }


def classify_points(limits: pd.DataFrame, run_length: int = 7) -> pd.DataFrame:
    """Flag special-cause points by the Making Data Count rules.

    Parameters
    ----------
    limits : pd.DataFrame
        The output of :func:`xmr_limits` (columns ``value``, ``centre``, ``lower``,
        ``upper``, ``lower_2s``, ``upper_2s`` and optionally ``segment``).
    run_length : {7, 6}, default 7
        Points needed for a run on one side of the centre and for a trend.

    Returns
    -------
    pd.DataFrame
        A copy of ``limits`` with ``signal`` (bool), ``rule`` (the rule that flagged the
        point, by precedence beyond_limit > trend > two_of_three > run; '' if none) and
        ``direction`` ('high', 'low' or ''): the side of the centre for a limit, run or
        two-of-three signal, and rising ('high') or falling ('low') for a trend.

    Notes
    -----
    Rules are applied within each segment, never across a rebase. Every point of a run
    or trend is flagged; in a two-of-three pattern the points beyond two sigma are.
    """
    run_length = _check_run_length(run_length)
    needed = {"value", "centre", "lower", "upper", "lower_2s", "upper_2s"}
    missing = needed - set(limits.columns)
    if missing:
        raise ValueError(f"limits is missing columns {sorted(missing)}; pass the DataFrame from xmr_limits()")
    out = limits.copy()
    n = len(out)
    segments = out["segment"].to_numpy() if "segment" in out.columns else np.zeros(n, dtype=int)
    rule = np.full(n, "", dtype=object)
    direction = np.zeros(n, dtype=int)

    for seg in pd.unique(segments):
        pos = np.flatnonzero(segments == seg)
        cols = {c: out[c].to_numpy(dtype=float)[pos] for c in needed}
        results = _rules_for_segment(
            cols["value"],
            cols["centre"],
            cols["lower"],
            cols["upper"],
            cols["lower_2s"],
            cols["upper_2s"],
            run_length,
        )
        # Walk rules from lowest to highest precedence so the highest one wins.
        for name in reversed(RULE_PRECEDENCE):
            flags, dirs = results[name]
            rule[pos[flags]] = name
            direction[pos[flags]] = dirs[flags]

    out["signal"] = rule != ""
    out["rule"] = pd.Series(rule, index=out.index, dtype=object).astype(str)
    out["direction"] = pd.Series(np.where(direction > 0, "high", np.where(direction < 0, "low", "")), index=out.index).astype(str)
    return out


# ---------------------------------------------------------------------------
# step 3: what a point means
# ---------------------------------------------------------------------------


def variation_icon(signal: bool, direction: str, improvement: str) -> str:
    """The variation a point shows, given the direction in which the measure improves.

    Parameters
    ----------
    signal : bool
        Whether the point is special cause.
    direction : {'high', 'low', ''}
        Which way the special cause points.
    improvement : {'increase', 'decrease', 'neutral'}
        Direction of improvement for the measure (e.g. 'decrease' for crime).

    Returns
    -------
    str
        'common_cause' when there is no signal; otherwise 'improvement' or 'concern'
        (e.g. 'high' with 'increase' is improvement), or 'neutral' for a measure with no
        direction of improvement.
    """
    improvement = _check_improvement(improvement)
    if not signal:
        return COMMON_CAUSE
    if direction not in ("high", "low"):
        raise ValueError(f"a special-cause point needs direction 'high' or 'low', got {direction!r}")
    if improvement == "neutral":
        return NEUTRAL
    better = "high" if improvement == "increase" else "low"
    return IMPROVEMENT if direction == better else CONCERN


# ---------------------------------------------------------------------------
# step 4: all together
# ---------------------------------------------------------------------------


def xmr(
    values,
    improvement: str = "increase",
    baseline: int | None = None,
    rebase=None,
    run_length: int = 7,
    index=None,
    *,
    min_points: int = MIN_POINTS,
    screen_outliers: bool = True,
) -> pd.DataFrame:
    """An XmR chart's numbers: limits, signals and variation, one row per point.

    Parameters
    ----------
    values : pd.Series or array-like
        The series in time order, e.g. monthly counts with a DatetimeIndex of month
        starts (the index is kept).
    improvement : {'increase', 'decrease', 'neutral'}, default 'increase'
        Direction in which the measure gets better ('decrease' for crime).
    baseline : int, optional
        Fix the limits on the first ``baseline`` points of each segment.
    rebase : list of int or dates, optional
        First point of each new segment; limits are recalculated per segment.
    run_length : {7, 6}, default 7
        Points in a run on one side of the centre, and in a trend.
    index : array-like, optional
        Index for ``values`` when it is not a Series.
    min_points : int, default 12
        Fewest points for limits (series and each segment).
    screen_outliers : bool, default True
        Screen out moving ranges of 3.267 x the mean moving range or more.

    Returns
    -------
    pd.DataFrame
        Columns ``value``, ``centre``, ``lower``, ``upper``, ``lower_2s``, ``upper_2s``,
        ``signal``, ``rule``, ``direction``, ``variation`` ('improvement', 'concern',
        'neutral' or 'common_cause') and ``segment``. ``attrs`` holds ``improvement``
        and ``run_length``.

    Raises
    ------
    TooFewPoints
        Fewer than ``min_points`` points (message: "too few months for SPC limits (N; at
        least 12 needed)"), for the series or for a segment after a rebase.
    ValueError
        An invalid option or missing values; the message says which.

    See Also
    --------
    latest_icon : the icon for the latest point.
    """
    improvement = _check_improvement(improvement)
    run_length = _check_run_length(run_length)
    limits = xmr_limits(
        values,
        baseline=baseline,
        rebase=rebase,
        screen_outliers=screen_outliers,
        min_points=min_points,
        index=index,
    )
    points = classify_points(limits, run_length=run_length)
    points["variation"] = [variation_icon(s, d, improvement) for s, d in zip(points["signal"], points["direction"])]
    points["variation"] = points["variation"].astype(str)
    columns = ["value", "centre", "lower", "upper", "lower_2s", "upper_2s", "signal", "rule", "direction", "variation", "segment"]
    out = points[columns]
    out.attrs = {"improvement": improvement, "run_length": run_length}
    return out


# ---------------------------------------------------------------------------
# step 5: the summary icon
# ---------------------------------------------------------------------------

_ICONS = {
    IMPROVEMENT: ICON_IMPROVEMENT,
    CONCERN: ICON_CONCERN,
    COMMON_CAUSE: ICON_COMMON_CAUSE,
    NEUTRAL: ICON_NEUTRAL,
}


def latest_icon(df: pd.DataFrame) -> str:
    """The variation icon for the latest point of an :func:`xmr` result.

    Parameters
    ----------
    df : pd.DataFrame
        The output of :func:`xmr` (needs the ``variation`` column), in time order.

    Returns
    -------
    str
        'improvement', 'concern', 'common cause', or 'neutral special cause' (for a
        measure with improvement='neutral').
    """
    if "variation" not in df.columns:
        raise ValueError("df has no 'variation' column; pass the DataFrame returned by xmr()")
    if len(df) == 0:
        raise ValueError("df has no points; there is no latest point to describe")
    return _ICONS[df["variation"].iloc[-1]]

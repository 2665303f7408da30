"""Known answers for perfpack.stats.spc: limits by hand, each rule on a hand-made series.

Most rule tests fix the limits on a 12-point baseline that alternates 12, 10, ...:
centre 11, every moving range 2, so

* limits   11 -/+ 2.66 x 2      = 5.68 .. 16.32
* 2 sigma  11 -/+ 2.66 x 2 x 2/3 = 7.4533 .. 14.5467

An alternating series crosses the centre at every point, so it has no run and no trend.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfpack.stats.spc import (
    TooFewPoints,
    classify_points,
    latest_icon,
    variation_icon,
    xmr,
    xmr_limits,
)

BASE = [12, 10] * 6  # ends on 10, below the centre


def months(n, start="2019-01-01"):
    return pd.date_range(start, periods=n, freq="MS")


def with_base(tail, **kwargs):
    values = pd.Series(BASE + list(tail), index=months(len(BASE) + len(tail)), dtype=float)
    return xmr(values, baseline=12, **kwargs)


def flagged(df):
    """Positions (after the baseline) of flagged points, and their rules."""
    tail = df.iloc[len(BASE) :]
    return {i: (r, d) for i, (s, r, d) in enumerate(zip(tail.signal, tail.rule, tail.direction)) if s}


# --- limits ------------------------------------------------------------------------


def test_limits_match_hand_arithmetic():
    values = [10, 14, 12, 16, 11, 13, 15, 12, 14, 10, 13, 12]
    # sum 152, mean 152/12 = 12.667; moving ranges 4,2,4,5,2,2,3,2,4,3,1: sum 32 over 11
    mean, mr = 152 / 12, 32 / 11
    limits = xmr_limits(values)
    assert limits["centre"].tolist() == pytest.approx([mean] * 12)
    assert limits["upper"].iloc[0] == pytest.approx(mean + 2.66 * mr)
    assert limits["lower"].iloc[0] == pytest.approx(mean - 2.66 * mr)
    assert limits["upper_2s"].iloc[0] == pytest.approx(mean + 2 / 3 * 2.66 * mr)
    assert limits["lower_2s"].iloc[0] == pytest.approx(mean - 2 / 3 * 2.66 * mr)
    assert (limits["segment"] == 0).all()


def test_baseline_limits_are_the_hand_values():
    df = with_base([11, 11])
    row = df.iloc[-1]
    assert (row.centre, row.lower, row.upper) == pytest.approx((11, 5.68, 16.32))
    assert (row.lower_2s, row.upper_2s) == pytest.approx((11 - 3.546667, 11 + 3.546667), abs=1e-6)


def test_outlying_moving_range_is_screened_out():
    values = [10, 12] * 6 + [40] + [10, 12] * 3  # 19 points
    mrs = np.abs(np.diff(values))  # 2s, then 28 and 30 around the 40
    first_mean = mrs.mean()
    kept = mrs[mrs < 3.267 * first_mean]
    assert len(kept) == len(mrs) - 2  # the 28 and 30 go
    screened = xmr_limits(values)
    unscreened = xmr_limits(values, screen_outliers=False)
    mean = np.mean(values)
    assert screened["upper"].iloc[0] == pytest.approx(mean + 2.66 * kept.mean())
    assert unscreened["upper"].iloc[0] == pytest.approx(mean + 2.66 * first_mean)


def test_constant_series_has_limits_on_the_centre_and_no_signal():
    df = xmr([5.0] * 12)
    assert (df["upper"] == 5).all() and (df["lower"] == 5).all()
    assert not df["signal"].any()  # every point is on the centre line: no run


def test_index_is_kept_and_columns_are_complete():
    s = pd.Series(BASE, index=months(12))
    df = xmr(s)
    assert df.index.equals(s.index)
    assert list(df.columns) == [
        "value",
        "centre",
        "lower",
        "upper",
        "lower_2s",
        "upper_2s",
        "signal",
        "rule",
        "direction",
        "variation",
        "segment",
    ]
    assert df.attrs == {"improvement": "increase", "run_length": 7}
    assert xmr(BASE, index=months(12)).index.equals(s.index)


# --- rules -------------------------------------------------------------------------


def test_alternating_series_triggers_nothing():
    df = with_base([12, 10, 13, 9, 14, 10, 12])  # within 2 sigma, crossing the centre
    assert not df["signal"].any()
    assert set(df["rule"]) == {""} and set(df["direction"]) == {""}
    assert set(df["variation"]) == {"common_cause"}


@pytest.mark.parametrize("value, direction", [(17, "high"), (5, "low")])
def test_point_beyond_a_limit(value, direction):
    df = with_base([11.5, value, 10.5])
    assert flagged(df) == {1: ("beyond_limit", direction)}


def test_point_exactly_on_a_limit_is_not_beyond_it():
    assert flagged(with_base([11.5, 16.32, 10.5])) == {}


def test_run_of_seven_above_the_centre():
    df = with_base([12, 13, 12, 13, 12, 13, 12, 10])
    assert flagged(df) == {i: ("run", "high") for i in range(7)}


def test_run_of_six_only_counts_when_run_length_is_6():
    tail = [12, 9, 10, 9, 10, 9, 10, 12]  # above, six below the centre, above
    assert flagged(with_base(tail)) == {}
    assert flagged(with_base(tail, run_length=6)) == {i: ("run", "low") for i in range(1, 7)}


def test_point_on_the_centre_breaks_a_run():
    tail = [12, 13, 12, 11, 13, 12, 13, 12, 10]  # 11 is the centre
    assert flagged(with_base(tail)) == {}


def test_trend_of_seven_rising_points():
    # 8 < 9 < ... < 13: 7 points, 6 rises (NHSRplotthedots counts points), crossing the centre
    df = with_base([8, 9, 10, 10.5, 11.5, 12, 13, 10])
    assert flagged(df) == {i: ("trend", "high") for i in range(7)}


def test_six_rising_points_are_not_a_trend_of_seven_but_are_of_six():
    tail = [9, 10, 10.5, 11.5, 12, 13, 10]
    assert flagged(with_base(tail)) == {}
    assert flagged(with_base(tail, run_length=6)) == {i: ("trend", "high") for i in range(6)}


def test_falling_trend_and_a_tie_breaks_a_trend():
    assert flagged(with_base([13, 12, 11.5, 10.5, 10, 9, 8, 12])) == {i: ("trend", "low") for i in range(7)}
    # a repeated value stops the trend (as NHSRplotthedots' sign(diff) does)
    assert flagged(with_base([8, 9, 10, 10, 11.5, 12, 13, 10])) == {}


def test_two_of_three_beyond_two_sigma_on_one_side():
    df = with_base([15, 12, 15, 10])
    # only the two points beyond two sigma are flagged, not the 12 between them
    assert flagged(df) == {0: ("two_of_three", "high"), 2: ("two_of_three", "high")}


def test_two_of_three_needs_all_three_on_one_side_of_the_centre():
    assert flagged(with_base([15, 10, 15, 10])) == {}


def test_two_of_three_counts_a_point_beyond_three_sigma():
    # 7 is beyond the lower 2-sigma line (7.45) but not the limit (5.68); 5 is beyond the limit.
    # Before the 2023 Making Data Count change the 7 would not be flagged.
    df = with_base([10, 7, 5, 10])
    assert flagged(df) == {1: ("two_of_three", "low"), 2: ("beyond_limit", "low")}


def test_precedence_beyond_limit_over_trend_over_run():
    # rising 7-point trend that ends beyond the upper limit, all above the centre for 7 points
    tail = [11.5, 12, 12.5, 13, 13.5, 14, 17, 12]
    df = with_base(tail)
    rules = flagged(df)
    assert rules[6] == ("beyond_limit", "high")
    assert all(rules[i] == ("trend", "high") for i in range(6))


def test_run_shows_when_nothing_stronger_fires():
    tail = [12, 13, 12, 15, 12, 15, 12, 10]
    rules = flagged(with_base(tail))
    assert rules[3] == rules[5] == ("two_of_three", "high")
    assert all(rules[i] == ("run", "high") for i in (0, 1, 2, 4, 6))


def test_trend_direction_at_a_turn_takes_the_later_trend():
    up = [5, 6, 7, 8, 9, 10, 11]
    down = [10, 9, 8, 7, 6, 5]
    values = [8, 4] * 6 + up + down  # limits -4.64 .. 16.64; the peak 11 is in both trends
    df = xmr(values, baseline=12, min_points=12)
    tail = df.iloc[12:]
    assert tail["rule"].tolist()[:7] == ["trend"] * 7
    assert tail["direction"].tolist()[:6] == ["high"] * 6
    assert tail["direction"].iloc[6] == "low"  # the peak belongs to the falling trend
    assert tail["direction"].tolist()[7:] == ["low"] * 6


def test_rules_do_not_cross_a_rebase():
    values = [12, 10] * 12
    s = pd.Series(values, index=months(24), dtype=float)
    # seven low points: the last 3 of 2019 and the first 4 of 2020
    s.iloc[9:16] = [9, 9.5, 9, 9.5, 9, 9.5, 9]
    joined = xmr(s, baseline=12)
    assert (joined["rule"].iloc[9:16] == "run").all()
    split = xmr(s, rebase=["2020-01-01"])
    assert split["centre"].iloc[9:16].max() > 10  # every one of them is below its own centre
    assert (split["value"].iloc[9:16] < split["centre"].iloc[9:16]).all()
    assert not (split["rule"] == "run").any()


# --- options -----------------------------------------------------------------------


def test_rebase_recalculates_limits_per_segment():
    values = [12, 10] * 6 + [22, 20] * 6
    s = pd.Series(values, index=months(24), dtype=float)
    by_date = xmr(s, rebase=["2020-01-01"])
    by_position = xmr(s, rebase=[12])
    pd.testing.assert_frame_equal(by_date, by_position)
    assert by_date["segment"].tolist() == [0] * 12 + [1] * 12
    assert by_date["centre"].iloc[0] == pytest.approx(11)
    assert by_date["centre"].iloc[-1] == pytest.approx(21)
    assert by_date["upper"].iloc[-1] == pytest.approx(21 + 2.66 * 2)
    assert not by_date["signal"].any()
    # without the rebase the step is special cause
    assert xmr(s)["signal"].any()


def test_baseline_fixes_limits_on_the_first_points():
    values = BASE + [30, 31, 32]
    fixed = xmr(values, baseline=12)
    assert fixed["centre"].iloc[-1] == pytest.approx(11)
    free = xmr(values)
    assert free["centre"].iloc[-1] == pytest.approx(np.mean(values))


def test_rebase_errors_are_plain():
    s = pd.Series(BASE * 2, index=months(24), dtype=float)
    with pytest.raises(ValueError, match="rebase date 2020-01-15 is not a point of the series"):
        xmr(s, rebase=["2020-01-15"])
    with pytest.raises(ValueError, match="cannot rebase at the first point"):
        xmr(s, rebase=[0])
    with pytest.raises(TooFewPoints, match=r"segment starting 2020-07-01 \(6; at least 12 needed\)"):
        xmr(s, rebase=["2020-07-01"])


@pytest.mark.parametrize("run_length", [5, 8, 0, "7", True])
def test_run_length_other_than_6_or_7_is_refused(run_length):
    with pytest.raises(ValueError, match="run_length must be 6 or 7"):
        xmr(BASE, run_length=run_length)


def test_bad_improvement_and_baseline_are_refused():
    with pytest.raises(ValueError, match="improvement must be 'increase', 'decrease' or 'neutral'"):
        xmr(BASE, improvement="up")
    with pytest.raises(ValueError, match="baseline=6 is too short"):
        xmr(BASE * 2, baseline=6)


def test_missing_values_are_refused_with_the_month():
    s = pd.Series(BASE, index=months(12), dtype=float)
    s.iloc[3] = np.nan
    with pytest.raises(ValueError, match="missing at 2019-04-01"):
        xmr(s)


@pytest.mark.parametrize("n", [0, 1, 11])
def test_too_few_points_message(n):
    with pytest.raises(TooFewPoints) as info:
        xmr([10.0] * n)
    assert str(info.value) == f"too few months for SPC limits ({n}; at least 12 needed)"
    assert isinstance(info.value, ValueError)
    assert (info.value.n, info.value.needed) == (n, 12)


def test_min_points_is_configurable():
    assert len(xmr(BASE[:8], min_points=8)) == 8
    with pytest.raises(TooFewPoints, match=r"\(12; at least 20 needed\)"):
        xmr(BASE, min_points=20)


# --- variation and icons -------------------------------------------------------------


@pytest.mark.parametrize(
    "signal, direction, improvement, expected",
    [
        (False, "", "increase", "common_cause"),
        (True, "high", "increase", "improvement"),
        (True, "low", "increase", "concern"),
        (True, "high", "decrease", "concern"),
        (True, "low", "decrease", "improvement"),
        (True, "high", "neutral", "neutral"),
    ],
)
def test_variation_icon(signal, direction, improvement, expected):
    assert variation_icon(signal, direction, improvement) == expected


@pytest.mark.parametrize(
    "improvement, icon",
    [("increase", "improvement"), ("decrease", "concern"), ("neutral", "neutral special cause")],
)
def test_latest_icon_for_a_high_latest_point(improvement, icon):
    df = with_base([11.5, 17], improvement=improvement)
    assert latest_icon(df) == icon


def test_latest_icon_low_point_and_common_cause():
    assert latest_icon(with_base([5], improvement="decrease")) == "improvement"
    assert latest_icon(with_base([5], improvement="increase")) == "concern"
    assert latest_icon(with_base([17, 11.5], improvement="increase")) == "common cause"


def test_classify_points_on_its_own():
    limits = xmr_limits(BASE + [17], baseline=12)
    points = classify_points(limits)
    assert points["rule"].iloc[-1] == "beyond_limit"
    with pytest.raises(ValueError, match="missing columns"):
        classify_points(limits.drop(columns=["upper_2s"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 200), min_size=12, max_size=48))
def test_any_series_gives_consistent_columns(values):
    df = xmr(values, improvement="decrease")
    assert (df["signal"] == (df["rule"] != "")).all()
    assert ((df["direction"] != "") == df["signal"]).all()
    assert set(df["variation"]) <= {"improvement", "concern", "common_cause"}
    assert (df["lower"] <= df["lower_2s"]).all() and (df["upper_2s"] <= df["upper"]).all()
    beyond = (df["value"] > df["upper"]) | (df["value"] < df["lower"])
    assert (df.loc[beyond, "rule"] == "beyond_limit").all()


def test_trend_direction_at_a_tie_between_two_trends_keeps_its_own_trend():
    # A rise to 11, the same 11 again, then a fall: the first 11 ends the rising trend only
    # (the tie breaks it from the fall). NHSRplotthedots (R/ptd_calculate_point_type.R,
    # ptd_special_cause_type) reads a point that is part of a trend and followed by a point
    # of a trend by the sign of the step to its right, sign(11 - 11) = 0, which its
    # ifelse(sdy == 1, "In", "De") turns into "Decreasing": it calls the top of a rise a
    # fall. The pack keeps the point's own trend: rising, high.
    up = [5, 6, 7, 8, 9, 10, 11]
    down = [11, 10, 9, 8, 7, 6, 5]
    df = xmr([8, 4] * 6 + up + down, baseline=12, min_points=12)
    tail = df.iloc[12:]
    assert tail["rule"].tolist() == ["trend"] * 14
    assert tail["direction"].tolist() == ["high"] * 7 + ["low"] * 7

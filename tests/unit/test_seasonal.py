"""perfpack.stats.seasonal: hand-worked answers of the two-year seasonal rule, its coverage on
simulated counts from a known process, and a synthetic series with known seasonality."""

import warnings

import numpy as np
import pandas as pd
import pytest

from perfpack.stats.seasonal import TooFewPoints, expected_range, months_outside
from perfpack.stats.spc import TooFewPoints as SpcTooFewPoints


def synthetic(n_months=60, level=7000.0, amplitude=0.12, growth=0.002, seed=0, start="2016-01-01"):
    """Monthly Poisson counts: level x (1 + amplitude x sin(season)) x slow growth."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_months)
    mean = level * (1 + amplitude * np.sin(2 * np.pi * t / 12)) * np.exp(growth * t)
    index = pd.date_range(start, periods=n_months, freq="MS")
    return pd.Series(rng.poisson(mean).astype(float), index=index), pd.Series(mean, index=index)


def test_shape_and_columns():
    series, _ = synthetic()
    df = expected_range(series, "2020-01-01", "2020-12-31")
    assert list(df.columns) == ["observed", "expected", "lower", "upper", "outside"]
    assert df.index.equals(pd.date_range("2020-01-01", "2020-12-01", freq="MS", name="month"))
    assert (df["lower"] <= df["expected"]).all() and (df["expected"] <= df["upper"]).all()
    assert df["observed"].tolist() == series["2020"].tolist()


def test_expected_follows_the_known_seasonal_pattern():
    series, truth = synthetic(seed=1, growth=0.0)
    df = expected_range(series, "2020-01-01", "2020-12-01")
    # Each month is the mean of two Poisson counts of mean ~7,000 (sd ~60): within 3% of the
    # true mean every month, and the band is a few percent wide.
    assert np.allclose(df["expected"], truth["2020"], rtol=0.03)
    width = (df["upper"] - df["lower"]) / df["expected"]
    assert width.between(0.02, 0.15).all()
    # the seasonal peak and trough land in the right months
    assert df["expected"].idxmax().month == truth["2020"].idxmax().month
    assert df["expected"].idxmin().month == truth["2020"].idxmin().month


# t quantiles from a printed table (97.5% point, 12 degrees of freedom): 2.1788.
T12 = 2.1788


def _months(start, values):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="MS"))


def test_hand_worked_two_year_rule():
    """36 months: 100 a month, then 104, then 102 +/- 3 alternately. The rule's misses on the
    third year are +/-3 (102 +/- 3 against the mean of 100 and 104), so sigma = 3 on 12
    degrees of freedom; the fourth year is expected at (104 + 102 +/- 3) / 2 = 103 +/- 1.5,
    with a band of +/- 2.1788 x 3 = 6.536."""
    third = [105, 99] * 6
    series = _months("2016-01-01", [100] * 12 + [104] * 12 + third)
    df = expected_range(series, "2019-01-01", "2019-12-01")
    assert df["expected"].tolist() == [104.5, 101.5] * 6
    assert np.allclose(df["upper"] - df["expected"], T12 * 3, atol=1e-3)
    assert np.allclose(df["expected"] - df["lower"], T12 * 3, atol=1e-3)
    assert df["observed"].isna().all() and (df["outside"] == "").all()


def test_exactly_two_years_is_enough_and_uses_last_year():
    """At the boundary (24 months, the minimum) the rule is seasonal naive: last year's month,
    with sigma from the 12 year-on-year differences (here +/-2, so sigma = 2)."""
    first = [50, 60, 70, 80, 90, 100, 100, 90, 80, 70, 60, 50]
    second = [v + (2 if i % 2 else -2) for i, v in enumerate(first)]
    series = _months("2018-01-01", first + second + [75])
    df = expected_range(series, "2020-01-01", "2020-12-01")
    assert df["expected"].tolist() == second
    assert np.allclose(df["upper"] - df["expected"], T12 * 2, atol=1e-3)
    assert df.loc["2020-01-01", "observed"] == 75
    assert df.loc["2020-01-01", "outside"] == "above"  # 48 expected, upper 52.4
    with pytest.raises(TooFewPoints, match=r"\(23; at least 24 needed\)"):
        expected_range(series.iloc[1:], "2020-01-01", "2020-12-01")


@pytest.mark.parametrize("n_months", [24, 48])
def test_band_covers_95_percent_of_a_known_poisson_process(n_months):
    """Poisson counts with a known seasonal mean (level 400, +/-20%), no trend: a 95% band
    should hold 93-97% of the next 12 months over 300 seeded histories (3,600 months; the
    simulation's own standard error is under 0.4 points)."""
    rng = np.random.default_rng(14)
    inside = total = 0
    t = np.arange(n_months + 12)
    mean = 400 * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
    index = pd.date_range("2016-01-01", periods=n_months + 12, freq="MS")
    window = index[n_months]
    for _ in range(300):
        series = pd.Series(rng.poisson(mean).astype(float), index=index)
        df = expected_range(series, window, index[-1])
        inside += 12 - months_outside(df)
        total += 12
    assert 0.93 <= inside / total <= 0.97


def test_normal_months_are_mostly_inside():
    inside = 0
    for seed in range(10):
        series, _ = synthetic(seed=seed)  # with a slow rise the rule lags, but the band allows for it
        inside += 12 - months_outside(expected_range(series, "2020-01-01", "2020-12-01"))
    assert inside / 120 >= 0.85


@pytest.mark.parametrize("factor, side", [(1.5, "above"), (0.6, "below")])
def test_a_shock_in_the_window_lands_outside(factor, side):
    series, _ = synthetic(seed=2)
    series.loc["2020-04-01"] *= factor
    df = expected_range(series, "2020-01-01", "2020-12-01")
    assert df.loc["2020-04-01", "outside"] == side
    assert months_outside(df) >= 1


def test_history_after_the_window_is_ignored_and_future_months_are_blank():
    series, _ = synthetic(n_months=54)  # to June 2020
    df = expected_range(series, "2020-01-01", "2020-12-01")
    assert df["observed"].isna().sum() == 6
    assert (df.loc["2020-07-01":, "outside"] == "").all()
    later, _ = synthetic(n_months=60)
    to_2020 = expected_range(later, "2019-01-01", "2019-12-01")
    to_2019 = expected_range(later.iloc[:48], "2019-01-01", "2019-12-01")  # stops at Dec 2019
    pd.testing.assert_frame_equal(to_2020, to_2019)


def test_window_dates_need_not_be_month_starts():
    series, _ = synthetic()
    a = expected_range(series, "2020-03-16", "2020-12-31")
    b = expected_range(series, "2020-03-01", "2020-12-01")
    pd.testing.assert_frame_equal(a, b)


def test_small_counts_with_zeros_are_fine_and_lower_is_not_negative():
    series, _ = synthetic(level=3.0, seed=4)
    assert (series == 0).any()
    df = expected_range(series, "2020-01-01", "2020-12-01")
    assert (df["lower"] >= 0).all()
    assert np.isfinite(df[["expected", "lower", "upper"]].to_numpy()).all()


def test_too_little_history_raises_the_plain_message():
    series, _ = synthetic(n_months=35)  # 23 months before 2017-12
    with pytest.raises(TooFewPoints) as info:
        expected_range(series, "2017-12-01", "2018-11-01")
    assert str(info.value) == ("too few months before the window for a seasonal model (23; at least 24 needed)")
    assert isinstance(info.value, SpcTooFewPoints)  # one class for notebooks to catch
    with pytest.raises(TooFewPoints, match=r"\(48; at least 60 needed\)"):
        expected_range(synthetic()[0], "2020-01-01", "2020-12-01", min_years=5)


def test_bad_input_is_refused_plainly():
    series, _ = synthetic()
    with pytest.raises(ValueError, match="window_end .* is before window_start"):
        expected_range(series, "2020-06-01", "2020-01-01")
    gappy = series.copy()
    gappy.iloc[5] = np.nan
    with pytest.raises(ValueError, match="missing counts before the window \\(2016-06\\)"):
        expected_range(gappy, "2020-01-01", "2020-12-01")
    with pytest.raises(ValueError, match="DatetimeIndex"):
        expected_range(series.reset_index(drop=True), "2020-01-01", "2020-12-01")
    with pytest.raises(ValueError, match="min_years must be"):
        expected_range(series, "2020-01-01", "2020-12-01", min_years=1)
    negative = series.copy()
    negative.iloc[3] = -1
    with pytest.raises(ValueError, match="negative count in 2016-04"):
        expected_range(negative, "2020-01-01", "2020-12-01")


def test_no_warnings_escape():
    """Speed and coverage on the demo data are measured in benchmarks/seasonal_coverage.py."""
    series, _ = synthetic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        expected_range(series, "2020-01-01", "2020-12-01")


def test_level_sets_the_width():
    series, _ = synthetic()
    wide = expected_range(series, "2020-01-01", "2020-12-01", level=0.99)
    narrow = expected_range(series, "2020-01-01", "2020-12-01", level=0.8)
    assert ((wide["upper"] - wide["lower"]) > (narrow["upper"] - narrow["lower"])).all()
    pd.testing.assert_series_equal(wide["expected"], narrow["expected"])


def test_months_outside_counts_above_and_below():
    df = pd.DataFrame({"outside": ["above", "", "below", ""]})
    assert months_outside(df) == 2
    with pytest.raises(ValueError, match="no 'outside' column"):
        months_outside(pd.DataFrame({"x": [1]}))

"""Demand forecasts: back-test on a known series, yearly intervals, statements, figures rows;
the seasonal rules on hand-made series, the rolling back-test and the method it picks, the
Covid-19 months left out of the fit, and the interval calibration."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from perfpack.present.forecast_charts import forecast_chart
from perfpack.stats.forecast import Forecast, backtest, forecast_series
from perfpack.stats.forecast_methods import ETS, SEASONAL_MEAN, SEASONAL_NAIVE, ForecastError, financial_year, seasonal_rule
from perfpack.stats.forecast_selection import _calibration, fit_sample, forecast_selected, rolling_backtest
from perfpack.stats.forecast_words import compare_runs, demand_statement, forecast_figure_rows, revision_sentence


def synthetic(slope: float, n: int = 60, start: str = "2016-04", seed: int = 0, name: str = "incidents attended"):
    """Level 10,000 a month, a linear trend, +/-800 seasonality and noise sd 50; returns (series, truth of the next 48 months)."""
    t = np.arange(n + 48)
    truth = 10_000 + slope * t + 800 * np.sin(2 * np.pi * t / 12)
    noise = np.random.default_rng(seed).normal(0, 50, n)
    series = pd.Series(truth[:n] + noise, index=pd.period_range(start, periods=n, freq="M"), name=name)
    return series, truth[n:]


@pytest.fixture(scope="module")
def rising():
    series, truth = synthetic(slope=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak into notebook exports
        fc = forecast_series(series)
        bt = backtest(series)
    return series, truth, fc, bt


def test_backtest_on_known_trend_is_accurate(rising):
    series, _, _, bt = rising
    assert bt.mape < 5
    assert len(bt.holdout) == 12
    assert bt.holdout["month"].iloc[0] == pd.Timestamp("2020-04-01")
    assert np.allclose(bt.holdout["actual"], series.iloc[-12:].to_numpy())
    assert bt.coverage >= 0.75


def test_four_year_total_is_close_to_truth(rising):
    _, truth, fc, _ = rising
    assert len(fc.monthly) == 48
    assert fc.monthly["forecast"].sum() == pytest.approx(truth.sum(), rel=0.03)
    assert fc.yearly["forecast"].sum() == pytest.approx(fc.monthly["forecast"].sum())
    assert fc.model in {"ETS(A,Ad,A)", "ETS(A,A,A)", "ETS(A,N,A)"}
    assert fc.fit_seconds < 3.0  # a loose guard on a shared machine; speed is measured in benchmarks/forecast_backtest.py


def test_yearly_totals_are_financial_years_with_intervals_around_the_point(rising):
    _, _, fc, _ = rising
    y = fc.yearly
    assert y["year"].tolist() == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert (y["months_forecast"] == 12).all() and (y["months_actual"] == 0).all()
    assert ((y["lower"] < y["forecast"]) & (y["forecast"] < y["upper"])).all()
    assert (y["upper"] - y["lower"]).is_monotonic_increasing  # uncertainty grows with the horizon
    m = fc.monthly
    assert list(m.columns) == ["month", "forecast", "lower", "upper"]
    assert ((m["lower"] <= m["forecast"]) & (m["forecast"] <= m["upper"])).all()
    assert fc.actual_yearly["year"].tolist() == ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21"]


def test_series_ending_mid_year_completes_the_year_with_actuals():
    series, _ = synthetic(slope=0, n=57)  # April 2016 to December 2020
    fc = forecast_series(series)
    first = fc.yearly.iloc[0]
    assert (first["year"], first["months_actual"], first["months_forecast"]) == ("2020/21", 9, 3)
    assert first["lower"] <= first["forecast"] <= first["upper"]
    assert fc.yearly["year"].iloc[-1] == "2023/24"  # 2024/25 would be incomplete
    assert financial_year(pd.Timestamp("2021-03-31")) == "2020/21"
    assert financial_year(pd.Timestamp("2021-04-01")) == "2021/22"


def test_intervals_are_reproducible():
    series, _ = synthetic(slope=5, seed=3)
    a, b = forecast_series(series), forecast_series(series)
    pd.testing.assert_frame_equal(a.yearly, b.yearly)


@pytest.mark.parametrize(
    "slope, words",
    [(20, "are forecast to rise by"), (-20, "are forecast to fall by"), (0, "are forecast to stay broadly flat")],
)
def test_demand_statement_direction(slope, words):
    series, _ = synthetic(slope=slope, seed=1)
    text = demand_statement("incidents attended", series, forecast_series(series))
    assert text.startswith(f"Over the next four years incidents attended {words}")
    assert "in 2020/21" in text and "2024/25" in text and "95% prediction interval" in text


def _stub(base: float, target: float, lower: float, upper: float) -> tuple[pd.Series, Forecast]:
    """A history whose 2020/21 total is ``base`` and a forecast whose 2024/25 total is ``target``."""
    months = pd.period_range("2019-04", "2021-03", freq="M")
    series = pd.Series(np.r_[np.full(12, 1000.0), np.full(12, base / 12)], index=months, name="999 calls")
    yearly = pd.DataFrame(
        {
            "year": ["2024/25"],
            "start": [pd.Timestamp("2024-04-01")],
            "end": [pd.Timestamp("2025-03-31")],
            "months_actual": [0],
            "months_forecast": [12],
            "forecast": [target],
            "lower": [lower],
            "upper": [upper],
        }
    )
    actual = pd.DataFrame({"year": ["2020/21"], "start": [pd.Timestamp("2020-04-01")], "end": [pd.Timestamp("2021-03-31")], "actual": [base]})
    fc = Forecast("999 calls", pd.DataFrame(columns=["month", "forecast", "lower", "upper"]), yearly, actual, "ETS(A,Ad,A)", 0.95, 0, pd.DataFrame())
    return series, fc


def test_demand_statement_wording_and_threshold():
    series, fc = _stub(212_304, 225_048, 215_012, 249_400)
    assert demand_statement("999 calls", series, fc) == (
        "Over the next four years 999 calls are forecast to rise by 6% (from 212,304 in 2020/21 "
        "to 225,000 in 2024/25; 95% prediction interval for 2024/25: 215,000 to 249,000)."
    )
    series, fc = _stub(212_304, 190_000, 150_000, 230_000)
    text = demand_statement("999 calls", series, fc)
    assert "fall by 11%" in text
    assert text.endswith("The interval includes the 2020/21 level, so the fall is not certain.")
    series, fc = _stub(100_000, 102_900, 90_000, 115_000)  # +2.9%: flat within 3%
    assert "stay broadly flat (a change of +2.9%, within \u00b13%)" in demand_statement("999 calls", series, fc)
    assert "rise by 3%" in demand_statement("999 calls", series, fc, flat_within=2)


def test_figure_rows(rising):
    _, _, fc, _ = rising
    rows = forecast_figure_rows("calls_999", fc, "08-strategic-risk", label="999 calls")
    assert [r["window"] for r in rows] == ["2021/22", "2022/23", "2023/24", "2024/25"]
    last_actual = round(fc.actual_yearly["actual"].iloc[-1])
    for r in rows:
        assert r["key"] == "forecast_calls_999" and r["section"] == "08-strategic-risk"
        assert r["significance"] == "forecast" and r["suppressed"] is False
        assert r["lower"] <= r["current"] <= r["upper"]
        assert r["previous"] == last_actual and r["change"] == r["current"] - last_actual
        assert r["pct_change"] == pytest.approx(100 * r["change"] / last_actual, abs=0.05)
        assert f"{r['lower']:,} to {r['upper']:,}" in r["label"] and "against 2020/21 actual" in r["label"]
    assert forecast_figure_rows("forecast_crime", fc, "s")[0]["key"] == "forecast_crime"


def test_bad_series_are_refused_with_a_clear_message():
    series, _ = synthetic(slope=0)
    with pytest.raises(ForecastError, match=r"'incidents attended': month 2018-06 is missing"):
        forecast_series(series.drop(pd.Period("2018-06", "M")))
    with pytest.raises(ForecastError, match="at least 24 are needed"):
        forecast_series(series.iloc[:23])
    assert len(forecast_series(series.iloc[:24], horizon_months=12).monthly) == 12  # two cycles are enough
    with pytest.raises(ForecastError, match="at least 36 are needed"):
        backtest(series.iloc[:30])
    with pytest.raises(ForecastError, match="at least 36 are needed"):
        rolling_backtest(series.iloc[:35])


def test_chart_and_alt_text(rising):
    series, _, fc, bt = rising
    fig, alt = forecast_chart(series, fc, "Incidents attended per month", backtest=bt)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert f"MAPE) {bt.mape:.1f}%" in ax.get_title(loc="left")
    assert any(f"MAPE {bt.mape:.1f}%" in t.get_text() for t in ax.get_legend().get_texts())
    assert alt.startswith("Line chart: Incidents attended per month.")
    assert "April 2016 to March 2021" in alt and "March 2025" in alt
    assert "forecast to rise by" in alt and f"{bt.mape:.1f}% on average (MAPE)" in alt


# ------------------------------------------------------------------ seasonal rules, hand-worked

# t quantile from a printed table: 97.5% point on 12 degrees of freedom.
T12 = 2.1788


def months(start: str, values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="MS"), name="calls")


def test_seasonal_naive_of_a_short_hand_made_series():
    """24 months: year two is year one plus 2 or minus 2 alternately. Seasonal naive forecasts
    year three as year two and year four as year two again; its misses on year two are +/-2,
    so sigma = 2 on 12 degrees of freedom: +/-4.358 a year ahead, +/-4.358 x sqrt(2) two
    years ahead."""
    first = [10, 20, 30, 40, 50, 60, 60, 50, 40, 30, 20, 10]
    second = [v + (2 if i % 2 else -2) for i, v in enumerate(first)]
    fc = seasonal_rule(months("2018-01-01", first + second), horizon_months=24)
    assert fc["month"].iloc[0] == pd.Timestamp("2020-01-01") and fc["month"].iloc[-1] == pd.Timestamp("2021-12-01")
    assert fc["forecast"].tolist() == second + second
    assert np.allclose(fc["upper"].iloc[:12] - fc["forecast"].iloc[:12], T12 * 2, atol=1e-3)
    assert np.allclose(fc["upper"].iloc[12:] - fc["forecast"].iloc[12:], T12 * 2 * np.sqrt(2), atol=1e-3)
    assert (fc["years"] == 1).all()


def test_mean_of_past_years_of_a_hand_made_series():
    """36 months at 100, 110, 120 a month: the mean of the last three years needs 12 misses
    of a three-year rule (48 months), so with 36 it averages two years: 115; its misses on
    year three are 120 - 105 = 15, so sigma = 15."""
    series = months("2017-01-01", [100] * 12 + [110] * 12 + [120] * 12)
    fc = seasonal_rule(series, horizon_months=12, years=3)
    assert (fc["years"] == 2).all() and (fc["forecast"] == 115).all()
    assert np.allclose(fc["upper"] - fc["forecast"], T12 * 15, atol=1e-2)
    # Six misses are enough when asked: 42 months give a three-year mean.
    longer = months("2016-07-01", [90] * 6 + [100] * 12 + [110] * 12 + [120] * 12)
    fc3 = seasonal_rule(longer, horizon_months=12, years=3, min_errors=6)
    assert (fc3["years"] == 3).all() and (fc3["forecast"] == 110).all()


def test_backtest_of_a_series_growing_ten_percent_a_year():
    """Flat within each year, 10% up each January: seasonal naive misses every month by
    1 - 1/1.1 = 9.09% whatever the origin. 50 months, 4 origins 3 months apart, the last one
    12 months before the end: the held-out years start at months 29, 32, 35 and 38."""
    values = [100 * 1.1 ** (i // 12) for i in range(50)]
    bt = rolling_backtest(months("2016-01-01", values))
    assert bt.origins == tuple(pd.Timestamp("2016-01-01") + pd.DateOffset(months=m) for m in (29, 32, 35, 38))
    assert bt.months == 48 and bt.holdout_months == 12
    assert bt.baseline_mape == pytest.approx(100 * (1 - 1 / 1.1), abs=1e-9)
    scores = bt.scores.set_index("method")
    assert scores.loc[SEASONAL_NAIVE, "mape"] == pytest.approx(9.0909, abs=1e-3)
    assert scores.loc[SEASONAL_MEAN, "mape"] > scores.loc[SEASONAL_NAIVE, "mape"]  # a longer mean lags more
    assert len(bt.holdout) == 12 and bt.holdout["month"].iloc[0] == pd.Timestamp("2019-03-01")


def test_method_selection_seasonal_repeat_and_trend():
    """A pure seasonal repeat is forecast exactly by seasonal naive (a tie with the mean of past
    years goes to the simpler method); a steady trend with a little noise is won by ETS."""
    pattern = [820, 760, 900, 950, 1010, 1080, 1150, 1100, 990, 940, 880, 990]
    repeat = months("2016-01-01", pattern * 5)
    bt = rolling_backtest(repeat)
    assert bt.method == SEASONAL_NAIVE and bt.mape == 0 and bt.baseline_mape == 0
    fc, bt2 = forecast_selected(repeat)
    assert fc.method == SEASONAL_NAIVE and bt2.method == SEASONAL_NAIVE
    assert fc.monthly["forecast"].iloc[:12].tolist() == pattern
    trending, _ = synthetic(slope=20)
    fc, bt = forecast_selected(trending)
    assert bt.method == ETS and fc.method == ETS and fc.model.startswith("ETS(")
    assert bt.mape < bt.baseline_mape / 2  # seasonal naive lags a year of trend (240 a month, ~2.3%)


def test_calibration_is_the_split_conformal_quantile():
    # ceil((4 + 1) x 0.5) = 3rd smallest of the misses as shares of the half-width.
    assert _calibration(np.array([2.0, 0.5, 1.2, 0.8]), 0.5) == 1.2
    # never narrower than the model's own interval
    assert _calibration(np.array([0.1, 0.2, 0.3]), 0.5) == 1.0
    # ceil(49 x 0.95) = 47th of 48: the second largest
    u = np.linspace(0.05, 2.4, 48)
    assert _calibration(u, 0.95) == pytest.approx(u[-2])


def test_intervals_are_widened_to_what_the_backtest_showed():
    """A series whose level jumps about from year to year: the methods' own intervals are too
    narrow, the back-test says so and the forecast intervals are widened (never narrowed)."""
    rng = np.random.default_rng(5)
    level = np.repeat(1000 * (1 + rng.normal(0, 0.08, 6)), 12)[:60]
    season = 1 + 0.1 * np.sin(2 * np.pi * np.arange(60) / 12)
    series = months("2016-01-01", rng.poisson(level * season))
    fc, bt = forecast_selected(series)
    row = bt.scores.set_index("method").loc[bt.method]
    assert fc.calibration == pytest.approx(row["calibration"]) and fc.calibration >= 1
    assert bt.coverage >= bt.raw_coverage
    assert (fc.monthly["lower"] <= fc.monthly["forecast"]).all() and (fc.monthly["forecast"] <= fc.monthly["upper"]).all()
    assert ((fc.yearly["lower"] <= fc.yearly["forecast"]) & (fc.yearly["forecast"] <= fc.yearly["upper"])).all()


# ------------------------------------------------------------------ the Covid-19 months


def dipped(n_pre: int = 50, n_dip: int = 10, seed: int = 7, after: int = 0) -> pd.Series:
    """Seasonal counts around 2,000 a month from January 2016, then ``n_dip`` months at 40% (a
    lockdown), then ``after`` months back at the old level."""
    rng = np.random.default_rng(seed)
    n = n_pre + n_dip + after
    t = np.arange(n)
    mean = 2000 * (1 + 0.1 * np.sin(2 * np.pi * t / 12))
    mean[n_pre : n_pre + n_dip] *= 0.4
    return months("2016-01-01", rng.poisson(mean)).rename("crimes")


def test_excluded_months_do_not_set_the_level():
    """A deep dip in the excluded months (March to December 2020) at the end of the series:
    the forecast of the next year is the pre-dip level (within 5% of the true 24,000 a year),
    while fitting through the dip forecasts far lower."""
    series = dipped()  # January 2016 to December 2020, the dip from March 2020
    fit, scored, excluded = fit_sample(series, ("2020-03-16", "2021-07-19"))
    assert fit.index[-1] == pd.Timestamp("2020-02-01") and scored is None
    assert excluded == (pd.Timestamp("2020-03-01"), pd.Timestamp("2020-12-01"))
    fc, bt = forecast_selected(series, exclude=("2020-03-16", "2021-07-19"))
    assert fc.fit_end == pd.Timestamp("2020-02-01") and fc.excluded == excluded
    assert fc.monthly["month"].iloc[0] == pd.Timestamp("2021-01-01")  # still after the last observed month
    year = fc.yearly.set_index("year")
    assert year.loc["2021/22", "forecast"] == pytest.approx(24_000, rel=0.05)
    assert bt.origins[-1] == pd.Timestamp("2019-03-01")  # back-tested on pre-Covid months only
    # The observed dip months still count, as actuals, in 2020/21.
    assert year.loc["2020/21", "months_actual"] == 9
    assert year.loc["2020/21", "forecast"] < 0.7 * 24_000
    through, _ = forecast_selected(series)
    assert through.yearly.set_index("year").loc["2021/22", "forecast"] < 0.8 * 24_000


def test_excluded_months_followed_by_later_months_are_filled_in():
    """A dip from March 2020 to February 2021 with 12 normal months after it: the dip months are
    replaced by the forecast from before them, the later months are fitted, and the forecast
    stays at the normal level (within 5%); no back-test month is a filled-in one."""
    series = dipped(n_pre=50, n_dip=12, after=12)
    fit, scored, excluded = fit_sample(series, ("2020-03-01", "2021-02-28"))
    assert excluded == (pd.Timestamp("2020-03-01"), pd.Timestamp("2021-02-01"))
    assert len(fit) == len(series) and not scored["2020-03":"2021-02"].any() and scored["2021-03":].all()
    assert fit["2020-03":"2021-02"].mean() == pytest.approx(2000, rel=0.05)
    fc, bt = forecast_selected(series, exclude=("2020-03-01", "2021-02-28"))
    assert fc.fit_end == pd.Timestamp("2022-02-01")
    assert fc.monthly["forecast"].iloc[:12].sum() == pytest.approx(24_000, rel=0.05)


def test_too_few_months_outside_the_excluded_period():
    series = dipped(n_pre=20, n_dip=10)
    with pytest.raises(ForecastError, match=r"20 months outside the months left out of the fit \(September 2017 to June 2018\); at least 24"):
        forecast_selected(series, exclude=("2017-09-01", "2030-01-01"))


def test_figure_rows_carry_the_backtest(rising):
    series = rising[0]
    fc, bt = forecast_selected(series)
    rows = forecast_figure_rows("calls_999", fc, "08-strategic-risk", label="999 calls", backtest=bt)
    for r in rows:
        assert r["backtest_mape"] == round(bt.mape, 1)
        assert r["baseline_mape"] == round(bt.baseline_mape, 1)
        assert r["backtest_coverage"] == round(bt.coverage, 3)
        assert r["model"] == fc.model
    bare = forecast_figure_rows("calls_999", fc, "s")
    assert all(r["backtest_mape"] is None and r["baseline_mape"] is None and r["backtest_coverage"] is None for r in bare)


# ------------------------------------------------------------------ one quarter's run to the next


def test_same_fit_gives_the_same_forecast_and_says_why():
    series = dipped()
    ex = ("2020-03-16", "2021-07-19")
    now, _ = forecast_selected(series, exclude=ex)
    before, _ = forecast_selected(series.iloc[:-3], exclude=ex)
    info = compare_runs(now, before, series)
    assert info["year"] == "2023/24" and info["pct"] == pytest.approx(0, abs=1e-9) and info["same_fit"]
    assert revision_sentence(info) == (
        "The 2023/24 forecast is the same as from the data to September 2020: the months since are left out of the fit, so they do not move it."
    )


def test_a_big_move_is_explained_by_the_data():
    """Hand-made runs: the earlier run forecast 1,000 a month; the three months since came in
    at 1,300 (30% above) and this run's final year is 20% higher."""

    def stub(start: str, monthly_value: float, final: float, model: str) -> Forecast:
        m = pd.DataFrame({"month": pd.date_range(start, periods=48, freq="MS"), "forecast": monthly_value, "lower": 0.0, "upper": 0.0})
        y = pd.DataFrame(
            {
                "year": ["2023/24"],
                "start": [pd.Timestamp("2023-04-01")],
                "end": [pd.Timestamp("2024-03-31")],
                "months_actual": [0],
                "months_forecast": [12],
                "forecast": [final],
                "lower": [0.0],
                "upper": [0.0],
            }
        )
        return Forecast("calls", m, y, pd.DataFrame(), model, 0.95, 0, pd.DataFrame(), fit_end=pd.Timestamp(start) - pd.DateOffset(months=1))

    before = stub("2020-10-01", 1000, 12_000, "seasonal naive")
    now = stub("2021-01-01", 1300, 14_400, "ETS(A,N,A)")
    series = months("2018-10-01", [1000] * 24 + [1300] * 3)
    info = compare_runs(now, before, series)
    assert info["pct"] == pytest.approx(20) and info["data_pct"] == pytest.approx(30)
    assert info["new_actual"] == 3900 and info["new_expected"] == 3000
    assert revision_sentence(info) == (
        "The 2023/24 forecast is 20% higher than from the data to September 2020: the three months since came in 30% above "
        "what that forecast expected and the back-test now picks ETS(A,N,A) rather than seasonal naive."
    )
    small = stub("2021-01-01", 1300, 12_600, "seasonal naive")
    assert revision_sentence(compare_runs(small, before, series)) == "The 2023/24 forecast is 5% higher than from the data to September 2020."

"""Demand forecasts: back-test on a known series, yearly intervals, statements, figures rows."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from perfpack.present.forecast_charts import forecast_chart
from perfpack.stats.forecast import (
    Forecast,
    ForecastError,
    backtest,
    demand_statement,
    financial_year,
    forecast_figure_rows,
    forecast_series,
)


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
    assert fc.fit_seconds < 1.0


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
    with pytest.raises(ForecastError, match="at least 25 are needed"):
        forecast_series(series.iloc[:20])
    with pytest.raises(ForecastError, match="at least 37 are needed"):
        backtest(series.iloc[:30])


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

"""Four-year demand forecasts for the FMS: candidate methods, a rolling-origin back-test that
picks between them, prediction intervals calibrated on that back-test, and the Covid-19
months left out of the fit.

Methods
-------
Three methods are compared on every series:

``seasonal naive``
    Each month is forecast as the same calendar month a year earlier (two, three ... years
    earlier further ahead). The benchmark any seasonal model has to beat.
``mean of past years``
    Each month is forecast as the mean of the same calendar month over the last three years
    (fewer when the history is shorter). Steadier than seasonal naive when the level is flat;
    slower to follow a trend.
``ETS``
    Additive exponential smoothing state space models from statsmodels (``ETSModel``):
    ETS(A,Ad,A), ETS(A,A,A) and ETS(A,N,A), additive errors and 12-month seasonality, initial
    states by the heuristic of Hyndman et al. (2008), smoothing parameters by maximum
    likelihood, the lowest AICc used (:func:`forecast_series`).

The two seasonal rules have no fitted parameters, so the misses they make on the history
(each month against the rule applied to the years before it) are genuine out-of-sample
errors: their root mean square, ``sigma``, sets the interval, ``forecast ± t * sigma *
sqrt(L)`` with ``t`` the Student quantile on as many degrees of freedom as misses and ``L``
the number of years ahead (errors add up year on year, as for a seasonal random walk).
:func:`seasonal_rule` is this method; the usual seasonal range of the section charts
(:mod:`perfpack.stats.seasonal`) is the same rule with two years.

Choosing the method: a rolling-origin back-test
-----------------------------------------------
:func:`rolling_backtest` refits every method at several origins (``BACKTEST_ORIGINS`` = 4,
``BACKTEST_STEP`` = 3 months apart, the last one 12 months before the end of the fitted
months), each on the months before the origin only, and scores the forecasts of the next
12 months: the mean absolute percentage error (MAPE) over every held-out month of every
origin. The method with the lowest MAPE is the one the pack uses; seasonal naive's MAPE on the
same months is reported beside it (``baseline_mape``). ETS keeps at every origin the model
form AICc chose on the whole series and re-estimates its parameters. A series too short for
one origin (fewer than 36 months) is forecast with ETS and shown without a back-test.

Intervals
---------
Model intervals treat the fitted model as exact and are too narrow when the level or trend
moves (a pre-Covid back-test of ETS on the demo data: 82% of months inside nominal 95%
intervals). So each method's intervals are widened by the factor its own back-test calls
for: ``c`` is the smallest factor (at least 1) that would have put 95% of the held-out months
inside the method's interval (the ``ceil((n + 1) * 0.95)``-th smallest of ``|actual -
forecast| / half-width`` over the ``n`` held-out months, the split-conformal rule);
intervals are never narrowed. The coverage reported
(``backtest_coverage``) is honest: each origin is scored with ``c`` worked out from the
*other* origins only (leave one origin out).

Monthly intervals are ``forecast ± q * c * sd`` (``q`` the normal quantile for ETS, Student's
for the rules). Intervals for financial-year totals cannot be added up from monthly ones
(months miss together when the level moves), so they come from sample paths: for ETS
``ETSResults.simulate`` from the end of the fit; for the rules a circular block bootstrap of
their own misses, a whole year of consecutive misses at a time with a random sign, added up
year on year. Paths are widened around the point forecast by ``c``, each path is summed over
each financial year, and the interval is the central ``level`` share of the totals. Negative
values are floored at zero, in points, bounds and paths. A fixed seed makes intervals
reproducible.

The Covid-19 months
-------------------
:func:`forecast_selected` takes ``exclude=(first month, last month)``: those months are left
out of the fit and out of the back-test, so that a lockdown does not set the level for four
years. When they run to the end of the data (the pack's 2020 runs), the methods are fitted on
the months before them and forecast on from there: the forecast is what the pre-pandemic
pattern implies, i.e. it assumes that demand returns to it. When months follow them, the
excluded months are replaced by the forecast from the months before (an intervention that
neither sets the level nor breaks the seasonal pattern) and the later months are fitted as
usual. The observed excluded months still count, as actuals, in the totals of their
financial year. Which months the pack leaves out is set in :mod:`perfpack.pages.strategic`.

Years
-----
Yearly figures are **financial years** (April to March, labelled ``"2021/22"``), as in the
FMS. A year is reported only when actuals and forecast together cover all twelve months;
``months_actual`` says how many months of a year are already observed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfpack.stats.forecast_methods import ETS, ForecastError, actual_years, ets, prepare, sample_paths, yearly


@dataclass(frozen=True)
class Forecast:
    """A fitted forecast of one monthly series.

    Attributes
    ----------
    name : str
        The series' name (``series.name``, or ``"series"``).
    monthly : pandas.DataFrame
        ``month`` (timestamp of the first day), ``forecast``, ``lower``, ``upper``: the
        months after the last observed month.
    yearly : pandas.DataFrame
        One row per financial year covered: ``year`` (``"2021/22"``), ``start``, ``end``,
        ``months_actual``, ``months_forecast``, ``forecast`` (total), ``lower``, ``upper``.
    actual_yearly : pandas.DataFrame
        Complete financial years of the history: ``year``, ``start``, ``end``, ``actual``.
    model : str
        The model used, in words, e.g. ``"ETS(A,Ad,A)"`` or ``"seasonal naive"``.
    level : float
        Coverage of the prediction intervals (0.95).
    n_simulations : int
        Sample paths behind the yearly intervals.
    candidates : pandas.DataFrame
        Every candidate ETS model with its ``aicc`` and whether it ``converged`` (empty when
        ETS was not fitted).
    fit_seconds : float
        Wall time of fitting and simulating.
    method : str
        One of :data:`METHODS`.
    fit_end : pandas.Timestamp or None
        The last month the method was fitted on (before the Covid-19 months when they end
        the series).
    excluded : tuple of (Timestamp, Timestamp) or None
        First and last month left out of the fit, if any.
    calibration : float
        The factor the intervals were widened by (1 = the model's own intervals).
    """

    name: str
    monthly: pd.DataFrame
    yearly: pd.DataFrame
    actual_yearly: pd.DataFrame
    model: str
    level: float
    n_simulations: int
    candidates: pd.DataFrame = field(repr=False)
    fit_seconds: float = 0.0
    method: str = ETS
    fit_end: pd.Timestamp | None = None
    excluded: tuple | None = None
    calibration: float = 1.0


@dataclass(frozen=True)
class BacktestResult:
    """The forecast method fitted without later months of a series and scored on them.

    Attributes
    ----------
    name : str
    mape : float
        Mean absolute percentage error over the held-out months, in percent (for a rolling
        back-test: of the method used, over every origin).
    holdout : pandas.DataFrame
        ``month``, ``actual``, ``forecast``, ``lower``, ``upper``, ``ape`` (percent): the
        held-out months (for a rolling back-test: of the last origin, which charts draw).
    model : str
        The model of the method used, in words.
    coverage : float
        Share of held-out months inside the prediction interval (0 to 1; for a rolling
        back-test, each origin scored with the interval calibrated on the other origins).
    level : float
    method : str
        For a rolling back-test, the method that won (one of :data:`METHODS`).
    baseline_mape : float or None
        Seasonal naive's MAPE on the same held-out months.
    scores : pandas.DataFrame or None
        One row per method: ``method``, ``model``, ``mape``, ``mae``, ``raw_coverage`` (the
        model's own intervals), ``calibration``, ``coverage`` (calibrated, leave one origin
        out), ``months``.
    origins : tuple of pandas.Timestamp
        First held-out month of each origin, oldest first.
    months : int
        Month-forecasts scored per method.
    raw_coverage : float or None
        Coverage of the used method's own (uncalibrated) intervals.
    calibration : float
        The used method's widening factor.
    holdout_months : int
        Months held out at each origin.
    """

    name: str
    mape: float
    holdout: pd.DataFrame
    model: str
    coverage: float
    level: float
    method: str = ETS
    baseline_mape: float | None = None
    scores: pd.DataFrame | None = field(default=None, repr=False)
    origins: tuple = ()
    months: int = 0
    raw_coverage: float | None = None
    calibration: float = 1.0
    holdout_months: int = 0


# --------------------------------------------------------------------------------------
# The ETS forecast and the single hold-out back-test
# --------------------------------------------------------------------------------------


def forecast_series(
    series: pd.Series,
    horizon_months: int = 48,
    level: float = 0.95,
    seasonal_periods: int = 12,
    *,
    n_simulations: int = 2000,
    seed: int = 20210331,
) -> Forecast:
    """Forecast a monthly series with a seasonal ETS model and its own prediction intervals.

    This is the ETS method alone, with the model's intervals as they are (no back-test, no
    calibration, nothing left out). The pack's demand forecasts use :func:`forecast_selected`,
    which compares ETS with simpler methods first.

    Parameters
    ----------
    series : pandas.Series
        Monthly values (counts) indexed by month (dates or monthly periods), no gaps, at
        least two seasonal cycles (24 months). ``series.name`` names the forecast.
    horizon_months : int, default 48
        Months to forecast after the last month of the series (48 = four years).
    level : float, default 0.95
        Coverage of the prediction intervals.
    seasonal_periods : int, default 12
        Length of the seasonal cycle in months.
    n_simulations : int, default 2000
        Sample paths simulated for the intervals of yearly totals.
    seed : int
        Seed of the simulation, so that intervals are reproducible.

    Returns
    -------
    Forecast
        Monthly forecast with exact intervals, financial-year totals with simulated
        intervals, the complete financial years observed, and the model used.

    Raises
    ------
    ForecastError
        When the series has gaps, missing or negative values, or is too short.
    """
    if not 0 < level < 1:
        raise ForecastError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}.")
    if horizon_months < 1:
        raise ForecastError(f"horizon_months must be at least 1, not {horizon_months!r}.")
    t0 = time.perf_counter()
    y = prepare(series, 2 * seasonal_periods)
    try:
        p = ets(y, horizon_months, level, seasonal_periods)
    except ValueError as exc:
        raise ForecastError(f"series {y.name!r}: {exc}") from None
    paths = np.clip(sample_paths(p, n_simulations, np.random.default_rng(seed)), 0, None)
    months = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=horizon_months, freq="MS")
    point = np.clip(p.forecast, 0, None)
    monthly = pd.DataFrame(
        {
            "month": months,
            "forecast": point,
            "lower": np.clip(p.forecast - p.q * p.sd, 0, None),
            "upper": np.clip(p.forecast + p.q * p.sd, 0, None),
        }
    )
    return Forecast(
        name=str(y.name),
        monthly=monthly,
        yearly=yearly(y, months, point, paths, level),
        actual_yearly=actual_years(y),
        model=p.model,
        level=level,
        n_simulations=n_simulations,
        candidates=p.candidates,
        fit_seconds=time.perf_counter() - t0,
        method=ETS,
        fit_end=y.index[-1],
    )


def backtest(series: pd.Series, holdout: int = 12, level: float = 0.95, seasonal_periods: int = 12) -> BacktestResult:
    """Fit ETS (:func:`forecast_series`) without the last ``holdout`` months and score it on them.

    One origin only; the pack uses :func:`rolling_backtest`.

    Parameters
    ----------
    series : pandas.Series
        As for :func:`forecast_series`, with ``holdout`` more months than it needs.
    holdout : int, default 12
        Months held out at the end.
    level : float, default 0.95
    seasonal_periods : int, default 12

    Returns
    -------
    BacktestResult
        MAPE in percent (mean over the held-out months of |actual − forecast| / actual),
        the held-out frame and the share of months inside the prediction interval.

    Raises
    ------
    ForecastError
        When the series is too short or a held-out month is zero (MAPE is undefined).
    """
    if holdout < 1:
        raise ForecastError(f"holdout must be at least 1 month, not {holdout!r}.")
    y = prepare(series, 2 * seasonal_periods + holdout)
    zero = y.iloc[-holdout:] == 0
    if zero.any():
        raise ForecastError(
            f"series {y.name!r}: the value for {zero[zero].index[0]:%Y-%m} is zero, so the percentage error is undefined. Back-test a series without zero months."
        )
    fc = forecast_series(y.iloc[:-holdout], horizon_months=holdout, level=level, seasonal_periods=seasonal_periods, n_simulations=200)
    actual = y.iloc[-holdout:].to_numpy()
    frame = fc.monthly.assign(actual=actual)
    frame["ape"] = 100 * np.abs(frame["actual"] - frame["forecast"]) / frame["actual"]
    inside = (frame["actual"] >= frame["lower"]) & (frame["actual"] <= frame["upper"])
    return BacktestResult(
        name=str(y.name),
        mape=float(frame["ape"].mean()),
        holdout=frame[["month", "actual", "forecast", "lower", "upper", "ape"]],
        model=fc.model,
        coverage=float(inside.mean()),
        level=level,
        method=ETS,
        origins=(frame["month"].iloc[0],),
        months=holdout,
        raw_coverage=float(inside.mean()),
        holdout_months=holdout,
    )

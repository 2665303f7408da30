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
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tools.sm_exceptions import ModelWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

#: Candidate ETS models: label, trend, damped.
CANDIDATES = (
    ("ETS(A,Ad,A)", "add", True),
    ("ETS(A,A,A)", "add", False),
    ("ETS(A,N,A)", None, False),
)
#: The methods the back-test compares, in the order that breaks a tie (simplest first).
SEASONAL_NAIVE = "seasonal naive"
SEASONAL_MEAN = "mean of past years"
ETS = "ETS"
METHODS = (SEASONAL_NAIVE, SEASONAL_MEAN, ETS)
#: Years averaged by the "mean of past years" method (fewer when the history is shorter).
MEAN_YEARS = 3
#: Origins of the rolling back-test and the months between them.
BACKTEST_ORIGINS = 4
BACKTEST_STEP = 3
#: Months every method needs: two whole seasonal cycles.
MIN_MONTHS = 24
#: A change smaller than this, in percent, is described as "broadly flat".
FLAT_WITHIN_PCT = 3.0
#: A move of the final year's forecast from one quarter's run to the next at least this large,
#: in percent, is explained in words (:func:`revision_sentence`).
REVISION_NOTE_PCT = 15.0
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


class ForecastError(ValueError):
    """A series cannot be forecast as given; the message says which series, where and what to do."""


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
# Helpers
# --------------------------------------------------------------------------------------


def financial_year(month: pd.Timestamp) -> str:
    """The financial year (April to March) of a date, labelled like ``"2020/21"``.

    Parameters
    ----------
    month : pandas.Timestamp or datetime-like

    Returns
    -------
    str
    """
    ts = pd.Timestamp(month)
    start = ts.year if ts.month >= 4 else ts.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _fy_start(index: pd.DatetimeIndex) -> np.ndarray:
    return np.where(index.month >= 4, index.year, index.year - 1)


def _prepare(series: pd.Series, min_months: int) -> pd.Series:
    """Check a monthly series and index it by month start, with a fixed monthly frequency."""
    if not isinstance(series, pd.Series):
        raise ForecastError(f"expected a pandas Series of monthly values indexed by month, got {type(series).__name__}.")
    name = str(series.name) if series.name is not None else "series"
    idx = series.index
    if isinstance(idx, pd.PeriodIndex):
        months = idx.asfreq("M").to_timestamp(how="start")
    elif isinstance(idx, pd.DatetimeIndex):
        months = idx.to_period("M").to_timestamp(how="start")
    else:
        raise ForecastError(f"series {name!r}: the index must be dates or monthly periods, not {type(idx).__name__}. Index the series by month.")
    y = pd.Series(pd.to_numeric(series.to_numpy(), errors="coerce"), index=months, name=name, dtype=float)
    if y.index.has_duplicates:
        dup = y.index[y.index.duplicated()][0]
        raise ForecastError(f"series {name!r}: month {dup:%Y-%m} appears more than once. Aggregate to one value per month first.")
    if not y.index.is_monotonic_increasing:
        y = y.sort_index()
    ordinals = y.index.year.to_numpy() * 12 + y.index.month.to_numpy()
    if len(y) and ordinals[-1] - ordinals[0] + 1 != len(y):
        gap = pd.date_range(y.index[0], y.index[-1], freq="MS").difference(y.index)[0]
        raise ForecastError(f"series {name!r}: month {gap:%Y-%m} is missing. The series needs a value for every month; fill the gap (0 if there was none) or start after it.")
    if y.isna().any():
        bad = y.index[y.isna()][0]
        raise ForecastError(f"series {name!r}: the value for {bad:%Y-%m} is missing or not a number. Fill it in.")
    if (y < 0).any():
        bad = y.index[y < 0][0]
        raise ForecastError(f"series {name!r}: the value for {bad:%Y-%m} is negative ({y[bad]:g}); counts cannot be. Correct it.")
    if len(y) < min_months:
        raise ForecastError(f"series {name!r}: {len(y)} months of data; at least {min_months} are needed (two full seasonal cycles and more). Use a longer series.")
    return y.asfreq("MS")


def _ets_model(y: pd.Series, trend, damped: bool, seasonal_periods: int, start_params=None):
    """One ETS fit with heuristic initial states; optimiser chatter kept out of notebook exports.

    Fitted on the values alone (a plain integer index): the months are not needed, and
    statsmodels' date handling in prediction costs more than the fit on short series.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return ETSModel(
            pd.Series(np.asarray(y, dtype=float)),
            error="add",
            trend=trend,
            damped_trend=damped,
            seasonal="add",
            seasonal_periods=seasonal_periods,
            initialization_method="heuristic",
        ).fit(disp=False, start_params=start_params)


def _fit(y: pd.Series, seasonal_periods: int):
    """Fit every candidate; return the results with the lowest AICc and a table of all."""
    rows, best = [], None
    for label, trend, damped in CANDIDATES:
        try:
            res = _ets_model(y, trend, damped, seasonal_periods)
        except (ValueError, np.linalg.LinAlgError):
            rows.append({"model": label, "aicc": np.nan, "converged": False})
            continue
        aicc = float(res.aicc)
        converged = bool(res.mle_retvals.get("converged", True)) if isinstance(res.mle_retvals, dict) else True
        rows.append({"model": label, "aicc": aicc, "converged": converged})
        if np.isfinite(aicc) and np.all(np.isfinite(res.fittedvalues)):
            key = (not converged, aicc)  # prefer converged fits, then the lowest AICc
            if best is None or key < best[0]:
                best = (key, label, res)
    table = pd.DataFrame(rows)
    if best is None:
        raise ForecastError(f"series {y.name!r}: none of the models {', '.join(c[0] for c in CANDIDATES)} could be fitted. Check the series for long runs of zeros or a break in recording.")
    not_converged = best[0][0]
    return best[2], best[1] + (" (optimiser did not fully converge)" if not_converged else ""), table


def _fit_spec(y: pd.Series, model: str, seasonal_periods: int, start_params=None):
    """Refit the ETS form named by ``model`` (a label of :data:`CANDIDATES`, maybe with a suffix)."""
    for label, trend, damped in CANDIDATES:
        if model.startswith(label):
            return _ets_model(y, trend, damped, seasonal_periods, start_params)
    raise ValueError(f"unknown ETS model {model!r}")


# --------------------------------------------------------------------------------------
# The methods: point forecasts, their standard deviations, sample paths
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    """A method's forecast of the ``H`` months after the end of its fit."""

    forecast: np.ndarray  # point forecast, months 1..H
    sd: np.ndarray  # forecast standard deviation, months 1..H
    q: float  # interval half-width in sds for the level (normal or Student quantile)
    model: str  # in words
    errors: np.ndarray | None = None  # seasonal rules: their misses on the history
    years: int = 0  # seasonal rules: years averaged
    res: object = field(default=None, repr=False)  # ETS: the fitted results
    candidates: pd.DataFrame | None = field(default=None, repr=False)


def _rule(y: np.ndarray, horizon: int, years: int, level: float, min_errors: int = 12) -> _Path:
    """The mean of the same calendar month over the last ``years`` years (1 = seasonal naive).

    ``years`` is reduced while the history leaves fewer than ``min_errors`` months on which
    the rule's own misses can be measured.
    """
    n = len(y)
    k = max(1, min(int(years), n // 12))
    while k > 1 and n - 12 * k < min_errors:
        k -= 1
    m = n - 12 * k
    if m < 1:
        raise ForecastError(f"{n} months of data: a seasonal rule needs more than {12 * k}.")
    # The rule applied to every month it can be: month t against the mean of t-12, ..., t-12k.
    pred = np.mean([y[12 * (k - j) : n - 12 * j] for j in range(1, k + 1)], axis=0)
    errors = y[12 * k :] - pred
    sigma = float(np.sqrt(np.mean(errors**2)))
    h = np.arange(1, horizon + 1)
    years_ahead = (h + 11) // 12  # the nearest same calendar month observed is this many years back
    t = n - 1 + h
    point = np.mean([y[t - 12 * (years_ahead + j)] for j in range(k)], axis=0)
    model = "annual repeat (seasonal naive)" if k == 1 else f"average of the same month over the last {k} years"
    return _Path(
        forecast=point,
        sd=sigma * np.sqrt(years_ahead),
        q=float(stats.t.ppf(0.5 + level / 2, df=m)),
        model=model,
        errors=errors,
        years=k,
    )


def _ets(y: pd.Series, horizon: int, level: float, seasonal_periods: int, model: str | None = None, start_params=None) -> _Path:
    """ETS: the lowest-AICc candidate (or the form named by ``model``, its optimiser started
    from ``start_params``), forecast ``horizon`` months."""
    if model is None:
        res, model, table = _fit(y, seasonal_periods)
    else:
        res, table = _fit_spec(y, model, seasonal_periods, start_params), None
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        pred = res.get_prediction(start=n, end=n + horizon - 1)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        sd = np.sqrt(np.asarray(pred.forecast_variance, dtype=float))
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
        raise ValueError(f"{model} gave a forecast that is not a number")
    return _Path(forecast=mean, sd=sd, q=float(stats.norm.ppf(0.5 + level / 2)), model=model, res=res, candidates=table)


def _method_path(method: str, y: pd.Series, horizon: int, level: float, seasonal_periods: int = 12, ets_model: str | None = None, mean_years: int = MEAN_YEARS, ets_start_params=None) -> _Path:
    if method == SEASONAL_NAIVE:
        return _rule(y.to_numpy(dtype=float), horizon, 1, level)
    if method == SEASONAL_MEAN:
        return _rule(y.to_numpy(dtype=float), horizon, mean_years, level, min_errors=6)
    if method == ETS:
        return _ets(y, horizon, level, seasonal_periods, ets_model, ets_start_params)
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def _sample_paths(path: _Path, n_simulations: int, rng: np.random.Generator) -> np.ndarray:
    """Sample paths, shape (H, n_simulations), of the method's forecast errors around its point."""
    horizon = len(path.forecast)
    if path.res is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            sims = path.res.simulate(horizon, anchor="end", repetitions=n_simulations, rng=rng)
        return np.asarray(sims, dtype=float).reshape(horizon, n_simulations)
    # Seasonal rules: a year of consecutive misses at a time (circular), with a random sign,
    # added up year on year (the seasonal random walk behind sd * sqrt(years ahead)).
    e = path.errors
    m = len(e)
    h = np.arange(horizon)
    year, pos = h // 12, h % 12
    n_years = int(year.max()) + 1
    starts = rng.integers(0, m, size=(n_simulations, n_years))
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n_simulations, n_years))
    blocks = e[(starts[:, :, None] + np.arange(12)[None, None, :]) % m] * signs[:, :, None]
    walk = np.cumsum(blocks, axis=1)  # (sims, years, 12)
    return (path.forecast[None, :] + walk[:, year, pos]).T


def seasonal_rule(series: pd.Series, horizon_months: int = 12, level: float = 0.95, years: int = 1, *, min_errors: int = 12) -> pd.DataFrame:
    """Forecast each month as the mean of the same calendar month in the last ``years`` years,
    with an interval from the rule's own misses on the history.

    ``years=1`` is the seasonal naive forecast (the same month a year earlier). The rule is
    applied to every month of the history that has ``years`` whole years before it; ``sigma``
    is the root mean square of its misses there, and the interval is ``forecast ± t * sigma *
    sqrt(L)``, ``t`` the Student quantile on as many degrees of freedom as misses and ``L`` how
    many years back the nearest observed same month is (1 for the 12 months after the
    series). ``years`` is reduced while fewer than ``min_errors`` misses can be measured.

    Parameters
    ----------
    series : pandas.Series
        Monthly values indexed by month, no gaps, at least ``12 + min_errors`` months.
    horizon_months : int, default 12
    level : float, default 0.95
    years : int, default 1
    min_errors : int, default 12

    Returns
    -------
    pandas.DataFrame
        ``month``, ``forecast``, ``lower``, ``upper`` (lower floored at zero), ``sd`` and
        ``years`` (how many years the forecast averages).

    Raises
    ------
    ForecastError
        When the series is too short, has gaps, or missing or negative values.
    """
    if not 0 < level < 1:
        raise ForecastError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}.")
    if horizon_months < 1:
        raise ForecastError(f"horizon_months must be at least 1, not {horizon_months!r}.")
    y = _prepare(series, 12 + max(1, int(min_errors)))
    p = _rule(y.to_numpy(dtype=float), horizon_months, years, level, min_errors=min_errors)
    half = p.q * p.sd
    return pd.DataFrame(
        {
            "month": pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=horizon_months, freq="MS"),
            "forecast": np.clip(p.forecast, 0, None),
            "lower": np.clip(p.forecast - half, 0, None),
            "upper": np.clip(p.forecast + half, 0, None),
            "sd": p.sd,
            "years": p.years,
        }
    )


def _actual_years(y: pd.Series) -> pd.DataFrame:
    fy = _fy_start(y.index)
    g = pd.DataFrame({"fy": fy, "v": y.to_numpy()}).groupby("fy")["v"].agg(["sum", "count"])
    g = g[g["count"] == 12]
    return pd.DataFrame(
        {
            "year": [f"{s}/{(s + 1) % 100:02d}" for s in g.index],
            "start": [pd.Timestamp(int(s), 4, 1) for s in g.index],
            "end": [pd.Timestamp(int(s) + 1, 3, 31) for s in g.index],
            "actual": g["sum"].to_numpy(),
        }
    )


def _yearly(y: pd.Series, months: pd.DatetimeIndex, point: np.ndarray, paths: np.ndarray | None, level: float) -> pd.DataFrame:
    """Financial-year totals: observed months plus forecast months, complete years only."""
    hist_fy, fc_fy = _fy_start(y.index), _fy_start(months)
    q = ((1 - level) / 2, 1 - (1 - level) / 2)
    rows = []
    for fy in np.unique(fc_fy):
        in_fc = fc_fy == fy
        actual = y.to_numpy()[hist_fy == fy]
        if in_fc.sum() + len(actual) != 12:
            continue
        if paths is not None and paths.shape[1]:
            lo, hi = np.quantile(actual.sum() + paths[in_fc].sum(axis=0), q)
        else:
            lo = hi = np.nan
        rows.append(
            {
                "year": f"{fy}/{(fy + 1) % 100:02d}",
                "start": pd.Timestamp(int(fy), 4, 1),
                "end": pd.Timestamp(int(fy) + 1, 3, 31),
                "months_actual": int(len(actual)),
                "months_forecast": int(in_fc.sum()),
                "forecast": float(actual.sum() + point[in_fc].sum()),
                "lower": float(lo),
                "upper": float(hi),
            }
        )
    return pd.DataFrame(rows, columns=["year", "start", "end", "months_actual", "months_forecast", "forecast", "lower", "upper"])


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
    y = _prepare(series, 2 * seasonal_periods)
    try:
        p = _ets(y, horizon_months, level, seasonal_periods)
    except ValueError as exc:
        raise ForecastError(f"series {y.name!r}: {exc}") from None
    paths = np.clip(_sample_paths(p, n_simulations, np.random.default_rng(seed)), 0, None)
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
        yearly=_yearly(y, months, point, paths, level),
        actual_yearly=_actual_years(y),
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
    y = _prepare(series, 2 * seasonal_periods + holdout)
    zero = y.iloc[-holdout:] == 0
    if zero.any():
        raise ForecastError(f"series {y.name!r}: the value for {zero[zero].index[0]:%Y-%m} is zero, so the percentage error is undefined. Back-test a series without zero months.")
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


# --------------------------------------------------------------------------------------
# The rolling-origin back-test and the forecast the pack uses
# --------------------------------------------------------------------------------------


def _origins(n: int, holdout: int, origins: int, step: int) -> list[int]:
    """Training lengths of the back-test origins, oldest first: the last leaves ``holdout`` months."""
    last = n - holdout
    out = [last - step * i for i in range(max(1, origins))]
    return sorted(o for o in out if o >= MIN_MONTHS)


def _calibration(u: np.ndarray, level: float) -> float:
    """The factor that puts ``level`` of the back-test misses inside the interval (never below 1).

    ``u`` are the misses as shares of the model's own interval half-width; the factor is their
    ``ceil((n + 1) * level)``-th smallest value (the split-conformal rule), or the largest when
    there are too few.
    """
    u = np.sort(u[np.isfinite(u)]) if np.isfinite(u).all() else np.array([np.inf])
    if len(u) == 0:
        return 1.0
    k = min(int(np.ceil((len(u) + 1) * level)), len(u))
    return max(1.0, float(u[k - 1]))


def rolling_backtest(
    series: pd.Series,
    holdout: int = 12,
    level: float = 0.95,
    seasonal_periods: int = 12,
    *,
    origins: int = BACKTEST_ORIGINS,
    step: int = BACKTEST_STEP,
    ets_model: str | None = None,
    mean_years: int = MEAN_YEARS,
    scored: pd.Series | None = None,
    ets_start_params=None,
) -> BacktestResult:
    """Compare the methods on a rolling-origin back-test and say which one wins.

    At each origin (``origins`` of them, ``step`` months apart, the last one ``holdout``
    months before the end of the series, each with at least 24 months before it) every
    method of :data:`METHODS` is fitted on the months before the origin only and forecasts
    the next ``holdout`` months. The method with the lowest MAPE over all held-out months wins
    (ties go to the simpler method); see the module docstring for the interval calibration.

    Parameters
    ----------
    series : pandas.Series
        The months the methods may be fitted on (Covid-19 months already left out), at least
        ``24 + holdout`` of them.
    holdout : int, default 12
        Months forecast at each origin.
    level : float, default 0.95
    seasonal_periods : int, default 12
    origins, step : int
        Number of origins and months between them.
    ets_model : str, optional
        The ETS form to refit at each origin (a label of :data:`CANDIDATES`); by default the
        one AICc chooses on the whole series.
    mean_years : int, default 3
        Years averaged by the "mean of past years" method.
    scored : pandas.Series of bool, optional
        Months that may be scored (False for months filled in for the Covid-19 period).
    ets_start_params : array, optional
        Where the ETS optimiser starts at each origin (the whole series' estimates; saves time).

    Returns
    -------
    BacktestResult
        ``method`` the winner, ``mape`` its MAPE, ``baseline_mape`` seasonal naive's,
        ``coverage`` its calibrated interval's leave-one-origin-out coverage, ``scores``
        every method's figures, ``holdout`` the last origin's months.

    Raises
    ------
    ForecastError
        When the series is too short for one origin, or every held-out month is zero.
    """
    if holdout < 1:
        raise ForecastError(f"holdout must be at least 1 month, not {holdout!r}.")
    y = _prepare(series, MIN_MONTHS + holdout)
    return _rolling_backtest(y, holdout, level, seasonal_periods, origins, step, ets_model, mean_years, scored, ets_start_params)


def _rolling_backtest(y: pd.Series, holdout: int, level: float, seasonal_periods: int, origins: int, step: int, ets_model, mean_years: int, scored, ets_start_params) -> BacktestResult:
    """:func:`rolling_backtest` on a series already checked by :func:`_prepare`."""
    ok = np.ones(len(y), bool) if scored is None else scored.reindex(y.index, fill_value=False).to_numpy(bool)
    if ets_model is None:
        try:
            _, ets_model, _ = _fit(y, seasonal_periods)
        except ForecastError:
            ets_model = None
    rows = []
    ets_failed = ets_model is None
    for o in _origins(len(y), holdout, origins, step):
        train = y.iloc[:o]
        actual = y.to_numpy()[o : o + holdout]
        keep = ok[o : o + holdout]
        for method in METHODS:
            if method == ETS and ets_failed:
                continue
            try:
                p = _method_path(method, train, holdout, level, seasonal_periods, ets_model, mean_years, ets_start_params)
            except (ValueError, np.linalg.LinAlgError):
                ets_failed = True
                continue
            for i in np.flatnonzero(keep):
                rows.append(
                    {
                        "origin": y.index[o],
                        "month": y.index[o + i],
                        "method": method,
                        "model": p.model,
                        "actual": actual[i],
                        "forecast": max(p.forecast[i], 0.0),
                        "sd": p.sd[i],
                        "q": p.q,
                    }
                )
    table = pd.DataFrame(rows)
    if ets_failed and not table.empty:
        table = table[table["method"] != ETS]
    if table.empty:
        raise ForecastError(f"series {y.name!r}: no month to score in the back-test.")
    table["error"] = table["actual"] - table["forecast"]
    table["z"] = np.where(table["sd"] > 0, table["error"] / table["sd"].where(table["sd"] > 0, 1.0), np.where(table["error"] == 0, 0.0, np.inf))
    positive = table["actual"] > 0
    table["ape"] = np.where(positive, 100 * table["error"].abs() / table["actual"].where(positive, 1.0), np.nan)

    scores = []
    for method in METHODS:
        t = table[table["method"] == method]
        if t.empty:
            continue
        u = (t["z"].abs() / t["q"]).to_numpy(float)  # miss as a share of the model's half-width
        c = _calibration(u, level)
        inside_raw = u <= 1
        inside_loo = []
        for origin in t["origin"].unique():
            mine = (t["origin"] == origin).to_numpy()
            inside_loo.extend(u[mine] <= _calibration(u[~mine], level))
        scores.append(
            {
                "method": method,
                "model": t["model"].iloc[-1],
                "mape": float(t["ape"].mean()) if t["ape"].notna().any() else np.nan,
                "mae": float(t["error"].abs().mean()),
                "raw_coverage": float(np.mean(inside_raw)),
                "calibration": c,
                "coverage": float(np.mean(inside_loo)),
                "months": int(len(t)),
            }
        )
    scores = pd.DataFrame(scores)
    if scores["mape"].notna().any():
        order = scores.assign(_o=scores["method"].map(METHODS.index)).sort_values(["mape", "_o"], na_position="last")
    else:  # every held-out month is zero: rank by absolute error instead
        order = scores.assign(_o=scores["method"].map(METHODS.index)).sort_values(["mae", "_o"])
    win = order.iloc[0]
    last = table[(table["method"] == win["method"]) & (table["origin"] == table["origin"].max())]
    half = last["q"] * win["calibration"] * last["sd"]
    holdout_frame = pd.DataFrame(
        {
            "month": last["month"].to_numpy(),
            "actual": last["actual"].to_numpy(),
            "forecast": last["forecast"].to_numpy(),
            "lower": np.clip(last["forecast"] - half, 0, None).to_numpy(),
            "upper": np.clip(last["forecast"] + half, 0, None).to_numpy(),
            "ape": last["ape"].to_numpy(),
        }
    )
    base = scores.loc[scores["method"] == SEASONAL_NAIVE, "mape"]
    return BacktestResult(
        name=str(y.name),
        mape=float(win["mape"]),
        holdout=holdout_frame,
        model=str(win["model"]),
        coverage=float(win["coverage"]),
        level=level,
        method=str(win["method"]),
        baseline_mape=float(base.iloc[0]) if len(base) else None,
        scores=scores.reset_index(drop=True),
        origins=tuple(sorted(table["origin"].unique())),
        months=int(win["months"]),
        raw_coverage=float(win["raw_coverage"]),
        calibration=float(win["calibration"]),
        holdout_months=holdout,
    )


def _month(value) -> pd.Timestamp:
    return pd.Timestamp(value).to_period("M").to_timestamp()


def fit_sample(series: pd.Series, exclude: tuple | None = None) -> tuple[pd.Series, pd.Series | None, tuple | None]:
    """The months a method is fitted on, once the months in ``exclude`` are left out.

    Parameters
    ----------
    series : pandas.Series
        Monthly values, checked as by :func:`forecast_series`.
    exclude : tuple of (date-like, date-like), optional
        First and last month to leave out (any day in the month will do).

    Returns
    -------
    tuple
        ``(fit, scored, excluded)``: the months to fit; None, or for excluded months followed
        by later ones, which months of ``fit`` are observed rather than filled in; and the
        first and last month actually left out (None when none of the series is).
        When the excluded months end the series, ``fit`` is the months before them. When
        months follow them, the excluded months are filled in with the forecast from the
        months before (the method the back-test picks there) and ``fit`` is the whole
        series; with fewer than 24 months before them, ``fit`` is the months after them.
    """
    return _fit_sample(_prepare(series, 1), exclude)


def _fit_sample(y: pd.Series, exclude: tuple | None) -> tuple[pd.Series, pd.Series | None, tuple | None]:
    """:func:`fit_sample` on a series already checked by :func:`_prepare`."""
    if exclude is None:
        return y, None, None
    first, last = _month(exclude[0]), _month(exclude[1])
    inside = (y.index >= first) & (y.index <= last)
    if not inside.any():
        return y, None, None
    excluded = (y.index[inside][0], y.index[inside][-1])
    pre, post = y[y.index < first], y[y.index > last]
    if post.empty:
        return pre, None, excluded
    if len(pre) < MIN_MONTHS:
        return post, None, excluded
    filled, _ = forecast_selected(pre, horizon_months=int(inside.sum()), n_simulations=0)
    fit = y.copy()
    fit[inside] = filled.monthly["forecast"].to_numpy()
    return fit, pd.Series(~inside, index=y.index), excluded


def forecast_selected(
    series: pd.Series,
    horizon_months: int = 48,
    level: float = 0.95,
    seasonal_periods: int = 12,
    *,
    exclude: tuple | None = None,
    holdout: int = 12,
    origins: int = BACKTEST_ORIGINS,
    step: int = BACKTEST_STEP,
    method: str | None = None,
    n_simulations: int = 1000,
    seed: int = 20210331,
    mean_years: int = MEAN_YEARS,
) -> tuple[Forecast, BacktestResult | None]:
    """The pack's demand forecast: the method that wins the rolling back-test, with the
    excluded months left out of the fit and intervals calibrated on the back-test.

    Parameters
    ----------
    series : pandas.Series
        Monthly values (counts) indexed by month, no gaps; ``series.name`` names the forecast.
    horizon_months : int, default 48
        Months to forecast after the last month of the series.
    level : float, default 0.95
    seasonal_periods : int, default 12
    exclude : tuple of (date-like, date-like), optional
        First and last month to leave out of the fit and the back-test (see
        :func:`fit_sample`); they still count as actuals in their financial year's total.
    holdout, origins, step : int
        The back-test (:func:`rolling_backtest`).
    method : str, optional
        Use this method (one of :data:`METHODS`) whatever the back-test says.
    n_simulations : int, default 1000
        Sample paths for the yearly intervals (0: no yearly intervals, NaN).
    seed : int
    mean_years : int, default 3

    Returns
    -------
    tuple of (Forecast, BacktestResult or None)
        The back-test is None when the fitted months are too few for one origin (fewer than
        ``24 + holdout``); the forecast then uses ETS, uncalibrated.

    Raises
    ------
    ForecastError
        When the series has gaps, missing or negative values, or too few months to fit.
    """
    if not 0 < level < 1:
        raise ForecastError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}.")
    if horizon_months < 1:
        raise ForecastError(f"horizon_months must be at least 1, not {horizon_months!r}.")
    if method is not None and method not in METHODS:
        raise ForecastError(f"method must be one of {', '.join(METHODS)}, not {method!r}.")
    t0 = time.perf_counter()
    y = _prepare(series, 1)
    fit, scored, excluded = _fit_sample(y, exclude)
    if len(fit) < MIN_MONTHS:
        if excluded is None:
            _prepare(y, MIN_MONTHS)  # the usual message
        raise ForecastError(
            f"series {y.name!r}: {len(fit)} months outside the months left out of the fit "
            f"({excluded[0]:%B %Y} to {excluded[1]:%B %Y}); at least {MIN_MONTHS} are needed. Use a longer series."
        )
    ets_fit = None
    try:
        ets_fit = _ets(fit, 1, level, seasonal_periods)
    except (ForecastError, ValueError, np.linalg.LinAlgError):
        pass
    bt = None
    if len(fit) >= MIN_MONTHS + holdout:
        try:
            bt = _rolling_backtest(
                fit, holdout, level, seasonal_periods, origins, step,
                None if ets_fit is None else ets_fit.model, mean_years, scored,
                None if ets_fit is None else np.asarray(ets_fit.res.params, dtype=float),
            )
        except ForecastError:
            bt = None
    chosen = method or (bt.method if bt is not None else ETS)
    if chosen == ETS and ets_fit is None:
        chosen = SEASONAL_NAIVE
    calibration = 1.0
    if bt is not None and bt.scores is not None and (bt.scores["method"] == chosen).any():
        calibration = float(bt.scores.loc[bt.scores["method"] == chosen, "calibration"].iloc[0])
        calibration = calibration if np.isfinite(calibration) else 1.0

    # Forecast from the end of the fit to ``horizon_months`` after the last observed month.
    gap = len(pd.date_range(fit.index[-1], y.index[-1], freq="MS")) - 1
    total = gap + horizon_months
    if chosen == ETS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            pred = ets_fit.res.get_prediction(start=len(fit), end=len(fit) + total - 1)
            p = _Path(
                forecast=np.asarray(pred.predicted_mean, dtype=float),
                sd=np.sqrt(np.asarray(pred.forecast_variance, dtype=float)),
                q=ets_fit.q,
                model=ets_fit.model,
                res=ets_fit.res,
                candidates=ets_fit.candidates,
            )
    else:
        p = _method_path(chosen, fit, total, level, seasonal_periods, mean_years=mean_years)
    point = p.forecast[gap:]
    half = (p.q * calibration * p.sd)[gap:]
    months = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=horizon_months, freq="MS")
    monthly = pd.DataFrame(
        {
            "month": months,
            "forecast": np.clip(point, 0, None),
            "lower": np.clip(point - half, 0, None),
            "upper": np.clip(point + half, 0, None),
        }
    )
    paths = None
    if n_simulations > 0:
        raw = _sample_paths(p, n_simulations, np.random.default_rng(seed))[gap:]
        paths = np.clip(point[:, None] + calibration * (raw - p.forecast[gap:, None]), 0, None)
    fc = Forecast(
        name=str(y.name),
        monthly=monthly,
        yearly=_yearly(y, months, np.clip(point, 0, None), paths, level),
        actual_yearly=_actual_years(y),
        model=p.model,
        level=level,
        n_simulations=n_simulations,
        candidates=ets_fit.candidates if ets_fit is not None and ets_fit.candidates is not None else pd.DataFrame(columns=["model", "aicc", "converged"]),
        fit_seconds=time.perf_counter() - t0,
        method=chosen,
        fit_end=fit.index[-1],
        excluded=excluded,
        calibration=calibration,
    )
    return fc, bt


def compare_runs(current: Forecast, previous: Forecast, series: pd.Series) -> dict:
    """How the last financial year both forecasts cover moved from an earlier run to this one.

    Parameters
    ----------
    current, previous : Forecast
        This run's forecast and an earlier run's (fitted on a shorter history).
    series : pandas.Series
        This run's monthly history.

    Returns
    -------
    dict
        Empty when the runs share no forecast year. Otherwise ``year``, ``current``,
        ``previous`` (the two totals), ``pct`` (the move, percent of the earlier total),
        ``previous_end`` (the earlier run's last month), ``new_months`` (months observed since),
        ``new_actual`` and ``new_expected`` (their total, and the earlier run's forecast of
        it), ``data_pct`` (how far they came in above the earlier forecast, percent),
        ``same_fit`` (both runs fitted on the same months with the same method),
        ``method``, ``previous_method``.
    """
    common = [yr for yr in current.yearly["year"] if yr in set(previous.yearly["year"])]
    if not common:
        return {}
    year = common[-1]
    cur = float(current.yearly.loc[current.yearly["year"] == year, "forecast"].iloc[0])
    prev = float(previous.yearly.loc[previous.yearly["year"] == year, "forecast"].iloc[0])
    y = _prepare(series, 1)
    previous_end = previous.monthly["month"].iloc[0] - pd.offsets.MonthBegin(1)
    new = y[y.index > previous_end]
    expected = previous.monthly.set_index("month")["forecast"].reindex(new.index)
    new_actual, new_expected = float(new.sum()), float(expected.sum())
    return {
        "year": year,
        "current": cur,
        "previous": prev,
        "pct": 100 * (cur - prev) / prev if prev else np.inf,
        "previous_end": previous_end,
        "new_months": list(new.index),
        "new_actual": new_actual,
        "new_expected": new_expected,
        "data_pct": 100 * (new_actual - new_expected) / new_expected if new_expected else np.nan,
        "same_fit": bool(current.fit_end == previous.fit_end and current.method == previous.method and current.model == previous.model),
        "method": current.model,
        "previous_method": previous.model,
    }


def revision_sentence(info: dict, *, threshold: float = REVISION_NOTE_PCT) -> str:
    """The move of the final year's forecast since the earlier run, in words (from :func:`compare_runs`).

    A move of ``threshold`` percent or more is explained: by the months observed since (how
    far they came in above or below what the earlier run forecast for them), and by a change
    of method when the back-test now picks another one.
    """
    if not info:
        return ""
    year, since = info["year"], f"{info['previous_end']:%B %Y}"
    if info["same_fit"] and abs(info["pct"]) < 0.05:
        return (
            f"The {year} forecast is the same as from the data to {since}: the months since are left out of "
            "the fit, so they do not move it."
        )
    pct = info["pct"]
    if abs(pct) < threshold:
        return f"The {year} forecast is {_pct(pct)} {'higher' if pct > 0 else 'lower'} than from the data to {since}."
    why = []
    n = len(info["new_months"])
    if n and np.isfinite(info["data_pct"]):
        months = f"the {_NUMBER_WORDS.get(n, str(n))} months since" if n > 1 else "the month since"
        why.append(f"{months} came in {_pct(info['data_pct'])} {'above' if info['data_pct'] > 0 else 'below'} what that forecast expected")
    if info["method"] != info["previous_method"]:
        why.append(f"the back-test now picks {info['method']} rather than {info['previous_method']}")
    text = f"The {year} forecast is {_pct(pct)} {'higher' if pct > 0 else 'lower'} than from the data to {since}"
    return text + (": " + " and ".join(why) + "." if why else ".")


# --------------------------------------------------------------------------------------
# Words and figures
# --------------------------------------------------------------------------------------


def _round_sig(x: float, sig: int = 3) -> float:
    if x == 0 or not np.isfinite(x):
        return x
    digits = sig - int(np.floor(np.log10(abs(x)))) - 1
    return round(x, min(digits, 0))


def format_forecast(x: float) -> str:
    """A forecast count for prose: three significant figures, thousands separated.

    Parameters
    ----------
    x : float

    Returns
    -------
    str
        e.g. ``224,961.4`` -> ``"225,000"``; ``87.6`` -> ``"88"``.
    """
    return f"{_round_sig(float(x)):,.0f}"


def _pct(p: float) -> str:
    return f"{abs(p):.0f}%" if abs(p) >= 1 else f"{abs(p):.1f}%"


def demand_statement(name: str, series: pd.Series, forecast: Forecast, *, flat_within: float = FLAT_WITHIN_PCT) -> str:
    """One sentence on where demand is heading, written from the forecast.

    The last complete financial year of ``series`` is compared with the last forecast
    financial year. A change of less than ``flat_within`` percent either way is "broadly
    flat"; otherwise demand is forecast to "rise" or "fall" by the rounded percentage.
    When the final year's prediction interval includes the starting level, the sentence
    says that the direction is not certain.

    Parameters
    ----------
    name : str
        What is counted, as a plural noun phrase ("999 calls", "recorded crimes").
    series : pandas.Series
        The monthly history the forecast was fitted on.
    forecast : Forecast
        From :func:`forecast_series`.
    flat_within : float, default 3.0
        Threshold in percent for "broadly flat".

    Returns
    -------
    str

    Raises
    ------
    ForecastError
        When the history has no complete financial year or the forecast no complete year.
    """
    y = _prepare(series, 1)
    years = _actual_years(y)
    if years.empty:
        raise ForecastError(f"series {name!r}: no complete financial year (April to March) in the history, so there is no starting point for the statement. Use a longer series.")
    if forecast.yearly.empty:
        raise ForecastError(f"forecast of {name!r}: no complete financial year is forecast. Forecast at least to the next 31 March.")
    base, target = years.iloc[-1], forecast.yearly.iloc[-1]
    base_total, fc_total = float(base["actual"]), float(target["forecast"])
    n_years = int(target["start"].year - base["start"].year)
    span = "Over the next year" if n_years == 1 else f"Over the next {_NUMBER_WORDS.get(n_years, str(n_years))} years"
    pct = 100 * (fc_total - base_total) / base_total if base_total else np.inf
    lvl = f"{forecast.level * 100:g}%"
    interval = f"{format_forecast(target['lower'])} to {format_forecast(target['upper'])}"
    if abs(pct) < flat_within:
        return (
            f"{span} {name} are forecast to stay broadly flat (a change of {pct:+.1f}%, within \u00b1{flat_within:g}%): "
            f"{base_total:,.0f} in {base['year']} and {format_forecast(fc_total)} forecast for {target['year']} "
            f"({lvl} prediction interval {interval})."
        )
    verb = "rise" if pct > 0 else "fall"
    sentence = (
        f"{span} {name} are forecast to {verb} by {_pct(pct)} (from {base_total:,.0f} in {base['year']} "
        f"to {format_forecast(fc_total)} in {target['year']}; {lvl} prediction interval for {target['year']}: {interval})."
    )
    if target["lower"] <= base_total <= target["upper"]:
        sentence += f" The interval includes the {base['year']} level, so the {verb} is not certain."
    return sentence


def forecast_figure_rows(key: str, forecast: Forecast, section: str, *, label: str | None = None, backtest: BacktestResult | None = None) -> list[dict]:
    """Rows for ``figures.csv``: one per forecast financial year.

    Parameters
    ----------
    key : str
        The series key; ``forecast_`` is put in front unless already there
        (``"calls_999"`` -> ``"forecast_calls_999"``).
    forecast : Forecast
    section : str
        The section id, as the other rows of the section.
    label : str, optional
        What is counted (defaults to ``forecast.name``).
    backtest : BacktestResult, optional
        The back-test behind the forecast (:func:`rolling_backtest`); its figures go in every row.

    Returns
    -------
    list of dict
        Keys ``section, key, label, window`` (the year, ``"2022/23"``), ``current`` (the
        forecast total), ``previous`` (the last complete financial year observed, or None),
        ``change``, ``pct_change``, ``significance`` (``"forecast"``), ``suppressed``
        (False), ``lower``, ``upper`` (the prediction interval of the total), and
        ``area``, ``previous_window``, ``kind``, ``p_value`` as in :mod:`perfpack.stats.figures`;
        and ``model`` (the method in words), ``backtest_mape`` (the method's MAPE in the
        back-test, percent), ``baseline_mape`` (seasonal naive's on the same months) and
        ``backtest_coverage`` (share of back-test months inside the calibrated interval), the
        last three None without a back-test.
    """
    k = key if key.startswith("forecast_") else f"forecast_{key}"
    what = label or forecast.name
    prev = forecast.actual_yearly.iloc[-1] if not forecast.actual_yearly.empty else None
    lvl = f"{forecast.level * 100:g}%"
    rows = []
    for r in forecast.yearly.itertuples(index=False):
        current, lower, upper = round(r.forecast), round(r.lower), round(r.upper)
        previous = None if prev is None else round(float(prev["actual"]))
        change = None if previous is None else current - previous
        pct = None if not previous else round(100 * change / previous, 1)
        text = f"{what}: forecast total for {r.year} ({lvl} prediction interval {lower:,} to {upper:,})"
        if r.months_actual:
            text += f", including {r.months_actual} months already observed"
        if prev is not None:
            text += f", against {prev['year']} actual"
        rows.append(
            {
                "section": section,
                "key": k,
                "label": text,
                "window": r.year,
                "current": current,
                "previous": previous,
                "change": change,
                "pct_change": pct,
                "significance": "forecast",
                "suppressed": False,
                "lower": lower,
                "upper": upper,
                "area": "Force",
                "previous_window": "" if prev is None else prev["year"],
                "kind": "forecast",
                "p_value": None,
                "model": forecast.model,
                "backtest_mape": None if backtest is None else round(float(backtest.mape), 1),
                "baseline_mape": None if backtest is None or backtest.baseline_mape is None else round(float(backtest.baseline_mape), 1),
                "backtest_coverage": None if backtest is None else round(float(backtest.coverage), 3),
            }
        )
    return rows

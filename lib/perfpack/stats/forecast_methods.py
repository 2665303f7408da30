"""The forecasting methods the demand forecasts choose between (seasonal naive, the mean of past
years, ETS), each giving a point forecast and an interval path; the seasonal rule the usual
seasonal range uses; the settings, fitting helpers and yearly totals they share."""

from __future__ import annotations

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
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


class ForecastError(ValueError):
    """A series cannot be forecast as given; the message says which series, where and what to do."""


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


def prepare(series: pd.Series, min_months: int) -> pd.Series:
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
        raise ForecastError(
            f"series {name!r}: month {gap:%Y-%m} is missing. The series needs a value for every month; fill the gap (0 if there was none) or start after it."
        )
    if y.isna().any():
        bad = y.index[y.isna()][0]
        raise ForecastError(f"series {name!r}: the value for {bad:%Y-%m} is missing or not a number. Fill it in.")
    if (y < 0).any():
        bad = y.index[y < 0][0]
        raise ForecastError(f"series {name!r}: the value for {bad:%Y-%m} is negative ({y[bad]:g}); counts cannot be. Correct it.")
    if len(y) < min_months:
        raise ForecastError(
            f"series {name!r}: {len(y)} months of data; at least {min_months} are needed (two full seasonal cycles and more). Use a longer series."
        )
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


def fit(y: pd.Series, seasonal_periods: int):
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
        raise ForecastError(
            f"series {y.name!r}: none of the models {', '.join(c[0] for c in CANDIDATES)} could be fitted. Check the series for long runs of zeros or a break in recording."
        )
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
class Path:
    """A method's forecast of the ``H`` months after the end of its fit."""

    forecast: np.ndarray  # point forecast, months 1..H
    sd: np.ndarray  # forecast standard deviation, months 1..H
    q: float  # interval half-width in sds for the level (normal or Student quantile)
    model: str  # in words
    errors: np.ndarray | None = None  # seasonal rules: their misses on the history
    years: int = 0  # seasonal rules: years averaged
    res: object = field(default=None, repr=False)  # ETS: the fitted results
    candidates: pd.DataFrame | None = field(default=None, repr=False)


def _rule(y: np.ndarray, horizon: int, years: int, level: float, min_errors: int = 12) -> Path:
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
    return Path(
        forecast=point,
        sd=sigma * np.sqrt(years_ahead),
        q=float(stats.t.ppf(0.5 + level / 2, df=m)),
        model=model,
        errors=errors,
        years=k,
    )


def ets(y: pd.Series, horizon: int, level: float, seasonal_periods: int, model: str | None = None, start_params=None) -> Path:
    """ETS: the lowest-AICc candidate (or the form named by ``model``, its optimiser started
    from ``start_params``), forecast ``horizon`` months."""
    if model is None:
        res, model, table = fit(y, seasonal_periods)
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
    return Path(forecast=mean, sd=sd, q=float(stats.norm.ppf(0.5 + level / 2)), model=model, res=res, candidates=table)


def method_path(
    method: str,
    y: pd.Series,
    horizon: int,
    level: float,
    seasonal_periods: int = 12,
    ets_model: str | None = None,
    mean_years: int = MEAN_YEARS,
    ets_start_params=None,
) -> Path:
    if method == SEASONAL_NAIVE:
        return _rule(y.to_numpy(dtype=float), horizon, 1, level)
    if method == SEASONAL_MEAN:
        return _rule(y.to_numpy(dtype=float), horizon, mean_years, level, min_errors=6)
    if method == ETS:
        return ets(y, horizon, level, seasonal_periods, ets_model, ets_start_params)
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def sample_paths(path: Path, n_simulations: int, rng: np.random.Generator) -> np.ndarray:
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
    y = prepare(series, 12 + max(1, int(min_errors)))
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


def actual_years(y: pd.Series) -> pd.DataFrame:
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


def yearly(y: pd.Series, months: pd.DatetimeIndex, point: np.ndarray, paths: np.ndarray | None, level: float) -> pd.DataFrame:
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

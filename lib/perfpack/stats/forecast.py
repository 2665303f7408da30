"""Four-year demand forecasts for the FMS: seasonal models, prediction intervals and back-tests.

Method
------
Each monthly series is fitted with three additive exponential smoothing (ETS) state space
models from statsmodels (``ETSModel``): ETS(A,Ad,A) (damped additive trend), ETS(A,A,A)
(additive trend) and ETS(A,N,A) (no trend), all with additive errors and additive
12-month seasonality. Initial states are set by the heuristic of Hyndman et al. (2008),
smoothing parameters by maximum likelihood; the model with the lowest AICc is used. Fixing
the initial states keeps the fit to four parameters, which makes it fast (well under a
second per series) and stable on five years of data; AICc chooses between a trend that
continues, one that levels off and none.

The Covid-19 dip is not modelled separately: the level adapts to it, so a series that ends
during restrictions is forecast from a depressed level. The back-test (the same method
fitted without the last 12 months and scored on them) is shown beside every forecast so
that readers can judge how far to trust it.

Intervals
---------
Monthly intervals are the exact analytic prediction intervals of the additive ETS models.
Intervals for yearly totals cannot be summed from monthly ones (forecast errors are
correlated across months), so they come from simulation: ``n_simulations`` sample paths of
the fitted model from the end of the data (``ETSResults.simulate``), each path summed over
each financial year, and the interval is the central ``level`` share of those totals.
Negative values are floored at zero, in points, bounds and paths (counts cannot be
negative). A fixed seed makes the intervals reproducible.

The intervals treat the fitted parameters as known, so they are somewhat too narrow. In
a check on 150 simulated series (Poisson counts, seasonality, small trends, autocorrelated
noise; 60 months of history), 92% of months fell inside the monthly 95% intervals and
86-91% of yearly totals inside the yearly ones over the four years ahead. Say "about 95%"
rather than more.

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
from statsmodels.tools.sm_exceptions import ModelWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

#: Candidate models: label, trend, damped.
CANDIDATES = (
    ("ETS(A,Ad,A)", "add", True),
    ("ETS(A,A,A)", "add", False),
    ("ETS(A,N,A)", None, False),
)
#: A change smaller than this, in percent, is described as "broadly flat".
FLAT_WITHIN_PCT = 3.0
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
        ``month`` (timestamp of the first day), ``forecast``, ``lower``, ``upper``.
    yearly : pandas.DataFrame
        One row per financial year covered: ``year`` (``"2021/22"``), ``start``, ``end``,
        ``months_actual``, ``months_forecast``, ``forecast`` (total), ``lower``, ``upper``.
    actual_yearly : pandas.DataFrame
        Complete financial years of the history: ``year``, ``start``, ``end``, ``actual``.
    model : str
        The model used, e.g. ``"ETS(A,Ad,A)"``.
    level : float
        Coverage of the prediction intervals (0.95).
    n_simulations : int
        Sample paths behind the yearly intervals.
    candidates : pandas.DataFrame
        Every candidate model with its ``aicc`` and whether it ``converged``.
    fit_seconds : float
        Wall time of fitting and simulating.
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


@dataclass(frozen=True)
class BacktestResult:
    """The forecast method fitted without the last months of a series and scored on them.

    Attributes
    ----------
    name : str
    mape : float
        Mean absolute percentage error over the held-out months, in percent.
    holdout : pandas.DataFrame
        ``month``, ``actual``, ``forecast``, ``lower``, ``upper``, ``ape`` (percent).
    model : str
        The model chosen on the shortened series.
    coverage : float
        Share of held-out months inside the prediction interval (0 to 1).
    level : float
    """

    name: str
    mape: float
    holdout: pd.DataFrame
    model: str
    coverage: float
    level: float


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
    y = y.sort_index()
    full = pd.date_range(y.index[0], y.index[-1], freq="MS") if len(y) else pd.DatetimeIndex([])
    if len(full) != len(y):
        gap = full.difference(y.index)[0]
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


def _fit(y: pd.Series, seasonal_periods: int):
    """Fit every candidate; return the results with the lowest AICc and a table of all."""
    rows, best = [], None
    for label, trend, damped in CANDIDATES:
        with warnings.catch_warnings():
            # Optimiser chatter must not reach notebook exports; convergence is recorded instead.
            warnings.simplefilter("ignore", ModelWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                res = ETSModel(
                    y,
                    error="add",
                    trend=trend,
                    damped_trend=damped,
                    seasonal="add",
                    seasonal_periods=seasonal_periods,
                    initialization_method="heuristic",
                ).fit(disp=False)
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


# --------------------------------------------------------------------------------------
# Forecast and back-test
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
    """Forecast a monthly series with a seasonal ETS model and prediction intervals.

    Parameters
    ----------
    series : pandas.Series
        Monthly values (counts) indexed by month (dates or monthly periods), no gaps, at
        least two seasonal cycles plus one month. ``series.name`` names the forecast.
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
        intervals, the complete financial years observed, and the model used (see the
        module docstring for the method).

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
    y = _prepare(series, 2 * seasonal_periods + 1)
    res, model, table = _fit(y, seasonal_periods)
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = res.get_prediction(start=n, end=n + horizon_months - 1).summary_frame(alpha=1 - level)
        paths = np.asarray(res.simulate(horizon_months, anchor="end", repetitions=n_simulations, rng=np.random.default_rng(seed)), dtype=float)
    months = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=horizon_months, freq="MS")
    monthly = pd.DataFrame(
        {
            "month": months,
            "forecast": np.clip(np.asarray(frame["mean"], dtype=float), 0, None),
            "lower": np.clip(np.asarray(frame["pi_lower"], dtype=float), 0, None),
            "upper": np.clip(np.asarray(frame["pi_upper"], dtype=float), 0, None),
        }
    )
    paths = np.clip(paths.reshape(horizon_months, n_simulations), 0, None)

    # Financial-year totals: observed months plus forecast months, complete years only.
    hist_fy, fc_fy = _fy_start(y.index), _fy_start(months)
    q = ((1 - level) / 2, 1 - (1 - level) / 2)
    rows = []
    for fy in np.unique(fc_fy):
        in_fc = fc_fy == fy
        actual = y.to_numpy()[hist_fy == fy]
        if in_fc.sum() + len(actual) != 12:
            continue
        totals = actual.sum() + paths[in_fc].sum(axis=0)
        lo, hi = np.quantile(totals, q)
        rows.append(
            {
                "year": f"{fy}/{(fy + 1) % 100:02d}",
                "start": pd.Timestamp(int(fy), 4, 1),
                "end": pd.Timestamp(int(fy) + 1, 3, 31),
                "months_actual": int(len(actual)),
                "months_forecast": int(in_fc.sum()),
                "forecast": float(actual.sum() + monthly.loc[in_fc, "forecast"].sum()),
                "lower": float(lo),
                "upper": float(hi),
            }
        )
    yearly = pd.DataFrame(rows, columns=["year", "start", "end", "months_actual", "months_forecast", "forecast", "lower", "upper"])
    return Forecast(
        name=str(y.name),
        monthly=monthly,
        yearly=yearly,
        actual_yearly=_actual_years(y),
        model=model,
        level=level,
        n_simulations=n_simulations,
        candidates=table,
        fit_seconds=time.perf_counter() - t0,
    )


def backtest(series: pd.Series, holdout: int = 12, level: float = 0.95, seasonal_periods: int = 12) -> BacktestResult:
    """Fit the forecast method without the last ``holdout`` months and score it on them.

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
    y = _prepare(series, 2 * seasonal_periods + 1 + holdout)
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
    )


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


def forecast_figure_rows(key: str, forecast: Forecast, section: str, *, label: str | None = None) -> list[dict]:
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

    Returns
    -------
    list of dict
        Keys ``section, key, label, window`` (the year, ``"2022/23"``), ``current`` (the
        forecast total), ``previous`` (the last complete financial year observed, or None),
        ``change``, ``pct_change``, ``significance`` (``"forecast"``), ``suppressed``
        (False), ``lower``, ``upper`` (the prediction interval of the total), and
        ``area``, ``previous_window``, ``kind``, ``p_value`` as in :mod:`perfpack.stats.figures`.
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
            }
        )
    return rows

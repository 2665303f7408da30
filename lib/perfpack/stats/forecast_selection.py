"""Choosing a forecasting method for a series: the rolling-origin back-test of every candidate,
the calibration of its intervals, the Covid-19 months left out of the fit, and the forecast
made with the winner."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ModelWarning

from perfpack.stats.forecast import BacktestResult, Forecast
from perfpack.stats.forecast_methods import (
    BACKTEST_ORIGINS,
    BACKTEST_STEP,
    ETS,
    MEAN_YEARS,
    METHODS,
    MIN_MONTHS,
    SEASONAL_NAIVE,
    ForecastError,
    Path,
    actual_years,
    ets,
    fit,
    method_path,
    prepare,
    sample_paths,
    yearly,
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
    y = prepare(series, MIN_MONTHS + holdout)
    return _rolling_backtest(y, holdout, level, seasonal_periods, origins, step, ets_model, mean_years, scored, ets_start_params)


def _rolling_backtest(
    y: pd.Series, holdout: int, level: float, seasonal_periods: int, origins: int, step: int, ets_model, mean_years: int, scored, ets_start_params
) -> BacktestResult:
    """:func:`rolling_backtest` on a series already checked by :func:`prepare`."""
    ok = np.ones(len(y), bool) if scored is None else scored.reindex(y.index, fill_value=False).to_numpy(bool)
    if ets_model is None:
        try:
            _, ets_model, _ = fit(y, seasonal_periods)
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
                p = method_path(method, train, holdout, level, seasonal_periods, ets_model, mean_years, ets_start_params)
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
    return _fit_sample(prepare(series, 1), exclude)


def _fit_sample(y: pd.Series, exclude: tuple | None) -> tuple[pd.Series, pd.Series | None, tuple | None]:
    """:func:`fit_sample` on a series already checked by :func:`prepare`."""
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
    y = prepare(series, 1)
    fit, scored, excluded = _fit_sample(y, exclude)
    if len(fit) < MIN_MONTHS:
        if excluded is None:
            prepare(y, MIN_MONTHS)  # the usual message
        raise ForecastError(
            f"series {y.name!r}: {len(fit)} months outside the months left out of the fit "
            f"({excluded[0]:%B %Y} to {excluded[1]:%B %Y}); at least {MIN_MONTHS} are needed. Use a longer series."
        )
    ets_fit = None
    try:
        ets_fit = ets(fit, 1, level, seasonal_periods)
    except (ForecastError, ValueError, np.linalg.LinAlgError):
        pass
    bt = None
    if len(fit) >= MIN_MONTHS + holdout:
        try:
            bt = _rolling_backtest(
                fit,
                holdout,
                level,
                seasonal_periods,
                origins,
                step,
                None if ets_fit is None else ets_fit.model,
                mean_years,
                scored,
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
            p = Path(
                forecast=np.asarray(pred.predicted_mean, dtype=float),
                sd=np.sqrt(np.asarray(pred.forecast_variance, dtype=float)),
                q=ets_fit.q,
                model=ets_fit.model,
                res=ets_fit.res,
                candidates=ets_fit.candidates,
            )
    else:
        p = method_path(chosen, fit, total, level, seasonal_periods, mean_years=mean_years)
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
        raw = sample_paths(p, n_simulations, np.random.default_rng(seed))[gap:]
        paths = np.clip(point[:, None] + calibration * (raw - p.forecast[gap:, None]), 0, None)
    fc = Forecast(
        name=str(y.name),
        monthly=monthly,
        yearly=yearly(y, months, np.clip(point, 0, None), paths, level),
        actual_yearly=actual_years(y),
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

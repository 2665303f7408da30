"""Forecasts in words and rows: the statement a page shows, how a forecast moved since the last
run, and the figures.csv rows of a forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfpack.stats.forecast import BacktestResult, Forecast
from perfpack.stats.forecast_methods import FLAT_WITHIN_PCT, NUMBER_WORDS, REVISION_NOTE_PCT, ForecastError, actual_years, prepare


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
    y = prepare(series, 1)
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
        return f"The {year} forecast is the same as from the data to {since}: the months since are left out of the fit, so they do not move it."
    pct = info["pct"]
    if abs(pct) < threshold:
        return f"The {year} forecast is {_pct(pct)} {'higher' if pct > 0 else 'lower'} than from the data to {since}."
    why = []
    n = len(info["new_months"])
    if n and np.isfinite(info["data_pct"]):
        months = f"the {NUMBER_WORDS.get(n, str(n))} months since" if n > 1 else "the month since"
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


def signed_pct(pct: float) -> str:
    """``+1.2%``, ``\u22120.4%`` (the minus sign, U+2212), ``0.0%``."""
    r = round(pct, 1)
    return ("+" if r > 0 else "\u2212" if r < 0 else "") + f"{abs(r):.1f}%"


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
    y = prepare(series, 1)
    years = actual_years(y)
    if years.empty:
        raise ForecastError(
            f"series {name!r}: no complete financial year (April to March) in the history, so there is no starting point for the statement. Use a longer series."
        )
    if forecast.yearly.empty:
        raise ForecastError(f"forecast of {name!r}: no complete financial year is forecast. Forecast at least to the next 31 March.")
    base, target = years.iloc[-1], forecast.yearly.iloc[-1]
    base_total, fc_total = float(base["actual"]), float(target["forecast"])
    n_years = int(target["start"].year - base["start"].year)
    span = "Over the next year" if n_years == 1 else f"Over the next {NUMBER_WORDS.get(n_years, str(n_years))} years"
    pct = 100 * (fc_total - base_total) / base_total if base_total else np.inf
    lvl = f"{forecast.level * 100:g}%"
    interval = f"{format_forecast(target['lower'])} to {format_forecast(target['upper'])}"
    if abs(pct) < flat_within:
        return (
            f"{span} {name} are forecast to stay broadly flat (a change of {signed_pct(pct)}, within \u00b1{flat_within:g}%): "
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

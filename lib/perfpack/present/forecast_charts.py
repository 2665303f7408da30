"""Charts of the four-year demand forecasts, each with alt text written from the numbers.

The arithmetic lives in :mod:`perfpack.stats.forecast`; this module only draws. Figures are
built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they work
under the Agg backend, in parallel runs and in notebooks alike.
"""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from perfpack.stats.forecast import BacktestResult, Forecast
from perfpack.stats.forecast_methods import ForecastError, prepare
from perfpack.stats.forecast_words import demand_statement


def _month(ts: pd.Timestamp) -> str:
    return f"{pd.Timestamp(ts):%B %Y}"


def forecast_alt_text(history: pd.Series, forecast: Forecast, title: str, backtest: BacktestResult | None = None) -> str:
    """Alt text for :func:`forecast_chart`: what the chart shows and its main finding.

    Parameters
    ----------
    history : pandas.Series
        The monthly series the forecast was fitted on.
    forecast : Forecast
    title : str
        The chart title.
    backtest : BacktestResult, optional

    Returns
    -------
    str
        Three or four sentences, every number taken from the inputs.
    """
    y = prepare(history, 1)
    last = forecast.monthly["month"].iloc[-1]
    lvl = f"{forecast.level * 100:g}%"
    parts = [
        f"Line chart: {title}.",
        f"It shows the monthly count from {_month(y.index[0])} to {_month(y.index[-1])}, then a forecast "
        f"to {_month(last)} from an {forecast.model} model with its {lvl} prediction interval shaded.",
    ]
    try:
        parts.append(demand_statement(forecast.name if forecast.name != "series" else title, history, forecast))
    except ForecastError:
        # No complete financial year to start from: describe the monthly levels instead.
        fc = forecast.monthly["forecast"]
        parts.append(
            f"The last observed month was {y.iloc[-1]:,.0f}; the forecast for {_month(last)} is "
            f"{fc.iloc[-1]:,.0f} ({lvl} interval {forecast.monthly['lower'].iloc[-1]:,.0f} to "
            f"{forecast.monthly['upper'].iloc[-1]:,.0f})."
        )
    if backtest is not None:
        n = len(backtest.holdout)
        parts.append(
            f"In a back-test, the same method fitted without the last {n} months missed them by "
            f"{backtest.mape:.1f}% on average (MAPE), and {backtest.coverage:.0%} of them fell inside the interval."
        )
    return " ".join(parts)


def forecast_chart(
    history: pd.Series,
    forecast: Forecast,
    title: str,
    backtest: BacktestResult | None = None,
) -> tuple[Figure, str]:
    """Observed history, the forecast with its prediction interval, and the back-test.

    Parameters
    ----------
    history : pandas.Series
        The monthly series the forecast was fitted on.
    forecast : Forecast
        From :func:`perfpack.stats.forecast.forecast_series`.
    title : str
        The chart title.
    backtest : BacktestResult, optional
        From :func:`perfpack.stats.forecast.backtest`: its forecast of the held-out months is
        drawn dotted, and its MAPE is given in the subtitle and the legend.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, str)
        The figure and its alt text (see :func:`forecast_alt_text`).
    """
    y = prepare(history, 1)
    palette = sns.color_palette("colorblind")
    observed, predicted, checked = palette[0], palette[1], palette[7]
    lvl = f"{forecast.level * 100:g}%"

    fig = Figure(figsize=(9, 4.6), layout="constrained")
    ax = fig.subplots()
    m = forecast.monthly
    ax.fill_between(m["month"], m["lower"], m["upper"], color=predicted, alpha=0.22, linewidth=0, label=f"{lvl} prediction interval")
    ax.plot(y.index, y.to_numpy(), color=observed, linewidth=1.8, label="Observed")
    # Join the forecast to the last observation so the line has no gap.
    ax.plot([y.index[-1], *m["month"]], [y.iloc[-1], *m["forecast"]], color=predicted, linewidth=1.8, linestyle="--", label=f"Forecast ({forecast.model})")
    if backtest is not None:
        h = backtest.holdout
        ax.plot(h["month"], h["forecast"], color=checked, linewidth=1.5, linestyle=":", label=f"Back-test forecast (MAPE {backtest.mape:.1f}%)")
    ax.axvline(y.index[-1], color="#505a5f", linewidth=0.8)

    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("Per month")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    subtitle = f"Observed to {_month(y.index[-1])}, forecast to {_month(m['month'].iloc[-1])}"
    if backtest is not None:
        subtitle += f"; back-test error over the last {len(backtest.holdout)} months (MAPE) {backtest.mape:.1f}%"
    ax.set_title(subtitle, loc="left", fontsize=10, color="#505a5f")
    ax.legend(loc="lower left", frameon=False, fontsize=9, ncols=2)
    return fig, forecast_alt_text(history, forecast, title, backtest)

"""Strategic risk (FMS) section: the risk register laid out like the FMS summary, the notes
behind each rating, and four-year demand forecasts written up from the data.

What the section notebook calls, so that it stays one call per cell:

``load_assessment``      the register and its scoring model from the config folder, scored
``assessment_summary``   a sentence: when it was assessed, against what baseline, how many of each rating
``rag_table_html``       the RAG table (colour, word, arrow) and its legend
``evidence_html``        area, rating, direction and the register's note, one row per rated unit
``demand_series``        the monthly demand series the data can give, to the period end
``forecast_demand``      forecast, back-test, statement, chart, table and ``figures.csv`` rows per series
``forecast_summary_html`` every series in one table: direction, final-year forecast, back-test error
``show_forecast``        put one series' block on the page (or say why it is not available)

Series end with the last month of the reporting period (for 2020-Q4: December 2020), not
with the last complete financial year: the pack reports a period, and the months already
observed in the current financial year are counted in that year's total (``Forecast.yearly``
says how many). The FMS compares financial years, so the statements and tables do too.

The register's notes (``assessor_note``) are free text, which the pack otherwise keeps out of
exports. They are configuration text, written by analysts for publication in the FMS, not
record-level data, so this section shows them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from perfpack.measures.demand import DEMAND_BY_KEY, DEMAND_SERIES, Demand, span_words
from perfpack.periods import format_day
from perfpack.present.forecast_charts import forecast_chart
from perfpack.present.tables import fmt_count, html_table
from perfpack.stats.forecast import (
    FLAT_WITHIN_PCT,
    BacktestResult,
    Forecast,
    ForecastError,
    backtest,
    demand_statement,
    forecast_figure_rows,
    forecast_series,
    format_forecast,
)

#: Months forecast after the last observed month (four years, as in the FMS).
HORIZON_MONTHS = 48
#: Months held out at the end of each series for the back-test.
BACKTEST_MONTHS = 12
#: Coverage of the prediction intervals.
LEVEL = 0.95


# --------------------------------------------------------------------------------------
# The risk register
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Demand series
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Forecasts
# --------------------------------------------------------------------------------------


@dataclass
class DemandForecast:
    """Everything the page shows for one demand series.

    Attributes
    ----------
    key, title : str
        From :data:`DEMAND_SERIES`.
    history : pandas.Series or None
        The monthly series forecast.
    forecast : Forecast or None
    backtest : BacktestResult or None
    statement : str
        The demand statement (:func:`perfpack.stats.forecast.demand_statement`), or "".
    chart : tuple of (Figure, str) or None
        From :func:`perfpack.present.forecast_charts.forecast_chart`.
    caption : str
    table_html : str
        Financial-year totals with intervals, and the back-test.
    rows : list of dict
        ``figures.csv`` rows: one per forecast financial year, key ``forecast_<key>``, with
        ``lower``, ``upper``, ``model``, ``backtest_mape`` and ``backtest_coverage``.
    unavailable : str or None
        Why there is no forecast (words for the page); None when there is one.
    backtest_unavailable : str or None
        Why there is no back-test when there is a forecast.
    backtest_text : str
        The back-test in words (:func:`backtest_sentence`), or "".
    """

    key: str
    title: str
    history: pd.Series | None = None
    forecast: Forecast | None = None
    backtest: BacktestResult | None = None
    statement: str = ""
    chart: tuple | None = None
    caption: str = ""
    table_html: str = ""
    rows: list[dict] = field(default_factory=list)
    unavailable: str | None = None
    backtest_unavailable: str | None = None
    backtest_text: str = ""

    @property
    def mape(self) -> float | None:
        """Back-test mean absolute percentage error, in percent (None without a back-test)."""
        return None if self.backtest is None else self.backtest.mape




def backtest_sentence(bt: BacktestResult, covid_start: date | None = None) -> str:
    """The back-test in words: what was held out, the MAPE and the interval's hit rate.

    Parameters
    ----------
    bt : BacktestResult
    covid_start : date, optional
        Start of the Covid-19 restrictions (``PackConfig.covid_overall_start``); when the
        held-out months include it, the sentence says the error includes the pandemic.

    Returns
    -------
    str
    """
    h = bt.holdout
    n = len(h)
    inside = int(round(bt.coverage * n))
    before = pd.Timestamp(h["month"].iloc[0]) - pd.offsets.MonthBegin(1)
    text = (
        f"Back-test: the same method fitted to the months up to {before:%B %Y} forecast {span_words(h['month'])} "
        f"with a mean absolute percentage error (MAPE) of {bt.mape:.1f}%; {inside} of the {n} months fell inside "
        f"the {bt.level * 100:g}% prediction interval (model {bt.model})."
    )
    if covid_start is not None and pd.Timestamp(covid_start) <= pd.Timestamp(h["month"].iloc[-1]) + pd.offsets.MonthEnd(0):
        text += f" The held-out months include the Covid-19 restrictions from {format_day(covid_start)}, which a model fitted on earlier years cannot foresee: read this as a test of the method in an unusual year."
    return text


def yearly_table_html(title: str, fc: Forecast, bt: BacktestResult | None, backtest_note: str = "") -> str:
    """Financial-year totals: the last complete year observed, then each forecast year with its
    interval and how many of its months are already observed; the back-test below.

    Parameters
    ----------
    title : str
    fc : Forecast
    bt : BacktestResult, optional
    backtest_note : str
        Shown instead of the back-test line when there is no back-test.

    Returns
    -------
    str
        HTML.
    """
    lvl = f"{fc.level * 100:g}%"
    body = []
    if not fc.actual_yearly.empty:
        a = fc.actual_yearly.iloc[-1]
        body.append([f"{html.escape(a['year'])} (observed)", "12", fmt_count(a["actual"]), "–", "–"])
    for r in fc.yearly.itertuples(index=False):
        observed = str(r.months_actual)
        body.append([html.escape(r.year) + (" (part observed)" if r.months_actual else ""), observed, fmt_count(r.forecast), fmt_count(r.lower), fmt_count(r.upper)])
    table = html_table(
        ["Financial year", "Months observed", "Total", f"{lvl} interval: lower", f"{lvl} interval: upper"],
        body,
        numeric={1, 2, 3, 4},
        caption=f"{title}: totals by financial year (April to March), model {fc.model}",
    )
    if bt is not None:
        table += (
            html_table(
                ["Back-test", "Months held out", "MAPE", f"Months inside the {lvl} interval"],
                [[f"fitted without the last {len(bt.holdout)} months ({html.escape(span_words(bt.holdout['month']))})", str(len(bt.holdout)), f"{bt.mape:.1f}%", f"{int(round(bt.coverage * len(bt.holdout)))} of {len(bt.holdout)}"]],
                numeric={1, 2, 3},
            )
        )
    elif backtest_note:
        table += f'<p class="pp-unavailable"><b>Back-test:</b> {html.escape(backtest_note)}.</p>'
    return table


def forecast_one(key: str, history: pd.Series, section: str, *, covid_start: date | None = None, horizon_months: int = HORIZON_MONTHS, holdout: int = BACKTEST_MONTHS, level: float = LEVEL) -> DemandForecast:
    """Forecast one demand series and write up everything the page shows for it.

    Parameters
    ----------
    key : str
        A key of :data:`DEMAND_SERIES` (e.g. ``"calls_999"``).
    history : pandas.Series
        Its monthly series (from :func:`demand_series`).
    section : str
        The section id, for the ``figures.csv`` rows.
    covid_start : date, optional
        See :func:`backtest_sentence`.
    horizon_months, holdout : int
        Months forecast (48 = four years) and months held out in the back-test (12).
    level : float
        Coverage of the prediction intervals (0.95).

    Returns
    -------
    DemandForecast
        With ``unavailable`` set (and nothing else) when the series cannot be forecast,
        e.g. too few months; with ``backtest_unavailable`` set when only the back-test fails
        (too short, or a held-out month is zero).
    """

    d = DEMAND_BY_KEY[key]
    out = DemandForecast(key=key, title=d.title, history=history)
    history = history.rename(d.noun)
    try:
        fc = forecast_series(history, horizon_months=horizon_months, level=level)
    except ForecastError as exc:
        out.unavailable = f"cannot be forecast from these data: {exc}"
        return out
    out.forecast = fc
    try:
        out.backtest = backtest(history, holdout=holdout, level=level)
    except ForecastError as exc:
        out.backtest_unavailable = f"not possible on these data: {exc}"
    else:
        out.backtest_text = backtest_sentence(out.backtest, covid_start)
    try:
        out.statement = demand_statement(d.noun, history, fc)
    except ForecastError as exc:
        out.statement = f"No statement for {d.noun}: {exc}"
    out.chart = forecast_chart(history, fc, d.title, out.backtest)
    lvl = f"{level * 100:g}%"
    out.caption = (
        f"{d.title} per month, observed {history.index[0]:%B %Y} to {history.index[-1]:%B %Y}, and the forecast to "
        f"{fc.monthly['month'].iloc[-1]:%B %Y} (dashed) with its {lvl} prediction interval (shaded)."
        + (f" Dotted: the back-test forecast of the last {holdout} months, from the data before them." if out.backtest is not None else "")
    )
    out.table_html = yearly_table_html(d.title, fc, out.backtest, out.backtest_unavailable or "")
    rows = forecast_figure_rows(key, fc, section, label=d.title)
    for r in rows:
        r["model"] = fc.model
        r["backtest_mape"] = None if out.backtest is None else round(out.backtest.mape, 1)
        r["backtest_coverage"] = None if out.backtest is None else round(out.backtest.coverage, 3)
    out.rows = rows
    return out


def forecast_demand(demand: Demand, section: str, *, covid_start: date | None = None, **kwargs) -> dict[str, DemandForecast]:
    """Forecast every demand series; a series the source cannot give is kept with its reason.

    Parameters
    ----------
    demand : Demand
        From :func:`demand_series`.
    section : str
        The section id.
    covid_start : date, optional
        See :func:`backtest_sentence`.
    **kwargs
        Passed to :func:`forecast_one` (``horizon_months``, ``holdout``, ``level``).

    Returns
    -------
    dict
        Key -> :class:`DemandForecast`, for every key of :data:`DEMAND_SERIES`, in page order.
    """
    out: dict[str, DemandForecast] = {}
    for d in DEMAND_SERIES:
        if d.key in demand.series:
            out[d.key] = forecast_one(d.key, demand.series[d.key], section, covid_start=covid_start, **kwargs)
        else:
            out[d.key] = DemandForecast(key=d.key, title=d.title, unavailable=demand.unavailable.get(d.key, "not available from this source"))
    return out


def direction(fc: Forecast, flat_within: float = FLAT_WITHIN_PCT) -> dict:
    """The change the demand statement describes, as numbers and a word.

    The last complete financial year observed against the last financial year forecast, as in
    :func:`perfpack.stats.forecast.demand_statement`.

    Parameters
    ----------
    fc : Forecast
    flat_within : float
        Percent change below which demand is "broadly flat".

    Returns
    -------
    dict
        ``base_year``, ``base``, ``year``, ``forecast``, ``lower``, ``upper``, ``pct`` and
        ``word`` ("rising", "falling" or "broadly flat"), ``certain`` (False when the final
        year's interval includes the base year's level); empty when there is no complete
        year on either side.
    """
    if fc.actual_yearly.empty or fc.yearly.empty:
        return {}
    base, target = fc.actual_yearly.iloc[-1], fc.yearly.iloc[-1]
    b, f = float(base["actual"]), float(target["forecast"])
    pct = 100 * (f - b) / b if b else float("inf")
    word = "broadly flat" if abs(pct) < flat_within else ("rising" if pct > 0 else "falling")
    return {
        "base_year": base["year"],
        "base": b,
        "year": target["year"],
        "forecast": f,
        "lower": float(target["lower"]),
        "upper": float(target["upper"]),
        "pct": pct,
        "word": word,
        "certain": not (target["lower"] <= b <= target["upper"]),
    }


def forecast_summary_html(forecasts: dict[str, DemandForecast]) -> str:
    """Every demand series in one table: the last complete year, the final forecast year with
    its interval, the direction in words and the back-test error.

    Parameters
    ----------
    forecasts : dict
        From :func:`forecast_demand`.

    Returns
    -------
    str
        HTML.
    """
    body = []
    for f in forecasts.values():
        if f.forecast is None:
            body.append([html.escape(f.title)] + ['<span class="pp-na">not available</span>'] + ["–"] * 4)
            continue
        d = direction(f.forecast)
        if not d:
            body.append([html.escape(f.title), "–", "–", "–", "–", "–" if f.mape is None else f"{f.mape:.1f}%"])
            continue
        move = d["word"] if d["word"] == "broadly flat" else f"{d['word']} {abs(d['pct']):.0f}%"
        if not d["certain"] and d["word"] != "broadly flat":
            move += " (interval includes the starting level)"
        body.append(
            [
                html.escape(f.title),
                f"{fmt_count(d['base'])} in {html.escape(d['base_year'])}",
                f"{format_forecast(d['forecast'])} in {html.escape(d['year'])}",
                f"{format_forecast(d['lower'])} to {format_forecast(d['upper'])}",
                html.escape(move),
                "–" if f.mape is None else f"{f.mape:.1f}%",
            ]
        )
    lvl = next((f"{f.forecast.level * 100:g}%" for f in forecasts.values() if f.forecast is not None), "95%")
    return html_table(
        ["Series", "Last complete year observed", "Final forecast year", f"{lvl} prediction interval", "Direction", "Back-test MAPE"],
        body,
        numeric={1, 2, 3, 5},
        caption="Demand forecasts at a glance",
    )


def show_forecast(section, forecasts: dict[str, DemandForecast], key: str) -> None:
    """Put one series on the page: the statement, the chart, the yearly table and the
    back-test; record its ``figures.csv`` rows. A series the source cannot give is shown as
    not available, and nothing is recorded.

    Parameters
    ----------
    section : perfpack.pages.section.Section
    forecasts : dict
        From :func:`forecast_demand`.
    key : str
        A key of :data:`DEMAND_SERIES`.

    Returns nothing, so that the notebook cell shows only the page content.
    """
    f = forecasts[key]
    if f.forecast is None:
        section.unavailable(f"{f.title} forecast", (f.unavailable or "not available from this source").rstrip(". "))
        return
    section.say(f.statement)
    section.chart(f.chart, caption=f.caption)
    section.show(f.table_html)
    if f.backtest is not None:
        section.say(f.backtest_text)
    section.rows.extend(f.rows)

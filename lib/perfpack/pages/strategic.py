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
from perfpack.stats.forecast import BacktestResult, Forecast
from perfpack.stats.forecast_methods import FLAT_WITHIN_PCT, MIN_MONTHS, SEASONAL_NAIVE, ForecastError
from perfpack.stats.forecast_selection import forecast_selected
from perfpack.stats.forecast_words import compare_runs, demand_statement, forecast_figure_rows, format_forecast, revision_sentence

#: Months forecast after the last observed month (four years, as in the FMS).
HORIZON_MONTHS = 48
#: Months held out at the end of each series for the back-test.
BACKTEST_MONTHS = 12
#: Coverage of the prediction intervals.
LEVEL = 0.95
#: Last day of the Covid-19 restrictions the forecasts leave out (with the month of
#: ``covid.overall.start``, 16 March 2020): 19 July 2021, step 4 of the roadmap in England,
#: when most legal restrictions ended. Every month from March 2020 to July 2021 is left out of
#: the fit; in the demo data (to March 2021) that is every month from March 2020 on.
COVID_RESTRICTIONS_END = date(2021, 7, 19)
#: Months between one quarter's run and the one before, for the note on how a forecast moved.
PREVIOUS_RUN_MONTHS = 3


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
        The demand statement (:func:`perfpack.stats.forecast_words.demand_statement`), or "".
    chart : tuple of (Figure, str) or None
        From :func:`perfpack.present.forecast_charts.forecast_chart`.
    caption : str
    table_html : str
        Financial-year totals with intervals, and the back-test.
    rows : list of dict
        ``figures.csv`` rows: one per forecast financial year, key ``forecast_<key>``, with
        ``lower``, ``upper``, ``model``, ``backtest_mape``, ``baseline_mape`` and
        ``backtest_coverage`` (:func:`perfpack.stats.forecast_words.forecast_figure_rows`).
    unavailable : str or None
        Why there is no forecast (words for the page); None when there is one.
    backtest_unavailable : str or None
        Why there is no back-test when there is a forecast.
    backtest_text : str
        The back-test in words (:func:`backtest_sentence`), or "".
    revision : dict
        How the final year's forecast moved from the run with the data to three months
        earlier (:func:`perfpack.stats.forecast.compare_runs`); empty when there is no such run.
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
    revision: dict = field(default_factory=dict)

    @property
    def mape(self) -> float | None:
        """Back-test mean absolute percentage error, in percent (None without a back-test)."""
        return None if self.backtest is None else self.backtest.mape


def _mape_words(bt: BacktestResult) -> str:
    parts = [f"{r.method} {r.mape:.1f}%" for r in bt.scores.itertuples(index=False) if pd.notna(r.mape)]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def backtest_sentence(bt: BacktestResult, covid_start: date | None = None, excluded: tuple | None = None) -> str:
    """The back-test in words: the origins, each method's MAPE, the method used and its
    interval's hit rate.

    Parameters
    ----------
    bt : BacktestResult
        From :func:`perfpack.stats.forecast_selection.rolling_backtest` (or the single hold-out
        :func:`perfpack.stats.forecast.backtest`).
    covid_start : date, optional
        Start of the Covid-19 restrictions (``PackConfig.covid_overall_start``); when the
        held-out months include it and nothing was left out of the fit, the sentence says the
        error includes the pandemic.
    excluded : tuple of (Timestamp, Timestamp), optional
        First and last month left out of the fit (``Forecast.excluded``): the sentence says
        they are not scored.

    Returns
    -------
    str
    """
    h = bt.holdout
    lvl = f"{bt.level * 100:g}%"
    if bt.scores is None:
        n = len(h)
        inside = int(round(bt.coverage * n))
        before = pd.Timestamp(h["month"].iloc[0]) - pd.offsets.MonthBegin(1)
        text = (
            f"Back-test: the same method fitted to the months up to {before:%B %Y} forecast {span_words(h['month'])} "
            f"with a mean absolute percentage error (MAPE) of {bt.mape:.1f}%; {inside} of the {n} months fell inside "
            f"the {lvl} prediction interval (model {bt.model})."
        )
        last = pd.Timestamp(h["month"].iloc[-1])
    else:
        first, final = pd.Timestamp(bt.origins[0]), pd.Timestamp(bt.origins[-1])
        k = len(bt.origins)
        if k > 1:
            gap = ((final.year - first.year) * 12 + final.month - first.month) // (k - 1)
            when = f"at {k} points {gap} months apart, from {first:%B %Y} to {final:%B %Y}"
        else:
            when = f"from {first:%B %Y}"
        inside = int(round(bt.coverage * bt.months))
        text = (
            f"Back-test: {when}, each method was fitted to the months before and forecast the next {bt.holdout_months}. "
            f"Mean absolute percentage error (MAPE) over the {bt.months} month-forecasts: {_mape_words(bt)}. "
            f"The forecast uses the method with the lowest, {bt.method}; "
            f"{inside} of its {bt.months} back-test months fell inside its {lvl} interval"
            + (
                f": the model's own interval widened {bt.calibration:.2f} times to allow for how far its forecasts missed (each origin scored with the widening worked out on the others)."
                if bt.calibration > 1
                else " (the model's own interval: its misses called for no widening)."
            )
        )
        last = pd.Timestamp(h["month"].iloc[-1])
    if excluded is not None:
        text += f" The months from {excluded[0]:%B %Y} to {excluded[1]:%B %Y} (the Covid-19 period) are left out of the fit and not scored."
    elif covid_start is not None and pd.Timestamp(covid_start) <= last + pd.offsets.MonthEnd(0):
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
        With a rolling back-test, every method's MAPE (the one used in bold).
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
        body.append(
            [html.escape(r.year) + (" (part observed)" if r.months_actual else ""), observed, fmt_count(r.forecast), fmt_count(r.lower), fmt_count(r.upper)]
        )
    table = html_table(
        ["Financial year", "Months observed", "Total", f"{lvl} interval: lower", f"{lvl} interval: upper"],
        body,
        numeric={1, 2, 3, 4},
        caption=f"{title}: totals by financial year (April to March), model {fc.model}",
    )
    if bt is not None and bt.scores is not None:
        sc = bt.scores.set_index("method")
        methods = list(sc.index)
        cells = [f"{len(bt.origins)} origins, {html.escape(span_words(pd.Series(bt.origins)))}, {bt.holdout_months} months each", str(bt.months)]
        cells += [
            (f"<b>{sc.loc[m, 'mape']:.1f}%</b>" if m == bt.method else f"{sc.loc[m, 'mape']:.1f}%") if pd.notna(sc.loc[m, "mape"]) else "–" for m in methods
        ]
        cells += [html.escape(bt.method), f"{int(round(bt.coverage * bt.months))} of {bt.months}"]
        table += html_table(
            ["Back-test", "Month-forecasts", *[f"MAPE: {html.escape(m)}" for m in methods], "Method used (lowest MAPE)", f"Months inside the {lvl} interval"],
            [cells],
            numeric=set(range(1, 2 + len(methods))) | {3 + len(methods)},
        )
    elif bt is not None:
        table += html_table(
            ["Back-test", "Months held out", "MAPE", f"Months inside the {lvl} interval"],
            [
                [
                    f"fitted without the last {len(bt.holdout)} months ({html.escape(span_words(bt.holdout['month']))})",
                    str(len(bt.holdout)),
                    f"{bt.mape:.1f}%",
                    f"{int(round(bt.coverage * len(bt.holdout)))} of {len(bt.holdout)}",
                ]
            ],
            numeric={1, 2, 3},
        )
    elif backtest_note:
        table += f'<p class="pp-unavailable"><b>Back-test:</b> {html.escape(backtest_note)}.</p>'
    return table


def covid_exclusion(covid_start: date | None, covid_end: date | None = None) -> tuple | None:
    """The months the forecasts leave out: from the month of ``covid_start`` to the month of
    ``covid_end`` (by default :data:`COVID_RESTRICTIONS_END`), or None without a start."""
    if covid_start is None:
        return None
    end = covid_end or COVID_RESTRICTIONS_END
    return (pd.Timestamp(covid_start).to_period("M").to_timestamp(), pd.Timestamp(end).to_period("M").to_timestamp())


def _revision(history: pd.Series, fc: Forecast, exclude: tuple | None, horizon_months: int, level: float, holdout: int) -> dict:
    """How the final year's forecast moved from the run with the data to a quarter earlier."""
    earlier = history.iloc[:-PREVIOUS_RUN_MONTHS]
    if len(earlier) < MIN_MONTHS:
        return {}
    # Both runs end inside excluded months that run to the end of the data: both are fitted
    # on the months before them, so the forecast is the same and nothing is recomputed.
    last = fc.monthly["month"].iloc[0] - pd.offsets.MonthBegin(1)
    earlier_end = last - pd.offsets.MonthBegin(PREVIOUS_RUN_MONTHS)
    same = fc.excluded is not None and fc.fit_end < fc.excluded[0] and earlier_end >= fc.excluded[0]
    if same:
        if fc.yearly.empty:
            return {}
        final = fc.yearly.iloc[-1]
        return {
            "year": final["year"],
            "current": float(final["forecast"]),
            "previous": float(final["forecast"]),
            "pct": 0.0,
            "previous_end": earlier_end,
            "new_months": list(pd.date_range(earlier_end + pd.offsets.MonthBegin(1), last, freq="MS")),
            "new_actual": float(history.iloc[len(earlier) :].sum()),
            "new_expected": float("nan"),
            "data_pct": float("nan"),
            "same_fit": True,
            "method": fc.model,
            "previous_method": fc.model,
        }
    try:
        before, _ = forecast_selected(earlier, horizon_months=horizon_months, level=level, exclude=exclude, holdout=holdout, n_simulations=0)
    except ForecastError:
        return {}
    return compare_runs(fc, before, history)


def forecast_one(
    key: str,
    history: pd.Series,
    section: str,
    *,
    covid_start: date | None = None,
    covid_end: date | None = None,
    horizon_months: int = HORIZON_MONTHS,
    holdout: int = BACKTEST_MONTHS,
    level: float = LEVEL,
    compare: bool = True,
) -> DemandForecast:
    """Forecast one demand series and write up everything the page shows for it.

    The method is the one that wins the rolling-origin back-test against seasonal naive and
    the mean of past years (:func:`perfpack.stats.forecast_selection.forecast_selected`); the Covid-19 months
    are left out of the fit.

    Parameters
    ----------
    key : str
        A key of :data:`DEMAND_SERIES` (e.g. ``"calls_999"``).
    history : pandas.Series
        Its monthly series (from :func:`demand_series`).
    section : str
        The section id, for the ``figures.csv`` rows.
    covid_start : date, optional
        Start of the Covid-19 restrictions (``PackConfig.covid_overall_start``). When given,
        the months from its month to ``covid_end``'s are left out of the fit and the
        back-test (:func:`covid_exclusion`).
    covid_end : date, optional
        Last day of the restrictions to leave out (default :data:`COVID_RESTRICTIONS_END`).
    horizon_months, holdout : int
        Months forecast (48 = four years) and months forecast at each back-test origin (12).
    level : float
        Coverage of the prediction intervals (0.95).
    compare : bool, default True
        Also say how the final year's forecast moved from the run with the data to three
        months earlier (the previous quarter's pack), and why when it moved 15% or more.

    Returns
    -------
    DemandForecast
        With ``unavailable`` set (and nothing else) when the series cannot be forecast,
        e.g. too few months; with ``backtest_unavailable`` set when only the back-test is not
        possible (fewer than 36 months to fit).
    """
    d = DEMAND_BY_KEY[key]
    out = DemandForecast(key=key, title=d.title, history=history)
    history = history.rename(d.noun)
    exclude = covid_exclusion(covid_start, covid_end)
    try:
        fc, bt = forecast_selected(history, horizon_months=horizon_months, level=level, exclude=exclude, holdout=holdout)
    except ForecastError as exc:
        out.unavailable = f"cannot be forecast from these data: {exc}"
        return out
    out.forecast = fc
    out.backtest = bt
    fitted = len(pd.date_range(history.index[0], fc.fit_end, freq="MS"))
    if bt is None:
        out.backtest_unavailable = (
            f"not possible on these data: {fitted} months to fit the methods on; a back-test needs at least "
            f"{MIN_MONTHS + holdout} ({MIN_MONTHS} to fit and {holdout} to score), so the forecast uses {fc.model} untested"
        )
    else:
        out.backtest_text = backtest_sentence(bt, covid_start, fc.excluded)
    try:
        statement = demand_statement(d.noun, history, fc)
    except ForecastError as exc:
        statement = f"No statement for {d.noun}: {exc}"
    if fc.excluded is not None:
        a, b = fc.excluded
        if fc.fit_end < a:
            statement += (
                f" The forecast leaves out the months from {a:%B %Y} to {b:%B %Y} (the Covid-19 period): it is what the "
                f"pattern up to {fc.fit_end:%B %Y} implies, so it assumes demand returns to that pattern."
            )
        else:
            statement += f" The months from {a:%B %Y} to {b:%B %Y} (the Covid-19 period) are replaced in the fit by the forecast from the months before them."
    if compare:
        out.revision = _revision(history, fc, exclude, horizon_months, level, holdout)
        if out.revision:
            statement += " " + revision_sentence(out.revision)
    out.statement = statement
    out.chart = forecast_chart(history, fc, d.title, bt)
    lvl = f"{level * 100:g}%"
    out.caption = (
        f"{d.title} per month, observed {history.index[0]:%B %Y} to {history.index[-1]:%B %Y}, and the forecast to "
        f"{fc.monthly['month'].iloc[-1]:%B %Y} (dashed, {fc.model}) with its {lvl} prediction interval (shaded)."
        + (f" The months from {fc.excluded[0]:%B %Y} to {fc.excluded[1]:%B %Y} are shown but left out of the fit." if fc.excluded is not None else "")
        + (f" Dotted: the back-test forecast of {span_words(bt.holdout['month'])}, from the months before them." if bt is not None else "")
    )
    out.table_html = yearly_table_html(d.title, fc, bt, out.backtest_unavailable or "")
    out.rows = forecast_figure_rows(key, fc, section, label=d.title, backtest=bt)
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
        See :func:`forecast_one`: the Covid-19 months from this date are left out of the fit.
    **kwargs
        Passed to :func:`forecast_one` (``covid_end``, ``horizon_months``, ``holdout``,
        ``level``, ``compare``).

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
    :func:`perfpack.stats.forecast_words.demand_statement`.

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
    its interval, the direction in words, the method used with its back-test error and seasonal
    naive's error on the same back-test.

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
            body.append([html.escape(f.title)] + ['<span class="pp-na">not available</span>'] + ["–"] * 5)
            continue
        bt = f.backtest
        method = html.escape(f.forecast.model) + ("" if bt is None else f" ({bt.mape:.1f}%)")
        baseline = "–" if bt is None or bt.baseline_mape is None else f"{bt.baseline_mape:.1f}%"
        d = direction(f.forecast)
        if not d:
            body.append([html.escape(f.title), "–", "–", "–", "–", method, baseline])
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
                method,
                baseline,
            ]
        )
    lvl = next((f"{f.forecast.level * 100:g}%" for f in forecasts.values() if f.forecast is not None), "95%")
    return html_table(
        [
            "Series",
            "Last complete year observed",
            "Final forecast year",
            f"{lvl} prediction interval",
            "Direction",
            "Method (back-test MAPE)",
            f"Back-test MAPE of {SEASONAL_NAIVE}",
        ],
        body,
        numeric={1, 2, 3, 6},
        caption="Demand forecasts at a glance: each series uses the method with the lowest error in a rolling back-test",
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

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
from pathlib import Path

import pandas as pd

from perfpack.measures import risk
from perfpack.measures.counts import all_crime, rows_where
from perfpack.periods import Period, add_months, format_day, month_end
from perfpack.present.forecast_charts import forecast_chart
from perfpack.present.tables import fmt_count, html_table
from perfpack.sources.coverage import month_words
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

#: Bold, centred text; the colours come from ``rag.colours`` in ``config/risk.yaml``.
_CELL = "background-color:{background};color:{text};font-weight:700;text-align:center"
_LEFT = "text-align:left;vertical-align:top"
_DIRECTION_WORDS = {"increased": "risk increased", "same": "risk the same", "reduced": "risk reduced"}


@dataclass(frozen=True)
class DemandDefinition:
    """One demand series: its ``figures.csv`` key, the title of its chart and sub-heading, and
    the plural noun phrase the statements use ("999 calls are forecast to rise ...")."""

    key: str
    title: str
    noun: str
    table: str


#: The series forecast, in page order. Incidents attended by grade let the FMS statement
#: "fewer incidents attended, but more grade 1 and 2 incidents" be checked; the two grade
#: groups add up to the total (the total is forecast on its own, so forecasts need not add up).
DEMAND_SERIES: tuple[DemandDefinition, ...] = (
    DemandDefinition("incidents_attended", "Incidents attended (all grades)", "incidents attended", "incidents"),
    DemandDefinition("incidents_attended_grade_1_2", "Grade 1 and 2 incidents attended", "grade 1 and 2 incidents attended", "incidents"),
    DemandDefinition("incidents_attended_grade_3_4", "Grade 3 and 4 incidents attended", "grade 3 and 4 incidents attended", "incidents"),
    DemandDefinition("calls_999", "999 calls", "999 calls", "calls"),
    DemandDefinition("recorded_crime", "Recorded crime", "recorded crimes", "crimes"),
)
_BY_KEY = {d.key: d for d in DEMAND_SERIES}


# --------------------------------------------------------------------------------------
# The risk register
# --------------------------------------------------------------------------------------


def load_assessment(config_dir: str | Path) -> tuple[risk.RiskConfig, pd.DataFrame]:
    """The scoring model and the scored register from the configuration folder.

    Parameters
    ----------
    config_dir : str or pathlib.Path
        The folder holding ``pack.yaml``, ``risk.yaml`` and ``risk_register.csv``
        (``Path(config_path).parent``).

    Returns
    -------
    tuple of (RiskConfig, pandas.DataFrame)
        The configuration and ``risk.score(risk.load_register(...))``: one row per rated area
        or sub-area in FMS order, with ``rag``, ``direction``, ``arrow`` and the scores.

    Raises
    ------
    RiskConfigError, RiskRegisterError
        When either file is missing or fails its checks (the message names file, line and column).
    """
    config_dir = Path(config_dir)
    config = risk.load_config(config_dir / "risk.yaml")
    register = risk.load_register(config_dir / "risk_register.csv", config)
    return config, risk.score(register, config)


def _dates(values: pd.Series) -> str:
    days = sorted({pd.Timestamp(v).date() for v in values})
    if len(days) == 1:
        return format_day(days[0])
    return f"between {format_day(days[0])} and {format_day(days[-1])}"


def assessment_summary(scored: pd.DataFrame, config: risk.RiskConfig, period: Period | None = None) -> str:
    """What the assessment is, when it was made, against what, and how the ratings fall.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.
    config : RiskConfig
    period : Period, optional
        The reporting period; when the assessment post-dates its end, the sentence says so.

    Returns
    -------
    str
        e.g. "The register rates 42 areas and sub-areas, assessed on 30 Oct 2020 against the
        pre-Covid-19 assessment of 28 Feb 2020: 9 Red, 25 Amber and 8 Green; against the
        baseline, risk increased in 20, stayed the same in 21 and reduced in 1."
    """
    n = len(scored)
    rag = scored["rag"].value_counts()
    direction = scored["direction"].value_counts()
    text = (
        f"The register rates {n} areas and sub-areas, assessed on {_dates(scored['assessed_on'])} against "
        f"{config.baseline_label} of {_dates(scored['baseline_on'])}: "
        f"{int(rag.get('Red', 0))} Red, {int(rag.get('Amber', 0))} Amber and {int(rag.get('Green', 0))} Green. "
        f"Against the baseline, risk increased in {int(direction.get('increased', 0))}, stayed the same in "
        f"{int(direction.get('same', 0))} and reduced in {int(direction.get('reduced', 0))}."
    )
    if period is not None:
        latest = pd.Timestamp(scored["assessed_on"].max()).date()
        if latest > period.end:
            text += f" The assessment was made after the end of the period ({format_day(period.end)}); it is the latest in the register."
    return text


def legend_html(config: risk.RiskConfig) -> str:
    """The key to the RAG table, laid out like the FMS's: each rating with its colour, word
    and score band, and each arrow with its meaning against the baseline.

    Parameters
    ----------
    config : RiskConfig

    Returns
    -------
    str
        An HTML table.
    """
    bands = {
        "Red": f"score {config.red_from:g} or more",
        "Amber": f"score {config.amber_from:g} to under {config.red_from:g}",
        "Green": f"score under {config.amber_from:g}",
    }
    rows = []
    for level in risk.RAG_LEVELS:
        style = _CELL.format(**config.colours[level])
        rows.append(f'<tr><td style="{style}">{level}</td><td style="{_LEFT}">{html.escape(bands[level])}</td></tr>')
    for direction, arrow in risk.ARROWS.items():
        meaning = _DIRECTION_WORDS[direction].capitalize()
        if direction == "same":
            meaning += f" (score within {config.same_within:g} points)"
        rows.append(f'<tr><td style="text-align:center;font-size:1.2em">{arrow}</td><td style="{_LEFT}">{html.escape(meaning)}</td></tr>')
    caption = f"Key: ratings, and the comparison with {config.baseline_label}"
    return f'<table class="pp-table"><caption>{html.escape(caption)}</caption><thead><tr><th style="{_LEFT}">Symbol</th><th style="{_LEFT}">Meaning</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'


def rag_table_html(scored: pd.DataFrame, config: risk.RiskConfig) -> str:
    """The strategic risk assessment summary table, with its key.

    Each area, then its sub-areas, as in the FMS; each rated row has its rating as a
    coloured word (Red, Amber, Green), its arrow and direction against the baseline, and
    the scores behind them. The legend is the table's caption and a key table beside it.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.
    config : RiskConfig

    Returns
    -------
    str
        HTML.
    """
    table = risk.risk_table(scored, config)
    styler = risk.style_risk_table(table, config, caption="Strategic risk assessment summary: overall risk and the impact of Covid-19")
    # Notebook and export styles right-align every cell; names read left, scores right.
    text = [c for c in ("Ref", "Area or sub-area", "Against baseline") if c in styler.data.columns]
    numbers = [c for c in ("Score", "Baseline score") if c in styler.data.columns]
    styler = styler.set_properties(subset=text, **{"text-align": "left"}).set_properties(subset=numbers, **{"text-align": "right"})
    return styler.to_html() + legend_html(config)


def evidence_table(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per rated area or sub-area: reference, area, sub-area, rating, direction and note.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.

    Returns
    -------
    pandas.DataFrame
        Columns ``ref``, ``area``, ``sub_area`` (empty for an area rated itself), ``rating``
        (the word), ``direction`` (arrow and words, e.g. "▲ risk increased"), ``note``.
    """
    return pd.DataFrame(
        {
            "ref": scored["ref"].astype(str).to_numpy(),
            "area": scored["area"].to_numpy(),
            "sub_area": scored["sub_area"].fillna("").to_numpy(),
            "rating": scored["rag"].to_numpy(),
            "direction": [f"{a} {_DIRECTION_WORDS[d]}" for a, d in zip(scored["arrow"], scored["direction"])],
            "note": scored["assessor_note"].astype(str).to_numpy(),
        }
    )


def evidence_html(scored: pd.DataFrame, config: risk.RiskConfig) -> str:
    """The evidence table as HTML: every cell escaped, ratings coloured and written as words.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.
    config : RiskConfig

    Returns
    -------
    str
    """
    t = evidence_table(scored)
    rows = []
    for r in t.itertuples(index=False):
        style = _CELL.format(**config.colours[r.rating]) if r.rating in config.colours else ""
        rows.append(
            "<tr>"
            f'<td style="{_LEFT}">{html.escape(r.ref)}</td><td style="{_LEFT}">{html.escape(r.area)}</td><td style="{_LEFT}">{html.escape(r.sub_area)}</td>'
            f'<td style="{style};vertical-align:top">{html.escape(r.rating)}</td><td style="{_LEFT};white-space:nowrap">{html.escape(r.direction)}</td>'
            f'<td style="{_LEFT}">{html.escape(r.note)}</td></tr>'
        )
    head = "".join(f'<th style="{_LEFT}">{h}</th>' for h in ("Ref", "Area", "Sub-area", "Rating", "Against baseline", "Evidence (the register's note)"))
    cap = f"The evidence behind each rating, as recorded in the risk register ({len(t)} rows)"
    return f'<table class="pp-table"><caption>{html.escape(cap)}</caption><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


# --------------------------------------------------------------------------------------
# Demand series
# --------------------------------------------------------------------------------------


@dataclass
class Demand:
    """The monthly demand series a dataset can give for a period.

    Attributes
    ----------
    series : dict
        Key (see :data:`DEMAND_SERIES`) -> monthly counts indexed by month start, named by
        the series' noun phrase; only the series the data can give.
    unavailable : dict
        Key -> why the series cannot be built from this source (words for the page).
    notes : list of str
        Where a series is shorter than asked (data ending before the period end).
    """

    series: dict[str, pd.Series] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _month_range(first: date, last: date, period_end: date) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Whole months covered by the data, ending no later than the period's last month.

    A first month is used only from its first day, a last month only to its last day,
    so that a partly covered month never looks like a fall in demand.
    """
    start = pd.Timestamp(first if first.day == 1 else add_months(first, 1))
    stop_day = min(last, period_end)
    end = pd.Timestamp(stop_day.replace(day=1)) if stop_day == month_end(stop_day) else pd.Timestamp(add_months(stop_day, -1))
    return (start, end) if end >= start else None


def _monthly(dates: pd.Series, weights: pd.Series, start: pd.Timestamp, end: pd.Timestamp, name: str) -> pd.Series:
    months = pd.date_range(start, end, freq="MS")
    d = pd.to_datetime(dates)
    keep = (d >= start) & (d < end + pd.offsets.MonthBegin(1))
    s = weights[keep].groupby(d[keep].dt.to_period("M").dt.to_timestamp()).sum()
    s = s.reindex(months, fill_value=0).astype("int64")
    s.index.name = "month"
    s.name = name
    return s


def _table_reason(ds, table: str) -> str | None:
    """Why a table cannot give a monthly series, or None when it can."""
    if not ds.has(table):
        return ds.why_not(table)
    if ds.granularity.get(table) == "quarter":
        return ds.unavailable.get("monthly", "not available from this source: counts are by quarter, not by month")
    if ds.coverage(table) is None:
        return f"not available from this source: the {table} table is empty"
    return None


def demand_series(ds, period: Period | str) -> Demand:
    """The monthly demand series the data can give, from the first whole month of data to the
    last month of the period.

    Parameters
    ----------
    ds : Dataset
        The section's data (``Section.data``).
    period : Period or str
        The reporting period; months after its end are never used.

    Returns
    -------
    Demand
        ``series`` holds, where the source has them: ``incidents_attended`` (incidents with
        ``attended`` true, all grades), ``incidents_attended_grade_1_2`` and
        ``incidents_attended_grade_3_4`` (the same by ``grade``), ``calls_999`` (``calls`` on
        channel ``999``), ``recorded_crime`` (crimes in all crime, by ``recorded_date``,
        weighted by ``count``). ``unavailable`` says why any other is missing.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    out = Demand()

    def _add(key: str, dates: pd.Series, weights: pd.Series, table: str) -> None:
        first, last = ds.coverage(table)
        rng = _month_range(first, last, period.end)
        d = _BY_KEY[key]
        if rng is None:
            out.unavailable[key] = f"no whole month of {table} data up to {format_day(period.end)}"
            return
        cov = ds.coverage_of(table)
        gaps = [pd.Timestamp(g) for g in (cov.gaps if cov else ()) if rng[0] <= pd.Timestamp(g) <= rng[1]]
        if gaps:  # a forecast needs an unbroken series: the months after the last gap
            start = gaps[-1] + pd.offsets.MonthBegin(1)
            out.notes.append(f"{d.title}: the data have no {table} for {month_words([g.date() for g in gaps])}, so the series starts after, in {start:%B %Y} (a month without data is never a month of zero demand).")
            if start > rng[1]:
                out.unavailable[key] = f"no whole month of {table} data after {gaps[-1]:%B %Y}, the last month without data"
                return
            rng = (start, rng[1])
        out.series[key] = _monthly(dates, weights, rng[0], rng[1], d.noun)
        if rng[1] < pd.Timestamp(period.end.replace(day=1)):
            out.notes.append(f"{d.title}: the data end on {format_day(last)}, so the series ends with {rng[1]:%B %Y}, before the end of the period.")

    # Incidents attended, by grade.
    reason = _table_reason(ds, "incidents")
    if reason is None:
        for col in ("grade", "attended"):
            inc = ds.tables["incidents"]
            if col in ds.unavailable or col not in inc or inc[col].isna().all():
                reason = ds.unavailable.get(col, f"not available from this source: incidents carry no {col}")
                break
    if reason is None:
        inc = ds.tables["incidents"]
        attended = rows_where(inc, inc["attended"].fillna(False).astype(bool), ("opened_at", "grade"))
        grade = pd.to_numeric(attended["grade"], errors="coerce")
        one = pd.Series(1, index=attended.index)
        _add("incidents_attended", attended["opened_at"], one, "incidents")
        _add("incidents_attended_grade_1_2", attended["opened_at"], one.where(grade.isin([1, 2]), 0), "incidents")
        _add("incidents_attended_grade_3_4", attended["opened_at"], one.where(grade.isin([3, 4]), 0), "incidents")
    else:
        for key in ("incidents_attended", "incidents_attended_grade_1_2", "incidents_attended_grade_3_4"):
            out.unavailable[key] = reason

    # 999 calls.
    reason = _table_reason(ds, "calls")
    if reason is None:
        calls = ds.tables["calls"]
        c999 = calls[calls["channel"].astype(str) == "999"]
        _add("calls_999", c999["date"], pd.to_numeric(c999["calls"]).astype("int64"), "calls")
    else:
        out.unavailable["calls_999"] = reason

    # Recorded crime.
    reason = _table_reason(ds, "crimes")
    if reason is None:
        crimes = ds.tables["crimes"]
        crime = all_crime(crimes[[c for c in ("recorded_date", "count", "in_all_crime") if c in crimes]])
        weights = crime["count"] if "count" in crime else pd.Series(1, index=crime.index)
        _add("recorded_crime", crime["recorded_date"], weights.astype("int64"), "crimes")
    else:
        out.unavailable["recorded_crime"] = reason

    # Page order.
    out.series = {k: out.series[k] for k in _BY_KEY if k in out.series}
    return out


def demand_note(demand: Demand) -> str:
    """A sentence on the months each series covers (and any that end early).

    Parameters
    ----------
    demand : Demand

    Returns
    -------
    str
        Empty when no series could be built.
    """
    if not demand.series:
        return ""
    spans = {(s.index[0], s.index[-1]) for s in demand.series.values()}
    if len(spans) == 1:
        a, b = next(iter(spans))
        months = f"{a:%B %Y} only" if a == b else f"from {a:%B %Y} to {b:%B %Y}"
        text = f"Each series counts whole months {months}; months in the data after the period are not used."
    else:
        text = "The series cover: " + "; ".join(f"{_BY_KEY[k].title} {_span(s.index.to_series())}" for k, s in demand.series.items()) + "; months in the data after the period are not used."
    return " ".join([text, *demand.notes])


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


def _span(months: pd.Series) -> str:
    a, b = pd.Timestamp(months.iloc[0]), pd.Timestamp(months.iloc[-1])
    return f"{a:%b %Y}" if a == b else f"{a:%b %Y} to {b:%b %Y}"


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
        f"Back-test: the same method fitted to the months up to {before:%B %Y} forecast {_span(h['month'])} "
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
                [[f"fitted without the last {len(bt.holdout)} months ({html.escape(_span(bt.holdout['month']))})", str(len(bt.holdout)), f"{bt.mape:.1f}%", f"{int(round(bt.coverage * len(bt.holdout)))} of {len(bt.holdout)}"]],
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

    d = _BY_KEY[key]
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

"""Strategic risk (FMS): the RAG assessment from the force's risk register, the evidence behind
each rating, and four-year demand forecasts with their back-tests."""

from __future__ import annotations

import pandas as pd

from perfpack.measures.demand import demand_note, demand_series
from perfpack.measures.risk import load_assessment
from perfpack.pages import blocks, strategic
from perfpack.pages.section import Section
from perfpack.present.risk_tables import assessment_summary, evidence_html, evidence_table, rag_table_html


def _assessment(s: Section):
    return s.memo("assessment", lambda: load_assessment(s.config.path.parent))


def _forecasts(s: Section) -> dict:
    def compute():
        demand = demand_series(s.data, s.period)
        return demand, strategic.forecast_demand(demand, s.id, covid_start=s.config.covid_overall_start)

    return s.memo("forecasts", compute)


def assessment(s: Section) -> pd.DataFrame:
    """The summary sentence and the RAG table (ratings in words and colour, arrows against the
    baseline, the key beneath). Returns the scored register."""
    risk_config, register = _assessment(s)
    s.say(assessment_summary(register, risk_config, s.period))
    s.show(rag_table_html(register, risk_config))
    return register


def evidence(s: Section) -> pd.DataFrame:
    """The analysts' note behind each rating. Returns the evidence table."""
    risk_config, register = _assessment(s)
    s.show(evidence_html(register, risk_config))
    return evidence_table(register)


def demand_forecasts(s: Section) -> dict:
    """What the demand series cover, and the forecasts at a glance. Returns the forecasts by
    series key."""
    demand, forecasts = _forecasts(s)
    s.say(demand_note(demand))
    s.show(strategic.forecast_summary_html(forecasts))
    return forecasts


def forecast(s: Section, key: str) -> pd.DataFrame:
    """One demand series: statement, chart, yearly table, back-test. Returns its figures."""
    first_row = len(s.rows)
    strategic.show_forecast(s, _forecasts(s)[1], key)
    return blocks.recorded_since(s, first_row)

"""Strategic risk (FMS): the RAG assessment from the force's risk register, the evidence behind
each rating, and four-year demand forecasts with their back-tests."""

from __future__ import annotations

import pandas as pd

from perfpack.measures.demand import demand_note, demand_series
from perfpack.measures.risk import load_assessment
from perfpack.pages import blocks, strategic
from perfpack.pages.section import Section
from perfpack.present.risk_tables import assessment_summary, evidence_html, evidence_table, rag_table_html


def no_register(s: Section) -> str | None:
    """Why there is no risk assessment for this force, or None when its profile has one. The
    ratings are the force's own: they come from its profile only, never another's."""
    if s.config.derived:
        return "this force has no profile, so there is no risk register to show (a force's ratings come from its own profile: make one with `perfpack init-force`, see docs/new-force.md); the demand forecasts below are computed from the data"
    missing = [n for n in ("risk.yaml", "risk_register.csv") if not (s.config.profile_dir / n).is_file()]
    if missing:
        return f"the force's profile ({s.config.profile_dir.name}) has no {' and no '.join(missing)}, so there are no ratings to show; the demand forecasts below are computed from the data"
    return None


def _assessment(s: Section):
    return s.memo("assessment", lambda: load_assessment(s.config.profile_dir))


def _forecasts(s: Section) -> dict:
    def compute():
        demand = demand_series(s.data, s.period)
        return demand, strategic.forecast_demand(demand, s.id, covid_start=s.config.covid_overall_start)

    return s.memo("forecasts", compute)


def assessment(s: Section) -> pd.DataFrame:
    """The summary sentence and the RAG table (ratings in words and colour, arrows against the
    baseline, the key beneath). Returns the scored register (empty, with the reason said,
    when the force's profile has none)."""
    why = no_register(s)
    if why:
        s.unavailable("Strategic risk assessment", why)
        return pd.DataFrame()
    risk_config, register = _assessment(s)
    s.say(assessment_summary(register, risk_config, s.period))
    s.show(rag_table_html(register, risk_config))
    return register


def evidence(s: Section) -> pd.DataFrame:
    """The analysts' note behind each rating. Returns the evidence table."""
    if no_register(s):
        s.say("No ratings, so no evidence notes (see above).")
        return pd.DataFrame()
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

"""Honest numbers: the headline counts of the 2020-Q4 pack, recomputed from the demo tables with
plain pandas, independently of the section code.

Nothing here imports perfpack: the demo CSV files and the offence classification lookup are read
as plain files, and each measure is written again from its definition in ``docs/caveats.md``.
For every row of a headline key in ``figures.csv`` (force and NPA, the main window and any
Covid-19 period) the count is recomputed over that row's own window and previous window; and
the main window of each key is pinned here, so a section that counted the right events over
the wrong dates fails too. Suppressed NPA cells (disclosure control) carry no number to check.

A key missing from figures.csv, or a section that failed, fails the test: nothing is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEMO_NPAS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pack")]

ROOT = Path(__file__).resolve().parents[2]
CLASSIFICATION = ROOT / "lib" / "perfpack" / "data" / "offence_classification.csv"
NPAS = list(DEMO_NPAS)
ASB = ["asb_personal", "asb_nuisance", "asb_environmental", "asb_unspecified"]
SAC = ["residential_burglary", "business_burglary", "theft_of_motor_vehicle", "theft_from_motor_vehicle", "personal_robbery", "business_robbery"]
YEAR_2020, YEAR_2019 = "2020-01-01..2020-12-31", "2019-01-01..2019-12-31"

# key -> (main window, its previous window ("" when there is no comparison), broken down by NPA)
MAIN = {
    "all_crime": (YEAR_2020, YEAR_2019, True),
    "serious_acquisitive_crime": (YEAR_2020, YEAR_2019, True),
    **{cat: (YEAR_2020, YEAR_2019, True) for cat in SAC},
    "domestic_abuse": (YEAR_2020, YEAR_2019, True),
    "asb_incidents": (YEAR_2020, YEAR_2019, True),
    "calls_total": (YEAR_2020, YEAR_2019, False),
    "calls_999": (YEAR_2020, YEAR_2019, False),
    "calls_101": (YEAR_2020, YEAR_2019, False),
    "calls_digital": (YEAR_2020, YEAR_2019, False),
    "fraud_reports": ("2020-01-01..2021-01-31", "2018-12-01..2019-12-31", False),  # 13 months to January 2021
    "covid_fpns": ("2020-03-01..2021-01-31", "", True),  # March 2020 to a month after the period
}


@pytest.fixture(scope="module")
def demo_events(pack_run):
    """Each headline measure as events: a date, an NPA (or none) and a weight."""
    d = pack_run["demo"]
    text = {"keep_default_na": False, "dtype": str}
    crimes = pd.read_csv(d / "crimes.csv", **text)
    incidents = pd.read_csv(d / "incidents.csv", **text)
    calls = pd.read_csv(d / "calls.csv", **text)
    fraud = pd.read_csv(d / "fraud_reports.csv", **text)
    fpns = pd.read_csv(d / "fpns.csv", **text)
    lookup = pd.read_csv(CLASSIFICATION, **text)
    lookup.index = lookup["offence_code"].str.strip().str.upper()
    code = crimes["offence_code"].str.strip().str.upper()
    assert code.isin(lookup.index).all(), "the demo data hold codes the lookup does not"
    crimes["category"] = code.map(lookup["category"])
    crimes["in_all_crime"] = code.map(lookup["in_all_crime"]).str.lower().eq("true")

    def events(df, date_col, npa=True, weight=None):
        return pd.DataFrame(
            {"date": pd.to_datetime(df[date_col]).dt.normalize(), "npa": df["npa"] if npa else None, "n": df[weight].astype(int) if weight else 1}
        )

    domestic_crime = crimes[crimes["domestic"].str.strip().str.lower().isin(["true", "t", "yes", "y", "1"])]
    out = {
        "all_crime": events(crimes[crimes["in_all_crime"]], "recorded_date"),
        "serious_acquisitive_crime": events(crimes[crimes["category"].isin(SAC)], "recorded_date"),
        **{cat: events(crimes[crimes["category"] == cat], "recorded_date") for cat in SAC},
        "domestic_abuse": pd.concat([events(domestic_crime, "recorded_date"), events(incidents[incidents["category"] == "domestic_non_crime"], "opened_at")]),
        "asb_incidents": events(incidents[incidents["category"].isin(ASB)], "opened_at"),
        "calls_total": events(calls, "date", npa=False, weight="calls"),
        **{f"calls_{c}": events(calls[calls["channel"] == c], "date", npa=False, weight="calls") for c in ("999", "101", "digital")},
        "fraud_reports": events(fraud, "reported_date", npa=False),
        "covid_fpns": events(fpns, "issued_date"),
    }
    return out


@pytest.fixture(scope="module")
def figures(pack_run):
    assert pack_run["proc"].returncode in (0, 1), pack_run["proc"].stderr[-3000:]
    return pd.read_csv(pack_run["out"] / "figures.csv", dtype=str, keep_default_na=False)


def count(ev: pd.DataFrame, window: str, area: str) -> int:
    start, end = (pd.Timestamp(x) for x in window.split(".."))
    sel = ev[(ev["date"] >= start) & (ev["date"] <= end)]
    if area != "Force":
        sel = sel[sel["npa"] == area]
    return int(sel["n"].sum())


@pytest.fixture(scope="module")
def failed_sections(pack_run) -> list[str]:
    m = json.loads((pack_run["out"] / "manifest.json").read_text(encoding="utf-8"))
    return [f"{s['id']} ({s['error']})" for s in m["sections"] if s["status"] != "ok"]


@pytest.mark.parametrize("key", list(MAIN))
def test_headline_counts_match_an_independent_count(key, figures, demo_events, failed_sections):
    rows = figures[(figures["key"] == key) & (figures["kind"].isin(["count", ""]))]
    assert not failed_sections, f"sections failed in this run, so their figures cannot be checked: {'; '.join(failed_sections)}"
    assert not rows.empty, f"figures.csv has no '{key}' rows: every headline key must be written"
    window, previous, by_npa = MAIN[key]
    main = rows[(rows["window"] == window) & (rows["previous_window"] == previous)]
    assert "Force" in set(main["area"]), f"{key}: no force row for {window} against {previous or 'nothing'}; windows written: {sorted(set(rows['window']))}"
    if by_npa:
        assert set(NPAS) <= set(main["area"]), f"{key}: NPAs missing from {window}: {sorted(set(NPAS) - set(main['area']))}"
    ev = demo_events[key]
    checked, wrong = 0, []
    for r in rows.to_dict("records"):
        if r["suppressed"].lower() == "true":
            continue
        expect = {"current": count(ev, r["window"], r["area"])}
        if r["previous_window"] and r["previous"] != "":
            expect["previous"] = count(ev, r["previous_window"], r["area"])
        for col, want in expect.items():
            got = int(float(r[col]))
            if got != want:
                wrong.append(f"{r['area']} {r['window'] if col == 'current' else r['previous_window']}: figures.csv {got:,}, recount {want:,}")
        checked += 1
    assert not wrong, f"{key}: " + "; ".join(wrong)
    assert checked >= 1


def test_force_is_the_sum_of_its_npas_for_all_crime(figures):
    """All crime by NPA adds up to the force (every record has a configured NPA)."""
    rows = figures[(figures["key"] == "all_crime") & (figures["window"] == YEAR_2020)]
    assert not rows.empty, "figures.csv has no all_crime rows for 2020"
    npas = rows[rows["area"] != "Force"]
    assert (npas["suppressed"].str.lower() != "true").all()
    force = rows[rows["area"] == "Force"].iloc[0]
    for col in ("current", "previous"):
        assert npas[col].astype(int).sum() == int(force[col])

"""The measures and blocks behind sections 02-07, on tiny hand-made tables with known answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from capture import Capture
from conftest import DEMO_NPAS
from perfpack.measures import calls as calls_measures
from perfpack.measures import covid, domestic, fraud
from perfpack.measures.counts import this_year_vs_last
from perfpack.measures.windows import latest_end, months_before, trailing_window, window_since
from perfpack.pages import asb_and_covid, blocks, calls_for_service, domestic_abuse, fraud_and_cyber_crime, serious_acquisitive_crime, violent_crime
from perfpack.pages.blocks import snake
from perfpack.periods import Period, Window
from perfpack.present.domestic_tables import repeat_victims_table
from perfpack.sources import Dataset, load_dataset
from perfpack.stats.figures import to_frame

Q4 = Period.parse("2020-Q4")
Y2020 = Window(date(2020, 1, 1), date(2020, 12, 31))
Y2019 = Window(date(2019, 1, 1), date(2019, 12, 31))


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ---- domestic abuse: occurrences and repeat victims ---------------------------------------


def da_tables():
    """Victim A: a crime in January and a non-crime incident in March 2020 (a repeat victim);
    B: one crime in 2020; C: one non-crime incident in 2020; D: one crime in 2019 and one in
    2020 (not a repeat victim in either year); one 2020 crime with no victim; one non-domestic
    crime (not an occurrence); one ASB incident (not an occurrence)."""
    crimes = pd.DataFrame(
        {
            "recorded_date": [ts("2020-01-10"), ts("2020-06-01"), ts("2019-05-05"), ts("2020-07-07"), ts("2020-08-08"), ts("2020-02-02")],
            "npa": ["Stafford", "Tamworth", "Lichfield", "Stafford", "Tamworth", "Stafford"],
            "domestic": [True, True, True, True, True, False],
            "victim_id": ["VA", "VB", "VD", "VD", None, "VX"],
            "violence_type": ["less_serious_assault", "other_vap", "serious_assault", "other_vap", None, "less_serious_assault"],
            "offence_code": ["8N", "8Q", "5D", "8L", "58A", "8N"],
            "count": 1,
        }
    )
    incidents = pd.DataFrame(
        {
            "opened_at": [ts("2020-03-03 12:00"), ts("2020-04-04 23:59"), ts("2020-05-05 08:00")],
            "category": ["domestic_non_crime", "domestic_non_crime", "asb_nuisance"],
            "npa": ["Lichfield", "Tamworth", "Stafford"],
            "victim_id": ["VA", "VC", None],
        }
    )
    return crimes, incidents


def test_occurrences_are_domestic_crimes_plus_domestic_non_crime_incidents():
    crimes, incidents = da_tables()
    occ = domestic.occurrences(crimes, incidents)
    assert len(occ) == 5 + 2
    assert occ["kind"].value_counts().to_dict() == {"crime": 5, "non-crime": 2}
    assert set(occ.columns) >= {"date", "npa", "victim_id", "kind", "violence_type", "offence_code", "count"}
    # without incidents, crimes only
    assert len(domestic.occurrences(crimes, None)) == 5


def test_repeat_victims_known_answer():
    occ = domestic.occurrences(*da_tables())
    r20 = domestic.repeat_victims(occ, Y2020)
    assert (r20.victims, r20.repeat_victims) == (4, 1)  # A (2), B, C, D (1 in 2020)
    assert r20.share == pytest.approx(25.0)
    assert r20.occurrences == 6 and r20.without_victim == 1
    r19 = domestic.repeat_victims(occ, Y2019)
    assert (r19.victims, r19.repeat_victims, r19.share) == (1, 0, 0.0)
    empty = domestic.repeat_victims(occ, Window(date(2018, 1, 1), date(2018, 12, 31)))
    assert (empty.victims, empty.share) == (0, None)


def test_a_repeat_victim_needs_two_occurrences_in_the_same_window():
    occ = domestic.occurrences(*da_tables())
    # D has one occurrence in each year: across the two years together D is a repeat victim
    both = domestic.repeat_victims(occ, Window(date(2019, 1, 1), date(2020, 12, 31)))
    assert (both.victims, both.repeat_victims) == (4, 2)


def test_victims_by_area_puts_each_victim_in_the_npa_of_their_latest_occurrence():
    occ = domestic.occurrences(*da_tables())
    v, r = domestic.victims_by_area(occ, Y2020, Y2019, ["Stafford", "Tamworth", "Lichfield"])
    v = v.set_index("area")
    # A: Stafford (Jan) then Lichfield (Mar) -> Lichfield; B Tamworth; C Tamworth; D Stafford
    assert v.loc["Force"].tolist() == [4, 1]
    assert v.loc["Lichfield"].tolist() == [1, 1]  # A in 2020; D in 2019
    assert v.loc["Tamworth"].tolist() == [2, 0]
    assert v.loc["Stafford"].tolist() == [1, 0]
    assert v.drop("Force")["current"].sum() == v.loc["Force", "current"]
    r = r.set_index("area")
    assert r.loc["Force"].tolist() == [1, 0] and r.loc["Lichfield", "current"] == 1


def repeat_tables():
    """Known repeat victims in two calendar years, crime and non-crime mixed.

    2019: P three times, Q twice, R and S once: 4 victims, 2 repeat victims (50%).
    2020: P twice (a crime and a non-crime incident), W twice, X four times, Q and T once:
    5 victims, 3 repeat victims (60%). A victim's occurrences in 2019 do not make them a
    repeat victim in 2020 (Q). Plus non-domestic crimes (on the first and last days, so the
    data cover both years) and an ASB incident of P's, none of them occurrences."""
    c = [
        ("2019-01-05", "P"),
        ("2019-03-05", "P"),
        ("2019-02-02", "Q"),
        ("2019-11-30", "Q"),
        ("2019-06-06", "R"),
        ("2020-01-15", "P"),
        ("2020-02-01", "W"),
        ("2020-09-09", "W"),
        ("2020-03-03", "X"),
        ("2020-04-04", "X"),
        ("2020-05-05", "X"),
        ("2020-07-07", "Q"),
    ]
    crimes = pd.DataFrame(
        {
            "recorded_date": [ts(d) for d, _ in c] + [ts("2019-01-01"), ts("2020-06-06"), ts("2020-12-31")],
            "npa": "Stafford",
            "domestic": [True] * len(c) + [False] * 3,
            "victim_id": [v for _, v in c] + [None, "P", None],
            "count": 1,
        }
    )
    i = [
        ("2019-08-08 10:00", "P", "domestic_non_crime"),
        ("2019-12-31 23:00", "S", "domestic_non_crime"),
        ("2020-10-10 02:00", "P", "domestic_non_crime"),
        ("2020-12-24 20:00", "X", "domestic_non_crime"),
        ("2020-08-01 12:00", "T", "domestic_non_crime"),
        ("2020-08-02 12:00", "P", "asb_personal"),
    ]
    incidents = pd.DataFrame({"opened_at": [ts(d) for d, _, _ in i], "category": [k for _, _, k in i], "npa": "Stafford", "victim_id": [v for _, v, _ in i]})
    return crimes, incidents


def test_repeat_victims_counts_victims_with_two_or_more_occurrences():
    occ = domestic.occurrences(*repeat_tables())
    r19, r20 = domestic.repeat_victims(occ, Y2019), domestic.repeat_victims(occ, Y2020)
    assert (r19.repeat_victims, r19.victims, r19.share) == (2, 4, pytest.approx(50.0))
    assert (r20.repeat_victims, r20.victims, r20.share) == (3, 5, pytest.approx(60.0))
    assert (r19.occurrences, r20.occurrences) == (7, 10)


def _cells(html_text: str, tag: str) -> list[list[str]]:
    import re

    rows = re.findall(r"<tr>(.*?)</tr>", html_text, flags=re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", r, flags=re.S)] for r in rows]


def test_repeat_victims_table_is_laid_out_as_the_seed():
    occ = domestic.occurrences(*repeat_tables())
    page = repeat_victims_table(domestic.repeat_victims(occ, Y2020), domestic.repeat_victims(occ, Y2019))
    head = _cells(page, "th")
    assert head[0] == ["", "Jan - Dec 2019", "Jan - Dec 2020", "Change"]
    assert head[1] == ["Domestic Abuse", "Victims", "% of Repeats", "Victims", "% of Repeats", "Volume", "Percentage"]
    body = [r for r in _cells(page, "td") if r]
    assert body == [["Repeat Victims", "2", "50%", "3", "60%", "+1", "+50.0%"]]
    # the distinct victims, both years, on a line below the table
    assert "Distinct domestic abuse victims (repeat or not): 4 in Jan - Dec 2019, 5 in Jan - Dec 2020." in page


def test_repeat_victims_table_with_the_seed_figures():
    """5,004 repeat victims, 31% of 16,142 victims, in 2019; 4,991, 33% of 15,124, in 2020."""
    prev = domestic.RepeatVictims(Y2019, victims=16142, repeat_victims=5004, share=100 * 5004 / 16142, occurrences=23921, without_victim=0)
    cur = domestic.RepeatVictims(Y2020, victims=15124, repeat_victims=4991, share=100 * 4991 / 15124, occurrences=22726, without_victim=0)
    page = repeat_victims_table(cur, prev)
    assert [r for r in _cells(page, "td") if r] == [["Repeat Victims", "5,004", "31%", "4,991", "33%", "\u221213", "\u22120.3%"]]
    assert "16,142 in Jan - Dec 2019, 15,124 in Jan - Dec 2020" in page
    sentence = domestic_abuse._share_sentence(cur, prev)
    assert sentence.startswith("The 4,991 repeat victims in ") and "33% of the 15,124 distinct domestic abuse victims" in sentence
    assert "against 5,004 (31% of 16,142)" in sentence and sentence.endswith("2.0 percentage points higher.")


def test_repeat_victims_block_records_the_repeat_count_share_and_victims():
    crimes, incidents = repeat_tables()
    crimes = crimes.assign(crime_id=[f"C{i}" for i in range(len(crimes))], offence_code="8N")
    incidents = incidents.assign(incident_id=[f"I{i}" for i in range(len(incidents))], covid_related=False, grade=2, attended=True)
    from perfpack.sources.dataset import enrich

    tables = enrich({"crimes": crimes, "incidents": incidents})
    ds = Dataset(source="canonical", force="Test force", tables=tables, granularity={t: "record" for t in tables}, npas=["Stafford", "Tamworth"])
    s = Capture("test", period="2020-Q4", data_dir="", data=ds)
    domestic_abuse.repeat_victims(s)
    rows = {(r["key"], r["area"]): r for r in s.rows}
    rep, share, victims = (
        rows[("domestic_abuse_repeat_victims", "Force")],
        rows[("domestic_abuse_repeat_share", "Force")],
        rows[("domestic_abuse_victims", "Force")],
    )
    assert (rep["previous"], rep["current"], rep["change"]) == (2, 3, 1)
    assert (share["previous"], share["current"]) == (50.0, 60.0)
    assert (victims["previous"], victims["current"]) == (4, 5)
    page = "".join(s.shown)
    assert [r for r in _cells(page.split("</table>")[0], "td") if r] == [
        ["Repeat Victims", "2", "50%", "3", "60%", "+1", "–"]
    ]  # no percentage on so small a base
    assert "<p>Domestic abuse repeat victims (two or more occurrences): too few to test (3 against 2).</p>" in page
    assert "The 3 repeat victims in " in page and "60% of the 5 distinct domestic abuse victims" in page


def test_domestic_violence_and_named_offences():
    occ = domestic.occurrences(*da_tables())
    assert len(domestic.violence(occ, "other_vap")) == 2
    assert len(domestic.violence(occ, "serious_assault")) == 1
    assert len(domestic.offences(occ, domestic.OTHER_VAP_OFFENCES["domestic_stalking"][1])) == 1


# ---- windows past the period end ----------------------------------------------------------


def test_thirteen_month_window_to_a_month_after_the_period_end():
    w = trailing_window(Q4, 13, 1, date(2021, 3, 31))
    assert (w.start, w.end) == (date(2020, 1, 1), date(2021, 1, 31))
    assert w == Q4.trailing_months(13, offset=1)
    assert len(w.months) == 13


def test_thirteen_month_window_is_cut_to_the_last_whole_month_of_data():
    assert trailing_window(Q4, 13, 1, date(2021, 1, 31)).end == date(2021, 1, 31)
    w = trailing_window(Q4, 13, 1, date(2021, 1, 15))  # January not complete
    assert (w.start, w.end) == (date(2019, 12, 1), date(2020, 12, 31))
    # data ending before the period end: the window still ends at the period end
    assert latest_end(Q4, 1, date(2020, 11, 30)) == date(2020, 12, 31)
    assert latest_end(Q4, 0) == date(2020, 12, 31)
    with pytest.raises(ValueError):
        latest_end(Q4, -1)


def test_the_window_before_a_thirteen_month_window():
    w = months_before(trailing_window(Q4, 13, 1))
    assert (w.start, w.end) == (date(2018, 12, 1), date(2019, 12, 31))
    assert len(w.months) == 13


def test_fpn_window_from_march_2020_to_january_2021():
    w = window_since(Q4, date(2020, 3, 26), 1, date(2021, 3, 31))
    assert (w.start, w.end) == (date(2020, 3, 1), date(2021, 1, 31))
    assert len(w.months) == 11
    assert window_since(Period.parse("2019-Q4"), date(2020, 3, 1), 1) is None


def test_dissemination_window_is_whole_years_to_the_period_end():
    w = fraud.dissemination_window(Q4, 4)
    assert (w.start, w.end) == (date(2017, 1, 1), date(2020, 12, 31))
    assert fraud.dissemination_window(Q4, 4, date(2020, 11, 20)).end == date(2020, 10, 31)


# ---- fraud shares ---------------------------------------------------------------------------


def fraud_table():
    return pd.DataFrame(
        {
            "reported_date": [ts("2020-01-01"), ts("2020-06-30"), ts("2021-01-31"), ts("2021-02-01"), ts("2019-12-31")],
            "fraud_type": ["Consumer fraud", "Romance fraud", "Consumer fraud", "Consumer fraud", "Other fraud"],
            "loss_gbp": [100.0, 0.0, 50.0, 999.0, 7.0],
            "victim_type": ["individual", "organisation", "individual", "individual", "individual"],
            "victim_age_band": ["30-39", "Not applicable", "70+", "18-29", "Under 18"],
            "support_requested": [True, False, False, True, True],
            "disseminated_to_force": [False, True, False, False, True],
        }
    )


def test_fraud_summary_known_answer():
    s = fraud.summary(fraud_table(), trailing_window(Q4, 13, 1))
    assert (s.reports, s.losses_gbp, s.individuals, s.organisations, s.support_requested) == (3, 150.0, 2, 1, 1)
    assert s.share_individuals == pytest.approx(200 / 3)
    assert s.share_organisations == pytest.approx(100 / 3)
    assert s.share_support == pytest.approx(100 / 3)
    none = fraud.summary(fraud_table(), Window(date(2018, 1, 1), date(2018, 1, 31)))
    assert none.reports == 0 and none.share_individuals is None


def test_age_bands_in_age_order_with_not_applicable_last():
    bands = ["70+", "Not applicable", "18-29", "Under 18", "40-49", "30-39"]
    assert fraud.age_band_order(bands) == ["Under 18", "18-29", "30-39", "40-49", "70+", "Not applicable"]


def test_individuals_and_disseminations():
    t = fraud_table()
    assert len(fraud.individuals(t)) == 4
    assert len(fraud.disseminated(t)) == 2
    m = fraud.monthly(t, trailing_window(Q4, 13, 1))
    assert len(m) == 13 and m.sum() == 3 and m.iloc[0] == 1 and m.iloc[-1] == 1


# ---- ASB split, calls by channel, months aligned --------------------------------------------


def test_asb_split_into_covid_related_and_other():
    asb = pd.DataFrame({"covid_related": [True, False, None, True]})
    c, o = covid.asb_split(asb)
    assert len(c) == 2 and len(o) == 2
    assert len(covid.covid_related(pd.DataFrame({"covid_related": [True, False]}))) == 1


def test_calls_are_weighted_by_the_number_of_calls():
    calls = pd.DataFrame({"date": [ts("2020-01-01")] * 3 + [ts("2020-02-01")], "channel": ["999", "101", "digital", "999"], "calls": [120, 300, 45, 80]})
    items = {k: ev for k, _, ev in calls_measures.by_channel(calls)}
    assert list(items) == ["calls_999", "calls_101", "calls_digital", "calls_total"]
    assert items["calls_999"]["count"].sum() == 200
    assert items["calls_digital"]["count"].sum() == 45
    assert items["calls_total"]["count"].sum() == 545


def test_this_year_and_last_are_aligned_month_by_month():
    ev = pd.DataFrame({"d": [ts("2020-02-29"), ts("2019-02-28"), ts("2019-02-01"), ts("2020-12-31"), ts("2019-01-01")], "count": [1, 1, 1, 2, 5]})
    t = this_year_vs_last(ev, "d", Y2020)
    assert list(t.index) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert t.loc["Feb"].tolist()[1:] == [1, 2]
    assert t.loc["Jan", "previous"] == 5 and t.loc["Dec", "current"] == 2
    assert t["current"].sum() == 3 and t["previous"].sum() == 7


def test_snake_keys():
    assert snake("Consumer fraud") == "consumer_fraud"
    assert snake("70+") == "70_plus"
    assert snake("18-29") == "18_29"
    assert snake("self-isolation") == "self_isolation"


# ---- Section building blocks ----------------------------------------------------------------

NPAS = list(DEMO_NPAS)


def synthetic(seed: int = 1, source: str = "canonical") -> Dataset:
    """A small record-level dataset over 2016-2021 with enough volume for every block."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2016-01-01", "2021-03-31", freq="D")

    def draw(n):
        return pd.Series(rng.choice(days, n)).sort_values(ignore_index=True)

    n = 6000
    codes = rng.choice(["28E", "30C", "48", "45", "34B", "34A", "8N", "5D", "8L", "8Q", "8R", "58A"], n)
    crimes = pd.DataFrame(
        {
            "crime_id": [f"C{i}" for i in range(n)],
            "recorded_date": draw(n),
            "offence_code": codes,
            "npa": rng.choice(NPAS, n),
            "domestic": rng.random(n) < 0.3,
            "victim_id": pd.array([f"V{v}" for v in rng.integers(0, 800, n)], dtype="string"),
        }
    )
    from perfpack.sources.dataset import enrich

    m = 5000
    incidents = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(m)],
            "opened_at": draw(m),
            "category": rng.choice(["asb_nuisance", "asb_personal", "domestic_non_crime", "admin"], m),
            "covid_related": False,
            "npa": rng.choice(NPAS, m),
            "victim_id": pd.array([f"V{v}" for v in rng.integers(0, 800, m)], dtype="string"),
            "grade": 2,
            "attended": True,
        }
    )
    incidents.loc[(incidents["opened_at"] >= "2020-03-16") & (rng.random(m) < 0.3), "covid_related"] = True
    cdays = pd.date_range("2016-01-01", "2021-03-31", freq="D")
    calls = pd.DataFrame({"date": np.repeat(cdays, 3), "channel": np.tile(["999", "101", "digital"], len(cdays)), "calls": rng.poisson(50, 3 * len(cdays))})
    k = 3000
    fr = pd.DataFrame(
        {
            "report_id": [f"F{i}" for i in range(k)],
            "reported_date": draw(k),
            "fraud_type": rng.choice(["Consumer fraud", "Romance fraud"], k, p=[0.7, 0.3]),
            "loss_gbp": rng.exponential(500, k),
            "victim_type": rng.choice(["individual", "organisation"], k, p=[0.9, 0.1]),
            "victim_age_band": rng.choice(["18-29", "30-39", "70+"], k),
            "support_requested": rng.random(k) < 0.5,
            "disseminated_to_force": rng.random(k) < 0.1,
        }
    )
    f = 400
    fp = pd.DataFrame(
        {
            "fpn_id": [f"P{i}" for i in range(f)],
            "issued_date": pd.Series(rng.choice(pd.date_range("2020-03-26", "2021-03-31"), f)).sort_values(ignore_index=True),
            "breach_type": rng.choice(["gathering", "travel"], f, p=[0.9, 0.1]),
            "npa": rng.choice(NPAS, f),
        }
    )
    # three reports of a rare type and three face-covering FPNs in the windows: small categories
    fr.loc[fr.index[(fr["reported_date"] >= "2020-02-01") & (fr["reported_date"] < "2020-12-01")][:3], "fraud_type"] = "Rare fraud"
    fp.loc[fp.index[(fp["issued_date"] < "2020-12-01")][:3], "breach_type"] = "face covering"
    tables = enrich({"crimes": crimes, "incidents": incidents, "calls": calls, "fraud_reports": fr, "fpns": fp})
    return Dataset(source=source, force="Test force", tables=tables, granularity={t: "record" for t in tables}, npas=list(NPAS))


ALL_BLOCKS = [
    (domestic_abuse, "counts"),
    (domestic_abuse, "monthly"),
    (domestic_abuse, "repeat_victims"),
    (domestic_abuse, "violence"),
    (violent_crime, "counts"),
    (violent_crime, "monthly"),
    (violent_crime, "serious_violence"),
    (serious_acquisitive_crime, "counts"),
    (serious_acquisitive_crime, "categories"),
    (serious_acquisitive_crime, "monthly"),
    (serious_acquisitive_crime, "theft_of_motor_vehicle"),
    (fraud_and_cyber_crime, "reports"),
    (fraud_and_cyber_crime, "types"),
    (fraud_and_cyber_crime, "victim_ages"),
    (fraud_and_cyber_crime, "disseminations"),
    (asb_and_covid, "counts"),
    (asb_and_covid, "monthly"),
    (asb_and_covid, "covid_incidents"),
    (asb_and_covid, "fpns"),
    (calls_for_service, "counts"),
    (calls_for_service, "monthly"),
    (calls_for_service, "covid_periods"),
]


def run_blocks(ds: Dataset, period: str = "2020-Q4") -> Capture:
    s = Capture("test", period=period, data_dir="", data=ds)
    for module, name in ALL_BLOCKS:
        getattr(module, name)(s)
    return s


@pytest.fixture(scope="module")
def canonical_run():
    return run_blocks(synthetic())


def test_every_block_runs_on_record_level_data_and_writes_its_keys(canonical_run):
    keys = {r["key"] for r in canonical_run.rows}
    for key in (
        "domestic_abuse",
        "domestic_abuse_repeat_victims",
        "domestic_abuse_repeat_share",
        "violence_non_domestic",
        "serious_violence",
        "residential_burglary",
        "business_burglary",
        "theft_of_motor_vehicle",
        "theft_from_motor_vehicle",
        "personal_robbery",
        "business_robbery",
        "serious_acquisitive_crime",
        "fraud_reports",
        "fraud_losses_gbp",
        "fraud_share_individuals",
        "fraud_share_support",
        "fraud_disseminations",
        "asb_incidents",
        "asb_covid_incidents",
        "asb_other_incidents",
        "covid_fpns",
        "calls_999",
        "calls_101",
        "calls_digital",
        "calls_total",
    ):
        assert key in keys, key
    frame = to_frame(canonical_run.rows)
    counts = frame[frame["kind"] == "count"]
    assert counts.loc[~counts["suppressed"].astype(bool), "significance"].fillna("").ne("").all(), "every count row not suppressed carries a significance"
    assert counts.loc[counts["suppressed"].astype(bool), "significance"].fillna("").eq("").all(), "a suppressed row carries none"
    # one row per key, window and area
    assert not frame.duplicated(["key", "window", "area"]).any()


def test_small_categories_are_suppressed_in_figures_and_pages(canonical_run):
    rows = {r["key"]: r for r in canonical_run.rows}
    rare = rows["fraud_type_rare_fraud"]
    assert rare["suppressed"] and rare["current"] < 10
    # secondary suppression: the next-smallest type is hidden too, the force total being published
    assert rows["fraud_type_romance_fraud"]["suppressed"]
    assert not rows["fraud_type_consumer_fraud"]["suppressed"]
    assert rows["covid_fpns_breach_face_covering"]["suppressed"]
    frame = to_frame(canonical_run.rows)
    assert frame.loc[frame["key"] == "fraud_type_rare_fraud", "current"].isna().all()
    page = "".join(canonical_run.shown)
    assert "&lt;10" in page or "<10" in page


def test_fpn_rows_one_per_month_and_a_total(canonical_run):
    fpn = [r for r in canonical_run.rows if r["key"] == "covid_fpns" and r["area"] == "Force"]
    months = [r for r in fpn if r["window"] != "2020-03-01..2021-01-31"]
    assert len(months) == 11 and months[0]["window"] == "2020-03-01..2020-03-31" and months[-1]["window"] == "2021-01-01..2021-01-31"
    total = [r for r in fpn if r["window"] == "2020-03-01..2021-01-31"]
    assert len(total) == 1 and total[0]["current"] == sum(r["current"] for r in months)
    npa = [r for r in canonical_run.rows if r["key"] == "covid_fpns" and r["area"] != "Force"]
    assert len(npa) == 9


def test_fraud_rows_use_the_thirteen_month_window(canonical_run):
    rows = {r["key"]: r for r in canonical_run.rows if r["area"] == "Force"}
    assert rows["fraud_reports"]["window"] == "2020-01-01..2021-01-31"
    assert rows["fraud_reports"]["previous_window"] == "2018-12-01..2019-12-31"
    assert rows["fraud_share_individuals"]["kind"] == "share" and 0 <= rows["fraud_share_individuals"]["current"] <= 100
    assert rows["fraud_losses_gbp"]["kind"] == "amount"


def test_repeat_share_row_matches_the_counts(canonical_run):
    rows = {(r["key"], r["area"]): r for r in canonical_run.rows}
    v, rep, share = rows[("domestic_abuse_victims", "Force")], rows[("domestic_abuse_repeat_victims", "Force")], rows[("domestic_abuse_repeat_share", "Force")]
    assert share["current"] == pytest.approx(100 * rep["current"] / v["current"], abs=0.05)
    assert share["previous"] == pytest.approx(100 * rep["previous"] / v["previous"], abs=0.05)


def test_pages_show_no_identifiers(canonical_run):
    import re

    page = re.sub(r"<img[^>]*>", "", "".join(canonical_run.shown))
    assert not re.findall(r"\b[VCFPI]\d+\b", page)


def drop(ds: Dataset, tables: tuple[str, ...], unavailable: dict[str, str], granularity: dict | None = None) -> Dataset:
    kept = {k: v for k, v in ds.tables.items() if k not in tables}
    return Dataset(source=ds.source, force=ds.force, tables=kept, unavailable=unavailable, granularity=granularity or ds.granularity, npas=ds.npas)


def test_a_police_uk_like_source_says_what_it_cannot_give_and_shows_sac_whole():
    ds = synthetic(source="policeuk")
    c = ds.tables["crimes"].copy()
    c["domestic"] = pd.array([pd.NA] * len(c), dtype="boolean")
    c["category"] = "other"
    ds.tables["crimes"] = c
    why = "not available from this source: test"
    ds = drop(
        ds,
        ("calls", "fraud_reports", "fpns"),
        {k: why for k in ("domestic", "victim_id", "fraud_reports", "calls", "fpns", "covid_related", "offence_code", "violence_type")},
    )
    s = run_blocks(ds)
    page = "".join(s.shown)
    assert page.count("not available from this source") >= 15
    keys = {r["key"] for r in s.rows}
    assert {"burglary_all", "robbery_all", "vehicle_crime_all", "asb_incidents"} <= keys
    assert not keys & {"domestic_abuse", "residential_burglary", "fraud_reports", "calls_999", "covid_fpns", "asb_covid_incidents"}


def test_a_home_office_like_source_has_no_npas_no_months():
    ds = synthetic(source="homeoffice")
    why = "not available from this source: test"
    ds = drop(
        ds,
        ("incidents", "calls", "fraud_reports", "fpns"),
        {k: why for k in ("npa", "monthly", "domestic", "victim_id", "incidents", "calls", "fraud_reports", "fpns", "covid_related")},
        granularity={"crimes": "quarter"},
    )
    s = run_blocks(ds)
    keys = {r["key"] for r in s.rows}
    assert {"residential_burglary", "serious_acquisitive_crime"} <= keys
    assert all(r["area"] == "Force" for r in s.rows)
    page = "".join(s.shown)
    assert "<b>Monthly serious acquisitive crime:</b> not available from this source" in page
    assert "<b>Breakdown by NPA:</b> not available from this source" in page


def test_blocks_say_so_when_the_data_miss_the_period():
    s = run_blocks(synthetic(), period="2023-Q4")
    page = "".join(s.shown)
    assert "nothing in 2023" in page
    assert not [r for r in s.rows if r["key"] == "domestic_abuse"]


def test_the_tiny_canonical_folder_runs_every_block(tiny_dir, config):
    ds = load_dataset(tiny_dir, "canonical", "", config)
    s = run_blocks(ds)
    assert any(r["key"] == "domestic_abuse" for r in s.rows)


def test_record_comparison_suppresses_small_npa_counts():
    s = Capture("test", period="2020-Q4", data_dir="", data=synthetic())
    counts = pd.DataFrame({"area": ["Force", "A", "B", "C"], "current": [60, 5, 25, 30], "previous": [70, 20, 25, 25]})
    rows = blocks.record_comparison(s, "k", "K", counts)
    hidden = {r["area"]: r["suppressed"] for r in rows}
    assert hidden == {"Force": False, "A": True, "B": True, "C": False}  # B hidden to protect A (smallest other)
    assert rows[1]["_display_current"] == "<10"


def test_chart_finish_monthly_bars_have_a_key_and_trends_name_their_months():
    """The reviewer's notes: a highlighted bar has a key, the alt text says "per month" once,
    and a several-year trend names its months as every other chart does ("Jan 2017")."""
    import pandas as pd

    from perfpack.present import charts

    s = pd.Series([1, 5, 3], index=pd.date_range("2020-03-01", periods=3, freq="MS"))
    fig, alt = charts.monthly_bar_chart(s, "Covid-19 fixed penalty notices")
    assert "per month per month" not in alt and alt.startswith("Bar chart of Covid-19 fixed penalty notices per month")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["Highest month", "Other months"]
    t = pd.Series(range(48), index=pd.date_range("2017-01-01", periods=48, freq="MS"))
    fig, _ = charts.trend_chart(t, "crimes disseminated")
    labels = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert "Jan 2017" in labels and not any("2017-01" in x for x in labels)


@pytest.mark.parametrize(
    "source,says",
    [
        ("policeuk", "<b>Data:</b> The street-level crime and anti-social behaviour files published on data.police.uk, for Test force; data from"),
        ("homeoffice", "<b>Data:</b> The Home Office police recorded crime tables for the force area, for Test force; data from"),
        ("canonical", "<b>Data:</b> Test force&#x27;s own records (crime, incident, call"),
    ],
)
def test_the_page_names_its_data_source_in_words(source, says):
    s = Capture("test", period="2020-Q4", data_dir="", data=synthetic(source=source))
    s.header()
    block = "".join(s.shown)
    assert says in block and "source '" not in block, block

"""The seed paper's figures, as the pack computes them for 2020-Q4 on fresh demo data.

One test per row of the calibration table in REPORT_SPEC.md, each within the tolerance stated
there. Every number is read from the figures.csv of a real run of the pack (the session
fixture ``pack_run``), not recomputed here and not taken from the generator; the foreword's
figures are section 01's rows for the Covid-19 period by crime type
on the demo data as the pack loads them, and their counts are checked against a recount of
the crimes file here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from calibration_targets import FOREWORD_CODES, FOREWORD_TARGETS, REPEAT_SHARE_ANY_WINDOW, SAC_TARGETS
from perfpack.stats.figures import read_figures

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pack")]

YEAR = "2020-01-01..2020-12-31"
COVID = "2020-03-16..2020-12-31"
FIRST_LOCKDOWN = "2020-03-16..2020-07-03"
WITHDRAWAL = "2020-07-04..2020-09-30"
FRAUD_13M = "2020-01-01..2021-01-31"


@pytest.fixture(scope="module")
def figures(pack_run) -> pd.DataFrame:
    path = pack_run["out"] / "figures.csv"
    assert path.is_file(), f"the pack run left no figures.csv:\n{pack_run['proc'].stderr[-3000:]}"
    return read_figures(path)


def row(figures: pd.DataFrame, key: str, window: str, area: str = "Force") -> pd.Series:
    sel = figures[(figures["key"] == key) & (figures["window"] == window) & (figures["area"] == area)]
    assert len(sel) == 1, f"expected one {key} row for {window} ({area}), found {len(sel)}"
    return sel.iloc[0]


def test_all_crime_2020_against_2019_down_18_percent_and_every_npa_down(figures):
    assert row(figures, "all_crime", YEAR)["pct_change"] == pytest.approx(-18, abs=2)
    npas = figures[(figures["key"] == "all_crime") & (figures["window"] == YEAR) & (figures["area"] != "Force")]
    assert len(npas) == 9
    assert (npas["current"] < npas["previous"]).all(), npas[["area", "current", "previous"]].to_string()


def test_all_crime_16_march_to_31_december_down_20_percent(figures):
    assert row(figures, "all_crime", COVID)["pct_change"] == pytest.approx(-20, abs=2)


def test_all_crime_first_lockdown_down_30_and_withdrawal_down_16(figures):
    assert row(figures, "all_crime", FIRST_LOCKDOWN)["pct_change"] == pytest.approx(-30, abs=3)
    assert row(figures, "all_crime", WITHDRAWAL)["pct_change"] == pytest.approx(-16, abs=3)


@pytest.mark.parametrize(
    "key, seed, tolerance",
    SAC_TARGETS,
)
def test_serious_acquisitive_crime_category(figures, key, seed, tolerance):
    assert row(figures, key, YEAR)["pct_change"] == pytest.approx(seed, abs=tolerance)


def test_domestic_abuse_crime_and_non_crime_down_5_percent(figures):
    assert row(figures, "domestic_abuse", YEAR)["pct_change"] == pytest.approx(-5, abs=2)


def test_domestic_abuse_repeat_victims_5004_at_31_and_4991_at_33(figures):
    """The seed's table: 5,004 repeat victims (two or more occurrences, crime or non-crime, in
    the year), 31% of all distinct domestic abuse victims, in 2019; 4,991 at 33% in 2020."""
    repeat = row(figures, "domestic_abuse_repeat_victims", YEAR)
    share = row(figures, "domestic_abuse_repeat_share", YEAR)
    victims = row(figures, "domestic_abuse_victims", YEAR)
    assert repeat["previous"] == pytest.approx(5004, rel=0.03)
    assert repeat["current"] == pytest.approx(4991, rel=0.03)
    assert share["previous"] == pytest.approx(31, abs=2)
    assert share["current"] == pytest.approx(33, abs=2)
    # the share is the repeat victims over the distinct victims, in each year
    assert share["current"] == pytest.approx(100 * repeat["current"] / victims["current"], abs=0.05)
    assert share["previous"] == pytest.approx(100 * repeat["previous"] / victims["previous"], abs=0.05)
    assert victims["previous"] > 3 * repeat["previous"]  # about 16,100 and 15,100 distinct victims


def test_recorded_asb_up_39_percent_from_16_march_and_66_in_the_first_lockdown(figures):
    assert row(figures, "asb_incidents", COVID)["pct_change"] == pytest.approx(39, abs=4)
    assert row(figures, "asb_incidents", FIRST_LOCKDOWN)["pct_change"] == pytest.approx(66, abs=6)


def test_calls_for_service_down_4_percent_from_16_march(figures):
    assert row(figures, "calls_total", COVID)["pct_change"] == pytest.approx(-4, abs=2)


def test_action_fraud_13_months_to_january_2021(figures):
    assert row(figures, "fraud_reports", FRAUD_13M)["current"] == pytest.approx(6599, rel=0.03)
    assert row(figures, "fraud_losses_gbp", FRAUD_13M)["current"] == pytest.approx(15.8e6, rel=0.05)
    assert row(figures, "fraud_share_individuals", FRAUD_13M)["current"] == pytest.approx(89, abs=1)


def test_covid_fpns_monthly_low_in_spring_none_in_summer_rising_from_november_january_highest(figures):
    fpn = figures[(figures["key"] == "covid_fpns") & (figures["area"] == "Force")]
    monthly = {w[:7]: n for w, n in zip(fpn["window"], fpn["current"]) if w[:7] == w[12:19]}
    assert sorted(monthly) == [f"2020-{m:02d}" for m in range(3, 13)] + ["2021-01"]
    jan = monthly["2021-01"]
    assert all(0 < monthly[m] < jan / 3 for m in ("2020-04", "2020-05", "2020-06")), monthly
    assert all(monthly[m] == 0 for m in ("2020-07", "2020-08", "2020-09")), monthly
    assert monthly["2020-10"] < monthly["2020-11"] < monthly["2020-12"] < jan, monthly
    assert jan == max(monthly.values())
    total = row(figures, "covid_fpns", "2020-03-01..2021-01-31")
    assert total["current"] == sum(monthly.values())


@pytest.fixture(scope="module")
def dataset(demo_dir, config):
    """The demo data as the pack loads them (validated, classified)."""
    from perfpack.sources import load_dataset

    return load_dataset(demo_dir, "canonical", "", config)


@pytest.fixture(scope="module")
def foreword(figures) -> dict[str, dict]:
    """The foreword's figures as the pack published them (section 01, the Covid-19 period)."""
    rows = figures[(figures["window"] == COVID) & (figures["area"] == "Force") & figures["key"].isin([k for k, _, _ in FOREWORD_TARGETS])]
    return {r["key"]: r for r in rows.to_dict("records")}


@pytest.fixture(scope="module")
def crimes_file(demo_dir) -> pd.DataFrame:
    crimes = pd.read_csv(demo_dir / "crimes.csv", dtype=str, keep_default_na=False)
    crimes["recorded_date"] = pd.to_datetime(crimes["recorded_date"])
    return crimes


def test_foreword_rows_are_the_six_figures_of_the_covid_period(foreword):
    assert list(foreword) == [k for k, _, _ in FOREWORD_TARGETS]
    for r in foreword.values():
        assert (r["section"], r["window"], r["previous_window"], r["area"]) == ("01-all-crime", COVID, "2019-03-16..2019-12-31", "Force")
        assert r["change"] == r["current"] - r["previous"] and not r["suppressed"]


@pytest.mark.parametrize("key, seed, tolerance", FOREWORD_TARGETS)
def test_foreword_domestic_burglary_robbery_sexual_offences_rape_vehicle_crime_domestic_abuse(foreword, crimes_file, key, seed, tolerance):
    """The foreword: domestic burglary -31%, robbery -37%, serious sexual offences -28%, rape -27%,
    vehicle crime -33%, domestic abuse crimes -2% (16 March-31 December 2020 against 2019)."""
    r = foreword[key]
    assert r["pct_change"] == pytest.approx(seed, abs=tolerance)
    c = crimes_file
    sel = c[c["domestic"] == "true"] if key == "domestic_abuse_crime" else c[c["offence_code"].isin(FOREWORD_CODES[key])]
    d = sel["recorded_date"]
    assert r["current"] == int(d.between("2020-03-16", "2020-12-31").sum())
    assert r["previous"] == int(d.between("2019-03-16", "2019-12-31").sum())


@pytest.fixture(scope="module")
def da_file(demo_dir) -> pd.DataFrame:
    """Domestic abuse occurrences recounted from the files: domestic crimes and domestic
    non-crime incidents, their day and victim."""
    text = {"dtype": str, "keep_default_na": False}
    c = pd.read_csv(demo_dir / "crimes.csv", usecols=["recorded_date", "domestic", "victim_id"], **text)
    i = pd.read_csv(demo_dir / "incidents.csv", usecols=["opened_at", "category", "victim_id"], **text)
    c, i = c[c["domestic"] == "true"], i[i["category"] == "domestic_non_crime"]
    return pd.DataFrame(
        {
            "when": pd.concat([pd.to_datetime(c["recorded_date"]), pd.to_datetime(i["opened_at"]).dt.normalize()], ignore_index=True),
            "victim_id": pd.concat([c["victim_id"], i["victim_id"]], ignore_index=True),
        }
    )


@pytest.mark.parametrize("end", ["2019-03-31", "2019-06-30", "2019-09-30", "2020-03-31", "2020-06-30", "2020-09-30", "2021-03-31"])
def test_domestic_abuse_repeat_share_in_the_12_months_to_other_quarters(dataset, da_file, end):
    """The pack's repeat share for 12 months that are not a calendar year (issue 14: it was
    24.6% for the 12 months to September 2020) is within the range every window holds, and its
    counts agree with a recount of the files."""
    from perfpack.measures import domestic
    from perfpack.periods import Window

    last = pd.Timestamp(end)
    first = last - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    got = domestic.repeat_victims(domestic.occurrences(dataset.tables["crimes"], dataset.tables["incidents"]), Window(first.date(), last.date()))
    lo, hi = REPEAT_SHARE_ANY_WINDOW
    assert lo <= got.share <= hi
    per_victim = da_file.loc[da_file["when"].between(first, last), "victim_id"].value_counts()
    assert (got.victims, got.repeat_victims) == (len(per_victim), int((per_victim >= 2).sum()))

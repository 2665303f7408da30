"""The synthetic demo data set: shape, determinism, scaling, files, and calibration.

The calibration checks recompute the seed's figures with plain pandas on one scale-1
generation (period 2020-Q4), independently of the pack's own measures.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from calibration_targets import FOREWORD_CODES, FOREWORD_TARGETS, FOREWORD_WINDOW, REPEAT_SHARE_ANY_WINDOW, SAC_TARGETS
from perfpack.config import load_config
from perfpack.sources import demo
from perfpack.sources.classification import classification
from perfpack.sources.demo import write as demo_write

NPAS = list(load_config().npas)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return demo.generate()


@pytest.fixture(scope="module")
def crimes(data) -> pd.DataFrame:
    lookup = classification()[["category", "violence_type", "ho_offence_group", "in_all_crime"]]
    return data["crimes"].join(lookup, on="offence_code")


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return demo.generate(scale=0.2, seed=11)


# ----------------------------------------------------------------------------- helpers


def within(s: pd.Series, start: str, end: str) -> pd.Series:
    """Inclusive day window on a date or datetime column."""
    return (s >= pd.Timestamp(start)) & (s < pd.Timestamp(end) + pd.Timedelta(days=1))


def n_in(df: pd.DataFrame, col: str, start: str, end: str) -> int:
    return int(within(df[col], start, end).sum())


def pct(cur: float, prev: float) -> float:
    return 100.0 * (cur / prev - 1.0)


def change(df: pd.DataFrame, col: str, start: str, end: str) -> float:
    """% change over [start, end] in 2020 against the same dates in 2019."""
    return pct(n_in(df, col, start, end), n_in(df, col, start.replace("2020", "2019"), end.replace("2020", "2019")))


YEAR = ("2020-01-01", "2020-12-31")
COVID = ("2020-03-16", "2020-12-31")
LOCKDOWN = ("2020-03-16", "2020-07-03")
WITHDRAWAL = ("2020-07-04", "2020-09-30")
TIERS = ("2020-10-01", "2020-12-31")


def monthly(df: pd.DataFrame, col: str) -> pd.Series:
    return df.groupby(df[col].dt.to_period("M")).size()


def mchange(m: pd.Series, month: str) -> float:
    p = pd.Period(month, "M")
    return pct(m[p], m[p - 12])


# ----------------------------------------------------------------------------- shape


EXPECTED_DTYPES = {
    "crimes": {"crime_id": "str", "recorded_date": "datetime64[us]", "offence_code": "str", "npa": "str", "domestic": "bool", "victim_id": "str"},
    "incidents": {
        "incident_id": "str",
        "opened_at": "datetime64[us]",
        "category": "str",
        "covid_related": "bool",
        "npa": "str",
        "victim_id": "str",
        "grade": "int64",
        "attended": "bool",
    },
    "calls": {"date": "datetime64[us]", "channel": "str", "calls": "int64"},
    "fraud_reports": {
        "report_id": "str",
        "reported_date": "datetime64[us]",
        "fraud_type": "str",
        "loss_gbp": "float64",
        "victim_type": "str",
        "victim_age_band": "str",
        "support_requested": "bool",
        "disseminated_to_force": "bool",
    },
    "fpns": {"fpn_id": "str", "issued_date": "datetime64[us]", "breach_type": "str", "npa": "str"},
}


def test_tables_columns_and_dtypes(data):
    assert tuple(data) == demo.TABLES
    for name, df in data.items():
        assert tuple(df.columns) == demo.COLUMNS[name]
        assert list(df.columns) == list(EXPECTED_DTYPES[name])
        assert {c: str(t) for c, t in df.dtypes.items()} == EXPECTED_DTYPES[name], name
        assert len(df) > 0
        assert df.index.equals(pd.RangeIndex(len(df)))


def test_date_range_and_dates_are_days(data):
    for name, col in [("crimes", "recorded_date"), ("calls", "date"), ("fraud_reports", "reported_date")]:
        s = data[name][col]
        assert s.min() == pd.Timestamp("2016-01-01"), name
        assert s.max() == pd.Timestamp("2021-03-31"), name
        assert (s == s.dt.normalize()).all(), name
    opened = data["incidents"]["opened_at"]
    assert opened.min() >= pd.Timestamp("2016-01-01") and opened.max() < pd.Timestamp("2021-04-01")
    assert opened.dt.hour.nunique() == 24  # a time of day, not midnight
    assert (opened.dt.microsecond == 0).all()


@pytest.mark.parametrize(
    "table, col, pattern",
    [
        ("crimes", "crime_id", r"CR[0-9A-F]{10}"),
        ("incidents", "incident_id", r"IN[0-9A-F]{10}"),
        ("fraud_reports", "report_id", r"AF[0-9A-F]{10}"),
        ("fpns", "fpn_id", r"FPN[0-9A-F]{8}"),
    ],
)
def test_ids_unique_and_pseudonymous(data, table, col, pattern):
    ids = data[table][col]
    assert ids.notna().all() and ids.is_unique
    assert ids.str.fullmatch(pattern).all()
    # not sequential: the ids carry no order (about half of neighbours increase)
    values = ids.str[-8:].map(lambda h: int(h, 16)).to_numpy()
    rising = np.mean(np.diff(values) > 0)
    assert 0.45 < rising < 0.55


def test_npas_and_sizes(data):
    for name in ("crimes", "incidents", "fpns"):
        assert set(data[name]["npa"]) == set(NPAS), name
    sizes = data["crimes"]["npa"].value_counts()
    assert sizes.index[0] == "Stoke-on-Trent"
    assert sizes.iloc[0] > 2.5 * sizes.iloc[1]  # a city against districts
    share = sizes / sizes.sum()
    assert share.min() > 0.04


def test_offence_codes_from_the_classification(crimes):
    assert crimes["category"].notna().all(), "every code is in the shipped classification"
    assert crimes["in_all_crime"].all(), "no fraud codes (AF, CIFAS, UK Finance)"
    assert not crimes["offence_code"].isin(["AF", "CIFAS", "UK Finance", "FFA UK"]).any()
    groups = crimes["ho_offence_group"].value_counts(normalize=True)
    for g in [
        "Violence against the person",
        "Theft offences",
        "Criminal damage and arson",
        "Public order offences",
        "Sexual offences",
        "Robbery",
        "Drug offences",
        "Possession of weapons offences",
        "Miscellaneous crimes",
    ]:
        assert g in groups.index, g
    assert 0.3 < groups["Violence against the person"] < 0.45
    assert 0.25 < groups["Theft offences"] < 0.4
    assert set(crimes["category"]) >= set(
        ["other", *["residential_burglary", "business_burglary", "theft_of_motor_vehicle", "theft_from_motor_vehicle", "personal_robbery", "business_robbery"]]
    )


def test_about_85000_crimes_a_year_and_declining_into_the_pandemic(crimes):
    per_year = crimes.groupby(crimes["recorded_date"].dt.year).size()
    for y in (2016, 2017, 2018, 2019):
        assert 80_000 <= per_year[y] <= 92_000, (y, per_year[y])
    assert per_year[2019] < per_year[2018]
    assert change(crimes, "recorded_date", "2020-01-01", "2020-03-15") < -3  # before the pandemic


def test_seasonality(crimes, data):
    def month_profile(df, col):
        pre = df[df[col] < pd.Timestamp("2020-01-01")]
        return pre.groupby(pre[col].dt.month).size()

    violence = crimes[crimes["ho_offence_group"] == "Violence against the person"]
    v = month_profile(violence, "recorded_date")
    assert v[[6, 7, 8]].mean() > 1.1 * v[[1, 2, 11]].mean()
    burglary = crimes[crimes["category"] == "residential_burglary"]
    b = month_profile(burglary, "recorded_date")
    assert b[[11, 12, 1]].mean() > 1.15 * b[[5, 6, 7]].mean()
    asb = data["incidents"][data["incidents"]["category"].str.startswith("asb_")]
    a = month_profile(asb, "opened_at")
    assert a[[6, 7, 8]].mean() > 1.3 * a[[12, 1, 2]].mean()


def test_victim_ids(data):
    c, i = data["crimes"], data["incidents"]
    pattern = r"V[0-9A-F]{10}"
    assert c.loc[c["domestic"], "victim_id"].notna().all()
    assert c["victim_id"].dropna().str.fullmatch(pattern).all()
    other = c.loc[~c["domestic"], "victim_id"]
    assert 0.2 < other.notna().mean() < 0.9  # some non-domestic crimes have a victim, some not
    dnc = i["category"] == "domestic_non_crime"
    assert i.loc[dnc, "victim_id"].notna().all()
    assert i.loc[~dnc, "victim_id"].isna().all()
    assert i["victim_id"].dropna().str.fullmatch(pattern).all()
    # one namespace: DA victims appear in both tables; non-domestic victims are not DA victims
    da_crime = set(c.loc[c["domestic"], "victim_id"])
    da_incident = set(i.loc[dnc, "victim_id"])
    assert len(da_crime & da_incident) > 1000
    assert not set(other.dropna()) & (da_crime | da_incident)
    assert other.dropna().is_unique


def test_domestic_victims_recur_and_stay_in_one_npa(data):
    c, i = data["crimes"], data["incidents"]
    da = pd.concat(
        [
            c.loc[c["domestic"], ["victim_id", "recorded_date", "npa"]].rename(columns={"recorded_date": "when"}),
            i.loc[i["category"] == "domestic_non_crime", ["victim_id", "opened_at", "npa"]].rename(columns={"opened_at": "when"}),
        ]
    )
    assert (da.groupby("victim_id")["npa"].nunique() == 1).all()
    years = da.groupby("victim_id")["when"].agg(lambda s: s.dt.year.nunique())
    assert (years > 1).mean() > 0.03  # some victims carry over into another year


def test_incident_categories_grades_and_covid(data):
    inc = data["incidents"]
    assert set(inc["category"]) == set(demo.INCIDENT_CATEGORIES)
    assert set(inc["grade"]) == {1, 2, 3, 4}
    assert not inc.loc[inc["grade"] == 4, "attended"].any()
    assert inc.loc[inc["grade"] == 1, "attended"].mean() > 0.95
    cov = inc[inc["covid_related"]]
    assert cov["opened_at"].min() >= pd.Timestamp("2020-03-16")
    assert cov["category"].str.startswith("asb_").mean() > 0.95  # breaches are classed as ASB
    # related incidents reduced in the summer, rising again with local restrictions and lockdown
    m = monthly(cov, "opened_at")
    assert m["2020-04"] > 3 * m["2020-08"] and m["2020-11"] > 3 * m["2020-08"] and m["2021-01"] > m["2020-12"]


def test_fms_demand_trends(data):
    inc, calls = data["incidents"], data["calls"]
    year = inc["opened_at"].dt.year
    attended = inc[inc["attended"]].groupby(year).size()
    urgent = inc[inc["grade"] <= 2].groupby(year).size()
    for y in range(2017, 2021):
        assert attended[y] <= 1.005 * attended[y - 1], y  # falling gently
        assert urgent[y] >= 0.99 * urgent[y - 1], y  # grade 1 and 2 rising
    assert attended[2019] < attended[2016] and urgent[2019] > 1.1 * urgent[2016]
    c999 = calls[calls["channel"] == "999"].groupby(calls["date"].dt.year)["calls"].sum()
    assert c999[2016] < c999[2017] < c999[2018] < c999[2019] <= c999[2020]


def test_calls_one_row_per_day_and_channel(data):
    calls = data["calls"]
    days = pd.date_range("2016-01-01", "2021-03-31")
    assert len(calls) == 3 * len(days)
    assert list(calls["channel"].unique()) == ["999", "101", "digital"]
    assert not calls.duplicated(["date", "channel"]).any()
    assert (calls["calls"] >= 0).all()
    assert set(calls["date"]) == set(days)


def test_fraud_table_values(data):
    fr = data["fraud_reports"]
    assert set(fr["fraud_type"]) == set(demo.FRAUD_TYPES)
    assert set(fr["victim_type"]) == {"individual", "organisation"}
    assert set(fr["victim_age_band"]) == set(demo.AGE_BANDS)
    org = fr["victim_type"] == "organisation"
    assert (fr.loc[org, "victim_age_band"] == "Not applicable").all()
    assert (fr.loc[~org, "victim_age_band"] != "Not applicable").all()
    assert (fr["loss_gbp"] >= 0).all()
    assert 0.3 < (fr["loss_gbp"] == 0).mean() < 0.6  # many zero
    nonzero = fr.loc[fr["loss_gbp"] > 0, "loss_gbp"]
    assert nonzero.mean() > 3 * nonzero.median()  # heavy tail


def test_fpn_values(data):
    fp = data["fpns"]
    assert set(fp["breach_type"]) <= set(demo.BREACH_TYPES) and fp["breach_type"].value_counts().index[0] == "gathering"
    assert fp["issued_date"].min() >= pd.Timestamp("2020-03-26")


# ----------------------------------------------------------------------------- determinism and scale


def test_same_seed_same_frames_different_seed_different(small):
    again = demo.generate(scale=0.2, seed=11)
    for name in demo.TABLES:
        pd.testing.assert_frame_equal(small[name], again[name])
    other = demo.generate(scale=0.2, seed=12)
    for name in demo.TABLES:
        assert not small[name].equals(other[name]), name


def test_scale_multiplies_every_volume(small):
    double = demo.generate(scale=0.4, seed=11)
    for name in ("crimes", "incidents", "fraud_reports", "fpns"):
        ratio = len(double[name]) / len(small[name])
        assert ratio == pytest.approx(2.0, rel=0.02), name
    assert double["calls"]["calls"].sum() / small["calls"]["calls"].sum() == pytest.approx(2.0, rel=0.01)
    assert len(double["calls"]) == len(small["calls"])  # still one row per day and channel
    v_small = small["crimes"].loc[small["crimes"]["domestic"], "victim_id"].nunique()
    v_double = double["crimes"].loc[double["crimes"]["domestic"], "victim_id"].nunique()
    assert v_double / v_small == pytest.approx(2.0, rel=0.05)


def test_bad_scale_is_refused():
    with pytest.raises(ValueError):
        demo.generate(scale=0)


# ----------------------------------------------------------------------------- files


def test_write_demo_csv(tmp_path, small):
    out = tmp_path / "demo"
    paths = demo.write_demo(out, scale=0.2, seed=11)
    assert paths == [out / f"{t}.csv" for t in demo.TABLES]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no temporary folder left behind
    crimes_text = (out / "crimes.csv").read_text()
    lines = crimes_text.splitlines()
    assert lines[0] == "crime_id,recorded_date,offence_code,npa,domestic,victim_id"
    assert re.fullmatch(r"CR[0-9A-F]{10},\d{4}-\d{2}-\d{2},[^,]+,[^,]+,(true|false),(V[0-9A-F]{10})?", lines[1])
    assert any(line.endswith(",false,") for line in lines[1:200])  # empty victim_id is an empty field
    inc_line = (out / "incidents.csv").read_text().splitlines()[1]
    assert re.fullmatch(r"IN[0-9A-F]{10},\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\w+,(true|false),[^,]+,(V[0-9A-F]{10})?,[1-4],(true|false)", inc_line)
    # round trip
    for name in demo.TABLES:
        back = pd.read_csv(
            out / f"{name}.csv",
            parse_dates=list(filter(None, [demo.DATE_COLUMNS.get(name), demo.DATETIME_COLUMNS.get(name)])),
            dtype={"channel": "str", "victim_id": "str"},
        )
        pd.testing.assert_frame_equal(back, small[name], check_dtype=False)
    # byte-identical again, and rewriting the folder replaces it
    again = demo.write_demo(tmp_path / "again", scale=0.2, seed=11)
    for a, b in zip(paths, again):
        assert a.read_bytes() == b.read_bytes()
    demo.write_demo(out, scale=0.2, seed=11)
    assert (out / "crimes.csv").read_text() == crimes_text


def test_write_demo_parquet(tmp_path):
    paths = demo.write_demo(tmp_path / "pq", scale=0.05, seed=3, fmt="parquet")
    frames = demo.generate(scale=0.05, seed=3)
    for name, p in zip(demo.TABLES, paths):
        back = pd.read_parquet(p)
        assert list(back.columns) == list(demo.COLUMNS[name])
        assert len(back) == len(frames[name])
    again = demo.write_demo(tmp_path / "pq2", scale=0.05, seed=3, fmt="parquet")
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(paths, again))


def test_write_demo_never_leaves_a_half_written_folder(tmp_path, monkeypatch):
    real = demo.write_table
    calls = []

    def failing(name, df, path, fmt):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real(name, df, path, fmt)

    monkeypatch.setattr(demo_write, "write_table", failing)
    with pytest.raises(RuntimeError):
        demo.write_demo(tmp_path / "demo", scale=0.02)
    assert list(tmp_path.iterdir()) == []


def test_write_demo_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        demo.write_demo(tmp_path, scale=0.02)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


# ----------------------------------------------------------------------------- calibration (2020-Q4)


def test_all_crime_year_and_every_npa_down(crimes):
    assert change(crimes, "recorded_date", *YEAR) == pytest.approx(-18, abs=2)
    for npa, df in crimes.groupby("npa"):
        assert change(df, "recorded_date", *YEAR) < 0, npa


def test_all_crime_covid_window_and_periods(crimes):
    assert change(crimes, "recorded_date", *COVID) == pytest.approx(-20, abs=2)
    assert change(crimes, "recorded_date", *LOCKDOWN) == pytest.approx(-30, abs=3)
    assert change(crimes, "recorded_date", *WITHDRAWAL) == pytest.approx(-16, abs=3)
    assert change(crimes, "recorded_date", *TIERS) == pytest.approx(-12, abs=3)


@pytest.mark.parametrize("category, target, tol", SAC_TARGETS)
def test_serious_acquisitive_crime(crimes, category, target, tol):
    assert change(crimes[crimes["category"] == category], "recorded_date", *YEAR) == pytest.approx(target, abs=tol)


def _da(data):
    c, i = data["crimes"], data["incidents"]
    return pd.concat(
        [
            c.loc[c["domestic"], ["victim_id", "recorded_date"]].rename(columns={"recorded_date": "when"}),
            i.loc[i["category"] == "domestic_non_crime", ["victim_id", "opened_at"]].rename(columns={"opened_at": "when"}),
        ],
        ignore_index=True,
    )


def test_domestic_abuse_crime_and_non_crime(data):
    assert change(_da(data), "when", *YEAR) == pytest.approx(-5, abs=2)


def test_domestic_abuse_volumes_are_plausible_for_the_force(data):
    """About 24,000 occurrences a year before the pandemic, some 15,000 of them crimes (the
    rest non-crime incidents): a sixth of all crime is domestic."""
    c, i = data["crimes"], data["incidents"]
    da = _da(data)
    occ = da.groupby(da["when"].dt.year).size()
    dom = c[c["domestic"]].groupby(c.loc[c["domestic"], "recorded_date"].dt.year).size()
    dnc = i[i["category"] == "domestic_non_crime"]
    non_crime = dnc.groupby(dnc["opened_at"].dt.year).size()
    for y in (2019, 2020):
        assert 22_000 <= occ[y] <= 26_000, (y, occ[y])
        assert 14_000 <= dom[y] <= 16_000, (y, dom[y])
        assert 7_000 <= non_crime[y] <= 10_000, (y, non_crime[y])
    share = dom[2019] / c["recorded_date"].dt.year.eq(2019).sum()
    assert 0.15 < share < 0.2


@pytest.mark.parametrize("year, repeat, share", [(2019, 5004, 31), (2020, 4991, 33)])
def test_domestic_abuse_repeat_victims(data, year, repeat, share):
    """The seed's table: 5,004 repeat victims (two or more occurrences, crime or non-crime, in
    the year), 31% of all distinct victims, in 2019; 4,991 at 33% in 2020."""
    da = _da(data)
    per_victim = da[da["when"].dt.year == year]["victim_id"].value_counts()
    repeat_victims = int((per_victim >= 2).sum())
    assert repeat_victims == pytest.approx(repeat, rel=0.03)
    assert 100 * repeat_victims / len(per_victim) == pytest.approx(share, abs=2)
    assert len(per_victim) == pytest.approx(repeat / (share / 100), rel=0.08)  # about 16,100 and 15,100 victims
    assert per_victim.sum() > len(per_victim) + repeat_victims  # some repeat victims have three or more


def test_domestic_abuse_repeat_share_holds_in_every_12_month_window(data):
    """The share of repeat victims is a property of the victims, not of the calendar year: in
    every 12-month window ending in a month of 2019-2021 that the data cover (January 2019 to
    March 2021), 30-34%, between the seed's 31% for 2019 and 33% for 2020. Recounted here from
    the records: a victim's occurrences in the window, crime and non-crime; two or more make a
    repeat victim."""
    da = _da(data)
    last_day = da["when"].max().normalize()
    lo, hi = REPEAT_SHARE_ANY_WINDOW
    shares = {}
    for end in pd.period_range("2019-01", "2021-12", freq="M"):
        window_end = end.to_timestamp(how="end").normalize()
        if window_end > last_day:
            continue
        start = (end - 11).to_timestamp()
        per_victim = da.loc[within(da["when"], str(start.date()), str(window_end.date())), "victim_id"].value_counts()
        shares[str(end)] = 100 * (per_victim >= 2).sum() / len(per_victim)
    assert len(shares) == 27, sorted(shares)  # January 2019 .. March 2021
    outside = {m: round(v, 1) for m, v in shares.items() if not lo <= v <= hi}
    assert not outside, f"repeat share outside {lo}-{hi}% in the 12 months to: {outside}"
    assert shares["2019-12"] == pytest.approx(31, abs=0.5) and shares["2020-12"] == pytest.approx(33, abs=0.5)


def test_domestic_violence_by_type(crimes):
    dom = crimes[crimes["domestic"]]
    for vt, target in [("serious_assault", -4), ("less_serious_assault", -16), ("other_vap", 5)]:
        assert change(dom[dom["violence_type"] == vt], "recorded_date", *YEAR) == pytest.approx(target, abs=3), vt


def test_non_domestic_violence_shape(crimes):
    nd = crimes[~crimes["domestic"] & (crimes["ho_offence_group"] == "Violence against the person")]
    m = monthly(nd, "recorded_date")
    assert mchange(m, "2020-04") < -25  # large drop at the first lockdown
    assert m["2020-08"] > m["2020-07"] and m["2020-08"] > m["2020-09"]  # the August rise
    serious = nd[nd["violence_type"] == "serious_assault"]
    assert change(serious, "recorded_date", *YEAR) < -5
    assert change(serious, "recorded_date", *TIERS) < 0


def test_theft_of_motor_vehicle_reduction_narrows(crimes):
    tomv = crimes[crimes["category"] == "theft_of_motor_vehicle"]
    assert change(tomv, "recorded_date", "2020-10-01", "2020-12-31") > change(tomv, "recorded_date", "2020-04-01", "2020-09-30") + 8


def test_recorded_asb(data):
    inc = data["incidents"]
    asb = inc[inc["category"].isin(demo.ASB_CATEGORIES)]
    assert change(asb, "opened_at", *COVID) == pytest.approx(39, abs=4)
    assert change(asb, "opened_at", *LOCKDOWN) == pytest.approx(66, abs=6)
    assert abs(change(asb, "opened_at", *WITHDRAWAL)) < 8  # near 2019 levels
    other = monthly(asb[~asb["covid_related"]], "opened_at")
    below = [mchange(other, f"2020-{mm:02d}") < 0 for mm in range(1, 13)]
    assert sum(below) >= 9  # non-Covid ASB below 2019 most of the year
    assert all(mchange(other, m) < -5 for m in ("2020-10", "2020-11", "2020-12"))  # particularly in winter


def test_calls_for_service(data):
    calls = data["calls"]

    def total(start, end, channel=None):
        sel = within(calls["date"], start, end)
        if channel:
            sel &= calls["channel"] == channel
        return calls.loc[sel, "calls"].sum()

    assert pct(total(*COVID), total("2019-03-16", "2019-12-31")) == pytest.approx(-4, abs=2)
    assert pct(total(*COVID, "digital"), total("2019-03-16", "2019-12-31", "digital")) > 20
    assert pct(total(*COVID, "101"), total("2019-03-16", "2019-12-31", "101")) < -5
    assert pct(total("2020-08-01", "2020-08-31", "999"), total("2019-08-01", "2019-08-31", "999")) > 5


@pytest.mark.parametrize("key, target, tol", FOREWORD_TARGETS)
def test_foreword_figures(data, key, target, tol):
    """The foreword: domestic burglary -31%, robbery -37%, serious sexual offences -28%, rape
    -27%, vehicle crime -33% and domestic abuse crimes -2%, 16 March-31 December 2020 against
    the same dates of 2019."""
    c = data["crimes"]
    sel = c[c["domestic"]] if key == "domestic_abuse_crime" else c[c["offence_code"].isin(FOREWORD_CODES[key])]
    assert change(sel, "recorded_date", *FOREWORD_WINDOW) == pytest.approx(target, abs=tol)


def test_no_round_yearly_totals_in_2019(data, crimes):
    """Nothing in the demo data looks typed in: no 2019 total of any stream (a table, an offence
    group, code or report category, domestic or not, an incident category, a call channel, a
    fraud type) is a multiple of 1,000. (Totals are drawn, so a new parameter could, once in a
    while, land on one by chance: change the volume a little.)"""
    c = crimes[crimes["recorded_date"].dt.year == 2019]
    inc = data["incidents"][data["incidents"]["opened_at"].dt.year == 2019]
    calls = data["calls"][data["calls"]["date"].dt.year == 2019]
    fraud = data["fraud_reports"][data["fraud_reports"]["reported_date"].dt.year == 2019]
    totals = {
        "crimes": len(c),
        "incidents": len(inc),
        "calls": int(calls["calls"].sum()),
        "fraud reports": len(fraud),
        "recorded ASB": int(inc["category"].isin(demo.ASB_CATEGORIES).sum()),
    }
    for col in ("ho_offence_group", "category", "violence_type", "offence_code", "domestic"):
        totals |= {f"crimes {col} {k}": int(n) for k, n in c.groupby(col).size().items()}
    totals |= {f"crimes domestic={d} {g}": int(n) for (d, g), n in c.groupby(["domestic", "ho_offence_group"]).size().items()}
    totals |= {f"incidents {k}": int(n) for k, n in inc.groupby("category").size().items()}
    totals |= {f"calls {k}": int(n) for k, n in calls.groupby("channel")["calls"].sum().items()}
    totals |= {f"fraud {k}": int(n) for k, n in fraud.groupby("fraud_type").size().items()}
    assert len(totals) > 150
    round_totals = {k: n for k, n in totals.items() if n and n % 1000 == 0}
    assert not round_totals, round_totals


def test_no_covid_period_repeats_the_year_before(data):
    """Daily noise: calls in each Covid-19 period differ from the same dates a year earlier on
    every channel, even where the two years are comparable (999 calls in the third period)."""
    calls = data["calls"]
    for channel in demo.CHANNELS:
        ch = calls[calls["channel"] == channel]
        for start, end in (LOCKDOWN, WITHDRAWAL, TIERS):
            cur = ch.loc[within(ch["date"], start, end), "calls"].sum()
            prev = ch.loc[within(ch["date"], start.replace("2020", "2019"), end.replace("2020", "2019")), "calls"].sum()
            assert cur != prev, (channel, start)
    c999 = calls[calls["channel"] == "999"]
    third = [c999.loc[within(c999["date"], a, b), "calls"].sum() for a, b in (TIERS, ("2019-10-01", "2019-12-31"))]
    assert third[0] != third[1] and abs(pct(*third)) < 3  # comparable to 2019, not a copy of it
    daily = c999.set_index("date")["calls"]
    assert (daily["2020-10-01":"2020-12-31"].to_numpy() != daily["2019-10-01":"2019-12-31"].to_numpy()).mean() > 0.9


def test_action_fraud(data):
    fr = data["fraud_reports"]
    win = fr[within(fr["reported_date"], "2020-01-01", "2021-01-31")]
    assert len(win) == pytest.approx(6599, rel=0.03)
    assert win["loss_gbp"].sum() == pytest.approx(15.8e6, rel=0.05)
    assert (win["victim_type"] == "individual").mean() == pytest.approx(0.89, abs=0.015)
    assert 0.4 <= win["support_requested"].mean() < 0.5  # nearly half
    assert monthly(win, "reported_date").idxmax() == pd.Period("2020-07", "M")
    assert win["fraud_type"].value_counts().index[0] == "Consumer fraud"
    before = fr[within(fr["reported_date"], "2019-01-01", "2019-12-31")]
    assert len(win) / 13 > len(before) / 12  # more reports than before the pandemic


def test_fraud_disseminations(data):
    fr = data["fraud_reports"]
    d = fr[fr["disseminated_to_force"]]
    per_year = d.groupby(d["reported_date"].dt.year).size()
    m = monthly(d, "reported_date")
    assert m.idxmax().year == 2018 and m.idxmax().month >= 9  # dropping since the end of 2018
    assert per_year[2019] < per_year[2018]
    assert m["2020-04"] > 1.3 * m[["2020-01", "2020-02", "2020-03"]].mean()  # the April rise
    assert 1.0 < per_year[2020] / per_year[2019] < 1.15  # slightly higher than 2019


def test_covid_fpns(data):
    fp = data["fpns"]
    m = monthly(fp, "issued_date").reindex(pd.period_range("2020-03", "2021-03", freq="M"), fill_value=0)
    assert m[["2020-07", "2020-08", "2020-09"]].sum() == 0
    assert m.idxmax() == pd.Period("2021-01", "M")
    assert 0 < m[["2020-04", "2020-05", "2020-06"]].max() < 0.4 * m["2021-01"]
    assert m["2020-10"] < m["2020-11"] < m["2020-12"] < m["2021-01"]

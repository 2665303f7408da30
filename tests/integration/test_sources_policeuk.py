"""data.police.uk street-level files: the loader's counts against a hand count of the real
September 2019 Staffordshire file (csv module, independent of the loader), both folder layouts,
a force that is not there, and synthetic files for another force with districts outside it."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from conftest import SHARED_DATA, needs_shared
from perfpack.measures.counts import compare_windows
from perfpack.pages import all_crime
from perfpack.pages.section import Section
from perfpack.periods import Window
from perfpack.sources import SourceError, load_dataset, write_snapshot
from perfpack.sources.contract import DataValidationError
from perfpack.sources.policeuk import STREET_COLUMNS, district_of, load_policeuk, type_key
from perfpack.sources.snapshot import read_snapshot

REAL = SHARED_DATA / "policeuk" / "2019-09-staffordshire-street.csv"
real = needs_shared(REAL)


# ---- the hand count: plain csv module, own parsing of the LSOA name ----------------------------


def hand_count(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    types = Counter(r["Crime type"] for r in rows)
    districts = Counter()
    for r in rows:
        name = r["LSOA name"].strip()
        if not name:
            districts["No location"] += 1
        else:
            head, _, tail = name.rpartition(" ")
            assert re.fullmatch(r"\d{3}[A-Z]", tail), name
            districts[head] += 1
    asb = [r for r in rows if r["Crime type"] == "Anti-social behaviour"]
    return {
        "rows": len(rows),
        "no_lsoa": sum(1 for r in rows if not r["LSOA name"].strip()),
        "asb": len(asb),
        "asb_without_id": sum(1 for r in asb if not r["Crime ID"]),
        "types": types,
        "districts": districts,
        "crime_districts": Counter(districts_of_row(r) for r in rows if r["Crime type"] != "Anti-social behaviour"),
        "crime_ids": {r["Crime ID"] for r in rows if r["Crime type"] != "Anti-social behaviour"},
    }


def districts_of_row(r):
    name = r["LSOA name"].strip()
    return name.rpartition(" ")[0] if name else "No location"


@pytest.fixture(scope="module")
def hand():
    if not REAL.exists():
        pytest.skip(f"{REAL} is not here: the real public data live in ../shared/data")
    return hand_count(REAL)


@pytest.fixture(scope="module")
def flat_and_archive(tmp_path_factory):
    """The real file copied into a flat folder and into the archive's YYYY-MM/ layout."""
    if not REAL.exists():
        pytest.skip(f"{REAL} is not here: the real public data live in ../shared/data")
    root = tmp_path_factory.mktemp("policeuk")
    flat = root / "flat"
    flat.mkdir()
    shutil.copy(REAL, flat / REAL.name)
    archive = root / "archive"
    (archive / "2019-09").mkdir(parents=True)
    shutil.copy(REAL, archive / "2019-09" / REAL.name)
    return flat, archive


@real
def test_hand_count_of_the_real_file_matches_provenance(hand):
    assert hand["rows"] == 8077
    assert hand["no_lsoa"] == 688
    assert hand["asb"] == hand["asb_without_id"]  # ASB rows have no Crime ID


@real
@pytest.mark.parametrize("layout", ["flat", "archive"])
def test_counts_match_the_hand_count_in_both_layouts(flat_and_archive, hand, config, layout):
    folder = flat_and_archive[0] if layout == "flat" else flat_and_archive[1]
    ds = load_policeuk(folder, "staffordshire", config)
    crimes, inc = ds.tables["crimes"], ds.tables["incidents"]
    assert len(crimes) + len(inc) == hand["rows"] == 8077
    assert len(inc) == hand["asb"]
    assert inc["incident_id"].is_unique and inc["is_asb"].all()
    assert set(inc["category"]) == {"asb_unspecified"}
    # every crime keeps its police.uk Crime ID
    assert set(crimes["crime_id"]) == hand["crime_ids"]
    # rows per police.uk crime type
    got = Counter(crimes["policeuk_crime_type"])
    got["Anti-social behaviour"] = len(inc)
    assert got == hand["types"]
    # rows per district, no-location rows included, nothing dropped
    both = Counter(crimes["district"]) + Counter(inc["district"])
    assert both == hand["districts"]
    assert both["No location"] == 688
    assert Counter(crimes["district"]) == hand["crime_districts"]
    # by area: the force's districts, then one row outside the force area, then no location
    areas = Counter(crimes["npa"]) + Counter(inc["npa"])
    outside = sum(n for d, n in hand["districts"].items() if d not in config.npas and d != "No location")
    assert areas == Counter({d: n for d, n in hand["districts"].items() if d in config.npas} | {"No location": 688, "Outside the force area": outside})
    # the month, and what police.uk cannot give
    assert set(crimes["recorded_date"]) == {pd.Timestamp("2019-09-01")}
    assert ds.coverage("crimes") == (date(2019, 9, 1), date(2019, 9, 30))
    assert crimes["domestic"].isna().all() and crimes["victim_id"].isna().all()
    assert (crimes["offence_code"] == "").all() and crimes["in_all_crime"].all()
    for key in ("domestic", "victim_id", "fraud_reports", "calls", "fpns", "covid_related", "offence_code", "grade"):
        assert "not available from this source" in ds.unavailable[key]
    assert ds.granularity == {"crimes": "month", "incidents": "month"}
    assert ds.force == "Staffordshire Police"


@real
def test_areas_are_the_configured_npas_and_outside_districts_are_listed(flat_and_archive, hand, config):
    ds = load_policeuk(flat_and_archive[0], "staffordshire", config)
    assert ds.npas == list(config.npas)
    outside = {d: n for d, n in hand["districts"].items() if d not in config.npas and d != "No location"}
    assert outside and sum(outside.values()) == 26  # Walsall, Shropshire, Wolverhampton, ...
    note = next(n for n in ds.notes if "outside" in n)
    assert note.startswith(f"{sum(outside.values())} rows")
    for d, n in outside.items():
        assert f"{d} ({n})" in note
    assert any(n.startswith("688 of 8,077 rows") for n in ds.notes)
    # by NPA: configured areas first, then outside the force area and no location: nothing dropped
    w = Window(date(2019, 9, 1), date(2019, 9, 30))
    table = compare_windows(ds.tables["crimes"], "recorded_date", w, Window(date(2019, 8, 1), date(2019, 8, 31)), by="npa", areas=ds.npas)
    assert table["current"].iloc[0] == len(ds.tables["crimes"]) == sum(table["current"].iloc[1:])
    assert list(table["area"].iloc[1:]) == list(config.npas) + ["Outside the force area", "No location"]


@real
def test_one_row_per_crime_type_for_figures(flat_and_archive, hand, config):
    ds = load_policeuk(flat_and_archive[1], "staffordshire", config)
    s = Section("01-all-crime", period="2019-Q3", data_dir="", config_path=str(config.path), data=ds, display=False)
    rows = all_crime.policeuk_type_rows(s)
    by_key = {r["key"]: r for r in rows}
    assert set(by_key) == {type_key(t) for t in hand["types"]}
    assert by_key["violence_and_sexual_offences"]["current"] == hand["types"]["Violence and sexual offences"]
    assert by_key["anti_social_behaviour"]["current"] == hand["types"]["Anti-social behaviour"]
    assert by_key["anti_social_behaviour"]["label"] == "Anti-social behaviour"
    # one month of data: the latest 12 months are covered in part and the 12 before not at
    # all, so no zero and no comparison, but words saying so
    assert all(r["previous"] is None and r["significance"] == "incomplete coverage" for r in rows)
    assert all(
        r["coverage"] == "Oct 2018 – Sep 2019: data cover 1 of 12 months (no data for October 2018–August 2019); Oct 2017 – Sep 2018: no data for this period"
        for r in rows
    )
    assert all(r["change"] is None and r["pct_change"] is None and r["p_value"] is None for r in rows)


@real
def test_force_not_in_the_files_lists_the_forces_that_are(flat_and_archive, config):
    with pytest.raises(SourceError) as e:
        load_policeuk(flat_and_archive[1], "west-midlands", config)
    msg = str(e.value)
    assert "west-midlands" in msg and "staffordshire" in msg and str(flat_and_archive[1]) in msg


@real
def test_force_name_accepted_and_identical_copies_read_once(tmp_path, config):
    (tmp_path / "2019-09").mkdir()
    shutil.copy(REAL, tmp_path / REAL.name)
    shutil.copy(REAL, tmp_path / "2019-09" / REAL.name)
    ds = load_policeuk(tmp_path, "Staffordshire Police", config)
    assert len(ds.tables["crimes"]) + len(ds.tables["incidents"]) == 8077
    assert any("read once" in n for n in ds.notes)
    assert len(ds.files) == 1 and ds.files[0]["rows"] == 8077 and len(ds.files[0]["sha256"]) == 64


@real
def test_load_dataset_dispatch_and_snapshot_round_trip(flat_and_archive, config, tmp_path):
    ds = load_dataset(flat_and_archive[0], "policeuk", "staffordshire", config)
    snap = read_snapshot(write_snapshot(ds, tmp_path / "snap"))
    assert snap.source == "policeuk" and snap.npas == ds.npas and snap.unavailable == ds.unavailable
    for name, df in ds.tables.items():
        pd.testing.assert_frame_equal(snap.tables[name], df)
    assert snap.tables["crimes"]["domestic"].isna().all()
    assert snap.coverage("incidents") == ds.coverage("incidents")


# ---- synthetic files: another force, districts outside it, awkward rows -------------------------


def street_row(crime_id="", month="2021-03", lsoa="Birmingham 001A", ctype="Burglary", location="On or near High Street", force="West Midlands Police"):
    code = "E01000001" if lsoa else ""
    return [
        crime_id,
        month,
        force,
        force,
        "-1.9" if lsoa else "",
        "52.4" if lsoa else "",
        location if lsoa else "No Location",
        code,
        lsoa,
        ctype,
        "" if not crime_id else "Under investigation",
        "",
    ]


def write_street(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(STREET_COLUMNS)
        w.writerows(rows)


@pytest.fixture
def west_midlands(tmp_path):
    """Two months of a made-up West Midlands set, archive layout, beside another force's file."""
    rows = []
    n = 0
    for district, k in (("Birmingham", 60), ("Coventry", 30), ("Sandwell", 10), ("Lichfield", 1)):
        for i in range(k):
            n += 1
            rows.append(street_row(f"{n:064x}", lsoa=f"{district} {i % 100:03d}B", ctype="Vehicle crime" if i % 3 else "Robbery"))
    rows += [street_row(f"{n + 1:064x}", lsoa="", ctype="Other theft"), street_row("", lsoa="", ctype="Anti-social behaviour")]
    # two identical ASB rows: two incidents with distinct references
    rows += [street_row("", lsoa="Coventry 002C", ctype="Anti-social behaviour")] * 2
    rows += [street_row("", lsoa="Coventry 002C", ctype="Shoplifting")]  # a crime without a Crime ID
    write_street(tmp_path / "2021-03" / "2021-03-west-midlands-street.csv", rows)
    write_street(
        tmp_path / "2021-04" / "2021-04-west-midlands-street.csv",
        [street_row("f" * 64, month="2021-04", lsoa="Birmingham 010A", ctype="Anti-social behaviour")],
    )
    write_street(tmp_path / "2021-03" / "2021-03-staffordshire-street.csv", [street_row("e" * 64, lsoa="Stafford 001A", force="Staffordshire Police")])
    return tmp_path


def test_another_force_gets_its_districts_as_areas(west_midlands, config):
    ds = load_policeuk(west_midlands, "west-midlands", config)
    assert ds.force == "West Midlands Police"
    # districts with a real share of the rows, largest first; Lichfield (1 row) is outside
    assert ds.npas == ["Birmingham", "Coventry", "Sandwell"]
    crimes, inc = ds.tables["crimes"], ds.tables["incidents"]
    assert len(crimes) == 103 and len(inc) == 4
    assert (
        Counter(crimes["district"])["Lichfield"] == 1 and Counter(crimes["npa"])["Outside the force area"] == 1 and Counter(crimes["npa"])["No location"] == 1
    )
    assert any("Lichfield (1)" in n and "outside" in n for n in ds.notes)
    assert inc["incident_id"].is_unique and crimes["crime_id"].is_unique
    assert any("no Crime ID" in n for n in ds.notes)
    assert set(ds.tables["incidents"]["opened_at"]) == {pd.Timestamp("2021-03-01"), pd.Timestamp("2021-04-01")}
    assert ds.coverage("crimes") == (date(2021, 3, 1), date(2021, 3, 31))
    assert ds.coverage("incidents") == (date(2021, 3, 1), date(2021, 4, 30))
    # the same rows give the same references on every run
    again = load_policeuk(west_midlands, "west-midlands", config)
    assert list(again.tables["incidents"]["incident_id"]) == list(inc["incident_id"])


def test_a_missing_month_is_said_not_zeroed(west_midlands, config):
    write_street(west_midlands / "2021-06" / "2021-06-west-midlands-street.csv", [street_row("d" * 64, month="2021-06")])
    ds = load_policeuk(west_midlands, "west-midlands", config)
    assert any("2021-05" in n and "not zero" in n for n in ds.notes)


def test_unknown_force_and_empty_folder(west_midlands, tmp_path_factory, config):
    with pytest.raises(SourceError, match="west-midlands, staffordshire|staffordshire, west-midlands"):
        load_policeuk(west_midlands, "kent", config)
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(SourceError, match="No data.police.uk street-level files"):
        load_policeuk(empty, "kent", config)
    with pytest.raises(SourceError, match="needs --force"):
        load_policeuk(west_midlands, "", config)


def test_two_different_files_for_one_month_is_an_error(west_midlands, config):
    write_street(west_midlands / "2021-03-west-midlands-street.csv", [street_row("c" * 64)])
    with pytest.raises(SourceError, match="same month"):
        load_policeuk(west_midlands, "west-midlands", config)


def test_a_file_with_another_header_is_named(west_midlands, config):
    p = west_midlands / "2021-04" / "2021-04-west-midlands-street.csv"
    p.write_text("Crime ID,Month,Crime type\nx,2021-04,Drugs\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as e:
        load_policeuk(west_midlands, "west-midlands", config)
    assert str(p) in str(e.value) and "LSOA name" in str(e.value)


def test_district_of():
    assert district_of("Cannock Chase 001A") == "Cannock Chase"
    assert district_of("Newcastle-under-Lyme 012F") == "Newcastle-under-Lyme"
    assert district_of("") is None and district_of(None) is None
    assert type_key("Anti-social behaviour") == "anti_social_behaviour"
    assert type_key("Violence and sexual offences") == "violence_and_sexual_offences"


def test_compare_windows_without_any_area_gives_the_force_row_only():
    df = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2019-01-01"]), "npa": pd.Series([pd.NA, pd.NA], dtype="str"), "count": [5, 7]})
    cur, prev = Window(date(2020, 1, 1), date(2020, 12, 31)), Window(date(2019, 1, 1), date(2019, 12, 31))
    out = compare_windows(df, "d", cur, prev, by="npa", areas=("Stafford", "Tamworth"))
    assert out.to_dict("records") == [{"area": "Force", "current": 5, "previous": 7}]

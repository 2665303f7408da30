"""Home Office police recorded crime force-area tables: Staffordshire's 2017/18 quarter 1
figures through the classification, against a hand count of the real file (csv module) and the
values in PROVENANCE.md; quarter mapping; an unknown force; spaced counts; unknown codes."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from datetime import date

import pandas as pd
import pytest

from conftest import SHARED_DATA, needs_shared
from perfpack.measures import counts as measures
from perfpack.periods import Period
from perfpack.sources import SourceError, load_dataset, write_snapshot
from perfpack.sources.contract import DataValidationError
from perfpack.sources.homeoffice import HO_COLUMNS, load_homeoffice, quarter_start
from perfpack.sources.snapshot import read_snapshot

REAL = SHARED_DATA / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv"
real = needs_shared(REAL)

# PROVENANCE.md: Staffordshire 2017/18 quarter 1
PROVENANCE_Q1 = {
    "residential_burglary": 1157,
    "business_burglary": 457,
    "theft_from_motor_vehicle": 813,
    "theft_of_motor_vehicle": 360,
    "personal_robbery": 188,
    "business_robbery": 27,
}
# the offence codes of each category as data/README.md lists them (the hand count uses these,
# not the library's lookup)
CODES = {
    "residential_burglary": {"28A", "28B", "28C", "28D", "28E", "28F", "28G", "28H", "29", "29A"},
    "business_burglary": {"30A", "30B", "30C", "30D", "31", "31A"},
    "theft_of_motor_vehicle": {"48", "37.2"},
    "theft_from_motor_vehicle": {"45"},
    "personal_robbery": {"34B"},
    "business_robbery": {"34A"},
}


@pytest.fixture(scope="module")
def hand():
    """Staffordshire's counts by quarter and category, summed with the csv module."""
    if not REAL.exists():
        pytest.skip(f"{REAL} is not here: the real public data live in ../shared/data")
    by_cat, by_quarter, rows = defaultdict(int), defaultdict(int), 0
    with open(REAL, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["Force Name"] != "Staffordshire":
                continue
            rows += 1
            n = int(r["Number of Offences"].strip())
            by_quarter[int(r["Financial Quarter"])] += n
            for cat, codes in CODES.items():
                if r["Offence Code"].strip() in codes:
                    by_cat[(int(r["Financial Quarter"]), cat)] += n
    return {"by_cat": by_cat, "by_quarter": by_quarter, "rows": rows}


@pytest.fixture(scope="module")
def staffs(config):
    if not REAL.exists():
        pytest.skip(f"{REAL} is not here: the real public data live in ../shared/data")
    return load_homeoffice(REAL.parent, "Staffordshire", config)


@real
def test_hand_count_agrees_with_provenance(hand):
    assert {cat: hand["by_cat"][(1, cat)] for cat in PROVENANCE_Q1} == PROVENANCE_Q1


@real
def test_q1_figures_through_the_classification(staffs, hand):
    crimes = staffs.tables["crimes"]
    q1 = crimes[crimes["recorded_date"] == pd.Timestamp("2017-04-01")]
    got = q1.groupby("category")["count"].sum().to_dict()
    assert {cat: got[cat] for cat in PROVENANCE_Q1} == PROVENANCE_Q1
    # every quarter and category equals the hand count; the force total too
    for q, start in zip((1, 2, 3, 4), ("2017-04-01", "2017-07-01", "2017-10-01", "2018-01-01")):
        part = crimes[crimes["recorded_date"] == pd.Timestamp(start)]
        assert int(part["count"].sum()) == hand["by_quarter"][q]
        for cat in PROVENANCE_Q1:
            assert int(part.loc[part["category"] == cat, "count"].sum()) == hand["by_cat"][(q, cat)]
    assert len(crimes) == hand["rows"] == 524
    assert crimes["crime_id"].is_unique


@real
def test_all_crime_and_windows_use_the_same_code_paths(staffs, hand):
    crimes = staffs.tables["crimes"]
    p = Period.parse("2018-Q1")  # April 2017 to March 2018: the financial year
    table = measures.compare_windows(measures.all_crime(crimes), "recorded_date", p.rolling_12m, p.previous_12m, by="npa", areas=("Stafford", "Tamworth"))
    # no NPAs in these tables: the force row only, never zeros for areas
    assert list(table["area"]) == ["Force"]
    assert table["current"].iloc[0] == sum(hand["by_quarter"].values())
    assert staffs.coverage("crimes") == (date(2017, 4, 1), date(2018, 3, 31))
    assert staffs.granularity == {"crimes": "quarter"} and staffs.npas == []
    for key in ("npa", "monthly", "domestic", "victim_id", "incidents", "calls", "fraud_reports", "fpns", "covid_related", "grade"):
        assert "not available from this source" in staffs.unavailable[key]
    assert not staffs.has("incidents") and not staffs.has("calls")
    assert staffs.tables["crimes"]["domestic"].isna().all() and staffs.tables["crimes"]["npa"].isna().all()
    assert staffs.force == "Staffordshire"


@real
def test_unknown_force_lists_the_forces(config):
    with pytest.raises(SourceError) as e:
        load_homeoffice(REAL, "Narnia", config)
    msg = str(e.value)
    assert "Narnia" in msg and "Staffordshire" in msg and "Metropolitan Police" in msg
    forces = msg.split("The forces in these tables are: ")[1].split(" (the tables also list")[0]
    assert "Action Fraud" not in forces and "CIFAS" not in forces and "UK Finance" not in forces
    assert "Action Fraud" in msg  # said to exist, as a national body
    with pytest.raises(SourceError, match="not a police force"):
        load_homeoffice(REAL, "Action Fraud", config)


@real
def test_force_names_case_and_slugs(config, tmp_path):
    assert load_homeoffice(REAL, "staffordshire", config).force == "Staffordshire"
    assert load_homeoffice(REAL, "Staffordshire Police", config).force == "Staffordshire"
    assert load_homeoffice(REAL, "city-of-london", config).force == "London, City of"
    # through load_dataset, and a snapshot keeps the empty columns and the empty NPA list
    ds = load_dataset(REAL.parent, "homeoffice", "metropolitan", config)
    assert ds.force == "Metropolitan Police"
    snap = read_snapshot(write_snapshot(ds, tmp_path / "snap"))
    pd.testing.assert_frame_equal(snap.tables["crimes"], ds.tables["crimes"])
    assert snap.npas == [] and snap.granularity == {"crimes": "quarter"}


@real
def test_same_quarter_in_two_files_is_an_error(tmp_path, config):
    shutil.copy(REAL, tmp_path / REAL.name)
    shutil.copy(REAL, tmp_path / "prc-pfa-copy.csv")
    with pytest.raises(SourceError, match="more than one file"):
        load_homeoffice(tmp_path, "Staffordshire", config)


def test_quarter_mapping():
    assert quarter_start("2017/18", 1) == date(2017, 4, 1)
    assert quarter_start("2017/18", 2) == date(2017, 7, 1)
    assert quarter_start("2017/18", 3) == date(2017, 10, 1)
    assert quarter_start("2017/18", "4") == date(2018, 1, 1)
    assert quarter_start("1999/00", 4) == date(2000, 1, 1)
    for bad in (("2017/19", 1), ("2017", 1), ("2017/18", 5)):
        with pytest.raises(ValueError):
            quarter_start(*bad)


def write_ho(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HO_COLUMNS)
        w.writerows(rows)


def ho_row(code="45", count=" 12 ", force="Kent", fy="2019/20", q="3"):
    return [fy, q, force, "Theft from vehicle", "Theft offences", "Vehicle offences", code, count]


def test_spaced_counts_zero_and_revisions(tmp_path, config):
    write_ho(
        tmp_path / "prc-pfa-test.csv",
        [ho_row(count=" 12 "), ho_row("48", "-00"), ho_row("34B", " 3"), ho_row("8N", "-1 "), ho_row(force="Action Fraud", code="AF", count=" 999 ")],
    )
    ds = load_homeoffice(tmp_path, "kent", config)
    c = ds.tables["crimes"]
    assert dict(zip(c["offence_code"], c["count"])) == {"45": 12, "48": 0, "34B": 3, "8N": -1}
    assert set(c["recorded_date"]) == {pd.Timestamp("2019-10-01")}
    assert c.set_index("offence_code").loc["45", "category"] == "theft_from_motor_vehicle"
    assert any("negative" in n for n in ds.notes)


def test_unknown_code_and_bad_count_name_file_line_and_value(tmp_path, config):
    p = tmp_path / "prc-pfa-test.csv"
    write_ho(p, [ho_row(), ho_row("99Z"), ho_row("45", "twelve")])
    with pytest.raises(DataValidationError) as e:
        load_homeoffice(p, "Kent", config)
    msg = str(e.value)
    assert str(p) in msg
    assert "line 3: '99Z'" in msg and "not in the Home Office classification" in msg
    assert "line 4: 'twelve'" in msg


def test_no_tables_in_folder(tmp_path, config):
    (tmp_path / "prc-pfa-tables.ods").write_bytes(b"")
    with pytest.raises(SourceError, match="save the data sheet as CSV"):
        load_homeoffice(tmp_path, "Kent", config)

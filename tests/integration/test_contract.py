"""Each way input data can break the contract gives a plain message naming the file, the
column, example rows and what to do."""

from datetime import date

import pandas as pd
import pytest

from perfpack.sources import load_dataset
from perfpack.sources.canonical import load_canonical
from perfpack.sources.contract import DataValidationError

NPAS = (
    "Cannock Chase",
    "East Staffordshire",
    "Lichfield",
    "Newcastle-under-Lyme",
    "South Staffordshire",
    "Stafford",
    "Staffordshire Moorlands",
    "Tamworth",
    "Stoke-on-Trent",
)
TODAY = date(2021, 6, 1)


def load(d):
    return load_canonical(d, NPAS, today=TODAY)


def replace_in(d, table, old, new):
    p = d / f"{table}.csv"
    text = p.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {table}"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def problem_text(d) -> str:
    with pytest.raises(DataValidationError) as e:
        load(d)
    return str(e.value)


def test_tiny_set_is_valid(tiny_dir):
    tables, facts, files = load(tiny_dir)
    assert len(tables["crimes"]) == 4
    assert tables["crimes"]["recorded_date"].dtype.kind == "M"
    assert tables["calls"]["calls"].sum() == 465
    assert facts["crimes"]["first"] == "2019-03-01" and facts["crimes"]["last"] == "2020-02-10"
    assert bool(tables["crimes"].loc[1, "domestic"]) is True


def test_missing_crimes_file_is_an_error(tiny_dir):
    (tiny_dir / "crimes.csv").unlink()
    msg = problem_text(tiny_dir)
    assert "crimes.csv" in msg and "file not found" in msg and "What to do" in msg


@pytest.mark.parametrize("table", ["fpns", "fraud_reports", "calls", "incidents"])
def test_a_missing_table_other_than_crimes_is_not_available(tiny_dir, table, config):
    """Own extracts may lack a table: the dataset says it is not available, as the public
    sources do, and the rest loads."""
    (tiny_dir / f"{table}.csv").unlink()
    tables, facts, files = load(tiny_dir)
    assert table not in tables and table not in files and "not available from this source" in facts[table]["absent"]
    ds = load_dataset(tiny_dir, "canonical", "", config, today=TODAY)
    assert not ds.has(table) and ds.why_not(table).startswith("not available from this source")
    assert table not in ds.facts and len(ds.tables["crimes"]) == 4


def test_empty_file(tiny_dir):
    (tiny_dir / "calls.csv").write_text("")
    msg = problem_text(tiny_dir)
    assert "calls.csv" in msg and "empty" in msg


def test_header_only_file(tiny_dir, config):
    (tiny_dir / "crimes.csv").write_text("crime_id,recorded_date,offence_code,npa,domestic,victim_id\n")
    assert "no rows" in problem_text(tiny_dir)
    # another table with a header and no rows: the source cannot give it
    write = tiny_dir / "crimes_ok"
    from conftest import write_tiny

    write_tiny(write)
    (write / "fpns.csv").write_text("fpn_id,issued_date,breach_type,npa\n")
    ds = load_dataset(write, "canonical", "", config, today=TODAY)
    assert not ds.has("fpns") and "has a header but no rows" in ds.why_not("fpns")


def test_missing_column(tiny_dir):
    replace_in(tiny_dir, "crimes", "crime_id,recorded_date,offence_code,npa,domestic,victim_id", "crime_id,recorded_date,offence,npa,domestic,victim_id")
    msg = problem_text(tiny_dir)
    assert "crimes.csv, column 'offence_code': column is missing" in msg
    assert "found: crime_id, recorded_date, offence," in msg


def test_wrong_type(tiny_dir):
    replace_in(tiny_dir, "calls", "2020-01-01,101,300", "2020-01-01,101,three hundred")
    msg = problem_text(tiny_dir)
    assert "calls.csv, column 'calls'" in msg and "not whole numbers" in msg and "line 3: 'three hundred'" in msg


def test_bad_boolean(tiny_dir):
    replace_in(tiny_dir, "crimes", "Tamworth,true", "Tamworth,maybe")
    msg = problem_text(tiny_dir)
    assert "column 'domestic'" in msg and "line 3: 'maybe'" in msg


@pytest.mark.parametrize("bad", ["2020-02-30", "05/01/2020", "yesterday"])
def test_unparseable_or_impossible_date(tiny_dir, bad):
    replace_in(tiny_dir, "crimes", "2020-01-05", bad)
    msg = problem_text(tiny_dir)
    assert "crimes.csv, column 'recorded_date'" in msg and "not real dates" in msg and f"line 2: '{bad}'" in msg


def test_future_date(tiny_dir):
    replace_in(tiny_dir, "fpns", "2020-04-11", "2029-04-11")
    msg = problem_text(tiny_dir)
    assert "fpns.csv, column 'issued_date'" in msg and "in the future" in msg and "line 2" in msg


def test_placeholder_date(tiny_dir):
    replace_in(tiny_dir, "fpns", "2020-04-11", "1900-01-01")
    assert "before 2000" in problem_text(tiny_dir)


def test_unknown_offence_code(tiny_dir):
    replace_in(tiny_dir, "crimes", ",45,", ",45X,")
    msg = problem_text(tiny_dir)
    assert "column 'offence_code': 1 unknown offence code" in msg and "line 4: '45X'" in msg
    assert "offence_classification.csv" in msg


def test_duplicate_identifier(tiny_dir):
    replace_in(tiny_dir, "crimes", "CRA3", "CRA1")
    msg = problem_text(tiny_dir)
    assert "column 'crime_id'" in msg and "duplicate identifier" in msg and "'CRA1'" in msg


def test_negative_loss(tiny_dir):
    replace_in(tiny_dir, "fraud_reports", "120.50", "-120.50")
    msg = problem_text(tiny_dir)
    assert "column 'loss_gbp': 1 negative value" in msg and "line 2: '-120.50'" in msg


def test_unknown_npa(tiny_dir):
    replace_in(tiny_dir, "fpns", "Stafford", "Atlantis")
    msg = problem_text(tiny_dir)
    assert "column 'npa': 1 unknown NPA name" in msg and "Atlantis" in msg and "force.npas" in msg


def test_unknown_category(tiny_dir):
    replace_in(tiny_dir, "incidents", "asb_nuisance", "asb_noise")
    msg = problem_text(tiny_dir)
    assert "column 'category'" in msg and "asb_noise" in msg and "use one of" in msg


def test_every_problem_reported_at_once(tiny_dir):
    replace_in(tiny_dir, "fraud_reports", "120.50", "-1")
    replace_in(tiny_dir, "crimes", "CRA3", "CRA1")
    replace_in(tiny_dir, "fpns", "gathering,Stafford", "gathering,Narnia")
    with pytest.raises(DataValidationError) as e:
        load(tiny_dir)
    assert len(e.value.problems) == 3
    assert str(e.value).startswith("The data in") and "3 problems" in str(e.value)


def test_bom_and_windows_line_endings_load(tiny_dir):
    p = tiny_dir / "crimes.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_text().replace("\n", "\r\n").encode())
    tables, _, _ = load(tiny_dir)
    assert list(tables["crimes"].columns)[0] == "crime_id"
    assert tables["crimes"]["crime_id"].iloc[0] == "CRA1"


def test_extra_columns_allowed_and_reported(tiny_dir):
    p = tiny_dir / "fpns.csv"
    p.write_text("fpn_id,issued_date,breach_type,npa,officer_note\nFPA1,2020-04-11,gathering,Stafford,x\n")
    tables, facts, _ = load(tiny_dir)
    assert facts["fpns"]["extra_columns"] == ["officer_note"]


def test_parquet_loads_like_csv(tiny_dir):
    df = pd.read_csv(tiny_dir / "crimes.csv", dtype=str, keep_default_na=False)
    df["recorded_date"] = pd.to_datetime(df["recorded_date"])
    (tiny_dir / "crimes.csv").unlink()
    df.to_parquet(tiny_dir / "crimes.parquet")
    tables, _, files = load(tiny_dir)
    assert files["crimes"].suffix == ".parquet"
    assert tables["crimes"]["recorded_date"].min() == pd.Timestamp("2019-03-01")


def test_dataset_is_classified(tiny_dir, config):
    ds = load_dataset(tiny_dir, "canonical", "", config, today=TODAY)
    crimes = ds.tables["crimes"]
    assert list(crimes["category"]) == ["residential_burglary", "other", "theft_from_motor_vehicle", "other"]
    assert crimes["count"].sum() == 4
    assert ds.files[0]["sha256"] and len(ds.files) == 5
    assert ds.coverage("crimes") == (date(2019, 3, 1), date(2020, 2, 10))


def test_snapshot_round_trip(tiny_dir, config, tmp_path):
    from perfpack.sources import write_snapshot

    ds = load_dataset(tiny_dir, "canonical", "", config, today=TODAY)
    snap = write_snapshot(ds, tmp_path / "snap")
    again = load_dataset(snap, "canonical", "", config)
    pd.testing.assert_frame_equal(again.tables["crimes"], ds.tables["crimes"])
    assert again.files == ds.files

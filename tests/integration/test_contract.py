"""Each way input data can break the contract gives a plain message naming the file, the
column, example rows and what to do."""

from datetime import date

import pandas as pd
import pytest

from conftest import DEMO_NPAS
from perfpack.sources import load_dataset
from perfpack.sources.canonical import load_canonical
from perfpack.sources.contract import DataValidationError

NPAS = DEMO_NPAS
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


# (id, table, text in the tiny file, what it becomes, what the message must say)
BAD_CELLS = [
    (
        "missing-column",
        "crimes",
        "crime_id,recorded_date,offence_code,npa,domestic,victim_id",
        "crime_id,recorded_date,offence,npa,domestic,victim_id",
        ["crimes.csv, column 'offence_code': column is missing", "found: crime_id, recorded_date, offence,"],
    ),
    (
        "wrong-type",
        "calls",
        "2020-01-01,101,300",
        "2020-01-01,101,three hundred",
        ["calls.csv, column 'calls'", "1 value that is not a whole number", "line 3: 'three hundred'"],
    ),
    ("bad-boolean", "crimes", "Tamworth,true", "Tamworth,maybe", ["column 'domestic'", "line 3: 'maybe'"]),
    (
        "impossible-date",
        "crimes",
        "2020-01-05",
        "2020-02-30",
        ["crimes.csv, column 'recorded_date'", "1 value that is not a real date", "line 2: '2020-02-30'"],
    ),
    ("day-first-date", "crimes", "2020-01-05", "05/01/2020", ["1 value that is not a real date", "line 2: '05/01/2020'"]),
    ("word-for-a-date", "crimes", "2020-01-05", "yesterday", ["1 value that is not a real date", "line 2: 'yesterday'"]),
    ("future-date", "fpns", "2020-04-11", "2029-04-11", ["fpns.csv, column 'issued_date'", "in the future", "line 2"]),
    ("placeholder-date", "fpns", "2020-04-11", "1900-01-01", ["before 2000"]),
    ("unknown-offence-code", "crimes", ",45,", ",45X,", ["column 'offence_code': 1 unknown offence code", "line 4: '45X'", "offence_classification.csv"]),
    ("duplicate-identifier", "crimes", "CRA3", "CRA1", ["column 'crime_id'", "duplicate identifier", "'CRA1'"]),
    ("negative-loss", "fraud_reports", "120.50", "-120.50", ["column 'loss_gbp': 1 negative value", "line 2: '-120.50'"]),
    ("unknown-npa", "fpns", "Stafford", "Atlantis", ["column 'npa': 1 unknown NPA name", "Atlantis", "force.npas"]),
    ("unknown-category", "incidents", "asb_nuisance", "asb_noise", ["column 'category'", "asb_noise", "use one of"]),
]


@pytest.mark.parametrize("case,table,old,new,says", BAD_CELLS, ids=[c[0] for c in BAD_CELLS])
def test_a_bad_cell_is_named_with_its_file_column_and_line(tiny_dir, case, table, old, new, says):
    replace_in(tiny_dir, table, old, new)
    msg = problem_text(tiny_dir)
    missing = [x for x in says if x not in msg]
    assert not missing, f"{missing} not in:\n{msg}"


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


# ---- files that will not read, values that cannot be real: plain words, each problem once ----


def test_a_value_that_does_not_parse_is_reported_once_with_the_right_grammar(tiny_dir):
    replace_in(tiny_dir, "crimes", "2020-01-05", "05/01/2020")
    with pytest.raises(DataValidationError) as e:
        load(tiny_dir)
    assert len(e.value.problems) == 1, "not again as an empty value"
    assert "1 value that is not a real date" in str(e.value) and "empty" not in str(e.value)


@pytest.mark.parametrize("value", ["1e300", "1e19", "inf", "-inf", "1e13"])
def test_counts_too_large_to_be_real_are_refused(tiny_dir, value):
    replace_in(tiny_dir, "calls", "2020-01-01,101,300", f"2020-01-01,101,{value}")
    msg = problem_text(tiny_dir)
    assert "column 'calls': 1 value too large to be real" in msg and f"line 3: '{value}'" in msg


@pytest.mark.parametrize("value", ["inf", "1e300", "Infinity"])
def test_a_loss_that_is_infinite_or_absurd_is_refused(tiny_dir, value):
    replace_in(tiny_dir, "fraud_reports", "120.50", value)
    msg = problem_text(tiny_dir)
    assert "column 'loss_gbp': 1 value too large to be real" in msg and f"line 2: '{value}'" in msg


def test_timestamps_with_a_time_zone_are_refused_in_words(tiny_dir):
    replace_in(tiny_dir, "incidents", "2020-05-02 23:10:00", "2020-05-02T23:10:00+01:00")
    replace_in(tiny_dir, "incidents", "2020-04-01 10:00:00", "2020-04-01T10:00:00Z")
    msg = problem_text(tiny_dir)
    assert "column 'opened_at': 2 timestamps with a time zone" in msg and "line 3: '2020-05-02T23:10:00+01:00'" in msg and "without a zone" in msg


def test_a_placeholder_date_beyond_any_timestamp_is_refused(tiny_dir):
    replace_in(tiny_dir, "fpns", "2020-04-11", "9999-12-31")
    assert "1 date outside any plausible range" in problem_text(tiny_dir)


def test_a_file_in_windows_1252_names_the_line_and_says_save_as_utf8(tiny_dir):
    (tiny_dir / "fpns.csv").write_bytes(
        "fpn_id,issued_date,breach_type,npa\nFPA1,2020-04-11,gathering,Stafford\nFPA2,2020-04-12,café,Stafford\n".encode("cp1252")
    )
    msg = problem_text(tiny_dir)
    assert "fpns.csv: 1 line is not UTF-8 text" in msg and "line 3: byte 0xE9" in msg and "café" in msg and "save the file as UTF-8" in msg


@pytest.mark.parametrize(
    "head,words",
    [
        (b"PK\x03\x04" + b"\x00" * 64, "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel workbook (.xls)"),
        ("a,b\n1,2\n".encode("utf-16"), "UTF-16"),
        (b"PAR1\x00\x00", "Parquet file with a .csv name"),
    ],
)
def test_a_file_that_is_not_csv_text_says_what_it_is(tiny_dir, head, words):
    (tiny_dir / "fpns.csv").write_bytes(head)
    msg = problem_text(tiny_dir)
    assert "fpns.csv: the file is" in msg and words in msg and "column is missing" not in msg


def test_the_data_folder_given_as_a_file(tiny_dir):
    with pytest.raises(DataValidationError) as e:
        load(tiny_dir / "crimes.csv")
    assert "this is a file, not a folder" in str(e.value) and str(tiny_dir) in str(e.value)


def test_a_table_in_two_files_is_refused(tiny_dir):
    pd.read_csv(tiny_dir / "calls.csv").to_parquet(tiny_dir / "calls.parquet")
    msg = problem_text(tiny_dir)
    assert "holds the calls table twice (calls.csv and calls.parquet)" in msg


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(tiny_dir):
    replace_in(tiny_dir, "crimes", "CRA2,2020-02-10,8N,Tamworth,true,VX1\n", 'CRA2,2020-02-10,8N,Tamworth,true,"VX\n1"\n\nCRA9,2020-02-11,8N,Atlantis,true,\n')
    msg = problem_text(tiny_dir)
    assert "line 6: 'Atlantis'" in msg, msg


def test_an_unknown_name_is_listed_once_with_how_many_rows_carry_it(tiny_dir):
    p = tiny_dir / "crimes.csv"
    p.write_text(p.read_text() + "".join(f"CRB{i},2020-01-05,28E,Atlantis,false,\n" for i in range(5)) + "CRC1,2020-01-05,28E,Narnia,false,\n")
    msg = problem_text(tiny_dir)
    assert "2 unknown NPA names in 6 rows" in msg and "line 6: 'Atlantis' (and 4 more rows); line 11: 'Narnia'" in msg
    assert msg.count("Atlantis") == 1


@pytest.mark.parametrize(
    "row,says",
    [
        ("CRA1,2020-01-05,28E,Stafford", "line 2: 4 fields"),
        ("CRA1,2020-01-05,28E,Stafford,false,,x", "line 2: 7 fields"),
        ('CRA1,2020-01-05,28E,Stafford,false,"abc', "quoted value that never ends"),
    ],
)
def test_records_of_the_wrong_shape_are_named_by_line(tiny_dir, row, says):
    replace_in(tiny_dir, "crimes", "CRA1,2020-01-05,28E,Stafford,false,", row)
    msg = problem_text(tiny_dir)
    assert says in msg and "What to do" in msg


def test_a_stray_snapshot_marker_in_the_data_folder_is_refused(tiny_dir, config):
    from perfpack.sources import SourceError

    (tiny_dir / "snapshot.json").write_text("{}")
    with pytest.raises(SourceError) as e:
        load_dataset(tiny_dir, "canonical", "", config, today=TODAY)
    assert "stray copy" in str(e.value) and "Move" in str(e.value)
    for name in ("crimes", "incidents", "calls", "fraud_reports", "fpns"):
        (tiny_dir / f"{name}.csv").unlink()
    with pytest.raises(SourceError) as e:
        load_dataset(tiny_dir, "canonical", "", config, today=TODAY)
    assert "is not a snapshot the pack wrote" in str(e.value)

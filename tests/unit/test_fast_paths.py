"""The speed-ups give the same answers as the plain ways, and light processes stay light.

* Columns with few distinct values are parsed once per value (contract), and crimes are
  classified once per offence code (dataset): the results equal the row-by-row ones.
* The runner checks notebook parameters without importing what notebooks need, and a notebook
  reading a run's snapshot does not import the validation machinery.
* A date far apart from the rest of its table is refused (the data's own range).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import numpy as np
import pandas as pd
import pytest

from conftest import DEMO_NPAS
from perfpack.sources import canonical as contract
from perfpack.sources.canonical import load_canonical
from perfpack.sources.contract import DataValidationError

NPAS = DEMO_NPAS
TODAY = date(2021, 6, 1)


def _modules_after(code: str) -> set[str]:
    probe = (
        "import sys\n"
        + code
        + "\nprint(' '.join(m for m in ('matplotlib', 'seaborn', 'scipy', 'pandera', 'rfc3987_syntax', 'nbconvert') if sys.modules.get(m)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_command_line_starts_light():
    assert _modules_after("import perfpack.cli, perfpack.execution.runner") == set()


def test_reading_a_snapshot_does_not_load_the_validation_machinery(tiny_dir, config, tmp_path):
    from perfpack.sources import load_dataset, write_snapshot

    snap = write_snapshot(load_dataset(tiny_dir, "canonical", "", config, today=TODAY), tmp_path / "snap")
    assert "pandera" not in _modules_after(
        f"from perfpack.sources import load_dataset\nfrom perfpack.config import load_config\nds = load_dataset({str(snap)!r}, 'canonical', '', load_config())\nassert len(ds.tables['crimes']) == 4"
    )


@pytest.mark.parametrize(
    "kind,values",
    [
        ("date", ["2020-01-05", " 2020-02-29 ", "2020-02-30", "", "05/01/2020", "2020-03-01 10:00:00"]),
        ("bool", ["true", "False", " yes", "0", "", "maybe"]),
        ("int", ["1", "2", " 3 ", "1,200", "", "2.5", "x"]),
        ("float", ["1.5", "-2", "", "3,000.25", "n/a"]),
    ],
)
def test_parsing_once_per_distinct_value_equals_parsing_every_row(kind, values, tmp_path):
    rng = np.random.default_rng(1)
    for pool in (values, [v for v in values if v not in ("2020-02-30", "05/01/2020", "maybe", "2.5", "x", "n/a")]):
        raw = pd.Series(rng.choice(pool, 30_000), dtype="str")
        spec = contract.ColumnSpec(kind)
        fast, fast_problems, _ = contract._parse_column(tmp_path / "t.csv", "c", spec, raw)
        fast_problem = fast_problems[0] if fast_problems else None
        plain, plain_bad = contract._parse_values(spec, raw)
        plain_bad = plain_bad != 0
        pd.testing.assert_series_equal(fast, plain, check_names=False)
        assert (fast_problem is None) == (not plain_bad.any())
        if fast_problem:
            assert fast_problem.count == int(plain_bad.sum())
            assert fast_problem.rows[0].startswith(f"line {int(np.flatnonzero(plain_bad)[0]) + 2}:")


@pytest.mark.parametrize(
    "kind,values",
    [
        ("date", ["2020-01-05", " 2020-01-05", "2020-02-30", ""]),
        ("bool", ["true", "TRUE ", "no", "", "maybe"]),
        ("int", ["1", " 1", "3", "x"]),
        ("str", ["Stafford", " Stafford ", "Tamworth", ""]),
    ],
)
def test_a_column_read_dictionary_encoded_parses_as_its_text_would(kind, values, tmp_path):
    """read_raw gives columns that repeat a few values as categoricals of their text: parsing
    the categories gives every row the value parsing the text would (values equal once
    stripped share one category; empty text is missing)."""
    rng = np.random.default_rng(3)
    text = pd.Series(rng.choice(values, 5_000), dtype="str")
    spec = contract.ColumnSpec(kind, nullable=True)
    from_categories, problems, _ = contract._parse_column(tmp_path / "t.csv", "c", spec, text.astype("category"))
    problem = problems[0] if problems else None
    plain, plain_bad = contract._parse_values(spec, text)
    plain_bad = plain_bad != 0
    if kind == "str":
        assert isinstance(from_categories.dtype, pd.CategoricalDtype)
        assert sorted(from_categories.cat.categories) == sorted(set(plain.dropna()))
        from_categories = from_categories.astype("str")
    pd.testing.assert_series_equal(from_categories, plain, check_names=False, check_dtype=kind != "bool")
    assert (problem.count if problem else 0) == int(plain_bad.sum())


def test_large_files_read_like_small_ones(tiny_dir, monkeypatch):
    """Files over 1 MB are read by pyarrow's CSV reader (dictionary-encoded, only the contract's
    columns), smaller ones by pandas: the same tables and facts, byte-order mark, Windows line
    endings, extra columns and stray spaces included."""
    for table in ("crimes", "incidents"):
        p = tiny_dir / f"{table}.csv"
        lines = p.read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ",note"] + [line.replace(",", " , ", 1) + ",free text" for line in lines[1:]]
        p.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    small = load_canonical(tiny_dir, NPAS, today=TODAY)
    monkeypatch.setattr(contract, "_pyarrow_ok", lambda path: True)
    large = load_canonical(tiny_dir, NPAS, today=TODAY)
    for name in small[0]:
        pd.testing.assert_frame_equal(large[0][name], small[0][name], check_categorical=False)
    assert large[1] == small[1]
    assert small[1]["crimes"]["extra_columns"] == ["note"]


def test_classifying_once_per_code_equals_classifying_every_row():
    from perfpack.sources.classification import classification, classify
    from perfpack.sources.dataset import _classify

    codes = classification().index.to_numpy()
    rng = np.random.default_rng(2)
    crimes = pd.DataFrame({"crime_id": [f"C{i}" for i in range(20_000)], "offence_code": pd.Series(rng.choice(codes, 20_000), dtype="str"), "npa": "Stafford"})
    pd.testing.assert_frame_equal(_classify(crimes), classify(crimes))


def _write(folder, table, text):
    (folder / f"{table}.csv").write_text(text, encoding="utf-8")


def test_a_date_apart_from_the_rest_of_its_table_is_refused(tiny_dir):
    _write(
        tiny_dir,
        "fraud_reports",
        "report_id,reported_date,fraud_type,loss_gbp,victim_type,victim_age_band,support_requested,disseminated_to_force\n"
        + "".join(f"FR{i},2020-0{m}-01,x,1,individual,,false,false\n" for i, m in enumerate((2, 3, 4, 5, 6)))
        + "FR9,2012-06-01,x,1,individual,,false,false\n",
    )
    with pytest.raises(DataValidationError) as e:
        load_canonical(tiny_dir, NPAS, today=TODAY)
    msg = str(e.value)
    assert "fraud_reports.csv, column 'reported_date': 1 date outside the data's own range" in msg
    assert "line 7: '2012-06-01'" in msg and "run from 2020-02-01 to 2020-06-01" in msg
    assert len(e.value.problems) == 1


@pytest.mark.parametrize("gap_days,refused", [(366, False), (367, True)])
def test_the_range_rule_allows_gaps_up_to_a_year(tiny_dir, gap_days, refused):
    later = (pd.Timestamp("2019-01-01") + pd.Timedelta(days=gap_days)).date().isoformat()
    _write(tiny_dir, "fpns", f"fpn_id,issued_date,breach_type,npa\nF1,2019-01-01,g,Stafford\nF2,{later},g,Stafford\nF3,{later},g,Tamworth\n")
    if refused:
        with pytest.raises(DataValidationError, match=r"(?s)fpns.csv, column 'issued_date': 1 date outside .*line 2: '2019-01-01'"):
            load_canonical(tiny_dir, NPAS, today=TODAY)
    else:
        load_canonical(tiny_dir, NPAS, today=TODAY)


def test_the_range_rule_leaves_future_and_placeholder_dates_to_their_own_checks(tiny_dir):
    _write(tiny_dir, "fpns", "fpn_id,issued_date,breach_type,npa\nF1,2020-04-11,g,Stafford\nF2,1900-01-01,g,Stafford\nF3,2031-01-01,g,Tamworth\n")
    with pytest.raises(DataValidationError) as e:
        load_canonical(tiny_dir, NPAS, today=TODAY)
    words = [p.problem for p in e.value.problems]
    assert len(words) == 2 and any("before 2000" in w for w in words) and any("in the future" in w for w in words)


def test_values_with_surrounding_spaces_are_stripped(tiny_dir):
    p = tiny_dir / "crimes.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("CRA2,2020-02-10,8N,Tamworth", " CRA2 ,2020-02-10, 8n ,Tamworth "), encoding="utf-8")
    tables, _, _ = load_canonical(tiny_dir, NPAS, today=TODAY)
    assert list(tables["crimes"]["crime_id"]) == ["CRA1", "CRA2", "CRA3", "CRA4"]
    assert tables["crimes"].loc[1, "npa"] == "Tamworth" and tables["crimes"].loc[1, "offence_code"] == "8N"


@pytest.mark.parametrize("ids", [["A1", "B2", "C3", "A1"], ["A1", "B22", "C333", "B22"], ["Ä1", "A1", "ä1"], ["X"] * 2])
def test_the_quick_duplicate_test_finds_what_the_exact_one_finds(ids, tmp_path):
    raw = pd.DataFrame({"id": pd.Series(ids * 5000, dtype="str")})
    raw.loc[len(raw)] = "unique-one"
    problems = contract._duplicates(tmp_path / "t.csv", "id", raw, raw["id"])
    assert len(problems) == 1 and problems[0].count == len(raw) - 1 - (0 if len(set(ids)) == 1 else 0)
    unique = pd.Series([f"ID{i:07d}" for i in range(50_000)] + ["short", "a-much-longer-id"], dtype="str")
    assert contract._duplicates(tmp_path / "t.csv", "id", unique.to_frame("id"), unique) == []


@pytest.mark.parametrize("failures,status", [(1, "ok"), (2, "failed")])
def test_a_kernel_that_dies_while_starting_is_started_once_more(monkeypatch, tmp_path, failures, status):
    import papermill

    from perfpack.execution import worker

    calls = []

    def execute(*args, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    job = {
        "section": "01-x",
        "input": "in.ipynb",
        "output": str(tmp_path / "out.ipynb"),
        "parameters": {},
        "kernel": "perfpack",
        "cwd": str(tmp_path),
        "timeout": 10,
    }
    result = worker.run_job(job)
    assert len(calls) == 2 and result["status"] == status
    assert "started again" in result["notes"]
    if status == "failed":
        assert "Kernel died" in result["error"]


def test_sections_start_longest_first_by_the_last_published_run(tmp_path):
    from perfpack.execution.runner import SectionSpec, longest_first

    specs = [SectionSpec(f"0{i}-s", tmp_path / f"0{i}-s.ipynb", f"S{i}") for i in (1, 2, 3, 4)]
    assert longest_first(specs, tmp_path, "2020-Q4") == specs  # no run yet: notebook order
    (tmp_path / "2020-Q3").mkdir()
    (tmp_path / "2020-Q3" / "manifest.json").write_text(
        json.dumps({"sections": [{"id": "01-s", "seconds": 1.0}, {"id": "02-s", "seconds": 3.0}, {"id": "03-s", "seconds": 1.0}]})
    )
    assert [s.id for s in longest_first(specs, tmp_path, "2020-Q4")] == ["04-s", "02-s", "01-s", "03-s"]
    (tmp_path / "2020-Q4").mkdir()
    (tmp_path / "2020-Q4" / "manifest.json").write_text(json.dumps({"sections": [{"id": s.id, "seconds": float(i)} for i, s in enumerate(specs)]}))
    assert [s.id for s in longest_first(specs, tmp_path, "2020-Q4")] == ["04-s", "03-s", "02-s", "01-s"]  # this period's run wins
    (tmp_path / "2020-Q4" / "manifest.json").write_text("{not json")
    assert longest_first(specs, tmp_path, "2020-Q4") == specs

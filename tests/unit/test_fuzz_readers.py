"""Property-based fuzzing of the readers: whatever is done to a valid data folder (a cell
replaced by odd text, bytes flipped, inserted or cut, rows dropped or doubled, a file
truncated), loading it either succeeds or ends in :class:`DataValidationError` (exit code 2 on
the command line) with a message naming the file: never any other exception.

Bounded: 50 examples per property, small files, no deadline (a slow machine is not a bug).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TINY, write_tiny
from perfpack.sources import SourceError
from perfpack.sources.canonical import load_canonical
from perfpack.sources.contract import DataValidationError
from perfpack.sources.dataset import enrich

TODAY = date(2021, 6, 1)
TABLES = sorted(TINY)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

# Text a spreadsheet, a database export or a mistake might put in a cell.
ODD_LIST = [
    "",
    " ",
    "NaN",
    "nan",
    "None",
    "NULL",
    "inf",
    "-inf",
    "1e300",
    "1e19",
    "-0",
    "0x1F",
    "1,2,3",
    "1.5",
    "-120.5",
    "2020-02-30",
    "9999-12-31",
    "0001-01-01",
    "2020-05-02T23:10:00+01:00",
    "2020-05-02T23:10:00Z",
    "2020-13-01",
    "31/12/2020",
    "true",
    "TRUE",
    "yes",
    "maybe",
    '"',
    '""',
    '"a,b"',
    "a\nb",
    "\r",
    "\t",
    "=1+1",
    "@SUM(A1)",
    "\x00",
    "é",
    "\ufeff",
    "💥",
    "Atlantis",
    "28E",
    "105A",
    "asb_nuisance",
    "999",
]
ODD_VALUES = st.one_of(
    st.sampled_from(ODD_LIST),
    st.sampled_from(ODD_LIST),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _load(folder: Path, config, table: str) -> None:
    """The mutated table read, checked and enriched as a run would (the other four are
    untouched, so only it is read: a tenth of a second rather than half)."""
    try:
        tables, _, _ = load_canonical(folder, config.npas, tables=(table,), today=TODAY)
        enrich(tables)
    except (DataValidationError, SourceError) as exc:
        assert str(exc).strip(), "a refusal says why"


def _folder() -> Path:
    return write_tiny(Path(tempfile.mkdtemp(prefix="pp-fuzz-")) / "data")


@pytest.fixture(scope="module")
def config():
    from perfpack.config import load_config

    return load_config()


@FUZZ
@given(table=st.sampled_from(TABLES), cells=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 7), ODD_VALUES, st.booleans()), min_size=1, max_size=6))
def test_cells_replaced_by_anything_load_or_are_refused_in_words(config, table, cells):
    folder = _folder()
    try:
        lines = TINY[table].splitlines()
        for row, col, value, quote in cells:
            r = 1 + row % (len(lines) - 1)
            fields = lines[r].split(",")
            fields[col % len(fields)] = '"' + value.replace('"', '""') + '"' if quote else value
            lines[r] = ",".join(fields)
        (folder / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        _load(folder, config, table)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FUZZ
@given(
    table=st.sampled_from(TABLES),
    edits=st.lists(
        st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate"]), st.integers(0, 10**6), st.binary(min_size=1, max_size=3)), min_size=1, max_size=4
    ),
)
def test_bytes_flipped_inserted_or_cut_load_or_are_refused_in_words(config, table, edits):
    folder = _folder()
    try:
        p = folder / f"{table}.csv"
        data = bytearray(p.read_bytes())
        for op, at, junk in edits:
            i = at % max(1, len(data))
            if op == "flip" and data:
                data[i] ^= junk[0] or 0x80
            elif op == "insert":
                data[i:i] = junk
            elif op == "delete":
                del data[i : i + len(junk)]
            else:
                del data[i:]
        p.write_bytes(bytes(data))
        _load(folder, config, table)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FUZZ
@given(table=st.sampled_from(TABLES), picks=st.lists(st.integers(0, 10), min_size=0, max_size=8), header=st.sampled_from(["keep", "shuffle", "drop", "double"]))
def test_rows_dropped_doubled_or_shuffled_load_or_are_refused_in_words(config, table, picks, header):
    folder = _folder()
    try:
        lines = TINY[table].splitlines()
        head, body = lines[0], lines[1:]
        rows = [body[i % len(body)] for i in picks]
        if header == "shuffle":
            head = ",".join(reversed(head.split(",")))
        elif header == "drop":
            head = ",".join(head.split(",")[1:])
        elif header == "double":
            rows = [head, *rows]
        (folder / f"{table}.csv").write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
        _load(folder, config, table)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)

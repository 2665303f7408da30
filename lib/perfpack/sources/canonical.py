"""Reading and checking the force's own extracts against the data contract
(:mod:`perfpack.sources.contract`): every problem found at once, each with file, column, line
numbers and what to do."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from perfpack.sources.classification import classification, normalise_code
from perfpack.sources.contract import (
    APART_DAYS,
    EARLIEST_DATE,
    PARSE_CHUNK_ROWS,
    PARSE_DISTINCT,
    REQUIRED_TABLES,
    SHOW_ROWS,
    TABLES,
    ColumnSpec,
    DataProblem,
    DataValidationError,
    TableSpec,
    table_files,
)
from perfpack.sources.coverage import month_words, record_coverage
from perfpack.sources.hashing import string_hashes
from perfpack.sources.parsing import NOT_PARSED, OUT_OF_RANGE, TIME_ZONE, _parse_bool, _parse_values, _parse_words  # noqa: F401  (tests reach them here)
from perfpack.sources.text_files import SAVE_AS_UTF8, encoding_problem, line_numbers, shape_problem, sniff

if TYPE_CHECKING:
    import pandera.pandas as pa


def _row_ref(path: Path, idx) -> str:
    # CSV: line numbers as a text editor shows them (header is line 1), counting the lines of
    # quoted values that hold a line break and the blank lines the readers skip.
    return f"line {line_numbers(path).line(int(idx))}" if path.suffix != ".parquet" else f"row {int(idx) + 1}"


def _examples(path: Path, raw: pd.Series, mask: pd.Series) -> tuple[list[str], int]:
    bad = raw[mask]
    rows = [f"{_row_ref(path, i)}: {v!r}" for i, v in bad.head(SHOW_ROWS).items()]
    return rows, int(mask.sum())


def _distinct_examples(path: Path, raw: pd.Series, mask: pd.Series) -> tuple[list[str], int, int]:
    """Each distinct offending value once, with the line it first appears on and how many
    more rows carry it: (examples, distinct values, rows)."""
    bad = raw[mask].astype(str)
    first = bad[~bad.duplicated()]
    counts = bad.value_counts()
    rows = []
    for i, v in first.head(SHOW_ROWS).items():
        more = int(counts[v]) - 1
        rows.append(f"{_row_ref(path, i)}: {v!r}" + (f" (and {more:,} more row{'s' if more != 1 else ''})" if more else ""))
    return rows, len(first), int(mask.sum())


def read_raw(path: Path, spec: TableSpec | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read a table file as text: (frame, every column name in the file, stripped).

    Every column is text, empty cells empty strings. Given the table's ``spec``, only its
    columns are read (extra columns are named, not loaded) and the columns that repeat a few
    values (dates, flags, codes, areas) are read dictionary-encoded, as pandas categoricals of
    their text: at scale 10 the incidents file takes 0.4 GB in memory instead of 0.9 GB.
    Handles a UTF-8 byte-order mark and Windows line endings.
    """
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
        out = pd.DataFrame(index=df.index)
        for c in df.columns:
            s = df[c]
            if isinstance(s.dtype, pd.DatetimeTZDtype):  # kept with its offset: the checks refuse it in words
                txt = s.dt.strftime("%Y-%m-%d %H:%M:%S%z")
            elif pd.api.types.is_datetime64_any_dtype(s):
                txt = s.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False)
            else:
                txt = s.astype("string")
            out[str(c)] = txt.fillna("").astype(str)
        return out.reset_index(drop=True), [str(c).strip() for c in df.columns]
    header = _csv_header(path)
    wanted = [c for c in header if spec is None or c.strip() in spec.columns]
    few = {c for c in wanted if spec is not None and spec.columns[c.strip()].few_values}
    if not _pyarrow_ok(path):
        df = pd.read_csv(path, dtype=str, usecols=wanted, keep_default_na=False, encoding="utf-8-sig")
        for c in few:  # small file: categoricals of the text as written (read_csv would parse them)
            df[c] = df[c].astype("category")
        return df, [c.strip() for c in header]
    import pyarrow as pa  # heavy: only when a table is read or validated
    import pyarrow.csv as pacsv  # heavy: only when a table is read or validated

    types = {c: (pa.dictionary(pa.int32(), pa.string()) if c in few else pa.string()) for c in wanted}
    options = pacsv.ConvertOptions(column_types=types, include_columns=wanted, strings_can_be_null=False, quoted_strings_can_be_null=False)
    # 16 MB blocks: a few dozen chunks per column rather than hundreds (each costs pandas a step)
    table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=16 << 20), convert_options=options)
    df = table.to_pandas(self_destruct=True)
    del table
    pa.default_memory_pool().release_unused()  # the reader's buffers, back to the system
    return df, [c.strip() for c in header]


SHAPE_TODO = (
    'each record must have the header\'s columns: put a value that holds a comma or a line break in double quotes, and double any quote inside it ("").'
)


def _unreadable(path: Path, exc: Exception) -> DataProblem:
    """Why a file could not be read, in words: which lines are not UTF-8, which records have
    the wrong number of fields, or the reader's own words."""
    file = str(path)
    if path.suffix != ".parquet":
        enc = encoding_problem(path)
        if enc is not None:
            return DataProblem(file, None, enc[0], enc[1], SAVE_AS_UTF8, enc[2])
        shape = shape_problem(path)
        if shape is not None:
            return DataProblem(file, None, shape[0], shape[1], SHAPE_TODO, shape[2])
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    kind = "Parquet" if path.suffix == ".parquet" else "CSV"
    return DataProblem(
        file,
        None,
        f"the file could not be read as {kind} ({first[:300]})",
        todo="check the file is a comma-separated UTF-8 text file with a header row (or a Parquet file), exported again from the source system.",
    )


def _csv_header(path: Path) -> list[str]:
    """The column names on a CSV file's first line (byte-order mark and line ending removed)."""

    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def _pyarrow_ok(path: Path) -> bool:
    return path.stat().st_size > 1_000_000


def _parse_column(path: Path, name: str, spec: ColumnSpec, raw: pd.Series) -> tuple[pd.Series, list[DataProblem], pd.Series]:
    """Parse one column of text to its type: (typed column, its problems, the rows that did
    not parse), each kind of failure reported once.

    Parsing goes value by value, so a column with few distinct values in many rows (a date,
    a flag, a grade) is parsed once per distinct value and the result spread back over the
    rows: the same values and types, at scale 10 in milliseconds rather than seconds.
    """
    codes = None
    if isinstance(raw.dtype, pd.CategoricalDtype):  # read dictionary-encoded (read_raw)
        codes, distinct = raw.cat.codes.to_numpy(), raw.cat.categories
    elif spec.kind in PARSE_DISTINCT and len(raw) > 10_000:
        codes, distinct = pd.factorize(raw)
        if (codes < 0).any() or len(distinct) > len(raw) // 4:
            codes = None
    if codes is None and spec.kind == "datetime" and len(raw) > PARSE_CHUNK_ROWS:
        parts = [_parse_values(spec, raw.iloc[i : i + PARSE_CHUNK_ROWS]) for i in range(0, len(raw), PARSE_CHUNK_ROWS)]
        parsed, reason = pd.concat([p for p, _ in parts]), pd.concat([b for _, b in parts])
        if not reason.any():
            parsed = parsed.astype("datetime64[ns]")
    elif codes is None:
        parsed, reason = _parse_values(spec, raw)
    else:
        parsed_d, reason_d = _parse_values(spec, pd.Series(distinct, dtype=str))
        parsed = _spread(parsed_d, codes, raw.index, categorical=spec.kind == "str")
        reason = pd.Series(reason_d.to_numpy()[codes], index=raw.index)
    if not reason.any():
        return parsed, [], pd.Series(False, index=raw.index)
    problems = []
    for code in (NOT_PARSED, TIME_ZONE, OUT_OF_RANGE):
        mask = reason == code
        if mask.any():
            rows, n = _examples(path, raw, mask)
            words, todo = _parse_words(spec, code, n)
            problems.append(DataProblem(str(path), name, words, rows, todo, n))
    return parsed, problems, reason != 0


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index, categorical: bool) -> pd.Series:
    """Values worked out once per distinct value, spread over the rows by ``codes``; text as
    a categorical (values that became equal, such as ``'A '`` and ``'A'`` once stripped, share
    one category; empty text is missing)."""
    if not categorical:
        return values.take(codes).set_axis(index)
    inverse, categories = pd.factorize(values, sort=True)  # categories in order, as astype("category") gives
    spread = np.where(codes < 0, -1, inverse[codes])  # a missing value stays missing
    return pd.Series(pd.Categorical.from_codes(spread, categories=categories), index=index)


def _allowed_values(spec: ColumnSpec, npas: tuple[str, ...]) -> set[str] | None:
    if spec.allowed is not None:
        return set(spec.allowed)
    if spec.allowed_from == "npas":
        return set(npas)
    if spec.allowed_from == "offence_codes":
        return set(classification().index)
    return None


def _todo_for(name: str, spec: ColumnSpec, allowed: set[str] | None) -> str:
    if spec.allowed_from == "offence_codes":
        return "correct the codes in the extract, or, if the Home Office list has changed, add them to lib/perfpack/data/offence_classification.csv."
    if spec.allowed_from == "npas":
        return "correct the NPA names in the extract, or list the area under force.npas in the force's profile (profiles/<force>/pack.yaml)."
    if allowed:
        return "use one of: " + ", ".join(sorted(allowed)) + "."
    return ""


def schema_for(spec: TableSpec, npas: tuple[str, ...], today: date) -> pa.DataFrameSchema:
    """The pandera schema that checks a parsed table's values.

    Identifiers are checked for duplicates by :func:`_duplicates` instead (pandera's check
    costs three times as much on millions of rows)."""
    import pandera.pandas as pa  # heavy: only when a table is read or validated

    cols = {}
    limit = pd.Timestamp(today) + pd.Timedelta(days=1)
    for name, c in spec.columns.items():
        checks: list[pa.Check] = []
        allowed = _allowed_values(c, npas)
        if allowed is not None and c.kind != "int":
            checks.append(pa.Check.isin(sorted(allowed), error="allowed_values"))
        if c.kind == "int" and c.allowed is not None:
            checks.append(pa.Check.isin([int(v) for v in c.allowed], error="allowed_values"))
        if c.minimum is not None:
            checks.append(pa.Check.ge(c.minimum, error="not_negative"))
        if c.kind in ("date", "datetime"):
            checks.append(pa.Check.lt(limit, error="not_in_future"))
            checks.append(pa.Check.ge(EARLIEST_DATE, error="not_before_2000"))
        cols[name] = pa.Column(None, checks=checks, nullable=c.nullable, required=True)
    return pa.DataFrameSchema(cols, strict=False, name=spec.name)


CHECK_WORDS: dict[str, Callable[[ColumnSpec, int], str]] = {
    "allowed_values": lambda c, n: (
        f"{n} unknown offence code{'s' if n != 1 else ''}"
        if c.allowed_from == "offence_codes"
        else f"{n} unknown NPA name{'s' if n != 1 else ''}"
        if c.allowed_from == "npas"
        else f"{n} value{'s' if n != 1 else ''} not in the allowed list"
    ),
    "not_negative": lambda c, n: f"{n} negative value{'s' if n != 1 else ''}",
    "not_in_future": lambda c, n: f"{n} date{'s' if n != 1 else ''} in the future",
    "not_before_2000": lambda c, n: f"{n} date{'s' if n != 1 else ''} before 2000, outside any plausible range for this data",
    "apart": lambda c, n: f"{n} date{'s' if n != 1 else ''} outside the data's own range: more than a year apart from the rest of the table",
    "field_uniqueness": lambda c, n: f"{n} rows with a duplicate identifier (each appears more than once)",
    "not_nullable": lambda c, n: f"{n} empty value{'s' if n != 1 else ''}",
}
CHECK_TODO = {
    "not_negative": "losses and counts cannot be negative: correct the extract (a refund is a loss of zero).",
    "not_in_future": "check the system clock of the extract and the date format (day and month swapped?).",
    "not_before_2000": "check for placeholder dates such as 1900-01-01 and correct them in the extract.",
    "apart": "check these records' dates (a mistyped year?) and correct them in the extract; a table must cover one unbroken span of time.",
    "field_uniqueness": "each identifier must appear once: remove duplicated rows from the extract.",
    "not_nullable": "fill the column in every row.",
}


def validate_table(path: Path, spec: TableSpec, npas: tuple[str, ...], today: date | None = None) -> tuple[pd.DataFrame, list[DataProblem], dict]:
    """Read, parse and check one table file.

    Returns
    -------
    (typed frame or empty frame, problems, facts for the quality report)
    """
    today = today or date.today()
    file = str(path)
    facts: dict = {"file": file, "table": spec.name}
    if path.stat().st_size == 0:
        return (
            pd.DataFrame(),
            [
                DataProblem(
                    file,
                    None,
                    "the file is empty (0 bytes)",
                    todo=f"re-export the {spec.name} table; it must have a header row and at least one row."
                    if spec.name in REQUIRED_TABLES
                    else f"re-export the {spec.name} table with its header row (a header and no rows says the force's extracts hold none), or remove the file.",
                )
            ],
            facts,
        )
    what = sniff(path)
    if what is not None:  # an Excel workbook named .csv, UTF-16 text...: say what it is
        return pd.DataFrame(), [DataProblem(file, None, what[0], todo=what[1])], facts
    try:
        header = [c.strip() for c in _csv_header(path)] if path.suffix != ".parquet" else []
        twice = sorted({c for c in header if header.count(c) > 1 and c in spec.columns})
        if twice:
            return (
                pd.DataFrame(),
                [
                    DataProblem(file, c, "the header names this column more than once", todo="keep one column of that name; rename or remove the others.")
                    for c in twice
                ],
                facts,
            )
        raw, in_file = read_raw(path, spec)
    except Exception as exc:  # unreadable file: say why plainly
        return pd.DataFrame(), [_unreadable(path, exc)], facts
    if path.suffix != ".parquet" and not _pyarrow_ok(path):
        # pandas reads a record with more or fewer fields than the header without a word
        # (pyarrow refuses it, and reads no empty value as missing): small files are checked
        # record by record, in milliseconds
        shape = shape_problem(path)
        if shape is not None:
            return pd.DataFrame(), [DataProblem(file, None, shape[0], shape[1], SHAPE_TODO, shape[2])], facts
        if raw.isna().to_numpy().any():
            raw = raw.fillna("")
    raw.columns = [str(c).strip() for c in raw.columns]
    facts["rows"] = len(raw)
    facts["extra_columns"] = [c for c in in_file if c not in spec.columns]
    missing = [c for c in spec.columns if c not in in_file]
    if missing:
        return (
            pd.DataFrame(),
            [
                DataProblem(
                    file,
                    m,
                    "column is missing",
                    todo=f"the {spec.name} table must have the columns {', '.join(spec.columns)} (found: {', '.join(in_file) or 'none'}).",
                )
                for m in missing
            ],
            facts,
        )
    if len(raw) == 0:
        return pd.DataFrame(), [DataProblem(file, None, "the file has a header but no rows", todo=f"re-export the {spec.name} table with its data.")], facts
    problems: list[DataProblem] = []
    typed = pd.DataFrame(index=raw.index)
    unparsed: dict[str, pd.Series] = {}  # rows already reported as not parsing: reported once
    for name, c in spec.columns.items():
        series, probs, failed = _parse_column(path, name, c, raw[name])
        problems.extend(probs)
        if probs:
            unparsed[name] = failed
        typed[name] = series
    if spec.columns.get("offence_code"):
        typed["offence_code"] = _normalise_codes(typed["offence_code"])
    import pandera.pandas as pa  # heavy: only when a table is read or validated

    schema = schema_for(spec, npas, today)
    try:
        schema.validate(typed, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as err:
        problems.extend(_problems_from_pandera(path, spec, raw, err.failure_cases, unparsed))
    for name, c in spec.columns.items():
        if c.kind == "id":
            problems.extend(_duplicates(path, name, raw, typed[name]))
    problems.extend(_apart_from_the_rest(path, spec, raw, typed[spec.date_column], today))
    facts.update(_facts(typed, spec))
    return typed, problems, facts


def _normalise_codes(codes: pd.Series) -> pd.Series:
    """:func:`~perfpack.sources.classification.normalise_code` on every code, worked out once per
    distinct code (a few hundred codes in millions of rows)."""
    if isinstance(codes.dtype, pd.CategoricalDtype):
        norm = pd.Series([normalise_code(v) for v in codes.cat.categories], dtype=str)
        return _spread(norm, codes.cat.codes.to_numpy(), codes.index, categorical=True).rename(codes.name)
    idx, distinct = pd.factorize(codes)
    if len(distinct) == 0 or (idx < 0).any():
        return codes.map(lambda v: normalise_code(v) if isinstance(v, str) else v)
    norm = pd.array([normalise_code(v) for v in distinct], dtype=codes.dtype)
    return pd.Series(norm.take(idx), index=codes.index, name=codes.name)


def _duplicates(path: Path, column: str, raw: pd.DataFrame, ids: pd.Series) -> list[DataProblem]:
    """Identifiers that appear more than once (every row that shares one).

    First a cheap test: a 64-bit hash of every identifier, sorted; no two hashes alike means
    no two identifiers alike (0.3 s and 200 MB for 7 million, against 3.6 s and 700 MB for a
    hash table of the strings). Equal hashes (a duplicate, or a one-in-a-million collision)
    send the column to the exact test, which finds the rows."""
    hashes = string_hashes(ids)
    if hashes is not None:
        hashes.sort()
        if not (hashes[1:] == hashes[:-1]).any():
            return []
    dup = ids.duplicated(keep=False) & ids.notna()
    if not dup.any():
        return []
    rows, n = _examples(path, raw[column], dup)
    return [DataProblem(str(path), column, CHECK_WORDS["field_uniqueness"](None, n), rows, CHECK_TODO["field_uniqueness"], n)]


def _apart_from_the_rest(path: Path, spec: TableSpec, raw: pd.DataFrame, dates: pd.Series, today: date) -> list[DataProblem]:
    """Dates outside the data's own range: more than :data:`APART_DAYS` days away from every
    other date of the table (checked among the dates that passed the other checks).

    The table's dates fall into spans separated by gaps longer than ``APART_DAYS``; the span
    with the most rows (the later one if two tie) is the data, the rows in any other span are
    reported. A valid extract has one span, so this costs one pass over the dates."""
    if not pd.api.types.is_datetime64_any_dtype(dates):
        return []
    ok = dates.notna() & (dates >= EARLIEST_DATE) & (dates < pd.Timestamp(today) + pd.Timedelta(days=1))
    if not ok.any():
        return []
    day = dates.to_numpy().astype("datetime64[D]").view(np.int64)
    valid = day[ok.to_numpy()]
    lo, hi = int(valid.min()), int(valid.max())
    if hi - lo <= APART_DAYS:
        return []
    per_day = np.bincount(valid - lo)
    present = np.flatnonzero(per_day)
    span = np.concatenate([[0], np.cumsum(np.diff(present) > APART_DAYS)])
    if span[-1] == 0:
        return []
    rows_per_span = np.bincount(span, weights=per_day[present])
    bulk = len(rows_per_span) - 1 - int(np.argmax(rows_per_span[::-1]))
    first, last = lo + int(present[span == bulk][0]), lo + int(present[span == bulk][-1])
    mask = pd.Series(ok.to_numpy() & ((day < first) | (day > last)), index=raw.index)
    rows, n = _examples(path, raw[spec.date_column], mask)
    as_date = lambda d: str(np.datetime64(d, "D"))  # noqa: E731
    words = CHECK_WORDS["apart"](None, n) + f", whose dates run from {as_date(first)} to {as_date(last)}"
    return [DataProblem(str(path), spec.date_column, words, rows, CHECK_TODO["apart"], n)]


def _problems_from_pandera(path: Path, spec: TableSpec, raw: pd.DataFrame, fc: pd.DataFrame, unparsed: dict[str, pd.Series] | None = None) -> list[DataProblem]:
    """The pandera checks' failures as problems; a row whose value did not parse (reported
    already, and NaN to pandera) is not reported again, as empty or as anything else."""
    out = []
    fc = fc.copy()
    fc["check"] = fc["check"].astype(str)
    unparsed = unparsed or {}
    for (column, check), group in fc.groupby(["column", "check"], sort=False, dropna=False):
        key = next((k for k in CHECK_WORDS if k in check), None)
        col_spec = spec.columns.get(column)
        if key is None or col_spec is None:
            continue
        idx = pd.to_numeric(group["index"], errors="coerce").dropna().astype(int).drop_duplicates()
        idx = idx[(idx >= 0) & (idx < len(raw))]
        values = raw[column].iloc[idx.to_numpy()].astype(str).str.strip().to_numpy()
        idx = idx[values == ""] if key == "not_nullable" else idx[values != ""]
        if column in unparsed:
            idx = idx[~unparsed[column].iloc[idx.to_numpy()].to_numpy()]
        if idx.empty:
            continue
        mask = pd.Series(False, index=raw.index)
        mask.iloc[idx.to_numpy()] = True
        allowed = _allowed_values(col_spec, ()) if key == "allowed_values" else None
        todo = CHECK_TODO.get(key) or _todo_for(column, col_spec, allowed)
        if key == "allowed_values" and col_spec.allowed_from == "npas":
            todo = _todo_for(column, col_spec, None)
        if key == "allowed_values":  # each unknown name once, with the rows that carry it
            rows, distinct, n = _distinct_examples(path, raw[column], mask)
            words = CHECK_WORDS[key](col_spec, distinct) + (f" in {n:,} rows" if n != distinct else "")
        else:
            rows, n = _examples(path, raw[column], mask)
            words = CHECK_WORDS[key](col_spec, n)
        out.append(DataProblem(str(path), column, words, rows, todo, distinct if key == "allowed_values" else n))
    return out


def _facts(typed: pd.DataFrame, spec: TableSpec) -> dict:
    dates = typed[spec.date_column].dropna()
    facts = {
        "first": dates.min().date().isoformat() if len(dates) else None,
        "last": dates.max().date().isoformat() if len(dates) else None,
        "nulls": {c: int(typed[c].isna().sum()) for c in typed.columns if typed[c].isna().any()},
    }
    if pd.api.types.is_datetime64_any_dtype(typed[spec.date_column]):
        weights = pd.to_numeric(typed["calls"], errors="coerce").fillna(0) if spec.name == "calls" and "calls" in typed else None
        cov = record_coverage(typed[spec.date_column], None if weights is None else (weights > 0).astype("int64"))
        if cov is not None:
            facts["coverage"] = cov.to_meta()
            facts["gaps"] = facts["coverage"]["gaps"]
    if "offence_code" in typed:
        facts["codes_seen"] = int(typed["offence_code"].nunique())
    for col in ("category", "channel", "fraud_type", "breach_type", "npa"):
        if col in typed:
            counts = typed[col].value_counts()
            facts.setdefault("values", {})[col] = {str(k): int(counts[k]) for k in sorted(counts.index, key=str) if counts[k]}
    return facts


def check_data_folder(folder: Path) -> None:
    """A data folder that is a file, or is not there, in words."""
    folder = Path(folder)
    if folder.is_file():
        raise DataValidationError(
            [
                DataProblem(
                    str(folder),
                    None,
                    "this is a file, not a folder",
                    todo=f"pass --data the folder that holds the tables (here perhaps {folder.parent}), not one file in it.",
                )
            ]
        )
    if not folder.is_dir():
        raise DataValidationError(
            [
                DataProblem(
                    str(folder),
                    None,
                    "the data folder does not exist",
                    todo="pass --data with the folder that holds crimes.csv, incidents.csv, calls.csv, fraud_reports.csv and fpns.csv (run `perfpack demo-data` to make the demo set).",
                )
            ]
        )


def load_canonical(
    folder: str | Path,
    npas: tuple[str, ...],
    tables: tuple[str, ...] = tuple(TABLES),
    today: date | None = None,
    each: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict], dict[str, Path]]:
    """Load and validate every canonical table in ``folder``.

    ``each(name, typed)``, if given, is handed every table that passed its checks while no
    table so far has failed, and what it returns is kept instead of the table: the runner
    writes each table to its snapshot there, so only one table is in memory at a time.

    Only ``crimes`` must be there (:data:`~perfpack.sources.contract.REQUIRED_TABLES`): a
    missing file of another table, or one with a header and no rows, means the source cannot
    give it, and its facts say so (``absent``: the words the sections show).

    Returns
    -------
    tables : dict of typed DataFrames
    facts : dict of per-table facts for the data-quality report (``coverage`` and ``gaps``:
        the months inside a table's range with no records where it normally has many)
    files : dict of table name -> file path

    Raises
    ------
    DataValidationError
        With every problem found, in every table, at once.
    """
    folder = Path(folder)
    check_data_folder(folder)
    out, facts, files, problems = {}, {}, {}, []
    for name in tables:
        found = table_files(folder, name)
        if len(found) > 1:
            problems.append(
                DataProblem(
                    ", ".join(str(p) for p in found),
                    None,
                    f"the folder holds the {name} table twice ({' and '.join(p.name for p in found)}); the pack will not choose one silently",
                    todo=f"keep the current one and move the other out of {folder}.",
                )
            )
            continue
        path = found[0] if found else None
        if path is None:
            if name in REQUIRED_TABLES:
                problems.append(
                    DataProblem(
                        str(folder / f"{name}.csv"),
                        None,
                        "file not found",
                        todo=f"put the {name} table ({TABLES[name].row_is} per row) in {folder} as {name}.csv or {name}.parquet; data/README.md lists its columns.",
                    )
                )
            else:
                facts[name] = {
                    "file": str(folder / f"{name}.csv"),
                    "table": name,
                    "absent": f"not available from this source: the force's extracts hold no {name} table ({TABLES[name].row_is} per row; no {name}.csv or {name}.parquet in the data folder)",
                }
            continue
        typed, probs, f = validate_table(path, TABLES[name], npas, today)
        if name not in REQUIRED_TABLES and f.get("rows") == 0 and len(probs) == 1 and probs[0].problem == "the file has a header but no rows":
            facts[name] = dict(f, absent=f"not available from this source: the force's {name.replace('_', ' ')} extract ({path.name}) has a header but no rows")
            continue
        files[name] = path
        problems.extend(probs)
        facts[name] = f
        if f.get("gaps"):
            f["gap_note"] = (
                f"{name}: no records in {month_words([date.fromisoformat(g + '-01') for g in f['gaps']])}, inside the table's range ({f['first']} to {f['last']}) where the months around hold many; those months are taken as not covered, and no figure whose window includes them is compared."
            )
        if each is not None and not problems:
            typed = each(name, typed)
        out[name] = typed
    if problems:
        raise DataValidationError(problems, str(folder))
    return out, facts, files

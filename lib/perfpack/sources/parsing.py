"""Text values to their types, value by value, with the reason each value that will not
parse fails: not a value of the type, a timestamp with a zone, a number or a date out of any
plausible range. Used by :mod:`perfpack.sources.canonical`, which spreads the work over the
distinct values of a column."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from perfpack.sources.contract import FALSE_WORDS, MAX_NUMBER, TRUE_WORDS, ColumnSpec


def _parse_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    low = s.str.strip().str.lower()
    ok = low.isin(TRUE_WORDS | FALSE_WORDS)
    return low.isin(TRUE_WORDS), ~ok


# Why a value did not parse: the reason codes of _parse_values, each reported as its own problem.
NOT_PARSED, TIME_ZONE, OUT_OF_RANGE = 1, 2, 3
_TIME_ZONE = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
# What datetime64[ns] can hold; a date outside it (9999-12-31, a placeholder) is out of range.
_NS_RANGE = (pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D"))


def _to_datetime(values: pd.Series, fmt: str) -> tuple[pd.Series, bool]:
    """``pd.to_datetime(errors="coerce")`` that never raises: (parsed, odd). Odd values become
    NaT; ``odd`` says pandas met timestamps with a zone (it raises on mixed zones, or returns
    zoned times), so that the caller looks for them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = pd.to_datetime(values, format=fmt, errors="coerce")
        except (ValueError, TypeError, OverflowError):  # values pandas will not coerce together: one at a time
            return pd.Series([_one_datetime(v, fmt) for v in values], index=values.index, dtype="datetime64[us]"), True
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]"), True
    return out, False


def _parse_dates(stripped: pd.Series, empty: np.ndarray, kind: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(parsed, zoned, todo): the dates of a column, the values with a time zone, the values
    parsed. Zones are looked for (a regular expression over every value) only when pandas
    meets one, so a column without them costs one parse."""
    zoned = np.zeros(len(stripped), dtype=bool)
    for _ in range(2):
        todo = ~empty & ~zoned
        parsed, odd = _to_datetime(stripped.where(todo), "%Y-%m-%d" if kind == "date" else "ISO8601")
        if kind == "date" and not odd and (parsed.isna().to_numpy() & todo).any():
            # Accept a full timestamp in a date column (Parquet / database exports).
            retry, odd = _to_datetime(stripped.where(parsed.isna().to_numpy() & todo), "ISO8601")
            parsed = parsed.fillna(retry.dt.normalize())
        if not odd or zoned.any():
            break
        zoned = stripped.str.contains(_TIME_ZONE, regex=True, na=False).to_numpy(dtype=bool)
        if not zoned.any():
            break
    return parsed, zoned, todo


def _one_datetime(value, fmt: str):
    if not isinstance(value, str):
        return pd.NaT
    try:
        t = pd.to_datetime(value, format=fmt)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return pd.NaT if t is pd.NaT or t.tzinfo is not None else t


def _parse_values(spec: ColumnSpec, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse text values to the column's type, value by value: (parsed, reason), ``reason`` 0
    for a value that parsed or is empty, else :data:`NOT_PARSED`, :data:`TIME_ZONE` (a
    timestamp with a zone) or :data:`OUT_OF_RANGE` (a number too large to be real, a date
    beyond what a timestamp holds)."""
    if raw.isna().any():
        raw = raw.fillna("")
    stripped = raw.str.strip()
    if stripped.str.len().sum() == raw.str.len().sum():
        stripped = raw  # nothing was stripped: keep the file's strings rather than a copy (memory)
    empty = stripped == ""
    reason = np.zeros(len(raw), dtype=np.int8)
    if spec.kind in ("date", "datetime"):
        parsed, zoned, todo = _parse_dates(stripped, empty.to_numpy(), spec.kind)
        out_of_range = (parsed.notna() & ((parsed < _NS_RANGE[0]) | (parsed > _NS_RANGE[1]))).to_numpy()
        reason[todo & parsed.isna().to_numpy()] = NOT_PARSED
        reason[zoned] = TIME_ZONE
        reason[out_of_range] = OUT_OF_RANGE
        if reason.any():
            return parsed.where(reason == 0), pd.Series(reason, index=raw.index)
        return parsed.astype("datetime64[ns]"), pd.Series(reason, index=raw.index)
    if spec.kind == "bool":
        parsed, bad = _parse_bool(stripped)
        reason[(bad & ~empty).to_numpy()] = NOT_PARSED
        return (parsed if reason.any() else parsed.where(~empty)), pd.Series(reason, index=raw.index)
    if spec.kind in ("int", "float"):
        num = pd.to_numeric(stripped.str.replace(",", "", regex=False).where(~empty), errors="coerce").astype("float64")
        finite = np.isfinite(num.to_numpy())
        reason[(~empty).to_numpy() & num.isna().to_numpy()] = NOT_PARSED
        reason[(~empty).to_numpy() & num.notna().to_numpy() & ~finite] = OUT_OF_RANGE  # inf, -inf
        with np.errstate(invalid="ignore"):
            too_large = finite & (np.abs(num.to_numpy()) > MAX_NUMBER)
        reason[too_large] = OUT_OF_RANGE
        if spec.kind == "int":
            with np.errstate(invalid="ignore"):
                reason[(reason == 0) & finite & (np.mod(num.to_numpy(), 1) != 0)] = NOT_PARSED
        if reason.any():
            return num.where(reason == 0), pd.Series(reason, index=raw.index)
        return (num.astype("Int64") if spec.kind == "int" else num), pd.Series(reason, index=raw.index)
    # text columns
    return (stripped.where(~empty) if empty.any() else stripped), pd.Series(reason, index=raw.index)


def _parse_words(spec: ColumnSpec, code: int, n: int) -> tuple[str, str]:
    """(what is wrong, what to do) for ``n`` values of a column that failed to parse."""
    one = n == 1
    values = f"{n:,} value{'' if one else 's'} that {'is' if one else 'are'} not"
    dated = spec.kind in ("date", "datetime")
    if code == TIME_ZONE:
        return (
            f"{n:,} timestamp{'' if one else 's'} with a time zone (such as +01:00 or Z)",
            "write local dates and times without a zone or offset, as the force's systems show them (e.g. 2020-05-02 23:10:00); the pack counts events by the local calendar.",
        )
    if code == OUT_OF_RANGE and dated:
        return (
            f"{n:,} date{'' if one else 's'} outside any plausible range (such as 9999-12-31 or 1500-01-01)",
            "check for placeholder dates and correct them in the extract.",
        )
    if code == OUT_OF_RANGE:
        return (
            f"{n:,} value{'' if one else 's'} too large to be real (infinite, or more than {MAX_NUMBER:,.0f})",
            "a corrupted or mistyped value: correct it in the extract (a count or an amount in pounds is a plain number such as 1250 or 120.50).",
        )
    if dated:
        return (
            f"{values} {'a real date' if one else 'real dates'}",
            f"write dates as YYYY-MM-DD{' HH:MM:SS' if spec.kind == 'datetime' else ''} and correct impossible ones (such as 30 February) in the extract.",
        )
    if spec.kind == "bool":
        return (f"{values} true/false", "write true or false (yes/no and 1/0 are accepted too).")
    kind = ("a whole number" if one else "whole numbers") if spec.kind == "int" else ("a number" if one else "numbers")
    return (f"{values} {kind}", "correct the values in the extract; numbers must not carry units or text.")

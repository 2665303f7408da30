"""CSV files a spreadsheet can open safely: no cell the pack writes runs as a formula.

A reviewer who opens ``figures.csv`` in Excel runs any cell that begins with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return before one) as a formula: a fraud type written as
``=HYPERLINK("https://…"&A1,"x")`` in the force's extract would reach the file as it is and
send the neighbouring cells to a web address when clicked. OWASP's advice
(https://owasp.org/www-community/attacks/CSV_Injection) is to put a single quote before such
a cell, which spreadsheets show as text. :func:`write_csv` does that to text cells only:

- a cell that is a finite number (``-12``, ``-1.5``, ``1e-05``) is left as it is, in any
  column: a number is not a formula, and ``figures.csv``'s numeric columns stay numeric;
- a text cell that begins with one of :data:`FORMULA_STARTS` gets a leading ``'``; so does a
  text cell that already begins with ``'`` followed by such a start, so that the escaping can
  be undone exactly: :func:`restore` gives back what was written, whatever it was.

Readers of the pack's own CSV files (:func:`perfpack.stats.figures.read_figures`, the partial
run that keeps earlier sections' rows) call :func:`restore_frame`.

Standard library and pandas only; knows nothing about crime.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _formula_like(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def is_number(value) -> bool:
    """A finite number, or text that is one (``"-12"``, ``"1.5e-3"``)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        try:
            return math.isfinite(float(value))
        except (TypeError, ValueError, OverflowError):
            return False
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def neutralise(value):
    """``value`` made safe for a spreadsheet: text that a spreadsheet would run as a formula
    (after any quotes it begins with) gets a leading single quote; numbers and other text are
    unchanged."""
    if isinstance(value, str) and _formula_like(value) and not is_number(value):
        return QUOTE + value
    return value


def restore(value):
    """What :func:`neutralise` was given: the leading quote it added, taken away."""
    if isinstance(value, str) and value.startswith(QUOTE) and _formula_like(value[1:]) and not is_number(value[1:]):
        return value[1:]
    return value


def _each_cell(df: pd.DataFrame, fix) -> pd.DataFrame:
    """``fix`` on every cell of the text and mixed columns, types kept as they are: no
    inference (``Series.map`` would turn a column of whole numbers with a gap into floats,
    and ``7434`` would be written ``7434.0``)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            values = col.tolist()
            fixed = [fix(v) for v in values]
            if fixed != values:
                out[c] = pd.Series(fixed, index=out.index, dtype=object if col.dtype == object else col.dtype)
    out.columns = [fix(c) if isinstance(c, str) else c for c in out.columns]
    return out


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell neutralised (numbers untouched)."""
    return _each_cell(df, neutralise)


def restore_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as read from a file :func:`write_csv` wrote, with the escaping undone."""
    return _each_cell(df, restore)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` (no index) to ``path`` with its text cells neutralised, atomically: a
    temporary file beside it, renamed into place once complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        neutralise_frame(df).to_csv(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

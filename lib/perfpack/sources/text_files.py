"""What a table file really is, and where its records start: the plain words behind a file that
will not read.

The readers (:mod:`perfpack.sources.canonical`) read a CSV file fast and trust it; when one will
not read, or a value in it is wrong, this module says why in words a person can act on:

- :func:`sniff` looks at the first bytes: an Excel workbook saved with a ``.csv`` name, UTF-16
  text, a Parquet file named ``.csv`` (or a ``.parquet`` that is not one), a binary file;
- :func:`encoding_problem` finds the lines that are not UTF-8 and says "save as UTF-8";
- :func:`shape_problem` finds the records whose number of fields differs from the header's;
- :class:`LineNumbers` gives the line a record starts on, as a text editor counts lines, after
  quoted values with line breaks and blank lines (which the readers skip).

Only the standard library: nothing here runs unless a file has a problem to report.
"""

from __future__ import annotations

import codecs
import csv
from array import array
from functools import lru_cache
from pathlib import Path

SHOW_LINES = 5
CHUNK = 1 << 22  # 4 MiB at a time: a file of any size is scanned in bounded memory

SAVE_AS_UTF8 = "save the file as UTF-8 (in Excel: File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'; in LibreOffice: Save As, Text CSV, character set 'Unicode (UTF-8)')."
#: The same for a text file written in an editor (Markdown commentary, YAML settings).
SAVE_TEXT_AS_UTF8 = (
    "save the file as UTF-8 (in Notepad: File > Save As, Encoding 'UTF-8'; most editors show the encoding in the status bar and can change it there)."
)


def sniff(path: Path) -> tuple[str, str] | None:
    """(what the file is, what to do) when its first bytes show it is not what its name says."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    name = path.suffix.lower()
    if name == ".parquet":
        if head[:4] != b"PAR1":
            return (
                "the file is not a Parquet file (it does not start with Parquet's 'PAR1' mark)",
                "export the table again as Parquet, or as CSV with a .csv name.",
            )
        return None
    if head[:4] == b"PK\x03\x04":
        return (
            "the file is an Excel workbook (.xlsx) or another zip archive with a .csv name, not comma-separated text",
            "open it in Excel and use File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'; renaming a workbook does not make it CSV.",
        )
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return (
            "the file is an old Excel workbook (.xls) with a .csv name, not comma-separated text",
            "open it in Excel and use File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'; renaming a workbook does not make it CSV.",
        )
    if head[:4] == b"PAR1":
        return ("the file is a Parquet file with a .csv name", f"rename it to {path.stem}.parquet (the pack reads Parquet too).")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ("the file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8", SAVE_AS_UTF8)
    if b"\x00" in head:
        return ("the file holds NUL bytes: it is a binary file or UTF-16 text, not UTF-8 comma-separated text", SAVE_AS_UTF8)
    return None


def encoding_problem(path: Path, spreadsheet: bool = True) -> tuple[str, list[str], int] | None:
    """(words, example lines, number of lines) when some lines are not UTF-8; None if all are.
    ``spreadsheet``: the file is a table a spreadsheet may have saved (the words say Excel does
    this unless told otherwise); False for a text file written in an editor."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    bad: list[str] = []
    n_bad, line, pending = 0, 1, b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            data = pending + chunk
            if not chunk:
                lines, pending = ([data] if data else []), b""
            else:
                cut = data.rfind(b"\n") + 1
                lines, pending = data[:cut].splitlines(keepends=True), data[cut:]
            for raw in lines:
                try:
                    decoder.decode(raw, final=True)
                except UnicodeDecodeError as exc:
                    n_bad += 1
                    if len(bad) < SHOW_LINES:
                        text = raw.rstrip(b"\r\n").decode("cp1252", errors="replace")
                        bad.append(f"line {line}: byte 0x{raw[exc.start]:02X} in {_clip(text)!r}")
                decoder.reset()
                line += 1
            if not chunk:
                break
    if not n_bad:
        return None
    words = f"{n_bad} line{'s are' if n_bad != 1 else ' is'} not UTF-8 text; the file looks saved as Windows-1252 (ANSI) or Latin-1" + (
        ", as Excel does unless told otherwise" if spreadsheet else ""
    )
    return words, bad, n_bad


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def shape_problem(path: Path, encoding: str = "utf-8-sig") -> tuple[str, list[str], int] | None:
    """(words, example lines, number of records) for records whose number of fields differs
    from the header's, or a quoted value that never ends; None if every record has the
    header's number of fields."""
    lines = LineNumbers(path)
    bad: list[str] = []
    n_bad = 0
    try:
        with open(path, encoding=encoding, errors="replace", newline="") as f:
            reader = csv.reader(f, strict=True)
            header = next(reader, [])
            width = len(header)
            for start, row in lines.records(reader):
                if len(row) != width:
                    n_bad += 1
                    if len(bad) < SHOW_LINES:
                        bad.append(f"line {start}: {len(row)} field{'s' if len(row) != 1 else ''}")
    except csv.Error as exc:
        where = f"line {reader.line_num}" if "reader" in locals() else "the file"
        return (f"the file is not well-formed CSV at {where} ({exc}): a quoted value that never ends, or a stray quote inside a value", [], 1)
    if not n_bad:
        return None
    words = f"{n_bad} record{'s have' if n_bad != 1 else ' has'} a different number of fields from the header's {width}"
    return words, bad, n_bad


class LineNumbers:
    """The line of the file each record starts on (the header is line 1), counting as a text
    editor does: a quoted value with a line break spans lines, and blank lines (skipped by
    the readers) are counted. Worked out only when asked, and at C speed when the file has
    neither quotes nor blank lines (then record ``i`` is on line ``i + 2``)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._plain: bool | None = None
        self._starts = array("q")  # 8 bytes a record, however many records are asked about
        self._done = False

    def records(self, reader):
        """(start line, fields) for each record after the header, from a csv ``reader``
        positioned after the header; blank lines are skipped, as the readers skip them."""
        prev = reader.line_num
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if not row:
                continue
            yield start, row

    def _is_plain(self) -> bool:
        if self._plain is None:
            plain, tail = True, b""
            try:
                with open(self.path, "rb") as f:
                    first = True
                    while plain:
                        chunk = f.read(CHUNK)
                        if not chunk:
                            break
                        data = tail + chunk
                        if first:
                            data = data.lstrip(b"\xef\xbb\xbf")
                            first = False
                        if b'"' in data or b"\n\n" in data or b"\n\r\n" in data or data.startswith((b"\n", b"\r")):
                            plain = False
                        tail = data[-2:]
            except OSError:
                plain = True
            self._plain = plain
        return self._plain

    def line(self, index: int) -> int:
        """The line record ``index`` (0 for the first after the header) starts on."""
        index = int(index)
        if self._is_plain():
            return index + 2
        while len(self._starts) <= index and not self._done:
            self._scan(upto=max(index + 1, 2 * len(self._starts) + 1024))
        return self._starts[index] if index < len(self._starts) else index + 2

    def _scan(self, upto: int) -> None:
        starts = array("q")
        try:
            with open(self.path, encoding="utf-8-sig", errors="replace", newline="") as f:
                reader = csv.reader(f)
                next(reader, None)
                for start, _row in self.records(reader):
                    starts.append(start)
                    if len(starts) >= upto:
                        break
                else:
                    self._done = True
        except csv.Error:
            self._done = True
        self._starts = starts


@lru_cache(maxsize=4)
def _line_numbers(path: str, mtime_ns: int, size: int) -> LineNumbers:
    return LineNumbers(Path(path))


def line_numbers(path: Path) -> LineNumbers:
    """The :class:`LineNumbers` of a file, shared while the file is unchanged."""
    try:
        st = Path(path).stat()
    except OSError:  # no file to count in (values checked on their own): record i is on line i + 2
        return _line_numbers(str(path), -1, -1)
    return _line_numbers(str(path), st.st_mtime_ns, st.st_size)

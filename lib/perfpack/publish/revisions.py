"""Revisions against earlier packs: which published figures a new run has changed.

Police data are revised after publication (crimes are recorded late, reclassified or
cancelled). The Code of Practice for Statistics asks that revisions be released
transparently, clear about their nature and scale. This module compares the figures of a
run with those an earlier pack published and says, in a table (``revisions.csv``) and in
plain words, which changed and by how much. See ``docs/revisions.md``.

How it works
------------
* **Earlier packs** (:func:`find_earlier_packs`) are the folders of an outputs folder whose
  ``manifest.json`` is a pack's (a ``period``, a finish or start time, ``inputs`` with their
  sha256) and whose ``figures.csv`` shares at least one window with this run's figures: in
  practice the previous quarter's pack and an earlier run of the same quarter (the folder the
  run is about to replace: call this *before* the new pack is swapped in, or pass the old
  folder in ``paths``). Only those two files are read; no code is re-run. A folder that is
  not a pack is ignored; a pack that cannot be read is reported, not fatal.
* **A figure** is identified by ``(key, area, window)``. A row of ``figures.csv`` states two
  figures: its ``current`` value for ``window`` and its ``previous`` value for
  ``previous_window`` (the 12 months before, the same dates a year earlier), and both are
  compared, a ``current`` value taking precedence where a pack states the same figure twice.
  Only counts and amounts are compared (:data:`COMPARED_KINDS`): shares, forecasts and
  derived statistics (months outside a seasonal range) change with their model, not by
  revision of the data.
* **Each figure once**, against the most recent earlier pack (by its finish time) that
  published it; if that pack had the same value, it is not a revision, whatever older
  packs said.
* **Suppressed cells** (``suppressed`` true, values left empty in ``figures.csv``) are compared
  without disclosing anything: a figure hidden in both packs is not compared; a figure that
  moved into or out of suppression is listed with ``suppressed`` in place of the hidden
  value, and no change or percentage.
* **Material**: a change of ``threshold_pct`` per cent of the published figure or more (any
  change of a figure published as zero). A move into or out of suppression is not called
  material: its size cannot be shown.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from perfpack.csv_cells import restore_frame, write_csv
from perfpack.measures.counts import FORCE

#: Columns of ``revisions.csv``, in order.
REVISION_COLUMNS = ["key", "area", "window", "published", "revised", "change", "pct_change", "published_in", "published_at", "material", "label", "kind"]

#: The kinds of figure compared: counts of events and amounts (money).
COMPARED_KINDS = ("count", "amount")

#: Written in place of a value that is not published.
SUPPRESSED = "suppressed"

#: A default for callers without a configured threshold (per cent of the published figure).
DEFAULT_THRESHOLD_PCT = 1.0

MINUS = "\u2212"  # the real minus sign
EN_DASH = "\u2013"


# ---- earlier packs ------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierPack:
    """A published pack, as read from its ``manifest.json`` and ``figures.csv``.

    ``problem`` is set (a plain sentence) when the folder looks like a pack but cannot be
    read; such a pack has no figures and is not compared, and the note says so."""

    path: Path
    period: str
    published_at: str
    manifest: dict = field(default_factory=dict, repr=False)
    figures: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def finished(self) -> datetime | None:
        return _parse_time(self.published_at)

    def describe(self, period: str | None = None) -> str:
        """``the 2020-Q3 pack (finished 1 December 2020 at 09:14)``; ``the earlier run of the
        2020-Q4 pack (...)`` when ``period``, the current run's, is the pack's own."""
        when = self.finished
        return _pack_words(self.period or "unnamed", period) + (f" (finished {when.day} {when:%B %Y} at {when:%H:%M})" if when else "")


def _parse_time(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def _sort_time(pack: EarlierPack) -> float:
    t = pack.finished
    if t is None:
        return float("-inf")
    if t.tzinfo is None:
        t = t.astimezone()  # local time, as the runner writes it
    return t.timestamp()


def figure_windows(figures: pd.DataFrame, kinds: Iterable[str] = COMPARED_KINDS) -> set[str]:
    """The windows of a run's figures (``window`` and ``previous_window``) of the compared
    kinds: what :func:`find_earlier_packs` looks for in earlier packs."""
    if figures is None or figures.empty:
        return set()
    f = figures
    if "kind" in f:
        f = f[f["kind"].fillna("count").astype(str).isin(set(kinds))]
    out: set[str] = set()
    for col in ("window", "previous_window"):
        if col in f:
            out.update(str(w) for w in f[col].dropna() if str(w).strip() and str(w) != "nan")
    return out


REQUIRED_FIGURE_COLUMNS = ("key", "area", "window", "current", "suppressed")


def read_pack(folder: str | Path) -> EarlierPack | None:
    """A pack folder as an :class:`EarlierPack`; ``None`` when the folder is not a pack (no
    ``manifest.json``, or one that is not a pack's); a pack with ``problem`` set when its
    manifest or figures cannot be read."""
    folder = Path(folder)
    mpath = folder / "manifest.json"
    if not folder.is_dir() or not mpath.is_file():
        return None

    def broken(why: str, manifest: dict | None = None) -> EarlierPack:
        m = manifest or {}
        return EarlierPack(folder, str(m.get("period") or folder.name), str(m.get("finished_at") or m.get("started_at") or ""), m, pd.DataFrame(), f"The earlier pack in {folder} could not be read ({why}), so its figures were not compared.")

    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return broken(f"manifest.json is not readable JSON: {type(exc).__name__}")
    if not isinstance(manifest, dict) or not ("period" in manifest or "inputs" in manifest):
        return None  # some other manifest.json: not a pack
    period = manifest.get("period")
    published_at = manifest.get("finished_at") or manifest.get("started_at")
    inputs = manifest.get("inputs")
    if not period or not isinstance(period, str):
        return broken("its manifest.json names no period", manifest)
    if not published_at:
        return broken("its manifest.json has no finish or start time", manifest)
    if not isinstance(inputs, list) or not all(isinstance(i, dict) and i.get("sha256") for i in inputs):
        return broken("its manifest.json lists no inputs with their sha256", manifest)
    fpath = folder / "figures.csv"
    if not fpath.is_file():
        return broken("it has no figures.csv", manifest)
    try:
        figures = restore_frame(pd.read_csv(fpath, dtype=str, keep_default_na=False))
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # pandas' ParserError is a ValueError
        return broken(f"figures.csv is not readable CSV: {type(exc).__name__}", manifest)
    missing = [c for c in REQUIRED_FIGURE_COLUMNS if c not in figures.columns]
    if missing:
        return broken(f"figures.csv has no {', '.join(missing)} column" + ("s" if len(missing) > 1 else ""), manifest)
    return EarlierPack(folder, period, str(published_at), manifest, figures)


def find_earlier_packs(
    out_root: str | Path | None,
    period: str,
    current_windows: set[str],
    *,
    paths: Iterable[str | Path] = (),
    exclude: Iterable[str | Path] = (),
    force: str | None = None,
    source: str | None = None,
) -> list[EarlierPack]:
    """Earlier packs to compare a run of ``period`` with, the most recent first.

    Parameters
    ----------
    out_root : Path or None
        The outputs folder: every folder in it (not the runner's hidden ``.build-``/``.old-``
        folders) is looked at. ``None``: only ``paths``.
    period : str
        The period of this run: where two packs finished at the same time, this period's
        earlier run comes first.
    current_windows : set of str
        This run's windows (:func:`figure_windows`); a pack sharing none is left out.
    paths : pack folders to consider as well, e.g. the folder this run will replace when the
        runner has already moved it aside.
    exclude : folders never to consider, e.g. the new pack itself once it is published.
    force, source : when given, packs of another force or data source are left out (their
        figures are not earlier versions of these).

    Returns
    -------
    list of EarlierPack
        Readable packs that share a window, then packs that could not be read (``problem``
        set: report it; nothing was compared).
    """
    candidates: list[Path] = []
    if out_root is not None and Path(out_root).is_dir():
        candidates += sorted(p for p in Path(out_root).iterdir() if p.is_dir() and not p.name.startswith("."))
    candidates += [Path(p) for p in paths]
    skip = {_resolved(p) for p in exclude}
    seen: set[Path] = set()
    good, bad = [], []
    for folder in candidates:
        r = _resolved(folder)
        if r in seen or r in skip:
            continue
        seen.add(r)
        pack = read_pack(folder)
        if pack is None:
            continue
        if not pack.ok:
            bad.append(pack)
            continue
        if force is not None and pack.manifest.get("force") not in (None, force):
            continue
        if source is not None and (pack.manifest.get("parameters") or {}).get("source") not in (None, source):
            continue
        if figure_windows(pack.figures) & set(current_windows):
            good.append(pack)
    good.sort(key=lambda p: (_sort_time(p), p.period == period), reverse=True)
    return good + bad


def _resolved(p) -> Path:
    try:
        return Path(p).resolve()
    except OSError:
        return Path(p).absolute()


# ---- comparing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    value: float | None  # None: suppressed
    suppressed: bool
    label: str
    kind: str


def _is_true(x) -> bool:
    if isinstance(x, bool):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return False
    return str(x).strip().lower() in ("true", "1", "yes")


def _num(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, str):
        x = x.strip()
        if not x or x.lower() in ("nan", "none", "<na>"):
            return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _text(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    s = str(x)
    return "" if s in ("nan", "None", "<NA>") else s.strip()


def _figures(df: pd.DataFrame, kinds: Iterable[str]) -> dict[tuple[str, str, str], _Figure]:
    """Every figure a figures table states, by ``(key, area, window)``, in the table's order:
    the ``current`` values first, then ``previous`` values for their ``previous_window`` where
    the table does not state that figure as a current value."""
    kinds = set(kinds)
    out: dict[tuple[str, str, str], _Figure] = {}
    if df is None or df.empty:
        return out
    recs = df.to_dict("records")
    for measure, window_col in (("current", "window"), ("previous", "previous_window")):
        for r in recs:
            kind = _text(r.get("kind")) or "count"
            if kind not in kinds:
                continue
            window = _text(r.get(window_col))
            if not window:
                continue
            fid = (_text(r.get("key")), _text(r.get("area")) or FORCE, window)
            if fid in out:
                continue
            hidden = _is_true(r.get("suppressed"))
            value = None if hidden else _num(r.get(measure))
            if value is None and not hidden:
                continue  # no value stated (no data for that window): nothing published
            out[fid] = _Figure(value, hidden, _text(r.get("label")) or fid[0], kind)
    return out


def _plain(v: float, kind: str):
    if kind == "count" and float(v).is_integer():
        return int(v)
    return round(float(v), 2)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def compare(current: pd.DataFrame, earlier: list[EarlierPack], threshold_pct: float, *, kinds: Iterable[str] = COMPARED_KINDS) -> pd.DataFrame:
    """The figures of ``current`` (a run's figures, as :func:`perfpack.stats.figures.merge_figures`
    or :func:`perfpack.stats.figures.read_figures` gives them) that differ from what an earlier pack
    published: one row per figure, columns :data:`REVISION_COLUMNS`.

    Each figure is compared once, with the most recent pack in ``earlier`` that published it
    (packs that could not be read are skipped). ``published`` and ``revised`` hold the two
    values, or ``suppressed`` for a value not published (then ``change`` and ``pct_change``
    are empty); ``pct_change`` is rounded to one decimal place and empty when the published
    figure was zero; ``material`` is true for a change of ``threshold_pct`` per cent of the
    published figure or more, or any change from zero. Rows come pack by pack, the most
    recent first, each in the order of ``current``."""
    kinds = tuple(kinds)
    now = _figures(current, kinds)
    packs = sorted((p for p in earlier if p.ok), key=_sort_time, reverse=True)
    done: set[tuple[str, str, str]] = set()
    rows = []
    for pack in packs:
        then = _figures(pack.figures, kinds)
        for fid, new in now.items():
            old = then.get(fid)
            if fid in done or old is None or old.kind != new.kind:
                continue
            done.add(fid)
            row = _revision(fid, old, new, pack, threshold_pct)
            if row is not None:
                rows.append(row)
    return pd.DataFrame(rows, columns=REVISION_COLUMNS, dtype=object)


def _revision(fid, old: _Figure, new: _Figure, pack: EarlierPack, threshold_pct: float) -> dict | None:
    key, area, window = fid
    base = {"key": key, "area": area, "window": window, "published_in": pack.period, "published_at": pack.published_at, "label": new.label, "kind": new.kind}
    if old.suppressed and new.suppressed:
        return None  # hidden in both: nothing can be said without disclosing
    if old.suppressed or new.suppressed:
        return base | {"published": SUPPRESSED if old.suppressed else _plain(old.value, old.kind), "revised": SUPPRESSED if new.suppressed else _plain(new.value, new.kind), "change": None, "pct_change": None, "material": False}
    if _same(old.value, new.value):
        return None
    change = new.value - old.value
    pct = None if old.value == 0 else 100.0 * change / abs(old.value)
    material = pct is None or abs(pct) >= threshold_pct
    return base | {"published": _plain(old.value, old.kind), "revised": _plain(new.value, new.kind), "change": _plain(change, new.kind), "pct_change": None if pct is None else round(pct, 1), "material": bool(material)}


def revised_keys(revisions: pd.DataFrame) -> set[tuple[str, str, str]]:
    """``(key, area, window)`` of every revised figure, for pages to mark it."""
    if revisions is None or revisions.empty:
        return set()
    return {(str(k), str(a), str(w)) for k, a, w in revisions[["key", "area", "window"]].itertuples(index=False)}


def write_revisions(revisions: pd.DataFrame, path: str | Path) -> Path:
    """Write ``revisions.csv`` (the columns of :data:`REVISION_COLUMNS`, even when empty)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df = revisions.reindex(columns=REVISION_COLUMNS) if revisions is not None else pd.DataFrame(columns=REVISION_COLUMNS)
    return write_csv(df, path)  # text a spreadsheet would run as a formula is neutralised


# ---- input files --------------------------------------------------------------------------


def _inputs(manifest: dict) -> dict[str, dict]:
    out = {}
    for rec in (manifest or {}).get("inputs") or []:
        if isinstance(rec, dict):
            name = str(rec.get("table") or Path(str(rec.get("path") or "")).stem)
            out.setdefault(name, rec)
    return out


def inputs_changed(current_manifest: dict, earlier_manifest: dict) -> list[dict]:
    """The input files that differ between two runs, by table: one dict per file with
    ``name`` (the table), ``file`` (its file name), ``status`` (``changed``, ``added`` or
    ``removed``), ``old_sha256``, ``new_sha256``, ``old_rows``, ``new_rows`` (None where there
    is no file) and ``since`` (the earlier manifest's period). Files with the same sha256 are
    the same, wherever they were read from."""
    new, old = _inputs(current_manifest), _inputs(earlier_manifest)
    since = (earlier_manifest or {}).get("period")
    out = []
    for name in list(new) + [n for n in old if n not in new]:
        a, b = old.get(name), new.get(name)
        if a and b and a.get("sha256") and a.get("sha256") == b.get("sha256"):
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        rec = b or a
        out.append({"name": name, "file": Path(str(rec.get("path") or name)).name, "status": status, "old_sha256": a.get("sha256") if a else None, "new_sha256": b.get("sha256") if b else None, "old_rows": a.get("rows") if a else None, "new_rows": b.get("rows") if b else None, "since": since})
    return out


# ---- words --------------------------------------------------------------------------------


def window_words(window_id: str) -> str:
    """A window id in words: ``January–September 2020``, ``October 2019–September 2020``,
    ``March 2020``, ``16 March–3 July 2020``; an id that is not a date range as it is."""
    try:
        a, b = str(window_id).split("..")
        start, end = date.fromisoformat(a), date.fromisoformat(b)
    except ValueError:
        return str(window_id)
    whole = start.day == 1 and (pd.Timestamp(end) + pd.Timedelta(days=1)).day == 1
    if whole:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
        if start.year == end.year:
            return f"{start:%B}{EN_DASH}{end:%B %Y}"
        return f"{start:%B %Y}{EN_DASH}{end:%B %Y}"
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B}{EN_DASH}{end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y}{EN_DASH}{end.day} {end:%B %Y}"


def _lower_first(label: str) -> str:
    """``All crime`` -> ``all crime``; ``ASB incidents``, ``Covid-19 ...`` stay as they are."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isalpha() and first[0].isupper() and first[1:].islower():
        return label[0].lower() + label[1:]
    return label


def _value_words(v, kind: str) -> str:
    if v == SUPPRESSED or v is None:
        return "not published (a small number)"
    v = float(v)
    if kind == "amount":
        return f"£{v:,.0f}" if abs(v) < 1e6 else f"£{v / 1e6:,.1f}m"
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def _change_words(change, kind: str) -> str:
    c = float(change)
    size = _value_words(abs(c), kind)
    if kind == "count":
        return f"{size} {'more' if c > 0 else 'fewer'}"
    return f"{size} {'more' if c > 0 else 'less'}"


def _signed_pct(p) -> str:
    p = float(p)
    return f"{'+' if p > 0 else MINUS if p < 0 else ''}{abs(p):.1f}%"


def _pack_words(published_in: str, period: str | None) -> str:
    return f"the earlier run of the {published_in} pack" if period and published_in == period else f"the {published_in} pack"


def revision_words(row: dict, period: str | None = None) -> str:
    """One revision in words: ``all crime for January–September 2020, published in the 2020-Q3
    pack as 63,214, is now 63,114: 100 fewer (−0.2%)``. With ``period`` (this run's), a
    figure published by an earlier run of the same period says so."""
    kind = str(row.get("kind") or "count")
    area = str(row.get("area") or FORCE)
    label = str(row.get("label") or row["key"])
    when = window_words(row["window"])
    what = _lower_first(label) + ("" if area == FORCE else f" in {area}") + ("" if when in label else f" for {when}")
    head = f"{what}, published in {_pack_words(str(row['published_in']), period)} as {_value_words(row['published'], kind)}, is now {_value_words(row['revised'], kind)}"
    if row.get("change") is None or (isinstance(row.get("change"), float) and math.isnan(row["change"])):
        return head
    pct = row.get("pct_change")
    pct_text = "" if pct is None or (isinstance(pct, float) and math.isnan(pct)) else f" ({_signed_pct(pct)})"
    return f"{head}: {_change_words(row['change'], kind)}{pct_text}"


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _largest(revs: pd.DataFrame, by: str) -> dict | None:
    """The revision with the largest absolute ``change`` or ``pct_change`` among counts (among
    amounts when no count has a numeric change); the first in table order on a tie."""
    numeric = revs[revs["change"].map(_num).notna()]
    if by == "pct_change":
        numeric = numeric[numeric["pct_change"].map(_num).notna()]
    if numeric.empty:
        return None
    counts = numeric[numeric["kind"] == "count"]
    pool = counts if not counts.empty else numeric
    size = pool[by].map(lambda x: abs(_num(x)))
    return pool.loc[size.idxmax()].to_dict()


def revisions_note(revisions: pd.DataFrame, changed_inputs: list[dict], threshold_pct: float, earlier: list[EarlierPack], *, period: str | None = None) -> str:
    """The revisions in plain English, for the index page, the paper and section pages.

    Plain text that needs no markup: real minus signs and dashes, thousands separators, no
    quotes or angle brackets of its own (labels and file names come from ``figures.csv`` and
    the manifest: put the text in a page through an escaping template or
    :meth:`perfpack.pages.section.Section.say`). With no earlier pack it is one sentence saying so;
    with earlier packs and no revision, one sentence saying none changed.

    ``changed_inputs`` is :func:`inputs_changed` against the most recent readable earlier
    pack (``earlier[0]`` as :func:`find_earlier_packs` orders them). ``period``, this run's,
    lets the note call an earlier run of the same period "the earlier run of the ... pack"."""
    ok = sorted((p for p in earlier if p.ok), key=_sort_time, reverse=True)
    problems = [p.problem for p in earlier if p.problem]
    t = f"{threshold_pct:g}%"
    out: list[str] = []
    if not ok:
        out.append("There is no earlier pack with figures for the same periods, so no revisions can be shown.")
        return " ".join(out + problems)
    packs = _and([p.describe(period) for p in ok])
    revs = revisions if revisions is not None else pd.DataFrame(columns=REVISION_COLUMNS)
    if revs.empty:
        out.append(f"No figure published in {packs} has changed.")
    else:
        n = len(revs)
        material = revs["material"].map(_is_true)
        hidden = (revs["published"] == SUPPRESSED) | (revs["revised"] == SUPPRESSED)
        m = int(material.sum())
        if n == 1:
            size = f"by {t} or more of the published figure (material)." if m else f"by less than {t} of the published figure (not material)."
        else:
            size = f"{m:,} of them by {t} or more of the published figure (material)." if m else f"none by {t} or more of the published figure (the threshold for a material revision)."
        out.append(f"Compared with what {packs} published, {_n(n, 'figure has', 'figures have')} changed{', ' if n == 1 else '; '}{size}")
        if hidden.any():
            k = int(hidden.sum())
            out.append(f"{_n(k, 'figure', 'figures')} moved into or out of suppression (a count too small to publish), so {'its' if k == 1 else 'their'} values and the size of the change are not shown.")
        big = _largest(revs, "change")
        if big is not None:
            out.append(f"The largest revision: {revision_words(big, period)}.")
            prop = _largest(revs[material], "pct_change") if m else None
            if prop is not None and (prop["key"], prop["area"], prop["window"]) != (big["key"], big["area"], big["window"]):
                out.append(f"The largest in proportion: {revision_words(prop, period)}.")
    if changed_inputs:
        since = changed_inputs[0].get("since") or ok[0].period
        files = [f"{c['file']} ({_input_words(c)})" for c in changed_inputs]
        out.append(f"Input files that differ from those of {_pack_words(since, period)}: {_and(files)}.")
    elif not revs.empty:
        out.append(f"The input files are the same as those {_pack_words(ok[0].period, period)} read, so these changes come from the code or the configuration, not the data.")
    return " ".join(out + problems)


def _input_words(c: dict) -> str:
    if c["status"] == "added":
        return "new"
    if c["status"] == "removed":
        return "no longer read"
    a, b = c.get("old_rows"), c.get("new_rows")
    if isinstance(a, int) and isinstance(b, int) and a != b:
        return f"changed, {a:,} rows then, {b:,} now"
    return "changed"


# ---- everything at once -------------------------------------------------------------------


@dataclass
class RevisionReport:
    """What :func:`review` found: the table for ``revisions.csv``, the input files that
    changed, the note, the packs compared, and warnings (packs that could not be read)."""

    revisions: pd.DataFrame
    changed_inputs: list[dict]
    note: str
    earlier: list[EarlierPack]
    warnings: list[str]

    @property
    def keys(self) -> set[tuple[str, str, str]]:
        return revised_keys(self.revisions)


def review(out_root: str | Path | None, figures: pd.DataFrame, manifest: dict, threshold_pct: float = DEFAULT_THRESHOLD_PCT, *, paths: Iterable[str | Path] = (), exclude: Iterable[str | Path] = ()) -> RevisionReport:
    """Find the earlier packs for a run (its ``figures`` and ``manifest``), compare, and word
    it: what the runner calls before it swaps the new pack into place."""
    force = manifest.get("force")
    source = (manifest.get("parameters") or {}).get("source")
    earlier = find_earlier_packs(out_root, manifest["period"], figure_windows(figures), paths=paths, exclude=exclude, force=force, source=source)
    ok = [p for p in earlier if p.ok]
    revs = compare(figures, earlier, threshold_pct)
    changed = inputs_changed(manifest, ok[0].manifest) if ok else []
    note = revisions_note(revs, changed, threshold_pct, earlier, period=manifest["period"])
    return RevisionReport(revs, changed, note, earlier, [p.problem for p in earlier if p.problem])


def note_html(note: str) -> str:
    """The note as one escaped HTML paragraph."""
    return f'<p class="pp-revisions">{html.escape(note)}</p>'

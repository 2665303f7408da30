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

In a run
--------
The runner uses :class:`RunRevisions`: before the sections run, it finds the earlier packs and
writes what they published (:func:`published_table`) for the section pages, which mark each
revised figure beside it (:class:`perfpack.pages.section.Section`); before the new pack is
swapped in, it compares, writes ``revisions.csv`` and puts the note in the manifest, which
the index and the meeting paper open with. The figure-by-figure comparison and its words
live one layer down, in :mod:`perfpack.stats.published`, so that the pages and this module
decide alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from perfpack.csv_cells import restore_frame, write_csv
from perfpack.publish.revisions_note import REVISION_COLUMNS, by_time, note_html, parse_time, revisions_note, sort_time  # noqa: F401  (note_html: part of this module's API)
from perfpack.stats.published import (  # noqa: F401  (window_words, revision_words, SUPPRESSED: part of this module's API)
    COMPARED_KINDS,
    EARLIER_FIGURES,
    PUBLISHED_COLUMNS,
    SUPPRESSED,
    is_true,
    num,
    pack_words,
    revision,
    revision_words,
    stated_figures,
    window_words,
)

#: Columns of ``revisions.csv``, in order.


#: A default for callers without a configured threshold (per cent of the published figure).
DEFAULT_THRESHOLD_PCT = 1.0


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
        return parse_time(self.published_at)

    def describe(self, period: str | None = None) -> str:
        """``the 2020-Q3 pack (finished 1 December 2020 at 09:14)``; ``the earlier run of the
        2020-Q4 pack (...)`` when ``period``, the current run's, is the pack's own."""
        when = self.finished
        return pack_words(self.period or "unnamed", period) + (f" (finished {when.day} {when:%B %Y} at {when:%H:%M})" if when else "")


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
        return EarlierPack(
            folder,
            str(m.get("period") or folder.name),
            str(m.get("finished_at") or m.get("started_at") or ""),
            m,
            pd.DataFrame(),
            f"The earlier pack in {folder} could not be read ({why}), so its figures were not compared.",
        )

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
    current_windows: set[str] | None,
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
    current_windows : set of str, or None
        This run's windows (:func:`figure_windows`); a pack sharing none is left out.
        ``None``: every pack (before a run has figures, to tell its pages what was published).
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
        if current_windows is None or figure_windows(pack.figures) & set(current_windows):
            good.append(pack)
    good.sort(key=lambda p: (sort_time(p), p.period == period), reverse=True)
    return good + bad


def _resolved(p) -> Path:
    try:
        return Path(p).resolve()
    except OSError:
        return Path(p).absolute()


# ---- comparing ----------------------------------------------------------------------------


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
    now = stated_figures(current, kinds)
    done: set[tuple[str, str, str]] = set()
    rows = []
    for pack in by_time(earlier):
        then = stated_figures(pack.figures, kinds)
        for fid, new in now.items():
            old = then.get(fid)
            if fid in done or old is None or old.kind != new.kind:
                continue
            done.add(fid)
            row = revision(fid, old, new, pack.period, pack.published_at, threshold_pct)
            if row is not None:
                rows.append(row)
    return pd.DataFrame(rows, columns=REVISION_COLUMNS, dtype=object)


def published_table(earlier: list[EarlierPack], kinds: Iterable[str] = COMPARED_KINDS) -> pd.DataFrame:
    """What the earlier packs published, one row per figure and kind (columns
    :data:`perfpack.stats.published.PUBLISHED_COLUMNS`), from the most recent pack that
    published it: the table section pages mark revisions from. :func:`compare` with the same
    packs lists exactly the figures that, looked up here, differ."""
    rows, seen = [], set()
    for pack in by_time(earlier):
        for (key, area, window), f in stated_figures(pack.figures, kinds).items():
            if (key, area, window, f.kind) in seen:
                continue
            seen.add((key, area, window, f.kind))
            rows.append(
                {
                    "key": key,
                    "area": area,
                    "window": window,
                    "kind": f.kind,
                    "label": f.label,
                    "value": "" if f.value is None else f.value,
                    "suppressed": f.suppressed,
                    "published_in": pack.period,
                    "published_at": pack.published_at,
                }
            )
    return pd.DataFrame(rows, columns=PUBLISHED_COLUMNS)


def revised_keys(revisions: pd.DataFrame) -> set[tuple[str, str, str]]:
    """``(key, area, window)`` of every revised figure, for pages to mark it."""
    if revisions is None or revisions.empty:
        return set()
    return {(str(k), str(a), str(w)) for k, a, w in revisions[["key", "area", "window"]].itertuples(index=False)}


def write_revisions(revisions: pd.DataFrame, path: str | Path) -> Path:
    """Write ``revisions.csv`` (the columns of :data:`REVISION_COLUMNS`, even when empty)."""
    return _write_csv(revisions.reindex(columns=REVISION_COLUMNS) if revisions is not None else pd.DataFrame(columns=REVISION_COLUMNS), path)


def read_revisions(path: str | Path) -> pd.DataFrame:
    """A pack's ``revisions.csv`` (all text, empty cells empty); an empty table when the
    pack has none (a pack made before revisions were written)."""
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(columns=REVISION_COLUMNS)
    return restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def _write_csv(df: pd.DataFrame, path: str | Path) -> Path:
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
        out.append(
            {
                "name": name,
                "file": Path(str(rec.get("path") or name)).name,
                "status": status,
                "old_sha256": a.get("sha256") if a else None,
                "new_sha256": b.get("sha256") if b else None,
                "old_rows": a.get("rows") if a else None,
                "new_rows": b.get("rows") if b else None,
                "since": since,
            }
        )
    return out


# ---- words --------------------------------------------------------------------------------


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

    def record(self, threshold_pct: float) -> dict:
        """The manifest's ``revisions`` record: the note, how many figures changed (how many
        materially, how many moved into or out of suppression), the threshold, the packs
        compared with, the input files that changed since the most recent, and warnings."""
        revs = self.revisions
        hidden = (revs["published"] == SUPPRESSED) | (revs["revised"] == SUPPRESSED)
        return {
            "status": "ok",
            "file": REVISIONS_FILE,
            "note": self.note,
            "count": int(len(revs)),
            "material": int(revs["material"].map(is_true).sum()),
            "suppression_moves": int(hidden.sum()),
            "threshold_pct": threshold_pct,
            "compared_with": [{"period": p.period, "folder": p.path.name, "finished_at": p.published_at} for p in by_time(self.earlier)],
            "changed_inputs": [{k: c[k] for k in ("name", "file", "status", "old_sha256", "new_sha256", "old_rows", "new_rows")} for c in self.changed_inputs],
            "warnings": list(self.warnings),
        }


def review(
    out_root: str | Path | None,
    figures: pd.DataFrame,
    manifest: dict,
    threshold_pct: float = DEFAULT_THRESHOLD_PCT,
    *,
    paths: Iterable[str | Path] = (),
    exclude: Iterable[str | Path] = (),
    earlier: list[EarlierPack] | None = None,
) -> RevisionReport:
    """Find the earlier packs for a run (its ``figures`` and ``manifest``), compare, and word
    it: what the runner calls before it swaps the new pack into place. ``earlier``: packs
    already found (:func:`find_earlier_packs` with no windows, before the sections ran) in
    place of looking in ``out_root`` and ``paths``; those sharing no window are left out."""
    force = manifest.get("force")
    source = (manifest.get("parameters") or {}).get("source")
    windows = figure_windows(figures)
    if earlier is None:
        earlier = find_earlier_packs(out_root, manifest["period"], windows, paths=paths, exclude=exclude, force=force, source=source)
    else:
        earlier = [p for p in earlier if not p.ok or figure_windows(p.figures) & windows]
    ok = [p for p in earlier if p.ok]
    revs = compare(figures, earlier, threshold_pct)
    changed = inputs_changed(manifest, ok[0].manifest) if ok else []
    note = revisions_note(revs, changed, threshold_pct, earlier, period=manifest["period"])
    return RevisionReport(revs, changed, note, earlier, [p.problem for p in earlier if p.problem])


#: The file a pack lists its revisions in.
REVISIONS_FILE = "revisions.csv"


class RunRevisions:
    """The revisions of one run, in the runner's two steps.

    Made before the sections run: finds the earlier packs in the outputs folder (the previous
    quarter's, an earlier run of this one: the folder is read now, while the pack this run
    replaces is still there) and writes what they published into the sections' figures
    folder (:data:`perfpack.stats.published.EARLIER_FIGURES`), for each page to mark a
    revised figure beside it (:class:`perfpack.pages.section.Section`).

    :meth:`record`, once the run's figures and manifest exist and before the new pack is
    swapped in: compares with the same packs, writes ``revisions.csv`` into the build folder
    and returns the manifest's ``revisions`` record (the note the index and the paper open
    with). Neither step stops a run: a failure is recorded in words and the pack is
    published without revisions."""

    def __init__(self, out_root: str | Path | None, period: str, figures_dir: str | Path, *, force: str | None = None, source: str | None = None):
        self.period = period
        self.error: str | None = None
        self.earlier: list[EarlierPack] = []
        try:
            self.earlier = find_earlier_packs(out_root, period, None, force=force, source=source)
            _write_csv(published_table(self.earlier), Path(figures_dir) / EARLIER_FIGURES)
        except Exception as exc:  # reading earlier packs must never stop a run
            self.error = f"{type(exc).__name__}: {exc}"

    def record(self, build: str | Path, figures: pd.DataFrame, manifest: dict, threshold_pct: float = DEFAULT_THRESHOLD_PCT) -> dict:
        if self.error is None:
            try:
                rep = review(None, figures, manifest, threshold_pct, earlier=self.earlier)
                write_revisions(rep.revisions, Path(build) / REVISIONS_FILE)
                return rep.record(threshold_pct)
            except Exception as exc:  # the pack is still published; the index and the paper say so
                self.error = f"{type(exc).__name__}: {exc}"
        (Path(build) / REVISIONS_FILE).unlink(missing_ok=True)
        return {
            "status": "failed",
            "error": self.error,
            "note": f"The revisions against earlier packs could not be worked out in this run ({self.error}), so none are shown.",
        }

"""The revisions note in words: how many figures changed, how many are material, the largest in
words, which input files changed; one line when there is nothing to compare or nothing changed."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from perfpack.stats.published import SUPPRESSED, is_true, num, pack_words, revision_words

if TYPE_CHECKING:
    from perfpack.publish.revisions import EarlierPack


REVISION_COLUMNS = ["key", "area", "window", "published", "revised", "change", "pct_change", "published_in", "published_at", "material", "label", "kind"]


def parse_time(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def sort_time(pack: EarlierPack) -> float:
    t = pack.finished
    if t is None:
        return float("-inf")
    if t.tzinfo is None:
        t = t.astimezone()  # local time, as the runner writes it
    return t.timestamp()


def by_time(earlier: list[EarlierPack]) -> list[EarlierPack]:
    """The readable packs, the most recent first (ties in the order given)."""
    return sorted((p for p in earlier if p.ok), key=sort_time, reverse=True)


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _largest(revs: pd.DataFrame, by: str) -> dict | None:
    """The revision with the largest absolute ``change`` or ``pct_change`` among counts (among
    amounts when no count has a numeric change); the first in table order on a tie."""
    numeric = revs[revs["change"].map(num).notna()]
    if by == "pct_change":
        numeric = numeric[numeric["pct_change"].map(num).notna()]
    if numeric.empty:
        return None
    counts = numeric[numeric["kind"] == "count"]
    pool = counts if not counts.empty else numeric
    size = pool[by].map(lambda x: abs(num(x)))
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
    ok = by_time(earlier)
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
        material = revs["material"].map(is_true)
        hidden = (revs["published"] == SUPPRESSED) | (revs["revised"] == SUPPRESSED)
        m = int(material.sum())
        if n == 1:
            size = f"by {t} or more of the published figure (material)." if m else f"by less than {t} of the published figure (not material)."
        else:
            size = (
                f"{m:,} of them by {t} or more of the published figure (material)."
                if m
                else f"none by {t} or more of the published figure (the threshold for a material revision)."
            )
        out.append(f"Compared with what {packs} published, {_n(n, 'figure has', 'figures have')} changed{', ' if n == 1 else '; '}{size}")
        if hidden.any():
            k = int(hidden.sum())
            out.append(
                f"{_n(k, 'figure', 'figures')} moved into or out of suppression (a count too small to publish), so {'its' if k == 1 else 'their'} values and the size of the change are not shown."
            )
        big = _largest(revs, "change")
        if big is not None:
            out.append(f"The largest revision: {revision_words(big, period)}.")
            prop = _largest(revs[material], "pct_change") if m else None
            if prop is not None and (prop["key"], prop["area"], prop["window"]) != (big["key"], big["area"], big["window"]):
                out.append(f"The largest in proportion: {revision_words(prop, period)}.")
    if changed_inputs:
        since = changed_inputs[0].get("since") or ok[0].period
        files = [f"{c['file']} ({_input_words(c)})" for c in changed_inputs]
        out.append(f"Input files that differ from those of {pack_words(since, period)}: {_and(files)}.")
    elif not revs.empty:
        out.append(
            f"The input files are the same as those {pack_words(ok[0].period, period)} read, so these changes come from the code or the configuration, not the data."
        )
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


def note_html(note: str) -> str:
    """The note as one escaped HTML paragraph."""
    return f'<p class="pp-revisions">{html.escape(note)}</p>'

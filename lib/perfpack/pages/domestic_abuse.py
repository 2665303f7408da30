"""Domestic abuse: crime and non-crime, repeat victims, violence within domestic abuse."""

from __future__ import annotations

import pandas as pd

from perfpack.measures import domestic
from perfpack.measures.coverage import compared
from perfpack.pages import blocks
from perfpack.pages.section import Section
from perfpack.present.domestic_tables import repeat_victims_npa_table, repeat_victims_table
from perfpack.sources.classification import VIOLENCE_TYPES
from perfpack.stats.significance import TOO_FEW_TO_TEST


def _domestic(s: Section, what: str) -> pd.DataFrame | None:
    if not blocks.available(s, what, ("crimes",), ("domestic",)):
        return None
    incidents = s.data.tables["incidents"] if s.data.has("incidents") else None
    return s.memo("domestic_occurrences", lambda: domestic.occurrences(s.data.tables["crimes"], incidents))


def counts(s: Section) -> pd.DataFrame:
    """Domestic abuse crime and non-crime against the previous 12 months, force and NPA, then
    crime and non-crime separately."""
    first_row = len(s.rows)
    occ = _domestic(s, "Domestic abuse crime and non-crime")
    if occ is None:
        return blocks.recorded_since(s, first_row)
    if not s.data.has("incidents"):
        s.unavailable("Domestic abuse non-crime incidents", s.data.why_not("incidents") + "; the figures below are crimes only")
    blocks.partial_note(s, "crimes")
    if s.data.has("incidents"):  # the total by NPA and crime and non-crime by NPA are published together
        blocks.protect_together(
            s,
            ("domestic_abuse", occ),
            [("domestic_abuse_crime", occ[occ["kind"] == "crime"]), ("domestic_abuse_non_crime", occ[occ["kind"] == "non-crime"])],
            "date",
        )
    blocks.compare_counts(s, "domestic_abuse", "Domestic abuse crime and non-crime", occ, "date", improvement="neutral")
    if s.data.has("incidents"):
        blocks.compare_many(
            s,
            [
                ("domestic_abuse_crime", "Domestic abuse crimes", occ[occ["kind"] == "crime"]),
                ("domestic_abuse_non_crime", "Domestic abuse non-crime incidents", occ[occ["kind"] == "non-crime"]),
            ],
            "date",
            first_col="Domestic abuse",
            improvement="neutral",
        )
    return blocks.recorded_since(s, first_row)


def monthly(s: Section) -> pd.DataFrame:
    """Monthly occurrences, this year against last, in the usual seasonal range."""
    first_row = len(s.rows)
    occ = _domestic(s, "Monthly domestic abuse crime and non-crime")
    if occ is not None:
        blocks.monthly_comparison(s, "domestic abuse crime and non-crime", occ, "date", key="domestic_abuse", method="band", improvement="neutral")
    return blocks.recorded_since(s, first_row)


def repeat_victims(s: Section) -> pd.DataFrame:
    """The repeat-victims table as the meeting paper lays it out, the figures, and the NPAs.

    Figures: ``domestic_abuse_repeat_victims`` (victims with two or more occurrences in the
    window: 5,004 and 4,991 in the seed), ``domestic_abuse_repeat_share`` (those as a share of
    all distinct victims, in percent: 31 and 33) and ``domestic_abuse_victims`` (the distinct
    victims, repeat or not), force-wide and by NPA."""
    first_row = len(s.rows)
    occ = _domestic(s, "Domestic abuse repeat victims")
    if occ is None or not blocks.available(s, "Domestic abuse repeat victims", fields=("victim_id",)):
        return blocks.recorded_since(s, first_row)
    cur = domestic.repeat_victims(occ, s.current)
    prev = domestic.repeat_victims(occ, s.previous)
    if cur.victims == 0 and prev.victims == 0:
        s.unavailable("Domestic abuse repeat victims", "the domestic abuse records carry no victim references, so repeat victims cannot be counted")
        return blocks.recorded_since(s, first_row)
    cmp = compared(s.data, "crimes", s.current, s.previous)
    gap = "no data" if cmp.previous_none else None
    all_v, rep_v = domestic.victims_by_area(occ, s.current, s.previous, s.npas)
    rrows = blocks.record_comparison(
        s, "domestic_abuse_repeat_victims", "Domestic abuse repeat victims (two or more occurrences)", rep_v, gap=gap, coverage=cmp.words
    )
    s.add_value(
        "domestic_abuse_repeat_share",
        "Repeat victims as a share of all domestic abuse victims (%)",
        s.current,
        blocks.round1(cur.share),
        None if gap else blocks.round1(prev.share),
        kind="share",
        previous_window=None if gap else s.previous,
        coverage=cmp.words,
    )
    vrows = blocks.record_comparison(s, "domestic_abuse_victims", "Distinct domestic abuse victims (repeat or not)", all_v, gap=gap, coverage=cmp.words)
    if cmp.words:
        gap = cmp.words
    s.show(repeat_victims_table(cur, None if gap else prev, percentage=rrows[0]["significance"] != TOO_FEW_TO_TEST))
    s.say(s.sentence(rrows[0]))
    s.say(_share_sentence(cur, None if gap else prev))
    s.say(s.sentence(vrows[0]))
    if cur.without_victim or (prev.without_victim and not gap):
        s.say(
            f"{cur.without_victim:,} occurrences in {cur.window.short()} have no victim reference and cannot be linked to a victim; they are left out of the victim counts."
        )
    s.show(
        f"<details><summary>Repeat victims by {s.area_word} (each victim in the {s.area_word} of their latest occurrence)</summary>"
        + repeat_victims_npa_table(vrows[1:], rrows[1:], s.current_label, s.previous_label, s.config.disclosure_threshold, area_word=s.area_word)
        + "</details>"
    )
    return blocks.recorded_since(s, first_row)


def _share_sentence(cur: domestic.RepeatVictims, prev: domestic.RepeatVictims | None) -> str:
    """Repeat victims as a share of all distinct victims, this window and (when known) the last."""
    now = f"The {cur.repeat_victims:,} repeat victims in {cur.window.short()} were {cur.share:.0f}% of the {cur.victims:,} distinct domestic abuse victims"
    if prev is None or prev.share is None:
        return now + "."
    diff = round(cur.share, 1) - round(prev.share, 1)
    words = "higher" if diff > 0 else "lower" if diff < 0 else "the same"
    points = "" if diff == 0 else f"{abs(diff):.1f} percentage points "
    return now + f", against {prev.repeat_victims:,} ({prev.share:.0f}% of {prev.victims:,}) in {prev.window.short()}: a share {points}{words}."


def violence(s: Section) -> pd.DataFrame:
    """Serious assault, less serious assault and other violence against the person within
    domestic abuse crime, then the other-violence offences the paper names."""
    first_row = len(s.rows)
    occ = _domestic(s, "Violence within domestic abuse")
    if occ is None or not blocks.available(s, "Violence within domestic abuse", fields=("violence_type",)):
        return blocks.recorded_since(s, first_row)
    items = [(f"domestic_{vt}", f"Domestic {label[0].lower() + label[1:]}", domestic.violence(occ, vt)) for vt, label in VIOLENCE_TYPES.items()]
    blocks.compare_many(s, items, "date", first_col="Domestic violence against the person", caption="Domestic abuse crimes by kind of violence")
    if "offence_code" in s.data.unavailable:
        return blocks.recorded_since(s, first_row)
    items = [(key, f"Domestic {label[0].lower() + label[1:]}", domestic.offences(occ, codes)) for key, (label, codes) in domestic.OTHER_VAP_OFFENCES.items()]
    blocks.compare_many(
        s,
        items,
        "date",
        first_col="Within other violence against the person",
        caption="Harassment, malicious communications and stalking (part of other violence against the person)",
        improvement="neutral",
    )
    return blocks.recorded_since(s, first_row)

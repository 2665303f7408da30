"""The domestic abuse tables as the meeting paper lays them out (HTML)."""

from __future__ import annotations

import html

from perfpack.measures.domestic import RepeatVictims
from perfpack.present.tables import fmt_count, fmt_pct, fmt_signed, html_table
from perfpack.stats.significance import TOO_FEW_TO_TEST


def repeat_victims_table(cur: RepeatVictims, prev: RepeatVictims | None, percentage: bool = True) -> str:
    """The meeting paper's table: for each window the number of repeat victims ("Victims")
    and their share of all distinct victims ("% of Repeats"), then the change in repeat
    victims (volume and percentage; ``percentage=False`` leaves the percentage out, for a
    base too small to test); a line below gives the distinct victims.

    Laid out as the seed::

                        Jan - Dec 2019          Jan - Dec 2020          Change
        Domestic Abuse  Victims  % of Repeats   Victims  % of Repeats   Volume  Percentage
        Repeat Victims  5,004    31%            4,991    33%            −13     −0.3%
    """

    def share_cell(r: RepeatVictims) -> str:
        return "–" if r.share is None else f"{r.share:.0f}%"

    prev_cells = ["–", "–"] if prev is None else [fmt_count(prev.repeat_victims), share_cell(prev)]
    cur_cells = [fmt_count(cur.repeat_victims), share_cell(cur)]
    change = ["–", "–"]
    if prev is not None:
        d = cur.repeat_victims - prev.repeat_victims
        change = [fmt_signed(d), fmt_pct(100.0 * d / prev.repeat_victims) if prev.repeat_victims and percentage else "–"]
    prev_head = html.escape(prev.window.head()) if prev is not None else "Previous 12 months"
    top = "".join(f'<th colspan="2" style="text-align:center">{h}</th>' for h in (prev_head, html.escape(cur.window.head()), "Change"))
    sub = "".join(f'<th style="text-align:right">{h}</th>' for h in ("Victims", "% of Repeats", "Victims", "% of Repeats", "Volume", "Percentage"))
    cells = "".join(f'<td style="text-align:right">{c}</td>' for c in prev_cells + cur_cells + change)
    distinct = f"{fmt_count(cur.victims)} in {html.escape(cur.window.head())}"
    if prev is not None:
        distinct = f"{fmt_count(prev.victims)} in {html.escape(prev.window.head())}, " + distinct
    return (
        '<table class="pp-table"><caption>Domestic abuse repeat victims</caption><thead>'
        f"<tr><th></th>{top}</tr>"
        f'<tr><th style="text-align:left">Domestic Abuse</th>{sub}</tr></thead>'
        f'<tbody><tr><td style="text-align:left">Repeat Victims</td>{cells}</tr></tbody></table>'
        f'<p class="pp-note">Distinct domestic abuse victims (repeat or not): {distinct}.</p>'
        '<p class="pp-note"><small>Victims: repeat victims, those with two or more domestic abuse occurrences (crime or non-crime) in the window. '
        "% of Repeats: repeat victims as a share of all distinct victims with an occurrence in the window. Change: in the number of repeat victims.</small></p>"
    )


def repeat_victims_npa_table(vrows: list[dict], rrows: list[dict], current_label: str, previous_label: str, threshold: int, area_word: str = "NPA") -> str:
    """Repeat victims and their share of distinct victims by NPA, and the change in repeat
    victims; a share is hidden when either of its counts is."""

    def cell(v: dict, r: dict, which: str) -> list[str]:
        if r[which] is None:
            return ["–", "–"]
        if r["suppressed"]:
            return [html.escape(r.get(f"_display_{which}") or "–"), "–"]
        k, n = r[which], v[which]
        if v["suppressed"]:
            return [fmt_count(k), "[c]"]
        return [fmt_count(k), f"{100.0 * k / n:.0f}%" if n else "–"]

    body = []
    for v, r in zip(vrows, rrows):
        row = [html.escape(r["area"])] + cell(v, r, "previous") + cell(v, r, "current")
        if r["suppressed"] or r.get("change") is None:
            row += ["–", "–"]
        else:
            row += [fmt_signed(r["change"]), "–" if r["significance"] == TOO_FEW_TO_TEST else fmt_pct(r["pct_change"])]
        body.append(row)
    head = [area_word, f"{previous_label}: repeat victims", "% of Repeats", f"{current_label}: repeat victims", "% of Repeats", "Change", "% change"]
    return (
        html_table(head, body, numeric={1, 2, 3, 4, 5, 6})
        + f"<p><small>Counts below {threshold} are shown as \u201c<{threshold}\u201d; \u201c[c]\u201d hides a figure that would reveal one. % of Repeats: repeat victims as a share of the {area_word}'s distinct domestic abuse victims.</small></p>"
    )

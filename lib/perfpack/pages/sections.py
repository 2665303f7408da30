"""The blocks the section notebooks 02-07 call: one function per heading of the report.

Each block takes the notebook's :class:`~perfpack.pages.section.Section`, checks that the source
has what it needs (and says in words when it has not: never a zero, never a crash), picks
the events with the domain measures (:mod:`perfpack.measures.domestic`, :mod:`perfpack.measures.fraud`,
:mod:`perfpack.measures.covid`, :mod:`perfpack.measures.calls`) and shows them through the Section's
methods, which record the figures. Blocks return nothing, so a notebook cell prints nothing.

Which statistic each monthly chart carries (seasonal range, SPC limits or neither) is chosen
here, per series, and explained in ``docs/caveats.md``.
"""

from __future__ import annotations

import html

import pandas as pd

from perfpack.measures import calls as calls_measures
from perfpack.measures import covid
from perfpack.measures import domestic
from perfpack.measures import fraud
from perfpack.sources.classification import SAC_CATEGORIES, VIOLENCE_TYPES
from perfpack.measures.counts import asb_incidents, coverage_gap
from perfpack.periods import format_day
from perfpack.pages.section import Section, _window_short
from perfpack.stats.significance import TOO_FEW_TO_TEST
from perfpack.present.tables import fmt_count, fmt_pct, fmt_signed, html_table
from perfpack.measures.windows import months_before, trailing_window, window_since

# ---- what a block needs -------------------------------------------------------------------


def available(s: Section, what: str, tables: tuple[str, ...] = (), fields: tuple[str, ...] = ()) -> bool:
    """Whether the source has the ``tables`` and ``fields`` a block needs; when it has not,
    say so under ``what`` (the source's own words) and return False."""
    for t in tables:
        if not s.data.has(t):
            s.unavailable(what, s.data.why_not(t))
            return False
    for f in fields:
        if f in s.data.unavailable:
            s.unavailable(what, s.data.unavailable[f])
            return False
    for t in tables:
        cov = s.data.coverage(t)
        if cov is None:
            s.unavailable(what, f"the {t.replace('_', ' ')} data hold no records")
            return False
        if coverage_gap(cov[0], cov[1], s.current) == "no data for this period":
            s.unavailable(what, f"the {t.replace('_', ' ')} data cover {cov[0]:%d %b %Y} to {cov[1]:%d %b %Y}, nothing in {_window_short(s.current)}")
            return False
    return True


def partial_note(s: Section, table: str) -> None:
    """Say so when the data cover only part of the latest 12 months (its counts are partial)."""
    cov = s.data.coverage(table)
    gap = coverage_gap(cov[0], cov[1], s.current) if cov else None
    if gap:
        s.unavailable(f"Part of {_window_short(s.current)} only", f"{gap}; counts for {_window_short(s.current)} are partial")


def _crimes(s: Section) -> pd.DataFrame:
    return s.data.tables["crimes"]


# ---- 02 domestic abuse --------------------------------------------------------------------


def _domestic(s: Section, what: str) -> pd.DataFrame | None:
    if not available(s, what, ("crimes",), ("domestic",)):
        return None
    incidents = s.data.tables["incidents"] if s.data.has("incidents") else None
    return s.memo("domestic_occurrences", lambda: domestic.occurrences(_crimes(s), incidents))


def domestic_abuse_counts(s: Section) -> None:
    """Domestic abuse crime and non-crime against the previous 12 months, force and NPA, then
    crime and non-crime separately."""
    occ = _domestic(s, "Domestic abuse crime and non-crime")
    if occ is None:
        return
    if not s.data.has("incidents"):
        s.unavailable("Domestic abuse non-crime incidents", s.data.why_not("incidents") + "; the figures below are crimes only")
    partial_note(s, "crimes")
    s.compare_counts("domestic_abuse", "Domestic abuse crime and non-crime", occ, "date", improvement="neutral")
    if s.data.has("incidents"):
        s.compare_many(
            [
                ("domestic_abuse_crime", "Domestic abuse crimes", occ[occ["kind"] == "crime"]),
                ("domestic_abuse_non_crime", "Domestic abuse non-crime incidents", occ[occ["kind"] == "non-crime"]),
            ],
            "date",
            first_col="Domestic abuse",
            improvement="neutral",
        )


def domestic_abuse_monthly(s: Section) -> None:
    """Monthly occurrences, this year against last, in the usual seasonal range."""
    occ = _domestic(s, "Monthly domestic abuse crime and non-crime")
    if occ is not None:
        s.monthly_comparison("domestic abuse crime and non-crime", occ, "date", key="domestic_abuse", method="band", improvement="neutral")


def domestic_repeat_victims(s: Section) -> None:
    """The repeat-victims table as the meeting paper lays it out, the figures, and the NPAs.

    Figures: ``domestic_abuse_repeat_victims`` (victims with two or more occurrences in the
    window: 5,004 and 4,991 in the seed), ``domestic_abuse_repeat_share`` (those as a share of
    all distinct victims, in percent: 31 and 33) and ``domestic_abuse_victims`` (the distinct
    victims, repeat or not), force-wide and by NPA."""
    occ = _domestic(s, "Domestic abuse repeat victims")
    if occ is None or not available(s, "Domestic abuse repeat victims", fields=("victim_id",)):
        return
    cur = domestic.repeat_victims(occ, s.current)
    prev = domestic.repeat_victims(occ, s.previous)
    if cur.victims == 0 and prev.victims == 0:
        s.unavailable("Domestic abuse repeat victims", "the domestic abuse records carry no victim references, so repeat victims cannot be counted")
        return
    cov = s.data.coverage("crimes")
    gap = coverage_gap(cov[0], cov[1], s.previous) if cov else "no data"
    all_v, rep_v = domestic.victims_by_area(occ, s.current, s.previous, s.npas)
    rrows = s.record_comparison("domestic_abuse_repeat_victims", "Domestic abuse repeat victims (two or more occurrences)", rep_v, gap=gap)
    s.add_value("domestic_abuse_repeat_share", "Repeat victims as a share of all domestic abuse victims (%)", s.current, _r(cur.share), None if gap else _r(prev.share), kind="share", previous_window=None if gap else s.previous)
    vrows = s.record_comparison("domestic_abuse_victims", "Distinct domestic abuse victims (repeat or not)", all_v, gap=gap)
    s.show(repeat_victims_table(cur, None if gap else prev, percentage=rrows[0]["significance"] != TOO_FEW_TO_TEST))
    s.say(s.sentence(rrows[0]))
    s.say(_share_sentence(cur, None if gap else prev))
    s.say(s.sentence(vrows[0]))
    if cur.without_victim or (prev.without_victim and not gap):
        s.say(f"{cur.without_victim:,} occurrences in {_window_short(cur.window)} have no victim reference and cannot be linked to a victim; they are left out of the victim counts.")
    s.show("<details><summary>Repeat victims by NPA (each victim in the NPA of their latest occurrence)</summary>" + repeat_victims_npa_table(vrows[1:], rrows[1:], s.current_label, s.previous_label, s.config.disclosure_threshold) + "</details>")


def _share_sentence(cur: domestic.RepeatVictims, prev: domestic.RepeatVictims | None) -> str:
    """Repeat victims as a share of all distinct victims, this window and (when known) the last."""
    now = f"The {cur.repeat_victims:,} repeat victims in {_window_short(cur.window)} were {cur.share:.0f}% of the {cur.victims:,} distinct domestic abuse victims"
    if prev is None or prev.share is None:
        return now + "."
    diff = round(cur.share, 1) - round(prev.share, 1)
    words = "higher" if diff > 0 else "lower" if diff < 0 else "the same"
    points = "" if diff == 0 else f"{abs(diff):.1f} percentage points "
    return now + f", against {prev.repeat_victims:,} ({prev.share:.0f}% of {prev.victims:,}) in {_window_short(prev.window)}: a share {points}{words}."


def _window_head(w) -> str:
    """A window as the meeting paper heads its columns: "Jan - Dec 2020", "Apr - Mar 2019/20"."""
    year = str(w.start.year) if w.start.year == w.end.year else f"{w.start:%Y}/{w.end:%y}"
    return f"{w.start:%b} - {w.end:%b} {year}"


def repeat_victims_table(cur: domestic.RepeatVictims, prev: domestic.RepeatVictims | None, percentage: bool = True) -> str:
    """The meeting paper's table: for each window the number of repeat victims ("Victims")
    and their share of all distinct victims ("% of Repeats"), then the change in repeat
    victims (volume and percentage; ``percentage=False`` leaves the percentage out, for a
    base too small to test); a line below gives the distinct victims.

    Laid out as the seed::

                        Jan - Dec 2019          Jan - Dec 2020          Change
        Domestic Abuse  Victims  % of Repeats   Victims  % of Repeats   Volume  Percentage
        Repeat Victims  5,004    31%            4,991    33%            -13     -0.3%
    """

    def share_cell(r: domestic.RepeatVictims) -> str:
        return "–" if r.share is None else f"{r.share:.0f}%"

    prev_cells = ["–", "–"] if prev is None else [fmt_count(prev.repeat_victims), share_cell(prev)]
    cur_cells = [fmt_count(cur.repeat_victims), share_cell(cur)]
    change = ["–", "–"]
    if prev is not None:
        d = cur.repeat_victims - prev.repeat_victims
        change = [fmt_signed(d), fmt_pct(100.0 * d / prev.repeat_victims) if prev.repeat_victims and percentage else "–"]
    prev_head = html.escape(_window_head(prev.window)) if prev is not None else "Previous 12 months"
    top = "".join(f'<th colspan="2" style="text-align:center">{h}</th>' for h in (prev_head, html.escape(_window_head(cur.window)), "Change"))
    sub = "".join(f'<th style="text-align:right">{h}</th>' for h in ("Victims", "% of Repeats", "Victims", "% of Repeats", "Volume", "Percentage"))
    cells = "".join(f'<td style="text-align:right">{c}</td>' for c in prev_cells + cur_cells + change)
    distinct = f"{fmt_count(cur.victims)} in {html.escape(_window_head(cur.window))}"
    if prev is not None:
        distinct = f"{fmt_count(prev.victims)} in {html.escape(_window_head(prev.window))}, " + distinct
    return (
        '<table class="pp-table"><caption>Domestic abuse repeat victims</caption><thead>'
        f"<tr><th></th>{top}</tr>"
        f'<tr><th style="text-align:left">Domestic Abuse</th>{sub}</tr></thead>'
        f'<tbody><tr><td style="text-align:left">Repeat Victims</td>{cells}</tr></tbody></table>'
        f'<p class="pp-note">Distinct domestic abuse victims (repeat or not): {distinct}.</p>'
        '<p class="pp-note"><small>Victims: repeat victims, those with two or more domestic abuse occurrences (crime or non-crime) in the window. '
        "% of Repeats: repeat victims as a share of all distinct victims with an occurrence in the window. Change: in the number of repeat victims.</small></p>"
    )


def repeat_victims_npa_table(vrows: list[dict], rrows: list[dict], current_label: str, previous_label: str, threshold: int) -> str:
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
    head = ["NPA", f"{previous_label}: repeat victims", "% of Repeats", f"{current_label}: repeat victims", "% of Repeats", "Change", "% change"]
    return html_table(head, body, numeric={1, 2, 3, 4, 5, 6}) + f"<p><small>Counts below {threshold} are shown as \u201c<{threshold}\u201d; \u201c[c]\u201d hides a figure that would reveal one. % of Repeats: repeat victims as a share of the NPA's distinct domestic abuse victims.</small></p>"


def domestic_violence(s: Section) -> None:
    """Serious assault, less serious assault and other violence against the person within
    domestic abuse crime, then the other-violence offences the paper names."""
    occ = _domestic(s, "Violence within domestic abuse")
    if occ is None or not available(s, "Violence within domestic abuse", fields=("violence_type",)):
        return
    items = [(f"domestic_{vt}", f"Domestic {label[0].lower() + label[1:]}", domestic.violence(occ, vt)) for vt, label in VIOLENCE_TYPES.items()]
    s.compare_many(items, "date", first_col="Domestic violence against the person", caption="Domestic abuse crimes by kind of violence")
    if "offence_code" in s.data.unavailable:
        return
    items = [(key, f"Domestic {label[0].lower() + label[1:]}", domestic.offences(occ, codes)) for key, (label, codes) in domestic.OTHER_VAP_OFFENCES.items()]
    s.compare_many(items, "date", first_col="Within other violence against the person", caption="Harassment, malicious communications and stalking (part of other violence against the person)", improvement="neutral")


# ---- 03 violent crime (non-domestic) --------------------------------------------------------


def _violence(s: Section, what: str) -> pd.DataFrame | None:
    if not available(s, what, ("crimes",), ("domestic", "violence_type")):
        return None
    c = _crimes(s)
    vt = c["violence_type"].astype("string")
    return c[vt.notna() & (vt.str.strip() != "") & ~c["domestic"].fillna(False).astype(bool)]


def violence_counts(s: Section) -> None:
    ev = _violence(s, "Non-domestic violent crime")
    if ev is not None:
        partial_note(s, "crimes")
        s.compare_counts("violence_non_domestic", "Non-domestic violence against the person", ev, "recorded_date")


def violence_monthly(s: Section) -> None:
    ev = _violence(s, "Monthly non-domestic violent crime")
    if ev is not None:
        s.monthly_comparison("non-domestic violence against the person", ev, "recorded_date", key="violence_non_domestic", method="band")


def serious_violence(s: Section) -> None:
    """Serious violence (non-domestic serious assault) against last year: table and SPC chart."""
    ev = _violence(s, "Serious violence")
    if ev is None:
        return
    sv = ev[ev["violence_type"] == "serious_assault"]
    s.compare_counts("serious_violence", "Serious violence (non-domestic serious assault)", sv, "recorded_date")
    s.monthly_comparison("serious violence", sv, "recorded_date", key="serious_violence", method="spc")


# ---- 04 serious acquisitive crime ---------------------------------------------------------

#: data.police.uk crime types that hold the serious acquisitive crime categories, whole.
POLICEUK_SAC_TYPES = {"burglary_all": "Burglary", "robbery_all": "Robbery", "vehicle_crime_all": "Vehicle crime"}


def _policeuk_sac(s: Section) -> list[tuple[str, str, pd.DataFrame]] | None:
    c = _crimes(s)
    if "policeuk_crime_type" not in c:
        return None
    t = c["policeuk_crime_type"].astype("string")
    return [(key, f"{label} (all, police.uk crime type)", c[t == label]) for key, label in POLICEUK_SAC_TYPES.items()]


def sac_events(crimes: pd.DataFrame) -> pd.DataFrame:
    """Crimes in the six serious acquisitive crime categories."""
    return crimes[crimes["category"].isin(list(SAC_CATEGORIES))]


def sac_counts(s: Section) -> None:
    """The total against last year by NPA, then the six categories (or, from police.uk,
    burglary, robbery and vehicle crime whole)."""
    if not available(s, "Serious acquisitive crime", ("crimes",)):
        return
    partial_note(s, "crimes")
    if "offence_code" in s.data.unavailable:
        s.unavailable("Serious acquisitive crime (the six categories)", s.data.unavailable["offence_code"])
        items = _policeuk_sac(s)
        if items:
            s.compare_many(items, "recorded_date", first_col="police.uk crime type")
        return
    c = _crimes(s)
    s.compare_counts("serious_acquisitive_crime", "Serious acquisitive crime (the six categories)", sac_events(c), "recorded_date")


def sac_categories(s: Section) -> None:
    """The six categories' change table, as the paper's list of reductions."""
    if not available(s, "The six serious acquisitive crime categories", ("crimes",), ("offence_code",)):
        return
    c = _crimes(s)
    items = [(cat, label, c[c["category"] == cat]) for cat, label in SAC_CATEGORIES.items()]
    s.compare_many(items, "recorded_date", first_col="Category", caption="Serious acquisitive crime by category")


def sac_monthly(s: Section) -> None:
    if not available(s, "Monthly serious acquisitive crime", ("crimes",)):
        return
    if "offence_code" in s.data.unavailable:
        items = _policeuk_sac(s)
        if items:
            s.monthly_comparison("burglary, robbery and vehicle crime (police.uk types)", pd.concat([ev for _, _, ev in items]), "recorded_date", method="band")
        return
    s.monthly_comparison("serious acquisitive crime", sac_events(_crimes(s)), "recorded_date", key="serious_acquisitive_crime", method="band")


def tmv_trend(s: Section) -> None:
    """Theft of a motor vehicle's own trend, this year against last."""
    if not available(s, "Theft of a motor vehicle", ("crimes",), ("offence_code",)):
        return
    c = _crimes(s)
    tmv = c[c["category"] == "theft_of_motor_vehicle"]
    row = next((r for r in s.rows if r["key"] == "theft_of_motor_vehicle" and r["area"] == "Force" and r["window"] == s.current.id), None)
    if row is not None:
        s.say(s.sentence(row))
    s.monthly_comparison("theft of a motor vehicle", tmv, "recorded_date", key="theft_of_motor_vehicle", method="band")


# ---- 05 fraud and cyber crime -------------------------------------------------------------


def _fraud(s: Section, what: str):
    """(reports, window, previous window or None) for the Action Fraud blocks, or None."""
    if not available(s, what, ("fraud_reports",)):
        return None
    reports = s.data.tables["fraud_reports"]
    cov = s.data.coverage("fraud_reports")
    window = trailing_window(s.period, s.config.fraud_months, s.config.latest_data_offset_months, cov[1] if cov else None)
    prev = months_before(window)
    if cov is None or coverage_gap(cov[0], cov[1], prev):
        prev = None
    return reports, window, prev


def fraud_reports(s: Section) -> None:
    """Reports over the fraud window (13 months to a month after the period end), losses, who
    reported and who asked for support; the months with SPC limits."""
    got = _fraud(s, "Action Fraud reports")
    if got is None:
        return
    reports, window, prev = got
    cov = s.data.coverage("fraud_reports")
    gap = coverage_gap(cov[0], cov[1], window) if cov else None
    if gap:
        s.unavailable(f"Part of {_window_short(window)} only", f"{gap}; counts are partial")
    s.compare_counts("fraud_reports", "Action Fraud reports from the force's victims", reports, "reported_date", by=None, current=window, previous=prev or months_before(window), table="fraud_reports", improvement="neutral")
    cur = fraud.summary(reports, window)
    old = fraud.summary(reports, prev) if prev else None
    rows = [
        s.add_value("fraud_losses_gbp", "Reported losses (£)", window, round(cur.losses_gbp, 2), round(old.losses_gbp, 2) if old else None, kind="amount", previous_window=prev),
        s.add_value("fraud_share_individuals", "Reports from individuals (%)", window, _r(cur.share_individuals), _r(old.share_individuals) if old else None, kind="share", previous_window=prev),
        s.add_value("fraud_share_organisations", "Reports from organisations (%)", window, _r(cur.share_organisations), _r(old.share_organisations) if old else None, kind="share", previous_window=prev),
        s.add_value("fraud_share_support", "Victims asking for support (%)", window, _r(cur.share_support), _r(old.share_support) if old else None, kind="share", previous_window=prev),
    ]
    s.say(
        f"In the {len(window.months)} months {_window_short(window)}, {cur.reports:,} reports from victims in the force area were made to Action Fraud, "
        f"with reported losses of {_money(cur.losses_gbp)}. {cur.share_individuals or 0:.0f}% came from individuals and {cur.share_organisations or 0:.0f}% from organisations; "
        f"{cur.share_support or 0:.0f}% of victims asked for support."
    )
    s.show_values(rows, caption="Losses and shares")
    s.say("Action Fraud reports carry no Neighbourhood Policing Area in the data the force receives, so there is no breakdown by NPA.")
    s.spc_months("Action Fraud reports", reports, "reported_date", window, table="fraud_reports", improvement="neutral", ylabel="reports per month")


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _money(x: float) -> str:
    return f"£{x / 1e6:,.1f} million" if x >= 1e6 else f"£{x:,.0f}"


def fraud_types(s: Section) -> None:
    got = _fraud(s, "Fraud types")
    if got is None:
        return
    reports, window, prev = got
    s.category_breakdown("fraud_type", "Action Fraud reports by fraud type", reports, "fraud_type", "reported_date", window=window, previous=prev, table="fraud_reports", ylabel="reports")


def fraud_victim_ages(s: Section) -> None:
    got = _fraud(s, "Victim age groups")
    if got is None:
        return
    reports, window, prev = got
    people = fraud.individuals(reports)
    s.category_breakdown("fraud_age", "reports from individuals by victim age group", people, "victim_age_band", "reported_date", window=window, previous=prev, table="fraud_reports", order=fraud.age_band_order(people["victim_age_band"].dropna()), ylabel="reports")


def fraud_disseminations(s: Section) -> None:
    """Crimes NFIB disseminated to the force: several years of months, and the 12 months
    against the 12 before."""
    if not available(s, "Crimes disseminated to the force", ("fraud_reports",)):
        return
    reports = s.data.tables["fraud_reports"]
    cov = s.data.coverage("fraud_reports")
    dis = fraud.disseminated(reports)
    s.compare_counts("fraud_disseminations", "Crimes disseminated to the force by NFIB", dis, "reported_date", by=None, table="fraud_reports", improvement="neutral")
    window = fraud.dissemination_window(s.period, s.config.dissemination_years, cov[1] if cov else None)
    s.trend("crimes disseminated to the force by NFIB", dis, "reported_date", window, table="fraud_reports", ylabel="crimes per month",
            caption=f"Crimes disseminated to the force by NFIB per month, {_window_short(window)}, by the month the victim reported to Action Fraud. A plain trend: the volumes are set by NFIB's review, not by demand in the force area, so neither a seasonal range nor SPC limits would say anything about the force.")


# ---- 06 ASB and Covid-19 --------------------------------------------------------------------


def _asb(s: Section, what: str) -> pd.DataFrame | None:
    if not available(s, what, ("incidents",)):
        return None
    return asb_incidents(s.data.tables["incidents"])


def asb_counts(s: Section) -> None:
    """ASB incidents against the previous 12 months by NPA, then Covid-19 related and other."""
    asb = _asb(s, "ASB incidents")
    if asb is None:
        return
    partial_note(s, "incidents")
    s.compare_counts("asb_incidents", "ASB incidents", asb, "opened_at", table="incidents")
    if not available(s, "Covid-19 related and other ASB", fields=("covid_related",)):
        return
    cov_asb, other = covid.asb_split(asb)
    s.compare_many([("asb_covid_incidents", "Covid-19 related ASB incidents", cov_asb), ("asb_other_incidents", "Other ASB incidents", other)], "opened_at", table="incidents", first_col="ASB")
    start = s.config.covid_overall_start
    if s.previous.start < start:
        s.say(
            f"Covid-19 related reports exist only from the start of the Covid-19 period ({format_day(start)}), so "
            f"{_window_short(s.previous)} {'had none' if s.previous.end < start else 'has few'} by definition: the rise in that row "
            f"reflects the restrictions, not a change in behaviour. Other ASB is the like-for-like comparison."
        )


def asb_monthly(s: Section) -> None:
    """ASB per month in the usual seasonal range; then this year split Covid-19 related / other."""
    asb = _asb(s, "Monthly ASB incidents")
    if asb is None:
        return
    s.monthly_comparison("ASB incidents", asb, "opened_at", table="incidents", key="asb_incidents", method="band")
    if not available(s, "Covid-19 related and other ASB per month", fields=("covid_related",)):
        return
    cov_asb, other = covid.asb_split(asb)
    s.monthly_split("ASB incidents, Covid-19 related and other", [("Covid-19 related", cov_asb), ("Other ASB", other)], "opened_at", table="incidents")
    s.monthly_comparison("ASB incidents other than Covid-19 related", other, "opened_at", table="incidents", key="asb_other_incidents", method="band")


def covid_incidents(s: Section) -> None:
    """Covid-19 related incidents (any category) per month since the pandemic began."""
    if not available(s, "Covid-19 related incidents", ("incidents",), ("covid_related",)):
        return
    inc = covid.covid_related(s.data.tables["incidents"])
    start = s.config.covid_overall_start
    if start > s.period.end:
        s.say(f"The Covid-19 period in the configuration starts after {s.period.end:%d %B %Y}.")
        return
    window = window_since(s.period, start, 0)
    s.monthly_bars("covid_incidents", "Covid-19 related incidents", inc, "opened_at", window, table="incidents", ylabel="incidents per month",
                   caption=f"Covid-19 related incidents (reports of restriction breaches, of any category) per month, {_window_short(window)}. Plain bars: the series begins with the pandemic, so there is no earlier year for a seasonal range or SPC limits.")


def covid_fpns(s: Section) -> None:
    """Covid-19 fixed penalty notices per month from the configured start to a month after the
    period end (where the data have it), by NPA and by breach type."""
    if not available(s, "Covid-19 fixed penalty notices", ("fpns",)):
        return
    fpns = s.data.tables["fpns"]
    cov = s.data.coverage("fpns")
    window = window_since(s.period, s.config.fpn_start, s.config.latest_data_offset_months, cov[1] if cov else None)
    if window is None:
        s.say(f"The FPN window in the configuration starts after {s.period.end:%d %B %Y}.")
        return
    s.monthly_bars("covid_fpns", "Covid-19 fixed penalty notices", fpns, "issued_date", window, table="fpns", ylabel="FPNs per month",
                   caption=f"Covid-19 fixed penalty notices issued per month, {_window_short(window)}. Plain bars: enforcement follows the rules in force each month, not a stable process, so neither a seasonal range nor SPC limits apply.")
    s.area_counts("covid_fpns", "Covid-19 fixed penalty notices", fpns, "issued_date", window, table="fpns", note="There were no Covid-19 FPNs before the restrictions of March 2020, so there is nothing to compare with.")
    s.category_breakdown("covid_fpns_breach", "Covid-19 FPNs by breach type", fpns, "breach_type", "issued_date", window=window, table="fpns", ylabel="FPNs")


# ---- 07 calls for service -------------------------------------------------------------------


def _calls(s: Section, what: str) -> pd.DataFrame | None:
    if not available(s, what, ("calls",)):
        return None
    return s.data.tables["calls"]


def calls_counts(s: Section) -> None:
    """999, 101, digital and all calls against the previous 12 months (calls carry no NPA)."""
    c = _calls(s, "Calls for service")
    if c is None:
        return
    partial_note(s, "calls")
    s.compare_many(calls_measures.by_channel(c), "date", table="calls", by=None, first_col="Channel", caption="Calls for service by channel", improvement="neutral")
    s.say("Calls are counted by channel and day; they carry no Neighbourhood Policing Area, so there is no breakdown by NPA.")


def calls_monthly(s: Section) -> None:
    """Each channel per month, this year against last: 999, 101 and all calls in the usual
    seasonal range; digital contact with SPC limits (its use changed with the pandemic)."""
    c = _calls(s, "Monthly calls for service")
    if c is None:
        return
    items = {key: (label, ev) for key, label, ev in calls_measures.by_channel(c)}
    for key, method in (("calls_total", "band"), ("calls_999", "band"), ("calls_101", "band"), ("calls_digital", "spc")):
        label, ev = items[key]
        s.monthly_comparison(label[0].lower() + label[1:] if not label[0].isdigit() else label, ev, "date", table="calls", key=key, method=method, improvement="neutral", ylabel="calls per month")


def calls_covid(s: Section) -> None:
    """Each channel in each Covid-19 period against the same dates a year earlier (all calls
    are in the overview's table)."""
    c = _calls(s, "Calls for service by Covid-19 period")
    if c is None:
        return
    s.covid_comparison([(key, label, ev, "date", "calls") for key, label, ev in calls_measures.by_channel(c) if key != "calls_total"])

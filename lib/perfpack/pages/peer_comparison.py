"""Peer comparison: the force's crime rates against every police force area in England and
Wales, from the ONS police force area tables (Table P1 counts, Table P3 rates and populations).

For each offence group a funnel plot (:mod:`perfpack.stats.funnel`: rate against population,
95% and 99.8% limits widened for over-dispersion) says where the force sits, in words; its
most similar group (``peers.group`` in the configuration) is highlighted; a table lists every
force by rate. A force the ONS table leaves out is named, never drawn as zero. The peer data
come with the run's snapshot (``perfpack run --peers DIR``), or, for a notebook run by hand,
from ``peers.dir`` in the configuration; with none the page says so in words.
"""

from __future__ import annotations

import calendar
import html
from dataclasses import dataclass, field

import pandas as pd

from perfpack.config import ConfigError, peer_settings
from perfpack.pages.section import Section
from perfpack.periods import Window, add_months
from perfpack.present.funnel_chart import funnel_chart
from perfpack.present.tables import fmt_count, fmt_rate, html_table
from perfpack.sources.ons import FORCES, force_code
from perfpack.sources.peers import PeerData, PeerDataError, check_group, load_peers
from perfpack.stats.figures import to_frame, value_row, write_pack_table
from perfpack.stats.funnel import FunnelError, FunnelResult, funnel, level_name

TOTAL = "total_recorded_crime_excluding_fraud"
PEERS_CSV = "peers.csv"
PEER_COLUMNS = ["force", "area_code", "offence_group", "count", "population", "rate_per_1000", "funnel", "in_peer_group"]
NOT_IN_TABLE = "not in the ONS table"
NO_PEERS = (
    "no peer data were given to this run. Give a folder of ONS police force area tables workbooks with "
    "perfpack run --peers DIR, or set peers.dir in the configuration, and the page compares the force with every force in England and Wales"
)


@dataclass
class Peers:
    """What the page works from: the ONS table, the force and its group as the ONS names
    them, and a funnel per offence group."""

    data: PeerData
    force: str | None
    asked: str
    group: list[str]
    unknown: list[str]
    labels: dict[str, str]
    results: dict[str, FunnelResult] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    frame: pd.DataFrame | None = None

    @property
    def year_words(self) -> str:
        d = self.data.year_end
        return f"year ending {calendar.month_name[d.month]} {d.year}"

    def in_group(self, force: str) -> bool:
        """In the comparison group: the force and its most similar group, or every force when
        the configuration lists none."""
        return not self.group or force in self.group or force == self.force


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _phi(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.2f}"


def _run_force(s: Section) -> tuple[str | None, str]:
    """The ONS name of the run's force (by its name, its short name or its police.uk slug),
    and the name it was asked by."""
    names = [s.data.force, s.force_asked] + ([s.config.force_short_name, s.config.force_name] if s.data.source == "canonical" else [])
    for n in names:
        code = force_code(n)
        if code:
            return FORCES[code], str(n)
    return None, str(s.data.force or s.force_asked)


def _compute(s: Section) -> Peers | str | None:
    try:
        settings = peer_settings(s.config)
        data = load_peers(s.data_dir, settings.dir, s.period.end)
    except (ConfigError, PeerDataError) as exc:
        return str(exc).rstrip(".")
    if data is None:
        return None
    force, asked = _run_force(s)
    known, unknown = check_group(settings.group)
    table = data.table
    labels = dict(zip(table["offence_group"], table["offence_label"]))
    p = Peers(data, force, asked, [g for g in known if g != force], unknown, labels)
    for group in labels:
        try:
            p.results[group] = _funnel(table[table["offence_group"] == group])
        except FunnelError as exc:
            p.errors[group] = str(exc)
    p.frame = _peer_frame(p)
    _record(s, p)
    return p


def _funnel(rows: pd.DataFrame) -> FunnelResult:
    return funnel(rows, "count", "population", unit_col="force")


def peers_of(s: Section) -> Peers | str | None:
    """The peer data worked out once per page: :class:`Peers`, or the reason there are none
    in words (a folder with no workbook for the year, say), or None when none were given."""
    return s.memo("peers", lambda: _compute(s))


def _peer_frame(p: Peers) -> pd.DataFrame:
    """Every force and offence group as ``peers.csv`` holds them; forces the ONS table
    leaves out are rows with no figures, never zeros."""
    out = []
    for group in p.labels:
        res = p.results.get(group)
        readings = dict(zip(res.units["unit"], res.units["reading"])) if res else {}
        why = dict(zip(res.left_out["unit"], res.left_out["reason"])) if res else {}
        rows = p.data.table[p.data.table["offence_group"] == group]
        for r in rows.to_dict("records"):
            reading = readings.get(r["force"]) or (f"left out: {why[r['force']]}" if r["force"] in why else f"left out: {p.errors.get(group, 'no funnel')}")
            out.append(
                {
                    "force": r["force"],
                    "area_code": r["area_code"],
                    "offence_group": group,
                    "count": r["count"],
                    "population": r["population"],
                    "rate_per_1000": r["rate_per_1000"],
                    "funnel": reading,
                    "in_peer_group": p.in_group(r["force"]),
                }
            )
        for name in p.data.absent_forces:
            code = force_code(name)
            out.append(
                {
                    "force": name,
                    "area_code": code,
                    "offence_group": group,
                    "count": None,
                    "population": None,
                    "rate_per_1000": None,
                    "funnel": f"left out: {NOT_IN_TABLE}",
                    "in_peer_group": p.in_group(name),
                }
            )
    frame = pd.DataFrame(out, columns=PEER_COLUMNS)
    return frame.astype({"count": "Int64", "population": "Int64", "rate_per_1000": "float64", "in_peer_group": bool})


def _year_window(s: Section, p: Peers) -> Window:
    end = p.data.year_end
    return s.current if end == s.current.end else Window(add_months(end, -11), end)


def _record(s: Section, p: Peers) -> None:
    """One figures.csv row per offence group for the force: its rate per 1,000 (the ONS's own,
    from Table P3; worked out from count and population where P3 shows none), kind
    ``rate``, with the funnel reading where the significance of a count would be."""
    if p.force is None:
        return
    window = _year_window(s, p)
    mine = p.frame[p.frame["force"] == p.force]
    for r in mine.to_dict("records"):
        res = p.results.get(r["offence_group"])
        unit = res.units[res.units["unit"] == p.force] if res else None
        rate, note = r["rate_per_1000"], ""
        if pd.isna(rate) and unit is not None and len(unit):
            rate, note = float(unit["rate"].iloc[0]), ", worked out from count and population: the ONS shows none"
        if pd.isna(rate):
            continue
        label = f"{p.labels[r['offence_group']]} per 1,000 population (ONS, {p.year_words}{note})"
        row = value_row(s.id, f"peer_rate_{r['offence_group']}", label, window, float(rate), kind="rate")
        row["significance"] = r["funnel"]
        s.rows.append(row)


# ---- what the page shows -------------------------------------------------------------------


def _unavailable(s: Section, p) -> None:
    s.unavailable("Peer comparison", p if isinstance(p, str) else NO_PEERS)


def data(s: Section) -> pd.DataFrame | None:
    """Where the peer data come from, the force as the ONS names it, its most similar group
    and the forces the table leaves out. Returns the ONS table (None without peer data)."""
    p = peers_of(s)
    if not isinstance(p, Peers):
        _unavailable(s, p)
        s.paper_text(f"Peer comparison: {p if isinstance(p, str) else 'no peer data were given to this run'}, so the force is compared with no other.")
        return None
    d = p.data
    s.show(
        f"<p><b>Source:</b> ONS, {html.escape(d.title)} (<code>{html.escape(d.name)}</code>): Table P1, police recorded crime by offence group, and Table P3, "
        "the rate per 1,000 population with each force's mid-year population estimate. Contains public sector information licensed under the Open Government Licence v3.0.</p>"
    )
    if p.force:
        s.say(f"{p.asked} is the ONS's {p.force} ({force_code(p.force)}): drawn large and named on each plot, in bold in each table.")
    else:
        s.unavailable(
            "The force of this run",
            f"{p.asked} is not one of the 43 police force areas of England and Wales in the ONS tables, so it cannot be placed among them; the plots show every force with none highlighted",
        )
    if p.group:
        s.say(
            f"Its most similar group, as the configuration lists it (peers.group): {', '.join(p.group)}. They are drawn in a colour of their own and marked in the tables."
        )
    else:
        s.say("No most similar group is listed in the configuration (peers.group): the force is compared with every force, none highlighted.")
    if p.unknown:
        s.unavailable("Not recognised as forces, so not highlighted", ", ".join(repr(u) for u in p.unknown) + " (write each as the ONS names it)")
    if d.absent_forces:
        s.unavailable(
            "Left out of the ONS table",
            f"{', '.join(d.absent_forces)}: the table shows no figures for {'it' if len(d.absent_forces) == 1 else 'them'}, so {'it is' if len(d.absent_forces) == 1 else 'they are'} on no plot and in no ranking, and never counted as zero",
        )
    else:
        s.say(
            f"Every one of the 43 police force areas is in the table. {' and '.join(d.not_force_areas) or 'No other row'} {'is' if len(d.not_force_areas) == 1 else 'are'} in it too but, with no area and no population, not compared."
        )
    notes = d.table.drop_duplicates("force")
    notes = notes[notes["force_note"].fillna("").str.strip() != ""]
    if len(notes):
        s.say("The ONS's notes on forces: " + "; ".join(f"{r['force']}: {r['force_note'].strip().rstrip('.')}" for r in notes.to_dict("records")) + ".")
    return d.table


def _unit(p: Peers, group: str):
    res = p.results.get(group)
    if res is None or p.force is None:
        return None
    u = res.units[res.units["unit"] == p.force]
    return u.iloc[0] if len(u) else None


def _ranked(res: FunnelResult) -> pd.DataFrame:
    return res.units.sort_values("rate", ascending=False, kind="stable").reset_index(drop=True)


def _rank(p: Peers, group: str) -> tuple[int, int, int | None, int | None]:
    """The force's place by rate, highest first: among all forces on the plot, and among
    itself and its most similar group (None without one)."""
    ranked = _ranked(p.results[group])
    pos = int(ranked.index[ranked["unit"] == p.force][0]) + 1
    if not p.group:
        return pos, len(ranked), None, None
    g = ranked[ranked["unit"].isin(p.group + [p.force])].reset_index(drop=True)
    return pos, len(ranked), int(g.index[g["unit"] == p.force][0]) + 1, len(g)


def _rank_words(p: Peers, group: str) -> str:
    pos, n, gpos, gn = _rank(p, group)
    words = f"{_ordinal(pos)} highest of {n} forces"
    return words + (f", {_ordinal(gpos)} of the {gn} in its most similar group (with it)" if gpos else "")


def reading(p: Peers, group: str) -> str:
    """Where the force sits for one offence group, in a sentence."""
    label = p.labels[group]
    core = _position(p, group)
    return f"{label}, {p.year_words}: {p.force}, {core}." if core else _no_position(p, group)


def _no_position(p: Peers, group: str) -> str:
    label = p.labels[group]
    if group in p.errors:
        return f"{label}: no funnel plot ({p.errors[group]})."
    if p.force is None:
        return f"{label}: the force of this run is not among the ONS's police force areas."
    if _unit(p, group) is None:
        why = "it is not in the ONS table" if p.force in p.data.absent_forces else "the ONS shows no count or population for it"
        return f"{label}: {p.force} is not on the plot: {why}."
    return f"{label}: no reading."


def _position(p: Peers, group: str) -> str | None:
    """The force's rate, the centre line, its reading with the limits at its population and
    its rank, as a clause; None when it has no place on the plot."""
    u = _unit(p, group)
    if u is None or group in p.errors:
        return None
    res = p.results[group]
    row = p.frame[(p.frame["force"] == p.force) & (p.frame["offence_group"] == group)].iloc[0]
    ons = row["rate_per_1000"]
    rate = (
        f"{fmt_rate(ons)} per 1,000 population"
        if pd.notna(ons)
        else f"{fmt_rate(u['rate'])} per 1,000 population (worked out from count and population: the ONS shows no rate)"
    )
    lo, hi = (level_name(x) for x in (min(res.levels), max(res.levels)))
    limits = f"95% limits {fmt_rate(u[f'lower_{lo}'])} to {fmt_rate(u[f'upper_{lo}'])}, 99.8% limits {fmt_rate(u[f'lower_{hi}'])} to {fmt_rate(u[f'upper_{hi}'])} at its population"
    return f"{rate} ({fmt_count(u['count'])} offences), against {fmt_rate(res.target_rate)} for all forces together: {u['reading']} ({limits}); {_rank_words(p, group)}"


def method(res: FunnelResult) -> str:
    """How the limits were drawn, with the dispersion ratio, in a sentence."""
    d = res.dispersion
    spread = f"dispersion ratio \u03c6 = {_phi(d.phi)} from {d.n} forces, z-scores winsorised at {d.trim:.0%}"
    if not d.adjusted:
        return f"Limits: exact Poisson limits at 95% and 99.8% ({spread}: no over-dispersion detected). Method: Spiegelhalter (2005), as NHS-R's FunnelPlotR; docs/peers.md."
    how = f"an additive random effect (\u03c4\u00b2 = {d.tau2:.2g})" if d.method == "additive" else f"the multiplicative factor \u221a\u03c6 = {d.phi**0.5:.3g}"
    return (
        f"Limits at 95% and 99.8%, widened for over-dispersion by {how}: the forces' rates vary far more than chance alone would make them ({spread}). "
        "Method: Spiegelhalter (2005), as NHS-R's FunnelPlotR does it; docs/peers.md."
    )


def _table_html(p: Peers, group: str) -> str:
    res = p.results[group]
    rows = p.frame[p.frame["offence_group"] == group].set_index("force")
    out = []
    ranked = _ranked(res)
    for i, u in ranked.iterrows():
        r = rows.loc[u["unit"]]
        cells = [
            str(i + 1),
            html.escape(u["unit"]),
            fmt_count(u["count"]),
            fmt_count(u["denominator"]),
            fmt_rate(r["rate_per_1000"]) if pd.notna(r["rate_per_1000"]) else f"not shown ({fmt_rate(u['rate'])} worked out)",
            html.escape(u["reading"]),
        ]
        if p.group:
            cells.append("yes" if u["unit"] in p.group else ("this force" if u["unit"] == p.force else ""))
        if u["unit"] == p.force:
            cells = [f"<b>{c}</b>" for c in cells]
        out.append(cells)
    for f, r in rows[~rows.index.isin(ranked["unit"])].iterrows():
        cells = ["–", html.escape(f), "–", fmt_count(r["population"]), "–", html.escape(r["funnel"])]
        if p.group:
            cells.append("yes" if f in p.group else "")
        out.append(cells)
    header = ["Rank", "Force", "Offences", "Population", "Rate per 1,000 (ONS)", "Funnel reading"] + (["Most similar group"] if p.group else [])
    caption = f"{p.labels[group]}: every police force area by rate per 1,000 population, highest first, {p.year_words}"
    return html_table(header, out, numeric={0, 2, 3, 4}, caption=caption)


def _show_group(s: Section, p: Peers, group: str, paper: bool, open_table: bool) -> pd.DataFrame:
    s.say(reading(p, group))
    res = p.results.get(group)
    if res is None:
        return p.frame[p.frame["offence_group"] == group]
    what = p.labels[group][0].lower() + p.labels[group][1:]
    absent = [f"{f} ({NOT_IN_TABLE})" for f in p.data.absent_forces]
    fig_alt = funnel_chart(res, what, force=p.force, group=p.group, period_words=p.year_words, not_drawn=absent)
    s.chart(
        fig_alt,
        caption=f"{p.labels[group]} per 1,000 population against population, every police force area of England and Wales, {p.year_words} (ONS).",
        paper=paper,
    )
    s.say(method(res))
    left = absent + [f"{r['unit']} ({r['reason']})" for r in res.left_out.to_dict("records")]
    if left:
        s.unavailable("Not on the plot, having no figure (not counted as zero)", ", ".join(left))
    table = _table_html(p, group)
    s.show(table if open_table else f"<details><summary>Every force by rate: {html.escape(p.labels[group])}</summary>{table}</details>")
    return p.frame[p.frame["offence_group"] == group].reset_index(drop=True)


def offence_group(s: Section, group: str = TOTAL) -> pd.DataFrame:
    """One offence group: the force's reading in words, the funnel plot, how its limits were
    drawn, forces not on it and the table of every force by rate. The total recorded crime
    plot is the one the meeting paper takes. Returns the group's rows of ``peers.csv``."""
    p = peers_of(s)
    if not isinstance(p, Peers):
        _unavailable(s, p)
        return pd.DataFrame(columns=PEER_COLUMNS)
    if group not in p.labels:
        s.unavailable(f"Offence group {group}", f"not in {p.data.name}")
        return pd.DataFrame(columns=PEER_COLUMNS)
    return _show_group(s, p, group, paper=group == TOTAL, open_table=True)


def offence_groups(s: Section) -> dict[str, pd.DataFrame]:
    """Every offence group below the total, in the ONS's order: a heading, the reading, the
    funnel plot and the table (folded). Returns each group's rows of ``peers.csv``."""
    p = peers_of(s)
    if not isinstance(p, Peers):
        _unavailable(s, p)
        return {}
    out = {}
    for group, label in p.labels.items():
        if group == TOTAL:
            continue
        s.show(f"<h3>{html.escape(label)}</h3>")
        out[group] = _show_group(s, p, group, paper=False, open_table=False)
    return out


def overview(s: Section) -> pd.DataFrame:
    """The force's rate and reading for every offence group in one table, and the paragraph
    the meeting paper carries. Returns the force's figures.csv rows."""
    p = peers_of(s)
    if not isinstance(p, Peers):
        _unavailable(s, p)
        return to_frame([])
    if p.force is None:
        s.unavailable("Overview", f"{p.asked} is not among the ONS's police force areas")
        return to_frame([])
    rows, counts = [], {}
    for group, label in p.labels.items():
        u = _unit(p, group)
        res = p.results.get(group)
        if u is None or res is None:
            rows.append([html.escape(label), "–", "–", "–", "–", "not on the plot"])
            continue
        r = p.frame[(p.frame["force"] == p.force) & (p.frame["offence_group"] == group)].iloc[0]
        pos, n, gpos, gn = _rank(p, group)
        rank = f"{pos} of {n}" + (f" ({gpos} of {gn} in its group)" if gpos else "")
        rows.append(
            [
                html.escape(label),
                fmt_count(u["count"]),
                fmt_rate(r["rate_per_1000"] if pd.notna(r["rate_per_1000"]) else u["rate"]),
                fmt_rate(res.target_rate),
                rank,
                html.escape(u["reading"]),
            ]
        )
        if group != TOTAL:
            counts.setdefault(u["reading"], []).append(label[0].lower() + label[1:])
    s.show(
        html_table(
            ["Offence group", "Offences", "Rate per 1,000 (ONS)", "All forces together", "Rank (highest first)", "Funnel reading"],
            rows,
            numeric={1, 2, 3},
            caption=f"{p.force} against every police force area, {p.year_words}",
        )
    )
    s.paper_text(_paper_words(p, counts))
    return to_frame([r for r in s.rows if str(r.get("key", "")).startswith("peer_rate_")])


def _paper_words(p: Peers, counts: dict[str, list[str]]) -> str:
    """The paragraph for the meeting paper: the total's reading, then how the other
    offence groups fall."""
    where = f"Against the 43 police force areas of England and Wales (ONS police force area tables, {p.year_words})"
    core = _position(p, TOTAL) if TOTAL in p.labels else None
    label = p.labels.get(TOTAL, "total recorded crime")
    parts = [
        f"{where}, {p.force}'s rate of {label[0].lower() + label[1:]} was {core}."
        if core
        else f"{where}: {_no_position(p, TOTAL) if TOTAL in p.labels else 'the table has no total recorded crime.'}"
    ]
    n = sum(len(v) for v in counts.values())
    outside = {k: v for k, v in counts.items() if k != "within the limits"}
    if n and outside:
        listed = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(outside.items()))
        parts.append(f"Of the {n} other offence groups, {len(counts.get('within the limits', []))} are within the limits; {listed}.")
    elif n:
        parts.append(f"All {n} other offence groups are within the limits.")
    return " ".join(parts)


def peer_table(s: Section) -> pd.DataFrame:
    """Write ``peers.csv`` for the pack (every force and offence group: count, population,
    the ONS's rate, the funnel reading, whether in the comparison group) and say what it
    holds. Returns it."""
    p = peers_of(s)
    if not isinstance(p, Peers):
        _unavailable(s, p)
        return pd.DataFrame(columns=PEER_COLUMNS)
    write_pack_table(p.frame, s.figures_dir, PEERS_CSV, s.id)
    group = "the force and its most similar group" if p.group else "every force (no most similar group is listed)"
    s.say(
        f"The pack's {PEERS_CSV} holds these {len(p.frame):,} rows, one per force and offence group: count (Table P1), population and rate per 1,000 (Table P3, the ONS's own), "
        f"the funnel reading, and in_peer_group, true for {group}. A force the table leaves out has a row with no figures, never zeros."
    )
    return p.frame

"""The strategic risk assessment as the FMS lays it out: the RAG table (ratings as coloured
words, arrows against the baseline) with its key, the summary sentence, and the evidence behind
each rating. Draws from a scored register (:func:`perfpack.measures.risk.score`); loads nothing."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from perfpack.measures.risk import ARROWS, RAG_LEVELS, RiskConfig, as_config
from perfpack.periods import Period, format_day

TABLE_COLUMNS = ["ref", "name", "level", "rag", "arrow", "direction", "risk_score", "baseline_score", "baseline_rag"]


def risk_table(scored: pd.DataFrame, config: RiskConfig | str | Path, *, indent: str = "\u2003\u2003", include_notes: bool = False) -> pd.DataFrame:
    """The scored register laid out like the FMS summary: each area, then its sub-areas.

    An area without sub-areas is one row with its own rating. An area rated through its
    sub-areas is a heading row (``level == "area"``, no rating) followed by one row per
    sub-area (``level == "sub-area"``), whose names are indented with ``indent``.

    Parameters
    ----------
    scored : pandas.DataFrame
        The output of :func:`score` on the register from :func:`load_register`.
    config : RiskConfig, str or pathlib.Path
        The configuration, for the order of areas and the area headings.
    indent : str, default two em spaces
        Put before sub-area names. Em spaces survive HTML whitespace collapsing.
    include_notes : bool, default False
        Add the ``assessor_note`` column (free text: leave it out of public exports
        unless the notes have been reviewed for publication).

    Returns
    -------
    pandas.DataFrame
        Columns ``TABLE_COLUMNS`` (plus ``assessor_note``); rating columns are empty on
        heading rows.
    """
    config = as_config(config)
    need = ["area_id", "sub_area_id", "ref", "name", "rag", "arrow", "direction", "risk_score", "baseline_score", "baseline_rag"]
    missing = [c for c in need if c not in scored.columns]
    if missing:
        raise ValueError(f"risk_table(): column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing. Pass score(load_register(...), config).")
    keyed = {(int(r["area_id"]), str(r["sub_area_id"])): r for _, r in scored.iterrows()}
    cols = TABLE_COLUMNS + (["assessor_note"] if include_notes else [])
    rows: list[dict] = []

    def _row(r: pd.Series, level: str, name: str) -> dict:
        d = {c: r[c] for c in TABLE_COLUMNS if c in r.index}
        d.update(level=level, name=name)
        if include_notes:
            d["assessor_note"] = r.get("assessor_note", "")
        return d

    for a in config.areas:
        if not a.sub_areas:
            if (a.id, "") in keyed:
                rows.append(_row(keyed[(a.id, "")], "area", a.name))
            continue
        present = [s for s in a.sub_areas if (a.id, s.id) in keyed]
        if not present:
            continue
        head = {c: None for c in cols}
        head.update(ref=str(a.id), name=a.name, level="area")
        rows.append(head)
        for s in present:
            rows.append(_row(keyed[(a.id, s.id)], "sub-area", indent + s.name))
    return pd.DataFrame(rows, columns=cols)


def risk_legend(config: RiskConfig | str | Path) -> str:
    """The legend for the RAG table: what the ratings and the arrows mean.

    Parameters
    ----------
    config : RiskConfig, str or pathlib.Path

    Returns
    -------
    str
        One paragraph of plain text.
    """
    config = as_config(config)
    return (
        f"Rating (score = harm \u00d7 likelihood \u00d7 organisational position, each scored "
        f"{config.scale_min} to {config.scale_max}): Red = {config.red_from:g} or more; "
        f"Amber = {config.amber_from:g} to under {config.red_from:g}; Green = under {config.amber_from:g}. "
        f"Against {config.baseline_label}: {ARROWS['increased']} risk increased; "
        f"{ARROWS['same']} risk the same (score within {config.same_within:g} points); "
        f"{ARROWS['reduced']} risk reduced."
    )


def style_risk_table(table: pd.DataFrame, config: RiskConfig | str | Path, *, caption: str | None = None, legend: bool = True):
    """The RAG table as a pandas Styler: colour, the rating as a word, the arrow and its meaning.

    Colour is never the only signal: each rating cell says Red, Amber or Green, each
    direction cell carries the arrow and the word (increased, the same, reduced), and the
    caption is the legend. Text colours come from ``rag.colours`` in the configuration,
    which :func:`load_config` checks for a contrast of at least 4.5:1.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`risk_table`.
    config : RiskConfig, str or pathlib.Path
    caption : str, optional
        Put before the legend (e.g. the title of the assessment).

    Returns
    -------
    pandas.io.formats.style.Styler
        Render with ``.to_html()`` or display it in a notebook.
    """
    config = as_config(config)
    words = {"increased": "increased", "same": "the same", "reduced": "reduced"}
    heading = table["level"].eq("area") & table["rag"].isna()
    display = pd.DataFrame(
        {
            "Ref": table["ref"].astype(str),
            "Area or sub-area": table["name"],
            "Rating": table["rag"].fillna(""),
            "Against baseline": [f"{a} {words[d]}" if isinstance(d, str) else "" for a, d in zip(table["arrow"], table["direction"])],
            "Score": [f"{s:g}" if pd.notna(s) else "" for s in table["risk_score"]],
            "Baseline score": [f"{s:g}" if pd.notna(s) else "" for s in table["baseline_score"]],
            "Baseline rating": table["baseline_rag"].fillna(""),
        }
    )
    if "assessor_note" in table.columns:
        display["Evidence"] = table["assessor_note"].fillna("")
    heading = heading.to_numpy()

    def _cell(value: str) -> str:
        c = config.colours.get(value)
        return f"background-color: {c['background']}; color: {c['text']}; font-weight: bold; text-align: center" if c else ""

    def _rows(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for pos, is_head in enumerate(heading):
            if is_head:
                css.iloc[pos, :] = "font-weight: bold; background-color: #f3f2f1; color: #0b0c0c"
        return css

    words = risk_legend(config) if legend else ""
    styler = (
        display.style.format(escape="html")
        .set_uuid("risk")  # stable ids, so the same register gives the same HTML
        .apply(_rows, axis=None)
        .map(_cell, subset=["Rating", "Baseline rating"])
        .hide(axis="index")
        .set_caption(f"{caption}. {words}".strip() if caption else words)
        .set_table_styles(
            [
                {"selector": "", "props": "border-collapse: collapse; font-family: Arial, sans-serif; font-size: 0.9em"},
                {"selector": "caption", "props": "caption-side: bottom; text-align: left; padding-top: 0.5em; color: #0b0c0c"},
                {"selector": "th", "props": "text-align: left; border-bottom: 2px solid #0b0c0c; padding: 4px 8px"},
                {"selector": "td", "props": "padding: 4px 8px; border-bottom: 1px solid #b1b4b6"},
            ]
        )
    )
    return styler


def risk_table_html(table: pd.DataFrame, config: RiskConfig | str | Path, *, caption: str | None = None) -> str:
    """The styled RAG table as an HTML fragment (see :func:`style_risk_table`).

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`risk_table`.
    config : RiskConfig, str or pathlib.Path
    caption : str, optional

    Returns
    -------
    str
    """
    return style_risk_table(table, config, caption=caption).to_html()


#: Bold, centred text; the colours come from ``rag.colours`` in the profile's ``risk.yaml``.
_CELL = "background-color:{background};color:{text};font-weight:700;text-align:center"


_LEFT = "text-align:left;vertical-align:top"


_DIRECTION_WORDS = {"increased": "risk increased", "same": "risk the same", "reduced": "risk reduced"}


def _dates(values: pd.Series) -> str:
    days = sorted({pd.Timestamp(v).date() for v in values})
    if len(days) == 1:
        return format_day(days[0])
    return f"between {format_day(days[0])} and {format_day(days[-1])}"


def assessment_summary(scored: pd.DataFrame, config: RiskConfig, period: Period | None = None) -> str:
    """What the assessment is, when it was made, against what, and how the ratings fall.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.
    config : RiskConfig
    period : Period, optional
        The reporting period; when the assessment post-dates its end, the sentence says so.

    Returns
    -------
    str
        e.g. "The register rates 42 areas and sub-areas, assessed on 30 Oct 2020 against the
        pre-Covid-19 assessment of 28 Feb 2020: 9 Red, 25 Amber and 8 Green; against the
        baseline, risk increased in 20, stayed the same in 21 and reduced in 1."
    """
    n = len(scored)
    rag = scored["rag"].value_counts()
    direction = scored["direction"].value_counts()
    text = (
        f"The register rates {n} areas and sub-areas, assessed on {_dates(scored['assessed_on'])} against "
        f"{config.baseline_label} of {_dates(scored['baseline_on'])}: "
        f"{int(rag.get('Red', 0))} Red, {int(rag.get('Amber', 0))} Amber and {int(rag.get('Green', 0))} Green. "
        f"Against the baseline, risk increased in {int(direction.get('increased', 0))}, stayed the same in "
        f"{int(direction.get('same', 0))} and reduced in {int(direction.get('reduced', 0))}."
    )
    if period is not None:
        latest = pd.Timestamp(scored["assessed_on"].max()).date()
        if latest > period.end:
            text += f" The assessment was made after the end of the period ({format_day(period.end)}); it is the latest in the register."
    return text


def legend_html(config: RiskConfig) -> str:
    """The key to the RAG table, laid out like the FMS's: each rating with its colour, word
    and score band, and each arrow with its meaning against the baseline.

    Parameters
    ----------
    config : RiskConfig

    Returns
    -------
    str
        An HTML table.
    """
    bands = {
        "Red": f"score {config.red_from:g} or more",
        "Amber": f"score {config.amber_from:g} to under {config.red_from:g}",
        "Green": f"score under {config.amber_from:g}",
    }
    rows = []
    for level in RAG_LEVELS:
        style = _CELL.format(**config.colours[level])
        rows.append(f'<tr><td style="{style}">{level}</td><td style="{_LEFT}">{html.escape(bands[level])}</td></tr>')
    for direction, arrow in ARROWS.items():
        meaning = _DIRECTION_WORDS[direction].capitalize()
        if direction == "same":
            meaning += f" (score within {config.same_within:g} points)"
        rows.append(f'<tr><td style="text-align:center;font-size:1.2em">{arrow}</td><td style="{_LEFT}">{html.escape(meaning)}</td></tr>')
    if abs(config.capacity_weight - config.capability_weight) < 1e-9:
        position = "the mean of the capacity gap and the capability gap"
    else:
        position = f"{config.capacity_weight:g} \u00d7 the capacity gap + {config.capability_weight:g} \u00d7 the capability gap"
    caption = (
        f"Key: ratings (score = harm \u00d7 likelihood \u00d7 organisational position; harm, likelihood and each gap are scored {config.scale_min} to {config.scale_max}, "
        f"and the organisational position is {position}, so a score can fall between whole numbers, such as 37.5), and the comparison with {config.baseline_label}"
    )
    return f'<table class="pp-table"><caption>{html.escape(caption)}</caption><thead><tr><th style="{_LEFT}">Symbol</th><th style="{_LEFT}">Meaning</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'


def rag_table_html(scored: pd.DataFrame, config: RiskConfig) -> str:
    """The strategic risk assessment summary table, with its key.

    Each area, then its sub-areas, as in the FMS; each rated row has its rating as a
    coloured word (Red, Amber, Green), its arrow and direction against the baseline, and
    the scores behind them. The legend is the table's caption and a key table beside it.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.
    config : RiskConfig

    Returns
    -------
    str
        HTML.
    """
    table = risk_table(scored, config)
    # the key is the table beside it (legend_html), not a second one in the caption
    styler = style_risk_table(table, config, caption="Strategic risk assessment summary: overall risk and the impact of Covid-19", legend=False)
    # Notebook and export styles right-align every cell; names read left, scores right.
    text = [c for c in ("Ref", "Area or sub-area", "Against baseline") if c in styler.data.columns]
    numbers = [c for c in ("Score", "Baseline score") if c in styler.data.columns]
    styler = styler.set_properties(subset=text, **{"text-align": "left"}).set_properties(subset=numbers, **{"text-align": "right"})
    return styler.to_html() + legend_html(config)


def evidence_table(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per rated area or sub-area: reference, area, sub-area, rating, direction and note.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.

    Returns
    -------
    pandas.DataFrame
        Columns ``ref``, ``area``, ``sub_area`` (empty for an area rated itself), ``rating``
        (the word), ``direction`` (arrow and words, e.g. "▲ risk increased"), ``note``.
    """
    return pd.DataFrame(
        {
            "ref": scored["ref"].astype(str).to_numpy(),
            "area": scored["area"].to_numpy(),
            "sub_area": scored["sub_area"].fillna("").to_numpy(),
            "rating": scored["rag"].to_numpy(),
            "direction": [f"{a} {_DIRECTION_WORDS[d]}" for a, d in zip(scored["arrow"], scored["direction"])],
            "note": scored["assessor_note"].astype(str).to_numpy(),
        }
    )


def evidence_html(scored: pd.DataFrame, config: RiskConfig) -> str:
    """The evidence table as HTML: every cell escaped, ratings coloured and written as words.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`load_assessment`.
    config : RiskConfig

    Returns
    -------
    str
    """
    t = evidence_table(scored)
    rows = []
    for r in t.itertuples(index=False):
        style = _CELL.format(**config.colours[r.rating]) if r.rating in config.colours else ""
        rows.append(
            "<tr>"
            f'<td style="{_LEFT}">{html.escape(r.ref)}</td><td style="{_LEFT}">{html.escape(r.area)}</td><td style="{_LEFT}">{html.escape(r.sub_area)}</td>'
            f'<td style="{style};vertical-align:top">{html.escape(r.rating)}</td><td style="{_LEFT};white-space:nowrap">{html.escape(r.direction)}</td>'
            f'<td style="{_LEFT}">{html.escape(r.note)}</td></tr>'
        )
    head = "".join(f'<th style="{_LEFT}">{h}</th>' for h in ("Ref", "Area", "Sub-area", "Rating", "Against baseline", "Evidence (the register's note)"))
    cap = f"The evidence behind each rating, as recorded in the risk register ({len(t)} rows)"
    return f'<table class="pp-table"><caption>{html.escape(cap)}</caption><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'

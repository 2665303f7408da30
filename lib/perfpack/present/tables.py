"""Tables for reading: HTML with right-aligned numbers, thousands separators, and a change
that is described in words as well as colour.

Functions return HTML strings; :class:`perfpack.pages.section.Section` displays them.
"""

from __future__ import annotations

import html

import pandas as pd

from perfpack.stats.significance import is_missing

SIG_STYLE = {
    "significant increase": ("#801650", "▲"),
    "significant decrease": ("#12436D", "▼"),
    "no significant change": ("#3D3D3D", "◆"),
    "too few to test": ("#3D3D3D", ""),
    "incomplete coverage": ("#B5420E", "◌"),
    "not tested (not an area)": ("#3D3D3D", ""),
}


def _mark(x) -> str:
    """A revision mark (already HTML) or nothing."""
    return x if isinstance(x, str) else ""


#: The minus sign (U+2212) every page, table and the paper use; a hyphen reads as a dash.
MINUS = "\u2212"


def with_sign(x: float, body: str) -> str:
    """``body`` (the magnitude, formatted) with its sign: "+" above zero, the minus sign
    (U+2212) below, none at zero (a change of nothing is neither up nor down)."""
    return ("+" if x > 0 else MINUS if x < 0 else "") + body


def fmt_count(x) -> str:
    return "–" if is_missing(x) else f"{int(round(float(x))):,}"


def fmt_signed(x) -> str:
    if is_missing(x):
        return "–"
    n = int(round(float(x)))
    return with_sign(n, f"{abs(n):,}")


def fmt_pct(x, signed: bool = True) -> str:
    if is_missing(x):
        return "–"
    if not signed:
        return f"{float(x):.1f}%"
    r = round(float(x), 1)
    return with_sign(r, f"{abs(r):.1f}%")


def fmt_pts(x) -> str:
    """A change in a share, in percentage points: ``+1.5 pts``, ``\u22120.3 pts``, ``0.0 pts``."""
    if is_missing(x):
        return "–"
    r = round(float(x), 1)
    return with_sign(r, f"{abs(r):.1f} pts")


def fmt_rate(x) -> str:
    """A rate per 1,000 to three significant figures, and at least one decimal place
    (``75.3``, ``126.4``, ``9.67``, ``0.00799``); "–" when missing."""
    if is_missing(x):
        return "–"
    x = float(x)
    if x == 0:
        return "0.0"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.2f}"


def fmt_money(x) -> str:
    if is_missing(x):
        return "–"
    x = float(x)
    return f"£{x / 1e6:,.1f}m" if abs(x) >= 1e6 else f"£{x:,.0f}"


def significance_cell(sig: str) -> str:
    """The significance in words and colour (``incomplete coverage: <why>`` takes the colour of
    ``incomplete coverage``)."""
    colour, mark = SIG_STYLE.get(sig) or SIG_STYLE.get(str(sig or "").split(":")[0], ("#3D3D3D", ""))
    text = html.escape(sig or "")
    return f'<span style="color:{colour};font-weight:600">{mark + " " if mark else ""}{text}</span>'


def html_table(header: list[str], rows: list[list[str]], numeric: set[int], caption: str = "", first_bold: bool = False, classes: str = "pp-table") -> str:
    """A plain HTML table; cells are already formatted (and escaped where they are text)."""
    th = "".join(f'<th style="text-align:{"right" if i in numeric else "left"}">{html.escape(h)}</th>' for i, h in enumerate(header))
    body = []
    for r_i, r in enumerate(rows):
        # a figure never wraps ("+2.0 pts" stays on one line)
        tds = "".join(
            f'<td style="text-align:{"right;white-space:nowrap" if i in numeric else "left"};{"font-weight:700;" if (first_bold and r_i == 0) else ""}">{c}</td>'
            for i, c in enumerate(r)
        )
        body.append(f"<tr>{tds}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="{classes}">{cap}<thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def change_table(
    rows: list[dict] | pd.DataFrame,
    current_label: str,
    previous_label: str,
    first_col: str = "Area",
    caption: str = "",
    threshold: int = 10,
    name_key: str = "area",
) -> str:
    """Counts in two windows with change, % change and significance.

    ``rows`` carry ``current``, ``previous``, ``change``, ``pct_change``, ``significance``,
    ``suppressed`` and a name (``area`` by default). Suppressed rows show ``<threshold``;
    rows that are too few to test show no percentage. A row's ``_revised_current`` and
    ``_revised_previous`` (HTML, a revision mark made by the page) follow their values.
    """
    recs = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    out = []
    for r in recs:
        name = html.escape(str(r.get(name_key, "")))
        cur_mark, prev_mark = _mark(r.get("_revised_current")), _mark(r.get("_revised_previous"))
        if r.get("suppressed"):
            cur = html.escape(str(r.get("_display_current") or f"<{threshold}"))
            prev = html.escape(str(r.get("_display_previous") or f"<{threshold}"))
            out.append([name, prev + prev_mark, cur + cur_mark, "–", "–", '<span style="color:#3D3D3D">suppressed: small numbers</span>'])
            continue
        sig = r.get("significance") or ""
        pct = "–" if sig == "too few to test" else fmt_pct(r.get("pct_change"))
        out.append(
            [name, fmt_count(r.get("previous")) + prev_mark, fmt_count(r.get("current")) + cur_mark, fmt_signed(r.get("change")), pct, significance_cell(sig)]
        )
    return html_table(
        [first_col, previous_label, current_label, "Change", "% change", "Significance"],
        out,
        numeric={1, 2, 3, 4},
        caption=caption,
        first_bold=(name_key == "area"),
    )


def monthly_table(table: pd.DataFrame, current_label: str, previous_label: str, caption: str = "") -> str:
    """Month-by-month values of a this-year-against-last comparison, with the total; a month
    the data do not cover shows a dash (never a zero) and its column has no total. The columns
    ``_revised_current`` and ``_revised_previous`` (HTML revision marks made by the page), where
    present, follow the months' values."""
    rows = []
    for m, r in table.iterrows():
        rows.append(
            [
                html.escape(str(m)),
                fmt_count(r["previous"]) + _mark(r.get("_revised_previous")),
                fmt_count(r["current"]) + _mark(r.get("_revised_current")),
                fmt_signed(r["current"] - r["previous"]),
            ]
        )
    # a total only over a whole window: a column with a month the data do not cover has none
    prev = table["previous"].sum() if table["previous"].notna().all() else None
    cur = table["current"].sum() if table["current"].notna().all() else None
    change = None if prev is None or cur is None else cur - prev
    rows.append(["<b>Total</b>", f"<b>{fmt_count(prev)}</b>", f"<b>{fmt_count(cur)}</b>", f"<b>{fmt_signed(change)}</b>"])
    return html_table(["Month", previous_label, current_label, "Change"], rows, numeric={1, 2, 3}, caption=caption)

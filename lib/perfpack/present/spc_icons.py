"""The Making Data Count variation icons, drawn inline as SVG with a text alternative.

MDC's icons (NHS England, "Making Data Count": the variation icons, as NHSRplotthedots ships
them in ``inst/icons/variation``): a circle in the colour of the reading, with "H" or "L" for
a special cause high or low - blue (#289de0) for an improvement, orange (#fab428) for a
concern, purple (#361475) for a special cause on a measure with no better direction - or a
grey (#7B7D7D) circle with a flat line of points for common cause variation.
"""

from __future__ import annotations

import html
import math

#: Making Data Count's colours.
MDC_IMPROVEMENT, MDC_CONCERN, MDC_NEUTRAL, MDC_COMMON = "#289de0", "#fab428", "#361475", "#7B7D7D"

#: By reading: the icons of :func:`perfpack.stats.spc.latest_icon` and the per-point `variation` of `xmr`.
COLOURS = {
    "improvement": MDC_IMPROVEMENT,
    "concern": MDC_CONCERN,
    "neutral special cause": MDC_NEUTRAL,
    "neutral": MDC_NEUTRAL,
    "common cause": MDC_COMMON,
    "common_cause": MDC_COMMON,
}


def colour(icon: str) -> str:
    """The MDC colour of a reading (:func:`perfpack.stats.spc.latest_icon`)."""
    return COLOURS.get(str(icon), MDC_COMMON)


def words(icon: str, direction: str = "") -> str:
    """The reading in words, the icon's text alternative: ``Special cause improvement: the
    latest month is unusually low``."""
    side = {"high": "unusually high", "low": "unusually low"}.get(direction, "unusual")
    if icon == "improvement":
        return f"Special cause improvement: the latest month is {side}"
    if icon == "concern":
        return f"Special cause concern: the latest month is {side}"
    if icon == "neutral special cause":
        return f"Special cause variation (neither better nor worse): the latest month is {side}"
    return "Common cause variation: the latest month is within what the process usually does"


def icon_svg(icon: str, direction: str = "", size: int = 28) -> str:
    """The variation icon as inline SVG (``role="img"``, its reading as ``aria-label`` and
    ``<title>``); empty for no icon."""
    if not icon:
        return ""
    c = colour(icon)
    alt = html.escape(words(icon, direction), quote=True)
    if icon == "common cause":
        mark = f'<polyline points="9,21 15,21 20,21 25,21 31,21" fill="none" stroke="{c}" stroke-width="2"/>' + "".join(
            f'<circle cx="{x}" cy="21" r="2.2" fill="{c}"/>' for x in (9, 15, 20, 25, 31)
        )
    else:
        letter = {"high": "H", "low": "L"}.get(direction, "")
        arrow = ""
        if direction == "high":
            arrow = f'<path d="M30 12 l4 5 h-8 z" fill="{c}"/>'
        elif direction == "low":
            arrow = f'<path d="M30 29 l4 -5 h-8 z" fill="{c}"/>'
        mark = f'<text x="18" y="26" text-anchor="middle" font-family="Arial, sans-serif" font-size="15" font-weight="700" fill="{c}">{letter}</text>{arrow}'
    return (
        f'<svg class="pp-icon" role="img" aria-label="{alt}" width="{size}" height="{size}" viewBox="0 0 40 40" style="vertical-align:middle">'
        f'<title>{alt}</title><circle cx="20" cy="20" r="17" fill="#ffffff" stroke="{c}" stroke-width="3"/>{mark}</svg>'
    )


def xmr_chart_svg(table, what: str, ylabel: str = "per month") -> tuple[str, str]:
    """An XmR chart as inline SVG (drawn by hand: no image to render, so a page can carry one
    per measure cheaply): the months as points joined by a grey line, each special-cause
    point in its Making Data Count colour, the mean as a solid line and the process limits
    dashed.

    ``table``: from :func:`perfpack.stats.spc.xmr`, indexed by month start, columns
    ``value, centre, lower, upper, signal, variation``. Returns ``(svg, alt)``.
    """
    months = list(table.index)
    vals = [float(v) for v in table["value"]]
    n = len(vals)
    upper = [float(v) for v in table["upper"]]
    lower = [max(0.0, float(v)) for v in table["lower"]]
    top = max(vals + upper) * 1.08 or 1.0
    step = 10 ** math.floor(math.log10(top / 4)) if top > 0 else 1
    for m in (1, 2, 5, 10):
        if top / (step * m) <= 5:
            step *= m
            break
    w, h, left, right, up, down = 640, 260, 56, 12, 24, 44
    pw, ph = w - left - right, h - up - down

    def x(i):
        return left + (pw * (i + 0.5) / n)

    def y(v):
        return up + ph * (1 - v / top)

    parts = [
        f'<svg class="pp-xmr" role="img" aria-label="{{alt}}" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" font-family="Arial, sans-serif" font-size="11">',
        "<title>{alt}</title>",
    ]
    t = 0.0
    while t <= top:
        parts.append(
            f'<line x1="{left}" x2="{w - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e5e5e5"/><text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#3D3D3D">{t:,.0f}</text>'
        )
        t += step
    for series, dash in ((upper, ' stroke-dasharray="5 4"'), (lower, ' stroke-dasharray="5 4"'), ([float(v) for v in table["centre"]], "")):
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#3D3D3D" stroke-width="1.2"{dash}/>')
    parts.append(f'<polyline points="{" ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))}" fill="none" stroke="{MDC_COMMON}" stroke-width="1.5"/>')
    for i, (v, s, var) in enumerate(zip(vals, table["signal"], table["variation"])):
        c = colour(str(var)) if bool(s) else MDC_COMMON
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{c}"><title>{months[i]:%b %Y}: {v:,.0f}</title></circle>')
    for i, m in enumerate(months):
        if i % 3 == 0 or i == n - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{h - down + 16}" text-anchor="middle" fill="#3D3D3D">{m:%b %y}</text>')
    parts.append(
        f'<text x="12" y="{up + ph / 2:.0f}" transform="rotate(-90 12 {up + ph / 2:.0f})" text-anchor="middle" fill="#3D3D3D">{html.escape(ylabel)}</text>'
    )
    parts.append("</svg>")
    sig = [bool(s) for s in table["signal"]]
    kinds = sorted({str(v) for v, s in zip(table["variation"], sig) if s})
    alt = (
        f"XmR chart of {what} per month, {months[0]:%b %Y} to {months[-1]:%b %Y}: mean {float(table['centre'].iloc[-1]):,.0f}, "
        f"process limits {float(table['lower'].iloc[-1]):,.0f} to {float(table['upper'].iloc[-1]):,.0f}; "
        + (
            f"{sum(sig)} of {n} months show special-cause variation ({', '.join(k.replace('_', ' ') for k in kinds)})."
            if any(sig)
            else "no month shows special-cause variation."
        )
    )
    svg = "".join(parts).replace("{alt}", html.escape(alt, quote=True))
    return svg, alt

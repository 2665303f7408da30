"""The Making Data Count variation icons, drawn inline as SVG with a text alternative.

MDC's icons (NHS England, "Making Data Count": the variation icons, as NHSRplotthedots ships
them in ``inst/icons/variation``): a circle in the colour of the reading, with "H" or "L" for
a special cause high or low - blue (#289de0) for an improvement, orange (#fab428) for a
concern, purple (#361475) for a special cause on a measure with no better direction - or a
grey (#7B7D7D) circle with a flat line of points for common cause variation.
"""

from __future__ import annotations

import html

#: Making Data Count's colours.
MDC_IMPROVEMENT, MDC_CONCERN, MDC_NEUTRAL, MDC_COMMON = "#289de0", "#fab428", "#361475", "#7B7D7D"

#: By reading: the icons of :func:`perfpack.stats.spc.latest_icon` and the per-point `variation` of `xmr`.
COLOURS = {"improvement": MDC_IMPROVEMENT, "concern": MDC_CONCERN, "neutral special cause": MDC_NEUTRAL, "neutral": MDC_NEUTRAL, "common cause": MDC_COMMON, "common_cause": MDC_COMMON}


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
        mark = f'<polyline points="9,21 15,21 20,21 25,21 31,21" fill="none" stroke="{c}" stroke-width="2"/>' + "".join(f'<circle cx="{x}" cy="21" r="2.2" fill="{c}"/>' for x in (9, 15, 20, 25, 31))
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
        f"<title>{alt}</title><circle cx=\"20\" cy=\"20\" r=\"17\" fill=\"#ffffff\" stroke=\"{c}\" stroke-width=\"3\"/>{mark}</svg>"
    )

"""The funnel plot of forces' rates, with alt text written from the same numbers.

Drawn last, from a :class:`perfpack.stats.funnel.FunnelResult`: the statistics (limits,
dispersion, each force's reading) are worked out there; this module only draws. Rate against
population, the population on a log scale (from the City of London's 8,000 to the
Metropolitan Police's 9 million), the centre line at the rate of all forces together, the 95%
limits dashed and the 99.8% limits solid. The force of the pack is drawn large and named, its
most similar group in a colour of its own (and named in the alt text); a force whose rate is
far above every other (the City of London, with its small residential population) is marked
at the top edge with its rate, so that the others are not squashed into a line. A force with
no figure is not drawn (the alt text names it), never drawn as zero.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from perfpack.present.charts import ACCENT, CURRENT, GREY, PREVIOUS
from perfpack.present.tables import fmt_rate
from perfpack.stats.funnel import FunnelResult, level_name

#: A rate more than this many times the next highest is drawn at the top edge, labelled.
OFF_SCALE_RATIO = 2.0


def _population(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.1f}m".replace(".0m", "m")
    if x >= 1e3:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"


#: At most this many forces are marked off the scale (the City of London is the one in practice).
OFF_SCALE_MAX = 3
#: Population ticks: 5k, 10k, 20k, 50k, ... 20m.
POPULATION_TICKS = [m * 10**e for e in range(3, 8) for m in (1, 2, 5)]


def off_scale(rates) -> set[int]:
    """Positions of the few rates far above all the others: the highest one, two or three
    (:data:`OFF_SCALE_MAX`, and no more than a tenth of the units) when the last of them is
    more than :data:`OFF_SCALE_RATIO` times the next highest."""
    r = np.asarray(rates, dtype=float)
    order = np.argsort(-r, kind="stable")
    out: set[int] = set()
    for i in range(min(OFF_SCALE_MAX, max(1, len(order) // 10), len(order) - 1)):
        top, nxt = r[order[i]], r[order[i + 1]]
        if nxt > 0 and top > OFF_SCALE_RATIO * nxt:
            out = {int(j) for j in order[: i + 1]}
    return out


def _forces(n: int) -> str:
    return f"{n} force{'' if n == 1 else 's'}"


def _level_words(level: float) -> str:
    return f"{level * 100:g}%"


def funnel_alt(
    result: FunnelResult, what: str, *, force: str | None = None, group: Iterable[str] = (), period_words: str = "", not_drawn: Iterable[str] = ()
) -> str:
    """Alt text for :func:`funnel_chart`: what it shows, where the force sits and how the
    others fall, from the numbers drawn."""
    u = result.units
    group = [g for g in group if g != force]
    lo, hi = min(result.levels), max(result.levels)
    parts = [
        f"Funnel plot of {what} per 1,000 population against population (log scale) for {len(u)} police force areas of England and Wales"
        + (f", {period_words}" if period_words else "")
        + f". The centre line is the rate of all of them together, {fmt_rate(result.target_rate)} per 1,000, with {_level_words(lo)} and {_level_words(hi)} limits."
    ]
    mine = u[u["unit"] == force] if force else u.iloc[:0]
    if len(mine):
        r = mine.iloc[0]
        name = level_name(lo)
        parts.append(
            f"{force} (highlighted): {fmt_rate(r['rate'])} per 1,000 with a population of {r['denominator']:,.0f}, {r['reading']} "
            f"({_level_words(lo)} limits {fmt_rate(r[f'lower_{name}'])} to {fmt_rate(r[f'upper_{name}'])} at its population)."
        )
    above = int(u["reading"].str.startswith(f"above the {_level_words(hi)}").sum())
    below = int(u["reading"].str.startswith(f"below the {_level_words(hi)}").sum())
    outside_95 = int((u["reading"] != "within the limits").sum())
    parts.append(f"{_forces(above)} above the {_level_words(hi)} limit and {below} below it; {len(u) - outside_95} within the limits.")
    if group:
        g = u[u["unit"].isin(group)]
        within = int((g["reading"] == "within the limits").sum())
        parts.append(f"Its most similar group, drawn in a second colour: {', '.join(group)}; {within} of the {len(g)} drawn are within the limits.")
    far = sorted(off_scale(u["rate"]))
    if far:
        parts.append("Off the top of the scale, marked at the edge: " + ", ".join(f"{u['unit'].iloc[i]} ({fmt_rate(u['rate'].iloc[i])})" for i in far) + ".")
    missing = list(not_drawn) + [f"{r['unit']} ({r['reason']})" for r in result.left_out.to_dict("records")]
    if missing:
        parts.append("Not drawn, having no figure: " + ", ".join(missing) + ".")
    return " ".join(parts)


def funnel_chart(
    result: FunnelResult, what: str, *, force: str | None = None, group: Iterable[str] = (), period_words: str = "", not_drawn: Iterable[str] = ()
) -> tuple[Figure, str]:
    """The funnel plot and its alt text.

    Parameters
    ----------
    result : FunnelResult
        From :func:`perfpack.stats.funnel.funnel`, units named by force.
    what : str
        The offence group in words ("total recorded crime (excluding fraud)").
    force : str, optional
        The pack's force as the units name it: drawn large and labelled.
    group : iterable of str
        Its most similar group (units' names): drawn in a colour of their own.
    period_words : str
        "year ending December 2018", for the title and the alt text.
    not_drawn : iterable of str
        Forces the table leaves out altogether (named in the alt text; ``result.left_out``
        is named too).

    Returns
    -------
    tuple of (matplotlib.figure.Figure, str)
    """
    group = [g for g in group if g != force]
    u = result.units
    c = result.curves.sort_values("denominator")
    lo, hi = min(result.levels), max(result.levels)
    far = off_scale(u["rate"])
    near = u.drop(index=u.index[sorted(far)]) if far else u
    span = c[(c["denominator"] >= near["denominator"].min()) & (c["denominator"] <= near["denominator"].max())]
    top = float(max(near["rate"].max(), span[f"upper_{level_name(hi)}"].max() if len(span) else 0, result.target_rate)) * 1.08

    fig = Figure(figsize=(8.6, 4.8))
    ax = fig.subplots()
    x = c["denominator"].to_numpy()
    ax.axhline(result.target_rate, color="#505a5f", lw=1.2, label=f"All forces together ({fmt_rate(result.target_rate)})")
    for level, style in ((lo, (0, (4, 3))), (hi, "-")):
        n = level_name(level)
        ax.plot(x, c[f"upper_{n}"].to_numpy(), color=GREY, lw=1.1, ls=style, label=f"{_level_words(level)} limits")
        ax.plot(x, c[f"lower_{n}"].to_numpy(), color=GREY, lw=1.1, ls=style)

    kind = np.where(u["unit"] == force, "force", np.where(u["unit"].isin(group), "group", "other"))
    y = np.where(np.isin(np.arange(len(u)), list(far)), top * 0.985, u["rate"].to_numpy())
    marker = np.where(np.isin(np.arange(len(u)), list(far)), "^", "o")
    styles = {
        "other": dict(color="#9aa5ad", s=26, label="Other forces"),
        "group": dict(color=PREVIOUS, s=42, label="Most similar group"),
        "force": dict(color=CURRENT, s=110, label=force or ""),
    }
    for k in ("other", "group", "force"):
        for m in ("o", "^"):
            sel = (kind == k) & (marker == m)
            if sel.any():
                st = dict(styles[k])
                ax.scatter(u["denominator"].to_numpy()[sel], y[sel], marker=m, edgecolors="white", linewidths=0.6, zorder=4 if k != "force" else 6, **st)
                styles[k]["label"] = None  # one legend entry per kind
    for i in sorted(far):
        ax.annotate(
            f"{u['unit'].iloc[i]} {fmt_rate(u['rate'].iloc[i])} ↑",
            (u["denominator"].iloc[i], top * 0.985),
            xytext=(7, 0),
            textcoords="offset points",
            fontsize=8,
            color="#3D3D3D",
            va="center",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
        )
    mine = u.index[u["unit"] == force] if force else []
    for i in mine:
        yy = top * 0.985 if u.index.get_loc(i) in far else u.at[i, "rate"]
        ax.annotate(
            force,
            (u.at[i, "denominator"], yy),
            xytext=(9, 7),
            textcoords="offset points",
            fontsize=9.5,
            fontweight="bold",
            color=ACCENT,
            zorder=7,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
        )

    ax.set_xscale("log")
    x0, x1 = u["denominator"].min() / 1.6, u["denominator"].max() * 1.6
    ax.set_xlim(x0, x1)
    ax.set_ylim(0, top)
    # fixed ticks and no minor ones: a log axis's automatic minor ticks cost half a second a chart
    ax.xaxis.set_major_locator(FixedLocator([t for t in POPULATION_TICKS if x0 <= t <= x1]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _population(v)))
    ax.yaxis.set_major_locator(MaxNLocator(6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("Population (log scale)")
    ax.set_ylabel("Per 1,000 population")
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    head = what[0].upper() + what[1:]
    # the title as figure text: an axes title costs a layout pass of the tick labels per draw
    fig.text(
        0.01,
        0.985,
        f"{head}: rate per 1,000 population by force" + (f", {period_words}" if period_words else ""),
        ha="left",
        va="top",
        fontsize=12,
        fontweight="bold",
    )
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.2)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize=8.5)
    return fig, funnel_alt(result, what, force=force, group=group, period_words=period_words, not_drawn=not_drawn)

"""Charts the section notebooks need beyond :mod:`perfpack.present.charts`, in the same house style.

Every function returns ``(figure, alt_text)``; the arithmetic (counts, SPC limits) is done
before, the chart only draws.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from perfpack.present import spc_icons
from perfpack.present.charts import ACCENT, CURRENT, GREY, PALETTE, PREVIOUS, WARN, fmt_whole, pct_words


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def split_comparison_chart(parts: pd.DataFrame, previous: pd.Series, what: str, current_label: str, previous_label: str, ylabel: str = "per month"):
    """This year's months as stacked bars split into parts, last year's total as a line.

    Parameters
    ----------
    parts : DataFrame
        Index month labels (``Jan``...), one column per part (e.g. "Covid-19 related",
        "Other"), counts of the current window.
    previous : Series
        Same index: the total a year earlier.
    """
    fig, ax = plt.subplots()
    x = list(range(len(parts)))
    bottom = pd.Series(0.0, index=parts.index)
    colours = [ACCENT, CURRENT] + PALETTE[2:]
    for i, col in enumerate(parts.columns):
        ax.bar(x, parts[col].to_numpy(), bottom=bottom.to_numpy(), color=colours[i % len(colours)], width=0.7, label=f"{current_label}: {col}")
        bottom = bottom + parts[col]
    ax.plot(x, previous.to_numpy(), color=PREVIOUS, lw=2, ls=(0, (4, 2)), marker="s", ms=4, label=f"{previous_label}: all")
    ax.set_xticks(x, list(parts.index))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False, fontsize=8.5)
    ax.set_title(f"{_cap(what)}: {current_label} against {previous_label}")
    total = parts.sum(axis=1)
    cur_sum, prev_sum = float(total.sum()), float(previous.sum())
    shares = ", ".join(f"{col} {fmt_whole(parts[col].sum())} ({100 * parts[col].sum() / cur_sum:.0f}%)" for col in parts.columns) if cur_sum else "none"
    above = int((total > previous).sum())
    alt = (
        f"Stacked bar chart of {what} per month in {current_label}, split into {', '.join(map(str, parts.columns))}, with {previous_label}'s total as a line. "
        f"In total {fmt_whole(cur_sum)} against {fmt_whole(prev_sum)} ({pct_words(cur_sum, prev_sum)}): {shares}. "
        f"{current_label} was above {previous_label} in {above} of {len(parts)} months."
    )
    first = parts.columns[-1]
    below_other = int((parts[first] < previous).sum())
    alt += f" {first} alone was below {previous_label}'s total in {below_other} of {len(parts)} months."
    return fig, alt


def spc_series_chart(table: pd.DataFrame, what: str, ylabel: str = "per month", baseline_label: str = ""):
    """Monthly counts as bars with XmR process limits (fixed on earlier months) as lines.

    Parameters
    ----------
    table : DataFrame
        Index month starts; columns ``value``, ``centre``, ``lower``, ``upper``, ``signal``
        (from :func:`perfpack.stats.spc.xmr`, cut to the months shown).
    """
    fig, ax = plt.subplots()
    labels = [m.strftime("%b %y") for m in table.index]
    x = list(range(len(table)))
    sig = table["signal"].astype(bool).to_numpy()
    if "variation" in table:  # Making Data Count's colours: blue improvement, orange concern, purple neither, grey common cause
        point_colours = [spc_icons.colour(v) if s else spc_icons.MDC_COMMON for s, v in zip(sig, table["variation"])]
    else:
        point_colours = [WARN if s else CURRENT for s in sig]
    ax.bar(x, table["value"].to_numpy(), color=point_colours, width=0.7)
    ax.plot(x, table["centre"].to_numpy(), color=GREY, lw=1, label="Mean" + (f" ({baseline_label})" if baseline_label else ""))
    ax.plot(x, table["upper"].to_numpy(), color=GREY, lw=1, ls="--", label="Process limits")
    ax.plot(x, table["lower"].clip(lower=0).to_numpy(), color=GREY, lw=1, ls="--")
    handles, labels_ = ax.get_legend_handles_labels()
    if "variation" in table:
        kinds = {str(v) for s, v in zip(sig, table["variation"]) if s}
        handles.append(Patch(color=spc_icons.MDC_COMMON, label="Common cause"))
        for kind, name in (("improvement", "Special cause: improvement"), ("concern", "Special cause: concern"), ("neutral", "Special cause")):
            if kind in kinds:
                handles.append(Patch(color=spc_icons.colour(kind), label=name))
    else:
        handles.append(Patch(color=WARN, label="Special cause"))
    for i, v in enumerate(table["value"]):
        ax.text(i, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, labels)
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, frameon=False, fontsize=8.5)
    ax.set_title(_cap(what))
    v = table["value"]
    alt = (
        f"Bar chart of {what} per month, {labels[0]} to {labels[-1]}, {fmt_whole(v.sum())} in total; "
        f"highest {fmt_whole(v.max())} in {v.idxmax():%B %Y}, lowest {fmt_whole(v.min())} in {v.idxmin():%B %Y}. "
        f"Process limits {fmt_whole(max(table['lower'].iloc[0], 0))} to {fmt_whole(table['upper'].iloc[0])} around a mean of {fmt_whole(table['centre'].iloc[0])}"
        + (f" ({baseline_label})" if baseline_label else "")
        + f"; {int(sig.sum())} of {len(table)} months show special-cause variation."
    )
    return fig, alt


def ordered_bar_chart(values: pd.Series, what: str, ylabel: str = "", suppressed: pd.Series | None = None, threshold: int | None = None):
    """Counts by category as vertical bars in the order given (age groups, say), with
    suppressed categories labelled "<threshold" and not drawn."""
    sup = suppressed.reindex(values.index).fillna(False).astype(bool) if suppressed is not None else pd.Series(False, index=values.index)
    shown = values.where(~sup, 0)
    fig, ax = plt.subplots()
    x = list(range(len(values)))
    ax.bar(x, shown.to_numpy(), color=CURRENT, width=0.7)
    for i, (v, s) in enumerate(zip(values, sup)):
        ax.text(i, shown.iloc[i], f"<{threshold}" if s else f"{v:,.0f}", ha="center", va="bottom", fontsize=8.5)
    ax.set_xticks(x, [str(i) for i in values.index])
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title(_cap(what))
    total = float(values[~sup].sum())
    parts = ", ".join(
        f"{k} {('<' + str(threshold)) if s else fmt_whole(v)}" + ("" if s or not total else f" ({100 * v / total:.0f}%)")
        for (k, v), s in zip(values.items(), sup)
    )
    alt = f"Bar chart of {what}, in order: {parts}."
    if sup.any():
        alt += f" Categories with fewer than {threshold} are not drawn."
    return fig, alt

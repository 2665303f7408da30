"""Charts in one accessible house palette, each returned with its alt text.

Every function returns ``(figure, alt_text)``: the alt text says what the chart shows and its
main finding, computed from the same numbers the chart draws. Arithmetic happens before the
chart (in measures, SPC or seasonal code); charts only draw.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates  # noqa: E402
import matplotlib.patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from perfpack.present import spc_icons  # noqa: E402
from perfpack.present.tables import with_sign  # noqa: E402

# Government Analysis Function categorical palette (accessible, checked for colour-blindness).
PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
CURRENT, PREVIOUS, ACCENT, WARN, GREY = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], "#8A8A8A"
BAND = "#BFD4E6"


def set_style() -> None:
    """Apply the house style (called once per notebook by :class:`perfpack.pages.section.Section`)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=0.95)
    plt.rcParams.update(
        {
            "figure.dpi": 96,
            "savefig.dpi": 110,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "figure.figsize": (8.2, 3.6),
        }
    )


def png_data_uri(fig) -> str:
    """The figure as a base64 PNG data URI (no files, no network); closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def fmt_whole(n: float) -> str:
    return f"{n:,.0f}"


def pct_words(cur: float, prev: float) -> str:
    if not prev:
        return "n/a"
    pct = round(100 * (cur - prev) / prev)
    return with_sign(pct, f"{abs(pct):.0f}%")


def comparison_alt(what: str, table: pd.DataFrame, current_label: str, previous_label: str) -> str:
    """Alt text for a this-year-against-last monthly chart: the totals and the biggest gaps."""
    cur, prev = table["current"].astype(float), table["previous"].astype(float)
    if cur.isna().any() or prev.isna().any():
        both = cur.notna() & prev.notna()
        missing = f" The data cover {int(cur.notna().sum())} of the {len(table)} months of {current_label} and {int(prev.notna().sum())} of {previous_label}; months without data are left blank."
        if not both.any():
            return (
                f"Line chart of {what} per month, {current_label} against {previous_label}."
                + missing
                + f" {current_label}: {fmt_whole(cur.sum())} in the months covered."
            )
        return comparison_alt(what, table[both.to_numpy()], current_label, previous_label) + missing
    diff = cur - prev
    below = int((diff < 0).sum())
    above = int((diff > 0).sum())
    lo, hi = diff.idxmin(), diff.idxmax()
    parts = [
        f"Line chart of {what} per month, {current_label} against {previous_label}.",
        f"In total {fmt_whole(cur.sum())} against {fmt_whole(prev.sum())} ({pct_words(cur.sum(), prev.sum())}).",
        f"{current_label} was below {previous_label} in {below} of {len(table)} months and above in {above}.",
    ]
    if diff[lo] < 0:
        parts.append(f"The largest fall was in {lo} ({fmt_whole(prev[lo])} to {fmt_whole(cur[lo])}, {pct_words(cur[lo], prev[lo])}).")
    if diff[hi] > 0:
        parts.append(f"The largest rise was in {hi} ({fmt_whole(prev[hi])} to {fmt_whole(cur[hi])}, {pct_words(cur[hi], prev[hi])}).")
    return " ".join(parts)


def comparison_chart(
    table: pd.DataFrame,
    what: str,
    current_label: str,
    previous_label: str,
    ylabel: str = "per month",
    band: pd.DataFrame | None = None,
    spc: pd.DataFrame | None = None,
):
    """This year against last, month by month.

    Parameters
    ----------
    table : DataFrame
        From :func:`perfpack.measures.counts.this_year_vs_last`: index month labels, columns
        ``current`` and ``previous``.
    band : DataFrame, optional
        Expected seasonal range for the current months (columns ``lower``, ``upper``,
        ``expected``), drawn behind the lines.
    spc : DataFrame, optional
        XmR limits for the current months (columns ``centre``, ``lower``, ``upper``, ``signal``).
    """
    fig, ax = plt.subplots()
    x = range(len(table))
    if band is not None:
        ax.fill_between(x, band["lower"].to_numpy(), band["upper"].to_numpy(), color=BAND, alpha=0.8, label="Usual seasonal range (95%)", lw=0)
    if spc is not None:
        ax.plot(x, spc["centre"].to_numpy(), color=GREY, lw=1, ls="-", label="Mean")
        ax.plot(x, spc["upper"].to_numpy(), color=GREY, lw=1, ls="--", label="Process limits")
        ax.plot(x, spc["lower"].to_numpy(), color=GREY, lw=1, ls="--")
    ax.plot(x, table["previous"].to_numpy(), color=PREVIOUS, lw=2, ls=(0, (4, 2)), marker="s", ms=4, label=previous_label)
    ax.plot(x, table["current"].to_numpy(), color=CURRENT, lw=2.4, marker="o", ms=5, label=current_label)
    if spc is not None and "signal" in spc:
        sig = spc["signal"].to_numpy().astype(bool)
        xs = [i for i, s in zip(x, sig) if s]
        # Making Data Count's colours where the reading is known (a fall in violence is an improvement, blue)
        rings = [spc_icons.colour(v) for v in spc["variation"].to_numpy()[sig]] if "variation" in spc else WARN
        ax.scatter(xs, table["current"].to_numpy()[sig], s=90, facecolors="none", edgecolors=rings, linewidths=2, zorder=5, label="Special cause")
    ax.set_xticks(list(x), list(table.index))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=5, frameon=False, fontsize=8.5)
    ax.set_title(f"{what[0].upper() + what[1:]}: {current_label} against {previous_label}")
    return fig, comparison_alt(what, table, current_label, previous_label)


def bar_chart(values: pd.Series, what: str, xlabel: str = "", horizontal: bool = True, suppressed: pd.Series | None = None, threshold: int | None = None):
    """A sorted bar chart of counts by category; suppressed categories are labelled, not drawn.

    Returns (figure, alt text naming the largest categories and their shares).
    """
    values = values.sort_values(ascending=True if horizontal else False)
    sup = suppressed.reindex(values.index).fillna(False).astype(bool) if suppressed is not None else pd.Series(False, index=values.index)
    shown = values.where(~sup, 0)
    fig, ax = plt.subplots(figsize=(8.2, max(2.4, 0.38 * len(values) + 0.8)))
    if horizontal:
        ax.barh(list(values.index), shown.to_numpy(), color=CURRENT)
        for i, (v, s) in enumerate(zip(values, sup)):
            ax.text(shown.iloc[i], i, f"  {'<' + str(threshold) if s else f'{v:,.0f}'}", va="center", fontsize=8.5)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    else:
        ax.bar(list(values.index), shown.to_numpy(), color=CURRENT)
        ax.set_ylabel(xlabel)
    ax.set_title(what[0].upper() + what[1:])
    total = float(values[~sup].sum())
    top = values[~sup].sort_values(ascending=False).head(3)
    desc = ", ".join(f"{k} ({fmt_whole(v)}, {100 * v / total:.0f}%)" for k, v in top.items()) if total else "none"
    alt = f"Bar chart of {what} across {len(values)} categories. The largest: {desc}."
    if sup.any():
        alt += f" {int(sup.sum())} categories have fewer than {threshold} and are not drawn."
    return fig, alt


def monthly_bar_chart(series: pd.Series, what: str, ylabel: str = "per month", highlight_max: bool = True):
    """Counts per month as bars (e.g. fixed penalty notices), with the peak month named."""
    fig, ax = plt.subplots()
    labels = [m.strftime("%b %y") for m in series.index]
    colours = [ACCENT if (highlight_max and v == series.max() and v > 0) else CURRENT for v in series]
    ax.bar(labels, series.to_numpy(), color=colours)
    for i, v in enumerate(series):
        if pd.notna(v):  # a month without data is left blank, never drawn as zero
            ax.text(i, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_title(what[0].upper() + what[1:])
    if ACCENT in colours:  # a highlighted bar says what it is
        ax.legend(
            handles=[matplotlib.patches.Patch(color=ACCENT, label="Highest month"), matplotlib.patches.Patch(color=CURRENT, label="Other months")],
            loc="best",
            frameon=False,
            fontsize=8.5,
        )
    peak = series.idxmax() if len(series) else None
    zero = [m.strftime("%b %Y") for m, v in series.items() if v == 0]
    alt = f"Bar chart of {what} per month, {labels[0]} to {labels[-1]}, {fmt_whole(series.sum())} in total." if len(series) else f"Empty chart of {what}."
    if peak is not None and series.max() > 0:
        alt += f" The highest month was {peak.strftime('%B %Y')} ({fmt_whole(series.max())})."
    if zero:
        alt += f" None in {', '.join(zero)}." if len(zero) <= 4 else f" None in {len(zero)} months."
    blank = [m.strftime("%b %Y") for m, v in series.items() if pd.isna(v)]
    if blank:
        alt += f" No data for {', '.join(blank)}: left blank." if len(blank) <= 4 else f" No data for {len(blank)} months: left blank."
    return fig, alt


def trend_chart(series: pd.DataFrame | pd.Series, what: str, ylabel: str = "per month"):
    """A long monthly trend of one or more series (columns), with the last point labelled."""
    frame = series.to_frame(what) if isinstance(series, pd.Series) else series
    fig, ax = plt.subplots()
    for i, col in enumerate(frame.columns):
        ax.plot(frame.index, frame[col].to_numpy(), color=PALETTE[i % len(PALETTE)], lw=2, label=str(col))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if isinstance(frame.index, pd.DatetimeIndex):  # months named as on every other chart ("Jan 2017"), not "2017-01"
        ax.xaxis.set_major_locator(matplotlib.dates.MonthLocator(bymonth=1))
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b %Y"))
    if frame.shape[1] > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False, fontsize=8.5)
    ax.set_title(what[0].upper() + what[1:])
    first, last = frame.index[0], frame.index[-1]
    parts = [f"Line chart of {what} per month from {first:%B %Y} to {last:%B %Y}."]
    for col in frame.columns:
        s = frame[col].dropna()
        if s.empty:
            continue
        parts.append(f"{col}: highest {s.max():,.0f} in {s.idxmax():%B %Y}, lowest {s.min():,.0f} in {s.idxmin():%B %Y}, latest {s.iloc[-1]:,.0f}.")
        if frame[col].isna().any():
            parts.append(f"{int(frame[col].isna().sum())} months without data are left blank.")
    return fig, " ".join(parts)

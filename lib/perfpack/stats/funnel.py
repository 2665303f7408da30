"""Funnel plots for comparing rates between forces (Spiegelhalter 2005), without plotting.

A funnel plot puts each unit's rate (crimes per 1,000 population) against its population,
with a centre line at the target rate and control limits that narrow as the population
grows: a small force's rate varies more by chance than a large one's. This module works out
the limits, where each unit sits and in what words; a chart elsewhere draws
:attr:`FunnelResult.curves` and :attr:`FunnelResult.units`.

The method follows NHS-R's FunnelPlotR (version 0.6.0) for indirectly standardised ratios:
a rate is the target rate times the ratio observed / expected, the expected count being
``target_rate * population / per``. The steps:

1. :func:`funnel_limits` with ``adjustment="none"``: exact Poisson limits in the chi-square
   form FunnelPlotR uses for ratios (``data_type = "SR"``): at expected count ``E`` the
   lower limit of O/E is ``qchisq(a/2, 2E) / (2E)`` and the upper ``qchisq(1 - a/2, 2E + 2)
   / (2E)``, for ``a = 1 - level``.
2. :func:`z_scores`: on the square-root scale (Spiegelhalter 2005; FunnelPlotR's ``"CQC"``
   method), ``Y = sqrt(O / E)``, standard error ``s = 1 / (2 sqrt(E))``, so
   ``z = (Y - 1) / s = 2 (sqrt(O) - sqrt(E))``. (FunnelPlotR's default for ratios,
   ``"SHMI"``, takes logs and truncates instead; logs fail on a count of 0, which small
   forces have for homicide.)
3. :func:`winsorise`: z-scores below the 10th percentile are set to it, those above the 90th
   to it (FunnelPlotR's ``trim_by = 0.1``; R's default quantile, numpy's "linear").
4. :func:`dispersion`: ``phi`` is the mean of the winsorised z squared; ``tau2`` the
   DerSimonian-Laird between-unit variance ``(n phi - (n - 1)) / (sum w - sum w^2 / sum w)``
   with ``w = 1 / s^2`` (0 if ``n phi < n - 1``), as FunnelPlotR's ``tau_func``. Limits
   are widened only when ``phi > 1`` (FunnelPlotR's rule: below that it draws unadjusted
   limits and says "no overdispersion detected").
5. Widened limits: additive random effects by default (FunnelPlotR's default,
   ``draw_adjusted = TRUE``; Spiegelhalter 2005's preferred): ``target * (1 +/- z_level *
   sqrt(s^2 + tau2))^2``, the lower one floored at 0. ``adjustment="multiplicative"`` uses
   ``target * (1 +/- z_level * sqrt(phi) * s)^2`` instead. Both are squared back from the
   square-root scale; FunnelPlotR 0.6.0 leaves its ``"CQC"`` limits on the square-root
   scale (its issue #33), so its figures differ from these there.

:func:`funnel` does all of it for a frame, one row per unit, and says where each unit sits:
"within the limits", "above the 95% limit", "above the 99.8% limit", "below the 95% limit"
or "below the 99.8% limit" (a rate on a limit is within it, as in FunnelPlotR). A unit with
no count, no population or a population of 0 is left out of the fit and listed in
:attr:`FunnelResult.left_out` with the reason; it is never counted as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "ADJUSTMENTS",
    "LEVELS",
    "Dispersion",
    "FunnelError",
    "FunnelResult",
    "dispersion",
    "funnel",
    "funnel_limits",
    "level_name",
    "readings",
    "winsorise",
    "z_scores",
]

LEVELS = (0.95, 0.998)
ADJUSTMENTS = ("additive", "multiplicative", "none")
TRIM = 0.1
PER = 1000.0
GRID_POINTS = 200
WITHIN = "within the limits"


class FunnelError(ValueError):
    """The data or settings cannot give a funnel plot; the message says why."""


@dataclass(frozen=True)
class Dispersion:
    """How much more the units vary than chance alone (Poisson) would make them.

    Attributes
    ----------
    phi : float
        Dispersion ratio: the mean of the winsorised z-scores squared (1 under Poisson).
    tau2 : float
        Between-unit variance on the square-root scale (DerSimonian-Laird), 0 if
        ``n * phi < n - 1``.
    n : int
        Units in the fit.
    adjusted : bool
        Whether the limits in force were widened (``phi > 1`` and an adjustment asked for).
    method : str
        The adjustment asked for: ``additive``, ``multiplicative`` or ``none``.
    trim : float
        The winsorising fraction at each end.
    """

    phi: float
    tau2: float
    n: int
    adjusted: bool
    method: str
    trim: float

    def describe(self) -> str:
        """The dispersion facts in a sentence, for a caption or a note."""
        if self.method == "none":
            how = "limits not adjusted for over-dispersion (none asked for)"
        elif not self.adjusted:
            how = "no over-dispersion detected (phi <= 1): Poisson limits"
        elif self.method == "additive":
            how = f"limits widened by an additive random effect (tau2 = {self.tau2:.3g})"
        else:
            how = f"limits widened by sqrt(phi) (multiplicative, phi = {self.phi:.3g})"
        return f"{self.n} units; dispersion ratio phi = {self.phi:.3g} (z-scores winsorised at {self.trim:.0%}); {how}."


@dataclass
class FunnelResult:
    """What :func:`funnel` returns.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit in the fit, in the input order: ``unit``, ``count``,
        ``denominator``, ``rate``, ``expected``, ``z`` (unadjusted), ``z_adjusted`` (the z
        against the limits in force), ``lower_95``, ``upper_95``, ``lower_998``,
        ``upper_998`` (limits in force at the unit's denominator; one pair per level) and
        ``reading``.
    curves : pandas.DataFrame
        Limits over a grid of denominators (and at every unit's): ``denominator``,
        ``expected``, the limits in force (``lower_95`` ...) and the Poisson ones
        (``poisson_lower_95`` ...) for drawing both.
    dispersion : Dispersion
    left_out : pandas.DataFrame
        ``unit``, ``count``, ``denominator``, ``reason`` for units not in the fit.
    target_rate : float
        The centre line, per ``per``.
    per : float
    levels : tuple of float
    """

    units: pd.DataFrame
    curves: pd.DataFrame
    dispersion: Dispersion
    left_out: pd.DataFrame
    target_rate: float
    per: float
    levels: tuple[float, ...]


def level_name(level: float) -> str:
    """The column suffix of a level: 0.95 -> ``"95"``, 0.998 -> ``"998"``."""
    return f"{level * 100:g}".replace(".", "")


def _words(level: float) -> str:
    return f"{level * 100:g}%"


def _z_level(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _check(levels, target_rate: float, per: float, adjustment: str) -> tuple[float, ...]:
    levels = tuple(float(x) for x in levels)
    if not levels or any(not 0 < x < 1 for x in levels):
        raise FunnelError(f"levels must be between 0 and 1 (e.g. 0.95, 0.998), got {levels}")
    if not np.isfinite(target_rate) or target_rate <= 0:
        raise FunnelError(f"target rate must be above 0, got {target_rate}")
    if not per > 0:
        raise FunnelError(f"per must be above 0, got {per}")
    if adjustment not in ADJUSTMENTS:
        raise FunnelError(f"adjustment must be one of {', '.join(ADJUSTMENTS)}, got {adjustment!r}")
    return levels


def _denominators(denominators) -> np.ndarray:
    d = np.asarray(denominators, dtype=float).ravel()
    if d.size == 0 or not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise FunnelError("denominators must be numbers above 0 (leave out units with no population first)")
    return d


def _poisson(expected: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits of observed / expected (FunnelPlotR's chi-square form)."""
    a = 1 - level
    lower = stats.chi2.ppf(a / 2, 2 * expected) / (2 * expected)
    upper = stats.chi2.ppf(1 - a / 2, 2 * (expected + 1)) / (2 * expected)
    return lower, upper


def _widened(expected: np.ndarray, level: float, adjustment: str, tau2: float, phi: float):
    """Square-root scale limits of observed / expected, widened, squared back."""
    s2 = 1 / (4 * expected)
    sd = np.sqrt(s2 + tau2) if adjustment == "additive" else np.sqrt(phi * s2)
    z = _z_level(level)
    return np.clip(1 - z * sd, 0, None) ** 2, (1 + z * sd) ** 2


def funnel_limits(
    denominators,
    target_rate: float,
    levels=LEVELS,
    *,
    per: float = PER,
    adjustment: str = "none",
    tau2: float = 0.0,
    phi: float = 1.0,
) -> pd.DataFrame:
    """Funnel limits for a rate per ``per`` at each denominator.

    Parameters
    ----------
    denominators
        Populations (above 0).
    target_rate
        The centre line, per ``per`` (e.g. crimes per 1,000 population).
    levels
        Two-sided coverage of each pair of limits; 0.95 and 0.998 are FunnelPlotR's (about
        2 and 3 standard errors).
    per
        The rate's base: 1,000 for "per 1,000 population".
    adjustment
        ``"none"``: exact Poisson limits, ``target * qchisq(a/2, 2E) / (2E)`` and ``target *
        qchisq(1 - a/2, 2E + 2) / (2E)`` at expected count ``E = target * denominator / per``
        and ``a = 1 - level``. ``"additive"``: ``target * (1 +/- z sqrt(1/(4E) + tau2))^2``.
        ``"multiplicative"``: ``target * (1 +/- z sqrt(phi / (4E)))^2``. Lower limits are
        floored at 0; ``z`` is the standard normal quantile of ``0.5 + level / 2``.
    tau2, phi
        The dispersion figures for the widened limits (see :func:`dispersion`).

    Returns
    -------
    pandas.DataFrame
        ``denominator``, ``expected``, then ``lower_<level>`` and ``upper_<level>`` per level
        (``lower_95``, ``upper_95``, ``lower_998``, ``upper_998``), as rates per ``per``.
    """
    levels = _check(levels, target_rate, per, adjustment)
    d = _denominators(denominators)
    expected = target_rate * d / per
    out = {"denominator": d, "expected": expected}
    for level in levels:
        if adjustment == "none":
            lo, hi = _poisson(expected, level)
        else:
            lo, hi = _widened(expected, level, adjustment, tau2, phi)
        out[f"lower_{level_name(level)}"] = target_rate * lo
        out[f"upper_{level_name(level)}"] = target_rate * hi
    return pd.DataFrame(out)


def z_scores(counts, denominators, target_rate: float, *, per: float = PER) -> np.ndarray:
    """Unadjusted z-scores on the square-root scale: ``2 (sqrt(O) - sqrt(E))`` with ``E =
    target_rate * denominator / per`` (Spiegelhalter 2005; FunnelPlotR's ``"CQC"``)."""
    o = np.asarray(counts, dtype=float)
    e = target_rate * _denominators(denominators) / per
    return 2 * (np.sqrt(o) - np.sqrt(e))


def winsorise(z, trim: float = TRIM) -> np.ndarray:
    """z-scores with those below the ``trim`` quantile set to it and those above the ``1 -
    trim`` quantile set to it (R's default quantile, as FunnelPlotR)."""
    z = np.asarray(z, dtype=float)
    if not 0 <= trim < 0.5:
        raise FunnelError(f"trim must be at least 0 and below 0.5, got {trim}")
    low, high = np.quantile(z, [trim, 1 - trim])
    return np.clip(z, low, high)


def _tau2(n: int, phi: float, expected: np.ndarray) -> float:
    """DerSimonian-Laird between-unit variance, as FunnelPlotR's ``tau_func``."""
    w = 4 * expected  # 1 / s^2 on the square-root scale
    spread = w.sum() - (w**2).sum() / w.sum()
    if n * phi < n - 1 or spread <= 0:
        return 0.0
    return float(max(0.0, (n * phi - (n - 1)) / spread))


def dispersion(
    counts,
    denominators,
    target_rate: float,
    *,
    per: float = PER,
    trim: float = TRIM,
    adjustment: str = "additive",
) -> Dispersion:
    """The dispersion ratio ``phi`` and between-unit variance ``tau2`` of a set of units, and
    whether limits are to be widened (``phi > 1``, FunnelPlotR's rule, and an adjustment
    asked for). All units given are used: leave out those with no count first."""
    _check(LEVELS, target_rate, per, adjustment)
    e = target_rate * _denominators(denominators) / per
    z = winsorise(z_scores(counts, denominators, target_rate, per=per), trim)
    n = len(z)
    phi = float(np.mean(z**2))
    tau2 = _tau2(n, phi, e)
    adjusted = adjustment != "none" and phi > 1 and n > 1
    return Dispersion(phi=phi, tau2=tau2, n=n, adjusted=adjusted, method=adjustment, trim=trim)


def readings(rates, limits: pd.DataFrame, levels=LEVELS) -> list[str]:
    """Where each rate sits against its limits, in words: "within the limits", "above the
    95% limit", "above the 99.8% limit", "below ..."; the widest limit crossed is named. A
    rate equal to a limit is within it."""
    rates = np.asarray(rates, dtype=float)
    out = [WITHIN] * len(rates)
    for level in sorted(levels):  # narrowest first, so the widest crossed wins
        name = level_name(level)
        for i in np.flatnonzero(rates > limits[f"upper_{name}"].to_numpy()):
            out[i] = f"above the {_words(level)} limit"
        for i in np.flatnonzero(rates < limits[f"lower_{name}"].to_numpy()):
            out[i] = f"below the {_words(level)} limit"
    return out


def _numbers(frame: pd.DataFrame, column: str, units: pd.Series) -> pd.Series:
    if column not in frame.columns:
        raise FunnelError(f"no column {column!r} in the frame (columns: {', '.join(map(str, frame.columns))})")
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = values.isna() & frame[column].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise FunnelError(f"column {column!r}, unit {units.iloc[i]!r}: {frame[column].iloc[i]!r} is not a number")
    return values


def _reason(count: float, denominator: float, count_col: str, denom_col: str) -> str | None:
    if np.isnan(count):
        return f"no {count_col} shown"
    if np.isnan(denominator):
        return f"no {denom_col} shown"
    if denominator <= 0:
        return f"{denom_col} is not above 0"
    if count < 0:
        return f"{count_col} is negative"
    return None


def _split(frame: pd.DataFrame, count_col: str, denom_col: str, unit_col: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units to fit (``unit``, ``count``, ``denominator``) and those left out, with why."""
    if unit_col is not None and unit_col not in frame.columns:
        raise FunnelError(f"no column {unit_col!r} in the frame (columns: {', '.join(map(str, frame.columns))})")
    units = pd.Series(frame[unit_col] if unit_col is not None else frame.index, index=frame.index)
    repeated = units[units.duplicated()].unique()
    if len(repeated):
        raise FunnelError(f"units appear more than once: {', '.join(map(str, repeated[:5]))}; give one row per unit")
    table = pd.DataFrame(
        {"unit": units.to_numpy(), "count": _numbers(frame, count_col, units).to_numpy(), "denominator": _numbers(frame, denom_col, units).to_numpy()}
    )
    reasons = [_reason(c, d, count_col, denom_col) for c, d in zip(table["count"], table["denominator"])]
    table["reason"] = reasons
    keep = table["reason"].isna()
    return table[keep].drop(columns="reason").reset_index(drop=True), table[~keep].reset_index(drop=True)


def _grid(denominators: np.ndarray, points: int) -> np.ndarray:
    """Denominators for drawing the curves: evenly spaced on a log scale from half the
    smallest to 1.1 times the largest, plus every unit's own."""
    lo, hi = denominators.min() / 2, denominators.max() * 1.1
    return np.unique(np.concatenate([np.geomspace(lo, hi, max(points, 2)), denominators]))


def _curves(grid: np.ndarray, target: float, levels, per: float, disp: Dispersion) -> pd.DataFrame:
    poisson = funnel_limits(grid, target, levels, per=per)
    if not disp.adjusted:
        in_force = poisson
    else:
        in_force = funnel_limits(grid, target, levels, per=per, adjustment=disp.method, tau2=disp.tau2, phi=disp.phi)
    extra = poisson.drop(columns=["denominator", "expected"]).add_prefix("poisson_")
    return pd.concat([in_force, extra], axis=1)


def _adjusted_z(fit: pd.DataFrame, z: np.ndarray, disp: Dispersion) -> np.ndarray:
    if not disp.adjusted:
        return z
    if disp.method == "multiplicative":
        return z / np.sqrt(disp.phi)
    s2 = 1 / (4 * fit["expected"].to_numpy())
    return (np.sqrt(fit["count"].to_numpy() / fit["expected"].to_numpy()) - 1) / np.sqrt(s2 + disp.tau2)


def funnel(
    frame: pd.DataFrame,
    count_col: str,
    denom_col: str,
    *,
    unit_col: str | None = None,
    target_rate: float | None = None,
    per: float = PER,
    levels=LEVELS,
    adjustment: str = "additive",
    trim: float = TRIM,
    grid_points: int = GRID_POINTS,
) -> FunnelResult:
    """Funnel plot figures for the rate ``count_col / denom_col * per`` of each unit.

    Parameters
    ----------
    frame, count_col, denom_col, unit_col
        One row per unit (e.g. the ONS peer table for one offence group); the columns of
        the counts (Poisson), the populations and the units' names (the index if None).
    target_rate
        The centre line per ``per``; by default the pooled rate of the units in the fit,
        ``sum(count) / sum(denominator) * per``.
    per, levels, trim
        Rate base (1,000), coverage of the limits (0.95, 0.998), winsorising fraction (0.1).
    adjustment
        ``"additive"`` (default: FunnelPlotR's and Spiegelhalter's random effect),
        ``"multiplicative"`` or ``"none"``; applied only when ``phi > 1``.
    grid_points
        Points of the drawn curves (the units' own denominators are added).

    Returns
    -------
    FunnelResult
        ``units`` (rate, z, limits at the unit's own denominator and the ``reading``),
        ``curves``, ``dispersion``, ``left_out`` (with the reason) and ``target_rate``.

    Raises
    ------
    FunnelError
        If a column is missing or not numeric, a unit repeats, no unit can be fitted, the
        target rate is not above 0, or a setting is out of range.
    """
    fit, left_out = _split(frame, count_col, denom_col, unit_col)
    if fit.empty:
        raise FunnelError(f"no unit has both a {count_col} and a {denom_col} above 0: nothing to plot")
    d = fit["denominator"].to_numpy()
    target = float(fit["count"].sum() / d.sum() * per) if target_rate is None else float(target_rate)
    levels = _check(levels, target, per, adjustment)
    disp = dispersion(fit["count"], d, target, per=per, trim=trim, adjustment=adjustment)
    fit["rate"] = fit["count"] / fit["denominator"] * per
    fit["expected"] = target * d / per
    z = z_scores(fit["count"], d, target, per=per)
    fit["z"], fit["z_adjusted"] = z, _adjusted_z(fit, z, disp)
    curves = _curves(_grid(d, grid_points), target, levels, per, disp)
    limits = curves.drop_duplicates("denominator").set_index("denominator").loc[d]
    for col in [c for c in curves.columns if c.startswith(("lower_", "upper_"))]:
        fit[col] = limits[col].to_numpy()
    fit["reading"] = readings(fit["rate"], fit, levels)
    return FunnelResult(fit, curves, disp, left_out, target, per, levels)

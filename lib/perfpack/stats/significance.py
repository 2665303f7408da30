"""Significance of a change between two counts, and the sentences that report it.

Every "significant" in the pack comes from :func:`compare_counts`, and every narrative
sentence about a change comes from :func:`describe_change`, so the words and the numbers
cannot drift apart. See ``docs/statistics.md`` for the reasoning, written for reviewers.

The test
--------
Two counts of independent events (crimes, incidents, calls) are modelled as Poisson.
Conditional on their total ``n = current + previous``, the current count is
Binomial(n, p) with ``p = t1 / (t1 + t2)`` under "no change in the rate", where t1 and t2
are the lengths of the two windows; for equal windows ``p = 1/2``. The two-sided exact
binomial test (:func:`scipy.stats.binomtest`) gives the p-value.

For windows of different lengths we use the same conditional binomial test with
``p = t1 / (t1 + t2)`` rather than the default (score, large-sample) method of
``statsmodels.stats.rates.test_poisson_2indep``: it is exact at the small counts that
only just pass the minimum-count rule, and it is the *same* test as the equal-length
case (it reduces to it when t1 = t2), so a figure cannot change significance merely
because someone passed two equal lengths. It equals ``test_poisson_2indep(...,
method="exact-cond")``; the tests check that. ``pct_change`` stays the change in the
*count* (as ``figures.csv`` defines it); the change in the rate is ``rate_pct_change``,
and the sentence mentions it only when it points the other way from the count.

The minimum-count rule
----------------------
When ``current + previous < min_count`` (10 by default, ``statistics.min_count_to_test``
in the profile's ``pack.yaml``) no test is run, the significance is ``"too few to test"`` and
``pct_change`` is None so that no percentage is exported or quoted on a tiny base.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scipy.stats import binomtest

__all__ = [
    "SIGNIFICANT_INCREASE",
    "SIGNIFICANT_DECREASE",
    "NO_SIGNIFICANT_CHANGE",
    "TOO_FEW_TO_TEST",
    "SIGNIFICANCE_LABELS",
    "MISSING",
    "Comparison",
    "compare_counts",
    "describe_change",
    "format_pct",
    "format_count",
]

SIGNIFICANT_INCREASE = "significant increase"
SIGNIFICANT_DECREASE = "significant decrease"
NO_SIGNIFICANT_CHANGE = "no significant change"
TOO_FEW_TO_TEST = "too few to test"
#: The reading of a count whose comparison window starts before the measure existed:
#: ``new since 16 March 2020`` (:func:`new_since`); no percentage, no test.
NEW_SINCE = "new since"
#: The reading of a count with nothing in its comparison window: no percentage, no test.
NOTHING_BEFORE = "none in the comparison period"


def new_since(day) -> str:
    """``new since 16 March 2020``: the reading of a measure that did not exist before ``day``."""
    return f"{NEW_SINCE} {day.day} {day:%B %Y}"


#: Every value ``Comparison.significance`` can take, in a stable order.
SIGNIFICANCE_LABELS = (
    SIGNIFICANT_INCREASE,
    SIGNIFICANT_DECREASE,
    NO_SIGNIFICANT_CHANGE,
    TOO_FEW_TO_TEST,
)

#: What tables show for a figure that does not exist (an en dash).
MISSING = "\u2013"

_METHOD_EQUAL = "exact binomial test, equal windows (current ~ Binomial(n, 1/2))"
_METHOD_RATES = "exact conditional test of two Poisson rates (current ~ Binomial(n, t1/(t1+t2)))"


@dataclass(frozen=True)
class Comparison:
    """The result of comparing a current count with a previous one.

    Attributes
    ----------
    current, previous : int
        The two counts.
    change : int
        ``current - previous``.
    pct_change : float or None
        Percentage change in the count, ``100 * change / previous``: -18.2 for a fall of
        18.2% (the ``pct_change`` of ``figures.csv``). None when ``previous`` is 0 or the
        counts are too few to test.
    p_value : float or None
        Two-sided p-value; None when too few to test.
    significance : str
        One of :data:`SIGNIFICANCE_LABELS`.
    method : str
        Plain description of the test used (or why none was).
    rate_adjusted : bool
        True when the windows had different lengths, so the test compared rates.
    rate_pct_change : float or None
        When ``rate_adjusted``: percentage change in the rate per unit length, which is
        what the significance refers to. None otherwise (and when ``pct_change`` is).
    """

    current: int
    previous: int
    change: int
    pct_change: float | None
    p_value: float | None
    significance: str
    method: str
    rate_adjusted: bool = False
    rate_pct_change: float | None = None


def _as_count(value, name: str) -> int:
    """Return ``value`` as a non-negative int, or raise a ValueError saying why not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number of events, got {value!r}")
    if isinstance(value, numbers.Integral):
        count = int(value)
    else:
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"{name} must be a whole number of events, got {value!r}; pass the count, not a rate or a percentage")
        count = int(value)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _as_length(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive window length (e.g. days), got {value!r}")
    return float(value)


def compare_counts(
    current,
    previous,
    current_length=None,
    previous_length=None,
    alpha: float = 0.05,
    min_count: int = 10,
) -> Comparison:
    """Test whether a count changed between two windows.

    Parameters
    ----------
    current, previous : int
        Event counts in the current and the previous window.
    current_length, previous_length : float, optional
        Lengths of the two windows in any one unit (days, months). Give both or
        neither; neither (or two equal lengths) means windows of equal length.
    alpha : float, default 0.05
        Significance level; a change is significant when ``p_value < alpha``.
    min_count : int, default 10
        Below this many events in the two windows together there is no test and no
        percentage (``statistics.min_count_to_test`` in the configuration).

    Returns
    -------
    Comparison
        Counts, change, percentage change, p-value, significance label and method.

    Raises
    ------
    ValueError
        If a count is negative or not whole, only one length is given, a length is not
        positive, or ``alpha`` is not between 0 and 1.

    Examples
    --------
    >>> compare_counts(68978, 84120).significance
    'significant decrease'
    >>> compare_counts(9, 4).significance
    'no significant change'
    """
    current = _as_count(current, "current")
    previous = _as_count(previous, "previous")
    if (current_length is None) != (previous_length is None):
        raise ValueError(
            f"give both current_length and previous_length, or neither (got current_length={current_length!r}, previous_length={previous_length!r})"
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (e.g. 0.05), got {alpha!r}")
    if isinstance(min_count, bool) or not isinstance(min_count, numbers.Integral) or min_count < 0:
        raise ValueError(f"min_count must be a whole number of events, 0 or more, got {min_count!r}")

    rate_adjusted = False
    p_null = 0.5
    if current_length is not None:
        t1 = _as_length(current_length, "current_length")
        t2 = _as_length(previous_length, "previous_length")
        if t1 != t2:
            rate_adjusted = True
            p_null = t1 / (t1 + t2)

    change = current - previous
    total = current + previous
    if total < min_count or total == 0:
        return Comparison(
            current=current,
            previous=previous,
            change=change,
            pct_change=None,
            p_value=None,
            significance=TOO_FEW_TO_TEST,
            method=f"no test: {total} events in the two windows together, fewer than {min_count}",
            rate_adjusted=rate_adjusted,
        )

    p_value = float(binomtest(current, total, p_null, alternative="two-sided").pvalue)

    pct_change = None if previous == 0 else 100.0 * change / previous
    rate_pct_change = None
    if rate_adjusted and previous > 0:
        rate_pct_change = 100.0 * ((current / t1) / (previous / t2) - 1.0)

    # Direction of the change in rate; with equal windows that is the change in count.
    observed_share = current / total
    if p_value < alpha and observed_share > p_null:
        significance = SIGNIFICANT_INCREASE
    elif p_value < alpha and observed_share < p_null:
        significance = SIGNIFICANT_DECREASE
    else:
        significance = NO_SIGNIFICANT_CHANGE

    return Comparison(
        current=current,
        previous=previous,
        change=change,
        pct_change=pct_change,
        p_value=p_value,
        significance=significance,
        method=_METHOD_RATES if rate_adjusted else _METHOD_EQUAL,
        rate_adjusted=rate_adjusted,
        rate_pct_change=rate_pct_change,
    )


def is_missing(x) -> bool:
    """None, NaN, pd.NA or pd.NaT: a value that is not there (never read as zero)."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, pd.NA
    except TypeError:  # pd.NA in a boolean context
        return True


def _round_half_up(x: float, decimals: int) -> float:
    """Round as readers expect (2.5 -> 3, 18.25 -> 18.3), not to even as round() does."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def format_pct(x, decimals: int = 1) -> str:
    """Format a percentage change for a table: ``-18.2%``, ``+4.0%``, ``0.0%``.

    Parameters
    ----------
    x : float or None
        Percentage (-18.2 means a fall of 18.2%). None or NaN means "no percentage".
    decimals : int, default 1
        Decimal places.

    Returns
    -------
    str
        The formatted percentage with an explicit sign (halves round up), or an en dash
        (``–``) for None/NaN.
    """
    if is_missing(x):
        return MISSING
    rounded = _round_half_up(x, decimals)
    if rounded == 0:
        return f"{0:.{decimals}f}%"
    return ("+" if rounded > 0 else "\u2212") + f"{abs(rounded):.{decimals}f}%"


def format_count(x, decimals: int = 0) -> str:
    """Format a count for a table with thousands separators: ``84,120``.

    Parameters
    ----------
    x : int, float, str or None
        The count. Strings (such as a suppressed ``"<10"``) are returned unchanged;
        None or NaN give an en dash (``–``).
    decimals : int, default 0
        Decimal places (counts have none; money might have 2).

    Returns
    -------
    str
    """
    if isinstance(x, str):
        return x
    if is_missing(x):
        return MISSING
    return f"{_round_half_up(x, decimals):,.{decimals}f}"


def _capitalise(text: str) -> str:
    # Only the first character: "ASB incidents" must keep its capitals.
    return text[:1].upper() + text[1:]


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _moved(pct: float) -> str:
    """'rose by 4%', 'fell by 18%', 'rose by less than 1%' (whole percent, halves up)."""
    whole = int(_round_half_up(abs(pct), 0))
    by = "by less than 1%" if whole == 0 else f"by {whole}%"
    return f"{'rose' if pct > 0 else 'fell'} {by}"


def describe_change(measure: str, comparison: Comparison, *, noun_plural: str | None = None) -> str:
    """Write the one-sentence narrative for a change.

    This is the only function that turns a :class:`Comparison` into words.

    Parameters
    ----------
    measure : str
        What was counted, as it should read at the start of a sentence ("All crime",
        "residential burglary"; the first letter is capitalised, the rest kept).
    comparison : Comparison
        The result of :func:`compare_counts`.
    noun_plural : str, optional
        Unit for the counts ("crimes", "incidents"); when given it follows the figures:
        "(from 84,120 to 68,978 crimes)".

    Returns
    -------
    str
        One sentence ending in a full stop. Percentages are rounded to whole numbers
        (a change under half a percent reads "by less than 1%"), counts have
        thousands separators, and the sentence ends with the significance label.

    Examples
    --------
    >>> describe_change("All crime", compare_counts(68978, 84120))
    'All crime fell by 18% (from 84,120 to 68,978), a statistically significant decrease.'
    >>> describe_change("Business robbery", compare_counts(6, 3))
    'Business robbery: too few to test (6 against 3).'
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(f"describe_change needs the Comparison returned by compare_counts, got {type(comparison).__name__}")
    subject = _capitalise(measure.strip())
    cur = format_count(comparison.current)
    prev = format_count(comparison.previous)
    unit = f" {noun_plural}" if noun_plural else ""
    sig = comparison.significance

    if sig == TOO_FEW_TO_TEST:
        few = f"too few {noun_plural} to test" if noun_plural else "too few to test"
        return f"{subject}: {few} ({cur} against {prev})."

    if sig.startswith(NEW_SINCE):  # the comparison window starts before the measure existed
        return f"{subject}: {cur}{unit}, {sig}; nothing to compare with before then."
    if sig == NOTHING_BEFORE or comparison.previous == 0:
        return f"{subject}: {cur}{unit}, against none in the comparison period; no change is given as a percentage."
    verdict = (
        "a statistically significant increase"
        if sig == SIGNIFICANT_INCREASE
        else ("a statistically significant decrease" if sig == SIGNIFICANT_DECREASE else "no statistically significant change")
    )
    pct = comparison.pct_change
    if pct is None:
        return f"{subject} went from {prev} to {cur}{unit}, {verdict}."
    if pct == 0:
        counts = f"{subject} was unchanged at {cur}{unit}"
    else:
        counts = f"{subject} {_moved(pct)} (from {prev} to {cur}{unit})"

    rate = comparison.rate_pct_change
    if comparison.rate_adjusted and rate is not None and _sign(rate) != _sign(pct):
        # Windows of different lengths where the count and the rate moved apart: say so,
        # because the significance refers to the rate.
        rate_moved = "was unchanged" if rate == 0 else _moved(rate)
        return f"{counts}; allowing for the different window lengths the rate {rate_moved}, {verdict}."
    return f"{counts}, {verdict}."

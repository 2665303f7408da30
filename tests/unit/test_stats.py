"""Known answers for perfpack.stats.significance: the significance test and the sentences."""

from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest
from statsmodels.stats import rates as sm_rates

from perfpack.stats.significance import (
    NO_SIGNIFICANT_CHANGE,
    SIGNIFICANCE_LABELS,
    SIGNIFICANT_DECREASE,
    SIGNIFICANT_INCREASE,
    TOO_FEW_TO_TEST,
    Comparison,
    compare_counts,
    describe_change,
    format_count,
    format_pct,
)

# --- the test itself ---------------------------------------------------------------


def test_labels_are_the_exact_strings_exports_use():
    assert SIGNIFICANCE_LABELS == (
        "significant increase",
        "significant decrease",
        "no significant change",
        "too few to test",
    )


def test_4_vs_9_is_no_significant_change_with_hand_computed_p():
    # Under no change, 4 | 13 ~ Binomial(13, 1/2); two-sided p = 2 P(X <= 4)
    # = 2 (1 + 13 + 78 + 286 + 715) / 2**13 = 2186 / 8192.
    c = compare_counts(4, 9)
    assert c.p_value == pytest.approx(2186 / 8192)
    assert c.p_value == pytest.approx(binomtest(4, 13, 0.5).pvalue)
    assert c.significance == NO_SIGNIFICANT_CHANGE
    assert c.change == -5
    assert c.pct_change == pytest.approx(-500 / 9)


def test_100_to_150_is_a_significant_increase():
    c = compare_counts(150, 100)
    assert c.significance == SIGNIFICANT_INCREASE
    assert c.p_value == pytest.approx(binomtest(150, 250).pvalue)
    assert c.p_value < 0.01
    assert c.pct_change == pytest.approx(50.0)
    assert c.change == 50


def test_all_crime_84120_to_68978_is_a_significant_decrease():
    c = compare_counts(68978, 84120)
    assert c.significance == SIGNIFICANT_DECREASE
    assert c.pct_change == pytest.approx(-18.0005, abs=1e-4)
    assert c.change == 68978 - 84120
    assert c.p_value < 1e-10


def test_too_few_to_test_below_min_count_has_no_percentage():
    c = compare_counts(6, 3)  # 9 events < 10
    assert c.significance == TOO_FEW_TO_TEST
    assert c.pct_change is None
    assert c.p_value is None
    assert c.change == 3
    # exactly min_count events is enough to test
    assert compare_counts(6, 4).significance != TOO_FEW_TO_TEST


def test_min_count_comes_from_the_caller():
    assert compare_counts(7, 4, min_count=12).significance == TOO_FEW_TO_TEST
    assert compare_counts(7, 4, min_count=10).significance == NO_SIGNIFICANT_CHANGE


def test_previous_zero_is_tested_but_has_no_percentage():
    c = compare_counts(12, 0)
    assert c.pct_change is None
    assert c.p_value == pytest.approx(2 * 0.5**12)
    assert c.significance == SIGNIFICANT_INCREASE


def test_equal_lengths_are_the_same_as_no_lengths():
    assert compare_counts(30, 18, 365, 365) == compare_counts(30, 18)


def test_poisson_rates_with_unequal_lengths_hand_computed():
    # 9 events in 2 months against 1 event in 1 month: the rates are 4.5 and 1 a month.
    # Under equal rates, 9 | 10 ~ Binomial(10, 2/3). pmf(k) = C(10,k) 2^k / 3^10.
    # Two-sided exact p sums the outcomes no more likely than k = 9 (pmf 5120/59049):
    # k = 0..4, 9, 10 -> (1 + 20 + 180 + 960 + 3360 + 5120 + 1024) / 59049.
    pmf = [comb(10, k) * 2**k for k in range(11)]
    assert pmf[9] == 5120
    expected_p = sum(p for p in pmf if p <= pmf[9]) / 3**10
    assert expected_p == pytest.approx(10665 / 59049)

    c = compare_counts(9, 1, current_length=2, previous_length=1)
    assert c.p_value == pytest.approx(expected_p)
    assert c.significance == NO_SIGNIFICANT_CHANGE
    assert c.rate_adjusted
    assert c.pct_change == pytest.approx(800.0)  # the count: 1 -> 9
    assert c.rate_pct_change == pytest.approx(350.0)  # the rate: 1 -> 4.5 a month
    # same test as statsmodels' exact conditional method
    assert c.p_value == pytest.approx(sm_rates.test_poisson_2indep(9, 2, 1, 1, method="exact-cond").pvalue)
    # ...whereas with equal windows 9 against 1 is significant: 2 * 11 / 1024
    assert compare_counts(9, 1).p_value == pytest.approx(22 / 1024)
    assert compare_counts(9, 1).significance == SIGNIFICANT_INCREASE


def test_unequal_lengths_significance_follows_the_rate_pct_change_the_count():
    # 1,300 in 13 months against 1,250 in 12: more events, lower rate (100 vs 104.2 a month)
    c = compare_counts(1300, 1250, 13, 12)
    assert c.pct_change == pytest.approx(4.0)
    assert c.rate_pct_change == pytest.approx(-4.0)
    assert c.significance == NO_SIGNIFICANT_CHANGE
    big = compare_counts(13000, 12500, 13, 12)
    assert big.pct_change == pytest.approx(4.0)
    assert big.significance == SIGNIFICANT_DECREASE
    assert big.rate_pct_change == pytest.approx(100 * ((13000 / 13) / (12500 / 12) - 1))


def test_leap_year_lengths_in_days_keep_the_count_percentage():
    # Jan-Dec 2020 (366 days) against 2019 (365): the percentage is still the count's
    c = compare_counts(68978, 84120, 366, 365)
    assert c.rate_adjusted
    assert c.pct_change == pytest.approx(-18.0005, abs=1e-4)
    assert c.significance == SIGNIFICANT_DECREASE
    assert describe_change("All crime", c) == ("All crime fell by 18% (from 84,120 to 68,978), a statistically significant decrease.")


@pytest.mark.parametrize(
    "args, message",
    [
        ((-1, 5), "must not be negative"),
        ((2.5, 5), "whole number"),
        (("12", 5), "whole number"),
        ((10, 5, 12, None), "both current_length and previous_length"),
        ((10, 5, 0, 12), "positive window length"),
    ],
)
def test_bad_input_says_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        compare_counts(*args)


def test_comparison_is_frozen():
    c = compare_counts(10, 10)
    with pytest.raises(AttributeError):
        c.current = 3  # type: ignore[misc]


counts = st.integers(min_value=0, max_value=5000)


@settings(max_examples=150, deadline=None)
@given(counts, counts)
def test_swapping_counts_flips_increase_and_decrease(a, b):
    forward, backward = compare_counts(a, b), compare_counts(b, a)
    flip = {
        SIGNIFICANT_INCREASE: SIGNIFICANT_DECREASE,
        SIGNIFICANT_DECREASE: SIGNIFICANT_INCREASE,
        NO_SIGNIFICANT_CHANGE: NO_SIGNIFICANT_CHANGE,
        TOO_FEW_TO_TEST: TOO_FEW_TO_TEST,
    }
    assert backward.significance == flip[forward.significance]
    if forward.p_value is not None:
        assert backward.p_value == pytest.approx(forward.p_value, rel=1e-9, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(counts, counts, st.integers(1, 24), st.integers(1, 24))
def test_swapping_windows_with_lengths_flips_too(a, b, t1, t2):
    forward, backward = compare_counts(a, b, t1, t2), compare_counts(b, a, t2, t1)
    pairs = {(forward.significance, backward.significance)}
    assert pairs <= {
        (SIGNIFICANT_INCREASE, SIGNIFICANT_DECREASE),
        (SIGNIFICANT_DECREASE, SIGNIFICANT_INCREASE),
        (NO_SIGNIFICANT_CHANGE, NO_SIGNIFICANT_CHANGE),
        (TOO_FEW_TO_TEST, TOO_FEW_TO_TEST),
    }


@settings(max_examples=150, deadline=None)
@given(counts, counts)
def test_significance_agrees_with_the_sign_of_the_change(a, b):
    c = compare_counts(a, b)
    assert c.significance in SIGNIFICANCE_LABELS
    if c.significance == SIGNIFICANT_INCREASE:
        assert c.change > 0
    if c.significance == SIGNIFICANT_DECREASE:
        assert c.change < 0
    if c.significance == TOO_FEW_TO_TEST:
        assert a + b < 10 and c.pct_change is None


# --- sentences -----------------------------------------------------------------------


def test_sentence_significant_decrease():
    assert describe_change("All crime", compare_counts(68978, 84120)) == "All crime fell by 18% (from 84,120 to 68,978), a statistically significant decrease."


def test_sentence_rise_not_significant():
    assert (
        describe_change("residential burglary", compare_counts(1040, 1000))
        == "Residential burglary rose by 4% (from 1,000 to 1,040), no statistically significant change."
    )


def test_sentence_significant_increase_with_noun():
    assert (
        describe_change("ASB incidents", compare_counts(150, 100), noun_plural="incidents")
        == "ASB incidents rose by 50% (from 100 to 150 incidents), a statistically significant increase."
    )


def test_sentence_too_few():
    assert describe_change("Business robbery", compare_counts(6, 3)) == ("Business robbery: too few to test (6 against 3).")
    assert describe_change("Business robbery", compare_counts(7, 4, min_count=12)) == ("Business robbery: too few to test (7 against 4).")
    assert describe_change("Business robbery", compare_counts(6, 3), noun_plural="robberies") == ("Business robbery: too few robberies to test (6 against 3).")


def test_sentence_edge_cases():
    assert describe_change("Calls", compare_counts(84, 84)) == ("Calls was unchanged at 84, no statistically significant change.")
    assert describe_change("Calls", compare_counts(10020, 10000)) == (
        "Calls rose by less than 1% (from 10,000 to 10,020), no statistically significant change."
    )
    assert describe_change("Covid FPNs", compare_counts(12, 0)) == (
        "Covid FPNs: 12, against none in the comparison period; no change is given as a percentage."
    )
    assert describe_change("Burglary", compare_counts(9, 1, 2, 1)) == ("Burglary rose by 800% (from 1 to 9), no statistically significant change.")
    assert describe_change("Thefts", compare_counts(13000, 12500, 13, 12)) == (
        "Thefts rose by 4% (from 12,500 to 13,000); allowing for the different window lengths the rate fell by 4%, a statistically significant decrease."
    )


def test_sentence_percent_is_whole_and_halves_round_up():
    # 40 -> 41 is +2.5%: readers expect 3%, not Python's round-half-to-even 2%
    assert describe_change("Thefts", compare_counts(41, 40)).startswith("Thefts rose by 3% ")
    # 40 -> 39 is -2.5%
    assert describe_change("Thefts", compare_counts(39, 40)).startswith("Thefts fell by 3% ")


def test_describe_change_rejects_other_objects():
    with pytest.raises(TypeError, match="Comparison"):
        describe_change("All crime", {"current": 1})


# --- table helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, text",
    [
        (-18.2, "\u221218.2%"),
        (4, "+4.0%"),
        (-18.24, "\u221218.2%"),
        (18.25, "+18.3%"),
        (0, "0.0%"),
        (-0.04, "0.0%"),
        (None, "\u2013"),
        (float("nan"), "\u2013"),
    ],
)
def test_format_pct(x, text):
    assert format_pct(x) == text


@pytest.mark.parametrize(
    "x, text",
    [(84120, "84,120"), (68978.0, "68,978"), (-15142, "-15,142"), (0, "0"), (2.5, "3"), (None, "\u2013"), (float("nan"), "\u2013"), ("<10", "<10")],
)
def test_format_count(x, text):
    assert format_count(x) == text


def test_format_count_decimals_for_money():
    assert format_count(15812345.678, decimals=2) == "15,812,345.68"


def test_comparison_fields():
    c = compare_counts(68978, 84120)
    assert isinstance(c, Comparison)
    assert c.method.startswith("exact binomial test")


# --- words a lay reader reads right ----------------------------------------------------


def test_page_formats_use_one_minus_sign_and_no_sign_at_zero():
    from perfpack.present import tables

    assert tables.fmt_pct(0) == "0.0%" and tables.fmt_pct(-0.04) == "0.0%"
    assert tables.fmt_pct(-18.24) == "\u221218.2%" and tables.fmt_pct(4) == "+4.0%"
    assert tables.fmt_signed(-13) == "\u221213" and tables.fmt_signed(0) == "0" and tables.fmt_signed(1234) == "+1,234"
    assert tables.fmt_pts(-0.3) == "\u22120.3 pts" and tables.fmt_pts(0) == "0.0 pts"


def test_a_measure_new_since_covid_gets_no_percentage_and_no_increase():
    from datetime import date

    from perfpack.periods import Window
    from perfpack.stats.figures import count_row

    # Covid-19 related ASB in 2021-Q1's 12 months (Apr 2020 - Mar 2021) against Apr 2019 -
    # Mar 2020, when only 16-31 March 2020 could hold any: 1,726 against 99 is not "+1,643%".
    cur, prev = Window(date(2020, 4, 1), date(2021, 3, 31)), Window(date(2019, 4, 1), date(2020, 3, 31))
    row = count_row("06", "asb_covid_incidents", "Covid-19 related ASB incidents", cur, prev, 1726, 99, new_since=date(2020, 3, 16))
    assert row["pct_change"] is None and row["p_value"] is None
    assert row["significance"] == "new since 16 March 2020"
    cmp = compare_counts(1726, 99)
    from dataclasses import replace

    words = describe_change("Covid-19 related ASB incidents", replace(cmp, pct_change=None, significance=row["significance"]))
    assert words == "Covid-19 related ASB incidents: 1,726, new since 16 March 2020; nothing to compare with before then."
    # a window starting on the day itself compares like any other
    later = count_row(
        "06",
        "asb_covid_incidents",
        "x",
        Window(date(2021, 3, 16), date(2022, 3, 15)),
        Window(date(2020, 3, 16), date(2021, 3, 15)),
        100,
        200,
        new_since=date(2020, 3, 16),
    )
    assert later["significance"] == "significant decrease" and later["pct_change"] == -50.0


def test_nothing_in_the_base_window_gets_no_percentage():
    from datetime import date

    from perfpack.periods import Window
    from perfpack.stats.figures import count_row

    w, p = Window(date(2020, 1, 1), date(2020, 12, 31)), Window(date(2019, 1, 1), date(2019, 12, 31))
    row = count_row("06", "covid_fpns", "FPNs", w, p, 40, 0)
    assert row["pct_change"] is None and row["significance"] == "none in the comparison period"

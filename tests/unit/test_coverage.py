"""Coverage: which months a table covers, the words for a window it does not, the gap rule for
a force's own extracts, whole months for a Covid-19 period on a monthly source, and the rule
for a force's areas when no profile lists them. Known answers are worked out by hand here."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from perfpack.config import load_config
from perfpack.periods import Period, Window
from perfpack.sources.coverage import NO_DATA, Coverage, find_gaps, month_words, months_coverage, record_coverage, whole_months, years_back
from perfpack.sources.policeuk import derive_areas, district_key, one_form
from perfpack.stats.figures import count_row

YEAR_2024 = Window(date(2024, 1, 1), date(2024, 12, 31))


def months(*ym):
    return [date(y, m, 1) for y, m in ym]


def test_a_missing_month_file_is_a_gap_and_the_words_name_it():
    present = [date(y, m, 1) for y in (2023, 2024) for m in range(1, 13) if (y, m) != (2024, 10)]
    cov = months_coverage(present)
    assert cov.first == date(2023, 1, 1) and cov.last == date(2024, 12, 31) and cov.gaps == (date(2024, 10, 1),)
    assert cov.shortfall(YEAR_2024) == "data cover 11 of 12 months (no data for October 2024)"
    assert cov.covers(Window(date(2023, 1, 1), date(2023, 12, 31)))
    assert not cov.covers(YEAR_2024) and not cov.covers_none(YEAR_2024)
    assert cov.shortfall(Window(date(2022, 1, 1), date(2022, 12, 31))) == NO_DATA


def test_six_months_of_data_are_not_twelve():
    cov = months_coverage(months((2024, 7), (2024, 8), (2024, 9), (2024, 10), (2024, 11), (2024, 12)))
    assert cov.shortfall(YEAR_2024) == "data cover 6 of 12 months (no data for January–June 2024)"


def test_home_office_quarters_cover_three_months_each():
    # financial year 2017/18: quarters starting April, July, October 2017 and January 2018
    cov = months_coverage(months((2017, 4), (2017, 7), (2017, 10), (2018, 1)), "quarter", step=3)
    assert (cov.first, cov.last, cov.gaps) == (date(2017, 4, 1), date(2018, 3, 31), ())
    assert cov.shortfall(Window(date(2017, 1, 1), date(2017, 12, 31))) == "data cover 9 of 12 months (no data for January–March 2017)"
    assert cov.covers(Window(date(2017, 4, 1), date(2018, 3, 31)))


def test_a_window_not_on_month_boundaries_is_worded_as_a_part():
    cov = months_coverage(months((2020, 4), (2020, 5), (2020, 6), (2020, 7)))
    assert cov.shortfall(Window(date(2020, 3, 16), date(2020, 7, 3))) == "data cover only part of 16 Mar 2020 – 3 Jul 2020 (no data for March 2020)"


def test_month_words_join_runs():
    assert month_words(months((2017, 1), (2017, 2), (2017, 3), (2019, 5))) == "January–March 2017 and May 2019"
    assert month_words(months((2023, 12), (2024, 1), (2024, 2))) == "December 2023–February 2024"
    assert month_words(months((2024, 10))) == "October 2024"


def test_find_gaps_flags_a_zero_month_among_busy_ones_only():
    busy = pd.Series([5000, 5100, 0, 4900, 5000], index=pd.date_range("2024-08-01", periods=5, freq="MS"))
    assert find_gaps(busy) == [date(2024, 10, 1)]
    two = pd.Series([5000, 0, 0, 4900], index=pd.date_range("2024-08-01", periods=4, freq="MS"))
    assert find_gaps(two) == [date(2024, 9, 1), date(2024, 10, 1)]


@pytest.mark.parametrize("scale", [1, 10])
def test_fpns_quiet_between_the_lockdowns_are_not_a_gap(scale):
    """The demo's FPNs, month by month (March 2020 to March 2021): nothing from July to September
    2020, between the first lockdown's fall and the autumn's rise. At ten times the volume
    (June 190, October 70) the quiet months are still real, not a missing extract."""
    per_month = [2, 64, 48, 19, 0, 0, 0, 7, 86, 118, 262, 171, 94]
    fpns = pd.Series([n * scale for n in per_month], index=pd.date_range("2020-03-01", periods=13, freq="MS"))
    assert find_gaps(fpns) == []


def test_record_coverage_daily_table_is_read_to_the_day_sparse_table_to_the_month():
    days = pd.Series(pd.date_range("2019-03-15", "2020-02-10", freq="D").repeat(12))
    daily = record_coverage(days)
    assert (daily.first, daily.last) == (date(2019, 3, 15), date(2020, 2, 10))
    assert (
        daily.shortfall(Window(date(2019, 1, 1), date(2019, 12, 31)))
        == "data cover only part of 1 Jan 2019 – 31 Dec 2019 (no data for January–February 2019 and part of March 2019)"
    )
    sparse = record_coverage(pd.Series(pd.to_datetime(["2020-03-27", "2020-05-02", "2021-01-28"])))
    assert (sparse.first, sparse.last) == (date(2020, 3, 1), date(2021, 1, 31))


def test_record_coverage_finds_a_month_removed_from_an_extract():
    days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    days = days[~((days.year == 2024) & (days.month == 10))]
    cov = record_coverage(pd.Series(days.repeat(20)))
    assert cov.gaps == (date(2024, 10, 1),)
    assert cov.shortfall(YEAR_2024) == "data cover 11 of 12 months (no data for October 2024)"


def test_coverage_round_trips_through_the_snapshot_meta():
    cov = Coverage(date(2020, 1, 1), date(2021, 3, 31), (date(2020, 10, 1),), "month")
    assert Coverage.from_meta(cov.to_meta()) == cov


def test_whole_months_of_a_covid_period():
    assert whole_months(Window(date(2020, 3, 16), date(2020, 7, 3))) == Window(date(2020, 3, 1), date(2020, 6, 30))  # March: 16 of 31 days
    assert whole_months(Window(date(2020, 7, 4), date(2020, 9, 30))) == Window(date(2020, 7, 1), date(2020, 9, 30))
    assert whole_months(Window(date(2021, 1, 6), date(2021, 3, 28))) == Window(date(2021, 1, 1), date(2021, 3, 31))
    assert whole_months(Window(date(2020, 3, 20), date(2020, 3, 31))) is None
    assert years_back(Window(date(2021, 2, 1), date(2021, 2, 28)), 1) == Window(date(2020, 2, 1), date(2020, 2, 29))


def test_covid_base_before_the_pandemic_for_2021_periods():
    config = load_config()  # the demo profile: compare_with before_pandemic, the third lockdown added
    assert config.covid_compare_with == "before_pandemic"
    wins = {pid: (w, b) for pid, w, b in Period.parse("2021-Q1").covid_windows(config)}
    w, b = wins["third_lockdown"]
    assert (w.start, w.end) == (date(2021, 1, 6), date(2021, 3, 28))
    assert (b.start, b.end) == (date(2019, 1, 6), date(2019, 3, 28))  # not 6 Jan - 28 Mar 2020, which holds the pandemic's first fortnight
    assert (wins["overall"][0].end, wins["overall"][1].start, wins["overall"][1].end) == (
        date(2021, 3, 28),
        date(2018, 3, 16),
        date(2019, 3, 28),
    )  # the pandemic window ends with its last period
    # 2020 periods: the same dates a year earlier either way
    assert (wins["first_lockdown"][1].start, wins["first_lockdown"][1].end) == (date(2019, 3, 16), date(2019, 7, 3))
    year_earlier = type(config)(**{**config.__dict__, "covid_compare_with": "year_earlier"})
    plain = {pid: b for pid, _, b in Period.parse("2021-Q1").covid_windows(year_earlier)}
    assert (plain["third_lockdown"].start, plain["third_lockdown"].end) == (date(2020, 1, 6), date(2020, 3, 28))
    # the 2020-Q4 pack does not see the 2021 period
    assert "third_lockdown" not in {pid for pid, _, _ in Period.parse("2020-Q4").covid_windows(config)}


def test_incomplete_coverage_row_has_no_change_no_percentage_no_test():
    cur, prev = YEAR_2024, Window(date(2023, 1, 1), date(2023, 12, 31))
    row = count_row("s", "all_crime", "All crime", cur, prev, 53740, 56390, coverage="2024: data cover 11 of 12 months (no data for October 2024)")
    assert row["significance"] == "incomplete coverage" and row["coverage"].endswith("(no data for October 2024)")
    assert (row["current"], row["previous"]) == (53740, 56390)
    assert row["change"] is None and row["pct_change"] is None and row["p_value"] is None
    outside = count_row("s", "all_crime", "All crime", cur, prev, 12, 0, area="Outside the force area", tested=False)
    assert outside["significance"] == "not tested (not an area)" and outside["pct_change"] is None and outside["change"] == 12


def test_district_names_that_differ_in_form_are_one():
    assert district_key("The Vale of Glamorgan") == district_key("Vale of Glamorgan") == "vale of glamorgan"
    assert district_key("Newcastle-under-Lyme") == district_key("Newcastle under Lyme")
    names = pd.Series(["Vale of Glamorgan"] * 5 + ["The Vale of Glamorgan"] * 2 + ["Cardiff"] * 9)
    assert one_form(names) == {"Cardiff": "Cardiff", "Vale of Glamorgan": "Vale of Glamorgan", "The Vale of Glamorgan": "Vale of Glamorgan"}
    assert one_form(names, ("The Vale of Glamorgan",))["Vale of Glamorgan"] == "The Vale of Glamorgan"  # the profile's form wins


def test_derived_areas_keep_a_forces_districts_and_drop_the_neighbours():
    # the City of London's 36 months (hand counts of the real files): rows and LSOAs per district
    rows = pd.Series({"City of London": 21597, "Tower Hamlets": 633, "Islington": 406, "Camden": 123, "Westminster": 62, "Hackney": 37})
    lsoas = pd.Series({"City of London": 6, "Tower Hamlets": 34, "Islington": 12, "Camden": 13, "Westminster": 6, "Hackney": 18})
    assert derive_areas(rows, lsoas) == ["City of London"]  # a flat 1% of all rows would add Tower Hamlets (2.6%) and Islington (1.6%)
    # a force of many similar districts (Staffordshire, September 2019) keeps them all, and drops a neighbour
    rows = pd.Series({"Stoke-on-Trent": 2667, "Newcastle-under-Lyme": 840, "Staffordshire Moorlands": 377, "Walsall": 9, "Shropshire": 4})
    lsoas = pd.Series({"Stoke-on-Trent": 159, "Newcastle-under-Lyme": 79, "Staffordshire Moorlands": 57, "Walsall": 3, "Shropshire": 1})
    assert derive_areas(rows, lsoas) == ["Stoke-on-Trent", "Newcastle-under-Lyme", "Staffordshire Moorlands"]

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfpack.periods import Period, PeriodError, Window, add_months, month_end


def test_2020_q4_windows():
    p = Period.parse("2020-Q4")
    assert (p.start, p.end) == (date(2020, 10, 1), date(2020, 12, 31))
    assert (p.rolling_12m.start, p.rolling_12m.end) == (date(2020, 1, 1), date(2020, 12, 31))
    assert (p.previous_12m.start, p.previous_12m.end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert (p.fytd.start, p.fytd.end) == (date(2020, 4, 1), date(2020, 12, 31))
    assert p.fytd.label == "Financial year 2020/21 to date"


def test_q1_financial_year_is_previous_april():
    p = Period.parse("2021-Q1")
    assert p.fytd.start == date(2020, 4, 1)
    assert p.rolling_12m.start == date(2020, 4, 1)


def test_fraud_window_13_months_to_january():
    w = Period.parse("2020-Q4").trailing_months(13, offset=1)
    assert (w.start, w.end) == (date(2020, 1, 1), date(2021, 1, 31))
    assert len(w.months) == 13


@pytest.mark.parametrize("bad", ["2020Q4", "2020-Q5", "20-Q1", "", "2020-q0", "Q4-2020"])
def test_bad_period_ids(bad):
    with pytest.raises(PeriodError, match="YYYY-QN"):
        Period.parse(bad)


def test_covid_windows_from_config(config):
    wins = {pid: (w, prev) for pid, w, prev in Period.parse("2020-Q4").covid_windows(config)}
    assert wins["overall"][0] == Window(date(2020, 3, 16), date(2020, 12, 31))
    assert wins["first_lockdown"][0].end == date(2020, 7, 3)
    assert wins["first_lockdown"][1].start == date(2019, 3, 16)
    # a period that ends inside the first lockdown clips it
    q2 = {pid: w for pid, w, _ in Period.parse("2020-Q2").covid_windows(config)}
    assert q2["first_lockdown"].end == date(2020, 6, 30)
    assert "lockdown_withdrawal" not in q2
    assert Period.parse("2019-Q4").covid_windows(config) == []


def test_leap_day_year_earlier():
    assert Window(date(2020, 2, 29), date(2020, 3, 1)).year_earlier().start == date(2019, 2, 28)


periods = st.builds(lambda y, q: Period(y, q), st.integers(2001, 2098), st.integers(1, 4))


@given(periods)
def test_rolling_windows_are_twelve_contiguous_months(p):
    cur, prev = p.rolling_12m, p.previous_12m
    assert len(cur.months) == 12 and len(prev.months) == 12
    assert prev.end + timedelta(days=1) == cur.start
    assert cur.end == p.end and cur.start.day == 1
    assert cur.contains(p.start) and not prev.contains(p.start)


@given(periods)
def test_period_id_round_trips(p):
    assert Period.parse(p.id) == p
    assert p.quarter_window.days in range(90, 93)


@given(periods)
def test_fytd_starts_in_april_and_holds_the_quarter(p):
    f = p.fytd
    assert f.start.month == 4 and f.start.day == 1
    assert f.start <= p.start and f.end == p.end
    assert (f.end - f.start).days < 366


@given(st.dates(date(2001, 1, 1), date(2098, 12, 1)), st.integers(-60, 60))
def test_add_months_lands_on_first_of_month(d, n):
    r = add_months(d, n)
    assert r.day == 1
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    assert month_end(r).month == r.month

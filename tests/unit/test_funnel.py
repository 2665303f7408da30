"""Funnel plot figures (perfpack.stats.funnel) against answers worked by hand.

Chi-square quantiles below are the printed values of a standard chi-square table (e.g.
Lindley & Scott, New Cambridge Statistical Tables, table 8), to the table's four figures;
normal quantiles z(0.975) = 1.959964 and z(0.999) = 3.090232.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfpack.stats import funnel as fn

ONS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ons"


# --- exact Poisson limits -------------------------------------------------------------------


def test_poisson_limits_at_one_denominator_worked_by_hand():
    # Target 50 per 1,000, population 200: expected count E = 50 * 200 / 1000 = 10.
    # 95%: lower = 50 * chi2_0.025(2E = 20 df) / (2E) = 50 * 9.591 / 20 = 23.98
    #      upper = 50 * chi2_0.975(2E + 2 = 22 df) / (2E) = 50 * 36.78 / 20 = 91.95
    # 99.8%: lower = 50 * chi2_0.001(20) / 20 = 50 * 5.921 / 20 = 14.80
    #        upper = 50 * chi2_0.999(22) / 20 = 50 * 48.27 / 20 = 120.7
    lim = fn.funnel_limits([200], 50).iloc[0]
    assert lim["expected"] == pytest.approx(10)
    assert lim["lower_95"] == pytest.approx(23.98, abs=0.01)
    assert lim["upper_95"] == pytest.approx(91.95, abs=0.01)
    assert lim["lower_998"] == pytest.approx(14.80, abs=0.01)
    assert lim["upper_998"] == pytest.approx(120.7, abs=0.05)


def test_poisson_limits_near_the_normal_approximation_for_a_large_count():
    # E = 10,000 (target 100 per 1,000, population 100,000): Poisson is close to normal,
    # sd of O/E = 1/sqrt(E) = 0.01, so the 95% limits are about 100 * (1 +/- 1.96 * 0.01)
    # = 98.04 and 101.96 (the exact ones are within 0.02 of that).
    lim = fn.funnel_limits([100_000], 100).iloc[0]
    assert lim["lower_95"] == pytest.approx(98.04, abs=0.02)
    assert lim["upper_95"] == pytest.approx(101.96, abs=0.02)


# --- widened limits -------------------------------------------------------------------------


def test_additive_limits_worked_by_hand():
    # Target 10 per 1,000, population 10,000: E = 100, s = 1 / (2 sqrt(100)) = 0.05,
    # s^2 = 0.0025. With tau2 = 0.0075: sqrt(s^2 + tau2) = sqrt(0.01) = 0.1.
    # 95%:   10 * (1 + 1.959964 * 0.1)^2 = 10 * 1.1959964^2 = 14.3041
    #        10 * (1 - 0.1959964)^2      = 10 * 0.8040036^2 =  6.4642
    # 99.8%: 10 * (1.3090232)^2 = 17.1354;  10 * (0.6909768)^2 = 4.7745
    lim = fn.funnel_limits([10_000], 10, adjustment="additive", tau2=0.0075).iloc[0]
    assert lim["upper_95"] == pytest.approx(14.3041, abs=1e-4)
    assert lim["lower_95"] == pytest.approx(6.4642, abs=1e-4)
    assert lim["upper_998"] == pytest.approx(17.1354, abs=1e-4)
    assert lim["lower_998"] == pytest.approx(4.7745, abs=1e-4)


def test_multiplicative_limits_worked_by_hand():
    # E = 100 again, phi = 5.696: sqrt(phi) * s = 2.386630 * 0.05 = 0.1193315;
    # 95% upper = 10 * (1 + 1.959964 * 0.1193315)^2 = 10 * 1.233885^2 = 15.2247.
    lim = fn.funnel_limits([10_000], 10, adjustment="multiplicative", phi=5.696).iloc[0]
    assert lim["upper_95"] == pytest.approx(15.2247, abs=1e-4)


def test_lower_limit_is_floored_at_zero():
    # E = 1 (target 10, population 100), tau2 = 1: sd = sqrt(0.25 + 1) = 1.118, and
    # 1 - 3.09 * 1.118 < 0, so the 99.8% lower limit is 0, not a positive square.
    lim = fn.funnel_limits([100], 10, adjustment="additive", tau2=1.0).iloc[0]
    assert lim["lower_998"] == 0


# --- dispersion -----------------------------------------------------------------------------

# Five units of population 10,000 at target 10 per 1,000: E = 100, sqrt(E) = 10. Counts that
# are squares make z = 2 (sqrt(O) - sqrt(E)) whole: 144 -> 2 * (12 - 10) = 4, 64 -> -4,
# 121 -> 2, 81 -> -2, 100 -> 0.
FIVE = pd.DataFrame({"unit": list("ABCDE"), "crimes": [144, 64, 121, 81, 100], "population": [10_000] * 5})


def test_z_scores_on_the_square_root_scale():
    z = fn.z_scores(FIVE["crimes"], FIVE["population"], 10)
    assert z.tolist() == pytest.approx([4, -4, 2, -2, 0])


def test_winsorising_at_ten_percent():
    # Sorted z: -4, -2, 0, 2, 4. R's default (type 7) 10th percentile sits 0.1 * (5 - 1) =
    # 0.4 of the way from -4 to -2: -4 + 0.4 * 2 = -3.2; the 90th is 3.2.
    assert fn.winsorise([4, -4, 2, -2, 0]).tolist() == pytest.approx([3.2, -3.2, 2, -2, 0])


def test_dispersion_factor_and_tau2_worked_by_hand():
    # phi = (3.2^2 + 3.2^2 + 2^2 + 2^2 + 0) / 5 = (10.24 + 10.24 + 4 + 4) / 5 = 5.696.
    # w = 1 / s^2 = 4E = 400 each: sum w = 2000, sum w^2 / sum w = 800,000 / 2000 = 400.
    # tau2 = (n phi - (n - 1)) / (sum w - sum w^2 / sum w) = (28.48 - 4) / 1600 = 0.0153.
    d = fn.dispersion(FIVE["crimes"], FIVE["population"], 10)
    assert d.phi == pytest.approx(5.696)
    assert d.tau2 == pytest.approx(0.0153)
    assert d.n == 5 and d.adjusted and d.method == "additive"


def test_no_adjustment_when_phi_is_not_above_one():
    # z = 1, -1, 0.5, -0.5, 0 (counts (10 + z/2)^2): winsorised 0.8, -0.8, 0.5, -0.5, 0;
    # phi = (0.64 * 2 + 0.25 * 2) / 5 = 0.356; n phi = 1.78 < n - 1 = 4, so tau2 = 0.
    counts = [(10 + z / 2) ** 2 for z in (1, -1, 0.5, -0.5, 0)]
    d = fn.dispersion(counts, [10_000] * 5, 10)
    assert d.phi == pytest.approx(0.356)
    assert d.tau2 == 0 and not d.adjusted
    assert "no over-dispersion" in d.describe()


def test_funnel_uses_the_widened_limits_when_over_dispersed():
    # With the five units above, tau2 = 0.0153: sd = sqrt(0.0025 + 0.0153) = 0.133417;
    # 95% upper = 10 * (1 + 1.959964 * 0.133417)^2 = 10 * 1.261493^2 = 15.9136.
    r = fn.funnel(FIVE, "crimes", "population", unit_col="unit", target_rate=10)
    assert r.dispersion.adjusted
    assert r.units["upper_95"].iloc[0] == pytest.approx(15.9136, abs=1e-3)
    assert (r.units["reading"] == "within the limits").all()
    # unit A: z adjusted = (sqrt(1.44) - 1) / 0.133417 = 0.2 / 0.133417 = 1.4990
    assert r.units["z_adjusted"].iloc[0] == pytest.approx(1.4990, abs=1e-3)
    # the Poisson curves are kept beside the widened ones, and are narrower
    assert (r.curves["poisson_upper_95"] < r.curves["upper_95"]).all()


# --- readings and left-out units ------------------------------------------------------------


def test_reading_words():
    limits = pd.DataFrame({"lower_95": [8.0] * 6, "upper_95": [12.0] * 6, "lower_998": [6.0] * 6, "upper_998": [14.0] * 6})
    words = fn.readings([10, 12, 13, 15, 7, 5], limits)
    assert words == [
        "within the limits",
        "within the limits",  # on the limit is within it
        "above the 95% limit",
        "above the 99.8% limit",
        "below the 95% limit",
        "below the 99.8% limit",
    ]


def test_funnel_readings_and_units_left_out():
    # Target 50 per 1,000, population 200: limits 23.98-91.95 (95%), 14.80-120.7 (99.8%),
    # worked above. Rates: 10/200 = 50 within; 19/200 = 95 above 95%; 25/200 = 125 above
    # 99.8%; 4/200 = 20 below 95%; 2/200 = 10 below 99.8%.
    frame = pd.DataFrame(
        {
            "force": ["in", "high", "very high", "low", "very low", "no count", "no population"],
            "count": [10, 19, 25, 4, 2, np.nan, 30],
            "population": [200, 200, 200, 200, 200, 200, np.nan],
        }
    )
    r = fn.funnel(frame, "count", "population", unit_col="force", target_rate=50, adjustment="none")
    assert r.units["reading"].tolist() == [
        "within the limits",
        "above the 95% limit",
        "above the 99.8% limit",
        "below the 95% limit",
        "below the 99.8% limit",
    ]
    assert r.left_out["unit"].tolist() == ["no count", "no population"]
    assert r.left_out["reason"].tolist() == ["no count shown", "no population shown"]
    assert r.dispersion.n == 5  # the two left out are not fitted as zeros
    assert "no count" not in set(r.units["unit"])


def test_default_target_is_the_pooled_rate_of_the_units_fitted():
    # (144 + 64 + 121 + 81 + 100) / 50,000 * 1,000 = 510 / 50 = 10.2; a unit with no count
    # does not pull it down.
    frame = pd.concat([FIVE, pd.DataFrame({"unit": ["F"], "crimes": [np.nan], "population": [10_000]})])
    r = fn.funnel(frame, "crimes", "population", unit_col="unit")
    assert r.target_rate == pytest.approx(10.2)
    assert r.left_out["unit"].tolist() == ["F"]


def test_funnel_errors_are_clear():
    with pytest.raises(fn.FunnelError, match="no column 'crime'"):
        fn.funnel(FIVE, "crime", "population")
    with pytest.raises(fn.FunnelError, match="more than once"):
        fn.funnel(pd.concat([FIVE, FIVE]), "crimes", "population", unit_col="unit")
    with pytest.raises(fn.FunnelError, match="'lots' is not a number"):
        fn.funnel(FIVE.assign(crimes=["lots", 1, 2, 3, 4]), "crimes", "population", unit_col="unit")
    with pytest.raises(fn.FunnelError, match="target rate"):
        fn.funnel(FIVE.assign(crimes=0), "crimes", "population")
    with pytest.raises(fn.FunnelError, match="adjustment"):
        fn.funnel(FIVE, "crimes", "population", adjustment="both")


def test_curves_cover_every_unit_and_the_grid():
    r = fn.funnel(FIVE, "crimes", "population", unit_col="unit", grid_points=50)
    assert len(r.curves) == 51  # 50 grid points plus the units' one denominator
    assert r.curves["denominator"].is_monotonic_increasing
    assert 10_000 in set(r.curves["denominator"])


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    denominators=st.lists(st.floats(min_value=50, max_value=1e7), min_size=2, max_size=12, unique=True),
    target=st.floats(min_value=0.5, max_value=500),
    tau2=st.one_of(st.none(), st.floats(min_value=0, max_value=0.05)),
)
def test_limits_widen_as_denominators_shrink_and_nest(denominators, target, tau2):
    kw = {"adjustment": "none"} if tau2 is None else {"adjustment": "additive", "tau2": tau2}
    lim = fn.funnel_limits(sorted(denominators), target, **kw)
    slack = 1e-9 * target
    assert (np.diff(lim["upper_95"]) <= slack).all() and (np.diff(lim["upper_998"]) <= slack).all()
    assert (np.diff(lim["lower_95"]) >= -slack).all() and (np.diff(lim["lower_998"]) >= -slack).all()
    assert (lim["upper_998"] >= lim["upper_95"]).all() and (lim["lower_998"] <= lim["lower_95"]).all()
    assert (lim["lower_95"] <= target + slack).all() and (lim["upper_95"] >= target - slack).all()


# --- the real tables ------------------------------------------------------------------------


def test_total_recorded_crime_by_force_is_over_dispersed():
    """On the ONS year ending December 2018 table the 43 forces vary far more than Poisson
    chance (phi in the thousands), so the limits are widened; the City of London, whose
    rate is per resident of a square mile that millions work in, is far above them."""
    if not ONS.is_dir():
        pytest.skip(f"ONS workbooks not found at {ONS} (shared data beside the repository)")
    from datetime import date

    from perfpack.sources import ons

    table = ons.read_peer_table(ons.find_workbook(ONS, date(2018, 12, 31)))
    total = table[table["offence_group"] == "total_recorded_crime_excluding_fraud"]
    r = fn.funnel(total, "count", "population", unit_col="force")
    assert r.dispersion.n == 43 and r.dispersion.phi > 100 and r.dispersion.adjusted
    assert r.units.set_index("unit").loc["City of London", "reading"] == "above the 99.8% limit"
    assert math.isclose(r.target_rate, total["count"].sum() / total["population"].sum() * 1000)

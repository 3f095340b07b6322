"""Confidence intervals and paired differences against hand-computed values and properties."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from corridor_sim.results.stats import mean_ci, paired_difference

T_975_4 = 2.776  # Student t, 97.5% quantile, 4 degrees of freedom (printed tables)
T_975_9 = 2.262


def test_mean_ci_matches_the_t_table():
    ci = mean_ci([1, 2, 3, 4, 5])
    sd = math.sqrt(2.5)  # sum of squared deviations 10, over n - 1 = 4
    assert ci["mean"] == 3
    assert ci["n"] == 5
    assert ci["half_width"] == pytest.approx(T_975_4 * sd / math.sqrt(5), abs=1e-3)
    assert ci["half_width"] == pytest.approx(1.963243, abs=1e-6)
    assert ci["ci_low"] == pytest.approx(3 - 1.963243, abs=1e-6)
    assert ci["ci_high"] == pytest.approx(3 + 1.963243, abs=1e-6)


def test_mean_ci_ten_values_and_levels():
    values = [10.0, 12.0, 9.0, 11.0, 13.0, 10.0, 12.0, 11.0, 9.0, 13.0]
    sd = math.sqrt(sum((v - 11.0) ** 2 for v in values) / 9)
    assert mean_ci(values)["half_width"] == pytest.approx(T_975_9 * sd / math.sqrt(10), rel=1e-3)
    assert mean_ci(values, level=0.90)["half_width"] < mean_ci(values)["half_width"]


def test_mean_ci_degenerate_inputs():
    assert math.isnan(mean_ci([])["mean"])
    one = mean_ci([4.2])
    assert one["mean"] == 4.2 and math.isnan(one["half_width"]) and one["n"] == 1
    assert mean_ci([2.0, float("nan"), 4.0])["n"] == 2  # a replication without trucks is left out
    assert mean_ci([5.0, 5.0, 5.0])["half_width"] == 0.0


def test_paired_difference_by_hand():
    base = [1.0, 2.0, 3.0, 4.0, 5.0]
    other = [2.0, 2.5, 3.9, 4.1, 5.6]
    d = paired_difference(other, base)
    # differences 1.0, 0.5, 0.9, 0.1, 0.6: mean 0.62, squared deviations sum to 0.508
    se = math.sqrt(0.508 / 4 / 5)
    assert d["mean"] == pytest.approx(0.62)
    assert d["half_width"] == pytest.approx(T_975_4 * se, abs=1e-3)
    assert d["half_width"] == pytest.approx(0.442493, abs=1e-5)
    assert d["relative"] == pytest.approx(0.62 / 3.0)
    assert d["relative_ci_low"] == pytest.approx(d["ci_low"] / 3.0)
    assert d["significant"] is True  # the interval [0.18, 1.06] excludes zero
    # Welch: variances 2.027 and 2.5 over 5 replications each
    va, vb = 2.027 / 5, 2.5 / 5
    dof = (va + vb) ** 2 / ((va ** 2 + vb ** 2) / 4)
    assert dof == pytest.approx(7.9135, abs=1e-3)
    unpaired = stats.t.ppf(0.975, dof) * math.sqrt(va + vb)
    assert d["unpaired_half_width"] == pytest.approx(unpaired, rel=1e-9)
    assert d["crn_variance_ratio"] == pytest.approx((d["half_width"] / unpaired) ** 2)
    assert d["crn_variance_ratio"] < 0.1  # the pairs move together: pairing removes most variance


def test_paired_difference_not_significant_and_mismatch():
    d = paired_difference([1.0, 2.0, 3.0], [2.0, 1.0, 3.0])
    assert d["mean"] == 0.0 and d["significant"] is False
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])


finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=30))
def test_mean_lies_inside_its_interval(values):
    ci = mean_ci(values)
    assert ci["half_width"] >= 0
    assert ci["ci_low"] <= ci["mean"] + 1e-9 and ci["mean"] <= ci["ci_high"] + 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=2, max_size=30))
def test_paired_difference_is_antisymmetric(pairs):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    ab, ba = paired_difference(a, b), paired_difference(b, a)
    assert ab["mean"] == pytest.approx(-ba["mean"], abs=1e-9)
    assert ab["half_width"] == pytest.approx(ba["half_width"], rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=1.0, max_value=100.0), min_size=3, max_size=20, unique=True),
       st.floats(min_value=-5.0, max_value=5.0))
def test_a_constant_shift_is_known_exactly_when_paired(base, shift):
    other = [b + shift for b in base]
    d = paired_difference(other, base)
    assert d["mean"] == pytest.approx(shift, abs=1e-9)
    assert d["half_width"] == pytest.approx(0.0, abs=1e-6)
    assert d["unpaired_half_width"] > 0
    assert d["crn_variance_ratio"] == pytest.approx(0.0, abs=1e-6)

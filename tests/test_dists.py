"""Distributions: every kind parses, its analytic mean is right, and samples agree with it."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor_sim.scenario.dists import DIST_KEYS, Dist, parse_dist
from corridor_sim.scenario.units import parse_duration, parse_number


def dur(value):
    return parse_dist(value, parse_duration)


@pytest.mark.parametrize("spec, kind, mean", [
    ("45min", "fixed", 0.75),
    (3, "fixed", 3.0),
    ({"dist": "fixed", "value": "2h"}, "fixed", 2.0),
    ({"dist": "exponential", "mean": "2h"}, "exponential", 2.0),
    ({"dist": "lognormal", "mean": "30min", "cv": 0.5}, "lognormal", 0.5),
    ({"dist": "gamma", "mean": "1d", "cv": 0.3}, "gamma", 24.0),
    ({"dist": "triangular", "min": "30min", "mode": "2h", "max": "4h"}, "triangular", 6.5 / 3),
    ({"dist": "uniform", "min": "1d", "max": "5d"}, "uniform", 72.0),
    ({"dist": "empirical", "values": ["1h", "2h", "6h"]}, "empirical", 3.0),
])
def test_every_kind_parses_with_units_and_has_its_mean(spec, kind, mean):
    d = dur(spec)
    assert d.kind == kind
    assert d.mean() == pytest.approx(mean)


def test_degenerate_distributions_become_fixed():
    assert dur({"dist": "lognormal", "mean": 2, "cv": 0}) == Dist.fixed(2.0)
    assert dur({"dist": "uniform", "min": 3, "max": 3}) == Dist.fixed(3.0)
    assert dur({"dist": "exponential", "mean": 0}) == Dist.fixed(0.0)


@pytest.mark.parametrize("spec, words", [
    ({"mean": 2}, "needs a 'dist' key"),
    ({"dist": "lognorm", "mean": 2, "cv": 1}, "did you mean 'lognormal'"),
    ({"dist": "lognormal", "mean": 2}, "missing cv"),
    ({"dist": "lognormal", "mean": 2, "cv": 1, "sd": 3}, "unknown key 'sd'"),
    ({"dist": "lognormal", "mean": 2, "cv": -1}, "cv"),
    ({"dist": "gamma", "mean": 2, "cv": "wide"}, "cv"),
    ({"dist": "triangular", "min": 3, "mode": 1, "max": 4}, "min <= mode <= max"),
    ({"dist": "uniform", "min": 5, "max": 1}, "min <= max"),
    ({"dist": "empirical", "values": []}, "non-empty list"),
    ({"dist": "exponential", "mean": "3 parsecs"}, "unknown unit 'parsecs'"),
])
def test_bad_distributions_say_what_is_wrong(spec, words):
    with pytest.raises(ValueError) as info:
        dur(spec)
    assert words in str(info.value)


def test_analytic_means_agree_with_scipy():
    for d in (Dist("exponential", (2.0,)), Dist("lognormal", (0.5, 0.5)), Dist("gamma", (3.0, 1.2)),
              Dist("triangular", (0.5, 2.0, 4.0)), Dist("uniform", (1.0, 5.0))):
        assert d.scipy().mean() == pytest.approx(d.mean(), rel=1e-9)
        assert d.scipy().std() / d.mean() == pytest.approx(d.cv(), rel=1e-9)


positive = st.floats(min_value=0.01, max_value=1000)
cvs = st.floats(min_value=0.05, max_value=1.5)


@st.composite
def dists(draw) -> Dist:
    kind = draw(st.sampled_from(sorted(DIST_KEYS)))
    if kind == "fixed":
        return Dist.fixed(draw(positive))
    if kind == "exponential":
        return Dist(kind, (draw(positive),))
    if kind in ("lognormal", "gamma"):
        return Dist(kind, (draw(positive), draw(cvs)))
    if kind == "empirical":
        return Dist(kind, tuple(draw(st.lists(positive, min_size=1, max_size=8))))
    lo, hi = sorted(draw(st.lists(positive, min_size=2, max_size=2, unique=True)))
    if kind == "uniform":
        return Dist(kind, (lo, hi))
    return Dist(kind, (lo, lo + draw(st.floats(0, 1)) * (hi - lo), hi))


N = 20_000


@settings(max_examples=60, deadline=None)
@given(dists(), st.integers(0, 2**32 - 1))
def test_sample_mean_is_within_five_standard_errors_of_the_mean(d, seed):
    # Five standard errors: a sound bound even for the skewed lognormal at cv 1.5 with 20,000
    # draws (the CLT holds well there); a wrong mean formula misses it by far more.
    draws = d.sample(np.random.default_rng(seed), N)
    assert draws.shape == (N,)
    assert np.all(draws >= 0)
    sd = d.cv() * d.mean()
    assert abs(draws.mean() - d.mean()) <= 5 * sd / math.sqrt(N) + 1e-9 * d.mean()


@given(dists(), st.floats(min_value=0.01, max_value=100))
def test_scaling_scales_the_mean(d, factor):
    assert d.scaled(factor).mean() == pytest.approx(d.mean() * factor, rel=1e-9)
    assert d.scaled(factor).cv() == pytest.approx(d.cv(), rel=1e-6, abs=1e-12)


def test_plain_numbers_parse_through_parse_number():
    assert parse_dist({"dist": "lognormal", "mean": 55, "cv": 0.15}, parse_number).mean() == 55


@pytest.mark.parametrize("dist", [
    Dist("exponential", (2.0,)), Dist("lognormal", (0.5, 0.5)), Dist("lognormal", (2.0, 1.0)),
    Dist("gamma", (3.0, 0.4)), Dist("triangular", (0.5, 2.0, 4.0)), Dist("uniform", (1.0, 5.0)),
])
def test_block_sampling_draws_the_scipy_distribution(dist):
    """The model samples with numpy's Generator methods: they must be the scipy distribution."""
    from scipy import stats as sps

    draws = dist.sample(np.random.default_rng(7), 20_000)
    assert sps.kstest(draws, dist.scipy().cdf).pvalue > 1e-3

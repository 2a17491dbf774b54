"""Binomial intervals that hold at 0 and 1: coverage of the Wilson interval.

The interval function is tested on binomial draws, as a run's counts are: at
p = 1e-4, 0.01 and 0.5, over R = 4,000 repeated runs of n = 200,000
trajectories, the share of 95% intervals that cover the true p must lie in
[0.93, 0.97]. The tolerance follows from R: the observed coverage has standard
error sqrt(0.95 · 0.05 / R) = 0.0034, and the test also requires it within
4 such errors of the interval's exact coverage at that (p, n) (computed from
the binomial distribution), so a correct interval fails with probability
below 1e-4.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from forecaster.results import estimators
from forecaster.results.estimators import proportion, proportion_interval

REPETITIONS = 4000
N = 200_000


def exact_coverage(p: float, n: int) -> float:
    k = np.arange(0, int(n * p + 12 * math.sqrt(n * p) + 30))
    lower, upper = proportion_interval(k, n)
    return float(binom.pmf(k, n, p)[(lower <= p) & (p <= upper)].sum())


@pytest.mark.parametrize("p", [1e-4, 0.01, 0.5])
def test_wilson_intervals_cover_the_truth_95_percent_of_the_time(p):
    rng = np.random.default_rng(int(p * 1e6) + 11)
    counts = rng.binomial(N, p, size=REPETITIONS)
    lower, upper = proportion_interval(counts, N)
    covered = float(np.mean((lower <= p) & (p <= upper)))
    se = math.sqrt(0.95 * 0.05 / REPETITIONS)
    assert 0.93 <= covered <= 0.97, covered
    assert abs(covered - exact_coverage(p, N)) <= 4 * se, (covered, exact_coverage(p, N))


def test_no_events_give_an_interval_above_zero():
    """0 events in 100,000 trajectories: [0, 3.8e-5], where p ± 1.96 se is [0, 0]."""
    lower, upper = proportion_interval(np.array([0, 100_000]), 100_000)
    assert lower[0] == 0 and upper[0] == pytest.approx(3.84e-5, rel=0.01)
    assert upper[1] == 1 and lower[1] == pytest.approx(1 - 3.84e-5, rel=1e-6)
    _, se = proportion(np.array([0]), 100_000)
    assert se[0] == 0  # the Wald interval collapses


def test_the_interval_is_vectorised_over_grid_shaped_counts():
    counts = np.arange(24).reshape(2, 3, 4)
    n = np.array([100, 200]).reshape(2, 1, 1)
    lower, upper = proportion_interval(counts, n)
    assert lower.shape == upper.shape == (2, 3, 4)
    assert (lower <= counts / n).all() and (counts / n <= upper).all()


def test_a_ratio_at_zero_keeps_an_interval_that_is_not_zero_width():
    """No wartime commitment honoured yet (0 of 12 events) is not 'certainly never'."""
    value, se = np.array([0.0, 0.5]), np.array([0.0, 0.1])
    lower, upper = estimators.ratio_interval(value, se, np.array([0, 6]), np.array([12, 12]))
    assert lower[0] == 0.0 and upper[0] == pytest.approx(0.2425, abs=1e-3)  # Wilson, 0 of 12
    assert (lower[1], upper[1]) == pytest.approx((0.5 - 1.959964 * 0.1, 0.5 + 1.959964 * 0.1))


@pytest.mark.parametrize("level", [0.95, 0.9, 0.99, 0.5])
def test_the_wilson_interval_equals_statsmodels_to_the_last_bit(level):
    """The hand-written interval is statsmodels' ``proportion_confint(method="wilson")``.

    ``import forecaster`` no longer loads statsmodels (tests/test_import.py); the
    datasets' bounds must not move by one bit for that.
    """
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(7)
    n = np.concatenate([[1, 2, 12, 100_000], rng.integers(1, 10**7, size=500)])
    counts = np.concatenate([[0, 2, 5, 17], rng.binomial(n[4:], rng.uniform(0, 1, size=500))])
    counts[-50:] = n[-50:]  # every trajectory: upper bound exactly 1
    counts[-100:-50] = 0
    lower, upper = proportion_interval(counts, n, level)
    sm_lower, sm_upper = proportion_confint(counts, n, alpha=1 - level, method="wilson")
    interior = (counts > 0) & (counts < n)
    np.testing.assert_array_equal(lower[interior], sm_lower[interior])
    np.testing.assert_array_equal(upper[interior], sm_upper[interior])
    assert (lower[counts == 0] == 0).all() and (upper[counts == n] == 1).all()
    np.testing.assert_allclose(lower, sm_lower, atol=1e-15)
    np.testing.assert_allclose(upper, sm_upper, atol=1e-15)

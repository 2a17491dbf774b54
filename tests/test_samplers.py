"""Distributions drawn from keyed variates: each against its law."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy import stats

from forecaster.kernels import samplers

N = 40_000
SEED = np.uint64(20261125)


@njit
def _draws(code, p0, p1, p2, n):
    out = np.empty(n)
    for t in range(n):  # one draw per trajectory, as parameters are drawn
        out[t] = samplers.sample(code, p0, p1, p2, SEED, t, 0xFFFFFFFF, 1, 5 * 1024)
    return out


CASES = [
    ("uniform", (-1.0, 3.0, 0.0), stats.uniform(loc=-1.0, scale=4.0)),
    ("normal", (0.02, 0.01, 0.0), stats.norm(0.02, 0.01)),
    ("lognormal", (0.75, 0.3, 0.0), stats.lognorm(s=0.3, scale=0.75)),
    ("beta", (6.5, 3.5, 0.0), stats.beta(6.5, 3.5)),
    ("beta", (0.5, 0.7, 0.0), stats.beta(0.5, 0.7)),  # both shapes < 1: the boosted gamma
    ("gamma", (2.5, 0.4, 0.0), stats.gamma(2.5, scale=0.4)),
    ("gamma", (0.3, 2.0, 0.0), stats.gamma(0.3, scale=2.0)),
    ("triangular", (0.0, 0.2, 1.0), stats.triang(c=0.2, loc=0.0, scale=1.0)),
]


@pytest.mark.parametrize(
    ("family", "params", "law"), CASES, ids=[f"{c[0]}{c[1][:2]}" for c in CASES]
)
def test_sampler_follows_its_distribution(family, params, law):
    code = samplers.FAMILIES[family][0]
    x = _draws(code, *params, N)
    assert stats.kstest(x, law.cdf).pvalue > 1e-3
    # mean and variance within 4 Monte Carlo standard errors
    mean, var = law.mean(), law.var()
    assert abs(x.mean() - mean) < 4 * math.sqrt(var / N)
    fourth = law.moment(4) - 4 * mean * law.moment(3) + 6 * mean**2 * law.moment(2) - 3 * mean**4
    assert abs(x.var() - var) < 4 * math.sqrt((fourth - var**2) / N)


def test_fixed_returns_its_value():
    x = _draws(samplers.FAMILIES["fixed"][0], 0.37, 0.0, 0.0, 10)
    assert np.all(x == 0.37)


def test_common_random_numbers_across_parameter_values():
    """Monotone transforms of one variate: a larger median moves every draw up."""
    code = samplers.FAMILIES["lognormal"][0]
    low = _draws(code, 0.5, 0.4, 0.0, 1000)
    high = _draws(code, 0.8, 0.4, 0.0, 1000)
    np.testing.assert_allclose(high / low, 1.6, rtol=1e-12)

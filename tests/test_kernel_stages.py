"""The kernel's stages: lazy credibility, branch-free numerics, the records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy import special

from forecaster.engine import simulate
from forecaster.kernels import model, trajectory
from forecaster.scenario import compile_scenario
from forecaster.testing import spec_of

PORTFOLIOS = ["nato", "indo_pacific", "us_global", "regional"]


@pytest.mark.parametrize("portfolio", PORTFOLIOS)
def test_lazy_credibility_counts_equal_the_eager_ones_bit_for_bit(portfolio):
    """Credibility on demand, with the provocation early-out, changes no decision.

    The eager path computes every target's credibility every step and every
    provocation hazard exactly, as the kernel did before issue 12.
    """
    spec = spec_of(f"portfolio={portfolio}", "threat.provocation_rate=0.5")  # provocations often
    for scenario in (compile_scenario(spec_of(f"portfolio={portfolio}")), compile_scenario(spec)):
        lazy = simulate(scenario, 3, 150, 17)
        eager = simulate(scenario, 3, 150, 17, kernel=trajectory.simulate_block_eager)
        assert lazy.events[..., 0].sum() > 0
        for name, values in lazy.arrays().items():
            np.testing.assert_array_equal(values, getattr(eager, name), err_msg=name)


@njit
def _fast_exp(z):
    out = np.empty_like(z)
    for i in range(z.size):
        out[i] = model.fast_exp(z[i])
    return out


@njit
def _libm_exp(z):
    out = np.empty_like(z)
    for i in range(z.size):
        out[i] = math.exp(z[i])
    return out


@njit
def _logistic(z):
    out = np.empty_like(z)
    for i in range(z.size):
        out[i] = model.logistic(z[i])
    return out


def test_branch_free_exp_is_within_an_ulp_or_two_of_libm():
    rng = np.random.default_rng(12)
    z = np.concatenate([np.linspace(-708.0, 709.0, 1_000_001), rng.normal(0.0, 5.0, 200_000)])
    relative = np.abs(_fast_exp(z) - _libm_exp(z)) / _libm_exp(z)
    assert relative.max() < 4.5e-16  # two ulps
    assert relative.mean() < 1e-16
    assert _fast_exp(np.array([0.0]))[0] == 1.0


def test_branch_free_logistic_is_accurate_everywhere():
    z = np.concatenate([np.linspace(-708.0, 708.0, 200_001), [0.0, -0.0, 1e-300, -1e-300]])
    got = _logistic(z)
    expected = special.expit(z)
    assert np.all(np.abs(got - expected) <= 2e-15 * expected)
    # beyond, exp's argument is clamped: still in [0, 1], below 4e-308 on the left
    far = _logistic(np.array([-1e4, -745.0, 745.0, 1e4]))
    assert np.all(far[:2] < 4e-308) and np.all(far[2:] == 1.0)
    assert _logistic(np.array([0.0]))[0] == 0.5

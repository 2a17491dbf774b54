"""The kernel's stages: lazy credibility, branch-free numerics, the records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy import special

from forecaster.counters import Counters
from forecaster.kernels import model, trajectory
from forecaster.scenario import compile_scenario
from forecaster.spec import load_spec

PORTFOLIOS = ["nato", "indo_pacific", "us_global", "regional"]


def _counters(kernel, scenario, first, n, seed) -> Counters:
    counters = Counters.zeros(scenario)
    kernel(
        np.uint64(seed), np.int64(first), np.int64(n), np.int64(scenario.n_steps),
        float(scenario.dt), scenario.flags,
        scenario.state_attr, scenario.region, scenario.is_adversary,
        scenario.alliance_attr, scenario.member, scenario.leader,
        scenario.interest, scenario.target_weight,
        scenario.dist_code, scenario.dist_param,
        counters.by_time_state, counters.by_time_alliance, counters.by_time,
        counters.events, counters.event_products, counters.moments, counters.histograms,
        counters.draws,
    )  # fmt: skip
    return counters


@pytest.mark.parametrize("portfolio", PORTFOLIOS)
def test_lazy_credibility_counts_equal_the_eager_ones_bit_for_bit(portfolio):
    """Credibility on demand, with the provocation early-out, changes no decision.

    The eager path computes every target's credibility every step and every
    provocation hazard exactly, as the kernel did before issue 12.
    """
    spec = load_spec("threat.provocation_rate=0.5", portfolio=portfolio)  # provocations often
    for scenario in (compile_scenario(load_spec(portfolio=portfolio)), compile_scenario(spec)):
        lazy = _counters(trajectory.simulate_block, scenario, 3, 150, 17)
        eager = _counters(trajectory.simulate_block_eager, scenario, 3, 150, 17)
        assert lazy.events[..., 0].sum() > 0
        for name, values in lazy.arrays().items():
            np.testing.assert_array_equal(values, getattr(eager, name), err_msg=name)


@njit
def _logistic(z):
    out = np.empty_like(z)
    for i in range(z.size):
        out[i] = model.logistic(z[i])
    return out


@njit
def _two_branch_logistic(z):
    out = np.empty_like(z)
    for i in range(z.size):
        if z[i] >= 0.0:
            out[i] = 1.0 / (1.0 + math.exp(-z[i]))
        else:
            e = math.exp(z[i])
            out[i] = e / (1.0 + e)
    return out


def test_branch_free_logistic_is_accurate_everywhere():
    z = np.concatenate([np.linspace(-745.0, 745.0, 200_001), [0.0, -0.0, 1e-300, -1e-300]])
    got = _logistic(z)
    expected = special.expit(z)
    # a few ulps wherever the result is a normal float (below z = -708 it is subnormal)
    normal = expected >= np.finfo(float).tiny
    assert np.all(np.abs(got[normal] - expected[normal]) <= 1e-15 * expected[normal])
    assert np.all((got >= 0.0) & (got <= 1.0))
    # the selects are the two-branch form bit for bit (counts do not move)
    np.testing.assert_array_equal(got, _two_branch_logistic(z))

"""Properties that hold for any input hypothesis finds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from numba import njit

from forecaster.engine import Counters, simulate
from forecaster.kernels import samplers
from forecaster.scenario import compile_scenario
from forecaster.scenario.distributions import support
from forecaster.scenario.models import ANY_PARAMETER, encode
from forecaster.testing import consensus_alliance

from .strategies import block_splits, distribution_specs

SCENARIO = compile_scenario(consensus_alliance())


@settings(max_examples=25, deadline=None)
@given(block_splits())
def test_any_split_into_blocks_gives_the_same_counts(split):
    n, cuts = split
    whole = simulate(SCENARIO, 0, n, 5)
    parts = Counters.zeros(SCENARIO)
    for start, stop in zip([0, *cuts], [*cuts, n], strict=True):
        parts += simulate(SCENARIO, start, stop - start, 5)
    for name, values in whole.integer_arrays().items():
        np.testing.assert_array_equal(values, getattr(parts, name), err_msg=name)


@njit
def _draws(code, p0, p1, p2, n):
    out = np.empty(n)
    for t in range(n):
        out[t] = samplers.sample(code, p0, p1, p2, np.uint64(11), t, 0xFFFFFFFF, 1, 0)
    return out


@settings(max_examples=40, deadline=None)
@given(distribution_specs)
def test_draws_stay_inside_the_support_the_validator_assumes(spec):
    code, params = encode(ANY_PARAMETER.validate_python(spec))
    low, high = support(code, params)
    x = _draws(code, *params, 200)
    assert np.all(np.isfinite(x))
    assert x.min() >= low and x.max() <= high

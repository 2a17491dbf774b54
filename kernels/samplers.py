"""Distributions drawn from keyed variates.

A parameter distribution is encoded as ``(code, p0, p1, p2)``:

======  ===========  ==========================
code    family       parameters
======  ===========  ==========================
0       fixed        value
1       uniform      low, high
2       normal       mean, sd
3       lognormal    median, sigma (of the log)
4       beta         a, b
5       gamma        shape, scale
6       triangular   low, mode, high
======  ===========  ==========================

A draw at ``base`` may use indices ``base .. base + SAMPLER_STRIDE - 1`` of its
channel (a gamma draw is a rejection sampler whose attempts use successive
indices), so callers space their draws ``SAMPLER_STRIDE`` apart. Families that
are monotone transforms of one uniform or one normal (uniform, normal,
lognormal, triangular) keep common random numbers exact across parameter
values: the same underlying variate moves smoothly with the parameters.
"""

from __future__ import annotations

import math

from numba import njit

from .rng import normal, uniform

FIXED = 0
UNIFORM = 1
NORMAL = 2
LOGNORMAL = 3
BETA = 4
GAMMA = 5
TRIANGULAR = 6
#: code of a per-state override that defers to the shared parameter
INHERIT = -1

FAMILIES = {
    "fixed": (FIXED, ("value",)),
    "uniform": (UNIFORM, ("low", "high")),
    "normal": (NORMAL, ("mean", "sd")),
    "lognormal": (LOGNORMAL, ("median", "sigma")),
    "beta": (BETA, ("a", "b")),
    "gamma": (GAMMA, ("shape", "scale")),
    "triangular": (TRIANGULAR, ("low", "mode", "high")),
}

SAMPLER_STRIDE = 1024
_GAMMA_ATTEMPTS = 100  # indices base .. base + 399; P(all rejected) < 0.05**100
_GAMMA_BOOST = 400  # extra uniform for shape < 1
_BETA_SECOND = 512  # offset of the second gamma of a beta draw


@njit(nogil=True, cache=True)
def standard_gamma(seed, trajectory, step, channel, base, shape):
    """Gamma(shape, 1) by Marsaglia & Tsang (2000), keyed attempts.

    For shape < 1 the draw is Gamma(shape + 1) * U**(1/shape) (their §6).
    """
    a = shape
    boost = 1.0
    if a < 1.0:
        u = uniform(seed, trajectory, step, channel, base + _GAMMA_BOOST)
        boost = u ** (1.0 / a)
        a = a + 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    for attempt in range(_GAMMA_ATTEMPTS):
        x = normal(seed, trajectory, step, channel, base + 4 * attempt)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(seed, trajectory, step, channel, base + 4 * attempt + 2)
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v * boost
    return d * boost  # unreachable in practice (see _GAMMA_ATTEMPTS)


@njit(nogil=True, cache=True)
def sample(code, p0, p1, p2, seed, trajectory, step, channel, base):
    """One draw of the distribution ``(code, p0, p1, p2)``."""
    if code == FIXED:
        return p0
    if code == UNIFORM:
        return p0 + (p1 - p0) * uniform(seed, trajectory, step, channel, base)
    if code == NORMAL:
        return p0 + p1 * normal(seed, trajectory, step, channel, base)
    if code == LOGNORMAL:
        return p0 * math.exp(p1 * normal(seed, trajectory, step, channel, base))
    if code == GAMMA:
        return p1 * standard_gamma(seed, trajectory, step, channel, base, p0)
    if code == BETA:
        x = standard_gamma(seed, trajectory, step, channel, base, p0)
        y = standard_gamma(seed, trajectory, step, channel, base + _BETA_SECOND, p1)
        return x / (x + y)
    if code == TRIANGULAR:
        u = uniform(seed, trajectory, step, channel, base)
        low, mode, high = p0, p1, p2
        if high <= low:
            return low
        cut = (mode - low) / (high - low)
        if u < cut:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - u) * (high - low) * (high - mode))
    return math.nan

"""The ziggurat transform of one 32-bit word into a standard normal variate.

Marsaglia & Tsang (2000), "The ziggurat method for generating random
variables", J. Stat. Softw. 5(8), with 256 layers of equal area ``v`` under
the (unnormalised) density ``f(x) = exp(-x^2 / 2)``: layer 0 is the base strip
``[0, r] x [0, f(r)]`` plus the tail beyond ``r``, drawn as a rectangle of
pseudo-width ``v / f(r)``; layer ``i >= 1`` is ``[0, X[i]] x [f(X[i]), f(X[i+1])]``.

One 32-bit word gives the layer (8 low bits), the sign (bit 8) and a 23-bit
position ``u`` in the layer; separate bits, so the layer and the value are
independent (the flaw Doornik 2005 found in the original, which took both
from the same bits). ``x = u X[i]`` is accepted at once when it lies under the
next layer (``u < K[i] = X[i+1] / X[i]``), 98.5% of words. Otherwise the draw
is finished by ``slow_normal`` with words from an auxiliary keyed stream (see
``rng.aux_block``): the wedge test against ``f``, and Marsaglia's (1964) exact
tail sampler beyond ``r``. Every variate therefore stays a pure function of its
key, and the distribution is exactly the normal law up to the 23-bit
resolution of ``u`` (a CDF error below 1e-6 of a layer's width).
"""

from __future__ import annotations

import math

import numpy as np

N_LAYERS = 256
#: 2^-23: the position in a layer is a 23-bit integer (+0.5, strictly inside (0, 1))
INV_2_23 = 1.0 / 8388608.0


def _layers(r: float) -> tuple[np.ndarray, float]:
    """Right edges X[0..256] for tail start ``r`` and the top's mismatch in f."""
    v = r * math.exp(-0.5 * r * r) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))
    x = np.zeros(N_LAYERS + 1)
    x[0] = v / math.exp(-0.5 * r * r)
    x[1] = r
    for i in range(1, N_LAYERS):
        y = math.exp(-0.5 * x[i] * x[i]) + v / x[i]
        if y >= 1.0:
            return x, y - 1.0  # r too small: the layers reach the top too early
        x[i + 1] = math.sqrt(-2.0 * math.log(y))
    # the top layer [0, X[255]] x [f(X[255]), 1] must have area v as well
    return x, math.exp(-0.5 * x[N_LAYERS - 1] ** 2) + v / x[N_LAYERS - 1] - 1.0


def _solve_r() -> float:
    """The tail start that makes 256 layers of equal area close at f = 1 (bisection)."""
    low, high = 3.0, 4.5  # the top overshoots for low and falls short for high
    for _ in range(200):
        mid = 0.5 * (low + high)
        if _layers(mid)[1] > 0.0:
            low = mid
        else:
            high = mid
    return high


#: where the tail begins (3.6541528853610088 for 256 layers)
R = _solve_r()
#: X[i]: right edge of layer i (X[0]: the base strip's pseudo-width, X[256] = 0)
X, TOP_MISMATCH = _layers(R)
X[N_LAYERS] = 0.0
#: K[i] = X[i+1] / X[i]: the fraction of layer i under layer i + 1 (accepted at once)
K = X[1:] / X[:-1]
#: F[i] = f(X[i]) (F[256] = f(0) = 1)
F = np.exp(-0.5 * X * X)

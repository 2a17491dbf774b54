"""The random-variate floor: draw what a simulation drew, and do nothing else.

``simulate_block`` counts the variates it draws, by kind (``layout.DRAWS``).
``draw_floor`` draws the same number of each kind from the same generator and
samplers, with normals drawn in pairs in chunks of the same size as the
kernel's, and sums them so that the compiler cannot drop the work. The ratio
of the kernel's time to the floor's says what the model's logic costs beyond
the randomness it needs (the benchmarks report it).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import D_NORMAL, D_NORMAL_PAIRED, D_SAMPLE, D_UNIFORM, N_DRAWS
from .rng import fill_normal, normal, uniform
from .samplers import sample

_CHANNEL = 200  # channels of their own: the floor's keys never meet a simulation's


@njit(nogil=True, cache=True)
def draw_floor(seed, draws, family_params, first, n, chunk):
    """Draw ``draws[kind]`` variates of every kind over trajectories ``first .. first + n - 1``.

    ``family_params[code]`` gives the parameters of the samples of each family;
    ``chunk`` is the size of the kernel's paired-normal draws (its state count).
    Returns the sum of every variate drawn.
    """
    total = 0.0
    for i in range(draws[D_UNIFORM]):
        total += uniform(seed, first + i % n, i // n, _CHANNEL, 0)
    for i in range(draws[D_NORMAL]):
        total += normal(seed, first + i % n, i // n, _CHANNEL + 1, 0)
    buffer = np.empty(max(1, chunk))
    done = 0
    call = 0
    while done < draws[D_NORMAL_PAIRED]:
        m = min(chunk, draws[D_NORMAL_PAIRED] - done)
        fill_normal(seed, first + call % n, call // n, _CHANNEL + 2, buffer, m)
        for k in range(m):
            total += buffer[k]
        done += m
        call += 1
    for kind in range(D_SAMPLE, N_DRAWS):
        code = kind - D_SAMPLE
        p = family_params[code]
        for i in range(draws[kind]):
            total += sample(code, p[0], p[1], p[2], seed, first + i % n, i // n, _CHANNEL + 3, 0)
    return total

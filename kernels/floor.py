"""The random-variate floor: draw what a simulation drew, and do nothing else.

``simulate_block`` counts the variates it draws, by kind (``layout.DRAWS``).
``draw_floor`` draws the same number of each kind with the same functions of
the same generator (scalar uniforms and normals, runs of normals of the
kernel's run length, distribution samples by family), and sums them so that
the compiler cannot drop the work. Keys advance by a counter (trajectory
first, then step), with no division per draw, so the floor costs what the
variates cost. The ratio of the kernel's time to the floor's says what the
model's logic costs beyond the randomness it needs (the benchmarks report it).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import D_NORMAL, D_NORMAL_FILLED, D_SAMPLE, D_UNIFORM, N_DRAWS
from .rng import fill_normal, normal, uniform
from .samplers import sample

_CHANNEL = 200  # channels of their own: the floor's keys never meet a simulation's


@njit(nogil=True, cache=True, error_model="numpy")
def draw_floor(seed, draws, family_params, first, n, chunk):
    """Draw ``draws[kind]`` variates of every kind over trajectories ``first .. first + n - 1``.

    ``family_params[code]`` gives the parameters of the samples of each family;
    ``chunk`` is the length of the kernel's runs of normals (its state count).
    Returns the sum of every variate drawn.
    """
    end = first + max(1, n)
    total = 0.0
    trajectory, step = first, 0
    for _ in range(draws[D_UNIFORM]):
        total += uniform(seed, trajectory, step, _CHANNEL, 0)
        trajectory += 1
        if trajectory == end:
            trajectory, step = first, step + 1
    trajectory, step = first, 0
    for _ in range(draws[D_NORMAL]):
        total += normal(seed, trajectory, step, _CHANNEL + 1, 0)
        trajectory += 1
        if trajectory == end:
            trajectory, step = first, step + 1
    buffer = np.empty(max(1, chunk))
    done = 0
    trajectory, step = first, 0
    while done < draws[D_NORMAL_FILLED]:
        m = min(chunk, draws[D_NORMAL_FILLED] - done)
        fill_normal(seed, trajectory, step, _CHANNEL + 2, buffer, m)
        for k in range(m):
            total += buffer[k]
        done += m
        trajectory += 1
        if trajectory == end:
            trajectory, step = first, step + 1
    for kind in range(D_SAMPLE, N_DRAWS):
        code = kind - D_SAMPLE
        p = family_params[code]
        trajectory, step = first, 0
        for _ in range(draws[kind]):
            total += sample(code, p[0], p[1], p[2], seed, trajectory, step, _CHANNEL + 3, 0)
            trajectory += 1
            if trajectory == end:
                trajectory, step = first, step + 1
    return total

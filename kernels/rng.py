"""Keyed random numbers: Philox4x32-10 (Salmon et al. 2011, "Parallel random
numbers: as easy as 1, 2, 3", SC'11).

Every variate is a pure function of ``(seed, trajectory, step, channel,
index)``. The 128-bit Philox counter holds the trajectory (two words), the
step (one word) and ``channel << 24 | index`` (one word); the 64-bit seed is
the key. Nothing depends on which worker, thread or block draws it, so counts
do not depend on how the work is split, a retried task reproduces its numbers,
and every grid point sees the same shocks (common random numbers).

One Philox call yields four 32-bit words = two 53-bit uniforms. Variate
``index`` uses block ``index >> 1`` and half ``index & 1``; a normal variate
is the cosine (half 0) or sine (half 1) branch of Box-Muller on that block's
two uniforms. So a channel's uniforms and normals share blocks: one purpose,
one channel.

All integer arithmetic is done on ``uint64`` values masked to 32 bits: numba
turns ``uint64 op int64`` into float64, so every literal below is an
``np.uint64``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_SHIFT24 = np.uint64(24)
_INDEX_MASK = np.uint64(0xFFFFFF)

#: step value used for draws made once per trajectory (parameters, phases)
TRAJECTORY_STEP = 0xFFFFFFFF
#: number of distinct channels and indices per channel
N_CHANNELS = 256
INDEX_LIMIT = 1 << 24

_TWO_PI = 2.0 * math.pi
_INV_2_53 = 1.0 / 9007199254740992.0


@njit(nogil=True, cache=True, inline="always")
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Philox4x32 with 10 rounds on four 32-bit counter words and a 2-word key.

    Arguments and results are uint64 holding 32-bit values.
    """
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        hi0 = p0 >> _SHIFT32
        lo0 = p0 & _MASK32
        hi1 = p1 >> _SHIFT32
        lo1 = p1 & _MASK32
        c0 = (hi1 ^ c1 ^ k0) & _MASK32
        c1 = lo1
        c2 = (hi0 ^ c3 ^ k1) & _MASK32
        c3 = lo0
        k0 = (k0 + _W0) & _MASK32
        k1 = (k1 + _W1) & _MASK32
    return c0, c1, c2, c3


@njit(nogil=True, cache=True, inline="always")
def uniform_block(seed, trajectory, step, channel, block):
    """The two uniforms in (0, 1) of one Philox block."""
    s = np.uint64(seed)
    t = np.uint64(trajectory)
    w0, w1, w2, w3 = philox4x32_10(
        t & _MASK32,
        t >> _SHIFT32,
        np.uint64(step) & _MASK32,
        (np.uint64(channel) << _SHIFT24) | (np.uint64(block) & _INDEX_MASK),
        s & _MASK32,
        s >> _SHIFT32,
    )
    # 27 + 26 bits = a 53-bit integer; +0.5 keeps the value strictly inside (0, 1)
    u0 = ((w0 >> np.uint64(5)) * np.uint64(67108864) + (w1 >> np.uint64(6))) * 1.0
    u1 = ((w2 >> np.uint64(5)) * np.uint64(67108864) + (w3 >> np.uint64(6))) * 1.0
    return (u0 + 0.5) * _INV_2_53, (u1 + 0.5) * _INV_2_53


@njit(nogil=True, cache=True)
def uniform(seed, trajectory, step, channel, index):
    """One uniform variate in (0, 1)."""
    u0, u1 = uniform_block(seed, trajectory, step, channel, index >> 1)
    return u1 if index & 1 else u0


@njit(nogil=True, cache=True)
def normal(seed, trajectory, step, channel, index):
    """One standard normal variate (Box-Muller on the block's two uniforms)."""
    u0, u1 = uniform_block(seed, trajectory, step, channel, index >> 1)
    r = math.sqrt(-2.0 * math.log(u0))
    if index & 1:
        return r * math.sin(_TWO_PI * u1)
    return r * math.cos(_TWO_PI * u1)


@njit(nogil=True, cache=True)
def fill_uniform(seed, trajectory, step, channel, out, n):
    """``out[i] = uniform(..., channel, i)`` for ``i < n``: one Philox call per pair."""
    for b in range((n + 1) >> 1):
        u0, u1 = uniform_block(seed, trajectory, step, channel, b)
        out[2 * b] = u0
        if 2 * b + 1 < n:
            out[2 * b + 1] = u1


@njit(nogil=True, cache=True)
def fill_normal(seed, trajectory, step, channel, out, n):
    """``out[i] = normal(..., channel, i)`` for ``i < n``: both Box-Muller branches used."""
    fill_normal_at(seed, trajectory, step, channel, 0, out, n)


@njit(nogil=True, cache=True)
def fill_normal_at(seed, trajectory, step, channel, base, out, n):
    """``out[i] = normal(..., channel, base + i)`` for ``i < n``; ``base`` must be even."""
    first = base >> 1
    for b in range((n + 1) >> 1):
        u0, u1 = uniform_block(seed, trajectory, step, channel, first + b)
        r = math.sqrt(-2.0 * math.log(u0))
        out[2 * b] = r * math.cos(_TWO_PI * u1)
        if 2 * b + 1 < n:
            out[2 * b + 1] = r * math.sin(_TWO_PI * u1)

"""Keyed random numbers: Philox4x32-10 (Salmon et al. 2011, "Parallel random
numbers: as easy as 1, 2, 3", SC'11) and a ziggurat for normals.

Every variate is a pure function of ``(seed, trajectory, step, channel,
index)``. The 128-bit Philox counter holds the trajectory (two words), the
step (one word) and ``channel << 24 | block`` (one word); the 64-bit seed is
the key. Nothing depends on which worker, thread or block draws it, so counts
do not depend on how the work is split, a retried task reproduces its numbers,
and every grid point sees the same shocks (common random numbers).

One Philox call yields four 32-bit words, and every word is one variate:
variate ``index`` is word ``index & 3`` of block ``index >> 2``. A uniform is
``(word + 1/2) / 2^32``, strictly inside (0, 1) with a resolution of 2^-32
(ample for probabilities down to 1e-9). A normal is the ziggurat transform of
its word (``ziggurat.py``); the 1.5% of words that miss the ziggurat's fast
path take further words from an auxiliary stream keyed by the same
``(trajectory, step, channel, index)`` and a key of their own
(``aux_block``), so a normal stays a pure function of its key. A channel's
uniforms and normals share words: one purpose, one channel.

``STREAM_VERSION`` names this mapping from keys to variates; results and
checkpoints record it, and a checkpoint of another version is not resumed.

All integer arithmetic is done on ``uint64`` values masked to 32 bits: numba
turns ``uint64 op int64`` into float64, so every literal below is an
``np.uint64``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .ziggurat import INV_2_23, N_LAYERS
from .ziggurat import F as _ZIG_F
from .ziggurat import K as _ZIG_K
from .ziggurat import R as _ZIG_R
from .ziggurat import X as _ZIG_X

#: version of the mapping from keys to variates: 1 = two 53-bit uniforms a block
#: and Box-Muller normals (until issue 12); 2 = four 32-bit variates a block and
#: ziggurat normals
STREAM_VERSION = 2

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_SHIFT24 = np.uint64(24)
_INDEX_MASK = np.uint64(0xFFFFFF)
_TWO = np.uint64(2)
_THREE = np.uint64(3)
# the auxiliary stream's key: seed words xor these (never both zero, so the
# auxiliary stream never replays the main one); attempt t adds (t + 1) * _AUX_STEP
_AUX_KEY0 = np.uint64(0x5851F42D)
_AUX_KEY1 = np.uint64(0x4C957F2D)
_AUX_STEP = np.uint64(0x9E3779B9)
_LAYER_MASK = np.uint64(N_LAYERS - 1)
_SIGN_SHIFT = np.uint64(8)
_VALUE_SHIFT = np.uint64(9)
_ONE = np.uint64(1)

#: step value used for draws made once per trajectory (parameters, phases)
TRAJECTORY_STEP = 0xFFFFFFFF
#: number of distinct channels and indices per channel
N_CHANNELS = 256
INDEX_LIMIT = 1 << 24

_INV_2_32 = 1.0 / 4294967296.0


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
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


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def word_block(seed, trajectory, step, channel, block):
    """The four 32-bit words of one Philox block (as uint64)."""
    s = np.uint64(seed)
    t = np.uint64(trajectory)
    return philox4x32_10(
        t & _MASK32,
        t >> _SHIFT32,
        np.uint64(step) & _MASK32,
        (np.uint64(channel) << _SHIFT24) | (np.uint64(block) & _INDEX_MASK),
        s & _MASK32,
        s >> _SHIFT32,
    )


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def aux_block(seed, trajectory, step, channel, index, attempt):
    """Words for attempt ``attempt`` of the slow path of normal ``index``.

    The counter names the variate itself (not its block) and the key is the
    seed moved by the attempt number, so these words meet no other draw.
    """
    s = np.uint64(seed)
    t = np.uint64(trajectory)
    shift = (np.uint64(attempt) + _ONE) * _AUX_STEP
    return philox4x32_10(
        t & _MASK32,
        t >> _SHIFT32,
        np.uint64(step) & _MASK32,
        (np.uint64(channel) << _SHIFT24) | (np.uint64(index) & _INDEX_MASK),
        ((s & _MASK32) ^ _AUX_KEY0 ^ shift) & _MASK32,
        (s >> _SHIFT32) ^ _AUX_KEY1,
    )


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def word_uniform(w):
    """The uniform in (0, 1) of one 32-bit word."""
    return (float(w) + 0.5) * _INV_2_32


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _signed(w, x):
    return -x if (w >> _SIGN_SHIFT) & _ONE else x


@njit(nogil=True, cache=True, error_model="numpy")
def slow_normal(w, seed, trajectory, step, channel, index):
    """Finish a ziggurat draw whose word ``w`` missed the fast path (1.5% of words).

    Each attempt takes one auxiliary block: its word 0 replaces ``w`` on a
    retry, word 1 is the wedge test's uniform, words 2 and 3 the tail's.
    """
    attempt = 0
    while True:
        layer = int(w & _LAYER_MASK)
        u = (float(w >> _VALUE_SHIFT) + 0.5) * INV_2_23
        x = u * _ZIG_X[layer]
        if u < _ZIG_K[layer]:
            return _signed(w, x)
        a0, a1, a2, a3 = aux_block(seed, trajectory, step, channel, index, attempt)
        attempt += 1
        if layer == 0:
            # beyond r: Marsaglia (1964), exact for the tail of the normal
            while True:
                t = -math.log(word_uniform(a2)) / _ZIG_R
                if -2.0 * math.log(word_uniform(a3)) > t * t:
                    return _signed(w, _ZIG_R + t)
                a0, a1, a2, a3 = aux_block(seed, trajectory, step, channel, index, attempt)
                attempt += 1
        # the wedge between f(X[layer]) and f(X[layer + 1]): accept under f
        low = _ZIG_F[layer]
        if low + word_uniform(a1) * (_ZIG_F[layer + 1] - low) < math.exp(-0.5 * x * x):
            return _signed(w, x)
        w = a0


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def word_normal(w, seed, trajectory, step, channel, index):
    """The standard normal of word ``w`` (variate ``index`` of its channel)."""
    layer = int(w & _LAYER_MASK)
    u = (float(w >> _VALUE_SHIFT) + 0.5) * INV_2_23
    if u < _ZIG_K[layer]:
        return _signed(w, u * _ZIG_X[layer])
    return slow_normal(w, seed, trajectory, step, channel, index)


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _word(w0, w1, w2, w3, lane):
    if lane == 0:
        return w0
    if lane == 1:
        return w1
    if lane == 2:
        return w2
    return w3


@njit(nogil=True, cache=True, error_model="numpy")
def uniform(seed, trajectory, step, channel, index):
    """One uniform variate in (0, 1)."""
    w0, w1, w2, w3 = word_block(seed, trajectory, step, channel, index >> 2)
    return word_uniform(_word(w0, w1, w2, w3, index & 3))


@njit(nogil=True, cache=True, error_model="numpy")
def normal(seed, trajectory, step, channel, index):
    """One standard normal variate."""
    w0, w1, w2, w3 = word_block(seed, trajectory, step, channel, index >> 2)
    w = _word(w0, w1, w2, w3, index & 3)
    return word_normal(w, seed, trajectory, step, channel, index)


@njit(nogil=True, cache=True, error_model="numpy")
def fill_normal(seed, trajectory, step, channel, out, n):
    """``out[i] = normal(..., channel, i)`` for ``i < n``: one Philox call per four."""
    fill_normal_at(seed, trajectory, step, channel, 0, out, n)


@njit(nogil=True, cache=True, error_model="numpy")
def fill_normal_at(seed, trajectory, step, channel, base, out, n):
    """``out[i] = normal(..., channel, base + i)`` for ``i < n``.

    Any ``base`` works; a multiple of 4 uses every block whole.
    """
    i = 0
    # a base inside a block: its first words one by one
    while i < n and (base + i) & 3:
        out[i] = normal(seed, trajectory, step, channel, base + i)
        i += 1
    while i + 4 <= n:
        index = base + i
        w0, w1, w2, w3 = word_block(seed, trajectory, step, channel, index >> 2)
        out[i] = word_normal(w0, seed, trajectory, step, channel, index)
        out[i + 1] = word_normal(w1, seed, trajectory, step, channel, index + 1)
        out[i + 2] = word_normal(w2, seed, trajectory, step, channel, index + 2)
        out[i + 3] = word_normal(w3, seed, trajectory, step, channel, index + 3)
        i += 4
    while i < n:
        out[i] = normal(seed, trajectory, step, channel, base + i)
        i += 1

"""The keyed Philox4x32-10 generator."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from forecaster.kernels import rng

# Random123 known-answer vectors (kat_vectors, "philox4x32 10" lines):
# counter words, key words, expected output words
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    (
        (0xFFFFFFFF,) * 4,
        (0xFFFFFFFF, 0xFFFFFFFF),
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
    ),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_matches_random123_known_answers(counter, key, expected):
    words = [np.uint64(w) for w in (*counter, *key)]
    assert tuple(int(w) for w in rng.philox4x32_10(*words)) == expected


@njit
def _uniforms(seed, trajectory, step, channel, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = rng.uniform(seed, trajectory, step, channel, i)
    return out


@njit
def _normals(seed, trajectory, step, channel, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = rng.normal(seed, trajectory, step, channel, i)
    return out


def test_variates_are_pure_functions_of_their_key():
    a = _uniforms(np.uint64(7), 123, 5, 3, 64)
    b = _uniforms(np.uint64(7), 123, 5, 3, 64)
    np.testing.assert_array_equal(a, b)
    # every component of the key changes the stream
    for other in (
        _uniforms(np.uint64(8), 123, 5, 3, 64),
        _uniforms(np.uint64(7), 124, 5, 3, 64),
        _uniforms(np.uint64(7), 123, 6, 3, 64),
        _uniforms(np.uint64(7), 123, 5, 4, 64),
    ):
        assert not np.any(a == other)


def test_large_trajectory_numbers_use_the_high_word():
    low = _uniforms(np.uint64(1), 5, 0, 1, 8)
    high = _uniforms(np.uint64(1), 5 + 2**32, 0, 1, 8)
    assert not np.any(low == high)


def test_fill_functions_equal_the_scalar_draws():
    n = 13  # odd: the last block is half used
    out = np.empty(n)
    rng.fill_uniform(np.uint64(3), 9, 2, 11, out, n)
    np.testing.assert_array_equal(out, _uniforms(np.uint64(3), 9, 2, 11, n))
    rng.fill_normal(np.uint64(3), 9, 2, 12, out, n)
    np.testing.assert_allclose(out, _normals(np.uint64(3), 9, 2, 12, n), rtol=1e-15)


def test_uniforms_lie_strictly_inside_the_unit_interval_and_are_uniform():
    from scipy import stats

    u = _uniforms(np.uint64(2024), 0, 0, 1, 200_000)
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # the two halves of a block are not correlated
    assert abs(np.corrcoef(u[0::2], u[1::2])[0, 1]) < 4 / np.sqrt(100_000)


def test_fill_at_an_offset_equals_the_scalar_draws_there():
    n, base = 9, 40
    out = np.empty(n)
    rng.fill_normal_at(np.uint64(3), 9, 2, 12, base, out, n)
    expected = _normals(np.uint64(3), 9, 2, 12, base + n)[base:]
    np.testing.assert_allclose(out, expected, rtol=1e-15)

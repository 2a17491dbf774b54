"""The keyed Philox4x32-10 generator, its uniforms and its ziggurat normals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from forecaster.kernels import rng, ziggurat

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


def test_fill_normal_equals_the_scalar_draws():
    n = 13  # odd: the last block is half used
    out = np.empty(n)
    rng.fill_normal(np.uint64(3), 9, 2, 12, out, n)
    np.testing.assert_array_equal(out, _normals(np.uint64(3), 9, 2, 12, n))


def test_uniforms_lie_strictly_inside_the_unit_interval_and_are_uniform():
    from scipy import stats

    u = _uniforms(np.uint64(2024), 0, 0, 1, 200_000)
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # the four words of a block are not correlated
    lanes = u.reshape(-1, 4).T
    for a in range(4):
        for b in range(a + 1, 4):
            assert abs(np.corrcoef(lanes[a], lanes[b])[0, 1]) < 4 / np.sqrt(50_000)


@pytest.mark.parametrize(("base", "n"), [(40, 9), (41, 9), (43, 2), (6, 1), (0, 0)])
def test_fill_at_an_offset_equals_the_scalar_draws_there(base, n):
    out = np.empty(n)
    rng.fill_normal_at(np.uint64(3), 9, 2, 12, base, out, n)
    expected = _normals(np.uint64(3), 9, 2, 12, base + n)[base:]
    np.testing.assert_array_equal(out, expected)


def test_uniform_and_normal_of_an_index_share_its_word():
    """Variate ``index`` is word ``index & 3`` of block ``index >> 2``."""
    words = rng.word_block(np.uint64(5), 3, 1, 7, 2)
    u = _uniforms(np.uint64(5), 3, 1, 7, 12)[8:]
    np.testing.assert_array_equal(u, [(int(w) + 0.5) / 2**32 for w in words])


def test_ziggurat_layers_have_equal_area_and_close_at_the_top():
    z = ziggurat
    f = np.exp(-0.5 * z.X * z.X)
    v = z.R * np.exp(-0.5 * z.R**2) + np.sqrt(np.pi / 2) * math.erfc(z.R / np.sqrt(2))
    areas = z.X[1 : z.N_LAYERS] * (f[2:] - f[1 : z.N_LAYERS])  # layers 1 .. 255
    np.testing.assert_allclose(areas, v, rtol=1e-9)
    assert z.X[0] * f[1] == pytest.approx(v)  # the base strip's pseudo-rectangle
    assert abs(z.TOP_MISMATCH) < 1e-12
    assert pytest.approx(3.6541528853610088, rel=1e-14) == z.R  # Marsaglia & Tsang's r


@njit
def _normal_sample(n_trajectories, per):
    out = np.empty(n_trajectories * per)
    for t in range(n_trajectories):
        rng.fill_normal(np.uint64(20261128), t, 3, 11, out[t * per : (t + 1) * per], per)
    return out


@pytest.mark.slow
def test_normals_follow_the_normal_law_into_the_tails():
    """2 x 10^7 ziggurat normals: tails beyond 2-5 sigma, KS, the first four moments."""
    from scipy import stats

    z = _normal_sample(20_000, 1000)
    n = z.size
    for k in (2.0, 3.0, 4.0, 5.0):
        p = 2.0 * stats.norm.sf(k)
        count = np.count_nonzero(np.abs(z) > k)
        # within 4 binomial standard errors (5 sigma: ~11 expected, Poisson)
        assert abs(count - n * p) < 4.0 * np.sqrt(n * p * (1.0 - p)) + 1.0, (k, count, n * p)
        # and the two tails are balanced
        upper = np.count_nonzero(z > k)
        assert abs(2 * upper - count) < 4.0 * np.sqrt(count) + 1.0
    assert stats.kstest(z, "norm").pvalue > 1e-3
    se = 1.0 / np.sqrt(n)
    assert abs(z.mean()) < 4 * se
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2.0) * se
    assert abs(stats.skew(z)) < 4 * np.sqrt(6.0) * se
    assert abs(stats.kurtosis(z)) < 4 * np.sqrt(24.0) * se
    # the slow path (wedges and tail, 1.5% of words) is exercised and sound on its own:
    # beyond r = 3.654 every variate came through Marsaglia's tail sampler
    beyond = np.abs(z[np.abs(z) > ziggurat.R])
    assert stats.kstest(beyond, stats.truncnorm(ziggurat.R, np.inf).cdf).pvalue > 1e-3


def test_uniforms_are_uniform_in_every_word_and_in_their_low_bits():
    from scipy import stats

    u = _uniforms(np.uint64(11), 2, 9, 4, 400_000)
    for lane in range(4):
        assert stats.kstest(u[lane::4], "uniform").pvalue > 1e-3
    low_bits = ((u * 2**32).astype(np.uint64) & np.uint64(0xFF)).astype(np.int64)
    counts = np.bincount(low_bits, minlength=256)
    assert stats.chisquare(counts).pvalue > 1e-3

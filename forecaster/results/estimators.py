"""Monte Carlo estimators and their standard errors, from additive counters."""

from __future__ import annotations

import numpy as np


def proportion(count: np.ndarray, n: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Share of ``n`` trajectories, and its binomial standard error sqrt(p(1-p)/n).

    ``n`` is a number or an array broadcasting against ``count``.
    """
    p = np.asarray(count, dtype=float) / n
    return p, np.sqrt(p * (1.0 - p) / n)


def mean(
    total: np.ndarray, total_sq: np.ndarray, n: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean over ``n`` trajectories of a per-trajectory value, and its standard error.

    Uses the unbiased sample variance; ``n = 1`` gives an undefined (NaN) error.
    """
    n = np.asarray(n, dtype=float)
    m = np.asarray(total, dtype=float) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (np.asarray(total_sq, dtype=float) - n * m * m) / (n - 1)
        se = np.sqrt(np.maximum(var, 0.0) / n)
    return m, np.where(n >= 2, se, np.nan)


def ratio(
    num: np.ndarray, den: np.ndarray, num_sq: np.ndarray, den_sq: np.ndarray, cross: np.ndarray,
    n: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Ratio of sums R = Σy / Σx over trajectories and its standard error.

    Events cluster within trajectories, so the error is the ratio estimator's
    (delta method): se² = Σ(y - R x)² / (Σx)² · n / (n - 1). NaN where Σx = 0.
    """
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        resid = (
            np.asarray(num_sq, float)
            - 2 * r * np.asarray(cross, float)
            + r * r * np.asarray(den_sq, float)
        )
        n = np.asarray(n, dtype=float)
        factor = np.where(n > 1, n / (n - 1), np.nan)
        se = np.where(
            den > 0, np.sqrt(np.maximum(resid, 0.0) * factor) / np.where(den > 0, den, 1.0), np.nan
        )
    return r, se

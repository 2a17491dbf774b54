"""Monte Carlo estimators and their standard errors, from additive counters."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

#: the confidence level of every interval in the datasets, summaries, tables and plots
LEVEL = 0.95
Z95 = 1.959963984540054  # scipy.stats.norm.isf((1 - 0.95) / 2), to the last bit


def proportion(count: np.ndarray, n: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Share of ``n`` trajectories, and its binomial standard error sqrt(p(1-p)/n).

    ``n`` is a number or an array broadcasting against ``count``.
    """
    p = np.asarray(count, dtype=float) / n
    return p, np.sqrt(p * (1.0 - p) / n)


def proportion_interval(
    count: np.ndarray, n: np.ndarray | float, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion ``count / n`` (vectorised).

    Unlike p ± 1.96 se, it does not collapse at 0 or 1: 0 events in 100,000
    trajectories give [0, 3.8e-5]. Its coverage is held by
    ``tests/test_intervals.py`` at p = 1e-4, 0.01 and 0.5.
    """
    count = np.asarray(count, dtype=float)
    nobs = np.broadcast_to(np.asarray(n, dtype=float), count.shape)
    # the formula and the order of operations of statsmodels' proportion_confint
    # (method="wilson"), so the bounds are the same to the last bit (tests/test_intervals.py)
    crit = _wilson_quantile(level)
    crit2 = crit**2
    with np.errstate(invalid="ignore", divide="ignore"):
        q = count / nobs
        denom = 1 + crit2 / nobs
        center = (q + crit2 / (2 * nobs)) / denom
        dist = crit * np.sqrt(q * (1.0 - q) / nobs + crit2 / (4.0 * nobs**2))
        dist /= denom
    lower, upper = np.clip(center - dist, 0, 1), np.clip(center + dist, 0, 1)
    # exactly 0 (1) at 0 (n) events, where rounding leaves 3e-18
    lower = np.where(count == 0, 0.0, lower)
    upper = np.where(count == nobs, 1.0, upper)
    return lower, upper


def _wilson_quantile(level: float) -> float:
    """statsmodels' two-sided quantile ``norm.isf((1 - level) / 2)``, to the last bit.

    At 95% that is :data:`Z95`; other levels load scipy's ``ndtri`` on use.
    """
    if level == LEVEL:
        return Z95
    from scipy.special import ndtri

    return float(-ndtri((1.0 - level) / 2.0))


def ratio_interval(
    value: np.ndarray,
    se: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    level: float = LEVEL,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of a ratio of event counts: delta method, or Wilson where it collapses.

    At a ratio of exactly 0 or 1 every trajectory's numerator is R times its
    denominator, so the delta-method error is 0 and the interval [0, 0] or [1, 1]
    (no wartime commitment honoured yet is not "certainly never"). There the Wilson
    interval of ``numerator`` successes in ``denominator`` events is used: it
    treats the events as independent, which overstates the information when
    events cluster in trajectories, but it no longer claims certainty.
    """
    lower, upper = normal_interval(value, se, level)
    collapsed = np.isfinite(value) & (np.asarray(se) == 0) & (np.asarray(denominator) > 0)
    if collapsed.any():
        count = np.where(collapsed, numerator, 0)
        events = np.where(collapsed, denominator, 1)
        w_lower, w_upper = proportion_interval(count, events, level)
        lower = np.where(collapsed, w_lower, lower)
        upper = np.where(collapsed, w_upper, upper)
    return lower, upper


def normal_interval(
    value: np.ndarray, se: np.ndarray, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """value ± z se, clipped to [0, 1]: the interval of a ratio estimator (delta method)."""
    z = Z95 if level == LEVEL else NormalDist().inv_cdf(0.5 + level / 2)
    value, se = np.asarray(value, dtype=float), np.asarray(se, dtype=float)
    return np.clip(value - z * se, 0.0, 1.0), np.clip(value + z * se, 0.0, 1.0)


def paired_difference(
    count_a: np.ndarray, count_b: np.ndarray, count_ab: np.ndarray, n: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Difference p_b - p_a of two proportions over the same ``n`` trajectories, and its
    paired standard error.

    ``count_ab`` counts the trajectories with both events; under common random
    numbers the two indicators are positively correlated and
    var(x_b - x_a) = p_a(1 - p_a) + p_b(1 - p_b) - 2 (p_ab - p_a p_b)
    is far below the unpaired sum of variances.
    """
    n = np.asarray(n, dtype=float)
    pa = np.asarray(count_a, dtype=float) / n
    pb = np.asarray(count_b, dtype=float) / n
    pab = np.asarray(count_ab, dtype=float) / n
    var = pa * (1 - pa) + pb * (1 - pb) - 2 * (pab - pa * pb)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(np.maximum(var, 0.0) / (n - 1))
    return pb - pa, np.where(n >= 2, se, np.nan)


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

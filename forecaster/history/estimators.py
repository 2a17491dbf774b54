"""Estimators with standard errors, each a pure function of plain arrays.

Nothing here knows about the data sets; :mod:`forecaster.history.moments` feeds
them. Every function returns plain floats so that the unit tests can check them
on hand-made tables with known answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: The 97.5% point of the standard normal distribution.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error and sample size."""

    value: float
    se: float
    n: int


def binomial_proportion(successes: int, trials: int) -> Estimate:
    """Share of successes with the binomial standard error sqrt(p(1 - p) / n).

    Parameters
    ----------
    successes, trials
        Counts; ``trials`` must be positive.

    Returns
    -------
    Estimate
        ``value`` = successes / trials, ``n`` = trials.

    Examples
    --------
    >>> binomial_proportion(10, 40)
    Estimate(value=0.25, se=0.06846531968814576, n=40)
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes}/{trials}")
    p = successes / trials
    return Estimate(p, math.sqrt(p * (1.0 - p) / trials), int(trials))


def clustered_proportion(outcome: ArrayLike, cluster: ArrayLike) -> Estimate:
    """Mean of a 0/1 outcome over units with a cluster-robust standard error.

    The units are state-years and the clusters states: one state's years share
    its neighbours, rivals and regime, so they are not independent draws and a
    binomial error over state-years would be too small. The estimator is the
    ratio mean p = sum(y) / N with the cluster-robust (sandwich) variance

        var(p) = G / (G - 1) * sum_g (Y_g - p N_g)^2 / N^2,

    where Y_g and N_g are cluster g's outcome total and unit count and G the
    number of clusters.

    Parameters
    ----------
    outcome
        0/1 (or counts) per unit.
    cluster
        Cluster label per unit (any hashable numpy dtype).

    Returns
    -------
    Estimate
        ``n`` is the number of units (state-years).
    """
    y = np.asarray(outcome, dtype=float)
    labels, index = np.unique(np.asarray(cluster), return_inverse=True)
    if y.size == 0 or y.shape != index.shape:
        raise ValueError("outcome and cluster must be non-empty and of equal length")
    groups = labels.size
    if groups < 2:
        raise ValueError("a clustered standard error needs at least two clusters")
    total_n = y.size
    p = y.sum() / total_n
    y_g = np.bincount(index, weights=y, minlength=groups)
    n_g = np.bincount(index, minlength=groups)
    var = groups / (groups - 1) * np.sum((y_g - p * n_g) ** 2) / total_n**2
    return Estimate(float(p), float(math.sqrt(var)), int(total_n))


def poisson_rate(events: int, exposure: float) -> Estimate:
    """Events per unit of exposure with the Poisson standard error sqrt(d) / T.

    Used for hazards: an alliance can end only once, so its terminations over
    alliance-years at risk is the maximum-likelihood constant hazard, and its
    standard error is the Poisson one (``n`` is the number of events).
    """
    if exposure <= 0 or events < 0:
        raise ValueError(f"need events >= 0 and exposure > 0, got {events}, {exposure}")
    return Estimate(events / exposure, math.sqrt(events) / exposure, int(events))


@dataclass(frozen=True)
class RateRatio:
    """A Mantel–Haenszel risk ratio with two log-scale standard errors."""

    value: float
    log_se_model: float
    log_se_cluster: float
    n: int
    strata: int


def _mh_parts(
    outcome: np.ndarray, exposed: np.ndarray, stratum: np.ndarray, strata: int
) -> tuple[np.ndarray, ...]:
    a = np.bincount(stratum, weights=outcome * exposed, minlength=strata)
    b = np.bincount(stratum, weights=outcome * (1.0 - exposed), minlength=strata)
    n1 = np.bincount(stratum, weights=exposed, minlength=strata)
    n0 = np.bincount(stratum, weights=1.0 - exposed, minlength=strata)
    return a, b, n1, n0


def _mh_log_ratio(a: np.ndarray, b: np.ndarray, n1: np.ndarray, n0: np.ndarray) -> float:
    total = n1 + n0
    keep = (n1 > 0) & (n0 > 0)
    num = np.sum(a[keep] * n0[keep] / total[keep])
    den = np.sum(b[keep] * n1[keep] / total[keep])
    return math.log(num / den)


def mantel_haenszel_risk_ratio(
    outcome: ArrayLike, exposed: ArrayLike, stratum: ArrayLike, cluster: ArrayLike
) -> RateRatio:
    """Mantel–Haenszel pooled risk ratio of a 0/1 outcome, exposed vs unexposed.

    Within stratum k (a_k, n1_k exposed events and units; b_k, n0_k unexposed;
    N_k = n1_k + n0_k)

        RR_MH = sum_k a_k n0_k / N_k  /  sum_k b_k n1_k / N_k,

    using only strata that hold both exposed and unexposed units. Two errors of
    log RR_MH are returned: the Greenland & Robins (1985) variance, which treats
    units as independent, and a delete-one-cluster jackknife, which lets a
    cluster's units be correlated (the one to report for state-years).

    Parameters
    ----------
    outcome
        0/1 per unit.
    exposed
        0/1 per unit.
    stratum
        Stratum label per unit.
    cluster
        Cluster label per unit, for the jackknife.

    Returns
    -------
    RateRatio
        ``n`` counts the units in informative strata; ``strata`` those strata.
    """
    y = np.asarray(outcome, dtype=float)
    x = np.asarray(exposed, dtype=float)
    _, s = np.unique(np.asarray(stratum), return_inverse=True)
    clusters, c = np.unique(np.asarray(cluster), return_inverse=True)
    if not (y.shape == x.shape == s.shape == c.shape) or y.size == 0:
        raise ValueError("outcome, exposed, stratum and cluster must have one equal length")
    strata = int(s.max()) + 1
    a, b, n1, n0 = _mh_parts(y, x, s, strata)
    total = n1 + n0
    keep = (n1 > 0) & (n0 > 0)
    log_rr = _mh_log_ratio(a, b, n1, n0)
    # Greenland & Robins (1985), eq. for the risk ratio under a binomial model.
    r = np.sum(a[keep] * n0[keep] / total[keep])
    q = np.sum(b[keep] * n1[keep] / total[keep])
    p = np.sum(
        (n1[keep] * n0[keep] * (a[keep] + b[keep]) - a[keep] * b[keep] * total[keep])
        / total[keep] ** 2
    )
    log_se_model = math.sqrt(p / (r * q))
    # Delete-one-cluster jackknife: subtract each cluster's contribution from
    # the stratum totals (one bincount per cluster would be G passes; this is one).
    groups = clusters.size
    jack = np.empty(groups)
    key = c * strata + s
    shape = groups * strata
    parts = [
        np.bincount(key, weights=w, minlength=shape).reshape(groups, strata)
        for w in (y * x, y * (1.0 - x), x, 1.0 - x)
    ]
    for g in range(groups):
        a_g, b_g, n1_g, n0_g = (part[g] for part in parts)
        jack[g] = _mh_log_ratio(a - a_g, b - b_g, n1 - n1_g, n0 - n0_g)
    log_se_cluster = math.sqrt((groups - 1) / groups * np.sum((jack - jack.mean()) ** 2))
    informative = int(np.sum(total[keep]))
    return RateRatio(math.exp(log_rr), log_se_model, log_se_cluster, informative, int(keep.sum()))


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rho with a Fisher-z standard error and 95% interval."""

    value: float
    se: float
    ci95: tuple[float, float]
    p_value: float
    n: int


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their mean rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(1, values.size + 1)
    _, group, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(group, weights=ranks)
    return sums[group] / counts[group]


def spearman_with_se(x: ArrayLike, y: ArrayLike) -> RankCorrelation:
    """Spearman rank correlation with the Bonett & Wright (2000) Fisher-z error.

    rho is Pearson's correlation of the average ranks (ties share their mean
    rank). var(atanh rho) = (1 + rho^2 / 2) / (n - 3); the interval is the
    back-transformed z interval and ``se`` the delta-method error
    (1 - rho^2) sd(z). The two-sided p-value for rho = 0 uses the same normal
    approximation (sd(z) = 1 / sqrt(n - 3) at rho = 0).

    Examples
    --------
    >>> round(spearman_with_se([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).value, 3)
    0.8
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    n = xs.size
    if n < 4 or ys.size != n:
        raise ValueError("need two equal-length samples of at least 4 values")
    rho = float(np.corrcoef(_average_ranks(xs), _average_ranks(ys))[0, 1])
    sd_z = math.sqrt((1.0 + rho**2 / 2.0) / (n - 3))
    z = math.atanh(rho)
    ci = (math.tanh(z - Z95 * sd_z), math.tanh(z + Z95 * sd_z))
    p_value = math.erfc(abs(z) * math.sqrt(n - 3) / math.sqrt(2.0))
    return RankCorrelation(rho, (1.0 - rho**2) * sd_z, ci, p_value, int(n))

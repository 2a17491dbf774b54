"""Inference at the SMM estimate: the Jacobian of the moments, the estimates'
covariance and Hansen's J (the module docstring of ``smm.py`` gives the formulas)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .objective import Objective


@dataclass
class Inference:
    """The simulated moments at the estimate and what follows from them."""

    sim: np.ndarray
    sim_se: np.ndarray
    jacobian: np.ndarray  # moments x parameters
    covariance: np.ndarray
    se: np.ndarray
    J: float
    df: int
    p_value: float


def difference_points(obj: Objective, u_hat: np.ndarray, step: float) -> np.ndarray:
    """The estimate, then each parameter moved up and down by ``step`` of its range
    (one-sided at a bound: every point must compile), as rows of parameter values."""
    theta_hat = obj.theta_of(u_hat)
    pairs = list(zip(obj.parameters, u_hat, strict=True))
    upper = [q.unscale(min(u + step, 1.0)) for q, u in pairs]
    lower = [q.unscale(max(u - step, 0.0)) for q, u in pairs]
    rows = [theta_hat]
    for i in range(len(pairs)):
        up, down = theta_hat.copy(), theta_hat.copy()
        up[i], down[i] = upper[i], lower[i]
        rows += [up, down]
    return np.array(rows)


def jacobian(thetas: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """G = ∂m_sim/∂θ by central differences at the rows of :func:`difference_points`."""
    p = (len(thetas) - 1) // 2
    return np.column_stack(
        [
            (sims[1 + 2 * i] - sims[2 + 2 * i]) / (thetas[1 + 2 * i, i] - thetas[2 + 2 * i, i])
            for i in range(p)
        ]
    )


def covariance(jac: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Gᵀ W G)⁻¹ and the standard errors; a moment with no events at some difference
    point (NaN in G) carries no information and is left out."""
    p = jac.shape[1]
    rows_ok = np.isfinite(jac).all(axis=1)
    info = jac[rows_ok].T @ (weights[rows_ok, None] * jac[rows_ok])
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
    se = np.sqrt(np.where(np.diag(cov) >= 0, np.diag(cov), np.nan))
    return cov, se


def at_estimate(obj: Objective, u_hat: np.ndarray, step: float, error_batches: int) -> Inference:
    """Simulate the estimate and its difference points in one run (and, with
    ``error_batches`` >= 2, the estimate's batch errors); G, covariance, J with W
    re-evaluated at the estimate."""
    thetas = difference_points(obj, u_hat, step)
    sims, sims_se = obj.simulate(thetas)
    sim_hat, sim_hat_se = sims[0], sims_se[0]
    if error_batches:
        sim_hat_se = obj.batch_errors(thetas[0], error_batches)
    jac = jacobian(thetas, sims)
    w_hat = obj.weights_at(sim_hat_se)
    cov, se = covariance(jac, w_hat)
    J = float(obj.cost(sim_hat[None, :], w_hat)[0])
    df = len(obj.moments) - len(obj.parameters)
    p_value = float(stats.chi2.sf(J, df)) if df > 0 else math.nan
    return Inference(sim_hat, sim_hat_se, jac, cov, se, J, df, p_value)

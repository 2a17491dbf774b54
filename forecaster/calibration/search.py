"""The search for the SMM estimate on the parameters scaled to [0, 1]^p.

A space-filling design (the config's own values and a scrambled Sobol design,
one run) picks the starting points and fixes the weights W; from each of the
best design points a local search runs, trust-region least squares on the
weighted residuals or Nelder–Mead on Q, and the best optimum wins (a
multi-start: Q can have several basins). The searches share one budget of
simulated points.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from forecaster.config import to_spec
from forecaster.scenario.compile import get_path

from .inputs import Settings, scaled
from .objective import Objective

#: forward-difference step of the trust-region search's Jacobian, as a share of each range
DIFF_STEP = 0.02


@dataclass
class Design:
    """The design's points (the config's own values first), their simulated moments
    and errors, and Q at each with W at the best point's errors."""

    thetas: np.ndarray
    sim: np.ndarray
    sim_se: np.ndarray
    costs: np.ndarray


def design(obj: Objective, points: int, error_batches: int) -> Design:
    """Evaluate the config's own values (clipped into the bounds) and ``points`` of a
    scrambled Sobol design in one run; set ``obj.weights`` at the best point's errors
    (of ``error_batches`` independent batches, when >= 2)."""
    parameters = obj.parameters
    spec = to_spec(obj.cfg)
    own = np.array([np.clip(float(get_path(spec, q.path)), q.low, q.high) for q in parameters])
    sobol = qmc.Sobol(len(parameters), scramble=True, seed=0).random(max(points, 1))
    thetas = np.vstack([own, *(obj.theta_of(row) for row in sobol)])
    sim, sim_se = obj.simulate(thetas)
    best = int(np.argmin(obj.cost(sim, obj.weights_at(sim_se[0]))))
    if error_batches:
        sim_se[0] = obj.batch_errors(thetas[0], error_batches)
        if best != 0:
            sim_se[best] = obj.batch_errors(thetas[best], error_batches)
    obj.weights = obj.weights_at(sim_se[best])
    costs = obj.cost(sim)
    obj.say(
        f"design of {len(thetas)} points: best Q = {costs[best]:.4g} at {thetas[best].tolist()}"
    )
    obj.history += [(t.tolist(), float(c)) for t, c in zip(thetas, costs, strict=True)]
    return Design(thetas, sim, sim_se, costs)


def nelder_mead(obj: Objective, u_hat: np.ndarray, budget: int) -> tuple[np.ndarray, float]:
    """Nelder–Mead on Q, restarted from its own optimum with a fresh simplex (a simplex
    can collapse along a ridge where two parameters trade off) until a restart no
    longer improves Q or ``budget`` evaluations are spent."""
    p = len(obj.parameters)

    def q_of(u: np.ndarray) -> float:
        theta = obj.theta_of(u)
        sim, _ = obj.simulate(theta)
        q = float(obj.cost(sim)[0])
        obj.record(theta, q)
        return q

    q_hat, left = math.inf, budget
    while True:
        simplex = np.vstack([u_hat] + [np.clip(u_hat + 0.1 * np.eye(p)[i]
                                               * (1 if u_hat[i] < 0.9 else -1), 0, 1)
                                       for i in range(p)])  # fmt: skip
        res = optimize.minimize(
            q_of,
            u_hat,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * p,
            options={"maxfev": max(left, 1), "xatol": 2e-3, "fatol": 1e-3,
                     "initial_simplex": simplex},
        )  # fmt: skip
        left -= int(res.nfev)
        improved = float(res.fun) < q_hat - 1e-3
        if float(res.fun) < q_hat:
            q_hat, u_hat = float(res.fun), np.clip(res.x, 0, 1)
        if not improved or left <= p + 1:
            break
        obj.say(f"Nelder-Mead stopped at Q = {q_hat:.4g}; restarting ({left} evaluations left)")
    return u_hat, q_hat


def trust_region(obj: Objective, u_start: np.ndarray, budget: int) -> tuple[np.ndarray, float]:
    """Trust-region least squares on the weighted residuals (scipy's ``trf``, within
    the bounds); each Jacobian is p forward differences of ``DIFF_STEP`` in one run."""
    p = len(obj.parameters)
    last: dict[bytes, np.ndarray] = {}

    def fun(u: np.ndarray) -> np.ndarray:
        theta = obj.theta_of(u)
        sim, _ = obj.simulate(theta)
        r = obj.residuals(sim)[0]
        last[u.tobytes()] = r
        obj.record(theta, float(r @ r))
        return r

    def jac(u: np.ndarray) -> np.ndarray:
        r0 = last[u.tobytes()] if u.tobytes() in last else fun(u)
        h = np.where(u + DIFF_STEP <= 1.0, DIFF_STEP, -DIFF_STEP)
        shifted = u + np.diag(h)
        sims, _ = obj.simulate(np.array([obj.theta_of(row) for row in shifted]))
        return (obj.residuals(sims) - r0).T / h

    res = optimize.least_squares(
        fun, u_start, jac=jac, bounds=(0.0, 1.0), method="trf",
        max_nfev=max(budget // (p + 1), 1), xtol=1e-3, ftol=1e-4,
    )  # fmt: skip
    return np.clip(res.x, 0, 1), float(2 * res.cost)


#: the local searches by ``Settings.method``
SEARCHES: dict[str, Callable[[Objective, np.ndarray, int], tuple[np.ndarray, float]]] = {
    "trf": trust_region,
    "nelder-mead": nelder_mead,
}


def multi_start(obj: Objective, start: Design, settings: Settings) -> np.ndarray:
    """The best optimum, in [0, 1]^p, of local searches from the ``settings.starts``
    best design points; they share ``settings.max_evaluations`` simulated points."""
    search = SEARCHES[settings.method]
    points_before = obj.points
    n_starts = max(1, min(settings.starts, len(start.costs)))
    order = [int(i) for i in np.argsort(start.costs)[:n_starts]]
    found = []
    for n, i in enumerate(order):
        u_start = scaled(obj.parameters, start.thetas[i])
        budget = (settings.max_evaluations - obj.points + points_before) // (len(order) - n)
        found.append(search(obj, u_start, budget))
        obj.say(f"start {n + 1} of {len(order)}: Q = {found[-1][1]:.4g}")
    return min(found, key=lambda f: f[1])[0]

"""The SMM objective: simulated moments at design points, each call one run of
:func:`forecaster.run` on common random numbers, and Q's weighted residuals."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from omegaconf import DictConfig

from forecaster.api import run

from .inputs import Parameter, Target, theta_of
from .moments import simulated_moments


class Objective:
    """m_sim(θ) at design points, each call one run on common random numbers."""

    def __init__(
        self,
        cfg: DictConfig,
        parameters: Sequence[Parameter],
        moments: Sequence[str],
        targets: Mapping[str, Target],
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.cfg = cfg
        self.parameters = list(parameters)
        self.moments = list(moments)
        self.hist = np.array([targets[n].value for n in moments])
        self.hist_se = np.array([targets[n].se for n in moments])
        self.weights: np.ndarray | None = None
        self.runs = 0
        self.points = 0
        self.simulated = 0  # trajectories in all, error batches included
        self.seconds = 0.0
        #: every point evaluated and its Q, in order (design points included)
        self.history: list[tuple[list[float], float]] = []
        self.say: Callable[[str], None] = log or (lambda _msg: None)

    def simulate(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Simulated moments and errors at the rows of ``thetas``: (points, moments)."""
        thetas = np.atleast_2d(thetas)
        points = [
            {p.path: float(v) for p, v in zip(self.parameters, row, strict=True)} for row in thetas
        ]
        started = time.perf_counter()
        ds = run(self.cfg, progress=False, points=points)
        self.seconds += time.perf_counter() - started
        self.runs += 1
        self.points += len(points)
        self.simulated += len(points) * int(self.cfg.run.trajectories)
        return simulated_moments(ds, self.moments)

    def batch_errors(self, theta: np.ndarray, batches: int) -> np.ndarray:
        """Monte Carlo errors of the moments at ``theta`` from independent batches.

        ``batches`` runs of trajectories / batches trajectories each, on seeds
        seed + 1, seed + 2, ... (independent of the main run's draws): the standard
        deviation of the batch moments over sqrt(batches) is the error of a run of
        the full trajectories. Unlike the dataset's per-state errors it includes the
        correlation between states that share an adversary's draws.
        """
        n = int(self.cfg.run.trajectories)
        per_batch = max(n // batches, 1)
        values = []
        for b in range(batches):
            cfg = self.cfg.copy()
            cfg.run.seed = int(self.cfg.run.seed) + 1 + b
            cfg.run.trajectories = per_batch
            point = [{p.path: float(v) for p, v in zip(self.parameters, theta, strict=True)}]
            started = time.perf_counter()
            ds = run(cfg, progress=False, points=point)
            self.seconds += time.perf_counter() - started
            self.runs += 1
            self.points += 1
            self.simulated += per_batch
            values.append(simulated_moments(ds, self.moments)[0][0])
        sd = np.nanstd(np.array(values), axis=0, ddof=1)
        return np.asarray(sd * math.sqrt(per_batch / n))

    def weights_at(self, sim_se: np.ndarray) -> np.ndarray:
        return 1.0 / (self.hist_se**2 + np.nan_to_num(sim_se, nan=0.0) ** 2)

    def residuals(self, sim: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """sqrt(W) (m_sim - m_hist) at each row of ``sim``; a NaN moment (no events) as 10
        SEs off."""
        w = self.weights if weights is None else weights
        assert w is not None
        r = (sim - self.hist) * np.sqrt(w)
        return np.where(np.isnan(r), 10.0, r)

    def cost(self, sim: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Q at each row of ``sim``: the sum of the squared residuals."""
        return (self.residuals(sim, weights) ** 2).sum(axis=-1)

    def theta_of(self, u: np.ndarray) -> np.ndarray:
        """Parameter values at a point of the scaled search space [0, 1]^p."""
        return theta_of(self.parameters, u)

    def record(self, theta: np.ndarray, q: float) -> None:
        """Note an evaluation of the search in the history and the log."""
        self.history.append((theta.tolist(), q))
        self.say(f"run {self.runs}: Q = {q:.4g} at {theta.tolist()}")

"""Checkpoints: the completed part of a run, written atomically, resumable."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from forecaster.engine import Counters
from forecaster.kernels import STREAM_VERSION
from forecaster.scenario import Scenario

CHECKPOINT_NAME = "checkpoint.npz"


def fingerprint(spec: dict[str, Any], grid: dict[str, Any], seed: int) -> str:
    """What a checkpoint must match to be resumed: the scenario, its grid and the seed.

    Trajectory counts, block size, cluster and output settings may differ.
    """
    scenario_part = {
        k: v for k, v in spec.items() if k not in ("run", "cluster", "output", "sweep")
    }
    run = spec.get("run", {})
    scenario_part["clock"] = [
        run.get("horizon_years"),
        run.get("dt_years"),
        run.get("burn_in_years", 0.0),
    ]
    text = json.dumps([scenario_part, grid, int(seed)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Checkpoint:
    """The completed part of a run: the running total, written atomically to ``path``.

    Its size depends on the grid and the scenario, not on the trajectories.
    """

    path: Path
    key: str
    every_s: float = 10.0
    _last: float = field(default=0.0, repr=False)

    def save(self, total: Counters, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every_s:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".partial")
        with open(tmp, "wb") as f:
            np.savez(f, fingerprint=np.array(self.key), n_trajectories=total.n_trajectories,
                     stream_version=np.array(STREAM_VERSION),
                     **{name: getattr(total, name) for name in Counters.ARRAYS})  # fmt: skip
        os.replace(tmp, self.path)
        self._last = now

    def load(self, scenario: Scenario) -> Counters:
        """The saved total; ``ValueError`` if it belongs to another scenario, grid, seed or
        random stream version."""
        with np.load(self.path) as data:
            # checkpoints from before stream versions were recorded drew version 1
            version = int(data["stream_version"]) if "stream_version" in data else 1
            if version != STREAM_VERSION:
                raise ValueError(
                    f"run.resume: {self.path} was written with random stream version {version}, "
                    f"and this forecaster draws stream version {STREAM_VERSION}: its trajectories "
                    "cannot be continued with other draws; start a new run, or finish this one "
                    f"with a forecaster of stream version {version}"
                )
            if str(data["fingerprint"]) != self.key:
                raise ValueError(
                    f"run.resume: {self.path} was written for another scenario, grid or seed; "
                    "resume with the same configuration (trajectories and block size may change)"
                )
            total = Counters.zeros(scenario)
            total.n_trajectories[:] = data["n_trajectories"]
            for name in Counters.ARRAYS:
                getattr(total, name)[...] = data[name]
        return total

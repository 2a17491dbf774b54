"""Checkpoints: the completed part of a run, written atomically, verified, resumable.

A checkpoint holds the running total and a SHA-256 checksum of it; loading
checks the checksum, the arrays' shapes against the scenario and the counts'
invariants (no count above its row's trajectories, none negative), so a
truncated, damaged or edited checkpoint is refused naming the file and the
array, never resumed into wrong numbers. Only arrays are read
(``allow_pickle=False``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
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
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        arrays = {"n_trajectories": total.n_trajectories,
                  **{name: getattr(total, name) for name in Counters.ARRAYS}}  # fmt: skip
        try:
            with open(tmp, "wb") as f:
                np.savez(f, fingerprint=np.array(self.key), stream_version=np.array(STREAM_VERSION),
                         checksum=np.array(_checksum(self.key, arrays)), **arrays)  # fmt: skip
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a full disk keeps the last whole checkpoint
            raise
        self._last = now

    def load(self, scenario: Scenario) -> Counters:
        """The saved total; ``ValueError`` naming the file (and the array) if it is damaged,
        incomplete or edited, or belongs to another scenario, grid, seed or random stream
        version."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                saved = {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
            raise ValueError(
                f"{self.path}: not a readable checkpoint (damaged or incomplete: "
                f"{type(err).__name__}); start a new run"
            ) from None
        # checkpoints from before stream versions were recorded drew version 1
        version = int(saved["stream_version"]) if "stream_version" in saved else 1
        if version != STREAM_VERSION:
            raise ValueError(
                f"run.resume: {self.path} was written with random stream version {version}, "
                f"and this forecaster draws stream version {STREAM_VERSION}: its trajectories "
                "cannot be continued with other draws; start a new run, or finish this one "
                f"with a forecaster of stream version {version}"
            )
        if "fingerprint" not in saved or str(saved["fingerprint"]) != self.key:
            raise ValueError(
                f"run.resume: {self.path} was written for another scenario, grid or seed; "
                "resume with the same configuration (trajectories and block size may change)"
            )
        total = Counters.zeros(scenario)
        _verify(self.path, self.key, saved, total)
        total.n_trajectories[:] = saved["n_trajectories"]
        for name in Counters.ARRAYS:
            getattr(total, name)[...] = saved[name]
        return total


def _checksum(key: str, arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256(key.encode())
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{value.dtype.str}:{value.shape}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def _verify(path: Path, key: str, saved: dict[str, np.ndarray], zeros: Counters) -> None:
    """Refuse a checkpoint whose arrays are missing, misshapen, edited or inconsistent."""
    names = ("n_trajectories", *Counters.ARRAYS)
    for name in names:
        expected = getattr(zeros, name)
        if name not in saved:
            raise ValueError(f"{path}: array {name} is missing (an incomplete checkpoint)")
        value = saved[name]
        if value.shape != expected.shape or value.dtype != expected.dtype:
            raise ValueError(
                f"{path}: array {name} is {value.dtype}{list(value.shape)} where this run "
                f"needs {expected.dtype}{list(expected.shape)} (a damaged checkpoint)"
            )
    if "checksum" in saved and str(saved["checksum"]) != _checksum(
        key, {name: saved[name] for name in names}
    ):
        raise ValueError(
            f"{path}: its arrays do not match its checksum (a damaged or edited checkpoint); "
            "start a new run"
        )
    n = saved["n_trajectories"]
    if (n < 0).any():
        raise ValueError(f"{path}: array n_trajectories has negative counts")
    for name in ("by_time_state", "by_time_alliance", "by_time"):
        counts = saved[name]
        per_row = counts.reshape(len(n), -1)
        if (per_row < 0).any() or (per_row > n[:, None]).any():
            raise ValueError(
                f"{path}: array {name} has counts outside 0 .. n_trajectories "
                "(an inconsistent checkpoint)"
            )

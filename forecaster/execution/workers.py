"""What every process that runs kernels needs: the kernels loaded, one thread, quiet logs."""

from __future__ import annotations

import logging
import time

import numpy as np

from forecaster.engine import simulate
from forecaster.kernels import layout
from forecaster.scenario import Scenario


def tiny_scenario() -> Scenario:
    """The smallest scenario the kernels accept: one state, one alliance, one step.

    Its values do not matter: zero trajectories of it make numba compile (or
    load from its cache) the kernels for the argument types every run uses.
    """
    n_dists = layout.N_PARAMETERS + 2
    return Scenario(
        name="warm-up",
        state_names=("A",),
        alliance_names=("a",),
        region_names=("r",),
        n_steps=1,
        dt=0.25,
        flags=np.zeros(layout.N_MECHANISMS, dtype=np.int32),
        state_attr=np.zeros((1, 1, layout.N_STATE_ATTRS)),
        region=np.zeros(1, dtype=np.int32),
        is_adversary=np.zeros(1, dtype=np.int32),
        alliance_attr=np.zeros((1, 1, layout.N_ALLIANCE_ATTRS)),
        member=np.ones((1, 1), dtype=np.int32),
        leader=np.zeros(1, dtype=np.int32),
        interest=np.zeros((1, 1, 1)),
        target_weight=np.zeros((1, 1, 1)),
        dist_code=np.zeros((1, n_dists), dtype=np.int32),
        dist_param=np.zeros((1, n_dists, 3)),
    )


def warm_kernels() -> float:
    """Compile (or load from the cache) the kernels in this process; seconds taken."""
    start = time.perf_counter()
    simulate(tiny_scenario(), 0, 0, 0)
    return time.perf_counter() - start


def worker_environment() -> dict[str, str]:
    """Environment for worker processes: one numba thread each."""
    return {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def quiet_dask_logs() -> None:
    """dask's own logs at WARNING (importing distributed sets them to INFO)."""
    for name in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.WARNING)

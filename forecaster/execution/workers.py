"""What every process that runs kernels needs: the kernels loaded, one thread, quiet logs."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

import numpy as np
from numba.core import config as numba_config

from forecaster.engine import simulate
from forecaster.kernels import layout
from forecaster.kernels._cache import KERNEL_DIR, SOURCES_DIGEST
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


#: the first compile of every kernel (numba compiles on one core), measured: 99 s and 201 s
#: on a loaded 2-core machine (issue 21; the session that fixed it)
COLD_COMPILE = "about 1 to 4 min on a busy machine"


def _compiled_marker() -> Path | None:
    """A file beside numba's cache that says these kernel sources have been compiled."""
    folders = [numba_config.CACHE_DIR] if numba_config.CACHE_DIR else []
    folders += [str(KERNEL_DIR / "__pycache__"), tempfile.gettempdir()]
    for folder in folders:
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK):
            return Path(folder) / f"forecaster-kernels-{SOURCES_DIGEST[:16]}.compiled"
    return None


def compile_kernels_once(out: TextIO | None = None) -> bool:
    """Compile the kernels here, first saying so, when these sources have no compiled cache.

    Prints ``compiling the numba kernels once, ...`` to ``out`` (default: stderr)
    before a cold compile, so that a first run does not sit silent for a minute or
    two; later calls (and later runs) find the marker and print nothing. Returns
    whether it compiled.
    """
    marker = _compiled_marker()
    if marker is not None and marker.is_file():
        return False
    print(
        f"compiling the numba kernels once, {COLD_COMPILE} (later runs load them from the cache)",
        file=out or sys.stderr,
        flush=True,
    )
    warm_kernels()
    if marker is not None:
        with contextlib.suppress(OSError):  # a read-only folder: the line comes again
            marker.touch()
    return True

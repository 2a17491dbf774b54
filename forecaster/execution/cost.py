"""What a run will cost, estimated before it starts, and the budget it must fit.

The estimate has two parts. Memory is arithmetic: the driver holds the running
total of the counters (:meth:`Counters.nbytes_of`: a size fixed by the grid,
the states, the alliances and the steps, never by the trajectories), the
results dataset made from it, and the counters of at most a window of tasks
(:mod:`.executor`). Time is measured: a short block of trajectories of the
first grid point, simulated in this process and not counted, gives this
machine's throughput on this scenario, which is scaled by the trajectory runs
and the threads that will share them.

A run whose estimate passes the budget (:data:`TIME_BUDGET_S`, :func:`memory_budget`)
is refused before any work, with its estimate and the flag that allows it
(``run.allow_long=true``, ``run.allow_large=true``).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field, replace

import numpy as np

from forecaster.engine import Counters, simulate
from forecaster.scenario import Scenario

from .executor import count_tasks

#: estimated wall time above which a run is refused without ``run.allow_long=true``
TIME_BUDGET_S = 12 * 3600.0
#: estimates above this many seconds are logged as warnings
LONG_RUN_S = 300.0
#: bytes the driver holds per byte of counters: the total, the dataset made from it
#: (probabilities, standard errors, Wilson bounds, means over time) and its copies on
#: the way to the results file; measured 3.3 on NATO (docs/results.md), rounded up
DATASET_FACTOR = 4.0
#: seconds of the scheduler and the driver per dask task (submission, transfer, adding into
#: the total), which no number of workers shares out: 100,000 tasks of one trajectory take
#: minutes; in-process tasks cost only the counters' allocation and addition
TASK_OVERHEAD_S = {"dask": 0.003, "in_process": 0.0002}
#: per-task overhead a run may spend, when it is also more than the simulation's time
OVERHEAD_LIMIT_S = 60.0
#: trajectories of the probe that measures the throughput
PROBE_TRAJECTORIES = 200


def memory_budget() -> int:
    """Bytes a run may hold without ``run.allow_large=true``: half of this machine's memory."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)


@dataclass(frozen=True)
class Cost:
    """The estimate of one run: its size, its driver memory and (once probed) its time."""

    trajectory_runs: int
    grid_points: int
    memory_bytes: int
    threads: int
    #: seconds of simulation on one thread (None: not probed)
    work_s: float | None = None
    #: seconds of per-task overhead, serial whatever the threads
    overhead_s: float = 0.0
    #: tasks, and the block size that gives them
    tasks: int = 0
    block_size: int = 0
    #: the probe's counters: :data:`PROBE_TRAJECTORIES` of the first grid row (not counted
    #: in the run; what callers check a run's outputs against before it starts)
    probe: Counters | None = field(default=None, repr=False, compare=False)

    @property
    def seconds(self) -> float | None:
        """Estimated wall time on :attr:`threads` threads."""
        if self.work_s is None:
            return None
        return max(self.work_s / self.threads, self.overhead_s)

    def on(self, threads: int) -> Cost:
        """The same run on ``threads`` threads."""
        return replace(self, threads=max(1, threads))

    def problems(self, allow_long: bool, allow_large: bool, what: str = "the run") -> list[str]:
        """The budget lines this estimate breaks (empty when it fits or is allowed)."""
        problems = []
        if not allow_large and self.memory_bytes > memory_budget():
            problems.append(
                f"{what} would hold about {size(self.memory_bytes)} of counters and results "
                f"({self.grid_points:,} grid points), over the budget of {size(memory_budget())} "
                "(half of this machine's memory): use fewer grid points, states or steps, "
                "or set run.allow_large=true to run it anyway"
            )
        if not allow_long and self.seconds is not None and self.seconds > TIME_BUDGET_S:
            problems.append(
                f"{what} would take about {duration(self.seconds)} on {self.threads} threads "
                f"({self.trajectory_runs:,} trajectory runs), over the budget of "
                f"{duration(TIME_BUDGET_S)}: use fewer trajectories or grid points, more "
                "workers, or set run.allow_long=true to run it anyway"
            )
        simulating = (self.work_s or 0.0) / self.threads
        if not allow_long and self.overhead_s > max(OVERHEAD_LIMIT_S, simulating):
            wider = self.block_size * math.ceil(self.overhead_s / max(OVERHEAD_LIMIT_S, simulating))
            problems.append(
                f"run.block_size = {self.block_size}: {self.tasks:,} tasks would spend about "
                f"{duration(self.overhead_s)} in per-task overhead, more than simulating "
                f"({duration(simulating)}); allowed: a block size of at least about {wider:,}, "
                "or set run.allow_long=true to run it anyway"
            )
        return problems


def driver_memory(n_rows: int, n_states: int, n_alliances: int, n_steps: int, window: int) -> int:
    """Bytes the driver holds for a run of ``n_rows`` grid rows (see the module's note)."""
    per_row = Counters.nbytes_of(n_states, n_alliances, n_steps)
    return int(per_row * (n_rows * DATASET_FACTOR + window))


def probe(scenario: Scenario, seed: int) -> tuple[float, Counters]:
    """Seconds one trajectory of the first grid row takes on this machine, and the counters
    of the probe that measured it (:data:`PROBE_TRAJECTORIES`, in this process, not counted)."""
    first = scenario.take([0])
    simulate(first, 0, 1, seed)  # loads the kernels: not part of the throughput
    start = time.perf_counter()
    counters = simulate(first, 0, PROBE_TRAJECTORIES, seed)
    return (time.perf_counter() - start) / PROBE_TRAJECTORIES, counters


def estimate(
    scenario: Scenario,
    trajectories: int,
    seed: int,
    threads: int,
    block_size: int | None = None,
    window: int = 0,
    dask: bool = True,
) -> Cost:
    """The cost of ``trajectories`` per grid row of ``scenario`` on ``threads`` threads, in
    tasks of ``block_size`` (their overhead is serial: :data:`TASK_OVERHEAD_S`, of dask's
    tasks or of in-process ones)."""
    runs = int(trajectories) * scenario.n_rows
    per_trajectory, counters = probe(scenario, seed)
    memory = driver_memory(
        scenario.n_rows, scenario.n_states, scenario.n_alliances, scenario.n_steps, window
    )
    tasks = 0
    if block_size is not None:
        zeros = np.zeros(scenario.n_rows, dtype=np.int64)
        goal = np.full(scenario.n_rows, int(trajectories), dtype=np.int64)
        tasks = count_tasks(zeros, goal, block_size)
    overhead = tasks * TASK_OVERHEAD_S["dask" if dask else "in_process"]
    return Cost(runs, scenario.n_rows, memory, max(1, threads), runs * per_trajectory, overhead,
                tasks, block_size or 0, counters)  # fmt: skip


def local_threads() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def size(n_bytes: float) -> str:
    """``512 B``, ``3.2 MB``, ``4.9 GB``, ``9.6 TB``."""
    for unit in ("B", "kB", "MB", "GB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.1f} TB"


def duration(seconds: float) -> str:
    """``42 s``, ``3.5 min``, ``2.1 h``, ``4.0 days``, ``31.7 years``."""
    for limit, unit, scale in ((120, "s", 1), (7200, "min", 60), (172800, "h", 3600),
                               (3e7, "days", 86400)):  # fmt: skip
        if seconds < limit:
            return f"{seconds / scale:.0f} s" if unit == "s" else f"{seconds / scale:.1f} {unit}"
    return f"{seconds / 31557600:.1f} years"


def planned_threads(cluster: dict) -> int | None:
    """Worker threads a cluster config will give, before it starts (None: only the running
    scheduler knows, as for ``kind: address`` or an adaptive batch cluster's floor)."""
    kind = cluster.get("kind")
    if kind == "in_process":
        return 1
    if kind == "local":
        return int(cluster.get("n_workers") or local_threads())
    if kind in ("slurm", "pbs") and cluster.get("n_jobs") and cluster.get("cores"):
        return int(cluster["n_jobs"]) * int(cluster["cores"])
    return None

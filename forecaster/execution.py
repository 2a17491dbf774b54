"""Run the kernels over tasks of (grid chunk x trajectory block), in-process or on dask.

Counters of tasks are summed in task order. Results may arrive in any order;
a task's counters wait in a reorder buffer until every earlier task has been
added, so the floating-point sums are identical from run to run, and the
driver holds only the counters of tasks that finished early, never one per
trajectory.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from .counters import Counters, simulate
from .scenario import Scenario

log = logging.getLogger("forecaster")


@dataclass(frozen=True)
class Task:
    """Grid rows ``[row_start, row_stop)`` x trajectories ``[first, first + n)``."""

    index: int
    row_start: int
    row_stop: int
    first: int
    n: int


def plan(scenario: Scenario, first: int, trajectories: int, block_size: int) -> list[Task]:
    """Tasks covering trajectories ``[first, first + trajectories)`` for every grid row.

    A task does about ``block_size`` trajectory-rows of work: one grid row and
    ``block_size`` trajectories, or, when there are fewer trajectories than
    that, several grid rows at once. The split never changes the counts.
    """
    if block_size < 1 or trajectories < 1:
        raise ValueError(
            f"block_size = {block_size}, trajectories = {trajectories}: both must be >= 1"
        )
    rows = scenario.n_rows
    per_task = min(rows, max(1, block_size // trajectories))
    block = max(1, block_size // per_task)
    tasks = []
    for row_start in range(0, rows, per_task):
        for start in range(first, first + trajectories, block):
            tasks.append(
                Task(
                    len(tasks),
                    row_start,
                    min(rows, row_start + per_task),
                    start,
                    min(block, first + trajectories - start),
                )
            )
    return tasks


def run_task(scenario: Scenario, task: Task, seed: int) -> tuple[int, Counters]:
    """Counters of one task (runs on a worker)."""
    part = scenario.rows(task.row_start, task.row_stop)
    return task.index, simulate(part, task.first, task.n, seed)


class OrderedSum:
    """Adds task counters into a total in task order (see the module docstring)."""

    def __init__(self, scenario: Scenario, tasks: list[Task]):
        self.total = Counters.zeros(scenario)
        self.tasks = tasks
        self.pending: dict[int, Counters] = {}
        self.next = 0
        self.trajectories: dict[int, int] = {}

    def add(self, index: int, counters: Counters) -> None:
        self.pending[index] = counters
        while self.next in self.pending:
            task = self.tasks[self.next]
            part = self.pending.pop(self.next)
            target = self.total.rows(task.row_start, task.row_stop)
            for name in Counters.ARRAYS:
                getattr(target, name).__iadd__(getattr(part, name))
            self.next += 1

    @property
    def done(self) -> bool:
        return self.next == len(self.tasks)


class Progress:
    """A tqdm bar on a terminal, and a log line every 10% of tasks."""

    def __init__(self, total: int, enabled: bool = True):
        self.total, self.count, self.start = total, 0, time.perf_counter()
        self.next_decile = 1
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="task", desc="forecast", leave=False)

    def update(self) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update()
        decile = self.count * 10 // self.total
        if decile >= self.next_decile:
            elapsed = time.perf_counter() - self.start
            log.info("%3d%% of %d tasks done (%.1f s)", decile * 10, self.total, elapsed)
            self.next_decile = decile + 1

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_in_process(
    scenario: Scenario, tasks: list[Task], seed: int, progress: bool = True
) -> Counters:
    """Every task in this process, in order."""
    total = OrderedSum(scenario, tasks)
    bar = Progress(len(tasks), progress)
    for task in tasks:
        total.add(*run_task(scenario, task, seed))
        bar.update()
    bar.close()
    return total.total


def run_on_client(
    client,
    scenario: Scenario,
    tasks: list[Task],
    seed: int,
    progress: bool = True,
    retries: int = 3,
    on_result: Callable[[int], None] | None = None,
) -> Counters:
    """Every task on a dask cluster; a task whose worker dies is retried."""
    from distributed import as_completed

    scenario_future = client.scatter(scenario, broadcast=True)
    total = OrderedSum(scenario, tasks)
    bar = Progress(len(tasks), progress)
    futures = [
        client.submit(run_task, scenario_future, task, seed, retries=retries, pure=False)
        for task in tasks
    ]
    try:
        for future in as_completed(futures):
            index, counters = future.result()
            total.add(index, counters)
            future.release()
            bar.update()
            if on_result is not None:
                on_result(index)
    finally:
        bar.close()
    return total.total


def warm_kernels() -> float:
    """Compile (or load from the cache) the kernels in this process; seconds taken."""
    import numpy as np

    from .scenario import compile_scenario
    from .spec import load_spec

    start = time.perf_counter()
    tiny = compile_scenario(load_spec(portfolio="regional"), grid={"threat.scale": [1.0]})
    simulate(tiny, 0, 1, np.uint64(0).item())
    return time.perf_counter() - start


def worker_environment() -> dict[str, str]:
    """Environment for worker processes: one numba thread each."""
    return {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def quiet_dask_logs() -> None:
    for name in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.WARNING)

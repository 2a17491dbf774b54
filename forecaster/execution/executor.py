"""Run the kernels over tasks of (grid rows x trajectory block), in-process or on dask.

Row ``g`` of a run always holds trajectories ``0 .. n_g - 1``: tasks extend
each row's contiguous prefix, so the counts of any row depend only on how
many trajectories it got, never on how they were split, scheduled, retried or
resumed (randomness is keyed, docs/model.md §7).

Counters of tasks are added in task order. Results may arrive in any order;
a finished task waits in a reorder buffer until every earlier task has been
added, so the floating-point sums are the same from run to run. The driver
holds the running total plus the counters of tasks that finished before an
earlier one (unbounded in principle: if the first task were the last to
finish, every other task's counters would wait; each is a few tens of kB and
independent of the trajectories), never anything per trajectory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from distributed import Client, Scheduler, as_completed

from forecaster.engine import Counters, simulate
from forecaster.scenario import Scenario

from .checkpoint import Checkpoint
from .plugins import RescheduleCounter
from .precision import headline_se, next_goal
from .progress import Progress

log = logging.getLogger("forecaster")

#: How often dask runs a task again after it raised (a transient error on a worker:
#: a full disk, a lost file system, memory). Randomness is keyed, so a task run
#: again returns the same counters. A task whose worker died is rescheduled by
#: dask whatever this says; a task that fails every time fails the run after
#: 1 + TASK_RETRIES tries, with its own error.
TASK_RETRIES = 2


@dataclass(frozen=True)
class Task:
    """Trajectories ``[first, first + n)`` of the grid rows ``rows``."""

    index: int
    rows: tuple[int, ...]
    first: int
    n: int


def plan(done: np.ndarray, goal: np.ndarray, block_size: int, start_index: int = 0) -> list[Task]:
    """Tasks that take every grid row ``g`` from ``done[g]`` to ``goal[g]`` trajectories.

    Rows with the same range are grouped; a task does about ``block_size``
    trajectory-rows of work (one row and ``block_size`` trajectories, or
    several rows when each needs fewer). Each row's blocks are in ascending order.
    """
    if block_size < 1:
        raise ValueError(f"block_size = {block_size}: must be >= 1")
    ranges: dict[tuple[int, int], list[int]] = {}
    for g, (a, b) in enumerate(zip(done.tolist(), goal.tolist(), strict=True)):
        if b > a:
            ranges.setdefault((a, b), []).append(g)
    tasks: list[Task] = []
    for (a, b), rows in sorted(ranges.items(), key=lambda item: item[1][0]):
        per_task = min(len(rows), max(1, block_size // (b - a)))
        block = max(1, block_size // per_task)
        for chunk in range(0, len(rows), per_task):
            group = tuple(rows[chunk : chunk + per_task])
            for first in range(a, b, block):
                tasks.append(Task(start_index + len(tasks), group, first, min(block, b - first)))
    return tasks


def run_task(rows: Scenario, task: Task, seed: int) -> tuple[int, Counters]:
    """Counters of one task (runs on a worker); ``rows`` is the scenario of its grid rows.

    Each task carries its own rows by value (tens of kB), so no worker holds
    data that others need: losing any worker loses nothing but its running tasks.
    """
    return task.index, simulate(rows, task.first, task.n, seed)


class Accumulator:
    """The running total of a run, fed task results in any order, added in task order."""

    def __init__(self, total: Counters):
        self.total = total
        self.tasks: dict[int, Task] = {}
        self.pending: dict[int, Counters] = {}
        self.next = 0

    def expect(self, tasks: list[Task]) -> None:
        self.tasks.update({t.index: t for t in tasks})

    def add(self, index: int, counters: Counters) -> None:
        self.pending[index] = counters
        while self.next in self.pending:
            task = self.tasks.pop(self.next)
            rows = np.asarray(task.rows)
            part = self.pending.pop(self.next)
            if not np.array_equal(self.total.n_trajectories[rows], np.full(len(rows), task.first)):
                raise RuntimeError(f"task {task} does not extend its rows' trajectories")
            self.total.add_rows(rows, part)
            self.next += 1


@dataclass
class RunStats:
    tasks: int = 0
    rounds: int = 0
    retries: int | None = 0
    wall_time_s: float = 0.0


def execute(
    scenario: Scenario,
    seed: int,
    trajectories: int,
    block_size: int,
    client: Client | None = None,
    target_se: float | None = None,
    max_trajectories: int | None = None,
    start: Counters | None = None,
    checkpoint: Checkpoint | None = None,
    progress: bool = True,
    on_result: Callable[[int], None] | None = None,
) -> tuple[Counters, RunStats]:
    """Simulate every grid row to ``trajectories`` (then, with ``target_se``, on to precision).

    ``start`` continues an earlier total (resume). The checkpoint, if any, is
    written every few seconds, after each round and when the run is stopped.
    """
    total = start if start is not None else Counters.zeros(scenario)
    acc = Accumulator(total)
    stats = RunStats(retries=0 if client is None else None)
    counter = _RetryCounter.install(client) if client is not None else None
    begin = time.perf_counter()
    first_goal = trajectories if max_trajectories is None else min(trajectories, max_trajectories)
    goal = np.maximum(np.full(scenario.n_rows, first_goal, dtype=np.int64), total.n_trajectories)
    try:
        while True:
            tasks = plan(total.n_trajectories, goal, block_size, start_index=acc.next)
            if tasks:
                acc.expect(tasks)
                _run_tasks(scenario, tasks, seed, client, acc, progress, on_result, checkpoint)
                stats.tasks += len(tasks)
            stats.rounds += 1
            if checkpoint is not None:
                checkpoint.save(total, force=True)
            if target_se is None:
                break
            se = headline_se(total, scenario.is_adversary)
            goal = next_goal(total, se, target_se, max_trajectories, block_size)
            continuing = int((goal > total.n_trajectories).sum())
            log.info(
                "round %d: largest headline error %.4f (target %.4f), %d grid points continue",
                stats.rounds, se.max(), target_se, continuing,
            )  # fmt: skip
            if not (goal > total.n_trajectories).any():
                break
    except BaseException:
        if checkpoint is not None:
            checkpoint.save(total, force=True)
        raise
    stats.wall_time_s = time.perf_counter() - begin
    if counter is not None and client is not None:
        stats.retries = counter.read(client)
    return total, stats


def _run_tasks(
    scenario: Scenario,
    tasks: list[Task],
    seed: int,
    client: Client | None,
    acc: Accumulator,
    progress: bool,
    on_result: Callable[[int], None] | None,
    checkpoint: Checkpoint | None,
) -> None:
    bar = Progress(len(tasks), progress)
    try:
        if client is None:
            for task in tasks:
                acc.add(*run_task(scenario.take(task.rows), task, seed))
                _after(task.index, bar, on_result, checkpoint, acc)
        else:
            futures = [
                client.submit(
                    run_task, scenario.take(task.rows), task, seed, pure=False, retries=TASK_RETRIES
                )
                for task in tasks
            ]
            for future in as_completed(futures, loop=client.loop):
                index, counters = future.result()
                future.release()
                acc.add(index, counters)
                _after(index, bar, on_result, checkpoint, acc)
    finally:
        bar.close()


def _after(
    index: int,
    bar: Progress,
    on_result: Callable[[int], None] | None,
    checkpoint: Checkpoint | None,
    acc: Accumulator,
) -> None:
    bar.update()
    if checkpoint is not None:
        checkpoint.save(acc.total)
    if on_result is not None:
        on_result(index)


class _RetryCounter:
    """Counts tasks the scheduler had to start again (their worker died) or retried."""

    NAME = "forecaster-retries"

    @classmethod
    def install(cls, client: Client) -> _RetryCounter | None:
        def installed(dask_scheduler: Scheduler) -> bool:
            return cls.NAME in dask_scheduler.plugins

        try:
            if not client.run_on_scheduler(installed):
                client.register_plugin(RescheduleCounter(), name=cls.NAME)
        except Exception as err:  # a scheduler without forecaster installed
            log.warning("retries will not be counted: %s", err)
            return None
        return cls()

    def read(self, client: Client) -> int | None:
        def count(dask_scheduler: Scheduler) -> int | None:
            plugin = dask_scheduler.plugins.get(_RetryCounter.NAME)
            return plugin.take() if isinstance(plugin, RescheduleCounter) else None

        return client.run_on_scheduler(count)

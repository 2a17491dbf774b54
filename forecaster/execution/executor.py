"""Run the kernels over tasks of (grid rows x trajectory block), in-process or on dask.

Row ``g`` of a run always holds trajectories ``0 .. n_g - 1``: tasks extend
each row's contiguous prefix, so the counts of any row depend only on how
many trajectories it got, never on how they were split, scheduled, retried or
resumed (randomness is keyed, docs/model.md §7).

Counters of tasks are added in task order. Results may arrive in any order;
a finished task waits in a reorder buffer until every earlier task has been
added, so the floating-point sums are the same from run to run.

Memory is bounded by construction: tasks are generated lazily (:func:`iter_plan`)
and submitted in a window of at most ``window`` tasks past the oldest task not
yet added, so the driver holds the running total, at most ``window`` tasks'
counters and futures, and never anything per trajectory or per task of the
whole run (a run of 10^12 trajectories or of block size 1 plans no more than a
short one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
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
    The list of :func:`iter_plan` (which a run consumes lazily).
    """
    return list(iter_plan(done, goal, block_size, start_index))


def _groups(
    done: np.ndarray, goal: np.ndarray, block_size: int
) -> list[tuple[tuple[int, ...], int, int, int]]:
    """``(rows, first, stop, block)`` of each group of rows that share a range."""
    if block_size < 1:
        raise ValueError(f"block_size = {block_size}: must be >= 1")
    ranges: dict[tuple[int, int], list[int]] = {}
    for g, (a, b) in enumerate(zip(done.tolist(), goal.tolist(), strict=True)):
        if b > a:
            ranges.setdefault((a, b), []).append(g)
    groups: list[tuple[tuple[int, ...], int, int, int]] = []
    for (a, b), rows in sorted(ranges.items(), key=lambda item: item[1][0]):
        per_task = min(len(rows), max(1, block_size // (b - a)))
        block = max(1, block_size // per_task)
        groups.extend(
            (tuple(rows[chunk : chunk + per_task]), a, b, block)
            for chunk in range(0, len(rows), per_task)
        )
    return groups


def iter_plan(
    done: np.ndarray, goal: np.ndarray, block_size: int, start_index: int = 0
) -> Iterator[Task]:
    """The tasks of :func:`plan`, one at a time (memory independent of their number)."""
    index = start_index
    for rows, a, b, block in _groups(done, goal, block_size):
        for first in range(a, b, block):
            yield Task(index, rows, first, min(block, b - first))
            index += 1


def count_tasks(done: np.ndarray, goal: np.ndarray, block_size: int) -> int:
    """How many tasks :func:`iter_plan` yields, without generating them."""
    return sum(-(-(b - a) // block) for _, a, b, block in _groups(done, goal, block_size))


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

    def expect(self, task: Task) -> None:
        self.tasks[task.index] = task

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
            n_tasks = count_tasks(total.n_trajectories, goal, block_size)
            if n_tasks:
                tasks = iter_plan(total.n_trajectories, goal, block_size, start_index=acc.next)
                bar = Progress(n_tasks, progress)
                try:
                    _run_tasks(scenario, tasks, seed, client, acc, bar, on_result, checkpoint)
                finally:
                    bar.close()
                stats.tasks += n_tasks
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


def window_of(client: Client | None) -> int:
    """Tasks in flight at most: four per worker thread (at least 8), so that workers never
    wait for the driver, while the driver's memory does not grow with the run."""
    if client is None:
        return 1
    workers = client.scheduler_info().get("workers", {}).values()
    threads = sum(int(w.get("nthreads", 1)) for w in workers)
    return max(8, 4 * threads)


def _run_tasks(
    scenario: Scenario,
    tasks: Iterator[Task],
    seed: int,
    client: Client | None,
    acc: Accumulator,
    bar: Progress,
    on_result: Callable[[int], None] | None,
    checkpoint: Checkpoint | None,
) -> None:
    if client is None:
        for task in tasks:
            acc.expect(task)
            acc.add(*run_task(scenario.take(task.rows), task, seed))
            _after(task.index, bar, on_result, checkpoint, acc)
        return
    window = window_of(client)
    in_flight = as_completed([], loop=client.loop)
    upcoming = next(tasks, None)
    while True:
        # at most `window` tasks between the oldest not yet added and the newest submitted:
        # futures, results waiting in the reorder buffer and tasks all stay bounded
        while upcoming is not None and upcoming.index < acc.next + window:
            acc.expect(upcoming)
            in_flight.add(client.submit(run_task, scenario.take(upcoming.rows), upcoming, seed,
                                        pure=False, retries=TASK_RETRIES))  # fmt: skip
            upcoming = next(tasks, None)
        if in_flight.is_empty():
            break
        future = next(in_flight)
        index, counters = future.result()
        future.release()
        acc.add(index, counters)
        _after(index, bar, on_result, checkpoint, acc)


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

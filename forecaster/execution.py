"""Run the kernels over tasks of (grid rows x trajectory block), in-process or on dask.

Row ``g`` of a run always holds trajectories ``0 .. n_g - 1``: tasks extend
each row's contiguous prefix, so the counts of any row depend only on how
many trajectories it got, never on how they were split, scheduled, retried or
resumed (randomness is keyed, MODEL.md §5).

Counters of tasks are added in task order. Results may arrive in any order;
a finished task waits in a reorder buffer until every earlier task has been
added, so the floating-point sums are the same from run to run, and the
driver holds only the running total plus the few tasks that finished early,
never anything per trajectory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .counters import Counters, simulate
from .kernels import STREAM_VERSION
from .kernels import layout as L
from .scenario import Scenario

log = logging.getLogger("forecaster")

CHECKPOINT_NAME = "checkpoint.npz"


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


# ---------------------------------------------------------------- checkpoints
def fingerprint(spec: dict[str, Any], grid: dict[str, list[float]], seed: int) -> str:
    """What a checkpoint must match to be resumed: the scenario, its grid and the seed.

    Trajectory counts, block size, cluster and output settings may differ.
    """
    scenario_part = {
        k: v for k, v in spec.items() if k not in ("run", "cluster", "output", "sweep")
    }
    run = spec.get("run", {})
    scenario_part["clock"] = [run.get("horizon_years"), run.get("dt_years")]
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


# ---------------------------------------------------------------- precision
def headline_se(counters: Counters, is_adversary: np.ndarray) -> np.ndarray:
    """Per grid row, the largest standard error among the headline probabilities at the horizon.

    Headline: P(war), P(entrapment), P(abandonment) of every non-adversary state;
    P(intact) and P(member at war) of every alliance; P(any war).
    """
    n = counters.n_trajectories.astype(float)
    friendly = ~is_adversary.astype(bool)
    end = [
        counters.by_time_state[:, -1][:, friendly][
            ..., [L.BT_WAR, L.BT_ENTRAPMENT, L.BT_ABANDONMENT]
        ],
        counters.by_time_alliance[:, -1],
        counters.by_time[:, -1, [L.BG_ANY_WAR]],
    ]
    worst = np.zeros(len(n))
    for counts in end:
        flat = counts.reshape(len(n), -1).astype(float)
        if flat.shape[1] == 0:
            continue
        p = flat / n[:, None]
        worst = np.maximum(worst, np.sqrt(p * (1 - p) / n[:, None]).max(axis=1))
    return worst


def next_goal(
    counters: Counters, se: np.ndarray, target_se: float, cap: int | None, block_size: int
) -> np.ndarray:
    """Trajectories each row needs for its largest error to reach ``target_se``.

    A binomial error falls as 1/sqrt(n): n_needed = n (se / target)², plus 10%,
    at least one more block; rows at their target, or at the cap, stay put.
    """
    n = counters.n_trajectories
    need = np.ceil(n * (se / target_se) ** 2 * 1.1).astype(np.int64)
    need = np.maximum(need, n + min(block_size, max(1, n.min())))
    goal = np.where(se > target_se, need, n)
    if cap is not None:
        goal = np.minimum(goal, cap)
    return np.maximum(goal, n)


# ---------------------------------------------------------------- progress
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


# ---------------------------------------------------------------- running
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
    client=None,
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
    if counter is not None:
        stats.retries = counter.read(client)
    return total, stats


def _run_tasks(scenario, tasks, seed, client, acc, progress, on_result, checkpoint) -> None:
    bar = Progress(len(tasks), progress)
    try:
        if client is None:
            for task in tasks:
                acc.add(*run_task(scenario.take(task.rows), task, seed))
                _after(task.index, bar, on_result, checkpoint, acc)
        else:
            from distributed import as_completed

            futures = [
                client.submit(run_task, scenario.take(task.rows), task, seed, pure=False)
                for task in tasks
            ]
            for future in as_completed(futures, loop=client.loop):
                index, counters = future.result()
                future.release()
                acc.add(index, counters)
                _after(index, bar, on_result, checkpoint, acc)
    finally:
        bar.close()


def _after(index, bar, on_result, checkpoint, acc) -> None:
    bar.update()
    if checkpoint is not None:
        checkpoint.save(acc.total)
    if on_result is not None:
        on_result(index)


class _RetryCounter:
    """Counts tasks the scheduler had to start again (their worker died) or retried."""

    NAME = "forecaster-retries"

    @classmethod
    def install(cls, client):
        from .dask_plugins import RescheduleCounter

        def installed(dask_scheduler) -> bool:
            return cls.NAME in dask_scheduler.plugins

        try:
            if not client.run_on_scheduler(installed):
                client.register_plugin(RescheduleCounter(), name=cls.NAME)
        except Exception as err:  # a scheduler without forecaster installed
            log.warning("retries will not be counted: %s", err)
            return None
        return cls()

    def read(self, client) -> int | None:
        def count(dask_scheduler):
            plugin = dask_scheduler.plugins.get(_RetryCounter.NAME)
            return None if plugin is None else plugin.take()

        return client.run_on_scheduler(count)


def warm_kernels() -> float:
    """Compile (or load from the cache) the kernels in this process; seconds taken."""
    from .scenario import compile_scenario
    from .spec import load_spec

    start = time.perf_counter()
    tiny = compile_scenario(load_spec(portfolio="regional"), grid={"threat.scale": [1.0]})
    simulate(tiny, 0, 1, 0)
    return time.perf_counter() - start


def worker_environment() -> dict[str, str]:
    """Environment for worker processes: one numba thread each."""
    return {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def quiet_dask_logs() -> None:
    for name in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.WARNING)

"""Paired re-simulation of two scenarios, run like every other run: in blocks, bounded.

The blocks of :func:`forecaster.engine.paired_block` run in threads of this
process (the kernels release the GIL), submitted in a window of at most a few
blocks per thread and added in block order (integer sums: the result does not
depend on the threads), with the same progress bar and log lines as a run.
:func:`estimate_paired` gives its cost for the run budget
(:meth:`forecaster.execution.cost.Cost.problems`).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from forecaster.engine import PairedCounts, check_paired, paired_block, simulate
from forecaster.scenario import Scenario

from .cost import Cost
from .progress import Progress

#: blocks per thread: enough for the progress to move, few enough to cost nothing
BLOCKS_PER_THREAD = 8
#: paired trajectories of the probe that measures the cost of one
PROBE_PAIRS = 20


def _threads(threads: int | None, n: int) -> int:
    return max(1, min(threads or os.cpu_count() or 1, max(n, 1)))


def estimate_paired(a: Scenario, b: Scenario, seed: int, n: int, threads: int | None) -> Cost:
    """The cost of pairing ``n`` trajectories: one kernel call per trajectory and side,
    measured on :data:`PROBE_PAIRS` of them (memory: the sums, a few kB)."""
    check_paired(a, b)
    simulate(a, 0, 1, seed)  # loads the kernels: not part of the throughput
    probe = min(PROBE_PAIRS, max(n, 1))
    start = time.perf_counter()
    paired_block(a, b, seed, 0, probe)
    per_pair = (time.perf_counter() - start) / probe
    return Cost(2 * n, 1, 0, _threads(threads, n), n * per_pair)


def paired_counts(
    a: Scenario, b: Scenario, seed: int, n: int, threads: int | None = None,
    progress: bool = False,
) -> PairedCounts:  # fmt: skip
    """Headline event counts at the horizon of trajectories ``0 .. n - 1`` under ``a``, under
    ``b`` and under both, each a one-row scenario of the same states, alliances and steps.

    The sums are integers, added in block order: the result does not depend on
    ``threads``.
    """
    check_paired(a, b)
    threads = _threads(threads, n)
    block = max(1, -(-n // (threads * BLOCKS_PER_THREAD)))
    starts = range(0, n, block)
    total = PairedCounts.zeros(a)
    bar = Progress(len(starts), progress)
    blocks: Iterator[int] = iter(starts)
    in_flight: deque[Future[PairedCounts]] = deque()
    try:
        with ThreadPoolExecutor(threads) as pool:
            for first in blocks:
                in_flight.append(
                    pool.submit(paired_block, a, b, seed, first, min(first + block, n))
                )
                if len(in_flight) >= 2 * threads:  # the window: wait for the oldest
                    total += in_flight.popleft().result()
                    bar.update()
            while in_flight:
                total += in_flight.popleft().result()
                bar.update()
    finally:
        bar.close()
    return total

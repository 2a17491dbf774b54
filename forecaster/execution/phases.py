"""Per-phase timings of a run, recorded in its results (``timing_<phase>_s`` attributes).

The phases, in order: ``compose`` (Hydra's command line and composition, where the
command composed the config), ``validate`` (the config's checks), ``compile`` (the
spec into a scenario of arrays), ``kernel_load`` (loading the compiled kernels and
the probe that measures throughput), ``simulate`` (the trajectories), ``reduce``
(counters into the results dataset) and ``write`` (the results files).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

PHASES = ("compose", "validate", "compile", "kernel_load", "simulate", "reduce", "write")


class PhaseTimer:
    """Wall-clock seconds of each phase of one run; a phase timed twice adds up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block as phase ``name`` (one of :data:`PHASES`)."""
        if name not in PHASES:
            raise ValueError(f"phase = {name!r}: one of {', '.join(PHASES)}")
        start = time.perf_counter()
        try:
            yield
        finally:
            self.record(name, time.perf_counter() - start)

    def record(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def attrs(self) -> dict[str, float]:
        """``{"timing_<phase>_s": seconds}`` of the phases timed, in :data:`PHASES` order."""
        return {f"timing_{p}_s": round(self.seconds[p], 6) for p in PHASES if p in self.seconds}

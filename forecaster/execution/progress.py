"""Progress of a run: a bar on a terminal, and log lines for everyone else."""

from __future__ import annotations

import logging
import sys
import time

from tqdm import tqdm

log = logging.getLogger("forecaster")


class Progress:
    """A tqdm bar on a terminal, and a log line every 10% of tasks."""

    def __init__(self, total: int, enabled: bool = True):
        self.total, self.count, self.start = total, 0, time.perf_counter()
        self.next_decile = 1
        self.bar = None
        if enabled and sys.stderr.isatty():
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

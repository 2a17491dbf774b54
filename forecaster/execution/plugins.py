"""A dask scheduler plugin that counts the tasks dask had to run again."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from distributed.diagnostics.plugin import SchedulerPlugin


class RescheduleCounter(SchedulerPlugin):
    """Counts forecaster tasks sent back to waiting after they started.

    That happens when the worker running a task dies (the scheduler starts it
    again elsewhere) or when a failed task is retried.
    """

    def __init__(self) -> None:
        self.count = 0

    def transition(self, key: Hashable, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        name = key[0] if isinstance(key, tuple) else str(key)
        if (
            "run_task" in name
            and start in ("processing", "erred")
            and finish
            in (
                "waiting",
                "released",
                "no-worker",
            )
        ):
            self.count += 1

    def take(self) -> int:
        """The count so far, and reset it."""
        count, self.count = self.count, 0
        return count

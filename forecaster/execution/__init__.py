"""Execution layer: tasks of (grid rows x trajectory block) on dask or in-process.

:func:`execute` is the one executor: every run, from the command line, the
Python API or a sensitivity analysis, goes through it (``client=None`` runs the
tasks in this process, in order).
"""

from .checkpoint import CHECKPOINT_NAME, Checkpoint, fingerprint
from .clusters import close_all, get_client, jobqueue_cluster
from .executor import RunStats, Task, count_tasks, execute, iter_plan, plan
from .paired import estimate_paired, paired_counts
from .precision import headline_se, next_goal
from .workers import compile_kernels_once, warm_kernels

__all__ = [
    "CHECKPOINT_NAME",
    "Checkpoint",
    "RunStats",
    "Task",
    "close_all",
    "compile_kernels_once",
    "count_tasks",
    "estimate_paired",
    "execute",
    "fingerprint",
    "get_client",
    "headline_se",
    "iter_plan",
    "jobqueue_cluster",
    "next_goal",
    "paired_counts",
    "plan",
    "warm_kernels",
]

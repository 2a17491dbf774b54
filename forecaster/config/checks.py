"""Checks of the ``run``, ``output`` and ``cluster`` settings that types cannot express.

Each field's own check sits on its schema field (:mod:`.schema`, ``described``);
here are the checks that involve several fields, and the calls that apply them.
Each check returns a list of problems, one line each, naming the key, the value
and what is allowed; the caller raises one :class:`~forecaster.ConfigError`
with every problem of a config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .schema import (
    CLUSTER_KINDS,
    JOBQUEUE_KINDS,
    OUTPUT_FORMATS,
    ClusterConf,
    OutputConf,
    RunConf,
    field_problems,
)

__all__ = ["CLUSTER_KINDS", "JOBQUEUE_KINDS", "OUTPUT_FORMATS", "cluster_problems", "run_problems"]


def run_problems(cfg: DictConfig) -> list[str]:
    """Problems in ``run`` and ``output`` that the schema's types cannot express."""
    run: dict[str, Any] = OmegaConf.to_container(cfg.run, resolve=True)  # type: ignore[assignment]
    output: dict[str, Any] = OmegaConf.to_container(cfg.output, resolve=True)  # type: ignore[assignment]
    return field_problems("run", RunConf, run) + field_problems("output", OutputConf, output)


def cluster_problems(cluster: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with a ``cluster`` config (empty when it is usable)."""
    cluster = cluster or {}
    kinds = field_problems("cluster", ClusterConf, cluster, names=("kind",))
    if kinds:
        return kinds
    kind = cluster["kind"]
    problems = field_problems("cluster", ClusterConf, cluster, kind=kind)
    if kind in JOBQUEUE_KINDS:
        problems += _jobqueue_problems(cluster)
    if kind == "local" and not problems:
        problems += _local_worker_problems(cluster)
    return problems


#: bytes a local worker process holds once it has loaded the kernels (measured ~150 MB)
WORKER_PROCESS_BYTES = 150e6


def _local_worker_problems(cluster: Mapping[str, Any]) -> list[str]:
    """A local cluster of more workers than 4 per core (1000 processes hang a machine)."""
    n_workers = cluster.get("n_workers")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    allowed = 4 * (cores or 1)
    if n_workers is None or n_workers <= allowed:
        return []
    need = ""
    if cluster.get("processes"):
        gigabytes = n_workers * WORKER_PROCESS_BYTES / 1e9
        need = f"; {n_workers} worker processes would need about {gigabytes:.0f} GB"
    return [
        f"cluster.n_workers = {n_workers!r}: at most {allowed} on this machine "
        f"(4 per core, {cores} cores){need}; use a batch cluster (cluster=slurm) for more"
    ]


def _jobqueue_problems(cluster: Mapping[str, Any]) -> list[str]:
    """The scaling of a batch cluster (``n_jobs`` or ``adaptive``), and its extra."""
    problems = []
    kind = cluster["kind"]
    n_jobs = cluster.get("n_jobs")
    adaptive = cluster.get("adaptive")
    if adaptive is None:
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
            problems.append(f"cluster.n_jobs = {n_jobs!r}: a positive number of jobs, "
                            "or set cluster.adaptive: {minimum_jobs, maximum_jobs}")  # fmt: skip
    elif not isinstance(adaptive, Mapping) or set(adaptive) != {"minimum_jobs", "maximum_jobs"}:
        problems.append(f"cluster.adaptive = {adaptive!r}: must be null or "
                        "{minimum_jobs: int, maximum_jobs: int}")  # fmt: skip
    elif (
        not 0 <= adaptive["minimum_jobs"] <= adaptive["maximum_jobs"]
        or adaptive["maximum_jobs"] < 1
    ):
        problems.append(f"cluster.adaptive = {dict(adaptive)!r}: needs "
                        "0 <= minimum_jobs <= maximum_jobs and maximum_jobs >= 1")  # fmt: skip
    try:
        import dask_jobqueue  # noqa: F401
    except ImportError:
        problems.append(f"cluster.kind = {kind!r}: needs dask-jobqueue "
                        "(pip install 'forecaster[cluster]')")  # fmt: skip
    return problems

"""Checks of the ``run``, ``output`` and ``cluster`` settings that types cannot express.

Each check returns a list of problems, one line each, naming the key, the value
and what is allowed; the caller raises one :class:`~forecaster.ConfigError`
with every problem of a config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig

OUTPUT_FORMATS = ("zarr", "netcdf")
CLUSTER_KINDS = ("local", "address", "slurm", "pbs", "in_process")
JOBQUEUE_KINDS = ("slurm", "pbs")


def run_problems(cfg: DictConfig) -> list[str]:
    """Problems in ``run`` and ``output`` that the schema's types cannot express."""
    run = cfg.run
    problems = [
        f"run.{key} = {run[key]!r}: must be >= 1"
        for key in ("trajectories", "block_size")
        if run[key] < 1
    ]
    if run.max_trajectories is not None and run.max_trajectories < 1:
        problems.append(f"run.max_trajectories = {run.max_trajectories!r}: must be >= 1 or null")
    if run.target_se is not None and not 0 < run.target_se < 0.5:
        problems.append(f"run.target_se = {run.target_se!r}: must be in (0, 0.5) or null")
    if not 0 <= run.seed < 2**64:
        problems.append(f"run.seed = {run.seed!r}: must be an integer in [0, 2**64)")
    problems += [
        f"output.formats = {fmt!r}: allowed formats are {', '.join(OUTPUT_FORMATS)}"
        for fmt in cfg.output.formats
        if fmt not in OUTPUT_FORMATS
    ]
    return problems


def cluster_problems(cluster: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with a ``cluster`` config (empty when it is usable)."""
    cluster = cluster or {}
    kind = cluster.get("kind")
    if kind not in CLUSTER_KINDS:
        return [f"cluster.kind = {kind!r}: must be one of {', '.join(CLUSTER_KINDS)}"]
    problems = []
    if kind == "local":
        n = cluster.get("n_workers")
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            problems.append(f"cluster.n_workers = {n!r}: must be a positive integer or null")
        if not isinstance(cluster.get("processes", False), bool):
            problems.append(f"cluster.processes = {cluster.get('processes')!r}: must be true or "
                            "false (false: worker threads in this process)")  # fmt: skip
    if kind == "address":
        address = cluster.get("address")
        if not isinstance(address, str) or "://" not in address:
            problems.append(
                f"cluster.address = {address!r}: must be a scheduler address like tcp://host:8786"
            )
        timeout = cluster.get("timeout", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            problems.append(f"cluster.timeout = {timeout!r}: must be a number of seconds > 0")
    dashboard = cluster.get("dashboard_address")
    if dashboard is not None and (not isinstance(dashboard, str) or ":" not in dashboard):
        problems.append(f"cluster.dashboard_address = {dashboard!r}: must be host:port "
                        "(port 0: any free port) or null for no dashboard")  # fmt: skip
    if kind in JOBQUEUE_KINDS:
        problems += _jobqueue_problems(cluster)
    return problems


def _jobqueue_problems(cluster: Mapping[str, Any]) -> list[str]:
    problems = []
    kind = cluster["kind"]
    cores = cluster.get("cores")
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
        problems.append(f"cluster.cores = {cores!r}: must be a positive integer (cores per job)")
    problems += [
        f"cluster.{key} = {cluster.get(key)!r}: required for {kind}, "
        "e.g. memory: 64GB, walltime: '02:00:00'"
        for key in ("memory", "walltime")
        if not isinstance(cluster.get(key), str) or not cluster.get(key)
    ]
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

"""Dask clusters from the ``cluster`` config group.

``kind: local`` starts a LocalCluster of worker processes with one thread each;
``kind: address`` connects to a running scheduler; ``kind: slurm`` and
``kind: pbs`` submit batch jobs of workers through dask-jobqueue (the
``cluster`` extra); ``kind: in_process`` runs without dask (for debugging and
the smallest runs). A started cluster is
kept for the life of the process, so the jobs of a Hydra multirun reuse it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from .errors import ConfigError
from .execution import quiet_dask_logs, warm_kernels, worker_environment

log = logging.getLogger("forecaster")

KINDS = ("local", "address", "slurm", "pbs", "in_process")
JOBQUEUE_KINDS = ("slurm", "pbs")
_clients: dict[tuple, Any] = {}
_warm = False


def cluster_problems(cluster: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with a ``cluster`` config (empty when it is usable)."""
    cluster = cluster or {}
    kind = cluster.get("kind")
    if kind not in KINDS:
        return [f"cluster.kind = {kind!r}: must be one of {', '.join(KINDS)}"]
    problems = []
    if kind == "local":
        n = cluster.get("n_workers")
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            problems.append(f"cluster.n_workers = {n!r}: must be a positive integer or null")
    if kind == "address":
        address = cluster.get("address")
        if not isinstance(address, str) or "://" not in address:
            problems.append(
                f"cluster.address = {address!r}: must be a scheduler address like tcp://host:8786"
            )
    if kind in JOBQUEUE_KINDS:
        problems += _jobqueue_problems(cluster)
    return problems


def _jobqueue_problems(cluster: Mapping[str, Any]) -> list[str]:
    problems = []
    kind = cluster["kind"]
    cores = cluster.get("cores")
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
        problems.append(f"cluster.cores = {cores!r}: must be a positive integer (cores per job)")
    for key in ("memory", "walltime"):
        if not isinstance(cluster.get(key), str) or not cluster.get(key):
            problems.append(f"cluster.{key} = {cluster.get(key)!r}: required for {kind}, "
                            "e.g. memory: 64GB, walltime: '02:00:00'")  # fmt: skip
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


def jobqueue_cluster(cluster: Mapping[str, Any]):
    """A dask-jobqueue SLURMCluster or PBSCluster for the config, not yet scaled.

    Each job runs ``cores`` single-threaded worker processes. The job script's
    prologue sets ``NUMBA_NUM_THREADS=1`` and a node-local ``NUMBA_CACHE_DIR``
    (workers compiling into one shared cache at once have crashed numba).
    """
    import dask_jobqueue

    cls = dask_jobqueue.SLURMCluster if cluster["kind"] == "slurm" else dask_jobqueue.PBSCluster
    prologue = [f"export {k}={v}" for k, v in worker_environment().items()]
    prologue.append(
        f"export NUMBA_CACHE_DIR={cluster.get('numba_cache_dir') or '/tmp/$USER/numba'}"
    )
    prologue += list(cluster.get("prologue") or [])
    scheduler_options = {"dashboard_address": ":0"}
    if cluster.get("scheduler_host"):
        scheduler_options["host"] = cluster["scheduler_host"]
    return cls(
        cores=cluster["cores"],
        processes=cluster["cores"],
        memory=cluster["memory"],
        walltime=cluster["walltime"],
        queue=cluster.get("queue"),
        account=cluster.get("account"),
        job_name=cluster.get("job_name") or "forecaster",
        job_script_prologue=prologue,
        job_extra_directives=list(cluster.get("job_extra_directives") or []),
        local_directory=cluster.get("local_directory"),
        log_directory=cluster.get("log_directory"),
        interface=cluster.get("interface"),
        scheduler_options=scheduler_options,
    )


def get_client(cluster: Mapping[str, Any]):
    """A dask client for the cluster config, started once per process; None for in_process."""
    problems = cluster_problems(cluster)
    if problems:
        raise ConfigError(problems)
    kind = cluster["kind"]
    if kind == "in_process":
        global _warm
        if not _warm:  # compile (or load) before the run's clock starts, once per process
            log.info("kernels ready in %.1f s", warm_kernels())
            _warm = True
        return None
    key = tuple(sorted((k, str(v)) for k, v in cluster.items()))
    client = _clients.get(key)
    if client is not None and client.status == "running":
        return client
    from distributed import Client

    quiet_dask_logs()  # after the import: importing distributed sets its loggers to INFO

    # compile (or load) the kernels here once, so workers only read the cache
    seconds = warm_kernels()
    log.info("kernels ready in %.1f s", seconds)
    if kind == "local":
        from distributed import LocalCluster

        n_workers = cluster.get("n_workers") or os.cpu_count() or 1
        local = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            memory_limit=cluster.get("memory_limit", "auto"),
            env=worker_environment(),
            silence_logs=logging.WARNING,
        )
        client = Client(local, set_as_default=False)
    elif kind in JOBQUEUE_KINDS:
        batch = jobqueue_cluster(cluster)
        adaptive = cluster.get("adaptive")
        if adaptive:
            batch.adapt(
                minimum_jobs=adaptive["minimum_jobs"], maximum_jobs=adaptive["maximum_jobs"]
            )
        else:
            batch.scale(jobs=cluster["n_jobs"])
        client = Client(batch, set_as_default=False)
        log.info("waiting for the first %s worker", kind)
        client.wait_for_workers(1)
    else:
        client = Client(cluster["address"], set_as_default=False)
    client.run(warm_kernels)
    log.info("dask cluster %s with %d workers", kind, len(client.scheduler_info()["workers"]))
    _clients[key] = client
    return client


def close_all() -> None:
    """Close every client (and local cluster) this process started."""
    for client in list(_clients.values()):
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    _clients.clear()

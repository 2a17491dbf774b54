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
from typing import TYPE_CHECKING, Any

from distributed import Client, LocalCluster

from forecaster.config import JOBQUEUE_KINDS, cluster_problems
from forecaster.errors import ConfigError

from .workers import quiet_dask_logs, warm_kernels, worker_environment

if TYPE_CHECKING:  # an optional dependency (the cluster extra)
    from dask_jobqueue.core import JobQueueCluster

log = logging.getLogger("forecaster")

_clients: dict[tuple, Any] = {}
_warm = False


def jobqueue_cluster(cluster: Mapping[str, Any]) -> JobQueueCluster:
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


def get_client(cluster: Mapping[str, Any]) -> Client | None:
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
    quiet_dask_logs()  # after the import: importing distributed sets its loggers to INFO

    # compile (or load) the kernels here once, so workers only read the cache
    seconds = warm_kernels()
    log.info("kernels ready in %.1f s", seconds)
    if kind == "local":
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

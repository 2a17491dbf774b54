"""Dask clusters from the ``cluster`` config group.

``kind: local`` starts a LocalCluster of every core: worker threads in this
process (the kernels release the GIL), or with ``processes: true`` one
single-threaded worker process per core;
``kind: address`` connects to a running scheduler; ``kind: slurm`` and
``kind: pbs`` submit batch jobs of workers through dask-jobqueue (the
``cluster`` extra); ``kind: in_process`` runs without dask (for debugging and
the smallest runs). A started cluster is
kept for the life of the process, so the jobs of a Hydra multirun reuse it.
"""

from __future__ import annotations

import atexit
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
    scheduler_options = {"dashboard_address": cluster.get("dashboard_address")}
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
    """A dask client for the cluster config, started once per process; None for in_process.

    Clusters this process starts are closed in order (client, then cluster)
    when it exits, so a finished run does not end with workers' heartbeat
    errors from a scheduler that went first.
    """
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
    quiet_dask_logs()  # importing distributed sets its loggers to INFO

    # compile (or load) the kernels here once, so workers only read the cache
    log.info("kernels ready in %.1f s", warm_kernels())
    in_this_process = kind == "local" and not cluster.get("processes", False)
    if kind == "local":
        client = Client(_local_cluster(cluster), set_as_default=False)
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
        client = _connect(cluster["address"], float(cluster.get("timeout", 10)))
    if not in_this_process:
        client.run(warm_kernels)
    if not _clients:
        atexit.register(close_all)
    _clients[key] = client
    workers = client.scheduler_info()["workers"]
    threads = sum(w.get("nthreads", 1) for w in workers.values())
    log.info("dask cluster %s: %d workers, %d threads", kind, len(workers), threads)
    if cluster.get("dashboard_address"):
        log.info("dask dashboard: %s", dashboard_link(client, cluster["dashboard_address"]))
    return client


def dashboard_link(client: Client, dashboard_address: str) -> str:
    """Where the dashboard listens: dask's own link names the machine's host even when the
    dashboard listens on 127.0.0.1 only."""
    local = client.cluster
    if isinstance(local, LocalCluster) and local.scheduler is not None:
        host = dashboard_address.rsplit(":", 1)[0] or "127.0.0.1"
        return f"http://{host}:{local.scheduler.http_server.port}/status"
    return client.dashboard_link


def _local_cluster(cluster: Mapping[str, Any]) -> LocalCluster:
    """A LocalCluster of every core: threads of this process, or one process per core."""
    cores = os.cpu_count() or 1
    dashboard = cluster.get("dashboard_address")
    if cluster.get("processes", False):
        return LocalCluster(
            n_workers=cluster.get("n_workers") or cores,
            threads_per_worker=1,
            processes=True,
            host=cluster.get("host") or "127.0.0.1",
            dashboard_address=dashboard,
            worker_dashboard_address="127.0.0.1:0",  # its /health route; all interfaces by default
            memory_limit=cluster.get("memory_limit", "auto"),
            env=worker_environment(),
            silence_logs=logging.WARNING,
        )
    # worker threads share this process's memory: dask's per-worker memory limit
    # would pause them on the driver's own use, so there is none
    n_workers = cluster.get("n_workers") or 1
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=max(1, cores // n_workers),
        processes=False,
        dashboard_address=dashboard,
        worker_dashboard_address="127.0.0.1:0",  # its /health route; all interfaces by default
        memory_limit=None,
        silence_logs=logging.WARNING,
    )


def _connect(address: str, timeout: float) -> Client:
    """A client of the scheduler at ``address``; one clear line if none answers in time."""
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ConfigError(
            [
                f"cluster.address = {address!r}: no dask scheduler answered within {timeout:g} s "
                f"({type(err).__name__}); check that `dask scheduler` runs there, that the host "
                "and port are right and reachable from here, or raise cluster.timeout"
            ]
        ) from None


def close_all() -> None:
    """Close every client this process started, then its cluster (in that order)."""
    for client in list(_clients.values()):
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    _clients.clear()

"""Dask clusters from the ``cluster`` config group.

``kind: local`` starts a LocalCluster of worker processes with one thread each;
``kind: address`` connects to a running scheduler; ``kind: in_process`` runs
without dask (for debugging and for the smallest runs). A started cluster is
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

KINDS = ("local", "address", "in_process")
_clients: dict[tuple, Any] = {}


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
    return problems


def get_client(cluster: Mapping[str, Any]):
    """A dask client for the cluster config, started once per process; None for in_process."""
    problems = cluster_problems(cluster)
    if problems:
        raise ConfigError(problems)
    kind = cluster["kind"]
    if kind == "in_process":
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
        client = Client(local)
    else:
        client = Client(cluster["address"])
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

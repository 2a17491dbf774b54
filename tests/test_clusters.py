"""Clusters: what they listen on, how they fail, how they retry and shut down."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import psutil
import pytest

import forecaster
from forecaster import execution
from forecaster.config import to_spec
from forecaster.execution import executor

BASE = ["portfolio=regional", "run.trajectories=300", "run.seed=3", "run.block_size=50"]


@pytest.fixture
def closed_clusters() -> Iterator[None]:
    yield
    execution.close_all()


def listening(process: psutil.Process) -> set[str]:
    """The addresses every listening socket of ``process`` and its children is bound to."""
    procs = [process, *process.children(recursive=True)]
    return {
        c.laddr.ip for p in procs for c in p.net_connections(kind="inet") if c.status == "LISTEN"
    }


@pytest.mark.parametrize("name", ["local", pytest.param("local_processes", marks=pytest.mark.slow)])
def test_local_clusters_listen_on_this_machine_only(name, closed_clusters):
    spec = to_spec(forecaster.compose([f"cluster={name}"]))
    client = execution.get_client(spec["cluster"])
    assert client is not None
    assert listening(psutil.Process()) == {"127.0.0.1"}
    link = execution.clusters.dashboard_link(client, spec["cluster"]["dashboard_address"])
    assert link.startswith("http://127.0.0.1:")


def test_the_default_cluster_is_threads_of_this_process_on_every_core(closed_clusters):
    spec = to_spec(forecaster.compose([]))
    client = execution.get_client(spec["cluster"])
    assert client is not None
    workers = client.scheduler_info()["workers"]
    assert sum(w["nthreads"] for w in workers.values()) == (psutil.cpu_count() or 1)
    assert not psutil.Process().children(recursive=True)  # no worker processes


def test_an_unreachable_scheduler_is_one_line_naming_the_address():
    cfg = forecaster.compose(
        [*BASE, "cluster=address", "cluster.address=tcp://127.0.0.1:1", "cluster.timeout=1"]
    )
    with pytest.raises(forecaster.ConfigError) as err:
        forecaster.run(cfg, progress=False)
    (problem,) = err.value.problems
    assert problem.startswith("cluster.address = 'tcp://127.0.0.1:1': no dask scheduler answered")
    assert "cluster.timeout" in problem


def test_a_task_that_fails_once_is_retried_with_the_same_counts(monkeypatch, closed_clusters):
    reference = forecaster.run(forecaster.compose([*BASE, "debug=quick"]), progress=False)
    real, failed = executor.simulate, []

    def flaky(rows, first, n, seed):
        if first == 100 and not failed:  # one task, once: a transient error on a worker
            failed.append(first)
            raise OSError("disk full")
        return real(rows, first, n, seed)

    monkeypatch.setattr(executor, "simulate", flaky)
    ds = forecaster.run(forecaster.compose([*BASE, "cluster=local"]), progress=False)
    assert failed == [100]
    for name in ("p_war", "p_entrapment", "p_intact", "n_trajectories"):
        np.testing.assert_array_equal(ds[name].values, reference[name].values, err_msg=name)


def test_a_task_that_always_fails_fails_the_run_with_its_own_error(monkeypatch, closed_clusters):
    calls = []

    def broken(rows, first, n, seed):
        calls.append(first)
        raise OSError("disk full")

    monkeypatch.setattr(executor, "simulate", broken)
    with pytest.raises(OSError, match="disk full"):
        forecaster.run(forecaster.compose([*BASE, "cluster=local"]), progress=False)
    # the run stops at the first task out of tries, after 1 + TASK_RETRIES of them
    assert max(calls.count(first) for first in set(calls)) == 1 + executor.TASK_RETRIES


@pytest.mark.slow
def test_a_finished_run_shuts_its_process_cluster_down_without_errors(command, tmp_path):
    run_dir = tmp_path / "run"
    done = command("forecast", *BASE, "cluster=local_processes", f"hydra.run.dir={run_dir}")
    assert done.returncode == 0, done.stderr
    for noise in ("Traceback", "CommClosedError", "heartbeat"):
        assert noise not in done.stderr, done.stderr
    assert "dask dashboard: http://127.0.0.1:" in done.stderr + done.stdout

"""Scale-out: the same counts however the work is spread, interrupted or gathered."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import forecaster
from forecaster import execution as clusters
from forecaster.execution import CHECKPOINT_NAME
from forecaster.execution.clusters import jobqueue_cluster
from forecaster.kernels import STREAM_VERSION

from .conftest import requires_jobqueue, requires_submitit

BASE = ["portfolio=regional", "run.trajectories=600", "run.seed=21"]
PROBABILITIES = ["p_war", "p_entrapment", "p_abandonment", "p_targeted", "p_intact",
                 "p_member_war", "p_any_war", "p_major_war", "p_wars_at_least"]  # fmt: skip


def counts_equal(a: xr.Dataset, b: xr.Dataset) -> None:
    """Integer-based outcomes bit-identical, float moment means equal to rounding."""
    for name in [*PROBABILITIES, "n_trajectories", "mean_crises", "mean_cf_honoured"]:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    np.testing.assert_allclose(a.mean_support.values, b.mean_support.values, rtol=1e-12)


@pytest.fixture(scope="module")
def reference_run():
    cfg = forecaster.compose([*BASE, "debug=quick", "run.block_size=600"])
    return forecaster.run(cfg, progress=False)


@pytest.fixture(scope="module", autouse=True)
def close_clusters():
    yield
    clusters.close_all()


@pytest.mark.parametrize(
    "overrides",
    [
        ["cluster=in_process", "run.block_size=7"],
        ["cluster=local", "cluster.n_workers=1", "run.block_size=100"],
        ["cluster=local", "cluster.n_workers=2", "run.block_size=50"],
    ],
    ids=["in-process-blocks-of-7", "one-worker", "two-workers"],
)
def test_same_counts_whatever_the_workers_and_block_size(overrides, reference_run):
    ds = forecaster.run(forecaster.compose([*BASE, *overrides]), progress=False)
    counts_equal(ds, reference_run)


@pytest.fixture
def scheduler_and_two_workers(command, tmp_path):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    scheduler_file = tmp_path / "scheduler.json"
    quiet = {"env": {**command.env, "NUMBA_NUM_THREADS": "1"},
             "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # fmt: skip
    procs = [command.popen("dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                       "--dashboard-address", ":0", "--scheduler-file", scheduler_file,
                       **quiet)]  # fmt: skip
    try:
        deadline = time.time() + 60
        while not scheduler_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        workers = [command.popen("dask", "worker", "--scheduler-file", scheduler_file,
                             "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", f"w{i}",
                             "--host", "127.0.0.1", **quiet) for i in range(2)]  # fmt: skip
        procs += workers
        import json

        from distributed import Client

        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, set_as_default=False) as probe:
            probe.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.mark.slow
def test_a_killed_worker_does_not_change_the_counts(scheduler_and_two_workers, reference_run):
    address, workers = scheduler_and_two_workers
    killed = []

    def kill_one_worker(index):
        if not killed:
            workers[0].send_signal(signal.SIGKILL)
            killed.append(index)

    cfg = forecaster.compose(
        [*BASE, "cluster=address", f"cluster.address={address}", "run.block_size=15"]
    )
    ds = forecaster.run(cfg, progress=False, on_result=kill_one_worker)
    assert killed and workers[0].wait(timeout=30) == -signal.SIGKILL
    counts_equal(ds, reference_run)
    assert ds.attrs["tasks"] == 40
    assert ds.attrs["retries"] >= 1  # the dead worker's tasks ran again elsewhere
    clusters.close_all()


class Interrupt(Exception):
    pass


def test_interrupt_then_resume_equals_an_uninterrupted_run(tmp_path, reference_run):
    seen = []

    def stop_after_three(index):
        seen.append(index)
        if len(seen) == 3:
            raise KeyboardInterrupt

    cfg = forecaster.compose([*BASE, "debug=quick", "run.block_size=50"])
    with pytest.raises(KeyboardInterrupt):
        forecaster.run(cfg, progress=False, output_dir=tmp_path, on_result=stop_after_three)
    checkpoint = tmp_path / CHECKPOINT_NAME
    assert checkpoint.is_file()
    saved = np.load(checkpoint)
    assert int(saved["n_trajectories"][0]) == 150  # three blocks of 50 were kept
    size = checkpoint.stat().st_size
    resumed = forecaster.run(
        forecaster.compose([*BASE, "debug=quick", "run.block_size=200", f"run.resume={tmp_path}"]),
        progress=False,
    )
    counts_equal(resumed, reference_run)
    # the checkpoint does not grow with trajectories
    big = tmp_path / "big"
    forecaster.run(forecaster.compose(["portfolio=regional", "run.trajectories=6000",
                                       "debug=quick", "run.block_size=3000"]),
                   progress=False, output_dir=big)  # fmt: skip
    assert abs((big / CHECKPOINT_NAME).stat().st_size - size) < 1024


def test_resume_refuses_a_checkpoint_of_another_scenario(tmp_path):
    forecaster.run(forecaster.compose([*BASE, "debug=quick"]), progress=False,
                   output_dir=tmp_path)  # fmt: skip
    other = forecaster.compose([*BASE, "debug=quick", "threat.scale=2",
                                f"run.resume={tmp_path}"])  # fmt: skip
    with pytest.raises(forecaster.ConfigError, match="another scenario, grid or seed"):
        forecaster.run(other, progress=False)


def test_resume_refuses_a_checkpoint_of_another_random_stream_version(tmp_path):
    cfg = forecaster.compose([*BASE, "debug=quick"])
    ds = forecaster.run(cfg, progress=False, output_dir=tmp_path)
    assert ds.attrs["random_stream_version"] == STREAM_VERSION
    path = tmp_path / CHECKPOINT_NAME
    with np.load(path) as data:
        saved = dict(data)
    assert int(saved["stream_version"]) == STREAM_VERSION
    saved["stream_version"] = np.array(STREAM_VERSION - 1)
    with open(path, "wb") as f:
        np.savez(f, **saved)
    again = forecaster.compose([*BASE, "debug=quick", f"run.resume={tmp_path}"])
    expected = (
        f"random stream version {STREAM_VERSION - 1}, and this forecaster draws "
        f"stream version {STREAM_VERSION}"
    )
    with pytest.raises(forecaster.ConfigError, match=expected):
        forecaster.run(again, progress=False)


@pytest.mark.slow
def test_ctrl_c_keeps_the_completed_blocks_and_the_cli_resumes_them(
    command, tmp_path, reference_run
):
    run_dir = tmp_path / "run"
    args = [*BASE, "debug=quick", "run.block_size=5", f"hydra.run.dir={run_dir}"]
    proc = command.popen("forecast", *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     text=True)  # fmt: skip
    for line in proc.stdout:
        if "20% of" in line:  # well into the run
            proc.send_signal(signal.SIGINT)
            break
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 130, output
    assert (run_dir / CHECKPOINT_NAME).is_file()
    assert not (run_dir / "results.zarr").exists()
    done = command("forecast", *args, f"run.resume={run_dir}")
    assert done.returncode == 0, done.stderr
    assert not (run_dir / CHECKPOINT_NAME).exists()
    counts_equal(forecaster.open_results(run_dir).load(), reference_run)


@pytest.mark.slow
def test_a_multirun_equals_an_in_run_sweep(command, tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = command("forecast", "-m", *BASE, "debug=quick", "threat.scale=0.5,1,2",
               "portfolio.alliances.pact.explicitness=0.2,0.8", f"hydra.sweep.dir={sweep_dir}",
               timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    gathered = forecaster.open_results(sweep_dir / "results.zarr").load()
    in_run = forecaster.run(forecaster.compose([
        *BASE, "debug=quick", "+sweep.grid.threat.scale=[0.5,1,2]",
        "+sweep.grid.portfolio.alliances.pact.explicitness=[0.2,0.8]",
    ]), progress=False)  # fmt: skip
    keys = ["threat__scale", "portfolio__alliances__pact__explicitness"]
    assert set(keys) <= set(gathered.dims)
    assert forecaster.results.config_keys(gathered) == forecaster.results.config_keys(in_run)
    # the same attribute meanings as a single run, and each job's resolved config
    assert gathered.attrs["trajectories"] == int(gathered.n_trajectories.sum())
    assert forecaster.config_of(gathered)["portfolio"]["name"] == "regional"
    job = gathered.forecast.sel({"threat.scale": 2.0, "portfolio.alliances.pact.explicitness": 0.8})
    assert forecaster.config_of(job)["threat"]["scale"] == 2.0
    assert forecaster.config_of(job)["portfolio"]["alliances"]["pact"]["explicitness"] == 0.8
    gathered = gathered.transpose(*keys, ...)
    for name in [*PROBABILITIES, "n_trajectories"]:
        np.testing.assert_array_equal(gathered[name].values, in_run[name].values, err_msg=name)


@pytest.mark.slow
@requires_submitit
def test_the_submitit_launcher_runs_and_gathers_a_multirun(command, tmp_path):
    """hydra-submitit-launcher's local mode: the same plugin as on SLURM, on this machine."""
    sweep_dir = tmp_path / "sweep"
    done = command("forecast", "-m", "hydra/launcher=submitit_local", *BASE, "debug=quick",
               "threat.scale=0.5,1", f"hydra.sweep.dir={sweep_dir}", timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    gathered = forecaster.open_results(sweep_dir).load()
    in_run = forecaster.run(
        forecaster.compose([*BASE, "debug=quick", "+sweep.grid.threat.scale=[0.5,1]"]),
        progress=False,
    )
    for name in PROBABILITIES:
        np.testing.assert_array_equal(gathered[name].values, in_run[name].values, err_msg=name)


@pytest.mark.slow
def test_a_multirun_over_portfolios_keeps_every_state(command, tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = command("forecast", "-m", "portfolio=regional,indo_pacific", "run.trajectories=50",
               "run.horizon_years=1", "debug=quick", f"hydra.sweep.dir={sweep_dir}",
               timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ds = forecaster.open_results(sweep_dir).load()
    assert list(ds.portfolio.values) == ["indo_pacific", "regional"]
    assert {"PROTEGE", "JPN", "CHN"} <= set(ds.state.values)
    assert np.isnan(ds.p_war.sel(portfolio="regional", state="JPN")).all()
    assert not np.isnan(ds.p_war.sel(portfolio="indo_pacific", state="JPN")).any()
    assert bool(ds.adversary.sel(state="CHN")) and not bool(ds.adversary.sel(state="JPN"))


def test_target_se_stops_at_the_target():
    target = 0.006
    ds = forecaster.run(forecaster.compose([
        *BASE, "debug=quick", "run.trajectories=500", "run.block_size=500",
        f"run.target_se={target}", "+sweep.grid.threat.scale=[0.5,2]",
    ]), progress=False)  # fmt: skip
    assert ds.attrs["rounds"] >= 2
    assert (ds.max_headline_se <= target).all()
    assert (ds.n_trajectories > 500).all()
    # a cap stops it short of the target, and says so
    capped = forecaster.run(forecaster.compose([
        *BASE, "debug=quick", "run.trajectories=500", f"run.target_se={target}",
        "run.max_trajectories=1000",
    ]), progress=False)  # fmt: skip
    assert int(capped.n_trajectories) == 1000
    assert float(capped.max_headline_se) > target


@requires_jobqueue
@pytest.mark.parametrize("kind", ["slurm", "pbs"])
def test_batch_job_scripts_carry_resources_and_numba_settings(kind):
    cfg = forecaster.compose([f"cluster={kind}", "cluster.cores=8", "cluster.memory=32GB",
                              "cluster.walltime=01:30:00", "cluster.queue=short",
                              "cluster.account=proj42", "cluster.scheduler_host=127.0.0.1",
                              "cluster.numba_cache_dir=/scratch/nb",
                              "cluster.prologue=[module load python]"])  # fmt: skip
    cluster = jobqueue_cluster(forecaster.config.to_spec(cfg)["cluster"])
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    expected = {
        "slurm": ["#SBATCH -p short", "#SBATCH -A proj42", "#SBATCH --cpus-per-task=8",
                  "#SBATCH -t 01:30:00", "#SBATCH --mem="],
        "pbs": ["#PBS -q short", "#PBS -A proj42", "ncpus=8", "#PBS -l walltime=01:30:00",
                ":mem="],
    }[kind]  # fmt: skip
    common = [
        "export NUMBA_NUM_THREADS=1",
        "export NUMBA_CACHE_DIR=/scratch/nb",
        "module load python",
        "--nthreads 1",
        "--nworkers 8",
    ]
    for line in [*expected, *common]:
        assert line in script, (line, script)


def test_cluster_configs_are_checked():
    from forecaster.config import cluster_problems

    assert cluster_problems(
        {
            "kind": "slurm",
            "cores": 0,
            "memory": None,
            "walltime": "1:00:00",
            "n_jobs": None,
            "adaptive": None,
        }
    ) == [
        "cluster.cores = 0: must be a positive integer (cores per job)",
        "cluster.memory = None: required for slurm, e.g. memory: 64GB, walltime: '02:00:00'",
        "cluster.n_jobs = None: a positive number of jobs, or set cluster.adaptive: "
        "{minimum_jobs, maximum_jobs}",
    ]


def test_dask_tasks_are_submitted_in_a_bounded_window(monkeypatch, reference_run):
    from forecaster.execution import executor

    ahead = []
    expect = executor.Accumulator.expect

    def recording(self, task):
        ahead.append(task.index - self.next)
        expect(self, task)

    monkeypatch.setattr(executor, "window_of", lambda client: 3)
    monkeypatch.setattr(executor.Accumulator, "expect", recording)
    cfg = forecaster.compose([*BASE, "cluster=local", "cluster.n_workers=2", "run.block_size=20"])
    ds = forecaster.run(cfg, progress=False)
    counts_equal(ds, reference_run)
    assert len(ahead) == 30 and max(ahead) == 2  # never more than 3 tasks past the oldest


def test_a_new_run_never_replaces_another_runs_checkpoint(tmp_path):
    def stop(index):
        raise KeyboardInterrupt

    cfg = forecaster.compose([*BASE, "cluster=in_process", "run.block_size=100"])
    with pytest.raises(KeyboardInterrupt):
        forecaster.run(cfg, progress=False, output_dir=tmp_path, on_result=stop)
    saved = (tmp_path / CHECKPOINT_NAME).read_bytes()
    with pytest.raises(forecaster.ConfigError) as err:
        forecaster.run(cfg, progress=False, output_dir=tmp_path)
    (line,) = err.value.problems
    assert "holds the checkpoint of an interrupted run" in line
    assert f"run.resume={tmp_path}" in line
    assert (tmp_path / CHECKPOINT_NAME).read_bytes() == saved


def test_an_output_folder_in_use_is_refused_naming_its_pid(command, tmp_path):
    holder = command.popen(
        "python", "-c", "import sys; from forecaster.execution.lock import output_lock\n"
        f"with output_lock({str(tmp_path)!r}):\n print('held', flush=True); sys.stdin.read()",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        cfg = forecaster.compose([*BASE, "cluster=in_process"])
        with pytest.raises(forecaster.ConfigError, match=f"in use by pid {holder.pid}"):
            forecaster.run(cfg, progress=False, output_dir=tmp_path)
    finally:
        holder.communicate("", timeout=60)
    ds = forecaster.run(cfg, progress=False, output_dir=tmp_path)  # free once its owner ended
    assert int(ds.n_trajectories.min()) == 600
    assert not list(tmp_path.glob("*.partial")) and not (tmp_path / ".forecast.lock").exists()


def _damaged(path: Path, how: str) -> None:
    with np.load(path) as data:
        saved = dict(data)
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    elif how == "random bytes":
        path.write_bytes(np.random.default_rng(0).bytes(5000))
    elif how == "pickled":
        path.write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, "
                         b"'shape': (1,), }" + b" " * 60 + b"\n" + b"\x80\x04N.")  # fmt: skip
    elif how == "edited n_trajectories":
        saved["n_trajectories"] = saved["n_trajectories"] * 10
        np.savez(path, **saved)
    elif how == "edited with its checksum":
        from forecaster.execution.checkpoint import _checksum

        saved["n_trajectories"] = saved["n_trajectories"] // 10
        names = ("n_trajectories", *forecaster.Counters.ARRAYS)
        saved["checksum"] = np.array(_checksum(str(saved["fingerprint"]),
                                               {k: saved[k] for k in names}))  # fmt: skip
        np.savez(path, **saved)
    elif how == "missing array":
        del saved["events"]
        np.savez(path, **saved)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "not a readable checkpoint (damaged or incomplete: BadZipFile)"),
        ("random bytes", "not a readable checkpoint"),
        ("pickled", "not a readable checkpoint"),
        ("edited n_trajectories", "do not match its checksum"),
        ("edited with its checksum", "array by_time_state has counts outside 0 .. n_trajectories"),
        ("missing array", "array events is missing"),
    ],
)
def test_a_damaged_checkpoint_is_refused_naming_the_file(tmp_path, how, message):
    def stop(index):
        raise KeyboardInterrupt

    cfg = forecaster.compose([*BASE, "cluster=in_process", "run.block_size=300"])
    with pytest.raises(KeyboardInterrupt):
        forecaster.run(cfg, progress=False, output_dir=tmp_path, on_result=stop)
    path = tmp_path / CHECKPOINT_NAME
    _damaged(path, how)
    again = forecaster.compose([*BASE, "cluster=in_process", f"run.resume={tmp_path}"])
    with pytest.raises(forecaster.ConfigError) as err:
        forecaster.run(again, progress=False)
    (line,) = err.value.problems
    assert str(path) in line and message in line and "allow_pickle" not in line


def test_a_full_disk_keeps_the_last_checkpoint_and_prints_the_resume_command(
    tmp_path, monkeypatch, capsys
):
    import errno

    from forecaster.cli import main as cli
    from forecaster.execution import checkpoint

    calls = []
    savez = np.savez

    def filling(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        savez(*args, **kwargs)

    monkeypatch.setattr(checkpoint.np, "savez", filling)
    run_dir = tmp_path / "run"
    code = cli.main([*BASE, "cluster=in_process", "run.block_size=100", f"hydra.run.dir={run_dir}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and "no space left" in err[0] and f"run.resume={run_dir}" in err[0]
    with np.load(run_dir / CHECKPOINT_NAME) as saved:
        assert int(saved["n_trajectories"][0]) == 100  # the first block's checkpoint
    assert not list(run_dir.glob(".*.partial")) and not (run_dir / "results.zarr").exists()


@pytest.mark.slow
def test_sigterm_keeps_the_completed_blocks_and_prints_the_resume_command(command, tmp_path):
    run_dir = tmp_path / "run"
    args = [*BASE, "debug=quick", "run.block_size=5", f"hydra.run.dir={run_dir}"]
    proc = command.popen("forecast", *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)  # fmt: skip
    for line in proc.stdout:
        if "20% of" in line:
            proc.send_signal(signal.SIGTERM)
            break
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 143, output
    assert "Traceback" not in output
    assert f"terminated (SIGTERM); the completed part is kept in {run_dir}" in output
    assert f"run.resume={run_dir}" in output
    assert (run_dir / CHECKPOINT_NAME).is_file()

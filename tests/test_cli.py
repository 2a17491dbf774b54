"""The ``forecast`` command end to end, in subprocesses as a user runs it."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import xarray as xr

import forecaster


@pytest.mark.slow
def test_forecast_runs_writes_results_and_a_fresh_process_opens_them(command, tmp_path):
    out = tmp_path / "run"
    done = command("forecast", "debug=quick", "portfolio=regional", "run.trajectories=400",
               "run.block_size=100", "run.seed=5", "output.summary=true",
               "output.formats=[zarr,netcdf]", f"hydra.run.dir={out}")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "PROTEGE" in done.stdout and "P(entrapment)" in done.stdout
    assert "trajectories/s" in done.stdout
    assert (out / "results.zarr").is_dir() and (out / "results.nc").is_file()
    assert (out / ".hydra" / "config.yaml").is_file()
    assert not list(out.glob(".results*partial"))
    # a fresh interpreter opens the dataset from the output directory
    script = (
        f"import json, forecaster; ds = forecaster.open_results({str(out)!r}); "
        "print(json.dumps({'n': ds.attrs['trajectories'], 'seed': ds.attrs['seed'], "
        "'p': float(ds.p_war.sel(state='PROTEGE').isel(time=-1))}))"
    )
    opened = command("python", "-c", script, timeout=120)
    assert opened.returncode == 0, opened.stderr
    seen = json.loads(opened.stdout)
    assert seen["n"] == 400 and seen["seed"] == 5 and 0 < seen["p"] < 1
    # the same run in-process gives the same numbers
    cfg = forecaster.compose(["debug=quick", "portfolio=regional", "run.trajectories=400",
                              "run.block_size=100", "run.seed=5"])  # fmt: skip
    again = forecaster.run(cfg, progress=False)
    ondisk = forecaster.open_results(out).load()
    np.testing.assert_array_equal(ondisk.p_war.values, again.p_war.values)
    nc = xr.open_dataset(out / "results.nc")
    np.testing.assert_array_equal(nc.p_entrapment.values, again.p_entrapment.values)
    assert forecaster.config_of(ondisk)["portfolio"]["name"] == "regional"


def test_a_config_mistake_exits_2_without_a_traceback(command, tmp_path):
    done = command("forecast", "threat.war_cost=-1", "portfolio=natoo", f"hydra.run.dir={tmp_path}",
               timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "portfolio = 'natoo': no such option" in done.stderr


def test_help_passes_through_to_hydra(command):
    done = command("forecast", "--help", timeout=120)
    assert done.returncode == 0
    assert "portfolio: historical_world, indo_pacific, nato, regional, us_global" in done.stdout
    assert "debug: quick" in done.stdout  # the quick preset, listed with the groups


def test_the_decision_commands_log_to_the_stderr_of_the_moment(monkeypatch):
    """A second command in one process (a notebook, pytest's capture) logs to the
    stderr it has now, not to the closed stream of the first (a full-disk test once
    read 695 lines of 'I/O operation on closed file')."""
    import io
    import logging

    from forecaster.cli.arguments import log_to_stderr

    log = logging.getLogger("forecaster")
    monkeypatch.setattr(log, "handlers", [])
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    log_to_stderr()
    first.close()
    monkeypatch.setattr(sys, "stderr", second)
    log.info("estimated 3 s")
    assert second.getvalue().endswith("estimated 3 s\n")

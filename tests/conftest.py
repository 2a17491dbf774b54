"""Fixtures and markers shared by the tests.

- ``scenario_spec``: each synthetic scenario case of ``forecaster.testing``;
- ``run_in_process``: ``forecaster.run`` of a composed config, in this process;
- ``forecast_cli``: the installed ``forecast`` command in a subprocess, as a user runs it;
- ``requires_*``: skip a test whose optional dependency (an extra) is not installed;
- tests marked ``slow`` (subprocesses, real schedulers, notebooks) run after the others.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import xarray as xr

import forecaster
from forecaster.testing import CASES, SYNTHETIC

FORECAST = Path(sys.executable).parent / "forecast"
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def _requires(module: str, extra: str) -> pytest.MarkDecorator:
    missing = importlib.util.find_spec(module) is None
    return pytest.mark.skipif(missing, reason=f"needs {module} (pip install 'forecaster[{extra}]')")


requires_matplotlib = _requires("matplotlib", "analysis")
requires_salib = _requires("SALib", "analysis")
requires_jobqueue = _requires("dask_jobqueue", "cluster")
requires_submitit = _requires("hydra_plugins.hydra_submitit_launcher", "cluster")
requires_nbclient = _requires("nbclient", "test")
requires_workbench = _requires("ema_workbench", "decisions")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fast tests first, then the ``slow`` ones, so a failure shows early."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


@pytest.fixture(params=SYNTHETIC)
def scenario_spec(request: pytest.FixtureRequest) -> tuple[str, dict]:
    return request.param, CASES[request.param]()


@pytest.fixture
def run_in_process() -> Callable[..., xr.Dataset]:
    """``run_in_process("portfolio=regional", ...)``: the dataset of a run in this process."""

    def run(*overrides: str) -> xr.Dataset:
        cfg = forecaster.compose([*overrides, "cluster=in_process"])
        return forecaster.run(cfg, progress=False)

    return run


@pytest.fixture
def forecast_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """``forecast_cli(*args)``: the ``forecast`` command in a subprocess, run in ``tmp_path``."""

    def forecast(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(FORECAST), *args],
            capture_output=True,
            text=True,
            env=ENV,
            cwd=tmp_path,
            timeout=timeout,
        )

    return forecast

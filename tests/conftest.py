"""Fixtures and markers shared by the tests.

- ``scenario_spec``: each synthetic scenario case of ``forecaster.testing``;
- ``run_in_process``: ``forecaster.run`` of a composed config, quickly in this process
  (``debug=quick``);
- ``command``: the installed commands (``forecast``, ``forecast-compare``, ..., this
  interpreter) in subprocesses, as a user runs them: every test of a command goes
  through it;
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
from typing import Any

import pytest
import xarray as xr

import forecaster
from forecaster.testing import CASES, SYNTHETIC

#: the folder of this environment's commands (forecast, forecast-compare, dask, ...)
BIN = Path(sys.executable).parent


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
    """``run_in_process("portfolio=regional", ...)``: the dataset of a quick run in this process.

    The ``debug=quick`` preset (``conf/debug/quick.yaml``: no dask, 1,000
    trajectories) under the overrides given, which win over it.
    """

    def run(*overrides: str) -> xr.Dataset:
        cfg = forecaster.compose(["debug=quick", *overrides])
        return forecaster.run(cfg, progress=False)

    return run


class Commands:
    """The commands of this environment, run in subprocesses as a user runs them.

    ``command("forecast", "debug=quick", ...)`` runs ``forecast`` and returns the
    ``subprocess.CompletedProcess`` (text output captured); ``command.popen(...)``
    starts one without waiting. A name is a command of this environment's
    ``bin/`` folder (``forecast``, ``forecast-report``, ``dask``, ``python``,
    ...), or an absolute path. They run in the test's ``tmp_path`` with
    unbuffered output, unless told ``cwd`` or ``env``.
    """

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    @staticmethod
    def path(name: str) -> str:
        """The executable of command ``name``."""
        return name if Path(name).is_absolute() else str(BIN / name)

    def __call__(
        self,
        name: str,
        *args: str | os.PathLike[str],
        timeout: float = 300,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.path(name), *map(str, args)],
            capture_output=True,
            text=True,
            env=self.env if env is None else env,
            cwd=self.cwd if cwd is None else cwd,
            timeout=timeout,
        )

    def popen(self, name: str, *args: str | os.PathLike[str], **options: Any) -> subprocess.Popen:
        """Start command ``name`` (``options`` as ``subprocess.Popen`` takes them)."""
        options = {"env": self.env, "cwd": self.cwd, **options}
        return subprocess.Popen([self.path(name), *map(str, args)], **options)


@pytest.fixture
def command(tmp_path: Path) -> Commands:
    """``command("forecast", *args)``: a command of this environment in a subprocess."""
    return Commands(tmp_path)

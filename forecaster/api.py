"""The one run path: check a composed config, simulate it, and return its dataset.

Every caller simulates through :func:`run`: the ``forecast`` command, the
Python API, sensitivity analysis (design points), the base-rate tables and the
benchmarks' end-to-end figures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import xarray as xr
from distributed import Client
from omegaconf import DictConfig, OmegaConf

from .config import calibration_sources, cluster_problems, grid_of, run_problems, to_spec
from .config.identity import identity_attrs, recalled
from .engine import simulate
from .errors import ConfigError
from .execution import (
    CHECKPOINT_NAME,
    Checkpoint,
    compile_kernels_once,
    execute,
    fingerprint,
    get_client,
    headline_se,
)
from .results import provenance, to_dataset, write_results
from .scenario import Scenario, compile_scenario

log = logging.getLogger("forecaster")


def check(cfg: DictConfig, points: Sequence[dict[str, float]] | None = None) -> Scenario:
    """Validate a composed config and return its compiled :class:`~forecaster.Scenario`.

    The scenario is compiled once, here: callers simulate what was checked.
    ``points`` replaces the sweep grid with explicit design points (sensitivity
    analysis). Raises one :class:`ConfigError` listing every problem.
    """
    spec = to_spec(cfg)
    grid = grid_of(cfg)
    problems = run_problems(cfg) + cluster_problems(spec.get("cluster"))
    resume = cfg.run.resume
    if resume is not None and not (Path(resume) / CHECKPOINT_NAME).is_file():
        problems.append(
            f"run.resume = {resume!r}: no {CHECKPOINT_NAME} there; give the output "
            "directory of an interrupted run (a finished run has no checkpoint)"
        )
    if points is not None and grid:
        problems.append(
            f"sweep.grid = {sorted(grid)}: a sensitivity analysis sets its own design points; "
            "use sweep=none"
        )
        grid = {}
    scenario = None
    try:
        scenario = compile_scenario(spec, grid=None if points is not None else grid, points=points)
    except ConfigError as err:
        problems += err.problems
    shown = (cfg.get("output") or {}).get("states")
    if scenario is not None and shown is not None:
        unknown = [str(s) for s in shown if str(s) not in scenario.state_names]
        if unknown:
            problems.append(
                f"output.states = {list(shown)}: {', '.join(unknown)} not in the portfolio "
                f"(its states: {', '.join(scenario.state_names)})"
            )
    if problems or scenario is None:
        raise ConfigError(problems)
    return scenario


def run(
    cfg: DictConfig,
    progress: bool = True,
    output_dir: str | Path | None = None,
    on_result: Callable[[int], None] | None = None,
    points: Sequence[dict[str, float]] | None = None,
) -> xr.Dataset:
    """Validate a composed config, simulate it, and return the results dataset.

    Nothing is computed unless the whole config is valid. With ``output_dir``
    the completed part of the run is checkpointed there (``checkpoint.npz``),
    so that ``run.resume=<output_dir>`` can finish it after an interruption.
    ``points`` replaces the sweep grid with explicit design points, along a
    ``sample`` dimension (the design of a sensitivity analysis).

    Examples
    --------
    >>> import forecaster
    >>> cfg = forecaster.compose(["portfolio=regional", "run.trajectories=200",
    ...                           "cluster=in_process"])
    >>> ds = forecaster.run(cfg, progress=False)
    >>> float(ds.p_war.sel(state="PROTEGE").isel(time=-1)) > 0
    True
    """
    scenario = check(cfg, points)
    spec = to_spec(cfg)
    sources = calibration_sources(cfg)
    # named before the run: the user's values that replace calibrated ones, and estimates
    # no option takes up (issue 18 item 7)
    for key, (used, estimate) in sources.replaced.items():
        log.info("%s = %s is yours; the calibration's %s is not used", key, used, estimate)
    for key, (used, estimate) in sources.not_deferred.items():
        log.warning(
            "%s: the calibration estimates %s, but no option leaves this key to it; the "
            "options' %s is used (set %s=%s to use the estimate)",
            key, estimate, used, key, estimate,
        )  # fmt: skip
    grid: dict[str, Any] = {"points": list(points)} if points is not None else grid_of(cfg)
    run_cfg = spec["run"]
    key = fingerprint(spec, grid, run_cfg["seed"])
    start = None
    if run_cfg["resume"]:
        checkpoint = Checkpoint(Path(run_cfg["resume"]) / CHECKPOINT_NAME, key)
        try:
            start = checkpoint.load(scenario)
        except ValueError as err:
            raise ConfigError([f"run.resume = {run_cfg['resume']!r}: {err}"]) from None
        log.info(
            "resuming %s: %d trajectories done", checkpoint.path, int(start.n_trajectories.min())
        )
    elif output_dir is not None:
        checkpoint = Checkpoint(Path(output_dir) / CHECKPOINT_NAME, key)
    else:
        checkpoint = None
    resumed = 0 if start is None else int(start.n_trajectories.sum())
    compile_kernels_once()  # a first run says so before compiling, then workers load the cache
    client = get_client(spec["cluster"])
    _announce(scenario, run_cfg, client)
    total, stats = execute(
        scenario,
        run_cfg["seed"],
        run_cfg["trajectories"],
        run_cfg["block_size"],
        client=client,
        target_se=run_cfg["target_se"],
        max_trajectories=run_cfg["max_trajectories"],
        start=start,
        checkpoint=checkpoint,
        progress=progress,
        on_result=on_result,
    )
    simulated = int(total.n_trajectories.sum()) - resumed
    rate = simulated / stats.wall_time_s if stats.wall_time_s > 0 else float("nan")
    log.info(
        "%d tasks (%s retried), %d trajectories over %d grid points in %.1f s "
        "(%.0f trajectories/s)",
        stats.tasks, "?" if stats.retries is None else stats.retries, simulated, scenario.n_rows,
        stats.wall_time_s, rate,
    )  # fmt: skip
    ds = to_dataset(
        scenario,
        total,
        {
            "seed": int(run_cfg["seed"]),
            "tasks": stats.tasks,
            "rounds": stats.rounds,
            "retries": -1 if stats.retries is None else stats.retries,
            "wall_time_s": stats.wall_time_s,
            "trajectories_per_s": rate,
            "config": OmegaConf.to_yaml(OmegaConf.create(spec)),
            "calibration_sources": "\n".join(sources.lines()),
            **identity_attrs(recalled(cfg)),
            **provenance(),
        },
    )
    se = headline_se(total, scenario.is_adversary).reshape(scenario.grid_shape)
    ds["max_headline_se"] = (
        list(ds.n_trajectories.dims),
        se,
        {
            "long_name": "largest Monte Carlo standard error among the headline "
            "probabilities at the horizon (war, entrapment, abandonment, alliance "
            "intact, member at war, any war)",
            "units": "1",
        },
    )
    return ds


#: estimates above this many seconds are logged as warnings
LONG_RUN_S = 300.0


def _announce(scenario: Scenario, run_cfg: dict[str, Any], client: Client | None) -> None:
    """Log the run's size and its estimated time, from a short first block, before the bulk.

    The block (a few hundred trajectories of the first grid point, in this process,
    not counted) measures this machine's throughput on this scenario; a run sized by
    mistake (``run.trajectories=1000000000000``) is then a warning while it can still
    be stopped, not a silent ten-year job.
    """
    probe = 200
    start = time.perf_counter()
    simulate(scenario.take([0]), 0, probe, int(run_cfg["seed"]))
    per_trajectory = (time.perf_counter() - start) / probe
    parallel = 1
    if client is not None:
        workers = client.scheduler_info()["workers"].values()
        parallel = max(1, sum(int(w.get("nthreads", 1)) for w in workers))
    runs = int(run_cfg["trajectories"]) * scenario.n_rows
    estimate = runs * per_trajectory / parallel
    level = logging.WARNING if estimate > LONG_RUN_S else logging.INFO
    log.log(
        level,
        "%s: %d trajectories x %d grid points = %d trajectory runs (%d states x %d steps); "
        "about %s on %d threads%s",
        scenario.name, run_cfg["trajectories"], scenario.n_rows, runs, scenario.n_states,
        scenario.n_steps, _duration(estimate), parallel,
        " (more to reach run.target_se)" if run_cfg["target_se"] else "",
    )  # fmt: skip


def _duration(seconds: float) -> str:
    """``42 s``, ``3.5 min``, ``2.1 h``, ``4.0 days``, ``31.7 years``."""
    for limit, unit, size in ((120, "s", 1), (7200, "min", 60), (172800, "h", 3600),
                              (3e7, "days", 86400)):  # fmt: skip
        if seconds < limit:
            return f"{seconds / size:.0f} s" if unit == "s" else f"{seconds / size:.1f} {unit}"
    return f"{seconds / 31557600:.1f} years"


def finish(
    ds: xr.Dataset, directory: str | Path, formats: Sequence[str] = ("zarr",)
) -> dict[str, Path]:
    """Write the results into ``directory``, then remove its checkpoint (now redundant)."""
    written = write_results(ds, directory, formats)
    checkpoint = Path(directory) / CHECKPOINT_NAME
    checkpoint.unlink(missing_ok=True)
    return written

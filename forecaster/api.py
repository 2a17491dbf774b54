"""The one run lifecycle: check a composed config, estimate its cost, simulate it, reduce it.

Every caller simulates through :func:`run`: the ``forecast`` command, the
Python API, sensitivity analysis (design points), calibration (design points),
the base-rate tables and the benchmarks' end-to-end figures; paired
comparisons check their cost against the same budget (:func:`refuse_over_budget`).
Like the calculators of OpenQuake, a run goes through fixed phases, each
timed and recorded in the dataset's attributes (``timing_<phase>_s``,
:mod:`forecaster.execution.phases`): validate, compile, kernel load (with the
probe that measures throughput), simulate, reduce; ``write`` is timed by
:func:`finish`, and ``compose`` by the command that composed the config.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import replace
from math import prod
from pathlib import Path
from typing import Any

import xarray as xr
from distributed import Client
from omegaconf import DictConfig, OmegaConf

from .config import calibration_sources, cluster_problems, grid_of, run_problems, to_spec
from .config.identity import identity_attrs, recalled
from .engine import Counters
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
from .execution.cost import (
    LONG_RUN_S,
    Cost,
    driver_memory,
    duration,
    estimate,
    memory_budget,
    planned_threads,
    size,
)
from .execution.lock import output_lock
from .execution.phases import PhaseTimer
from .results import provenance, to_dataset, write_results
from .scenario import Scenario, compile_scenario

log = logging.getLogger("forecaster")


#: steps (burn-in and horizon) a run may have: 2,500 years of quarters, 27 of days
MAX_STEPS = 10_000


def check(cfg: DictConfig, points: Sequence[dict[str, float]] | None = None) -> Scenario:
    """Validate a composed config and return its compiled :class:`~forecaster.Scenario`.

    The scenario is compiled once, here: callers simulate what was checked.
    ``points`` replaces the sweep grid with explicit design points (sensitivity
    analysis). Raises one :class:`ConfigError` listing every problem, including
    a cost over the budget (:func:`prepare`).
    """
    return prepare(cfg, points)[0]


def prepare(
    cfg: DictConfig,
    points: Sequence[dict[str, float]] | None = None,
    timer: PhaseTimer | None = None,
) -> tuple[Scenario, Cost]:
    """The checked scenario of a config and its estimated cost, or one :class:`ConfigError`.

    The pre-execute phases of every run: validate (the config's checks, the step
    count and the memory its counters would need, before anything is allocated),
    compile, then kernel load and the probe that estimates the time on the
    threads the cluster config gives (where it says). A cost over the budget is
    refused with its estimate and the flag that allows it.
    """
    timer = timer or PhaseTimer()
    with timer.phase("validate"):
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
                f"sweep.grid = {sorted(grid)}: a sensitivity analysis sets its own design "
                "points; use sweep=none"
            )
            grid = {}
        size_problems = _size_problems(spec, grid, points)
    if size_problems:  # compiling would allocate what they measure
        raise ConfigError(problems + size_problems)
    scenario = None
    with timer.phase("compile"):
        try:
            scenario = compile_scenario(
                spec, grid=None if points is not None else grid, points=points
            )
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
    run_cfg = spec["run"]
    threads = planned_threads(spec["cluster"])
    on_dask = spec["cluster"]["kind"] != "in_process"
    with timer.phase("kernel_load"):
        compile_kernels_once()  # a first run says so before compiling, then workers load the cache
        cost = estimate(scenario, run_cfg["trajectories"], run_cfg["seed"], threads or 1,
                        run_cfg["block_size"], dask=on_dask)  # fmt: skip
    if threads is None:  # the time is estimated once the cluster is up (run)
        cost = replace(cost, work_s=None)
    refuse_over_budget(cost, run_cfg)
    return scenario, cost


def refuse_over_budget(cost: Cost, run_cfg: Any, what: str = "the run") -> None:
    """Raise one :class:`ConfigError` if ``cost`` breaks the budget that ``run_cfg``'s
    ``allow_long`` and ``allow_large`` have not lifted."""
    problems = cost.problems(bool(run_cfg["allow_long"]), bool(run_cfg["allow_large"]), what)
    if problems:
        raise ConfigError(problems)


def _size_problems(
    spec: dict[str, Any], grid: dict[str, Any], points: Sequence[dict[str, float]] | None
) -> list[str]:
    """Step count and counter memory, from the config alone (nothing allocated yet)."""
    run_cfg = spec["run"]
    try:
        steps = (run_cfg["horizon_years"] + run_cfg["burn_in_years"]) / run_cfg["dt_years"]
    except (TypeError, ZeroDivisionError):
        return []  # the clock's own checks (compile) say what is wrong
    portfolio = spec.get("portfolio")
    portfolio = portfolio if isinstance(portfolio, dict) else {}  # not a mapping: compile says
    n_states = len(portfolio.get("states") or {})
    n_alliances = len(portfolio.get("alliances") or {})
    per_point = Counters.nbytes_of(n_states, n_alliances, max(1, round(steps)))
    if steps > MAX_STEPS:
        return [
            f"run.dt_years = {run_cfg['dt_years']!r}: {steps:,.0f} steps over "
            f"{run_cfg['horizon_years'] + run_cfg['burn_in_years']:g} years, counters of "
            f"about {size(per_point)} per grid point; allowed: at most {MAX_STEPS:,} steps "
            "(a larger run.dt_years or a shorter horizon)"
        ]
    n_points = (
        len(points)
        if points is not None
        else prod(len(v) if isinstance(v, list | tuple) else 1 for v in grid.values())
    )
    memory = driver_memory(n_points, n_states, n_alliances, round(steps), window=0)
    if not run_cfg["allow_large"] and memory > memory_budget():
        what = "design points" if points is not None else f"sweep.grid {sorted(grid)}"
        return [
            f"{what}: {n_points:,} grid points would hold about {size(memory)} of counters "
            f"and results ({size(per_point)} of counters each), over the budget of "
            f"{size(memory_budget())} (half of this machine's memory): use fewer grid points, "
            "or set run.allow_large=true to run it anyway"
        ]
    return []


def run(
    cfg: DictConfig,
    progress: bool = True,
    output_dir: str | Path | None = None,
    on_result: Callable[[int], None] | None = None,
    points: Sequence[dict[str, float]] | None = None,
    timer: PhaseTimer | None = None,
) -> xr.Dataset:
    """Validate a composed config, simulate it, and return the results dataset.

    Nothing is computed unless the whole config is valid and its estimated cost
    fits the budget (``run.allow_long``, ``run.allow_large`` lift it). With
    ``output_dir`` the directory is locked for this process and the completed
    part of the run is checkpointed there (``checkpoint.npz``), so that
    ``run.resume=<output_dir>`` can finish it after an interruption; a new run
    refuses a directory that holds another run's checkpoint. ``points``
    replaces the sweep grid with explicit design points, along a ``sample``
    dimension (the design of a sensitivity analysis). ``timer`` carries phases
    timed before (``compose``); the dataset's ``timing_<phase>_s`` attributes
    hold every phase.

    Examples
    --------
    >>> import forecaster
    >>> cfg = forecaster.compose(["portfolio=regional", "run.trajectories=200",
    ...                           "cluster=in_process"])
    >>> ds = forecaster.run(cfg, progress=False)
    >>> float(ds.p_war.sel(state="PROTEGE").isel(time=-1)) > 0
    True
    >>> sorted(k for k in ds.attrs if k.startswith("timing_"))[:2]
    ['timing_compile_s', 'timing_kernel_load_s']
    """
    timer = timer or PhaseTimer()
    scenario, cost = prepare(cfg, points, timer)
    spec = to_spec(cfg)
    sources = calibration_sources(cfg)
    # named before the run: the user's values that replace calibrated ones, and estimates
    # no option takes up (issue 18 item 7)
    for key, (used, calibrated) in sources.replaced.items():
        log.info("%s = %s is yours; the calibration's %s is not used", key, used, calibrated)
    for key, (used, calibrated) in sources.not_deferred.items():
        log.warning(
            "%s: the calibration estimates %s, but no option leaves this key to it; the "
            "options' %s is used (set %s=%s to use the estimate)",
            key, calibrated, used, key, calibrated,
        )  # fmt: skip
    run_cfg = spec["run"]
    directory = run_cfg["resume"] or output_dir
    with output_lock(directory) if directory is not None else nullcontext():
        start, checkpoint = _checkpoint(spec, points, cfg, scenario, output_dir)
        resumed = 0 if start is None else int(start.n_trajectories.sum())
        client = get_client(spec["cluster"])
        cost = _announce(scenario, run_cfg, client, cost)
        refuse_over_budget(cost, run_cfg)
        with timer.phase("simulate"):
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
    with timer.phase("reduce"):
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
    ds.attrs.update(timer.attrs())
    return ds


def _checkpoint(
    spec: dict[str, Any],
    points: Sequence[dict[str, float]] | None,
    cfg: DictConfig,
    scenario: Scenario,
    output_dir: str | Path | None,
) -> tuple[Counters | None, Checkpoint | None]:
    """The total to continue (resume) and the checkpoint to write, if any.

    A new run never replaces another run's checkpoint: it is refused with the
    command that finishes that run.
    """
    run_cfg = spec["run"]
    grid: dict[str, Any] = {"points": list(points)} if points is not None else grid_of(cfg)
    key = fingerprint(spec, grid, run_cfg["seed"])
    if run_cfg["resume"]:
        checkpoint = Checkpoint(Path(run_cfg["resume"]) / CHECKPOINT_NAME, key)
        try:
            start = checkpoint.load(scenario)
        except ValueError as err:
            raise ConfigError([f"run.resume = {run_cfg['resume']!r}: {err}"]) from None
        log.info(
            "resuming %s: %d trajectories done", checkpoint.path, int(start.n_trajectories.min())
        )
        return start, checkpoint
    if output_dir is None:
        return None, None
    checkpoint = Checkpoint(Path(output_dir) / CHECKPOINT_NAME, key)
    if checkpoint.path.exists():
        raise ConfigError(
            [f"output directory {str(output_dir)!r}: holds the checkpoint of an interrupted run "
             "that a new run would replace; finish it with: forecast <its overrides> "
             f"run.resume={output_dir}, or give this run another hydra.run.dir"]
        )  # fmt: skip
    return None, checkpoint


def _announce(
    scenario: Scenario, run_cfg: dict[str, Any], client: Client | None, cost: Cost
) -> Cost:
    """Log the run's size and its estimated time on the threads it got, before the bulk.

    The estimate comes from the probe of :func:`prepare` (a short block of the
    first grid point, in this process, not counted); a run sized by mistake
    (``run.trajectories=1000000000000``) is refused there, or here once a
    running scheduler has told its threads.
    """
    parallel = 1
    if client is not None:
        workers = client.scheduler_info()["workers"].values()
        parallel = max(1, sum(int(w.get("nthreads", 1)) for w in workers))
    if cost.seconds is None:
        cost = estimate(scenario, run_cfg["trajectories"], run_cfg["seed"], parallel,
                        run_cfg["block_size"], dask=client is not None)  # fmt: skip
    cost = cost.on(parallel)
    seconds = cost.seconds or 0.0
    level = logging.WARNING if seconds > LONG_RUN_S else logging.INFO
    log.log(
        level,
        "%s: %d trajectories x %d grid points = %d trajectory runs (%d states x %d steps); "
        "about %s on %d threads, %s of memory%s",
        scenario.name, run_cfg["trajectories"], scenario.n_rows, cost.trajectory_runs,
        scenario.n_states, scenario.n_steps, duration(seconds), parallel,
        size(cost.memory_bytes),
        " (more to reach run.target_se)" if run_cfg["target_se"] else "",
    )  # fmt: skip
    return cost


def finish(
    ds: xr.Dataset, directory: str | Path, formats: Sequence[str] = ("zarr",)
) -> dict[str, Path]:
    """Write the results into ``directory``, then remove its checkpoint (now redundant).

    The directory stays locked for this process while it writes; the write is
    timed (``timing_write_s``, :func:`forecaster.results.write_results`).
    """
    with output_lock(directory):
        written = write_results(ds, directory, formats)
        checkpoint = Path(directory) / CHECKPOINT_NAME
        checkpoint.unlink(missing_ok=True)
    return written

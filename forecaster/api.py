"""The Python API: compose a config, run it, write and open results."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xarray as xr
from omegaconf import DictConfig, OmegaConf

from .clusters import get_client
from .config import check, grid_of, to_spec
from .errors import ConfigError
from .execution import CHECKPOINT_NAME, Checkpoint, execute, fingerprint, headline_se
from .results import provenance, to_dataset

log = logging.getLogger("forecaster")


def run(
    cfg: DictConfig,
    progress: bool = True,
    output_dir: str | Path | None = None,
    on_result: Callable[[int], None] | None = None,
) -> xr.Dataset:
    """Validate a composed config, simulate it, and return the results dataset.

    Nothing is computed unless the whole config is valid. With ``output_dir``
    the completed part of the run is checkpointed there (``checkpoint.npz``),
    so that ``run.resume=<output_dir>`` can finish it after an interruption.

    Examples
    --------
    >>> import forecaster
    >>> cfg = forecaster.compose(["portfolio=regional", "run.trajectories=200",
    ...                           "cluster=in_process"])
    >>> ds = forecaster.run(cfg, progress=False)
    >>> float(ds.p_war.sel(state="PROTEGE").isel(time=-1)) > 0
    True
    """
    scenario = check(cfg)
    spec = to_spec(cfg)
    grid = grid_of(cfg)
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
    client = get_client(spec["cluster"])
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
            **provenance(),
        },
    )
    se = headline_se(total, scenario.is_adversary).reshape(scenario.grid_shape)
    ds["max_headline_se"] = (
        list(scenario.grid_dims),
        se,
        {
            "long_name": "largest Monte Carlo standard error among the headline "
            "probabilities at the horizon (war, entrapment, abandonment, alliance "
            "intact, member at war, any war)",
            "units": "1",
        },
    )
    return ds


def write_results(
    ds: xr.Dataset, directory: str | Path, formats: list[str] | tuple = ("zarr",)
) -> dict[str, Path]:
    """Write ``results.zarr`` (and/or ``results.nc``) into ``directory``.

    Each file is written under a temporary name and renamed into place, so a
    results file is never left half-written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for fmt in formats:
        if fmt == "zarr":
            final = directory / "results.zarr"
            tmp = directory / ".results.zarr.partial"
            shutil.rmtree(tmp, ignore_errors=True)
            ds.to_zarr(tmp, mode="w", consolidated=False, zarr_format=3)
        elif fmt == "netcdf":
            final = directory / "results.nc"
            tmp = directory / ".results.nc.partial"
            _netcdf_ready(ds).to_netcdf(tmp)
        else:
            raise ConfigError([f"output.formats = {fmt!r}: allowed formats are zarr, netcdf"])
        if final.exists():
            shutil.rmtree(final) if final.is_dir() else final.unlink()
        tmp.rename(final)
        written[fmt] = final
    return written


def _netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """netCDF has no bool or variable-length-string coordinates of every kind: convert them."""
    out = ds.copy()
    for name, coord in ds.coords.items():
        if coord.dtype == bool:
            out[name] = coord.astype("int8")
        elif coord.dtype.kind in "OT":
            out[name] = coord.astype(str)
    return out


def finish(ds: xr.Dataset, directory: str | Path, formats=("zarr",)) -> dict[str, Path]:
    """Write the results into ``directory``, then remove its checkpoint (now redundant)."""
    written = write_results(ds, directory, formats)
    checkpoint = Path(directory) / CHECKPOINT_NAME
    checkpoint.unlink(missing_ok=True)
    return written


def open_results(path: str | Path) -> xr.Dataset:
    """Open results lazily: a ``results.zarr`` or ``results.nc`` path, or an output directory."""
    path = Path(path)
    if path.is_dir() and path.suffix != ".zarr":
        for name in ("results.zarr", "results.nc"):
            if (path / name).exists():
                path = path / name
                break
        else:
            raise FileNotFoundError(f"{path}: no results.zarr or results.nc in this directory")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such results")
    if path.suffix == ".nc":
        return xr.open_dataset(path, chunks={})
    return xr.open_zarr(path, consolidated=False)


def config_of(ds: xr.Dataset) -> dict[str, Any]:
    """The resolved config a results dataset was produced with."""
    return OmegaConf.to_container(OmegaConf.create(ds.attrs["config"]))

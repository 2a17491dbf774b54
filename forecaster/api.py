"""The Python API: compose a config, run it, write and open results."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
import xarray as xr
from omegaconf import DictConfig, OmegaConf

from . import __version__
from .clusters import get_client
from .config import check, grid_of, to_spec
from .errors import ConfigError
from .execution import plan, run_in_process, run_on_client
from .results import to_dataset
from .scenario import compile_scenario

log = logging.getLogger("forecaster")


def run(cfg: DictConfig, progress: bool = True) -> xr.Dataset:
    """Validate a composed config, simulate it, and return the results dataset.

    Nothing is computed unless the whole config is valid.

    Examples
    --------
    >>> import forecaster
    >>> cfg = forecaster.compose(["portfolio=regional", "run.trajectories=200",
    ...                           "cluster=in_process"])
    >>> ds = forecaster.run(cfg, progress=False)
    >>> float(ds.p_war.sel(state="PROTEGE").isel(time=-1)) > 0
    True
    """
    check(cfg)
    spec = to_spec(cfg)
    scenario = compile_scenario(spec, grid=grid_of(cfg))
    run_cfg = cfg.run
    tasks = plan(scenario, 0, run_cfg.trajectories, run_cfg.block_size)
    start = time.perf_counter()
    client = get_client(spec["cluster"])
    if client is None:
        counters = run_in_process(scenario, tasks, run_cfg.seed, progress)
    else:
        counters = run_on_client(client, scenario, tasks, run_cfg.seed, progress)
    counters.n_trajectories = run_cfg.trajectories
    wall = time.perf_counter() - start
    rate = run_cfg.trajectories * scenario.n_rows / wall
    log.info(
        "%d tasks, %d trajectories x %d grid points in %.1f s (%.0f trajectories/s)",
        len(tasks), run_cfg.trajectories, scenario.n_rows, wall, rate,
    )  # fmt: skip
    return to_dataset(
        scenario,
        counters,
        {
            "seed": int(run_cfg.seed),
            "tasks": len(tasks),
            "wall_time_s": wall,
            "trajectories_per_s": rate,
            "config": OmegaConf.to_yaml(OmegaConf.create(spec)),
            "forecaster_version": __version__,
            "numba_version": numba.__version__,
            "numpy_version": np.__version__,
            "xarray_version": xr.__version__,
        },
    )


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

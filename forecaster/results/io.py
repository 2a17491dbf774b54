"""Writing results to disk and opening them again."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from omegaconf import OmegaConf

from forecaster.errors import ConfigError


def write_results(
    ds: xr.Dataset, directory: str | Path, formats: Sequence[str] = ("zarr",)
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
            with warnings.catch_warnings():
                # zarr-python writes v3 consolidated metadata (as other readers expect:
                # plain xr.open_zarr looks for it) but warns that the v3 spec lacks it
                warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
                ds.to_zarr(tmp, mode="w", consolidated=True, zarr_format=3)
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
    """netCDF has no bool type, and CF checkers reject variable-length strings: convert them."""
    out = ds.copy()
    for name, coord in ds.coords.items():
        if coord.dtype == bool:
            flags = {"flag_values": np.array([0, 1], dtype="int8"), "flag_meanings": "false true"}
            out[name] = coord.astype("int8").assign_attrs(flags)
        elif coord.dtype.kind in "OT":
            out[name] = coord.astype(str)
    for name, var in out.variables.items():
        if var.dtype.kind in "OTU":
            # fixed-width char arrays: CF's checkers (and netCDF-3 readers) reject vlen strings
            out[name] = var.astype(str)
            out[name].encoding["dtype"] = "S1"
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
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
        return xr.open_zarr(path)  # consolidated metadata when present


def config_of(ds: xr.Dataset) -> dict[str, Any]:
    """The resolved config a results dataset was produced with.

    A gathered multirun holds each job's config in the variable ``job_config``
    (along the swept keys): select one job (``ds.forecast.sel({...})``) for its
    config; without a selection this is the first job's.
    """
    text = ds.attrs.get("config")
    if "job_config" in ds:
        jobs = [str(v) for v in np.ravel(ds["job_config"].values) if isinstance(v, str) and v]
        text = jobs[0] if jobs else text
    if text is None:
        raise KeyError("config: the dataset carries no resolved config (not a forecaster run?)")
    config = OmegaConf.to_container(OmegaConf.create(text))
    assert isinstance(config, dict)  # a YAML mapping
    return {str(k): v for k, v in config.items()}

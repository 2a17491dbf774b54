"""Writing results to disk and opening them again."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
    config = OmegaConf.to_container(OmegaConf.create(ds.attrs["config"]))
    assert isinstance(config, dict)  # a YAML mapping
    return {str(k): v for k, v in config.items()}

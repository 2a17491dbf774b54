"""Writing results to disk and opening them again, verified.

Every numeric variable and coordinate of a written results file carries a
SHA-256 checksum of its values (the ``checksums`` attribute, JSON), and
:func:`open_results` checks them: a damaged, truncated or edited file (a
deleted zarr chunk reads as NaN, a flipped bit fails to decompress) is refused
naming the file and the variable, never shown as "no events". Reading a stored
config is bounded (:func:`config_of`): a size limit and no YAML aliases.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from omegaconf import OmegaConf

from forecaster.errors import ConfigError

#: the attribute that holds the variables' checksums
CHECKSUMS = "checksums"
#: the largest stored config read back (a resolved config is a few tens of kB)
MAX_CONFIG_BYTES = 1_000_000


class DamagedResults(ValueError):
    """A results file that cannot be read back as written: names the file and the variable."""


def checksums(ds: xr.Dataset) -> dict[str, str]:
    """SHA-256 of the values of every numeric variable and coordinate, by name."""
    return {
        str(name): _digest(np.asarray(var.values))
        for name, var in sorted(ds.variables.items(), key=lambda item: str(item[0]))
        if var.dtype.kind in "biuf"
    }


def _digest(values: np.ndarray) -> str:
    if values.dtype.kind == "b":  # netCDF stores booleans as int8 flags
        values = values.astype(np.int8)
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()


def write_results(
    ds: xr.Dataset, directory: str | Path, formats: Sequence[str] = ("zarr",)
) -> dict[str, Path]:
    """Write ``results.zarr`` (and/or ``results.nc``) into ``directory``.

    Each file is written under a temporary name of this process and renamed into
    place, so a results file is never left half-written and two processes never
    share a temporary file. The file carries the checksums of its variables and,
    in ``timing_write_s``, the seconds its writing took (zarr: recorded before
    the rename; netCDF: the zarr's, when both are written first).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ds = ds.assign_attrs({CHECKSUMS: json.dumps(checksums(ds), sort_keys=True)})
    written = {}
    for fmt in formats:
        start = time.perf_counter()
        if fmt == "zarr":
            final = directory / "results.zarr"
            tmp = directory / f".results.zarr.{os.getpid()}.partial"
            shutil.rmtree(tmp, ignore_errors=True)
            with warnings.catch_warnings():
                # zarr-python writes v3 consolidated metadata (as other readers expect:
                # plain xr.open_zarr looks for it) but warns that the v3 spec lacks it
                warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
                ds.to_zarr(tmp, mode="w", consolidated=True, zarr_format=3)
                _add_attrs(tmp, {"timing_write_s": round(time.perf_counter() - start, 6)})
        elif fmt == "netcdf":
            final = directory / "results.nc"
            tmp = directory / f".results.nc.{os.getpid()}.partial"
            _netcdf_ready(ds).to_netcdf(tmp)
        else:
            raise ConfigError([f"output.formats = {fmt!r}: allowed formats are zarr, netcdf"])
        if final.exists():
            shutil.rmtree(final) if final.is_dir() else final.unlink()
        tmp.rename(final)
        written[fmt] = final
    return written


def _add_attrs(store: Path, attrs: dict[str, Any]) -> None:
    """Add attributes to a written zarr store and consolidate its metadata again."""
    import zarr

    group = zarr.open_group(store, mode="r+")
    group.attrs.update(attrs)
    zarr.consolidate_metadata(store)


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
    try:
        if path.suffix == ".nc":
            ds = xr.open_dataset(path, chunks={})
        else:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
                ds = xr.open_zarr(path)  # consolidated metadata when present
    except (OSError, ValueError, KeyError) as err:
        raise DamagedResults(f"{path}: not a readable results file ({_first_line(err)})") from None
    verify(ds, path)
    return ds


def verify(ds: xr.Dataset, path: str | Path) -> None:
    """Refuse a results dataset whose values do not match the checksums it was written with.

    Reads every checksummed variable (results are the size of their counters,
    never of the trajectories). A dataset written before checksums is not checked.
    """
    stored = ds.attrs.get(CHECKSUMS)
    if stored is None:
        return
    try:
        expected = json.loads(stored)
    except (TypeError, ValueError):
        raise DamagedResults(f"{path}: its {CHECKSUMS} attribute is not readable") from None
    for name, digest in sorted(expected.items()):
        if name not in ds.variables:
            raise DamagedResults(f"{path}: variable {name} is missing (an incomplete file)")
        try:
            values = np.asarray(ds.variables[name].values)
        except Exception as err:  # any codec's error on a damaged chunk
            raise DamagedResults(
                f"{path}: variable {name} cannot be read (a damaged chunk: {_first_line(err)})"
            ) from None
        if _digest(values) != digest:
            raise DamagedResults(
                f"{path}: variable {name} does not match its checksum (a missing, damaged or "
                "edited chunk); rerun the run that wrote it"
            )


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__


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
    config = OmegaConf.to_container(OmegaConf.create(_bounded_yaml(str(text))))
    assert isinstance(config, dict)  # a YAML mapping
    return {str(k): v for k, v in config.items()}


def _bounded_yaml(text: str) -> str:
    """``text`` if it is a stored config of bounded size without aliases, else DamagedResults.

    A resolved config is written without anchors or aliases; refusing them
    (and anything over :data:`MAX_CONFIG_BYTES`) before parsing means a crafted
    file (a YAML "billion laughs") is refused in microseconds instead of
    expanding until memory runs out. Only the safe loader's events are read.
    """
    import yaml

    if len(text) > MAX_CONFIG_BYTES:
        raise DamagedResults(
            f"config: the stored config is {len(text):,} characters, over the limit of "
            f"{MAX_CONFIG_BYTES:,} (not a config forecaster wrote)"
        )
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise DamagedResults(
                    "config: the stored config uses YAML anchors or aliases, which forecaster "
                    "never writes (refused: they can expand without bound)"
                )
    except yaml.YAMLError as err:
        raise DamagedResults(
            f"config: the stored config is not valid YAML ({_first_line(err)})"
        ) from None
    return text

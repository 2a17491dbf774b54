"""Gather the datasets of a Hydra multirun into one, with a dimension per swept key.

``forecast -m threat.scale=0.5,1,2 portfolio=nato,indo_pacific`` runs one job
per combination, each writing ``<sweep dir>/<job>/results.zarr``. At the end
of the multirun, :class:`GatherResults` (a Hydra callback registered in
``conf/config.yaml``) writes ``<sweep dir>/results.zarr``: every job's dataset
expanded along the keys whose value differs between jobs, then merged.

Keys become the dimensions an in-run sweep uses (``threat.scale`` →
``threat__scale``, the key kept in the coordinate's ``config_key``), so a
multirun and an in-run sweep over the same values give the same dataset. A
categorical key such as ``portfolio`` becomes a dimension of strings. States
and alliances are the union over jobs: where a job's portfolio lacks a state,
its variables are NaN there.

Attributes mean what they mean in a single run: ``trajectories`` is the total
over all jobs (each job's count is ``n_trajectories``), ``config`` is the first
job's resolved config, and the variable ``job_config`` holds every job's
(``forecaster.config_of`` of a one-job selection returns it).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from forecaster.config.identity import identity_attrs, identity_from_attrs
from forecaster.results import dim_name, write_results

log = logging.getLogger("forecaster")


class GatherResults(Callback):
    """Hydra callback: gather a multirun's job datasets into the sweep directory."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        path = gather(Path(config.hydra.sweep.dir))
        if path is not None:
            print(f"gathered results: {path}")
            log.info("gathered the multirun's results into %s", path)


def job_dirs(sweep_dir: Path) -> list[Path]:
    """Job directories of a sweep that hold results, in job order."""
    jobs = [
        p
        for p in sweep_dir.iterdir()
        if (p / "results.zarr").is_dir() and (p / ".hydra" / "overrides.yaml").is_file()
    ]
    return sorted(jobs, key=lambda p: (len(p.name), p.name))


def _overrides(job: Path) -> dict[str, Any]:
    lines = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text()) or []
    values = {}
    for line in lines:
        key, _, value = line.lstrip("+~").partition("=")
        if not key.startswith("hydra"):
            values[key] = yaml.safe_load(value) if value else None
    return values


def _with_object_strings(ds: xr.Dataset) -> xr.Dataset:
    """NumPy StringDType coordinates (as zarr returns them) as objects, so they can align."""
    return ds.assign_coords(
        {name: coord.astype(object) for name, coord in ds.coords.items() if coord.dtype.kind == "T"}
    )


def gather(sweep_dir: Path) -> Path | None:
    """Write ``sweep_dir/results.zarr`` from the jobs' results; None if no job has results."""
    jobs = job_dirs(sweep_dir)
    if not jobs:
        return None
    overrides = [_overrides(job) for job in jobs]
    keys = sorted({k for o in overrides for k in o})
    swept = [k for k in keys if len({repr(o.get(k)) for o in overrides}) > 1]
    parts = []
    for job, values in zip(jobs, overrides, strict=True):
        ds = _with_object_strings(xr.open_zarr(job / "results.zarr").load())
        config = ds.attrs.get("config", "")
        for key in reversed(swept):
            ds = ds.expand_dims({dim_name(key): [values.get(key)]})
        ds["job_config"] = xr.DataArray(
            np.array(config, dtype=object),
            attrs={"long_name": "the job's resolved config (YAML)"},
        ).expand_dims({dim_name(key): ds[dim_name(key)].values for key in swept})
        parts.append(ds)
    merged = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop_conflicts")
    for key in swept:
        merged[dim_name(key)].attrs.update({"long_name": key, "config_key": key})
        if merged[dim_name(key)].dtype.kind in "fiu":
            merged[dim_name(key)].attrs["units"] = "1"
    merged.attrs["config"] = parts[0].attrs.get("config", "")
    merged.attrs["trajectories"] = int(merged.n_trajectories.sum())
    for name in ("tasks", "wall_time_s"):  # totals over the jobs, as in a single run
        merged.attrs[name] = sum(p.attrs.get(name, 0) for p in parts)
    wall = merged.attrs["wall_time_s"]
    merged.attrs["trajectories_per_s"] = merged.attrs["trajectories"] / wall if wall else 0.0
    # the options and overrides every job shares (what differs is the grid)
    identities = [identity_from_attrs(dict(p.attrs)) for p in parts]
    merged.attrs.pop("config_choices", None)
    merged.attrs.pop("config_overrides", None)
    if all(i is not None for i in identities):
        first, *others = [i for i in identities if i is not None]
        shared = {
            "choices": {g: o for g, o in first["choices"].items()
                        if all(i["choices"].get(g) == o for i in others)},
            "overrides": [o for o in first["overrides"]
                          if all(o in i["overrides"] for i in others)],
        }  # fmt: skip
        merged.attrs.update(identity_attrs(shared))
    # a state missing from some job's portfolio is still an adversary or not
    merged = merged.assign_coords(
        adversary=merged.adversary.fillna(0).astype(bool), region=merged.region.fillna("")
    )
    merged.attrs["multirun_jobs"] = len(jobs)
    merged.attrs["multirun_swept_keys"] = ",".join(swept)
    merged.attrs["multirun_overrides"] = yaml.safe_dump(
        [{"job": job.name, **values} for job, values in zip(jobs, overrides, strict=True)]
    )
    written = write_results(merged, sweep_dir, ("zarr",))
    return written["zarr"]

"""Counters to an ``xarray.Dataset`` of probabilities, means and their errors.

Naming (DESIGN.md): probabilities ``p_<event>`` with a twin ``p_<event>_se``;
means ``mean_<quantity>`` with ``mean_<quantity>_se``. Dimensions: one per
swept key (in grid order), then ``time`` (years at the end of each step),
``state``, ``alliance``, ``count`` (histogram bins) as each variable needs.
``docs/results.md`` lists every variable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from . import estimators
from .counters import Counters
from .kernels import layout as L
from .scenario import Scenario

_BY_TIME_STATE = {
    "war": "took part in a war that started by time t",
    "entrapment": "entrapped: honoured and went to war for a low-interest or provoking ally, by t",
    "abandonment": "abandoned: its defence allies delivered under half of what they owed, by t",
    "targeted": "targeted in at least one crisis by t",
}
_BY_TIME_ALLIANCE = {
    "intact": "alliance intact: not dissolved and no member has left, at t",
    "member_war": "some member of the alliance took part in a war by t",
}
_BY_TIME = {
    "any_war": "some non-adversary state took part in a war by t",
    "major_war": "a war with three or more participants started by t",
}
_RATIOS = {
    "reliability": ("p_honour", "reliability: honoured casus foederis events / all such events"),
    "reliability_war": (
        "p_honour_war",
        "wartime reliability: honoured / all casus foederis events in crises that became wars",
    ),
    "deterrence": ("p_deterred", "deterrence: opportunities deterred / opportunities"),
}
_EVENTS = {
    "cf_events": "casus foederis events of the ally",
    "cf_honoured": "casus foederis events the ally honoured",
    "cf_events_war": "casus foederis events in crises that became wars",
    "cf_honoured_war": "honoured casus foederis events in crises that became wars",
    "opportunities": "opportunities of an adversary against the state",
    "deterred": "opportunities against the state that were deterred",
    "crises": "crises against the state (challenged or provoked)",
    "provoked": "crises the state provoked",
    "yielded": "crises in which the state gave in without war",
    "backed_down": "crises in which the adversary backed down after the state resisted",
    "wars_as_target": "wars against the state",
    "war_entries": "wars the state took part in, any role",
    "abandonments": "crises in which the state was abandoned",
    "entrapments": "wars the state was entrapped into",
}
_MOMENTS = {
    "defense_share": ("defence spending as a share of GDP", "1"),
    "support": ("public support for alliance commitments u = logistic(s)", "1"),
    "reputation": ("reputation for honouring commitments", "1"),
    "burden_gap": ("burden gap: share of alliance spending minus share of alliance GDP", "1"),
}


def _prob_attrs(long_name: str, name: str) -> dict[str, str]:
    return {"long_name": long_name, "units": "1", "ancillary_variables": f"{name}_se"}


def _se_attrs(long_name: str) -> dict[str, str]:
    return {"long_name": f"Monte Carlo standard error of: {long_name}", "units": "1"}


def provenance() -> dict[str, str | int]:
    """The versions that produced a dataset, for its attributes."""
    import numba

    from . import __version__
    from .kernels import STREAM_VERSION

    return {
        "forecaster_version": __version__,
        "numba_version": numba.__version__,
        "numpy_version": np.__version__,
        "xarray_version": xr.__version__,
        "random_stream_version": STREAM_VERSION,
    }


def to_dataset(
    scenario: Scenario, counters: Counters, attrs: dict[str, Any] | None = None
) -> xr.Dataset:
    """Probabilities, means and Monte Carlo standard errors of a run.

    Parameters
    ----------
    scenario : the compiled scenario the counters came from (all its grid rows).
    counters : additive counters of ``counters.n_trajectories`` trajectories.
    attrs : extra global attributes (provenance).
    """
    n_rows = np.asarray(counters.n_trajectories)
    if n_rows.min() < 1:
        raise ValueError("counters hold no trajectories for some grid point")

    def n_for(values: np.ndarray) -> np.ndarray:
        """Each grid row's trajectory count, shaped to broadcast against ``values``."""
        return n_rows.reshape((-1,) + (1,) * (np.ndim(values) - 1))

    grid_dims = list(scenario.grid_dims)
    grid_shape = scenario.grid_shape

    def shaped(values: np.ndarray) -> np.ndarray:
        return values.reshape(grid_shape + values.shape[1:])

    time = (np.arange(scenario.n_steps) + 1) * scenario.dt
    coords: dict[str, Any] = {
        "time": ("time", time, {"long_name": "time since the start", "units": "years"}),
        # object (variable-length) strings: zarr v3 has no spec for fixed-width unicode
        "state": ("state", np.array(scenario.state_names, dtype=object)),
        "alliance": ("alliance", np.array(scenario.alliance_names, dtype=object)),
        "count": ("count", np.arange(L.HISTOGRAM_BINS), {"long_name": "number of events"}),
        "adversary": ("state", scenario.is_adversary.astype(bool)),
        "region": (
            "state",
            np.array([scenario.region_names[r] for r in scenario.region], dtype=object),
        ),
    }
    if scenario.points:
        coords["sample"] = ("sample", np.arange(scenario.n_rows), {"long_name": "design point"})
    for key, values in zip(scenario.grid_keys, scenario.grid_values, strict=True):
        coords[key] = (grid_dims[0] if scenario.points else key, np.asarray(values))
    data: dict[str, tuple] = {}

    def put(name, dims, values, attrs_):
        data[name] = (grid_dims + dims, shaped(values), attrs_)

    for q, event in enumerate(L.BY_TIME_STATE):
        count = counters.by_time_state[..., q]
        p, se = estimators.proportion(count, n_for(count))
        put(f"p_{event}", ["time", "state"], p, _prob_attrs(_BY_TIME_STATE[event], f"p_{event}"))
        put(f"p_{event}_se", ["time", "state"], se, _se_attrs(_BY_TIME_STATE[event]))
    for q, event in enumerate(L.BY_TIME_ALLIANCE):
        count = counters.by_time_alliance[..., q]
        p, se = estimators.proportion(count, n_for(count))
        text = _BY_TIME_ALLIANCE[event]
        put(f"p_{event}", ["time", "alliance"], p, _prob_attrs(text, f"p_{event}"))
        put(f"p_{event}_se", ["time", "alliance"], se, _se_attrs(text))
    for q, event in enumerate(L.BY_TIME):
        count = counters.by_time[..., q]
        p, se = estimators.proportion(count, n_for(count))
        put(f"p_{event}", ["time"], p, _prob_attrs(_BY_TIME[event], f"p_{event}"))
        put(f"p_{event}_se", ["time"], se, _se_attrs(_BY_TIME[event]))

    ev = counters.events
    for r, (ratio_name, num, den) in enumerate(L.RATIOS):
        value, se = estimators.ratio(
            ev[:, :, num, 0], ev[:, :, den, 0], ev[:, :, num, 1], ev[:, :, den, 1],
            counters.event_products[:, :, r], n_for(ev[:, :, 0, 0]),
        )  # fmt: skip
        name, text = _RATIOS[ratio_name]
        put(name, ["state"], value[:, :-1], _prob_attrs(text, name))
        put(f"{name}_se", ["state"], se[:, :-1], _se_attrs(text))
        put(
            f"{name}_all",
            [],
            value[:, -1],
            _prob_attrs(text + " (all states pooled)", f"{name}_all"),
        )
        put(f"{name}_all_se", [], se[:, -1], _se_attrs(text + " (all states pooled)"))
    for e, event in enumerate(L.EVENTS):
        m, se = estimators.mean(ev[:, :-1, e, 0], ev[:, :-1, e, 1], n_for(ev[:, :-1, e, 0]))
        text = f"{_EVENTS[event]}, per trajectory over the horizon"
        attrs_ = {"long_name": text, "units": "1", "ancillary_variables": f"mean_{event}_se"}
        put(f"mean_{event}", ["state"], m, attrs_)
        put(f"mean_{event}_se", ["state"], se, _se_attrs(text))
    for q, quantity in enumerate(L.MOMENTS):
        total = counters.moments[..., q, 0]
        m, se = estimators.mean(total, counters.moments[..., q, 1], n_for(total))
        text, units = _MOMENTS[quantity]
        attrs_ = {"long_name": f"mean {text}", "units": units,
                  "ancillary_variables": f"mean_{quantity}_se"}  # fmt: skip
        put(f"mean_{quantity}", ["time", "state"], m, attrs_)
        put(f"mean_{quantity}_se", ["time", "state"], se, _se_attrs(f"mean {text}"))
    for h, what in enumerate(L.HISTOGRAMS):
        hist = counters.histograms[:, h, :]
        at_least = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
        p, se = estimators.proportion(at_least, n_for(at_least))
        text = f"P({what} in a trajectory >= count); the last bin pools all larger counts"
        put(f"p_{what}_at_least", ["count"], p, _prob_attrs(text, f"p_{what}_at_least"))
        put(f"p_{what}_at_least_se", ["count"], se, _se_attrs(text))

    put(
        "n_trajectories",
        [],
        n_rows,
        {"long_name": "trajectories simulated at this grid point", "units": "1"},
    )
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "title": f"forecaster results: {scenario.name}",
            "Conventions": "CF-1.10",
            "scenario": scenario.name,
            "trajectories": int(n_rows.sum()),
            "dt_years": scenario.dt,
            "horizon_years": scenario.horizon,
            "mechanisms": ",".join(
                m for m, on in zip(L.MECHANISMS, scenario.flags, strict=True) if on
            ),
        }
    )
    if attrs:
        ds.attrs.update(attrs)
    return ds

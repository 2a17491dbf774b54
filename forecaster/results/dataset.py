"""Counters to an ``xarray.Dataset`` of probabilities, means and their errors.

Naming: probabilities ``p_<event>`` with a twin ``p_<event>_se``;
means ``mean_<quantity>`` with ``mean_<quantity>_se``. Dimensions: one per
swept key (in grid order), then ``time`` (years at the end of each step),
``state``, ``alliance``, ``count`` (histogram bins) as each variable needs.
``docs/results.md`` lists every variable.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import xarray as xr

from forecaster._version import __version__
from forecaster.engine import Counters
from forecaster.kernels import STREAM_VERSION
from forecaster.kernels import layout as L
from forecaster.scenario import Scenario

from . import estimators

#: the CF version the datasets are checked against (tests/test_cf.py runs cfchecker)
CONVENTIONS = "CF-1.8"

_BY_TIME_STATE = {
    "war": "took part in a war that started by time t",
    "entrapment": "entrapped: honoured a commitment and went to war in a crisis the protected "
    "ally provoked, by t",
    "abandonment": "abandoned: attacked (the crisis became a war) while its defence allies "
    "delivered under half of what they owed, by t",
    "targeted": "targeted in at least one crisis by t",
    "entanglement": "entangled: honoured a commitment and went to war, by t",
    "unsupported_crisis": "in a crisis (war or not) in which its defence allies delivered under "
    "half of what they owed, by t",
    "low_interest_or_provoked_war": "honoured a commitment and went to war for an ally of "
    "interest below the entrapment threshold or one that provoked, by t",
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
    "abandonments": "wars against the state in which its allies delivered under half they owed",
    "entrapments": "wars the state joined by honouring, in a crisis its protégé provoked",
    "stalemates": "crises against the state that both sides would fight, ended without war",
    "entanglements": "wars the state joined by honouring a commitment",
    "unsupported_crises": "crises against the state in which its allies delivered under half "
    "they owed",
    "low_interest_or_provoked_wars": "wars the state joined by honouring, for a low-interest "
    "or provoking ally",
    "interventions": "wars the state joined without an obligation to the target",
}
_MOMENTS = {
    "defense_share": ("defence spending as a share of GDP", "1"),
    "support": ("public support for alliance commitments u = logistic(s)", "1"),
    "reputation": ("reputation for honouring commitments", "1"),
    "burden_gap": ("burden gap: share of alliance spending minus share of alliance GDP", "1"),
}


def _prob_attrs(long_name: str, name: str) -> dict[str, str]:
    return {
        "long_name": long_name,
        "units": "1",
        "ancillary_variables": f"{name}_se {name}_lower {name}_upper",
    }


def _se_attrs(long_name: str) -> dict[str, str]:
    return {"long_name": f"Monte Carlo standard error of: {long_name}", "units": "1"}


def _bound_attrs(long_name: str, side: str, method: str) -> dict[str, str]:
    level = f"{estimators.LEVEL:.0%}"
    return {"long_name": f"{side} bound of the {level} {method} interval of: {long_name}",
            "units": "1"}  # fmt: skip


#: a CF-valid name for a config key: letters, digits and underscores only
_KEY_SEPARATOR = "__"


def dim_name(key: str) -> str:
    """The dataset dimension of a swept config key: dots become double underscores.

    CF names hold letters, digits and underscores only, so the key
    ``portfolio.alliances.nato.explicitness`` is the dimension
    ``portfolio__alliances__nato__explicitness``; its coordinate keeps the key
    in the ``config_key`` attribute (``ds.forecast.sel`` selects by key).
    """
    return key.replace(".", _KEY_SEPARATOR).replace("-", "_")


def config_keys(ds: xr.Dataset) -> dict[str, str]:
    """``{config key: coordinate name}`` of a dataset's swept keys, in dimension order."""
    keys = {}
    for name, coord in ds.coords.items():
        key = coord.attrs.get("config_key")
        if key is not None:
            keys[str(key)] = str(name)
    return keys


def grid_coords(ds: xr.Dataset) -> list[str]:
    """The names of the swept coordinates (grid or design points), in dimension order."""
    order = {str(d): i for i, d in enumerate(ds.dims)}
    names = list(config_keys(ds).values())
    return sorted(names, key=lambda n: order.get(str(ds[n].dims[0]), 0) if ds[n].dims else 0)


def grid_dims(ds: xr.Dataset) -> list[str]:
    """The dataset's grid dimensions (one per swept key, or ``sample``), in order."""
    dims = {str(ds[n].dims[0]) for n in config_keys(ds).values() if ds[n].dims}
    return [str(d) for d in ds.dims if str(d) in dims]


def provenance() -> dict[str, str | int]:
    """The versions that produced a dataset, for its attributes."""
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
    variables = _Variables(scenario, n_rows)
    _put_by_time(variables, counters)
    _put_ratios(variables, counters)
    _put_means(variables, counters)
    _put_histograms(variables, counters)
    variables.put(
        "n_trajectories",
        [],
        n_rows,
        {"long_name": "trajectories simulated at this grid point", "units": "1"},
    )
    ds = xr.Dataset(variables.data, coords=_coords(scenario))
    ds.attrs.update(
        {
            "title": f"forecaster results: {scenario.name}",
            "Conventions": CONVENTIONS,
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


class _Variables:
    """The data variables of a dataset, each with the grid's dimensions in front.

    Values arrive with one leading axis of grid rows; :meth:`put` reshapes it
    to the grid's shape (one axis per swept key, or ``sample``).
    """

    def __init__(self, scenario: Scenario, n_rows: np.ndarray) -> None:
        self.n_rows = n_rows
        self.grid_dims = (
            ["sample"] if scenario.points else [dim_name(k) for k in scenario.grid_keys]
        )
        self.grid_shape = scenario.grid_shape
        self.data: dict[str, tuple] = {}

    def n_for(self, values: np.ndarray) -> np.ndarray:
        """Each grid row's trajectory count, shaped to broadcast against ``values``."""
        return self.n_rows.reshape((-1,) + (1,) * (np.ndim(values) - 1))

    def put(self, name: str, dims: list[str], values: np.ndarray, attrs: dict[str, str]) -> None:
        """Add variable ``name`` over the grid's dimensions and ``dims``."""
        shaped = values.reshape(self.grid_shape + values.shape[1:])
        self.data[name] = (self.grid_dims + dims, shaped, attrs)

    def put_binomial(self, name: str, dims: list[str], count: np.ndarray, text: str) -> None:
        """A proportion of trajectories, its standard error and its Wilson interval."""
        n = self.n_for(count)
        p, se = estimators.proportion(count, n)
        lower, upper = estimators.proportion_interval(count, n)
        self.put(name, dims, p, _prob_attrs(text, name))
        self.put(f"{name}_se", dims, se, _se_attrs(text))
        self.put(f"{name}_lower", dims, lower, _bound_attrs(text, "lower", "Wilson"))
        self.put(f"{name}_upper", dims, upper, _bound_attrs(text, "upper", "Wilson"))


def _coords(scenario: Scenario) -> dict[str, Any]:
    """The coordinates: time, state, alliance, count, and the swept keys."""
    time = (np.arange(scenario.n_steps) + 1) * scenario.dt
    coords: dict[str, Any] = {
        # a duration, not a date: the model has no calendar. CF's udunits unit "year"
        # with axis T; cf_xarray finds it as the T axis, xarray keeps plain floats.
        "time": (
            "time",
            time,
            {
                "long_name": "time since the start of the forecast",
                "units": "year",
                "standard_name": "forecast_period",
            },
        ),
        # object (variable-length) strings: zarr v3 has no spec for fixed-width unicode
        "state": ("state", np.array(scenario.state_names, dtype=object), {"long_name": "state"}),
        "alliance": (
            "alliance",
            np.array(scenario.alliance_names, dtype=object),
            {"long_name": "alliance"},
        ),
        "count": (
            "count",
            np.arange(L.HISTOGRAM_BINS),
            {"long_name": "number of events", "units": "1"},
        ),
        "adversary": (
            "state",
            scenario.is_adversary.astype(bool),
            {"long_name": "the state is an adversary", "units": "1"},
        ),
        "region": (
            "state",
            np.array([scenario.region_names[r] for r in scenario.region], dtype=object),
            {"long_name": "region of the state"},
        ),
    }
    if scenario.points:
        coords["sample"] = ("sample", np.arange(scenario.n_rows),
                            {"long_name": "design point", "units": "1"})  # fmt: skip
    for key, values in zip(scenario.grid_keys, scenario.grid_values, strict=True):
        name = dim_name(key)
        coords[name] = (
            "sample" if scenario.points else name,
            np.asarray(values),
            # the config keys of the sweeps are shares, rates and multipliers: units "1"
            {"long_name": key, "config_key": key, "units": "1"},
        )
    return coords


def _put_by_time(variables: _Variables, counters: Counters) -> None:
    """The probabilities of events by time t: per state, per alliance, overall."""
    for q, event in enumerate(L.BY_TIME_STATE):
        text = _BY_TIME_STATE[event]
        variables.put_binomial(
            f"p_{event}", ["time", "state"], counters.by_time_state[..., q], text
        )
    for q, event in enumerate(L.BY_TIME_ALLIANCE):
        text = _BY_TIME_ALLIANCE[event]
        variables.put_binomial(
            f"p_{event}", ["time", "alliance"], counters.by_time_alliance[..., q], text
        )
    for q, event in enumerate(L.BY_TIME):
        variables.put_binomial(f"p_{event}", ["time"], counters.by_time[..., q], _BY_TIME[event])


def _put_ratios(variables: _Variables, counters: Counters) -> None:
    """The ratios of event counts (reliability, deterrence): per state and pooled."""
    ev = counters.events
    put = variables.put
    for r, (ratio_name, num, den) in enumerate(L.RATIOS):
        value, se = estimators.ratio(
            ev[:, :, num, 0], ev[:, :, den, 0], ev[:, :, num, 1], ev[:, :, den, 1],
            counters.event_products[:, :, r], variables.n_for(ev[:, :, 0, 0]),
        )  # fmt: skip
        name, text = _RATIOS[ratio_name]
        lower, upper = estimators.ratio_interval(value, se, ev[:, :, num, 0], ev[:, :, den, 0])
        for suffix, dims, cols, what in (
            ("", ["state"], slice(None, -1), text),
            ("_all", [], -1, text + " (all states pooled)"),
        ):
            put(f"{name}{suffix}", dims, value[:, cols], _prob_attrs(what, f"{name}{suffix}"))
            put(f"{name}{suffix}_se", dims, se[:, cols], _se_attrs(what))
            method = "delta-method normal (Wilson where it collapses)"
            put(f"{name}{suffix}_lower", dims, lower[:, cols],
                _bound_attrs(what, "lower", method))  # fmt: skip
            put(f"{name}{suffix}_upper", dims, upper[:, cols],
                _bound_attrs(what, "upper", method))  # fmt: skip


def _put_means(variables: _Variables, counters: Counters) -> None:
    """The mean event counts per trajectory, and the mean moments by time."""
    ev = counters.events
    for e, event in enumerate(L.EVENTS):
        total = ev[:, :-1, e, 0]
        m, se = estimators.mean(total, ev[:, :-1, e, 1], variables.n_for(total))
        text = f"{_EVENTS[event]}, per trajectory over the horizon"
        attrs = {"long_name": text, "units": "1", "ancillary_variables": f"mean_{event}_se"}
        variables.put(f"mean_{event}", ["state"], m, attrs)
        variables.put(f"mean_{event}_se", ["state"], se, _se_attrs(text))
    for q, quantity in enumerate(L.MOMENTS):
        total = counters.moments[..., q, 0]
        m, se = estimators.mean(total, counters.moments[..., q, 1], variables.n_for(total))
        text, units = _MOMENTS[quantity]
        attrs = {"long_name": f"mean {text}", "units": units,
                 "ancillary_variables": f"mean_{quantity}_se"}  # fmt: skip
        variables.put(f"mean_{quantity}", ["time", "state"], m, attrs)
        variables.put(f"mean_{quantity}_se", ["time", "state"], se, _se_attrs(f"mean {text}"))


def _put_histograms(variables: _Variables, counters: Counters) -> None:
    """P(count in a trajectory >= k) of each histogram's events."""
    for h, what in enumerate(L.HISTOGRAMS):
        hist = counters.histograms[:, h, :]
        at_least = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
        text = f"P({what} in a trajectory >= count); the last bin pools all larger counts"
        variables.put_binomial(f"p_{what}_at_least", ["count"], at_least, text)

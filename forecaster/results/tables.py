"""Tidy tables of the headline outcomes: one row per (grid point, state or alliance, outcome).

``ds.forecast.table()``, the ``forecast`` summary, ``summary.csv`` of
``forecast-report`` and the comparisons all read this table, so they say the
same thing in the same words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import config_keys, grid_dims
from .io import config_of
from .labels import OUTCOMES

#: headline outcomes at the horizon, by what they are counted over
STATE_OUTCOMES = (
    "p_war",
    "p_entanglement",
    "p_entrapment",
    "p_abandonment",
    "p_honour_war",
    "p_honour",
)
ALLIANCE_OUTCOMES = ("p_intact", "p_member_war")
GLOBAL_OUTCOMES = ("p_any_war", "p_major_war")

#: the interval method of each kind of estimate
_METHOD = {"p_honour": "delta method", "p_honour_war": "delta method"}


def _portfolio(ds: xr.Dataset) -> dict[str, Any]:
    try:
        return config_of(ds).get("portfolio") or {}
    except KeyError:
        return {}


def roles(ds: xr.Dataset) -> dict[str, dict[str, bool]]:
    """Per state, which roles the portfolio allows: ``targeted`` (some adversary targets
    it), ``ally`` (member of an alliance), ``defended`` (has a defence alliance).

    Without a config in the dataset every role is allowed.
    """
    portfolio = _portfolio(ds)
    states = [str(s) for s in ds.state.values]
    if not portfolio:
        return {s: {"targeted": True, "ally": True, "defended": True} for s in states}
    targeted = {
        str(t)
        for data in (portfolio.get("states") or {}).values()
        for t, w in ((data or {}).get("targets") or {}).items()
        if w and float(w) > 0
    }
    ally, defended = set(), set()
    for alliance in (portfolio.get("alliances") or {}).values():
        members = [str(m) for m in alliance.get("members") or []]
        if len(members) >= 2:
            ally.update(members)
            if alliance.get("obligation", "defense") == "defense":
                defended.update(members)
    return {
        s: {"targeted": s in targeted, "ally": s in ally, "defended": s in defended} for s in states
    }


def applicable(outcome: str, role: dict[str, bool]) -> bool:
    """Whether ``outcome`` can occur for a state with these roles.

    A state no adversary targets is never abandoned and never targeted; a state
    in no alliance is never entangled or entrapped and has no reliability; it
    can be at war only if it is targeted or an ally.
    """
    if outcome in ("p_abandonment", "p_unsupported_crisis"):
        return role["targeted"] and role["defended"]
    if outcome in (
        "p_entrapment",
        "p_entanglement",
        "p_low_interest_or_provoked_war",
        "p_honour",
        "p_honour_war",
    ):
        return role["ally"]
    if outcome in ("p_targeted", "p_deterred"):
        return role["targeted"]
    if outcome == "p_war":
        return role["targeted"] or role["ally"]
    return True


def headline_table(ds: xr.Dataset, time: int | float = -1) -> pd.DataFrame:
    """The headline outcomes at ``time`` (default: the horizon) as a tidy table.

    Columns: one per swept key (named by its config key), ``kind`` (state,
    alliance or all), ``name``, ``outcome`` (variable), ``label``, ``p``,
    ``se``, ``lower``, ``upper`` (95%: Wilson for probabilities, delta method
    for the reliabilities), ``interval`` (its method), ``applicable`` (False
    where the portfolio rules the outcome out; p is then NaN) and
    ``n_trajectories`` at that grid point.
    """
    at = ds.isel(time=time) if isinstance(time, int) else ds.sel(time=time, method="nearest")
    keys = {name: key for key, name in config_keys(ds).items()}
    dims = grid_dims(ds)
    adversary = dict(zip(map(str, ds.state.values), np.asarray(ds.adversary.values), strict=True))
    role = roles(ds)

    def frame(var: str, kind: str, unit_dim: str | None) -> pd.DataFrame:
        names = [var, f"{var}_se", f"{var}_lower", f"{var}_upper", "n_trajectories"]
        part = at[[n for n in names if n in at]]
        if unit_dim is not None:
            part = part.rename({unit_dim: "name"})
        part = part.drop_vars([c for c in part.coords if c not in (*dims, "name", *keys)])
        if part.sizes:
            df = part.to_dataframe()
        else:  # a single run's portfolio-wide outcome: one row
            df = pd.DataFrame([{k: v.values.item() for k, v in part.data_vars.items()}])
        df = df.reset_index().rename(
            columns={var: "p", f"{var}_se": "se", f"{var}_lower": "lower", f"{var}_upper": "upper"}
        )
        if unit_dim is None:
            df["name"] = "all"
        df.insert(0, "outcome", var)
        df.insert(0, "kind", kind)
        return df

    frames = [frame(var, "state", "state") for var in STATE_OUTCOMES if var in at]
    if at.sizes.get("alliance"):
        frames += [frame(var, "alliance", "alliance") for var in ALLIANCE_OUTCOMES if var in at]
    frames += [frame(var, "all", None) for var in GLOBAL_OUTCOMES if var in at]
    table = pd.concat(frames, ignore_index=True)
    table = table[~table["name"].map(lambda n: bool(adversary.get(str(n), False)))]
    table["name"] = table["name"].astype(str)
    table["applicable"] = [
        applicable(o, role[n]) if k == "state" and n in role else True
        for o, k, n in zip(table["outcome"], table["kind"], table["name"], strict=True)
    ]
    for column in ("p", "se", "lower", "upper"):
        table.loc[~table["applicable"], column] = np.nan
    table["label"] = table["outcome"].map(lambda v: OUTCOMES.get(v, (v,))[0])
    table["interval"] = table["outcome"].map(lambda v: _METHOD.get(v, "Wilson"))
    # swept dims named by their config keys; a design's ``sample`` stays
    table = table.rename(columns={d: keys.get(d, d) for d in dims})
    for name, key in keys.items():
        if name not in dims and name in table:
            table = table.rename(columns={name: key})
    grid_columns = [keys.get(d, d) for d in dims] + [
        key for name, key in keys.items() if name not in dims
    ]
    ordered = [*grid_columns, "kind", "name", "outcome", "label", "p", "se", "lower", "upper",
               "interval", "applicable", "n_trajectories"]  # fmt: skip
    return table[[c for c in ordered if c in table]].reset_index(drop=True)

"""Which states a briefing is about: the most exposed first, and who is allied with whom.

A report cannot show 32 states. It shows the adversaries' targets, ranked by how
often the simulation finds them targeted in a crisis (``p_targeted`` at the
horizon, averaged over the grid), then the alliances' leaders; a figure of an
alliance's dilemma pairs a protégé and a patron that are both its members.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from forecaster.results import config_keys, config_of, grid_dims
from forecaster.results.tables import roles


def _portfolio(ds: xr.Dataset) -> dict[str, Any]:
    try:
        return config_of(ds).get("portfolio") or {}
    except KeyError:
        return {}


def friendly_states(ds: xr.Dataset) -> list[str]:
    """The states that are not adversaries, in the dataset's order."""
    return [str(s) for s, adv in zip(ds.state.values, ds.adversary.values, strict=True) if not adv]


def adversaries(ds: xr.Dataset) -> list[str]:
    """The adversaries, in the dataset's order."""
    return [str(s) for s, adv in zip(ds.state.values, ds.adversary.values, strict=True) if adv]


def _mean_at_horizon(ds: xr.Dataset, var: str) -> dict[str, float]:
    if var not in ds:
        return {}
    at = ds[var].isel(time=-1)
    dims = [d for d in at.dims if d != "state"]
    mean = at.mean(dims, skipna=True) if dims else at
    values = np.asarray(mean.values, dtype=float)
    return {str(s): float(v) for s, v in zip(ds.state.values, values, strict=True)}


def by_exposure(ds: xr.Dataset) -> list[str]:
    """Non-adversary states, most exposed first: the targets by simulated P(targeted)
    (then P(war)), then the alliances' leaders, then the others by P(war)."""
    targeted = _mean_at_horizon(ds, "p_targeted")
    war = _mean_at_horizon(ds, "p_war")
    role = roles(ds)
    leaders = {str(a.get("leader")) for a in (_portfolio(ds).get("alliances") or {}).values()}

    def rank(state: str) -> tuple[int, float, float]:
        group = 0 if role[state]["targeted"] else 1 if state in leaders else 2
        return group, -np.nan_to_num(targeted.get(state, 0.0)), -np.nan_to_num(war.get(state, 0.0))

    friendly = [s for s in friendly_states(ds) if np.isfinite(war.get(s, 0.0))]
    return sorted(friendly, key=rank)


def alliance_members(ds: xr.Dataset) -> dict[str, tuple[list[str], str | None]]:
    """``{alliance: (members, leader)}`` from the run's portfolio."""
    out = {}
    for name, alliance in (_portfolio(ds).get("alliances") or {}).items():
        members = [str(m) for m in alliance.get("members") or []]
        leader = alliance.get("leader")
        out[str(name)] = (members, None if leader is None else str(leader))
    return out


def dilemma_pair(ds: xr.Dataset, key: str) -> tuple[str, str, str] | None:
    """``(alliance, protégé, patron)`` for the trade-off figure over a swept ``key``.

    The alliance is the one ``key`` belongs to (``portfolio.alliances.<name>.…``),
    else the alliance of the most exposed target; the protégé is its most exposed
    targeted member, the patron its leader (or, if the protégé leads, the member
    least exposed). None when no alliance has both.
    """
    members = alliance_members(ds)
    ranked = by_exposure(ds)
    role = roles(ds)
    parts = key.split(".")
    if len(parts) > 3 and parts[:2] == ["portfolio", "alliances"] and parts[2] in members:
        candidates = [parts[2]]
    else:
        candidates = [a for s in ranked for a, (m, _) in members.items() if s in m]
    for alliance in dict.fromkeys(candidates):
        inside, leader = members[alliance]
        proteges = [s for s in ranked if s in inside and role[s]["targeted"]]
        if not proteges:
            continue
        protege = proteges[0]
        patron = leader if leader and leader != protege and leader in ranked else None
        if patron is None:
            others = [s for s in ranked if s in inside and s != protege]
            patron = others[-1] if others else None
        if patron is not None:
            return alliance, protege, patron
    return None


def swept_numeric(ds: xr.Dataset) -> list[str]:
    """Config keys of the swept numeric dimensions with more than one value, in grid order."""
    keys = {name: key for key, name in config_keys(ds).items()}
    return [
        keys.get(d, d)
        for d in grid_dims(ds)
        if d in ds.dims and ds[d].dtype.kind in "fiu" and ds.sizes[d] > 1
    ]


__all__ = [
    "adversaries",
    "alliance_members",
    "by_exposure",
    "dilemma_pair",
    "friendly_states",
    "swept_numeric",
]

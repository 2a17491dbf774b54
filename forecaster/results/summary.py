"""A text summary of a results dataset that says what each number is.

Every row names its state or alliance and, in a sweep, its grid values: a grid
of up to ``MAX_ROWS_PER_STATE`` points is printed point by point, a larger one
as the range of each outcome with the grid point where each extreme lies.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import config_keys, grid_dims
from .io import config_of
from .labels import key_label
from .tables import ALLIANCE_OUTCOMES, GLOBAL_OUTCOMES, STATE_OUTCOMES, headline_table

#: grids with more points are summarised by each outcome's range
MAX_ROWS_PER_STATE = 16
_WIDTH = 24  # an estimate with its interval


def number(x: float) -> str:
    """A probability as printed: 3 decimals, or 2 significant digits below 0.001."""
    if x != x:
        return "nan"
    if x == 0:
        return "0"
    if abs(x) < 0.001:
        return f"{x:.1e}"
    return f"{x:.3f}"


def estimate(p: float, lower: float, upper: float, applicable: bool = True) -> str:
    """``p [lower, upper]``; ``n/a`` where the outcome cannot occur, ``-`` with no events."""
    if not applicable:
        return "n/a"
    if p != p:
        return "- (no events)"
    return f"{number(p)} [{number(lower)}, {number(upper)}]"


def key_states(ds: xr.Dataset) -> list[str]:
    """Alliance leaders and the adversaries' targets, in portfolio order; all allies if none."""
    try:
        portfolio = config_of(ds)["portfolio"]
    except KeyError:
        portfolio = {}
    keys = {a.get("leader") for a in (portfolio.get("alliances") or {}).values()}
    for data in (portfolio.get("states") or {}).values():
        keys.update((data.get("targets") or {}).keys())
    friendly = [
        str(s) for s, adv in zip(ds.state.values, ds.adversary.values, strict=True) if not adv
    ]
    chosen = [s for s in friendly if s in keys]
    return chosen if chosen else friendly


def short_key(key: str) -> str:
    """A config key without its ``portfolio.alliances.`` / ``portfolio.states.`` prefix."""
    return key.removeprefix("portfolio.alliances.").removeprefix("portfolio.states.")


def point_label(row: pd.Series, keys: list[str]) -> str:
    """``pact.explicitness=0.1 threat.scale=2``: a row's grid values."""
    return " ".join(
        str(row[k]) if k == "name" else f"{short_key(k)}={_value(row[k])}" for k in keys
    )


def _value(v: object) -> str:
    return f"{v:g}" if isinstance(v, float | np.floating) else str(v)


def _header(ds: xr.Dataset, keys: list[str]) -> list[str]:
    horizon = float(ds.time[-1])
    n = np.asarray(ds.n_trajectories.values).ravel()
    points = n.size
    if points == 1:
        size = f"{int(n[0]):,} trajectories"
    else:
        each = (
            f"{int(n.min()):,}" if n.min() == n.max() else f"{int(n.min()):,} to {int(n.max()):,}"
        )
        size = f"{points} grid points × {each} trajectories each ({int(n.sum()):,} in all)"
    seed = f", seed {ds.attrs['seed']}" if "seed" in ds.attrs else ""
    lines = [
        f"{ds.attrs.get('scenario', '')}: {size}, horizon {horizon:g} years{seed}",
        "intervals: 95%, Wilson for probabilities, delta method for reliabilities "
        "(Wilson on the events where it collapses at 0 or 1); "
        "n/a: cannot occur for this state in this portfolio",
    ]
    # which values came from the calibration, and which of the user's replaced it
    lines += [line for line in str(ds.attrs.get("calibration_sources", "")).split("\n") if line]
    if keys:
        names = config_keys(ds)
        shape = " × ".join(str(ds.sizes[ds[names[k]].dims[0]]) for k in keys)
        lines += ["", f"what varies ({shape} grid; every row below names its grid point):"]
        width = max(len(key_label(k)) for k in keys)
        for k in keys:
            values = ", ".join(_value(v) for v in np.unique(ds[names[k]].values))
            lines.append(f"  {key_label(k):{width}s}  {k} = {values}")
    return lines


def _columns(table: pd.DataFrame, outcomes: tuple[str, ...]) -> list[str]:
    present = set(table["outcome"])
    return [o for o in outcomes if o in present]


def _rows(table: pd.DataFrame, keys: list[str], outcomes: list[str], first: str) -> list[str]:
    """One line per grid point: its label, then each outcome's estimate."""
    labels = {o: table.loc[table.outcome == o, "label"].iloc[0] for o in outcomes}
    points = table.drop_duplicates(keys)[keys]
    width = max([len(first), *(len(point_label(r, keys)) for _, r in points.iterrows())])
    lines = [f"{first:{width}s} " + " ".join(f"{labels[o]:>{_WIDTH}s}" for o in outcomes)]
    for _, point in points.iterrows():
        rows = table
        for k in keys:
            rows = rows[rows[k] == point[k]]
        cells = []
        for o in outcomes:
            r = rows[rows.outcome == o].iloc[0]
            cells.append(f"{estimate(r.p, r.lower, r.upper, bool(r.applicable)):>{_WIDTH}s}")
        lines.append(f"{point_label(point, keys):{width}s} " + " ".join(cells))
    return lines


def _ranges(table: pd.DataFrame, keys: list[str], outcomes: list[str], first: str) -> list[str]:
    """Per outcome: its lowest and highest estimate over the grid, and where each lies."""
    lines = [f"{first}: range over the grid (lowest ... highest, and where)"]
    for o in outcomes:
        rows = table[table.outcome == o]
        label = rows["label"].iloc[0]
        if not rows["applicable"].any():
            lines.append(f"  {label:26s} n/a")
            continue
        valid = rows.dropna(subset=["p"])
        if valid.empty:
            lines.append(f"  {label:26s} - (no events)")
            continue
        lo, hi = valid.loc[valid.p.idxmin()], valid.loc[valid.p.idxmax()]
        lines.append(
            f"  {label:26s} {estimate(lo.p, lo.lower, lo.upper)} at {point_label(lo, keys)}"
            f"  ...  {estimate(hi.p, hi.lower, hi.upper)} at {point_label(hi, keys)}"
        )
    return lines


def format_summary(ds: xr.Dataset) -> str:
    """The headline outcomes at the horizon, labelled, with 95% intervals.

    Per key state: P(war), P(entrapment), P(abandonment) and its reliability as
    an ally, wartime and over all events; per alliance: P(intact) and P(a
    member at war); P(any war). In a sweep, every grid point (or, for large
    grids, each outcome's range and where its extremes lie).
    """
    names = config_keys(ds)
    dims = grid_dims(ds)
    keys = [k for k, n in names.items() if n in dims or (ds[n].dims and ds[n].dims[0] in dims)]
    table = headline_table(ds)
    lines = _header(ds, keys)
    per_point = math.prod(ds.sizes[d] for d in dims) <= MAX_ROWS_PER_STATE
    shown = key_states(ds)
    horizon = f"{float(ds.time[-1]):g} years"
    lines += ["", f"states, within {horizon}:"]
    state_cols = _columns(table, STATE_OUTCOMES)
    for state in shown if keys else []:
        rows = table[(table.kind == "state") & (table.name == state)]
        if keys and per_point:
            lines += ["", *_rows(rows, keys, state_cols, state)]
        elif keys:
            lines += ["", *_ranges(rows, keys, state_cols, state)]
    if not keys:  # one point: a row per state
        rows = table[(table.kind == "state") & table.name.isin(shown)]
        lines += _rows(rows, ["name"], state_cols, "state")
    groups = [("alliance", n) for n in map(str, ds.alliance.values)] + [("all", "all")]
    for kind, name in groups:
        rows = table[(table.kind == kind) & (table.name == name)]
        if rows.empty:
            continue
        outcomes = _columns(rows, ALLIANCE_OUTCOMES if kind == "alliance" else GLOBAL_OUTCOMES)
        title = f"alliance {name}" if kind == "alliance" else "whole portfolio"
        if keys and not per_point:
            lines += ["", *_ranges(rows, keys, outcomes, title)]
        else:
            lines += ["", *_rows(rows, keys or ["name"], outcomes, title)]
    total = int((~ds.adversary.astype(bool)).sum())
    if len(shown) < total:
        lines.append(f"\n({len(shown)} key states of {total}; every state is in the dataset)")
    if "wall_time_s" in ds.attrs:
        lines += [
            "",
            f"wall time {ds.attrs['wall_time_s']:.1f} s, "
            f"{ds.attrs['trajectories_per_s']:,.0f} trajectories/s",
        ]
    return "\n".join(lines)

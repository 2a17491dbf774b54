"""A text summary of a results dataset that says what each number is.

Every row names its state or alliance and, in a sweep, its grid values: a grid
of up to ``MAX_ROWS_PER_STATE`` points is printed point by point, a larger one
as the range of each outcome with the grid point where each extreme lies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from forecaster.config.identity import identity_from_attrs

from .dataset import config_keys, grid_dims
from .io import config_of
from .labels import key_label
from .tables import ALLIANCE_OUTCOMES, GLOBAL_OUTCOMES, STATE_OUTCOMES, headline_table

#: grids with more points are summarised by each outcome's range
MAX_ROWS_PER_STATE = 16
_WIDTH = 24  # an estimate with its interval


def number(x: float) -> str:
    """A probability as printed alone: 3 decimals, or 2 significant digits below 0.001."""
    if x != x:
        return "nan"
    if x == 0:
        return "0"
    if abs(x) < 0.001:
        return f"{x:.1e}"
    return f"{x:.3f}"


def decimals_for(values: Iterable[float]) -> int:
    """Decimals that show the smallest non-zero estimate with two significant digits (3 to 6).

    One table prints every number (estimates and their bounds) with the same
    decimals, so that columns line up and ``0.00050`` is never beside ``5.0e-04``.
    """
    small = [abs(float(v)) for v in values if v == v and v != 0]
    if not small or min(small) >= 0.001:
        return 3
    return int(min(6, max(3, -math.floor(math.log10(min(small))) + 1)))


def fixed(x: float, decimals: int = 3) -> str:
    """``x`` with ``decimals`` decimals; ``0`` for zero, ``nan`` for NaN."""
    if x != x:
        return "nan"
    if x == 0:
        return "0"
    return f"{x:.{decimals}f}"


def estimate(
    p: float, lower: float, upper: float, applicable: bool = True, decimals: int | None = None
) -> str:
    """``p [lower, upper]``; ``n/a`` where the outcome cannot occur, ``-`` with no events.

    With ``decimals`` every number has that many (a table's one format); without,
    each is formatted alone (:func:`number`).
    """
    if not applicable:
        return "n/a"
    if p != p:
        return "- (no events)"
    if decimals is None:
        return f"{number(p)} [{number(lower)}, {number(upper)}]"
    return f"{fixed(p, decimals)} [{fixed(lower, decimals)}, {fixed(upper, decimals)}]"


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


def describe_scenario(ds: xr.Dataset) -> list[str]:
    """Lines that say which scenario a dataset is: its options and its overrides.

    ``options: portfolio=nato threat=baseline ...`` (the option of each config
    group) and ``overrides: ...`` (every override as given), from the
    ``config_choices`` and ``config_overrides`` attributes a run records; a
    gathered multirun names what all its jobs share (what varies is its grid).
    """
    identity = identity_from_attrs(dict(ds.attrs))
    if identity is None:
        return ["options and overrides: not recorded with these results (a config changed "
                "after forecaster.compose, or a run of an earlier version)"]  # fmt: skip
    shown = {g: o for g, o in identity["choices"].items() if g != "cluster" and o is not None}
    options = " ".join(f"{g}={o}" for g, o in shown.items()) or "(none recorded)"
    overrides = " ".join(identity["overrides"]) or "none (the options as shipped)"
    return [f"options: {options}", f"overrides: {overrides}"]


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
        *describe_scenario(ds),
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


def _rows(
    table: pd.DataFrame, keys: list[str], outcomes: list[str], first: str, decimals: int
) -> list[str]:
    """One line per grid point (or name): its label, then each outcome's estimate."""
    labels = {o: table.loc[table.outcome == o, "label"].iloc[0] for o in outcomes}
    points = table.drop_duplicates(keys)[keys]
    width = max([len(first), *(len(point_label(r, keys)) for _, r in points.iterrows())])
    cell = max(_WIDTH, 3 * decimals + 12)  # "p [lower, upper]" and two spaces
    lines = [f"{first:{width}s} " + " ".join(f"{labels[o]:>{cell}s}" for o in outcomes)]
    for _, point in points.iterrows():
        rows = table
        for k in keys:
            rows = rows[rows[k] == point[k]]
        cells = []
        for o in outcomes:
            r = rows[rows.outcome == o].iloc[0]
            text = estimate(r.p, r.lower, r.upper, bool(r.applicable), decimals)
            cells.append(f"{text:>{cell}s}")
        lines.append(f"{point_label(point, keys):{width}s} " + " ".join(cells))
    return lines


def _ranges(
    table: pd.DataFrame, keys: list[str], outcomes: list[str], first: str, decimals: int
) -> list[str]:
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
        low = estimate(lo.p, lo.lower, lo.upper, decimals=decimals)
        high = estimate(hi.p, hi.lower, hi.upper, decimals=decimals)
        lines.append(
            f"  {label:26s} {low} at {point_label(lo, keys)}  ...  {high} at "
            f"{point_label(hi, keys)}"
        )
    return lines


def chosen_states(ds: xr.Dataset, states: Sequence[str] | None) -> list[str]:
    """``states`` checked against the dataset's (non-adversary) states; the key states
    (:func:`key_states`) when None. Raises ValueError naming an unknown state."""
    if states is None:
        return key_states(ds)
    friendly = [
        str(s) for s, adv in zip(ds.state.values, ds.adversary.values, strict=True) if not adv
    ]
    unknown = [str(s) for s in states if str(s) not in friendly]
    if unknown:
        raise ValueError(
            f"states = {' '.join(map(str, states))}: {', '.join(unknown)} not a state of these "
            f"results (adversaries have no outcomes; states: {', '.join(friendly)})"
        )
    return [str(s) for s in states]


def format_summary(ds: xr.Dataset, states: Sequence[str] | None = None) -> str:
    """The headline outcomes at the horizon, labelled, with 95% intervals.

    Per state (``states``, default the alliance leaders and the adversaries'
    targets): P(war), P(entrapment), P(abandonment) and its reliability as an
    ally, wartime and over all events; the alliances in one table: P(intact)
    and P(a member at war); P(any war). In a sweep, every grid point (or, for
    large grids, each outcome's range and where its extremes lie). The header
    names the scenario's options and overrides; every number in the summary
    has the same decimals.
    """
    names = config_keys(ds)
    dims = grid_dims(ds)
    keys = [k for k, n in names.items() if n in dims or (ds[n].dims and ds[n].dims[0] in dims)]
    shown = chosen_states(ds, states)
    table = headline_table(ds)
    table = table[(table.kind != "state") | table.name.isin(shown)]
    applicable = table[table["applicable"]]
    decimals = decimals_for(applicable.p)
    lines = _header(ds, keys)
    per_point = math.prod(ds.sizes[d] for d in dims) <= MAX_ROWS_PER_STATE
    horizon = f"{float(ds.time[-1]):g} years"
    lines += ["", f"states, within {horizon}:"]
    state_cols = _columns(table, STATE_OUTCOMES)
    for state in shown if keys else []:
        rows = table[(table.kind == "state") & (table.name == state)]
        if per_point:
            lines += ["", *_rows(rows, keys, state_cols, state, decimals)]
        else:
            lines += ["", *_ranges(rows, keys, state_cols, state, decimals)]
    if not keys:  # one point: a row per state
        rows = table[(table.kind == "state") & table.name.isin(shown)]
        lines += _rows(rows, ["name"], state_cols, "state", decimals)
    alliances = table[table.kind == "alliance"]
    if not alliances.empty:
        outcomes = _columns(alliances, ALLIANCE_OUTCOMES)
        if keys and not per_point:
            for name in dict.fromkeys(alliances.name):
                part = alliances[alliances.name == name]
                lines += ["", *_ranges(part, keys, outcomes, f"alliance {name}", decimals)]
        else:
            lines += ["", *_rows(alliances, ["name", *keys], outcomes, "alliance", decimals)]
    whole = table[table.kind == "all"]
    if not whole.empty:
        outcomes = _columns(whole, GLOBAL_OUTCOMES)
        if keys and not per_point:
            lines += ["", *_ranges(whole, keys, outcomes, "whole portfolio", decimals)]
        else:
            lines += ["", *_rows(whole, keys or ["name"], outcomes, "whole portfolio", decimals)]
    total = int((~ds.adversary.astype(bool)).sum())
    if len(shown) < total:
        lines.append(
            f"\n({len(shown)} of {total} states; choose others with --states or "
            "output.states=[...]; every state is in the dataset)"
        )
    if "wall_time_s" in ds.attrs:
        rate = ds.attrs.get("trajectories_per_s")
        speed = f", {rate:,.0f} trajectories/s" if isinstance(rate, int | float) else ""
        lines += ["", f"wall time {ds.attrs['wall_time_s']:.1f} s{speed}"]
    return "\n".join(lines)

"""Paired comparisons of two runs, or two grid points of one run, under common random numbers.

Every grid point and every run with the same seed sees the same random draws
for the same trajectory (keyed randomness), so a policy lever's effect is
estimated far more precisely from the *paired* difference than from two
independent estimates. :func:`compare` re-simulates the two configurations
trajectory by trajectory (:func:`forecaster.execution.paired_counts`), checks that
each reproduces its stored counts exactly, and returns the differences of the
headline probabilities at the horizon with paired standard errors.

>>> diff = forecaster.compare("outputs/wales", "outputs/hague")      # doctest: +SKIP
>>> diff = forecaster.compare(ds, a={"threat.scale": 1}, b={"threat.scale": 2})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from forecaster.errors import ConfigError
from forecaster.execution import estimate_paired, paired_counts
from forecaster.execution.phases import PhaseTimer
from forecaster.kernels import layout as L
from forecaster.results import config_keys, config_of, grid_dims, open_results
from forecaster.results.estimators import Z95, paired_difference
from forecaster.results.labels import OUTCOMES
from forecaster.results.summary import decimals_for, fixed, short_key
from forecaster.results.tables import applicable, roles
from forecaster.scenario import Scenario, compile_scenario

#: the headline events compared, by the array of the paired counts they are in
_STATE = ("war", "entanglement", "entrapment", "abandonment")
_ALLIANCE = ("intact", "member_war")
_OVERALL = ("any_war", "major_war")


def _side(
    source: xr.Dataset | str | Path, at: Mapping[str, Any] | None, label: str
) -> tuple[xr.Dataset, Scenario, int, int, str]:
    """The selected grid point of one side: its data, one-row scenario, seed, n, description."""
    ds = source if isinstance(source, xr.Dataset) else open_results(source)
    keys = config_keys(ds)
    selection = {keys.get(k, k): v for k, v in (at or {}).items()}
    unknown = [k for k in selection if k not in ds.coords]
    if unknown:
        raise ValueError(f"{label} = {dict(at or {})}: {unknown} not swept keys of the run "
                         f"(swept: {', '.join(keys) or 'none'})")  # fmt: skip
    point = ds.sel(selection)
    left = [keys_of(ds).get(d, d) for d in grid_dims(point) if point.sizes.get(d, 1) > 1]
    if left:
        raise ValueError(f"{label}: choose one value of each swept key; {left} still vary "
                         f"(e.g. {label}={{{left[0]!r}: ...}})")  # fmt: skip
    point = point.squeeze([d for d in grid_dims(point) if d in point.dims], drop=False).load()
    spec = config_of(point)
    grid = {key: [float(point[name].item())] for key, name in keys.items()
            if name in point.coords and point[name].dtype.kind in "fiu"}  # fmt: skip
    scenario = compile_scenario(spec, grid=grid or None)
    # a gathered multirun holds the union of its jobs' states (NaN where a job's portfolio
    # lacks one): keep this job's own
    own = {"state": list(scenario.state_names), "alliance": list(scenario.alliance_names)}
    point = point.sel({dim: names for dim, names in own.items() if dim in point.dims})
    seed = int(spec["run"]["seed"])
    n = int(point.n_trajectories.item())
    where = " ".join(f"{short_key(k)}={v[0]:g}" for k, v in grid.items())
    name = str(source) if not isinstance(source, xr.Dataset) else ds.attrs.get("scenario", "")
    return point, scenario, seed, n, f"{name} {where}".strip()


def keys_of(ds: xr.Dataset) -> dict[str, str]:
    """``{dimension name: config key}``."""
    return {name: key for key, name in config_keys(ds).items()}


def _check_reproduced(point: xr.Dataset, counts: np.ndarray, n: int, label: str) -> None:
    stored = np.round(point.p_war.isel(time=-1).values * n).astype(np.int64)
    if not np.array_equal(stored, counts[:, L.BY_TIME_STATE.index("war")]):
        raise ValueError(
            f"{label}: re-simulating its config does not reproduce its stored counts "
            "(a run of another forecaster version or kernel?); rerun it with this version"
        )


def compare(
    a: xr.Dataset | str | Path,
    b: xr.Dataset | str | Path | None = None,
    *,
    at_a: Mapping[str, Any] | None = None,
    at_b: Mapping[str, Any] | None = None,
    threads: int | None = None,
    progress: bool = False,
    allow_long: bool = False,
) -> pd.DataFrame:
    """Differences b − a of the headline probabilities at the horizon, with paired errors.

    Parameters
    ----------
    a, b : results datasets or output directories. Without ``b``, two grid points
        of ``a`` are compared.
    at_a, at_b : the grid point of each side, by config key, e.g.
        ``{"portfolio.alliances.nato.spending_target": 0.035}``; needed where a
        run has a grid.
    threads : threads for the re-simulation (default: all cores).
    progress : show the re-simulation's progress (as a run does).
    allow_long : re-simulate even when the estimate passes the run budget (12 h),
        as ``run.allow_long`` does for a run.

    Returns
    -------
    pandas.DataFrame, one row per state (P(war), P(entrapment), P(abandonment)),
    alliance (P(intact), P(member at war)) and the whole portfolio (P(any war),
    P(major war)): ``p_a``, ``p_b``, ``difference`` (b − a), ``se`` (paired,
    from the per-trajectory cross products), ``lower``/``upper`` (difference ±
    1.96 se), ``se_unpaired`` (as if the runs were independent), ``applicable``
    and ``n``. ``.attrs`` names the two sides.

    Both sides must share the seed, the number of trajectories, and the states,
    alliances and steps. Cost: both configurations are simulated once more;
    memory does not grow with the trajectories.
    """
    timer = PhaseTimer()
    with timer.phase("compile"):
        point_a, scen_a, seed_a, n_a, desc_a = _side(a, at_a, "at_a")
        point_b, scen_b, seed_b, n_b, desc_b = _side(a if b is None else b, at_b, "at_b")
    problems = _pairing_problems(scen_a, scen_b)
    if seed_a != seed_b:
        problems.append(f"seeds differ ({seed_a} and {seed_b}): no common random numbers")
    if n_a != n_b:
        problems.append(f"trajectories differ ({n_a} and {n_b}): compare runs of the same size")
    if problems:
        raise ValueError("cannot pair these runs: " + "; ".join(problems))
    with timer.phase("kernel_load"):
        cost = estimate_paired(scen_a, scen_b, seed_a, n_a, threads)
    over = cost.problems(allow_long, True, "the paired re-simulation")
    if over:
        raise ConfigError(over)
    with timer.phase("simulate"):
        counts = paired_counts(scen_a, scen_b, seed_a, n_a, threads, progress)
    _check_reproduced(point_a, counts.by_state[0], n_a, desc_a or "a")
    _check_reproduced(point_b, counts.by_state[1], n_b, desc_b or "b")
    role_a, role_b = roles(point_a), roles(point_b)
    rows = []

    def add(kind: str, name: str, event: str, xs: np.ndarray, ok: bool) -> None:
        diff, se = paired_difference(xs[0], xs[1], xs[2], n_a)
        pa, pb = xs[0] / n_a, xs[1] / n_a
        unpaired = np.sqrt((pa * (1 - pa) + pb * (1 - pb)) / (n_a - 1)) if n_a > 1 else np.nan
        outcome = f"p_{event}"
        rows.append({
            "kind": kind, "name": name, "outcome": outcome, "label": OUTCOMES[outcome][0],
            "p_a": pa, "p_b": pb, "difference": float(diff), "se": float(se),
            "lower": float(diff - Z95 * se), "upper": float(diff + Z95 * se),
            "se_unpaired": float(unpaired), "applicable": ok, "n": n_a,
        })  # fmt: skip

    for s, state in enumerate(scen_a.state_names):
        if scen_a.is_adversary[s]:
            continue
        for event in _STATE:
            ok = applicable(f"p_{event}", role_a[state]) or applicable(f"p_{event}", role_b[state])
            add("state", state, event, counts.by_state[:, s, L.BY_TIME_STATE.index(event)], ok)
    for k, alliance in enumerate(scen_a.alliance_names):
        for event in _ALLIANCE:
            xs = counts.by_alliance[:, k, L.BY_TIME_ALLIANCE.index(event)]
            add("alliance", alliance, event, xs, True)
    for event in _OVERALL:
        add("all", "all", event, counts.overall[:, L.BY_TIME.index(event)], True)
    table = pd.DataFrame(rows)
    table.attrs.update({"a": desc_a, "b": desc_b, "seed": seed_a, "n": n_a,
                        "horizon_years": float(point_a.time[-1]),
                        "differences": differences(point_a, point_b), **timer.attrs()})  # fmt: skip
    return table


def _pairing_problems(a: Scenario, b: Scenario) -> list[str]:
    """Why two scenarios cannot be paired trajectory by trajectory (empty: they can)."""
    problems = []
    for what, names_a, names_b in (("states", a.state_names, b.state_names),
                                   ("alliances", a.alliance_names, b.alliance_names)):  # fmt: skip
        if names_a == names_b:
            continue
        only_a = [n for n in names_a if n not in names_b]
        only_b = [n for n in names_b if n not in names_a]
        parts = [f"only in a: {', '.join(only_a)}"] if only_a else []
        parts += [f"only in b: {', '.join(only_b)}"] if only_b else []
        detail = "; ".join(parts) or "the same names in another order"
        problems.append(
            f"the portfolios differ in their {what} ({detail}): the random numbers are keyed "
            f"to the {what}, so trajectories of the two portfolios are not paired"
        )
    if a.n_steps != b.n_steps:
        problems.append(f"the horizons or steps differ ({a.n_steps} and {b.n_steps} steps)")
    return problems


#: keys that do not change a run's numbers, left out of what differs
_NOT_SCENARIO = ("cluster", "output", "run.resume", "run.block_size")


def _flat(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: node}


def differences(a: xr.Dataset, b: xr.Dataset) -> list[tuple[str, Any, Any]]:
    """``(config key, value in a, value in b)`` for every key whose value differs between
    the resolved configs of two grid points (swept keys at their values), in config
    order; keys that do not change the numbers (cluster, output) are left out."""
    flat_a, flat_b = _flat(config_of(a)), _flat(config_of(b))
    for point, flat in ((a, flat_a), (b, flat_b)):
        for key, name in config_keys(point).items():
            if name in point.coords and point[name].ndim == 0:
                flat[key] = point[name].item()
    keys = list(dict.fromkeys([*flat_a, *flat_b]))
    missing = object()
    out = []
    for key in keys:
        if key.startswith(_NOT_SCENARIO):
            continue
        va, vb = flat_a.get(key, missing), flat_b.get(key, missing)
        if not _same(va, vb):
            out.append((key, None if va is missing else va, None if vb is missing else vb))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float | np.number) and isinstance(b, int | float | np.number):
        return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=0))
    return bool(a == b)


def _shown(value: Any) -> str:
    if value is None:
        return "(absent)"
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


def format_differences(diffs: list[tuple[str, Any, Any]], limit: int = 12) -> list[str]:
    """``what differs (a → b):`` and a line per key, at most ``limit`` of them."""
    if not diffs:
        return ["what differs: nothing in the configs (the same scenario twice?)"]
    lines = ["what differs (a → b):"]
    for key, va, vb in diffs[:limit]:
        lines.append(f"  {key}: {_shown(va)} → {_shown(vb)}")
    if len(diffs) > limit:
        lines.append(f"  ... and {len(diffs) - limit} more keys")
    return lines


def format_comparison(table: pd.DataFrame, states: list[str] | None = None) -> str:
    """The comparison as text: per state and outcome, a, b, and b − a with its paired
    95% interval and the ratio of the paired to the unpaired standard error."""
    attrs = table.attrs
    lines = [
        f"a: {attrs.get('a', '')}",
        f"b: {attrs.get('b', '')}",
        *(format_differences(attrs["differences"]) if "differences" in attrs else []),
        f"{attrs.get('n', 0):,} paired trajectories (seed {attrs.get('seed')}), within "
        f"{attrs.get('horizon_years', 0):g} years; b − a with 95% intervals from paired "
        "standard errors (common random numbers)",
    ]
    shown = select_states(table, states)
    ok = shown[shown["applicable"].astype(bool)]
    d = decimals_for([*ok.p_a, *ok.p_b, *ok.difference])  # one format for the whole table
    width, cell = 3 * d + 14, d + 4
    lines += [
        "",
        f"{'':10s} {'outcome':18s} {'a':>{cell}s} {'b':>{cell}s} {'b − a [95%]':>{width}s} "
        f"{'paired/unpaired se':>19s}",
    ]
    for row in shown.itertuples():
        if not row.applicable:
            lines.append(f"{row.name:10s} {row.label:18s} {'n/a':>{cell}s} {'n/a':>{cell}s} "
                         f"{'n/a':>{width}s}")  # fmt: skip
            continue
        ratio = row.se / row.se_unpaired if row.se_unpaired > 0 else float("nan")
        diff = (f"{_signed(row.difference, d)} [{_signed(row.lower, d)}, "
                f"{_signed(row.upper, d)}]")  # fmt: skip
        lines.append(
            f"{row.name:10s} {row.label:18s} {fixed(row.p_a, d):>{cell}s} "
            f"{fixed(row.p_b, d):>{cell}s} {diff:>{width}s} {ratio:19.2f}"
        )
    return "\n".join(lines)


def select_states(table: pd.DataFrame, states: Sequence[str] | None) -> pd.DataFrame:
    """The comparison's rows of ``states`` (and every alliance and portfolio-wide row).

    Raises ValueError naming a state the comparison does not have.
    """
    if states is None:
        return table
    known = list(dict.fromkeys(table.loc[table.kind == "state", "name"]))
    unknown = [s for s in states if s not in known]
    if unknown:
        raise ValueError(f"--states {' '.join(states)}: {', '.join(unknown)} not a state of "
                         f"these runs (adversaries have no outcomes; states: "
                         f"{', '.join(known)})")  # fmt: skip
    return table[(table.kind != "state") | table.name.isin(states)]


def direction(row: Any) -> str:
    """``rises``, ``falls``, or ``does not move beyond noise``: the sign of b − a where its
    paired 95% interval excludes zero."""
    if row.lower > 0:
        return "rises"
    if row.upper < 0:
        return "falls"
    return "does not move beyond noise"


def describe_change(table: pd.DataFrame, name: str, outcome: str) -> str:
    """One sentence of a comparison, its direction read from the paired interval.

    ``EST's P(abandonment) falls from 0.5660 to 0.5564 (b − a = -0.0096 [-0.0134,
    -0.0066], paired 95%)``. Prose built from this cannot say a risk falls when
    the numbers say it rises.
    """
    rows = table[(table.name == name) & (table.outcome == outcome)]
    if rows.empty:
        raise ValueError(f"{name} {outcome}: not a row of the comparison")
    row = rows.iloc[0]
    if not row.applicable:
        return f"{name}'s {row.label} cannot occur in this portfolio"
    return (
        f"{name}'s {row.label} {direction(row)} from {row.p_a:.4f} to {row.p_b:.4f} "
        f"(b − a = {row.difference:+.4f} [{row.lower:+.4f}, {row.upper:+.4f}], paired 95%)"
    )


def _signed(x: float, decimals: int) -> str:
    return ("+" if x > 0 else "") + fixed(x, decimals)

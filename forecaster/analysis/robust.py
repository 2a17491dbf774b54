"""Robust alliance design: levers against outcomes and cost, across plausible futures.

A *design* is one choice of every lever (spending target, explicitness,
interoperability, escalation control, decision rule, membership: any config
leaves); a *future* is one draw of the uncertainties (a Latin hypercube or Sobol
design over ``PATH=LOW:HIGH`` ranges, as in scenario discovery). Every design
meets every future, and all of them share the same random numbers: numeric
levers and uncertainties are design points of one grid run, and each choice of
the other levers (a decision rule, a member list) is one more run with the same
seed, so every comparison between designs is paired (common random numbers).

Each design gets its outcomes' mean over the futures, its regret in each future
(its outcome less the best design's there; Savage's minimax-regret criterion,
as in robust decision making, Lempert et al. 2006), its largest regret, and,
given limits, its satisficing robustness (the share of futures in which every
outcome stays within its limit). The Pareto front is the set of designs no
other design beats on every mean outcome and on cost. The cost of a design is
the spending its pledges imply: each state's pledge is the highest spending
target of its alliances (the model's π_i, docs/model.md §3), and the cost is
Σ_i GDP_i · max(0, π_i − d⁰_i), the extra defence spending a year (USD bn) the
pledges ask beyond today's.

From Python::

    cfg = forecaster.compose(["portfolio=nato", "run.trajectories=2000"])
    designs = forecaster.analysis.robust.search(
        cfg,
        levers={"portfolio.alliances.nato.spending_target": [0.02, 0.035],
                "portfolio.alliances.nato.explicitness": [0.5, 0.7, 0.9]},
        uncertainties={"threat.scale": (0.5, 2.0)},
        objectives=[("p_war", {"state": "EST"})], n_futures=16,
    )

From the command line: ``forecast-robust`` or ``forecast -m hydra/sweeper=robust``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from omegaconf import DictConfig, OmegaConf

from forecaster.api import check, run
from forecaster.config import to_spec
from forecaster.engine import Counters
from forecaster.errors import ConfigError
from forecaster.results import to_dataset

from .discovery import design_points, design_problems
from .sensitivity import outcome_values, selected_outcome

#: an outcome to minimise: a results variable and the selection that makes it one number
Objective = tuple[str, Mapping[str, Any]]


def pledge_cost(spec: Mapping[str, Any]) -> float:
    """The extra defence spending a year (USD bn) the portfolio's pledges ask beyond today's.

    Each non-adversary's pledge is the highest spending target of its alliances;
    the cost is Σ_i GDP_i · max(0, pledge_i − defence share_i).

    Examples
    --------
    >>> spec = {"portfolio": {"states": {"A": {"gdp": 100.0, "defense_share": 0.01},
    ...                                  "B": {"gdp": 50.0, "defense_share": 0.03}},
    ...                       "alliances": {"ab": {"members": ["A", "B"],
    ...                                            "spending_target": 0.02}}}}
    >>> round(pledge_cost(spec), 6)
    1.0
    """
    portfolio = spec["portfolio"]
    pledge: dict[str, float] = {}
    for alliance in (portfolio.get("alliances") or {}).values():
        for member in alliance["members"]:
            pledge[member] = max(pledge.get(member, 0.0), float(alliance["spending_target"]))
    states = portfolio["states"]
    return float(
        sum(
            float(states[s]["gdp"]) * max(0.0, p - float(states[s]["defense_share"]))
            for s, p in pledge.items()
        )
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _with_value(spec: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    node = spec
    *parents, leaf = key.split(".")
    for part in parents:
        node = node[part]
    node[leaf] = value
    return spec


def _lever_problem(cfg: DictConfig, key: str, values: Any) -> str | None:
    node = OmegaConf.select(cfg, key, default=KeyError)
    if node is KeyError:
        return f"lever {key}: not a key of the config"
    if isinstance(node, DictConfig):
        return f"lever {key}: a group of keys; choose among values of its leaves"
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        return f"lever {key} = {values!r}: needs a list of one or more values"
    if len({repr(v) for v in values}) != len(values):
        return f"lever {key} = {list(values)!r}: values repeat"
    return None


def search_problems(
    cfg: DictConfig,
    levers: Mapping[str, Sequence[Any]],
    uncertainties: Mapping[str, tuple[float, float]],
    objectives: Sequence[Objective],
    n_futures: int,
    method: str,
    limits: Sequence[float | None] | None,
) -> list[str]:
    """Every problem of a design search's arguments (not yet of the configs), one line each."""
    problems = []
    if not levers:
        problems.append("levers = {}: give at least one PATH=VALUE,VALUE,... to choose among")
    for key, values in levers.items():
        problem = _lever_problem(cfg, key, values)
        if problem:
            problems.append(problem)
        if key in uncertainties:
            problems.append(f"lever {key}: also an uncertainty; a key is one or the other")
    problems += design_problems(uncertainties, n_futures, method)
    if not objectives:
        problems.append("objectives = []: give at least one outcome to minimise")
    if limits is not None and len(limits) != len(objectives):
        problems.append(
            f"limits = {list(limits)}: one per objective ({len(objectives)}), "
            "None for an objective without a limit"
        )
    return problems


def search(
    cfg: DictConfig,
    levers: Mapping[str, Sequence[Any]],
    uncertainties: Mapping[str, tuple[float, float]],
    objectives: Sequence[Objective],
    *,
    n_futures: int = 16,
    method: str = "lhs",
    limits: Sequence[float | None] | None = None,
    progress: bool = False,
    announce: Callable[[str], None] | None = None,
) -> xr.Dataset:
    """Every design (the levers' outer product) in every future, under common random numbers.

    Parameters
    ----------
    cfg : a composed config without an in-run sweep (``sweep=none``).
    levers : ``{dotted.path: [values]}``; numbers, or anything else a config key
        takes (``decision: [consensus, unilateral]``, a ``members`` list).
    uncertainties : ``{dotted.path: (low, high)}``, drawn ``n_futures`` times by
        ``method`` (``"lhs"`` or ``"sobol"``).
    objectives : ``[(outcome, select), ...]`` to minimise, e.g.
        ``[("p_war", {"state": "EST"})]``, each at the horizon.
    limits : per objective, the largest acceptable value (or None) for the
        satisficing robustness.
    progress : show progress bars while simulating.
    announce : called with the size of the search before anything runs (the
        command prints it).

    Returns
    -------
    xarray.Dataset
        ``outcome`` (design, future, objective), ``regret`` (the same less the best
        design in that future), ``mean``, ``max_regret`` (design, objective),
        ``satisficing`` and ``cost`` (design), ``pareto`` (design: on the front of
        mean outcomes against cost), the levers' values (``lever_value``, design ×
        lever, as text; ``lever_number`` where numeric) and the futures
        (``future_value``, future × uncertainty).

    Raises
    ------
    ConfigError
        Every problem of the arguments and of every design's config, before anything runs.
    """
    problems = search_problems(cfg, levers, uncertainties, objectives, n_futures, method, limits)
    if design_problems(uncertainties, n_futures, method) or not objectives:
        raise ConfigError(problems)
    # the configs of the designs are checked with the levers that are keys, so that
    # one message lists the problems of the arguments and of the configs together
    levers = {k: v for k, v in levers.items() if _lever_problem(cfg, k, v) is None}
    numeric = {k: list(v) for k, v in levers.items() if all(map(_is_number, v))}
    structural = {k: list(v) for k, v in levers.items() if k not in numeric}
    futures = design_points(uncertainties, n_futures, method, seed=int(cfg.run.seed))
    numeric_combos = [
        dict(zip(numeric, c, strict=True)) for c in itertools.product(*numeric.values())
    ]
    points = [{**combo, **future} for combo in numeric_combos for future in futures]
    runs = []
    for combo in itertools.product(*structural.values()):
        choice = dict(zip(structural, combo, strict=True))
        variant = copy.deepcopy(cfg)
        for key, value in choice.items():
            OmegaConf.update(variant, key, value, merge=False)
        runs.append((choice, variant))
    for choice, variant in runs:
        where = ", ".join(f"{k}={v}" for k, v in choice.items())
        try:
            _check(variant, points, objectives)
        except ConfigError as err:
            problems += [f"at {where}: {p}" if where else p for p in err.problems]
    if problems or not levers:
        raise ConfigError(problems)

    n_designs = len(runs) * len(numeric_combos)
    if announce is not None:
        announce(
            f"{n_designs} designs x {len(futures)} futures = {n_designs * len(futures)} "
            f"grid points x {int(cfg.run.trajectories)} trajectories = "
            f"{n_designs * len(futures) * int(cfg.run.trajectories):,} trajectory runs "
            f"in {len(runs)} run{'s' if len(runs) > 1 else ''} of {cfg.portfolio.name}"
        )
    values = np.empty((n_designs, len(futures), len(objectives)))
    labels: list[dict[str, Any]] = []
    costs = []
    wall = 0.0
    for r, (choice, variant) in enumerate(runs):
        results = run(variant, progress=progress, points=points)
        wall += float(results.attrs["wall_time_s"])
        for j, (outcome, select) in enumerate(objectives):
            y = outcome_values(results, outcome, select).values
            values[r * len(numeric_combos) : (r + 1) * len(numeric_combos), :, j] = y.reshape(
                len(numeric_combos), len(futures)
            )
        spec = to_spec(variant)
        for numbers in numeric_combos:
            labels.append({**choice, **numbers})
            design_spec = copy.deepcopy(spec)
            for key, value in numbers.items():
                _with_value(design_spec, key, value)
            costs.append(pledge_cost(design_spec))
    designs = _assemble(
        cfg, levers, futures, objectives, limits, values, labels, np.array(costs), wall, method
    )
    designs.attrs["uncertainties"] = repr(
        {k: tuple(map(float, v)) for k, v in uncertainties.items()}
    )
    return designs


def _check(
    cfg: DictConfig, points: list[dict[str, float]], objectives: Sequence[Objective]
) -> None:
    """The config with its design points and every objective's selection, as in a run."""
    scenario = check(cfg, points)
    shape = Counters.zeros(scenario)
    shape.n_trajectories[:] = 2  # no events, but a dataset with every variable and label
    ds = to_dataset(scenario, shape)
    problems = []
    for outcome, select in objectives:
        try:
            selected_outcome(ds, outcome, select)
        except ConfigError as err:
            problems += err.problems
    if problems:
        raise ConfigError(problems)


def pareto_front(objectives: np.ndarray) -> np.ndarray:
    """Which rows no other row beats: at most as large in every column and smaller in one.

    Examples
    --------
    >>> pareto_front(np.array([[1.0, 3.0], [2.0, 2.0], [2.0, 3.0], [3.0, 1.0]])).tolist()
    [True, True, False, True]
    """
    at_most = (objectives[:, None, :] <= objectives[None, :, :]).all(axis=2)
    smaller = (objectives[:, None, :] < objectives[None, :, :]).any(axis=2)
    beaten = (at_most & smaller).any(axis=0)
    return np.asarray(~beaten)


def _assemble(
    cfg: DictConfig,
    levers: Mapping[str, Sequence[Any]],
    futures: list[dict[str, float]],
    objectives: Sequence[Objective],
    limits: Sequence[float | None] | None,
    values: np.ndarray,
    labels: list[dict[str, Any]],
    cost: np.ndarray,
    wall_time_s: float,
    method: str,
) -> xr.Dataset:
    regret = values - values.min(axis=0, keepdims=True)
    mean = values.mean(axis=1)
    if limits is not None and any(v is not None for v in limits):
        bound = np.array([np.inf if v is None else float(v) for v in limits])
        satisficing = (values <= bound).all(axis=2).mean(axis=1)
    else:
        satisficing = np.full(len(labels), np.nan)
    front = pareto_front(np.column_stack([mean, cost]))
    names = [f"{o}{''.join(f'[{k}={v}]' for k, v in s.items())}" for o, s in objectives]
    lever_keys = list(levers)
    text = [[_text(label[k]) for k in lever_keys] for label in labels]
    number = [
        [float(label[k]) if _is_number(label[k]) else np.nan for k in lever_keys]
        for label in labels
    ]
    uncertainty = list(futures[0])
    return xr.Dataset(
        {
            "outcome": (
                ("design", "future", "objective"),
                values,
                {"long_name": "outcome at the horizon"},
            ),
            "regret": (
                ("design", "future", "objective"),
                regret,
                {"long_name": "outcome less the best design's in the same future"},
            ),
            "mean": (("design", "objective"), mean, {"long_name": "mean outcome over the futures"}),
            "max_regret": (
                ("design", "objective"),
                regret.max(axis=1),
                {"long_name": "largest regret over the futures"},
            ),
            "satisficing": (
                "design",
                satisficing,
                {"long_name": "share of futures with every outcome within its limit"},
            ),
            "cost": (
                "design",
                cost,
                {
                    "long_name": "extra defence spending the pledges imply",
                    "units": "USD bn per year",
                },
            ),
            "pareto": (
                "design",
                front,
                {"long_name": "on the Pareto front of mean outcomes against cost"},
            ),
            "lever_value": (("design", "lever"), np.array(text, dtype=str)),
            "lever_number": (("design", "lever"), np.array(number, dtype=float)),
            "future_value": (
                ("future", "uncertainty"),
                np.array([[f[u] for u in uncertainty] for f in futures]),
            ),
        },
        coords={
            "design": np.arange(len(labels)),
            "future": np.arange(len(futures)),
            "objective": names,
            "lever": lever_keys,
            "uncertainty": uncertainty,
        },
        attrs={
            "objectives": repr([(o, dict(s)) for o, s in objectives]),
            "limits": repr(None if limits is None else list(limits)),
            "levers": repr({k: list(v) for k, v in levers.items()}),
            "futures": len(futures),
            "design": method,
            "trajectories_per_point": int(cfg.run.trajectories),
            "seed": int(cfg.run.seed),
            "wall_time_s": wall_time_s,
            "config": OmegaConf.to_yaml(OmegaConf.create(to_spec(cfg))),
            "method": "every design in every future under common random numbers; "
            "Pareto front of mean outcomes against cost; regret against the best design "
            "in each future",
        },
    )


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ",".join(map(str, value)) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_designs(designs: xr.Dataset, limit: int = 20) -> str:
    """Designs ranked by cost on the Pareto front, then the others by their first mean outcome."""
    order = sorted(
        designs.design.values,
        key=lambda d: (
            not bool(designs.pareto[d]),
            float(designs.cost[d]),
            float(designs["mean"][d, 0]),
        ),
    )
    levers = [str(k).split(".")[-1] for k in designs.lever.values]
    objectives = [str(o) for o in designs.objective.values]
    header = (
        " ".join(f"{k:>16s}" for k in levers)
        + f" {'cost':>9s} "
        + " ".join(f"{'mean ' + o:>24s} {'max regret':>10s}" for o in objectives)
    )
    lines = [
        f"{designs.sizes['design']} designs x {designs.attrs['futures']} futures x "
        f"{designs.attrs['trajectories_per_point']} trajectories (*: Pareto front)",
        "",
        "  " + header + f" {'satisficing':>11s}",
    ]
    for d in order[:limit]:
        row = designs.sel(design=d)
        lines.append(
            ("* " if bool(row.pareto) else "  ")
            + " ".join(f"{v!s:>16s}" for v in row.lever_value.values)
            + f" {float(row.cost):9.1f} "
            + " ".join(
                f"{float(row['mean'][j]):24.4f} {float(row.max_regret[j]):10.4f}"
                for j in range(len(objectives))
            )
            + f" {float(row.satisficing):11.2f}"
        )
    if len(order) > limit:
        lines.append(f"  ... {len(order) - limit} more in the dataset")
    return "\n".join(lines)

"""Compile a scenario specification into the flat arrays the kernels read.

A specification is a plain mapping with the groups of the Hydra config,
validated by the schema of :mod:`.models` (every problem found is one line of a
:class:`~forecaster.ConfigError`); compiling only turns the validated model into
arrays:

``portfolio``
    ``{name, states: {NAME: {...}}, alliances: {NAME: {...}}, interest: {...}}``
``threat``, ``fiscal``, ``political``
    every parameter of MODEL.md §7, each a number or a distribution;
``mechanisms``
    ``{economy: bool, ...}``;
``run``
    ``{horizon_years, dt_years, ...}``.

A *grid* maps dotted config paths (``portfolio.alliances.nato.explicitness``,
``threat.resolve.median``) to lists of values; its outer product gives the
grid rows, each compiled from the specification with that row's values set
(a row validates again only the groups it changes). Rows differ only in
numbers, never in structure (states, alliances, regions).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from forecaster.errors import ConfigError, Problems, problems_of
from forecaster.kernels import layout
from forecaster.kernels.samplers import FAMILIES, INHERIT

from . import models
from .models import GROUPS
from .parameters import DOMAINS

#: allowed range of each parameter's draws: (low, high, description), from the one table
PARAMETER_DOMAINS = DOMAINS
assert set(PARAMETER_DOMAINS) == set(layout.PARAMETERS)


@dataclass(frozen=True, eq=False)
class Scenario:
    """A compiled scenario: struct-of-arrays plus the names that label them.

    Arrays with a leading ``G`` axis hold one row per grid point.
    """

    name: str
    state_names: tuple[str, ...]
    alliance_names: tuple[str, ...]
    region_names: tuple[str, ...]
    n_steps: int
    dt: float
    flags: np.ndarray  # int32[N_MECHANISMS]
    state_attr: np.ndarray  # float64[G, S, N_STATE_ATTRS]
    region: np.ndarray  # int32[S]
    is_adversary: np.ndarray  # int32[S]
    alliance_attr: np.ndarray  # float64[G, A, N_ALLIANCE_ATTRS]
    member: np.ndarray  # int32[A, S]
    leader: np.ndarray  # int32[A]
    interest: np.ndarray  # float64[G, S, S]
    target_weight: np.ndarray  # float64[G, S, S]
    dist_code: np.ndarray  # int32[G, N_PARAMETERS + 2 S]
    dist_param: np.ndarray  # float64[G, N_PARAMETERS + 2 S, 3]
    grid_keys: tuple[str, ...] = ()
    grid_values: tuple[tuple[float, ...], ...] = ()
    #: True: grid_values[k][i] is key k at point i (one "sample" dimension)
    points: bool = False
    #: steps simulated before the counted horizon (run.burn_in_years / dt)
    n_burn_in: int = 0

    @property
    def n_rows(self) -> int:
        return self.state_attr.shape[0]

    @property
    def n_states(self) -> int:
        return len(self.state_names)

    @property
    def n_alliances(self) -> int:
        return len(self.alliance_names)

    @property
    def grid_shape(self) -> tuple[int, ...]:
        if self.points:
            return (self.n_rows,)
        return tuple(len(v) for v in self.grid_values)

    @property
    def grid_dims(self) -> tuple[str, ...]:
        return ("sample",) if self.points else self.grid_keys

    @property
    def horizon(self) -> float:
        return self.n_steps * self.dt

    def take(self, rows: Sequence[int] | np.ndarray) -> Scenario:
        """The same scenario restricted to the grid rows ``rows`` (for tasks)."""
        sl = np.asarray(rows, dtype=np.intp)
        return Scenario(
            **{
                **self.__dict__,
                "state_attr": self.state_attr[sl],
                "alliance_attr": self.alliance_attr[sl],
                "interest": self.interest[sl],
                "target_weight": self.target_weight[sl],
                "dist_code": self.dist_code[sl],
                "dist_param": self.dist_param[sl],
                "grid_keys": (),
                "grid_values": (),
                "points": False,
            }
        )


# ---------------------------------------------------------------- paths
def get_path(spec: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path; ``KeyError`` naming the first missing part."""
    node: Any = spec
    done: list[str] = []
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            where = ".".join(done) or "the configuration"
            options = sorted(node) if isinstance(node, Mapping) else []
            hint = f" (keys there: {', '.join(map(str, options))})" if options else ""
            raise KeyError(f"'{part}' is not a key of {where}{hint}")
        node = node[part]
        done.append(part)
    return node


def set_path(spec: dict[str, Any], path: str, value: float) -> None:
    parts = path.split(".")
    node = get_path(spec, ".".join(parts[:-1])) if len(parts) > 1 else spec
    node[parts[-1]] = value


def check_grid_key(spec: Mapping[str, Any], path: str) -> str | None:
    """Why ``path`` cannot be swept in-run, or ``None`` when it can."""
    if path.split(".")[0] in ("run", "mechanisms", "output", "cluster", "sweep"):
        return "run settings and mechanism switches are fixed within a run; use a multirun (-m)"
    try:
        value = get_path(spec, path)
    except KeyError as err:
        return f"unknown path: {err.args[0]}"
    if isinstance(value, Mapping) and "dist" in value:
        family = value["dist"]
        names = FAMILIES.get(family, (0, ()))[1]
        options = ", ".join(f"{path}.{n}" for n in names)
        return f"is a {family} distribution; sweep one of its parameters ({options})"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"is not numeric (found {value!r}); only numeric leaves can be swept"
    return None


# ---------------------------------------------------------------- compile
def validate(spec: Mapping[str, Any]) -> models.Spec:
    """The validated model of a specification.

    Raises
    ------
    ConfigError
        Listing every problem found, each naming the key, the value and what
        is allowed.
    """
    return _validated(_plain(spec))


def _validated(spec: Mapping[str, Any]) -> models.Spec:
    """The validated model of plain mappings (or of groups validated already)."""
    try:
        return models.Spec.model_validate(spec)
    except ValidationError as err:
        raise ConfigError(problems_of(err, models.Spec)) from None


def compile_scenario(
    spec: Mapping[str, Any],
    grid: Mapping[str, Sequence[float]] | None = None,
    points: Sequence[Mapping[str, float]] | None = None,
) -> Scenario:
    """Validate ``spec`` and compile it (and each grid row) into a :class:`Scenario`.

    ``grid`` gives the outer product of its keys' values; ``points`` instead
    gives the grid rows one by one (every point sets the same keys), along a
    ``sample`` dimension: the design of a sensitivity analysis, say.

    Raises
    ------
    ConfigError
        Listing every problem found, each naming the key, the value and what
        is allowed. Nothing is computed before the whole input is valid.
    """
    if grid and points is not None:
        raise ValueError("give either grid or points, not both")
    if points is not None:
        if not points:
            raise ConfigError(["points = []: at least one point is needed"])
        point_keys = tuple(points[0])
        for i, point in enumerate(points):
            if tuple(point) != point_keys:
                message = (
                    f"points[{i}] sets {sorted(point)}: every point must set "
                    f"the same keys as the first ({sorted(point_keys)})"
                )
                raise ConfigError([message])
        grid = {k: [float(p[k]) for p in points] for k in point_keys}
    grid = dict(grid or {})
    spec = _plain(spec)
    problems = Problems()
    for key, values in grid.items():
        why = check_grid_key(spec, key)
        if why:
            problems.add(f"sweep.{key}", None, why)
            continue
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            problems.add(f"sweep.{key}", values, "must be a non-empty list of numbers")
            continue
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                problems.add(f"sweep.{key}", v, "values must be finite numbers")
    problems.raise_if_any()

    base = _validated(spec)
    keys = tuple(grid)
    grid_values = tuple(tuple(float(v) for v in grid[k]) for k in keys)
    combos: Iterable[tuple[float, ...]] = (
        list(zip(*grid_values, strict=True))
        if points is not None
        else itertools.product(*grid_values)
    )
    structure = _portfolio_arrays(base.portfolio)
    parameters = _parameter_arrays(base)
    rows = [_row(structure, parameters)]
    if keys:
        rows = []
        # rows differ only in the swept numbers: a row validates again only the groups
        # it changes (the others are the base's validated models) and refills their arrays
        swept = {k.split(".")[0] for k in keys}
        for combo in combos:
            row_spec = spec
            for k, v in zip(keys, combo, strict=True):
                row_spec = _with_value(row_spec, k, v)
            try:
                row = _validated({**base_groups(base), **{g: row_spec[g] for g in swept}})
            except ConfigError as err:
                where = ", ".join(f"{k}={v:g}" for k, v in zip(keys, combo, strict=True))
                raise ConfigError([f"at grid point {where}: {p}" for p in err.problems]) from None
            rows.append(
                _row(
                    _portfolio_arrays(row.portfolio) if "portfolio" in swept else structure,
                    _parameter_arrays(row) if swept & set(GROUPS) else parameters,
                )
            )
    stacked = {
        name: np.stack([r[name] for r in rows])
        for name in (
            "state_attr",
            "alliance_attr",
            "interest",
            "target_weight",
            "dist_code",
            "dist_param",
        )
    }
    clock = base.run
    return Scenario(
        name=base.portfolio.name,
        state_names=structure["state_names"],
        alliance_names=structure["alliance_names"],
        region_names=structure["region_names"],
        n_steps=round(clock.horizon_years / clock.dt_years),
        n_burn_in=round(clock.burn_in_years / clock.dt_years),
        dt=float(clock.dt_years),
        flags=np.array(
            [int(getattr(base.mechanisms, m)) for m in layout.MECHANISMS], dtype=np.int32
        ),
        region=structure["region"],
        is_adversary=structure["is_adversary"],
        member=structure["member"],
        leader=structure["leader"],
        grid_keys=keys,
        grid_values=grid_values,
        points=points is not None,
        **stacked,
    )


def base_groups(spec: models.Spec) -> dict[str, Any]:
    """The validated groups of ``spec``, to validate a variant of it without them again."""
    return {name: getattr(spec, name) for name in models.Spec.model_fields}


def _with_value(spec: Mapping[str, Any], path: str, value: float) -> dict[str, Any]:
    """``spec`` with ``path`` set to ``value``: the mappings along the path copied."""
    parts = path.split(".")
    root = dict(spec)
    node = root
    for part in parts[:-1]:
        node[part] = dict(node[part])
        node = node[part]
    node[parts[-1]] = value
    return root


def _plain(node: Any) -> Any:
    """Plain dicts and lists (accepts OmegaConf containers too)."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple) or type(node).__name__ == "ListConfig":
        return [_plain(v) for v in node]
    return node


def _row(structure: dict[str, Any], parameters: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
    """One grid row's arrays: the portfolio's, and the parameters' with the states' own after."""
    code, param = parameters
    return {
        **structure,
        "dist_code": np.concatenate([code, structure["override_code"]]),
        "dist_param": np.concatenate([param, structure["override_param"]]),
    }


def _portfolio_arrays(portfolio: models.Portfolio) -> dict[str, Any]:
    """The arrays of a validated portfolio (and its states' own growth and support)."""
    names = tuple(portfolio.states)
    index = {n: i for i, n in enumerate(names)}
    n_states = len(names)
    state_attr = np.zeros((n_states, layout.N_STATE_ATTRS))
    is_adversary = np.zeros(n_states, dtype=np.int32)
    target_weight = np.zeros((n_states, n_states))
    region_names: list[str] = []
    region = np.zeros(n_states, dtype=np.int32)
    n_overrides = layout.N_OVERRIDES * n_states
    override_code = np.full(n_overrides, INHERIT, dtype=np.int32)
    override_param = np.zeros((n_overrides, 3))
    for i, state in enumerate(portfolio.states.values()):
        state_attr[i, layout.SA_GDP] = state.gdp
        state_attr[i, layout.SA_DEFENSE_SHARE] = state.defense_share
        state_attr[i, layout.SA_REACH] = state.reach
        state_attr[i, layout.SA_ELECTION_PERIOD] = state.election_period
        if state.region not in region_names:
            region_names.append(state.region)
        region[i] = region_names.index(state.region)
        is_adversary[i] = int(state.adversary)
        if state.adversary:
            provocations = state.provocations or {}
            for target, weight in (state.targets or {}).items():
                target_weight[i, index[target]] = weight
                # the target's row: its provocation weight against i (default: the same)
                target_weight[index[target], i] = provocations.get(target, weight)
        for q, own in enumerate((state.growth, state.support)):
            if own is not None:
                (
                    override_code[layout.N_OVERRIDES * i + q],
                    override_param[layout.N_OVERRIDES * i + q],
                ) = models.encode(own)

    alliance_names = tuple(portfolio.alliances)
    n_alliances = len(alliance_names)
    alliance_attr = np.zeros((n_alliances, layout.N_ALLIANCE_ATTRS))
    member = np.zeros((n_alliances, n_states), dtype=np.int32)
    leader = np.full(n_alliances, -1, dtype=np.int32)
    for a, alliance in enumerate(portfolio.alliances.values()):
        for m in alliance.members:
            member[a, index[m]] = 1
        if alliance.leader is not None:
            leader[a] = index[alliance.leader]
        attr = alliance_attr[a]
        attr[layout.AA_OBLIGATION] = models.OBLIGATIONS[alliance.obligation]
        attr[layout.AA_DECISION] = models.DECISIONS[alliance.decision]
        attr[layout.AA_EXPLICITNESS] = alliance.explicitness
        attr[layout.AA_INTEROPERABILITY] = alliance.interoperability
        attr[layout.AA_SPENDING_TARGET] = alliance.spending_target
        attr[layout.AA_ESCALATION_CONTROL] = alliance.escalation_control
        attr[layout.AA_EXIT_NOTICE] = -1.0
        tier = alliance.institutionalisation
        attr[layout.AA_TIER] = -1.0 if tier is None else models.TIERS[tier]
        if alliance.exit is not None:
            attr[layout.AA_EXIT_NOTICE] = alliance.exit.notice_years
            attr[layout.AA_EXIT_THRESHOLD] = alliance.exit.support_threshold

    terms = portfolio.interest
    interest = np.where(
        region[:, None] == region[None, :], terms.same_region, terms.other_region
    ).astype(float)
    for i_name, row in terms.pairs.items():
        for j_name, v in row.items():
            interest[index[i_name], index[j_name]] = v
    return {
        "state_names": names,
        "alliance_names": alliance_names,
        "region_names": tuple(region_names),
        "state_attr": state_attr,
        "region": region,
        "is_adversary": is_adversary,
        "target_weight": target_weight,
        "alliance_attr": alliance_attr,
        "member": member,
        "leader": leader,
        "interest": interest,
        "override_code": override_code,
        "override_param": override_param,
    }


def _parameter_arrays(spec: models.Spec) -> tuple[np.ndarray, np.ndarray]:
    """The shared parameters' codes and parameters, in the kernels' order."""
    dist_code = np.zeros(layout.N_PARAMETERS, dtype=np.int32)
    dist_param = np.zeros((layout.N_PARAMETERS, 3))
    for p, path in enumerate(layout.PARAMETERS):
        group, key = path.split(".", 1)
        dist_code[p], dist_param[p] = models.encode(models.value_at(getattr(spec, group), key))
    return dist_code, dist_param

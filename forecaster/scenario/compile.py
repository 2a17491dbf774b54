"""Compile a scenario specification into the flat arrays the kernels read.

A specification is a plain mapping with the groups of the Hydra config,
validated by the schema of :mod:`.models` (every problem found is one line of a
:class:`~forecaster.ConfigError`); compiling only turns the validated model into
arrays:

``portfolio``
    ``{name, states: {NAME: {...}}, alliances: {NAME: {...}}, interest: {...}}``
``threat``, ``fiscal``, ``political``
    every parameter of docs/model.md §5, each a number or a distribution;
``mechanisms``
    ``{economy: bool, ...}``;
``run``
    ``{horizon_years, dt_years, ...}``.

A *grid* (:mod:`.grid`) maps dotted config paths
(``portfolio.alliances.nato.explicitness``, ``threat.resolve.median``) to lists
of values; each of its rows is compiled from the specification with that row's
values set (a row validates again only the groups it changes). Rows differ only
in numbers, never in structure (states, alliances, regions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from forecaster.errors import ConfigError, problems_of
from forecaster.kernels import layout
from forecaster.kernels.samplers import INHERIT

from . import models
from .grid import check_grid_key as check_grid_key
from .grid import get_path as get_path
from .grid import grid_of_points, grid_problems, grid_rows, plain, with_value
from .models import GROUPS
from .parameters import DOMAINS

#: allowed range of each parameter's draws: (low, high, description), from the one table
PARAMETER_DOMAINS = DOMAINS
assert set(PARAMETER_DOMAINS) == set(layout.PARAMETERS)

#: the arrays with one row per grid point
ROW_ARRAYS = ("state_attr", "alliance_attr", "interest", "target_weight", "dist_code", "dist_param")


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


# ---------------------------------------------------------------- compile
def validate(spec: Mapping[str, Any]) -> models.Spec:
    """The validated model of a specification.

    Raises
    ------
    ConfigError
        Listing every problem found, each naming the key, the value and what
        is allowed.
    """
    return _validated(plain(spec))


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
        Listing every problem found, the specification's and the grid's
        together, each naming the key, the value and what is allowed. Nothing
        is computed before the whole input is valid.
    """
    if grid and points is not None:
        raise ValueError("give either grid or points, not both")
    spec = plain(spec)
    grid = grid_of_points(points) if points is not None else plain(grid or {})
    problems = grid_problems(spec, grid)
    try:
        base = _validated(spec)
    except ConfigError as err:
        raise ConfigError([*err.problems, *problems]) from None
    if problems:
        raise ConfigError(problems)

    keys, grid_values, combos = grid_rows(grid, points=points is not None)
    structure = _portfolio_arrays(base.portfolio)
    parameters = _parameter_arrays(base)
    if keys:
        rows = [
            _grid_row(spec, base, dict(zip(keys, combo, strict=True)), structure, parameters)
            for combo in combos
        ]
    else:
        rows = [_row(structure, parameters)]
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
        **{name: np.stack([r[name] for r in rows]) for name in ROW_ARRAYS},
    )


def base_groups(spec: models.Spec) -> dict[str, Any]:
    """The validated groups of ``spec``, to validate a variant of it without them again."""
    return {name: getattr(spec, name) for name in models.Spec.model_fields}


def _grid_row(
    spec: Mapping[str, Any],
    base: models.Spec,
    values: Mapping[str, float],
    structure: dict[str, Any],
    parameters: tuple[np.ndarray, np.ndarray],
) -> dict[str, Any]:
    """One grid row's arrays: ``spec`` with ``values`` set at their paths.

    Rows differ only in the swept numbers: a row validates again only the
    groups it changes (the others are the base's validated models) and
    refills only their arrays.
    """
    row_spec = dict(spec)
    for key, value in values.items():
        row_spec = with_value(row_spec, key, value)
    swept = {k.split(".")[0] for k in values}
    try:
        row = _validated({**base_groups(base), **{g: row_spec[g] for g in swept}})
    except ConfigError as err:
        where = ", ".join(f"{k}={v:g}" for k, v in values.items())
        raise ConfigError([f"at grid point {where}: {p}" for p in err.problems]) from None
    return _row(
        _portfolio_arrays(row.portfolio) if "portfolio" in swept else structure,
        _parameter_arrays(row) if swept & set(GROUPS) else parameters,
    )


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

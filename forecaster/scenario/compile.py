"""Compile a scenario specification into the flat arrays the kernels read.

A specification is a plain mapping with the groups of the Hydra config:

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
grid rows, each compiled from the specification with that row's values set.
Rows differ only in numbers, never in structure (states, alliances, regions).
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecaster.errors import ConfigError, Problems
from forecaster.kernels import layout
from forecaster.kernels.samplers import FAMILIES, INHERIT

from . import distributions
from .parameters import DOMAINS

GROUPS = ("threat", "fiscal", "political")

#: allowed range of each parameter's draws: (low, high, description), from the one table
PARAMETER_DOMAINS = DOMAINS
assert set(PARAMETER_DOMAINS) == set(layout.PARAMETERS)

STATE_KEYS = {
    "gdp",
    "defense_share",
    "region",
    "reach",
    "election_period",
    "adversary",
    "targets",
    "growth",
    "support",
}
ALLIANCE_KEYS = {
    "members",
    "leader",
    "obligation",
    "explicitness",
    "interoperability",
    "decision",
    "spending_target",
    "escalation_control",
    "exit",
}
OBLIGATIONS = {"defense": layout.OBLIGATION_DEFENSE, "consultation": layout.OBLIGATION_CONSULTATION}
DECISIONS = {"consensus": layout.DECISION_CONSENSUS, "unilateral": layout.DECISION_UNILATERAL}


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

    base = _compile_one(spec)
    keys = tuple(grid)
    grid_values = tuple(tuple(float(v) for v in grid[k]) for k in keys)
    combos: Iterable[tuple[float, ...]] = (
        list(zip(*grid_values, strict=True))
        if points is not None
        else itertools.product(*grid_values)
    )
    rows = [base]
    if keys:
        rows = []
        for combo in combos:
            row_spec = copy.deepcopy(_plain(spec))
            for k, v in zip(keys, combo, strict=True):
                set_path(row_spec, k, v)
            try:
                rows.append(_compile_one(row_spec))
            except ConfigError as err:
                where = ", ".join(f"{k}={v:g}" for k, v in zip(keys, combo, strict=True))
                raise ConfigError([f"at grid point {where}: {p}" for p in err.problems]) from None
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
    return Scenario(
        name=base["name"],
        state_names=base["state_names"],
        alliance_names=base["alliance_names"],
        region_names=base["region_names"],
        n_steps=base["n_steps"],
        n_burn_in=base["n_burn_in"],
        dt=base["dt"],
        flags=base["flags"],
        region=base["region"],
        is_adversary=base["is_adversary"],
        member=base["member"],
        leader=base["leader"],
        grid_keys=keys,
        grid_values=grid_values,
        points=points is not None,
        **stacked,
    )


def _plain(node: Any) -> Any:
    """Plain dicts and lists (accepts OmegaConf containers too)."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple) or type(node).__name__ == "ListConfig":
        return [_plain(v) for v in node]
    return node


def _number(
    problems: Problems, key: str, value: Any, low: float, high: float, allowed: str
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(key, value, f"must be a number {allowed}")
        return low if math.isfinite(low) else 0.0
    if not low <= value <= high:
        problems.add(key, value, f"must be {allowed}")
    return float(value)


def _compile_one(spec: Mapping[str, Any]) -> dict[str, Any]:
    problems = Problems()
    spec = _plain(spec)
    for group in ("portfolio", *GROUPS):
        if not isinstance(spec.get(group), Mapping):
            problems.add(group, spec.get(group), "missing: a mapping is required")
    problems.raise_if_any()

    portfolio = spec["portfolio"]
    problems.unknown_keys("portfolio", portfolio, ("name", "states", "alliances", "interest"))
    states = portfolio.get("states")
    if not isinstance(states, Mapping) or not states:
        problems.add("portfolio.states", states, "must map at least one state name to its data")
        problems.raise_if_any()
    names = tuple(str(n) for n in states)
    if len(names) > layout.MAX_STATES:
        problems.add(
            "portfolio.states", f"{len(names)} states", f"at most {layout.MAX_STATES} states"
        )
        problems.raise_if_any()
    index = {n: i for i, n in enumerate(names)}
    n_states = len(names)

    # ------------------------------------------------------------ states
    state_attr = np.zeros((n_states, layout.N_STATE_ATTRS))
    is_adversary = np.zeros(n_states, dtype=np.int32)
    target_weight = np.zeros((n_states, n_states))
    region_names: list[str] = []
    region = np.zeros(n_states, dtype=np.int32)
    overrides: dict[tuple[int, int], tuple[int, tuple[float, float, float]]] = {}
    for name, data in states.items():
        key = f"portfolio.states.{name}"
        if not isinstance(data, Mapping):
            problems.add(key, data, "must be a mapping of the state's data")
            continue
        problems.unknown_keys(key, data, STATE_KEYS)
        i = index[name]
        gdp = data.get("gdp")
        if isinstance(gdp, bool) or not isinstance(gdp, int | float) or not gdp > 0:
            problems.add(f"{key}.gdp", gdp, "must be a positive number (USD bn)")
        else:
            state_attr[i, layout.SA_GDP] = gdp
        share = _number(
            problems,
            f"{key}.defense_share",
            data.get("defense_share"),
            1e-4,
            1.0,
            "in (0, 1] (a share of GDP, not a percentage)",
        )
        state_attr[i, layout.SA_DEFENSE_SHARE] = share
        state_attr[i, layout.SA_REACH] = _number(
            problems, f"{key}.reach", data.get("reach", 0.0), 0.0, 1.0, "in [0, 1]"
        )
        state_attr[i, layout.SA_ELECTION_PERIOD] = _number(
            problems,
            f"{key}.election_period",
            data.get("election_period", 0.0),
            0.0,
            math.inf,
            ">= 0 (years; 0 = no elections)",
        )
        reg = data.get("region")
        if not isinstance(reg, str) or not reg:
            problems.add(f"{key}.region", reg, "must be a region name")
            reg = "?"
        if reg not in region_names:
            region_names.append(reg)
        region[i] = region_names.index(reg)
        adversary = data.get("adversary", False)
        if not isinstance(adversary, bool):
            problems.add(f"{key}.adversary", adversary, "must be true or false")
            adversary = False
        is_adversary[i] = int(adversary)
        targets = data.get("targets")
        if adversary:
            if not isinstance(targets, Mapping) or not targets:
                problems.add(
                    f"{key}.targets",
                    targets,
                    "an adversary needs targets: {STATE: weight > 0, ...}",
                )
            else:
                for target, weight in targets.items():
                    tkey = f"{key}.targets.{target}"
                    if target not in index:
                        problems.add(tkey, weight, f"'{target}' is not a state of the portfolio")
                        continue
                    if target == name:
                        problems.add(tkey, weight, "an adversary cannot target itself")
                        continue
                    target_weight[i, index[target]] = _number(
                        problems, tkey, weight, 0.0, math.inf, ">= 0"
                    )
        elif targets:
            problems.add(
                f"{key}.targets", targets, "only an adversary (adversary: true) has targets"
            )
        for q, param in enumerate(("growth", "support")):
            if param in data and data[param] is not None:
                shared = layout.OVERRIDES[q]
                code, params = distributions.parse(f"{key}.{param}", data[param], problems)
                _check_domain(problems, f"{key}.{param}", shared, code, params)
                overrides[(i, q)] = (code, params)
    for i in range(n_states):
        if is_adversary[i]:
            for j in np.flatnonzero(target_weight[i]):
                if is_adversary[j]:
                    problems.add(
                        f"portfolio.states.{names[i]}.targets.{names[j]}",
                        float(target_weight[i, j]),
                        "an adversary cannot target another adversary",
                    )

    # ------------------------------------------------------------ alliances
    alliances = portfolio.get("alliances") or {}
    if not isinstance(alliances, Mapping):
        problems.add("portfolio.alliances", alliances, "must map alliance names to their data")
        alliances = {}
    if len(alliances) > layout.MAX_ALLIANCES:
        problems.add(
            "portfolio.alliances",
            f"{len(alliances)} alliances",
            f"at most {layout.MAX_ALLIANCES} alliances",
        )
        alliances = {}
    alliance_names = tuple(str(a) for a in alliances)
    duplicates = {n for n in alliance_names if n in index}
    for n in sorted(duplicates):
        problems.add(f"portfolio.alliances.{n}", n, "an alliance cannot share a name with a state")
    n_alliances = len(alliance_names)
    alliance_attr = np.zeros((n_alliances, layout.N_ALLIANCE_ATTRS))
    member = np.zeros((n_alliances, n_states), dtype=np.int32)
    leader = np.full(n_alliances, -1, dtype=np.int32)
    for a, (aname, data) in enumerate(alliances.items()):
        key = f"portfolio.alliances.{aname}"
        if not isinstance(data, Mapping):
            problems.add(key, data, "must be a mapping of the alliance's data")
            continue
        problems.unknown_keys(key, data, ALLIANCE_KEYS)
        members = data.get("members")
        if not isinstance(members, list | tuple) or not members:
            problems.add(f"{key}.members", members, "must be a list of state names")
            members = []
        seen = set()
        for m in members:
            if m not in index:
                problems.add(f"{key}.members", m, "is not a state of the portfolio")
            elif m in seen:
                problems.add(f"{key}.members", m, "is listed twice")
            elif is_adversary[index[m]]:
                problems.add(f"{key}.members", m, "is an adversary; adversaries are not members")
            else:
                member[a, index[m]] = 1
            seen.add(m)
        if members and len(seen) < 2:
            problems.add(f"{key}.members", list(members), "an alliance needs at least two members")
        chief = data.get("leader")
        if chief is not None:
            if chief not in seen or chief not in index:
                problems.add(
                    f"{key}.leader",
                    chief,
                    f"must be one of the members ({', '.join(map(str, members))}) or null",
                )
            else:
                leader[a] = index[chief]
        obligation = data.get("obligation", "defense")
        if obligation not in OBLIGATIONS:
            problems.add(f"{key}.obligation", obligation, "must be 'defense' or 'consultation'")
        alliance_attr[a, layout.AA_OBLIGATION] = OBLIGATIONS.get(obligation, 0)
        decision = data.get("decision", "consensus")
        if decision not in DECISIONS:
            problems.add(f"{key}.decision", decision, "must be 'consensus' or 'unilateral'")
        alliance_attr[a, layout.AA_DECISION] = DECISIONS.get(decision, 0)
        for attr, column, default in (
            ("explicitness", layout.AA_EXPLICITNESS, None),
            ("interoperability", layout.AA_INTEROPERABILITY, None),
            ("spending_target", layout.AA_SPENDING_TARGET, 0.0),
            ("escalation_control", layout.AA_ESCALATION_CONTROL, 0.0),
        ):
            alliance_attr[a, column] = _number(
                problems, f"{key}.{attr}", data.get(attr, default), 0.0, 1.0, "in [0, 1]"
            )
        exit_terms = data.get("exit")
        alliance_attr[a, layout.AA_EXIT_NOTICE] = -1.0
        if exit_terms is not None:
            if not isinstance(exit_terms, Mapping):
                problems.add(
                    f"{key}.exit", exit_terms, "must be null or {notice_years, support_threshold}"
                )
            else:
                problems.unknown_keys(
                    f"{key}.exit", exit_terms, ("notice_years", "support_threshold")
                )
                alliance_attr[a, layout.AA_EXIT_NOTICE] = _number(
                    problems,
                    f"{key}.exit.notice_years",
                    exit_terms.get("notice_years"),
                    0.0,
                    math.inf,
                    ">= 0 (years)",
                )
                alliance_attr[a, layout.AA_EXIT_THRESHOLD] = _number(
                    problems,
                    f"{key}.exit.support_threshold",
                    exit_terms.get("support_threshold"),
                    0.0,
                    1.0,
                    "in [0, 1]",
                )

    # ------------------------------------------------------------ interest
    interest_spec = portfolio.get("interest") or {}
    if not isinstance(interest_spec, Mapping):
        problems.add(
            "portfolio.interest", interest_spec, "must be {same_region, other_region, pairs}"
        )
        interest_spec = {}
    problems.unknown_keys(
        "portfolio.interest", interest_spec, ("same_region", "other_region", "pairs")
    )
    same = _number(
        problems,
        "portfolio.interest.same_region",
        interest_spec.get("same_region", 0.8),
        0.0,
        1.0,
        "in [0, 1]",
    )
    other = _number(
        problems,
        "portfolio.interest.other_region",
        interest_spec.get("other_region", 0.3),
        0.0,
        1.0,
        "in [0, 1]",
    )
    interest = np.where(region[:, None] == region[None, :], same, other).astype(float)
    pairs = interest_spec.get("pairs") or {}
    if not isinstance(pairs, Mapping):
        problems.add("portfolio.interest.pairs", pairs, "must be {STATE: {STATE: value}}")
        pairs = {}
    for i_name, row in pairs.items():
        if i_name not in index:
            problems.add(f"portfolio.interest.pairs.{i_name}", row, "is not a state")
            continue
        if not isinstance(row, Mapping):
            problems.add(f"portfolio.interest.pairs.{i_name}", row, "must be {STATE: value}")
            continue
        for j_name, v in row.items():
            pkey = f"portfolio.interest.pairs.{i_name}.{j_name}"
            if j_name not in index:
                problems.add(pkey, v, "is not a state")
                continue
            interest[index[i_name], index[j_name]] = _number(
                problems, pkey, v, 0.0, 1.0, "in [0, 1]"
            )

    # ------------------------------------------------------------ parameters
    n_params = layout.N_PARAMETERS + layout.N_OVERRIDES * n_states
    dist_code = np.zeros(n_params, dtype=np.int32)
    dist_param = np.zeros((n_params, 3))
    known = {name.split(".", 1)[1] for name in layout.PARAMETERS}
    for group in GROUPS:
        for key in spec[group]:
            if key == "honour" and group == "political":
                honour = spec[group][key]
                if not isinstance(honour, Mapping):
                    problems.add("political.honour", honour, "must be a mapping of coefficients")
                    continue
                for coef in honour:
                    if f"honour.{coef}" not in known:
                        allowed = sorted(n.split(".")[-1] for n in known if n.startswith("honour."))
                        problems.add(
                            f"political.honour.{coef}",
                            honour[coef],
                            f"unknown key (allowed: {', '.join(allowed)})",
                        )
                continue
            if f"{group}.{key}" not in layout.P:
                allowed = sorted(
                    n.split(".", 1)[1]
                    for n in layout.PARAMETERS
                    if n.startswith(group + ".") and "honour" not in n
                )
                problems.add(
                    f"{group}.{key}",
                    spec[group][key],
                    f"unknown key (allowed: {', '.join(allowed)})",
                )
    for p, path in enumerate(layout.PARAMETERS):
        try:
            value = get_path(spec, path)
        except KeyError:
            problems.add(path, None, "missing: every model parameter needs a value or distribution")
            continue
        code, params = distributions.parse(path, value, problems)
        _check_domain(problems, path, path, code, params)
        dist_code[p] = code
        dist_param[p] = params
    for i in range(n_states):
        for q in range(layout.N_OVERRIDES):
            row = layout.N_PARAMETERS + layout.N_OVERRIDES * i + q
            if (i, q) in overrides:
                dist_code[row], dist_param[row] = overrides[(i, q)]
            else:
                dist_code[row] = INHERIT

    # ------------------------------------------------------------ mechanisms and clock
    flags = np.ones(layout.N_MECHANISMS, dtype=np.int32)
    mechanisms = spec.get("mechanisms") or {}
    if not isinstance(mechanisms, Mapping):
        problems.add("mechanisms", mechanisms, "must map mechanism names to true/false")
        mechanisms = {}
    for mname, on in mechanisms.items():
        if mname not in layout.MECHANISMS:
            problems.add(
                f"mechanisms.{mname}",
                on,
                f"unknown mechanism (allowed: {', '.join(layout.MECHANISMS)})",
            )
        elif not isinstance(on, bool):
            problems.add(f"mechanisms.{mname}", on, "must be true or false")
        else:
            flags[layout.MECHANISMS.index(mname)] = int(on)
    run = spec.get("run") or {}
    horizon = run.get("horizon_years", 10.0)
    dt = run.get("dt_years", 0.25)
    burn_in = run.get("burn_in_years", 0.0)
    n_steps = n_burn_in = 0
    ok_clock = True
    for key, value in (("run.horizon_years", horizon), ("run.dt_years", dt)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            problems.add(key, value, "must be a positive number of years")
            ok_clock = False
    if isinstance(burn_in, bool) or not isinstance(burn_in, int | float) or not burn_in >= 0:
        problems.add("run.burn_in_years", burn_in, "must be a number of years >= 0")
        ok_clock = False
    if ok_clock:
        n_steps = round(horizon / dt)
        if n_steps < 1 or abs(n_steps * dt - horizon) > 1e-9 * max(1.0, horizon):
            problems.add(
                "run.horizon_years", horizon, f"must be a whole number of steps of dt_years = {dt}"
            )
        n_burn_in = round(burn_in / dt)
        if abs(n_burn_in * dt - burn_in) > 1e-9 * max(1.0, burn_in):
            problems.add(
                "run.burn_in_years", burn_in, f"must be a whole number of steps of dt_years = {dt}"
            )
        for i, name in enumerate(names):
            period = state_attr[i, layout.SA_ELECTION_PERIOD]
            if 0 < period < dt:
                problems.add(
                    f"portfolio.states.{name}.election_period",
                    period,
                    f"must be 0 or at least one step (dt_years = {dt})",
                )

    problems.raise_if_any()
    return {
        "name": str(portfolio.get("name", "scenario")),
        "state_names": names,
        "alliance_names": alliance_names,
        "region_names": tuple(region_names),
        "n_steps": int(n_steps),
        "n_burn_in": int(n_burn_in),
        "dt": float(dt),
        "flags": flags,
        "state_attr": state_attr,
        "region": region,
        "is_adversary": is_adversary,
        "alliance_attr": alliance_attr,
        "member": member,
        "leader": leader,
        "interest": interest,
        "target_weight": target_weight,
        "dist_code": dist_code,
        "dist_param": dist_param,
    }


def _check_domain(
    problems: Problems, key: str, parameter: str, code: int, params: tuple[float, float, float]
) -> None:
    low, high, allowed = PARAMETER_DOMAINS[parameter]
    lo, hi = distributions.support(code, params)
    if lo < low or hi > high:
        family = next(f for f, (c, _) in FAMILIES.items() if c == code)
        what = params[0] if family == "fixed" else f"{family} over [{lo:g}, {hi:g}]"
        problems.add(
            key,
            what,
            f"draws must be {allowed}"
            + ("" if family == "fixed" else "; choose a family bounded to that range"),
        )

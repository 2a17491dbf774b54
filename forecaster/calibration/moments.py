"""Simulated counterparts of the historical calibration moments.

Each estimator maps a results dataset (of the ``historical_world`` portfolio, or
any portfolio in which every state is in at most one alliance) to the simulated
value of one historical moment and its Monte Carlo standard error, one value per
grid point or design point. :data:`ESTIMATORS` is the one table from moment names
(the names of ``conf/moments/history.yaml``) to estimators; period variants of
a moment (``_post1945``, ...) map to the same estimator, since the model has no
periods: choose which period to fit by choosing the name.

The estimators, all from the dataset's variables (``docs/results.md``), with H the
horizon in years:

=================================  ============================================
``targeted_rate``                  mean over all states of 1 − exp(−crises/H):
                                   P(targeted in at least one new crisis in a
                                   year) if crises arrive as a Poisson stream;
                                   crises are all crises against the state
                                   (challenged or provoked), as ``mean_crises``
``war_entry_rate``                 mean over all states of 1 − exp(−entries/H)
``p_war_given_mid``                Σ wars as target / Σ crises, over states
``p_mid_decisive``                 Σ (yields + back-downs) / Σ crises
``p_mid_stalemate…``               Σ stalemates / Σ crises
``war_participation_distant``      Σ war entries of states in regions where no
                                   adversary lives / Σ war entries (every
                                   adversary must target only its own region)
``reliability``                    ``p_honour_war_all``: honoured / all casus
                                   foederis events in crises that became wars
``reliability_bilateral``,         the same pooled over the allies of two-member
``reliability_multilateral``,      pacts, of pacts of three or more, of defence
``reliability_defence_pacts``      pacts
``alliance_termination_hazard``    Σ_a (1 − P(intact at H)) / Σ_a alliance-years
                                   intact (the history's terminations / alliance-
                                   years at risk; "intact" also ends when a
                                   member leaves)
``deterrence_rate_ratio``          Mantel–Haenszel ratio of the annual targeted
                                   probability, states with vs without a defence-
                                   pact ally, strata = capability deciles among
                                   the potential targets (the history's estimator
                                   with state-trajectories for state-years)
``deterrence_…_local_ally``,       the same with the exposed units split: a
``deterrence_…_distant_ally``      defence pact with another member of the
                                   unit's region, or only members of other
                                   regions (each against the unallied units)
=================================  ============================================

The errors treat states as independent (their shared adversary draws correlate
them; for ratios across states that makes the errors conservative). Pooled
ratios combine each state's ratio-estimator error with weights equal to its share
of the events; ``p_war_given_mid`` uses the binomial error of the pooled crises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import xarray as xr
import yaml

from forecaster.errors import ConfigError


@dataclass(frozen=True)
class World:
    """What the estimators need of a results dataset: arrays with a leading grid axis.

    ``given_spec`` (without a dataset) serves the structural checks made before
    any run (:func:`portfolio_problems`).
    """

    ds: xr.Dataset | None = None
    given_spec: dict[str, Any] | None = None

    @property
    def data(self) -> xr.Dataset:
        if self.ds is None:
            raise ValueError("this World has no dataset")
        return self.ds

    @cached_property
    def grid_dims(self) -> tuple[str, ...]:
        inner = {"state", "time", "alliance", "count"}
        return tuple(str(d) for d in self.data.p_war.dims if d not in inner)

    @cached_property
    def n_points(self) -> int:
        return int(np.prod([self.data.sizes[d] for d in self.grid_dims], dtype=int))

    def array(self, name: str) -> np.ndarray:
        """Variable ``name`` as a float array of shape (points, ...) in dataset order."""
        var = self.data[name]
        inner = [d for d in var.dims if d not in self.grid_dims]
        values = np.asarray(var.transpose(*self.grid_dims, *inner).values, dtype=float)
        return values.reshape(self.n_points, *values.shape[len(self.grid_dims) :])

    @cached_property
    def spec(self) -> dict[str, Any]:
        if self.given_spec is not None:
            return self.given_spec
        config = self.data.attrs.get("config")
        if not config:
            raise ValueError("the dataset has no 'config' attribute: not a forecaster result")
        spec = yaml.safe_load(config)
        assert isinstance(spec, dict)
        return spec

    @cached_property
    def horizon(self) -> float:
        return float(self.data.time[-1])

    @cached_property
    def states(self) -> list[str]:
        """State names in portfolio order (the dataset's order)."""
        return [str(s) for s in self.spec["portfolio"]["states"]]

    @cached_property
    def alliance_of(self) -> dict[str, dict[str, Any]]:
        """The alliance of each state that has one; a state in two is an error."""
        out: dict[str, dict[str, Any]] = {}
        for name, alliance in self.spec["portfolio"]["alliances"].items():
            for member in alliance["members"]:
                if member in out:
                    raise ConfigError(
                        [
                            f"portfolio.alliances.{name}.members: {member} is also in "
                            f"{out[member]['name']}; the calibration moments need every "
                            "state in at most one alliance (portfolio=historical_world)"
                        ]
                    )
                out[member] = {**alliance, "name": name}
        return out

    def allies(self, kind: str) -> np.ndarray:
        """Boolean mask of states whose (only) alliance is of ``kind``.

        ``local_defense``: a defence pact with another member of the state's
        region; ``distant_defense``: a defence pact whose other members are all
        from other regions.
        """
        states = self.spec["portfolio"]["states"]
        mask = np.zeros(len(self.states), dtype=bool)
        for i, state in enumerate(self.states):
            alliance = self.alliance_of.get(state)
            if alliance is None:
                continue
            size = len(alliance["members"])
            defense = alliance["obligation"] == "defense"
            local = any(
                states[m].get("region") == states[state].get("region")
                for m in alliance["members"]
                if m != state
            )
            mask[i] = {
                "bilateral": size == 2,
                "multilateral": size >= 3,
                "defense": defense,
                "local_defense": defense and local,
                "distant_defense": defense and not local,
            }[kind]
        return mask

    @cached_property
    def potential_targets(self) -> np.ndarray:
        """States some adversary may target (positive target weight)."""
        targeted = set()
        for data in self.spec["portfolio"]["states"].values():
            targeted |= {t for t, w in (data.get("targets") or {}).items() if w > 0}
        return np.array([s in targeted for s in self.states])

    @cached_property
    def capability(self) -> np.ndarray:
        """Initial capability up to the common depreciation: defence share × GDP."""
        states = self.spec["portfolio"]["states"]
        return np.array([states[s]["gdp"] * states[s]["defense_share"] for s in self.states])


Estimate = tuple[np.ndarray, np.ndarray]  # value and standard error, one per point


def _annual_probability(world: World, name: str) -> Estimate:
    """Mean over all states of 1 − exp(−count/H), with its error (states independent)."""
    h = world.horizon
    count, se = world.array(f"mean_{name}"), world.array(f"mean_{name}_se")
    p = 1 - np.exp(-count / h)
    n = count.shape[1]
    return p.mean(axis=1), np.sqrt(((np.exp(-count / h) * se / h) ** 2).sum(axis=1)) / n


def targeted_rate(world: World) -> Estimate:
    return _annual_probability(world, "crises")


def war_entry_rate(world: World) -> Estimate:
    return _annual_probability(world, "war_entries")


def _share_of_crises(world: World, *outcomes: str) -> Estimate:
    """Share of crises (over all targets) ending in ``outcomes``; binomial error."""
    ended = sum(world.array(f"mean_{o}").sum(axis=1) for o in outcomes)
    crises = world.array("mean_crises").sum(axis=1)
    n = world.array("n_trajectories").reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = ended / crises
        se = np.sqrt(p * (1 - p) / (crises * n))
    return p, se


def p_war_given_mid(world: World) -> Estimate:
    return _share_of_crises(world, "wars_as_target")


def p_mid_decisive(world: World) -> Estimate:
    """MIDs one side won or gave up short of war: the target gave in, or the challenger
    backed down after the target resisted (COW MID outcomes victory, yield and
    release; the model cannot tell a yield from a victory, so the history's narrower
    ``p_mid_yield`` has no counterpart here)."""
    return _share_of_crises(world, "yielded", "backed_down")


def p_mid_stalemate(world: World) -> Estimate:
    """MIDs ending in stalemate or compromise: crises both sides would have fought that
    ended short of war (MODEL v2's stalemate)."""
    return _share_of_crises(world, "stalemates")


def _distant_states(world: World) -> np.ndarray:
    """States of regions in which no adversary lives: every war they join is far away.

    A war is fought in its target's region, which is its adversary's when every
    adversary targets only states of its own region (checked: otherwise a state
    far from its adversary could be fighting at home).
    """
    states = world.spec["portfolio"]["states"]
    region = {s: states[s].get("region") for s in world.states}
    problems = [
        f"portfolio.states.{k}.targets.{t}: {t} is in region {region.get(t)!r}, {k} in "
        f"{region[k]!r}; war_participation_distant needs every adversary to target only "
        "states of its own region (portfolio=historical_world)"
        for k in world.states
        if states[k].get("adversary")
        for t, w in (states[k].get("targets") or {}).items()
        if w > 0 and region.get(t) != region[k]
    ]
    if problems:
        raise ConfigError(problems)
    fronts = {region[k] for k in world.states if states[k].get("adversary")}
    return np.array([region[s] not in fronts for s in world.states])


def war_participation_distant(world: World) -> Estimate:
    """Σ war entries of states far from every front / Σ war entries (states independent)."""
    distant = _distant_states(world)
    entries = world.array("mean_war_entries")
    se = world.array("mean_war_entries_se")
    total = entries.sum(axis=1)
    far = entries[:, distant].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = far / total
        # d share / d entries_i = (1[distant_i] - share) / total
        grad = (distant[None, :] - share[:, None]) / total[:, None]
    return share, np.sqrt(((grad * se) ** 2).sum(axis=1))


def _pooled_reliability(world: World, mask: np.ndarray) -> Estimate:
    events = world.array("mean_cf_events_war")[:, mask]
    honoured = world.array("mean_cf_honoured_war")[:, mask]
    ratio_se = np.nan_to_num(world.array("p_honour_war_se")[:, mask])
    total = events.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = honoured.sum(axis=1) / total
        weight = events / total[:, None]
    return p, np.sqrt((weight**2 * ratio_se**2).sum(axis=1))


def reliability(world: World) -> Estimate:
    return world.array("p_honour_war_all").reshape(-1), world.array("p_honour_war_all_se").reshape(
        -1
    )


def reliability_bilateral(world: World) -> Estimate:
    return _pooled_reliability(world, world.allies("bilateral"))


def reliability_multilateral(world: World) -> Estimate:
    return _pooled_reliability(world, world.allies("multilateral"))


def reliability_defence_pacts(world: World) -> Estimate:
    return _pooled_reliability(world, world.allies("defense"))


def alliance_termination_hazard(world: World) -> Estimate:
    intact = world.array("p_intact")  # (points, time, alliance)
    se_end = world.array("p_intact_se")[:, -1, :]
    dt = float(world.data.attrs.get("dt_years", world.horizon / intact.shape[1]))
    start = np.ones_like(intact[:, :1, :])
    path = np.concatenate([start, intact], axis=1)
    years = (dt * (path[:, 1:] + path[:, :-1]) / 2).sum(axis=(1, 2))
    ended = (1 - intact[:, -1, :]).sum(axis=1)
    return ended / years, np.sqrt((se_end**2).sum(axis=1)) / years


def _deterrence_weights(
    world: World, kind: str = "defense"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units and each unit's Mantel–Haenszel weights a (exposed), b (unexposed).

    Units are the potential targets with a defence pact of ``kind`` (exposed)
    or without any defence pact (unexposed), as in the history's estimator.
    """
    pact = world.allies("defense")
    targets = world.potential_targets
    units = targets & (world.allies(kind) | ~pact)
    exposed = pact[units]
    # deciles among all potential targets, as the history's among all state-years
    all_cap = world.capability[targets]
    edges = np.quantile(all_cap, np.linspace(0, 1, 11))[1:-1] if targets.any() else np.array([])
    stratum = np.searchsorted(edges, world.capability[units], side="right")
    a = np.zeros(units.sum())  # numerator weight of each unit (exposed: n0_k / N_k)
    b = np.zeros(units.sum())  # denominator weight (unexposed: n1_k / N_k)
    for k in np.unique(stratum):
        in_k = stratum == k
        n1, n0 = int((in_k & exposed).sum()), int((in_k & ~exposed).sum())
        if n1 == 0 or n0 == 0:
            continue
        a[in_k & exposed] = n0 / (n1 + n0)
        b[in_k & ~exposed] = n1 / (n1 + n0)
    if not a.any():
        raise ConfigError(
            [
                f"deterrence_rate_ratio ({kind} pacts): no capability decile holds both "
                "defence-pact members and unallied potential targets; use "
                "portfolio=historical_world"
            ]
        )
    return units, a, b


def deterrence_rate_ratio(world: World, kind: str = "defense") -> Estimate:
    units, a, b = _deterrence_weights(world, kind)
    h = world.horizon
    crises = world.array("mean_crises")[:, units]
    crises_se = world.array("mean_crises_se")[:, units]
    y = 1 - np.exp(-crises / h)  # annual targeted probability per unit
    y_se = np.exp(-crises / h) * crises_se / h
    num, den = y @ a, y @ b
    with np.errstate(invalid="ignore", divide="ignore"):
        rr = num / den
        log_var = (((a / num[:, None] - b / den[:, None]) * y_se) ** 2).sum(axis=1)
    return rr, rr * np.sqrt(log_var)


def deterrence_rate_ratio_local_ally(world: World) -> Estimate:
    return deterrence_rate_ratio(world, "local_defense")


def deterrence_rate_ratio_distant_ally(world: World) -> Estimate:
    return deterrence_rate_ratio(world, "distant_defense")


#: moment name (as in conf/moments/history.yaml) -> simulated estimator
ESTIMATORS: dict[str, Callable[[World], Estimate]] = {
    "targeted_rate": targeted_rate,
    "targeted_rate_post1945": targeted_rate,
    "targeted_rate_2001_2014": targeted_rate,
    "war_entry_rate": war_entry_rate,
    "war_entry_rate_post1945": war_entry_rate,
    "p_war_given_mid": p_war_given_mid,
    "p_war_given_mid_post1945": p_war_given_mid,
    "p_mid_decisive": p_mid_decisive,
    "p_mid_decisive_post1945": p_mid_decisive,
    "war_participation_distant": war_participation_distant,
    "war_participation_distant_post1945": war_participation_distant,
    "p_mid_stalemate_or_compromise": p_mid_stalemate,
    "p_mid_stalemate_or_compromise_post1945": p_mid_stalemate,
    "p_mid_stalemate": p_mid_stalemate,
    "p_mid_stalemate_post1945": p_mid_stalemate,
    "reliability": reliability,
    "reliability_pre1945": reliability,
    "reliability_post1945": reliability,
    "reliability_bf_coding": reliability,
    "reliability_post1945_bf_coding": reliability,
    "reliability_bilateral": reliability_bilateral,
    "reliability_multilateral": reliability_multilateral,
    "reliability_post1945_bilateral": reliability_bilateral,
    "reliability_post1945_multilateral": reliability_multilateral,
    "reliability_defence_pacts": reliability_defence_pacts,
    "alliance_termination_hazard": alliance_termination_hazard,
    "alliance_termination_hazard_formed_from_1945": alliance_termination_hazard,
    "deterrence_rate_ratio": deterrence_rate_ratio,
    "deterrence_rate_ratio_post1945": deterrence_rate_ratio,
    "deterrence_rate_ratio_pre1946": deterrence_rate_ratio,
    "deterrence_rate_ratio_local_ally": deterrence_rate_ratio_local_ally,
    "deterrence_rate_ratio_local_ally_post1945": deterrence_rate_ratio_local_ally,
    "deterrence_rate_ratio_distant_ally": deterrence_rate_ratio_distant_ally,
    "deterrence_rate_ratio_distant_ally_post1945": deterrence_rate_ratio_distant_ally,
}


def unknown_moments(names: Sequence[str]) -> list[str]:
    """One problem line per name that has no simulated estimator."""
    known = ", ".join(sorted(ESTIMATORS))
    return [
        f"moment {name!r}: no simulated estimator for it; known moments: {known}"
        for name in names
        if name not in ESTIMATORS
    ]


def portfolio_problems(spec: dict[str, Any], names: Sequence[str]) -> list[str]:
    """What in a portfolio keeps the moments ``names`` from being estimated, before a run."""
    world = World(given_spec=spec)
    problems = []
    try:
        world.alliance_of  # noqa: B018 (raises on a state in two alliances)
    except ConfigError as err:
        return list(err.problems)
    if any(ESTIMATORS.get(n) is war_participation_distant for n in names):
        try:
            _distant_states(world)
        except ConfigError as err:
            problems += err.problems
    kinds = {
        deterrence_rate_ratio: "defense",
        deterrence_rate_ratio_local_ally: "local_defense",
        deterrence_rate_ratio_distant_ally: "distant_defense",
    }
    for estimator, kind in kinds.items():
        if any(ESTIMATORS.get(n) is estimator for n in names):
            try:
                _deterrence_weights(world, kind)
            except ConfigError as err:
                problems += err.problems
    return problems


def simulated_moments(ds: xr.Dataset, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Values and Monte Carlo errors of the moments ``names``: arrays (points, moments).

    ``points`` runs over the dataset's grid or design points in dataset order (one
    row for a run without a sweep).
    """
    problems = unknown_moments(names)
    if problems:
        raise ConfigError(problems)
    world = World(ds)
    values = np.empty((world.n_points, len(names)))
    errors = np.empty_like(values)
    for j, name in enumerate(names):
        value, se = ESTIMATORS[name](world)
        values[:, j], errors[:, j] = value, se
    return values, errors


def describe(value: float, se: float) -> str:
    """``value ± se`` with four significant figures, ``-`` for NaN."""
    if math.isnan(value):
        return "-"
    return f"{value:.4g} ± {se:.2g}"

"""The reference's records: one grid row as the stages read it, and the state they move.

The peers of ``kernels/state.py``, with arrays over trajectories: a field of
``World`` named like the kernel's ``X_*`` row holds that row for every
trajectory at once (``[N, S]``), so that a stage here reads like its kernel
twin with the loop over trajectories taken out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.kernels import layout as L
from forecaster.kernels.samplers import FAMILIES, INHERIT
from forecaster.scenario import Scenario

_FAMILY = {code: family for family, (code, _) in FAMILIES.items()}


def draw(rng: np.random.Generator, code: int, p: np.ndarray, size: int) -> np.ndarray:
    """``size`` draws of distribution ``code`` (``samplers.FAMILIES``) with NumPy's samplers."""
    family = _FAMILY[int(code)]
    if family == "fixed":
        return np.full(size, p[0])
    if family == "uniform":
        return rng.uniform(p[0], p[1], size)
    if family == "normal":
        return rng.normal(p[0], p[1], size)
    if family == "lognormal":
        return rng.lognormal(np.log(p[0]), p[1], size)
    if family == "beta":
        return rng.beta(p[0], p[1], size)
    if family == "gamma":
        return rng.gamma(p[0], p[1], size)
    return rng.triangular(p[0], p[1], p[2], size)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass
class Row:
    """Grid row ``g`` of a scenario for ``n`` trajectories (the kernel's ``Scenario``).

    ``theta`` holds each per-trajectory parameter's draws by its name in
    ``layout.PARAMETERS`` (``theta["political.honour.support"]``, shape ``[N]``);
    ``growth`` and ``support`` the per-state overrides ``[N, S]``.
    """

    sc: Scenario
    g: int
    n: int
    rng: np.random.Generator
    dt: float
    on: dict[str, bool]
    is_adversary: np.ndarray  # bool[S]
    friendly: np.ndarray  # bool[S]
    state_attr: np.ndarray  # [S, N_STATE_ATTRS]
    alliance_attr: np.ndarray  # [A, N_ALLIANCE_ATTRS]
    member: np.ndarray  # bool[A, S], at the start
    target_weight: np.ndarray  # [S, S]
    interest: np.ndarray  # [S, S]
    targets: np.ndarray  # the states some adversary may target, ascending
    same_region: np.ndarray  # bool[S, S]
    theta: dict[str, np.ndarray]
    growth: np.ndarray  # [N, S]
    support: np.ndarray  # [N, S]

    @classmethod
    def draw(cls, sc: Scenario, g: int, n: int, rng: np.random.Generator) -> Row:
        """The row's arrays and its per-trajectory parameter draws (the kernel's
        ``sample_parameters``): shared parameters in table order, then the overrides."""
        code, par = sc.dist_code[g], sc.dist_param[g]
        theta = {
            name: draw(rng, code[p], par[p], n)
            for p, name in enumerate(L.PARAMETERS)
            if p not in L.PER_CRISIS
        }
        growth, support = np.empty((n, sc.n_states)), np.empty((n, sc.n_states))
        for i in range(sc.n_states):
            for q, (out, shared) in enumerate(
                ((growth, "fiscal.growth"), (support, "political.support"))
            ):
                p = L.N_PARAMETERS + L.N_OVERRIDES * i + q
                out[:, i] = theta[shared] if code[p] == INHERIT else draw(rng, code[p], par[p], n)
        is_adversary = sc.is_adversary.astype(bool)
        target_weight = sc.target_weight[g]
        return cls(
            sc=sc,
            g=g,
            n=n,
            rng=rng,
            dt=sc.dt,
            on={name: bool(sc.flags[m]) for m, name in enumerate(L.MECHANISMS)},
            is_adversary=is_adversary,
            friendly=~is_adversary,
            state_attr=sc.state_attr[g],
            alliance_attr=sc.alliance_attr[g],
            member=sc.member.astype(bool),
            target_weight=target_weight,
            interest=sc.interest[g],
            targets=np.flatnonzero((target_weight[is_adversary] > 0).any(axis=0)),
            same_region=sc.region[:, None] == sc.region[None, :],
            theta=theta,
            growth=growth,
            support=support,
        )

    def t(self, name: str) -> np.ndarray:
        """Parameter ``name`` as a column ``[N, 1]``, to broadcast over states."""
        return self.theta[name][:, None]

    def crisis_draw(self, p: int) -> np.ndarray:
        """One draw per trajectory of per-crisis parameter ``p`` (``layout.PER_CRISIS``)."""
        return draw(self.rng, self.sc.dist_code[self.g, p], self.sc.dist_param[self.g, p], self.n)


@dataclass
class World:
    """What a trajectory carries from step to step, for every trajectory at once.

    Per state ``[N, S]`` (the kernel's ``x`` rows of the same names), per
    alliance ``[N, A]`` and per member ``[N, A, S]``; ``war[:, k, j]`` holds the
    participants ``[N, S]`` of k's war on j. ``ever``, ``events``, ``major``,
    ``n_wars`` and ``n_crises`` are the trajectory's tallies (``Tally``).
    """

    log_gdp: np.ndarray
    gdp: np.ndarray
    gdp_history: np.ndarray  # [4, N, S]: log-GDP of the last four steps
    recession: np.ndarray
    defense_share: np.ndarray
    base_share: np.ndarray
    capability: np.ndarray
    free_riding_start: np.ndarray
    burden_gap: np.ndarray
    resentment: np.ndarray
    support_target_logit: np.ndarray
    support_logit: np.ndarray
    support: np.ndarray
    reputation: np.ndarray
    sceptic: np.ndarray
    next_election: np.ndarray
    live: np.ndarray  # bool[N, A, S]
    alive: np.ndarray  # bool[N, A]
    left: np.ndarray  # bool[N, A]
    steps_below: np.ndarray  # int[N, A, S]
    war: np.ndarray  # bool[N, k, j, participant]
    at_war: np.ndarray  # bool[N, S]
    ever: np.ndarray  # bool[N, S, len(BY_TIME_STATE)]: columns layout.BT_*
    events: np.ndarray  # int[N, S, N_EVENTS]
    major: np.ndarray  # bool[N]
    n_wars: np.ndarray  # int[N]
    n_crises: np.ndarray  # int[N]

    def live_alive(self) -> np.ndarray:
        """Membership of the alliances still in force, ``[N, A, S]``."""
        return self.live & self.alive[:, :, None]

    def forget_events(self) -> None:
        """Start the trajectories' counts afresh (the end of the burn-in)."""
        self.ever[:] = False
        self.major[:] = False
        self.n_wars[:] = 0
        self.n_crises[:] = 0
        self.events[:] = 0


@dataclass
class Credibility:
    """Each ally's standing towards each target column ``[N, S, J]`` (``Row.targets``):
    honour probability, effective contribution, and obligation (-1: none)."""

    h: np.ndarray
    eff: np.ndarray
    obligation: np.ndarray

    def of(self, row: Row, j: int) -> Credibility:
        """The column of target ``j``, ``[N, S]``."""
        col = int(np.searchsorted(row.targets, j))
        return Credibility(self.h[:, :, col], self.eff[:, :, col], self.obligation[:, :, col])

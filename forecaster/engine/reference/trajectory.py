"""The trajectory loop in NumPy (the peer of ``kernels/trajectory.py``): the initial
state, the stages of every step in the kernel's order, and the counters."""

from __future__ import annotations

import numpy as np

from forecaster.engine.counters import Counters
from forecaster.kernels import layout as L

from .credibility import credibility
from .crises import crises
from .model import burden, economy, exits, fiscal, free_riding, politics, wars_end_of_step
from .state import Row, World


def simulate_row(row: Row, out: Counters) -> None:
    """Every trajectory of ``row``: burn-in steps run and are forgotten, then counted."""
    world = initial_state(row)
    for step in range(row.sc.n_burn_in):
        step_once(row, world, step)
    world.forget_events()
    for t in range(row.sc.n_steps):
        step_once(row, world, row.sc.n_burn_in + t)
        count_step(row, world, out, t)
    count_trajectories(row, world, out)


def initial_state(row: Row) -> World:
    """Each state at its observed GDP and defence share, capital at its steady state,
    support at its target; with elections, a government type and an election phase."""
    n, n_states = row.n, row.is_adversary.size
    n_alliances = row.member.shape[0]
    gdp = np.broadcast_to(row.state_attr[:, L.SA_GDP], (n, n_states))
    share = np.broadcast_to(row.state_attr[:, L.SA_DEFENSE_SHARE], (n, n_states)).copy()
    support = np.clip(row.support, 1e-9, 1 - 1e-9)
    support_logit = np.log(support / (1 - support))
    sceptic = np.zeros((n, n_states))
    next_election = np.full((n, n_states), np.inf)
    if row.on["elections"]:
        government = row.rng.random((n, n_states))
        sceptic = np.where(row.friendly & (government < 1 - support), 1.0, 0.0)
        phase = row.rng.random((n, n_states))
        period = row.state_attr[:, L.SA_ELECTION_PERIOD]
        next_election = np.where(row.friendly & (period > 0), phase * period, np.inf)
    log_gdp = np.log(gdp).copy()
    live = np.repeat(row.member[None], n, axis=0)  # [N, A, S]
    world = World(
        log_gdp=log_gdp,
        gdp=gdp.copy(),
        gdp_history=np.repeat(log_gdp[None], 4, axis=0),
        recession=np.zeros((n, n_states)),
        defense_share=share,
        base_share=share.copy(),
        capability=share * gdp / row.t("fiscal.depreciation"),  # the steady state of K' = dY - δK
        free_riding_start=np.zeros((n, n_states)),
        burden_gap=np.zeros((n, n_states)),
        resentment=np.zeros((n, n_states)),
        support_target_logit=support_logit,
        support_logit=support_logit.copy(),
        support=support.copy(),
        reputation=np.repeat(row.t("political.reputation_initial"), n_states, axis=1),
        sceptic=sceptic,
        next_election=next_election,
        live=live,
        alive=np.ones((n, n_alliances), dtype=bool),
        left=np.zeros((n, n_alliances), dtype=bool),
        steps_below=np.zeros((n, n_alliances, n_states), dtype=np.int64),
        war=np.zeros((n, n_states, n_states, n_states), dtype=bool),
        at_war=np.zeros((n, n_states), dtype=bool),
        ever=np.zeros((n, n_states, len(L.BY_TIME_STATE)), dtype=bool),
        events=np.zeros((n, n_states, L.N_EVENTS), dtype=np.int64),
        major=np.zeros(n, dtype=bool),
        n_wars=np.zeros(n, dtype=np.int64),
        n_crises=np.zeros(n, dtype=np.int64),
    )
    # free-riding at the start: the fiscal anchor counts only its change
    world.free_riding_start = free_riding(world, world.live_alive())
    return world


def step_once(row: Row, world: World, step: int) -> None:
    """One step of every trajectory, stage by stage in the kernel's order."""
    war_now = world.at_war.astype(float)
    economy(row, world, step, war_now)
    live_alive = world.live_alive()
    fiscal(row, world, live_alive, war_now)
    burden(world, live_alive)
    politics(row, world, step, war_now)
    crises(row, world, credibility(row, world, live_alive), live_alive)
    wars_end_of_step(row, world)
    exits(row, world)


def count_step(row: Row, world: World, out: Counters, t: int) -> None:
    """Add the trajectories' state after counted step ``t`` into the by-time counters."""
    g, ever = row.g, world.ever
    out.by_time_state[g, t] += ever.sum(axis=0)
    intact = world.alive & ~world.left
    out.by_time_alliance[g, t, :, L.BA_INTACT] += intact.sum(axis=0)
    member_war = (row.member[None] & ever[:, None, :, L.BT_WAR]).any(axis=2)
    out.by_time_alliance[g, t, :, L.BA_MEMBER_WAR] += member_war.sum(axis=0)
    any_war = (ever[:, :, L.BT_WAR] & row.friendly).any(axis=1)
    out.by_time[g, t, L.BG_ANY_WAR] += any_war.sum()
    out.by_time[g, t, L.BG_MAJOR_WAR] += world.major.sum()
    for q, value in (
        (L.MO_DEFENSE_SHARE, world.defense_share),
        (L.MO_SUPPORT, world.support),
        (L.MO_REPUTATION, world.reputation),
        (L.MO_BURDEN_GAP, world.burden_gap),
    ):
        out.moments[g, t, :, q, 0] += value.sum(axis=0)
        out.moments[g, t, :, q, 1] += (value * value).sum(axis=0)


def count_trajectories(row: Row, world: World, out: Counters) -> None:
    """Add each trajectory's event counts (and their total over states as row S), their
    squares and the ratio products, and the war and crisis histograms."""
    g = row.g
    events = np.concatenate([world.events, world.events.sum(axis=1, keepdims=True)], axis=1)
    out.events[g, :, :, 0] += events.sum(axis=0)
    out.events[g, :, :, 1] += (events**2).sum(axis=0)
    for r, (num, den) in enumerate(zip(L.RATIO_NUMERATOR, L.RATIO_DENOMINATOR, strict=True)):
        out.event_products[g, :, r] += (events[:, :, num] * events[:, :, den]).sum(axis=0)
    bins = out.histograms.shape[2]
    for h, count in ((L.H_WARS, world.n_wars), (L.H_CRISES, world.n_crises)):
        out.histograms[g, h] += np.bincount(np.minimum(count, bins - 1), minlength=bins)

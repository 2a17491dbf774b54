"""The trajectory loop: one call simulates trajectories ``[first, first + n)``
for every grid row and adds into preallocated counters.

Memory per call is the scratch state of one trajectory plus the counters,
whatever ``n`` is. Every grid row replays the same keyed draws (common random
numbers); the per-trajectory parameter draws move with the row's distribution
parameters, not with fresh noise.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .layout import (
    BA_INTACT,
    BA_MEMBER_WAR,
    BG_ANY_WAR,
    BG_MAJOR_WAR,
    CH_ELECTION_PHASE,
    CH_INITIAL_GOVERNMENT,
    CH_PARAMETER,
    D_SAMPLE,
    D_UNIFORM,
    DEPRECIATION,
    GROWTH,
    H_CRISES,
    H_WARS,
    M_ELECTIONS,
    MO_BURDEN_GAP,
    MO_DEFENSE_SHARE,
    MO_REPUTATION,
    MO_SUPPORT,
    N_EVENTS,
    N_PARAMETERS,
    N_RATIOS,
    PER_CRISIS,
    RATIO_DENOMINATOR,
    RATIO_NUMERATOR,
    REPUTATION_INITIAL,
    SA_DEFENSE_SHARE,
    SA_ELECTION_PERIOD,
    SA_GDP,
    SA_REACH,
    SUPPORT,
)
from .model import (
    EVER_WAR,
    N_X,
    X_BASE_SHARE,
    X_BURDEN_GAP,
    X_CAPABILITY,
    X_DEFENSE_SHARE,
    X_ELECTION_PERIOD,
    X_GDP,
    X_GROWTH,
    X_LOG_GDP,
    X_NEXT_ELECTION,
    X_REACH,
    X_RECESSION,
    X_REPUTATION,
    X_SCEPTIC,
    X_SUPPORT,
    X_SUPPORT_LOGIT,
    X_SUPPORT_TARGET_LOGIT,
    bit,
    burden,
    credibility,
    crises,
    economy,
    exits,
    fiscal,
    logit,
    politics,
    wars_end_of_step,
)
from .rng import TRAJECTORY_STEP, uniform
from .samplers import INHERIT, SAMPLER_STRIDE, sample

_ZERO = np.uint64(0)


@njit(nogil=True, cache=True)
def sample_parameters(dist_code, dist_param, seed, trajectory, theta, draws):
    """Per-trajectory draws of every parameter (and per-state overrides) into ``theta``.

    Per-crisis parameters are left out (drawn in each crisis). An override
    row with code ``INHERIT`` copies the shared draw.
    """
    for p in range(dist_code.shape[0]):
        code = dist_code[p]
        if p < N_PARAMETERS and (p == PER_CRISIS[0] or p == PER_CRISIS[1]):
            theta[p] = math.nan
            continue
        if code == INHERIT:
            shared = GROWTH if (p - N_PARAMETERS) % 2 == 0 else SUPPORT
            theta[p] = theta[shared]
            continue
        draws[D_SAMPLE + code] += 1
        theta[p] = sample(
            code, dist_param[p, 0], dist_param[p, 1], dist_param[p, 2],
            seed, trajectory, TRAJECTORY_STEP, CH_PARAMETER, p * SAMPLER_STRIDE,
        )  # fmt: skip


@njit(nogil=True, cache=True)
def _initial_state(
    x, gdp_history, theta, flags, state_attr, is_adversary, draws, seed, trajectory, n_states
):
    delta = theta[DEPRECIATION]
    for i in range(n_states):
        gdp = state_attr[i, SA_GDP]
        share = state_attr[i, SA_DEFENSE_SHARE]
        x[X_LOG_GDP, i] = math.log(gdp)
        x[X_GDP, i] = gdp
        x[X_DEFENSE_SHARE, i] = share
        x[X_BASE_SHARE, i] = share
        x[X_CAPABILITY, i] = share * gdp / delta  # the steady state of K' = dY - δK
        x[X_REACH, i] = state_attr[i, SA_REACH]
        x[X_ELECTION_PERIOD, i] = state_attr[i, SA_ELECTION_PERIOD]
        x[X_GROWTH, i] = theta[N_PARAMETERS + 2 * i]
        support = min(1.0 - 1e-9, max(1e-9, theta[N_PARAMETERS + 2 * i + 1]))
        x[X_SUPPORT_TARGET_LOGIT, i] = logit(support)
        x[X_SUPPORT_LOGIT, i] = logit(support)
        x[X_SUPPORT, i] = support
        x[X_REPUTATION, i] = theta[REPUTATION_INITIAL]
        x[X_RECESSION, i] = 0.0
        x[X_BURDEN_GAP, i] = 0.0
        x[X_SCEPTIC, i] = 0.0
        period = x[X_ELECTION_PERIOD, i]
        x[X_NEXT_ELECTION, i] = math.inf
        if flags[M_ELECTIONS] and not is_adversary[i]:
            draws[D_UNIFORM] += 1
            u = uniform(seed, trajectory, TRAJECTORY_STEP, CH_INITIAL_GOVERNMENT, i)
            x[X_SCEPTIC, i] = 1.0 if u < 1.0 - support else 0.0
            if period > 0.0:
                draws[D_UNIFORM] += 1
                phase = uniform(seed, trajectory, TRAJECTORY_STEP, CH_ELECTION_PHASE, i)
                x[X_NEXT_ELECTION, i] = phase * period
        for slot in range(4):
            gdp_history[slot, i] = x[X_LOG_GDP, i]


@njit(nogil=True, cache=True)
def simulate_block(
    seed, first, n, n_burn_in, n_steps, dt, flags,
    state_attr, region, is_adversary,
    alliance_attr, member, leader,
    interest, target_weight,
    dist_code, dist_param,
    by_time_state, by_time_alliance, by_time, events, event_products, moments, histograms,
    draws,
):  # fmt: skip
    """Simulate trajectories ``first .. first + n - 1`` for every grid row ``g``.

    Parameters
    ----------
    seed : uint64 key of the random stream.
    first, n : the block of trajectory numbers.
    n_burn_in, n_steps, dt : the clock: ``n_burn_in`` steps simulated and not counted
        (a settled start, MODEL v2), then ``n_steps`` counted ones.
    flags : int32[N_MECHANISMS], 1 = mechanism on.
    state_attr : float64[G, S, N_STATE_ATTRS]; region, is_adversary : int32[S].
    alliance_attr : float64[G, A, N_ALLIANCE_ATTRS]; member : int32[A, S] (0/1);
        leader : int32[A] (-1 = none).
    interest, target_weight : float64[G, S, S].
    dist_code : int32[G, N_PARAMETERS + 2 S]; dist_param : float64[G, N_PARAMETERS + 2 S, 3].

    Counters (added into, never reset; see ``layout``):
    by_time_state int64[G, T, S, 4], by_time_alliance int64[G, T, A, 2],
    by_time int64[G, T, 2], events int64[G, S + 1, N_EVENTS, 2],
    event_products int64[G, S + 1, N_RATIOS] (row S: totals over states),
    moments float64[G, T, S, 4, 2], histograms int64[G, 2, HISTOGRAM_BINS],
    draws int64[G, N_DRAWS] (random variates drawn, by kind).
    """
    n_rows = state_attr.shape[0]
    n_states = state_attr.shape[1]
    n_alliances = alliance_attr.shape[1]
    n_bins = histograms.shape[2]

    # scratch, allocated once per call and reused by every trajectory and row
    x = np.empty((N_X, n_states))
    gdp_history = np.empty((4, n_states))
    theta = np.empty(dist_code.shape[1])
    pair_h = np.zeros((n_states, n_states))
    pair_logit = np.zeros((n_states, n_states))
    pair_eff = np.zeros((n_states, n_states))
    pair_obligation = np.full((n_states, n_states), -1, dtype=np.int64)
    war_participants = np.zeros((n_states, n_states), dtype=np.uint64)
    adversary_war = np.zeros(n_states, dtype=np.uint64)
    member_mask = np.zeros(n_alliances, dtype=np.uint64)
    live_mask = np.zeros(n_alliances, dtype=np.uint64)
    alive = np.zeros(n_alliances, dtype=np.int8)
    left = np.zeros(n_alliances, dtype=np.int8)
    steps_below = np.zeros((n_alliances, n_states), dtype=np.int64)
    alliance_capability = np.zeros(n_alliances)
    ever = np.zeros((n_states, 4), dtype=np.int8)
    trajectory_counts = np.zeros(3, dtype=np.int64)  # wars, crises, major war (0/1)
    # per-trajectory event counts; row n_states holds the total over states
    trajectory_events = np.zeros((n_states + 1, N_EVENTS), dtype=np.int64)
    is_target = np.zeros(n_states, dtype=np.int8)
    n_adversaries = 0
    for i in range(n_states):
        if is_adversary[i]:
            n_adversaries += 1
    adversaries = np.empty(n_adversaries, dtype=np.int64)
    n_adversaries = 0
    for i in range(n_states):
        if is_adversary[i]:
            adversaries[n_adversaries] = i
            n_adversaries += 1
    for a in range(n_alliances):
        for i in range(n_states):
            if member[a, i]:
                member_mask[a] |= bit(i)

    for g in range(n_rows):
        for j in range(n_states):
            is_target[j] = 0
            for k in adversaries:
                if target_weight[g, k, j] > 0.0:
                    is_target[j] = 1
        for trajectory in range(first, first + n):
            sample_parameters(dist_code[g], dist_param[g], seed, trajectory, theta, draws[g])
            _initial_state(
                x, gdp_history, theta, flags, state_attr[g], is_adversary, draws[g], seed,
                trajectory, n_states,
            )  # fmt: skip
            for a in range(n_alliances):
                live_mask[a] = member_mask[a]
                alive[a] = 1
                left[a] = 0
                for i in range(n_states):
                    steps_below[a, i] = 0
            war_participants[:, :] = _ZERO
            adversary_war[:] = _ZERO
            ever[:, :] = 0
            trajectory_counts[:] = 0
            trajectory_events[:, :] = 0
            at_war = _ZERO
            for step in range(n_burn_in + n_steps):
                if step == n_burn_in and n_burn_in > 0:
                    # the burn-in is over: forget its events, keep its state
                    ever[:, :] = 0
                    trajectory_counts[:] = 0
                    trajectory_events[:, :] = 0
                economy(
                    x, gdp_history, theta, flags, at_war, draws[g], seed, trajectory, step, dt,
                    n_states,
                )  # fmt: skip
                fiscal(
                    x, theta, flags, at_war, alliance_attr[g], alive, live_mask, is_adversary,
                    alliance_capability, draws[g], seed, trajectory, step, dt, n_states,
                    n_alliances,
                )  # fmt: skip
                burden(x, alive, live_mask, n_states, n_alliances)
                politics(
                    x, theta, flags, at_war, is_adversary, draws[g], seed, trajectory, step, dt,
                    n_states,
                )  # fmt: skip
                credibility(
                    x, theta, flags, alliance_attr[g], alive, live_mask, region, interest[g],
                    is_target, is_adversary, pair_h, pair_logit, pair_eff, pair_obligation,
                    n_states, n_alliances,
                )  # fmt: skip
                crises(
                    x, theta, flags, dist_code[g], dist_param[g], alliance_attr[g], alive,
                    live_mask, region, interest[g], target_weight[g], is_target, adversaries,
                    pair_h, pair_logit, pair_eff, pair_obligation, war_participants, adversary_war,
                    ever,
                    trajectory_events, trajectory_counts, draws[g], seed, trajectory, step, dt,
                    n_states, n_alliances,
                )  # fmt: skip
                at_war = wars_end_of_step(
                    x, theta, flags, war_participants, adversary_war, adversaries, draws[g],
                    seed, trajectory, step, dt, n_states,
                )  # fmt: skip
                exits(
                    x, theta, flags, alliance_attr[g], leader, alive, left, live_mask,
                    steps_below, draws[g], seed, trajectory, step, dt, n_states, n_alliances,
                )  # fmt: skip
                if step < n_burn_in:
                    continue
                t = step - n_burn_in
                _count_step(
                    x, ever, is_adversary, alive, left, member_mask, trajectory_counts,
                    by_time_state[g, t], by_time_alliance[g, t], by_time[g, t],
                    moments[g, t], n_states, n_alliances,
                )  # fmt: skip
            _count_events(trajectory_events, events[g], event_products[g], n_states)
            histograms[g, H_WARS, min(trajectory_counts[0], n_bins - 1)] += 1
            histograms[g, H_CRISES, min(trajectory_counts[1], n_bins - 1)] += 1


@njit(nogil=True, cache=True)
def _count_step(
    x, ever, is_adversary, alive, left, member_mask, trajectory_counts,
    by_time_state, by_time_alliance, by_time, moments, n_states, n_alliances,
):  # fmt: skip
    any_war = False
    war_mask = _ZERO
    for i in range(n_states):
        for q in range(4):
            if ever[i, q]:
                by_time_state[i, q] += 1
        if ever[i, EVER_WAR]:
            war_mask |= bit(i)
            if not is_adversary[i]:
                any_war = True
        # indexed in place: a view per update (moments[i, q]) costs more than the sums
        _moment(moments, i, MO_DEFENSE_SHARE, x[X_DEFENSE_SHARE, i])
        _moment(moments, i, MO_SUPPORT, x[X_SUPPORT, i])
        _moment(moments, i, MO_REPUTATION, x[X_REPUTATION, i])
        _moment(moments, i, MO_BURDEN_GAP, x[X_BURDEN_GAP, i])
    for a in range(n_alliances):
        if alive[a] and not left[a]:
            by_time_alliance[a, BA_INTACT] += 1
        if member_mask[a] & war_mask:
            by_time_alliance[a, BA_MEMBER_WAR] += 1
    if any_war:
        by_time[BG_ANY_WAR] += 1
    if trajectory_counts[2]:
        by_time[BG_MAJOR_WAR] += 1


@njit(nogil=True, cache=True)
def _count_events(trajectory_events, events, event_products, n_states):
    for e in range(N_EVENTS):
        total = 0
        for i in range(n_states):
            total += trajectory_events[i, e]
        trajectory_events[n_states, e] = total
    for i in range(n_states + 1):
        for e in range(N_EVENTS):
            v = trajectory_events[i, e]
            events[i, e, 0] += v
            events[i, e, 1] += v * v
        for r in range(N_RATIOS):
            event_products[i, r] += (
                trajectory_events[i, RATIO_NUMERATOR[r]]
                * trajectory_events[i, RATIO_DENOMINATOR[r]]
            )


@njit(nogil=True, cache=True, inline="always")
def _moment(moments, i, q, value):
    moments[i, q, 0] += value
    moments[i, q, 1] += value * value

"""The trajectory loop: one call simulates trajectories ``[first, first + n)``
for every grid row and adds into preallocated counters.

Memory per call is the records of one trajectory (``state.py``) plus the
counters, whatever ``n`` is. Every grid row replays the same keyed draws
(common random numbers); the per-trajectory parameter draws move with the
row's distribution parameters, not with fresh noise.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .crises import crises
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
    OPPORTUNITY_RATE,
    PER_CRISIS,
    RATIO_DENOMINATOR,
    RATIO_NUMERATOR,
    REPUTATION_INITIAL,
    SA_DEFENSE_SHARE,
    SA_ELECTION_PERIOD,
    SA_GDP,
    SA_REACH,
    SCALE,
    SUPPORT,
)
from .model import (
    add,
    burden,
    clear,
    copy_into,
    economy,
    exits,
    fiscal,
    intersects,
    logit,
    politics,
    wars_end_of_step,
    words,
)
from .rng import TRAJECTORY_STEP, uniform
from .samplers import INHERIT, SAMPLER_STRIDE, sample
from .state import (
    EVER_WAR,
    N_EVER,
    N_TC,
    N_X,
    TC_CRISES,
    TC_MAJOR_WAR,
    TC_WARS,
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
    Credibility,
    Key,
    Scenario,
    Scratch,
    Tally,
    World,
)

#: the moments, in the order of their ``MO_*`` columns, and the ``x`` row each reads
_MOMENT_ROWS = (
    (MO_DEFENSE_SHARE, X_DEFENSE_SHARE),
    (MO_SUPPORT, X_SUPPORT),
    (MO_REPUTATION, X_REPUTATION),
    (MO_BURDEN_GAP, X_BURDEN_GAP),
)


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
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


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _initial_state(world, scn, state_attr, tally, seed, trajectory, dt, member_mask):
    x = world.x
    theta = scn.theta
    flags = scn.flags
    is_adversary = scn.is_adversary
    draws = tally.draws
    gdp_history = world.gdp_history
    alive = world.alive
    live_mask = world.live_mask
    left = world.left
    steps_below = world.steps_below
    war_participants = world.war_participants
    adversary_war = world.adversary_war
    ever = tally.ever
    counts = tally.counts
    events = tally.events
    adversaries = scn.adversaries
    pair_start = scn.pair_start
    pair_target = scn.pair_target
    target_weight = scn.target_weight
    p_opportunity = scn.p_opportunity
    n_states = x.shape[1]
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
        x[X_SUPPORT_LOGIT, i] = x[X_SUPPORT_TARGET_LOGIT, i]
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
    for a in range(alive.shape[0]):
        copy_into(live_mask[a], member_mask[a])
        alive[a] = 1
        left[a] = 0
        for i in range(n_states):
            steps_below[a, i] = 0
    # wars are only ever declared on the row's pairs: only theirs need forgetting
    for n in range(adversaries.shape[0]):
        k = adversaries[n]
        clear(adversary_war[k])
        for p in range(pair_start[n], pair_start[n + 1]):
            clear(war_participants[k, pair_target[p]])
    clear(world.at_war)
    ever[:, :] = 0
    counts[:] = 0
    events[:, :] = 0
    # the opportunity probabilities do not change within a trajectory: once
    scale = theta[SCALE]
    rate = theta[OPPORTUNITY_RATE]
    for n in range(adversaries.shape[0]):
        k = adversaries[n]
        for p in range(pair_start[n], pair_start[n + 1]):
            j = pair_target[p]
            p_opportunity[k, j] = -math.expm1(-scale * rate * target_weight[k, j] * dt)


@njit(nogil=True, cache=True, error_model="numpy")
def _new_world(n_states, n_alliances):
    n_words = words(n_states)
    return World(
        np.empty((N_X, n_states)),
        np.empty((4, n_states)),
        np.zeros(n_alliances, dtype=np.int8),
        np.zeros(n_alliances, dtype=np.int8),
        np.zeros((n_alliances, n_words), dtype=np.uint64),
        np.zeros((n_alliances, n_states), dtype=np.int64),
        np.zeros(n_alliances),
        np.zeros((n_states, n_states, n_words), dtype=np.uint64),
        np.zeros((n_states, n_words), dtype=np.uint64),
        np.zeros(n_words, dtype=np.uint64),
    )


@njit(nogil=True, cache=True, error_model="numpy")
def _new_credibility(n_states):
    return Credibility(
        np.zeros(n_states),
        np.zeros(n_states, dtype=np.int8),
        np.zeros((n_states, n_states)),
        np.zeros((n_states, n_states)),
        np.zeros((n_states, n_states)),
        np.full((n_states, n_states), -1, dtype=np.int64),
        np.zeros(n_states, dtype=np.int8),
        np.zeros(n_states),
        np.zeros(n_states),
    )


@njit(nogil=True, cache=True, error_model="numpy")
def _new_scratch(n_states):
    n_words = words(n_states)
    return Scratch(
        np.zeros(n_states),
        np.zeros(n_states),
        np.zeros(n_states),
        np.zeros(n_states),
        np.zeros(n_states),
        np.zeros(n_words, dtype=np.uint64),
        np.zeros(n_words, dtype=np.uint64),
        np.zeros(n_words, dtype=np.uint64),
        np.zeros(n_words, dtype=np.uint64),
    )


@njit(nogil=True, cache=True, error_model="numpy")
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
    _simulate(
        seed, first, n, n_burn_in, n_steps, dt, flags, state_attr, region, is_adversary,
        alliance_attr,
        member, leader, interest, target_weight, dist_code, dist_param, by_time_state,
        by_time_alliance, by_time, events, event_products, moments, histograms, draws, True,
    )  # fmt: skip


@njit(nogil=True, cache=True, error_model="numpy")
def simulate_block_eager(
    seed, first, n, n_burn_in, n_steps, dt, flags,
    state_attr, region, is_adversary,
    alliance_attr, member, leader,
    interest, target_weight,
    dist_code, dist_param,
    by_time_state, by_time_alliance, by_time, events, event_products, moments, histograms,
    draws,
):  # fmt: skip
    """``simulate_block`` with every target's credibility computed every step (tests only)."""
    _simulate(
        seed, first, n, n_burn_in, n_steps, dt, flags, state_attr, region, is_adversary,
        alliance_attr,
        member, leader, interest, target_weight, dist_code, dist_param, by_time_state,
        by_time_alliance, by_time, events, event_products, moments, histograms, draws, False,
    )  # fmt: skip


@njit(nogil=True, cache=True, error_model="numpy")
def _simulate(
    seed, first, n, n_burn_in, n_steps, dt, flags,
    state_attr, region, is_adversary,
    alliance_attr, member, leader,
    interest, target_weight,
    dist_code, dist_param,
    by_time_state, by_time_alliance, by_time, events, event_products, moments, histograms,
    draws, lazy,
):  # fmt: skip
    n_rows = state_attr.shape[0]
    n_states = state_attr.shape[1]
    n_alliances = alliance_attr.shape[1]
    n_bins = histograms.shape[2]

    # records, allocated once per call and reused by every trajectory and row
    world = _new_world(n_states, n_alliances)
    cred = _new_credibility(n_states)
    scratch = _new_scratch(n_states)
    theta = np.empty(dist_code.shape[1])
    p_opportunity = np.zeros((n_states, n_states))
    is_target = np.zeros(n_states, dtype=np.int8)
    # the block's moment sums, structure of arrays (states last, contiguous) so that
    # the per-step update vectorises; added into the counters' layout once per row
    step_moments = np.zeros((n_steps, len(_MOMENT_ROWS), 2, n_states))
    ever = np.zeros((n_states, N_EVER), dtype=np.int8)
    counts = np.zeros(N_TC, dtype=np.int64)
    # per-trajectory event counts; row n_states holds the total over states
    trajectory_events = np.zeros((n_states + 1, N_EVENTS), dtype=np.int64)
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
    pair_start = np.zeros(n_adversaries + 1, dtype=np.int64)
    pair_target = np.zeros(max(1, n_adversaries * n_states), dtype=np.int64)
    member_mask = np.zeros((n_alliances, words(n_states)), dtype=np.uint64)
    for a in range(n_alliances):
        for i in range(n_states):
            if member[a, i]:
                add(member_mask[a], i)

    for g in range(n_rows):
        _pairs(target_weight[g], adversaries, is_target, pair_start, pair_target)
        scn = Scenario(
            flags, theta, dist_code[g], dist_param[g], alliance_attr[g], leader, region,
            is_adversary, is_target, adversaries, interest[g], target_weight[g], p_opportunity,
            pair_start, pair_target,
        )  # fmt: skip
        tally = Tally(ever, counts, trajectory_events, draws[g])
        step_moments[...] = 0.0
        for trajectory in range(first, first + n):
            sample_parameters(dist_code[g], dist_param[g], seed, trajectory, theta, draws[g])
            _initial_state(world, scn, state_attr[g], tally, seed, trajectory, dt, member_mask)
            _steps(
                world, scn, cred, scratch, tally, seed, trajectory, n_burn_in, n_steps, dt, lazy,
                member_mask, by_time_state[g], by_time_alliance[g], by_time[g], step_moments,
            )  # fmt: skip
            _count_events(trajectory_events, events[g], event_products[g], n_states)
            histograms[g, H_WARS, min(counts[TC_WARS], n_bins - 1)] += 1
            histograms[g, H_CRISES, min(counts[TC_CRISES], n_bins - 1)] += 1
        _add_moments(step_moments, moments[g])


@njit(nogil=True, cache=True, error_model="numpy")
def _pairs(target_weight, adversaries, is_target, pair_start, pair_target):
    """One grid row's challenger-target pairs of positive weight, adversary by adversary
    and each adversary's targets ascending (a CSR list), and which states are targets."""
    is_target[:] = 0
    count = 0
    for n in range(adversaries.shape[0]):
        k = adversaries[n]
        pair_start[n] = count
        for j in range(target_weight.shape[1]):
            if target_weight[k, j] > 0.0:
                pair_target[count] = j
                count += 1
                is_target[j] = 1
    pair_start[adversaries.shape[0]] = count


# Every stage is inlined into one function per trajectory compiled without numba's
# reference counting (_nrt=False: it allocates nothing): each read of a record's
# field would otherwise incref and decref the array with two atomic operations,
# which inside the per-pair loops cost more than the model's arithmetic; and one
# call a trajectory, not one a step, passes the records' arrays.
@njit(nogil=True, cache=True, error_model="numpy", _nrt=False)
def _steps(
    world, scn, cred, scratch, tally, seed, trajectory, n_burn_in, n_steps, dt, lazy,
    member_mask, by_time_state, by_time_alliance, by_time, moments,
):  # fmt: skip
    """Every step of one trajectory, stage by stage (docs/model.md §3), into its counters.

    The first ``n_burn_in`` steps run and are not counted: when they are over, the
    trajectory's events are forgotten and its state (wars under way included) kept.
    """
    at_war = world.at_war  # wars_end_of_step's mask, read by the next step's stages
    for step in range(n_burn_in + n_steps):
        if step == n_burn_in and n_burn_in > 0:
            _forget_events(tally)
        key = Key(seed, trajectory, step)
        economy(world, scn, scratch, tally, key, dt, at_war)
        fiscal(world, scn, scratch, tally, key, dt, at_war)
        burden(world)
        politics(world, scn, scratch, tally, key, dt, at_war)
        crises(world, scn, cred, scratch, tally, key, dt, lazy)
        wars_end_of_step(world, scn, tally, key, dt)
        exits(world, scn, tally, key, dt)
        if step < n_burn_in:
            continue
        t = step - n_burn_in
        _count_step(
            world, tally, scn.is_adversary, member_mask, scratch.war_mask, by_time_state[t],
            by_time_alliance[t], by_time[t], moments[t],
        )  # fmt: skip


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _forget_events(tally):
    """Start the trajectory's counts afresh (the end of its burn-in)."""
    ever = tally.ever
    events = tally.events
    counts = tally.counts
    for i in range(ever.shape[0]):
        for q in range(ever.shape[1]):
            ever[i, q] = 0
    for i in range(events.shape[0]):
        for e in range(events.shape[1]):
            events[i, e] = 0
    for c in range(counts.shape[0]):
        counts[c] = 0


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _count_step(
    world, tally, is_adversary, member_mask, war_mask, by_time_state, by_time_alliance, by_time,
    moments,
):  # fmt: skip
    x = world.x
    ever = tally.ever
    alive = world.alive
    left = world.left
    counts = tally.counts
    n_states = x.shape[1]
    any_war = False
    clear(war_mask)
    for i in range(n_states):
        # ever's columns are by_time_state's (state.EVER_*)
        for q in range(ever.shape[1]):
            by_time_state[i, q] += ever[i, q]  # 0/1: an add, not a branch
        if ever[i, EVER_WAR]:
            add(war_mask, i)
            if not is_adversary[i]:
                any_war = True
    # one moment at a time over the states: contiguous rows in and out, so it vectorises
    for m in range(len(_MOMENT_ROWS)):
        q, row = _MOMENT_ROWS[m]
        total = moments[q, 0]
        squares = moments[q, 1]
        for i in range(n_states):
            value = x[row, i]
            total[i] += value
            squares[i] += value * value
    for a in range(alive.shape[0]):
        if alive[a] and not left[a]:
            by_time_alliance[a, BA_INTACT] += 1
        if intersects(member_mask[a], war_mask):
            by_time_alliance[a, BA_MEMBER_WAR] += 1
    if any_war:
        by_time[BG_ANY_WAR] += 1
    if counts[TC_MAJOR_WAR]:
        by_time[BG_MAJOR_WAR] += 1


@njit(nogil=True, cache=True, error_model="numpy")
def _add_moments(step_moments, moments):
    """Add the block's moment sums ``[T, Q, 2, S]`` into the counter ``[T, S, Q, 2]``."""
    for t in range(step_moments.shape[0]):
        for q in range(step_moments.shape[1]):
            for k in range(2):
                for i in range(step_moments.shape[3]):
                    moments[t, i, q, k] += step_moments[t, q, k, i]


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
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

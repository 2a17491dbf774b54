"""One step of the crisis-trajectory model (MODEL.md §3), stage by stage.

Each stage is a function of arrays that updates one trajectory's state in
place. The state of a trajectory lives in a handful of scratch arrays that
``trajectory.simulate_block`` allocates once per call and reuses:

``x[X_*, i]``
    per-state floats (rows below);
``pair_h, pair_eff, pair_obligation``
    this step's honour probability, effective contribution and obligation type
    of ally ``i`` towards target ``j`` (``pair_obligation = -1``: no live
    obligation), computed only for targets;
``war_participants[k, j]``
    bit mask of the states at war in the war of adversary ``k`` against target
    ``j`` (0 = no war); states are at most 64 so a mask is one ``uint64``;
``live_mask[a]``
    bit mask of the current members of alliance ``a``.

Stages draw only from their own random channels (``layout.CH_*``), so turning
a mechanism off leaves every other draw where it was.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .layout import (
    AA_DECISION,
    AA_ESCALATION_CONTROL,
    AA_EXIT_NOTICE,
    AA_EXIT_THRESHOLD,
    AA_EXPLICITNESS,
    AA_INTEROPERABILITY,
    AA_OBLIGATION,
    AA_SPENDING_TARGET,
    ABANDONMENT_BACKLASH,
    ADJUSTMENT_SPEED,
    ATTRITION,
    AUSTERITY,
    B_EXPLICITNESS,
    B_INTERCEPT,
    B_INTEREST,
    B_RECESSION,
    B_REPUTATION,
    B_SCEPTIC,
    B_SUPPORT,
    BURDEN_RESENTMENT,
    CAPABILITY_GROWTH,
    CH_DEFENDER_RESOLVE,
    CH_ECONOMY,
    CH_ECONOMY_COMMON,
    CH_ELECTION,
    CH_HONOUR,
    CH_MISPERCEPTION,
    CH_OPPORTUNITY,
    CH_PROVOCATION,
    CH_RESOLVE,
    CH_SPENDING,
    CH_SUPPORT,
    CH_TERMINATION,
    CH_WAR_END,
    COMMON_SHOCK,
    COMPLIANCE,
    CONSENSUS_DRAG,
    CONTEST_EXPONENT,
    D_NORMAL,
    D_NORMAL_FILLED,
    D_SAMPLE,
    D_UNIFORM,
    DECISION_CONSENSUS,
    DEFENDER_RESOLVE,
    DEPRECIATION,
    ENTRAPMENT_BACKLASH,
    ENTRAPMENT_THRESHOLD,
    EV_ABANDONMENTS,
    EV_BACKED_DOWN,
    EV_CF,
    EV_CF_HONOURED,
    EV_CF_HONOURED_WAR,
    EV_CF_WAR,
    EV_CRISES,
    EV_DETERRED,
    EV_ENTRAPMENTS,
    EV_OPPORTUNITIES,
    EV_PROVOKED,
    EV_WAR_ENTRIES,
    EV_WARS_AS_TARGET,
    EV_YIELDED,
    FREE_RIDING,
    HOLLOW_PENALTY,
    HOLLOW_THRESHOLD,
    M_ECONOMY,
    M_ELECTIONS,
    M_EXIT,
    M_FISCAL,
    M_MISPERCEPTION,
    M_POLITICS,
    M_PROVOCATION,
    M_REPUTATION,
    M_WAR_COSTS,
    MEAN_REVERSION,
    MISPERCEPTION,
    MORAL_HAZARD,
    OBLIGATION_CONSULTATION,
    OBLIGATION_DEFENSE,
    OPPORTUNITY_RATE,
    PROVOCATION_RATE,
    PROVOKED_RESOLVE,
    REPUTATION_LEARNING,
    RESOLVE,
    SCALE,
    SPENDING_NOISE,
    SUPPORT_VOLATILITY,
    TERMINATION_RATE,
    TURNOVER,
    VOLATILITY,
    WAR_COST,
    WAR_DRAG,
    WAR_DURATION,
    WAR_SURGE,
    WAR_WEARINESS,
)
from .rng import fill_normal, fill_normal_at, normal, uniform
from .samplers import SAMPLER_STRIDE, sample

# rows of the per-state float state x[X_*, i]
X_LOG_GDP = 0
X_GDP = 1
X_DEFENSE_SHARE = 2
X_BASE_SHARE = 3  # d0_i, the state's own preferred share
X_CAPABILITY = 4
X_SUPPORT_LOGIT = 5  # s_i
X_SUPPORT = 6  # u_i = logistic(s_i)
X_SUPPORT_TARGET_LOGIT = 7  # logit(ubar_i)
X_GROWTH = 8  # mu_i
X_REPUTATION = 9
X_NEXT_ELECTION = 10  # years
X_BURDEN_GAP = 11
X_RESENTMENT = 12
X_RECESSION = 13  # 0/1
X_SCEPTIC = 14  # 0/1
X_SCRATCH = 15  # the next defence share, noise draws
X_REACH = 16
X_ELECTION_PERIOD = 17
N_X = 18

# columns of ever[i, :] (the event happened at least once so far)
EVER_WAR, EVER_ENTRAPMENT, EVER_ABANDONMENT, EVER_TARGETED = 0, 1, 2, 3

_ONE = np.uint64(1)
_ZERO = np.uint64(0)


@njit(nogil=True, cache=True, inline="always")
def bit(i):
    return _ONE << np.uint64(i)


@njit(nogil=True, cache=True, inline="always")
def has(mask, i):
    return (mask >> np.uint64(i)) & _ONE == _ONE


@njit(nogil=True, cache=True)
def popcount(mask):
    n = 0
    while mask:
        mask &= mask - _ONE
        n += 1
    return n


@njit(nogil=True, cache=True, inline="always")
def logistic(z):
    # two branches so that exp never overflows
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(nogil=True, cache=True, inline="always")
def logit(p):
    return math.log(p) - math.log1p(-p)


@njit(nogil=True, cache=True, inline="always")
def win_probability(attacker, defence, gamma):
    """Contest success function p(D) = K^γ / (K^γ + D^γ), written as a ratio."""
    if defence <= 0.0:
        return 1.0
    if attacker <= 0.0:
        return 0.0
    return 1.0 / (1.0 + (defence / attacker) ** gamma)


# ---------------------------------------------------------------- 1. economy
@njit(nogil=True, cache=True)
def economy(x, gdp_history, theta, flags, at_war, draws, seed, trajectory, step, dt, n_states):
    """Correlated log-GDP growth, war drag, and the recession flag."""
    if not flags[M_ECONOMY]:
        return
    sigma = theta[VOLATILITY]
    rho = theta[COMMON_SHOCK]
    drag = theta[WAR_DRAG] if flags[M_WAR_COSTS] else 0.0
    common = normal(seed, trajectory, step, CH_ECONOMY_COMMON, 0)
    shocks = x[X_SCRATCH]
    fill_normal(seed, trajectory, step, CH_ECONOMY, shocks, n_states)
    draws[D_NORMAL] += 1
    draws[D_NORMAL_FILLED] += n_states
    a = math.sqrt(rho)
    b = math.sqrt(1.0 - rho)
    sqrt_dt = math.sqrt(dt)
    slot = step % 4
    for i in range(n_states):
        war = 1.0 if has(at_war, i) else 0.0
        log_gdp = x[X_LOG_GDP, i] + (
            (x[X_GROWTH, i] - 0.5 * sigma * sigma) * dt
            + sigma * sqrt_dt * (a * common + b * shocks[i])
            - drag * war * dt
        )
        x[X_LOG_GDP, i] = log_gdp
        x[X_GDP, i] = math.exp(log_gdp)
        # recession: log-GDP below its value four steps (a year at dt=0.25) ago
        x[X_RECESSION, i] = 1.0 if log_gdp < gdp_history[slot, i] else 0.0
        gdp_history[slot, i] = log_gdp


# ---------------------------------------------------------------- 2. fiscal
@njit(nogil=True, cache=True)
def fiscal(
    x, theta, flags, at_war, alliance_attr, alive, live_mask, is_adversary, totals, draws,
    seed, trajectory, step, dt, n_states, n_alliances,
):  # fmt: skip
    """Pledges, free-riding, spending adjustment and capital accumulation."""
    if not flags[M_FISCAL]:
        return
    compliance = theta[COMPLIANCE]
    phi = theta[FREE_RIDING]
    austerity = theta[AUSTERITY]
    surge = theta[WAR_SURGE]
    kappa = theta[ADJUSTMENT_SPEED]
    noise = theta[SPENDING_NOISE] * math.sqrt(dt)
    delta = theta[DEPRECIATION]
    adversary_growth = theta[CAPABILITY_GROWTH]
    shocks = x[X_SCRATCH]
    fill_normal(seed, trajectory, step, CH_SPENDING, shocks, n_states)
    draws[D_NORMAL_FILLED] += n_states
    # capability of each live alliance, once: a member of a single alliance has
    # the alliance's total less its own as allies (O(S A), not O(S^2) a step)
    for a in range(n_alliances):
        totals[a] = 0.0
        if alive[a]:
            for j in range(n_states):
                if has(live_mask[a], j):
                    totals[a] += x[X_CAPABILITY, j]
    # new shares first, from capabilities at the start of the step ...
    for i in range(n_states):
        if is_adversary[i]:
            continue
        pledge = 0.0
        allies = _ZERO
        memberships = 0
        last = -1
        for a in range(n_alliances):
            if alive[a] and has(live_mask[a], i):
                pledge = max(pledge, alliance_attr[a, AA_SPENDING_TARGET])
                allies |= live_mask[a]
                memberships += 1
                last = a
        allied = 0.0
        if memberships == 1:
            allied = totals[last] - x[X_CAPABILITY, i]
        elif memberships > 1:  # allies shared by several alliances count once
            allies &= ~bit(i)
            for j in range(n_states):
                if has(allies, j):
                    allied += x[X_CAPABILITY, j]
        free_riding = allied / (x[X_CAPABILITY, i] + allied) if allied > 0.0 else 0.0
        base = x[X_BASE_SHARE, i]
        war = 1.0 if has(at_war, i) else 0.0
        target = (
            base
            + compliance * max(0.0, pledge - base)
            - phi * free_riding
            - austerity * x[X_RECESSION, i]
            + surge * war
        )
        share = x[X_DEFENSE_SHARE, i] + kappa * (target - x[X_DEFENSE_SHARE, i]) * dt
        share += noise * shocks[i]
        shocks[i] = min(0.25, max(0.001, share))
    # ... then capital for everyone
    for i in range(n_states):
        k = x[X_CAPABILITY, i]
        if is_adversary[i]:
            spend = x[X_DEFENSE_SHARE, i] * x[X_GDP, i]
            x[X_CAPABILITY, i] = k + (spend - delta * k + adversary_growth * k) * dt
        else:
            x[X_DEFENSE_SHARE, i] = shocks[i]
            spend = shocks[i] * x[X_GDP, i]
            x[X_CAPABILITY, i] = k + (spend - delta * k) * dt


# ---------------------------------------------------------------- 3. burden
@njit(nogil=True, cache=True)
def burden(x, alive, live_mask, n_states, n_alliances):
    """Burden gap (share of spending minus share of GDP) and resentment."""
    for i in range(n_states):
        x[X_BURDEN_GAP, i] = 0.0
        x[X_RESENTMENT, i] = 0.0
    for a in range(n_alliances):
        if not alive[a]:
            continue
        members = live_mask[a]
        if popcount(members) < 2:
            continue
        spend = 0.0
        gdp = 0.0
        for i in range(n_states):
            if has(members, i):
                spend += x[X_DEFENSE_SHARE, i] * x[X_GDP, i]
                gdp += x[X_GDP, i]
        for i in range(n_states):
            if has(members, i):
                gap = x[X_DEFENSE_SHARE, i] * x[X_GDP, i] / spend - x[X_GDP, i] / gdp
                x[X_BURDEN_GAP, i] += gap
                x[X_RESENTMENT, i] += max(0.0, gap)


# ---------------------------------------------------------------- 4. politics
@njit(nogil=True, cache=True)
def politics(x, theta, flags, at_war, is_adversary, draws, seed, trajectory, step, dt, n_states):
    """Support drift and noise, burden resentment, war weariness; elections."""
    if flags[M_POLITICS]:
        alpha = theta[MEAN_REVERSION]
        noise = theta[SUPPORT_VOLATILITY] * math.sqrt(dt)
        eta = theta[BURDEN_RESENTMENT]
        weariness = theta[WAR_WEARINESS] if flags[M_WAR_COSTS] else 0.0
        shocks = x[X_SCRATCH]
        fill_normal(seed, trajectory, step, CH_SUPPORT, shocks, n_states)
        draws[D_NORMAL_FILLED] += n_states
        for i in range(n_states):
            if is_adversary[i]:
                continue
            war = 1.0 if has(at_war, i) else 0.0
            s = x[X_SUPPORT_LOGIT, i]
            s += alpha * (x[X_SUPPORT_TARGET_LOGIT, i] - s) * dt + noise * shocks[i]
            s -= (eta * x[X_RESENTMENT, i] + weariness * war) * dt
            x[X_SUPPORT_LOGIT, i] = s
            x[X_SUPPORT, i] = logistic(s)
    if flags[M_ELECTIONS]:
        now = (step + 1) * dt
        turnover = theta[TURNOVER]
        for i in range(n_states):
            period = x[X_ELECTION_PERIOD, i]
            if is_adversary[i] or period <= 0.0:
                continue
            # the scenario guarantees period >= dt: at most one election a step
            if now + 1e-9 >= x[X_NEXT_ELECTION, i]:
                x[X_NEXT_ELECTION, i] += period
                draws[D_UNIFORM] += 1
                if uniform(seed, trajectory, step, CH_ELECTION, i) < turnover:
                    draws[D_UNIFORM] += 1
                    u = uniform(seed, trajectory, step, CH_ELECTION, n_states + i)
                    x[X_SCEPTIC, i] = 1.0 if u < 1.0 - x[X_SUPPORT, i] else 0.0


# ---------------------------------------------------------------- 5. credibility
@njit(nogil=True, cache=True)
def credibility(
    x, theta, alliance_attr, alive, live_mask, region, interest, is_target, is_adversary,
    pair_h, pair_logit, pair_eff, pair_obligation, n_states, n_alliances,
):  # fmt: skip
    """Honour probability and effective contribution of every ally of every target.

    Where i and j share several live alliances, the one with the largest
    h * eff sets h, eff and the obligation type (MODEL.md §8.6). ``pair_logit``
    keeps logit(h) for the adversary's misperception, computed once a step.
    """
    b0 = theta[B_INTERCEPT]
    b_explicit = theta[B_EXPLICITNESS]
    b_support = theta[B_SUPPORT]
    b_reputation = theta[B_REPUTATION]
    b_interest = theta[B_INTEREST]
    b_sceptic = theta[B_SCEPTIC]
    b_recession = theta[B_RECESSION]
    hollow_threshold = theta[HOLLOW_THRESHOLD]
    hollow_penalty = theta[HOLLOW_PENALTY]
    drag = theta[CONSENSUS_DRAG]
    # the ally's own standing, the same towards every target: once per ally
    standing = x[X_SCRATCH]
    for i in range(n_states):
        standing[i] = (
            b0
            + b_support * (x[X_SUPPORT, i] - 0.5)
            + b_reputation * (x[X_REPUTATION, i] - 0.5)
            - b_sceptic * x[X_SCEPTIC, i]
            - b_recession * x[X_RECESSION, i]
        )
    # allies outermost: an ally's logit is often the same towards several targets
    # (same interest, same alliance), so the last logistic is reused when it repeats
    for i in range(n_states):
        last_z = math.nan
        last_h = 0.0
        for j in range(n_states):
            if not is_target[j]:
                continue
            pair_obligation[i, j] = -1
            if i == j or is_adversary[i]:
                continue
            own = standing[i] + b_interest * interest[i, j]
            reach = 1.0 if region[i] == region[j] else x[X_REACH, i]
            best = -1.0
            best_z = 0.0
            for a in range(n_alliances):
                if not alive[a] or not has(live_mask[a], i) or not has(live_mask[a], j):
                    continue
                z = own + b_explicit * alliance_attr[a, AA_EXPLICITNESS]
                if alliance_attr[a, AA_EXIT_NOTICE] < 0.0 and x[X_SUPPORT, i] < hollow_threshold:
                    z -= hollow_penalty  # a commitment that cannot be left is hollowed
                if z != last_z:
                    last_z = z
                    last_h = logistic(z)
                h = last_h
                obligation = int(alliance_attr[a, AA_OBLIGATION])
                if obligation == OBLIGATION_CONSULTATION:
                    h *= 0.5
                iota = alliance_attr[a, AA_INTEROPERABILITY]
                delay = 0.0
                if int(alliance_attr[a, AA_DECISION]) == DECISION_CONSENSUS:
                    delay = drag * (1.0 - iota)
                eff = iota * reach * (1.0 - delay)
                if h * eff > best:
                    best = h * eff
                    best_z = z
                    pair_h[i, j] = h
                    pair_eff[i, j] = eff
                    pair_obligation[i, j] = obligation
            if pair_obligation[i, j] == OBLIGATION_CONSULTATION:
                pair_logit[i, j] = logit(pair_h[i, j])  # a halved h is no longer logistic(z)
            elif pair_obligation[i, j] >= 0:
                pair_logit[i, j] = best_z


# ---------------------------------------------------------------- 6-9. crises
@njit(nogil=True, cache=True)
def crises(
    x, theta, flags, dist_code, dist_param, alliance_attr, alive, live_mask, interest,
    target_weight, is_target, adversaries, pair_h, pair_logit, pair_eff, pair_obligation,
    war_participants, adversary_war, ever, events, trajectory_counts, draws,
    seed, trajectory, step, dt, n_states, n_alliances,
):  # fmt: skip
    """Opportunities, provocations, deterrence, responses, escalation, consequences.

    Pairs (k, j) are visited in ascending order; a war started earlier in the
    step puts the target's honouring allies at war with k, so k cannot
    challenge them later in the same step (MODEL.md §8.7).
    Returns the updated mask of states at war.
    """
    scale = theta[SCALE]
    rate = theta[OPPORTUNITY_RATE]
    gamma = theta[CONTEST_EXPONENT]
    war_cost = theta[WAR_COST]
    provocation_rate = theta[PROVOCATION_RATE]
    moral_hazard = theta[MORAL_HAZARD]
    provoked_factor = theta[PROVOKED_RESOLVE]
    sigma_eps = theta[MISPERCEPTION]
    threshold = theta[ENTRAPMENT_THRESHOLD]
    learning = theta[REPUTATION_LEARNING]
    abandon_backlash = theta[ABANDONMENT_BACKLASH]
    entrap_backlash = theta[ENTRAPMENT_BACKLASH]
    provocation_on = flags[M_PROVOCATION]
    misperception_on = flags[M_MISPERCEPTION]
    for k in adversaries:
        k_capability = x[X_CAPABILITY, k]
        for j in range(n_states):
            w = target_weight[k, j]
            if w <= 0.0 or not is_target[j] or has(adversary_war[k], j):
                continue
            pair = k * n_states + j
            # is j protected, and how tightly do its patrons restrain it?
            protected = False
            control = 0.0
            for a in range(n_alliances):
                if alive[a] and has(live_mask[a], j) and popcount(live_mask[a]) >= 2:
                    protected = True
                    control = max(control, alliance_attr[a, AA_ESCALATION_CONTROL])
            provoked = False
            if provocation_on and protected:
                backing = 0.0
                for i in range(n_states):
                    if pair_obligation[i, j] >= 0:
                        backing += pair_h[i, j] * pair_eff[i, j] * x[X_CAPABILITY, i]
                backing /= k_capability
                hazard = provocation_rate * (1.0 + moral_hazard * backing) * (1.0 - control) * w
                draws[D_UNIFORM] += 1
                provoked = uniform(seed, trajectory, step, CH_PROVOCATION, pair) < -math.expm1(
                    -hazard * dt
                )
            draws[D_UNIFORM] += 1
            opportunity = uniform(seed, trajectory, step, CH_OPPORTUNITY, pair) < -math.expm1(
                -scale * rate * w * dt
            )
            if not provoked and not opportunity:
                continue
            draws[D_SAMPLE + dist_code[RESOLVE]] += 1
            resolve = sample(
                dist_code[RESOLVE], dist_param[RESOLVE, 0], dist_param[RESOLVE, 1],
                dist_param[RESOLVE, 2], seed, trajectory, step, CH_RESOLVE, pair * SAMPLER_STRIDE,
            )  # fmt: skip
            if provoked:
                resolve *= provoked_factor
                events[j, EV_PROVOKED] += 1
            else:
                events[j, EV_OPPORTUNITIES] += 1
                perceived = x[X_CAPABILITY, j]
                errors = x[X_SCRATCH]
                if misperception_on:
                    # one error per ally; a base that is a multiple of 4 uses whole blocks
                    base = pair * ((n_states + 3) & ~3)
                    fill_normal_at(seed, trajectory, step, CH_MISPERCEPTION, base, errors, n_states)
                    draws[D_NORMAL_FILLED] += n_states
                for i in range(n_states):
                    if pair_obligation[i, j] < 0:
                        continue
                    h = pair_h[i, j]
                    if misperception_on:
                        h = logistic(pair_logit[i, j] + sigma_eps * errors[i])
                    perceived += h * pair_eff[i, j] * x[X_CAPABILITY, i]
                p = win_probability(k_capability, perceived, gamma)
                if not resolve * p - (1.0 - p) * war_cost > 0.0:
                    events[j, EV_DETERRED] += 1
                    continue
            # a crisis: allies decide, then the target, then the adversary
            trajectory_counts[1] += 1
            events[j, EV_CRISES] += 1
            ever[j, EVER_TARGETED] = 1
            defence = x[X_CAPABILITY, j]
            owed = 0.0
            delivered = 0.0
            honoured = _ZERO
            for i in range(n_states):
                if pair_obligation[i, j] < 0:
                    continue
                contribution = pair_eff[i, j] * x[X_CAPABILITY, i]
                draws[D_UNIFORM] += 1
                keeps = (
                    uniform(seed, trajectory, step, CH_HONOUR, pair * n_states + i) < pair_h[i, j]
                )
                events[i, EV_CF] += 1
                if keeps:
                    events[i, EV_CF_HONOURED] += 1
                    honoured |= bit(i)
                    defence += contribution
                if pair_obligation[i, j] == OBLIGATION_DEFENSE:
                    owed += contribution
                    if keeps:
                        delivered += contribution
            p = win_probability(k_capability, defence, gamma)
            draws[D_SAMPLE + dist_code[DEFENDER_RESOLVE]] += 1
            defender_resolve = sample(
                dist_code[DEFENDER_RESOLVE], dist_param[DEFENDER_RESOLVE, 0],
                dist_param[DEFENDER_RESOLVE, 1], dist_param[DEFENDER_RESOLVE, 2],
                seed, trajectory, step, CH_DEFENDER_RESOLVE, pair * SAMPLER_STRIDE,
            )  # fmt: skip
            if provoked:
                defender_resolve *= 1.0 - control
            war = False
            if defender_resolve * (1.0 - p) - p * war_cost > 0.0:
                if resolve * p - (1.0 - p) * war_cost > 0.0:
                    war = True
                else:
                    events[j, EV_BACKED_DOWN] += 1
            else:
                events[j, EV_YIELDED] += 1
            if war:
                participants = bit(k) | bit(j) | honoured
                war_participants[k, j] = participants
                adversary_war[k] |= participants
                trajectory_counts[0] += 1
                events[j, EV_WARS_AS_TARGET] += 1
                if popcount(participants) >= 3:
                    trajectory_counts[2] = 1
                for m in range(n_states):
                    if has(participants, m):
                        events[m, EV_WAR_ENTRIES] += 1
                        ever[m, EVER_WAR] = 1
            # consequences for the allies
            for i in range(n_states):
                if pair_obligation[i, j] < 0:
                    continue
                keeps = has(honoured, i)
                if war:
                    events[i, EV_CF_WAR] += 1
                    if keeps:
                        events[i, EV_CF_HONOURED_WAR] += 1
                        if interest[i, j] < threshold or provoked:
                            events[i, EV_ENTRAPMENTS] += 1
                            ever[i, EVER_ENTRAPMENT] = 1
                            if flags[M_POLITICS]:
                                _shift_support(x, i, -entrap_backlash)
                if flags[M_REPUTATION]:
                    outcome = 1.0 if keeps else 0.0
                    x[X_REPUTATION, i] += learning * (outcome - x[X_REPUTATION, i])
            if owed > 0.0 and delivered < 0.5 * owed:
                events[j, EV_ABANDONMENTS] += 1
                ever[j, EVER_ABANDONMENT] = 1
                if flags[M_POLITICS]:
                    _shift_support(x, j, -abandon_backlash)


@njit(nogil=True, cache=True, inline="always")
def _shift_support(x, i, amount):
    x[X_SUPPORT_LOGIT, i] += amount
    x[X_SUPPORT, i] = logistic(x[X_SUPPORT_LOGIT, i])


# ---------------------------------------------------------------- 8. war costs and ends
@njit(nogil=True, cache=True)
def wars_end_of_step(
    x, theta, flags, war_participants, adversary_war, adversaries, draws, seed, trajectory, step,
    dt, n_states,
):  # fmt: skip
    """Attrition of every participant, then each war ends with probability dt / duration.

    Returns the mask of states still at war.
    """
    at_war = _ZERO
    for k in adversaries:
        for j in range(n_states):
            at_war |= war_participants[k, j]
    if flags[M_WAR_COSTS]:
        loss = theta[ATTRITION] * dt
        for i in range(n_states):
            if has(at_war, i):
                x[X_CAPABILITY, i] -= loss * x[X_CAPABILITY, i]
    end = dt / theta[WAR_DURATION]
    at_war = _ZERO
    for k in adversaries:
        adversary_war[k] = _ZERO
        for j in range(n_states):
            if war_participants[k, j] == _ZERO:
                continue
            draws[D_UNIFORM] += 1
            if uniform(seed, trajectory, step, CH_WAR_END, k * n_states + j) < end:
                war_participants[k, j] = _ZERO
            else:
                adversary_war[k] |= war_participants[k, j]
        at_war |= adversary_war[k]
    return at_war


# ---------------------------------------------------------------- 10. exit
@njit(nogil=True, cache=True)
def exits(
    x, theta, flags, alliance_attr, leader, alive, left, live_mask, steps_below, draws,
    seed, trajectory, step, dt, n_states, n_alliances,
):  # fmt: skip
    """Members leave after notice_years below the support threshold; background
    termination; dissolution of alliances without two members or without their leader."""
    if not flags[M_EXIT]:
        return
    end = -math.expm1(-theta[TERMINATION_RATE] * dt)
    for a in range(n_alliances):
        if not alive[a]:
            continue
        notice = alliance_attr[a, AA_EXIT_NOTICE]
        if notice >= 0.0:
            threshold = alliance_attr[a, AA_EXIT_THRESHOLD]
            for i in range(n_states):
                if not has(live_mask[a], i):
                    continue
                if x[X_SUPPORT, i] < threshold:
                    steps_below[a, i] += 1
                    if steps_below[a, i] * dt >= notice - 1e-9:
                        live_mask[a] &= ~bit(i)
                        left[a] = 1
                else:
                    steps_below[a, i] = 0
        draws[D_UNIFORM] += 1
        if uniform(seed, trajectory, step, CH_TERMINATION, a) < end:
            alive[a] = 0
        chief = leader[a]
        if popcount(live_mask[a]) < 2 or (chief >= 0 and not has(live_mask[a], chief)):
            alive[a] = 0

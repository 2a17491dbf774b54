"""The per-state stages of one step of the crisis-trajectory model (docs/model.md §3).

Each stage updates one trajectory's ``World`` in place from the records of
``state.py``; credibility and the crisis decisions are in ``credibility.py``
and ``crises.py``. Stages draw only from their own random channels
(``layout.CH_*``), so turning a mechanism off leaves every other draw where it
was. All kernels use ``error_model="numpy"``: a float division is a plain
division, not a branch to a Python ``ZeroDivisionError``, which would stop
LLVM from vectorising the per-state loops.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .layout import (
    AA_EXIT_NOTICE,
    AA_EXIT_THRESHOLD,
    AA_SPENDING_TARGET,
    AA_TIER,
    ADJUSTMENT_SPEED,
    ATTRITION,
    AUSTERITY,
    BURDEN_RESENTMENT,
    CAPABILITY_GROWTH,
    CH_ECONOMY,
    CH_ECONOMY_COMMON,
    CH_ELECTION,
    CH_SPENDING,
    CH_SUPPORT,
    CH_TERMINATION,
    CH_WAR_END,
    COMMON_SHOCK,
    COMPLIANCE,
    D_NORMAL,
    D_NORMAL_FILLED,
    D_UNIFORM,
    DEPRECIATION,
    FREE_RIDING,
    M_ARMS_BUILDUP,
    M_ECONOMY,
    M_ELECTIONS,
    M_EXIT,
    M_FISCAL,
    M_FISCAL_ANCHOR,
    M_POLITICS,
    M_WAR_COSTS,
    MEAN_REVERSION,
    SPENDING_NOISE,
    SUPPORT_VOLATILITY,
    TERMINATION_BY_TIER,
    TERMINATION_RATE,
    TURNOVER,
    VOLATILITY,
    WAR_DRAG,
    WAR_DURATION,
    WAR_SURGE,
    WAR_WEARINESS,
)
from .rng import fill_normal, normal, uniform
from .state import (
    X_BASE_SHARE,
    X_BURDEN_GAP,
    X_CAPABILITY,
    X_DEFENSE_SHARE,
    X_ELECTION_PERIOD,
    X_FREE_RIDING_START,
    X_GDP,
    X_GROWTH,
    X_LOG_GDP,
    X_NEXT_ELECTION,
    X_RECESSION,
    X_RESENTMENT,
    X_SCEPTIC,
    X_SUPPORT,
    X_SUPPORT_LOGIT,
    X_SUPPORT_TARGET_LOGIT,
)

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_WORD_SHIFT = 6  # a state's word: i >> 6
_WORD_BITS = 63  # its bit within the word: i & 63

# Masks of states (alliance members, war participants) are 1-D uint64 arrays of
# W = ceil(S / 64) words, bit i & 63 of word i >> 6 for state i (``words``). The
# helpers below take one mask (a row of a 2-D or 3-D mask array is a view, no
# copy); with S <= 64 each is the one-word operation it was before, plus an
# index (docs/architecture.md, "Masks of states").


@njit(nogil=True, cache=True, error_model="numpy")
def words(n_states):
    """Words of a mask of ``n_states`` states."""
    return (n_states + 63) >> _WORD_SHIFT


@njit(nogil=True, cache=True, error_model="numpy")
def bit(i):
    """The single-bit word of bit ``i`` (0 <= i < 64) of a word."""
    return _ONE << np.uint64(i)


@njit(nogil=True, cache=True, error_model="numpy")
def has(mask, i):
    """Whether state i is in the mask."""
    return (mask[i >> _WORD_SHIFT] >> np.uint64(i & _WORD_BITS)) & _ONE == _ONE


@njit(nogil=True, cache=True, error_model="numpy")
def add(mask, i):
    """Put state i in the mask."""
    mask[i >> _WORD_SHIFT] |= _ONE << np.uint64(i & _WORD_BITS)


@njit(nogil=True, cache=True, error_model="numpy")
def remove(mask, i):
    """Take state i out of the mask."""
    mask[i >> _WORD_SHIFT] &= ~(_ONE << np.uint64(i & _WORD_BITS))


@njit(nogil=True, cache=True, error_model="numpy")
def clear(mask):
    """Empty the mask."""
    for w in range(mask.shape[0]):
        mask[w] = _ZERO


@njit(nogil=True, cache=True, error_model="numpy")
def copy_into(target, source):
    """``target = source``, word by word."""
    for w in range(target.shape[0]):
        target[w] = source[w]


@njit(nogil=True, cache=True, error_model="numpy")
def or_into(target, source):
    """``target |= source``, word by word."""
    for w in range(target.shape[0]):
        target[w] |= source[w]


@njit(nogil=True, cache=True, error_model="numpy")
def is_empty(mask):
    """No state in the mask (an OR of the words, without a branch per word)."""
    any_bits = _ZERO
    for w in range(mask.shape[0]):
        any_bits |= mask[w]
    return any_bits == _ZERO


@njit(nogil=True, cache=True, error_model="numpy")
def intersects(first, second):
    """Some state in both masks."""
    common = _ZERO
    for w in range(first.shape[0]):
        common |= first[w] & second[w]
    return common != _ZERO


_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_SHIFT56 = np.uint64(56)


@njit(nogil=True, cache=True, error_model="numpy")
def popcount_word(word):
    """Number of set bits of a word, branch-free (SWAR): a loop per bit cost 30
    iterations an alliance."""
    word = word - ((word >> _ONE) & _M1)
    word = (word & _M2) + ((word >> np.uint64(2)) & _M2)
    word = (word + (word >> np.uint64(4))) & _M4
    return int((word * _H01) >> _SHIFT56)


@njit(nogil=True, cache=True, error_model="numpy")
def popcount(mask):
    """Number of states in the mask."""
    total = 0
    for w in range(mask.shape[0]):
        total += popcount_word(mask[w])
    return total


@njit(nogil=True, cache=True, error_model="numpy")
def two_or_more(mask):
    """At least two states in the mask: clearing a word's lowest bit leaves some, or two
    words hold one each."""
    seen = False
    for w in range(mask.shape[0]):
        word = mask[w]
        if word != _ZERO:
            if seen or (word & (word - _ONE)) != _ZERO:
                return True
            seen = True
    return False


_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 in two parts (Cody & Waite): k * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
_ROUNDER = 6755399441055744.0  # 1.5 * 2^52: adding it rounds to an integer in the low bits
_ROUNDER_BITS = np.int64(0x4338000000000000)
_EXP_BIAS = np.int64(1023)
_SHIFT52 = np.int64(52)


@njit(nogil=True, cache=True, error_model="numpy")
def fast_exp(x):
    """exp(x) within 2e-16 relative (plus rounding), branch-free, for x in [-708, 709].

    libm's exp is a call LLVM cannot vectorise; this is arithmetic and bit
    casts only, so the per-state loops that use it vectorise. x = k ln2 + r with
    |r| <= ln2 / 2 (k rounded by the 1.5 * 2^52 trick, whose low mantissa bits
    are k), e^r by its Taylor polynomial to degree 13 (truncation below
    0.347^14 / 14! < 1e-17), 2^k built in the exponent bits. Arguments outside
    the range are clamped (the model's never reach it: log GDP, logits).
    """
    x = min(709.0, max(-708.0, x))
    t = x * _LOG2E + _ROUNDER
    k = t - _ROUNDER
    shift = np.float64(t).view(np.int64) - _ROUNDER_BITS
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    scale = np.int64((shift + _EXP_BIAS) << _SHIFT52).view(np.float64)
    return p * scale


@njit(nogil=True, cache=True, error_model="numpy")
def logistic(z):
    """1 / (1 + exp(-z)) without overflow, branch-free.

    exp(-|z|) never overflows; the result is e / (1 + e) for z < 0 and
    1 / (1 + e) otherwise, as a select, with ``fast_exp`` (a few ulps for
    |z| <= 708; below -708 the result is clamped at about 3e-308).
    """
    e = fast_exp(-abs(z))
    return (1.0 if z >= 0.0 else e) / (1.0 + e)


@njit(nogil=True, cache=True, error_model="numpy")
def logit(p):
    return math.log(p) - math.log1p(-p)


@njit(nogil=True, cache=True, error_model="numpy")
def win_probability(attacker, defence, gamma):
    """Contest success function p(D) = K^γ / (K^γ + D^γ), written as a ratio."""
    if defence <= 0.0:
        return 1.0
    if attacker <= 0.0:
        return 0.0
    return 1.0 / (1.0 + (defence / attacker) ** gamma)


# ---------------------------------------------------------------- 1. economy
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def economy(world, scn, scratch, tally, key, dt, at_war):
    """Correlated log-GDP growth, war drag, and the recession flag."""
    flags = scn.flags
    x = world.x
    theta = scn.theta
    economy_shocks = scratch.economy_shocks
    draws = tally.draws
    gdp_history = world.gdp_history
    if not flags[M_ECONOMY]:
        return
    n_states = x.shape[1]
    sigma = theta[VOLATILITY]
    rho = theta[COMMON_SHOCK]
    drag = theta[WAR_DRAG] if flags[M_WAR_COSTS] else 0.0
    common = normal(key.seed, key.trajectory, key.step, CH_ECONOMY_COMMON, 0)
    shocks = economy_shocks
    fill_normal(key.seed, key.trajectory, key.step, CH_ECONOMY, shocks, n_states)
    draws[D_NORMAL] += 1
    draws[D_NORMAL_FILLED] += n_states
    a = math.sqrt(rho)
    b = math.sqrt(1.0 - rho)
    sqrt_dt = math.sqrt(dt)
    slot = key.step % 4
    history = gdp_history
    for i in range(n_states):
        war = 1.0 if has(at_war, i) else 0.0
        log_gdp = x[X_LOG_GDP, i] + (
            (x[X_GROWTH, i] - 0.5 * sigma * sigma) * dt
            + sigma * sqrt_dt * (a * common + b * shocks[i])
            - drag * war * dt
        )
        x[X_LOG_GDP, i] = log_gdp
    # a loop of its own: arithmetic and selects only, so it vectorises
    for i in range(n_states):
        log_gdp = x[X_LOG_GDP, i]
        x[X_GDP, i] = fast_exp(log_gdp)
        # recession: log-GDP below its value four steps (a year at dt=0.25) ago
        x[X_RECESSION, i] = 1.0 if log_gdp < history[slot, i] else 0.0
        history[slot, i] = log_gdp


# ---------------------------------------------------------------- 2. fiscal
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def fiscal(world, scn, scratch, tally, key, dt, at_war):
    """Pledges, free-riding, spending adjustment and capital accumulation.

    ``fiscal`` moves the allies' spending and capital, ``arms_buildup`` (MODEL v2)
    the adversaries' capital (v1.1's ``fiscal`` switched both).
    """
    flags = scn.flags
    x = world.x
    theta = scn.theta
    alive = world.alive
    live_mask = world.live_mask
    alliance_capability = world.alliance_capability
    spending_shocks = scratch.spending_shocks
    new_share = scratch.new_share
    allies = scratch.allies
    draws = tally.draws
    is_adversary = scn.is_adversary
    alliance_attr = scn.alliance_attr
    if not flags[M_FISCAL]:
        if flags[M_ARMS_BUILDUP]:
            _adversary_capital(world, scn, dt)
        return
    totals = alliance_capability
    n_states = x.shape[1]
    n_alliances = alive.shape[0]
    compliance = theta[COMPLIANCE]
    phi = theta[FREE_RIDING]
    austerity = theta[AUSTERITY]
    surge = theta[WAR_SURGE]
    kappa = theta[ADJUSTMENT_SPEED]
    noise = theta[SPENDING_NOISE] * math.sqrt(dt)
    delta = theta[DEPRECIATION]
    anchored = flags[M_FISCAL_ANCHOR]
    shocks = spending_shocks
    fill_normal(key.seed, key.trajectory, key.step, CH_SPENDING, shocks, n_states)
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
        clear(allies)
        memberships = 0
        last = -1
        for a in range(n_alliances):
            if alive[a] and has(live_mask[a], i):
                pledge = max(pledge, alliance_attr[a, AA_SPENDING_TARGET])
                or_into(allies, live_mask[a])
                memberships += 1
                last = a
        allied = 0.0
        if memberships == 1:
            allied = totals[last] - x[X_CAPABILITY, i]
        elif memberships > 1:  # allies shared by several alliances count once
            remove(allies, i)
            for j in range(n_states):
                if has(allies, j):
                    allied += x[X_CAPABILITY, j]
        free_riding = allied / (x[X_CAPABILITY, i] + allied) if allied > 0.0 else 0.0
        if key.step == 0:
            x[X_FREE_RIDING_START, i] = free_riding
        if anchored:
            # the observed starting share already includes today's free-riding
            free_riding -= x[X_FREE_RIDING_START, i]
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
        new_share[i] = min(0.25, max(0.001, share))
    # ... then capital for everyone
    for i in range(n_states):
        if not is_adversary[i]:
            k = x[X_CAPABILITY, i]
            x[X_DEFENSE_SHARE, i] = new_share[i]
            spend = new_share[i] * x[X_GDP, i]
            x[X_CAPABILITY, i] = k + (spend - delta * k) * dt
    if flags[M_ARMS_BUILDUP]:
        _adversary_capital(world, scn, dt)


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _adversary_capital(world, scn, dt):
    """The adversaries' capital: their own spending less depreciation, plus build-up."""
    x = world.x
    is_adversary = scn.is_adversary
    delta = scn.theta[DEPRECIATION]
    growth = scn.theta[CAPABILITY_GROWTH]
    for i in range(x.shape[1]):
        if is_adversary[i]:
            k = x[X_CAPABILITY, i]
            spend = x[X_DEFENSE_SHARE, i] * x[X_GDP, i]
            x[X_CAPABILITY, i] = k + (spend - delta * k + growth * k) * dt


# ---------------------------------------------------------------- 3. burden
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def burden(world):
    """Burden gap (share of spending minus share of GDP) and resentment."""
    x = world.x
    alive = world.alive
    live_mask = world.live_mask
    n_states = x.shape[1]
    for i in range(n_states):
        x[X_BURDEN_GAP, i] = 0.0
        x[X_RESENTMENT, i] = 0.0
    for a in range(alive.shape[0]):
        if not alive[a]:
            continue
        members = live_mask[a]
        if not two_or_more(members):
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
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def politics(world, scn, scratch, tally, key, dt, at_war):
    """Support drift and noise, burden resentment, war weariness; elections."""
    x = world.x
    theta = scn.theta
    flags = scn.flags
    support_shocks = scratch.support_shocks
    draws = tally.draws
    is_adversary = scn.is_adversary
    n_states = x.shape[1]
    if flags[M_POLITICS]:
        alpha = theta[MEAN_REVERSION]
        noise = theta[SUPPORT_VOLATILITY] * math.sqrt(dt)
        eta = theta[BURDEN_RESENTMENT]
        weariness = theta[WAR_WEARINESS] if flags[M_WAR_COSTS] else 0.0
        shocks = support_shocks
        fill_normal(key.seed, key.trajectory, key.step, CH_SUPPORT, shocks, n_states)
        draws[D_NORMAL_FILLED] += n_states
        for i in range(n_states):
            if is_adversary[i]:
                continue
            war = 1.0 if has(at_war, i) else 0.0
            s = x[X_SUPPORT_LOGIT, i]
            s += alpha * (x[X_SUPPORT_TARGET_LOGIT, i] - s) * dt + noise * shocks[i]
            s -= (eta * x[X_RESENTMENT, i] + weariness * war) * dt
            x[X_SUPPORT_LOGIT, i] = s
        # a loop of its own, as selects, so that it vectorises
        for i in range(n_states):
            fresh = logistic(x[X_SUPPORT_LOGIT, i])
            x[X_SUPPORT, i] = x[X_SUPPORT, i] if is_adversary[i] else fresh
    if flags[M_ELECTIONS]:
        now = (key.step + 1) * dt
        turnover = theta[TURNOVER]
        for i in range(n_states):
            period = x[X_ELECTION_PERIOD, i]
            if is_adversary[i] or period <= 0.0:
                continue
            # the scenario guarantees period >= dt: at most one election a step
            if now + 1e-9 >= x[X_NEXT_ELECTION, i]:
                x[X_NEXT_ELECTION, i] += period
                draws[D_UNIFORM] += 1
                if uniform(key.seed, key.trajectory, key.step, CH_ELECTION, i) < turnover:
                    draws[D_UNIFORM] += 1
                    u = uniform(key.seed, key.trajectory, key.step, CH_ELECTION, n_states + i)
                    x[X_SCEPTIC, i] = 1.0 if u < 1.0 - x[X_SUPPORT, i] else 0.0


@njit(nogil=True, cache=True, error_model="numpy", _nrt=False)
def shift_support(x, i, amount):
    x[X_SUPPORT_LOGIT, i] += amount
    x[X_SUPPORT, i] = logistic(x[X_SUPPORT_LOGIT, i])


# ---------------------------------------------------------------- 8. war costs and ends
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def wars_end_of_step(world, scn, tally, key, dt):
    """Attrition of every participant, then each war ends with probability dt / duration.

    Leaves the mask of states still at war in ``world.at_war``.
    """
    x = world.x
    war_participants = world.war_participants
    adversary_war = world.adversary_war
    at_war = world.at_war
    adversaries = scn.adversaries
    pair_start = scn.pair_start
    pair_target = scn.pair_target
    flags = scn.flags
    theta = scn.theta
    draws = tally.draws
    n_states = x.shape[1]
    # wars are only ever declared on the pairs of positive weight (crises' loop)
    clear(at_war)
    for n in range(adversaries.shape[0]):
        k = adversaries[n]
        for p in range(pair_start[n], pair_start[n + 1]):
            or_into(at_war, war_participants[k, pair_target[p]])
    if flags[M_WAR_COSTS]:
        loss = theta[ATTRITION] * dt
        for i in range(n_states):
            if has(at_war, i):
                x[X_CAPABILITY, i] -= loss * x[X_CAPABILITY, i]
    end = dt / theta[WAR_DURATION]
    clear(at_war)
    for n in range(adversaries.shape[0]):
        k = adversaries[n]
        clear(adversary_war[k])
        for p in range(pair_start[n], pair_start[n + 1]):
            j = pair_target[p]
            if is_empty(war_participants[k, j]):
                continue
            draws[D_UNIFORM] += 1
            if uniform(key.seed, key.trajectory, key.step, CH_WAR_END, k * n_states + j) < end:
                clear(war_participants[k, j])
            else:
                or_into(adversary_war[k], war_participants[k, j])
        or_into(at_war, adversary_war[k])


# ---------------------------------------------------------------- 10. exit
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def exits(world, scn, tally, key, dt):
    """Members leave after notice_years below the support threshold; background
    termination; dissolution of alliances without two members or without their leader."""
    flags = scn.flags
    x = world.x
    alive = world.alive
    live_mask = world.live_mask
    theta = scn.theta
    alliance_attr = scn.alliance_attr
    steps_below = world.steps_below
    left = world.left
    draws = tally.draws
    leader = scn.leader
    if not flags[M_EXIT]:
        return
    n_states = x.shape[1]
    pooled = -math.expm1(-theta[TERMINATION_RATE] * dt)
    for a in range(alive.shape[0]):
        if not alive[a]:
            continue
        # the alliance's institutionalisation tier sets its hazard; none: the pooled one
        tier = int(alliance_attr[a, AA_TIER])
        end = pooled if tier < 0 else -math.expm1(-theta[TERMINATION_BY_TIER + tier] * dt)
        notice = alliance_attr[a, AA_EXIT_NOTICE]
        if notice >= 0.0:
            threshold = alliance_attr[a, AA_EXIT_THRESHOLD]
            for i in range(n_states):
                if not has(live_mask[a], i):
                    continue
                if x[X_SUPPORT, i] < threshold:
                    steps_below[a, i] += 1
                    if steps_below[a, i] * dt >= notice - 1e-9:
                        remove(live_mask[a], i)
                        left[a] = 1
                else:
                    steps_below[a, i] = 0
        draws[D_UNIFORM] += 1
        if uniform(key.seed, key.trajectory, key.step, CH_TERMINATION, a) < end:
            alive[a] = 0
        chief = leader[a]
        if not two_or_more(live_mask[a]) or (chief >= 0 and not has(live_mask[a], chief)):
            alive[a] = 0

"""The crisis stage (docs/model.md §3, stages 6-9), decision by decision.

For every adversary k and target j of positive weight (``Scenario.pair_target``), in
ascending order:

1. ``opportunity_or_provocation``: does k get an opportunity on j, or does a
   protected j provoke k?
2. ``deterred``: on an opportunity, does k, seeing j's allies through its
   misperception, expect war to pay? If not, j is deterred.
3. ``allied_responses``: in a crisis, each ally with a live obligation decides
   whether to honour it; their delivered capability joins j's defence.
4. ``escalation``: j resists or yields, then k fights or backs down.
5. ``consequences``: entanglement, entrapment, abandonment, reputation and support.

A war started earlier in the step puts the target's honouring allies at war
with k, so k cannot challenge them later in the same step (docs/model.md §3, stage 8).
Each decision is a function of named records (``state.py``) and returns what
the next decision needs, so a new mechanism is a new field of a record or a
new decision between two of these, not a longer argument list: collective
action among the allies belongs in ``allied_responses`` (it sees every obliged
ally of j before any draw), a war decision on the local balance beside
``escalation`` (it has the defence and both resolves), a new crisis outcome in
``escalation``'s return value and ``consequences``. Per-crisis draws must keep
their own channels (``layout.CH_*``) so that existing draws stay where they are.
"""

from __future__ import annotations

import math

from numba import njit

from .credibility import all_columns, backing, backing_bound, ensure_column, snapshot
from .layout import (
    AA_ESCALATION_CONTROL,
    ABANDONMENT_BACKLASH,
    CH_DEFENDER_RESOLVE,
    CH_HONOUR,
    CH_INTERVENTION,
    CH_MISPERCEPTION,
    CH_OPPORTUNITY,
    CH_PROVOCATION,
    CH_RESOLVE,
    CH_STALEMATE,
    CONSENSUS_DRAG,
    CONTEST_EXPONENT,
    D_NORMAL_FILLED,
    D_SAMPLE,
    D_UNIFORM,
    DEFENDER_RESOLVE,
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
    EV_ENTANGLEMENTS,
    EV_ENTRAPMENTS,
    EV_INTERVENTIONS,
    EV_LOW_INTEREST_OR_PROVOKED_WARS,
    EV_OPPORTUNITIES,
    EV_PROVOKED,
    EV_STALEMATES,
    EV_UNSUPPORTED_CRISES,
    EV_WAR_ENTRIES,
    EV_WARS_AS_TARGET,
    EV_YIELDED,
    FAIT_ACCOMPLI,
    INTERVENTION,
    INTERVENTION_DISTANT,
    M_FAIT_ACCOMPLI,
    M_INTERVENTION,
    M_MISPERCEPTION,
    M_POLITICS,
    M_PROVOCATION,
    M_REPUTATION,
    M_STALEMATE,
    MISPERCEPTION,
    MORAL_HAZARD,
    OBLIGATION_DEFENSE,
    PROVOCATION_RATE,
    PROVOKED_RESOLVE,
    REPUTATION_LEARNING,
    RESOLVE,
    STALEMATE,
    WAR_COST,
)
from .model import (
    add,
    clear,
    copy_into,
    has,
    logistic,
    or_into,
    popcount,
    shift_support,
    two_or_more,
    win_probability,
)
from .rng import fill_normal_at, uniform
from .samplers import SAMPLER_STRIDE, sample
from .state import (
    EVER_ABANDONMENT,
    EVER_ENTANGLEMENT,
    EVER_ENTRAPMENT,
    EVER_LOW_INTEREST_OR_PROVOKED_WAR,
    EVER_TARGETED,
    EVER_UNSUPPORTED_CRISIS,
    EVER_WAR,
    TC_CRISES,
    TC_MAJOR_WAR,
    TC_WARS,
    X_CAPABILITY,
    X_REACH,
    X_REPUTATION,
)

#: relative margin on the provocation probability's bound: far above the rounding of
#: the sums and of expm1 (< 1e-15), so the early-out never changes a decision
_BOUND_MARGIN = 1e-9


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def crises(world, scn, cred, scratch, tally, key, dt, lazy):
    """Every adversary-target pair's decisions for this step.

    ``lazy = False`` computes every target's credibility before the crises (the
    eager path, for the test that proves both give the same counts).
    """
    x = world.x
    events = tally.events
    adversaries = scn.adversaries
    pair_start = scn.pair_start
    pair_target = scn.pair_target
    adversary_war = world.adversary_war
    draws = tally.draws
    dist_code = scn.dist_code
    theta = scn.theta
    counts = tally.counts
    ever = tally.ever
    snapshot(world, scn, cred)
    if not lazy:
        all_columns(world, scn, cred)
    n_states = x.shape[1]
    # every non-adversary's capability: a bound of any target's backing, once a step
    # (capabilities do not change within the crisis stage)
    friendly_capability = 0.0
    for i in range(n_states):
        if not scn.is_adversary[i]:
            friendly_capability += max(0.0, x[X_CAPABILITY, i])
    # only the pairs of positive weight, in ascending (k, j) as a dense loop would meet them
    for n in range(adversaries.shape[0]):
        k = adversaries[n]
        for p in range(pair_start[n], pair_start[n + 1]):
            j = pair_target[p]
            if has(adversary_war[k], j):
                continue
            pair = k * n_states + j
            provoked, opportunity, control = opportunity_or_provocation(
                world, scn, cred, scratch, tally, key, dt, k, j, pair, lazy, friendly_capability
            )
            if not provoked and not opportunity:
                continue
            ensure_column(world, scn, cred, j)
            draws[D_SAMPLE + dist_code[RESOLVE]] += 1
            resolve = _crisis_parameter(scn, key, RESOLVE, CH_RESOLVE, pair)
            if provoked:
                resolve *= theta[PROVOKED_RESOLVE]
                events[j, EV_PROVOKED] += 1
            else:
                events[j, EV_OPPORTUNITIES] += 1
                if deterred(world, scn, cred, scratch, tally, key, k, j, pair, resolve):
                    events[j, EV_DETERRED] += 1
                    continue
            # a crisis: allies decide, then the target, then the adversary
            counts[TC_CRISES] += 1
            events[j, EV_CRISES] += 1
            ever[j, EVER_TARGETED] = 1
            honoured = scratch.honoured
            defence, local, owed, delivered = allied_responses(
                world, scn, cred, tally, key, j, pair, honoured
            )
            war = escalation(
                world, scn, cred, tally, key, k, j, pair, provoked, control, resolve, defence,
                local, honoured, scratch.participants,
            )  # fmt: skip
            consequences(world, scn, cred, tally, j, provoked, war, honoured, owed, delivered)


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _crisis_parameter(scn, key, p, channel, pair):
    dist_code = scn.dist_code
    dist_param = scn.dist_param
    return sample(
        dist_code[p], dist_param[p, 0], dist_param[p, 1], dist_param[p, 2],
        key.seed, key.trajectory, key.step, channel, pair * SAMPLER_STRIDE,
    )  # fmt: skip


# ---------------------------------------------------------------- 1. opportunity, provocation
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def opportunity_or_provocation(
    world, scn, cred, scratch, tally, key, dt, k, j, pair, lazy, friendly_capability
):
    """(provoked, opportunity, escalation control of j's patrons) for pair (k, j).

    Provocation's hazard grows with j's allied backing, which needs j's
    credibility; the hazard's bound with every honour probability and
    effectiveness at 1 decides most checks without it (an exact early-out: the
    draw is compared with a bound above the true probability, and only a draw
    under the bound goes on). Two bounds, the cheaper first: every friendly
    state's capability (``friendly_capability``, summed once a step), then j's
    allies' (``backing_bound``). The eager path (``lazy = False``) always
    computes the true probability.
    """
    theta = scn.theta
    alive = world.alive
    live_mask = world.live_mask
    alliance_attr = scn.alliance_attr
    flags = scn.flags
    draws = tally.draws
    x = world.x
    target_weight = scn.target_weight
    p_opportunity = scn.p_opportunity
    # is j protected, and how tightly do its patrons restrain it?
    protected = False
    control = 0.0
    for a in range(alive.shape[0]):
        live = live_mask[a]
        if alive[a] and has(live, j) and two_or_more(live):
            protected = True
            control = max(control, alliance_attr[a, AA_ESCALATION_CONTROL])
    provoked = False
    if flags[M_PROVOCATION] and protected:
        draws[D_UNIFORM] += 1
        u = uniform(key.seed, key.trajectory, key.step, CH_PROVOCATION, pair)
        k_capability = x[X_CAPABILITY, k]
        rate = theta[PROVOCATION_RATE]
        moral_hazard = theta[MORAL_HAZARD]
        # row j of a target holds its provocation weights against the adversaries
        w = target_weight[j, k]
        drag = theta[CONSENSUS_DRAG]
        decided = False
        if (
            lazy
            and k_capability > 0.0
            and moral_hazard >= 0.0
            and rate >= 0.0
            and control <= 1.0
            and 0.0 <= drag <= 1.0
        ):
            bound = friendly_capability / k_capability
            hazard = rate * (1.0 + moral_hazard * bound) * (1.0 - control) * w
            decided = u >= -math.expm1(-hazard * dt) * (1.0 + _BOUND_MARGIN)
            if not decided:
                bound = backing_bound(world, scn, scratch.allies, j) / k_capability
                hazard = rate * (1.0 + moral_hazard * bound) * (1.0 - control) * w
                decided = u >= -math.expm1(-hazard * dt) * (1.0 + _BOUND_MARGIN)
        if not decided:
            ensure_column(world, scn, cred, j)
            support = backing(world, cred, j) / k_capability
            hazard = rate * (1.0 + moral_hazard * support) * (1.0 - control) * w
            provoked = u < -math.expm1(-hazard * dt)
    draws[D_UNIFORM] += 1
    opportunity = (
        uniform(key.seed, key.trajectory, key.step, CH_OPPORTUNITY, pair) < p_opportunity[k, j]
    )
    return provoked, opportunity, control


# ---------------------------------------------------------------- 2. deterrence
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def deterred(world, scn, cred, scratch, tally, key, k, j, pair, resolve):
    """Whether k, at ``resolve``, expects a war on j and its allies not to pay."""
    x = world.x
    flags = scn.flags
    theta = scn.theta
    perception_errors = scratch.perception_errors
    draws = tally.draws
    pair_obligation = cred.obligation
    pair_h = cred.h
    pair_logit = cred.logit
    pair_eff = cred.eff
    n_states = x.shape[1]
    misperception_on = flags[M_MISPERCEPTION]
    sigma_eps = theta[MISPERCEPTION]
    region = scn.region
    perceived = x[X_CAPABILITY, j]
    perceived_local = perceived
    errors = perception_errors
    if misperception_on:
        # one error per ally; a base that is a multiple of 4 uses whole blocks
        base = pair * ((n_states + 3) & ~3)
        fill_normal_at(key.seed, key.trajectory, key.step, CH_MISPERCEPTION, base, errors, n_states)
        draws[D_NORMAL_FILLED] += n_states
    for i in range(n_states):
        if pair_obligation[i, j] < 0:
            continue
        h = pair_h[i, j]
        if misperception_on:
            h = logistic(pair_logit[i, j] + sigma_eps * errors[i])
        seen = h * pair_eff[i, j] * x[X_CAPABILITY, i]
        perceived += seen
        if region[i] == region[j]:
            perceived_local += seen
    war_cost = theta[WAR_COST]
    p = odds(scn, x[X_CAPABILITY, k], perceived, perceived_local)
    return not resolve * p - (1.0 - p) * war_cost > 0.0


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def odds(scn, attacker, defence, defence_local):
    """The adversary's chance of winning. With MODEL v2's fait accompli, weight phi goes
    to the forces on the spot (the target and its allies in its region), which decide
    before distant allies arrive; the rest to the whole defence."""
    gamma = scn.theta[CONTEST_EXPONENT]
    p = win_probability(attacker, defence, gamma)
    if scn.flags[M_FAIT_ACCOMPLI]:
        phi = scn.theta[FAIT_ACCOMPLI]
        if phi > 0.0:
            p = phi * win_probability(attacker, defence_local, gamma) + (1.0 - phi) * p
    return p


# ---------------------------------------------------------------- 3. allied responses
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def allied_responses(world, scn, cred, tally, key, j, pair, honoured):
    """Each obliged ally honours or not, into the mask ``honoured``: returns (defence,
    local defence, owed, delivered).

    The local defence counts the target and its honouring allies in its region
    (MODEL v2's fait accompli); ``owed`` and ``delivered`` count defence
    obligations only (abandonment).
    """
    region = scn.region
    x = world.x
    events = tally.events
    pair_obligation = cred.obligation
    pair_eff = cred.eff
    draws = tally.draws
    pair_h = cred.h
    n_states = x.shape[1]
    defence = x[X_CAPABILITY, j]
    local = defence
    owed = 0.0
    delivered = 0.0
    clear(honoured)
    for i in range(n_states):
        if pair_obligation[i, j] < 0:
            continue
        contribution = pair_eff[i, j] * x[X_CAPABILITY, i]
        draws[D_UNIFORM] += 1
        u = uniform(key.seed, key.trajectory, key.step, CH_HONOUR, pair * n_states + i)
        keeps = u < pair_h[i, j]
        events[i, EV_CF] += 1
        if keeps:
            events[i, EV_CF_HONOURED] += 1
            add(honoured, i)
            defence += contribution
            if region[i] == region[j]:
                local += contribution
        if pair_obligation[i, j] == OBLIGATION_DEFENSE:
            owed += contribution
            if keeps:
                delivered += contribution
    return defence, local, owed, delivered


# ---------------------------------------------------------------- 4. escalation
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def escalation(
    world, scn, cred, tally, key, k, j, pair, provoked, control, resolve, defence, local, honoured,
    participants,
):  # fmt: skip
    """j resists or yields, then k fights or backs down; a war enlists the honouring allies
    and, with ``intervention``, states outside j's alliances that choose to join.

    With MODEL v2's stalemate, a crisis both would fight ends without war with
    chance s (one uniform of its own channel). Returns whether it became a war;
    ``participants`` is the mask it fills with the war's states.
    """
    events = tally.events
    theta = scn.theta
    x = world.x
    draws = tally.draws
    dist_code = scn.dist_code
    war_participants = world.war_participants
    adversary_war = world.adversary_war
    counts = tally.counts
    ever = tally.ever
    war_cost = theta[WAR_COST]
    p = odds(scn, x[X_CAPABILITY, k], defence, local)
    draws[D_SAMPLE + dist_code[DEFENDER_RESOLVE]] += 1
    defender_resolve = _crisis_parameter(scn, key, DEFENDER_RESOLVE, CH_DEFENDER_RESOLVE, pair)
    if provoked:
        defender_resolve *= 1.0 - control
    war = False
    if defender_resolve * (1.0 - p) - p * war_cost > 0.0:
        if resolve * p - (1.0 - p) * war_cost > 0.0:
            war = True
            if scn.flags[M_STALEMATE] and theta[STALEMATE] > 0.0:
                draws[D_UNIFORM] += 1
                u = uniform(key.seed, key.trajectory, key.step, CH_STALEMATE, pair)
                if u < theta[STALEMATE]:
                    war = False
                    events[j, EV_STALEMATES] += 1
        else:
            events[j, EV_BACKED_DOWN] += 1
    else:
        events[j, EV_YIELDED] += 1
    if war:
        copy_into(participants, honoured)
        add(participants, k)
        add(participants, j)
        if scn.flags[M_INTERVENTION] and (
            theta[INTERVENTION] > 0.0 or theta[INTERVENTION_DISTANT] > 0.0
        ):
            interveners(world, scn, cred, tally, key, k, j, pair, participants)
        copy_into(war_participants[k, j], participants)
        or_into(adversary_war[k], participants)
        counts[TC_WARS] += 1
        events[j, EV_WARS_AS_TARGET] += 1
        if popcount(participants) >= 3:
            counts[TC_MAJOR_WAR] = 1
        for m in range(x.shape[1]):
            if has(participants, m):
                events[m, EV_WAR_ENTRIES] += 1
                ever[m, EVER_WAR] = 1
    return war


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def interveners(world, scn, cred, tally, key, k, j, pair, participants):
    """States outside j's alliances that join k's new war on j (issue 18's intervention),
    added to ``participants``.

    Every non-adversary i with no live obligation to j, not already in this war or
    at war with k, joins with chance ``intervention`` in j's region (a coalition of
    neighbours) and ``intervention_distant`` × its ``reach`` elsewhere (a
    great-power intervention): wars COW's record holds in numbers the alliances
    alone do not give (docs/model.md §3c). One uniform per candidate, its own
    channel. They join after k decided on war: k does not foresee them.
    """
    x = world.x
    region = scn.region
    draws = tally.draws
    events = tally.events
    near = scn.theta[INTERVENTION]
    far = scn.theta[INTERVENTION_DISTANT]
    busy = world.adversary_war[k]
    n_states = x.shape[1]
    # a joiner i enters ``participants`` at once: only i's own bit changed, and
    # every later candidate is another state, so each sees the war as it began
    for i in range(n_states):
        if (
            scn.is_adversary[i]
            or has(participants, i)
            or has(busy, i)
            or cred.obligation[i, j] >= 0
        ):
            continue
        p = near if region[i] == region[j] else far * x[X_REACH, i]
        if p <= 0.0:
            continue
        draws[D_UNIFORM] += 1
        u = uniform(key.seed, key.trajectory, key.step, CH_INTERVENTION, pair * n_states + i)
        if u < p:
            add(participants, i)
            events[i, EV_INTERVENTIONS] += 1


# ---------------------------------------------------------------- 5. consequences
@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def consequences(world, scn, cred, tally, j, provoked, war, honoured, owed, delivered):
    """Entanglement, entrapment and abandonment (docs/model.md §4), reputation, support.

    The outcomes follow the literature: an ally that honours and goes to war is
    *entangled* (Beckley 2015); it is *entrapped* only when the crisis was one
    its protégé provoked (Snyder 1984's moral hazard), so that defending an ally
    against an unprovoked attack is not entrapment; j is *abandoned* only when the
    casus foederis arose (the crisis became a war: j was attacked) and its defence
    allies delivered under half of what they owed (Leeds 2003). The support
    backlashes keep the triggers they had before these definitions (an
    unsupported crisis; an honoured war for a low-interest or provoking ally).
    """
    x = world.x
    theta = scn.theta
    events = tally.events
    flags = scn.flags
    pair_obligation = cred.obligation
    interest = scn.interest
    ever = tally.ever
    threshold = theta[ENTRAPMENT_THRESHOLD]
    learning = theta[REPUTATION_LEARNING]
    politics_on = flags[M_POLITICS]
    for i in range(x.shape[1]):
        if pair_obligation[i, j] < 0:
            continue
        keeps = has(honoured, i)
        if war:
            events[i, EV_CF_WAR] += 1
            if keeps:
                events[i, EV_CF_HONOURED_WAR] += 1
                events[i, EV_ENTANGLEMENTS] += 1
                ever[i, EVER_ENTANGLEMENT] = 1
                if provoked:
                    events[i, EV_ENTRAPMENTS] += 1
                    ever[i, EVER_ENTRAPMENT] = 1
                if interest[i, j] < threshold or provoked:
                    events[i, EV_LOW_INTEREST_OR_PROVOKED_WARS] += 1
                    ever[i, EVER_LOW_INTEREST_OR_PROVOKED_WAR] = 1
                    if politics_on:
                        shift_support(x, i, -theta[ENTRAPMENT_BACKLASH])
        if flags[M_REPUTATION]:
            outcome = 1.0 if keeps else 0.0
            x[X_REPUTATION, i] += learning * (outcome - x[X_REPUTATION, i])
    if owed > 0.0 and delivered < 0.5 * owed:
        events[j, EV_UNSUPPORTED_CRISES] += 1
        ever[j, EVER_UNSUPPORTED_CRISIS] = 1
        if war:
            events[j, EV_ABANDONMENTS] += 1
            ever[j, EVER_ABANDONMENT] = 1
        if politics_on:
            shift_support(x, j, -theta[ABANDONMENT_BACKLASH])

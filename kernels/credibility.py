"""Credibility (docs/model.md §3, stage 5): each ally's honour probability and effective
contribution towards a target, computed lazily.

The honour logit of ally i for target j is the ally's *standing* (support,
reputation, government, recession: the same towards every target) plus its
interest in j plus the alliance's explicitness, less the hollow-commitment
penalty. It is needed only when a crisis, an opportunity or a provocation
check on target j occurs, so ``crises`` asks for target j's column
(``ensure_column``) when it needs it, and at most once a step.

Lazy and eager give the same bits: ``snapshot`` freezes at the start of the
crisis stage the two per-ally inputs that crises change later in the step
(support and reputation, through ``standing`` and ``hollow``); alliances and
capabilities do not change within the crisis stage. ``all_columns`` is the
eager computation (every target, every step), kept for the test that proves
the two equal.
"""

from __future__ import annotations

import math

from numba import njit

from .layout import (
    AA_DECISION,
    AA_EXIT_NOTICE,
    AA_EXPLICITNESS,
    AA_INTEROPERABILITY,
    AA_OBLIGATION,
    AA_TIER,
    B_CO_OBLIGATED,
    B_EXPLICITNESS,
    B_INSTITUTIONALISED,
    B_INTERCEPT,
    B_INTEREST,
    B_RECESSION,
    B_REPUTATION,
    B_SCEPTIC,
    B_SUPPORT,
    CONSENSUS_DRAG,
    DECISION_CONSENSUS,
    HOLLOW_PENALTY,
    HOLLOW_THRESHOLD,
    M_COLLECTIVE_ACTION,
    OBLIGATION_CONSULTATION,
    TIER_HIGH,
)
from .model import clear, has, logistic, logit, or_into, popcount
from .state import X_CAPABILITY, X_REACH, X_RECESSION, X_REPUTATION, X_SCEPTIC, X_SUPPORT


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def snapshot(world, scn, cred):
    """Freeze each ally's standing and hollowness for this step; forget every column."""
    theta = scn.theta
    x = world.x
    standing = cred.standing
    hollow = cred.hollow
    ready = cred.ready
    last_z = cred.last_z
    b0 = theta[B_INTERCEPT]
    b_support = theta[B_SUPPORT]
    b_reputation = theta[B_REPUTATION]
    b_sceptic = theta[B_SCEPTIC]
    b_recession = theta[B_RECESSION]
    hollow_threshold = theta[HOLLOW_THRESHOLD]
    for i in range(x.shape[1]):
        standing[i] = (
            b0
            + b_support * (x[X_SUPPORT, i] - 0.5)
            + b_reputation * (x[X_REPUTATION, i] - 0.5)
            - b_sceptic * x[X_SCEPTIC, i]
            - b_recession * x[X_RECESSION, i]
        )
        hollow[i] = 1 if x[X_SUPPORT, i] < hollow_threshold else 0
        ready[i] = 0
        last_z[i] = math.nan


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def ensure_column(world, scn, cred, j):
    """Honour probability, logit, effective contribution and obligation of every ally of j.

    Where i and j share several live alliances, the one with the largest
    h * eff sets h, eff and the obligation type (docs/model.md §3, stage 5).
    """
    ready = cred.ready
    theta = scn.theta
    x = world.x
    alliance_attr = scn.alliance_attr
    pair_obligation = cred.obligation
    is_adversary = scn.is_adversary
    standing = cred.standing
    interest = scn.interest
    region = scn.region
    alive = world.alive
    live_mask = world.live_mask
    hollow = cred.hollow
    last_z = cred.last_z
    last_h = cred.last_h
    pair_h = cred.h
    pair_eff = cred.eff
    pair_logit = cred.logit
    if ready[j]:
        return
    ready[j] = 1
    attr = alliance_attr
    b_explicit = theta[B_EXPLICITNESS]
    b_interest = theta[B_INTEREST]
    hollow_penalty = theta[HOLLOW_PENALTY]
    drag = theta[CONSENSUS_DRAG]
    # v2 collective action: with n allies sharing an obligation, each leans on the
    # others; the honour logit falls by beta_c (1 - 1/n) (1 - e), 0 in a bilateral pact
    # and less where the treaty spells the obligation out (explicitness e)
    b_shared = theta[B_CO_OBLIGATED] if scn.flags[M_COLLECTIVE_ACTION] else 0.0
    for i in range(x.shape[1]):
        pair_obligation[i, j] = -1
        if i == j or is_adversary[i]:
            continue
        own = standing[i] + b_interest * interest[i, j]
        reach = 1.0 if region[i] == region[j] else x[X_REACH, i]
        best = -1.0
        best_z = 0.0
        for a in range(alive.shape[0]):
            live = live_mask[a]
            if not alive[a] or not has(live, i) or not has(live, j):
                continue
            z = own + b_explicit * attr[a, AA_EXPLICITNESS]
            if attr[a, AA_EXIT_NOTICE] < 0.0 and hollow[i]:
                z -= hollow_penalty  # a commitment that cannot be left is hollowed
            if b_shared != 0.0:
                sharing = max(1, popcount(live) - 1)
                penalty = b_shared * (1.0 - 1.0 / sharing) * (1.0 - attr[a, AA_EXPLICITNESS])
                if attr[a, AA_TIER] == TIER_HIGH:
                    # an integrated pact (command, bases) keeps a share of the buck-passing off
                    penalty *= 1.0 - theta[B_INSTITUTIONALISED]
                z -= penalty
            # an ally's logit often repeats (same interest, same alliance): reuse its logistic
            if z != last_z[i]:
                last_z[i] = z
                last_h[i] = logistic(z)
            h = last_h[i]
            obligation = int(attr[a, AA_OBLIGATION])
            if obligation == OBLIGATION_CONSULTATION:
                h *= 0.5
            iota = attr[a, AA_INTEROPERABILITY]
            delay = 0.0
            if int(attr[a, AA_DECISION]) == DECISION_CONSENSUS:
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


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def all_columns(world, scn, cred):
    """The eager computation: every target's column, every step."""
    x = world.x
    is_target = scn.is_target
    for j in range(x.shape[1]):
        if is_target[j]:
            ensure_column(world, scn, cred, j)


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def backing(world, cred, j):
    """Expected allied capability behind target j: sum of h * eff * K over its allies."""
    x = world.x
    pair_obligation = cred.obligation
    pair_h = cred.h
    pair_eff = cred.eff
    total = 0.0
    for i in range(x.shape[1]):
        if pair_obligation[i, j] >= 0:
            total += pair_h[i, j] * pair_eff[i, j] * x[X_CAPABILITY, i]
    return total


@njit(nogil=True, cache=True, inline="always", error_model="numpy")
def backing_bound(world, scn, allies, j):
    """An upper bound of ``backing(j)`` without any honour probability.

    h <= 1 and eff = iota * reach * (1 - drag (1 - iota)) <= 1 on the validated
    domain (all in [0, 1]); the allies of j are the other non-adversary members
    of its live alliances (gathered in the scratch mask ``allies``). Negative
    capabilities count as 0.
    """
    x = world.x
    alive = world.alive
    live_mask = world.live_mask
    is_adversary = scn.is_adversary
    clear(allies)
    for a in range(alive.shape[0]):
        if alive[a] and has(live_mask[a], j):
            or_into(allies, live_mask[a])
    total = 0.0
    for i in range(x.shape[1]):
        if i != j and not is_adversary[i] and has(allies, i):
            total += max(0.0, x[X_CAPABILITY, i])
    return total

"""Named records of one trajectory's state, scratch and counts, and their indices.

``trajectory.simulate_block`` allocates these once per call and reuses them for
every trajectory and grid row; each stage of ``model``, ``credibility`` and
``crises`` receives the records it reads or writes instead of dozens of
positional arrays. Records are namedtuples of arrays (numba passes them as
structs of array pointers, at no cost once inlined); a field is named for what
it holds, so two arrays of the same type cannot be swapped silently. A new
mechanism adds a field to the record it belongs to (and allocates it in
``trajectory.new_*``), without changing any stage's signature.
"""

from __future__ import annotations

from collections import namedtuple

from .layout import (
    BT_ABANDONMENT,
    BT_ENTANGLEMENT,
    BT_ENTRAPMENT,
    BT_LOW_INTEREST_OR_PROVOKED_WAR,
    BT_TARGETED,
    BT_UNSUPPORTED_CRISIS,
    BT_WAR,
    BY_TIME_STATE,
)

# ---------------------------------------------------------------- per-state floats
#: rows of ``World.x[X_*, i]``
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
X_REACH = 15
X_ELECTION_PERIOD = 16
X_FREE_RIDING_START = 17  # free-riding at the first step (MODEL v2's fiscal anchor)
N_X = 18

# ---------------------------------------------------------------- per-trajectory counts
#: columns of ``Tally.ever[i, :]`` (the event happened at least once so far); they
#: are the columns of the ``by_time_state`` counter, so one copies into the other
EVER_WAR, EVER_ENTRAPMENT, EVER_ABANDONMENT, EVER_TARGETED = (
    BT_WAR,
    BT_ENTRAPMENT,
    BT_ABANDONMENT,
    BT_TARGETED,
)
EVER_ENTANGLEMENT, EVER_UNSUPPORTED_CRISIS, EVER_LOW_INTEREST_OR_PROVOKED_WAR = (
    BT_ENTANGLEMENT,
    BT_UNSUPPORTED_CRISIS,
    BT_LOW_INTEREST_OR_PROVOKED_WAR,
)
N_EVER = len(BY_TIME_STATE)
#: entries of ``Tally.counts``
TC_WARS = 0  # wars started in this trajectory
TC_CRISES = 1  # crises in this trajectory
TC_MAJOR_WAR = 2  # 1 once a war had three or more participants
N_TC = 3

# ---------------------------------------------------------------- records
#: one grid row of the scenario, read-only in the stages
Scenario = namedtuple(
    "Scenario",
    [
        "flags",  # int32[N_MECHANISMS]
        "theta",  # float64[N_PARAMETERS + 2 S]: this trajectory's parameter draws
        "dist_code",  # int32[N_PARAMETERS + 2 S] (per-crisis parameters are drawn in crises)
        "dist_param",  # float64[N_PARAMETERS + 2 S, 3]
        "alliance_attr",  # float64[A, N_ALLIANCE_ATTRS]
        "leader",  # int32[A]
        "region",  # int32[S]
        "is_adversary",  # int32[S]
        "is_target",  # int8[S]: targeted by some adversary in this row
        "adversaries",  # int64[n_adversaries]
        "interest",  # float64[S, S]: interest[i, j] of ally i in target j
        "target_weight",  # float64[S, S]: [k, j] adversary k's opportunity weight on target j;
        # [j, k] target j's provocation weight against k (an adversary's row, a target's row)
        "p_opportunity",  # float64[S, S]: per-step probability of k's opportunity on j
        # the challenger-target pairs of positive weight, a list per adversary (CSR):
        # adversaries[n]'s targets are pair_target[pair_start[n]:pair_start[n + 1]], ascending
        "pair_start",  # int64[n_adversaries + 1]
        "pair_target",  # int64[n_adversaries * S] (the first pair_start[-1] used)
    ],
)

#: where a trajectory stands: what the stages update
World = namedtuple(
    "World",
    [
        "x",  # float64[N_X, S]: per-state floats (X_* rows)
        "gdp_history",  # float64[4, S]: log GDP of the last four steps (recession test)
        "alive",  # int8[A]
        "left",  # int8[A]: a member has left
        "live_mask",  # uint64[A, W]: current members (masks: model.has, W = model.words(S))
        "steps_below",  # int64[A, S]: consecutive steps below the exit threshold
        "alliance_capability",  # float64[A]: total capability of each live alliance
        "war_participants",  # uint64[S, S, W]: states at war in adversary k's war on j
        "adversary_war",  # uint64[S, W]: states at war with adversary k
        "at_war",  # uint64[W]: states at war at the end of the last step
    ],
)

#: each ally's honour probability and contribution towards each target, this step
Credibility = namedtuple(
    "Credibility",
    [
        "standing",  # float64[S]: the ally's own honour logit, before interest and alliance
        "hollow",  # int8[S]: the ally's support is below the hollow threshold
        "h",  # float64[S, S]: h[i, j], honour probability of ally i for target j
        "logit",  # float64[S, S]: logit(h) (the adversary's misperception works on it)
        "eff",  # float64[S, S]: effective contribution per unit of capability
        "obligation",  # int64[S, S]: obligation type, -1 = no live obligation
        "ready",  # int8[S]: target j's column h[:, j] ... is computed this step
        "last_z",  # float64[S]: ally i's last logit this step (a repeat reuses its logistic)
        "last_h",  # float64[S]: logistic(last_z[i])
    ],
)

#: per-stage scratch: each stage its own, so no stage reads another's leftovers
Scratch = namedtuple(
    "Scratch",
    [
        "economy_shocks",  # float64[S]
        "spending_shocks",  # float64[S]
        "new_share",  # float64[S]: fiscal's next defence shares
        "support_shocks",  # float64[S]
        "perception_errors",  # float64[S]: the adversary's misperception of each ally
        "allies",  # uint64[W]: a state's allies (fiscal, backing_bound)
        "honoured",  # uint64[W]: the allies honouring in the current crisis
        "participants",  # uint64[W]: the states of the war the current crisis became
        "war_mask",  # uint64[W]: the states ever at war (the step's counts)
    ],
)

#: what one trajectory counted so far (summed into the counters at its end)
Tally = namedtuple(
    "Tally",
    [
        "ever",  # int8[S, N_EVER]
        "counts",  # int64[N_TC]
        "events",  # int64[S + 1, N_EVENTS]: row S holds the total over states
        "draws",  # int64[N_DRAWS]: variates drawn, by kind (this grid row's counter)
    ],
)

#: where a variate comes from: the key, less channel and index
Key = namedtuple("Key", ["seed", "trajectory", "step"])

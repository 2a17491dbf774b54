"""Index constants of the flat arrays the kernels read and the counters they fill.

The Python side builds arrays in this layout and names the counters' last
axes with these tables; the kernels read them as compile-time constants
(changing this file invalidates the numba cache, see ``_cache.py``).
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------- parameters
#: model parameters, one distribution each (``dist_code[g, p]``, ``dist_param[g, p, :]``)
PARAMETERS = (
    # threat
    "threat.scale",
    "threat.opportunity_rate",
    "threat.resolve",
    "threat.defender_resolve",
    "threat.war_cost",
    "threat.contest_exponent",
    "threat.capability_growth",
    "threat.provocation_rate",
    "threat.moral_hazard",
    "threat.provoked_resolve",
    "threat.misperception",
    "threat.war_duration_years",
    "threat.attrition",
    # fiscal
    "fiscal.growth",
    "fiscal.volatility",
    "fiscal.common_shock",
    "fiscal.compliance",
    "fiscal.free_riding",
    "fiscal.austerity",
    "fiscal.war_surge",
    "fiscal.adjustment_speed",
    "fiscal.spending_noise",
    "fiscal.depreciation",
    "fiscal.war_drag",
    # political
    "political.support",
    "political.support_volatility",
    "political.mean_reversion",
    "political.burden_resentment",
    "political.turnover",
    "political.honour.intercept",
    "political.honour.explicitness",
    "political.honour.support",
    "political.honour.reputation",
    "political.honour.interest",
    "political.honour.sceptic",
    "political.honour.recession",
    "political.hollow_threshold",
    "political.hollow_penalty",
    "political.reputation_initial",
    "political.reputation_learning",
    "political.abandonment_backlash",
    "political.entrapment_backlash",
    "political.war_weariness",
    "political.consensus_drag",
    "political.entrapment_threshold",
    "political.termination_rate",
    # MODEL v2 (appended, so that v1.1's parameters keep their indices and random keys)
    "threat.fait_accompli",
    "threat.stalemate",
    "political.honour.co_obligated",
    # issue 18 (appended likewise)
    "threat.intervention",
    "threat.intervention_distant",
    # issue 18: the termination hazard of an alliance by its institutionalisation tier
    "political.termination_by_tier.low",
    "political.termination_by_tier.moderate",
    "political.termination_by_tier.high",
    "political.honour.institutionalised",
)
N_PARAMETERS = len(PARAMETERS)
P = {name: i for i, name in enumerate(PARAMETERS)}

SCALE = P["threat.scale"]
OPPORTUNITY_RATE = P["threat.opportunity_rate"]
RESOLVE = P["threat.resolve"]
DEFENDER_RESOLVE = P["threat.defender_resolve"]
WAR_COST = P["threat.war_cost"]
CONTEST_EXPONENT = P["threat.contest_exponent"]
CAPABILITY_GROWTH = P["threat.capability_growth"]
PROVOCATION_RATE = P["threat.provocation_rate"]
MORAL_HAZARD = P["threat.moral_hazard"]
PROVOKED_RESOLVE = P["threat.provoked_resolve"]
MISPERCEPTION = P["threat.misperception"]
WAR_DURATION = P["threat.war_duration_years"]
ATTRITION = P["threat.attrition"]
GROWTH = P["fiscal.growth"]
VOLATILITY = P["fiscal.volatility"]
COMMON_SHOCK = P["fiscal.common_shock"]
COMPLIANCE = P["fiscal.compliance"]
FREE_RIDING = P["fiscal.free_riding"]
AUSTERITY = P["fiscal.austerity"]
WAR_SURGE = P["fiscal.war_surge"]
ADJUSTMENT_SPEED = P["fiscal.adjustment_speed"]
SPENDING_NOISE = P["fiscal.spending_noise"]
DEPRECIATION = P["fiscal.depreciation"]
WAR_DRAG = P["fiscal.war_drag"]
SUPPORT = P["political.support"]
SUPPORT_VOLATILITY = P["political.support_volatility"]
MEAN_REVERSION = P["political.mean_reversion"]
BURDEN_RESENTMENT = P["political.burden_resentment"]
TURNOVER = P["political.turnover"]
B_INTERCEPT = P["political.honour.intercept"]
B_EXPLICITNESS = P["political.honour.explicitness"]
B_SUPPORT = P["political.honour.support"]
B_REPUTATION = P["political.honour.reputation"]
B_INTEREST = P["political.honour.interest"]
B_SCEPTIC = P["political.honour.sceptic"]
B_RECESSION = P["political.honour.recession"]
HOLLOW_THRESHOLD = P["political.hollow_threshold"]
HOLLOW_PENALTY = P["political.hollow_penalty"]
REPUTATION_INITIAL = P["political.reputation_initial"]
REPUTATION_LEARNING = P["political.reputation_learning"]
ABANDONMENT_BACKLASH = P["political.abandonment_backlash"]
ENTRAPMENT_BACKLASH = P["political.entrapment_backlash"]
WAR_WEARINESS = P["political.war_weariness"]
CONSENSUS_DRAG = P["political.consensus_drag"]
ENTRAPMENT_THRESHOLD = P["political.entrapment_threshold"]
TERMINATION_RATE = P["political.termination_rate"]
FAIT_ACCOMPLI = P["threat.fait_accompli"]
STALEMATE = P["threat.stalemate"]
B_CO_OBLIGATED = P["political.honour.co_obligated"]
INTERVENTION = P["threat.intervention"]
INTERVENTION_DISTANT = P["threat.intervention_distant"]
#: the first of the three tier hazards (low, moderate, high: consecutive)
TERMINATION_BY_TIER = P["political.termination_by_tier.low"]
B_INSTITUTIONALISED = P["political.honour.institutionalised"]
#: the institutionalisation tier of an integrated pact (command, subordination, bases)
TIER_HIGH = 2

#: drawn per crisis, not per trajectory
PER_CRISIS = (RESOLVE, DEFENDER_RESOLVE)

#: per-state overrides follow the shared parameters in the distribution table:
#: row ``N_PARAMETERS + 2*i`` is state i's growth, ``+ 1`` its support
#: (code ``samplers.INHERIT`` = use the shared draw)
OVERRIDES = ("fiscal.growth", "political.support")
N_OVERRIDES = len(OVERRIDES)

# ---------------------------------------------------------------- mechanisms
MECHANISMS = (
    "economy",
    "fiscal",
    "politics",
    "elections",
    "misperception",
    "provocation",
    "reputation",
    "exit",
    "war_costs",
    # MODEL v2: each off gives back v1.1's behaviour
    "collective_action",
    "fait_accompli",
    "stalemate",
    "fiscal_anchor",
    "arms_buildup",
    # issue 18: states outside the target's alliances join its wars
    "intervention",
)
N_MECHANISMS = len(MECHANISMS)
M_ECONOMY, M_FISCAL, M_POLITICS, M_ELECTIONS, M_MISPERCEPTION = 0, 1, 2, 3, 4
M_PROVOCATION, M_REPUTATION, M_EXIT, M_WAR_COSTS = 5, 6, 7, 8
M_COLLECTIVE_ACTION, M_FAIT_ACCOMPLI, M_STALEMATE = 9, 10, 11
M_FISCAL_ANCHOR, M_ARMS_BUILDUP = 12, 13
M_INTERVENTION = 14

# ---------------------------------------------------------------- scenario arrays
#: per state, per grid row: ``state_attr[g, i, :]``
STATE_ATTRS = ("gdp", "defense_share", "reach", "election_period")
SA_GDP, SA_DEFENSE_SHARE, SA_REACH, SA_ELECTION_PERIOD = 0, 1, 2, 3
N_STATE_ATTRS = len(STATE_ATTRS)

#: per alliance, per grid row: ``alliance_attr[g, a, :]``
ALLIANCE_ATTRS = (
    "obligation",  # 0 defense, 1 consultation
    "explicitness",
    "interoperability",
    "decision",  # 0 consensus, 1 unilateral
    "spending_target",
    "escalation_control",
    "exit_notice_years",  # < 0: no exit terms
    "exit_support_threshold",
    "tier",  # institutionalisation: 0 low, 1 moderate, 2 high; < 0: none (the pooled hazard)
)
AA_OBLIGATION, AA_EXPLICITNESS, AA_INTEROPERABILITY, AA_DECISION = 0, 1, 2, 3
AA_SPENDING_TARGET, AA_ESCALATION_CONTROL, AA_EXIT_NOTICE, AA_EXIT_THRESHOLD = 4, 5, 6, 7
AA_TIER = 8
N_ALLIANCE_ATTRS = len(ALLIANCE_ATTRS)
OBLIGATION_DEFENSE, OBLIGATION_CONSULTATION = 0, 1
DECISION_CONSENSUS, DECISION_UNILATERAL = 0, 1

MAX_STATES = 256  # masks of states are W = ceil(S / 64) uint64 words (model.words)
MAX_ALLIANCES = 256

# ---------------------------------------------------------------- counters
#: ``by_time_state[g, t, i, :]``: trajectories in which the event happened by (t+1)*dt.
#: Issue 18 gave abandonment and entrapment the literature's meaning (docs/model.md §4);
#: what the first two columns counted until then is in the last two, under honest names.
BY_TIME_STATE = (
    "war",
    "entrapment",  # honoured, at war, in a crisis the protected ally provoked
    "abandonment",  # attacked (the crisis became a war), allies delivered < half they owed
    "targeted",
    "entanglement",  # honoured and at war: at war because of a commitment (Beckley 2015)
    "unsupported_crisis",  # any crisis in which allies delivered < half they owed
    "low_interest_or_provoked_war",  # honoured, at war, interest < threshold or provoked
)
BT_WAR, BT_ENTRAPMENT, BT_ABANDONMENT, BT_TARGETED = 0, 1, 2, 3
BT_ENTANGLEMENT, BT_UNSUPPORTED_CRISIS, BT_LOW_INTEREST_OR_PROVOKED_WAR = 4, 5, 6

#: ``by_time_alliance[g, t, a, :]``
BY_TIME_ALLIANCE = ("intact", "member_war")
BA_INTACT, BA_MEMBER_WAR = 0, 1

#: ``by_time[g, t, :]``
BY_TIME = ("any_war", "major_war")
BG_ANY_WAR, BG_MAJOR_WAR = 0, 1

#: ``events[g, i, e, 0|1]``: per-trajectory event counts, summed and summed squared
EVENTS = (
    "cf_events",  # casus foederis events of ally i
    "cf_honoured",
    "cf_events_war",  # ... in crises that became wars
    "cf_honoured_war",
    "opportunities",  # against target i
    "deterred",
    "crises",  # crises against target i (challenged or provoked)
    "provoked",  # crises provoked by i
    "yielded",  # target i gave in without war
    "backed_down",  # adversary backed down after i resisted
    "wars_as_target",
    "war_entries",  # wars i took part in, any role
    "abandonments",  # wars against target i in which its allies delivered < half they owed
    "entrapments",  # wars ally i joined by honouring, in a crisis its protégé provoked
    "stalemates",  # against target i: both would fight, the crisis ended without war
    "entanglements",  # wars ally i joined by honouring a commitment
    "unsupported_crises",  # crises against target i whose allies delivered < half they owed
    "low_interest_or_provoked_wars",  # honoured wars for a low-interest or provoking ally
    "interventions",  # wars state i joined without an obligation to the target
)
(
    EV_CF,
    EV_CF_HONOURED,
    EV_CF_WAR,
    EV_CF_HONOURED_WAR,
    EV_OPPORTUNITIES,
    EV_DETERRED,
    EV_CRISES,
    EV_PROVOKED,
    EV_YIELDED,
    EV_BACKED_DOWN,
    EV_WARS_AS_TARGET,
    EV_WAR_ENTRIES,
    EV_ABANDONMENTS,
    EV_ENTRAPMENTS,
    EV_STALEMATES,
    EV_ENTANGLEMENTS,
    EV_UNSUPPORTED_CRISES,
    EV_LOW_INTEREST_OR_PROVOKED_WARS,
    EV_INTERVENTIONS,
) = range(len(EVENTS))
N_EVENTS = len(EVENTS)

#: ratio outcomes (numerator, denominator); ``event_products[g, i, r]`` sums the
#: per-trajectory product of the two counts, for the ratio estimator's error
RATIOS = (
    ("reliability", EV_CF_HONOURED, EV_CF),
    ("reliability_war", EV_CF_HONOURED_WAR, EV_CF_WAR),
    ("deterrence", EV_DETERRED, EV_OPPORTUNITIES),
)
RATIO_NUMERATOR = tuple(r[1] for r in RATIOS)
RATIO_DENOMINATOR = tuple(r[2] for r in RATIOS)
N_RATIOS = len(RATIOS)

#: ``moments[g, t, i, q, 0|1]``: sum and sum of squares over trajectories
MOMENTS = ("defense_share", "support", "reputation", "burden_gap")
MO_DEFENSE_SHARE, MO_SUPPORT, MO_REPUTATION, MO_BURDEN_GAP = 0, 1, 2, 3

#: ``histograms[g, h, n]``: trajectories with n wars / crises (last bin: n or more)
HISTOGRAMS = ("wars", "crises")
H_WARS, H_CRISES = 0, 1
HISTOGRAM_BINS = 64

#: ``draws[g, :]``: random variates drawn, by kind (for the benchmark's floor kernel):
#: single uniforms, single normals, normals drawn in runs (``fill_normal``), and
#: distribution samples by family code (``samplers``), starting at ``D_SAMPLE``
DRAWS = ("uniform", "normal", "normal_filled", "sample_fixed", "sample_uniform", "sample_normal",
         "sample_lognormal", "sample_beta", "sample_gamma", "sample_triangular")  # fmt: skip
D_UNIFORM, D_NORMAL, D_NORMAL_FILLED, D_SAMPLE = 0, 1, 2, 3
N_DRAWS = len(DRAWS)

# ---------------------------------------------------------------- random channels
# numpy integers, not Python ints: numba types a global Python int as a literal and
# would compile the generator's functions once per channel
CH_PARAMETER = np.int64(1)  # per trajectory: parameter p at index p * SAMPLER_STRIDE
CH_ELECTION_PHASE = np.int64(2)  # per trajectory: index i
CH_INITIAL_GOVERNMENT = np.int64(3)  # per trajectory: index i
CH_ECONOMY_COMMON = np.int64(10)  # per step: index 0
CH_ECONOMY = np.int64(11)  # per step: index i
CH_SPENDING = np.int64(12)  # per step: index i
CH_SUPPORT = np.int64(13)  # per step: index i
CH_ELECTION = np.int64(14)  # per step: index i (turnover), S + i (new government's type)
CH_OPPORTUNITY = np.int64(20)  # per step: index k * S + j
CH_PROVOCATION = np.int64(21)  # per step: index k * S + j
CH_RESOLVE = np.int64(22)  # per crisis: index (k * S + j) * SAMPLER_STRIDE
CH_DEFENDER_RESOLVE = np.int64(23)  # per crisis: index (k * S + j) * SAMPLER_STRIDE
CH_MISPERCEPTION = np.int64(24)  # per crisis: index (k * S + j) * S + i
CH_HONOUR = np.int64(25)  # per crisis: index (k * S + j) * S + i
CH_WAR_END = np.int64(26)  # per step: index k * S + j
CH_TERMINATION = np.int64(27)  # per step: index a
CH_STALEMATE = np.int64(28)  # per crisis: index k * S + j
CH_INTERVENTION = np.int64(29)  # per war: index (k * S + j) * S + i

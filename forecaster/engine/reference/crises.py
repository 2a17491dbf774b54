"""The crisis stage in NumPy, decision by decision (the peer of ``kernels/crises.py``).

For every adversary k and target j, in ascending order, every trajectory at once:

1. ``opportunity_or_provocation``: does k get an opportunity on j, or does a
   protected j provoke k?
2. ``deterred``: on an opportunity, does k, seeing j's allies through its
   misperception, expect war not to pay?
3. ``allied_responses``: in a crisis, each ally with a live obligation decides
   whether to honour it.
4. ``escalation``: j resists or yields, then k fights or backs down.
5. ``consequences``: entrapment, abandonment, reputation and support.

Unlike the kernel, every decision draws for every trajectory (NumPy's
generator, in this order), whether or not the trajectory needs the draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.kernels import layout as L

from .credibility import backing
from .state import Credibility, Row, World, sigmoid


@dataclass
class Responses:
    """The allies' answers in a crisis on target j, ``[N, S]`` (``[N]`` for sums)."""

    obliged: np.ndarray  # bool: a live obligation to j, in a crisis
    honoured: np.ndarray  # bool
    contribution: np.ndarray  # eff * K of each ally
    owed: np.ndarray  # [N]: contributions under defence obligations
    delivered: np.ndarray  # [N]: ... of the allies who honoured them


def crises(row: Row, world: World, cred: Credibility, live_alive: np.ndarray) -> None:
    """Every adversary-target pair's decisions for this step; membership changes only
    at exit, so ``live_alive`` holds through the stage."""
    two_or_more = live_alive.sum(axis=2) >= 2  # [N, A]
    for k in np.flatnonzero(row.is_adversary):
        for j in range(row.is_adversary.size):
            if row.target_weight[k, j] > 0:
                crisis(row, world, cred.of(row, j), int(k), j, live_alive, two_or_more)


def crisis(
    row: Row,
    world: World,
    pair: Credibility,
    k: int,
    j: int,
    live_alive: np.ndarray,
    two_or_more: np.ndarray,
) -> None:
    """The five decisions of pair (k, j), with ``pair`` j's column of credibility."""
    events = world.events
    provoked, opportunity, control = opportunity_or_provocation(
        row, world, pair, k, j, live_alive, two_or_more
    )
    resolve = row.crisis_draw(L.RESOLVE)
    resolve = np.where(provoked, resolve * row.theta["threat.provoked_resolve"], resolve)
    backs_off = deterred(row, world, pair, k, j, resolve)
    events[:, j, L.EV_PROVOKED] += provoked
    events[:, j, L.EV_OPPORTUNITIES] += opportunity
    events[:, j, L.EV_DETERRED] += opportunity & backs_off
    crisis = provoked | (opportunity & ~backs_off)
    if not crisis.any():
        return
    world.n_crises += crisis
    events[:, j, L.EV_CRISES] += crisis
    world.ever[:, j, L.BT_TARGETED] |= crisis
    responses = allied_responses(row, world, pair, crisis)
    war = escalation(row, world, k, j, crisis, provoked, control, resolve, responses)
    consequences(row, world, j, crisis, provoked, war, responses)


def odds(row: Row, world: World, k: int, j: int, contributions: np.ndarray) -> np.ndarray:
    """k's chance of winning against j plus allied ``contributions`` ``[N, S]``. With
    MODEL v2's fait accompli, weight phi goes to the forces on the spot (j and its
    allies in its region), which decide before distant allies arrive."""
    gamma = row.theta["threat.contest_exponent"]
    phi = row.theta["threat.fait_accompli"] if row.on["fait_accompli"] else 0.0
    attacker, defender = world.capability[:, k], world.capability[:, j]
    local = row.same_region[:, j][None, :]

    def contest(defence: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + (defence / attacker) ** gamma)

    full = contest(defender + contributions.sum(axis=1))
    on_the_spot = contest(defender + (contributions * local).sum(axis=1))
    return phi * on_the_spot + (1 - phi) * full


# ---------------------------------------------------------------- 1. opportunity, provocation
def opportunity_or_provocation(
    row: Row,
    world: World,
    pair: Credibility,
    k: int,
    j: int,
    live_alive: np.ndarray,
    two_or_more: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(provoked, opportunity, escalation control of j's patrons), each ``[N]``.

    A pair already at war has neither; a provocation pre-empts the opportunity.
    """
    n, dt, w = row.n, row.dt, row.target_weight[k, j]
    at_peace = ~np.asarray(world.war[:, k].any(axis=1))[:, j]  # j in none of k's wars
    with_j = live_alive[:, :, j] & two_or_more  # [N, A]
    protected = with_j.any(axis=1)
    escalation_control = row.alliance_attr[None, :, L.AA_ESCALATION_CONTROL]
    control = np.where(with_j, escalation_control, 0.0).max(axis=1, initial=0.0)
    provoked = np.zeros(n, dtype=bool)
    if row.on["provocation"]:
        allied = backing(world, pair, pair.h).sum(axis=1) / world.capability[:, k]
        hazard = (
            row.theta["threat.provocation_rate"]
            * (1 + row.theta["threat.moral_hazard"] * allied)
            * (1 - control)
            * row.target_weight[j, k]  # j's provocation weight against k (a target's row)
        )
        provoked = at_peace & protected & (row.rng.random(n) < 1 - np.exp(-hazard * dt))
    rate = row.theta["threat.scale"] * row.theta["threat.opportunity_rate"] * w
    opportunity = at_peace & ~provoked & (row.rng.random(n) < 1 - np.exp(-rate * dt))
    return provoked, opportunity, control


# ---------------------------------------------------------------- 2. deterrence
def deterred(
    row: Row, world: World, pair: Credibility, k: int, j: int, resolve: np.ndarray
) -> np.ndarray:
    """Whether k, at ``resolve``, expects a war on j and its allies not to pay ``[N]``;
    with misperception k sees each honour probability with noise on its logit."""
    perceived = pair.h
    if row.on["misperception"]:
        noise = row.t("threat.misperception") * row.rng.standard_normal(pair.h.shape)
        h = np.clip(pair.h, 1e-300, 1 - 1e-16)
        perceived = sigmoid(np.log(h) - np.log1p(-h) + noise)
    p = odds(row, world, k, j, backing(world, pair, perceived))
    cost = row.theta["threat.war_cost"]
    return ~(resolve * p - (1 - p) * cost > 0)


# ---------------------------------------------------------------- 3. allied responses
def allied_responses(row: Row, world: World, pair: Credibility, crisis: np.ndarray) -> Responses:
    """Each obliged ally honours with its honour probability; ``owed`` and ``delivered``
    count defence obligations only (abandonment)."""
    obliged = (pair.obligation >= 0) & crisis[:, None]
    honoured = obliged & (row.rng.random(obliged.shape) < pair.h)
    contribution = pair.eff * world.capability
    defence_bound = obliged & (pair.obligation == L.OBLIGATION_DEFENSE)
    owed = (contribution * defence_bound).sum(axis=1)
    delivered = (contribution * defence_bound * honoured).sum(axis=1)
    world.events[:, :, L.EV_CF] += obliged
    world.events[:, :, L.EV_CF_HONOURED] += honoured
    return Responses(obliged, honoured, contribution, owed, delivered)


# ---------------------------------------------------------------- 4. escalation
def escalation(
    row: Row,
    world: World,
    k: int,
    j: int,
    crisis: np.ndarray,
    provoked: np.ndarray,
    control: np.ndarray,
    resolve: np.ndarray,
    responses: Responses,
) -> np.ndarray:
    """j resists or yields, then k fights or backs down; a war enlists the honouring
    allies and, with ``intervention``, states outside j's alliances that join. With
    MODEL v2's stalemate a crisis both would fight ends without war with chance s.
    Returns where it became a war ``[N]``."""
    events, honoured = world.events, responses.honoured
    cost = row.theta["threat.war_cost"]
    p = odds(row, world, k, j, responses.contribution * honoured)
    defender = row.crisis_draw(L.DEFENDER_RESOLVE)
    defender = np.where(provoked, defender * (1 - control), defender)
    resists = defender * (1 - p) - p * cost > 0
    attacks = resolve * p - (1 - p) * cost > 0
    war = crisis & resists & attacks
    if row.on["stalemate"]:
        stalled = war & (row.rng.random(row.n) < row.theta["threat.stalemate"])
        events[:, j, L.EV_STALEMATES] += stalled
        war &= ~stalled
    events[:, j, L.EV_YIELDED] += crisis & ~resists
    events[:, j, L.EV_BACKED_DOWN] += crisis & resists & ~attacks
    participants = honoured & war[:, None]
    participants[:, k] |= war
    participants[:, j] |= war
    if row.on["intervention"]:
        participants |= interveners(row, world, k, j, war, participants, responses)
    world.war[war, k, j] = participants[war]
    world.n_wars += war
    events[:, j, L.EV_WARS_AS_TARGET] += war
    events[:, :, L.EV_WAR_ENTRIES] += participants
    world.ever[:, :, L.BT_WAR] |= participants
    world.major |= war & (participants.sum(axis=1) >= 3)
    return war


def interveners(
    row: Row,
    world: World,
    k: int,
    j: int,
    war: np.ndarray,
    participants: np.ndarray,
    responses: Responses,
) -> np.ndarray:
    """States with no obligation to j, not in this war nor fighting k elsewhere, that join
    k's new war on j ``[N, S]`` (issue 18, docs/model.md §3c): a neighbour (j's region)
    with chance ``intervention``, any other with ``intervention_distant`` x its reach."""
    fighting_k = world.war[:, k].any(axis=1)  # [N, S], before this war is registered
    reach = row.state_attr[:, L.SA_REACH]
    chance = np.where(
        row.same_region[None, :, j],
        row.t("threat.intervention"),
        row.t("threat.intervention_distant") * reach[None],
    )
    candidate = war[:, None] & row.friendly[None] & ~responses.obliged & ~participants
    joins = candidate & ~fighting_k & (row.rng.random(participants.shape) < chance)
    world.events[:, :, L.EV_INTERVENTIONS] += joins
    return joins


# ---------------------------------------------------------------- 5. consequences
def consequences(
    row: Row,
    world: World,
    j: int,
    crisis: np.ndarray,
    provoked: np.ndarray,
    war: np.ndarray,
    responses: Responses,
) -> None:
    """Entanglement, entrapment and abandonment (docs/model.md §4), reputation, support.

    Entangled: honoured and at war (Beckley 2015); entrapped: entangled in a crisis
    the protégé provoked (Snyder 1984), never for defending it against an unprovoked
    attack; abandoned: attacked (the crisis became a war) with under half the owed
    defence delivered (Leeds 2003). The backlashes keep their triggers: a war for a
    low-interest or provoking ally, any crisis in which the allies stood aside.
    """
    events, obliged, honoured = world.events, responses.obliged, responses.honoured
    events[:, :, L.EV_CF_WAR] += obliged & war[:, None]
    events[:, :, L.EV_CF_HONOURED_WAR] += honoured & war[:, None]
    entangled = honoured & war[:, None]
    events[:, :, L.EV_ENTANGLEMENTS] += entangled
    world.ever[:, :, L.BT_ENTANGLEMENT] |= entangled
    entrapped = entangled & provoked[:, None]
    events[:, :, L.EV_ENTRAPMENTS] += entrapped
    world.ever[:, :, L.BT_ENTRAPMENT] |= entrapped
    low_interest = row.interest[:, j] < row.t("political.entrapment_threshold")
    low_or_provoked = entangled & (low_interest | provoked[:, None])
    events[:, :, L.EV_LOW_INTEREST_OR_PROVOKED_WARS] += low_or_provoked
    world.ever[:, :, L.BT_LOW_INTEREST_OR_PROVOKED_WAR] |= low_or_provoked
    owed, delivered = responses.owed, responses.delivered
    unsupported = crisis & (owed > 0) & (delivered < 0.5 * owed)
    events[:, j, L.EV_UNSUPPORTED_CRISES] += unsupported
    world.ever[:, j, L.BT_UNSUPPORTED_CRISIS] |= unsupported
    abandoned = unsupported & war
    events[:, j, L.EV_ABANDONMENTS] += abandoned
    world.ever[:, j, L.BT_ABANDONMENT] |= abandoned
    if row.on["politics"]:
        world.support_logit = (
            world.support_logit - row.t("political.entrapment_backlash") * low_or_provoked
        )
        world.support_logit[:, j] -= row.theta["political.abandonment_backlash"] * unsupported
        support = sigmoid(world.support_logit)
        world.support = np.where(row.is_adversary, world.support, support)
    if row.on["reputation"]:
        learning = row.t("political.reputation_learning")
        learnt = world.reputation + learning * (honoured - world.reputation)
        world.reputation = np.where(obliged, learnt, world.reputation)

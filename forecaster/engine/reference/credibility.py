"""Credibility (docs/model.md), in NumPy: each ally's honour probability and
effective contribution towards each target (the peer of ``kernels/credibility.py``,
eager: every target's column every step)."""

from __future__ import annotations

import numpy as np

from forecaster.kernels import layout as L

from .state import Credibility, Row, World, sigmoid


def standing(row: Row, world: World) -> np.ndarray:
    """The honour logit of each ally towards each target before its alliance's terms,
    ``[N, S, J]``: intercept, support, reputation, sceptic government, recession, interest."""
    own = (
        row.t("political.honour.intercept")
        + row.t("political.honour.support") * (world.support - 0.5)
        + row.t("political.honour.reputation") * (world.reputation - 0.5)
        - row.t("political.honour.sceptic") * world.sceptic
        - row.t("political.honour.recession") * world.recession
    )
    interest = row.t("political.honour.interest")[:, :, None] * row.interest[None, :, row.targets]
    return own[:, :, None] + interest


def credibility(row: Row, world: World, live_alive: np.ndarray) -> Credibility:
    """Each ally's best alliance towards each target: the one of the largest expected
    contribution h * eff, its honour probability, effectiveness and obligation."""
    n, n_states, targets = row.n, row.is_adversary.size, row.targets
    own = standing(row, world)
    reach = np.where(row.same_region[:, targets], 1.0, row.state_attr[:, L.SA_REACH][:, None])
    shape = (n, n_states, targets.size)
    cred = Credibility(np.zeros(shape), np.zeros(shape), np.full(shape, -1))
    best = np.full(shape, -1.0)
    not_self = np.arange(n_states)[:, None] != targets[None, :]
    for a in range(row.alliance_attr.shape[0]):
        attr = row.alliance_attr[a]
        both = live_alive[:, a, :, None] & live_alive[:, a, targets][:, None, :]
        both &= not_self[None] & row.friendly[None, :, None]
        e, iota = attr[L.AA_EXPLICITNESS], attr[L.AA_INTEROPERABILITY]
        z = own + row.t("political.honour.explicitness")[:, :, None] * e
        if attr[L.AA_EXIT_NOTICE] < 0:
            hollow = world.support < row.t("political.hollow_threshold")
            z = z - np.where(hollow, row.t("political.hollow_penalty"), 0.0)[:, :, None]
        if row.on["collective_action"]:
            # the target's n = m - 1 allies in a share the obligation: the pull to
            # leave it to the others grows as 1 - 1/n (0 in a bilateral pact), and
            # shrinks as the treaty spells the obligation out (explicitness e)
            sharing = np.maximum(live_alive[:, a, :].sum(axis=1) - 1, 1)
            diffusion = (1.0 - 1.0 / sharing) * (1.0 - e)
            co_obligated = row.t("political.honour.co_obligated")[:, :, None]
            penalty = co_obligated * diffusion[:, None, None]
            if attr[L.AA_TIER] == L.TIER_HIGH:
                # an integrated pact (command, bases) keeps the share kappa of it off
                kappa = row.t("political.honour.institutionalised")[:, :, None]
                penalty = penalty * (1.0 - kappa)
            z = z - penalty
        h = sigmoid(z)
        obligation = int(attr[L.AA_OBLIGATION])
        if obligation == L.OBLIGATION_CONSULTATION:
            h = 0.5 * h
        delay = 0.0
        if int(attr[L.AA_DECISION]) == L.DECISION_CONSENSUS:
            delay = row.t("political.consensus_drag")[:, :, None] * (1 - iota)
        eff = iota * reach[None] * (1 - delay)
        better = both & (h * eff > best)
        best = np.where(better, h * eff, best)
        cred.h = np.where(better, h, cred.h)
        cred.eff = np.where(better, eff, cred.eff)
        cred.obligation = np.where(better, obligation, cred.obligation)
    return cred


def backing(world: World, pair: Credibility, honour: np.ndarray) -> np.ndarray:
    """Allied capability behind the target at honour probabilities ``honour`` ``[N, S]``:
    ``honour * eff * K`` of each obliged ally (a sum of these is the expected backing)."""
    return honour * pair.eff * world.capability * (pair.obligation >= 0)

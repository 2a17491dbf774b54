"""The per-state stages of one step, in NumPy (the peers of ``kernels/model.py``).

Each stage moves every trajectory at once and draws from the row's NumPy
generator in a fixed order; a mechanism switched off draws nothing.
"""

from __future__ import annotations

import numpy as np

from forecaster.kernels import layout as L

from .state import Row, World, sigmoid


# ---------------------------------------------------------------- 1. economy
def economy(row: Row, world: World, step: int, war_now: np.ndarray) -> None:
    """Correlated log-GDP growth, war drag, and the recession flag."""
    if not row.on["economy"]:
        return
    n, dt = row.n, row.dt
    sigma, rho = row.t("fiscal.volatility"), row.t("fiscal.common_shock")
    drag = row.t("fiscal.war_drag") if row.on["war_costs"] else 0.0
    common = row.rng.standard_normal((n, 1))
    shock = np.sqrt(rho) * common + np.sqrt(1 - rho) * row.rng.standard_normal(world.gdp.shape)
    world.log_gdp = world.log_gdp + (row.growth - sigma**2 / 2) * dt
    world.log_gdp += sigma * np.sqrt(dt) * shock - drag * war_now * dt
    world.gdp = np.exp(world.log_gdp)
    # recession: log-GDP below its value four steps (a year at dt=0.25) ago
    slot = step % 4
    world.recession = (world.log_gdp < world.gdp_history[slot]).astype(float)
    world.gdp_history[slot] = world.log_gdp


# ---------------------------------------------------------------- 2. fiscal
def free_riding(world: World, live_alive: np.ndarray) -> np.ndarray:
    """Share of allied capability not a state's own, ``[N, S]`` (0 without allies)."""
    n_states = world.capability.shape[1]
    together = np.einsum("nai,naj->nij", live_alive, live_alive)
    together[:, np.arange(n_states), np.arange(n_states)] = False
    allied = np.einsum("nij,nj->ni", together.astype(float), world.capability)
    return np.where(allied > 0, allied / (world.capability + allied), 0.0)


def fiscal(row: Row, world: World, live_alive: np.ndarray, war_now: np.ndarray) -> None:
    """Pledges, free-riding, spending adjustment and capital accumulation.

    ``fiscal`` moves the allies' spending and capital, ``arms_buildup`` (MODEL v2)
    the adversaries' capital (v1.1's ``fiscal`` switched both).
    """
    dt = row.dt
    if row.on["fiscal"]:
        target = row.alliance_attr[:, L.AA_SPENDING_TARGET][None, :, None]
        pledge = np.where(live_alive, target, 0.0).max(axis=1) if live_alive.shape[1] else 0.0
        free = free_riding(world, live_alive)
        if row.on["fiscal_anchor"]:
            # the observed starting share already includes today's free-riding
            free = free - world.free_riding_start
        desired = (
            world.base_share
            + row.t("fiscal.compliance") * np.maximum(0.0, pledge - world.base_share)
            - row.t("fiscal.free_riding") * free
            - row.t("fiscal.austerity") * world.recession
            + row.t("fiscal.war_surge") * war_now
        )
        share = world.defense_share
        new = share + row.t("fiscal.adjustment_speed") * (desired - share) * dt
        noise = row.rng.standard_normal(share.shape)
        new = new + row.t("fiscal.spending_noise") * np.sqrt(dt) * noise
        new = np.clip(new, 0.001, 0.25)
        world.defense_share = np.where(row.is_adversary, share, new)
    moves = np.where(row.is_adversary, row.on["arms_buildup"], row.on["fiscal"])
    if moves.any():
        capability = world.capability
        growth = np.where(row.is_adversary, row.t("threat.capability_growth"), 0.0)
        spend = world.defense_share * world.gdp
        grown = (
            capability
            + (spend - row.t("fiscal.depreciation") * capability + growth * capability) * dt
        )
        world.capability = np.where(moves, grown, capability)


# ---------------------------------------------------------------- 3. burden
def burden(world: World, live_alive: np.ndarray) -> None:
    """Burden gap (share of spending minus share of GDP) and resentment."""
    world.burden_gap = np.zeros_like(world.gdp)
    world.resentment = np.zeros_like(world.gdp)
    spend = world.defense_share * world.gdp
    gdp = world.gdp
    for a in range(live_alive.shape[1]):
        members = live_alive[:, a, :]
        two_or_more = members.sum(axis=1) >= 2
        spend_share = spend * members / np.maximum((spend * members).sum(1, keepdims=True), 1e-300)
        gdp_share = gdp * members / np.maximum((gdp * members).sum(1, keepdims=True), 1e-300)
        gap = np.where(members & two_or_more[:, None], spend_share - gdp_share, 0.0)
        world.burden_gap += gap
        world.resentment += np.maximum(gap, 0.0)


# ---------------------------------------------------------------- 4. politics
def politics(row: Row, world: World, step: int, war_now: np.ndarray) -> None:
    """Support drift and noise, burden resentment, war weariness; elections."""
    dt = row.dt
    if row.on["politics"]:
        weariness = row.t("political.war_weariness") if row.on["war_costs"] else 0.0
        s = world.support_logit
        ds = (
            row.t("political.mean_reversion") * (world.support_target_logit - s) * dt
            + row.t("political.support_volatility") * np.sqrt(dt) * row.rng.standard_normal(s.shape)
            - (row.t("political.burden_resentment") * world.resentment + weariness * war_now) * dt
        )
        world.support_logit = np.where(row.is_adversary, s, s + ds)
        world.support = sigmoid(world.support_logit)
    if row.on["elections"]:
        elections(row, world, step)


def elections(row: Row, world: World, step: int) -> None:
    """Elections fall due every election period; a new government is sceptic with
    chance 1 - support."""
    due = (step + 1) * row.dt + 1e-9 >= world.next_election
    period = row.state_attr[:, L.SA_ELECTION_PERIOD]
    world.next_election = np.where(due, world.next_election + period, world.next_election)
    shape = world.support.shape
    change = due & (row.rng.random(shape) < row.t("political.turnover"))
    sceptic = (row.rng.random(shape) < 1 - world.support).astype(float)
    world.sceptic = np.where(change, sceptic, world.sceptic)


# ---------------------------------------------------------------- 8. war costs and ends
def wars_end_of_step(row: Row, world: World) -> None:
    """Attrition of every participant, then each war ends with probability dt / duration."""
    at_war = world.war.any(axis=(1, 2))
    if row.on["war_costs"]:
        loss = 1 - row.t("threat.attrition") * row.dt
        world.capability = np.where(at_war, world.capability * loss, world.capability)
    under_way = world.war.any(axis=3)  # [N, k, j]
    end = (row.dt / row.theta["threat.war_duration_years"])[:, None, None]
    ends = under_way & (row.rng.random(under_way.shape) < end)
    world.war[ends] = False
    world.at_war = np.asarray(world.war.any(axis=(1, 2)))


# ---------------------------------------------------------------- 10. exit
def exits(row: Row, world: World) -> None:
    """Members leave after notice_years below the support threshold; background
    termination; dissolution of alliances without two members or without their leader."""
    if not row.on["exit"]:
        return
    dt, n = row.dt, row.n
    pooled = row.theta["political.termination_rate"]
    tiers = ("low", "moderate", "high")
    for a in range(row.alliance_attr.shape[0]):
        # the alliance's institutionalisation tier sets its hazard; none: the pooled one
        tier = int(row.alliance_attr[a, L.AA_TIER])
        rate = pooled if tier < 0 else row.theta[f"political.termination_by_tier.{tiers[tier]}"]
        termination = 1 - np.exp(-rate * dt)
        notice = row.alliance_attr[a, L.AA_EXIT_NOTICE]
        member = world.live[:, a, :] & world.alive[:, a, None]
        if notice >= 0:
            low = member & (world.support < row.alliance_attr[a, L.AA_EXIT_THRESHOLD])
            below = np.where(low, world.steps_below[:, a, :] + 1, 0)
            world.steps_below[:, a, :] = below
            leaving = low & (below * dt >= notice - 1e-9)
            world.live[:, a, :] &= ~leaving
            world.left[:, a] |= leaving.any(axis=1)
        ended = row.rng.random(n) < termination
        chief = row.sc.leader[a]
        lost_leader = ~world.live[:, a, chief] if chief >= 0 else np.zeros(n, dtype=bool)
        too_few = world.live[:, a, :].sum(axis=1) < 2
        world.alive[:, a] &= ~(ended | too_few | lost_leader)

"""An independent implementation of MODEL.md in vectorised NumPy.

Written again from the model description, not from the kernels: it shares
only the compiled scenario arrays and the counter layout with them. Its
randomness is NumPy's own (PCG64 through ``numpy.random.Generator`` and
NumPy's samplers), so agreement with the kernels within Monte Carlo error is
evidence that both follow the same model, and neither follows a bug of the
other. It vectorises across trajectories (arrays of shape ``[N, S]``) and is
the "plain NumPy" peer in the benchmarks.

Every grid row replays the same generator seed (common random numbers in the
NumPy sense: same stream, same draw order until paths diverge).
"""

from __future__ import annotations

import numpy as np

from forecaster.kernels import layout as L
from forecaster.kernels.samplers import FAMILIES, INHERIT
from forecaster.scenario import Scenario

from .counters import Counters

_CODE = {code: family for family, (code, _) in FAMILIES.items()}


def _draw(rng: np.random.Generator, code: int, p: np.ndarray, size: int) -> np.ndarray:
    family = _CODE[int(code)]
    if family == "fixed":
        return np.full(size, p[0])
    if family == "uniform":
        return rng.uniform(p[0], p[1], size)
    if family == "normal":
        return rng.normal(p[0], p[1], size)
    if family == "lognormal":
        return rng.lognormal(np.log(p[0]), p[1], size)
    if family == "beta":
        return rng.beta(p[0], p[1], size)
    if family == "gamma":
        return rng.gamma(p[0], p[1], size)
    return rng.triangular(p[0], p[1], p[2], size)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def simulate_reference(scenario: Scenario, trajectories: int, seed: int) -> Counters:
    """Counters of ``trajectories`` trajectories for every grid row of ``scenario``."""
    total = Counters.zeros(scenario)
    for g in range(scenario.n_rows):
        _Row(scenario, g, trajectories, np.random.default_rng(seed)).run(total)
    total.n_trajectories[:] = trajectories
    return total


class _Row:
    """One grid row, all trajectories at once."""

    def __init__(self, sc: Scenario, g: int, n: int, rng: np.random.Generator):
        self.sc, self.g, self.n, self.rng = sc, g, n, rng
        self.on = {name: bool(sc.flags[i]) for i, name in enumerate(L.MECHANISMS)}
        S = sc.n_states
        self.adv = sc.is_adversary.astype(bool)
        self.friendly = ~self.adv
        self.attr = sc.alliance_attr[g]
        self.w = sc.target_weight[g]
        self.interest = sc.interest[g]
        self.targets = np.flatnonzero((self.w[self.adv] > 0).any(axis=0))
        self.same_region = sc.region[:, None] == sc.region[None, :]
        # per-trajectory parameters, one column each
        code, par = sc.dist_code[g], sc.dist_param[g]
        self.theta = {}
        for p, name in enumerate(L.PARAMETERS):
            if p in L.PER_CRISIS:
                continue
            # honour coefficients as b_<name>: political.support != political.honour.support
            key = name.split(".", 1)[1].replace("honour.", "b_")
            self.theta[key] = _draw(rng, code[p], par[p], n)
        self.mu = np.empty((n, S))
        self.ubar = np.empty((n, S))
        for i in range(S):
            for q, (out, shared) in enumerate(((self.mu, "growth"), (self.ubar, "support"))):
                row = L.N_PARAMETERS + 2 * i + q
                out[:, i] = (
                    self.theta[shared]
                    if code[row] == INHERIT
                    else _draw(rng, code[row], par[row], n)
                )

    def t(self, name: str) -> np.ndarray:
        """A parameter as a column vector [N, 1]."""
        return self.theta[name][:, None]

    def crisis_draw(self, p: int, size: int) -> np.ndarray:
        code, par = self.sc.dist_code[self.g, p], self.sc.dist_param[self.g, p]
        return _draw(self.rng, code, par, size)

    # ------------------------------------------------------------ the run
    def run(self, out: Counters) -> None:
        sc, n, rng, g = self.sc, self.n, self.rng, self.g
        S, A = sc.n_states, sc.n_alliances
        sa = sc.state_attr[g]
        gdp0 = np.broadcast_to(sa[:, L.SA_GDP], (n, S))
        self.log_gdp = np.log(gdp0).copy()
        self.gdp = gdp0.copy()
        self.share = np.broadcast_to(sa[:, L.SA_DEFENSE_SHARE], (n, S)).copy()
        self.base_share = self.share.copy()
        self.capital = self.share * self.gdp / self.t("depreciation")
        ubar = np.clip(self.ubar, 1e-9, 1 - 1e-9)
        self.s_target = np.log(ubar / (1 - ubar))
        self.s = self.s_target.copy()
        self.u = ubar.copy()
        self.rep = np.repeat(self.t("reputation_initial"), S, axis=1)
        self.history = np.repeat(self.log_gdp[None], 4, axis=0)
        self.recession = np.zeros((n, S))
        self.gap = np.zeros((n, S))
        period = sa[:, L.SA_ELECTION_PERIOD]
        self.sceptic = np.zeros((n, S))
        self.next_election = np.full((n, S), np.inf)
        if self.on["elections"]:
            draw = rng.random((n, S))
            self.sceptic = np.where(self.friendly & (draw < 1 - ubar), 1.0, 0.0)
            phase = rng.random((n, S))
            has_elections = self.friendly & (period > 0)
            self.next_election = np.where(has_elections, phase * period, np.inf)
        self.member0 = sc.member.astype(bool)
        self.live = np.repeat(self.member0[None], n, axis=0)  # [N, A, S]
        self.alive = np.ones((n, A), dtype=bool)
        self.left = np.zeros((n, A), dtype=bool)
        self.below = np.zeros((n, A, S), dtype=np.int64)
        # wars: participants of the war of adversary k against target j
        self.war = np.zeros((n, S, S, S), dtype=bool)  # [N, k, j, participant]
        self.at_war = np.zeros((n, S), dtype=bool)
        self.ever = np.zeros((n, S, len(L.BY_TIME_STATE)), dtype=bool)
        self.major = np.zeros(n, dtype=bool)
        self.n_wars = np.zeros(n, dtype=np.int64)
        self.n_crises = np.zeros(n, dtype=np.int64)
        self.events = np.zeros((n, S, L.N_EVENTS), dtype=np.int64)  # per trajectory
        # free-riding at the start: the fiscal anchor counts only its change
        self.free0 = self.free_riding(live_alive=self.live & self.alive[:, :, None])
        # burn-in: simulated, then forgotten, so that counting starts from a settled state
        for step in range(sc.n_burn_in):
            self.step(step)
        self.ever[:] = False
        self.major[:] = False
        self.n_wars[:] = 0
        self.n_crises[:] = 0
        self.events[:] = 0
        for step in range(sc.n_steps):
            self.step(sc.n_burn_in + step)
            self.count(out, step)
        # per-trajectory counts, plus their total over states as row S
        events = np.concatenate([self.events, self.events.sum(axis=1, keepdims=True)], axis=1)
        out.events[g, :, :, 0] += events.sum(axis=0)
        out.events[g, :, :, 1] += (events**2).sum(axis=0)
        for r, (num, den) in enumerate(zip(L.RATIO_NUMERATOR, L.RATIO_DENOMINATOR, strict=True)):
            out.event_products[g, :, r] += (events[:, :, num] * events[:, :, den]).sum(axis=0)
        bins = out.histograms.shape[2]
        out.histograms[g, L.H_WARS] += np.bincount(
            np.minimum(self.n_wars, bins - 1), minlength=bins
        )
        out.histograms[g, L.H_CRISES] += np.bincount(
            np.minimum(self.n_crises, bins - 1), minlength=bins
        )

    def step(self, step: int) -> None:
        sc, n, rng, dt = self.sc, self.n, self.rng, self.sc.dt
        S = sc.n_states
        war_now = self.at_war.astype(float)
        # 1. economy
        if self.on["economy"]:
            sigma, rho = self.t("volatility"), self.t("common_shock")
            drag = self.t("war_drag") if self.on["war_costs"] else 0.0
            shock = np.sqrt(rho) * rng.standard_normal((n, 1)) + np.sqrt(1 - rho) * (
                rng.standard_normal((n, S))
            )
            self.log_gdp = self.log_gdp + (self.mu - sigma**2 / 2) * dt
            self.log_gdp += sigma * np.sqrt(dt) * shock - drag * war_now * dt
            self.gdp = np.exp(self.log_gdp)
            self.recession = (self.log_gdp < self.history[step % 4]).astype(float)
            self.history[step % 4] = self.log_gdp
        # 2. fiscal
        live_alive = self.live & self.alive[:, :, None]  # [N, A, S]
        if self.on["fiscal"]:
            target = self.attr[:, L.AA_SPENDING_TARGET][None, :, None]
            pledge = np.where(live_alive, target, 0.0).max(axis=1) if sc.n_alliances else 0.0
            free = self.free_riding(live_alive)
            if self.on["fiscal_anchor"]:
                free = free - self.free0  # observed shares already include today's free-riding
            desired = (
                self.base_share
                + self.t("compliance") * np.maximum(0.0, pledge - self.base_share)
                - self.t("free_riding") * free
                - self.t("austerity") * self.recession
                + self.t("war_surge") * war_now
            )
            new = self.share + self.t("adjustment_speed") * (desired - self.share) * dt
            new = new + self.t("spending_noise") * np.sqrt(dt) * rng.standard_normal((n, S))
            new = np.clip(new, 0.001, 0.25)
            self.share = np.where(self.adv, self.share, new)
        # capital: the allies' under `fiscal`, the adversaries' under `arms_buildup`
        # (v1.1's `fiscal` switched both)
        moves = np.where(self.adv, self.on["arms_buildup"], self.on["fiscal"])
        if moves.any():
            growth = np.where(self.adv, self.t("capability_growth"), 0.0)
            grown = (
                self.capital
                + (
                    self.share * self.gdp
                    - self.t("depreciation") * self.capital
                    + growth * self.capital
                )
                * dt
            )
            self.capital = np.where(moves, grown, self.capital)
        # 3. burden
        self.gap = np.zeros((n, S))
        resentment = np.zeros((n, S))
        spend = self.share * self.gdp
        for a in range(sc.n_alliances):
            members = live_alive[:, a, :]
            ok = members.sum(axis=1) >= 2
            spend_share = (
                spend * members / np.maximum((spend * members).sum(1, keepdims=True), 1e-300)
            )
            gdp_share = (
                self.gdp * members / np.maximum((self.gdp * members).sum(1, keepdims=True), 1e-300)
            )
            gap_a = np.where(members & ok[:, None], spend_share - gdp_share, 0.0)
            self.gap += gap_a
            resentment += np.maximum(gap_a, 0.0)
        # 4. politics
        if self.on["politics"]:
            weariness = self.t("war_weariness") if self.on["war_costs"] else 0.0
            ds = (
                self.t("mean_reversion") * (self.s_target - self.s) * dt
                + self.t("support_volatility") * np.sqrt(dt) * rng.standard_normal((n, S))
                - (self.t("burden_resentment") * resentment + weariness * war_now) * dt
            )
            self.s = np.where(self.adv, self.s, self.s + ds)
            self.u = _sigmoid(self.s)
        if self.on["elections"]:
            due = (step + 1) * dt + 1e-9 >= self.next_election
            period = sc.state_attr[self.g][:, L.SA_ELECTION_PERIOD]
            self.next_election = np.where(due, self.next_election + period, self.next_election)
            change = due & (rng.random((n, S)) < self.t("turnover"))
            sceptic = (rng.random((n, S)) < 1 - self.u).astype(float)
            self.sceptic = np.where(change, sceptic, self.sceptic)
        # 5. credibility, for targets only: arrays [N, ally i, target]
        self.credibility(live_alive)
        # 6-9. crises, pair by pair in (k, j) order; membership changes only at exit
        two_or_more = live_alive.sum(axis=2) >= 2  # [N, A]
        for k in np.flatnonzero(self.adv):
            for j in range(S):
                if self.w[k, j] > 0:
                    self.crisis(int(k), j, live_alive, two_or_more)
        # wars: attrition, then ends
        at_war = self.war.any(axis=(1, 2))
        if self.on["war_costs"]:
            self.capital = np.where(
                at_war, self.capital * (1 - self.t("attrition") * dt), self.capital
            )
        active = self.war.any(axis=3)  # [N, k, j]
        ends = active & (
            rng.random(active.shape) < (dt / self.theta["war_duration_years"])[:, None, None]
        )
        self.war[ends] = False
        self.at_war = np.asarray(self.war.any(axis=(1, 2)))
        # 10. exit
        if self.on["exit"]:
            self.exits(dt)

    def free_riding(self, live_alive: np.ndarray) -> np.ndarray:
        """Share of allied capability not a state's own, [N, S] (0 without allies)."""
        S = self.sc.n_states
        together = np.einsum("nai,naj->nij", live_alive, live_alive)
        together[:, np.arange(S), np.arange(S)] = False
        allied = np.einsum("nij,nj->ni", together.astype(float), self.capital)
        return np.where(allied > 0, allied / (self.capital + allied), 0.0)

    def credibility(self, live_alive: np.ndarray) -> None:
        sc, n = self.sc, self.n
        S, J = sc.n_states, len(self.targets)
        tj = self.targets
        own = (
            self.t("b_intercept")
            + self.t("b_support") * (self.u - 0.5)
            + self.t("b_reputation") * (self.rep - 0.5)
            - self.t("b_sceptic") * self.sceptic
            - self.t("b_recession") * self.recession
        )[:, :, None] + self.t("b_interest")[:, :, None] * self.interest[None, :, tj]
        reach = np.where(
            self.same_region[:, tj], 1.0, sc.state_attr[self.g][:, L.SA_REACH][:, None]
        )
        self.h = np.zeros((n, S, J))
        self.eff = np.zeros((n, S, J))
        self.obligation = np.full((n, S, J), -1)
        best = np.full((n, S, J), -1.0)
        not_self = np.arange(S)[:, None] != tj[None, :]
        for a in range(sc.n_alliances):
            both = live_alive[:, a, :, None] & live_alive[:, a, tj][:, None, :]
            both &= not_self[None] & self.friendly[None, :, None]
            e, iota = self.attr[a, L.AA_EXPLICITNESS], self.attr[a, L.AA_INTEROPERABILITY]
            z = own + self.t("b_explicitness")[:, :, None] * e
            if self.attr[a, L.AA_EXIT_NOTICE] < 0:
                hollow = self.u < self.theta["hollow_threshold"][:, None]
                z = z - np.where(hollow, self.t("hollow_penalty"), 0.0)[:, :, None]
            if self.on["collective_action"]:
                # the target's n = m - 1 allies in a share the obligation: the pull to
                # leave it to the others grows as 1 - 1/n (0 in a bilateral pact), and
                # shrinks as the treaty spells the obligation out (explicitness e)
                sharing = np.maximum(live_alive[:, a, :].sum(axis=1) - 1, 1)
                diffusion = (1.0 - 1.0 / sharing) * (1.0 - e)
                z = z - self.t("b_co_obligated")[:, :, None] * diffusion[:, None, None]
            h = _sigmoid(z)
            obligation = int(self.attr[a, L.AA_OBLIGATION])
            if obligation == L.OBLIGATION_CONSULTATION:
                h = 0.5 * h
            delay = 0.0
            if int(self.attr[a, L.AA_DECISION]) == L.DECISION_CONSENSUS:
                delay = self.t("consensus_drag")[:, :, None] * (1 - iota)
            eff = iota * reach[None] * (1 - delay)
            better = both & (h * eff > best)
            best = np.where(better, h * eff, best)
            self.h = np.where(better, h, self.h)
            self.eff = np.where(better, eff, self.eff)
            self.obligation = np.where(better, obligation, self.obligation)

    def crisis(self, k: int, j: int, live_alive: np.ndarray, two_or_more: np.ndarray) -> None:
        sc, n, rng, dt, ev = self.sc, self.n, self.rng, self.sc.dt, self.events
        S = sc.n_states
        col = int(np.searchsorted(self.targets, j))
        h, eff = self.h[:, :, col], self.eff[:, :, col]
        bound = self.obligation[:, :, col] >= 0  # [N, S]
        free_pair = ~np.asarray(self.war[:, k].any(axis=1))[
            :, j
        ]  # j not at war with k in any of k's wars
        w = self.w[k, j]
        with_j = live_alive[:, :, j] & two_or_more  # [N, A]
        protected = with_j.any(axis=1)
        control = np.where(with_j, self.attr[None, :, L.AA_ESCALATION_CONTROL], 0.0).max(
            axis=1, initial=0.0
        )
        provoked = np.zeros(n, dtype=bool)
        if self.on["provocation"]:
            backing = (h * eff * self.capital * bound).sum(axis=1) / self.capital[:, k]
            hazard = (
                self.theta["provocation_rate"]
                * (1 + self.theta["moral_hazard"] * backing)
                * (1 - control)
                * w
            )
            provoked = free_pair & protected & (rng.random(n) < 1 - np.exp(-hazard * dt))
        rate = self.theta["scale"] * self.theta["opportunity_rate"] * w
        opportunity = free_pair & ~provoked & (rng.random(n) < 1 - np.exp(-rate * dt))
        resolve = self.crisis_draw(L.RESOLVE, n)
        resolve = np.where(provoked, resolve * self.theta["provoked_resolve"], resolve)
        gamma, cost = self.theta["contest_exponent"], self.theta["war_cost"]

        def contest(defence):
            return 1.0 / (1.0 + (defence / self.capital[:, k]) ** gamma)

        # v2 fait accompli: with weight phi the forces on the spot (the target and its
        # allies in its region) decide before distant allies arrive
        local = self.same_region[:, j][None, :]
        phi = self.theta["fait_accompli"] if self.on["fait_accompli"] else 0.0

        def p_win(contributions):
            """k's chance of winning against the target plus ``contributions`` [N, S]."""
            full = contest(self.capital[:, j] + contributions.sum(axis=1))
            on_the_spot = contest(self.capital[:, j] + (contributions * local).sum(axis=1))
            return phi * on_the_spot + (1 - phi) * full

        perceived_h = h
        if self.on["misperception"]:
            noise = self.t("misperception") * rng.standard_normal((n, S))
            hc = np.clip(h, 1e-300, 1 - 1e-16)
            perceived_h = _sigmoid(np.log(hc) - np.log1p(-hc) + noise)
        p = p_win(perceived_h * eff * self.capital * bound)
        challenge = resolve * p - (1 - p) * cost > 0
        ev[:, j, L.EV_PROVOKED] += provoked
        ev[:, j, L.EV_OPPORTUNITIES] += opportunity
        ev[:, j, L.EV_DETERRED] += opportunity & ~challenge
        crisis = provoked | (opportunity & challenge)
        if not crisis.any():
            return
        self.n_crises += crisis
        ev[:, j, L.EV_CRISES] += crisis
        self.ever[:, j, L.BT_TARGETED] |= crisis
        in_cf = bound & crisis[:, None]
        keeps = in_cf & (rng.random((n, S)) < h)
        contribution = eff * self.capital
        defense_bound = in_cf & (self.obligation[:, :, col] == L.OBLIGATION_DEFENSE)
        owed = (contribution * defense_bound).sum(axis=1)
        delivered = (contribution * defense_bound * keeps).sum(axis=1)
        ev[:, :, L.EV_CF] += in_cf
        ev[:, :, L.EV_CF_HONOURED] += keeps
        p = p_win(contribution * keeps)
        defender = self.crisis_draw(L.DEFENDER_RESOLVE, n)
        defender = np.where(provoked, defender * (1 - control), defender)
        resists = defender * (1 - p) - p * cost > 0
        attacks = resolve * p - (1 - p) * cost > 0
        war = crisis & resists & attacks
        if self.on["stalemate"]:
            # v2: a crisis both sides would fight still ends short of war with chance s
            stalled = war & (rng.random(n) < self.theta["stalemate"])
            ev[:, j, L.EV_STALEMATES] += stalled
            war &= ~stalled
        ev[:, j, L.EV_YIELDED] += crisis & ~resists
        ev[:, j, L.EV_BACKED_DOWN] += crisis & resists & ~attacks
        participants = keeps & war[:, None]
        participants[:, k] |= war
        participants[:, j] |= war
        if self.on["intervention"]:
            # issue 18: states with no obligation to j, not already fighting k, join:
            # neighbours (j's region) with chance intervention, others with chance
            # intervention_distant x their reach
            fighting_k = self.war[:, k].any(axis=1)  # [N, S], before this war
            reach = sc.state_attr[self.g][:, L.SA_REACH]
            chance = np.where(
                self.same_region[None, :, j],
                self.t("intervention"),
                self.t("intervention_distant") * reach[None],
            )
            candidate = war[:, None] & self.friendly[None] & ~bound & ~participants & ~fighting_k
            joins = candidate & (rng.random((n, S)) < chance)
            ev[:, :, L.EV_INTERVENTIONS] += joins
            participants |= joins
        self.war[war, k, j] = participants[war]
        self.n_wars += war
        ev[:, j, L.EV_WARS_AS_TARGET] += war
        ev[:, :, L.EV_WAR_ENTRIES] += participants
        self.ever[:, :, L.BT_WAR] |= participants
        self.major |= war & (participants.sum(axis=1) >= 3)
        ev[:, :, L.EV_CF_WAR] += in_cf & war[:, None]
        ev[:, :, L.EV_CF_HONOURED_WAR] += keeps & war[:, None]
        # docs/model.md §4: entangled = honoured and at war (Beckley 2015); entrapped =
        # entangled in a crisis the protégé provoked (Snyder 1984), never for defending
        # it against an unprovoked attack; abandoned = attacked (the crisis became a war)
        # with under half the owed defence delivered (Leeds 2003)
        entangled = keeps & war[:, None]
        ev[:, :, L.EV_ENTANGLEMENTS] += entangled
        self.ever[:, :, L.BT_ENTANGLEMENT] |= entangled
        entrapped = entangled & provoked[:, None]
        ev[:, :, L.EV_ENTRAPMENTS] += entrapped
        self.ever[:, :, L.BT_ENTRAPMENT] |= entrapped
        low_interest = self.interest[:, j] < self.theta["entrapment_threshold"][:, None]
        low_or_provoked = entangled & (low_interest | provoked[:, None])
        ev[:, :, L.EV_LOW_INTEREST_OR_PROVOKED_WARS] += low_or_provoked
        self.ever[:, :, L.BT_LOW_INTEREST_OR_PROVOKED_WAR] |= low_or_provoked
        unsupported = crisis & (owed > 0) & (delivered < 0.5 * owed)
        ev[:, j, L.EV_UNSUPPORTED_CRISES] += unsupported
        self.ever[:, j, L.BT_UNSUPPORTED_CRISIS] |= unsupported
        abandoned = unsupported & war
        ev[:, j, L.EV_ABANDONMENTS] += abandoned
        self.ever[:, j, L.BT_ABANDONMENT] |= abandoned
        if self.on["politics"]:
            # the backlashes keep their triggers: a war for a low-interest or provoking
            # ally, any crisis in which the allies stood aside
            self.s = self.s - self.t("entrapment_backlash") * low_or_provoked
            self.s[:, j] -= self.theta["abandonment_backlash"] * unsupported
            self.u = np.where(self.adv, self.u, _sigmoid(self.s))
        if self.on["reputation"]:
            self.rep = np.where(
                in_cf, self.rep + self.t("reputation_learning") * (keeps - self.rep), self.rep
            )

    def exits(self, dt: float) -> None:
        sc, n = self.sc, self.n
        for a in range(sc.n_alliances):
            notice = self.attr[a, L.AA_EXIT_NOTICE]
            member = self.live[:, a, :] & self.alive[:, a, None]
            if notice >= 0:
                low = member & (self.u < self.attr[a, L.AA_EXIT_THRESHOLD])
                self.below[:, a, :] = np.where(low, self.below[:, a, :] + 1, 0)
                leaving = low & (self.below[:, a, :] * dt >= notice - 1e-9)
                self.live[:, a, :] &= ~leaving
                self.left[:, a] |= leaving.any(axis=1)
            ended = self.rng.random(n) < 1 - np.exp(-self.theta["termination_rate"] * dt)
            chief = sc.leader[a]
            lost_leader = ~self.live[:, a, chief] if chief >= 0 else np.zeros(n, dtype=bool)
            self.alive[:, a] &= ~(ended | (self.live[:, a, :].sum(axis=1) < 2) | lost_leader)

    def count(self, out: Counters, step: int) -> None:
        g = self.g
        out.by_time_state[g, step] += self.ever.sum(axis=0)
        intact = self.alive & ~self.left
        out.by_time_alliance[g, step, :, L.BA_INTACT] += intact.sum(axis=0)
        member_war = (self.member0[None] & self.ever[:, None, :, 0]).any(axis=2)
        out.by_time_alliance[g, step, :, L.BA_MEMBER_WAR] += member_war.sum(axis=0)
        out.by_time[g, step, L.BG_ANY_WAR] += (self.ever[:, :, 0] & self.friendly).any(axis=1).sum()
        out.by_time[g, step, L.BG_MAJOR_WAR] += self.major.sum()
        for q, value in (
            (L.MO_DEFENSE_SHARE, self.share),
            (L.MO_SUPPORT, self.u),
            (L.MO_REPUTATION, self.rep),
            (L.MO_BURDEN_GAP, self.gap),
        ):
            out.moments[g, step, :, q, 0] += value.sum(axis=0)
            out.moments[g, step, :, q, 1] += (value * value).sum(axis=0)

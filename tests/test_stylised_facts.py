"""Stylised facts of the alliance literature on the small regional scenario.

Each comparison asserts the direction of an effect with a margin of four
Monte Carlo standard errors of the difference. The two settings share common
random numbers, which correlates them positively; sqrt(se1² + se2²) ignores
that and so overstates the error: the tests are conservative.
"""

from __future__ import annotations

import copy
import math

import pytest

from forecaster.results import dim_name, to_dataset
from forecaster.scenario import compile_scenario
from forecaster.testing import bilateral_pact, simulate_in_order, spec_of

N = 6000


def run(spec, grid=None):
    sc = compile_scenario(spec, grid=grid)
    return to_dataset(sc, simulate_in_order(sc, N, 2026, 2000))


def assert_lower(low, low_se, high, high_se):
    margin = 4 * math.hypot(float(low_se), float(high_se))
    assert float(low) + margin < float(high), (float(low), float(high), margin)


@pytest.fixture(scope="module")
def regional():
    return spec_of("portfolio=regional")


def test_a_defence_pact_lowers_the_rate_of_challenges(regional):
    """Leeds 2003: defence pacts deter challenges against their members.

    A bilateral pact of the patron and its protégé: in the four-member pact the
    calibrated collective action (docs/validation.md) leaves the protégé's
    allies honouring so rarely that the pact deters little (0.6% fewer
    challenges, too few to tell at this size) — multilateral pacts deterring
    less is what the calibration to history implies."""
    bilateral = copy.deepcopy(regional)
    bilateral["portfolio"]["alliances"]["pact"]["members"] = ["PATRON", "PROTEGE"]
    alone = copy.deepcopy(regional)
    alone["portfolio"]["alliances"] = {}
    with_pact = run(bilateral).sel(state="PROTEGE")
    without = run(alone).sel(state="PROTEGE")
    challenged = with_pact.mean_crises - with_pact.mean_provoked
    assert float(without.mean_provoked) == 0.0  # an unprotected state does not provoke
    assert_lower(
        challenged, math.hypot(with_pact.mean_crises_se, with_pact.mean_provoked_se),
        without.mean_crises, without.mean_crises_se,
    )  # fmt: skip


def test_explicitness_trades_abandonment_for_entanglement(regional):
    """Snyder 1984: a clearer commitment abandons less and draws the patron into war more
    (entanglement: since issue 18 entrapment needs a provoked crisis, too rare here)."""
    key = "portfolio.alliances.pact.explicitness"
    ds = run(regional, grid={key: [0.1, 0.9]}).isel(time=-1)
    vague, clear = ds.isel({dim_name(key): 0}), ds.isel({dim_name(key): 1})
    protege, patron = {"state": "PROTEGE"}, {"state": "PATRON"}
    assert_lower(
        clear.p_abandonment.sel(protege), clear.p_abandonment_se.sel(protege),
        vague.p_abandonment.sel(protege), vague.p_abandonment_se.sel(protege),
    )  # fmt: skip
    assert_lower(
        vague.p_entanglement.sel(patron), vague.p_entanglement_se.sel(patron),
        clear.p_entanglement.sel(patron), clear.p_entanglement_se.sel(patron),
    )  # fmt: skip


def test_escalation_control_lowers_entrapment():
    """Restraint by the patron removes entrapment through provoked crises.

    At MODEL v2's prior values (``calibration=none``): under the calibrated
    honour the regional allies are so rarely at war that entrapment is too rare
    to measure at this size either way."""
    key = "portfolio.alliances.pact.escalation_control"
    ds = run(spec_of("portfolio=regional", "calibration=none"), grid={key: [0.0, 1.0]})
    ds = ds.isel(time=-1)
    loose, tight = ds.isel({dim_name(key): 0}), ds.isel({dim_name(key): 1})
    # the regional allies care about the protégé: only provoked wars entrap them
    for ally in ("ALLY_A", "ALLY_B"):
        sel = {"state": ally}
        assert_lower(tight.p_entrapment.sel(sel), tight.p_entrapment_se.sel(sel),
                     loose.p_entrapment.sel(sel), loose.p_entrapment_se.sel(sel))  # fmt: skip
    # and no one is entrapped more under tight control
    excess = tight.p_entrapment - loose.p_entrapment
    bound = 4 * (tight.p_entrapment_se**2 + loose.p_entrapment_se**2) ** 0.5
    assert bool((excess <= bound).all())


def test_an_ally_spends_less_as_its_partner_grows_stronger():
    """Olson & Zeckhauser 1966: allies free-ride on each other's strength.

    The observed starting shares already include today's free-riding (MODEL v2's
    fiscal anchor), so the fact is at the margin: as one of two equal partners
    grows faster over the decade, the other's share of the pair's capability falls
    and it spends less than it would beside a partner that stays its size."""
    pair = bilateral_pact()
    pair["portfolio"]["states"]["PATRON"].update({"gdp": 200, "region": "east"})
    pair["threat"]["opportunity_rate"] = 0.0  # no crises: spending alone
    faster = copy.deepcopy(pair)
    faster["portfolio"]["states"]["PATRON"]["growth"] = 0.10
    base, grown = run(pair).isel(time=-1), run(faster).isel(time=-1)
    before, after = base.sel(state="CLIENT"), grown.sel(state="CLIENT")
    assert_lower(after.mean_defense_share, after.mean_defense_share_se,
                 before.mean_defense_share, before.mean_defense_share_se)  # fmt: skip


def test_exit_terms_make_an_alliance_less_often_intact(regional):
    """Leeds & Savun 2007: exit terms let members leave."""
    with_exit = copy.deepcopy(regional)
    with_exit["portfolio"]["alliances"]["pact"]["exit"] = {
        "notice_years": 1.0, "support_threshold": 0.5,
    }  # fmt: skip
    closed = run(regional).isel(time=-1).sel(alliance="pact")
    open_ = run(with_exit).isel(time=-1).sel(alliance="pact")
    assert_lower(open_.p_intact, open_.p_intact_se, closed.p_intact, closed.p_intact_se)

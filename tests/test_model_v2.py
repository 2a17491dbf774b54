"""MODEL v2's mechanisms: closed forms where they exist, stylised facts where not.

Each test runs the kernels and the independent NumPy reference alike.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from forecaster.engine.reference import simulate_reference
from forecaster.results import to_dataset
from forecaster.scenario import compile_scenario
from forecaster.testing import bilateral_pact, no_alliances, pinned, simulate_in_order

N = 20_000
ENGINES = ["kernel", "reference"]


def simulate(engine: str, spec: dict, n: int = N, seed: int = 5):
    sc = compile_scenario(spec)
    counts = (
        simulate_in_order(sc, n, seed, 5000)
        if engine == "kernel"
        else (simulate_reference(sc, n, seed))
    )
    return to_dataset(sc, counts)


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def multilateral_pact(members: int) -> dict:
    """A client and ``members - 1`` allies in one defence pact; one adversary targets the client."""
    spec = bilateral_pact()
    states = spec["portfolio"]["states"]
    names = ["PATRON", "CLIENT"]
    for m in range(members - 2):
        name = f"ALLY{m}"
        states[name] = {"gdp": 300, "defense_share": 0.02, "region": "east", "election_period": 4}
        names.append(name)
    spec["portfolio"]["alliances"]["pact"]["members"] = names
    return spec


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("members", [2, 5])
def test_collective_action_lowers_honour_by_beta_times_one_minus_one_over_n(engine, members):
    h, beta = 0.6, 2.0
    spec = pinned(multilateral_pact(members), rate=0.3, honour=h)
    spec["political"]["honour"]["co_obligated"] = beta
    e = spec["portfolio"]["alliances"]["pact"]["explicitness"]  # 0.6: the penalty's 1 - e
    ds = simulate(engine, spec)
    allies = members - 1  # the client's co-obligated allies
    expected = logistic(math.log(h / (1 - h)) - beta * (1 - 1 / allies) * (1 - e))
    for ally in [s for s in ds.state.values if s not in ("CLIENT", "RIVAL")]:
        got = float(ds.p_honour.sel(state=ally))
        se = float(ds.p_honour_se.sel(state=ally))
        assert abs(got - expected) < 4 * se, (ally, got, expected, se)
    if members == 2:
        assert expected == pytest.approx(h)  # a bilateral pact is untouched


@pytest.mark.parametrize("engine", ENGINES)
def test_collective_action_off_is_v1(engine):
    spec = pinned(multilateral_pact(5), rate=0.3, honour=0.6)
    spec["political"]["honour"]["co_obligated"] = 2.0
    spec["mechanisms"]["collective_action"] = False
    ds = simulate(engine, spec, n=8000)
    got, se = float(ds.p_honour.sel(state="PATRON")), float(ds.p_honour_se.sel(state="PATRON"))
    assert abs(got - 0.6) < 4 * se


def one_target() -> dict:
    spec = no_alliances()
    del spec["portfolio"]["states"]["MID"]
    spec["portfolio"]["states"]["BIG"]["targets"] = {"SMALL": 1.0}
    return spec


@pytest.mark.parametrize("engine", ENGINES)
def test_stalemate_makes_war_a_share_one_minus_s_of_crises_that_would_be_wars(engine):
    rate, s = 0.3, 0.4
    spec = pinned(one_target(), rate=rate)
    spec["threat"]["stalemate"] = s
    ds = simulate(engine, spec).sel(state="SMALL")
    # every crisis would be a war; each ends in war with chance 1 - s, else in stalemate.
    # Until the first war every step has a crisis with chance q, a war with chance q (1 - s)
    q = 1 - math.exp(-rate * 0.25)
    steps = np.arange(1, ds.sizes["time"] + 1)
    expected = 1 - (1 - q * (1 - s)) ** steps
    se = np.sqrt(expected * (1 - expected) / N)
    np.testing.assert_array_less(np.abs(ds.p_war.values - expected), 4 * se)
    crises, stalemates = float(ds.mean_crises), float(ds.mean_stalemates)
    wars = float(ds.mean_wars_as_target)
    assert crises == pytest.approx(wars + stalemates)
    # stalemates per crisis: a ratio of sums, error from the per-trajectory spread
    share = stalemates / crises
    assert abs(share - s) < 4 * math.sqrt(s * (1 - s) / (crises * N))


def distant_patron() -> dict:
    """A strong patron in another region and its client against a regional rival."""
    spec = bilateral_pact()
    spec["portfolio"]["states"]["PATRON"]["reach"] = 1.0
    spec["portfolio"]["alliances"]["pact"]["interoperability"] = 1.0
    return spec


@pytest.mark.parametrize("engine", ENGINES)
def test_a_full_fait_accompli_ignores_distant_allies_in_the_adversarys_odds(engine):
    """phi = 1: only the forces on the spot count, so the client is challenged as if
    it had no distant ally; the patron, when it honours, is drawn into those wars."""
    spec = distant_patron()
    spec["mechanisms"].update({"provocation": False, "exit": False, "misperception": False})
    spec["threat"]["fait_accompli"] = 1.0
    alone = copy.deepcopy(spec)
    alone["portfolio"]["alliances"] = {}
    with_pact, without = simulate(engine, spec), simulate(engine, alone)
    for var in ("p_targeted", "p_war"):
        a = with_pact[var].sel(state="CLIENT").isel(time=-1)
        b = without[var].sel(state="CLIENT").isel(time=-1)
        se = math.hypot(
            float(with_pact[f"{var}_se"].sel(state="CLIENT").isel(time=-1)),
            float(without[f"{var}_se"].sel(state="CLIENT").isel(time=-1)),
        )
        if engine == "kernel":  # keyed randomness: the same draws decide both
            assert float(a) == float(b), var
        else:
            assert abs(float(a) - float(b)) < 4 * se, var
    assert float(with_pact.p_war.sel(state="PATRON").isel(time=-1)) > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_the_fait_accompli_puts_an_honouring_great_power_at_war(engine):
    spec = distant_patron()
    off = copy.deepcopy(spec)
    off["mechanisms"]["fait_accompli"] = False
    spec["threat"]["fait_accompli"] = 0.5
    on, v1 = simulate(engine, spec, n=10_000), simulate(engine, off, n=10_000)
    war_on = float(on.p_war.sel(state="PATRON").isel(time=-1))
    war_off = float(v1.p_war.sel(state="PATRON").isel(time=-1))
    se = float(on.p_war_se.sel(state="PATRON").isel(time=-1))
    assert war_on > war_off + 4 * se  # local balance: the strong patron no longer deters alone


@pytest.mark.parametrize("engine", ENGINES)
def test_burn_in_is_simulated_but_not_counted(engine):
    rate = 0.3
    spec = pinned(one_target(), rate=rate)
    spec["threat"]["war_duration_years"] = 0.25  # every war ends with its step: stationary
    spec["run"]["burn_in_years"] = 5.0
    ds = simulate(engine, spec).sel(state="SMALL")
    q = 1 - math.exp(-rate * 0.25)
    steps = np.arange(1, ds.sizes["time"] + 1)
    expected = 1 - (1 - q) ** steps
    se = np.sqrt(expected * (1 - expected) / N)
    np.testing.assert_array_less(np.abs(ds.p_war.values - expected), 4 * se)
    # crises of the counted window only: q per step over the horizon
    crises, crises_se = float(ds.mean_crises), float(ds.mean_crises_se)
    assert abs(crises - q * ds.sizes["time"]) < 4 * crises_se


def quiet_pact() -> dict:
    """A pact with no shocks, no crises and no target above anyone's starting share."""
    spec = bilateral_pact()
    spec["mechanisms"].update({"economy": False, "provocation": False, "exit": False,
                               "politics": False, "elections": False})  # fmt: skip
    spec["threat"]["opportunity_rate"] = 0.0
    spec["fiscal"].update({"spending_noise": 0.0, "compliance": 0.0, "free_riding": 0.01})
    spec["portfolio"]["alliances"]["pact"]["spending_target"] = 0.0
    return spec


@pytest.mark.parametrize("engine", ENGINES)
def test_the_fiscal_anchor_keeps_observed_shares_where_nothing_changes(engine):
    anchored = simulate(engine, quiet_pact(), n=50)
    drifting_spec = quiet_pact()
    drifting_spec["mechanisms"]["fiscal_anchor"] = False
    drifting = simulate(engine, drifting_spec, n=50)
    start = {"PATRON": 0.03, "CLIENT": 0.02}
    for state, share in start.items():
        end = float(anchored.mean_defense_share.sel(state=state).isel(time=-1))
        assert end == pytest.approx(share, rel=1e-6), state
    # v1.1 subtracts free-riding again from shares that already include it
    client_end = float(drifting.mean_defense_share.sel(state="CLIENT").isel(time=-1))
    assert client_end < start["CLIENT"] - 0.002


@pytest.mark.parametrize("engine", ENGINES)
def test_an_integrated_pact_keeps_the_share_kappa_of_the_collective_action_penalty_off(engine):
    h, beta, kappa = 0.6, 2.0, 0.5
    spec = pinned(multilateral_pact(5), rate=0.3, honour=h)
    spec["political"]["honour"].update({"co_obligated": beta, "institutionalised": kappa})
    spec["portfolio"]["alliances"]["pact"]["institutionalisation"] = "high"
    e = spec["portfolio"]["alliances"]["pact"]["explicitness"]
    ds = simulate(engine, spec)
    penalty = beta * (1 - 1 / 4) * (1 - e) * (1 - kappa)
    expected = logistic(math.log(h / (1 - h)) - penalty)
    for ally in [s for s in ds.state.values if s not in ("CLIENT", "RIVAL")]:
        got = float(ds.p_honour.sel(state=ally))
        se = float(ds.p_honour_se.sel(state=ally))
        assert abs(got - expected) < 4 * se, (ally, got, expected, se)
    # a lower tier keeps the whole penalty
    spec["portfolio"]["alliances"]["pact"]["institutionalisation"] = "moderate"
    ds = simulate(engine, spec)
    full = logistic(math.log(h / (1 - h)) - beta * (1 - 1 / 4) * (1 - e))
    got = float(ds.p_honour.sel(state="PATRON"))
    assert abs(got - full) < 4 * float(ds.p_honour_se.sel(state="PATRON"))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_targets_provocation_weight_scales_its_provocations_alone(engine):
    # The provocation hazard of CLIENT against RIVAL is weighed by RIVAL's `provocations`
    # entry (default: the targets weight); 0 stops CLIENT's provocations, the opportunities
    # stay; the default and an explicit copy of the targets weight give the same counts.
    spec = bilateral_pact()
    spec["threat"]["provocation_rate"] = 0.5
    base = simulate(engine, spec, n=4000)
    same = copy.deepcopy(spec)
    same["portfolio"]["states"]["RIVAL"]["provocations"] = {"CLIENT": 1.0}
    explicit = simulate(engine, same, n=4000)
    assert float(base.mean_provoked.sel(state="CLIENT")) > 0
    if engine == "kernel":  # keyed randomness: the same draws decide the same crises
        assert base.mean_provoked.equals(explicit.mean_provoked)
        assert base.mean_opportunities.equals(explicit.mean_opportunities)
    none = copy.deepcopy(spec)
    none["portfolio"]["states"]["RIVAL"]["provocations"] = {"CLIENT": 0.0}
    quiet = simulate(engine, none, n=4000)
    assert float(quiet.mean_provoked.sel(state="CLIENT")) == 0.0
    assert float(quiet.mean_opportunities.sel(state="CLIENT")) > 0

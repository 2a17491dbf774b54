"""Cases with exact answers: the geometric law of first war, pinned honour."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.engine.reference import simulate_reference
from forecaster.results import to_dataset
from forecaster.scenario import compile_scenario
from forecaster.testing import bilateral_pact, no_alliances, pinned, simulate_in_order

N = 20_000


def one_target() -> dict:
    spec = no_alliances()
    del spec["portfolio"]["states"]["MID"]
    spec["portfolio"]["states"]["BIG"]["targets"] = {"SMALL": 0.8}
    return spec


@pytest.mark.parametrize("engine", ["kernel", "reference"])
def test_first_war_follows_the_geometric_law(engine):
    rate, weight = 0.3, 0.8
    sc = compile_scenario(pinned(one_target(), rate=rate))
    counts = (
        simulate_in_order(sc, N, 11, 5000) if engine == "kernel" else simulate_reference(sc, N, 11)
    )
    ds = to_dataset(sc, counts).sel(state="SMALL")
    t = ds.time.values
    expected = 1 - np.exp(-rate * weight * t)
    se = np.sqrt(expected * (1 - expected) / N)
    np.testing.assert_array_less(np.abs(ds.p_war.values - expected), 4 * se)
    # every crisis became a war and every war is the first (wars outlast the horizon)
    assert float(ds.p_targeted.isel(time=-1)) == float(ds.p_war.isel(time=-1))


@pytest.mark.parametrize("engine", ["kernel", "reference"])
def test_pinned_honour_gives_h_times_the_geometric_law(engine):
    rate, h = 0.25, 0.65
    sc = compile_scenario(pinned(bilateral_pact(), rate=rate, honour=h))
    counts = (
        simulate_in_order(sc, N, 12, 5000) if engine == "kernel" else simulate_reference(sc, N, 12)
    )
    ds = to_dataset(sc, counts)
    t = ds.time.values
    expected = h * (1 - np.exp(-rate * t))
    se = np.sqrt(expected * (1 - expected) / N)
    patron = ds.p_war.sel(state="PATRON").values
    np.testing.assert_array_less(np.abs(patron - expected), 4 * se)
    reliability = float(ds.p_honour.sel(state="PATRON"))
    reliability_se = float(ds.p_honour_se.sel(state="PATRON"))
    assert abs(reliability - h) < 4 * reliability_se
    # with a single ally, abandonment is exactly "the ally did not honour"
    abandoned = ds.p_abandonment.sel(state="CLIENT").isel(time=-1)
    targeted = ds.p_targeted.sel(state="CLIENT").isel(time=-1)
    assert abs(float(abandoned) - (1 - h) * float(targeted)) < 4 * float(
        np.sqrt(h * (1 - h) * targeted / N)
    )
    # every crisis is a war here, so an unsupported crisis is an abandonment
    np.testing.assert_array_equal(ds.p_abandonment.values, ds.p_unsupported_crisis.values)
    # the patron goes to war only by honouring: every war of its is an entanglement,
    # and none an entrapment, for no crisis is provoked (defending against an
    # unprovoked attack is not entrapment, docs/model.md §4)
    np.testing.assert_array_equal(ds.p_entanglement.sel(state="PATRON").values, patron)
    assert float(ds.p_entanglement.sel(state="PATRON").isel(time=-1)) > 0.1
    assert not ds.p_entrapment.values.any()


@pytest.mark.parametrize("engine", ["kernel", "reference"])
def test_an_alliance_ends_at_its_institutionalisation_tiers_hazard(engine):
    # No crises, no exit terms: the pact ends only by its background hazard, the tier's
    # (0.2 a year) where it has one, else the pooled termination_rate (0.05).
    spec = bilateral_pact()
    spec["threat"]["scale"] = 0.0
    spec["political"]["termination_rate"] = 0.05
    spec["political"]["termination_by_tier"] = {"low": 0.01, "moderate": 0.1, "high": 0.2}
    untiered = compile_scenario(spec)
    spec["portfolio"]["alliances"]["pact"]["institutionalisation"] = "high"
    tiered = compile_scenario(spec)
    for sc, rate in ((tiered, 0.2), (untiered, 0.05)):
        counts = (
            simulate_in_order(sc, N, 13, 5000)
            if engine == "kernel"
            else simulate_reference(sc, N, 13)
        )
        intact = to_dataset(sc, counts).p_intact.sel(alliance="pact")
        expected = np.exp(-rate * intact.time.values)
        se = np.sqrt(expected * (1 - expected) / N)
        np.testing.assert_array_less(np.abs(intact.values - expected), 4 * se + 1e-12)

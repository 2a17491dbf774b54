"""Intervention without obligation (issue 18 item 5, docs/model.md §3c).

States outside the target's alliances join a war on it: neighbours with chance
``threat.intervention``, states elsewhere with ``threat.intervention_distant``
times their reach. With every opportunity a war
and wars that outlast the horizon, a bystander's P(war by t) is that chance
times the target's, in the kernels and the reference alike.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from forecaster.engine.reference import simulate_reference
from forecaster.results import to_dataset
from forecaster.scenario import compile_scenario
from forecaster.testing import base_spec, pinned, simulate_in_order

N = 20_000
RATE, P_JOIN, P_FAR, REACH = 0.2, 0.4, 0.6, 0.5


def bystanders() -> dict:
    """An adversary, its one target, a neighbour of the target and a distant power."""
    spec = base_spec()
    spec["portfolio"]["states"] = {
        "ADV": {"gdp": 2000, "defense_share": 0.04, "region": "east", "adversary": True,
                "targets": {"TARGET": 1.0}},
        "TARGET": {"gdp": 300, "defense_share": 0.02, "region": "east"},
        "NEIGHBOUR": {"gdp": 500, "defense_share": 0.02, "region": "east"},
        "POWER": {"gdp": 9000, "defense_share": 0.03, "region": "west", "reach": REACH},
        "ISLAND": {"gdp": 100, "defense_share": 0.02, "region": "west", "reach": 0.0},
    }  # fmt: skip
    spec = pinned(spec, rate=RATE)
    spec["threat"]["intervention"] = P_JOIN
    spec["threat"]["intervention_distant"] = P_FAR
    return spec


def _run(engine: str, spec: dict):
    sc = compile_scenario(spec)
    counts = (
        simulate_in_order(sc, N, 3, 5000) if engine == "kernel" else simulate_reference(sc, N, 3)
    )
    return to_dataset(sc, counts)


@pytest.mark.parametrize("engine", ["kernel", "reference"])
def test_a_bystander_joins_with_intervention_times_its_reach(engine):
    ds = _run(engine, bystanders())
    t = ds.time.values
    target = 1 - np.exp(-RATE * t)
    np.testing.assert_array_equal(ds.p_war.sel(state="TARGET").values,
                                  ds.p_targeted.sel(state="TARGET").values)  # fmt: skip
    for state, chance in (("NEIGHBOUR", P_JOIN), ("POWER", P_FAR * REACH)):
        expected = chance * target
        se = np.sqrt(expected * (1 - expected) / N)
        got = ds.p_war.sel(state=state).values
        assert np.all(np.abs(got - expected) < 4 * se + 1e-12), (state, got[-1], expected[-1])
        # no commitment drew them in: not entangled, not entrapped
        assert not ds.p_entanglement.sel(state=state).values.any()
        assert float(ds.mean_interventions.sel(state=state)) == pytest.approx(
            float(ds.p_war.sel(state=state).isel(time=-1))
        )  # one war a trajectory at most: it outlasts the horizon
    # a state without reach abroad never joins a distant war
    assert not ds.p_war.sel(state="ISLAND").values.any()


def test_intervention_off_or_zero_changes_no_count():
    on = compile_scenario(bystanders())
    zero = copy.deepcopy(bystanders())
    zero["threat"]["intervention"] = 0.0
    zero["threat"]["intervention_distant"] = 0.0
    off = copy.deepcopy(bystanders())
    off["mechanisms"]["intervention"] = False
    a, b = (simulate_in_order(compile_scenario(s), 2000, 3, 500) for s in (zero, off))
    for name in ("by_time_state", "by_time_alliance", "by_time", "events", "histograms"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    joined = simulate_in_order(on, 2000, 3, 500)
    # the same wars against the target: interveners join after the decision to fight
    target = list(on.state_names).index("TARGET")
    np.testing.assert_array_equal(joined.by_time_state[..., target, :],
                                  a.by_time_state[..., target, :])  # fmt: skip
    assert joined.events[0, :, :, 0].sum() > a.events[0, :, :, 0].sum()

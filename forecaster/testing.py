"""Named scenario cases shared by the tests and the benchmarks, and small helpers.

One table drives both (as numbagg does): the tests check the engine on these
cases, and the benchmarks time it on the same ones. Each case is a function
returning a fresh scenario specification (plain dicts) that callers may change.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

from .config import compose, to_spec
from .engine import Counters
from .execution import execute
from .scenario import Scenario


def spec_of(*overrides: str) -> dict:
    """The scenario specification (plain dicts) of a composed config.

    Examples
    --------
    >>> spec_of("portfolio=regional", "threat.scale=2")["threat"]["scale"]
    2
    """
    return to_spec(compose(list(overrides)))


def simulate_in_order(
    scenario: Scenario, trajectories: int, seed: int, block_size: int
) -> Counters:
    """Counters of ``trajectories`` per grid row, in this process, by the one executor."""
    total, _ = execute(scenario, seed, trajectories, block_size, client=None, progress=False)
    return total


def base_spec(**mechanisms: bool) -> dict:
    """Baseline threat/fiscal/political groups with an empty portfolio to fill in."""
    spec = spec_of("portfolio=regional")
    spec["portfolio"] = {"name": "test", "states": {}, "alliances": {}, "interest": {}}
    spec["mechanisms"] = dict(mechanisms)
    return spec


def no_alliances() -> dict:
    """One adversary and two unallied targets."""
    spec = base_spec()
    spec["portfolio"]["states"] = {
        "BIG": {"gdp": 3000, "defense_share": 0.04, "region": "east", "adversary": True,
                "targets": {"SMALL": 1.0, "MID": 0.5}},
        "SMALL": {"gdp": 300, "defense_share": 0.02, "region": "east", "election_period": 4},
        "MID": {"gdp": 900, "defense_share": 0.02, "region": "east", "election_period": 5},
    }  # fmt: skip
    return spec


def bilateral_pact() -> dict:
    """A distant patron and its protégé in one unilateral defence pact."""
    spec = base_spec()
    spec["portfolio"]["states"] = {
        "PATRON": {"gdp": 20000, "defense_share": 0.03, "region": "west", "reach": 0.4,
                   "election_period": 4},
        "CLIENT": {"gdp": 200, "defense_share": 0.02, "region": "east", "election_period": 4},
        "RIVAL": {"gdp": 2000, "defense_share": 0.04, "region": "east", "adversary": True,
                  "targets": {"CLIENT": 1.0}},
    }  # fmt: skip
    spec["portfolio"]["alliances"] = {
        "pact": {"members": ["PATRON", "CLIENT"], "leader": "PATRON", "obligation": "defense",
                 "explicitness": 0.6, "interoperability": 0.7, "decision": "unilateral",
                 "spending_target": 0.02, "escalation_control": 0.2, "exit": None},
    }  # fmt: skip
    return spec


def consensus_alliance() -> dict:
    """Five members under consensus with exit terms, a consultation pact, two adversaries."""
    spec = base_spec()
    spec["portfolio"]["states"] = {
        "LEAD": {"gdp": 15000, "defense_share": 0.03, "region": "west", "reach": 0.6,
                 "election_period": 4},
        "A": {"gdp": 1500, "defense_share": 0.015, "region": "north", "election_period": 4},
        "B": {"gdp": 600, "defense_share": 0.02, "region": "north", "election_period": 5},
        "C": {"gdp": 400, "defense_share": 0.012, "region": "south", "election_period": 4,
              "support": {"dist": "beta", "a": 3, "b": 3}},
        "D": {"gdp": 250, "defense_share": 0.025, "region": "south", "election_period": 3},
        "NORTHERN": {"gdp": 1800, "defense_share": 0.05, "region": "north", "adversary": True,
                     "targets": {"A": 0.6, "B": 1.0}},
        "SOUTHERN": {"gdp": 1200, "defense_share": 0.04, "region": "south", "adversary": True,
                     "targets": {"C": 1.0, "D": 0.8, "B": 0.2}},
    }  # fmt: skip
    spec["portfolio"]["alliances"] = {
        "league": {"members": ["LEAD", "A", "B", "C", "D"], "leader": "LEAD",
                   "obligation": "defense", "explicitness": 0.7, "interoperability": 0.6,
                   "decision": "consensus", "spending_target": 0.02, "escalation_control": 0.4,
                   "exit": {"notice_years": 1.0, "support_threshold": 0.45}},
        "forum": {"members": ["LEAD", "C", "D"], "obligation": "consultation",
                  "explicitness": 0.3, "interoperability": 0.5, "decision": "unilateral",
                  "spending_target": 0.0, "escalation_control": 0.0, "exit": None},
    }  # fmt: skip
    spec["portfolio"]["interest"] = {"same_region": 0.8, "other_region": 0.3,
                                     "pairs": {"LEAD": {"B": 0.6}}}  # fmt: skip
    return spec


def shipped(portfolio: str) -> Callable[[], dict]:
    """A case of a shipped portfolio with the default threat, fiscal and political groups."""
    return lambda: spec_of(f"portfolio={portfolio}")


#: synthetic cases with known structure (tests), then the shipped portfolios (both)
CASES: dict[str, Callable[[], dict]] = {
    "no_alliances": no_alliances,
    "bilateral_pact": bilateral_pact,
    "consensus_alliance": consensus_alliance,
    **{p: shipped(p) for p in ("regional", "nato", "indo_pacific", "us_global")},
}
#: the synthetic cases the reference-agreement and invariance tests run
SYNTHETIC = ("no_alliances", "bilateral_pact", "consensus_alliance")


def pinned(spec: dict, *, rate: float, honour: float | None = None) -> dict:
    """Every opportunity becomes a war: fixed rate, overwhelming resolve, costless war."""
    spec = copy.deepcopy(spec)
    spec["threat"].update({
        "opportunity_rate": rate, "scale": 1.0, "resolve": 1e9, "defender_resolve": 1.0,
        "war_cost": 0.0, "war_duration_years": 1e9, "stalemate": 0.0, "intervention": 0.0,
        "intervention_distant": 0.0,
    })  # fmt: skip
    spec["mechanisms"].update({"provocation": False, "exit": False})
    if honour is not None:
        coefficients = dict.fromkeys(spec["political"]["honour"], 0.0)
        coefficients["intercept"] = math.log(honour / (1 - honour))
        spec["political"]["honour"] = coefficients
        spec["political"]["hollow_penalty"] = 0.0
    return spec

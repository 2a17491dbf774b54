"""The one declarative schema: pydantic models of the scenario, its errors in the house words,
its cross-references, the docs' tables it generates, and arrays unchanged by it."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from forecaster.cli import config_tables
from forecaster.cli import main as cli
from forecaster.errors import ConfigError, problems_of
from forecaster.kernels import layout
from forecaster.scenario import compile_scenario
from forecaster.scenario.compile import validate
from forecaster.scenario.models import Spec
from forecaster.testing import CASES, bilateral_pact, spec_of

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def problems(spec: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate(spec)
    return err.value.problems


# ---------------------------------------------------------------- did you mean
@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (["threat.sclae=2"], "threat.sclae: unknown key (Key 'sclae' is not in struct); "
                             "did you mean 'scale'?"),
        (["+threat.sclae=2"], "; did you mean 'scale'?"),
        (["mechanisms.economi=false"], "mechanisms.economi: unknown key (Key 'economi' not in "
                                       "'MechanismsConf'); did you mean 'economy'?"),
        (["cluster.n_worker=2"], "did you mean 'n_workers'?"),
        (["run.trajectorie=5"], "did you mean 'trajectories'?"),
        (["cluster.kind=locl"], "cluster.kind = 'locl': must be one of local, address, slurm, "
                                "pbs, in_process; did you mean 'local'?"),
        (["output.formats=[zar]"], "output.formats = 'zar': allowed formats are zarr, netcdf; "
                                   "did you mean 'zarr'?"),
        (["+portfolio.states.POL.regoin=x"], "portfolio.states.POL.regoin = 'x': unknown key "
            "(allowed: adversary, defense_share, election_period, gdp, growth, provocations, "
            "reach, region, support, targets); did you mean 'region'?"),
        (["portfolio.alliances.nato.obligation=defence"],
         "obligation = 'defence': must be 'defense' or 'consultation'; did you mean 'defense'?"),
        (["threat.resolve.dist=lognorma"], "threat.resolve.dist = 'lognorma': must be one of "
            "fixed, uniform, normal, lognormal, beta, gamma, triangular; "
            "did you mean 'lognormal'?"),
    ],
    ids=lambda x: " ".join(x) if isinstance(x, list) else "",
)  # fmt: skip
def test_an_unknown_key_or_option_suggests_the_closest(overrides, line, capsys, tmp_path):
    assert cli.main([*overrides, f"hydra.run.dir={tmp_path}"]) == 2
    assert line in capsys.readouterr().err


def test_no_suggestion_when_nothing_is_close():
    spec = spec_of()
    spec["threat"]["zzz"] = 1
    (line,) = problems(spec)
    assert line.startswith("threat.zzz = 1: unknown key (allowed: attrition, ")
    assert "did you mean" not in line


# ---------------------------------------------------------------- the house words
def test_a_validation_error_becomes_one_house_line_per_problem():
    spec = spec_of()
    spec["threat"]["war_cost"] = -1
    spec["threat"]["resolve"] = {"dist": "lognormal", "median": 0.2, "mode": 1}
    spec["fiscal"]["compliance"] = {"dist": "uniform", "low": 0.8, "high": 0.2}
    spec["political"]["turnover"] = {"dist": "normal", "mean": 0.4, "sd": 0.1}
    spec["portfolio"]["states"]["USA"]["gdp"] = "big"
    spec["mechanisms"]["economy"] = "maybe"
    spec["run"]["dt_years"] = 0
    with pytest.raises(ValidationError) as err:
        Spec.model_validate(spec)
    assert sorted(problems_of(err.value, Spec)) == sorted([
        "portfolio.states.USA.gdp = 'big': must be a positive number (USD bn)",
        "threat.war_cost = -1.0: draws must be >= 0",
        # a distribution's keys: tags of the union (<lognormal>) are no part of the key
        "threat.resolve.sigma = None: missing: lognormal needs median, sigma",
        "threat.resolve.mode = 1: is not a parameter of lognormal (parameters: median, sigma)",
        "fiscal.compliance = {'dist': 'uniform', 'low': 0.8, 'high': 0.2}: "
        "uniform needs low < high",
        "political.turnover = 'normal over [-inf, inf]': draws must be in [0, 1]; "
        "choose a family bounded to that range",
        "mechanisms.economy = 'maybe': must be true or false",
        "run.dt_years = 0: must be a positive number of years",
    ])  # fmt: skip


def test_a_missing_group_or_parameter_is_named():
    spec = spec_of()
    del spec["fiscal"]
    del spec["threat"]["scale"]
    assert sorted(problems(spec)) == [
        "fiscal = None: missing: a mapping is required",
        "threat.scale = None: missing: every model parameter needs a value or distribution",
    ]


def test_pydantic_own_errors_read_as_house_lines():
    spec = spec_of()
    spec["portfolio"]["states"]["USA"] = 5
    spec["portfolio"]["alliances"]["nato"]["exit"] = "never"
    assert sorted(problems(spec)) == [
        "portfolio.alliances.nato.exit = 'never': must be null or "
        "{notice_years, support_threshold}",
        "portfolio.states.USA = 5: must be a mapping of the state's data",
    ]


# ---------------------------------------------------------------- cross-references
def _pact(change) -> dict:
    spec = bilateral_pact()
    change(spec["portfolio"])
    return spec


CROSS = [
    (lambda p: p["alliances"].update(RIVAL=copy.deepcopy(p["alliances"]["pact"])),
     "portfolio.alliances.RIVAL = 'RIVAL': an alliance cannot share a name with a state"),
    (lambda p: p["alliances"]["pact"].update(leader="RIVAL"),
     "portfolio.alliances.pact.leader = 'RIVAL': must be one of the members (PATRON, CLIENT) "
     "or null"),
    (lambda p: p["alliances"]["pact"].update(members=["PATRON", "CLIENT", "PATRON"]),
     "portfolio.alliances.pact.members = 'PATRON': is listed twice"),
    (lambda p: p["alliances"]["pact"].update(members=["PATRON", "RIVAL"]),
     "portfolio.alliances.pact.members = 'RIVAL': is an adversary; adversaries are not members"),
    (lambda p: p["alliances"]["pact"].update(members=["PATRON"], leader=None),
     "portfolio.alliances.pact.members = ['PATRON']: an alliance needs at least two members"),
    (lambda p: p["states"]["RIVAL"]["targets"].update(RIVAL=1.0),
     "portfolio.states.RIVAL.targets.RIVAL = 1.0: an adversary cannot target itself"),
    (lambda p: p["states"].update(OTHER={"gdp": 1, "defense_share": 0.1, "region": "east",
                                         "adversary": True, "targets": {"RIVAL": 0.5}}),
     "portfolio.states.OTHER.targets.RIVAL = 0.5: an adversary cannot target another adversary"),
    (lambda p: p["states"]["CLIENT"].update(targets={"RIVAL": 1}),
     "portfolio.states.CLIENT.targets = {'RIVAL': 1}: only an adversary (adversary: true) "
     "has targets"),
    (lambda p: p["states"]["RIVAL"].update(targets={}),
     "portfolio.states.RIVAL.targets = {}: an adversary needs targets: {STATE: weight > 0, ...}"),
    (lambda p: p.update(interest={"pairs": {"PATRON": {"NARNIA": 0.5}}}),
     "portfolio.interest.pairs.PATRON.NARNIA = 0.5: is not a state"),
    (lambda p: p.update(interest={"pairs": {"NARNIA": {"PATRON": 0.5}}}),
     "portfolio.interest.pairs.NARNIA = {'PATRON': 0.5}: is not a state"),
    (lambda p: p.update(alliances={f"a{i}": p["alliances"]["pact"]
                                   for i in range(layout.MAX_ALLIANCES + 1)}),
     f"portfolio.alliances = '{layout.MAX_ALLIANCES + 1} alliances': "
     f"at most {layout.MAX_ALLIANCES} alliances"),
    (lambda p: p.update(states={f"S{i}": p["states"]["CLIENT"]
                                for i in range(layout.MAX_STATES + 1)}),
     f"portfolio.states = '{layout.MAX_STATES + 1} states': at most {layout.MAX_STATES} states"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "line"), CROSS, ids=[c[1].split(":")[0] for c in CROSS])
def test_cross_references_are_checked(change, line):
    assert problems(_pact(change)) == [line]


def test_a_portfolio_reports_its_fields_and_cross_references_together():
    def change(p):
        p["states"]["PATRON"]["gdp"] = -1
        p["alliances"]["pact"]["leader"] = "RIVAL"
        p["alliances"]["pact"]["explicitness"] = 2

    assert problems(_pact(change)) == [
        "portfolio.states.PATRON.gdp = -1: must be a positive number (USD bn)",
        "portfolio.alliances.pact.explicitness = 2: must be in [0, 1]",
        "portfolio.alliances.pact.leader = 'RIVAL': must be one of the members "
        "(PATRON, CLIENT) or null",
    ]


MALFORMED = [
    # (change, the one problem reported): no crash, no second line about the same input
    (lambda p: p["alliances"]["pact"].update(members=[["PATRON"], "CLIENT"]), "members"),
    (lambda p: p["alliances"]["pact"].update(members=[{"a": 1}, "CLIENT"]), "members"),
    (lambda p: p["alliances"]["pact"].update(leader=["PATRON"]), "leader"),
    (lambda p: p["alliances"]["pact"].update(leader=3), "leader"),
    (lambda p: p["alliances"].update(pact=5), "pact"),
    (lambda p: p["alliances"]["pact"].update(members="PATRON"), "members"),
    (lambda p: p["states"]["RIVAL"].update(targets=["CLIENT"]), "targets"),
    (lambda p: p["states"]["RIVAL"].update(adversary="yes"), "adversary"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field"), MALFORMED, ids=[m[1] for m in MALFORMED])
def test_a_malformed_value_is_one_problem_and_no_crash(change, field):
    found = problems(_pact(change))
    assert len(found) == 1, found
    assert found[0].split(" = ")[0].split(".")[-1] == field


def test_a_member_named_twice_is_listed_twice_whether_or_not_it_is_a_state():
    found = problems(_pact(lambda p: p["alliances"]["pact"].update(
        members=["PATRON", "CLIENT", "NARNIA", "NARNIA"])))  # fmt: skip
    assert found == [
        "portfolio.alliances.pact.members = 'NARNIA': is not a state of the portfolio",
        "portfolio.alliances.pact.members = 'NARNIA': is listed twice",
    ]


def test_the_election_period_is_checked_against_the_clock():
    spec = bilateral_pact()
    spec["portfolio"]["states"]["CLIENT"]["election_period"] = 0.1
    assert problems(spec) == [
        "portfolio.states.CLIENT.election_period = 0.1: must be 0 or at least one step "
        "(dt_years = 0.25)"
    ]


def test_a_grid_row_is_checked_with_its_values():
    spec = bilateral_pact()
    grid = {"portfolio.alliances.pact.explicitness": [0.5, 1.5], "fiscal.compliance": [0.2]}
    with pytest.raises(ConfigError) as err:
        compile_scenario(spec, grid=grid)
    assert err.value.problems == [
        "at grid point portfolio.alliances.pact.explicitness=1.5, fiscal.compliance=0.2: "
        "portfolio.alliances.pact.explicitness = 1.5: must be in [0, 1]"
    ]


# ---------------------------------------------------------------- the docs' tables
def test_the_docs_tables_are_generated_from_the_schema():
    text = DOCS.read_text()
    for name in config_tables.TABLES:
        begin, end = config_tables.markers(name)
        assert begin in text and end in text, name
    assert config_tables.render(text) == text, (
        "docs/configuration.md's tables drifted from the schema; rewrite them with: "
        "python -m forecaster.cli.config_tables docs/configuration.md"
    )


def test_a_field_added_to_the_schema_shows_in_its_table():
    table = config_tables.model_table(Spec.model_fields["portfolio"].annotation)
    assert "| `states` |" in table and "| `interest` |" in table


# ---------------------------------------------------------------- the arrays
ARRAYS = ("flags", "state_attr", "region", "is_adversary", "alliance_attr", "member", "leader",
          "interest", "target_weight", "dist_code", "dist_param")  # fmt: skip


def digest(scenario) -> str:
    h = hashlib.sha256()
    for name in ARRAYS:
        a = np.ascontiguousarray(getattr(scenario, name))
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def prior(spec: dict) -> dict:
    """``spec`` with the groups' own (uncalibrated) values: digests that recalibrating keeps."""
    groups = spec_of("calibration=none")
    return {**spec, **{g: groups[g] for g in ("threat", "fiscal", "political")}}


#: pinned regression digests of every compiled array, computed with the hand-written
#: compiler this schema replaced (main at 68f1dd6): the schema changed no array. Issue 18
#: (version 0.2.0) added an alliance column (tier), six parameters, the intervention switch
#: and the targets' rows of target_weight (provocation weights); without them the synthetic
#: cases' arrays give the old digests bit for bit; nato and us_global carry derived targets.
PINNED = {
    "nato": "11781d93de6ff2d3",
    "us_global_high": "5d7327bbaf92b9d8",
    "no_alliances": "554988e48243bbe3",
    "bilateral_pact": "92ffc2e5b8c4adfb",
    "consensus_alliance": "09f7f1d40cbae59f",
    "nato_grid": "837aa96ce8c7b278",
}
GRID = {
    "portfolio.alliances.nato.explicitness": [0.1, 0.9],
    "threat.resolve.median": [0.1, 0.4],
    "portfolio.states.USA.gdp": [20000.0, 30000.0],
}


def _case(name: str) -> tuple[dict, dict | None]:
    if name == "nato":
        return prior(spec_of("portfolio=nato")), None
    if name == "us_global_high":
        return prior(spec_of("portfolio=us_global", "threat=high", "fiscal=austerity",
                             "political=polarised")), None  # fmt: skip
    if name == "nato_grid":
        return prior(spec_of("portfolio=nato")), GRID
    return prior(CASES[name]()), None


@pytest.mark.parametrize("name", PINNED)
def test_compiled_arrays_are_those_of_the_hand_written_compiler(name):
    spec, grid = _case(name)
    assert digest(compile_scenario(spec, grid=grid)) == PINNED[name]


def test_a_grid_row_equals_the_scenario_compiled_with_its_values():
    spec, _ = _case("nato")
    grid = compile_scenario(spec, grid=GRID)
    row = 5  # explicitness 0.9, resolve.median 0.1, USA.gdp 30000
    alone = copy.deepcopy(spec)
    alone["portfolio"]["alliances"]["nato"]["explicitness"] = 0.9
    alone["threat"]["resolve"]["median"] = 0.1
    alone["portfolio"]["states"]["USA"]["gdp"] = 30000.0
    single = compile_scenario(alone)
    for name in ("state_attr", "alliance_attr", "interest", "target_weight", "dist_code",
                 "dist_param"):  # fmt: skip
        np.testing.assert_array_equal(getattr(grid, name)[row], getattr(single, name)[0])
    usa = grid.state_names.index("USA")
    assert grid.state_attr[row, usa, layout.SA_GDP] == 30000.0

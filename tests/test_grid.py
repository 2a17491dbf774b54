"""The sweep grid's checks: reported with the specification's, naming the values given."""

from __future__ import annotations

import numpy as np
import pytest
from omegaconf import OmegaConf

from forecaster.errors import ConfigError
from forecaster.scenario import compile_scenario
from forecaster.scenario.grid import grid_problems, grid_rows, plain
from forecaster.testing import spec_of


def test_a_bad_sweep_key_and_a_bad_spec_value_are_reported_together():
    spec = spec_of()
    spec["portfolio"]["states"]["USA"]["gdp"] = -5
    with pytest.raises(ConfigError) as caught:
        compile_scenario(spec, grid={"threat.nope": [0.1, 0.2]})
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("portfolio.states.USA.gdp = -5: must be a positive number")
    assert problems[1].startswith("sweep.threat.nope = [0.1, 0.2]: unknown path: 'nope'")


def test_an_unknown_sweep_key_shows_the_values_given_and_the_keys_there():
    (line,) = grid_problems(spec_of(), {"threat.nope": [0.1, 0.2]})
    assert line.startswith("sweep.threat.nope = [0.1, 0.2]: unknown path: 'nope' is not a key")
    assert "(keys there: " in line and "scale" in line


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        (
            {"run.horizon_years": [5.0]},
            ["sweep.run.horizon_years = [5.0]: run settings and mechanism switches are fixed"],
        ),
        (
            {"threat.resolve": [1.0, 2.0]},
            ["sweep.threat.resolve = [1.0, 2.0]: is a lognormal distribution; sweep one of"],
        ),
        ({"threat.scale": []}, ["sweep.threat.scale = []: must be a non-empty list of numbers"]),
        ({"threat.scale": "0.5"}, ["sweep.threat.scale = '0.5': must be a non-empty list"]),
        (
            {"threat.scale": [0.5, float("nan"), True]},
            [
                "sweep.threat.scale = nan: values must be finite numbers",
                "sweep.threat.scale = True: values must be finite numbers",
            ],
        ),
    ],
    ids=["fixed group", "distribution", "empty", "string", "not finite"],
)
def test_each_grid_problem_names_the_key_the_value_and_what_is_allowed(grid, expected):
    problems = grid_problems(spec_of(), grid)
    assert len(problems) == len(expected)
    for line, start in zip(problems, expected, strict=True):
        assert line.startswith(start), line


def test_omegaconf_lists_are_plain_lists_and_compile_like_plain_ones():
    cfg = OmegaConf.create({"members": ["USA", "CAN"], "nested": {"values": [[1, 2], (3,)]}})
    assert plain(cfg) == {"members": ["USA", "CAN"], "nested": {"values": [[1, 2], [3]]}}
    assert type(plain(cfg)["members"]) is list
    grid = {"threat.scale": [0.5, 2.0], "portfolio.alliances.nato.explicitness": [0.2, 0.9]}
    from_omegaconf = compile_scenario(OmegaConf.create(spec_of()), grid=OmegaConf.create(grid))
    from_plain = compile_scenario(spec_of(), grid=grid)
    assert from_omegaconf.grid_values == from_plain.grid_values == ((0.5, 2.0), (0.2, 0.9))
    np.testing.assert_array_equal(from_omegaconf.alliance_attr, from_plain.alliance_attr)
    np.testing.assert_array_equal(from_omegaconf.dist_param, from_plain.dist_param)


def test_a_grid_gives_the_outer_product_and_points_give_rows_one_by_one():
    grid = {"a": [1, 2], "b": [10.0, 20.0]}
    keys, values, rows = grid_rows(grid, points=False)
    assert keys == ("a", "b")
    assert values == ((1.0, 2.0), (10.0, 20.0))
    assert list(rows) == [(1.0, 10.0), (1.0, 20.0), (2.0, 10.0), (2.0, 20.0)]
    assert list(grid_rows(grid, points=True)[2]) == [(1.0, 10.0), (2.0, 20.0)]


def test_a_bad_value_at_one_grid_point_names_the_point():
    with pytest.raises(ConfigError, match=r"at grid point threat.scale=-1: threat.scale = -1"):
        compile_scenario(spec_of(), grid={"threat.scale": [0.5, -1.0]})

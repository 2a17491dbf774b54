"""Configs: every shipped option composes and runs; every mistake is one clear message."""

from __future__ import annotations

import pytest

import forecaster
from forecaster.cli import main as cli
from forecaster.config import available

TINY = ["run.trajectories=30", "run.horizon_years=1", "run.block_size=16", "debug=quick"]
GROUPS = ("portfolio", "threat", "fiscal", "political", "sweep", "calibration")


@pytest.mark.parametrize(
    "override", [f"{group}={option}" for group in GROUPS for option in available(group)]
)
def test_every_shipped_config_composes_and_runs(override):
    cfg = forecaster.compose([override, *TINY])
    ds = forecaster.run(cfg, progress=False)
    assert (ds.n_trajectories == 30).all()
    assert ds.sizes["time"] == 4
    assert float(ds.p_intact.min()) <= 1.0
    if override == "sweep=snyder":
        assert ds.sizes["portfolio__alliances__nato__explicitness"] == 5
        assert ds.sizes["portfolio__alliances__nato__escalation_control"] == 3


def test_the_default_is_nato_with_baseline_groups():
    cfg = forecaster.compose()
    assert cfg.portfolio.name == "nato"
    assert len(cfg.portfolio.alliances.nato.members) == 32
    assert cfg.threat.war_cost == 1.0 and cfg.cluster.kind == "local"


def test_us_global_joins_both_theatres():
    cfg = forecaster.compose(["portfolio=us_global"])
    assert {"nato", "us_japan", "quad"} <= set(cfg.portfolio.alliances)
    assert {"RUS", "CHN", "PRK"} <= set(cfg.portfolio.states)


def test_the_hague_pledge_is_a_one_line_override():
    cfg = forecaster.compose(["portfolio.alliances.nato.spending_target=0.035"])
    assert cfg.portfolio.alliances.nato.spending_target == 0.035


# Every refusal of a bad override, config file or folder, by every command, is a row of
# the one corpus: tests/test_bad_inputs.py (the list grows there).


def test_a_multirun_job_over_the_budget_stops_the_multirun_before_any_job(capsys, tmp_path):
    argv = ["-m", "debug=quick", "portfolio=regional", "run.trajectories=10,10000000000000",
            f"hydra.sweep.dir={tmp_path}"]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "run.trajectories=10000000000000: the run would take about" in err
    assert "run.allow_long=true" in err and "1 problem" in err
    assert [p.name for p in tmp_path.iterdir()] == ["multirun.yaml"]


def test_sweep_paths_must_be_numeric_leaves():
    from forecaster.errors import ConfigError

    cfg = forecaster.compose(["debug=quick", "+sweep.grid.threat.resolve=[1,2]"])
    with pytest.raises(
        ConfigError, match="is a lognormal distribution; sweep one of its parameters"
    ):
        forecaster.run(cfg)


def test_the_quick_preset_runs_in_process_and_a_command_line_key_wins_over_it():
    quick = forecaster.compose(["debug=quick"])
    assert quick.cluster.kind == "in_process"
    assert quick.run.trajectories == 1000 and quick.output.summary is False
    assert forecaster.compose([]).run.trajectories == 100000  # the default is untouched
    mine = forecaster.compose(["debug=quick", "run.trajectories=5", "cluster=local"])
    assert mine.cluster.kind == "local" and mine.run.trajectories == 5
    ds = forecaster.run(forecaster.compose(["debug=quick", "run.horizon_years=1"]), progress=False)
    assert int(ds.n_trajectories) == 1000 and ds.attrs["scenario"] == "nato"

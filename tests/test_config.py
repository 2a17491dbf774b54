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


# (command-line overrides, a fragment the message must contain)
BAD = [
    (["threat.sclae=2"], "threat.sclae: unknown key"),
    (
        ["portfolio=natoo"],
        "portfolio = 'natoo': no such option (available: historical_world, indo_pacific, nato",
    ),
    (["run.trajectories=abc"], "run.trajectories = 'abc'"),
    (["run.trajectories=0"], "run.trajectories = 0: must be >= 1"),
    (["run.dt_years=0"], "run.dt_years = 0.0: must be a positive number of years"),
    (["run.horizon_years=-1"], "run.horizon_years = -1.0: must be a positive number of years"),
    (["run.horizon_years=10.1"], "must be a whole number of steps of dt_years = 0.25"),
    (["threat.war_cost=-1"], "threat.war_cost = -1.0: draws must be >= 0"),
    (["political.turnover=1.5"], "political.turnover = 1.5: draws must be in [0, 1]"),
    (["political.turnover={dist:normal,mean:0.4,sd:0.1}"], "choose a family bounded"),
    (["threat.resolve.dist=weibull"], "threat.resolve.dist = 'weibull': must be one of fixed"),
    (["~threat.resolve.sigma"], "threat.resolve.sigma = None: missing"),
    (["threat.resolve.sigma=-1"], "threat.resolve.sigma = -1: must be > 0"),
    (["+threat.resolve.mode=1"], "threat.resolve.mode = 1: is not a parameter of lognormal"),
    (["portfolio.states.USA.gdp=-5"], "portfolio.states.USA.gdp = -5: must be a positive number"),
    (["portfolio.states.EST.defense_share=2.5"], "defense_share = 2.5: must be in (0, 1]"),
    (["portfolio.alliances.nato.leader=RUS"], "portfolio.alliances.nato.leader = 'RUS'"),
    (["portfolio.alliances.nato.members=[USA]"], "an alliance needs at least two members"),
    (
        ["portfolio.alliances.nato.members=[USA,CAN,ATLANTIS]"],
        "members = 'ATLANTIS': is not a state of the portfolio",
    ),
    (["portfolio.alliances.nato.members=[USA,CAN,CAN]"], "= 'CAN': is listed twice"),
    (["portfolio.alliances.nato.members=[USA,RUS]"], "'RUS': is an adversary"),
    (["portfolio.alliances.nato.obligation=alliance"], "must be 'defense' or 'consultation'"),
    (["portfolio.alliances.nato.explicitness=1.2"], "explicitness = 1.2: must be in [0, 1]"),
    (["~portfolio.states.RUS.targets"], "an adversary needs targets"),
    (["+portfolio.states.RUS.targets.NARNIA=1"], "targets.NARNIA = 1: 'NARNIA' is not a state"),
    (["+portfolio.states.EST.targets={LVA:1}"], "only an adversary (adversary: true) has targets"),
    (["+portfolio.states.POL.colour=red"], "portfolio.states.POL.colour = 'red': unknown key"),
    (["portfolio.interest.same_region=2"], "portfolio.interest.same_region = 2: must be in [0, 1]"),
    (["mechanisms.teleport=true"], "mechanisms.teleport: unknown key"),
    (["mechanisms.economy=maybe"], "mechanisms.economy = 'maybe'"),
    (["output.formats=[csv]"], "output.formats = 'csv': allowed formats are zarr, netcdf"),
    (
        ["cluster.kind=cloud"],
        "cluster.kind = 'cloud': must be one of local, address, slurm, pbs, in_process",
    ),
    (["cluster=address"], "cluster.address"),
    (["sweep=snyder", "+sweep.grid.threat.bogus=[1]"], "sweep.threat.bogus"),
    (["portfolio.states.EST.election_period=0.1"], "must be 0 or at least one step"),
]


@pytest.mark.parametrize(("overrides", "fragment"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_config_gives_one_clear_message_and_exit_code_2(
    overrides, fragment, capsys, monkeypatch, tmp_path
):
    def must_not_run(*args, **kwargs):
        raise AssertionError(f"{overrides} passed the checks")

    monkeypatch.setattr(forecaster.api, "execute", must_not_run)  # nothing is simulated
    assert cli.main([*overrides, f"hydra.run.dir={tmp_path}"]) == 2
    err = capsys.readouterr().err
    assert fragment in err, err
    assert "Traceback" not in err
    assert err.startswith("invalid configuration")


def test_several_problems_are_reported_together(capsys, tmp_path):
    argv = ["run.trajectories=0", "threat.war_cost=-1", "portfolio.states.USA.gdp=0"]
    assert cli.main([*argv, f"hydra.run.dir={tmp_path}"]) == 2
    err = capsys.readouterr().err
    assert "3 problems" in err


def test_a_multirun_is_checked_job_by_job_before_anything_runs(capsys, tmp_path):
    argv = ["-m", "threat.scale=0.5,-1", f"hydra.sweep.dir={tmp_path}"]
    assert cli.main(argv) == 2
    assert "job threat.scale=-1: threat.scale = -1.0" in capsys.readouterr().err
    # the valid job did not run either: the sweep dir holds only Hydra's multirun.yaml
    assert [p.name for p in tmp_path.iterdir()] == ["multirun.yaml"]


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

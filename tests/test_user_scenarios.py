"""A user's own scenario folder through every form of Hydra's command line, and experiments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import forecaster
from forecaster.cli import main as cli
from forecaster.config import available

ROOT = Path(__file__).resolve().parents[1]
MINE = ROOT / "examples" / "my_scenarios"
SMALL = ["run.trajectories=300", "output.summary=false"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "form",
    [
        ["--config-dir", str(MINE)],
        ["-cd", str(MINE)],
        [f"--config-dir={MINE}"],
        [f"hydra.searchpath=[file://{MINE}]"],
    ],
    ids=["config-dir", "cd", "config-dir=", "searchpath"],
)
def test_a_user_folder_runs_through_every_flag_form(form, command, tmp_path):
    run_dir = tmp_path / "run"
    done = command("forecast", *form, "portfolio=nordic_baltic", *SMALL, f"hydra.run.dir={run_dir}")
    assert done.returncode == 0, done.stderr
    ds = forecaster.open_results(run_dir)
    assert "EST" in ds.state.values and ds.attrs["scenario"] == "nordic_baltic"
    assert (run_dir / "forecast.log").is_file()  # the log is named for the app


def test_the_api_composes_a_user_folder():
    cfg = forecaster.compose(["+experiment=nordic_pressure"], config_dir=MINE)
    assert cfg.portfolio.name == "nordic_baltic"
    assert cfg.threat.scale == 1.5 and cfg.run.trajectories == 20000
    with pytest.raises(forecaster.ConfigError, match="config_dir = 'no/such/folder'"):
        forecaster.compose([], config_dir="no/such/folder")


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(MINE, folder)
    portfolio = folder / "portfolio" / "nordic_baltic.yaml"
    portfolio.write_text(portfolio.read_text().replace("gdp: 42.8", "gdp: -5"))
    return folder


def test_a_bad_value_in_a_user_folder_exits_2_before_a_single_run(bad_folder, tmp_path, capsys):
    argv = ["-cd", str(bad_folder), "portfolio=nordic_baltic", f"hydra.run.dir={tmp_path}/r"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "portfolio.states.EST.gdp = -5: must be a positive number" in err
    assert "Traceback" not in err


def test_a_bad_value_in_a_user_folder_stops_a_multirun_before_any_job(bad_folder, tmp_path, capsys):
    sweep = tmp_path / "sweep"
    argv = ["-cd", str(bad_folder), "-m", "portfolio=regional,nordic_baltic",
            "run.trajectories=50", f"hydra.sweep.dir={sweep}"]  # fmt: skip
    assert cli.main(argv) == 2
    assert "job portfolio=nordic_baltic run.trajectories=50: portfolio.states.EST.gdp" in (
        capsys.readouterr().err
    )
    assert [p.name for p in sweep.iterdir()] == ["multirun.yaml"]  # not even the good job ran


def test_an_unknown_option_suggests_the_closest(tmp_path, capsys):
    assert cli.main(["portfolio=natto", f"hydra.run.dir={tmp_path}"]) == 2
    assert "did you mean 'nato'?" in capsys.readouterr().err


@pytest.mark.parametrize("name", available("experiment"))
def test_every_experiment_composes_and_runs(name):
    cfg = forecaster.compose(
        [f"+experiment={name}", "debug=quick", "run.trajectories=20", "run.horizon_years=1"]
    )
    ds = forecaster.run(cfg, progress=False)
    assert int(ds.n_trajectories.min()) == 20


def test_the_hague_pledge_experiment_sets_the_pledge():
    cfg = forecaster.compose(["+experiment=hague_pledge"])
    assert cfg.portfolio.alliances.nato.spending_target == 0.035


def test_version_and_help_are_forecasters(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"forecast (forecaster) {forecaster.__version__}"
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "experiment: baltic_crisis, hague_pledge, snyder_sweep" in text
    assert "forecast --config-dir" in text and "results.zarr" in text
    assert len(text.splitlines()) < 40  # forecaster's help, not 384 lines of config


SENSITIVITY = ["--param", "threat.scale=0.5:2", "--n-base", "4", "portfolio=regional",
               "run.trajectories=50", "debug=quick"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--outcome", "p_entrapmnt", "--select", "state=PATRON"], "did you mean 'p_entrapment'"),
        (["--outcome", "p_war", "--select", "state=PATRN"], "did you mean 'PATRON'"),
        (["--outcome", "p_war", "--select", "alliance=pact"], "p_war has no dimension"),
        (
            ["--outcome", "p_war", "--select", "state=PATRON", "--param", "threat.sclae=1:2"],
            "threat.sclae",
        ),
    ],
    ids=["outcome", "label", "dimension", "parameter"],
)
def test_sensitivity_checks_every_argument_before_any_run(args, fragment, monkeypatch, capsys):
    from forecaster.cli import sensitivity

    def must_not_run(*a, **k):
        raise AssertionError("simulated before the arguments were checked")

    monkeypatch.setattr(forecaster.api, "execute", must_not_run)
    assert sensitivity.main([*args, *SENSITIVITY]) == 2
    assert fragment in capsys.readouterr().err


def test_sensitivity_says_how_to_get_salib(monkeypatch, capsys):
    import importlib.util

    from forecaster.cli import sensitivity

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "SALib" else real(name, *a)
    )
    assert sensitivity.main(["--outcome", "p_war", *SENSITIVITY]) == 2
    assert "pip install 'forecaster[analysis]'" in capsys.readouterr().err


def test_sensitivity_help_has_descriptions_and_defaults(capsys):
    from forecaster.cli import sensitivity

    with pytest.raises(SystemExit):
        sensitivity.main(["--help"])
    text = capsys.readouterr().out
    assert "(default: 8)" in text and "common random numbers" in text and "example" in text


@pytest.mark.slow
def test_the_readme_python_example_runs_as_a_script(command, tmp_path):
    import re

    text = (ROOT / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def main" in b]
    script = tmp_path / "example.py"
    script.write_text(block.replace("run.trajectories=20000", "run.trajectories=300"))
    done = command("python", script, env={**command.env, "MPLBACKEND": "Agg"}, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "PATRON" in done.stdout

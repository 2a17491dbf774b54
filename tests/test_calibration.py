"""Calibration: the historical-world portfolio, simulated moments, SMM and forecast-calibrate."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import forecaster
from forecaster.calibration import moments as moments_module
from forecaster.calibration import objective, recovery, search, smm
from forecaster.calibration.moments import ESTIMATORS, World, simulated_moments
from forecaster.calibration.smm import (
    DEFAULT_MOMENTS,
    Parameter,
    Target,
    calibrate,
    simulated_targets,
    write_option,
)
from forecaster.cli import calibrate as calibrate_cli
from forecaster.cli.calibrate import calibration_dir
from forecaster.errors import ConfigError
from forecaster.scenario.compile import get_path

TWO = [
    Parameter("political.honour.intercept", -3.0, 1.0),
    Parameter("threat.opportunity_rate.median", 0.1, 1.5),
]
HIST = ["portfolio=historical_world", "debug=quick"]


def _cfg(trajectories: int, seed: int = 0) -> object:
    return forecaster.compose([*HIST, f"run.trajectories={trajectories}", f"run.seed={seed}"])


def _no_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("simulated before every argument was checked")


def test_the_historical_world_fits_the_engine_and_gives_every_moment():
    cfg = _cfg(300)
    ds = forecaster.run(cfg, progress=False)
    world = World(ds)
    assert ds.sizes["state"] <= 64 and ds.sizes["alliance"] <= 16
    assert world.alliance_of  # every state in at most one alliance (else ConfigError)
    sizes = {len(a["members"]) for a in world.spec["portfolio"]["alliances"].values()}
    assert 2 in sizes and max(sizes) >= 5
    assert (~world.allies("defense") & world.potential_targets).sum() >= 10  # unallied targets
    names = sorted(ESTIMATORS)
    values, errors = simulated_moments(ds, names)
    assert values.shape == errors.shape == (1, len(names))
    assert np.isfinite(values).all() and (errors > 0).all(), dict(
        zip(names, values[0], strict=True)
    )


def test_moments_follow_each_design_point_on_common_random_numbers():
    cfg = _cfg(300)
    points = [{"threat.opportunity_rate.median": m} for m in (0.2, 0.4, 0.8)]
    values, _ = simulated_moments(forecaster.run(cfg, progress=False, points=points),
                                  ["targeted_rate", "war_entry_rate"])  # fmt: skip
    assert values.shape == (3, 2)
    assert (np.diff(values[:, 0]) > 0).all()  # more opportunities, more crises


def test_distant_participation_is_the_share_of_war_entries_of_states_far_from_every_front():
    ds = forecaster.run(_cfg(400), progress=False)
    spec = World(ds).spec["portfolio"]["states"]
    fronts = {d["region"] for d in spec.values() if d.get("adversary")}
    far = [s for s, d in spec.items() if d["region"] not in fronts]
    assert far  # the historical world's distant great powers (region 'home')
    entries = ds.mean_war_entries
    expected = float(entries.sel(state=far).sum() / entries.sum())
    (value,), (se,) = simulated_moments(ds, ["war_participation_distant"])
    assert value[0] == pytest.approx(expected) and 0 < value[0] < 1
    assert 0 < se[0] < value[0]
    # the decisive MID outcomes are the yields and back-downs
    decisive = (ds.mean_yielded + ds.mean_backed_down).sum() / ds.mean_crises.sum()
    (dec,), _ = simulated_moments(ds, ["p_mid_decisive"])
    assert dec[0] == pytest.approx(float(decisive))


def test_the_deterrence_ratio_splits_pacts_by_where_the_allies_are():
    world = World(given_spec=forecaster.config.to_spec(_cfg(10)))
    names = np.array(world.states)
    distant = set(names[world.allies("distant_defense")])
    local = set(names[world.allies("local_defense")])
    # the protégés of the far-away great powers, and the great powers themselves (all
    # their partners are far away); every member of a pact with a local partner is local
    assert distant == {"GP_1", "S_PROT1", "GP_2", "E_PROT1", "GP_3", "GP_4", "F_PROT1"}
    assert {"W_PROT1", "W_PAT1", "F_M1"} <= local and not distant & local
    units, a, b = moments_module._deterrence_weights(world, "distant_defense")
    exposed = set(names[units][a > 0])
    assert exposed == {"S_PROT1", "E_PROT1", "F_PROT1"}  # the great powers are never targets
    assert not set(names[units]) & local  # local pacts are neither exposed nor compared
    assert {"S_TWIN1", "E_TWIN1"} <= set(names[units][b > 0])  # compared: the unallied twins
    assert not set(names[units][b > 0]) & distant


def test_distant_participation_needs_adversaries_that_fight_at_home(monkeypatch):
    monkeypatch.setattr(objective, "run", _no_run)
    cfg = forecaster.compose([*HIST, "+portfolio.states.ADV_W.targets.S_FREE1=1"])
    targets = {n: Target(n, 0.1, 0.01) for n in ("war_participation_distant", "targeted_rate")}
    with pytest.raises(ConfigError, match=r"ADV_W.targets.S_FREE1: S_FREE1 is in region 'south'"):
        calibrate(cfg, TWO, targets, list(targets))


def test_a_log_parameter_searches_log_values():
    q = Parameter("threat.defender_resolve.median", 1.0, 1000.0, log=True)
    assert q.unscale(0.5) == pytest.approx(math.sqrt(1000.0))
    assert q.scale(10.0) == pytest.approx(1 / 3)
    assert Parameter.parse("threat.scale=0.5:2:log").log
    assert Parameter.parse("threat.scale=1E-3:2") == Parameter("threat.scale", 0.001, 2.0)
    with pytest.raises(ConfigError, match="low:high:log"):
        Parameter.parse("threat.scale=0.5:2:ln")


def test_a_bad_parameter_or_moment_is_one_clear_error_before_any_run(monkeypatch):
    monkeypatch.setattr(objective, "run", _no_run)
    targets = {n: Target(n, 0.1, 0.01) for n in DEFAULT_MOMENTS}
    bad = [Parameter("political.honour.intercpt", -3, 1), Parameter("threat.resolve", 0, 1)]
    with pytest.raises(ConfigError) as err:
        calibrate(_cfg(100), bad, targets, [*DEFAULT_MOMENTS, "no_such_moment"])
    text = str(err.value)
    assert "political.honour.intercpt" in text and "'intercpt' is not a key" in text
    assert "threat.resolve" in text and "lognormal distribution" in text
    assert "'no_such_moment'" in text and "known moments" in text
    with pytest.raises(ConfigError, match="need at least as many moments as parameters"):
        calibrate(_cfg(100), TWO, targets, ["targeted_rate"])
    # a portfolio where an ally sits in two pacts cannot split reliability by pact type
    overlapping = forecaster.compose(["portfolio=indo_pacific", "debug=quick"])
    with pytest.raises(ConfigError, match="USA is also in"):
        calibrate(overlapping, TWO, targets, DEFAULT_MOMENTS)


def test_the_command_checks_every_argument_before_simulating(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(calibrate_cli, "run", _no_run)
    monkeypatch.setattr(objective, "run", _no_run)
    moments = tmp_path / "m.yaml"
    moments.write_text(yaml.safe_dump({"moments": {"targeted_rate": {"value": 0.1, "se": 0.01}}}))
    rc = calibrate_cli.main(
        ["--param", "political.honour.intercept=-3:x", "--param", "threat.scale=2:1",
         "--moments", str(moments), "--moment", "war_entry_rate", "--trajectories", "0",
         "--name", "m", "--output-dir", str(tmp_path)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 2
    needles = ("dotted.path=low:high", "threat.scale bounds 2.0:1.0", "--trajectories = 0",
               "--name = 'm'", "['war_entry_rate']: not in the moments file")  # fmt: skip
    for needle in needles:
        assert needle in err, err
    rc = calibrate_cli.main(
        ["--param", "threat.opportunity_rate.median=0.1:1", "--moments", str(moments),
         "--moment", "targeted_rate", "--dry-run", "--output-dir", str(tmp_path)]
    )  # fmt: skip
    assert rc == 0 and "cost: at most" in capsys.readouterr().out


def test_forecast_calibrate_keeps_existing_options_and_refuses_a_calibration_of_years(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(calibrate_cli, "run", _no_run)
    monkeypatch.setattr(objective, "run", _no_run)
    moments = tmp_path / "m.yaml"
    moments.write_text(yaml.safe_dump({"moments": {"targeted_rate": {"value": 0.1, "se": 0.01}}}))
    base = ["--param", "threat.opportunity_rate.median=0.1:1", "--moments", str(moments),
            "--moment", "targeted_rate", "--dry-run"]  # fmt: skip
    shipped = calibration_dir() / "history.yaml"
    before = shipped.read_bytes()
    assert calibrate_cli.main([*base, "--name", "history"]) == 2
    err = capsys.readouterr().err
    assert f"--name = 'history': {shipped} exists (a shipped option)" in err
    assert "--force" in err and shipped.read_bytes() == before
    (tmp_path / "mine.yaml").write_text("threat: {}\n")
    mine = [*base, "--name", "mine", "--output-dir", str(tmp_path)]
    assert calibrate_cli.main(mine) == 2
    assert "mine.yaml exists; choose another name, or add --force" in capsys.readouterr().err
    assert calibrate_cli.main([*mine, "--force"]) == 0
    capsys.readouterr()
    years = [*mine, "--force", "--trajectories", "100000000000"]
    assert calibrate_cli.main(years) == 2
    err = capsys.readouterr().err
    assert "would take about" in err and "run.allow_long=true" in err
    assert calibrate_cli.main([*years, "run.allow_long=true"]) == 0


@pytest.fixture(scope="module")
def tiny_fit() -> smm.Fit:
    """A calibration of a few short runs: for its bookkeeping, not its estimates."""
    targets = simulated_targets(_cfg(200, seed=5), {p.path: -1.0 if "honour" in p.path else 0.5
                                                  for p in TWO}, error_batches=2)  # fmt: skip
    return calibrate(_cfg(200), TWO, targets, DEFAULT_MOMENTS, max_evaluations=3,
                     initial_design=1, error_batches=0)  # fmt: skip


def test_the_j_test_has_moments_minus_parameters_degrees_of_freedom(tiny_fit):
    assert tiny_fit.df == len(DEFAULT_MOMENTS) - len(TWO)
    assert tiny_fit.J >= 0 and 0 <= tiny_fit.p_value <= 1
    assert tiny_fit.jacobian.shape == (len(DEFAULT_MOMENTS), len(TWO))
    assert tiny_fit.se.shape == (2,)
    for i, p in enumerate(TWO):
        assert p.low <= tiny_fit.estimate[i] <= p.high


def test_the_written_option_composes_and_sets_the_estimates(tiny_fit, tmp_path):
    path = write_option(tiny_fit, tmp_path / "calibration" / "probe.yaml", "forecast-calibrate x",
                        "2026-01-01")  # fmt: skip
    text = path.read_text()
    assert text.startswith("# @package calibration\n")
    assert "Hansen's J" in text and "political.honour.intercept" in text
    cfg = forecaster.compose(
        ["portfolio=regional", "calibration=probe", f"hydra.searchpath=[file://{tmp_path}]"]
    )
    assert cfg.political.honour.intercept == pytest.approx(tiny_fit.estimate[0], abs=1e-6)
    assert cfg.threat.opportunity_rate.median == pytest.approx(tiny_fit.estimate[1], abs=1e-6)
    assert cfg.threat.opportunity_rate.dist == "lognormal"  # the rest of the group is kept
    assert cfg.political.honour.explicitness == 1.5


def test_a_multi_start_keeps_the_best_of_its_optima(monkeypatch):
    starts: list[tuple[float, ...]] = []

    class StaysPut:  # an optimum where it starts; the second start's is the better one
        def __init__(self, u0):
            key = tuple(np.round(u0, 12))
            if key not in starts:
                starts.append(key)
            self.x, self.nfev = np.asarray(u0), 3
            self.fun = 5.0 if key == starts[0] else 1.0

    monkeypatch.setattr(search.optimize, "minimize", lambda f, u0, **k: StaysPut(u0))
    targets = {n: Target(n, 0.1, 0.05) for n in DEFAULT_MOMENTS}
    fit = calibrate(_cfg(100), TWO, targets, DEFAULT_MOMENTS, max_evaluations=20,
                    initial_design=4, error_batches=0, starts=2,
                    method="nelder-mead")  # fmt: skip
    assert len(starts) == 2
    best = [q.unscale(u) for q, u in zip(TWO, starts[1], strict=True)]
    assert fit.estimate == pytest.approx(best)
    with pytest.raises(ConfigError, match="starts = 9: must be between 1 and") as err:
        calibrate(_cfg(100), TWO, targets, DEFAULT_MOMENTS, initial_design=4, starts=9,
                  method="newton")  # fmt: skip
    assert "method = 'newton': must be one of trf, nelder-mead" in str(err.value)


def test_an_estimate_at_a_bound_is_differenced_inside_the_bounds_and_flagged(monkeypatch):
    class AtLowerBound:
        x = np.zeros(2)
        fun = 0.0
        nfev = 1

    monkeypatch.setattr(search.optimize, "minimize", lambda *a, **k: AtLowerBound())
    # resolve.median - 5% of the range would be negative: a config that does not compile
    params = [Parameter("threat.resolve.median", 0.001, 1.0), TWO[1]]
    targets = {n: Target(n, 0.1, 0.05) for n in DEFAULT_MOMENTS}
    fit = calibrate(_cfg(100), params, targets, DEFAULT_MOMENTS, max_evaluations=1,
                    initial_design=1, error_batches=0, method="nelder-mead")  # fmt: skip
    assert fit.estimate.tolist() == [0.001, 0.1]
    assert fit.jacobian.shape == (len(DEFAULT_MOMENTS), 2)  # the points compiled and ran
    assert np.isfinite(fit.se).all()  # moments without events there are left out of G
    assert "at a bound" in smm.estimates_table(fit)


@pytest.mark.parametrize("name", ["none", "history"])
def test_the_shipped_calibration_options_compose(name):
    path = calibration_dir() / f"{name}.yaml"
    assert path.read_text().startswith("# @package calibration")
    values = yaml.safe_load(path.read_text()) or {}
    cfg = forecaster.compose(["portfolio=regional", f"calibration={name}"])

    def leaves(node: dict, prefix: str = "") -> dict:
        out = {}
        for k, v in node.items():
            out |= leaves(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v}
        return out

    for key, value in leaves(values).items():
        node = cfg
        for part in key.split("."):
            node = node[part]
        assert node == value, key


@pytest.mark.slow
def test_parameter_recovery_within_the_reported_errors():
    """Moments simulated at known parameters (seed 101) are fitted on another seed (7)."""
    truth = {"political.honour.intercept": -1.5, "threat.opportunity_rate.median": 0.4}
    targets = simulated_targets(_cfg(1000, seed=101), truth)
    fit = calibrate(_cfg(1000, seed=7), TWO, targets, DEFAULT_MOMENTS, max_evaluations=40)
    for i, p in enumerate(TWO):
        assert math.isfinite(fit.se[i]) and fit.se[i] > 0
        assert abs(fit.estimate[i] - truth[p.path]) < 3 * fit.se[i], (p.path, fit.estimate, fit.se)
    assert fit.df == len(DEFAULT_MOMENTS) - 2 and fit.p_value > 0.001


def test_the_recovery_check_repeats_the_shipped_fit():
    parameters, moments, overrides = recovery.shipped_setup(calibration_dir() / "history.yaml")
    assert tuple(moments) == DEFAULT_MOMENTS
    by_path = {p.path: p for p in parameters}
    assert by_path["threat.defender_resolve.median"].log
    # φ is not estimated but fixed by an override, which the recovery applies too
    assert "threat.fait_accompli" not in by_path
    # (and the intervention probabilities' starting points, which their --param replaces)
    assert overrides == ["calibration=none", "threat.fait_accompli=0.3",
                         "threat.intervention=0.1", "threat.intervention_distant=0.5"]  # fmt: skip
    # every parameter's shipped estimate lies inside its search bounds
    spec = forecaster.config.to_spec(forecaster.compose(["calibration=history"]))
    for p in parameters:
        assert p.low <= get_path(spec, p.path) <= p.high, p.path

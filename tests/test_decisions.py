"""Scenario discovery and robust design: PRIM finds a planted box, the design search
finds the optimum the model implies, and every argument is checked before any work."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from omegaconf import DictConfig, OmegaConf

import forecaster
from forecaster.testing import bilateral_pact, no_alliances, pinned

from .conftest import requires_matplotlib, requires_workbench

PACT = "portfolio.alliances.pact"


def config_of(spec: dict, *overrides: str) -> DictConfig:
    cfg = forecaster.compose(["debug=quick", "run.horizon_years=5", *overrides])
    for group in ("portfolio", "threat", "fiscal", "political"):
        cfg[group] = OmegaConf.create(spec[group])
    return cfg


def planted(n: int = 400) -> tuple[xr.Dataset, np.ndarray, np.ndarray]:
    """A design over three uncertainties whose outcome is high in a box of the first two."""
    from forecaster.analysis.discovery import design_points

    points = design_points({"x.a": (0.0, 1.0), "x.b": (0.0, 1.0), "x.c": (0.0, 1.0)}, n, seed=3)
    columns = {k: np.array([p[k] for p in points]) for k in ("x.a", "x.b", "x.c")}
    inside = (columns["x.a"] > 0.2) & (columns["x.a"] < 0.5) & (columns["x.b"] > 0.6)
    outcome = np.where(inside, 0.3, 0.02)
    coords = {k.replace(".", "__"): ("sample", v, {"config_key": k}) for k, v in columns.items()}
    ds = xr.Dataset({"p_war": ("sample", outcome)}, coords={**coords, "sample": np.arange(n)})
    return ds, inside, outcome


@requires_workbench
def test_prim_recovers_a_planted_box():
    from forecaster.analysis.discovery import find_scenarios, format_boxes

    ds, inside, _ = planted()
    found = find_scenarios(ds, "p_war", above=0.1)
    assert found.attrs["cases_of_interest"] == int(inside.sum())
    box = found.sel(box=0)
    step = int(box.chosen)
    assert float(box.density[step]) >= 0.8 and float(box.coverage[step]) >= 0.9
    # the planted limits, to within the spacing PRIM peels at (5% of the points)
    limits = {"x.a": (0.2, 0.5), "x.b": (0.6, 1.0)}
    for name, (low, high) in limits.items():
        assert abs(float(box.box_low.sel(uncertainty=name)) - low) < 0.05, name
        assert abs(float(box.box_high.sel(uncertainty=name)) - high) < 0.05, name
    # restricted limits are significant; the third uncertainty is not restricted at all
    assert float(box.qp_low.sel(uncertainty="x.b")) < 1e-6
    assert np.isnan(box.qp_low.sel(uncertainty="x.c")) and np.isnan(
        box.qp_high.sel(uncertainty="x.c")
    )
    assert float(box.box_low.sel(uncertainty="x.c")) == float(found.low.sel(uncertainty="x.c"))
    # the trajectory peels: mass falls and density rises from the whole space to the box
    mass = box.mass.values[np.isfinite(box.mass.values)]
    assert mass[0] == 1.0 and np.all(np.diff(mass[: step + 1]) < 0)
    assert float(box.density[0]) == pytest.approx(inside.mean())
    # CART's densest leaf is the planted box as well
    leaf = int(found.cart_density.argmax())
    assert float(found.cart_density[leaf]) == 1.0 and float(found.cart_coverage[leaf]) == 1.0
    text = format_boxes(found)
    assert "PRIM box 0" in text and "x.c" not in text.split("CART")[0]


@requires_workbench
@requires_matplotlib
def test_discovery_charts_show_the_trajectory_and_the_limits():
    from forecaster.analysis.decision_charts import box_limits_chart, peeling_chart
    from forecaster.analysis.discovery import find_scenarios

    found = find_scenarios(planted()[0], "p_war", above=0.1)
    _, ax = peeling_chart(found)
    assert "P(war) above 0.1" in ax.get_title() and "46 of 400" in ax.get_title()
    assert len(ax.collections[0].get_offsets()) == int(found.coverage.sel(box=0).count())
    _, ax = box_limits_chart(found)
    bars = ax.patches
    assert len(bars) == 3 and bars[2].get_width() == pytest.approx(1.0)  # x.c: whole range
    assert bars[0].get_width() == pytest.approx(0.3, abs=0.06)


@requires_workbench
def test_discover_finds_where_the_threat_makes_war_likely():
    """P(war) = 1 - exp(-rate · scale · T) (every opportunity a war): above 0.6 exactly
    where scale > -ln(0.4) / (rate T); turnover has no effect (elections off)."""
    from forecaster.analysis.discovery import discover

    rate, horizon = 0.3, 5.0
    cfg = config_of(
        pinned(no_alliances(), rate=rate), "run.trajectories=300", "mechanisms.elections=false"
    )
    found = discover(
        cfg,
        {"threat.scale": (0.2, 1.0), "political.turnover": (0.0, 1.0)},
        "p_war",
        {"state": "SMALL"},
        above=0.6,
        n_points=64,
    )
    cut = -np.log(0.4) / (rate * horizon)
    box = found.sel(box=0)
    # the boundary is blurred by Monte Carlo noise: P(war) has SE 0.028 there, a slope of 0.6
    assert abs(float(box.box_low.sel(uncertainty="threat.scale")) - cut) < 0.1
    assert float(box.box_high.sel(uncertainty="threat.scale")) == float(found.high[0])
    assert np.isnan(box.qp_low.sel(uncertainty="political.turnover"))
    assert found.attrs["trajectories_per_point"] == 300 and "threat" in found.attrs["config"]
    assert found.attrs["uncertainties"] == (
        "{'threat.scale': (0.2, 1.0), 'political.turnover': (0.0, 1.0)}"
    )


def pact_config(trajectories: int = 400) -> DictConfig:
    """Every crisis a war; the protégé's provocations scale with 1 - escalation control;
    spending targets change nothing (fiscal off) but cost."""
    spec = pinned(bilateral_pact(), rate=0.1)
    spec["mechanisms"]["provocation"] = True
    spec["threat"]["provocation_rate"] = 0.3
    return config_of(spec, f"run.trajectories={trajectories}", "mechanisms.fiscal=false")


LEVERS = {
    f"{PACT}.escalation_control": [0.0, 0.5, 1.0],
    f"{PACT}.spending_target": [0.02, 0.03],
    f"{PACT}.decision": ["consensus", "unilateral"],
}


def test_the_design_search_finds_the_optimum_the_model_implies():
    from forecaster.analysis.robust import format_designs, search

    n, rate, horizon = 400, 0.1, 5.0
    designs = search(
        pact_config(n),
        LEVERS,
        {"threat.scale": (0.5, 1.5)},
        [("p_war", {"state": "CLIENT"})],
        n_futures=4,
        limits=[0.4],
    )
    assert designs.sizes == {
        "design": 12,
        "future": 4,
        "objective": 1,
        "lever": 3,
        "uncertainty": 1,
    }
    assert designs.attrs["uncertainties"] == "{'threat.scale': (0.5, 1.5)}"
    assert designs.attrs["levers"] == repr(LEVERS) and designs.attrs["limits"] == "[0.4]"
    control = designs.lever_number.sel(lever=f"{PACT}.escalation_control").values
    target = designs.lever_number.sel(lever=f"{PACT}.spending_target").values
    # the cost is the pledge's: the client (GDP 200, spending 2%) lifts to 3%; the patron is above
    np.testing.assert_allclose(designs.cost.values, np.where(target == 0.03, 2.0, 0.0))
    # full escalation control removes provocations: no design does better in any future,
    # and the cheapest such designs (both decision rules) are the Pareto front
    best = control == 1.0
    assert np.all(designs.max_regret.values[best, 0] == 0)
    np.testing.assert_array_equal(designs.pareto.values, best & (target == 0.02))
    assert np.all(designs.max_regret.values[control == 0.0, 0] > 0)
    # there P(war) is the geometric law of the opportunities alone, in every future
    scale = designs.future_value.values[:, 0]
    expected = 1 - np.exp(-rate * scale * horizon)
    se = np.sqrt(expected * (1 - expected) / n)
    for d in np.flatnonzero(best):
        np.testing.assert_array_less(np.abs(designs.outcome.values[d, :, 0] - expected), 4 * se)
    # common random numbers: designs that differ in what the model ignores are equal to the bit
    paired = designs.outcome.values[best, :, 0]
    assert np.all(paired == paired[0])
    # satisficing (P(war) <= 0.4) can only fall as provocations come back
    for t in (0.02, 0.03):
        s = designs.satisficing.values[target == t]
        assert np.all(s[control[target == t] == 1.0].min() >= s[control[target == t] == 0.0])
    assert "* " in format_designs(designs)


@requires_matplotlib
def test_pareto_chart_joins_the_front(tmp_path):
    from forecaster.analysis.decision_charts import pareto_chart
    from forecaster.analysis.robust import search

    designs = search(
        pact_config(100),
        {f"{PACT}.escalation_control": [0.0, 1.0], f"{PACT}.spending_target": [0.02, 0.03]},
        {"threat.scale": (0.5, 1.5)},
        [("p_war", {"state": "CLIENT"})],
        n_futures=2,
    )
    designs.to_netcdf(tmp_path / "robust.nc")
    again = xr.open_dataset(tmp_path / "robust.nc")
    _, ax = pareto_chart(again)
    front = ax.get_lines()[0]
    assert len(front.get_xdata()) == int(designs.pareto.sum())
    assert "4 designs × 2 futures × 100 trajectories" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert "1, 0.02" in texts and "labels: escalation_control, spending_target" in texts


def refuse_to_run(*args, **kwargs):
    raise AssertionError("simulated before every argument was checked")


@requires_workbench
def test_discovery_arguments_are_refused_before_work(monkeypatch, capsys):
    from forecaster.analysis import discovery
    from forecaster.cli.discover import main

    monkeypatch.setattr(discovery, "run", refuse_to_run)
    cfg = pact_config(10)
    with pytest.raises(forecaster.ConfigError) as err:
        discovery.discover(
            cfg,
            {"threat.scale": (2.0, 0.5)},
            "p_war",
            {"state": "CLIENT"},
            above=0.1,
            below=0.2,
            n_points=12,
            method="sobol",
            density=1.5,
        )
    assert err.value.problems == [
        "uncertainty threat.scale = (2.0, 0.5): needs LOW:HIGH with LOW < HIGH",
        "n_points = 12: a Sobol design needs a power of two",
        "above = 0.1, below = 0.2: give exactly one threshold",
        "density = 1.5: the least density of a box, in (0, 1]",
    ]
    with pytest.raises(
        forecaster.ConfigError, match=r"select state = 'CLIENTT'.*did you mean 'CLIENT'"
    ):
        discovery.discover(
            cfg, {"threat.scale": (0.5, 2.0)}, "p_war", {"state": "CLIENTT"}, above=0.1, n_points=8
        )
    status = main(
        [
            "--outcome",
            "p_war",
            "--select",
            "state",
            "--above",
            "0.1",
            "--uncertainty",
            "threat.scale=0.5-2",
            "--uncertainty",
            "threat.sclae=1:2",
            "--points",
            "1",
            "portfolio=regional",
            "run.trajectories=-5",
        ]
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and lines[0].startswith("invalid configuration")
    assert lines[1:] == [
        "  - --uncertainty 'threat.scale=0.5-2': write it as dotted.path=LOW:HIGH (two numbers)",
        "  - --select 'state': write it as dimension=value",
        "  - n_points = 1: must be at least 2",
    ]


def test_robust_arguments_are_refused_before_work(monkeypatch, capsys):
    from forecaster.analysis import robust
    from forecaster.cli.robust import main

    monkeypatch.setattr(robust, "run", refuse_to_run)
    with pytest.raises(forecaster.ConfigError) as err:
        robust.search(
            pact_config(10),
            {
                f"{PACT}.explicitnes": [0.5],
                "portfolio": ["x"],
                f"{PACT}.decision": ["consensus", "unilaterl"],
            },
            {"threat.scale": (0.5, 2.0)},
            [("p_wra", {"state": "CLIENT"})],
            n_futures=4,
        )
    problems = err.value.problems
    assert problems[:2] == [
        f"lever {PACT}.explicitnes: not a key of the config",
        "lever portfolio: a group of keys; choose among values of its leaves",
    ]
    # then every design's config, named by its choice, before anything runs
    assert any(p.startswith(f"at {PACT}.decision=unilaterl:") and "decision" in p for p in problems)
    assert any("outcome = 'p_wra'" in p and "did you mean 'p_war'" in p for p in problems)
    status = main(
        [
            "--objective",
            "p_war:state",
            "--limit",
            "low",
            "--lever",
            "a.b=[1,",
            "--uncertainty",
            "threat.scale=1",
            "portfolio=regional",
        ]
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(lines) == 7
    assert lines[1].startswith("  - --lever 'a.b=[1,': write it as dotted.path=V1,V2,...")
    assert lines[2:] == [
        "  - --uncertainty 'threat.scale=1': write it as dotted.path=LOW:HIGH (two numbers)",
        "  - --objective 'state': write it as dimension=value",
        "  - --limit 'low': a number, or none for an objective without one",
        "  - levers = {}: give at least one PATH=VALUE,VALUE,... to choose among",
        "  - uncertainties = {}: give at least one PATH=LOW:HIGH to vary",
    ]


@pytest.mark.slow
@requires_workbench
@pytest.mark.parametrize("how", ["forecast-discover", "forecast-robust", "forecast -m"])
def test_the_decision_commands_run(how, command, tmp_path):
    scenario = [
        "portfolio=regional",
        "run.trajectories=200",
        "run.horizon_years=5",
        "cluster=in_process",
    ]
    if how == "forecast-discover":
        args = [
            "--outcome",
            "p_war",
            "--select",
            "state=PROTEGE",
            "--above",
            "0.05",
            "--uncertainty",
            "threat.scale=0.5:4",
            "--uncertainty",
            f"{PACT}.explicitness=0.1:0.9",
            "--points",
            "32",
            "--output-dir",
            str(tmp_path),
            *scenario,
        ]
        written = ["discovery.nc", "peeling.png", "box_limits.png"]
    elif how == "forecast-robust":
        args = [
            "--objective",
            "p_war:state=PROTEGE",
            "--lever",
            f"{PACT}.explicitness=0.3,0.9",
            "--lever",
            f"{PACT}.decision=unilateral,consensus",
            "--uncertainty",
            "threat.scale=0.5:2",
            "--futures",
            "4",
            "--output-dir",
            str(tmp_path),
            *scenario,
        ]
        written = ["robust.nc", "pareto.png"]
    else:
        args = [
            "-m",
            "hydra/sweeper=robust",
            f"{PACT}.spending_target=0.02,0.03",
            "hydra.sweeper.objectives=['p_war:state=PROTEGE']",
            "hydra.sweeper.uncertainties=['threat.scale=0.5:2']",
            "hydra.sweeper.futures=4",
            f"hydra.sweep.dir={tmp_path}",
            *scenario,
        ]
        written = ["robust.nc", "pareto.png"]
    done = command(how.split()[0], *args, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "trajectory runs" in done.stdout.splitlines()[0]  # the cost, before the work
    for name in written:
        assert (tmp_path / name).is_file(), name


def test_membership_is_a_lever_run_apart_on_the_same_random_numbers():
    """A members list (Hydra's sweep syntax) is a run of its own with the same seed; the
    cost counts the pledges of the members only (ALLY_A 400 and ALLY_B 600 bn at 1.5%)."""
    from forecaster.analysis.robust import search
    from forecaster.cli.arguments import parse_levers

    levers, problems = parse_levers(
        ["portfolio.alliances.pact.members=[PATRON,PROTEGE,ALLY_A,ALLY_B],[PATRON,PROTEGE]"]
    )
    assert not problems
    assert levers == {"portfolio.alliances.pact.members": [
        ["PATRON", "PROTEGE", "ALLY_A", "ALLY_B"], ["PATRON", "PROTEGE"]]}  # fmt: skip
    cfg = forecaster.compose(["debug=quick", "portfolio=regional", "run.trajectories=200"])
    designs = search(cfg, levers, {"threat.scale": (0.5, 1.5)}, [("p_war", {"state": "ALLY_A"})],
                     n_futures=2)  # fmt: skip
    assert designs.lever_value.values[:, 0].tolist() == [
        "[PATRON,PROTEGE,ALLY_A,ALLY_B]", "[PATRON,PROTEGE]"]  # fmt: skip
    np.testing.assert_allclose(designs.cost.values, [400 * 0.005 + 600 * 0.005, 0.0])
    assert "'portfolio.alliances.pact.members': [['PATRON', 'PROTEGE'" in designs.attrs["levers"]
    # every future's best design has no regret there
    assert np.all(designs.regret.values.min(axis=0) == 0)

"""Paired comparisons under common random numbers (forecaster.compare, forecast-compare)."""

from __future__ import annotations

import numpy as np
import pytest

import forecaster
from forecaster.api import check
from forecaster.engine import simulate
from forecaster.execution import paired_counts
from forecaster.kernels import layout as L
from forecaster.results.estimators import paired_difference

KEY = "portfolio.alliances.pact.explicitness"
BASE = ["portfolio=regional", "debug=quick", "run.trajectories=1500"]
WAR = L.BY_TIME_STATE.index("war")
ABANDONMENT = L.BY_TIME_STATE.index("abandonment")


def scenario(explicitness: float):
    return check(forecaster.compose([*BASE, f"{KEY}={explicitness}"]))


def test_paired_counts_reproduce_each_scenarios_own_counts():
    a, b = scenario(0.5), scenario(0.6)
    counts = paired_counts(a, b, seed=3, n=300, threads=2)
    assert np.array_equal(counts.by_state[0], simulate(a, 0, 300, 3).by_time_state[0, -1])
    assert np.array_equal(counts.by_state[1], simulate(b, 0, 300, 3).by_time_state[0, -1])
    assert (counts.by_state[2] <= np.minimum(counts.by_state[0], counts.by_state[1])).all()
    assert counts.n == 300
    one_thread = paired_counts(a, b, seed=3, n=300, threads=1)
    assert np.array_equal(one_thread.by_state, counts.by_state)


@pytest.mark.slow
def test_the_paired_error_is_the_spread_of_the_difference_over_seeds_and_beats_unpaired():
    """Over 24 seeds, the standard deviation of the estimated difference agrees with the
    paired standard error (the ratio's 99.9% range for 24 seeds is about 0.55 to 1.5),
    and it is far below the error of two independent estimates."""
    a, b = scenario(0.5), scenario(0.6)
    n, seeds = 1500, range(1, 25)
    diffs, ses, unpaired = [], [], []
    for seed in seeds:
        c = paired_counts(a, b, seed, n)
        x = c.by_state[:, 1, ABANDONMENT]  # PROTEGE
        d, se = paired_difference(x[0], x[1], x[2], n)
        pa, pb = x[0] / n, x[1] / n
        diffs.append(d)
        ses.append(se)
        unpaired.append(np.sqrt((pa * (1 - pa) + pb * (1 - pb)) / (n - 1)))
    spread = float(np.std(diffs, ddof=1))
    paired_se = float(np.sqrt(np.mean(np.square(ses))))
    assert 0.55 <= spread / paired_se <= 1.5, (spread, paired_se)
    assert paired_se < 0.5 * float(np.mean(unpaired)), (paired_se, np.mean(unpaired))


def test_compare_two_grid_points_of_one_run(run_in_process):
    ds = run_in_process(*BASE, "run.trajectories=600", f"+sweep.grid.{KEY}=[0.5,0.9]")
    diff = forecaster.compare(ds, at_a={KEY: 0.5}, at_b={KEY: 0.9})
    row = diff[(diff.name == "PROTEGE") & (diff.outcome == "p_abandonment")].iloc[0]
    at = ds.isel(time=-1).sel(state="PROTEGE")
    p = at.p_abandonment.values
    assert row.p_a == pytest.approx(p[0]) and row.p_b == pytest.approx(p[1])
    assert row.difference == pytest.approx(p[1] - p[0])
    assert 0 < row.se < row.se_unpaired
    assert row.lower < row.difference < row.upper
    # abandonment of the patron (no adversary targets it) cannot occur
    assert not diff[(diff.name == "PATRON") & (diff.outcome == "p_abandonment")].applicable.any()
    text = forecaster.format_comparison(diff)
    assert "PROTEGE    P(abandonment)" in text and "n/a" in text
    for phase in ("compile", "kernel_load", "simulate"):
        assert diff.attrs[f"timing_{phase}_s"] > 0, phase


def test_a_comparison_over_the_run_budget_is_refused_before_it_simulates(run_in_process,
                                                                        monkeypatch):  # fmt: skip
    from forecaster.execution import cost

    ds = run_in_process(*BASE, "run.trajectories=200", f"+sweep.grid.{KEY}=[0.5,0.9]")
    monkeypatch.setattr(cost, "TIME_BUDGET_S", 1e-9)
    with pytest.raises(forecaster.ConfigError) as err:
        forecaster.compare(ds, at_a={KEY: 0.5}, at_b={KEY: 0.9})
    (line,) = err.value.problems
    assert line.startswith("the paired re-simulation would take about") and "allow_long" in line
    allowed = forecaster.compare(ds, at_a={KEY: 0.5}, at_b={KEY: 0.9}, allow_long=True)
    assert int(allowed.n.iloc[0]) == 200


def test_paired_counts_do_not_depend_on_the_blocks_or_threads():
    a, b = scenario(0.5), scenario(0.9)
    one = paired_counts(a, b, seed=5, n=37, threads=1)
    three = paired_counts(a, b, seed=5, n=37, threads=3)
    for field in ("by_state", "by_alliance", "overall"):
        np.testing.assert_array_equal(getattr(one, field), getattr(three, field))
    assert one.n == three.n == 37


def test_compare_refuses_runs_without_common_random_numbers(run_in_process):
    a = run_in_process(*BASE, "run.trajectories=50", "run.seed=1")
    b = run_in_process(*BASE, "run.trajectories=50", "run.seed=2")
    with pytest.raises(ValueError, match="seeds differ"):
        forecaster.compare(a, b)
    grid = run_in_process(*BASE, "run.trajectories=50", f"+sweep.grid.{KEY}=[0.5,0.9]")
    with pytest.raises(ValueError, match="choose one value of each swept key"):
        forecaster.compare(grid)


@pytest.mark.slow
def test_forecast_compare_prints_paired_differences_of_two_runs(command, tmp_path):
    dirs = []
    for value in (0.5, 0.9):
        out = tmp_path / str(value)
        ds = forecaster.run(forecaster.compose([*BASE, "run.trajectories=300", f"{KEY}={value}"]),
                            progress=False)  # fmt: skip
        forecaster.write_results(ds, out)
        dirs.append(str(out))
    done = command("forecast-compare", *dirs, "--states", "PROTEGE", "--csv", tmp_path / "diff.csv")
    assert done.returncode == 0, done.stderr
    assert "PROTEGE    P(abandonment)" in done.stdout and "ALLY_A" not in done.stdout
    assert "paired standard errors" in done.stdout
    assert (tmp_path / "diff.csv").read_text().startswith("kind,name,outcome")
    bad = command("forecast-compare", dirs[0], "--a", "threat.scale=2")
    assert bad.returncode == 2 and "not swept keys" in bad.stderr

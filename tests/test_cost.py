"""A run says what it will cost before it spends it."""

from __future__ import annotations

import logging

import pytest

import forecaster
from forecaster.errors import ConfigError
from forecaster.execution import cost


def test_a_run_logs_its_size_and_estimated_time_first(caplog):
    cfg = forecaster.compose(["portfolio=regional", "run.trajectories=300", "debug=quick",
                              "+sweep.grid.threat.scale=[1,2]"])  # fmt: skip
    with caplog.at_level(logging.INFO, logger="forecaster"):
        forecaster.run(cfg, progress=False)
    first = next(r for r in caplog.records if "trajectory runs" in r.getMessage())
    assert "300 trajectories x 2 grid points = 600 trajectory runs" in first.getMessage()
    assert "about" in first.getMessage() and first.levelno == logging.INFO


def test_a_run_of_years_is_refused_before_anything_runs_with_its_estimate_and_flag():
    cfg = forecaster.compose(["portfolio=regional", "run.trajectories=10000000000000",
                              "cluster=in_process"])  # fmt: skip
    with pytest.raises(ConfigError) as err:
        forecaster.check(cfg)
    (line,) = err.value.problems
    assert "years" in line and "10,000,000,000,000 trajectory runs" in line
    assert "run.allow_long=true" in line


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (42, "42 s"),
        (210, "3.5 min"),
        (7560, "2.1 h"),
        (345600, "4.0 days"),
        (1e9, "31.7 years"),
    ],
)
def test_durations_read_as_a_person_would_say_them(seconds, text):
    assert cost.duration(seconds) == text


REFUSALS = [
    (["run.trajectories=1000000000000"], ["trajectory runs", "run.allow_long=true"]),
    (["run.trajectories=100000000", "run.block_size=1"], ["run.allow_long=true"]),
    (["cluster=local", "run.trajectories=100000", "run.block_size=1"],
     ["run.block_size = 1: 100,000 tasks would spend about 5.0 min in per-task overhead",
      "allowed: a block size of at least about", "run.allow_long=true"]),
    (["run.dt_years=1e-9"], ["run.dt_years = 1e-09", "10,000,000,000 steps", "TB per grid point",
                             "at most 10,000 steps"]),
    (["cluster=local_processes", "cluster.n_workers=1000"],
     ["cluster.n_workers = 1000", "4 per core", "1000 worker processes would need about 150 GB"]),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "fragments"), REFUSALS, ids=lambda v: str(v)[:40])
def test_runs_beyond_the_bounds_are_refused_in_one_line_before_work(overrides, fragments):
    cfg = forecaster.compose(["portfolio=regional", "cluster=in_process", *overrides])
    with pytest.raises(ConfigError) as err:
        forecaster.check(cfg)
    # one line per problem (a block size of 1 may also pass the time budget on a slow machine)
    assert 1 <= len(err.value.problems) <= 2
    for fragment in fragments:
        assert any(fragment in line for line in err.value.problems), fragment


def test_a_grid_whose_counters_pass_the_memory_budget_is_refused_unless_allowed(monkeypatch):
    monkeypatch.setattr(cost, "memory_budget", lambda: 1_000_000)
    from forecaster import api

    monkeypatch.setattr(api, "memory_budget", lambda: 1_000_000)
    grid = "+sweep.grid.threat.scale=[" + ",".join(str(1 + i / 100) for i in range(20)) + "]"
    cfg = forecaster.compose(["portfolio=nato", "cluster=in_process", grid])
    with pytest.raises(ConfigError) as err:
        forecaster.check(cfg)
    (line,) = err.value.problems
    per_point = forecaster.Counters.nbytes_of(33, 1, 40)
    assert f"20 grid points would hold about {cost.size(per_point * 20 * 4)}" in line
    assert "run.allow_large=true" in line
    allowed = forecaster.compose(["portfolio=nato", "cluster=in_process", grid,
                                  "run.trajectories=10", "run.allow_large=true"])  # fmt: skip
    assert forecaster.check(allowed).n_rows == 20


def test_allow_long_lets_a_long_run_through_the_check():
    cfg = forecaster.compose(["portfolio=regional", "cluster=in_process",
                              "run.trajectories=1000000000000", "run.allow_long=true"])  # fmt: skip
    assert forecaster.check(cfg).n_rows == 1


def test_counter_bytes_are_what_zeros_allocates():
    scenario = forecaster.check(forecaster.compose(["portfolio=nato", "cluster=in_process"]))
    zeros = forecaster.Counters.zeros(scenario)
    allocated = zeros.n_trajectories.nbytes + sum(a.nbytes for a in zeros.arrays().values())
    assert allocated == forecaster.Counters.nbytes_of(
        scenario.n_states, scenario.n_alliances, scenario.n_steps
    )


def test_the_estimate_scales_with_threads_but_not_the_task_overhead():
    c = cost.Cost(1000, 1, 10, threads=1, work_s=100.0, overhead_s=20.0)
    assert c.seconds == 100.0
    assert c.on(4).seconds == 25.0
    assert c.on(10).seconds == 20.0

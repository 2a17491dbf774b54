"""A run says what it will cost before it spends it."""

from __future__ import annotations

import logging

import pytest

import forecaster
from forecaster.errors import ConfigError
from forecaster.execution import cost


def test_a_run_logs_its_size_and_estimated_time_first(caplog):
    cfg = forecaster.compose(["portfolio=regional", "run.trajectories=300", "cluster=in_process",
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

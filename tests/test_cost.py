"""A run says what it will cost before it spends it."""

from __future__ import annotations

import logging

import pytest

import forecaster
from forecaster import api


def test_a_run_logs_its_size_and_estimated_time_first(caplog):
    cfg = forecaster.compose(["portfolio=regional", "run.trajectories=300", "debug=quick",
                              "+sweep.grid.threat.scale=[1,2]"])  # fmt: skip
    with caplog.at_level(logging.INFO, logger="forecaster"):
        forecaster.run(cfg, progress=False)
    first = next(r for r in caplog.records if "trajectory runs" in r.getMessage())
    assert "300 trajectories x 2 grid points = 600 trajectory runs" in first.getMessage()
    assert "about" in first.getMessage() and first.levelno == logging.INFO


def test_a_run_of_years_is_a_warning_before_anything_runs(caplog, monkeypatch):
    cfg = forecaster.compose(["portfolio=regional", "run.trajectories=10000000000000",
                              "debug=quick"])  # fmt: skip

    def stop(*args, **kwargs):
        raise KeyboardInterrupt  # the analyst reads the warning and stops

    monkeypatch.setattr(api, "execute", stop)
    with caplog.at_level(logging.INFO, logger="forecaster"), pytest.raises(KeyboardInterrupt):
        forecaster.run(cfg, progress=False)
    warning = next(r for r in caplog.records if "trajectory runs" in r.getMessage())
    assert warning.levelno == logging.WARNING and "years" in warning.getMessage()


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
    assert api._duration(seconds) == text

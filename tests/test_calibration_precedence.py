"""A calibration never silently overrides the user (issue 18 item 7).

The shipped options leave the calibrated keys to the chosen calibration
(``${oc.select:calibration.KEY,PRIOR}``); a user's option or override that sets
a key wins, and the summary names the calibrated values and the user's.
"""

from __future__ import annotations

import logging

import pytest
import yaml
from omegaconf import OmegaConf

import forecaster
from forecaster.cli.calibrate import calibration_dir
from forecaster.config import calibration_sources, deferred_keys, to_spec
from forecaster.results import format_summary


def _keys(node: dict, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in node.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        out |= _keys(value, full) if isinstance(value, dict) else {full}
    return out


#: the keys the shipped calibration estimates
CALIBRATED = _keys(yaml.safe_load(calibration_dir().joinpath("history.yaml").read_text()))


def _shipped_estimate(key: str) -> float:
    cfg = forecaster.compose(["portfolio=regional"])
    return float(OmegaConf.select(cfg.calibration, key))


def test_the_shipped_options_leave_every_shipped_estimate_to_the_calibration():
    assert deferred_keys("threat") | deferred_keys("political") == CALIBRATED
    sources = calibration_sources(forecaster.compose(["portfolio=regional"]))
    assert set(sources.calibrated) == CALIBRATED
    assert not sources.replaced and not sources.not_deferred


def test_a_users_threat_option_wins_over_the_calibration(tmp_path):
    """The issue's case: an own threat option asking for resolve.median 0.15."""
    (tmp_path / "threat").mkdir()
    (tmp_path / "threat" / "mine.yaml").write_text(
        "defaults:\n  - baseline\n  - _self_\nresolve:\n  median: 0.15\n"
    )
    cfg = forecaster.compose(["portfolio=regional", "threat=mine"], config_dir=tmp_path)
    assert to_spec(cfg)["threat"]["resolve"] == {"dist": "lognormal", "median": 0.15,
                                                  "sigma": 0.9}  # fmt: skip
    sources = calibration_sources(cfg)
    assert sources.replaced == {
        "threat.resolve.median": (0.15, _shipped_estimate("threat.resolve.median"))
    }
    # what the option did not set still comes from the calibration
    assert set(sources.calibrated) == CALIBRATED - {"threat.resolve.median"}
    assert to_spec(cfg)["threat"]["stalemate"] == _shipped_estimate("threat.stalemate")


def test_an_option_that_does_not_extend_the_baseline_keeps_all_its_values(tmp_path):
    (tmp_path / "political").mkdir()
    own = forecaster.compose(["portfolio=regional", "calibration=none"]).political
    text = OmegaConf.to_yaml(own, resolve=True)
    (tmp_path / "political" / "own.yaml").write_text(text)
    cfg = forecaster.compose(["portfolio=regional", "political=own"], config_dir=tmp_path)
    assert cfg.political.honour.intercept == -0.6  # the option's, not the estimate
    assert cfg.political.honour.co_obligated == 2.0
    assert set(calibration_sources(cfg).replaced) == {
        "political.honour.intercept",
        "political.honour.co_obligated",
    }


def test_an_override_wins_and_calibration_none_gives_the_priors():
    cfg = forecaster.compose(["portfolio=regional", "threat.stalemate=0.3"])
    assert to_spec(cfg)["threat"]["stalemate"] == 0.3
    assert calibration_sources(cfg).replaced["threat.stalemate"][0] == 0.3
    prior = forecaster.compose(["portfolio=regional", "calibration=none"])
    assert prior.threat.stalemate == 0.5 and prior.threat.resolve.median == 0.2
    assert calibration_sources(prior).lines() == []


def test_an_estimate_no_option_takes_up_is_named_not_applied(tmp_path, caplog):
    (tmp_path / "calibration").mkdir()
    (tmp_path / "calibration" / "odd.yaml").write_text(
        "# @package calibration\nthreat:\n  provocation_rate: 0.09\n"
    )
    cfg = forecaster.compose(
        ["portfolio=regional", "calibration=odd", "run.trajectories=100", "cluster=in_process"],
        config_dir=tmp_path,
    )
    assert cfg.threat.provocation_rate == 0.02  # the option's value, not silently replaced
    sources = calibration_sources(cfg)
    assert sources.not_deferred == {"threat.provocation_rate": (0.02, 0.09)}
    with caplog.at_level(logging.WARNING, logger="forecaster"):
        forecaster.run(cfg, progress=False)
    assert "threat.provocation_rate: the calibration estimates 0.09" in caplog.text


@pytest.mark.parametrize("override", ["threat.resolve.median=0.15"])
def test_the_summary_names_calibrated_values_and_the_users(override):
    cfg = forecaster.compose(
        ["portfolio=regional", override, "run.trajectories=100", "cluster=in_process"]
    )
    text = format_summary(forecaster.run(cfg, progress=False))
    intercept = _shipped_estimate("political.honour.intercept")
    resolve = _shipped_estimate("threat.resolve.median")
    assert f"from the calibration: political.honour.intercept = {intercept:.4g}" in text
    assert (
        f"yours, over the calibration: threat.resolve.median = 0.15 (calibrated {resolve:.4g})"
        in text
    )

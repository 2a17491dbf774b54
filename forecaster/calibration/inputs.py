"""What a calibration is given: the parameters to estimate, with their search bounds,
and the historical moments to match (a moments file, ``conf/moments/history.yaml``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from forecaster.errors import ConfigError


@dataclass(frozen=True)
class Parameter:
    """A parameter to estimate: a numeric config leaf and its search bounds."""

    path: str
    low: float
    high: float
    #: search on log(value): for a positive parameter whose bounds span decades
    log: bool = False

    @classmethod
    def parse(cls, text: str) -> Parameter:
        """``PATH=LOW:HIGH`` or ``PATH=LOW:HIGH:log``, as ``forecast-calibrate --param``."""
        name, _, bounds = text.partition("=")
        low, _, rest = bounds.partition(":")
        high, _, scale = rest.partition(":")
        try:
            if scale not in ("", "log"):
                raise ValueError(scale)
            return cls(name, float(low), float(high), log=scale == "log")
        except ValueError:
            raise ConfigError(
                [
                    f"--param {text!r}: write it as dotted.path=low:high or low:high:log "
                    "(a search on the log scale), e.g. threat.scale=0.5:2"
                ]
            ) from None

    def scale(self, value: float) -> float:
        """``value`` as a share of the search range (of log values when ``log``)."""
        if self.log:
            return math.log(value / self.low) / math.log(self.high / self.low)
        return (value - self.low) / (self.high - self.low)

    def unscale(self, u: float) -> float:
        if self.log:
            return float(self.low * (self.high / self.low) ** u)
        return self.low + u * (self.high - self.low)


@dataclass(frozen=True)
class Target:
    """A historical moment: value, standard error and where it comes from."""

    name: str
    value: float
    se: float
    source: str = ""
    period: str = ""


def load_targets(path: str | Path) -> dict[str, Target]:
    """The moments of a history file (``moments: {name: {value, se, source, ...}}``)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError([f"moments file {str(path)!r}: no such file"])
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError([f"moments file {str(path)!r}: not YAML ({err})"]) from None
    moments = data.get("moments") if isinstance(data, dict) else None
    if not isinstance(moments, dict) or not moments:
        raise ConfigError(
            [f"moments file {str(path)!r}: needs a 'moments' mapping of name -> {{value, se}}"]
        )
    out, problems = {}, []
    for name, m in moments.items():
        value = m.get("value") if isinstance(m, dict) else None
        se = m.get("se") if isinstance(m, dict) else None
        if not isinstance(value, int | float) or not isinstance(se, int | float) or se <= 0:
            problems.append(
                f"moments file {str(path)!r}: moments.{name} = {m!r}: needs a numeric "
                "value and a positive se"
            )
            continue
        out[str(name)] = Target(
            str(name), float(value), float(se), str(m.get("source", "")), str(m.get("period", ""))
        )
    if problems:
        raise ConfigError(problems)
    return out


def theta_of(parameters: Sequence[Parameter], u: np.ndarray) -> np.ndarray:
    """Parameter values at a point of the scaled search space [0, 1]^p (clipped into it)."""
    return np.array([q.unscale(x) for q, x in zip(parameters, np.clip(u, 0, 1), strict=True)])


def scaled(parameters: Sequence[Parameter], theta: np.ndarray) -> np.ndarray:
    """The point of the scaled search space [0, 1]^p at parameter values ``theta``."""
    return np.array([q.scale(v) for q, v in zip(parameters, theta, strict=True)])


@dataclass(frozen=True)
class Settings:
    """How the search runs (:func:`forecaster.calibration.smm.calibrate` explains each)."""

    max_evaluations: int = 60
    initial_design: int = 8
    starts: int = 1
    method: str = "trf"
    error_batches: int = 10
    #: the central-difference step of the Jacobian, as a share of each range
    step: float = 0.05

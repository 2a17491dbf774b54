"""Every rule a calibration's inputs must meet, in one place for the library
(:func:`forecaster.calibration.smm.calibrate`) and the command (``forecast-calibrate``).

Each rule gives one line naming the key, the value and what is allowed; all
of them are collected before anything is simulated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from omegaconf import DictConfig

from forecaster.api import check
from forecaster.config import to_spec
from forecaster.errors import ConfigError
from forecaster.scenario.compile import check_grid_key

from .inputs import Parameter, Settings, Target
from .moments import ESTIMATORS, portfolio_problems, unknown_moments

#: the local searches: trust-region least squares (scipy ``least_squares``, ``trf``) on
#: the weighted residuals, or Nelder–Mead on Q
METHOD_NAMES = {"trf": "trust-region least squares", "nelder-mead": "Nelder-Mead"}
METHODS = tuple(METHOD_NAMES)


def parameter_problems(cfg: DictConfig, parameters: Sequence[Parameter]) -> list[str]:
    """Everything wrong with the parameters, one line each (empty: all fine)."""
    spec = to_spec(cfg)
    problems = []
    if not parameters:
        problems.append("parameters = []: name at least one parameter to estimate")
    seen = set()
    for p in parameters:
        if p.path in seen:
            problems.append(f"parameter {p.path}: named twice")
        seen.add(p.path)
        why = check_grid_key(spec, p.path)
        if why:
            problems.append(f"parameter {p.path}: {why}")
        if not (math.isfinite(p.low) and math.isfinite(p.high) and p.low < p.high):
            problems.append(f"parameter {p.path} bounds {p.low}:{p.high}: need low < high")
        elif p.log and p.low <= 0:
            problems.append(
                f"parameter {p.path} bounds {p.low}:{p.high}:log: a log search needs low > 0"
            )
    return problems


def moment_problems(
    names: Sequence[str], targets: Mapping[str, Target], n_parameters: int
) -> list[str]:
    """Everything wrong with the moments to fit, given the moments file's ``targets``."""
    problems = unknown_moments(names)
    missing = [n for n in names if n not in targets]
    if missing:
        problems.append(
            f"moments {missing}: not in the moments file (it has: {', '.join(sorted(targets))})"
        )
    if len(set(names)) != len(names):
        problems.append(f"moments {list(names)}: a moment is named twice")
    if len(names) < n_parameters:
        problems.append(
            f"{len(names)} moments for {n_parameters} parameters: need at least as many "
            "moments as parameters"
        )
    return problems


def setting_problems(
    settings: Settings, trajectories: int, option: Callable[[str], str] = str
) -> list[str]:
    """Everything wrong with the search's settings; ``option`` spells a setting's name
    as the caller knows it (``--max-evaluations`` on the command line)."""
    s = settings
    problems = [
        f"{option(key)} = {value}: must be >= 1"
        for key, value in (
            ("trajectories", trajectories),
            ("max_evaluations", s.max_evaluations),
            ("initial_design", s.initial_design),
        )
        if value < 1
    ]
    if s.method not in METHODS:
        problems.append(f"{option('method')} = {s.method!r}: must be one of {', '.join(METHODS)}")
    if s.starts < 1 or s.starts > s.initial_design + 1:
        problems.append(
            f"{option('starts')} = {s.starts}: must be between 1 and the design's points "
            f"({s.initial_design + 1})"
        )
    if s.error_batches == 1 or s.error_batches < 0:
        problems.append(
            f"{option('error_batches')} = {s.error_batches}: 0 (analytic errors) or >= 2"
        )
    if not 0 < s.step < 0.5:
        problems.append(f"{option('step')} = {s.step}: must be in (0, 0.5) (a share of each range)")
    return problems


def problems(
    cfg: DictConfig,
    parameters: Sequence[Parameter],
    targets: Mapping[str, Target] | None,
    moments: Sequence[str],
    settings: Settings,
    held_out: Sequence[str] = (),
    option: Callable[[str], str] = str,
) -> list[str]:
    """Everything wrong with a calibration's inputs, one line each (empty: all fine).

    Parameters
    ----------
    cfg : DictConfig
        The composed config (its portfolio and ``run.trajectories``).
    parameters, moments, held_out :
        What to estimate, the moments to fit, and moments only reported.
    targets : mapping or None
        The moments file's moments; ``None`` when it could not be read (the caller
        reports why), which skips the checks against it.
    settings : Settings
        The search's settings.
    option : callable
        Spells a setting's name as the caller knows it.
    """
    found = parameter_problems(cfg, parameters)
    if targets is not None:
        found += moment_problems(moments, targets, len(parameters))
        found += [
            f"{option('held_out')} {n!r}: not in the moments file or without a simulated estimator"
            for n in held_out
            if n not in targets or n not in ESTIMATORS
        ]
    found += portfolio_problems(to_spec(cfg), [*moments, *held_out])
    found += setting_problems(settings, int(cfg.run.trajectories), option)
    return found


def check_inputs(
    cfg: DictConfig,
    parameters: Sequence[Parameter],
    targets: Mapping[str, Target] | None,
    moments: Sequence[str],
    settings: Settings,
    held_out: Sequence[str] = (),
    option: Callable[[str], str] = str,
    also: Sequence[str] = (),
) -> None:
    """Raise :class:`ConfigError` with every problem of :func:`problems` (after the
    caller's own, ``also``), else check that the config compiles at both corners of
    the bounds (e.g. no negative medians); nothing is simulated."""
    found = [*also, *problems(cfg, parameters, targets, moments, settings, held_out, option)]
    if found:
        raise ConfigError(found)
    check(cfg, points=[{q.path: getattr(q, side) for q in parameters} for side in ("low", "high")])

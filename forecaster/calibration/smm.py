"""The simulated method of moments (SMM) on common random numbers.

Estimate parameters θ (dotted config paths) by minimising

    Q(θ) = (m_sim(θ) − m_hist)ᵀ W (m_sim(θ) − m_hist),
    W = diag(1 / (se_hist² + se_sim²)),

where ``se_sim`` are the simulated moments' Monte Carlo errors at the starting
point (fixed during the search, so that Q is a fixed function of θ). Every
evaluation is one :func:`forecaster.run` with design points, on the same seed and
trajectories (common random numbers: the engine's keyed randomness gives every
point the same shocks, so Q moves with θ, not with noise). The search runs on
the parameters scaled to [0, 1] by their bounds (or log bounds), from the best
points of a space-filling design evaluated in one run: trust-region least
squares on the weighted residuals (scipy.optimize.least_squares, ``trf``; each
Jacobian is p forward differences simulated in one run), or Nelder–Mead.

Errors: G = ∂m_sim/∂θ by central differences at θ̂ (one run of 2p points) and
Var(θ̂) = (Gᵀ W G)⁻¹ with W re-evaluated at θ̂. Because W already adds each
moment's simulation variance to its historical variance, this is the textbook
(1 + 1/k)(Gᵀ Ω⁻¹ G)⁻¹ with k = simulated / historical sample size taken moment
by moment. Hansen's J = n·Q(θ̂) in this scaling is Q(θ̂) itself, asymptotically
χ² with (moments − parameters) degrees of freedom when W is the inverse of the
moments' variance, i.e. when the moments are independent: the diagonal W ignores
covariances between moments, so do not fit two period variants of one moment.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from omegaconf import DictConfig

from forecaster.config import to_spec
from forecaster.errors import ConfigError

from .inference import at_estimate
from .inputs import Parameter, Settings, Target, load_targets
from .moments import portfolio_problems, unknown_moments
from .objective import Objective
from .problems import METHOD_NAMES, METHODS, check_inputs, moment_problems, parameter_problems
from .search import design, multi_start

__all__ = [
    "DEFAULT_MOMENTS",
    "METHODS",
    "Fit",
    "Parameter",
    "Settings",
    "Target",
    "calibrate",
    "estimates_table",
    "fit_table",
    "load_targets",
    "moment_problems",
    "parameter_problems",
    "simulated_targets",
    "summary",
    "write_option",
]


#: the moments fitted when none are named: the shipped calibration's (post-1945, one
#: per feature of the model, no period variants of the same moment: their errors are
#: correlated; of the three MID outcome shares, which sum to one, two; the deterrence
#: ratio of a local ally, not of distant allies only, which mostly measures which
#: states were given distant guarantees: docs/calibration.md)
DEFAULT_MOMENTS = (
    "targeted_rate_post1945",
    "war_entry_rate_post1945",
    "p_war_given_mid_post1945",
    "p_mid_stalemate_post1945",
    "reliability_post1945_bilateral",
    "reliability_post1945_multilateral",
    "alliance_termination_hazard_formed_from_1945",
    "deterrence_rate_ratio_local_ally_post1945",
    "war_participation_distant_post1945",
)


@dataclass
class Fit:
    """The result of :func:`calibrate`."""

    parameters: list[Parameter]
    moments: list[str]
    targets: dict[str, Target]
    start: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    covariance: np.ndarray
    jacobian: np.ndarray
    sim_start: np.ndarray
    sim_start_se: np.ndarray
    sim: np.ndarray
    sim_se: np.ndarray
    J: float
    df: int
    p_value: float
    evaluations: int
    points: int
    trajectories: int
    simulated: int
    seconds: float
    history: list[tuple[list[float], float]] = field(default_factory=list)
    method: str = "trf"

    def values(self) -> dict[str, float]:
        return {p.path: float(v) for p, v in zip(self.parameters, self.estimate, strict=True)}


def calibrate(
    cfg: DictConfig,
    parameters: Sequence[Parameter],
    targets: Mapping[str, Target],
    moments: Sequence[str] = DEFAULT_MOMENTS,
    max_evaluations: int = 60,
    initial_design: int = 8,
    step: float = 0.05,
    error_batches: int = 10,
    log: Callable[[str], None] | None = None,
    starts: int = 1,
    method: str = "trf",
) -> Fit:
    """Estimate ``parameters`` by SMM on ``moments``; see the module docstring.

    ``initial_design`` points (a scrambled Sobol design over the bounds, plus the
    config's own values, clipped) are evaluated in one run and the best starts
    a local search: ``method="trf"``, trust-region least squares on the weighted
    residuals (each Jacobian p forward differences in one run), or
    ``"nelder-mead"``, restarted from its optimum until a restart stops improving
    Q. With ``starts`` > 1 the search runs from each of the ``starts`` best design
    points and keeps the best optimum. The searches simulate at most
    ``max_evaluations`` points in all, shared among the starts.
    ``step`` is the central-difference step as a share of each parameter's range
    (of its log range for a log parameter).
    With ``error_batches`` >= 2 the simulated moments' errors (in W, the standard
    errors and J) come from that many independent batches (:meth:`Objective.batch_errors`)
    at the search's start and at the estimate; with 0 from the dataset's per-state
    errors, which treat states as independent and understate the error of a mean
    over states that share an adversary.
    """
    settings = Settings(max_evaluations, initial_design, starts, method, error_batches, step)
    check_inputs(cfg, parameters, targets, moments, settings)
    started = time.perf_counter()
    obj = Objective(cfg, parameters, moments, targets, log)
    start = design(obj, initial_design, error_batches)
    u_hat = multi_start(obj, start, settings)
    result = at_estimate(obj, u_hat, step, error_batches)
    return Fit(
        parameters=list(parameters),
        moments=list(moments),
        targets=dict(targets),
        start=start.thetas[0],
        estimate=obj.theta_of(u_hat),
        se=result.se,
        covariance=result.covariance,
        jacobian=result.jacobian,
        sim_start=start.sim[0],
        sim_start_se=start.sim_se[0],
        sim=result.sim,
        sim_se=result.sim_se,
        J=result.J,
        df=result.df,
        p_value=result.p_value,
        evaluations=obj.runs,
        points=obj.points,
        trajectories=int(cfg.run.trajectories),
        simulated=obj.simulated,
        seconds=time.perf_counter() - started,
        history=obj.history,
        method=method,
    )


def fit_table(fit: Fit) -> str:
    """Markdown: one row per fitted moment (history, start, estimate, difference in SEs)."""
    lines = [
        "| moment | history | simulated at start | simulated at estimate | (sim − hist) / SE |",
        "|---|---|---|---|---|",
    ]
    for j, name in enumerate(fit.moments):
        t = fit.targets[name]
        z = (fit.sim[j] - t.value) / math.hypot(t.se, np.nan_to_num(fit.sim_se[j]))
        lines.append(
            f"| {name} | {t.value:.4g} ± {t.se:.2g} | {fit.sim_start[j]:.4g} ± "
            f"{fit.sim_start_se[j]:.2g} | {fit.sim[j]:.4g} ± {fit.sim_se[j]:.2g} | {z:+.2f} |"
        )
    return "\n".join(lines)


def _log_interval(estimate: float, se: float) -> str:
    """For a parameter searched on the log scale: its log-scale error and the 95%
    interval it gives (the delta method's SE / estimate), which stays positive."""
    log_se = se / estimate
    factor = math.exp(1.96 * log_se)
    return f"; log-scale SE {log_se:.2g}, 95% {estimate / factor:.3g} to {estimate * factor:.3g}"


def estimates_table(fit: Fit) -> str:
    """Markdown: start, estimate and SE of each parameter; estimates at a bound flagged."""
    lines = ["| parameter | bounds | start | estimate | SE | |", "|---|---|---|---|---|---|"]
    for i, q in enumerate(fit.parameters):
        u = q.scale(fit.estimate[i])
        near = min(u, 1 - u) < 0.01
        note = "at a bound: widen it (the SE assumes an interior optimum)" if near else ""
        lines.append(
            f"| {q.path} | {q.low:g}:{q.high:g}{':log' if q.log else ''} "
            f"| {fit.start[i]:.4g} | {fit.estimate[i]:.4g} "
            f"| {fit.se[i]:.2g} | {note} |"
        )
    return "\n".join(lines)


def summary(fit: Fit) -> str:
    return (
        f"{estimates_table(fit)}\n\n{fit_table(fit)}\n\n"
        f"Hansen's J = {fit.J:.3f}, df = {fit.df}, p = {fit.p_value:.3g} "
        f"(W = diag(1/(se_hist² + se_sim²)) at the estimate)\n"
        f"{fit.evaluations} runs ({fit.points} points, error batches included) of "
        f"{fit.trajectories} trajectories a point: {fit.simulated:,} trajectories in "
        f"{fit.seconds:.1f} s"
    )


def nested(values: Mapping[str, float]) -> dict[str, Any]:
    """``{"a.b.c": 1}`` -> ``{"a": {"b": {"c": 1}}}``."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def write_option(fit: Fit, path: str | Path, command: str, date: str) -> Path:
    """Write the estimates as a Hydra config option (``# @package calibration``).

    The shipped options take up an estimate where they leave its key to the
    calibration (``${oc.select:calibration.KEY,PRIOR}``, ``forecaster.config.calibrated``).
    """
    path = Path(path)
    header = [
        "# @package calibration",
        f"# Calibrated parameters: forecast-calibrate, {date}",
        f"#   command: {command}",
        "#   method: simulated method of moments, W = diag(1/(se_hist^2 + se_sim^2)),",
        f"#           {METHOD_NAMES[fit.method]} on common random numbers, "
        f"{fit.trajectories} trajectories",
        "#           a point; SE = sqrt(diag((G'WG)^-1)), G by central differences",
        "#   estimates (SE):",
    ]
    header += [
        f"#     {q.path} = {fit.estimate[i]:.6g} ({fit.se[i]:.3g}); started at {fit.start[i]:.6g}"
        + (_log_interval(fit.estimate[i], fit.se[i]) if q.log else "")
        for i, q in enumerate(fit.parameters)
    ]
    header.append(f"#   Hansen's J = {fit.J:.4g}, df = {fit.df}, p = {fit.p_value:.3g}")
    header.append("#   fit: moment = history (SE) | simulated (SE)")
    header += [
        f"#     {n} = {fit.targets[n].value:.4g} ({fit.targets[n].se:.2g}) | "
        f"{fit.sim[j]:.4g} ({fit.sim_se[j]:.2g})"
        for j, n in enumerate(fit.moments)
    ]
    body = yaml.safe_dump(
        nested({k: round(v, 6) for k, v in fit.values().items()}), sort_keys=False
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header) + "\n" + body)
    return path


def simulated_targets(
    cfg: DictConfig,
    values: Mapping[str, float],
    moments: Sequence[str] = DEFAULT_MOMENTS,
    error_batches: int = 10,
) -> dict[str, Target]:
    """Moments the engine gives at known parameter ``values``, as calibration targets.

    The value is one run of ``cfg`` at ``values``; the error comes from
    ``error_batches`` independent batches (as in :func:`calibrate`). For
    parameter-recovery checks: calibrate on these, with another seed, and compare
    the estimates with ``values``.
    """
    parameters = [Parameter(path, v - 1.0, v + 1.0) for path, v in values.items()]
    problems = parameter_problems(cfg, parameters) + unknown_moments(moments)
    problems += portfolio_problems(to_spec(cfg), moments)
    if error_batches < 2:
        problems.append(f"error_batches = {error_batches}: must be >= 2 here")
    if problems:
        raise ConfigError(problems)
    obj = Objective(cfg, parameters, moments, {m: Target(m, 0.0, 1.0) for m in moments})
    theta = np.array(list(values.values()), dtype=float)
    sim, _ = obj.simulate(theta)
    se = obj.batch_errors(theta, error_batches)
    return {
        m: Target(m, float(sim[0, j]), float(se[j]), "simulated", f"seed {cfg.run.seed}")
        for j, m in enumerate(moments)
    }

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
from scipy import optimize, stats
from scipy.stats import qmc

from forecaster.api import check, run
from forecaster.config import to_spec
from forecaster.errors import ConfigError
from forecaster.scenario.compile import check_grid_key, get_path

from .moments import portfolio_problems, simulated_moments, unknown_moments

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
)


#: the local searches: trust-region least squares (scipy ``least_squares``, ``trf``) on
#: the weighted residuals, or Nelder–Mead on Q
METHOD_NAMES = {"trf": "trust-region least squares", "nelder-mead": "Nelder-Mead"}
METHODS = tuple(METHOD_NAMES)
#: forward-difference step of the trust-region search's Jacobian, as a share of each range
DIFF_STEP = 0.02


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


class Objective:
    """m_sim(θ) at design points, each call one run on common random numbers."""

    def __init__(
        self,
        cfg: DictConfig,
        parameters: Sequence[Parameter],
        moments: Sequence[str],
        targets: Mapping[str, Target],
    ) -> None:
        self.cfg = cfg
        self.parameters = list(parameters)
        self.moments = list(moments)
        self.hist = np.array([targets[n].value for n in moments])
        self.hist_se = np.array([targets[n].se for n in moments])
        self.weights: np.ndarray | None = None
        self.runs = 0
        self.points = 0
        self.simulated = 0  # trajectories in all, error batches included
        self.seconds = 0.0

    def simulate(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Simulated moments and errors at the rows of ``thetas``: (points, moments)."""
        thetas = np.atleast_2d(thetas)
        points = [
            {p.path: float(v) for p, v in zip(self.parameters, row, strict=True)} for row in thetas
        ]
        started = time.perf_counter()
        ds = run(self.cfg, progress=False, points=points)
        self.seconds += time.perf_counter() - started
        self.runs += 1
        self.points += len(points)
        self.simulated += len(points) * int(self.cfg.run.trajectories)
        return simulated_moments(ds, self.moments)

    def batch_errors(self, theta: np.ndarray, batches: int) -> np.ndarray:
        """Monte Carlo errors of the moments at ``theta`` from independent batches.

        ``batches`` runs of trajectories / batches trajectories each, on seeds
        seed + 1, seed + 2, ... (independent of the main run's draws): the standard
        deviation of the batch moments over sqrt(batches) is the error of a run of
        the full trajectories. Unlike the dataset's per-state errors it includes the
        correlation between states that share an adversary's draws.
        """
        n = int(self.cfg.run.trajectories)
        per_batch = max(n // batches, 1)
        values = []
        for b in range(batches):
            cfg = self.cfg.copy()
            cfg.run.seed = int(self.cfg.run.seed) + 1 + b
            cfg.run.trajectories = per_batch
            point = [{p.path: float(v) for p, v in zip(self.parameters, theta, strict=True)}]
            started = time.perf_counter()
            ds = run(cfg, progress=False, points=point)
            self.seconds += time.perf_counter() - started
            self.runs += 1
            self.points += 1
            self.simulated += per_batch
            values.append(simulated_moments(ds, self.moments)[0][0])
        sd = np.nanstd(np.array(values), axis=0, ddof=1)
        return np.asarray(sd * math.sqrt(per_batch / n))

    def weights_at(self, sim_se: np.ndarray) -> np.ndarray:
        return 1.0 / (self.hist_se**2 + np.nan_to_num(sim_se, nan=0.0) ** 2)

    def residuals(self, sim: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """sqrt(W) (m_sim - m_hist) at each row of ``sim``; a NaN moment (no events) as 10
        SEs off."""
        w = self.weights if weights is None else weights
        assert w is not None
        r = (sim - self.hist) * np.sqrt(w)
        return np.where(np.isnan(r), 10.0, r)

    def cost(self, sim: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Q at each row of ``sim``: the sum of the squared residuals."""
        return (self.residuals(sim, weights) ** 2).sum(axis=-1)


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
    problems = (
        parameter_problems(cfg, parameters)
        + moment_problems(moments, targets, len(parameters))
        + portfolio_problems(to_spec(cfg), moments)
    )
    if max_evaluations < 1:
        problems.append(f"max_evaluations = {max_evaluations}: must be >= 1")
    if method not in METHODS:
        problems.append(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if starts < 1 or starts > initial_design + 1:
        problems.append(
            f"starts = {starts}: must be between 1 and the design's points ({initial_design + 1})"
        )
    if error_batches == 1 or error_batches < 0:
        problems.append(f"error_batches = {error_batches}: 0 (analytic errors) or >= 2")
    if not 0 < step < 0.5:
        problems.append(f"step = {step}: must be in (0, 0.5) (a share of each range)")
    if problems:
        raise ConfigError(problems)
    # the config itself, at both corners of the bounds, before any simulation
    check(cfg, points=[{q.path: getattr(q, side) for q in parameters} for side in ("low", "high")])
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    obj = Objective(cfg, parameters, moments, targets)
    spec = to_spec(cfg)
    p = len(parameters)

    def theta_of(u: np.ndarray) -> np.ndarray:
        """Parameter values at a point of the scaled search space [0, 1]^p."""
        return np.array([q.unscale(x) for q, x in zip(parameters, np.clip(u, 0, 1), strict=True)])

    # -- start: the config's values and a space-filling design, in one run
    own = np.array([np.clip(float(get_path(spec, q.path)), q.low, q.high) for q in parameters])
    design = qmc.Sobol(p, scramble=True, seed=0).random(max(initial_design, 1))
    thetas = np.vstack([own, *(theta_of(row) for row in design)])
    sim0, sim0_se = obj.simulate(thetas)
    costs = obj.cost(sim0, obj.weights_at(sim0_se[0]))
    best = int(np.argmin(costs))
    if error_batches:
        sim0_se[0] = obj.batch_errors(thetas[0], error_batches)
        if best != 0:
            sim0_se[best] = obj.batch_errors(thetas[best], error_batches)
    obj.weights = obj.weights_at(sim0_se[best])
    costs = obj.cost(sim0)
    say(f"design of {len(thetas)} points: best Q = {costs[best]:.4g} at {thetas[best].tolist()}")
    history: list[tuple[list[float], float]] = [
        (t.tolist(), float(c)) for t, c in zip(thetas, costs, strict=True)
    ]

    # -- the local search on [0, 1]^p; the budget counts simulated points
    points_before = obj.points

    def q_of(u: np.ndarray) -> float:
        theta = theta_of(u)
        sim, _ = obj.simulate(theta)
        c = float(obj.cost(sim)[0])
        history.append((theta.tolist(), c))
        say(f"run {obj.runs}: Q = {c:.4g} at {theta.tolist()}")
        return c

    def nelder_mead(u_hat: np.ndarray, budget: int) -> tuple[np.ndarray, float]:
        """Nelder–Mead restarted from its own optimum with a fresh simplex (a simplex
        can collapse along a ridge where two parameters trade off) until a restart no
        longer improves Q or ``budget`` evaluations are spent."""
        q_hat, left = math.inf, budget
        while True:
            simplex = np.vstack([u_hat] + [np.clip(u_hat + 0.1 * np.eye(p)[i]
                                                   * (1 if u_hat[i] < 0.9 else -1), 0, 1)
                                           for i in range(p)])  # fmt: skip
            res = optimize.minimize(
                q_of,
                u_hat,
                method="Nelder-Mead",
                bounds=[(0.0, 1.0)] * p,
                options={"maxfev": max(left, 1), "xatol": 2e-3, "fatol": 1e-3,
                         "initial_simplex": simplex},
            )  # fmt: skip
            left -= int(res.nfev)
            improved = float(res.fun) < q_hat - 1e-3
            if float(res.fun) < q_hat:
                q_hat, u_hat = float(res.fun), np.clip(res.x, 0, 1)
            if not improved or left <= p + 1:
                break
            say(f"Nelder-Mead stopped at Q = {q_hat:.4g}; restarting ({left} evaluations left)")
        return u_hat, q_hat

    def trust_region(u_start: np.ndarray, budget: int) -> tuple[np.ndarray, float]:
        """Trust-region least squares on the weighted residuals (scipy's ``trf``, within
        the bounds); each Jacobian is p forward differences of ``DIFF_STEP`` in one run."""
        last: dict[bytes, np.ndarray] = {}

        def fun(u: np.ndarray) -> np.ndarray:
            theta = theta_of(u)
            sim, _ = obj.simulate(theta)
            r = obj.residuals(sim)[0]
            last[u.tobytes()] = r
            c = float(r @ r)
            history.append((theta.tolist(), c))
            say(f"run {obj.runs}: Q = {c:.4g} at {theta.tolist()}")
            return r

        def jac(u: np.ndarray) -> np.ndarray:
            r0 = last[u.tobytes()] if u.tobytes() in last else fun(u)
            h = np.where(u + DIFF_STEP <= 1.0, DIFF_STEP, -DIFF_STEP)
            shifted = u + np.diag(h)
            sims, _ = obj.simulate(np.array([theta_of(row) for row in shifted]))
            return (obj.residuals(sims) - r0).T / h

        res = optimize.least_squares(
            fun, u_start, jac=jac, bounds=(0.0, 1.0), method="trf",
            max_nfev=max(budget // (p + 1), 1), xtol=1e-3, ftol=1e-4,
        )  # fmt: skip
        return np.clip(res.x, 0, 1), float(2 * res.cost)

    search = {"trf": trust_region, "nelder-mead": nelder_mead}[method]
    # -- from each of the `starts` best design points (a multi-start: Q can have
    #    several basins), the best optimum wins
    order = [int(i) for i in np.argsort(costs)[: max(1, min(starts, len(costs)))]]
    found = []
    for n, i in enumerate(order):
        u_start = np.array([q.scale(v) for q, v in zip(parameters, thetas[i], strict=True)])
        budget = (max_evaluations - obj.points + points_before) // (len(order) - n)
        found.append(search(u_start, budget))
        say(f"start {n + 1} of {len(order)}: Q = {found[-1][1]:.4g}")
    u_hat = min(found, key=lambda f: f[1])[0]
    theta_hat = theta_of(u_hat)

    # -- at the estimate, and central differences, in one run
    # steps stay inside the bounds (one-sided at a bound): the points must compile
    pairs = list(zip(parameters, u_hat, strict=True))
    upper = np.array([q.unscale(min(u + step, 1.0)) for q, u in pairs])
    lower = np.array([q.unscale(max(u - step, 0.0)) for q, u in pairs])
    rows = [theta_hat]
    for i in range(p):
        up, down = theta_hat.copy(), theta_hat.copy()
        up[i], down[i] = upper[i], lower[i]
        rows += [up, down]
    sims, sims_se = obj.simulate(np.array(rows))
    sim_hat, sim_hat_se = sims[0], sims_se[0]
    if error_batches:
        sim_hat_se = obj.batch_errors(theta_hat, error_batches)
    jac = np.column_stack(
        [(sims[1 + 2 * i] - sims[2 + 2 * i]) / (upper[i] - lower[i]) for i in range(p)]
    )  # moments × parameters
    w_hat = obj.weights_at(sim_hat_se)
    # a moment with no events at some difference point (NaN) carries no information
    rows_ok = np.isfinite(jac).all(axis=1)
    info = jac[rows_ok].T @ (w_hat[rows_ok, None] * jac[rows_ok])
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
    se = np.sqrt(np.where(np.diag(cov) >= 0, np.diag(cov), np.nan))
    J = float(obj.cost(sim_hat[None, :], w_hat)[0])
    df = len(moments) - p
    p_value = float(stats.chi2.sf(J, df)) if df > 0 else math.nan
    return Fit(
        parameters=list(parameters),
        moments=list(moments),
        targets=dict(targets),
        start=thetas[0],
        estimate=theta_hat,
        se=se,
        covariance=cov,
        jacobian=jac,
        sim_start=sim0[0],
        sim_start_se=sim0_se[0],
        sim=sim_hat,
        sim_se=sim_hat_se,
        J=J,
        df=df,
        p_value=p_value,
        evaluations=obj.runs,
        points=obj.points,
        trajectories=int(cfg.run.trajectories),
        simulated=obj.simulated,
        seconds=time.perf_counter() - started,
        history=history,
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

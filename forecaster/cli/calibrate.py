"""The ``forecast-calibrate`` command: estimate parameters by the simulated method of moments.

::

    forecast-calibrate --param political.honour.intercept=-4:1 \\
        --param threat.opportunity_rate.median=0.05:1.5 \\
        --moments conf/moments/history.yaml --trajectories 2000 --name fitted \\
        --report docs/validation.md  [config overrides, e.g. threat=high]

Every argument and the whole config are checked before anything is simulated
(one message per problem, exit 2). The cost is printed before the search starts.
The result is a config option ``conf/calibration/<name>.yaml`` that
``forecast calibration=<name>`` applies (the shipped defaults use
``calibration=history``). See docs/calibration.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import shlex
import sys
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from forecaster.api import prepare, run
from forecaster.calibration.inputs import Parameter, Settings, Target, load_targets
from forecaster.calibration.moments import ESTIMATORS, simulated_moments
from forecaster.calibration.problems import METHODS, check_inputs
from forecaster.calibration.smm import DEFAULT_MOMENTS, Fit, calibrate, summary, write_option
from forecaster.config import compose
from forecaster.errors import ConfigError

#: overrides applied before the user's: the calibration portfolio, in this process
BASE_OVERRIDES = ("portfolio=historical_world", "cluster=in_process", "sweep=none")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def calibration_dir() -> Path:
    """The shipped ``conf/calibration`` folder (where ``forecast`` finds options)."""
    return Path(str(resources.files("forecaster.conf").joinpath("calibration")))


def _is_moments_file(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "moments" in data


def report_table(cfg: DictConfig, fit: Fit, targets: dict[str, Target], held_out: list[str]) -> str:
    """Markdown: one row per moment, history and simulated before/after calibration.

    One run at the start and the estimate (same seed: the fitted moments are the
    search's own values) gives every moment; fitted moments carry the batch errors
    of the fit, held-out ones the dataset's errors (marked ᵃ).
    """
    names = fit.moments + held_out
    points = [
        {p.path: float(v) for p, v in zip(fit.parameters, theta, strict=True)}
        for theta in (fit.start, fit.estimate)
    ]
    sim, sim_se = simulated_moments(run(cfg, progress=False, points=points), names)
    lines = [
        "| moment | history | SE | period | source | simulated before | simulated after "
        "| (after − history) / SE | held out |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for j, name in enumerate(names):
        t = targets[name]
        fitted = name in fit.moments
        se_before = fit.sim_start_se[j] if fitted else sim_se[0, j]
        se_after = fit.sim_se[j] if fitted else sim_se[1, j]
        mark = "" if fitted else "ᵃ"
        z = (sim[1, j] - t.value) / math.hypot(t.se, float(np.nan_to_num(se_after)))
        lines.append(
            f"| `{name}` | {t.value:.4g} | {t.se:.2g} | {t.period} | {t.source} "
            f"| {sim[0, j]:.4g} ± {se_before:.2g}{mark} | {sim[1, j]:.4g} ± {se_after:.2g}{mark} "
            f"| {z:+.1f} | {'' if fitted else 'yes'} |"
        )
    est = ", ".join(
        f"`{p.path}` {s:.4g} → {e:.4g} (SE {se:.2g})"
        for p, s, e, se in zip(fit.parameters, fit.start, fit.estimate, fit.se, strict=True)
    )
    return (
        "\n".join(lines) + f"\n\nParameters: {est}. Hansen's J = {fit.J:.3g}, df = {fit.df}, "
        f"p = {fit.p_value:.3g}. {fit.trajectories} trajectories a point, seed "
        f"{cfg.run.seed}, portfolio `{cfg.portfolio.name}`. ± is one Monte Carlo "
        "standard error: of independent batches for fitted moments, ᵃ of the dataset's "
        "per-state errors (states taken as independent) for held-out ones.\n"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forecast-calibrate",
        description="Estimate parameters by the simulated method of moments on the "
        "historical-world portfolio; extra arguments are config overrides.",
    )
    parser.add_argument(
        "--param", action="append", default=[], metavar="PATH=LOW:HIGH[:log]", required=True,
        help="a numeric config leaf to estimate, and its bounds (':log' searches log values)",
    )  # fmt: skip
    parser.add_argument(
        "--moments", type=Path, default=calibration_dir().parent / "moments" / "history.yaml",
        help="the historical moments file (default: conf/moments/history.yaml)",
    )  # fmt: skip
    parser.add_argument(
        "--moment", action="append", default=None, metavar="NAME",
        help=f"a moment to fit (repeat; default: {' '.join(DEFAULT_MOMENTS)})",
    )  # fmt: skip
    parser.add_argument("--held-out", action="append", default=None, metavar="NAME",
                        help="a moment to report but not fit (default: every other moment "
                        "of the file that has a simulated estimator)")  # fmt: skip
    parser.add_argument("--trajectories", type=int, default=2000)
    parser.add_argument(
        "--max-evaluations", type=int, default=60,
        help="at most this many points simulated by the local search (all starts)",
    )  # fmt: skip
    parser.add_argument("--initial-design", type=int, default=8)
    parser.add_argument(
        "--method", choices=METHODS, default="trf",
        help="the local search: trust-region least squares (trf) or Nelder-Mead",
    )  # fmt: skip
    parser.add_argument(
        "--starts", type=int, default=1,
        help="run the local search from this many of the best design points; keep the best",
    )  # fmt: skip
    parser.add_argument("--error-batches", type=int, default=10)
    parser.add_argument(
        "--name", default="fitted", help="the option written: conf/calibration/NAME.yaml"
    )
    parser.add_argument(
        "--output-dir", type=Path, default=None,
        help="where to write NAME.yaml (default: the shipped conf/calibration)",
    )  # fmt: skip
    parser.add_argument("--report", type=Path, default=None, help="write a markdown moments table")
    parser.add_argument(
        "--dry-run", action="store_true", help="check everything, print the cost, stop"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing (or shipped) option NAME"
    )
    return parser


def _flag(key: str) -> str:
    """A setting's name as this command spells it: ``--max-evaluations``."""
    return f"--{key.replace('_', '-')}"


@dataclass
class Request:
    """A checked calibration request: what ``calibrate`` needs, and where to write."""

    cfg: DictConfig
    parameters: list[Parameter]
    targets: dict[str, Target]
    moments: list[str]
    held_out: list[str]
    settings: Settings
    option: Path


def read_request(args: argparse.Namespace, overrides: list[str]) -> Request:
    """Every argument and the config, checked together before anything is simulated
    (raises :class:`ConfigError` with one line per problem)."""
    problems: list[str] = []
    parameters = []
    for text in args.param:
        try:
            parameters.append(Parameter.parse(text))
        except ConfigError as err:
            problems += err.problems
    unknown = [o for o in overrides if o.startswith("-")]
    if unknown:
        problems.append(f"unknown options {unknown}: see forecast-calibrate --help")
    if not NAME.match(args.name):
        problems.append(f"--name = {args.name!r}: a config option name ([A-Za-z_][A-Za-z0-9_]*)")
    option = (args.output_dir or calibration_dir()) / f"{args.name}.yaml"
    if option.is_file() and _is_moments_file(option):
        problems.append(
            f"--name = {args.name!r}: {option} is a moments file, not a calibration "
            "option; choose another name"
        )
    elif option.exists() and not args.force:
        shipped = " (a shipped option)" if args.output_dir is None else ""
        problems.append(
            f"--name = {args.name!r}: {option} exists{shipped}; choose another name, "
            "or add --force to overwrite it"
        )
    cfg = compose([*BASE_OVERRIDES, *overrides, f"run.trajectories={args.trajectories}"])
    targets: dict[str, Target] | None = None
    try:
        targets = load_targets(args.moments)
    except ConfigError as err:
        problems += err.problems
    moments = list(args.moment or DEFAULT_MOMENTS)
    held_out = args.held_out
    if held_out is None:
        held_out = [n for n in targets or {} if n in ESTIMATORS and n not in moments]
    settings = Settings(
        args.max_evaluations, args.initial_design, args.starts, args.method, args.error_batches
    )
    check_inputs(cfg, parameters, targets, moments, settings, held_out, _flag, also=problems)
    assert targets is not None  # else check_inputs raised
    return Request(cfg, parameters, targets, moments, held_out, settings, option)


def _points(request: Request, report: bool) -> int:
    """The most points the calibration simulates, each of ``run.trajectories``."""
    s, p = request.settings, len(request.parameters)
    batch_sets = 3 if s.error_batches else 0  # start, best design point, estimate
    return s.initial_design + 1 + s.max_evaluations + 2 * p + 1 + batch_sets + (2 if report else 0)


def budget_problems(request: Request, report: bool) -> list[str]:
    """The whole calibration against the run budget, at the throughput probed on the
    corners of the bounds (``run.allow_long=true`` lifts it)."""
    corners = [{q.path: getattr(q, side) for q in request.parameters} for side in ("low", "high")]
    _, probed = prepare(request.cfg, points=corners)
    points = _points(request, report)
    whole = replace(probed, trajectory_runs=points * int(request.cfg.run.trajectories),
                    work_s=(probed.work_s or 0.0) * points / len(corners))  # fmt: skip
    return whole.problems(bool(request.cfg.run.allow_long), True, "the calibration")


def cost_line(request: Request, report: bool) -> str:
    """The most the calibration can simulate, in runs and trajectories."""
    s, cfg = request.settings, request.cfg
    trajectories = int(cfg.run.trajectories)
    p = len(request.parameters)
    design = s.initial_design + 1
    batch_sets = 3 if s.error_batches else 0  # start, best design point, estimate
    runs = _points(request, report)
    return (
        f"cost: at most {design} design points (one run) + {s.max_evaluations} "
        f"search points + {2 * p + 1} difference points (one run)"
        + (f" + {batch_sets} x {s.error_batches} error batches" if batch_sets else "")
        + (" + 2 report points" if report else "")
        + f": about {runs} x {trajectories:,} = {runs * trajectories:,} "
        f"trajectories of {cfg.portfolio.name} ({len(request.moments)} moments, {p} parameters)"
    )


def main(argv: list[str] | None = None) -> int:
    """The ``forecast-calibrate`` command."""
    args, overrides = _parser().parse_known_args(argv)
    command = "forecast-calibrate " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        request = read_request(args, overrides)
    except ConfigError as err:
        print(f"forecast-calibrate: {err}", file=sys.stderr)
        return 2
    except (HydraException, OmegaConfBaseException) as err:  # composing the overrides
        print(
            f"forecast-calibrate: invalid configuration: {str(err).strip().splitlines()[0]}",
            file=sys.stderr,
        )
        return 2
    print(cost_line(request, report=args.report is not None), flush=True)
    try:
        over = budget_problems(request, report=args.report is not None)
    except ConfigError as err:
        over = err.problems
    if over:
        print(f"forecast-calibrate: {ConfigError(over)}", file=sys.stderr)
        return 2
    if args.dry_run:
        return 0
    s = request.settings
    fit = calibrate(
        request.cfg,
        request.parameters,
        request.targets,
        request.moments,
        max_evaluations=s.max_evaluations,
        starts=s.starts,
        method=s.method,
        initial_design=s.initial_design,
        error_batches=s.error_batches,
        log=lambda msg: print(msg, flush=True),
    )
    print(summary(fit))
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = write_option(fit, request.option, command, date)
    print(f"\noption: {path}  (forecast calibration={args.name})")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# Calibration moments\n\nGenerated by `{command}` on {date}.\n\n"
            "History: value, standard error, period and source of each moment "
            f"(`{args.moments}`). Simulated before: at the config's own values; after: at "
            "the estimates. Held-out moments are not fitted.\n\n"
        )
        table = report_table(request.cfg, fit, request.targets, request.held_out)
        args.report.write_text(header + table)
        print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

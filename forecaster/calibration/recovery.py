"""Parameter recovery of the shipped calibration: can it find its own estimates again?

Moments are simulated at the shipped estimates (``calibration=history``, one seed)
and the shipped fit is repeated on them from the uncalibrated starting values
(``calibration=none``, another seed), with the same parameters, bounds and
moments, read from the command in the option's header. Each estimate should lie
within a few reported standard errors of the value that generated the moments,
and Hansen's J should look like a draw from its chi-square::

    python -m forecaster.calibration.recovery [--trajectories 2000] [--max-evaluations 360]
        [--initial-design 32] [--starts 3]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from importlib import resources
from pathlib import Path

from forecaster.config import compose, to_spec
from forecaster.scenario.compile import get_path

from .smm import Fit, Parameter, calibrate, fit_table, simulated_targets

BASE = ["portfolio=historical_world", "cluster=in_process", "sweep=none"]


def shipped_setup(option: Path) -> tuple[list[Parameter], list[str], list[str]]:
    """The parameters (with bounds), moments and config overrides of the calibration
    that wrote ``option``, read from the command in its header."""
    command = next(
        (line for line in option.read_text().splitlines() if line.startswith("#   command:")),
        "",
    )
    words = shlex.split(command.partition("command:")[2].partition("(written")[0])[1:]
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--param", action="append", default=[], type=Parameter.parse)
    parser.add_argument("--moment", action="append", default=[])
    known, rest = parser.parse_known_args(words)
    # what is left: the command's other options and their values, and the overrides
    overrides = [w for w in rest if "=" in w and not w.startswith("-")]
    return known.param, known.moment, overrides


def recover(
    trajectories: int, max_evaluations: int, initial_design: int, starts: int
) -> tuple[dict[str, float], Fit]:
    option = Path(str(resources.files("forecaster.conf").joinpath("calibration", "history.yaml")))
    parameters, moments, overrides = shipped_setup(option)
    if not parameters or not moments:
        raise SystemExit(f"{option}: no '--param'/'--moment' in its command line")
    run = [f"run.trajectories={trajectories}"]
    fixed = [o for o in overrides if not o.startswith("calibration=")]  # e.g. a fixed φ
    shipped = to_spec(compose([*BASE, *fixed, *run, "calibration=history"]))
    truth = {p.path: float(get_path(shipped, p.path)) for p in parameters}
    targets = simulated_targets(compose([*BASE, *fixed, *run, "run.seed=101"]), truth, moments)
    start = compose([*BASE, *overrides, *run, "run.seed=7"])
    fit = calibrate(
        start, parameters, targets, moments, max_evaluations=max_evaluations,
        initial_design=initial_design, starts=starts,
        log=lambda message: print(message, file=sys.stderr),
    )  # fmt: skip
    return truth, fit


def table(truth: dict[str, float], fit: Fit) -> str:
    lines = [
        "| parameter | true | estimate | SE | error / SE |",
        "|---|---|---|---|---|",
    ]
    for i, p in enumerate(fit.parameters):
        error = (fit.estimate[i] - truth[p.path]) / fit.se[i]
        lines.append(
            f"| `{p.path}` | {truth[p.path]:.4g} | {fit.estimate[i]:.4g} | {fit.se[i]:.2g} "
            f"| {error:+.1f} |"
        )
    lines.append("")
    lines.append(f"J = {fit.J:.2f}, df = {fit.df}, p = {fit.p_value:.2g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m forecaster.calibration.recovery", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--trajectories", type=int, default=2000)
    parser.add_argument("--max-evaluations", type=int, default=360)
    parser.add_argument("--initial-design", type=int, default=32)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    truth, fit = recover(args.trajectories, args.max_evaluations, args.initial_design, args.starts)
    print(table(truth, fit))
    print(fit_table(fit))
    print(f"({fit.simulated:,} trajectories in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

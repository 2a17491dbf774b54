"""The ``forecast-robust`` command: a search for robust alliance designs.

The same search runs from ``forecast -m hydra/sweeper=robust`` (the sweeper in
``hydra_plugins/forecaster_sweeper``), which calls :func:`run_search`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from forecaster.config import compose
from forecaster.errors import ConfigError

from .arguments import (
    add_folder_options,
    log_to_stderr,
    parse_levers,
    parse_objectives,
    parse_ranges,
)
from .guard import one_line
from .main import explain

EXAMPLE = """example (a few minutes on 2 cores):
  forecast-robust --objective p_war:state=EST --limit 0.1 \\
      --lever portfolio.alliances.nato.spending_target=0.02,0.035,0.05 \\
      --lever portfolio.alliances.nato.explicitness=0.5,0.7,0.9 \\
      --uncertainty threat.scale=0.5:2 --futures 16 portfolio=nato run.trajectories=2000

Levers take Hydra's sweep syntax: numbers (one grid run), or any other values
(decision=consensus,unilateral; members=[A,B],[A,B,C]), each one more run with
the same seed. Every design meets every future under common random numbers.
The cost is printed once every argument has been checked, before the runs.
Writes robust.nc and pareto.png (with matplotlib). The same from Hydra:
  forecast -m hydra/sweeper=robust portfolio.alliances.nato.spending_target=0.02,0.035 \\
      "hydra.sweeper.objectives=['p_war:state=EST']" \\
      "hydra.sweeper.uncertainties=['threat.scale=0.5:2']" run.trajectories=2000"""


def run_search(
    cfg: DictConfig,
    levers: Mapping[str, Sequence[Any]],
    uncertainties: Mapping[str, tuple[float, float]],
    objectives: Sequence[tuple[str, dict]],
    n_futures: int,
    method: str,
    limits: Sequence[float | None] | None,
    out: Path,
) -> int:
    """Search, write ``robust.nc`` (and ``pareto.png``) in ``out``, print the designs.

    Returns the exit status: 2 (with every problem on stderr) if anything is wrong.
    """
    from forecaster.analysis.robust import format_designs, search

    try:
        designs = search(
            cfg,
            levers,
            uncertainties,
            objectives,
            n_futures=n_futures,
            method=method,
            limits=limits,
            progress=True,
            announce=lambda line: print(line, flush=True),
        )
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    designs.to_netcdf(out / "robust.nc")
    print(format_designs(designs))
    print(f"\ndesigns: {out / 'robust.nc'}")
    if importlib.util.find_spec("matplotlib") is not None:
        from forecaster.analysis.decision_charts import pareto_chart

        fig, _ = pareto_chart(designs)
        fig.savefig(out / "pareto.png", dpi=110)
        print(f"figure: {out / 'pareto.png'}")
    return 0


def parse_limits(items: list[str]) -> tuple[list[float | None] | None, list[str]]:
    """Per objective, a number or ``none``; no items: no limits."""
    limits: list[float | None] = []
    problems = []
    for item in items:
        if item.lower() == "none":
            limits.append(None)
            continue
        try:
            limits.append(float(item))
        except ValueError:
            problems.append(f"--limit {item!r}: a number, or none for an objective without one")
    return (limits or None), problems


def _parser() -> argparse.ArgumentParser:
    """The options of ``forecast-robust``."""
    parser = argparse.ArgumentParser(
        prog="forecast-robust",
        description="Robust alliance design: every choice of the levers in every future "
        "(a design of the uncertainties), under common random numbers; the Pareto front of "
        "mean outcomes against the cost the pledges imply, each design's regret and "
        "satisficing robustness. Arguments after the options are config overrides.",
        epilog=EXAMPLE,
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--objective",
        action="append",
        default=[],
        required=True,
        metavar="OUTCOME[:DIM=VALUE,...]",
        help="an outcome to minimise, e.g. p_war:state=EST (repeat)",
    )
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="VALUE",
        help="the largest acceptable value of each objective, in order "
        "(none: no limit), for satisficing robustness",
    )
    parser.add_argument(
        "--lever",
        action="append",
        default=[],
        required=True,
        metavar="PATH=V1,V2,...",
        help="a config key and the values to choose among (Hydra's sweep syntax; repeat)",
    )
    parser.add_argument(
        "--uncertainty",
        "--param",
        action="append",
        default=[],
        required=True,
        metavar="PATH=LOW:HIGH",
        help="a numeric config leaf and its plausible range (repeat)",
    )
    parser.add_argument("--futures", type=int, default=16, help="draws of the uncertainties")
    parser.add_argument("--design", default="lhs", help="lhs (Latin hypercube) or sobol")
    add_folder_options(parser, "robust.nc and pareto.png", "outputs/robust/<date>/<time>")
    return parser


@one_line("forecast-robust")
def main(argv: list[str] | None = None) -> int:
    """The ``forecast-robust`` command."""
    args, overrides = _parser().parse_known_args(argv)
    with log_to_stderr():
        return _checked_run(args, overrides)


def _checked_run(args: argparse.Namespace, overrides: list[str]) -> int:
    """Every argument checked, then the run; 2 with every problem on stderr."""
    levers, problems = parse_levers(args.lever)
    uncertainties, bad = parse_ranges(args.uncertainty)
    problems += bad
    objectives, bad = parse_objectives(args.objective)
    problems += bad
    limits, bad = parse_limits(args.limit)
    problems += bad + [
        f"{o!r}: not an option of forecast-robust; config overrides are key=value"
        for o in overrides
        if o.startswith("-")
    ]
    try:
        cfg = compose([o for o in overrides if not o.startswith("-")], config_dir=args.config_dir)
    except (HydraException, OmegaConfBaseException) as err:
        problems.append(explain(err))
    else:
        if problems:  # with those of the levers, uncertainties and objectives, in one message
            from forecaster.analysis.robust import search_problems

            problems += search_problems(
                cfg, levers, uncertainties, objectives, args.futures, args.design, limits
            )
    if problems:
        print(str(ConfigError(problems)), file=sys.stderr)
        return 2
    out = args.output_dir or Path("outputs") / "robust" / dt.datetime.now().strftime(
        "%Y-%m-%d/%H-%M-%S"
    )
    return run_search(
        cfg, levers, uncertainties, objectives, args.futures, args.design, limits, out
    )


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults in the help, and the epilog's example as written."""


if __name__ == "__main__":
    sys.exit(main())

"""The ``forecast-discover`` command: scenario discovery (PRIM and CART) from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
from pathlib import Path

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from forecaster.config import compose
from forecaster.errors import ConfigError

from .arguments import add_folder_options, log_to_stderr, parse_ranges, parse_select
from .guard import one_line
from .main import explain

EXAMPLE = """example (a few minutes on 2 cores):
  forecast-discover --outcome p_war --select state=EST --above 0.1 \\
      --uncertainty threat.scale=0.5:2 --uncertainty threat.opportunity_rate=0.05:0.3 \\
      --uncertainty portfolio.alliances.nato.explicitness=0.3:0.9 \\
      --points 128 portfolio=nato run.trajectories=2000

Every design point runs run.trajectories trajectories, all under common random
numbers. The cost is printed once every argument has been checked, before the run.
Writes discovery.nc, peeling.png and box_limits.png (with matplotlib)."""


def _parser() -> argparse.ArgumentParser:
    """The options of ``forecast-discover``."""
    parser = argparse.ArgumentParser(
        prog="forecast-discover",
        description="Scenario discovery: where in the space of uncertainties a forecaster "
        "outcome passes a threshold (PRIM boxes with their peeling trajectory, and CART). "
        "Arguments after the options are config overrides, as for `forecast`.",
        epilog=EXAMPLE,
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--outcome", required=True, help="a results variable, e.g. p_war, p_entrapment, p_intact"
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="DIM=VALUE",
        help="one value of each other dimension, e.g. state=EST (repeat the "
        "option; time defaults to the horizon)",
    )
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument("--above", type=float, help="cases of interest: outcome above this")
    side.add_argument("--below", type=float, help="cases of interest: outcome below this")
    parser.add_argument(
        "--uncertainty",
        "--param",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH",
        required=True,
        help="a numeric config leaf and its range, e.g. threat.scale=0.5:2 (repeat for each)",
    )
    parser.add_argument("--points", type=int, default=128, help="design points")
    parser.add_argument("--design", default="lhs", help="lhs (Latin hypercube) or sobol")
    parser.add_argument(
        "--density", type=float, default=0.8, help="least density of a chosen PRIM box"
    )
    parser.add_argument(
        "--mass-min",
        type=float,
        default=0.05,
        help="least share of the points in a box (and a CART leaf)",
    )
    parser.add_argument(
        "--peel-alpha", type=float, default=0.05, help="share of the points PRIM peels per step"
    )
    parser.add_argument("--boxes", type=int, default=1, help="PRIM boxes to find")
    add_folder_options(parser, "discovery.nc and the figures", "outputs/discovery/<date>/<time>")
    return parser


@one_line("forecast-discover")
def main(argv: list[str] | None = None) -> int:
    """The ``forecast-discover`` command."""
    args, overrides = _parser().parse_known_args(argv)
    with log_to_stderr():
        return _checked_run(args, overrides)


def _checked_run(args: argparse.Namespace, overrides: list[str]) -> int:
    """Every argument checked, then the run; 2 with every problem on stderr."""
    if importlib.util.find_spec("ema_workbench") is None:
        print(
            "forecast-discover needs the EMA Workbench: pip install 'forecaster[decisions]'",
            file=sys.stderr,
        )
        return 2
    from forecaster.analysis.discovery import (
        design_problems,
        discover,
        format_boxes,
        threshold_problems,
    )

    uncertainties, problems = parse_ranges(args.uncertainty)
    select, bad = parse_select(args.select)
    problems += bad + [
        f"{o!r}: not an option of forecast-discover; config overrides are key=value"
        for o in overrides
        if o.startswith("-")
    ]
    try:
        cfg = compose([o for o in overrides if not o.startswith("-")], config_dir=args.config_dir)
    except (HydraException, OmegaConfBaseException) as err:  # composing the overrides
        problems.append(explain(err))
        cfg = None
    if problems:  # with those of the design and PRIM's settings, all in one message
        problems += design_problems(uncertainties, args.points, args.design)
        problems += threshold_problems(
            args.above, args.below, args.density, args.mass_min, args.peel_alpha, args.boxes
        )
    try:
        if problems or cfg is None:
            raise ConfigError(problems)
        found = discover(
            cfg,
            uncertainties,
            args.outcome,
            select,
            above=args.above,
            below=args.below,
            n_points=args.points,
            method=args.design,
            density=args.density,
            mass_min=args.mass_min,
            peel_alpha=args.peel_alpha,
            n_boxes=args.boxes,
            progress=True,
            announce=lambda line: print(line, flush=True),
        )
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    out = args.output_dir or Path("outputs") / "discovery" / dt.datetime.now().strftime(
        "%Y-%m-%d/%H-%M-%S"
    )
    out.mkdir(parents=True, exist_ok=True)
    found.to_netcdf(out / "discovery.nc")
    print(format_boxes(found))
    print(f"\ndiscovery: {out / 'discovery.nc'}")
    if importlib.util.find_spec("matplotlib") is not None:
        from forecaster.analysis.decision_charts import box_limits_chart, peeling_chart

        for name, chart in (("peeling.png", peeling_chart), ("box_limits.png", box_limits_chart)):
            fig, _ = chart(found)
            fig.savefig(out / name, dpi=110)
            print(f"figure: {out / name}")
    return 0


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults in the help, and the epilog's example as written."""


if __name__ == "__main__":
    sys.exit(main())

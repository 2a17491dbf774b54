"""The ``forecast-sensitivity`` command: Sobol indices from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from forecaster.analysis.sensitivity import design, format_ranking, sobol
from forecaster.config import compose
from forecaster.errors import ConfigError

from .main import explain


def _parse_param(text: str) -> tuple[str, tuple[float, float]]:
    name, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        return name, (float(low), float(high))
    except ValueError:
        raise ConfigError([f"--param {text!r}: write it as dotted.path=low:high"]) from None


def _parse_select(items: list[str]) -> dict[str, Any]:
    select: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        if not value:
            raise ConfigError([f"--select {item!r}: write it as dimension=value"])
        try:
            select[key] = float(value) if key == "time" else value
        except ValueError:
            raise ConfigError([f"--select {item!r}: time must be a number of years"]) from None
    return select


EXAMPLE = """example (about a minute on 2 cores):
  forecast-sensitivity --outcome p_entrapment --select state=PATRON \\
      --param threat.scale=0.5:2 --param portfolio.alliances.pact.explicitness=0.1:0.9 \\
      --n-base 8 portfolio=regional run.trajectories=2000

Design points: n_base x (2 D + 2) with D parameters (n_base x (D + 2) without
--second-order); every point runs run.trajectories trajectories, all under
common random numbers. The cost (design points x trajectories) is printed before the run."""


def main(argv: list[str] | None = None) -> int:
    """The ``forecast-sensitivity`` command."""
    parser = argparse.ArgumentParser(
        prog="forecast-sensitivity",
        description="Sobol indices of a forecaster outcome to uncertain parameters (SALib's "
        "Saltelli design, one grid run under common random numbers). Arguments after the "
        "options are config overrides, as for `forecast`.",
        epilog=EXAMPLE,
        formatter_class=_Formatter,
    )
    parser.add_argument("--outcome", required=True,
                        help="a results variable, e.g. p_entrapment, p_war, p_intact")  # fmt: skip
    parser.add_argument("--select", action="append", default=[], metavar="DIM=VALUE",
                        help="one value of each other dimension, e.g. state=DEU "
                        "(repeat the option; time defaults to the horizon)")  # fmt: skip
    parser.add_argument("--param", action="append", default=[], metavar="PATH=LOW:HIGH",
                        required=True, help="a numeric config leaf and its range, e.g. "
                        "threat.scale=0.5:2 (repeat for each parameter)")  # fmt: skip
    parser.add_argument("--n-base", type=int, default=8,
                        help="SALib's base sample size, a power of two")  # fmt: skip
    parser.add_argument("--second-order", action="store_true",
                        help="also estimate second-order indices (more design points)")  # fmt: skip
    parser.add_argument("--config-dir", type=Path, default=None,
                        help="a folder of your own config options, as for forecast")  # fmt: skip
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="where sensitivity.nc goes (default "
                        "outputs/sensitivity/<date>/<time>)")  # fmt: skip
    args, overrides = parser.parse_known_args(argv)
    if importlib.util.find_spec("SALib") is None:
        print("forecast-sensitivity needs SALib: pip install 'forecaster[analysis]'",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        parameters = dict(_parse_param(p) for p in args.param)
        select = _parse_select(args.select)
        cfg = compose(overrides, config_dir=args.config_dir)
        _, sample = design(parameters, args.n_base, args.second_order, seed=int(cfg.run.seed))
        print(f"{len(sample)} design points x {cfg.run.trajectories} trajectories = "
              f"{len(sample) * cfg.run.trajectories} trajectory runs of {cfg.portfolio.name}",
              flush=True)  # fmt: skip
        si = sobol(cfg, parameters, args.outcome, select, args.n_base, args.second_order,
                   progress=True)  # fmt: skip
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    except (HydraException, OmegaConfBaseException) as err:  # composing the overrides
        print(str(ConfigError([explain(err)])), file=sys.stderr)
        return 2
    out = args.output_dir or Path("outputs") / "sensitivity" / dt.datetime.now().strftime(
        "%Y-%m-%d/%H-%M-%S"
    )
    out.mkdir(parents=True, exist_ok=True)
    si.to_netcdf(out / "sensitivity.nc")
    print(format_ranking(si))
    print(f"\nindices: {out / 'sensitivity.nc'}")
    return 0


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults in the help, and the epilog's example as written."""


if __name__ == "__main__":
    sys.exit(main())

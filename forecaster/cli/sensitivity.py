"""The ``forecast-sensitivity`` command: Sobol indices from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from forecaster.analysis.sensitivity import format_ranking, sobol
from forecaster.config import compose
from forecaster.errors import ConfigError


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


def main(argv: list[str] | None = None) -> int:
    """The ``forecast-sensitivity`` command."""
    parser = argparse.ArgumentParser(
        prog="forecast-sensitivity",
        description="Sobol indices of a forecaster outcome; extra arguments are config overrides.",
    )
    parser.add_argument("--outcome", required=True, help="a results variable, e.g. p_entrapment")
    parser.add_argument("--select", action="append", default=[], metavar="DIM=VALUE")
    parser.add_argument("--param", action="append", default=[], metavar="PATH=LOW:HIGH",
                        required=True)  # fmt: skip
    parser.add_argument("--n-base", type=int, default=64)
    parser.add_argument("--second-order", action="store_true")
    parser.add_argument("--output-dir", type=Path, default=None)
    args, overrides = parser.parse_known_args(argv)
    try:
        parameters = dict(_parse_param(p) for p in args.param)
        cfg = compose(overrides)
        si = sobol(cfg, parameters, args.outcome, _parse_select(args.select), args.n_base,
                   args.second_order, progress=True)  # fmt: skip
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    except (HydraException, OmegaConfBaseException) as err:  # composing the overrides
        print(f"invalid configuration: {str(err).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    out = args.output_dir or Path("outputs") / "sensitivity" / dt.datetime.now().strftime(
        "%Y-%m-%d/%H-%M-%S"
    )
    out.mkdir(parents=True, exist_ok=True)
    si.to_netcdf(out / "sensitivity.nc")
    print(format_ranking(si))
    print(f"\nindices: {out / 'sensitivity.nc'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

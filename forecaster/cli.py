"""The ``forecast`` command: run the default scenario and write its results.

This first version runs in-process with the packaged default groups; the
Hydra application (config groups, overrides, multiruns, clusters) builds on
the same ``forecaster.run_scenario``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .errors import ConfigError
from .spec import available, load_spec
from .summary import format_summary
from .workflow import run_scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="forecast", description=__doc__.splitlines()[0])
    parser.add_argument("--portfolio", default="regional", help=f"one of {available('portfolio')}")
    parser.add_argument("--trajectories", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--block-size", type=int, default=2_000)
    parser.add_argument("--output-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        spec = load_spec(portfolio=args.portfolio)
        out = args.output_dir or Path("outputs") / dt.datetime.now().strftime("%Y-%m-%d/%H-%M-%S")
        ds = run_scenario(spec, args.trajectories, args.seed, args.block_size)
    except (ConfigError, ValueError) as err:
        print(f"forecast: {err}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.zarr"
    ds.to_zarr(path, mode="w", consolidated=False)
    print(format_summary(ds))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

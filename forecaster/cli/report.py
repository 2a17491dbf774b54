"""The ``forecast-report`` command: ``summary.csv`` and a self-contained ``report.html``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forecaster.analysis.report import require_matplotlib, write_report

from .arguments import parse_point
from .guard import one_line


@one_line("forecast-report")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forecast-report",
        description="Write a briefing of a run (a single run, a grid or a gathered multirun): "
        "report.html (the question and the scenario, headline numbers with 95%% intervals, "
        "figures of the most exposed states, a states x outcomes table, the config as an "
        "appendix) and summary.csv (every headline outcome). Needs matplotlib "
        "(pip install 'forecaster[analysis]').",
        epilog="Example: forecast-report outputs/hague --baseline outputs/wales --states EST POL",
    )
    parser.add_argument("run", help="output directory of a run (or its results.zarr)")
    parser.add_argument("--out", help="directory to write into (default: the run's)")
    parser.add_argument(
        "--states",
        nargs="+",
        metavar="STATE",
        help="states of the headline, figures and table (default: the most exposed: the "
        "adversaries' targets, then the alliances' leaders)",
    )
    parser.add_argument(
        "--baseline",
        metavar="OTHER",
        help="another run with the same seed and trajectories: the report leads with the "
        "paired differences run − OTHER (both are simulated once more; also comparison.csv)",
    )
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="with --baseline and a grid run: the grid point to compare (repeat per key)",
    )
    args = parser.parse_args(argv)
    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        print(f"forecast-report: --out {args.out!r}: is a file; give a directory",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        require_matplotlib()  # before anything is written
        written = write_report(
            args.run,
            args.out,
            states=args.states,
            baseline=args.baseline,
            at=parse_point(args.at, "--at") or None,
        )
    except (FileNotFoundError, ValueError, KeyError, ImportError) as err:
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"forecast-report: {message}", file=sys.stderr)
        return 2
    for path in written.values():
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``forecast-report`` command: ``summary.csv`` and a self-contained ``report.html``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forecaster.analysis.report import write_report

from .guard import one_line


@one_line("forecast-report")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forecast-report",
        description="Write summary.csv (the headline outcomes with 95%% intervals) and a "
        "self-contained report.html (table, figures, config, provenance) for a run.",
    )
    parser.add_argument("run", help="output directory of a run (or its results.zarr)")
    parser.add_argument("--out", help="directory to write into (default: the run's)")
    args = parser.parse_args(argv)
    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        print(f"forecast-report: --out {args.out!r}: is a file; give a directory",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        written = write_report(args.run, args.out)
    except (FileNotFoundError, ValueError, KeyError) as err:
        print(f"forecast-report: {err}", file=sys.stderr)
        return 2
    for path in written.values():
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

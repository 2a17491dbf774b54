"""``python -m forecaster.history``: derive the moments and write conf/moments/history.yaml."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from forecaster.history import output
from forecaster.history.data import HistoryDataError
from forecaster.history.derive import (
    DEFAULT_OUTPUT,
    DEFAULT_PORTFOLIO,
    derive_moments,
    derive_population,
)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, derive, write, and print a one-line summary per moment."""
    parser = argparse.ArgumentParser(prog="python -m forecaster.history", description=__doc__)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="history data (default: $FORECASTER_HISTORY_DIR, "
        "else ../shared/data/history beside the repository)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--portfolio",
        type=Path,
        default=DEFAULT_PORTFOLIO,
        help="portfolio YAML with NATO's 2024 GDP and defence shares",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        moments = derive_moments(args.data_dir, args.portfolio)
        population = derive_population(args.data_dir)
    except HistoryDataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    output.write(args.output, moments, population)
    for name, m in moments.items():
        print(f"{name:48s} {m.value:8.4f}  se {m.se:.4f}  n {m.n:6d}  {m.period}")
    print(f"wrote {args.output} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

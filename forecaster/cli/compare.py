"""The ``forecast-compare`` command: paired differences of two runs or two grid points.

``forecast-compare DIR_A DIR_B`` compares two runs with the same seed and
trajectories (e.g. the Wales and the Hague spending pledges);
``forecast-compare DIR --a threat.scale=1 --b threat.scale=2`` two grid points
of one run. Differences b − a of the headline probabilities at the horizon are
printed with 95% intervals from paired standard errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from forecaster.analysis.compare import compare, format_comparison, select_states
from forecaster.results import config_keys, open_results
from forecaster.results.summary import chosen_states

from .arguments import parse_point
from .guard import one_line


@one_line("forecast-compare")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forecast-compare",
        description="Paired differences (b − a) of the headline probabilities of two runs "
        "with the same seed and trajectories, or of two grid points of one run.",
    )
    parser.add_argument("a", help="output directory (or results.zarr) of run a")
    parser.add_argument("b", nargs="?", help="output directory of run b (default: a)")
    parser.add_argument(
        "--a",
        dest="at_a",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="grid point of a, by config key (repeat for each swept key)",
    )
    parser.add_argument(
        "--b",
        dest="at_b",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="grid point of b: the keys of --a hold for b unless --b gives them "
        "and b sweeps them (--a threat.scale=1 --a KEY=0.5 --b threat.scale=2)",
    )
    parser.add_argument(
        "--states", nargs="+", help="only these states, on screen and in the CSV (default: all)"
    )
    parser.add_argument("--csv", help="also write the comparison (its --states) as CSV here")
    args = parser.parse_args(argv)  # fmt: skip
    if args.csv is not None and Path(args.csv).is_dir():
        print(f"forecast-compare: --csv {args.csv!r}: is a directory; give a file name",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        at_a = parse_point(args.at_a, "--a")
        a = open_results(args.a)
        b = open_results(args.b) if args.b else a
        if args.states:  # an unknown state stops here, before anything is simulated
            chosen_states(a, args.states)
        # --a's keys hold for b too, where b sweeps them, unless --b gives them
        swept_b = config_keys(b)
        carried = {k: v for k, v in at_a.items() if k in swept_b or k in b.coords}
        at_b = {**carried, **parse_point(args.at_b, "--b")}
        table = compare(a, b, at_a=at_a or None, at_b=at_b or None)
        shown = select_states(table, args.states)
    except (ValueError, FileNotFoundError, KeyError) as err:
        print(f"forecast-compare: {err}", file=sys.stderr)
        return 2
    table.attrs["a"] = f"{args.a} {_as_text(at_a)}".strip()
    table.attrs["b"] = f"{args.b or args.a} {_as_text(at_b)}".strip()
    print(format_comparison(table, args.states))
    if args.csv:
        shown.to_csv(args.csv, index=False)
        print(f"comparison: {args.csv}")
    return 0


def _as_text(point: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in point.items())


if __name__ == "__main__":
    sys.exit(main())

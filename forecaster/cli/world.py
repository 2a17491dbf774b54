"""The ``forecast-world`` command: the world at a date, from the data, as a portfolio.

``forecast-world --year 1990 --out DIR`` writes ``DIR/portfolio/world_1990.yaml``,
an ordinary portfolio (``forecast --config-dir DIR portfolio=world_1990`` runs it):
every COW system member of the year with Maddison GDP, capability from NMC,
alliances from ATOP and challengers from the MID record before the year
(:mod:`forecaster.history.world`; docs/history.md, "The world at a date").
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml

from forecaster.history import data
from forecaster.history import world as history_world
from forecaster.kernels import layout

from .guard import one_line

EXAMPLE = f"""example:
  forecast-world --year 1990 --out myconf
  forecast --config-dir myconf portfolio=world_1990 run.trajectories=500

Without --regions or --max-states the file holds every member (about 130-160
states, 60-200 pacts): an ordinary portfolio to read, edit and run (the engine
takes up to {layout.MAX_STATES} states and {layout.MAX_ALLIANCES} alliances). --regions and
--max-states cut it to a smaller world."""


class _Parser(argparse.ArgumentParser):
    """Bad arguments as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"forecast-world: {message}", file=sys.stderr)
        raise SystemExit(2)


def _regions(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    out = _Parser(
        prog="forecast-world",
        description="Write the world of a year, built from the historical data, as a portfolio.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out.add_argument("--year", type=int, required=True, help="the origin (1871 ... 2009)")
    out.add_argument(
        "--out", type=Path, required=True, help="config folder; writes portfolio/world_YEAR.yaml"
    )
    out.add_argument(
        "--regions",
        type=_regions,
        default=None,
        help="comma-separated COW regions to keep: americas, europe, africa, middle_east, asia",
    )
    out.add_argument(
        "--max-states",
        type=int,
        default=None,
        help="keep the states with most MIDs (started and targeted) in the 20 years before",
    )
    out.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"the history data (default ${data.ENV_VAR} or ../shared/data/history)",
    )
    return out


@one_line("forecast-world")
def main(argv: Sequence[str] | None = None) -> int:
    """The ``forecast-world`` command."""
    args = parser().parse_args(argv)
    if args.max_states is not None and args.max_states < 1:
        print(f"forecast-world: --max-states = {args.max_states}: must be >= 1", file=sys.stderr)
        return 2
    try:
        data_dir = data.resolve_data_dir(args.data_dir)
        if not (data_dir / history_world.MADDISON_FILE).is_file():
            raise data.HistoryDataError(
                f"history data directory {data_dir} lacks {history_world.MADDISON_FILE}"
            )
        world = history_world.build_world(data_dir, args.year)
        selected = args.regions is not None or args.max_states is not None
        if selected:
            world = history_world.select(
                world, args.regions, args.max_states, max_alliances=layout.MAX_ALLIANCES
            )
    except (ValueError, data.HistoryDataError) as err:
        print(f"forecast-world: {err}", file=sys.stderr)
        return 2
    portfolio = history_world.world_portfolio(world)
    path = args.out / "portfolio" / f"{portfolio['name']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(world, portfolio))
    n_states, n_pacts = len(portfolio["states"]), len(portfolio["alliances"])
    n_adversaries = sum(1 for s in portfolio["states"].values() if s.get("adversary"))
    print(f"{path}: {n_states} states ({n_adversaries} adversaries), {n_pacts} alliances")
    return 0


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()


def _wrapped(words: list[str], lead: str, width: int = 92) -> list[str]:
    lines, line = [], lead
    for word in words:
        if len(line) + len(word) + 1 > width and line.strip() != lead.strip():
            lines.append(line.rstrip())
            line = lead + "  "
        line += word + " "
    lines.append(line.rstrip())
    return lines


def render(world: history_world.World, portfolio: dict[str, Any]) -> str:
    """The portfolio's YAML text, under a header that says where each number comes from."""
    year = world.year
    first = year - history_world.WINDOW_YEARS
    adversaries = {n for n, s in portfolio["states"].items() if s.get("adversary")}
    head = [
        f"# The world on 1 January {year}, from the data: written by `forecast-world --year "
        f"{year}`",
        "# (docs/history.md, 'The world at a date'). Edit it as any portfolio.",
        "#",
        "# Sources (all of the years before the origin)",
        f"#   states         COW State System Membership v2016, members on 1 January {year};",
        "#                  names are COW abbreviations, regions COW code ranges.",
        f"#   gdp            Maddison (2010), {year - 1}, USD bn of 1990 Geary-Khamis dollars.",
        f"#   defense_share  COW NMC milex {year - 1} (Singer, Bremer & Stuckey 1972): a state's",
        "#                  share of the members' military spending over its share of their GDP,",
        f"#                  times {history_world.WORLD_BURDEN} (world military burden, SIPRI "
        "Yearbook 2008),",
        "#                  so capabilities keep NMC's ratios; "
        f"{history_world.MIN_SHARE} where milex is 0 or unknown.",
        f"#   reach          {history_world.MAJOR_REACH} for COW major powers of {year - 1}, "
        f"else {history_world.MINOR_REACH}; no election data: election_period 0.",
        f"#   alliances      ATOP 4.01 (Leeds et al. 2002) defence and consultation pacts in force "
        f"on 1 January {year};",
        "#                  explicitness from the obligation (conditional or not), "
        "interoperability",
        "#                  from ATOP milinst (Leeds & Anac 2005), leader: most military spending.",
        f"#   interest       {history_world.PACT_INTEREST} between the members of a defence pact.",
        "#   targets        COW MID 5.0 (Palmer et al. 2022): disputes each state started "
        "(side A) against",
        f"#                  each other state, first year {first}-{year - 1}, over its most "
        "against any one.",
        "#   adversaries    the engine's rules today: an adversary is in no alliance and "
        "targets no",
        "#                  adversary; challengers by disputes started, the others stay targets.",
    ]
    if world.notes:
        head.append("#")
        head += _wrapped(("Selection: " + "; ".join(world.notes) + ".").split(), "# ")
    if world.without_gdp:
        names = [f"{name} ({code})," for code, name in world.without_gdp]
        names[-1] = names[-1].rstrip(",") + "."
        head += _wrapped(["No", "Maddison", "GDP,", "left", "out:", *names], "# ")
    others = {k: v for k, v in world.challenges.items() if k not in adversaries}
    if others:
        head.append("#")
        head.append("# Challengers that are no adversary here (disputes started against each):")
        for name, targets in others.items():
            words = [f"{t} {n}," for t, n in targets.items()]
            words[-1] = words[-1].rstrip(",")
            head += _wrapped([f"{name}:", *words], "#   ")
    lines = [*head, f"name: {portfolio['name']}", "states:"]
    for name, spec in portfolio["states"].items():
        if name in adversaries:
            words = [f"{t} {n}," for t, n in world.challenges[name].items() if t not in adversaries]
            words[-1] = words[-1].rstrip(",")
            lines += _wrapped(["disputes", "started:", *words], "  # ")
        lines.append(f"  {name}: {_flow(spec)}")
    lines.append("alliances:")
    for name, spec in portfolio["alliances"].items():
        lines.append(f"  {name}: {_flow(spec)}")
    interest = portfolio["interest"]
    lines += [
        "interest:",
        f"  same_region: {interest['same_region']}",
        f"  other_region: {interest['other_region']}",
        "  pairs:" + ("" if interest["pairs"] else " {}"),
    ]
    lines += [f"    {a}: {_flow(row)}" for a, row in interest["pairs"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

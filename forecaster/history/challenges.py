"""Who challenges whom: the shipped portfolios' adversary target weights from the MID record.

An adversary's target weight ``w_kj`` scales its opportunities against state ``j``
(docs/model.md §6). Here it is derived, not chosen: over the newest
:data:`WINDOW_YEARS` years of COW MID 5.0 (disputes by start year), ``w_kj`` is
the number of disputes in which ``k`` and ``j`` were on opposite sides, divided
by the most disputes ``k`` had with any one state in those years (so the
adversary's most frequent opponent anywhere has weight 1, and a weight does not
depend on which portfolio the state is in). Every state of the portfolio that
the adversary has had a MID with is a target; the others are not. Each weight
comes with the disputes it rests on and how many of them the *other* state
started (it was on side A, the side that took the first militarized action):
the record of who provokes whom, written as the adversary's ``provocations``
(the disputes the state started over the same scale), which weigh the
protected state's provocation hazard as ``targets`` weigh the adversary's
opportunities.

``python -m forecaster.history.challenges`` rewrites the generated ``targets``
of ``conf/portfolio/*.yaml``; ``--check`` only compares (exit 1 on a difference).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from forecaster.history import data

#: How many of the data's newest years of disputes the weights count.
WINDOW_YEARS = 20
#: COW MID 5.0's last year.
MID_LAST = 2014
#: Decimal places of a written weight.
DECIMALS = 2

#: COW country codes of the shipped portfolios' states (COW State System Membership,
#: 2016): Germany is the unified state (255), which the window (from 1995) covers.
CCODES: dict[str, int] = {
    "USA": 2, "CAN": 20, "GBR": 200, "NLD": 210, "BEL": 211, "LUX": 212, "FRA": 220,
    "ESP": 230, "PRT": 235, "DEU": 255, "POL": 290, "HUN": 310, "CZE": 316, "SVK": 317,
    "ITA": 325, "ALB": 339, "MNE": 341, "MKD": 343, "HRV": 344, "SVN": 349, "GRC": 350,
    "BGR": 355, "ROU": 360, "RUS": 365, "EST": 366, "LVA": 367, "LTU": 368, "FIN": 375,
    "SWE": 380, "NOR": 385, "DNK": 390, "ISL": 395, "TUR": 640, "CHN": 710, "PRK": 731,
    "KOR": 732, "JPN": 740, "IND": 750, "PHL": 840, "AUS": 900, "NZL": 920,
}  # fmt: skip

#: The portfolios whose adversaries are real states, in the order they are written;
#: ``us_global`` composes ``nato`` and ``indo_pacific`` and carries the targets that only
#: the union of both holds (Russia and Japan, China and the United States, ...).
PORTFOLIOS = ("nato", "indo_pacific", "us_global")
PORTFOLIO_DIR = data.REPO_ROOT / "conf" / "portfolio"
COMMAND = "python -m forecaster.history.challenges"
SOURCE = "Palmer et al. (2022), COW MID 5.0"


@dataclass(frozen=True)
class PairRecord:
    """One adversary–state pair's disputes in the window."""

    mids: int
    started_by_state: int
    weight: float
    #: the disputes the state started, over the same scale: its provocation weight
    provocation: float


def pair_counts(data_dir: Path, first: int, last: int = MID_LAST) -> pd.DataFrame:
    """Disputes per pair of opponents started ``first``–``last``.

    Returns one row per ordered pair ``(ccode1, ccode2)`` of states on opposite sides
    of at least one dispute: ``mids`` (distinct disputes) and ``started_by_2`` (those
    in which ``ccode2`` was on side A in its first year of the dyad).
    """
    dyads = data.read(data_dir, "mid_dyads")
    start = data.read(data_dir, "mid_disputes").set_index("dispnum").styear
    dyads = dyads.assign(styear=dyads.dispnum.map(start))
    window = dyads[(dyads.styear >= first) & (dyads.styear <= last)]
    first_rows = window.sort_values("year").groupby(["ccode1", "ccode2", "dispnum"]).first()
    per_dispute = first_rows.reset_index()
    grouped = per_dispute.groupby(["ccode1", "ccode2"])
    out = pd.DataFrame(
        {"mids": grouped.dispnum.nunique(), "started_by_2": grouped.sidea2.sum()}
    ).reset_index()
    return out.astype(int)


def derive_targets(
    data_dir: Path, states: Mapping[str, Mapping[str, Any]], years: int = WINDOW_YEARS
) -> dict[str, dict[str, PairRecord]]:
    """Each adversary's targets among ``states`` with the disputes they rest on.

    Parameters
    ----------
    data_dir
        The history data directory.
    states
        A portfolio's states (name → data with ``adversary``), as composed.
    years
        The window: the newest ``years`` years of MID 5.0.

    Returns
    -------
    dict
        adversary → {target → :class:`PairRecord`}, targets by descending disputes
        (then by name); a state with no dispute in the window is no target.

    Raises
    ------
    KeyError
        A state of the portfolio has no COW code in :data:`CCODES`.
    """
    unknown = sorted(set(states) - set(CCODES))
    if unknown:
        raise KeyError(f"no COW country code for {', '.join(unknown)}: add it to CCODES")
    counts = pair_counts(data_dir, MID_LAST - years + 1)
    out: dict[str, dict[str, PairRecord]] = {}
    for name, spec in states.items():
        if not spec.get("adversary"):
            continue
        own = counts[counts.ccode1 == CCODES[name]].set_index("ccode2")
        most = int(own.mids.max())
        records = {}
        for other, other_spec in states.items():
            code = CCODES[other]
            if other == name or other_spec.get("adversary") or code not in own.index:
                continue
            mids = int(own.mids[code])
            started = int(own.started_by_2[code])
            weight = round(mids / most, DECIMALS)
            records[other] = PairRecord(mids, started, weight, round(started / most, DECIMALS))
        out[name] = dict(sorted(records.items(), key=lambda item: (-item[1].mids, item[0])))
    return out


def composed_states(name: str, folder: Path = PORTFOLIO_DIR) -> dict[str, dict[str, Any]]:
    """A portfolio's states as Hydra composes them: its ``defaults`` first, then itself,
    mappings merged key by key (so a later file's ``targets`` add to an earlier one's)."""
    spec = yaml.safe_load((folder / f"{name}.yaml").read_text())
    states: dict[str, dict[str, Any]] = {}
    for part in spec.get("defaults", ["_self_"]):
        source = spec if part == "_self_" else None
        if source is None:
            states = _merge(states, composed_states(part, folder))
        else:
            states = _merge(states, source.get("states") or {})
    if "_self_" not in spec.get("defaults", ["_self_"]):
        states = _merge(states, spec.get("states") or {})
    return states


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _wrap(pieces: list[str], first: str, rest: str, width: int = 92) -> str:
    """``pieces`` joined after ``first``, new lines starting with ``rest``, at ``width``."""
    lines, line = [], first
    for piece in pieces:
        if len(line) + len(piece) > width and line.strip() not in ("", first.strip()):
            lines.append(line.rstrip())
            line = rest
        line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def _flow(mapping: Mapping[str, float], lead: str) -> str:
    """``lead`` + ``{A: 1.0, B: 0.5, ...}`` wrapped under the brace."""
    items = [f"{key}: {value!r}" for key, value in mapping.items()]
    pieces = [item + (", " if i < len(items) - 1 else "}") for i, item in enumerate(items)]
    return _wrap(pieces, lead + "{", " " * (len(lead) + 1))


def _comment(name: str, records: Mapping[str, PairRecord], years: int, indent: int) -> str:
    pad = " " * indent
    first = MID_LAST - years + 1
    head = (
        f"{pad}# generated by `{COMMAND}`: {name}'s MIDs {first}-{MID_LAST} ({SOURCE}) with "
        f"each state over its most with any one state (provocations: those the state started); "
        f"MIDs (of them started by the target): "
    ).split(" ")
    words = [word + " " for word in head[:-1]]
    items = [f"{t} {r.mids} ({r.started_by_state})" for t, r in records.items()]
    words += [item + (", " if i < len(items) - 1 else "") for i, item in enumerate(items)]
    return _wrap(words, "", pad + "#  ")


_GENERATED = re.compile(
    r"^[ \t]*# generated by `" + re.escape(COMMAND) + r"`.*\n(?:[ \t]*#  .*\n)*", re.M
)
#: the generated ``states:`` block at the end of a composing portfolio
_BLOCK_HEAD = "# Adversary targets of the composed portfolio"
_BLOCK = re.compile(r"\n*(" + _BLOCK_HEAD + r"[^\n]*\n)?states:\n(?:[ #].*\n?)*\Z")


def render_portfolio(text: str, name: str, derived: Mapping[str, Mapping[str, PairRecord]],
                     years: int = WINDOW_YEARS) -> str:  # fmt: skip
    """``text`` (a portfolio YAML) with each adversary's ``targets`` replaced by ``derived``.

    In a file that defines the adversary (``RUS: {... targets: {...}}``) the mapping is
    replaced where it stands, under a generated comment; a file that only composes
    others (``us_global``) gets a generated ``states:`` block at its end.
    """
    text = _GENERATED.sub("", text)
    spec = yaml.safe_load(text)
    own = {} if "defaults" in spec else spec.get("states") or {}
    block = []
    for adversary, records in derived.items():
        weights = {t: r.weight for t, r in records.items()}
        provocations = {t: r.provocation for t, r in records.items()}
        if adversary in own and "targets" in own[adversary]:
            pattern = re.compile(
                rf"^(?P<head>  {adversary}: \{{(?:[^\n]*\n)*?)(?P<indent>[ \t]*)(?P<pre>[^\n#]*?)"
                r"targets: \{[^{}]*\}(?:,\s*provocations: \{[^{}]*\})?",
                re.M,
            )
            match = pattern.search(text)
            if match is None:
                raise ValueError(f"{name}.yaml: cannot find {adversary}'s targets mapping")
            indent = len(match["indent"])
            pre = match["pre"]
            lead = match["head"] + (match["indent"] + pre.rstrip() + "\n" if pre.strip() else "")
            replacement = (
                lead
                + _comment(adversary, records, years, indent)
                + "\n"
                + _flow(weights, " " * indent + "targets: ")
                + ",\n"
                + _flow(provocations, " " * indent + "provocations: ")
            )
            text = text[: match.start()] + replacement + text[match.end() :]
        else:
            block.append(
                _comment(adversary, records, years, 2)
                + f"\n  {adversary}:\n"
                + _flow(weights, "    targets: ")
                + "\n"
                + _flow(provocations, "    provocations: ")
            )
    if block:
        text = _BLOCK.sub("\n", text)
        text = text.rstrip("\n") + (
            f"\n\n{_BLOCK_HEAD} (generated, see below)\nstates:\n" + "\n".join(block) + "\n"
        )
    return text


def expected_files(data_dir: Path, folder: Path = PORTFOLIO_DIR,
                   years: int = WINDOW_YEARS) -> dict[Path, str]:  # fmt: skip
    """Every shipped portfolio of :data:`PORTFOLIOS` as the code derives it."""
    out = {}
    for name in PORTFOLIOS:
        path = folder / f"{name}.yaml"
        derived = derive_targets(data_dir, composed_states(name, folder), years)
        out[path] = render_portfolio(path.read_text(), name, derived, years)
    return out


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` compare) the portfolios' adversary targets."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = parser.parse_args(argv)
    try:
        path = data.resolve_data_dir(args.data_dir)
    except data.HistoryDataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    # us_global composes the others: derive each from the files as they will be written
    stale = []
    for name in PORTFOLIOS:
        file = PORTFOLIO_DIR / f"{name}.yaml"
        states = composed_states(name)
        derived = derive_targets(path, states)
        new = render_portfolio(file.read_text(), name, derived)
        if new != file.read_text():
            stale.append(file)
            if not args.check:
                file.write_text(new)
        for adversary, records in derived.items():
            weights = ", ".join(f"{t} {r.weight:g} ({r.mids})" for t, r in records.items())
            print(f"{name:13s} {adversary}: {weights}")
    if args.check and stale:
        names = ", ".join(str(f.relative_to(data.REPO_ROOT)) for f in stale)
        print(
            f"error: {names} differ from the MID record; rewrite with: {COMMAND}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

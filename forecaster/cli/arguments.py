"""Parsing the decision commands' arguments, every problem collected (one line each).

``PATH=LOW:HIGH`` ranges (uncertainties), ``DIM=VALUE`` selections,
``PATH=V1,V2,...`` levers in Hydra's sweep syntax (so ``decision=consensus,unilateral``
and ``members=[USA,EST],[USA,EST,LVA]`` work as in ``forecast -m``) and
``OUTCOME[:DIM=VALUE,...]`` objectives.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException


def parse_ranges(items: list[str], option: str = "--uncertainty") -> tuple[dict, list[str]]:
    """``{path: (low, high)}`` from ``PATH=LOW:HIGH`` items, and the problems."""
    ranges: dict[str, tuple[float, float]] = {}
    problems = []
    for text in items:
        name, _, bounds = text.partition("=")
        low, _, high = bounds.partition(":")
        try:
            ranges[name] = (float(low), float(high))
        except ValueError:
            problems.append(f"{option} {text!r}: write it as dotted.path=LOW:HIGH (two numbers)")
    return ranges, problems


def parse_select(items: list[str], option: str = "--select") -> tuple[dict, list[str]]:
    """``{dim: value}`` from ``DIM=VALUE`` items (``time`` a number), and the problems."""
    select: dict[str, Any] = {}
    problems = []
    for item in items:
        key, _, value = item.partition("=")
        if not key or not value:
            problems.append(f"{option} {item!r}: write it as dimension=value")
            continue
        try:
            select[key] = float(value) if key == "time" else value
        except ValueError:
            problems.append(f"{option} {item!r}: time must be a number of years")
    return select, problems


def parse_levers(items: list[str]) -> tuple[dict[str, list[Any]], list[str]]:
    """``{path: [values]}`` from ``PATH=V1,V2,...`` items (Hydra's sweep syntax)."""
    parser = OverridesParser.create()
    levers: dict[str, list[Any]] = {}
    problems = []
    for item in items:
        try:
            override = parser.parse_override(item)
        except HydraException as err:
            first = str(err).strip().splitlines()[0]
            problems.append(f"--lever {item!r}: write it as dotted.path=V1,V2,... ({first})")
            continue
        key = override.key_or_group
        values = (
            list(override.sweep_iterator()) if override.is_sweep_override() else [override.value()]
        )
        levers[key] = [_plain(v) for v in values]
    return levers, problems


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def parse_objectives(items: list[str]) -> tuple[list[tuple[str, dict]], list[str]]:
    """``[(outcome, select)]`` from ``OUTCOME[:DIM=VALUE,...]`` items, and the problems."""
    objectives = []
    problems = []
    for item in items:
        outcome, _, where = item.partition(":")
        select, bad = parse_select([w for w in where.split(",") if w], option="--objective")
        if not outcome:
            bad.append(f"--objective {item!r}: write it as OUTCOME[:DIM=VALUE,...]")
        problems += bad
        objectives.append((outcome, select))
    return objectives, problems


class _CurrentStderr(logging.StreamHandler):
    """A handler that writes to ``sys.stderr`` as it is when a record is emitted.

    A plain ``StreamHandler(sys.stderr)`` keeps the stream it was made with; a
    second command run in the same process (a notebook, a test's captured
    stderr) would then log into a closed stream.
    """

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


@contextlib.contextmanager
def log_to_stderr() -> Iterator[None]:
    """While a command runs, forecaster's log (the run's size and estimated time,
    progress every 10% of its tasks) on stderr, as ``forecast`` shows it; a bar as
    well on a terminal. The handler goes when the command ends, so a command called
    in-process (a notebook, a test) leaves nothing behind."""
    log = logging.getLogger("forecaster")
    if log.handlers:
        yield
        return
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s", "%H:%M:%S"))
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def add_folder_options(parser: argparse.ArgumentParser, writes: str, default: str) -> None:
    """``--config-dir`` and ``--output-dir``, as the decision commands spell them."""
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=None,
        help="a folder of your own config options, as for forecast",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help=f"where {writes} go (default {default})",
    )


def parse_point(items: list[str], flag: str) -> dict[str, Any]:
    """A grid point from ``KEY=VALUE`` items (values read as YAML); ``ValueError`` naming
    ``flag`` and the item that has no value."""
    point: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        if not value:
            raise ValueError(f"{flag} {item!r}: write it as config.key=value")
        point[key] = yaml.safe_load(value)
    return point

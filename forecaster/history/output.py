"""Writing the derived numbers to ``conf/moments/history.yaml`` and reading them back."""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from forecaster.history.moments import Moment

#: Significant digits of every value and standard error written.
DIGITS = 4

HEADER = """\
# Calibration moments from history: each with its estimate (value), standard error (se),
# sample size (n), period, unit, estimator and source. Derived from the COW, ATOP and
# Berkemeier & Fuhrmann (2018) files in ../shared/data/history (see docs/history.md) by
#
#   python -m forecaster.history [--data-dir DIR] [--output conf/moments/history.yaml]
#
# Generated file: edit forecaster/history/, not this file. Values and SEs carry {digits}
# significant digits; tests/test_history.py re-derives them when the data is present.
# Nothing reads ../shared at run time; this file is what the calibration uses.
"""


def rounded(x: float, digits: int = DIGITS) -> float:
    """``x`` to ``digits`` significant digits, as written to the YAML."""
    return float(f"{x:.{digits}g}")


def moment_entry(moment: Moment) -> dict[str, Any]:
    """The YAML mapping of one moment (rounded)."""
    entry: dict[str, Any] = {
        "value": rounded(moment.value),
        "se": rounded(moment.se),
        "n": int(moment.n),
        "period": moment.period,
        "unit": moment.unit,
        "estimator": moment.estimator,
        "source": moment.source,
    }
    entry.update(moment.extra)
    return entry


def _block(mapping: dict[str, Any], indent: int) -> str:
    text = yaml.safe_dump(mapping, sort_keys=False, default_flow_style=False, width=10_000)
    return textwrap.indent(text, " " * indent)


def render(moments: dict[str, Moment], population: dict[str, Any] | None) -> str:
    """The whole YAML document: header, ``moments:`` with a comment per entry, ``population:``."""
    parts = [HEADER.format(digits=DIGITS), "moments:\n"]
    for name, moment in moments.items():
        if moment.note:
            parts.append(f"  # {moment.note}\n")
        parts.append(_block({name: moment_entry(moment)}, 2))
    if population is not None:
        parts.append(
            "\n# The population the moments come from (for a calibration portfolio that\n"
            "# mirrors it): MID dyads' capability ratios and defence pacts' sizes.\n"
            "population:\n"
        )
        parts.append(_block(population, 2))
    return "".join(parts)


def write(path: Path, moments: dict[str, Moment], population: dict[str, Any] | None) -> None:
    """Write :func:`render`'s document to ``path`` (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(moments, population))


def load(path: Path) -> dict[str, Any]:
    """Read a shipped ``history.yaml`` back as a plain mapping."""
    return yaml.safe_load(path.read_text())


def shipped() -> dict[str, Any]:
    """The ``history.yaml`` shipped with the installed package (``forecaster.conf.moments``).

    Works from a checkout and from a built wheel alike; this is what the calibration
    reads, never the data directory.
    """
    text = resources.files("forecaster.conf.moments").joinpath("history.yaml").read_text()
    return yaml.safe_load(text)

"""Scenario specifications from the packaged config groups (``forecaster.conf``)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from .config import compose, to_spec


def available(group: str) -> list[str]:
    """Names of the options shipped in a config group."""
    folder = resources.files("forecaster.conf").joinpath(group)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_spec(*overrides: str, **choices: str) -> dict[str, Any]:
    """A full specification from group choices and overrides.

    ``load_spec(portfolio="regional")`` is ``load_spec("portfolio=regional")``:
    the composed config as plain dicts (Hydra's defaults for everything else).
    """
    return to_spec(compose([*(f"{g}={n}" for g, n in choices.items()), *overrides]))

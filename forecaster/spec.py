"""Load scenario specifications from the packaged config groups (``forecaster.conf``)."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml

DEFAULT_GROUPS = {
    "portfolio": "nato",
    "threat": "baseline",
    "fiscal": "baseline",
    "political": "baseline",
}
DEFAULT_RUN = {"horizon_years": 10.0, "dt_years": 0.25}


def available(group: str) -> list[str]:
    """Names of the options shipped in a config group."""
    folder = resources.files("forecaster.conf").joinpath(group)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_group(group: str, name: str) -> dict[str, Any]:
    """One option of a config group as a plain dict."""
    options = available(group)
    if name not in options:
        raise ValueError(f"{group}={name!r}: no such option (available: {', '.join(options)})")
    text = resources.files("forecaster.conf").joinpath(group, f"{name}.yaml").read_text()
    return yaml.safe_load(text) or {}


def load_spec(**choices: str) -> dict[str, Any]:
    """A full specification from group choices, e.g. ``load_spec(portfolio="regional")``.

    Mechanisms default to all on; ``run`` to a 10-year horizon in quarterly steps.
    """
    groups = {**DEFAULT_GROUPS, **choices}
    spec: dict[str, Any] = {g: load_group(g, n) for g, n in groups.items()}
    spec["mechanisms"] = {}
    spec["run"] = copy.deepcopy(DEFAULT_RUN)
    return spec

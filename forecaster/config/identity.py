"""Which scenario a config is: the option chosen in each group and the overrides given.

A resolved config says what every parameter is but not how it was asked for
(``threat=high`` or ``threat.scale=2``). Hydra knows: its ``runtime.choices``
and ``overrides.task``. :func:`identity_of` reads them from Hydra's section,
and results carry them (``config_choices``, ``config_overrides``), so that a
summary, a report or a comparison names its scenario.

A user's folder of options (``--config-dir``) comes after forecaster's own on
Hydra's search path, so an option there with a shipped name
(``portfolio/nato.yaml``) would be silently ignored: :func:`shadow_problems`
names it before anything runs.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .schema import CONFIG_MODULE

#: groups that say what the scenario is, in the order a header names them
SCENARIO_GROUPS = ("portfolio", "threat", "fiscal", "political", "calibration", "experiment",
                   "sweep")  # fmt: skip
_REMEMBERED = 64
_composed: OrderedDict[str, dict[str, Any]] = OrderedDict()


def identity_of(hydra: Any) -> dict[str, Any]:
    """``{"choices": {group: option}, "overrides": [...]}`` from Hydra's section.

    Hydra's own groups (``hydra/...``) and its own overrides (``hydra.run.dir``)
    are left out; the choices keep the order of :data:`SCENARIO_GROUPS`, then
    the rest (``cluster``).
    """
    raw = OmegaConf.to_container(hydra.runtime.choices) if hydra is not None else {}
    raw = raw if isinstance(raw, dict) else {}  # a mapping of group to option
    choices = {str(k): v for k, v in raw.items() if not str(k).startswith("hydra/")}
    choices.pop("config_schema", None)
    order = [g for g in SCENARIO_GROUPS if g in choices] + sorted(
        g for g in choices if g not in SCENARIO_GROUPS
    )
    overrides = [
        str(o)
        for o in (hydra.overrides.task if hydra is not None else [])
        if not str(o).lstrip("+~").startswith(("hydra.", "hydra/"))
    ]
    return {"choices": {g: choices[g] for g in order}, "overrides": overrides}


def identity_attrs(identity: dict[str, Any] | None) -> dict[str, str]:
    """The identity as a results dataset's attributes (strings, as netCDF allows).

    ``config_choices``: ``portfolio=nato threat=baseline ...``; ``config_overrides``:
    a JSON list of the overrides as given. Empty without an identity.
    """
    if identity is None:
        return {}
    choices = " ".join(f"{g}={o}" for g, o in identity["choices"].items())
    return {"config_choices": choices, "config_overrides": json.dumps(identity["overrides"])}


def identity_from_attrs(attrs: dict[str, Any]) -> dict[str, Any] | None:
    """The identity a dataset's attributes carry (:func:`identity_attrs`), None if none."""
    if "config_choices" not in attrs:
        return None
    pairs = (item.partition("=") for item in str(attrs["config_choices"]).split())
    choices = {g: (None if o == "None" else o) for g, _, o in pairs}
    try:
        overrides = [str(o) for o in json.loads(str(attrs.get("config_overrides", "[]")))]
    except ValueError:
        overrides = []
    return {"choices": choices, "overrides": overrides}


def _digest(cfg: DictConfig) -> str:
    text = OmegaConf.to_yaml({k: cfg[k] for k in cfg if k != "hydra"}, resolve=True)
    return hashlib.sha256(text.encode()).hexdigest()


def remember(cfg: DictConfig, identity: dict[str, Any]) -> None:
    """Note the identity of a config composed in Python (``forecaster.compose``)."""
    _composed[_digest(cfg)] = identity
    while len(_composed) > _REMEMBERED:
        _composed.popitem(last=False)


def recalled(cfg: DictConfig) -> dict[str, Any] | None:
    """The identity of a config :func:`remember` saw, if it has not been changed since."""
    try:
        return _composed.get(_digest(cfg))
    except Exception:  # a config that cannot be resolved has no identity to recall
        return None


def _shipped(group: str) -> set[str]:
    folder = resources.files(CONFIG_MODULE).joinpath(group)
    if not folder.is_dir():
        return set()
    return {p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")}


def shadow_problems(hydra: Any) -> list[str]:
    """Options of the user's folders that a shipped option of the same name hides.

    An option chosen for this run is a problem (the run would silently use the
    shipped one); the others are harmless until chosen.
    """
    if hydra is None:
        return []
    folders = [
        Path(str(s.path))
        for s in hydra.runtime.config_sources
        if str(s.schema) == "file" and s.path and Path(str(s.path)).is_dir()
    ]
    choices = identity_of(hydra)["choices"]
    problems = []
    for folder in folders:
        for group, option in choices.items():
            mine = folder / group / f"{option}.yaml"
            if option is not None and mine.is_file() and option in _shipped(group):
                problems.append(
                    f"{group} = {option!r}: your {mine} has the name of a shipped option, "
                    f"which Hydra reads first, so yours would be ignored; rename it (e.g. "
                    f"{group}/my_{option}.yaml) and choose {group}=my_{option}"
                )
    return problems


__all__ = [
    "SCENARIO_GROUPS",
    "identity_attrs",
    "identity_from_attrs",
    "identity_of",
    "recalled",
    "remember",
    "shadow_problems",
]

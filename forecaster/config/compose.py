"""Composing the Hydra configuration, and reading a composed config."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any

from hydra import compose as hydra_compose
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf

from forecaster.errors import ConfigError

from .schema import CONFIG_MODULE, CONFIG_NAME, VERSION_BASE


def compose(overrides: Sequence[str] = ()) -> DictConfig:
    """The composed configuration for ``overrides`` (as on the command line).

    Examples
    --------
    >>> cfg = compose(["portfolio=regional", "threat.scale=1.5"])
    >>> cfg.threat.scale
    1.5
    """
    overrides = list(overrides)
    if GlobalHydra.instance().is_initialized():
        return hydra_compose(config_name=CONFIG_NAME, overrides=overrides)
    with initialize_config_module(config_module=CONFIG_MODULE, version_base=VERSION_BASE):
        return hydra_compose(config_name=CONFIG_NAME, overrides=overrides)


def to_spec(cfg: DictConfig) -> dict[str, Any]:
    """The scenario specification (plain dicts) inside a composed config.

    Raises :class:`ConfigError` naming every key still marked ``???``.
    """
    missing = _missing_keys(cfg)
    if missing:
        raise ConfigError([f"{key} = '???': a value is required here" for key in missing])
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)  # a DictConfig becomes a dict
    return {str(k): v for k, v in container.items() if k != "hydra"}


def _missing_keys(node: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose value is ``???`` (Hydra's section excluded)."""
    keys = []
    for key in node.keys() if OmegaConf.is_dict(node) else []:
        full = f"{prefix}.{key}" if prefix else str(key)
        if key == "hydra" and not prefix:
            continue
        if OmegaConf.is_missing(node, key):
            keys.append(full)
        elif OmegaConf.is_dict(node[key]):
            keys += _missing_keys(node[key], full)
    return keys


def available(group: str) -> list[str]:
    """Names of the options shipped in a config group."""
    folder = resources.files(CONFIG_MODULE).joinpath(group)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def grid_of(cfg: DictConfig) -> dict[str, list[float]]:
    """The in-run sweep grid ``{dotted.path: [values]}`` of a config (empty: no sweep)."""
    sweep = cfg.get("sweep") or {}
    grid = OmegaConf.to_container(sweep.get("grid") or OmegaConf.create({}), resolve=True)
    flat: dict[str, Any] = {}

    # keys may be dotted paths (YAML) or nested mappings (command-line overrides)
    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, dict) and node:
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        else:
            flat[prefix] = node

    walk(grid, "")
    flat.pop("", None)
    return flat

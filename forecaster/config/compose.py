"""Composing the Hydra configuration, and reading a composed config."""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from hydra import compose as hydra_compose
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf, open_dict

from forecaster.errors import ConfigError

from .folders import folder_problems
from .identity import identity_of, remember, shadow_problems
from .schema import CONFIG_MODULE, CONFIG_NAME, VERSION_BASE


def compose(
    overrides: Sequence[str] = (), config_dir: str | os.PathLike[str] | None = None
) -> DictConfig:
    """The composed configuration for ``overrides`` (as on the command line).

    ``config_dir`` adds a folder of the user's own options (portfolios, threats,
    experiments, ...) to the search path, as ``forecast --config-dir DIR`` does
    (``hydra.searchpath``): its options sit beside the shipped ones. An option
    of the folder with a shipped name is refused (Hydra would read the shipped
    one): give yours names of their own.

    Examples
    --------
    >>> cfg = compose(["portfolio=regional", "threat.scale=1.5"])
    >>> cfg.threat.scale
    1.5
    >>> cfg = compose(["portfolio=nordic_baltic"], config_dir="examples/my_scenarios")
    >>> cfg.portfolio.name
    'nordic_baltic'
    """
    overrides = list(overrides)
    if config_dir is not None:
        folder = Path(config_dir).expanduser().resolve()
        if not folder.is_dir():
            raise ConfigError([f"config_dir = {str(config_dir)!r}: no such directory"])
        too_large = folder_problems(folder)
        if too_large:
            raise ConfigError(too_large)
        # Hydra's own mechanism for --config-dir: the folder first on the search path
        overrides.append(f"hydra.searchpath=[file://{folder}]")
    if GlobalHydra.instance().is_initialized():
        cfg = hydra_compose(config_name=CONFIG_NAME, overrides=overrides, return_hydra_config=True)
    else:
        with initialize_config_module(config_module=CONFIG_MODULE, version_base=VERSION_BASE):
            cfg = hydra_compose(
                config_name=CONFIG_NAME, overrides=overrides, return_hydra_config=True
            )
    problems = shadow_problems(cfg.hydra)
    if problems:
        raise ConfigError(problems)
    identity = identity_of(cfg.hydra)
    with open_dict(cfg):
        del cfg["hydra"]
    remember(cfg, identity)  # results of this config will name its options and overrides
    return cfg


def to_spec(cfg: DictConfig) -> dict[str, Any]:
    """The scenario specification (plain dicts) inside a composed config.

    Raises :class:`ConfigError` naming every key still marked ``???``.
    """
    missing = _missing_keys(cfg)
    if missing:
        raise ConfigError([f"{key} = '???': a value is required here" for key in missing])
    # group by group, leaving out Hydra's section: a multirun job's config, as a sweeper
    # composes it, has interpolations there (hydra.job.num) that only the launcher fills
    spec: dict[str, Any] = {}
    for key in cfg:
        if key == "hydra":
            continue
        node = cfg[key]
        spec[str(key)] = (
            OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node
        )
    return spec


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

"""Hydra structured configs: the types of ``run``, ``mechanisms`` and ``output``.

The values, with their comments, live in ``conf/config.yaml`` alone (``MISSING``
here), so the two cannot drift apart. The scenario groups (``portfolio``,
``threat``, ``fiscal``, ``political``) hold numbers or distributions and are
checked when a scenario is compiled (:mod:`forecaster.scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf

from forecaster._version import __version__

CONFIG_MODULE = "forecaster.conf"
CONFIG_PATH = "pkg://forecaster.conf"
CONFIG_NAME = "config"
VERSION_BASE = "1.3"


@dataclass
class RunConf:
    trajectories: int = MISSING
    horizon_years: float = MISSING
    dt_years: float = MISSING
    burn_in_years: float = MISSING
    seed: int = MISSING
    block_size: int = MISSING
    target_se: float | None = MISSING
    max_trajectories: int | None = MISSING
    resume: str | None = MISSING


@dataclass
class MechanismsConf:
    economy: bool = MISSING
    fiscal: bool = MISSING
    politics: bool = MISSING
    elections: bool = MISSING
    misperception: bool = MISSING
    provocation: bool = MISSING
    reputation: bool = MISSING
    exit: bool = MISSING
    war_costs: bool = MISSING
    collective_action: bool = MISSING
    fait_accompli: bool = MISSING
    stalemate: bool = MISSING
    fiscal_anchor: bool = MISSING
    arms_buildup: bool = MISSING


@dataclass
class OutputConf:
    formats: list[str] = MISSING
    summary: bool = MISSING


@dataclass
class Config:
    portfolio: Any = None
    threat: Any = None
    fiscal: Any = None
    political: Any = None
    cluster: Any = None
    sweep: Any = None
    run: RunConf = field(default_factory=RunConf)
    mechanisms: MechanismsConf = field(default_factory=MechanismsConf)
    output: OutputConf = field(default_factory=OutputConf)


ConfigStore.instance().store(name="config_schema", node=Config)
# for `forecast --help`'s header
OmegaConf.register_new_resolver("forecaster_version", lambda: __version__, replace=True)


@dataclass
class CheckedSweeperConf:
    """Hydra's basic sweeper that checks every job before the first starts (``forecast -m``)."""

    _target_: str = "hydra_plugins.forecaster_sweeper.CheckedSweeper"
    max_batch_size: int | None = None
    params: dict[str, str] | None = None


ConfigStore.instance().store(group="hydra/sweeper", name="forecaster", node=CheckedSweeperConf)

"""Hydra configuration: the schema, composition, and checks before any computation.

The config groups live in ``conf/`` (installed as ``forecaster.conf``) and are
read as ``pkg://forecaster.conf``, which works from an editable install and a
wheel alike. Structured configs (dataclasses in Hydra's ConfigStore) check the
types of ``run``, ``mechanisms``, ``output`` and ``cluster``; the scenario
groups (``portfolio``, ``threat``, ``fiscal``, ``political``) hold numbers or
distributions and are checked by :func:`forecaster.scenario.compile_scenario`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hydra import compose as hydra_compose
from hydra import initialize_config_module
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import MISSING, DictConfig, OmegaConf

from .errors import ConfigError

CONFIG_MODULE = "forecaster.conf"
CONFIG_PATH = "pkg://forecaster.conf"
CONFIG_NAME = "config"
VERSION_BASE = "1.3"


# The schema checks types; the values, with their comments, live in conf/config.yaml
# alone (MISSING here), so the two cannot drift apart.
@dataclass
class RunConf:
    trajectories: int = MISSING
    horizon_years: float = MISSING
    dt_years: float = MISSING
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


OUTPUT_FORMATS = ("zarr", "netcdf")

ConfigStore.instance().store(name="config_schema", node=Config)


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
    return {k: v for k, v in container.items() if k != "hydra"}


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


def run_problems(cfg: DictConfig) -> list[str]:
    """Problems in ``run`` and ``output`` that the schema's types cannot express."""
    problems = []
    run = cfg.run
    for key in ("trajectories", "block_size"):
        if run[key] < 1:
            problems.append(f"run.{key} = {run[key]!r}: must be >= 1")
    if run.max_trajectories is not None and run.max_trajectories < 1:
        problems.append(f"run.max_trajectories = {run.max_trajectories!r}: must be >= 1 or null")
    if run.target_se is not None and not 0 < run.target_se < 0.5:
        problems.append(f"run.target_se = {run.target_se!r}: must be in (0, 0.5) or null")
    if run.resume is not None:
        from pathlib import Path

        from .execution import CHECKPOINT_NAME

        if not (Path(run.resume) / CHECKPOINT_NAME).is_file():
            problems.append(
                f"run.resume = {run.resume!r}: no {CHECKPOINT_NAME} there; give the output "
                "directory of an interrupted run (a finished run has no checkpoint)"
            )
    if not 0 <= run.seed < 2**64:
        problems.append(f"run.seed = {run.seed!r}: must be an integer in [0, 2**64)")
    for fmt in cfg.output.formats:
        if fmt not in OUTPUT_FORMATS:
            problems.append(
                f"output.formats = {fmt!r}: allowed formats are {', '.join(OUTPUT_FORMATS)}"
            )
    return problems


def check(cfg: DictConfig, points: list[dict[str, float]] | None = None):
    """Validate a composed config and return its compiled :class:`~forecaster.Scenario`.

    The scenario is compiled once, here: callers simulate what was checked.
    ``points`` replaces the sweep grid with explicit design points (sensitivity
    analysis). Raises one :class:`ConfigError` listing every problem.
    """
    from .clusters import cluster_problems
    from .scenario import compile_scenario

    spec = to_spec(cfg)
    grid = grid_of(cfg)
    problems = run_problems(cfg) + cluster_problems(spec.get("cluster"))
    if points is not None and grid:
        problems.append(
            f"sweep.grid = {sorted(grid)}: a sensitivity analysis sets its own design points; "
            "use sweep=none"
        )
        grid = {}
    scenario = None
    try:
        scenario = compile_scenario(spec, grid=None if points is not None else grid, points=points)
    except ConfigError as err:
        problems += err.problems
    if problems:
        raise ConfigError(problems)
    return scenario

"""A Hydra sweeper that searches for robust alliance designs: ``forecast -m hydra/sweeper=robust``.

The command line's sweeps are the levers (``spending_target=0.02,0.035``,
``decision=consensus,unilateral``); its other overrides configure the scenario;
``hydra.sweeper`` names the objectives, the uncertainties and the number of
futures. Instead of one Hydra job per design, the sweeper runs every design in
every future as design points of one grid run (one run per choice of the
non-numeric levers), so that every comparison is paired under common random
numbers and no job pays the start-up of a separate run; it writes ``robust.nc``
and ``pareto.png`` in the sweep directory (:func:`forecaster.cli.robust.run_search`).

Hydra's Optuna sweeper (``hydra-optuna-sweeper`` 1.2) was the alternative: it pins
``optuna<3``, and its one-job-per-trial design evaluates one future per job,
where a robust design needs every candidate in the same futures.
"""

# no ``from __future__ import annotations``: Hydra's plugin scan imports this module
# outside sys.modules, where a dataclass cannot resolve string annotations
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


@dataclass
class RobustSweeperConf:
    """``hydra.sweeper`` of ``forecast -m hydra/sweeper=robust``."""

    _target_: str = "hydra_plugins.forecaster_sweeper.robust.RobustSweeper"
    #: outcomes to minimise, ``OUTCOME[:DIM=VALUE,...]``
    objectives: list[str] = field(default_factory=list)
    #: plausible ranges, ``PATH=LOW:HIGH``
    uncertainties: list[str] = field(default_factory=list)
    #: per objective, the largest acceptable value or ``none`` (satisficing robustness)
    limits: list[str] = field(default_factory=list)
    futures: int = 16
    design: str = "lhs"


ConfigStore.instance().store(group="hydra/sweeper", name="robust", node=RobustSweeperConf)


class RobustSweeper(Sweeper):
    """Every design (the sweeps' outer product) in every future, in one paired search."""

    def __init__(
        self,
        objectives: list[str] | None = None,
        uncertainties: list[str] | None = None,
        limits: list[str] | None = None,
        futures: int = 16,
        design: str = "lhs",
    ) -> None:
        self.objectives = list(objectives or [])
        self.uncertainties = list(uncertainties or [])
        self.limits = list(limits or [])
        self.futures = futures
        self.design = design
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        self.config = config
        self.hydra_context = hydra_context

    def sweep(self, arguments: list[str]) -> Any:
        from forecaster.cli.arguments import parse_objectives, parse_ranges
        from forecaster.cli.robust import parse_limits, run_search
        from forecaster.errors import ConfigError

        assert self.config is not None and self.hydra_context is not None
        overrides = OverridesParser.create().parse_overrides(arguments)
        levers = {
            o.key_or_group: list(o.sweep_iterator()) for o in overrides if o.is_sweep_override()
        }
        fixed = [str(o.input_line) for o in overrides if not o.is_sweep_override()]
        uncertainties, problems = parse_ranges(self.uncertainties, "hydra.sweeper.uncertainties")
        objectives, bad = parse_objectives(self.objectives)
        limits, more = parse_limits(self.limits)
        problems += bad + more
        if problems:
            print(str(ConfigError(problems)), file=sys.stderr)
            sys.exit(2)
        cfg = self.hydra_context.config_loader.load_sweep_config(
            master_config=self.config, sweep_overrides=fixed
        )
        out = Path(self.config.hydra.sweep.dir)
        status = run_search(
            cfg, levers, uncertainties, objectives, self.futures, self.design, limits, out
        )
        if status:
            sys.exit(status)
        return []

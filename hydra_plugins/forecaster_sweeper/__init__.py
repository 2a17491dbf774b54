"""A Hydra sweeper that checks every job of a multirun before any job starts.

Hydra's basic sweeper composes each batch of jobs just before launching it;
this one, the default sweeper of ``forecast`` (``hydra/sweeper: forecaster``),
composes every job of every batch through Hydra's own config loader first and
runs forecaster's checks on each, so that one bad job stops the multirun with
one message listing every problem, before anything is simulated. It launches
through whatever launcher the config names. It lives in ``hydra_plugins``
because Hydra instantiates only plugins from that namespace.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

from forecaster.api import check
from forecaster.config.identity import shadow_problems
from forecaster.errors import ConfigError


class CheckedSweeper(BasicSweeper):
    """Hydra's basic sweeper, with forecaster's checks of every job before the first starts."""

    def __init__(self, max_batch_size: int | None = None, params: dict | None = None) -> None:
        # BasicSweeper.__init__ calls super(BasicSweeper, self), which fails once Hydra's
        # plugin scan has re-imported its module: set its attributes here instead
        self.overrides = None
        self.batch_index = 0
        self.max_batch_size = max_batch_size
        self.params = params or {}
        self.hydra_context = None
        self.config = None
        self.launcher = None
        self._checked = False

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        if self._checked:
            return
        assert self.hydra_context is not None and self.config is not None
        assert self.overrides is not None
        jobs = [list(job) for every_batch in self.overrides for job in every_batch]
        problems: list[str] = []
        for overrides in jobs:
            shown = " ".join(o for o in overrides if not o.startswith(("hydra.", "hydra/")))
            cfg = self.hydra_context.config_loader.load_sweep_config(
                master_config=self.config, sweep_overrides=overrides
            )
            label = f"job {shown}: " if len(jobs) > 1 else ""
            problems += [label + p for p in shadow_problems(cfg.get("hydra"))]
            try:
                check(cfg)
            except ConfigError as err:
                problems += [label + p for p in err.problems]
        if problems:
            raise ConfigError(problems)
        self._checked = True

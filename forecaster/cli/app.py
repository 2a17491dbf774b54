"""The Hydra application behind ``forecast``."""

from __future__ import annotations

import errno
import logging
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.plugins import Plugins
from omegaconf import DictConfig

from forecaster.api import finish, run
from forecaster.config import CONFIG_NAME, CONFIG_PATH, VERSION_BASE
from forecaster.config.identity import identity_attrs, identity_of, shadow_problems
from forecaster.errors import ConfigError
from forecaster.execution.lock import output_lock
from forecaster.execution.phases import PhaseTimer
from forecaster.results import format_summary
from hydra_plugins.forecaster_sweeper import CheckedSweeper
from hydra_plugins.forecaster_sweeper.robust import RobustSweeper

log = logging.getLogger("forecaster")

# Hydra discovers plugins by walking the hydra_plugins namespace, which an editable
# install's import hook hides from it; registering by hand works for every install
Plugins.instance().register(CheckedSweeper)
Plugins.instance().register(RobustSweeper)  # forecast -m hydra/sweeper=robust

#: when the command started composing (set by ``forecast``'s main): the compose phase
compose_started: float | None = None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it stops as on Ctrl-C (checkpoint kept)."""


@contextmanager
def _sigterm_stops_the_run() -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@hydra.main(config_path=CONFIG_PATH, config_name=CONFIG_NAME, version_base=VERSION_BASE)
def forecast_app(cfg: DictConfig) -> None:
    timer = PhaseTimer()
    if compose_started is not None:
        timer.record("compose", time.perf_counter() - compose_started)
    # a resumed run finishes in the directory of the run it resumes
    out_dir = cfg.run.resume or HydraConfig.get().runtime.output_dir
    resume = f"forecast <same overrides> run.resume={out_dir}"
    problems = shadow_problems(HydraConfig.get())
    if problems:
        print(str(ConfigError(problems)), file=sys.stderr)
        sys.exit(2)
    try:
        with _sigterm_stops_the_run(), output_lock(out_dir):
            ds = run(cfg, output_dir=out_dir, timer=timer)  # checks the config first
            # results name the options and overrides that made them (summaries, reports, ...)
            ds.attrs.update(identity_attrs(identity_of(HydraConfig.get())))
            written = finish(ds, out_dir, list(cfg.output.formats))
    except ConfigError as err:
        # SystemExit passes Hydra's job runner untouched: no "Error executing job" line
        print(str(err), file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt as err:
        how = "terminated (SIGTERM)" if isinstance(err, Terminated) else "interrupted"
        print(
            f"forecast: {how}; the completed part is kept in {out_dir}. Finish it with: {resume}",
            file=sys.stderr,
        )
        sys.exit(143 if isinstance(err, Terminated) else 130)
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        print(
            f"forecast: no space left on the device ({err.filename or out_dir}); the completed "
            f"part up to the last checkpoint is kept in {out_dir}. Free space, then finish it "
            f"with: {resume}",
            file=sys.stderr,
        )
        sys.exit(1)
    if cfg.output.summary:
        states = cfg.output.states
        print(format_summary(ds, states=None if states is None else list(states)))
    for path in written.values():
        print(f"results: {path}")
        log.info("results written to %s", path)

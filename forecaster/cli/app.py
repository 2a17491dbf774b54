"""The Hydra application behind ``forecast``."""

from __future__ import annotations

import logging
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.plugins import Plugins
from omegaconf import DictConfig

from forecaster.api import finish, run
from forecaster.config import CONFIG_NAME, CONFIG_PATH, VERSION_BASE
from forecaster.config.identity import identity_attrs, identity_of, shadow_problems
from forecaster.errors import ConfigError
from forecaster.results import format_summary
from hydra_plugins.forecaster_sweeper import CheckedSweeper
from hydra_plugins.forecaster_sweeper.robust import RobustSweeper

log = logging.getLogger("forecaster")

# Hydra discovers plugins by walking the hydra_plugins namespace, which an editable
# install's import hook hides from it; registering by hand works for every install
Plugins.instance().register(CheckedSweeper)
Plugins.instance().register(RobustSweeper)  # forecast -m hydra/sweeper=robust


@hydra.main(config_path=CONFIG_PATH, config_name=CONFIG_NAME, version_base=VERSION_BASE)
def forecast_app(cfg: DictConfig) -> None:
    # a resumed run finishes in the directory of the run it resumes
    out_dir = cfg.run.resume or HydraConfig.get().runtime.output_dir
    problems = shadow_problems(HydraConfig.get())
    if problems:
        print(str(ConfigError(problems)), file=sys.stderr)
        sys.exit(2)
    try:
        ds = run(cfg, output_dir=out_dir)  # checks the config before anything runs
    except ConfigError as err:
        # SystemExit passes Hydra's job runner untouched: no "Error executing job" line
        print(str(err), file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(
            f"forecast: interrupted; the completed part is kept in {out_dir}. "
            f"Finish it with: forecast <same overrides> run.resume={out_dir}",
            file=sys.stderr,
        )
        sys.exit(130)
    # results name the options and overrides that made them (summaries, reports, comparisons)
    ds.attrs.update(identity_attrs(identity_of(HydraConfig.get())))
    written = finish(ds, out_dir, list(cfg.output.formats))
    if cfg.output.summary:
        states = cfg.output.states
        print(format_summary(ds, states=None if states is None else list(states)))
    for path in written.values():
        print(f"results: {path}")
        log.info("results written to %s", path)

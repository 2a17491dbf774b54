"""The Hydra application behind ``forecast``."""

from __future__ import annotations

import logging
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from .api import run, write_results
from .config import CONFIG_NAME, CONFIG_PATH, VERSION_BASE
from .errors import ConfigError
from .summary import format_summary

log = logging.getLogger("forecaster")


@hydra.main(config_path=CONFIG_PATH, config_name=CONFIG_NAME, version_base=VERSION_BASE)
def forecast_app(cfg: DictConfig) -> None:
    try:
        ds = run(cfg)
    except ConfigError as err:  # reached only when called without the CLI's pre-check
        print(f"forecast: {err}", file=sys.stderr)
        sys.exit(2)
    out_dir = HydraConfig.get().runtime.output_dir
    written = write_results(ds, out_dir, list(cfg.output.formats))
    if cfg.output.summary:
        print(format_summary(ds))
    for path in written.values():
        print(f"results: {path}")
        log.info("results written to %s", path)

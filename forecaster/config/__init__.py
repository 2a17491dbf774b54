"""Configuration layer: the Hydra schema, composition, and checks of the run settings.

The config groups live in ``conf/`` (installed as ``forecaster.conf``) and are
read as ``pkg://forecaster.conf``, which works from an editable install and a
wheel alike.
"""

from .calibrated import CalibrationSources, calibration_sources, deferred_keys
from .checks import (
    CLUSTER_KINDS,
    JOBQUEUE_KINDS,
    OUTPUT_FORMATS,
    cluster_problems,
    run_problems,
)
from .compose import available, compose, grid_of, to_spec
from .schema import CONFIG_MODULE, CONFIG_NAME, CONFIG_PATH, VERSION_BASE

__all__ = [
    "CLUSTER_KINDS",
    "CONFIG_MODULE",
    "CONFIG_NAME",
    "CONFIG_PATH",
    "JOBQUEUE_KINDS",
    "OUTPUT_FORMATS",
    "VERSION_BASE",
    "CalibrationSources",
    "available",
    "calibration_sources",
    "cluster_problems",
    "compose",
    "deferred_keys",
    "grid_of",
    "run_problems",
    "to_spec",
]

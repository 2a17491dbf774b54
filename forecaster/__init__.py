"""forecaster: Monte Carlo risk forecasting for alliance politics.

>>> import forecaster
>>> cfg = forecaster.compose(["portfolio=nato", "threat.scale=1.5"])
>>> ds = forecaster.run(cfg)                      # doctest: +SKIP
>>> ds = forecaster.open_results("outputs/...")   # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("forecaster")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from . import plotting, sensitivity  # noqa: E402,F401  (registers the ds.forecast accessor)
from .api import config_of, open_results, run, write_results  # noqa: E402
from .config import compose  # noqa: E402
from .errors import ConfigError  # noqa: E402
from .results import to_dataset  # noqa: E402
from .scenario import Scenario, compile_scenario  # noqa: E402
from .spec import load_spec  # noqa: E402
from .workflow import run_scenario  # noqa: E402

__all__ = [
    "ConfigError",
    "Scenario",
    "compile_scenario",
    "compose",
    "config_of",
    "load_spec",
    "open_results",
    "run",
    "run_scenario",
    "to_dataset",
    "write_results",
]

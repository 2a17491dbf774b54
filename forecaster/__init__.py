"""forecaster: Monte Carlo risk forecasting for alliance politics."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("forecaster")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from .errors import ConfigError  # noqa: E402
from .results import to_dataset  # noqa: E402
from .scenario import Scenario, compile_scenario  # noqa: E402
from .spec import load_spec  # noqa: E402
from .workflow import run_scenario  # noqa: E402

__all__ = ["ConfigError", "Scenario", "compile_scenario", "load_spec", "run_scenario", "to_dataset"]

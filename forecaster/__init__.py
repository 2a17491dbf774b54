"""forecaster: Monte Carlo risk forecasting for alliance politics.

The package is layered; each layer imports only from the layers below it
(``docs/architecture.md``; the import-linter contract in ``pyproject.toml``
holds it):

``cli`` → ``analysis`` → ``api`` → ``execution`` | ``results`` → ``engine``
→ ``scenario`` | ``config`` → ``kernels`` → ``errors``

Examples
--------
>>> import forecaster
>>> cfg = forecaster.compose(["portfolio=regional", "threat.scale=1.5"])
>>> cfg.threat.scale
1.5
>>> ds = forecaster.run(cfg)                      # doctest: +SKIP
>>> ds = forecaster.open_results("outputs/...")   # doctest: +SKIP
"""

from . import analysis  # registers the ds.forecast accessor
from ._version import __version__
from .analysis.compare import compare, format_comparison
from .api import check, run
from .config import compose
from .engine import Counters
from .errors import ConfigError
from .results import config_of, open_results, to_dataset, write_results
from .scenario import Scenario, compile_scenario

__all__ = [
    "ConfigError",
    "Counters",
    "Scenario",
    "__version__",
    "analysis",
    "check",
    "compare",
    "compile_scenario",
    "compose",
    "config_of",
    "format_comparison",
    "open_results",
    "run",
    "to_dataset",
    "write_results",
]

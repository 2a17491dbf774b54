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

from ._lazy import lazy_attributes
from ._version import __version__
from .analysis import plotting as _plotting  # noqa: F401  (registers the ds.forecast accessor)
from .api import check, run
from .config import compose
from .engine import Counters
from .errors import ConfigError
from .results import config_of, open_results, to_dataset, write_results
from .scenario import Scenario, compile_scenario

#: loaded on first use (PEP 562), so that ``import forecaster`` loads what a run needs
#: and no more (tests/test_import.py; benchmarks/import_timing.py measures it)
_LAZY = {
    "analysis": ("forecaster.analysis", None),
    "calibration": ("forecaster.calibration", None),
    "compare": ("forecaster.analysis.compare", "compare"),
    "format_comparison": ("forecaster.analysis.compare", "format_comparison"),
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


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

"""Analysis layer: plots (the ``ds.forecast`` accessor), Sobol sensitivity, base rates.

Submodules load on use (PEP 562): ``import forecaster`` registers the accessor
(:mod:`~forecaster.analysis.plotting`, which loads matplotlib only when a plot is
drawn) and nothing else of this layer.
"""

from importlib import import_module
from typing import Any

_LAZY = {
    "plotting": ("forecaster.analysis.plotting", None),
    "sobol": ("forecaster.analysis.sensitivity", "sobol"),
    "format_ranking": ("forecaster.analysis.sensitivity", "format_ranking"),
}

__all__ = ["format_ranking", "plotting", "sobol"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'forecaster.analysis' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

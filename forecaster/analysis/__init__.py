"""Analysis layer: plots (the ``ds.forecast`` accessor), Sobol sensitivity, base rates.

Submodules load on use (PEP 562): ``import forecaster`` registers the accessor
(:mod:`~forecaster.analysis.plotting`, which loads matplotlib only when a plot is
drawn) and nothing else of this layer.
"""

from forecaster._lazy import lazy_attributes

_LAZY = {
    "plotting": ("forecaster.analysis.plotting", None),
    "sobol": ("forecaster.analysis.sensitivity", "sobol"),
    "format_ranking": ("forecaster.analysis.sensitivity", "format_ranking"),
}

__all__ = ["format_ranking", "plotting", "sobol"]


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

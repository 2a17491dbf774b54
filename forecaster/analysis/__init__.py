"""Analysis layer: plots (the ``ds.forecast`` accessor), Sobol sensitivity, base rates."""

from . import plotting  # registers the ``ds.forecast`` accessor
from .sensitivity import format_ranking, sobol

__all__ = ["format_ranking", "plotting", "sobol"]

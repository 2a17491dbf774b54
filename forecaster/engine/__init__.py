"""Engine layer: one kernel call over a block of trajectories, and its additive counters.

:func:`simulate` is the only place Python calls the kernels; the executor
(:mod:`forecaster.execution`) decides which blocks to simulate and adds their
counters. :mod:`forecaster.engine.reference` is an independent NumPy
implementation of the same model, used by the tests and the benchmarks.
"""

from .counters import Counters, simulate
from .paired import PairedCounts, check_paired, paired_block

__all__ = ["Counters", "PairedCounts", "check_paired", "paired_block", "simulate"]

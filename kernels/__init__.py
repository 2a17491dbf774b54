"""numba kernels of forecaster (installed as ``forecaster.kernels``).

Functions of arrays only: no Python objects, no strings, no user input. The
Python side (``forecaster``) validates and compiles a scenario into flat
arrays; the kernels simulate blocks of trajectories into counters.
"""

from ._cache import install as _install_cache

_install_cache()  # before any @njit(cache=True) below is decorated

from . import layout, rng, samplers  # noqa: E402
from .rng import STREAM_VERSION  # noqa: E402
from .trajectory import simulate_block  # noqa: E402

__all__ = ["STREAM_VERSION", "layout", "rng", "samplers", "simulate_block"]

"""An independent implementation of the model (docs/model.md) in vectorised NumPy.

Written again from the model description, not from the kernels: it shares
only the compiled scenario arrays and the counter layout with them. Its
randomness is NumPy's own (PCG64 through ``numpy.random.Generator`` and
NumPy's samplers), so agreement with the kernels within Monte Carlo error is
evidence that both follow the same model, and neither follows a bug of the
other. It vectorises across trajectories (arrays of shape ``[N, S]``) and is
the "plain NumPy" peer in the benchmarks.

Its modules and stages carry the kernels' names, so that the two read side by
side: ``model.py`` (``economy``, ``fiscal``, ``burden``, ``politics``,
``wars_end_of_step``, ``exits``), ``credibility.py``, ``crises.py`` (the five
decisions of ``kernels/crises.py``), ``trajectory.py`` (initial state, the
step, the counters) and ``state.py`` (the records). A new mechanism or outcome
is one function here beside its kernel twin.

Every grid row replays the same generator seed (common random numbers in the
NumPy sense: same stream, same draw order until paths diverge).
"""

from __future__ import annotations

import numpy as np

from forecaster.engine.counters import Counters
from forecaster.scenario import Scenario

from .state import Row
from .trajectory import simulate_row

__all__ = ["simulate_reference"]


def simulate_reference(scenario: Scenario, trajectories: int, seed: int) -> Counters:
    """Counters of ``trajectories`` trajectories for every grid row of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A compiled scenario (:func:`forecaster.scenario.compile_scenario`).
    trajectories : int
        Trajectories per grid row.
    seed : int
        Seed of NumPy's generator; every row starts from it.

    Returns
    -------
    Counters
        In the kernels' layout (``kernels/layout.py``).
    """
    total = Counters.zeros(scenario)
    for g in range(scenario.n_rows):
        row = Row.draw(scenario, g, trajectories, np.random.default_rng(seed))
        simulate_row(row, total)
    total.n_trajectories[:] = trajectories
    return total

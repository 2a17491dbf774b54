"""Paired counts of the headline events of two scenarios under common random numbers.

A difference of two probabilities estimated on the *same* trajectories (same
seed, same trajectory numbers) has variance

    var(x_b - x_a) / n = [p_a (1 - p_a) + p_b (1 - p_b) - 2 (p_ab - p_a p_b)] / n,

where p_ab is the share of trajectories with the event under both scenarios.
The additive counters of a run keep p_a and p_b but not p_ab, which needs each
trajectory's indicators under both scenarios at once. Rather than keep
per-trajectory indicators of every run, :func:`paired_counts` re-simulates the
two scenarios trajectory by trajectory (one kernel call per trajectory and
scenario, in threads: the kernels release the GIL) and adds the products.

This module holds the counts and one block of them (:func:`paired_block`);
:func:`forecaster.execution.paired_counts` runs the blocks in threads, in a
bounded window, with the run lifecycle's progress, and
:func:`forecaster.compare` checks their cost against the run budget first.
Memory: one trajectory's counters per thread and the sums (a few hundred
integers per state), independent of the number of trajectories. Time: the two
scenarios simulated once more, plus the cost of one kernel call per
trajectory (``docs/results.md`` gives the measured figures). The counts of
each scenario equal those of the original runs exactly (keyed randomness), which
:func:`forecaster.compare` checks before it reports a difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.kernels import layout
from forecaster.scenario import Scenario

from .counters import simulate


@dataclass
class PairedCounts:
    """Counts over ``n`` trajectories of the headline events at the horizon.

    Each field is ``int64[3, ...]``: trajectories with the event under scenario
    a, under b, and under both. ``by_state[:, s, q]`` follows
    ``kernels.layout.BY_TIME_STATE``, ``by_alliance[:, a, q]``
    ``BY_TIME_ALLIANCE``, ``overall[:, q]`` ``BY_TIME``.
    """

    n: int
    by_state: np.ndarray
    by_alliance: np.ndarray
    overall: np.ndarray

    def __iadd__(self, other: PairedCounts) -> PairedCounts:
        self.n += other.n
        self.by_state += other.by_state
        self.by_alliance += other.by_alliance
        self.overall += other.overall
        return self

    @classmethod
    def zeros(cls, scenario: Scenario) -> PairedCounts:
        s, a = scenario.n_states, scenario.n_alliances
        return cls(
            0,
            np.zeros((3, s, len(layout.BY_TIME_STATE)), np.int64),
            np.zeros((3, a, len(layout.BY_TIME_ALLIANCE)), np.int64),
            np.zeros((3, len(layout.BY_TIME)), np.int64),
        )


def paired_block(a: Scenario, b: Scenario, seed: int, first: int, stop: int) -> PairedCounts:
    """Paired counts of trajectories ``first .. stop - 1`` (one task's share)."""
    out = PairedCounts.zeros(a)
    step = a.n_steps - 1
    for i in range(first, stop):
        ca, cb = simulate(a, i, 1, seed), simulate(b, i, 1, seed)
        for field, xa, xb in (
            (out.by_state, ca.by_time_state[0, step], cb.by_time_state[0, step]),
            (out.by_alliance, ca.by_time_alliance[0, step], cb.by_time_alliance[0, step]),
            (out.overall, ca.by_time[0, step], cb.by_time[0, step]),
        ):
            field[0] += xa
            field[1] += xb
            field[2] += xa * xb
    out.n = stop - first
    return out


def check_paired(a: Scenario, b: Scenario) -> None:
    """``ValueError`` unless ``a`` and ``b`` are one-row scenarios of the same states,
    alliances and steps."""
    for name, s in (("a", a), ("b", b)):
        if s.n_rows != 1:
            raise ValueError(f"scenario {name} has {s.n_rows} grid rows; take one row each")
    same = (a.state_names == b.state_names and a.alliance_names == b.alliance_names
            and a.n_steps == b.n_steps)  # fmt: skip
    if not same:
        raise ValueError("the two scenarios differ in states, alliances or steps: not paired")

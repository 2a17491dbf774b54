"""Additive Monte Carlo counters: what one block of trajectories contributes.

Counters of disjoint blocks add up to the counters of their union; integer
counters are exact whatever the split, so summing blocks in any order gives
bit-identical counts (floating-point moment sums agree to rounding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from forecaster.kernels import layout, simulate_block
from forecaster.scenario import Scenario


@dataclass
class Counters:
    """Counters of ``n_trajectories[g]`` trajectories of each grid row ``g``.

    The arrays' layouts are in ``kernels.layout``.

    Row ``g`` always holds trajectories ``0 .. n_trajectories[g] - 1``.
    """

    n_trajectories: np.ndarray  # int64[G]
    by_time_state: np.ndarray  # int64[G, T, S, 4]
    by_time_alliance: np.ndarray  # int64[G, T, A, 2]
    by_time: np.ndarray  # int64[G, T, 2]
    events: np.ndarray  # int64[G, S + 1, N_EVENTS, 2]: sum, sum of squares per trajectory
    event_products: np.ndarray  # int64[G, S + 1, N_RATIOS]; row S: totals over states
    moments: np.ndarray  # float64[G, T, S, 4, 2]
    histograms: np.ndarray  # int64[G, 2, HISTOGRAM_BINS]
    draws: np.ndarray  # int64[G, N_DRAWS]: random variates drawn, by kind

    ARRAYS = (
        "by_time_state",
        "by_time_alliance",
        "by_time",
        "events",
        "event_products",
        "moments",
        "histograms",
        "draws",
    )

    @staticmethod
    def nbytes_of(n_states: int, n_alliances: int, n_steps: int) -> int:
        """Bytes of the counters of one grid row (what :meth:`zeros` allocates per row)."""
        s, a, t = n_states, n_alliances, n_steps
        cells = (
            1
            + t * s * len(layout.BY_TIME_STATE)
            + t * a * len(layout.BY_TIME_ALLIANCE)
            + t * len(layout.BY_TIME)
            + (s + 1) * layout.N_EVENTS * 2
            + (s + 1) * layout.N_RATIOS
            + t * s * len(layout.MOMENTS) * 2
            + len(layout.HISTOGRAMS) * layout.HISTOGRAM_BINS
            + layout.N_DRAWS
        )
        return 8 * cells

    @classmethod
    def zeros(cls, scenario: Scenario) -> Counters:
        g, t, s, a = scenario.n_rows, scenario.n_steps, scenario.n_states, scenario.n_alliances
        return cls(
            n_trajectories=np.zeros(g, dtype=np.int64),
            by_time_state=np.zeros((g, t, s, len(layout.BY_TIME_STATE)), dtype=np.int64),
            by_time_alliance=np.zeros((g, t, a, len(layout.BY_TIME_ALLIANCE)), dtype=np.int64),
            by_time=np.zeros((g, t, len(layout.BY_TIME)), dtype=np.int64),
            events=np.zeros((g, s + 1, layout.N_EVENTS, 2), dtype=np.int64),
            event_products=np.zeros((g, s + 1, layout.N_RATIOS), dtype=np.int64),
            moments=np.zeros((g, t, s, len(layout.MOMENTS), 2)),
            histograms=np.zeros((g, len(layout.HISTOGRAMS), layout.HISTOGRAM_BINS), dtype=np.int64),
            draws=np.zeros((g, layout.N_DRAWS), dtype=np.int64),
        )

    def __iadd__(self, other: Counters) -> Counters:
        self.n_trajectories = self.n_trajectories + other.n_trajectories
        for name in self.ARRAYS:
            getattr(self, name).__iadd__(getattr(other, name))
        return self

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "n_trajectories"}

    def integer_arrays(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in self.arrays().items() if v.dtype.kind == "i"}

    def add_rows(self, rows: np.ndarray, other: Counters) -> None:
        """Add ``other`` (counters of the grid rows ``rows``) into those rows."""
        self.n_trajectories[rows] += other.n_trajectories
        for name in self.ARRAYS:
            getattr(self, name)[rows] += getattr(other, name)

    def rows(self, start: int, stop: int) -> Counters:
        """The counters of grid rows ``start:stop`` (views)."""
        return Counters(
            self.n_trajectories[start:stop], **{k: v[start:stop] for k, v in self.arrays().items()}
        )


def simulate(
    scenario: Scenario, first: int, n: int, seed: int, kernel: Callable[..., None] = simulate_block
) -> Counters:
    """Counters of trajectories ``first .. first + n - 1`` from one kernel call.

    Memory is the counters plus one trajectory's scratch state, whatever ``n``.
    ``kernel`` is ``simulate_block`` but for tests that compare another kernel of
    the same signature (the eager credibility path).
    """
    if n < 0 or first < 0:
        raise ValueError(f"first = {first}, n = {n}: both must be >= 0")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed = {seed}: must be an integer in [0, 2**64)")
    counters = Counters.zeros(scenario)
    kernel(
        np.uint64(seed), np.int64(first), np.int64(n), np.int64(scenario.n_burn_in),
        np.int64(scenario.n_steps),
        float(scenario.dt), scenario.flags,
        scenario.state_attr, scenario.region, scenario.is_adversary,
        scenario.alliance_attr, scenario.member, scenario.leader,
        scenario.interest, scenario.target_weight,
        scenario.dist_code, scenario.dist_param,
        counters.by_time_state, counters.by_time_alliance, counters.by_time,
        counters.events, counters.event_products, counters.moments, counters.histograms,
        counters.draws,
    )  # fmt: skip
    counters.n_trajectories[:] = n
    return counters

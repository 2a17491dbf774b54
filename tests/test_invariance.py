"""Counts do not depend on how trajectories are split, ordered or replayed."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.engine import Counters, simulate
from forecaster.scenario import compile_scenario
from forecaster.testing import consensus_alliance, simulate_in_order

N = 60
SEED = 99


@pytest.fixture(scope="module")
def scenario():
    return compile_scenario(consensus_alliance())


def assert_same(a: Counters, b: Counters) -> None:
    np.testing.assert_array_equal(a.n_trajectories, b.n_trajectories)
    for name, values in a.integer_arrays().items():
        np.testing.assert_array_equal(values, getattr(b, name), err_msg=name)
    np.testing.assert_allclose(a.moments, b.moments, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("block_size", [1, 7, 1000])
def test_counts_do_not_depend_on_block_size(scenario, block_size):
    reference = simulate(scenario, 0, N, SEED)
    assert reference.events[..., 0].sum() > 0  # the scenario has crises to count
    assert_same(simulate_in_order(scenario, N, SEED, block_size), reference)


def test_counts_do_not_depend_on_block_order(scenario):
    forward = simulate_in_order(scenario, N, SEED, 7)
    backward = Counters.zeros(scenario)
    for first in reversed(range(0, N, 7)):
        backward += simulate(scenario, first, min(7, N - first), SEED)
    assert_same(backward, forward)


def test_a_trajectory_replayed_alone_gives_the_events_it_had_in_a_block(scenario):
    block = simulate(scenario, 10, 20, SEED)
    replays = Counters.zeros(scenario)
    for t in range(10, 30):
        replays += simulate(scenario, t, 1, SEED)
    assert_same(replays, block)
    # and a trajectory's own events are reproducible on their own
    assert_same(simulate(scenario, 17, 1, SEED), simulate(scenario, 17, 1, SEED))


def test_seed_changes_the_draws(scenario):
    a = simulate(scenario, 0, N, SEED)
    b = simulate(scenario, 0, N, SEED + 1)
    assert not np.array_equal(a.by_time_state, b.by_time_state)


def test_grid_rows_share_common_random_numbers():
    spec = consensus_alliance()
    key = "portfolio.alliances.league.explicitness"
    grid = compile_scenario(spec, grid={key: [0.2, 0.7, 0.2]})
    counts = simulate(grid, 0, N, SEED)
    # identical rows give identical counts: every row replays the same draws
    for name, values in counts.integer_arrays().items():
        np.testing.assert_array_equal(values[0], values[2], err_msg=name)
    # a grid row equals the single run with that value
    spec["portfolio"]["alliances"]["league"]["explicitness"] = 0.7
    single = simulate(compile_scenario(spec), 0, N, SEED)
    assert_same(counts.rows(1, 2), single)


def test_memory_does_not_grow_with_trajectories(scenario):
    import tracemalloc

    simulate(scenario, 0, 1, SEED)  # compile outside the measurement

    def peak(n):
        tracemalloc.start()
        simulate(scenario, 0, n, SEED)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(10), peak(3000)
    assert large <= small + 4096, (small, large)


def test_a_plan_of_a_trillion_tasks_is_generated_lazily():
    from forecaster.execution import count_tasks, iter_plan, plan

    done, goal = np.zeros(1, dtype=np.int64), np.full(1, 10**12, dtype=np.int64)
    assert count_tasks(done, goal, 1) == 10**12
    tasks = iter_plan(done, goal, 1, start_index=5)
    first, second = next(tasks), next(tasks)
    assert (first.index, first.first, first.n) == (5, 0, 1)
    assert (second.index, second.first, second.n) == (6, 1, 1)
    done, goal = np.array([0, 0, 3, 9]), np.array([10, 10, 25, 9])
    for block in (1, 4, 7, 20, 1000):
        listed = plan(done, goal, block)
        assert listed == list(iter_plan(done, goal, block))
        assert len(listed) == count_tasks(done, goal, block)

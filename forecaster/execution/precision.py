"""Precision: the largest headline standard error, and the trajectories a target needs."""

from __future__ import annotations

import numpy as np

from forecaster.engine import Counters
from forecaster.kernels import layout as L


def headline_se(counters: Counters, is_adversary: np.ndarray) -> np.ndarray:
    """Per grid row, the largest standard error among the headline probabilities at the horizon.

    Headline: P(war), P(entrapment), P(abandonment) of every non-adversary state;
    P(intact) and P(member at war) of every alliance; P(any war).
    """
    n = counters.n_trajectories.astype(float)
    friendly = ~is_adversary.astype(bool)
    end = [
        counters.by_time_state[:, -1][:, friendly][
            ..., [L.BT_WAR, L.BT_ENTRAPMENT, L.BT_ABANDONMENT]
        ],
        counters.by_time_alliance[:, -1],
        counters.by_time[:, -1, [L.BG_ANY_WAR]],
    ]
    worst = np.zeros(len(n))
    for counts in end:
        flat = counts.reshape(len(n), -1).astype(float)
        if flat.shape[1] == 0:
            continue
        p = flat / n[:, None]
        worst = np.maximum(worst, np.sqrt(p * (1 - p) / n[:, None]).max(axis=1))
    return worst


def next_goal(
    counters: Counters, se: np.ndarray, target_se: float, cap: int | None, block_size: int
) -> np.ndarray:
    """Trajectories each row needs for its largest error to reach ``target_se``.

    A binomial error falls as 1/sqrt(n): n_needed = n (se / target)², plus 10%,
    at least one more block; rows at their target, or at the cap, stay put.
    """
    n = counters.n_trajectories
    need = np.ceil(n * (se / target_se) ** 2 * 1.1).astype(np.int64)
    need = np.maximum(need, n + min(block_size, max(1, n.min())))
    goal = np.where(se > target_se, need, n)
    if cap is not None:
        goal = np.minimum(goal, cap)
    return np.maximum(goal, n)

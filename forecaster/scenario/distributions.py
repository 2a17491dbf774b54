"""What a distribution's draws can be: its support (the schema's range checks) and its mean.

Distributions are validated and encoded as ``(code, (p0, p1, p2))`` by the
schema (:mod:`.models`); the codes are ``samplers.FAMILIES``'.
"""

from __future__ import annotations

import math

from forecaster.kernels.samplers import FAMILIES


def support(code: int, params: tuple[float, float, float]) -> tuple[float, float]:
    """The interval a distribution's draws can fall in."""
    p0, p1, p2 = params
    if code == FAMILIES["fixed"][0]:
        return p0, p0
    if code == FAMILIES["uniform"][0]:
        return p0, p1
    if code == FAMILIES["normal"][0]:
        return -math.inf, math.inf
    if code == FAMILIES["lognormal"][0] or code == FAMILIES["gamma"][0]:
        return 0.0, math.inf
    if code == FAMILIES["beta"][0]:
        return 0.0, 1.0
    if code == FAMILIES["triangular"][0]:
        return p0, p2
    raise ValueError(f"unknown distribution code {code}")


def mean(code: int, params: tuple[float, float, float]) -> float:
    """The distribution's mean (for summaries and docs)."""
    p0, p1, p2 = params
    if code == FAMILIES["fixed"][0]:
        return p0
    if code == FAMILIES["uniform"][0]:
        return 0.5 * (p0 + p1)
    if code == FAMILIES["normal"][0]:
        return p0
    if code == FAMILIES["lognormal"][0]:
        return p0 * math.exp(0.5 * p1 * p1)
    if code == FAMILIES["beta"][0]:
        return p0 / (p0 + p1)
    if code == FAMILIES["gamma"][0]:
        return p0 * p1
    if code == FAMILIES["triangular"][0]:
        return (p0 + p1 + p2) / 3.0
    raise ValueError(f"unknown distribution code {code}")

"""Parse ``number | {dist: family, ...}`` config values into kernel encodings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeGuard

from forecaster.errors import Problems
from forecaster.kernels.samplers import FAMILIES

#: parameter constraints per family: name -> (test, description)
_CONSTRAINTS = {
    "sd": (lambda v: v > 0, "must be > 0"),
    "sigma": (lambda v: v > 0, "must be > 0"),
    "median": (lambda v: v > 0, "must be > 0"),
    "a": (lambda v: v > 0, "must be > 0"),
    "b": (lambda v: v > 0, "must be > 0"),
    "shape": (lambda v: v > 0, "must be > 0"),
    "scale": (lambda v: v > 0, "must be > 0"),
}


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse(key: str, value: object, problems: Problems) -> tuple[int, tuple[float, float, float]]:
    """Encode a number or distribution mapping as ``(code, (p0, p1, p2))``.

    Problems are recorded (not raised); a bad value returns a fixed 0.
    """
    if _is_number(value):
        return FAMILIES["fixed"][0], (float(value), 0.0, 0.0)
    if not isinstance(value, Mapping):
        problems.add(key, value, "must be a number or a distribution {dist: family, ...}")
        return 0, (0.0, 0.0, 0.0)
    family = value.get("dist")
    if family not in FAMILIES:
        problems.add(f"{key}.dist", family, f"must be one of {', '.join(FAMILIES)}")
        return 0, (0.0, 0.0, 0.0)
    code, names = FAMILIES[family]
    ok = True
    for extra in sorted(set(value) - set(names) - {"dist"}):
        problems.add(
            f"{key}.{extra}",
            value[extra],
            f"is not a parameter of {family} (parameters: {', '.join(names)})",
        )
        ok = False
    params = []
    for name in names:
        if name not in value:
            problems.add(f"{key}.{name}", None, f"missing: {family} needs {', '.join(names)}")
            ok = False
            params.append(0.0)
            continue
        v = value[name]
        if not _is_number(v):
            problems.add(f"{key}.{name}", v, "must be a finite number")
            ok = False
            params.append(0.0)
            continue
        test = _CONSTRAINTS.get(name)
        if test and not test[0](v):
            problems.add(f"{key}.{name}", v, test[1])
            ok = False
        params.append(float(v))
    if ok and family == "uniform" and not params[0] < params[1]:
        problems.add(key, dict(value), "uniform needs low < high")
        ok = False
    if (
        ok
        and family == "triangular"
        and not (params[0] <= params[1] <= params[2] and params[0] < params[2])
    ):
        problems.add(key, dict(value), "triangular needs low <= mode <= high and low < high")
        ok = False
    while len(params) < 3:
        params.append(0.0)
    return (code if ok else 0), (params[0], params[1], params[2])


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

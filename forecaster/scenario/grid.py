"""The sweep grid of a run: which config paths may vary within it, and its rows.

A *grid* maps dotted config paths (``portfolio.alliances.nato.explicitness``,
``threat.resolve.median``) to lists of values; its outer product gives the grid
rows. *Points* give the rows one by one instead (every point sets the same
keys), along a ``sample`` dimension: the design of a sensitivity analysis.

:func:`grid_problems` says what is wrong with a grid in the house words
(``sweep.KEY = VALUES: what is allowed``), as plain lines, so that
:func:`~forecaster.scenario.compile_scenario` reports them together with the
specification's own problems.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from omegaconf import ListConfig

from forecaster.errors import ConfigError, Problems
from forecaster.kernels.samplers import FAMILIES

#: top-level groups fixed within a run (a multirun varies them)
FIXED_GROUPS = ("run", "mechanisms", "output", "cluster", "sweep")


def plain(node: Any) -> Any:
    """Plain dicts and lists of ``node`` (mappings, sequences and OmegaConf containers)."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple | ListConfig):
        return [plain(v) for v in node]
    return node


def get_path(spec: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path; ``KeyError`` naming the first missing part."""
    node: Any = spec
    done: list[str] = []
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            where = ".".join(done) or "the configuration"
            options = sorted(node) if isinstance(node, Mapping) else []
            hint = f" (keys there: {', '.join(map(str, options))})" if options else ""
            raise KeyError(f"'{part}' is not a key of {where}{hint}")
        node = node[part]
        done.append(part)
    return node


def with_value(spec: Mapping[str, Any], path: str, value: float) -> dict[str, Any]:
    """``spec`` with ``path`` set to ``value``: the mappings along the path copied."""
    parts = path.split(".")
    root = dict(spec)
    node = root
    for part in parts[:-1]:
        node[part] = dict(node[part])
        node = node[part]
    node[parts[-1]] = value
    return root


def check_grid_key(spec: Mapping[str, Any], path: str) -> str | None:
    """Why ``path`` cannot be swept in-run, or ``None`` when it can."""
    if path.split(".")[0] in FIXED_GROUPS:
        return "run settings and mechanism switches are fixed within a run; use a multirun (-m)"
    try:
        value = get_path(spec, path)
    except KeyError as err:
        return f"unknown path: {err.args[0]}"
    if isinstance(value, Mapping) and "dist" in value:
        family = value["dist"]
        names = FAMILIES.get(family, (0, ()))[1]
        options = ", ".join(f"{path}.{n}" for n in names)
        return f"is a {family} distribution; sweep one of its parameters ({options})"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"is not numeric (found {value!r}); only numeric leaves can be swept"
    return None


def grid_problems(spec: Mapping[str, Any], grid: Mapping[str, Any]) -> list[str]:
    """Every problem of ``grid`` over the plain specification ``spec``, one line each.

    Each line names the swept key (``sweep.threat.scale``), the values given
    for it and what is allowed.
    """
    problems = Problems()
    for key, values in grid.items():
        why = check_grid_key(spec, key)
        if why:
            problems.add(f"sweep.{key}", values, why)
        elif isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            problems.add(f"sweep.{key}", values, "must be a non-empty list of numbers")
        else:
            for v in values:
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    problems.add(f"sweep.{key}", v, "values must be finite numbers")
    return problems.items


def grid_of_points(points: Sequence[Mapping[str, float]]) -> dict[str, list[float]]:
    """The grid of a design given point by point: each key's values, in the points' order.

    Raises
    ------
    ConfigError
        When there are no points or the points do not all set the same keys.
    """
    if not points:
        raise ConfigError(["points = []: at least one point is needed"])
    point_keys = tuple(points[0])
    for i, point in enumerate(points):
        if tuple(point) != point_keys:
            message = (
                f"points[{i}] sets {sorted(point)}: every point must set "
                f"the same keys as the first ({sorted(point_keys)})"
            )
            raise ConfigError([message])
    return {k: [float(p[k]) for p in points] for k in point_keys}


def grid_rows(
    grid: Mapping[str, Sequence[float]], points: bool
) -> tuple[tuple[str, ...], tuple[tuple[float, ...], ...], Iterable[tuple[float, ...]]]:
    """The keys, each key's values and the rows of a checked grid.

    The rows are the values' outer product, or, for ``points``, the values
    taken together, one row per point.
    """
    keys = tuple(grid)
    values = tuple(tuple(float(v) for v in grid[k]) for k in keys)
    rows: Iterable[tuple[float, ...]] = (
        list(zip(*values, strict=True)) if points else itertools.product(*values)
    )
    return keys, values, rows

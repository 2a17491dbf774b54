"""Figures of scenario discovery and robust design, drawn from their saved datasets.

``peeling_chart`` (PRIM's coverage against density), ``box_limits_chart`` (a
chosen box's limits within the design's ranges, with the quasi-p-values of its
restrictions) and ``pareto_chart`` (mean outcome against cost, the front
joined). Each draws on a new figure unless given ``ax`` and returns
``(figure, axes)``; plots need the ``analysis`` extra.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import xarray as xr

from forecaster.results import key_label, outcome_label

from .plotting import _pyplot


def _what(attrs: dict[str, Any]) -> str:
    where = re.sub(r"[{}']", "", str(attrs.get("select", "")))
    return outcome_label(str(attrs["outcome"])) + (f" ({where})" if where else "")


def peeling_chart(found: xr.Dataset, box: int = 0, ax: Any = None) -> tuple[Any, Any]:
    """PRIM's peeling trajectory of ``box``: coverage against density, coloured by
    the number of restricted dimensions; the chosen step is ringed and labelled."""
    plt = _pyplot()
    fig, ax = (
        plt.subplots(figsize=(6.5, 4.8), constrained_layout=True) if ax is None else (ax.figure, ax)
    )
    b = found.sel(box=box)
    steps = np.isfinite(b.coverage.values)
    coverage, density = b.coverage.values[steps], b.density.values[steps]
    restricted = b.restricted.values[steps]
    most = int(np.nanmax(restricted))
    colours = plt.get_cmap("viridis", most + 1)
    points = ax.scatter(
        coverage, density, c=restricted, cmap=colours, vmin=-0.5, vmax=most + 0.5, s=22, zorder=2
    )
    ax.plot(coverage, density, color="grey", linewidth=0.6, zorder=1)
    chosen = int(b.chosen)
    ax.scatter(
        [coverage[chosen]],
        [density[chosen]],
        s=150,
        facecolors="none",
        edgecolors="red",
        linewidths=1.5,
        zorder=3,
        label=f"chosen box (step {chosen})",
    )
    ax.annotate(
        f"coverage {coverage[chosen]:.2f}\ndensity {density[chosen]:.2f}",
        (coverage[chosen], density[chosen]),
        xytext=(10, -28),
        textcoords="offset points",
        fontsize=8,
        color="red",
    )
    bar = fig.colorbar(points, ax=ax, ticks=range(most + 1))
    bar.set_label("restricted dimensions")
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's points of interest)")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(
        f"PRIM peeling trajectory, box {box}: {_what(found.attrs)} "
        f"{found.attrs['threshold']}\n{found.attrs['cases_of_interest']} of "
        f"{found.attrs['design_points']} design points of interest",
        fontsize=10,
    )
    return fig, ax


def box_limits_chart(found: xr.Dataset, box: int = 0, ax: Any = None) -> tuple[Any, Any]:
    """The chosen box's limits on each uncertainty, scaled to its design range.

    Restricted uncertainties are drawn in colour with their limits and quasi-p-values
    written beside them; unrestricted ones are pale full bars.
    """
    plt = _pyplot()
    names = [str(n) for n in found.uncertainty.values]
    fig, ax = (
        plt.subplots(figsize=(7.5, 1.4 + 0.6 * len(names)), constrained_layout=True)
        if ax is None
        else (ax.figure, ax)
    )
    b = found.sel(box=box)
    span = (found.high - found.low).values
    lo = ((b.box_low - found.low) / span).values
    hi = ((b.box_high - found.low) / span).values
    for i in range(len(names)):
        qps = [float(v) for v in (b.qp_low[i], b.qp_high[i]) if np.isfinite(v)]
        ax.barh(i, hi[i] - lo[i], left=lo[i], height=0.5, color="C0" if qps else "lightgrey")
        if qps:
            text = (
                f"{float(b.box_low[i]):.3g} – {float(b.box_high[i]):.3g}   "
                f"qp {' / '.join(f'{q:.1g}' for q in qps)}"
            )
            ax.text(1.02, i, text, va="center", fontsize=8)
    ax.set_yticks(range(len(names)), [key_label(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.6)
    ax.set_xticks([0, 0.5, 1], ["low", "middle", "high"])
    ax.set_xlabel("position within the design range")
    step = int(b.chosen)
    ax.set_title(
        f"PRIM box {box}: {_what(found.attrs)} {found.attrs['threshold']}\n"
        f"coverage {float(b.coverage[step]):.2f}, density {float(b.density[step]):.2f}; "
        "grey: unrestricted; qp: quasi-p-values",
        fontsize=10,
    )
    return fig, ax


def pareto_chart(designs: xr.Dataset, objective: int = 0, ax: Any = None) -> tuple[Any, Any]:
    """Every design's mean outcome against its cost; the Pareto front joined and labelled."""
    plt = _pyplot()
    fig, ax = (
        plt.subplots(figsize=(7.5, 5), constrained_layout=True) if ax is None else (ax.figure, ax)
    )
    cost = designs.cost.values
    mean = designs["mean"].values[:, objective]
    front = designs.pareto.values
    ax.scatter(cost[~front], mean[~front], color="grey", s=18, label="dominated design")
    order = np.argsort(cost[front])
    ax.plot(cost[front][order], mean[front][order], "o-", color="C3", label="Pareto front")
    short = [str(k).split(".")[-1] for k in designs.lever.values]
    for d in np.flatnonzero(front):
        label = ", ".join(
            f"{k} {v}" for k, v in zip(short, designs.lever_value.values[d], strict=True)
        )
        ax.annotate(
            label, (cost[d], mean[d]), xytext=(6, 4), textcoords="offset points", fontsize=7
        )
    name = str(designs.objective.values[objective])
    outcome, _, where = name.partition("[")
    ax.set_xlabel("cost: extra defence spending the pledges imply (USD bn a year)")
    ax.set_ylabel(
        f"{outcome_label(outcome)} {('[' + where) if where else ''}, mean over the futures"
    )
    ax.legend(fontsize=8)
    ax.set_title(
        f"Designs against cost: {designs.sizes['design']} designs × "
        f"{designs.attrs['futures']} futures × "
        f"{designs.attrs['trajectories_per_point']:,} trajectories",
        fontsize=10,
    )
    return fig, ax

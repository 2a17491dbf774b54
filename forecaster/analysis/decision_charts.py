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


def pareto_chart(
    designs: xr.Dataset, objective: int = 0, x: str | int = "cost", ax: Any = None
) -> tuple[Any, Any]:
    """Every design's mean outcome against its cost, or against another objective.

    The Pareto front (over every objective and cost) is drawn in red and
    labelled with its levers; against cost with a single objective it is also
    joined. Against another objective (``x`` its index) the colour is the cost.
    """
    plt = _pyplot()
    fig, ax = (
        plt.subplots(figsize=(7.5, 5), constrained_layout=True) if ax is None else (ax.figure, ax)
    )
    cost = designs.cost.values
    mean = designs["mean"].values[:, objective]
    front = designs.pareto.values
    against_cost = x == "cost"
    along = cost if against_cost else designs["mean"].values[:, int(x)]
    if against_cost:
        ax.scatter(along[~front], mean[~front], color="grey", s=18, label="dominated design")
    else:
        points = ax.scatter(along, mean, c=cost, cmap="viridis", s=30, label="design")
        fig.colorbar(points, ax=ax).set_label("cost (USD bn a year)")
    joined = against_cost and designs.sizes["objective"] == 1
    order = np.argsort(along[front])
    ax.plot(along[front][order], mean[front][order], "o-" if joined else "o", color="C3",
            mfc="none" if not against_cost else "C3", ms=9 if not against_cost else 6,
            label="Pareto front")  # fmt: skip
    short = [str(k).split(".")[-1] for k in designs.lever.values]
    for n, d in enumerate(np.flatnonzero(front)[np.argsort(along[front])]):
        label = ", ".join(str(v) for v in designs.lever_value.values[d])
        ax.annotate(label, (along[d], mean[d]), xytext=(-8 if n % 2 else 8, 0),
                    textcoords="offset points", fontsize=8, va="center",
                    ha="right" if n % 2 else "left")  # fmt: skip
    ax.margins(x=0.12, y=0.08)
    ax.text(0.01, 0.01, f"labels: {', '.join(short)}", transform=ax.transAxes, fontsize=7,
            color="C3")  # fmt: skip
    ax.set_xlabel(
        "cost: extra defence spending the pledges imply (USD bn a year)"
        if against_cost
        else f"{_objective_label(designs, int(x))}, mean over the futures"
    )
    ax.set_ylabel(f"{_objective_label(designs, objective)}, mean over the futures")
    ax.legend(fontsize=8)
    ax.set_title(
        f"{designs.sizes['design']} designs × {designs.attrs['futures']} futures × "
        f"{designs.attrs['trajectories_per_point']:,} trajectories\nPareto front over "
        f"{designs.sizes['objective']} mean outcome{'s' if designs.sizes['objective'] > 1 else ''}"
        " and cost",
        fontsize=10,
    )
    return fig, ax


def _objective_label(designs: xr.Dataset, j: int) -> str:
    name = str(designs.objective.values[j])
    outcome, _, where = name.partition("[")
    return outcome_label(outcome) + (f" [{where}" if where else "")

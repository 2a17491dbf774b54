"""Scenario discovery: where in the space of uncertainties does an outcome pass a threshold?

The uncertainties (``{dotted.path: (low, high)}``, any numeric config leaves, as
for :mod:`~forecaster.analysis.sensitivity`) are sampled by a Latin hypercube or a
scrambled Sobol sequence (SciPy's ``qmc``); every design point runs in one grid
run under common random numbers. The design points whose outcome passes the
threshold are the *cases of interest*; PRIM (the EMA Workbench's implementation,
Friedman & Fisher 1999; Bryant & Lempert 2010) peels boxes around them, giving the
peeling trajectory (coverage against density), and CART (scikit-learn's tree,
through the workbench) splits the space as a second method.

From Python, on a composed config::

    cfg = forecaster.compose(["portfolio=nato", "run.trajectories=2000"])
    found = forecaster.analysis.discovery.discover(
        cfg, {"threat.scale": (0.5, 2.0), "threat.opportunity_rate": (0.05, 0.3)},
        outcome="p_war", select={"state": "EST"}, above=0.1, n_points=128,
    )

or on any results dataset with a ``sample`` dimension (``forecaster.run(cfg,
points=...)``): ``find_scenarios(ds, "p_war", {"state": "EST"}, above=0.1)``.
From the command line: ``forecast-discover`` (``forecast-discover --help``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from omegaconf import DictConfig, OmegaConf

from forecaster.api import run
from forecaster.config import to_spec
from forecaster.errors import ConfigError
from forecaster.results import config_keys

from .sensitivity import check_before_running, outcome_values

#: the designs of the uncertainties: SciPy's quasi-Monte Carlo engines
DESIGNS = ("lhs", "sobol")


def design_problems(
    uncertainties: Mapping[str, tuple[float, float]], n_points: int, method: str
) -> list[str]:
    """Every problem of a design of the uncertainties, one line each."""
    problems = []
    if not uncertainties:
        problems.append("uncertainties = {}: give at least one PATH=LOW:HIGH to vary")
    for name, bounds in uncertainties.items():
        if len(bounds) != 2 or not float(bounds[0]) < float(bounds[1]):
            problems.append(f"uncertainty {name} = {bounds!r}: needs LOW:HIGH with LOW < HIGH")
    if method not in DESIGNS:
        problems.append(f"design = {method!r}: must be one of {', '.join(DESIGNS)}")
    if n_points < 2:
        problems.append(f"n_points = {n_points}: must be at least 2")
    elif method == "sobol" and n_points & (n_points - 1):
        problems.append(f"n_points = {n_points}: a Sobol design needs a power of two")
    return problems


def design_points(
    uncertainties: Mapping[str, tuple[float, float]],
    n_points: int,
    method: str = "lhs",
    seed: int = 0,
) -> list[dict[str, float]]:
    """``n_points`` design points over the uncertainties' ranges.

    ``method`` is ``"lhs"`` (a Latin hypercube: each range cut into ``n_points``
    strata, one point in each) or ``"sobol"`` (a scrambled Sobol sequence; a power
    of two of points). Both are SciPy's (``scipy.stats.qmc``), seeded by ``seed``.

    Examples
    --------
    >>> points = design_points({"threat.scale": (0.5, 2.0)}, 4, seed=1)
    >>> sorted(int((p["threat.scale"] - 0.5) / 0.375) for p in points)
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    problems = design_problems(uncertainties, n_points, method)
    if problems:
        raise ConfigError(problems)
    names = list(uncertainties)
    engine = (qmc.LatinHypercube if method == "lhs" else qmc.Sobol)(d=len(names), seed=seed)
    unit = engine.random(n_points)
    low = [float(uncertainties[n][0]) for n in names]
    high = [float(uncertainties[n][1]) for n in names]
    sample = qmc.scale(unit, low, high)
    return [dict(zip(names, map(float, row), strict=True)) for row in sample]


def threshold_problems(
    above: float | None,
    below: float | None,
    density: float,
    mass_min: float,
    peel_alpha: float,
    n_boxes: int,
) -> list[str]:
    """Every problem of the threshold and PRIM's settings, one line each."""
    problems = []
    if (above is None) == (below is None):
        problems.append(f"above = {above}, below = {below}: give exactly one threshold")
    for name, value in (("above", above), ("below", below)):
        if value is not None and not np.isfinite(value):
            problems.append(f"{name} = {value}: must be a finite number")
    if not 0 < density <= 1:
        problems.append(f"density = {density}: the least density of a box, in (0, 1]")
    if not 0 < mass_min < 1:
        problems.append(f"mass_min = {mass_min}: the least share of points in a box, in (0, 1)")
    if not 0 < peel_alpha < 0.5:
        problems.append(f"peel_alpha = {peel_alpha}: the share peeled per step, in (0, 0.5)")
    if n_boxes < 1:
        problems.append(f"n_boxes = {n_boxes}: must be at least 1")
    return problems


def discover(
    cfg: DictConfig,
    uncertainties: Mapping[str, tuple[float, float]],
    outcome: str,
    select: Mapping[str, Any] | None = None,
    *,
    above: float | None = None,
    below: float | None = None,
    n_points: int = 256,
    method: str = "lhs",
    density: float = 0.8,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    n_boxes: int = 1,
    progress: bool = False,
    announce: Callable[[str], None] | None = None,
) -> xr.Dataset:
    """Design the uncertainties, run every point, and find where ``outcome`` passes a threshold.

    Parameters
    ----------
    cfg : a composed config; its ``run`` settings apply to every design point.
    uncertainties : ``{dotted.path: (low, high)}``, numeric config leaves.
    outcome : a results variable, e.g. ``"p_war"``, at the horizon.
    select : one value of every other dimension of ``outcome``, e.g. ``{"state": "EST"}``.
    above, below : the threshold (give one): the cases of interest are the points
        whose outcome is above (below) it.
    n_points : design points; ``method`` ``"lhs"`` or ``"sobol"`` (a power of two).
    density, mass_min, peel_alpha, n_boxes : PRIM's settings (see :func:`find_scenarios`).
    progress : show a progress bar while simulating.
    announce : called with the size of the run once everything is checked, before
        it starts (the command prints it).

    Returns
    -------
    xarray.Dataset
        As :func:`find_scenarios`, with the run's settings and wall time in its attributes.

    Raises
    ------
    ConfigError
        Every problem of the arguments and the config, before anything runs.
    """
    problems = design_problems(uncertainties, n_points, method)
    problems += threshold_problems(above, below, density, mass_min, peel_alpha, n_boxes)
    if problems:
        raise ConfigError(problems)
    points = design_points(uncertainties, n_points, method, seed=int(cfg.run.seed))
    check_before_running(cfg, points, outcome, select)
    if announce is not None:
        announce(
            f"{n_points} design points x {int(cfg.run.trajectories)} trajectories = "
            f"{n_points * int(cfg.run.trajectories):,} trajectory runs of "
            f"{cfg.portfolio.name}"
        )
    results = run(cfg, progress=progress, points=points)
    found = find_scenarios(
        results,
        outcome,
        select,
        above=above,
        below=below,
        density=density,
        mass_min=mass_min,
        peel_alpha=peel_alpha,
        n_boxes=n_boxes,
    )
    found.attrs.update(
        uncertainties=repr({k: tuple(map(float, v)) for k, v in uncertainties.items()}),
        design=method,
        trajectories_per_point=int(cfg.run.trajectories),
        seed=int(cfg.run.seed),
        wall_time_s=float(results.attrs["wall_time_s"]),
        config=OmegaConf.to_yaml(OmegaConf.create(to_spec(cfg))),
    )
    return found


def find_scenarios(
    ds: xr.Dataset,
    outcome: str,
    select: Mapping[str, Any] | None = None,
    *,
    above: float | None = None,
    below: float | None = None,
    density: float = 0.8,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    n_boxes: int = 1,
) -> xr.Dataset:
    """PRIM boxes and CART leaves where ``outcome`` passes a threshold, on a design's results.

    Parameters
    ----------
    ds : results with a ``sample`` dimension (``forecaster.run(cfg, points=...)``).
    outcome, select : the outcome at the horizon, one value per design point.
    above, below : the threshold (give one).
    density : the least density (share of cases of interest) of a chosen box; of
        each box's peeling trajectory the step with the largest coverage among
        those this dense is chosen (the densest step if none is).
    mass_min : PRIM stops peeling at boxes holding this share of the points; it is
        also CART's least leaf size.
    peel_alpha : the share of the points PRIM peels off in each step.
    n_boxes : boxes to find, each among the points the earlier ones left.

    Returns
    -------
    xarray.Dataset
        ``design`` (sample, uncertainty), ``outcome``, ``of_interest`` (sample);
        ``coverage``, ``density``, ``mass``, ``restricted`` along each box's peeling
        trajectory (box, step); the chosen ``step`` and the chosen box's limits
        ``box_low``/``box_high`` with the quasi-p-values of its restrictions
        ``qp_low``/``qp_high`` (box, uncertainty; NaN where unrestricted); CART's
        leaves ``cart_low``/``cart_high`` with their ``cart_coverage``,
        ``cart_density`` and ``cart_mass`` (leaf).
    """
    problems = threshold_problems(above, below, density, mass_min, peel_alpha, n_boxes)
    if "sample" not in ds.dims:
        problems.append(
            "dataset: has no sample dimension (run design points: run(cfg, points=...))"
        )
    if problems:
        raise ConfigError(problems)
    y = outcome_values(ds, outcome, select)
    keys = {key: name for key, name in config_keys(ds).items() if ds[name].dims == ("sample",)}
    x = pd.DataFrame({key: ds[name].values.astype(float) for key, name in keys.items()})
    values = y.values.astype(float)
    interest = values > above if above is not None else values < float(below)  # type: ignore[arg-type]
    side = f"above {above:g}" if above is not None else f"below {below:g}"
    if interest.all() or not interest.any():
        raise ConfigError(
            [
                f"{'above' if above is not None else 'below'} = "
                f"{above if above is not None else below}: "
                f"{'every' if interest.all() else 'no'} design point has {outcome} "
                f"{side} (it ranges {values.min():.3g} to {values.max():.3g}); "
                "choose a threshold inside that range"
            ]
        )
    boxes = _prim(x, interest, density, mass_min, peel_alpha, n_boxes)
    leaves = _cart(x, interest, mass_min)
    prim = (
        f"EMA Workbench PRIM, min density {density:g}, mass_min {mass_min:g}, "
        f"peel_alpha {peel_alpha:g}"
    )
    cart = f"EMA Workbench CART (scikit-learn tree), min leaf mass {mass_min:g}"
    found = _found_dataset(ds, outcome, side, x, values, interest, boxes, leaves)
    found.attrs.update(
        {
            "outcome": outcome,
            "select": repr(dict(select or {})),
            "threshold": side,
            "design_points": int(ds.sizes["sample"]),
            "cases_of_interest": int(interest.sum()),
            "prim": prim,
            "cart": cart,
        }
    )
    return found


def _found_dataset(
    ds: xr.Dataset,
    outcome: str,
    side: str,
    x: pd.DataFrame,
    values: np.ndarray,
    interest: np.ndarray,
    boxes: list[dict[str, Any]],
    leaves: list[dict[str, Any]],
) -> xr.Dataset:
    """The design, the outcome, PRIM's boxes and CART's leaves as one dataset (no attributes)."""
    names = list(x.columns)
    n_steps = max(len(b["trajectory"]) for b in boxes)

    def along_steps(column: str) -> np.ndarray:
        out = np.full((len(boxes), n_steps), np.nan)
        for i, b in enumerate(boxes):
            out[i, : len(b["trajectory"])] = b["trajectory"][column].to_numpy(float)
        return out

    def per_box(field: str) -> np.ndarray:
        return np.array([[b[field][n] for n in names] for b in boxes], dtype=float)

    return xr.Dataset(
        {
            "design": (("sample", "uncertainty"), x.to_numpy()),
            "outcome": ("sample", values, dict(ds[outcome].attrs)),
            "of_interest": ("sample", interest, {"long_name": f"{outcome} {side}"}),
            "low": ("uncertainty", x.min().to_numpy(), {"long_name": "least design value"}),
            "high": ("uncertainty", x.max().to_numpy(), {"long_name": "largest design value"}),
            "coverage": (
                ("box", "step"),
                along_steps("coverage"),
                {"long_name": "share of the cases of interest inside the box"},
            ),
            "density": (
                ("box", "step"),
                along_steps("density"),
                {"long_name": "share of the points inside the box that are of interest"},
            ),
            "mass": (
                ("box", "step"),
                along_steps("mass"),
                {"long_name": "share of all points inside the box"},
            ),
            "restricted": (
                ("box", "step"),
                along_steps("res_dim"),
                {"long_name": "restricted dimensions"},
            ),
            "chosen": ("box", [b["chosen"] for b in boxes], {"long_name": "chosen step"}),
            "box_low": (("box", "uncertainty"), per_box("low")),
            "box_high": (("box", "uncertainty"), per_box("high")),
            "qp_low": (
                ("box", "uncertainty"),
                per_box("qp_low"),
                {"long_name": "quasi-p-value of the lower limit (NaN: not restricted)"},
            ),
            "qp_high": (
                ("box", "uncertainty"),
                per_box("qp_high"),
                {"long_name": "quasi-p-value of the upper limit (NaN: not restricted)"},
            ),
            "cart_low": (("leaf", "uncertainty"), [[lf["low"][n] for n in names] for lf in leaves]),
            "cart_high": (
                ("leaf", "uncertainty"),
                [[lf["high"][n] for n in names] for lf in leaves],
            ),
            "cart_coverage": ("leaf", [lf["coverage"] for lf in leaves]),
            "cart_density": ("leaf", [lf["density"] for lf in leaves]),
            "cart_mass": ("leaf", [lf["mass"] for lf in leaves]),
        },
        coords={
            "uncertainty": names,
            "sample": ds.sample.values,
            "box": np.arange(len(boxes)),
            "step": np.arange(n_steps),
            "leaf": np.arange(len(leaves)),
        },
    )


def _workbench(module: str) -> Any:
    """``ema_workbench.analysis.<module>``, without the workbench's notices of the
    optional parallel back-ends it finds missing (ipyparallel, MPI)."""
    import importlib

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not installed", category=UserWarning)
        return importlib.import_module(f"ema_workbench.analysis.{module}")


def _prim(
    x: pd.DataFrame,
    interest: np.ndarray,
    density: float,
    mass_min: float,
    peel_alpha: float,
    n_boxes: int,
) -> list[dict[str, Any]]:
    """Each box's peeling trajectory, the chosen step, its limits and quasi-p-values."""
    prim = _workbench("prim")
    # the workbench logs each box at INFO on its own logger; keep forecaster's output clean
    logging.getLogger("EMA").setLevel(logging.WARNING)
    finder = prim.Prim(
        x,
        interest.astype(int),
        threshold=density,
        peel_alpha=peel_alpha,
        paste_alpha=peel_alpha,
        mass_min=mass_min,
    )
    boxes: list[dict[str, Any]] = []
    for _ in range(n_boxes):
        box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        cover, dense = trajectory["coverage"].to_numpy(), trajectory["density"].to_numpy()
        if boxes and dense.max() < density:
            break  # the workbench's "dump box" of the points no box could hold
        # the most coverage among the steps dense enough, then the most density
        ok = dense >= density if (dense >= density).any() else dense == dense.max()
        chosen = int(np.lexsort((-dense, -np.where(ok, cover, -1.0)))[0])
        box.select(chosen)
        lims = box.box_lims[chosen]
        qp = {name: [np.nan if v < 0 else v for v in pair] for name, pair in box.qp[chosen].items()}
        boxes.append(
            {
                "trajectory": trajectory[["coverage", "density", "mass", "res_dim"]].copy(),
                "chosen": chosen,
                "low": {n: float(lims.loc[0, n]) for n in x.columns},
                "high": {n: float(lims.loc[1, n]) for n in x.columns},
                "qp_low": {n: qp.get(n, [np.nan, np.nan])[0] for n in x.columns},
                "qp_high": {n: qp.get(n, [np.nan, np.nan])[1] for n in x.columns},
            }
        )
    return boxes


def _cart(x: pd.DataFrame, interest: np.ndarray, mass_min: float) -> list[dict[str, Any]]:
    """CART's leaves: limits, coverage, density and mass."""
    cart = _workbench("cart")
    tree = cart.CART(x, interest.astype(int), mass_min=mass_min)
    tree.build_tree()
    return [
        {
            "low": {n: float(box.loc[0, n]) for n in x.columns},
            "high": {n: float(box.loc[1, n]) for n in x.columns},
            "coverage": float(stats["coverage"]),
            "density": float(stats["density"]),
            "mass": float(stats["mass"]),
        }
        for box, stats in zip(tree.boxes, tree.stats, strict=True)
    ]


def format_boxes(found: xr.Dataset) -> str:
    """The chosen PRIM boxes (limits, quasi-p-values) and CART's densest leaves, as text."""
    a = found.attrs
    lines = [
        f"Scenario discovery: {a['outcome']} {a['select']} {a['threshold']} in "
        f"{a['cases_of_interest']} of {a['design_points']} design points"
    ]
    for b in found.box.values:
        box = found.sel(box=b)
        step = int(box.chosen)
        lines += [
            "",
            f"PRIM box {b} (step {step} of {int(box.coverage.count())}): coverage "
            f"{float(box.coverage[step]):.2f}, density {float(box.density[step]):.2f}, "
            f"mass {float(box.mass[step]):.2f}",
            f"  {'uncertainty':42s} {'box':>21s} {'range':>21s}  quasi-p",
        ]
        for name in found.uncertainty.values:
            u = box.sel(uncertainty=name)
            qps = [float(v) for v in (u.qp_low, u.qp_high) if np.isfinite(v)]
            if not qps:
                continue
            lines.append(
                f"  {name!s:42s} {float(u.box_low):9.4g} – {float(u.box_high):9.4g} "
                f"{float(found.low.sel(uncertainty=name)):9.4g} – "
                f"{float(found.high.sel(uncertainty=name)):9.4g}  "
                + " ".join(f"{q:.2g}" for q in qps)
            )
    order = np.argsort(-found.cart_density.values)
    lines += ["", "CART leaves, densest first (coverage, density, mass):"]
    for leaf in order[:3]:
        restricted = [
            f"{n} {float(found.cart_low[leaf, i]):.4g}–{float(found.cart_high[leaf, i]):.4g}"
            for i, n in enumerate(found.uncertainty.values)
            if found.cart_low[leaf, i] > found.low[i] or found.cart_high[leaf, i] < found.high[i]
        ]
        lines.append(
            f"  {float(found.cart_coverage[leaf]):.2f} {float(found.cart_density[leaf]):.2f} "
            f"{float(found.cart_mass[leaf]):.2f}  {'; '.join(restricted) or 'all'}"
        )
    return "\n".join(lines)

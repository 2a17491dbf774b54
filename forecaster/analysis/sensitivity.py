"""Global sensitivity analysis: Sobol indices of an outcome to uncertain parameters.

SALib draws the design (Saltelli's extension of Sobol sequences) and analyses
the results; forecaster evaluates every design point in one grid run, all
points sharing the same random draws (common random numbers), so the indices
measure the parameters' effects rather than Monte Carlo noise.

From Python::

    cfg = forecaster.compose(["portfolio=nato"])
    si = forecaster.sensitivity.sobol(
        cfg, {"threat.scale": (0.5, 2.0), "portfolio.alliances.nato.explicitness": (0.1, 0.9)},
        outcome="p_entrapment", select={"state": "DEU"}, n_base=64,
    )

From the command line::

    forecast-sensitivity --outcome p_entrapment --select state=DEU \\
        --param threat.scale=0.5:2 --param portfolio.alliances.nato.explicitness=0.1:0.9 \\
        --n-base 64 portfolio=nato run.trajectories=20000
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr
from omegaconf import DictConfig, OmegaConf

from forecaster.api import prepare, run
from forecaster.config import to_spec
from forecaster.errors import ConfigError
from forecaster.results import key_label, outcome_label, to_dataset

from .plotting import _pyplot

#: design points a sensitivity analysis may have (each is a grid row of one run: its
#: counters are held at once; the run's memory budget may refuse fewer)
MAX_DESIGN_POINTS = 1_000_000


def design(parameters: Mapping[str, tuple[float, float]], n_base: int, second_order: bool = False,
           seed: int = 0) -> tuple[dict[str, Any], np.ndarray]:  # fmt: skip
    """SALib's problem and its Saltelli sample (``n_base * (2 D + 2)`` points, or ``D + 2``)."""
    from SALib.sample import sobol as sobol_sample

    problems = []
    for name, bounds in parameters.items():
        if len(bounds) != 2 or not float(bounds[0]) < float(bounds[1]):
            problems.append(f"parameter {name} = {bounds!r}: needs bounds low:high with low < high")
    if not parameters:
        problems.append("parameters = {}: give at least one parameter to vary")
    if n_base < 2 or n_base & (n_base - 1):
        problems.append(f"n_base = {n_base}: must be a power of two >= 2 (Sobol sequences)")
    n_points = n_base * (2 * len(parameters) + 2 if second_order else len(parameters) + 2)
    if n_points > MAX_DESIGN_POINTS:
        problems.append(
            f"n_base = {n_base}: {n_points:,} design points for {len(parameters)} parameters; "
            f"allowed: at most {MAX_DESIGN_POINTS:,} (a smaller n_base)"
        )
    if problems:
        raise ConfigError(problems)
    problem = {
        "num_vars": len(parameters),
        "names": list(parameters),
        "bounds": [[float(lo), float(hi)] for lo, hi in parameters.values()],
    }
    sample = sobol_sample.sample(problem, n_base, calc_second_order=second_order, seed=seed)
    return problem, sample


def outcome_values(ds: xr.Dataset, outcome: str, select: Mapping[str, Any] | None) -> xr.DataArray:
    """The outcome over design points; ``select`` fixes other dims, time is the horizon."""
    y = selected_outcome(ds, outcome, select)
    if np.isnan(y.values).any():
        message = (
            f"outcome {outcome} is undefined (NaN) at some design points: "
            "choose an outcome defined everywhere (a ratio needs events)"
        )
        raise ConfigError([message])
    return y


def selected_outcome(
    ds: xr.Dataset, outcome: str, select: Mapping[str, Any] | None
) -> xr.DataArray:
    """``outcome`` at the horizon with ``select`` applied: one value per design point.

    Raises :class:`ConfigError` for an unknown outcome, a label not in the results
    (with the closest ones), or a dimension left unselected.
    """
    if outcome not in ds:
        options = sorted(str(v) for v in ds.data_vars if not str(v).endswith("_se"))
        guess = difflib.get_close_matches(outcome, options, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise ConfigError(
            [f"outcome = {outcome!r}: not a results variable (one of {', '.join(options)}){hint}"]
        )
    y = ds[outcome]
    select = dict(select or {})
    if "time" in y.dims and "time" not in select:
        y = y.isel(time=-1)
    problems = []
    for dim, label in select.items():
        if dim not in y.dims:
            problems.append(f"select {dim} = {label!r}: {outcome} has no dimension {dim!r} "
                            f"(its dimensions: {', '.join(map(str, y.dims))})")  # fmt: skip
        elif dim != "time" and label not in y[dim].values:
            labels = [str(v) for v in y[dim].values]
            guess = difflib.get_close_matches(str(label), labels, n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            problems.append(f"select {dim} = {label!r}: not in the results "
                            f"(one of {', '.join(labels)}){hint}")  # fmt: skip
    if problems:
        raise ConfigError(problems)
    try:
        y = y.sel(select)
    except (KeyError, ValueError) as err:
        raise ConfigError([f"select = {select!r}: {err}"]) from None
    extra = [d for d in y.dims if d != "sample"]
    if extra:
        message = (
            f"outcome {outcome} still varies along {extra}: select one value of each, "
            f"e.g. --select {extra[0]}=..."
        )
        raise ConfigError([message])
    return y


def check_before_running(
    cfg: DictConfig,
    points: list[dict[str, float]],
    outcome: str,
    select: Mapping[str, Any] | None,
) -> None:
    """Every problem of a sensitivity analysis, before a single trajectory runs.

    The run's own pre-execute phases (:func:`forecaster.api.prepare`) check and
    compile the config and every design point and refuse a design whose cost
    passes the budget; the outcome and the selection are then checked against
    the results of the probe that estimated the cost (the first design point),
    which has every variable and label of the run's results.
    """
    scenario, cost = prepare(cfg, points)
    assert cost.probe is not None  # prepare always probes
    selected_outcome(to_dataset(scenario.take([0]), cost.probe), outcome, select)


def sobol(
    cfg: DictConfig,
    parameters: Mapping[str, tuple[float, float]],
    outcome: str,
    select: Mapping[str, Any] | None = None,
    n_base: int = 64,
    second_order: bool = False,
    progress: bool = False,
) -> xr.Dataset:
    """First-order and total Sobol indices of ``outcome`` with 95% confidence intervals.

    Parameters
    ----------
    cfg : a composed config (its ``run`` settings apply to every design point).
    parameters : ``{dotted.path: (low, high)}``, any numeric leaves (as for sweeps).
    outcome : a results variable, e.g. ``"p_entrapment"``; at the horizon unless
        ``select`` has a ``time``.
    select : picks one value of every other dimension, e.g. ``{"state": "USA"}``.
    n_base : SALib's base sample size (a power of two).
    second_order : also compute second-order indices ``S2``.

    Returns
    -------
    xarray.Dataset with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` over ``parameter``
    (and ``S2``, ``S2_conf`` over ``parameter``, ``parameter_2``), and the design
    and outcome values over ``sample``.
    """
    from SALib.analyze import sobol as sobol_analyze

    problem, sample = design(parameters, n_base, second_order, seed=int(cfg.run.seed))
    points = [dict(zip(problem["names"], map(float, row), strict=True)) for row in sample]
    check_before_running(cfg, points, outcome, select)
    results = run(cfg, progress=progress, points=points)
    spec = to_spec(cfg)
    y = outcome_values(results, outcome, select)
    si = sobol_analyze.analyze(
        problem,
        y.values,
        calc_second_order=second_order,
        conf_level=0.95,
        print_to_console=False,
        seed=int(cfg.run.seed),
    )
    names = problem["names"]
    out = xr.Dataset(
        {
            "S1": ("parameter", si["S1"], {"long_name": "first-order Sobol index", "units": "1"}),
            "S1_conf": (
                "parameter",
                si["S1_conf"],
                {"long_name": "95% confidence half-width of S1"},
            ),
            "ST": ("parameter", si["ST"], {"long_name": "total-order Sobol index", "units": "1"}),
            "ST_conf": (
                "parameter",
                si["ST_conf"],
                {"long_name": "95% confidence half-width of ST"},
            ),
            "outcome": ("sample", y.values, dict(results[outcome].attrs)),
            "design": (("sample", "parameter"), sample),
            "low": ("parameter", [b[0] for b in problem["bounds"]]),
            "high": ("parameter", [b[1] for b in problem["bounds"]]),
        },
        coords={"parameter": names, "sample": np.arange(len(sample))},
        attrs={
            "outcome": outcome,
            "select": repr(dict(select or {})),
            "n_base": n_base,
            "design_points": len(sample),
            "trajectories_per_point": int(cfg.run.trajectories),
            "seed": int(cfg.run.seed),
            "wall_time_s": results.attrs["wall_time_s"],
            **{k: v for k, v in results.attrs.items() if k.startswith("timing_")},
            "config": OmegaConf.to_yaml(OmegaConf.create(spec)),
            "method": "Saltelli/Sobol design and analysis by SALib; common random numbers",
        },
    )
    if second_order:
        out["S2"] = (
            ("parameter", "parameter_2"),
            si["S2"],
            {"long_name": "second-order Sobol index"},
        )
        out["S2_conf"] = (("parameter", "parameter_2"), si["S2_conf"])
        out = out.assign_coords(parameter_2=names)
    return out


def format_ranking(si: xr.Dataset) -> str:
    """Parameters ranked by total index, with 95% intervals, and a warning where an index
    is out of [0, 1] or its interval wider than ±0.5 (too small a design)."""
    order = np.argsort(-si.ST.values)
    lines = [f"Sobol indices of {si.attrs['outcome']} {si.attrs['select']} "
             f"({si.attrs['design_points']} design points x {si.attrs['trajectories_per_point']} "
             "trajectories)", "", f"{'parameter':45s} {'S1':>16s} {'ST':>16s}"]  # fmt: skip
    lines += [
        f"{si.parameter.values[i]!s:45s} {si.S1.values[i]:7.3f} ± {si.S1_conf.values[i]:5.3f} "
        f"{si.ST.values[i]:7.3f} ± {si.ST_conf.values[i]:5.3f}"
        for i in order
    ]
    unreliable = [
        str(si.parameter.values[i])
        for i in order
        if any(
            not (-0.05 <= si[k].values[i] <= 1.05) or si[f"{k}_conf"].values[i] > 0.5
            for k in ("S1", "ST")
        )
    ]
    if unreliable:
        lines += [
            "",
            f"warning: the indices of {', '.join(unreliable)} lie outside [0, 1] or have "
            "intervals wider than ±0.5: the design is too small to estimate them; run more "
            "design points (n_base) or trajectories before reading them",
        ]
    return "\n".join(lines)


def sobol_chart(si: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """Total (ST) and first-order (S1) Sobol indices as bars with 95% intervals.

    The title names the outcome and the sample size (design points ×
    trajectories); an index whose interval reaches 0 is drawn hatched and
    pale: the design cannot tell it from no effect. Bars are ranked by ST.
    """
    plt = _pyplot()
    order = np.argsort(-si.ST.values)
    names = [key_label(str(si.parameter.values[i])) for i in order]
    y = np.arange(len(names))
    fig, ax = (plt.subplots(figsize=(7.5, 1.2 + 0.55 * len(names)), constrained_layout=True)
               if ax is None else (ax.figure, ax))  # fmt: skip
    crosses_zero = False
    for offset, index, colour, label in ((0.2, "ST", "C0", "total (ST)"),
                                         (-0.2, "S1", "C1", "first order (S1)")):  # fmt: skip
        value, conf = si[index].values[order], si[f"{index}_conf"].values[order]
        unclear = value - conf <= 0
        crosses_zero |= bool(unclear.any())
        bars = ax.barh(y + offset, value, height=0.4, xerr=conf, color=colour, label=label,
                       capsize=3)  # fmt: skip
        for bar, bad in zip(bars, unclear, strict=True):
            if bad:
                bar.set_alpha(0.4)
                bar.set_hatch("///")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of the outcome's variance)")
    where = re.sub(r"[{}']", "", str(si.attrs.get("select", "")))
    what = f"{outcome_label(si.attrs['outcome'])}" + (f" ({where})" if where else "")
    ax.set_title(f"Sobol indices of {what}\n{si.attrs['design_points']} design points × "
                 f"{si.attrs['trajectories_per_point']:,} trajectories (bars: 95%)",
                 fontsize=10)  # fmt: skip
    handles, labels = ax.get_legend_handles_labels()
    if crosses_zero:
        handles.append(plt.Rectangle((0, 0), 1, 1, fill=False, hatch="///", edgecolor="grey"))
        labels.append("interval reaches 0")
    ax.legend(handles, labels, loc="lower right", fontsize=8)
    return fig, ax

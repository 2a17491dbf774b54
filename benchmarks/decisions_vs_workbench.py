"""The same robust-design question in forecaster and in the EMA Workbench, side by side.

    python benchmarks/decisions_vs_workbench.py            # docs/decisions.md's figures (~10 min)
    python benchmarks/decisions_vs_workbench.py --quick    # a smoke run (~1 min)

The question: by how much does the Hague pledge (a 3.5% spending target) change
Estonia's ten-year P(war) against the Wales pledge (2%), averaged over futures of
the threat (``threat.scale`` by a Latin hypercube over 0.5-2), on the shipped
``nato`` portfolio? Both tools simulate the same trajectories per design and
future (equal cost):

- forecaster: ``forecaster.analysis.robust.search``, every design in every
  future as points of one grid run, all under common random numbers;
- the workbench: ``perform_experiments`` with the two designs as policies and the
  same futures as scenarios, its model one ``forecaster.run`` per experiment (as
  a workbench user wraps a stochastic simulator), each experiment with its own
  seed (independent random numbers, as separate model runs have).

Each is repeated with ``--replications`` base seeds; the spread of the estimated
difference over the replications is its precision, and each replication is
timed (wall time, one process, numba on one thread). Prints a table and writes
``benchmarks/results/decisions-<date>.json``.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import itertools
import json
import logging
import os
import statistics
import time
import warnings
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import forecaster
from forecaster.analysis.discovery import design_points
from forecaster.analysis.robust import search

TARGET = "portfolio.alliances.nato.spending_target"
DESIGNS = {"wales": 0.02, "hague": 0.035}
THREAT = {"threat.scale": (0.5, 2.0)}


def with_forecaster(cfg, futures: int) -> tuple[float, float]:
    """The mean difference hague - wales over the futures, and the wall time."""
    start = time.perf_counter()
    designs = search(
        cfg,
        {TARGET: list(DESIGNS.values())},
        THREAT,
        [("p_war", {"state": "EST"})],
        n_futures=futures,
    )
    wall = time.perf_counter() - start
    mean = designs["mean"].values[:, 0]
    return float(mean[1] - mean[0]), wall


def with_workbench(cfg, futures: int, seeds: itertools.count) -> tuple[float, float]:
    """The same difference from the workbench's experiments, and the wall time."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import (
            Model,
            Policy,
            RealParameter,
            ScalarOutcome,
            Scenario,
            SequentialEvaluator,
            ema_logging,
        )
    ema_logging.log_to_stderr(logging.WARNING)

    def nato(scale: float, spending_target: float) -> dict[str, float]:
        one = copy.deepcopy(cfg)
        one.threat.scale = scale
        one.portfolio.alliances.nato.spending_target = spending_target
        one.run.seed = next(seeds)  # a model run of its own: independent random numbers
        ds = forecaster.run(one, progress=False)
        return {"p_war_est": float(ds.p_war.sel(state="EST").isel(time=-1))}

    model = Model("nato", function=nato)
    model.uncertainties = [RealParameter("scale", *THREAT["threat.scale"])]
    model.levers = [RealParameter("spending_target", 0.0, 0.1)]
    model.outcomes = [ScalarOutcome("p_war_est")]
    points = design_points(THREAT, futures, "lhs", seed=int(cfg.run.seed))
    scenarios = [Scenario(f"f{i}", scale=p["threat.scale"]) for i, p in enumerate(points)]
    policies = [Policy(name, spending_target=value) for name, value in DESIGNS.items()]
    start = time.perf_counter()
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios, policies)
    wall = time.perf_counter() - start
    y = outcomes["p_war_est"]
    by_policy = {name: y[(experiments["policy"] == name).to_numpy()].mean() for name in DESIGNS}
    return float(by_policy["hague"] - by_policy["wales"]), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--trajectories", type=int, default=None)
    parser.add_argument("--futures", type=int, default=None)
    parser.add_argument("--replications", type=int, default=None)
    args = parser.parse_args()
    trajectories = args.trajectories or (200 if args.quick else 1000)
    futures = args.futures or (4 if args.quick else 8)
    replications = args.replications or (3 if args.quick else 10)
    cfg = forecaster.compose(
        ["portfolio=nato", "cluster=in_process", f"run.trajectories={trajectories}"]
    )
    logging.getLogger("forecaster").setLevel(logging.WARNING)
    forecaster.run(cfg, progress=False)  # compile the kernels before timing anything
    rows: dict[str, list[tuple[float, float]]] = {"forecaster": [], "workbench": []}
    seeds = itertools.count(10_000)
    for r in range(replications):
        cfg.run.seed = r
        rows["forecaster"].append(with_forecaster(cfg, futures))
        rows["workbench"].append(with_workbench(cfg, futures, seeds))
        print(
            f"replication {r + 1}/{replications}: "
            + ", ".join(f"{k} {v[-1][0]:+.4f} in {v[-1][1]:.1f} s" for k, v in rows.items()),
            flush=True,
        )
    summary = {}
    for tool, values in rows.items():
        diffs = [d for d, _ in values]
        walls = [w for _, w in values]
        summary[tool] = {
            "mean_difference": statistics.fmean(diffs),
            "sd_of_difference": statistics.stdev(diffs),
            "median_wall_s": statistics.median(walls),
        }
    ratio = summary["workbench"]["sd_of_difference"] / summary["forecaster"]["sd_of_difference"]
    print(
        f"\nEstonia's ten-year P(war), Hague (3.5%) - Wales (2%) pledge, mean over {futures} "
        f"futures, {trajectories} trajectories per design and future, {replications} "
        "replications"
    )
    print(f"{'':12s} {'difference':>11s} {'its SD':>9s} {'wall time':>10s}")
    for tool, s in summary.items():
        print(
            f"{tool:12s} {s['mean_difference']:+11.4f} {s['sd_of_difference']:9.4f} "
            f"{s['median_wall_s']:8.1f} s"
        )
    print(
        f"SD ratio workbench/forecaster {ratio:.1f}: the workbench needs {ratio**2:.0f}x the "
        "trajectories for the same precision"
    )
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = dt.date.today().isoformat() + ("-quick" if args.quick else "")
    record = {
        "trajectories": trajectories,
        "futures": futures,
        "replications": replications,
        "runs": rows,
        "summary": summary,
        "sd_ratio": ratio,
        "ema_workbench": _version("ema_workbench"),
        "forecaster": forecaster.__version__,
    }
    (out / f"decisions-{stamp}.json").write_text(json.dumps(record, indent=2))
    print(f"written: {out / f'decisions-{stamp}.json'}")


def _version(module: str) -> str:
    from importlib.metadata import version

    return version(module.replace("_", "-"))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

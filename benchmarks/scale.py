"""Scale-out figures: end-to-end time, scheduling overhead, worker speed-up, driver memory.

    python benchmarks/scale.py overhead  [--trajectories 40000]
    python benchmarks/scale.py memory    --trajectories 100000 [--portfolio regional]
    python benchmarks/scale.py end-to-end [--trajectories 1000000]

``overhead`` times, side by side in one process, the same trajectories of the
default scenario as (a) one in-process kernel call, (b) a dask run on one
worker and (c) on two workers (clusters started before timing); the ratio
(b)/(a) is the scheduling overhead, (b)/(c) the speed-up from a second worker.
``memory`` runs forecast.run in this process and reports its peak resident
memory (run it in a fresh process per trajectory count). ``end-to-end`` times
the ``forecast`` command itself, cluster start-up and result writing included.
Each writes benchmarks/results/scale-<what>-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _save(name: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"date": dt.datetime.now().isoformat(timespec="seconds"), "cores": os.cpu_count(),
              **result}  # fmt: skip
    path = RESULTS / f"scale-{name}-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def overhead(args) -> None:
    import forecaster
    from forecaster import clusters
    from forecaster.counters import simulate
    from forecaster.scenario import compile_scenario

    base = [f"portfolio={args.portfolio}", f"run.trajectories={args.trajectories}",
            f"run.block_size={args.block_size}"]  # fmt: skip
    scenario = compile_scenario(forecaster.config.to_spec(forecaster.compose(base)))
    simulate(scenario, 0, 2, 0)
    runs = {}
    cfgs = {
        "one_worker": forecaster.compose([*base, "cluster=local", "cluster.n_workers=1"]),
        "two_workers": forecaster.compose([*base, "cluster=local", "cluster.n_workers=2"]),
    }
    for cfg in cfgs.values():  # start both clusters (and warm their workers) before timing
        clusters.get_client(forecaster.config.to_spec(cfg)["cluster"])
    for repeat in range(args.repeats):
        start = time.perf_counter()
        simulate(scenario, 0, args.trajectories, repeat)
        runs.setdefault("in_process_single_call", []).append(time.perf_counter() - start)
        for name, cfg in cfgs.items():
            start = time.perf_counter()
            forecaster.run(cfg, progress=False)
            runs.setdefault(name, []).append(time.perf_counter() - start)
    clusters.close_all()
    median = {k: sorted(v)[len(v) // 2] for k, v in runs.items()}
    _save("overhead", {
        "portfolio": args.portfolio, "trajectories": args.trajectories,
        "block_size": args.block_size, "seconds_median": median,
        "dask_one_worker_over_single_call": median["one_worker"] / median["in_process_single_call"],
        "speedup_one_to_two_workers": median["one_worker"] / median["two_workers"],
    })  # fmt: skip


def memory(args) -> None:
    import forecaster

    overrides = [f"portfolio={args.portfolio}", f"run.trajectories={args.trajectories}",
                 f"run.block_size={args.block_size}", "cluster=local"]  # fmt: skip
    cfg = forecaster.compose(overrides)
    start = time.perf_counter()
    ds = forecaster.run(cfg, progress=False)
    wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _save(f"memory-{args.trajectories}", {
        "portfolio": args.portfolio, "trajectories": args.trajectories,
        "driver_peak_rss_mib": peak_mib, "wall_time_s": wall, "tasks": ds.attrs["tasks"],
    })  # fmt: skip


def end_to_end(args) -> None:
    forecast = Path(sys.executable).parent / "forecast"
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run(
            [str(forecast), f"portfolio={args.portfolio}", f"run.trajectories={args.trajectories}",
             f"hydra.run.dir={out}"], capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    summary = [line for line in done.stdout.splitlines() if "trajectories/s" in line]
    _save("end-to-end", {
        "portfolio": args.portfolio, "trajectories": args.trajectories,
        "wall_time_s": wall, "trajectories_per_s": args.trajectories / wall,
        "simulation_line": summary[-1] if summary else "",
    })  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["overhead", "memory", "end-to-end"])
    parser.add_argument("--portfolio", default="nato")
    parser.add_argument("--trajectories", type=int, default=None)
    parser.add_argument("--block-size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    defaults = {"overhead": 40_000, "memory": 100_000, "end-to-end": 1_000_000}
    args.trajectories = args.trajectories or defaults[args.what]
    {"overhead": overhead, "memory": memory, "end-to-end": end_to_end}[args.what](args)


if __name__ == "__main__":
    main()

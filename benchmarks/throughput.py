"""Kernel and NumPy-reference throughput on one core, side by side.

    python benchmarks/throughput.py [--portfolio nato] [--trajectories 4000] [--repeats 3]

Both engines run the same compiled scenario in the same process, alternating,
so machine noise largely cancels in their ratio. The figure is
trajectory-state-steps per second (trajectories x states x steps / wall time),
the median over the repeats. The kernel is compiled (or loaded from cache)
before timing. Writes benchmarks/results/throughput-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numba  # noqa: E402
import numpy as np  # noqa: E402

from forecaster.counters import simulate  # noqa: E402
from forecaster.reference import simulate_reference  # noqa: E402
from forecaster.scenario import compile_scenario  # noqa: E402
from forecaster.spec import load_spec  # noqa: E402


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolio", default="nato")
    parser.add_argument("--trajectories", type=int, default=4000)
    parser.add_argument("--reference-trajectories", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)

    scenario = compile_scenario(load_spec(portfolio=args.portfolio))
    cells = scenario.n_states * scenario.n_steps
    simulate(scenario, 0, 2, 0)  # compile or load from cache
    kernel, reference = [], []
    for r in range(args.repeats):
        kernel.append(
            _timed(lambda r=r: simulate(scenario, r * args.trajectories, args.trajectories, 1))
        )
        reference.append(
            _timed(lambda r=r: simulate_reference(scenario, args.reference_trajectories, 100 + r))
        )
    k = args.trajectories * cells / statistics.median(kernel)
    ref = args.reference_trajectories * cells / statistics.median(reference)
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numba": numba.__version__,
            "numpy": np.__version__,
        },
        "scenario": {
            "portfolio": args.portfolio,
            "states": scenario.n_states,
            "steps": scenario.n_steps,
        },
        "kernel_state_steps_per_s": k,
        "kernel_trajectories_per_s": k / cells,
        "reference_state_steps_per_s": ref,
        "reference_trajectories_per_s": ref / cells,
        "kernel_over_reference": k / ref,
        "repeats": args.repeats,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"throughput-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{args.portfolio} ({scenario.n_states} states x {scenario.n_steps} steps), one core:\n"
        f"  kernel     {k / 1e6:8.2f} M state-steps/s  ({k / cells:9,.0f} trajectories/s)\n"
        f"  reference  {ref / 1e6:8.2f} M state-steps/s  ({ref / cells:9,.0f} trajectories/s)\n"
        f"  ratio      {k / ref:8.1f}x\n  written to {path}"
    )
    return result


if __name__ == "__main__":
    main()

"""Render a benchmark results file as the markdown table the README quotes.

python benchmarks/report.py benchmarks/results/<date>.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGETS = {
    "end_to_end": "10^6 trajectories of the default scenario in under 60 s",
    "floor": "within 2x of the random-variate floor",
    "reference": "at least 40x the NumPy reference",
    "per_point": "at least 100x one call per grid point (100-point sweep)",
    "memory": "peak memory independent of trajectories",
}


def render(result: dict) -> str:
    t, g, e, c = result["throughput"], result["growth"], result["end_to_end"], result["compile"]
    m = result["machine"]
    rss = [row["peak_rss_mib"] for row in g["trajectories"]]
    n = [row["trajectories"] for row in g["trajectories"]]
    rows = [
        ("kernel, one core (nato: 33 states x 40 steps)",
         f"{t['kernel_one_core_trajectories_per_s']:,.0f} trajectories/s = "
         f"{t['kernel_one_core_state_steps_per_s'] / 1e6:.2f} M state-steps/s", ""),
        (f"kernel, all {t['cores']} cores (LocalCluster)",
         f"{t['kernel_all_cores_trajectories_per_s']:,.0f} trajectories/s", ""),
        *(
            [(f"kernel per trajectory, one core, beside the kernel of {t['old_kernel_commit']}",
              f"{t['new_kernel_us_per_trajectory_beside_old']:.0f} µs against "
              f"{t['old_kernel_us_per_trajectory']:.0f} µs: {t['speedup_over_old_kernel']:.2f}x",
              "")]
            if "speedup_over_old_kernel" in t
            else []
        ),
        ("kernel time / random-variate floor", f"{t['kernel_over_floor']:.2f}x", TARGETS["floor"]),
        ("kernel / NumPy reference (same model)", f"{t['kernel_over_reference']:.1f}x",
         TARGETS["reference"]),
        (f"one grid run / one reference call per point ({t['sweep_points']} points)",
         f"{t['grid_run_over_per_point_calls']:.1f}x", TARGETS["per_point"]),
        (f"`forecast` end to end, {e['forecast_trajectories']:,} trajectories",
         f"{e['forecast_wall_s']:.0f} s ({e['forecast_trajectories_per_s']:,.0f}/s)",
         TARGETS["end_to_end"]),
        ("dask on one worker / one in-process call",
         f"{e['dask_one_worker_over_single_call']:.3f}", ""),
        ("speed-up from 1 to 2 workers", f"{e['speedup_one_to_two_workers']:.2f}x", ""),
        (f"driver peak memory, {n[0]:,} to {n[-1]:,} trajectories",
         f"{rss[0]:.0f} to {rss[-1]:.0f} MiB", TARGETS["memory"]),
        ("time exponent in trajectories / states / steps / grid points",
         f"{g['trajectories_exponent']:.2f} / {g['states_exponent']:.2f} / "
         f"{g['steps_exponent']:.2f} / {g['grid_points_exponent']:.2f}", "1 / near 1 / 1 / 1"),
        ("first call (compile) / start with a warm cache",
         f"{c['cold_start_s']:.1f} s / {c['warm_start_s']:.1f} s", ""),
    ]  # fmt: skip
    lines = [
        f"Measured {result['date'][:10]} ({result['mode']} mode) on {m['cpu']}, "
        f"{m['cores']} cores; numba {m['numba']}, numpy {m['numpy']}.",
        "",
        "| figure | measured | target |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text())))

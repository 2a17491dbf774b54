"""forecaster's benchmarks: speed, distance to the limit, and the alternatives.

    python benchmarks/suite.py --quick        # a few minutes; what CI runs
    python benchmarks/suite.py --full         # the figures in the README (about 20 minutes)

Writes ``benchmarks/results/<date>[-quick].json`` (machine, versions, every
figure) and ``<date>[-quick]-growth.png``. Every comparison is timed side by
side in one process (medians over repeats), so machine noise largely cancels
in the ratios. The suite checks that every figure was produced and is finite;
it never fails on a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import forecaster
from forecaster import execution as clusters
from forecaster.engine import Counters, simulate
from forecaster.engine.reference import simulate_reference
from forecaster.kernels.floor import draw_floor
from forecaster.kernels.samplers import FAMILIES
from forecaster.scenario import compile_scenario
from forecaster.testing import CASES, spec_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_timing
import old_kernel

HERE = Path(__file__).resolve().parent
MODES = {
    "quick": {
        "repeats": 3,
        "kernel": 2_000,
        "reference": 200,
        "sweep_points": 10,
        "per_point": 50,
        "trajectories": [1_000, 10_000, 100_000],
        "states": [2, 8, 32, 64],
        "horizons": [2.5, 5, 10, 20],
        "grid": [1, 4, 16],
        "growth_n": 1_000,
        "end_to_end": 20_000,
        "overhead": 10_000,
        "bounds_s": 30,
    },
    "full": {
        "repeats": 5,
        "kernel": 20_000,
        "reference": 2_000,
        "sweep_points": 100,
        "per_point": 200,
        "trajectories": [10_000, 100_000, 1_000_000, 10_000_000],
        "states": [2, 4, 8, 16, 32, 64],
        "horizons": [2.5, 5, 10, 20, 40],
        "grid": [1, 4, 16, 64],
        "growth_n": 5_000,
        "end_to_end": 1_000_000,
        "overhead": 40_000,
        "bounds_s": 60,
    },
}


def median_time(fn, repeats: int) -> float:
    times = []
    for r in range(repeats):
        start = time.perf_counter()
        fn(r)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def nato() -> forecaster.Scenario:
    return compile_scenario(CASES["nato"]())


def call_kernel(kernel, sc: forecaster.Scenario, first: int, n: int) -> None:
    """One call of ``kernel`` (a ``simulate_block`` of any version) on fresh counters.

    The kernel of this version takes the burn-in steps (MODEL v2) before the horizon;
    the old one does not (and simulates MODEL v1.1, with the v2 switches ignored).
    """
    counters = Counters.zeros(sc)
    clock = (np.int64(sc.n_burn_in), np.int64(sc.n_steps))
    if kernel is not forecaster.kernels.simulate_block:
        clock = (np.int64(sc.n_steps),)
    kernel(
        np.uint64(1), np.int64(first), np.int64(n), *clock, float(sc.dt), sc.flags,
        sc.state_attr, sc.region, sc.is_adversary, sc.alliance_attr, sc.member, sc.leader,
        sc.interest, sc.target_weight, sc.dist_code, sc.dist_param,
        counters.by_time_state, counters.by_time_alliance, counters.by_time, counters.events,
        counters.event_products, counters.moments, counters.histograms, counters.draws,
    )  # fmt: skip


# ---------------------------------------------------------------- 1-3
def throughput(cfg: dict) -> dict:
    """Kernel on one core and on all cores; the floor; the NumPy reference; per-point calls."""
    sc = nato()
    cells = sc.n_states * sc.n_steps
    n, repeats = cfg["kernel"], cfg["repeats"]
    simulate(sc, 0, 2, 0)
    one_core = median_time(lambda r: simulate(sc, r * n, n, 1), repeats)

    # the floor: the same variates, drawn alone, beside the kernel
    counts = simulate(sc, 0, n, 1)
    params = np.zeros((len(FAMILIES), 3))
    for p, code in enumerate(sc.dist_code[0]):
        if code >= 0 and not params[code].any():
            params[code] = sc.dist_param[0, p]
    draw_floor(np.uint64(1), counts.draws[0], params, 0, n, sc.n_states)
    kernel_t, floor_t = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        simulate(sc, 0, n, 1)
        kernel_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        draw_floor(np.uint64(1), counts.draws[0], params, 0, n, sc.n_states)
        floor_t.append(time.perf_counter() - start)

    # the kernel before issue 12 (old_kernel.BASE_COMMIT), on the same arrays, alternately
    old_row: dict = {"old_kernel_commit": old_kernel.BASE_COMMIT}
    try:
        old = old_kernel.load().simulate_block
    except (OSError, subprocess.CalledProcessError) as err:  # not in a git checkout
        old_row["old_kernel_error"] = f"cannot extract {old_kernel.BASE_COMMIT}: {err}"
        print(old_row["old_kernel_error"], file=sys.stderr)
    else:
        new = forecaster.kernels.simulate_block
        call_kernel(old, sc, 0, 1)
        old_t, new_t = [], []
        for r in range(repeats):
            for bucket, fn in ((old_t, old), (new_t, new)):
                start = time.perf_counter()
                call_kernel(fn, sc, r * n, n)
                bucket.append(time.perf_counter() - start)
        old_row |= {
            "old_kernel_us_per_trajectory": 1e6 * statistics.median(old_t) / n,
            "new_kernel_us_per_trajectory_beside_old": 1e6 * statistics.median(new_t) / n,
            "speedup_over_old_kernel": statistics.median(old_t) / statistics.median(new_t),
        }

    # all cores: a LocalCluster of one worker per core
    cores = os.cpu_count() or 1
    cfg_all = forecaster.compose(
        ["portfolio=nato", "cluster=local", f"run.trajectories={n * cores}", f"run.block_size={n}"]
    )
    clusters.get_client(forecaster.config.to_spec(cfg_all)["cluster"])
    all_cores = median_time(lambda r: forecaster.run(cfg_all, progress=False), repeats)
    clusters.close_all()

    # the plain-NumPy reference on the same scenario
    m = cfg["reference"]
    reference = median_time(lambda r: simulate_reference(sc, m, r), repeats)

    # exploratory-modelling style: one Python call of the reference per grid point,
    # against one forecaster grid run over the same points
    points = cfg["sweep_points"]
    per = cfg["per_point"]
    scales = list(np.linspace(0.5, 2.0, points))
    grid = compile_scenario(CASES["nato"](), grid={"threat.scale": scales})
    singles = [grid.take([g]) for g in range(points)]
    simulate(grid, 0, 1, 0)
    per_point_t, grid_t = [], []
    for r in range(max(1, repeats // 2)):
        start = time.perf_counter()
        for single in singles:
            simulate_reference(single, per, r)
        per_point_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        simulate(grid, 0, per, r)
        grid_t.append(time.perf_counter() - start)
    return {
        "scenario": {"portfolio": "nato", "states": sc.n_states, "steps": sc.n_steps},
        "kernel_one_core_state_steps_per_s": n * cells / one_core,
        "kernel_one_core_trajectories_per_s": n / one_core,
        "kernel_all_cores_trajectories_per_s": n * cores / all_cores,
        "kernel_all_cores_state_steps_per_s": n * cores * cells / all_cores,
        "cores": cores,
        "draws_per_trajectory": {
            k: float(v) / n
            for k, v in zip(forecaster.kernels.layout.DRAWS, counts.draws[0], strict=True)
        },
        "kernel_us_per_trajectory": 1e6 * one_core / n,
        "kernel_over_floor": statistics.median(kernel_t) / statistics.median(floor_t),
        "floor_us_per_trajectory": 1e6 * statistics.median(floor_t) / n,
        **old_row,
        "reference_trajectories_per_s": m / reference,
        "kernel_over_reference": (n / one_core) / (m / reference),
        "sweep_points": points,
        "per_point_calls_s": statistics.median(per_point_t),
        "grid_run_s": statistics.median(grid_t),
        "grid_run_over_per_point_calls": statistics.median(per_point_t) / statistics.median(grid_t),
    }


# ---------------------------------------------------------------- 4
def synthetic(n_states: int) -> dict:
    """A portfolio of ``n_states`` states: one adversary, the rest in one alliance."""
    spec = CASES["regional"]()
    states = {
        "ADV": {
            "gdp": 2000,
            "defense_share": 0.04,
            "region": "front",
            "adversary": True,
            "targets": {},
        }
    }
    members = []
    for i in range(n_states - 1):
        name = f"S{i:02d}"
        states[name] = {
            "gdp": 100.0 * (1 + i),
            "defense_share": 0.02,
            "region": "front" if i % 2 else "home",
            "reach": 0.3,
            "election_period": 4,
        }
        members.append(name)
        if i < 4:
            states["ADV"]["targets"][name] = 1.0
    spec["portfolio"] = {
        "name": f"synthetic{n_states}",
        "states": states,
        "interest": {},
        "alliances": {
            "pact": {
                "members": members,
                "leader": members[-1],
                "explicitness": 0.5,
                "interoperability": 0.6,
                "decision": "unilateral",
                "spending_target": 0.02,
                "exit": None,
            }
        },
    }
    if len(members) < 2:
        spec["portfolio"]["alliances"] = {}
    return spec


def fresh_run(portfolio: str, trajectories: int) -> tuple[float, float]:
    """Seconds and the driver's peak memory (MiB) of a run on a LocalCluster, in a fresh process.

    The cluster starts before the clock does; the run uses every core.
    """
    code = (
        "import resource, time, forecaster; from forecaster import execution as clusters; "
        f"cfg = forecaster.compose(['portfolio={portfolio}', 'run.trajectories={trajectories}', "
        f"'run.block_size={max(10_000, trajectories // 100)}', 'cluster=local']); "
        "clusters.get_client(forecaster.config.to_spec(cfg)['cluster']); "
        "t = time.perf_counter(); forecaster.run(cfg, progress=False); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(rss)


def growth(cfg: dict) -> dict:
    """Time and peak memory as trajectories, states, steps and grid points grow."""
    repeats = max(1, cfg["repeats"] // 2)
    out: dict = {}
    rows = []
    for n in cfg["trajectories"]:
        seconds, rss = fresh_run("regional", n)
        rows.append({"trajectories": n, "seconds": seconds, "peak_rss_mib": rss})
    out["trajectories"] = rows
    n = cfg["growth_n"]
    rows = []
    for s in cfg["states"]:
        scenario = compile_scenario(synthetic(s))
        simulate(scenario, 0, 1, 0)
        rows.append(
            {
                "states": s,
                "seconds": median_time(lambda r, c=scenario: simulate(c, 0, n, r), repeats),
            }
        )
    out["states"] = rows
    rows = []
    for horizon in cfg["horizons"]:
        spec = spec_of("portfolio=regional", f"run.horizon_years={horizon}")
        scenario = compile_scenario(spec)
        rows.append(
            {
                "steps": scenario.n_steps,
                "seconds": median_time(lambda r, c=scenario: simulate(c, 0, n, r), repeats),
            }
        )
    out["steps"] = rows
    rows = []
    for g in cfg["grid"]:
        scenario = compile_scenario(
            CASES["regional"](), grid={"threat.scale": list(np.linspace(0.5, 2, g))}
        )
        rows.append(
            {
                "grid_points": g,
                "seconds": median_time(lambda r, c=scenario: simulate(c, 0, n, r), repeats),
            }
        )
    out["grid_points"] = rows
    for key, rows in list(out.items()):
        x = np.log(
            [
                row[
                    {
                        "trajectories": "trajectories",
                        "states": "states",
                        "steps": "steps",
                        "grid_points": "grid_points",
                    }[key]
                ]
                for row in rows
            ]
        )
        y = np.log([row["seconds"] for row in rows])
        out[f"{key}_exponent"] = float(np.polyfit(x, y, 1)[0])
    return out


# ---------------------------------------------------------------- 5-6
def end_to_end(cfg: dict) -> dict:
    """The ``forecast`` command on the default scenario; dask overhead; 1 -> 2 workers."""
    forecast = Path(sys.executable).parent / "forecast"
    n = cfg["end_to_end"]
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [str(forecast), f"run.trajectories={n}", f"hydra.run.dir={out}"],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
    m = cfg["overhead"]
    base = ["portfolio=nato", f"run.trajectories={m}", f"run.block_size={max(1000, m // 4)}"]
    sc = nato()
    simulate(sc, 0, 2, 0)
    one = forecaster.compose([*base, "cluster=local", "cluster.n_workers=1"])
    two = forecaster.compose([*base, "cluster=local", "cluster.n_workers=2"])
    for c in (one, two):
        clusters.get_client(forecaster.config.to_spec(c)["cluster"])
    single, on_one, on_two = [], [], []
    for r in range(cfg["repeats"]):
        for bucket, fn in (
            (single, lambda r=r: simulate(sc, 0, m, r)),
            (on_one, lambda: forecaster.run(one, progress=False)),
            (on_two, lambda: forecaster.run(two, progress=False)),
        ):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    clusters.close_all()
    return {
        "forecast_trajectories": n,
        "forecast_wall_s": wall,
        "forecast_trajectories_per_s": n / wall,
        "dask_one_worker_over_single_call": statistics.median(on_one) / statistics.median(single),
        "speedup_one_to_two_workers": statistics.median(on_one) / statistics.median(on_two),
    }


def _peak_rss(args: list[str], seconds: float) -> dict:
    """Peak RSS of ``forecast ARGS`` (driver and its worker processes) over its first
    ``seconds`` (then SIGTERM), how it ended, and after how long."""
    import signal

    import psutil

    forecast = Path(sys.executable).parent / "forecast"
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(forecast), *args, f"hydra.run.dir={out}/run"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        watched, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None and time.perf_counter() - start < seconds:
            try:
                procs = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.2)
        ran = time.perf_counter() - start
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    return {"peak_rss_mb": peak / 1e6, "seconds": ran, "exit": code}


def bounds(cfg: dict) -> dict:
    """Driver memory of large NATO requests: 10^7 trajectories at block sizes 100 and 100,000
    over their first seconds, and the refusals of 10^12 trajectories and of block size 1."""
    base = ["portfolio=nato", "cluster=local", "output.summary=false"]
    window = cfg["bounds_s"]
    return {
        "block_100": _peak_rss([*base, "run.trajectories=10000000", "run.block_size=100"], window),
        "block_100000": _peak_rss(
            [*base, "run.trajectories=10000000", "run.block_size=100000"], window
        ),
        "refused_1e12": _peak_rss([*base, "run.trajectories=1000000000000"], 120),
        "refused_block_1": _peak_rss([*base, "run.trajectories=100000", "run.block_size=1"], 120),
    }


def compile_and_cache() -> dict:
    """First-call compile time with an empty numba cache, then start-up with a warm one,
    and ``import forecaster`` alone (median time of 3 fresh processes, modules loaded)."""
    code = (
        "import time; t = time.perf_counter(); import forecaster; "
        "from forecaster.engine import simulate; "
        "from forecaster.scenario import compile_scenario; "
        "from forecaster.testing import spec_of; "
        "simulate(compile_scenario(spec_of('portfolio=regional')), 0, 1, 0); "
        "print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        times = []
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            times.append(float(done.stdout.strip().splitlines()[-1]))
    return {"cold_start_s": times[0], "warm_start_s": times[1], **import_timing.import_figures(3)}


# ---------------------------------------------------------------- output
def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba
    import xarray

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "numpy": np.__version__,
        "xarray": xarray.__version__,
        "forecaster": forecaster.__version__,
        "platform": platform.platform(),
    }


def plot_growth(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8), constrained_layout=True)
    for ax, (key, label) in zip(
        axes,
        [
            ("trajectories", "trajectories"),
            ("states", "states"),
            ("steps", "steps"),
            ("grid_points", "grid points"),
        ],
        strict=True,
    ):
        rows = result["growth"][key]
        x = [row[key] for row in rows]
        ax.loglog(x, [row["seconds"] for row in rows], "o-", label="time (s)")
        ax.set_xticks(x, [str(v) for v in x], minor=False)
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xlabel(label)
        ax.set_ylabel("seconds")
        ax.set_title(f"time ∝ {label}^{result['growth'][f'{key}_exponent']:.2f}", fontsize=10)
        if key == "trajectories":
            twin = ax.twinx()
            twin.semilogx(x, [row["peak_rss_mib"] for row in rows], "s--", color="C1")
            twin.set_ylabel("peak memory (MiB)", color="C1")
            twin.set_ylim(bottom=0)
    fig.suptitle("forecaster: cost growth, regional portfolio (trajectories: all cores, driver "
                 "memory; others: one core); log-log")  # fmt: skip
    fig.savefig(path, dpi=90)
    plt.close(fig)


def check(result: dict, sections: list[str]) -> list[str]:
    """Figures that are missing or not finite (empty when the run is complete)."""
    bad = []

    def walk(node, prefix=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{prefix}.{k}" if prefix else k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{prefix}[{i}]")
        elif isinstance(node, float) and not math.isfinite(node):
            bad.append(prefix)

    walk(result)
    bad += [section for section in sections if section not in result]
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_const", dest="mode", const="quick")
    mode.add_argument("--full", action="store_const", dest="mode", const="full")
    parser.add_argument("--output-dir", type=Path, default=HERE / "results")
    parser.add_argument(
        "--sections",
        default="throughput,growth,end_to_end,compile,bounds",
        help="comma-separated subset to run (a partial run is written as <stem>-partial.json)",
    )
    args = parser.parse_args(argv)
    cfg = MODES[args.mode]
    started = time.perf_counter()
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": args.mode,
        "machine": machine(),
    }
    sections = args.sections.split(",")
    for name, fn in (
        ("throughput", lambda: throughput(cfg)),
        ("growth", lambda: growth(cfg)),
        ("end_to_end", lambda: end_to_end(cfg)),
        ("compile", compile_and_cache),
        ("bounds", lambda: bounds(cfg)),
    ):
        if name not in sections:
            continue
        print(f"[{time.perf_counter() - started:6.0f} s] {name} ...", flush=True)
        result[name] = fn()
    result["suite_wall_s"] = time.perf_counter() - started
    args.output_dir.mkdir(parents=True, exist_ok=True)
    stem = dt.date.today().isoformat() + ("-quick" if args.mode == "quick" else "")
    complete = all(
        name in result for name in ("throughput", "growth", "end_to_end", "compile", "bounds")
    )
    if not complete:
        stem += "-partial"
    (args.output_dir / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    if "growth" in result:
        plot_growth(result, args.output_dir / f"{stem}-growth.png")
    print(json.dumps(result, indent=2))
    problems = check(result, sections)
    if problems:
        print(f"missing or non-finite figures: {problems}", file=sys.stderr)
        return 1
    print(f"written: {args.output_dir / (stem + '.json')} and {stem}-growth.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

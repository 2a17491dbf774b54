"""Validation and compilation times of this tree and of an earlier commit, side by side.

    python benchmarks/compile_timing.py --before 68f1dd6    # the hand-written compiler

Times ``compile_scenario(nato, points=[...512 design points...])`` (validate and
compile a sensitivity design) and ``forecaster.check(cfg)`` on the default config,
each in a fresh process per repeat, alternating between the two trees (the
earlier one extracted with ``git archive``), and prints the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, time
import numpy as np
import forecaster
from forecaster.scenario import compile_scenario
from forecaster.testing import spec_of

spec = spec_of()
rng = np.random.default_rng(0)
points = [
    {"threat.scale": float(a), "political.turnover": float(b),
     "portfolio.alliances.nato.spending_target": float(c), "threat.resolve.median": 0.1 + float(d)}
    for a, b, c, d in rng.uniform(0, 1, (512, 4))
]
compile_scenario(spec, points=points[:4])
start = time.perf_counter()
compile_scenario(spec, points=points)
design = time.perf_counter() - start
cfg = forecaster.compose([])
forecaster.check(cfg)
start = time.perf_counter()
for _ in range(20):
    forecaster.check(cfg)
check = (time.perf_counter() - start) / 20
print(json.dumps({"design_512_s": design, "check_s": check, "source": forecaster.__file__}))
"""


def probe(pythonpath: str | None) -> dict[str, float]:
    env = None
    if pythonpath is not None:
        import os

        env = {**os.environ, "PYTHONPATH": pythonpath}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env,
        cwd=pythonpath or ROOT, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier commit")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as before:
        archive = subprocess.run(
            ["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", before], input=archive, check=True)
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for _ in range(args.repeats):
            runs["before"].append(probe(before))
            runs["after"].append(probe(None))
    print(f"medians of {args.repeats} fresh processes each, alternating")
    for name, values in runs.items():
        design = statistics.median(v["design_512_s"] for v in values)
        check = statistics.median(v["check_s"] for v in values)
        print(f"{name:>6} ({values[0]['source']}): 512-point design {design:.3f} s, "
              f"check(default) {1000 * check:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

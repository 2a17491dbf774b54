"""``import forecaster`` in this tree and in an earlier commit, side by side.

    python benchmarks/import_timing.py --before 2116baf     # before the light import

Each repeat imports forecaster in a fresh process, alternating between the two
trees (the earlier one extracted with ``git archive``), and reports the median
import time, the number of modules loaded and which heavy optional stacks came
with it. Times vary with the machine's load; the module counts do not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["statsmodels", "matplotlib", "SALib", "scipy.optimize", "scipy.stats"]

PROBE = f"""
import json, sys, time
start = time.perf_counter()
import forecaster
seconds = time.perf_counter() - start
print(json.dumps({{"import_s": seconds, "modules": len(sys.modules),
                  "heavy": [m for m in {HEAVY!r} if m in sys.modules],
                  "source": forecaster.__file__}}))
"""


def probe(tree: Path) -> dict:
    """One fresh interpreter importing forecaster from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=tree,
        check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(result["source"]).is_relative_to(tree):
        raise RuntimeError(f"imported {result['source']}, not the tree {tree}")
    return result


def import_figures(repeats: int) -> dict:
    """This tree's median import time and its module count (the benchmark suite's figure)."""
    runs = [probe(ROOT) for _ in range(repeats)]
    return {
        "import_s": statistics.median(r["import_s"] for r in runs),
        "import_modules": runs[0]["modules"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier commit")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        before = Path(directory)
        archive = subprocess.run(
            ["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", before], input=archive, check=True)
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for _ in range(args.repeats):
            runs["before"].append(probe(before))
            runs["after"].append(probe(ROOT))
    print(f"import forecaster: medians of {args.repeats} fresh processes each, alternating")
    for name, values in runs.items():
        seconds = statistics.median(v["import_s"] for v in values)
        print(f"{name:>6} ({values[0]['source']}): {seconds:.2f} s, "
              f"{values[0]['modules']} modules, heavy stacks loaded: "
              f"{', '.join(values[0]['heavy']) or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()

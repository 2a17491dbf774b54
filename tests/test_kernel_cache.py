"""The kernels' numba cache (``kernels/_cache.py``): an edit anywhere in kernels/ recompiles.

numba's own cache checks only the file that defines a function, so an edit to a
helper in another file would leave a stale compiled kernel that gives wrong
numbers silently. These tests run a copy of the kernels package, with its real
``KernelSourcesLocator``, in fresh interpreters on a cache of their own, and read
numba's dispatcher statistics.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import forecaster.kernels

pytestmark = pytest.mark.slow

KERNELS = Path(forecaster.kernels.__file__).resolve().parent
PACKAGE = "kernels_copy"
#: one uniform draw through ``samplers.sample``, which calls ``rng.uniform`` (another file)
PROBE = f"""
import json
import numpy as np
from {PACKAGE}.samplers import UNIFORM, sample

value = sample(UNIFORM, 0.0, 1.0, 0.0, np.uint64(11), 3, 0, 1, 0)
stats = sample.stats
print(json.dumps({{"value": value, "hits": sum(stats.cache_hits.values()),
                  "misses": sum(stats.cache_misses.values()), "path": stats.cache_path}}))
"""
HELPER = "    return word_uniform(_word(w0, w1, w2, w3, index & 3))\n"


def _probe(root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root), "NUMBA_CACHE_DIR": str(root / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def kernels_copy(tmp_path: Path) -> Path:
    """A copy of the kernels package (no compiled files) and an empty cache beside it."""
    shutil.copytree(KERNELS, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_an_unchanged_tree_loads_every_kernel_from_the_cache(kernels_copy):
    first = _probe(kernels_copy)
    assert (first["hits"], first["misses"]) == (0, 1)  # compiled, and written
    # the locator keyed the entry in the cache folder it was given
    assert Path(first["path"]).is_relative_to(kernels_copy / "cache")
    assert list(Path(first["path"]).glob("samplers.sample-*.nbi"))
    again = _probe(kernels_copy)
    assert (again["hits"], again["misses"]) == (1, 0)
    assert again["value"] == first["value"]


def test_an_edit_to_a_helper_in_another_file_recompiles(kernels_copy):
    before = _probe(kernels_copy)
    rng = kernels_copy / PACKAGE / "rng.py"
    source = rng.read_text()
    assert source.count(HELPER) == 1  # rng.uniform's return statement, as the probe expects
    # the uniform draw mirrored: numba's own stamp (samplers.py unchanged) would keep
    # the old compiled sample and its old value
    rng.write_text(source.replace(HELPER, HELPER.replace("return ", "return 1.0 - ")))
    after = _probe(kernels_copy)
    assert (after["hits"], after["misses"]) == (0, 1)
    assert after["value"] == pytest.approx(1.0 - before["value"], abs=1e-12)

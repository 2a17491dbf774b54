"""Pinned counts: every shipped scenario's counters at a fixed seed, as SHA-256 digests.

The expected digests live in ``tests/data/pinned_counts.json`` beside the two
versions that own the numbers: ``forecaster.kernels.STREAM_VERSION`` (the
mapping from keys to random variates) and the package version (the model).
Any change to any integer count of any shipped portfolio or experiment fails
:func:`test_counts_match_their_pinned_digests` until the change is made on
purpose (OpenQuake's ``OVERWRITE_EXPECTED`` habit):

1. bump ``STREAM_VERSION`` (kernels/rng.py) if the draws changed, or the
   package version (``version`` in pyproject.toml, then ``pip install -e .``)
   if the model changed;
2. regenerate the file::

       FORECASTER_OVERWRITE_EXPECTED=1 .venv/bin/python -m pytest tests/test_pinned_counts.py

3. commit the new file with the change that moved the numbers, saying why.

Only the integer counters are pinned (every count, the histograms and the
draw tallies): they are exact whatever the block size or the scheduler; the
floating-point moment sums agree only to rounding across splits
(``forecaster.engine.counters``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

import forecaster
from forecaster import execution
from forecaster._version import __version__
from forecaster.config import to_spec
from forecaster.engine import Counters
from forecaster.execution import execute, get_client
from forecaster.kernels import STREAM_VERSION
from forecaster.scenario import Scenario
from forecaster.testing import simulate_in_order

PINNED = Path(__file__).parent / "data" / "pinned_counts.json"
CONF = Path(forecaster.__file__).parent / "conf"
OVERWRITE = os.environ.get("FORECASTER_OVERWRITE_EXPECTED") == "1"
REGENERATE = (
    "FORECASTER_OVERWRITE_EXPECTED=1 .venv/bin/python -m pytest tests/test_pinned_counts.py"
)
SEED = 20
#: trajectories per grid point: enough that every portfolio sees crises and wars
#: (a change of any draw moves many counts), few enough to keep the test fast
TRAJECTORIES = 1000
#: the sweep of an experiment has many grid points; fewer trajectories each
SWEEP_TRAJECTORIES = 100


def _cases() -> dict[str, list[str]]:
    """Every shipped portfolio (default groups and calibration) and every experiment."""
    cases = {
        f"portfolio={p.stem}": [f"portfolio={p.stem}"]
        for p in sorted((CONF / "portfolio").glob("*.yaml"))
    }
    for e in sorted((CONF / "experiment").glob("*.yaml")):
        cases[f"+experiment={e.stem}"] = [f"+experiment={e.stem}"]
    return cases


CASES = _cases()


def count_digest(counters: Counters) -> str:
    """SHA-256 of every integer counter: name, dtype, shape and little-endian bytes."""
    sha = hashlib.sha256()
    arrays = {"n_trajectories": counters.n_trajectories, **counters.integer_arrays()}
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name], dtype="<i8")
        sha.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        sha.update(array.tobytes())
    return sha.hexdigest()


def _scenario(overrides: list[str]) -> Scenario:
    cfg = forecaster.compose([*overrides, "debug=quick"])
    return forecaster.check(cfg)


def _trajectories(scenario: Scenario) -> int:
    return TRAJECTORIES if scenario.n_rows == 1 else SWEEP_TRAJECTORIES


def _digest(overrides: list[str], block_size: int | None = None) -> str:
    scenario = _scenario(overrides)
    n = _trajectories(scenario)
    return count_digest(simulate_in_order(scenario, n, SEED, block_size or n))


def _versions() -> dict[str, object]:
    return {"random_stream_version": STREAM_VERSION, "forecaster_version": __version__}


def _pinned() -> dict:
    return json.loads(PINNED.read_text())


@pytest.fixture(scope="module")
def pinned() -> dict:
    if OVERWRITE:
        digests = {name: _digest(overrides) for name, overrides in CASES.items()}
        PINNED.write_text(
            json.dumps(
                {
                    **_versions(),
                    "seed": SEED,
                    "trajectories": TRAJECTORIES,
                    "sweep_trajectories": SWEEP_TRAJECTORIES,
                    "regenerate": REGENERATE,
                    "digests": digests,
                },
                indent=2,
            )
            + "\n"
        )
    return _pinned()


def test_the_pins_belong_to_this_stream_and_model_version(pinned):
    stored = {key: pinned[key] for key in _versions()}
    assert stored == _versions(), (
        f"{PINNED.name} pins the counts of {stored}, and this is {_versions()}: "
        f"if the numbers were meant to change with the version, regenerate them with "
        f"`{REGENERATE}` and commit the file"
    )
    assert (pinned["seed"], pinned["trajectories"]) == (SEED, TRAJECTORIES)


def test_every_shipped_scenario_is_pinned(pinned):
    assert sorted(pinned["digests"]) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_counts_match_their_pinned_digests(case, pinned):
    assert _digest(CASES[case]) == pinned["digests"].get(case), (
        f"the counts of `forecast {' '.join(CASES[case])}` (seed {SEED}) changed under "
        f"random stream version {STREAM_VERSION} and forecaster {__version__}. If the change "
        f"is meant, bump kernels.STREAM_VERSION (other draws) or the package version (another "
        f"model) on purpose, regenerate with `{REGENERATE}` and commit "
        f"tests/data/{PINNED.name}; otherwise a change altered the numbers unnoticed"
    )


def test_the_digest_sees_a_single_count_change():
    scenario = _scenario(["portfolio=regional"])
    counters = simulate_in_order(scenario, 50, SEED, 50)
    before = count_digest(counters)
    counters.histograms[0, 0, -1] += 1
    assert count_digest(counters) != before


@pytest.fixture(scope="module")
def close_clusters():
    yield
    execution.close_all()


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_pinned_digests_do_not_depend_on_block_size_or_dask(case, pinned, close_clusters):
    scenario = _scenario(CASES[case])
    n = _trajectories(scenario)
    expected = pinned["digests"][case]
    for block_size in (1 if n <= 100 else 37, n // 3 + 1):
        counters = simulate_in_order(scenario, n, SEED, block_size)
        assert count_digest(counters) == expected, f"block_size={block_size}"
    cluster = to_spec(forecaster.compose(["cluster=local", "cluster.n_workers=2"]))["cluster"]
    total, _ = execute(scenario, SEED, n, n // 4 + 1, client=get_client(cluster), progress=False)
    assert count_digest(total) == expected, "dask, two workers"

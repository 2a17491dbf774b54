"""A light import: ``import forecaster`` loads what a run needs, the rest on use.

Module presence, never time (benchmarks/import_timing.py measures the time).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import forecaster

#: optional or heavy stacks a run does not need: they load when first used
NOT_ON_IMPORT = [
    "statsmodels",
    "matplotlib",
    "SALib",
    "scipy.optimize",
    "scipy.stats",
    "forecaster.calibration",
    "forecaster.history",
    "forecaster.analysis.sensitivity",
    "forecaster.analysis.compare",
    "forecaster.analysis.report",
    "forecaster.cli",
]
#: what a run needs, so the list above is not met by a broken import
ON_IMPORT = ["forecaster.api", "forecaster.engine", "forecaster.results", "numba", "xarray"]


@pytest.fixture(scope="module")
def loaded() -> set[str]:
    """The modules a fresh interpreter holds after ``import forecaster``."""
    code = "import json, sys; import forecaster; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("module", NOT_ON_IMPORT)
def test_import_forecaster_does_not_load(module, loaded):
    assert module not in loaded, f"`import forecaster` loads {module}; load it on use instead"


@pytest.mark.parametrize("module", ON_IMPORT)
def test_import_forecaster_loads_what_a_run_needs(module, loaded):
    assert module in loaded


def test_import_forecaster_registers_the_dataset_accessor():
    import xarray as xr

    assert hasattr(xr.Dataset(), "forecast")


def test_lazy_names_load_on_first_use():
    from forecaster.analysis import compare as compare_module
    from forecaster.analysis import sensitivity

    assert forecaster.compare is compare_module.compare
    assert forecaster.format_comparison is compare_module.format_comparison
    assert forecaster.analysis.sobol is sensitivity.sobol
    assert "compare" in dir(forecaster) and "sobol" in dir(forecaster.analysis)
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        forecaster.nonesuch  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        forecaster.analysis.nonesuch  # noqa: B018

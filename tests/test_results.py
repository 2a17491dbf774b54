"""The results dataset: documented variables, sane estimates, zarr round trip."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import forecaster
from forecaster.analysis import base_rates

DOCS = Path(__file__).resolve().parents[1] / "docs" / "results.md"


@pytest.fixture(scope="module")
def dataset():
    cfg = forecaster.compose(
        [
            "portfolio=regional",
            "run.trajectories=400",
            "run.seed=4",
            "run.block_size=150",
            "debug=quick",
        ]
    )
    return forecaster.run(cfg, progress=False)


def test_every_variable_is_documented(dataset):
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text()))
    twins = ("_se", "_lower", "_upper")
    missing = [v for v in dataset.data_vars if not v.endswith(twins) and v not in documented]
    assert not missing, f"add to docs/results.md: {missing}"
    for name, var in dataset.data_vars.items():
        assert var.attrs.get("long_name"), name
        assert var.attrs.get("units") == "1", name
        if name.startswith("mean_") and not name.endswith(twins):
            assert var.attrs["ancillary_variables"] == f"{name}_se"
        if name.startswith("p_") and not name.endswith(twins):
            assert var.attrs["ancillary_variables"] == f"{name}_se {name}_lower {name}_upper"
            assert {f"{name}_se", f"{name}_lower", f"{name}_upper"} <= set(dataset.data_vars)
            assert f"{name}_se" in dataset


def test_probabilities_are_probabilities(dataset):
    for name, var in dataset.data_vars.items():
        if name.startswith("p_") and not name.endswith("_se"):
            values = var.values[~np.isnan(var.values)]
            assert values.min() >= 0 and values.max() <= 1, name


def test_by_time_probabilities_never_decrease(dataset):
    for name in ("p_war", "p_entrapment", "p_abandonment", "p_targeted", "p_any_war"):
        assert (dataset[name].diff("time") >= 0).all(), name


def test_exceedance_starts_at_one_and_decreases(dataset):
    assert float(dataset.p_wars_at_least.isel(count=0)) == 1.0
    assert (dataset.p_crises_at_least.diff("count") <= 0).all()


def test_results_round_trip_through_zarr_exactly(dataset, tmp_path):
    path = tmp_path / "results.zarr"
    dataset.to_zarr(path, mode="w", consolidated=False)
    back = xr.open_zarr(path, consolidated=False).load()
    xr.testing.assert_identical(back, dataset)


def test_base_rates_are_in_range(dataset):
    rates = {**base_rates.portfolio_rates(dataset, "PATRON"),
             **base_rates.member_rates(dataset, "PROTEGE")}  # fmt: skip
    for key, rate in rates.items():
        assert 0 <= rate.value <= 1 and rate.se >= 0, key
    shares = base_rates.spending(dataset)
    assert set(shares) == {"PATRON", "PROTEGE", "ALLY_A", "ALLY_B"}

"""Fixtures: the shared scenario cases (``forecaster.testing``) and run boilerplate."""

from __future__ import annotations

import pytest

from forecaster.testing import CASES, SYNTHETIC


@pytest.fixture(params=SYNTHETIC)
def scenario_spec(request) -> tuple[str, dict]:
    return request.param, CASES[request.param]()

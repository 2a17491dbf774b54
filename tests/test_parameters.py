"""The one parameter table agrees with the kernels' layout and generates the docs' table."""

from __future__ import annotations

from pathlib import Path

from forecaster.kernels import layout
from forecaster.scenario import parameters
from forecaster.scenario.compile import PARAMETER_DOMAINS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_the_table_is_the_kernels_parameter_order():
    assert tuple(p.key for p in parameters.PARAMETERS) == layout.PARAMETERS


def test_the_compiler_checks_ranges_from_the_table():
    assert PARAMETER_DOMAINS == parameters.DOMAINS


def test_the_docs_table_is_generated_from_the_table():
    text = DOCS.read_text()
    assert parameters.BEGIN in text and parameters.END in text
    assert parameters.render(text) == text, (
        "docs/configuration.md's parameter table drifted from forecaster/scenario/parameters.py; "
        "rewrite it with: python -m forecaster.scenario.parameters docs/configuration.md"
    )

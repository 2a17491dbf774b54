"""All moments and the population summary in one call."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from forecaster.history import data
from forecaster.history.deterrence import deterrence_moments
from forecaster.history.honour import honour_moments
from forecaster.history.institutions import institution_moments
from forecaster.history.moments import (
    Moment,
    distant_war_moments,
    mid_outcome_moments,
    nato_spending_moment,
    reliability_moments,
    targeting_moments,
    termination_moments,
    war_entry_moments,
)
from forecaster.history.population import historical_world

DEFAULT_PORTFOLIO = data.REPO_ROOT / "conf" / "portfolio" / "nato.yaml"
DEFAULT_OUTPUT = data.REPO_ROOT / "conf" / "moments" / "history.yaml"


def derive_moments(
    data_dir: str | os.PathLike[str] | None = None, portfolio: Path = DEFAULT_PORTFOLIO
) -> dict[str, Moment]:
    """Every calibration moment, in the order they are written.

    Parameters
    ----------
    data_dir
        The history data directory; see :func:`forecaster.history.data.resolve_data_dir`.
    portfolio
        The NATO portfolio YAML holding 2024 GDP and defence shares.
    """
    path = data.resolve_data_dir(data_dir)
    moments: dict[str, Moment] = {}
    for part in (
        targeting_moments(path),
        war_entry_moments(path),
        distant_war_moments(path),
        mid_outcome_moments(path),
        reliability_moments(path),
        honour_moments(path),
        termination_moments(path),
        institution_moments(path),
        deterrence_moments(path),
        nato_spending_moment(Path(portfolio)),
    ):
        moments.update(part)
    return moments


def derive_population(data_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The historical-world summary (see :func:`forecaster.history.population.historical_world`)."""
    return historical_world(data.resolve_data_dir(data_dir))

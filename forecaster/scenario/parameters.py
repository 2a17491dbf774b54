"""The one table of scenario parameters: key, allowed range of draws, when drawn.

The kernels read the parameters in this order (``kernels/layout.py:
PARAMETERS``; a test holds the two together). The compiler checks every
parameter's draws against its range from here, and the parameter table of
``docs/configuration.md`` is generated from here (a test fails if they drift;
``python -m forecaster.scenario.parameters docs/configuration.md`` rewrites it).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

#: the allowed range of a parameter's draws: (low, high, as said in messages)
Range = tuple[float, float, str]
UNIT: Range = (0.0, 1.0, "in [0, 1]")
NONNEG: Range = (0.0, math.inf, ">= 0")
POSITIVE: Range = (1e-300, math.inf, "> 0")
REAL: Range = (-math.inf, math.inf, "a real number")


@dataclass(frozen=True)
class Parameter:
    """One scenario parameter: a number or a distribution whose draws stay in ``range``."""

    key: str
    range: Range
    per: str = "trajectory"  # when a distribution is drawn: per trajectory or per crisis


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("threat.scale", NONNEG),
    Parameter("threat.opportunity_rate", NONNEG),
    Parameter("threat.resolve", NONNEG, per="crisis"),
    Parameter("threat.defender_resolve", NONNEG, per="crisis"),
    Parameter("threat.war_cost", NONNEG),
    Parameter("threat.contest_exponent", POSITIVE),
    Parameter("threat.capability_growth", REAL),
    Parameter("threat.provocation_rate", NONNEG),
    Parameter("threat.moral_hazard", NONNEG),
    Parameter("threat.provoked_resolve", NONNEG),
    Parameter("threat.misperception", NONNEG),
    Parameter("threat.war_duration_years", POSITIVE),
    Parameter("threat.attrition", NONNEG),
    Parameter("fiscal.growth", REAL),
    Parameter("fiscal.volatility", NONNEG),
    Parameter("fiscal.common_shock", UNIT),
    Parameter("fiscal.compliance", UNIT),
    Parameter("fiscal.free_riding", NONNEG),
    Parameter("fiscal.austerity", NONNEG),
    Parameter("fiscal.war_surge", NONNEG),
    Parameter("fiscal.adjustment_speed", NONNEG),
    Parameter("fiscal.spending_noise", NONNEG),
    Parameter("fiscal.depreciation", POSITIVE),
    Parameter("fiscal.war_drag", NONNEG),
    Parameter("political.support", UNIT),
    Parameter("political.support_volatility", NONNEG),
    Parameter("political.mean_reversion", NONNEG),
    Parameter("political.burden_resentment", NONNEG),
    Parameter("political.turnover", UNIT),
    Parameter("political.honour.intercept", REAL),
    Parameter("political.honour.explicitness", REAL),
    Parameter("political.honour.support", REAL),
    Parameter("political.honour.reputation", REAL),
    Parameter("political.honour.interest", REAL),
    Parameter("political.honour.sceptic", REAL),
    Parameter("political.honour.recession", REAL),
    Parameter("political.hollow_threshold", UNIT),
    Parameter("political.hollow_penalty", NONNEG),
    Parameter("political.reputation_initial", UNIT),
    Parameter("political.reputation_learning", UNIT),
    Parameter("political.abandonment_backlash", NONNEG),
    Parameter("political.entrapment_backlash", NONNEG),
    Parameter("political.war_weariness", NONNEG),
    Parameter("political.consensus_drag", UNIT),
    Parameter("political.entrapment_threshold", UNIT),
    Parameter("political.termination_rate", NONNEG),
    # MODEL v2 (appended: the kernels keep v1.1's indices and random keys)
    Parameter("threat.fait_accompli", UNIT),
    Parameter("threat.stalemate", UNIT),
    Parameter("political.honour.co_obligated", NONNEG),
    # issue 18: intervention without obligation (appended likewise)
    Parameter("threat.intervention", UNIT),
    Parameter("threat.intervention_distant", UNIT),
    # issue 18: termination hazards by institutionalisation tier (appended likewise)
    Parameter("political.termination_by_tier.low", NONNEG),
    Parameter("political.termination_by_tier.moderate", NONNEG),
    Parameter("political.termination_by_tier.high", NONNEG),
    Parameter("political.honour.institutionalised", UNIT),
)

#: ``{key: (low, high, description)}`` for the compiler's range checks
DOMAINS: dict[str, Range] = {p.key: p.range for p in PARAMETERS}

BEGIN = "<!-- parameters: generated from forecaster/scenario/parameters.py; do not edit -->"
END = "<!-- end of generated parameters -->"


def markdown_table() -> str:
    """The parameter table of ``docs/configuration.md``."""
    rows = [
        "| key | allowed draws | a distribution is drawn per |",
        "|---|---|---|",
    ]
    rows += [f"| `{p.key}` | {p.range[2]} | {p.per} |" for p in PARAMETERS]
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` (a docs page) with its generated block replaced by the current table."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{markdown_table()}\n{END}{tail}"


if __name__ == "__main__":
    page = Path(sys.argv[1])
    page.write_text(render(page.read_text()))

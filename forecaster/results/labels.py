"""Human labels for config keys and outcomes: the one table that summaries, tables,
reports and figures take their words from.

>>> key_label("portfolio.alliances.nato.explicitness")
'Article 5 explicitness (nato)'
>>> key_label("portfolio.alliances.pact.escalation_control")
'escalation control (pact)'
>>> key_label("threat.scale")
'threat level (× opportunity rate)'
"""

from __future__ import annotations

import fnmatch

#: config key (``*`` matches one name: an alliance or a state) → label; ``{0}`` is that name.
#: The first matching pattern wins, so specific keys come before their pattern.
KEY_LABELS: dict[str, str] = {
    "portfolio.alliances.nato.explicitness": "Article 5 explicitness (nato)",
    "portfolio.alliances.*.explicitness": "commitment explicitness ({0})",
    "portfolio.alliances.*.escalation_control": "escalation control ({0})",
    "portfolio.alliances.*.spending_target": "spending target, share of GDP ({0})",
    "portfolio.states.*.defense_share": "defence share of GDP ({0})",
    "portfolio.states.*.gdp": "GDP ({0})",
    "threat.scale": "threat level (× opportunity rate)",
    "threat.provocation_rate": "provocation rate (per year)",
    "threat.provoked_resolve": "resolve of a provoked adversary (×)",
    "threat.moral_hazard": "moral hazard",
    "threat.misperception": "misperception (sd, logit)",
    "threat.war_cost": "cost of war",
    "portfolio": "portfolio",
}

#: outcome variable → (short label, what it is)
OUTCOMES: dict[str, tuple[str, str]] = {
    "p_war": ("P(war)", "took part in a war by the horizon"),
    "p_entrapment": (
        "P(entrapment)",
        "at war by honouring a commitment in a crisis the protected ally provoked",
    ),
    "p_abandonment": (
        "P(abandonment)",
        "attacked (a war) while its allies delivered under half the defence they owed",
    ),
    "p_entanglement": ("P(entanglement)", "at war by honouring a commitment, by the horizon"),
    "p_unsupported_crisis": (
        "P(unsupported crisis)",
        "a crisis, war or not, in which its allies delivered under half they owed",
    ),
    "p_low_interest_or_provoked_war": (
        "P(war for low interest or provoker)",
        "at war by honouring, for an ally of low interest (< threshold) or one that provoked",
    ),
    "p_targeted": ("P(targeted)", "targeted in a crisis by the horizon"),
    "p_honour_war": ("reliability (wartime)", "honoured / casus foederis events that became wars"),
    "p_honour": ("reliability (all events)", "honoured / all casus foederis events"),
    "p_deterred": ("P(deterred)", "opportunities against the state that were deterred"),
    "p_intact": ("P(intact)", "alliance intact at the horizon"),
    "p_member_war": ("P(member at war)", "some member took part in a war by the horizon"),
    "p_any_war": ("P(any war)", "some non-adversary state at war by the horizon"),
    "p_major_war": ("P(major war)", "a war with three or more participants by the horizon"),
}


def key_label(key: str) -> str:
    """The human label of a config key (its last part in words when the table lacks it)."""
    parts = key.split(".")
    for pattern, label in KEY_LABELS.items():
        if fnmatch.fnmatchcase(key, pattern):
            names = [k for k, p in zip(parts, pattern.split("."), strict=False) if p == "*"]
            return label.format(*(names or [""]))
    entity = parts[2] if len(parts) > 3 and parts[0] == "portfolio" else ""
    words = parts[-1].replace("_", " ")
    return f"{words} ({entity})" if entity else words


def outcome_label(var: str) -> str:
    """The short label of an outcome variable, e.g. ``P(war)`` for ``p_war``."""
    if var in OUTCOMES:
        return OUTCOMES[var][0]
    if var.startswith("p_") and var.endswith("_at_least"):
        return f"P({var[2:-9]} ≥ n)"
    return var

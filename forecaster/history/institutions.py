"""Alliance survival by military institutionalisation (ATOP 4.01).

ATOP codes each alliance's military institutionalisation as ``milinst``: 0 low,
1 moderate, 2 high (Leeds & Anac 2005). In the 4.01 alliance-level file, 87 of the
89 high-tier alliances have an integrated command (``intcom``), forces
subordinated to an ally (``subord``) or bases (``base``); the moderate tier is
mostly military contact, a military organisation or aid (``milcon``, ``organ1``,
``milaid``). NATO (3180), the US–Japan treaty of 1960 (3375) and the US–ROK
treaty (3240) are all in the high tier (bases).

Two hazards per tier, over the alliances formed from 1945 (the era the portfolios
live in), each terminations over alliance-years at risk with a Poisson error as
in :func:`forecaster.history.moments.termination_moments`:

- *termination* (any cause, ATOP's end date): a treaty replaced by a new one
  among the same states ends here too (the US–Japan treaty of 1951 in 1960,
  the US–Spain agreements of 1953, 1963 and 1970);
- *dissolution*: a termination after which the members no longer share any
  ATOP alliance in the next year (member level: every member of the ended
  alliance a member of one alliance in effect then). This is the end of the
  commitment a model's alliance termination stands for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.history import data
from forecaster.history.estimators import poisson_rate
from forecaster.history.moments import ATOP4, ATOP4_LAST, Moment

#: ATOP's ``milinst`` codes and the tier names the portfolios use.
TIERS = {0: "low", 1: "moderate", 2: "high"}
#: ATOP ids of the shipped portfolios' institutionalised pacts, for the notes.
KNOWN = {3180: "NATO", 3375: "US-Japan (1960)", 3240: "US-ROK"}
FIRST = 1945


def alliance_spells(data_dir: Path) -> pd.DataFrame:
    """One row per ATOP 4.01 alliance: ``atopid, begyr, end, years, tier, ended,
    dissolved`` (``end`` censored at 2016 for alliances in effect)."""
    alliances = data.read(data_dir, "atop_alliances")
    members = data.read(data_dir, "atop_members").copy()
    ended = (alliances.ineffect == 0).to_numpy()
    end = np.where(ended, alliances.endyr, ATOP4_LAST).astype(int)
    exit_year = np.where(members.yrexit == 0, ATOP4_LAST + 1, members.yrexit)
    members = members.assign(exit_year=exit_year)
    groups = {int(k): set(v.astype(int)) for k, v in members.groupby("atopid").member}
    dissolved = []
    for atopid, year, gone in zip(alliances.atopid, end + 1, ended, strict=True):
        if not gone:
            dissolved.append(False)
            continue
        live = members[
            (members.yrent <= year) & (members.exit_year >= year) & (members.atopid != atopid)
        ]
        together = live.groupby("atopid").member.apply(lambda s: set(s.astype(int)))
        own = groups.get(int(atopid), set())
        dissolved.append(not any(own <= other for other in together))
    return pd.DataFrame(
        {
            "atopid": alliances.atopid.astype(int),
            "begyr": alliances.begyr.astype(int),
            "end": end,
            "years": end - alliances.begyr.to_numpy().astype(int) + 1,
            "tier": alliances.milinst,
            "ended": ended,
            "dissolved": np.asarray(dissolved, dtype=bool),
        }
    )


def institution_moments(data_dir: Path) -> dict[str, Moment]:
    """Termination and dissolution hazards by military-institutionalisation tier,
    alliances formed from 1945, and the pooled dissolution hazard."""
    spells = alliance_spells(data_dir)
    spells = spells[spells.begyr >= FIRST]
    period = f"formed {FIRST}-{ATOP4_LAST}"
    out: dict[str, Moment] = {}
    groups: list[tuple[str, pd.Series, str]] = [
        ("alliance_dissolution_hazard_formed_from_1945", spells.tier.notna(), "all tiers"),
    ]
    for code, tier in TIERS.items():
        groups.append((tier, spells.tier == code, f"ATOP milinst = {code} ({tier})"))
    for label, mask, who in groups:
        rows = spells[mask]
        known = [name for atopid, name in KNOWN.items() if atopid in set(rows.atopid)]
        extra = f"; {', '.join(known)} in this tier" if known and label in TIERS.values() else ""
        for kind, column in (("termination", "ended"), ("dissolution", "dissolved")):
            if label not in TIERS.values() and kind == "termination":
                continue  # the pooled termination hazard is alliance_termination_hazard_*
            name = label if label not in TIERS.values() else f"alliance_{kind}_hazard_tier_{label}"
            est = poisson_rate(int(rows[column].sum()), float(rows.years.sum()))
            what = (
                "terminations (any cause)"
                if kind == "termination"
                else "dissolutions (ended, members sharing no ATOP alliance the next year)"
            )
            out[name] = Moment(
                est.value,
                est.se,
                est.n,
                period,
                "per alliance-year",
                f"{what} / alliance-years at risk (censored {ATOP4_LAST}), {who}; "
                "Poisson SE; n = events",
                ATOP4 + " and member level; Leeds & Anac (2005) tiers",
                f"{len(rows)} alliances, {int(rows.years.sum())} alliance-years{extra}",
            )
    order = ["alliance_dissolution_hazard_formed_from_1945"] + [
        f"alliance_{kind}_hazard_tier_{tier}"
        for kind in ("termination", "dissolution")
        for tier in TIERS.values()
    ]
    return {name: out[name] for name in order}

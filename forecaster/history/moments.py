"""Calibration moments derived from the historical data, each with its error and source."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from forecaster.history import data
from forecaster.history.estimators import (
    binomial_proportion,
    clustered_proportion,
    poisson_rate,
    spearman_with_se,
)

MID = "Palmer et al. (2022), COW MID 5.0; COW State System Membership (2016)"
WAR = "Sarkees & Wayman (2010), COW Inter-State War 4.0; COW State System Membership (2016)"
ATOP4 = "Leeds et al. (2002), ATOP 4.01 alliance level"
BF = "Berkemeier & Fuhrmann (2018), replication data"
ALL = "all COW system members"
CLUSTERED = "share of state-years; SE cluster-robust by state"

#: Last year of MID 5.0, of COW war 4.0, and of ATOP 4.01's observation window.
MID_LAST, WAR_LAST, ATOP4_LAST = 2014, 2007, 2016

#: The period label of Berkemeier & Fuhrmann's extension (``sample == 0``).
FROM_1945 = "alliances formed from 1945"


@dataclass(frozen=True)
class Moment:
    """One calibration target as it is written to ``conf/moments/history.yaml``."""

    value: float
    se: float
    n: int
    period: str
    unit: str
    estimator: str
    source: str
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _rate(panel: pd.DataFrame, column: str, first: int, last: int) -> Moment:
    rows = panel[(panel.year >= first) & (panel.year <= last)]
    est = clustered_proportion(rows[column].to_numpy(), rows.ccode.to_numpy())
    return Moment(est.value, est.se, est.n, f"{first}-{last}", "per state-year", CLUSTERED, "")


def _flag(panel: pd.DataFrame, events: pd.DataFrame, column: str) -> pd.DataFrame:
    marked = events.assign(**{column: 1})
    out = panel.merge(marked, on=["ccode", "year"], how="left")
    out[column] = out[column].fillna(0).astype(int)
    return out


def targeting_moments(data_dir: Path) -> dict[str, Moment]:
    """P(a state is an original target of at least one new MID) per state-year."""
    panel = _flag(data.state_years(data_dir, 1816, MID_LAST), data.new_mid_targets(data_dir), "tg")
    nato = panel.merge(data.nato_member_years(data_dir, MID_LAST), on=["ccode", "year"])
    out = {}
    for name, rows, first, note in [
        ("targeted_rate", panel, 1816, ALL),
        ("targeted_rate_post1945", panel, 1946, ALL),
        ("targeted_rate_2001_2014", panel, 2001, ALL),
        ("targeted_rate_nato_members", nato, 1949, "NATO members in their member years"),
    ]:
        m = _rate(rows, "tg", first, MID_LAST)
        source = MID + ("; " + ATOP4.replace("alliance", "member") if "nato" in name else "")
        note = f"P(original target of at least one new MID in a year); {note}"
        out[name] = replace(m, source=source, note=note)
    return out


def war_entry_moments(data_dir: Path) -> dict[str, Moment]:
    """P(a state enters an interstate war) per state-year (COW onset flag)."""
    panel = _flag(data.state_years(data_dir, 1816, WAR_LAST), data.war_entries(data_dir), "we")
    out = {}
    for name, first in [("war_entry_rate", 1816), ("war_entry_rate_post1945", 1946)]:
        m = _rate(panel, "we", first, WAR_LAST)
        note = f"P(entering an interstate war in a year); {ALL}"
        out[name] = replace(m, source=WAR, note=note)
    return out


def distant_war_moments(data_dir: Path) -> dict[str, Moment]:
    """Share of war participations that are interventions far from home.

    A participation is one state in one interstate war (COW war 4.0 dyads, by
    the state's first year in the war); it is *distant* when none of the state's
    opponents is from its own COW region (Americas, Europe, Africa, Middle East,
    Asia and Oceania) while one of them fights an enemy from that opponent's own
    region: the United States in Korea, Vietnam and the Gulf, France and Britain
    at Suez (:func:`forecaster.history.data.war_participations`). Both sides of a
    war between two regions, and the target of a distant invasion, are not
    distant. Participations in one war share its coalition, so the error is
    cluster-robust by war.
    """
    rows = data.war_participations(data_dir)
    out = {}
    for suffix, first in [("", 1816), ("_post1945", 1946)]:
        period = rows[(rows.year >= first) & (rows.year <= WAR_LAST)]
        est = clustered_proportion(period.distant.to_numpy(), period.warnum.to_numpy())
        hits, wars = int(period.distant.sum()), period.warnum.nunique()
        out["war_participation_distant" + suffix] = Moment(
            est.value,
            est.se,
            est.n,
            f"{first}-{WAR_LAST}",
            "per war participation",
            "share of state-war participations that intervene far from home (no opponent "
            "from the state's own COW region, one fighting an enemy of its own region); "
            "SE cluster-robust by war",
            WAR,
            f"{hits}/{est.n} participations in {wars} wars were distant",
        )
    return out


#: MID 5.0 dispute outcome codes grouped into the outcomes a crisis model distinguishes.
MID_OUTCOMES = {
    "p_war_given_mid": ("hostlev", (5,), "reaching hostility level 5 (war)", "reached war"),
    "p_mid_yield": ("outcome", (3, 4), "ending in one side's yielding (outcome 3, 4)", "yield"),
    "p_mid_stalemate_or_compromise": (
        "outcome",
        (5, 6),
        "ending in stalemate or compromise (outcome 5, 6)",
        "stalemate or compromise",
    ),
}

#: MID 5.0 outcome codes of a dispute whose outcome is known (not 8 'unclear', -9 missing)
KNOWN_OUTCOMES = (1, 2, 3, 4, 5, 6, 7, 9)

#: the outcome space of a crisis model: shares of the disputes with a known outcome that
#: ended short of war (hostility level < 5) in ...
SHORT_OF_WAR = {
    # ... one side prevailing or giving in: a crisis model's yield or back-down
    "p_mid_decisive": ((1, 2, 3, 4, 7), "a victory, a yield or a release", "decisive"),
    # ... neither: a crisis model's stalemate
    "p_mid_stalemate": ((5, 6), "a stalemate or a compromise", "stalemate or compromise"),
}


def mid_outcome_moments(data_dir: Path) -> dict[str, Moment]:
    """Shares of MIDs reaching war, ending in a yield, or in stalemate/compromise.

    For :data:`MID_OUTCOMES` the denominator is every dispute starting in the
    period (the 17 with a missing outcome included, as in the published counts);
    for :data:`SHORT_OF_WAR` the disputes whose outcome is known, which a crisis
    model's outcomes (yield, back-down, stalemate, war) partition. Binomial errors.
    """
    disputes = data.read(data_dir, "mid_disputes")
    out = {}
    for suffix, first in [("", 1816), ("_post1945", 1946)]:
        rows = disputes[(disputes.styear >= first) & (disputes.styear <= MID_LAST)]
        period = f"{first}-{MID_LAST}"
        source = "Palmer et al. (2022), COW MID 5.0"
        for base, (column, codes, what, short) in MID_OUTCOMES.items():
            hits = int(rows[column].isin(codes).sum())
            est = binomial_proportion(hits, len(rows))
            out[base + suffix] = Moment(
                est.value, est.se, est.n, period, "per dispute",
                f"share of MIDs (by start year) {what}; binomial SE", source,
                f"{hits}/{len(rows)} MIDs: {short}",
            )  # fmt: skip
        known = rows[rows.outcome.isin(KNOWN_OUTCOMES)]
        for base, (codes, what, short) in SHORT_OF_WAR.items():
            hits = int((known.outcome.isin(codes) & (known.hostlev < 5)).sum())
            est = binomial_proportion(hits, len(known))
            out[base + suffix] = Moment(
                est.value, est.se, est.n, period, "per dispute with a known outcome",
                f"share of MIDs with a known outcome (by start year) ending short of war "
                f"(hostlev < 5) in {what} (outcome {', '.join(map(str, codes))}); binomial SE",
                source, f"{hits}/{len(known)} MIDs with a known outcome: {short} short of war",
            )  # fmt: skip
    names = [*MID_OUTCOMES, *SHORT_OF_WAR]
    return {base + suffix: out[base + suffix] for base in names for suffix in ("", "_post1945")}


def reliability_moments(data_dir: Path) -> dict[str, Moment]:
    """Share of wartime alliance commitments honoured (Berkemeier & Fuhrmann 2018).

    The primary coding is the Leeds, Long & Mitchell rules applied to B&F's
    1816–2003 sample (``honorLLM``/``violateLLM``, the figures B&F compare with
    LLM 2000); ``*_bf_coding`` use B&F's own recoding (``honorBF``/``violateBF``).
    Cases where the obligation did not apply are excluded. ``sample`` 1 is
    LLM's sample of alliances formed before 1945 (wars 1816–1944), 0 B&F's
    extension to alliances formed from 1945 (wars 1945–2003): the split is by
    when the alliance was formed, the period labels say so.
    """
    table = data.read(data_dir, "reliability")
    out = {}
    for coding in ("LLM", "BF"):
        cases = table[(table["honor" + coding] == 1) | (table["violate" + coding] == 1)]
        honoured = cases["honor" + coding] == 1
        post = cases["sample"] == 0
        multi = cases.multilateral == 1
        # B&F's `sample` is LLM's original sample (1: alliances formed before 1945)
        # or B&F's extension (0: alliances formed from 1945, in wars 1945-2003;
        # 52 of its 54 LLM-coded rows are alliances ATOP dates from 1945 on)
        every, before, since = "1816-2003", "alliances formed before 1945", FROM_1945
        subsets = {
            "reliability": (cases.index == cases.index, every),
            "reliability_pre1945": (~post, before),
            "reliability_post1945": (post, since),
            "reliability_bilateral": (~multi, every),
            "reliability_multilateral": (multi, every),
            "reliability_post1945_bilateral": (post & ~multi, since),
            "reliability_post1945_multilateral": (post & multi, since),
            "reliability_defence_pacts": (cases.defense == 1, every),
        }
        if coding == "BF":
            keep = ("reliability", "reliability_post1945")
            subsets = {k + "_bf_coding": v for k, v in subsets.items() if k in keep}
        for name, (mask, period) in subsets.items():
            est = binomial_proportion(int(honoured[mask].sum()), int(mask.sum()))
            out[name] = Moment(
                est.value,
                est.se,
                est.n,
                period,
                "per ally-war commitment",
                f"share honoured ({coding} coding); binomial SE",
                BF,
                f"{int(honoured[mask].sum())}/{int(mask.sum())} honoured",
            )
    return out


def termination_moments(data_dir: Path) -> dict[str, Moment]:
    """Constant hazard of alliance termination (ATOP 4.01), all causes.

    Alliance-years at risk count the start and end years inclusively; alliances
    still in effect (``ineffect``) are censored at the end of 2016.
    """
    alliances = data.read(data_dir, "atop_alliances")
    ended = alliances.ineffect == 0
    end = np.where(ended, alliances.endyr, ATOP4_LAST)
    years = end - alliances.begyr + 1
    out = {}
    for name, first in [
        ("alliance_termination_hazard", 1815),
        ("alliance_termination_hazard_formed_from_1945", 1945),
    ]:
        rows = alliances.begyr >= first
        est = poisson_rate(int(ended[rows].sum()), float(years[rows].sum()))
        out[name] = Moment(
            est.value,
            est.se,
            est.n,
            f"formed {first}-{ATOP4_LAST}",
            "per alliance-year",
            "terminations / alliance-years at risk (censored 2016); Poisson SE; n = terminations",
            ATOP4,
            f"{int(rows.sum())} alliances, {int(years[rows].sum())} alliance-years",
        )
    return out


def nato_spending_moment(portfolio: Path) -> dict[str, Moment]:
    """Spearman correlation of GDP and defence share among NATO members, 2024."""
    spec = yaml.safe_load(portfolio.read_text())
    members = spec["alliances"]["nato"]["members"]
    states = spec["states"]
    gdp = [states[m]["gdp"] for m in members]
    share = [states[m]["defense_share"] for m in members]
    est = spearman_with_se(gdp, share)
    lo, hi = est.ci95
    return {
        "nato_2024_gdp_defence_share_spearman": Moment(
            est.value,
            est.se,
            est.n,
            "2024",
            "rank correlation",
            "Spearman rho over the 32 members; SE and 95% CI by Fisher z "
            "(Bonett & Wright 2000 variance)",
            "NATO Secretary General's Annual Report 2024 (April 2025); "
            "IMF World Economic Outlook (April 2025), via conf/portfolio/nato.yaml",
            "held-out validation moment, not for fitting",
            {"ci95": [round(lo, 4), round(hi, 4)], "p_value": float(f"{est.p_value:.4g}")},
        )
    }

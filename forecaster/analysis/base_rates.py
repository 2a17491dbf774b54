"""Base rates of a run, in the units the conflict literature reports them.

The default parameters should give plausible base rates. This module computes
them from a results dataset so that ``docs/model.md`` (§6) can show them beside
the published figures, and so that an analyst can check a new portfolio the same
way (``python -m forecaster.analysis.base_rates --portfolio nato``).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import xarray as xr

from forecaster.api import run
from forecaster.config import compose, to_spec

#: published figures (docs/model.md §6; ../shared/data/history/README.md for the COW and
#: ATOP derivations), as (low, high) ranges and their sources
PUBLISHED = {
    "wartime_reliability": (
        (0.5, 0.8),
        "pooled over all allies in wars: Leeds, Long & Mitchell 2000: 0.745 (ATOP, 1816-1944); "
        "Berkemeier & Fuhrmann 2018: 0.50",
    ),
    "p_targeted_per_year": (
        (0.12, 0.15),
        "share of all state-years in a MID (any role), COW MID 5.0: 0.147 (1946-2014), "
        "0.121 (2001-14)",
    ),
    "p_war_entry_per_year": (
        (0.017, 0.027),
        "war entries per state-year (any role, all states), COW Inter-State War 4.0: "
        "1.7% after 1946 (2.7% 1816-2007)",
    ),
    "p_war_given_crisis": ((0.0, 0.10), "COW MID 5.0: 4.4% of MIDs reach war"),
    "leader_entanglement_per_decade": (
        (0.0, 0.2),
        "Beckley 2015: five possible US cases in 1948-2010 (rare, not zero)",
    ),
}


@dataclass(frozen=True)
class Rate:
    name: str
    value: float
    se: float
    note: str = ""

    def text(self) -> str:
        if math.isnan(self.value):
            return "-"
        return f"{self.value:.3f} ± {1.96 * self.se:.3f}"


def _per_year(mean: xr.DataArray, se: xr.DataArray, horizon: float) -> tuple[float, float]:
    return float(mean) / horizon, float(se) / horizon


def member_rates(ds: xr.Dataset, state: str) -> dict[str, Rate]:
    """Annual crisis and war-entry rates of one state, and P(war | crisis)."""
    horizon = float(ds.time[-1])
    s = ds.sel(state=state)
    crises, crises_se = _per_year(s.mean_crises, s.mean_crises_se, horizon)
    entries, entries_se = _per_year(s.mean_war_entries, s.mean_war_entries_se, horizon)
    # a rate r of new crises a year makes P(at least one in a year) = 1 - exp(-r) (Poisson)
    p_targeted = 1 - math.exp(-crises)
    wars = float(s.mean_wars_as_target)
    p_war_crisis = wars / float(s.mean_crises) if float(s.mean_crises) > 0 else math.nan
    rel_se = math.hypot(
        float(s.mean_wars_as_target_se) / max(wars, 1e-300),
        float(s.mean_crises_se) / max(float(s.mean_crises), 1e-300),
    )
    return {
        "p_targeted_per_year": Rate(
            "P(targeted in a new crisis in a year)", p_targeted, math.exp(-crises) * crises_se
        ),
        "p_war_entry_per_year": Rate("war entries a year", entries, entries_se),
        "p_war_given_crisis": Rate(
            "P(war given a crisis against it)", p_war_crisis, p_war_crisis * rel_se
        ),
    }


def portfolio_rates(ds: xr.Dataset, leader: str) -> dict[str, Rate]:
    """Pooled reliability and the leader's entanglement (Beckley 2015's count) over the horizon."""
    end = ds.isel(time=-1).sel(state=leader)
    return {
        "wartime_reliability": Rate(
            "wartime reliability (pooled)",
            float(ds.p_honour_war_all),
            float(ds.p_honour_war_all_se),
        ),
        "reliability": Rate(
            "reliability, all events (pooled)", float(ds.p_honour_all), float(ds.p_honour_all_se)
        ),
        "leader_entanglement_per_decade": Rate(
            f"P({leader} entangled within the horizon: at war by honouring a commitment)",
            float(end.p_entanglement),
            float(end.p_entanglement_se),
        ),
    }


def pooled_state_year_rates(ds: xr.Dataset) -> dict[str, Rate]:
    """Rates per state-year over every non-adversary state, as the COW figures are counted
    (all states, any role), and P(war | crisis) over all crises.

    The ± treats the states as independent; states' counts are positively
    correlated within a trajectory, so it is a lower bound.
    """
    horizon = float(ds.time[-1])
    friendly = ds.sel(state=~ds.adversary.values.astype(bool))
    k = friendly.sizes["state"]

    def pooled(mean: xr.DataArray, se: xr.DataArray) -> tuple[float, float]:
        return float(mean.sum()) / (k * horizon), float((se**2).sum()) ** 0.5 / (k * horizon)

    crises, crises_se = pooled(friendly.mean_crises, friendly.mean_crises_se)
    entries, entries_se = pooled(friendly.mean_war_entries, friendly.mean_war_entries_se)
    wars, wars_se = pooled(friendly.mean_wars_as_target, friendly.mean_wars_as_target_se)
    ratio = wars / crises if crises > 0 else math.nan
    ratio_se = ratio * math.hypot(wars_se / max(wars, 1e-300), crises_se / max(crises, 1e-300))
    return {
        "p_targeted_per_year": Rate(
            f"P(a crisis against a state in a year), all {k} allies pooled",
            1 - math.exp(-crises),
            math.exp(-crises) * crises_se,
        ),
        "p_war_entry_per_year": Rate(
            f"war entries per state-year, all {k} allies pooled", entries, entries_se
        ),
        "p_war_given_crisis": Rate("P(war given a crisis), all crises pooled", ratio, ratio_se),
    }


def wartime_reliability_by_state(ds: xr.Dataset, states: list[str]) -> dict[str, Rate]:
    """Each state's reliability as an ally, in wars and over all events, side by side."""
    out = {}
    for state in states:
        s = ds.sel(state=state)
        out[f"{state}_war"] = Rate(
            f"{state}: wartime reliability", float(s.p_honour_war), float(s.p_honour_war_se)
        )
        out[f"{state}_all"] = Rate(
            f"{state}: reliability, all events (incl. crises without war)",
            float(s.p_honour),
            float(s.p_honour_se),
        )
    return out


def spending(ds: xr.Dataset) -> dict[str, Rate]:
    """Mean defence share at the horizon, per non-adversary state."""
    end = ds.isel(time=-1)
    return {
        str(s): Rate(f"defence share of {s}", float(v), float(e))
        for s, v, e, adv in zip(
            end.state.values,
            end.mean_defense_share.values,
            end.mean_defense_share_se.values,
            end.adversary.values,
            strict=True,
        )
        if not adv
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m forecaster.analysis.base_rates``: a markdown table of a portfolio's rates."""
    parser = argparse.ArgumentParser(description="base rates of a portfolio (markdown)")
    parser.add_argument("--portfolio", default="regional")
    parser.add_argument("--leader", default=None, help="the leading ally (default: its leader)")
    parser.add_argument("--members", nargs="*", default=None, help="states to report")
    parser.add_argument("--trajectories", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    cfg = compose(
        [
            f"portfolio={args.portfolio}",
            f"run.trajectories={args.trajectories}",
            f"run.seed={args.seed}",
            "cluster=in_process",
        ]
    )
    spec = to_spec(cfg)
    ds = run(cfg, progress=False)
    alliances = spec["portfolio"]["alliances"]
    leader = args.leader or next(a["leader"] for a in alliances.values() if a.get("leader"))
    targets = sorted(
        {t for s in spec["portfolio"]["states"].values() for t in s.get("targets", {})}
    )
    print(f"portfolio {args.portfolio}, {args.trajectories} trajectories, seed {args.seed}\n")
    print("Like with like: pooled over the same units and roles as the published figure\n")
    print("| outcome | model (95% interval) | published |")
    print("|---|---|---|")
    rates = portfolio_rates(ds, leader)
    like = {"wartime_reliability": rates["wartime_reliability"], **pooled_state_year_rates(ds),
            "leader_entanglement_per_decade": rates["leader_entanglement_per_decade"]}  # fmt: skip
    for key, rate in like.items():
        print(f"| {rate.name} | {rate.text()} | {PUBLISHED[key][1]} |")
    print("\nFor context (one state or one role; no published figure counts the same thing)\n")
    print("| outcome | model (95% interval) |")
    print("|---|---|")
    print(f"| {rates['reliability'].name} | {rates['reliability'].text()} |")
    members = args.members or targets
    for rate in wartime_reliability_by_state(ds, [leader, *members]).values():
        print(f"| {rate.name} | {rate.text()} |")
    for state in members:
        for rate in member_rates(ds, state).values():
            print(f"| {state}: {rate.name} | {rate.text()} |")
    for rate in spending(ds).values():
        print(f"| {rate.name} at {float(ds.time[-1]):g} years | {rate.text()} |")


if __name__ == "__main__":
    main()

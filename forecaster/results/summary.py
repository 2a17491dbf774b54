"""A compact text summary of a results dataset."""

from __future__ import annotations

import xarray as xr

from .io import config_of


def _interval(p: float, se: float) -> str:
    return f"{p:6.3f} [{max(0.0, p - 1.96 * se):.3f}, {min(1.0, p + 1.96 * se):.3f}]"


def key_states(ds: xr.Dataset) -> list[str]:
    """Alliance leaders and the adversaries' targets, in portfolio order; all allies if none."""
    try:
        portfolio = config_of(ds)["portfolio"]
    except KeyError:
        portfolio = {}
    keys = {a.get("leader") for a in (portfolio.get("alliances") or {}).values()}
    for data in (portfolio.get("states") or {}).values():
        keys.update((data.get("targets") or {}).keys())
    friendly = [
        str(s) for s, adv in zip(ds.state.values, ds.adversary.values, strict=True) if not adv
    ]
    chosen = [s for s in friendly if s in keys]
    return chosen if chosen else friendly


def format_summary(ds: xr.Dataset) -> str:
    """Per state: P(war), P(entrapment), P(abandonment) over the horizon and reliability,
    with 95% intervals; per alliance: P(intact) and P(a member at war)."""
    end = ds.isel(time=-1)
    for dim in [d for d in end.dims if d not in ("state", "alliance", "count")]:
        end = end.isel({dim: 0})  # a sweep shows its first point; the dataset holds all
    horizon = float(ds.time[-1])
    lines = [
        f"{ds.attrs.get('scenario', '')}: {ds.attrs.get('trajectories')} trajectories, "
        f"horizon {horizon:g} years"
    ]
    columns = ("P(war)", "P(entrapment)", "P(abandonment)", "reliability")
    head = f"{'state':10s} " + " ".join(f"{c:>22s}" for c in columns)
    lines += ["", head]
    shown = key_states(ds)
    for state in shown:
        s = end.sel(state=state)
        rel = float(s.p_honour)
        rel_text = _interval(rel, float(s.p_honour_se)) if rel == rel else f"{'-':>6s}"
        lines.append(
            f"{state:10s} {_interval(float(s.p_war), float(s.p_war_se)):>22s} "
            f"{_interval(float(s.p_entrapment), float(s.p_entrapment_se)):>22s} "
            f"{_interval(float(s.p_abandonment), float(s.p_abandonment_se)):>22s} {rel_text:>22s}"
        )
    if end.sizes.get("alliance"):
        width = max(10, *(len(str(a)) for a in end.alliance.values))
        lines += ["", f"{'alliance':{width}s} {'P(intact)':>22s} {'P(member at war)':>22s}"]
        for alliance in end.alliance.values:
            a = end.sel(alliance=alliance)
            lines.append(
                f"{alliance:{width}s} {_interval(float(a.p_intact), float(a.p_intact_se)):>22s} "
                f"{_interval(float(a.p_member_war), float(a.p_member_war_se)):>22s}"
            )
    total = int((~ds.adversary).sum())
    if len(shown) < total:
        lines.append(f"({len(shown)} key states of {total}; every state is in the dataset)")
    if "wall_time_s" in ds.attrs:
        lines += [
            "",
            f"wall time {ds.attrs['wall_time_s']:.1f} s, "
            f"{ds.attrs['trajectories_per_s']:,.0f} trajectories/s",
        ]
    return "\n".join(lines)

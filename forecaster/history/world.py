"""The world at a date, from the data: every COW system member as a portfolio.

:func:`build_world` gathers, for an origin year, what was known on its first
day (nothing from the year or after enters):

- **members**: the COW system members on 1 January of the year (COW State
  System Membership v2016, spells with month and day);
- **GDP** of the year before, Maddison (2010), millions of 1990 Geary–Khamis
  dollars, mapped to COW codes by name (:func:`maddison_gdp`: normalised names
  plus :data:`ALIASES`);
- **capability** through ``defense_share`` from NMC military spending of the year
  before (:func:`defence_shares`: each state's share of the members' military
  spending over its share of their GDP, times :data:`WORLD_BURDEN`, so that
  ``defense_share × gdp`` is proportional to ``milex`` whatever the currencies);
- **regions** from COW code ranges (:func:`forecaster.history.data.region_of`);
- **alliances** in force on 1 January (ATOP 4.01 member level): defence pacts,
  and consultation pacts without a defence obligation, with ATOP's military
  institutionalisation (``milinst``) and conditionality (``conditio``);
- **challenges**: who started MIDs against whom in the :data:`WINDOW_YEARS`
  years before the year (COW MID 5.0 directed dyads, side A against side B,
  counted by the dyad's first year), with counts and weights.

:func:`world_portfolio` turns a world into a plain dict in the shipped portfolio
format (``conf/portfolio/*.yaml``), resolving each state's role under the
engine's current rules (an adversary is in no alliance and targets no other
adversary; docs/history.md, "The world at a date").
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecaster.history import data

#: the Maddison Project's 2010 horizontal file (not in :data:`data.FILES`: the
#: moments do not need it)
MADDISON_FILE = "maddison_2010_gdp.csv.gz"
#: COW major powers (spells), read here only
MAJORS_FILE = "cow_majors.csv.gz"
#: years of directed MID onsets before the origin that the challenges count
WINDOW_YEARS = 20
#: the members' aggregate military burden (military spending over GDP) that sets the
#: level of ``defense_share``: world military expenditure was about 2.5% of world GDP
#: (SIPRI Yearbook 2008, ch. 5, for 2007); relative capabilities do not depend on it
WORLD_BURDEN = 0.025
#: the ``defense_share`` of a state whose military spending is zero or not known
#: (the schema's smallest share)
MIN_SHARE = 1e-4
#: interest of each member of a defence pact in each other member's security
#: (modelling judgement: the closest pairs of ``conf/portfolio/nato.yaml``)
PACT_INTEREST = 0.9
#: ``reach`` of a COW major power in the year, and of every other state (modelling
#: judgement: the distant great powers of ``historical_world`` have 0.3-0.5)
MAJOR_REACH = 0.4
MINOR_REACH = 0.0
#: ATOP ``milinst`` (Leeds & Anac 2005: 0 low, 1 moderate, 2 high) → interoperability
INTEROPERABILITY = {0: 0.3, 1: 0.5, 2: 0.7}
#: explicitness of an unconditional and a conditional defence obligation (ATOP
#: ``conditio``), and of a consultation pact (modelling judgement, the range of
#: ``historical_world``: 0.3 ... 0.8)
EXPLICITNESS = {"unconditional": 0.8, "conditional": 0.5, "consultation": 0.3}

#: Maddison (2010) rows whose normalised name is not a COW state name, as
#: (first year, last year, COW code): COW State System Membership v2016 codes;
#: the Maddison row is the territory the COW state held in those years.
ALIASES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "united states": ((1816, 2016, 2),),
    # Maddison's former USSR until its break-up, the Russian Federation after
    "total former ussr": ((1922, 1991, 365),),
    "russian federation": ((1992, 2016, 365),),
    "cote d ivoire": ((1960, 2016, 437),),
    "congo brazzaville": ((1960, 2016, 484),),
    "zaire congo kinshasa": ((1960, 2016, 490),),
    # Maddison gives Ethiopia with Eritrea only: Eritrea (COW 531, from 1993) is
    # about a tenth of the sum, which stands for Ethiopia throughout
    "eritrea and ethiopia": ((1898, 2016, 530),),
    "comoro islands": ((1975, 2016, 581),),
    "burma": ((1948, 2016, 775),),
    "indonesia including timor until": ((1949, 2016, 850),),
    # Maddison's Yemen is the unified territory: North Yemen (678) until 1990
    # (its larger part; South Yemen, 680, has no series), Yemen (679) after
    "yemen": ((1926, 1989, 678), (1990, 2016, 679)),
    # unified Germany only: no series for West (260) or East (265) Germany
    "germany": ((1816, 1945, 255), (1990, 2016, 255)),
    "czechoslovakia": ((1918, 1992, 315),),
    "yugoslavia": ((1918, 1991, 345),),
    "serbia montenegro kosovo": ((1992, 2016, 345),),
    "bosnia": ((1992, 2016, 346),),
}


def normalised(name: object) -> str:
    """A country name without accents, case, punctuation or numbers: ``"Haïti "`` →
    ``"haiti"``, ``"Congo 'Brazzaville'"`` → ``"congo brazzaville"``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


def maddison_table(data_dir: Path) -> pd.DataFrame:
    """Maddison (2010) as one row per (name, year, gdp): ``name`` normalised, ``gdp``
    in millions of 1990 GK dollars; regional totals and blanks kept out."""
    raw = pd.read_csv(data_dir / MADDISON_FILE, dtype=str)
    raw = raw.rename(columns={raw.columns[0]: "region"}).dropna(subset=["region"])
    years = [c for c in raw.columns if c.isdigit()]
    long = raw.melt(id_vars="region", value_vars=years, var_name="year", value_name="gdp")
    gdp = pd.to_numeric(long.gdp.str.replace(",", "").str.strip(), errors="coerce")
    out = pd.DataFrame(
        {"name": long.region.map(normalised), "year": long.year.astype(int), "gdp": gdp}
    )
    return out[out.gdp > 0].reset_index(drop=True)


def maddison_codes(data_dir: Path) -> pd.DataFrame:
    """:func:`maddison_table` with each row's COW code (``ccode``; -1: none).

    A row maps to a COW state when an :data:`ALIASES` entry of its normalised name
    covers the year, or else when its normalised name is the state's normalised COW
    name (``statenme``); regional totals and territories map to none.
    """
    table = maddison_table(data_dir)
    states = data.read(data_dir, "states")
    by_name = {normalised(n): int(c) for n, c in zip(states.statenme, states.ccode, strict=True)}
    codes = np.full(len(table), -1)
    for i, (name, year) in enumerate(zip(table.name, table.year, strict=True)):
        if name in ALIASES:
            codes[i] = next((c for lo, hi, c in ALIASES[name] if lo <= year <= hi), -1)
        else:
            codes[i] = by_name.get(name, -1)
    return table.assign(ccode=codes)


def maddison_gdp(data_dir: Path) -> pd.DataFrame:
    """Maddison (2010) GDP by COW code: one row per (ccode, year, gdp), millions of 1990
    GK dollars (:func:`maddison_codes`' rows with a code)."""
    mapped = maddison_codes(data_dir)
    mapped = mapped[mapped.ccode >= 0]
    return mapped[["ccode", "year", "gdp"]].reset_index(drop=True)


def members_on_new_year(data_dir: Path, year: int) -> pd.DataFrame:
    """COW system members on 1 January of ``year``: ``ccode, stateabb, statenme``."""
    spells = data.read(data_dir, "states")
    start = spells.styear * 10_000 + spells.stmonth * 100 + spells.stday
    end = spells.endyear * 10_000 + spells.endmonth * 100 + spells.endday
    day = year * 10_000 + 101
    live = spells[(start <= day) & (end >= day)]
    out = live[["ccode", "stateabb", "statenme"]].astype({"ccode": int})
    return out.drop_duplicates("ccode").sort_values("ccode", ignore_index=True)


def members_without_gdp(data_dir: Path, year: int) -> list[tuple[int, str]]:
    """The members on 1 January of ``year`` with no Maddison GDP for ``year - 1``:
    (ccode, COW name), by code."""
    members = members_on_new_year(data_dir, year)
    gdp = maddison_gdp(data_dir)
    known = set(gdp.ccode[gdp.year == year - 1])
    return [
        (int(c), str(n))
        for c, n in zip(members.ccode, members.statenme, strict=True)
        if c not in known
    ]


def defence_shares(milex: pd.Series, gdp: pd.Series, burden: float = WORLD_BURDEN) -> pd.Series:
    """``defense_share`` of each state from its military spending and GDP.

    NMC's ``milex`` is in thousands of current US dollars at market exchange rates;
    Maddison's GDP in 1990 Geary–Khamis (PPP) dollars. Neither converts into the
    other without a price index per state, so only shares are compared: a state's
    share of the members' military spending over its share of their GDP, times the
    members' aggregate ``burden``. Then ``defense_share × gdp`` is
    ``burden × ΣGDP × milex / Σmilex``: capabilities keep NMC's ratios exactly, and
    ``burden`` sets their level (states with spending not known are left out of
    both sums).

    Parameters
    ----------
    milex, gdp
        Military spending and GDP, indexed alike (NaN: not known).
    burden
        The aggregate military spending over GDP.

    Returns
    -------
    pandas.Series
        Shares in [:data:`MIN_SHARE`, 1]; :data:`MIN_SHARE` where ``milex`` is zero
        or not known.
    """
    known = milex.notna() & gdp.notna() & (gdp > 0)
    milex_share = milex / milex[known].sum()
    gdp_share = gdp / gdp[known].sum()
    share = (burden * milex_share / gdp_share).where(known, MIN_SHARE)
    return share.clip(MIN_SHARE, 1.0)


@dataclass(frozen=True)
class Pact:
    """An alliance in force at the origin (ATOP 4.01)."""

    atopid: int
    members: tuple[str, ...]
    obligation: str  # "defense" or "consultation"
    conditional: bool
    milinst: int
    begyr: int


@dataclass(frozen=True)
class World:
    """Every COW system member at an origin, with what the data say of it.

    ``states`` is indexed by COW abbreviation: ``ccode, name, region, gdp`` (USD bn of
    1990 GK dollars), ``milex`` (thousands of current USD), ``defense_share``,
    ``major``, ``mids_started``, ``mids_targeted``. ``challenges`` maps a challenger
    to its targets and the disputes it started against each.
    """

    year: int
    states: pd.DataFrame
    pacts: tuple[Pact, ...]
    challenges: dict[str, dict[str, int]]
    without_gdp: tuple[tuple[int, str], ...]
    notes: list[str] = field(default_factory=list)


def alliances_in_force(data_dir: Path, year: int) -> pd.DataFrame:
    """ATOP 4.01 member rows of defence or consultation pacts in force on 1 January
    of ``year``: entered before the year, not exited before it (``yrexit`` 0: still
    in force at the data's end)."""
    members = data.read(data_dir, "atop_members")
    live = members[
        (members.yrent < year)
        & ((members.yrexit == 0) | (members.yrexit >= year))
        & ((members.defense == 1) | (members.consul == 1))
    ]
    return live


def directed_onsets(data_dir: Path, first: int, last: int) -> pd.DataFrame:
    """Directed MID onsets with their first year in ``first``–``last``: one row per
    (challenger, target, dispute), the challenger on side A and the target on side B
    (COW MID 5.0 directed dyads; a dyad's onset is its first year, so a state that
    joins a dispute later starts its own dyads in the year it joins)."""
    dyads = data.read(data_dir, "mid_dyads")
    dyads = dyads[(dyads.sidea1 == 1) & (dyads.sidea2 == 0)]
    onset = dyads.groupby(["dispnum", "ccode1", "ccode2"]).year.min().reset_index()
    onset = onset[(onset.year >= first) & (onset.year <= last)]
    out = onset.rename(columns={"ccode1": "challenger", "ccode2": "target"})
    return out.astype(int).reset_index(drop=True)


def build_world(data_dir: Path, year: int, window: int = WINDOW_YEARS) -> World:
    """The world on 1 January of ``year``, from data of the years before it only.

    Parameters
    ----------
    data_dir
        The history data directory (with the Maddison file).
    year
        The origin: members on its first day; GDP, military spending and major-power
        status of the year before; alliances in force on its first day; MIDs started
        in the ``window`` years before it.
    window
        Years of MID onsets the challenges count.

    Returns
    -------
    World
        Members without Maddison GDP are left out and listed in ``without_gdp``.

    Raises
    ------
    ValueError
        ``year`` outside the years the data cover (1871-2009: Maddison's annual
        series from 1870 to 2008).
    """
    if not 1871 <= year <= 2009:
        raise ValueError(f"year = {year}: must be in 1871 ... 2009 (Maddison 2010 ends in 2008)")
    before = year - 1
    members = members_on_new_year(data_dir, year)
    gdp = maddison_gdp(data_dir)
    gdp = gdp[gdp.year == before].set_index("ccode").gdp
    nmc = data.read(data_dir, "nmc")
    milex = nmc[nmc.year == before].astype({"ccode": int}).set_index("ccode").milex
    majors = pd.read_csv(data_dir / MAJORS_FILE)
    major = set(majors.ccode[(majors.styear <= before) & (majors.endyear >= before)].astype(int))
    with_gdp = members[members.ccode.isin(gdp.index)]
    without = members[~members.ccode.isin(gdp.index)]
    states = pd.DataFrame(
        {
            "ccode": with_gdp.ccode.to_numpy(),
            "name": with_gdp.statenme.to_numpy(),
            "region": with_gdp.ccode.map(data.region_of).to_numpy(),
            "gdp": with_gdp.ccode.map(gdp).to_numpy() / 1000.0,
            "milex": with_gdp.ccode.map(milex).to_numpy(),
            "major": with_gdp.ccode.isin(major).to_numpy(),
        },
        index=pd.Index(with_gdp.stateabb.to_numpy(), name="state"),
    )
    states["defense_share"] = defence_shares(states.milex, states.gdp)
    code_to_name = dict(zip(states.ccode, states.index, strict=True))

    onsets = directed_onsets(data_dir, year - window, before)
    onsets = onsets[onsets.challenger.isin(code_to_name) & onsets.target.isin(code_to_name)]
    counts = onsets.groupby(["challenger", "target"]).dispnum.nunique()
    challenges: dict[str, dict[str, int]] = {}
    for (challenger, target), n in counts.items():
        challenges.setdefault(code_to_name[challenger], {})[code_to_name[target]] = int(n)
    states["mids_started"] = [
        onsets.dispnum[onsets.challenger == c].nunique() for c in states.ccode
    ]
    states["mids_targeted"] = [onsets.dispnum[onsets.target == c].nunique() for c in states.ccode]

    pacts = _pacts(data_dir, year, code_to_name)
    return World(
        year=year,
        states=states,
        pacts=pacts,
        challenges={
            k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0])))
            for k, v in sorted(challenges.items())
        },
        without_gdp=tuple(
            (int(c), str(n)) for c, n in zip(without.ccode, without.statenme, strict=True)
        ),
    )


def _pacts(data_dir: Path, year: int, code_to_name: Mapping[int, str]) -> tuple[Pact, ...]:
    rows = alliances_in_force(data_dir, year)
    level = data.read(data_dir, "atop_alliances").set_index("atopid")
    pacts = []
    for atopid, group in rows.groupby("atopid"):
        names = sorted({code_to_name[int(c)] for c in group.member if int(c) in code_to_name})
        if len(names) < 2:
            continue
        info = level.loc[atopid]
        defence = bool((group.defense == 1).any())
        conditional = bool(defence and (group.defcon[group.defense == 1] > 0).all())
        pacts.append(
            Pact(
                atopid=int(atopid),
                members=tuple(names),
                obligation="defense" if defence else "consultation",
                conditional=conditional,
                milinst=int(info.milinst) if pd.notna(info.milinst) else 0,
                begyr=int(info.begyr),
            )
        )
    return tuple(pacts)


def select(
    world: World,
    regions: Iterable[str] | None = None,
    max_states: int | None = None,
    max_alliances: int | None = None,
) -> World:
    """A part of ``world``: the states of ``regions``, then the ``max_states`` with
    most MIDs (started and targeted; ties by military spending), and pacts among
    those left with at least two members; with ``max_alliances``, the pacts with
    most members (then the oldest) up to that number.

    Raises
    ------
    ValueError
        An unknown region, or a selection with no state.
    """
    states = world.states
    notes = list(world.notes)
    if regions is not None:
        regions = list(regions)
        known = sorted({name for _, name in data.REGIONS} | {"asia"})
        unknown = [r for r in regions if r not in known]
        if unknown:
            raise ValueError(
                f"regions = {','.join(unknown)}: not a COW region (allowed: {', '.join(known)})"
            )
        states = states[states.region.isin(regions)]
        notes.append(f"states of the regions {', '.join(regions)}")
    if max_states is not None and len(states) > max_states:
        activity = states.mids_started + states.mids_targeted
        order = pd.DataFrame({"a": activity, "m": states.milex.fillna(0.0)})
        keep = order.sort_values(["a", "m"], ascending=False).index[:max_states]
        states = states.loc[states.index.isin(keep)]
        notes.append(f"the {max_states} states with most MIDs in the window")
    if states.empty:
        raise ValueError("the selection leaves no state")
    kept = set(states.index)
    pacts = []
    for pact in world.pacts:
        members = tuple(m for m in pact.members if m in kept)
        if len(members) >= 2:
            pacts.append(dataclasses.replace(pact, members=members))
    if max_alliances is not None and len(pacts) > max_alliances:
        pacts.sort(key=lambda p: (-len(p.members), p.begyr, p.atopid))
        dropped = pacts[max_alliances:]
        pacts = sorted(pacts[:max_alliances], key=lambda p: p.atopid)
        left_out = ", ".join(f"atop{p.atopid}" for p in dropped)
        notes.append(f"the {max_alliances} pacts with most members (left out: {left_out})")
    challenges = {
        k: {t: n for t, n in v.items() if t in kept}
        for k, v in world.challenges.items()
        if k in kept
    }
    challenges = {k: v for k, v in challenges.items() if v}
    return World(world.year, states, tuple(pacts), challenges, world.without_gdp, notes)


def adversaries(world: World) -> list[str]:
    """The challengers that are adversaries under the engine's current rules.

    An adversary is in no alliance and targets no other adversary (docs/model.md):
    challengers in order of disputes started (then name) become adversaries unless
    they are members of a pact of ``world`` or targets of an adversary chosen
    before them, and keep at least one target that is not an adversary.
    """
    in_pacts = {m for p in world.pacts for m in p.members}
    started = {k: sum(v.values()) for k, v in world.challenges.items()}
    chosen: list[str] = []
    for name in sorted(started, key=lambda k: (-started[k], k)):
        if name in in_pacts or any(name in world.challenges[a] for a in chosen):
            continue
        if any(t not in chosen for t in world.challenges[name]):
            chosen.append(name)
    return chosen


def world_portfolio(world: World) -> dict[str, Any]:
    """``world`` as a plain dict in the shipped portfolio format.

    States are named by COW abbreviation; ``gdp`` in USD bn (1990 GK), 3 significant
    digits; ``defense_share`` 4; an adversary's ``targets`` weigh each target by
    its disputes over the adversary's most with any one target (as
    ``forecaster.history.challenges`` does for the shipped portfolios), targets that
    are adversaries left out. Pacts are named ``atop<atopid>``, their leader the
    member with most military spending.
    """
    chosen = adversaries(world)
    states: dict[str, dict[str, Any]] = {}
    for name, row in world.states.iterrows():
        spec: dict[str, Any] = {
            "gdp": float(f"{row.gdp:.3g}"),
            "defense_share": float(f"{row.defense_share:.4g}"),
            "region": row.region,
            "reach": MAJOR_REACH if row.major else MINOR_REACH,
            "election_period": 0,
        }
        if name in chosen:
            own = {t: n for t, n in world.challenges[str(name)].items() if t not in chosen}
            most = max(own.values())
            spec["adversary"] = True
            spec["targets"] = {t: round(n / most, 2) for t, n in own.items()}
        states[str(name)] = spec
    milex = world.states.milex.fillna(0.0)
    alliances: dict[str, dict[str, Any]] = {}
    pairs: dict[str, dict[str, float]] = {}
    for pact in world.pacts:
        leader = max(pact.members, key=lambda m: (milex[m], m))
        kind = (
            "consultation"
            if pact.obligation == "consultation"
            else "conditional"
            if pact.conditional
            else "unconditional"
        )
        alliances[f"atop{pact.atopid}"] = {
            "members": list(pact.members),
            "leader": leader,
            "obligation": pact.obligation,
            "explicitness": EXPLICITNESS[kind],
            "interoperability": INTEROPERABILITY.get(pact.milinst, INTEROPERABILITY[0]),
            "decision": "unilateral" if len(pact.members) == 2 else "consensus",
            "spending_target": 0.0,
            "escalation_control": 0.0,
            "exit": None,
        }
        if pact.obligation == "defense":
            for a in pact.members:
                for b in pact.members:
                    if a != b:
                        pairs.setdefault(a, {})[b] = PACT_INTEREST
    return {
        "name": f"world_{world.year}",
        "states": states,
        "alliances": alliances,
        "interest": {
            "same_region": 0.8,
            "other_region": 0.3,
            "pairs": {a: dict(sorted(row.items())) for a, row in sorted(pairs.items())},
        },
    }

"""Finding and reading the historical data sets (COW, ATOP, Berkemeier & Fuhrmann).

The files are gzip CSVs with their original column names (see the data
directory's README). They are read only when moments are derived; nothing at
forecast time touches them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

#: The repository root (``forecaster/history/data.py`` → two levels up).
REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "FORECASTER_HISTORY_DIR"

FILES = {
    "states": "cow_states.csv.gz",
    "nmc": "cow_nmc.csv.gz",
    "mid_disputes": "cow_mid_disps.csv.gz",
    "mid_dyads": "cow_mid_dirdisps.csv.gz",
    "war_dyads": "cow_war_inter.csv.gz",
    "atop_pairs": "atop_alliance.csv.gz",
    "atop_alliances": "atop_v4_alliance_level.csv.gz",
    "atop_members": "atop_v4_member_level.csv.gz",
    "reliability": "berkemeier_fuhrmann_2018.csv.gz",
}

#: ATOP identifier of the North Atlantic Treaty.
NATO_ATOPID = 3180


class HistoryDataError(FileNotFoundError):
    """The data directory or one of its files is missing."""


def default_data_dir() -> Path:
    """``$FORECASTER_HISTORY_DIR`` if set, else ``../shared/data/history`` beside the repo."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "data" / "history"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory, checking that every file the moments need is there.

    Parameters
    ----------
    data_dir
        Explicit directory; when ``None``, :func:`default_data_dir`.

    Raises
    ------
    HistoryDataError
        Naming the directory and the missing file(s).
    """
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    if not path.is_dir():
        raise HistoryDataError(
            f"history data directory {path} does not exist (pass --data-dir or set {ENV_VAR})"
        )
    missing = [name for name in FILES.values() if not (path / name).is_file()]
    if missing:
        raise HistoryDataError(f"history data directory {path} lacks {', '.join(missing)}")
    return path


def read(data_dir: Path, table: str) -> pd.DataFrame:
    """Read one table by its short name (a key of :data:`FILES`)."""
    return pd.read_csv(data_dir / FILES[table])


def state_years(data_dir: Path, first: int, last: int) -> pd.DataFrame:
    """COW system members as one row per (ccode, year), ``first`` ≤ year ≤ ``last``.

    Built from the membership spells in ``cow_states``; a state with two spells
    (e.g. a state occupied and restored) has no rows in the gap.
    """
    spells = read(data_dir, "states")
    rows = [
        (int(s.ccode), year)
        for s in spells.itertuples()
        for year in range(max(int(s.styear), first), min(int(s.endyear), last) + 1)
    ]
    frame = pd.DataFrame(rows, columns=["ccode", "year"]).drop_duplicates()
    return frame.sort_values(["ccode", "year"], ignore_index=True)


def new_mid_targets(data_dir: Path) -> pd.DataFrame:
    """(ccode, year) pairs in which a state was an original target of a new MID.

    A state counts once per dispute, in the dispute's onset year (its first year
    in the directed dyads), when it is on side B (``sidea2 == 0``) as an
    originator (``orig2``), i.e. targeted from the start rather than a later
    joiner. The onset of a later dyad of the same dispute (a joiner on side A in
    a later year makes a new dyad with ``disponset = 1``) is not a new
    targeting. Duplicate (ccode, year) pairs collapse: the outcome is "at least
    one new MID".
    """
    dyads = read(data_dir, "mid_dyads")
    onset = dyads.groupby("dispnum").year.transform("min")
    hit = dyads[(dyads.sidea2 == 0) & (dyads.orig2 == 1)]
    out = pd.DataFrame({"ccode": hit.ccode2, "year": onset[hit.index]}).astype(int)
    return out.drop_duplicates().sort_values(["ccode", "year"], ignore_index=True)


def war_entries(data_dir: Path) -> pd.DataFrame:
    """(ccode, year) pairs in which a state entered an interstate war.

    A state enters a war once, in its first year in it: the minimum year of its
    directed dyads of that war (``warnum``, ``ccode1``). COW's dyadic onset flag
    (``cowinteronset``) marks each new enemy dyad, so a state fighting on as new
    enemies join would be counted again in a later year.
    """
    wars = read(data_dir, "war_dyads")
    first = wars.groupby(["warnum", "ccode1"]).year.min().reset_index()
    out = first.rename(columns={"ccode1": "ccode"})[["ccode", "year"]].astype(int)
    return out.drop_duplicates().sort_values(["ccode", "year"], ignore_index=True)


#: COW country-code ranges of the five world regions (COW State System Membership:
#: Americas 2-165, Europe 200-395, Africa 402-626, Middle East 630-698, Asia and
#: Oceania 700-990), as (first code of the next region, region)
REGIONS = ((200, "americas"), (400, "europe"), (630, "africa"), (700, "middle_east"))


def region_of(ccode: int) -> str:
    """The COW world region of a country code."""
    return next((name for bound, name in REGIONS if ccode < bound), "asia")


def war_participations(data_dir: Path) -> pd.DataFrame:
    """One row per state and interstate war: ``warnum, ccode, year`` (its first year in
    the war), ``region``, ``local`` (an opponent from its own region) and ``distant``:
    an intervention far from home, i.e. no opponent from its own region while one of
    its opponents fights an enemy of that opponent's region (the United States in
    Korea, Vietnam and the Gulf; not both sides of a war between two regions, nor
    the target of a distant invasion)."""
    wars = read(data_dir, "war_dyads").astype({"ccode1": int, "ccode2": int})
    wars["same"] = wars.ccode1.map(region_of) == wars.ccode2.map(region_of)
    by_state = wars.groupby(["warnum", "ccode1"])
    out = pd.DataFrame(
        {"year": by_state.year.min().astype(int), "local": by_state.same.any()}
    ).reset_index()
    local = set(zip(out.warnum[out.local], out.ccode1[out.local], strict=True))
    wars["opponent_local"] = [
        (w, c) in local for w, c in zip(wars.warnum, wars.ccode2, strict=True)
    ]
    beside_local = wars.groupby(["warnum", "ccode1"]).opponent_local.any()
    out["distant"] = ~out.local & beside_local.to_numpy()
    out = out.rename(columns={"ccode1": "ccode"})
    out["region"] = out.ccode.map(region_of)
    return out[["warnum", "ccode", "year", "region", "local", "distant"]]


def defence_pact_years(data_dir: Path) -> pd.DataFrame:
    """(ccode, year) pairs in which some state had a defence obligation to ``ccode``
    (ATOP 5.1 directed pair-years: ``atop_defense`` says ``ccode1`` is obliged to defend
    ``ccode2``; the United States to Japan, not Japan to the United States)."""
    pairs = read(data_dir, "atop_pairs")
    hit = pairs[pairs.atop_defense == 1]
    out = hit[["ccode2", "year"]].astype(int).drop_duplicates()
    return out.rename(columns={"ccode2": "ccode"}).reset_index(drop=True)


def defence_ally_location_years(data_dir: Path) -> pd.DataFrame:
    """(ccode, year, local) for the state-years of :func:`defence_pact_years`: ``local``
    when at least one of the states obliged to defend ``ccode`` is from its COW region."""
    pairs = read(data_dir, "atop_pairs")
    hit = pairs[pairs.atop_defense == 1][["ccode1", "ccode2", "year"]].astype(int)
    same = hit.ccode1.map(region_of) == hit.ccode2.map(region_of)
    out = same.groupby([hit.ccode2, hit.year]).any().rename("local").reset_index()
    return out.rename(columns={"ccode2": "ccode"})


def nato_member_years(data_dir: Path, last: int) -> pd.DataFrame:
    """(ccode, year) pairs of NATO membership (ATOP 4.01 member level), up to ``last``.

    ATOP splits NATO into phases; a member's years run from its first entry to
    its exit (``yrexit`` 0 = still a member). West Germany (260) exits in 1990
    and unified Germany (255) enters that year.
    """
    members = read(data_dir, "atop_members")
    nato = members[members.atopid == NATO_ATOPID]
    rows: list[tuple[int, int]] = []
    for ccode, spells in nato.groupby("member"):
        start = int(spells.yrent.min())
        exits = spells.yrexit.astype(int)
        end = last if (exits == 0).any() else int(exits.max())
        rows.extend((int(ccode), year) for year in range(start, min(end, last) + 1))
    return pd.DataFrame(rows, columns=["ccode", "year"]).drop_duplicates()

"""The world at a date (forecaster.history.world, forecast-world): hand-made tables with
known answers, no look-ahead, the name mapping on the real data, the command."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import yaml

from forecaster.history import data
from forecaster.history import world as history_world
from forecaster.kernels import layout
from forecaster.scenario.models import Portfolio

DATA = data.default_data_dir()
needs_data = pytest.mark.skipif(
    not (DATA / history_world.MADDISON_FILE).is_file(), reason=f"needs the history data in {DATA}"
)

ORIGIN = 2000


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    pd.DataFrame(rows).to_csv(folder / name, index=False, compression="gzip")


def _tables() -> dict[str, list[dict]]:
    """A small world: four states of 1990 (Alpha a major power), Delta from mid-2000."""
    state = {"stmonth": 1, "stday": 1, "endyear": 2016, "endmonth": 12, "endday": 31}
    return {
        "cow_states.csv.gz": [
            {"stateabb": "ALP", "ccode": 200, "statenme": "Alpha", "styear": 1990, **state},
            {"stateabb": "BET", "ccode": 210, "statenme": "Beta", "styear": 1990, **state},
            {"stateabb": "GAM", "ccode": 220, "statenme": "Gamma", "styear": 1990, **state},
            {"stateabb": "EPS", "ccode": 2, "statenme": "Epsilon States", "styear": 1990, **state},
            {
                "stateabb": "DEL",
                "ccode": 230,
                "statenme": "Delta",
                "styear": 2000,
                **{**state, "stmonth": 6},
            },
        ],
        history_world.MADDISON_FILE: [
            # Epsilon by an alias-free name with accents and spaces; Gamma has no GDP
            {"Region": "Alpha ", "1998": "1,000", "1999": "2,000", "2000": "9,999"},
            {"Region": "Bêta", "1998": "500", "1999": "1,000", "2000": "9,999"},
            {"Region": "Epsilon  States", "1998": "100", "1999": "1,000", "2000": "9,999"},
            {"Region": "Delta", "1998": "100", "1999": "100", "2000": "100"},
            {"Region": "Total Somewhere", "1998": "1", "1999": "1", "2000": "1"},
        ],
        "cow_nmc.csv.gz": [
            {"ccode": c, "year": y, "milex": m}
            for y in (1999, 2000)
            for c, m in ((200, 60.0), (210, 10.0), (220, 5.0), (2, 30.0), (230, 1.0))
        ],
        "cow_majors.csv.gz": [{"ccode": 200, "styear": 1990, "endyear": 2016}],
        "cow_mid_dirdisps.csv.gz": [
            # dispute 1: Alpha (side A) against Beta, 1985-86 (dyad onset 1985: out of the
            # window 1980-1999? no: in it); dispute 2: Alpha against Beta, 1999;
            # dispute 3: Epsilon against Alpha, 1979 (before the window);
            # dispute 4: Gamma against Epsilon, 1995, Beta joins Gamma in 1996
            *[
                {"dispnum": d, "ccode1": a, "ccode2": b, "year": y, "sidea1": sa, "sidea2": 1 - sa}
                for d, a, b, y, sa in [
                    (1, 200, 210, 1985, 1),
                    (1, 210, 200, 1985, 0),
                    (1, 200, 210, 1986, 1),
                    (2, 200, 210, 1999, 1),
                    (2, 210, 200, 1999, 0),
                    (3, 2, 200, 1979, 1),
                    (3, 200, 2, 1979, 0),
                    (4, 220, 2, 1995, 1),
                    (4, 2, 220, 1995, 0),
                    (4, 210, 2, 1996, 1),
                    (4, 2, 210, 1996, 0),
                ]
            ],
        ],
        "atop_v4_member_level.csv.gz": [
            # pact 10: Alpha and Beta, defence, unconditional, 1990 on; pact 11: Beta and
            # Epsilon, consultation, ended 1998; pact 12: Alpha and Epsilon from 2000
            dict(
                zip(
                    ("atopid", "member", "yrent", "yrexit", "defense", "consul", "defcon"),
                    row,
                    strict=True,
                )
            )
            for row in [
                (10, 200, 1990, 0, 1, 0, 0),
                (10, 210, 1990, 0, 1, 0, 0),
                (11, 210, 1990, 1998, 0, 1, 0),
                (11, 2, 1990, 1998, 0, 1, 0),
                (12, 200, 2000, 0, 1, 0, 1),
                (12, 2, 2000, 0, 1, 0, 1),
            ]
        ],
        "atop_v4_alliance_level.csv.gz": [
            {"atopid": 10, "begyr": 1990, "milinst": 2},
            {"atopid": 11, "begyr": 1990, "milinst": 0},
            {"atopid": 12, "begyr": 2000, "milinst": 1},
        ],
    }


def _folder(tmp_path: Path, tables: dict[str, list[dict]]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        _write(tmp_path, name, rows)
    return tmp_path


def test_the_world_of_hand_made_tables(tmp_path):
    world = history_world.build_world(_folder(tmp_path, _tables()), ORIGIN)
    # members on 1 January 2000 with GDP: Delta joins in June, Gamma has no GDP
    assert list(world.states.index) == ["EPS", "ALP", "BET"]
    assert world.without_gdp == ((220, "Gamma"),)
    assert world.states.gdp.to_dict() == {"EPS": 1.0, "ALP": 2.0, "BET": 1.0}  # 1999, USD bn
    assert world.states.major.to_dict() == {"EPS": False, "ALP": True, "BET": False}
    # directed onsets 1980-1999: Alpha started 1 and 2 against Beta; Beta joined 4 in 1996
    assert world.challenges == {"ALP": {"BET": 2}, "BET": {"EPS": 1}}
    assert world.states.mids_started.to_dict() == {"EPS": 0, "ALP": 2, "BET": 1}
    assert world.states.mids_targeted.to_dict() == {"EPS": 1, "ALP": 0, "BET": 2}
    # only pact 10 is in force on 1 January 2000
    assert [(p.atopid, p.members, p.obligation, p.milinst) for p in world.pacts] == [
        (10, ("ALP", "BET"), "defense", 2)
    ]


def test_capabilities_keep_the_ratios_of_military_spending(tmp_path):
    world = history_world.build_world(_folder(tmp_path, _tables()), ORIGIN)
    s = world.states
    capability = s.defense_share * s.gdp
    # milex 1999: EPS 30, ALP 60, BET 10; GDP 1, 2, 1 (sum 4): share = 0.025 * (m/100) / (y/4)
    assert capability["ALP"] / capability["BET"] == pytest.approx(6.0)
    assert capability["EPS"] / capability["BET"] == pytest.approx(3.0)
    assert s.defense_share["ALP"] == pytest.approx(0.025 * 0.6 / 0.5)
    assert (capability.sum() / s.gdp.sum()) == pytest.approx(history_world.WORLD_BURDEN)


def test_unknown_or_zero_military_spending_gets_the_smallest_share():
    shares = history_world.defence_shares(
        pd.Series([10.0, 0.0, float("nan")]), pd.Series([1.0, 1.0, 1.0])
    )
    assert shares.tolist() == [pytest.approx(0.025 * 1.0 / 0.5), history_world.MIN_SHARE,
                               history_world.MIN_SHARE]  # fmt: skip


def test_nothing_from_the_origin_year_or_after_enters(tmp_path):
    """Changing every table from the origin year on leaves the world as it is; a change
    in the year before does not (so the comparison can fail)."""
    before = history_world.world_portfolio(
        history_world.build_world(_folder(tmp_path / "a", _tables()), ORIGIN)
    )
    tables = _tables()
    for row in tables[history_world.MADDISON_FILE]:
        row["2000"] = "123,456"
    for row in tables["cow_nmc.csv.gz"]:
        if row["year"] == 2000:
            row["milex"] *= 1000
    tables["cow_mid_dirdisps.csv.gz"] += [
        {"dispnum": 9, "ccode1": 2, "ccode2": 210, "year": 2000, "sidea1": 1, "sidea2": 0},
        {"dispnum": 2, "ccode1": 2, "ccode2": 200, "year": 2000, "sidea1": 1, "sidea2": 0},
    ]
    tables["cow_majors.csv.gz"].append({"ccode": 2, "styear": 2000, "endyear": 2016})
    tables["cow_states.csv.gz"][2]["styear"] = 1950  # Gamma's past changes nothing
    after = history_world.world_portfolio(
        history_world.build_world(_folder(tmp_path / "b", tables), ORIGIN)
    )
    assert after == before
    tables["cow_mid_dirdisps.csv.gz"].append(
        {"dispnum": 8, "ccode1": 2, "ccode2": 210, "year": 1999, "sidea1": 1, "sidea2": 0}
    )
    changed = history_world.world_portfolio(
        history_world.build_world(_folder(tmp_path / "c", tables), ORIGIN)
    )
    assert changed != before


def test_the_portfolio_of_hand_made_tables_validates(tmp_path):
    world = history_world.build_world(_folder(tmp_path, _tables()), ORIGIN)
    portfolio = history_world.world_portfolio(world)
    # Alpha and Beta are pact members: no adversary under the engine's rules
    assert history_world.adversaries(world) == []
    free = dataclasses.replace(world, pacts=())
    assert history_world.adversaries(free) == ["ALP"]  # Beta is Alpha's target
    spec = history_world.world_portfolio(free)["states"]["ALP"]
    assert spec["adversary"] is True and spec["targets"] == {"BET": 1.0}
    pact = portfolio["alliances"]["atop10"]
    assert pact["leader"] == "ALP" and pact["interoperability"] == 0.7
    assert pact["explicitness"] == history_world.EXPLICITNESS["unconditional"]
    assert portfolio["interest"]["pairs"] == {"ALP": {"BET": 0.9}, "BET": {"ALP": 0.9}}
    Portfolio.model_validate(history_world.world_portfolio(free))


def test_selection_keeps_regions_and_most_active_states(tmp_path):
    world = history_world.build_world(_folder(tmp_path, _tables()), ORIGIN)
    europe = history_world.select(world, ["europe"])
    assert list(europe.states.index) == ["ALP", "BET"]
    assert europe.challenges == {"ALP": {"BET": 2}}
    two = history_world.select(world, max_states=2)
    assert sorted(two.states.index) == ["ALP", "BET"]  # 2 and 3 MIDs; Epsilon 1
    with pytest.raises(ValueError, match="regions = mars: not a COW region"):
        history_world.select(world, ["mars"])
    none = history_world.select(world, max_alliances=0)
    assert none.pacts == () and "left out: atop10" in none.notes[0]


# ---- the real data ----------------------------------------------------------------------

#: members on 1 January of the year without a Maddison (2010) series (by COW code)
WITHOUT_GDP = {
    1980: [31, 53, 54, 55, 56, 57, 110, 115, 212, 260, 265, 338, 352, 395, 680, 760, 781,
           910, 940, 950, 990],
    1990: [31, 53, 54, 55, 56, 57, 58, 60, 80, 110, 115, 212, 260, 265, 338, 352, 395, 680,
           760, 781, 835, 910, 935, 940, 950, 990],
    2000: [31, 53, 54, 55, 56, 57, 58, 60, 80, 110, 115, 212, 221, 223, 232, 331, 338, 352,
           395, 531, 760, 781, 835, 910, 935, 940, 946, 950, 955, 970, 983, 986, 987, 990],
}  # fmt: skip
#: Maddison rows that are no COW state (territories) or a series COW splits
NOT_A_COW_STATE = {"hong kong", "puerto rico", "west bank and gaza"}


@needs_data
@pytest.mark.parametrize("year", sorted(WITHOUT_GDP))
def test_every_member_with_maddison_data_is_mapped(year):
    """Every Maddison country row of the year before maps to one COW code, except
    territories and totals; the members without a series are the listed ones."""
    rows = history_world.maddison_codes(DATA)
    rows = rows[rows.year == year - 1]
    unmapped = set(rows.name[rows.ccode < 0])
    totals = {n for n in unmapped if n.startswith(("total", "former", "world"))}
    # series of territories COW splits: unified Germany (West and East Germany until
    # October 1990), and after their break-up the sums of Yugoslavia's and
    # Czechoslovakia's successors (each successor has its own series)
    split = {"germany"} if year <= 1990 else {"yugoslavia", "czechoslovakia"}
    assert unmapped - totals == NOT_A_COW_STATE | split
    assert not rows.ccode[rows.ccode >= 0].duplicated().any()
    without = history_world.members_without_gdp(DATA, year)
    assert [code for code, _ in without] == WITHOUT_GDP[year]


@needs_data
def test_the_1990_world_from_the_data():
    world = history_world.build_world(DATA, 1990)
    assert len(world.states) == 161 - 26  # members on 1 January 1990, less those without GDP
    assert len(history_world.members_on_new_year(DATA, 1990)) == 161
    assert world.states.loc["USA", "gdp"] == pytest.approx(5703.521)  # Maddison 1989
    assert world.challenges["USA"]["RUS"] == 8  # directed MID onsets 1970-1989
    nato = next(p for p in world.pacts if p.atopid == data.NATO_ATOPID)
    assert {"USA", "UKG", "TUR", "CAN"} <= set(nato.members)
    portfolio = history_world.world_portfolio(world)
    assert len(Portfolio.model_validate(portfolio).states) == 135  # within the engine's limits


@needs_data
def test_forecast_world_writes_a_portfolio_that_runs(command, tmp_path, run_in_process):
    done = command("forecast-world", "--year", "1990", "--out", tmp_path, "--regions", "europe")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "portfolio" / "world_1990.yaml"
    spec = yaml.safe_load(path.read_text())
    assert spec["name"] == "world_1990" and len(spec["alliances"]) == 21  # every European pact
    assert {s["region"] for s in spec["states"].values()} == {"europe"}
    assert "German Federal Republic (260)" in path.read_text()  # listed as without GDP
    world = history_world.select(
        history_world.build_world(DATA, 1990), ["europe"], max_alliances=layout.MAX_ALLIANCES
    )
    assert spec == history_world.world_portfolio(world)  # the file holds the portfolio exactly
    import forecaster

    cfg = forecaster.compose(
        ["debug=quick", "portfolio=world_1990", "run.trajectories=200"], config_dir=tmp_path
    )
    results = forecaster.run(cfg)
    assert int(results.n_trajectories) == 200
    assert list(results.state.values) == list(spec["states"])


@needs_data
def test_a_whole_world_runs(command, tmp_path):
    done = command("forecast-world", "--year", "1990", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "135 states (12 adversaries), 67 alliances" in done.stdout
    assert "note:" not in done.stdout
    import forecaster

    cfg = forecaster.compose(
        ["debug=quick", "portfolio=world_1990", "run.trajectories=20"], config_dir=tmp_path
    )
    results = forecaster.run(cfg)
    assert results.sizes["state"] == 135 and results.sizes["alliance"] == 67
    assert int(results.n_trajectories) == 20


@needs_data
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--year", "1990"], "the following arguments are required: --out"),
        (["--year", "x", "--out", "o"], "argument --year: invalid int value: 'x'"),
        (["--year", "1700", "--out", "o"], "year = 1700: must be in 1871 ... 2009"),
        (["--year", "1990", "--out", "o", "--regions", "mars"], "regions = mars"),
        (["--year", "1990", "--out", "o", "--max-states", "0"], "--max-states = 0: must be >= 1"),
    ],
)
def test_forecast_world_bad_arguments(command, args, says):
    done = command("forecast-world", *args)
    assert done.returncode == 2
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1

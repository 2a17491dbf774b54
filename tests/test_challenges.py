"""Who challenges whom: adversary target weights derived from the MID record."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from forecaster.config.compose import compose
from forecaster.errors import ConfigError
from forecaster.history import challenges, data
from forecaster.history.challenges import PairRecord, derive_targets, pair_counts
from forecaster.scenario.compile import validate
from forecaster.testing import spec_of


def _write(directory: Path, table: str, frame: pd.DataFrame) -> None:
    frame.to_csv(directory / data.FILES[table], index=False, compression="gzip")


@pytest.fixture
def record(tmp_path):
    # Russia (365) against Norway (385) in disputes 1, 2 and 4 (Norway started 1 and 4:
    # side A), against Estonia (366) in 3, against Ukraine (369) in 5, 6, 7 and 8; dispute 9
    # (against Norway) started in 1990, before the window; dispute 2 runs on to 2003.
    styear = [2000, 2002, 2005, 2010, 2001, 2003, 2008, 2014, 1990]
    disputes = pd.DataFrame({"dispnum": range(1, 10), "styear": styear})
    rows = []
    for dispnum, other, russia_side_a, year in [
        (1, 385, 0, 2000), (2, 385, 1, 2002), (2, 385, 1, 2003), (3, 366, 1, 2005),
        (4, 385, 0, 2010), (5, 369, 1, 2001), (6, 369, 1, 2003), (7, 369, 1, 2008),
        (8, 369, 1, 2014), (9, 385, 1, 1990),
    ]:  # fmt: skip
        rows.append((dispnum, 365, other, year, russia_side_a, 1 - russia_side_a))
        rows.append((dispnum, other, 365, year, 1 - russia_side_a, russia_side_a))
    columns = ["dispnum", "ccode1", "ccode2", "year", "sidea1", "sidea2"]
    _write(tmp_path, "mid_dyads", pd.DataFrame(rows, columns=columns))
    _write(tmp_path, "mid_disputes", disputes)
    return tmp_path


def test_pairs_count_disputes_and_who_started_them(record):
    counts = pair_counts(record, 1995).set_index(["ccode1", "ccode2"])
    assert counts.loc[(365, 385)].to_dict() == {"mids": 3, "started_by_2": 2}
    assert counts.loc[(385, 365)].to_dict() == {"mids": 3, "started_by_2": 1}
    assert counts.loc[(365, 369), "mids"] == 4


def test_weights_are_disputes_over_the_adversarys_most_with_any_state(record):
    states = {"RUS": {"adversary": True}, "NOR": {}, "EST": {}, "USA": {}}
    derived = derive_targets(record, states)
    # Ukraine (4 disputes) is not in the portfolio but sets the scale; the USA has none
    # Norway started 2 of its 3: provocation weight 2 / 4
    assert derived == {
        "RUS": {"NOR": PairRecord(3, 2, 0.75, 0.5), "EST": PairRecord(1, 0, 0.25, 0.0)}
    }
    with pytest.raises(KeyError, match="XYZ"):
        derive_targets(record, {**states, "XYZ": {}})


def test_a_rewrite_is_idempotent_and_keeps_the_rest_of_the_file(record):
    text = (
        "name: t\nstates:\n  NOR: {gdp: 1}\n  RUS: {gdp: 2,\n"
        "        adversary: true, targets: {EST: 1.0}}\nalliances: {}\n"
    )
    derived = derive_targets(record, {"RUS": {"adversary": True}, "NOR": {}, "EST": {}})
    once = challenges.render_portfolio(text, "t", derived)
    assert challenges.render_portfolio(once, "t", derived) == once
    spec = yaml.safe_load(once)
    assert spec["states"]["RUS"]["targets"] == {"NOR": 0.75, "EST": 0.25}
    assert spec["states"]["RUS"]["provocations"] == {"NOR": 0.5, "EST": 0.0}
    assert spec["states"]["NOR"] == {"gdp": 1} and spec["alliances"] == {}
    assert "NOR 3 (2), EST 1 (0)" in once


@pytest.fixture(scope="module")
def data_dir() -> Path:
    try:
        return data.resolve_data_dir()
    except data.HistoryDataError as err:
        pytest.skip(f"history data not available, cannot re-derive the targets: {err}")


def test_shipped_portfolios_carry_the_derived_targets(data_dir):
    for path, text in challenges.expected_files(data_dir).items():
        assert path.read_text() == text, (
            f"{path.name} differs from the MID record; rewrite with {challenges.COMMAND}"
        )
    assert challenges.main(["--check"]) == 0


def test_composed_portfolios_target_every_state_with_a_mid_record(data_dir):
    for name in challenges.PORTFOLIOS:
        portfolio = compose([f"portfolio={name}"]).portfolio
        states = {k: dict(v) for k, v in portfolio.states.items()}
        derived = derive_targets(data_dir, states)
        for adversary, records in derived.items():
            weights = {t: r.weight for t, r in records.items()}
            assert dict(portfolio.states[adversary].targets) == weights, (name, adversary)
            provocations = {t: r.provocation for t, r in records.items()}
            assert dict(portfolio.states[adversary].provocations) == provocations
    nato = derive_targets(data_dir, challenges.composed_states("nato"))["RUS"]
    # Russia's most frequent NATO opponents 1995-2014 (the 1992-2014: 9, 8, 9)
    assert (nato["NOR"].mids, nato["TUR"].mids, nato["USA"].mids) == (9, 7, 9)
    korea = derive_targets(data_dir, challenges.composed_states("indo_pacific"))["PRK"]["KOR"]
    assert (korea.mids, korea.mids - korea.started_by_state) == (11, 6)


def test_provocations_must_name_the_adversarys_targets():
    spec = spec_of("portfolio=regional")
    spec["portfolio"]["states"]["RIVAL"]["provocations"] = {"PATRON": 0.5}
    with pytest.raises(ConfigError, match="'PATRON' is not one of RIVAL's targets"):
        validate(spec)
    spec["portfolio"]["states"]["RIVAL"]["provocations"] = {"PROTEGE": -1}
    with pytest.raises(ConfigError, match=r"provocations\.PROTEGE"):
        validate(spec)
    del spec["portfolio"]["states"]["RIVAL"]["provocations"]
    spec["portfolio"]["states"]["PATRON"]["provocations"] = {"PROTEGE": 0.5}
    with pytest.raises(ConfigError, match="only an adversary"):
        validate(spec)

"""Scores of probability forecasts (forecaster.history.scores) on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecaster.history import baseline, data, scores


def test_brier_and_log_score_of_known_forecasts():
    assert scores.brier([1.0, 0.0], [1, 0]) == 0.0
    assert scores.brier([0.5, 0.5, 0.5], [1, 0, 1]) == 0.25
    assert scores.brier([0.8, 0.3], [1, 0]) == pytest.approx((0.04 + 0.09) / 2)
    assert scores.log_score([0.5, 0.5], [1, 0]) == pytest.approx(math.log(2))
    assert scores.log_score([0.8, 0.3], [1, 0]) == pytest.approx(
        -(math.log(0.8) + math.log(0.7)) / 2
    )
    # a sure forecast that misses costs -log(LOG_FLOOR), not infinity
    assert scores.log_score([0.0], [1]) == pytest.approx(-math.log(scores.LOG_FLOOR))


def test_auc_of_known_rankings():
    assert scores.auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert scores.auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert scores.auc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1]) == 0.5  # ties count half
    # 3 of the 4 (event, non-event) pairs ranked right
    assert scores.auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert math.isnan(scores.auc([0.1, 0.2], [1, 1]))


def test_skill_against_a_reference():
    assert scores.skill(0.188, 0.244) == pytest.approx(1 - 0.188 / 0.244)
    assert scores.skill(0.25, 0.25) == 0.0
    assert math.isnan(scores.skill(0.1, 0.0))


def test_reliability_bins():
    table = scores.reliability([0.05, 0.15, 0.12, 0.95, 1.0], [0, 1, 0, 1, 1], bins=10)
    assert table.n.tolist() == [1, 2, 2]
    assert table.low.tolist() == pytest.approx([0.0, 0.1, 0.9])
    assert table.observed.tolist() == [0.0, 0.5, 1.0]
    assert table.mean_forecast.tolist() == pytest.approx([0.05, 0.135, 0.975])


def test_bad_forecasts_are_refused():
    with pytest.raises(ValueError, match="probabilities in"):
        scores.brier([1.2], [1])
    with pytest.raises(ValueError, match="0 or 1"):
        scores.brier([0.2], [2])
    with pytest.raises(ValueError, match="one length"):
        scores.brier([0.2, 0.1], [1])


def test_bootstrap_interval_of_a_mean_matches_its_standard_error():
    """A share of 0.3 over 400 states: the bootstrap interval is the normal one,
    ±1.96 sqrt(p(1-p)/n) = ±0.045, to within its own resampling error (2,000
    resamples: the 2.5% quantile's error is about 0.1 of a standard error)."""
    y = np.array([1] * 120 + [0] * 280, dtype=float)
    low, high = scores.bootstrap_interval(lambda v: float(np.mean(v)), y, seed=1)
    se = math.sqrt(0.3 * 0.7 / 400)
    assert low == pytest.approx(0.3 - 1.96 * se, abs=0.3 * se)
    assert high == pytest.approx(0.3 + 1.96 * se, abs=0.3 * se)


def test_a_perfect_forecast_has_skill_one_with_no_spread():
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1], dtype=float)
    table = scores.score_table({"perfect": y, "climatology": np.full(8, 0.5)}, y, n_resamples=200)
    assert table.loc["perfect", "brier_skill"] == 1.0
    assert (table.loc["perfect", "brier_skill_low"], table.loc["perfect", "brier_skill_high"]) == (
        1.0,
        1.0,
    )
    assert table.loc["climatology", "brier"] == 0.25
    assert table.loc["climatology", "brier_skill"] == 0.0
    assert table.loc["perfect", "auc"] == 1.0
    with pytest.raises(ValueError, match="reference = 'logistic'"):
        scores.score_table({"perfect": y}, y, reference="logistic")


def _outcomes() -> pd.DataFrame:
    """Ten states, window starts 1960-1999; every window that touches 1990 or later is
    an event, every earlier one a non-event except state 0's."""
    rows = []
    for state in range(10):
        for year in range(1960, 2000):
            late = year + 9 >= 1990
            rows.append({"state": state, "year": year, "y": int(late or state == 0)})
    return pd.DataFrame(rows)


def test_training_windows_close_before_the_origin():
    """If any outcome year of 1990 or later entered, the base rate would not be 0.1."""
    table = _outcomes()
    train = scores.training_windows(table, origin=1990, horizon=10)
    assert train.year.max() == 1980  # the window 1980-1989 is the last
    assert (train.year + 9 < 1990).all()
    assert scores.climatology(train.y) == pytest.approx(0.1)
    assert scores.climatology(table.y) > 0.1  # what look-ahead would give


def test_logistic_baseline_reproduces_group_frequencies():
    """With one binary feature, the maximum-likelihood logistic fit gives each group
    its own event frequency."""
    pytest.importorskip("statsmodels")
    train = pd.DataFrame({"ally": [0, 0, 0, 0, 1, 1, 1, 1], "y": [0, 0, 0, 1, 0, 1, 1, 1]})
    test = pd.DataFrame({"ally": [0, 1]})
    p = scores.logistic_baseline(train, test, ["ally"], "y")
    assert p == pytest.approx([0.25, 0.75], abs=1e-6)


# ---- the baseline on the data --------------------------------------------------------------

DATA = data.default_data_dir()
needs_data = pytest.mark.skipif(
    not (DATA / data.FILES["mid_dyads"]).is_file(), reason=f"needs the history data in {DATA}"
)


@needs_data
def test_the_1990_references_learn_nothing_from_1990_on(monkeypatch):
    """Every state targeted every year from 1990 on changes the outcomes scored, not
    the references' forecasts; the test windows are the 165 members of 1990."""
    kept = baseline.origin_forecasts(DATA, 1990, "targeted")
    assert len(kept) == 165 and int(kept.y.sum()) == 93  # COW MID 5.0, 1990-1999
    assert kept.climatology.iloc[0] == pytest.approx(0.5838, abs=1e-4)  # windows 1946-1980
    real = data.new_mid_targets

    def every_year_from_1990(data_dir):
        events = real(data_dir)
        states = data.state_years(data_dir, 1990, 2014)
        return pd.concat([events[events.year < 1990], states], ignore_index=True)

    monkeypatch.setattr(data, "new_mid_targets", every_year_from_1990)
    leaked = baseline.origin_forecasts(DATA, 1990, "targeted")
    assert int(leaked.y.sum()) == 165
    assert leaked.climatology.tolist() == kept.climatology.tolist()
    assert leaked.logistic.to_numpy() == pytest.approx(kept.logistic.to_numpy(), rel=1e-9)


def test_windows_refuse_an_unknown_outcome_or_years_past_the_data():
    with pytest.raises(ValueError, match="outcome = 'coup'"):
        baseline.windows(DATA, range(1990, 1991), "coup")
    with pytest.raises(ValueError, match="runs past the war_entry data's last year, 2007"):
        baseline.windows(DATA, range(2000, 2001), "war_entry")

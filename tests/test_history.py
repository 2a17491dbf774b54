"""History → moments: estimators on hand-made tables, and the shipped YAML against the data."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecaster.history import data, output
from forecaster.history.__main__ import main
from forecaster.history.derive import DEFAULT_OUTPUT, derive_moments, derive_population
from forecaster.history.estimators import (
    binomial_proportion,
    clustered_proportion,
    mantel_haenszel_risk_ratio,
    poisson_rate,
    spearman_with_se,
)
from forecaster.history.honour import honour_logit, institution_offset
from forecaster.history.institutions import institution_moments
from forecaster.history.moments import (
    distant_war_moments,
    mid_outcome_moments,
    reliability_moments,
    targeting_moments,
    termination_moments,
    war_entry_moments,
)
from forecaster.history.population import defence_pact_sizes

REQUIRED = {"value", "se", "n", "period", "unit", "estimator", "source"}


# --- estimators on tables with known answers ---------------------------------------------


def test_binomial_proportion_and_its_error():
    est = binomial_proportion(10, 40)
    assert est.value == 0.25
    assert est.se == pytest.approx(math.sqrt(0.25 * 0.75 / 40))
    assert est.n == 40
    with pytest.raises(ValueError, match="trials"):
        binomial_proportion(3, 0)


def test_clustered_proportion_uses_cluster_totals():
    # Clusters A: (1, 0), B: (1, 1), C: (0, 0); p = 1/2, residual totals (0, 1, -1):
    # var = 3/2 * 2 / 6^2 = 1/12.
    est = clustered_proportion([1, 0, 1, 1, 0, 0], ["A", "A", "B", "B", "C", "C"])
    assert est.value == 0.5
    assert est.se == pytest.approx(math.sqrt(1 / 12))
    assert est.n == 6


def test_clustered_proportion_with_singleton_clusters_is_binomial_times_correction():
    y = np.array([1, 0, 0, 1, 0, 0, 0, 1])
    est = clustered_proportion(y, np.arange(y.size))
    p = y.mean()
    assert est.se == pytest.approx(math.sqrt(p * (1 - p) / y.size * y.size / (y.size - 1)))


def test_poisson_rate():
    est = poisson_rate(4, 100.0)
    assert (est.value, est.se, est.n) == (0.04, 0.02, 4)


def test_mantel_haenszel_recovers_a_common_ratio_that_the_crude_ratio_misses():
    # Stratum 1: exposed 2/10, unexposed 4/10 (RR 0.5); stratum 2: exposed 2/20,
    # unexposed 1/5 (RR 0.5). RR_MH = (2*10/20 + 2*5/25) / (4*10/20 + 1*20/25) = 0.5,
    # while the crude ratio is (4/30) / (5/15) = 0.4.
    rows = []
    for stratum, n1, a, n0, b in [(1, 10, 2, 10, 4), (2, 20, 2, 5, 1)]:
        rows += [(stratum, 1, int(i < a)) for i in range(n1)]
        rows += [(stratum, 0, int(i < b)) for i in range(n0)]
    s, x, y = map(np.array, zip(*rows, strict=True))
    rr = mantel_haenszel_risk_ratio(y, x, s, np.arange(y.size))
    assert rr.value == pytest.approx(0.5)
    assert (y[x == 1].mean() / y[x == 0].mean()) == pytest.approx(0.4)
    assert (rr.n, rr.strata) == (45, 2)


def test_mantel_haenszel_error_of_one_stratum_is_the_textbook_one():
    # One stratum: var(log RR) = 1/a - 1/n1 + 1/b - 1/n0 = 1/2 - 1/10 + 1/4 - 1/10 = 0.55.
    y = np.r_[np.ones(2), np.zeros(8), np.ones(4), np.zeros(6)]
    x = np.r_[np.ones(10), np.zeros(10)]
    rr = mantel_haenszel_risk_ratio(y, x, np.zeros(20, int), np.arange(20))
    assert rr.value == pytest.approx(0.5)
    assert rr.log_se_model == pytest.approx(math.sqrt(0.55))


def test_mantel_haenszel_jackknife_matches_a_loop_over_clusters():
    rng = np.random.default_rng(3)
    n = 300
    cluster = rng.integers(0, 12, n)
    stratum = rng.integers(0, 4, n)
    x = (rng.random(n) < 0.3 + 0.1 * stratum).astype(int)
    y = (rng.random(n) < 0.1 + 0.05 * stratum).astype(int)
    rr = mantel_haenszel_risk_ratio(y, x, stratum, cluster)
    logs = np.array(
        [
            math.log(mantel_haenszel_risk_ratio(y[m], x[m], stratum[m], cluster[m]).value)
            for m in (cluster != g for g in range(12))
        ]
    )
    expected = math.sqrt(11 / 12 * np.sum((logs - logs.mean()) ** 2))
    assert rr.log_se_cluster == pytest.approx(expected)


def test_spearman_gives_ties_their_mean_rank():
    # x ranks (1.5, 1.5, 3, 4), y ranks (1, 2, 3, 4): Pearson of those ranks.
    expected = np.corrcoef([1.5, 1.5, 3, 4], [1, 2, 3, 4])[0, 1]
    assert spearman_with_se([5, 5, 7, 9], [1, 2, 3, 4]).value == pytest.approx(expected)
    assert spearman_with_se([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]).value == pytest.approx(-1.0)


def test_spearman_agrees_with_scipy_on_tied_data():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, 40)
    y = x + rng.integers(0, 4, 40)
    assert spearman_with_se(x, y).value == pytest.approx(stats.spearmanr(x, y).statistic)


def test_spearman_with_fisher_z_error():
    # d = (-1, 1, -1, 1, 0): rho = 1 - 6 * 4 / (5 * 24) = 0.8.
    est = spearman_with_se([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert est.value == pytest.approx(0.8)
    sd_z = math.sqrt((1 + 0.8**2 / 2) / 2)
    assert est.se == pytest.approx((1 - 0.64) * sd_z)
    assert est.ci95[0] == pytest.approx(math.tanh(math.atanh(0.8) - 1.959963984540054 * sd_z))
    assert est.n == 5
    assert est.p_value == pytest.approx(math.erfc(math.atanh(0.8) * math.sqrt(2) / math.sqrt(2)))


# --- moment builders on tiny hand-made data directories ----------------------------------


def _write(directory: Path, table: str, frame: pd.DataFrame) -> None:
    frame.to_csv(directory / data.FILES[table], index=False, compression="gzip")


def test_targeting_counts_original_targets_once_per_state_year(tmp_path):
    _write(
        tmp_path,
        "states",
        pd.DataFrame({"ccode": [2, 20], "styear": [2000, 2000], "endyear": [2003, 2003]}),
    )
    # 20 targeted in 2001 (twice, counted once); 2 joins side B in 2002 (not an original
    # target); 2 targeted in 2003; 20 is side A in 2002 (not targeted).
    _write(
        tmp_path,
        "mid_dyads",
        pd.DataFrame(
            {
                "dispnum": [1, 2, 3, 4, 5],
                "ccode1": [2, 2, 20, 20, 2],
                "ccode2": [20, 20, 2, 2, 20],
                "year": [2001, 2001, 2002, 2003, 2002],
                "disponset": [1, 1, 1, 1, 1],
                "sidea2": [0, 0, 0, 0, 1],
                "orig2": [1, 1, 0, 1, 1],
            }
        ),
    )
    _write(
        tmp_path,
        "atop_members",
        pd.DataFrame(
            {"atopid": [3180, 3180], "member": [2, 20], "yrent": [2001, 2001], "yrexit": [0, 0]}
        ),
    )
    moments = targeting_moments(tmp_path)
    assert moments["targeted_rate"].value == 2 / 8
    assert moments["targeted_rate"].n == 8
    assert moments["targeted_rate_nato_members"].value == pytest.approx(2 / 6)
    # Clusters (1 of 4, 1 of 4): residuals 0 and 0, so the clustered error is zero.
    assert moments["targeted_rate"].se == 0.0


def test_a_target_counts_at_its_disputes_onset_not_at_each_new_dyads(tmp_path):
    _write(
        tmp_path,
        "states",
        pd.DataFrame({"ccode": [2, 20, 40], "styear": [2000] * 3, "endyear": [2003] * 3}),
    )
    # Dispute 1 starts in 2001 with 2 against 20; 40 joins side A in 2002, which opens the
    # dyad (40, 20) with its own onset flag: 20 is still targeted once, in 2001.
    _write(tmp_path, "mid_dyads", pd.DataFrame({
        "dispnum": [1, 1, 1],
        "ccode1": [2, 2, 40],
        "ccode2": [20, 20, 20],
        "year": [2001, 2002, 2002],
        "disponset": [1, 0, 1],
        "sidea2": [0, 0, 0],
        "orig2": [1, 1, 1]}))  # fmt: skip
    targets = data.new_mid_targets(tmp_path)
    assert list(map(tuple, targets.to_numpy())) == [(20, 2001)]


def test_a_war_entry_is_a_states_first_year_in_the_war(tmp_path):
    _write(
        tmp_path,
        "states",
        pd.DataFrame({"ccode": [2, 20, 40], "styear": [2000] * 3, "endyear": [2007] * 3}),
    )
    # War 1: 2 against 20 from 2001; 40 joins against 2 in 2003, a new dyad with its own
    # onset flag for 2 as well; 2 enters once (2001), 40 once (2003). War 2: 20 and 40 again
    # in 2005 (a second war is a second entry).
    dyads = [(1, 2, 20, 2001, 1), (1, 20, 2, 2001, 1), (1, 2, 40, 2003, 1),
             (1, 40, 2, 2003, 1), (2, 20, 40, 2005, 1), (2, 40, 20, 2005, 1)]  # fmt: skip
    columns = ["warnum", "ccode1", "ccode2", "year", "cowinteronset"]
    _write(tmp_path, "war_dyads", pd.DataFrame(dyads, columns=columns))
    entries = set(map(tuple, data.war_entries(tmp_path).to_numpy()))
    assert entries == {(2, 2001), (20, 2001), (40, 2003), (20, 2005), (40, 2005)}
    moments = war_entry_moments(tmp_path)
    assert moments["war_entry_rate"].value == pytest.approx(5 / 24)
    assert moments["war_entry_rate"].n == 24


def test_mid_outcomes_are_shares_of_all_disputes_of_the_period(tmp_path):
    _write(tmp_path, "mid_disputes", pd.DataFrame({
        "styear": [1900, 1950, 1960, 1970, 2000],
        "hostlev": [5, 5, 4, 3, 4],
        "outcome": [1, 9, 5, 6, -9]}))  # fmt: skip
    moments = mid_outcome_moments(tmp_path)
    assert moments["p_war_given_mid"].value == pytest.approx(2 / 5)
    assert moments["p_war_given_mid_post1945"].value == pytest.approx(1 / 4)
    assert moments["p_mid_stalemate_or_compromise_post1945"].value == pytest.approx(2 / 4)
    assert moments["p_mid_yield"].value == 0.0
    # decisive: victory, yield or release short of war; the 1900 victory was a war
    assert moments["p_mid_decisive"].value == 0.0
    assert moments["p_mid_stalemate_or_compromise"].se == pytest.approx(math.sqrt(0.4 * 0.6 / 5))


def test_decisive_and_stalemate_shares_are_of_known_outcomes_short_of_war(tmp_path):
    _write(tmp_path, "mid_disputes", pd.DataFrame({
        "styear": [1950, 1951, 1952, 1953, 1954, 1955, 1956, 1957],
        "hostlev": [5, 4, 3, 4, 4, 4, 2, 4],
        "outcome": [1, 2, 3, 4, 7, 5, 8, 6]}))  # fmt: skip
    moments = mid_outcome_moments(tmp_path)
    # over the 7 disputes with a known outcome (the 1956 one is 'unclear')
    assert moments["p_mid_decisive_post1945"].value == pytest.approx(4 / 7)
    assert moments["p_mid_decisive_post1945"].note == (
        "4/7 MIDs with a known outcome: decisive short of war"
    )
    assert moments["p_mid_stalemate_post1945"].value == pytest.approx(2 / 7)


def test_a_war_participation_is_distant_when_no_opponent_shares_its_region(tmp_path):
    # War 1 (1950): USA (2) and South Korea (732) against North Korea (731) and China (710):
    # the USA is distant, the three Asian states are not. War 2 (1990): Iraq (645) against
    # Kuwait (690) and the UK (200): the UK is distant. War 3 (1900) is before 1946.
    dyads = [(1, 2, 731, 1950), (1, 2, 710, 1951), (1, 732, 731, 1950), (1, 731, 2, 1950),
             (1, 731, 732, 1950), (1, 710, 2, 1951), (1, 710, 732, 1951),
             (2, 645, 690, 1990), (2, 645, 200, 1991), (2, 690, 645, 1990), (2, 200, 645, 1991),
             (3, 200, 220, 1900), (3, 220, 200, 1900),
             (4, 200, 640, 1974), (4, 640, 200, 1974)]  # fmt: skip
    columns = ["warnum", "ccode1", "ccode2", "year"]
    _write(tmp_path, "war_dyads", pd.DataFrame(dyads, columns=columns))
    # War 4 (1974): Britain (Europe) against Turkey (Middle East) alone: a war between
    # two regions, in which neither side intervenes in the other's local war.
    parts = data.war_participations(tmp_path)
    distant = parts[parts.distant]
    assert set(zip(distant.warnum, distant.ccode, strict=True)) == {(1, 2), (2, 200)}
    assert parts.set_index(["warnum", "ccode"]).loc[(1, 710), "year"] == 1951
    moments = distant_war_moments(tmp_path)
    post = moments["war_participation_distant_post1945"]
    assert post.value == pytest.approx(2 / 9) and post.n == 9
    # cluster-robust by war: war 1 has 1 of 4, war 2 1 of 3, war 4 0 of 2
    expected = clustered_proportion([1, 0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 1, 1, 2, 2, 2, 4, 4])
    assert post.se == pytest.approx(expected.se)
    assert moments["war_participation_distant"].value == pytest.approx(2 / 11)


def test_a_defence_ally_is_local_when_it_is_from_the_states_own_region(tmp_path):
    # Directed pairs: ccode1 is obliged to defend ccode2. 1960: the USA (2) defends Japan
    # (740), Japan not the USA -> Japan has a distant ally, the USA none; the USA and
    # France (220) defend the UK (200) -> local; a consultation pact does not count.
    pairs = [(2, 740, 1960, 1), (740, 2, 1960, 0), (732, 740, 1960, 0),
             (2, 200, 1960, 1), (220, 200, 1960, 1)]  # fmt: skip
    columns = ["ccode1", "ccode2", "year", "atop_defense"]
    _write(tmp_path, "atop_pairs", pd.DataFrame(pairs, columns=columns))
    where = data.defence_ally_location_years(tmp_path).set_index(["ccode", "year"]).local
    assert where.to_dict() == {(200, 1960): True, (740, 1960): False}
    protected = set(map(tuple, data.defence_pact_years(tmp_path).to_numpy()))
    assert protected == {(740, 1960), (200, 1960)}  # the guarantor is not protected


def test_cow_regions_follow_the_country_code_ranges():
    codes = {2: "americas", 165: "americas", 200: "europe", 395: "europe", 402: "africa",
             626: "africa", 630: "middle_east", 698: "middle_east", 700: "asia",
             900: "asia"}  # fmt: skip
    assert {c: data.region_of(c) for c in codes} == codes


def test_termination_hazard_counts_inclusive_years_and_censors_at_2016(tmp_path):
    # Ended 2000-2004 (5 years), in effect since 2010 (7 years to 2016), ended 1900-1900 (1).
    _write(
        tmp_path,
        "atop_alliances",
        pd.DataFrame(
            {
                "begyr": [2000, 2010, 1900],
                "endyr": [2004, 0, 1900],
                "ineffect": [0, 1, 0],
                "defense": [1, 1, 0],
                "mem1": [2, 2, 200],
                "mem2": [20, 20, 220],
                "mem3": [None, 200, None],
            }
        ),
    )
    moments = termination_moments(tmp_path)
    overall = moments["alliance_termination_hazard"]
    assert overall.value == pytest.approx(2 / 13)
    assert overall.se == pytest.approx(math.sqrt(2) / 13)
    assert moments["alliance_termination_hazard_formed_from_1945"].value == pytest.approx(1 / 12)
    assert defence_pact_sizes(tmp_path).tolist() == [2, 3]


def test_reliability_splits_by_period_and_alliance_size(tmp_path):
    _write(tmp_path, "reliability", pd.DataFrame({
        "sample": [1, 1, 0, 0, 0, 1],
        "multilateral": [0, 1, 0, 1, 1, 0],
        "defense": [1, 1, 0, 1, 0, 0],
        "honorLLM": [1, None, 1, None, None, None],
        "violateLLM": [None, 1, None, 1, 1, None],   # the last row: obligation did not apply
        "honorBF": [1, None, None, None, None, None],
        "violateBF": [None, 1, 1, 1, 1, None]}))  # fmt: skip
    moments = reliability_moments(tmp_path)
    assert moments["reliability"].value == pytest.approx(2 / 5)
    assert moments["reliability"].n == 5
    assert moments["reliability_pre1945"].value == pytest.approx(1 / 2)
    assert moments["reliability_post1945_bilateral"].value == 1.0
    assert moments["reliability_post1945_multilateral"].value == 0.0
    assert moments["reliability_defence_pacts"].value == pytest.approx(1 / 3)
    assert moments["reliability_bf_coding"].value == pytest.approx(1 / 5)
    # B&F's sample split is by when the alliance was formed, not by the war's years
    assert moments["reliability_post1945"].period == "alliances formed from 1945"
    assert moments["reliability_pre1945"].period == "alliances formed before 1945"


def test_missing_data_names_the_directory_and_the_file(tmp_path, monkeypatch):
    with pytest.raises(data.HistoryDataError, match="does not exist"):
        data.resolve_data_dir(tmp_path / "nowhere")
    (tmp_path / data.FILES["states"]).write_bytes(b"")
    with pytest.raises(data.HistoryDataError, match=re.escape(str(tmp_path)) + ".*cow_nmc"):
        data.resolve_data_dir(tmp_path)
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    assert data.default_data_dir() == tmp_path
    monkeypatch.delenv(data.ENV_VAR)
    assert data.default_data_dir() == data.REPO_ROOT.parent / "shared" / "data" / "history"


def test_cli_reports_missing_data_without_a_traceback(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "--output", str(tmp_path / "h.yaml")]) == 2
    assert str(tmp_path) in capsys.readouterr().err
    assert not (tmp_path / "h.yaml").exists()


# --- the shipped YAML ---------------------------------------------------------------------


def test_shipped_yaml_has_every_field_for_every_moment():
    shipped = output.shipped()
    assert shipped == output.load(DEFAULT_OUTPUT)
    assert len(shipped["moments"]) >= 20
    for name, entry in shipped["moments"].items():
        assert set(entry) >= REQUIRED, name
        assert entry["se"] >= 0 and entry["n"] > 0, name
    assert {"mid_dyad_capability_ratio", "defence_pact_size"} <= set(shipped["population"])


@pytest.fixture(scope="module")
def data_dir() -> Path:
    try:
        return data.resolve_data_dir()
    except data.HistoryDataError as err:
        pytest.skip(f"history data not available, cannot re-derive the moments: {err}")


@pytest.fixture(scope="module")
def derived(data_dir):
    return derive_moments(data_dir), derive_population(data_dir)


def test_shipped_moments_are_re_derived_from_the_data(derived):
    moments, _ = derived
    shipped = output.load(DEFAULT_OUTPUT)["moments"]
    assert list(shipped) == list(moments)
    for name, moment in moments.items():
        assert shipped[name] == output.moment_entry(moment), name


def test_shipped_population_is_re_derived_from_the_data(derived):
    _, population = derived
    assert output.load(DEFAULT_OUTPUT)["population"] == population


def test_published_figures_are_reproduced(derived):
    # The data README's figures and the bilateral/multilateral counts.
    m, _ = derived
    # Targets and war entries are counted per dispute and per war (the README's 0.135,
    # 0.147 and 0.027 counted each new dyad's onset; docs/history.md [1]).
    assert round(m["targeted_rate"].value, 3) == 0.133
    assert round(m["targeted_rate_post1945"].value, 3) == 0.145
    assert round(m["war_entry_rate"].value, 4) == 0.0229
    assert round(m["war_entry_rate_post1945"].value, 4) == 0.0161
    assert round(m["p_war_given_mid"].value, 3) == 0.044
    assert round(m["p_mid_stalemate_or_compromise_post1945"].value, 2) == 0.77
    assert m["reliability_post1945_bilateral"].n == 29
    assert round(m["reliability_post1945_bilateral"].value * 29) == 10
    assert round(m["reliability_post1945_multilateral"].value * 25) == 2
    assert round(m["alliance_termination_hazard"].value, 3) == 0.029
    assert round(m["alliance_termination_hazard_formed_from_1945"].value, 3) == 0.017


def test_cli_writes_the_same_document(data_dir, tmp_path):
    target = tmp_path / "history.yaml"
    assert main(["--data-dir", str(data_dir), "--output", str(target)]) == 0
    assert target.read_text() == DEFAULT_OUTPUT.read_text()


def test_docs_table_shows_the_shipped_numbers():
    docs = (data.REPO_ROOT / "docs" / "history.md").read_text()
    rows = {
        line.split("|")[1].strip().strip("`"): [cell.strip() for cell in line.split("|")[2:6]]
        for line in docs.splitlines()
        if line.startswith("| `")
    }
    for name, entry in output.load(DEFAULT_OUTPUT)["moments"].items():
        value, se, n, period = rows[name]
        assert (float(value), float(se), int(n), period) == (
            entry["value"],
            entry["se"],
            entry["n"],
            entry["period"],
        ), name


def test_institution_tiers_tell_a_replaced_treaty_from_a_dissolved_one(tmp_path):
    # 3220 (high tier, the USA and Japan) 1951-1960 is replaced by 3375 (1960, in effect):
    # a termination, not a dissolution. 3300 (low tier) 1955-1959 and 3400 (moderate)
    # 1960-1964 end with nothing after.
    _write(tmp_path, "atop_alliances", pd.DataFrame({
        "atopid": [3220, 3375, 3300, 1000, 3400],
        "begyr": [1951, 1960, 1955, 1900, 1960],
        "endyr": [1960, 0, 1959, 1910, 1964],
        "ineffect": [0, 1, 0, 0, 0],
        "milinst": [2, 2, 0, 0, 1]}))  # fmt: skip
    _write(tmp_path, "atop_members", pd.DataFrame({
        "atopid": [3220, 3220, 3375, 3375, 3300, 3300, 1000, 1000, 3400, 3400],
        "member": [2, 740, 2, 740, 651, 652, 200, 220, 350, 352],
        "yrent": [1951, 1951, 1960, 1960, 1955, 1955, 1900, 1900, 1960, 1960],
        "yrexit": [1960, 1960, 0, 0, 1959, 1959, 1910, 1910, 1964, 1964]}))  # fmt: skip
    moments = institution_moments(tmp_path)
    high_years = 10 + (2016 - 1960 + 1)
    high = moments["alliance_termination_hazard_tier_high"]
    assert (high.value, high.n) == (pytest.approx(1 / high_years), 1)
    assert moments["alliance_dissolution_hazard_tier_high"].value == 0.0
    assert moments["alliance_dissolution_hazard_tier_low"].value == pytest.approx(1 / 5)
    assert moments["alliance_dissolution_hazard_tier_moderate"].value == pytest.approx(1 / 5)
    # the pooled hazard counts the alliances formed from 1945 only (not 1000, of 1900)
    pooled = moments["alliance_dissolution_hazard_formed_from_1945"]
    assert pooled.value == pytest.approx(2 / (high_years + 5 + 5))
    assert "US-Japan (1960) in this tier" in high.note


def test_honour_logit_recovers_odds_that_the_model_fits_exactly():
    # Cell odds 4 * (1/4)^m * (1/2)^h * 2^(m h) * (1/2)^p fit the logit exactly, so the MLE
    # is b0 = ln 4, b_m = -ln 4, b_h = -ln 2, b_mh = ln 2, b_p = -ln 2 and kappa = 1/2.
    cells = {
        (0, 0, 0): (8, 2), (0, 0, 1): (8, 4), (0, 1, 0): (8, 4), (0, 1, 1): (4, 4),
        (1, 0, 0): (4, 4), (1, 0, 1): (4, 8), (1, 1, 0): (4, 4), (1, 1, 1): (4, 8),
    }  # fmt: skip
    rows = [
        (m, 2 * h, p, y)
        for (m, h, p), (yes, no) in cells.items()
        for y, count in ((1, yes), (0, no))
        for _ in range(count)
    ]
    cases = pd.DataFrame(rows, columns=["multilateral", "tier", "post", "honoured"])
    cases["warid"] = np.arange(len(cases))
    params, cov = honour_logit(cases)
    ln2 = math.log(2)
    expected = {"const": 2 * ln2, "multilateral": -2 * ln2, "high": -ln2,
                "multilateral_high": ln2, "post": -ln2}  # fmt: skip
    for name, value in expected.items():
        assert params[name] == pytest.approx(value, abs=1e-6), name
    kappa, se = institution_offset(params, cov)
    assert kappa == pytest.approx(0.5, abs=1e-6) and se > 0

"""A briefing an analyst can hand over (issue 21): outputs that say which scenario they
are and what changed, figures that do not turn noise into contrast, user folders
without traps, a notebook whose prose follows its numbers."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

import forecaster
from forecaster.analysis import exposure
from forecaster.analysis.compare import describe_change, direction
from forecaster.analysis.plotting import noise_aware_limits
from forecaster.analysis.report import render, write_report
from forecaster.analysis.sensitivity import format_ranking
from forecaster.cli import compare as compare_cli
from forecaster.cli import main as forecast_cli
from forecaster.cli import report as report_cli
from forecaster.cli.gather import gather
from forecaster.errors import ConfigError
from forecaster.execution import workers
from forecaster.results import format_summary

from .conftest import requires_matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
BASE = ("portfolio=regional", "cluster=in_process", "run.trajectories=300")
KEY = "portfolio.alliances.pact.explicitness"


def _run(*overrides: str):
    return forecaster.run(forecaster.compose([*BASE, *overrides]), progress=False)


@pytest.fixture(scope="module")
def single():
    return _run()


@pytest.fixture(scope="module")
def grid():
    return _run(f"+sweep.grid.{KEY}=[0.1,0.9]", "+sweep.grid.threat.scale=[1,2]")


@pytest.fixture(scope="module")
def multirun(tmp_path_factory):
    """A gathered multirun over two portfolios (different states) and two threat levels."""
    sweep = tmp_path_factory.mktemp("multirun")
    jobs = [(p, s) for p in ("regional", "indo_pacific") for s in (1.0, 2.0)]
    for number, (portfolio, scale) in enumerate(jobs):
        overrides = [f"portfolio={portfolio}", f"threat.scale={scale}"]
        cfg = forecaster.compose(["cluster=in_process", "run.trajectories=200", *overrides])
        job = sweep / str(number)
        forecaster.write_results(forecaster.run(cfg, progress=False), job)
        (job / ".hydra").mkdir()
        (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    gather(sweep)
    return sweep


# ---------------------------------------------------------------- summaries
def test_two_scenarios_summaries_name_their_options_and_overrides(single):
    high = _run("threat=high")
    base_text, high_text = format_summary(single), format_summary(high)
    assert "options: portfolio=regional threat=baseline fiscal=baseline" in base_text
    assert "options: portfolio=regional threat=high fiscal=baseline" in high_text
    assert "overrides: portfolio=regional cluster=in_process run.trajectories=300" in base_text
    assert base_text.splitlines()[1] != high_text.splitlines()[1]


def test_a_config_changed_after_compose_says_its_options_are_not_recorded():
    cfg = forecaster.compose(list(BASE))
    cfg.run.trajectories = 100
    text = format_summary(forecaster.run(cfg, progress=False))
    assert "options and overrides: not recorded with these results" in text


def test_the_summary_shows_the_states_asked_for_and_refuses_an_unknown_one(single):
    text = format_summary(single, states=["ALLY_B"])
    assert re.search(r"^ALLY_B\s+\d", text, re.M)
    assert not re.search(r"^PROTEGE\s", text, re.M)
    assert "(1 of 4 states; choose others with --states or output.states" in text
    with pytest.raises(ValueError, match=r"NOPE not a state of these results.*PATRON"):
        format_summary(single, states=["NOPE"])
    with pytest.raises(ConfigError, match=r"output.states = \['NOPE'\]: NOPE not in the portf"):
        _run("output.states=[NOPE]")


def test_one_number_format_and_no_scientific_notation_in_a_summary(single):
    text = format_summary(single).split("states,")[1].split("wall time")[0]
    numbers = re.findall(r"(?<![=\d.])\d\.\d+(?:e-?\d+)?", text)
    assert numbers and not [n for n in numbers if "e" in n]
    assert len({len(n.split(".")[1]) for n in numbers}) == 1


def test_the_alliances_share_one_table(grid):
    text = format_summary(grid)
    header = next(line for line in text.splitlines() if line.startswith("alliance "))
    assert "P(intact)" in header and "P(member at war)" in header
    assert len(re.findall(r"^pact pact\.explicitness=", text, re.M)) == 4


# ---------------------------------------------------------------- multiruns
def test_a_gathered_multirun_summarises_names_what_its_jobs_share_and_compares(multirun):
    ds = forecaster.open_results(multirun)
    text = format_summary(ds)  # was KeyError 'trajectories_per_s'
    assert "options: threat=baseline fiscal=baseline" in text
    assert "trajectories/s" in text
    # two points of one portfolio pair; the job's own states, not the union's NaN
    diff = forecaster.compare(
        ds, at_a={"portfolio": "regional", "threat.scale": 1.0},
        at_b={"portfolio": "regional", "threat.scale": 2.0},
    )  # fmt: skip
    assert set(diff[diff.kind == "state"].name) == {"PATRON", "PROTEGE", "ALLY_A", "ALLY_B"}
    assert ("threat.scale", 1.0, 2.0) in diff.attrs["differences"]
    # two portfolios: refused with the true reason
    with pytest.raises(ValueError, match=r"differ in their states \(only in a: PATRON"):
        forecaster.compare(ds, at_a={"portfolio": "regional", "threat.scale": 1.0},
                           at_b={"portfolio": "indo_pacific", "threat.scale": 1.0})  # fmt: skip


# ---------------------------------------------------------------- forecast-compare
def test_forecast_compare_carries_keys_says_what_differs_and_filters_the_csv(grid, tmp_path,
                                                                             capsys):  # fmt: skip
    forecaster.write_results(grid, tmp_path / "run")
    csv = tmp_path / "diff.csv"
    code = compare_cli.main([str(tmp_path / "run"), "--a", f"{KEY}=0.9", "--a",
                             "threat.scale=1", "--b", "threat.scale=2", "--states", "PROTEGE",
                             "--csv", str(csv)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "what differs (a → b):\n  threat.scale: 1 → 2" in out
    assert f"{KEY}" not in out.split("what differs")[1].split("\n\n")[0]  # carried: same in b
    table = pd.read_csv(csv)
    assert set(table[table.kind == "state"].name) == {"PROTEGE"}
    assert {"alliance", "all"} <= set(table.kind)
    args = [str(tmp_path / "run"), "--a", f"{KEY}=0.9", "--a", "threat.scale=1", "--b",
            "threat.scale=2", "--states", "ESTX"]  # fmt: skip
    code = compare_cli.main(args)
    err = capsys.readouterr().err
    assert code == 2 and "ESTX not a state of these results" in err and "PROTEGE" in err


# ---------------------------------------------------------------- user folders
def test_a_user_option_with_a_shipped_name_is_refused_by_name(tmp_path, capsys):
    (tmp_path / "portfolio").mkdir()
    shutil.copy(ROOT / "conf" / "portfolio" / "regional.yaml", tmp_path / "portfolio" / "nato.yaml")
    with pytest.raises(ConfigError, match=r"portfolio = 'nato': your .*portfolio/nato.yaml has "
                                          r"the name of a shipped option"):  # fmt: skip
        forecaster.compose(["portfolio=nato"], config_dir=tmp_path)
    code = forecast_cli.main(["--config-dir", str(tmp_path), "portfolio=nato",
                              "cluster=in_process", "run.trajectories=10",
                              f"hydra.run.dir={tmp_path / 'out'}"])  # fmt: skip
    assert code == 2
    assert "rename it (e.g. portfolio/my_nato.yaml)" in capsys.readouterr().err
    assert not (tmp_path / "out" / "results.zarr").exists()
    # an option of its own name is used, as before
    (tmp_path / "portfolio" / "nato.yaml").rename(tmp_path / "portfolio" / "mine.yaml")
    assert forecaster.compose(["portfolio=mine"], config_dir=tmp_path).portfolio.name == "regional"


def test_another_distribution_family_from_the_command_line_is_explained(capsys):
    given = "threat.opportunity_rate={dist:gamma,shape:2,scale:0.4}"
    assert forecast_cli.main([given, "cluster=in_process"]) == 2
    err = capsys.readouterr().err
    assert f"'~threat.opportunity_rate' '+{given}'" in err
    cfg = forecaster.compose(["~threat.opportunity_rate", f"+{given}"])
    assert dict(cfg.threat.opportunity_rate) == {"dist": "gamma", "shape": 2, "scale": 0.4}


# ---------------------------------------------------------------- the compile line
def test_a_line_is_printed_before_the_kernels_compile_and_only_then(tmp_path, monkeypatch,
                                                                    capsys):  # fmt: skip
    marker = tmp_path / "compiled"
    monkeypatch.setattr(workers, "_compiled_marker", lambda: marker)
    assert workers.compile_kernels_once() is True
    assert "compiling the numba kernels once, about" in capsys.readouterr().err
    assert marker.is_file()
    assert workers.compile_kernels_once() is False
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- figures
def test_a_surface_flat_within_noise_is_not_stretched_over_the_colour_map():
    values = np.array([[0.0029, 0.0032], [0.0030, 0.0031]])
    se = np.full_like(values, 0.0004)
    lo, hi = noise_aware_limits(values, se)
    assert hi - lo == pytest.approx(4 * 0.0004)
    assert lo <= values.min() and hi >= values.max()
    wide = np.array([[0.1, 0.5]])
    assert noise_aware_limits(wide, np.full_like(wide, 0.01)) == (0.1, 0.5)


@requires_matplotlib
def test_a_surface_prints_its_cells_draws_no_contours_and_marks_noise(grid):
    _, (ax, _) = grid.forecast.surface("p_war", x="threat.scale", y=KEY,
                                       select={"state": "PROTEGE"})  # fmt: skip
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 4
    p = grid.forecast.sel(state="PROTEGE").p_war.isel(time=-1).values
    shown = sorted(float(t.lstrip("≈")) for t in texts)
    assert shown == pytest.approx(sorted(p.ravel()), abs=0.0006)
    assert not [c for c in ax.collections if type(c).__name__.endswith("ContourSet")]
    assert "≈: within 2 SE" in ax.get_title()


def test_the_trade_off_pairs_members_of_the_alliance_whose_key_varies(grid):
    assert exposure.dilemma_pair(grid, KEY) == ("pact", "PROTEGE", "PATRON")
    ranked = exposure.by_exposure(grid)
    assert ranked[0] == "PROTEGE" and "PATRON" in ranked


def test_sobol_indices_out_of_range_carry_a_warning():
    import xarray as xr

    si = xr.Dataset(
        {"S1": ("parameter", [2.095, 0.1]), "S1_conf": ("parameter", [2.136, 0.05]),
         "ST": ("parameter", [0.5, 0.2]), "ST_conf": ("parameter", [0.1, 0.05])},
        coords={"parameter": ["threat.scale", "threat.moral_hazard"]},
        attrs={"outcome": "p_war", "select": "{}", "design_points": 12,
               "trajectories_per_point": 100},
    )  # fmt: skip
    text = format_ranking(si)
    assert "warning: the indices of threat.scale lie outside [0, 1]" in text
    assert "moral_hazard lie" not in text


# ---------------------------------------------------------------- the report
@requires_matplotlib
def test_the_report_of_a_single_run_opens_with_the_question_and_the_scenario(single):
    page = render(single)
    text = re.sub(r"<[^>]+>", " ", page)
    assert "How likely are the 4 states of the regional portfolio (pact: 4 members)" in text
    assert "portfolio=regional threat=baseline" in text and "calibration=history" in text
    assert "run.trajectories=300" in text
    assert text.index("Scenario") < text.index("Headline") < text.index("Figures")
    assert text.index("Figures") < text.index("States × outcomes") < text.index("Appendix")
    assert "P(any war)" in text and "P(abandonment) of PROTEGE" in text
    assert "first grid point" not in text
    assert "<details><summary>Resolved config" in page


@requires_matplotlib
def test_the_report_of_a_grid_shows_the_dilemma_of_one_alliance(grid):
    page = render(grid)
    assert "pact: abandonment of PROTEGE against entrapment of PATRON" in page
    assert page.count("<img ") == 5  # three surfaces, the trade-off, P(war by t)
    assert "at the first grid point that has them (portfolio.alliances.pact.explicitness=0.1" in (
        page
    )


@requires_matplotlib
def test_the_report_of_a_gathered_multirun_and_with_a_baseline(multirun, tmp_path):
    ds = forecaster.open_results(multirun)
    written = write_report(ds, tmp_path / "multi", states=["PROTEGE"])
    assert "PROTEGE" in written["html"].read_text()
    base, other = _run(), _run("threat.scale=2")
    forecaster.write_results(base, tmp_path / "a")
    forecaster.write_results(other, tmp_path / "b")
    written = write_report(tmp_path / "b", baseline=tmp_path / "a")
    page = written["html"].read_text()
    assert "Against the baseline: paired differences" in page
    assert "threat.scale: 1 → 2" in page
    diff = pd.read_csv(written["comparison"])
    protege = diff[(diff.name == "PROTEGE") & (diff.outcome == "p_war")].iloc[0]
    assert f"{protege.difference:+.4f}"[:5] in page
    assert page.index("Against the baseline") < page.index("Headline")


def test_without_matplotlib_the_report_says_so_in_one_line_and_writes_nothing(single, tmp_path,
                                                                               monkeypatch,
                                                                               capsys):  # fmt: skip
    forecaster.write_results(single, tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert report_cli.main([str(tmp_path), "--out", str(tmp_path / "report")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'forecaster[analysis]'" in err
    assert not (tmp_path / "report").exists()


def test_the_report_refuses_an_unknown_state_before_writing(single, tmp_path, capsys):
    forecaster.write_results(single, tmp_path)
    assert report_cli.main([str(tmp_path), "--out", str(tmp_path / "r"), "--states", "XX"]) == 2
    assert "XX not a state" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@requires_matplotlib
@pytest.mark.slow
def test_the_report_renders_in_headless_chromium_with_every_figure(grid, command, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium; CI does)")
    page = render(grid)
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", "<script>document.title = 'decoded:' + "
                     "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
                     " + ':of:' + document.images.length</script></body>"))  # fmt: skip
    shown = command(browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--virtual-time-budget=5000",
                    "--dump-dom", probe.as_uri(), timeout=120)  # fmt: skip
    assert "<title>decoded:5:of:5</title>" in shown.stdout, shown.stdout[:500]
    text = re.sub(r"<[^>]+>", " ", shown.stdout)
    for words in ("How likely are the 4 states", "threat=baseline", "Headline", "P(any war)",
                  "States × outcomes", "Resolved config"):  # fmt: skip
        assert words in text, words


# ---------------------------------------------------------------- the notebook
_SENTENCE = re.compile(
    r"(\w+)'s (P\(\w+\)) (rises|falls|does not move beyond noise) from ([\d.]+) to ([\d.]+) "
    r"\(b − a = ([+-][\d.]+) \[([+-][\d.]+), ([+-][\d.]+)\], paired 95%\)"
)


def check_sentences(text: str) -> int:
    """Every generated sentence's direction agrees with its interval; returns how many."""
    found = 0
    for match in _SENTENCE.finditer(text):
        word = match[3]
        a, b, diff, lower, upper = map(float, match.groups()[3:])
        row = pd.Series({"lower": lower, "upper": upper})
        assert direction(row) == word, match[0]
        assert diff == pytest.approx(b - a, abs=2e-4), match[0]
        found += 1
    return found


def test_a_sentence_whose_direction_disagrees_with_its_numbers_fails():
    table = pd.DataFrame([{"name": "DEU", "outcome": "p_entrapment", "label": "P(entrapment)",
                           "p_a": 0.0014, "p_b": 0.040, "difference": 0.0386, "lower": 0.035,
                           "upper": 0.042, "applicable": True}])  # fmt: skip
    sentence = describe_change(table, "DEU", "p_entrapment")
    assert "rises from 0.0014 to 0.0400" in sentence and check_sentences(sentence) == 1
    with pytest.raises(AssertionError):
        check_sentences(sentence.replace("rises", "falls"))


def test_the_shipped_notebook_is_executed_and_its_sentences_follow_its_numbers():
    notebook = nbformat.read(ROOT / "examples" / "analysis.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "ship the notebook executed"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert len([o for o in outputs if "image/png" in o.get("data", {})]) >= 6
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert check_sentences(printed) >= 3
    prose = " ".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    # prose states no direction of its own: the printed sentences do
    assert not re.search(r"\b(lowers|raises) both\b|\bboth \w+ fall\b", prose)
    json.dumps(notebook)  # a valid notebook


# ---------------------------------------------------------------- docs
def test_the_docs_groups_table_lists_every_shipped_option():
    text = (ROOT / "docs" / "configuration.md").read_text()
    table = text.split("## Groups", 1)[1].split("\n\n", 2)[1]
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2] for line in table.splitlines()[2:]}
    conf = ROOT / "conf"
    groups = sorted(p.name for p in conf.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert sorted(rows) == groups
    for group in groups:
        for option in (p.stem for p in (conf / group).glob("*.yaml")):
            assert f"`{option}`" in rows[group], (group, option)


def test_the_docs_name_the_calibrated_keys_of_the_shipped_calibration():
    calibrated = yaml.safe_load((ROOT / "conf" / "calibration" / "history.yaml").read_text())

    def keys(node, prefix=""):
        for key, value in node.items():
            full = f"{prefix}.{key}" if prefix else key
            yield from keys(value, full) if isinstance(value, dict) else [full]

    text = " ".join((ROOT / "docs" / "configuration.md").read_text().split())
    named = text.split("so it sets what it estimated (", 1)[1].split(": the keys of", 1)[0]
    assert sorted(re.findall(r"`([\w.]+)`", named)) == sorted(keys(calibrated))

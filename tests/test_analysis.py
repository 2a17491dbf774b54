"""Notebook analysis: the plotting accessor, Sobol indices, and the example notebook."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

import forecaster
from forecaster.analysis.sensitivity import sobol, sobol_chart
from forecaster.testing import no_alliances, pinned

from .conftest import requires_nbclient, requires_salib

matplotlib = pytest.importorskip("matplotlib", reason="plots need the analysis extra")

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

ROOT = Path(__file__).resolve().parents[1]
KEY = "portfolio.alliances.pact.explicitness"


@pytest.fixture(scope="module")
def sweep():
    cfg = forecaster.compose([
        "portfolio=regional", "debug=quick", "run.trajectories=400",
        f"+sweep.grid.{KEY}=[0.1,0.5,0.9]", "+sweep.grid.threat.scale=[0.5,2]",
    ])  # fmt: skip
    return forecaster.run(cfg, progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_surface_shows_the_estimate_and_its_error(sweep):
    fig, (ax, ax_se) = sweep.forecast.surface("p_entrapment", x="threat.scale", y=KEY,
                                              select={"state": "PATRON"})  # fmt: skip
    dims = (sweep.forecast.name(KEY), sweep.forecast.name("threat.scale"))
    expected = sweep.p_entrapment.sel(state="PATRON").isel(time=-1).transpose(*dims)
    np.testing.assert_allclose(ax.collections[0].get_array().reshape(3, 2), expected.values)
    se = sweep.p_entrapment_se.sel(state="PATRON").isel(time=-1).transpose(*dims)
    np.testing.assert_allclose(ax_se.collections[0].get_array().reshape(3, 2), se.values)
    assert ax.get_xlabel() == "threat level (× opportunity rate)"
    assert ax.get_ylabel() == "commitment explicitness (pact)"
    assert ax.get_title() == (
        "P(entrapment) of PATRON within 10 years\n(≈: within 2 SE of the surface's mean)"
    )
    colorbar_labels = [a.get_ylabel() for a in fig.axes if a not in (ax, ax_se)]
    assert colorbar_labels == ["probability (scale ≥ 4 SE wide)", "standard error"]
    # the axes end at the outer cells' edges: whole cells (their printed values
    # readable), no empty margins beyond the grid
    edges = ax.collections[0].get_coordinates()
    assert ax.get_xlim() == (edges[..., 0].min(), edges[..., 0].max())
    assert ax.get_ylim() == (edges[..., 1].min(), edges[..., 1].max())
    # every cell prints its estimate (no contour lines through the step-filled cells)
    labels = [float(t.get_text().lstrip("≈")) for t in ax.texts]
    np.testing.assert_allclose(sorted(labels), sorted(expected.values.ravel()), atol=6e-4)


def test_an_uneven_grid_is_drawn_at_its_true_positions():
    cfg = forecaster.compose([
        "portfolio=regional", "debug=quick", "run.trajectories=50",
        f"+sweep.grid.{KEY}=[0.1,0.2,0.9]", "+sweep.grid.threat.scale=[0.5,2]",
    ])  # fmt: skip
    uneven = forecaster.run(cfg, progress=False)
    _fig, (ax, _) = uneven.forecast.surface("p_war", x="threat.scale", y=KEY,
                                            select={"state": "PROTEGE"})  # fmt: skip
    assert list(ax.get_yticks()) == [0.1, 0.2, 0.9]
    # cell edges halfway between grid values: the cell of 0.9 spans 0.55 .. 1.25
    edges = ax.collections[0].get_coordinates()[:, 0, 1]
    np.testing.assert_allclose(edges, [0.05, 0.15, 0.55, 1.25])


def test_surface_asks_to_select_remaining_dimensions(sweep):
    with pytest.raises(ValueError, match="still varies along \\['state'\\]"):
        sweep.forecast.surface("p_entrapment", x="threat.scale", y=KEY)


def test_by_time_curves_have_bands_per_state_and_name_their_grid_point(sweep):
    point = {KEY: 0.5, "threat.scale": 2.0}
    _fig, ax = sweep.forecast.by_time("p_war", states=["PROTEGE", "PATRON"], select=point)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["PROTEGE", "PATRON"]
    at = sweep.forecast.sel(point, state="PROTEGE")
    np.testing.assert_allclose(lines[0].get_ydata(), at.p_war)
    assert len(ax.collections) == 2  # one 95% band per state
    np.testing.assert_allclose(ax.collections[0].get_paths()[0].vertices[:, 1].max(),
                               at.p_war_upper.max())  # fmt: skip
    assert ax.get_xlabel() == "years from the start" and ax.get_ylabel() == "P(war) by t"
    assert "commitment explicitness (pact) = 0.5" in ax.get_title()
    assert "threat level (× opportunity rate) = 2" in ax.get_title()
    assert ax.get_legend() is not None


def test_hazard_is_the_annual_rate_of_first_events(sweep):
    point = {KEY: 0.5, "threat.scale": 2.0}
    _fig, ax = sweep.forecast.hazard("p_war", states=["PROTEGE"], select=point)
    at = sweep.forecast.sel(point, state="PROTEGE")
    p = np.concatenate([[0.0], at.p_war.values])
    dt = float(at.time[0])
    expected = -np.log1p(-(p[1:] - p[:-1]) / (1 - p[:-1])) / dt
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), expected, atol=1e-12)
    assert ax.get_ylabel() == "hazard (per year)"


def test_exceedance_curve_from_the_histograms(sweep):
    point = {KEY: 0.9, "threat.scale": 2.0}
    _fig, ax = sweep.forecast.exceedance("crises", select=point)
    line = ax.get_lines()[0]
    expected = sweep.forecast.sel(point).p_crises_at_least.values
    np.testing.assert_allclose(line.get_ydata(), expected[1 : 1 + len(line.get_ydata())])
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "P(crises ≥ n)"


def test_tradeoff_has_one_labelled_point_per_sweep_value(sweep):
    _fig, ax = sweep.forecast.tradeoff(KEY, protege="PROTEGE", patron="PATRON",
                                      select={"threat.scale": 2.0})  # fmt: skip
    line = ax.get_lines()[0]
    end = sweep.isel(time=-1).forecast.sel({"threat.scale": 2.0})
    np.testing.assert_allclose(line.get_xdata(), end.p_abandonment.sel(state="PROTEGE"))
    np.testing.assert_allclose(line.get_ydata(), end.p_entrapment.sel(state="PATRON"))
    assert [t.get_text() for t in ax.texts] == ["0.1", "0.5", "0.9"]
    assert ax.get_xlabel() == "P(PROTEGE abandoned within 10 years)"


def toy_config():
    """An outcome that depends on threat.scale alone: no alliances, pinned escalation,
    and two parameters whose mechanisms are switched off."""
    spec = pinned(no_alliances(), rate=0.3)
    cfg = forecaster.compose(["debug=quick", "run.trajectories=300", "run.horizon_years=5",
                              "mechanisms.elections=false", "mechanisms.fiscal=false"])  # fmt: skip
    for group in ("portfolio", "threat", "fiscal", "political"):
        cfg[group] = OmegaConf.create(spec[group])
    return cfg


@requires_salib
def test_sobol_indices_find_the_only_parameter_that_matters():
    si = sobol(
        toy_config(),
        {"threat.scale": (0.5, 2.0), "political.turnover": (0.0, 1.0),
         "fiscal.war_surge": (0.0, 0.05)},
        outcome="p_war", select={"state": "SMALL"}, n_base=32,
    )  # fmt: skip
    scale = si.sel(parameter="threat.scale")
    assert abs(float(scale.S1) - 1) <= float(scale.S1_conf) + 0.05
    assert abs(float(scale.ST) - 1) <= float(scale.ST_conf) + 0.05
    for name in ("political.turnover", "fiscal.war_surge"):
        other = si.sel(parameter=name)
        assert abs(float(other.S1)) <= float(other.S1_conf) + 1e-9, name
        assert abs(float(other.ST)) <= float(other.ST_conf) + 1e-9, name
    assert si.sizes["sample"] == 32 * (3 + 2)
    assert si.attrs["outcome"] == "p_war"
    _fig, ax = sobol_chart(si)
    assert "160 design points × 300 trajectories" in ax.get_title()
    assert "P(war) (state: SMALL)" in ax.get_title()
    # the two parameters without effect have intervals reaching 0: hatched, and said so
    hatched = [bar for bar in ax.patches if bar.get_hatch()]
    assert len(hatched) >= 2
    assert "interval reaches 0" in [t.get_text() for t in ax.get_legend().get_texts()]


@requires_salib
def test_sobol_rejects_bad_input():
    with pytest.raises(forecaster.ConfigError, match="n_base = 6: must be a power of two"):
        sobol(toy_config(), {"threat.scale": (0.5, 2.0)}, "p_war", {"state": "SMALL"}, n_base=6)
    with pytest.raises(forecaster.ConfigError, match="needs bounds low:high with low < high"):
        sobol(toy_config(), {"threat.scale": (2.0, 0.5)}, "p_war", {"state": "SMALL"}, n_base=4)
    with pytest.raises(forecaster.ConfigError, match="still varies along \\['state'\\]"):
        sobol(toy_config(), {"threat.scale": (0.5, 2.0)}, "p_war", None, n_base=4)


@requires_salib
def test_a_sensitivity_analysis_over_the_budget_is_refused_before_any_run(monkeypatch):
    from forecaster.analysis import sensitivity

    def never(*args, **kwargs):
        raise AssertionError("a refused analysis must not run")

    monkeypatch.setattr(sensitivity, "run", never)
    with pytest.raises(forecaster.ConfigError, match="4,194,304 design points for 1 parameters"):
        sobol(toy_config(), {"threat.scale": (0.5, 2.0)}, "p_war", {"state": "SMALL"},
              n_base=1048576, second_order=True)  # fmt: skip
    cfg = toy_config()
    cfg.run.trajectories = 10**10
    with pytest.raises(forecaster.ConfigError) as err:
        sobol(cfg, {"threat.scale": (0.5, 2.0)}, "p_war", {"state": "SMALL"}, n_base=64)
    (line,) = err.value.problems
    assert "192 grid points" not in line and "(1,920,000,000,000 trajectory runs)" in line
    assert "run.allow_long=true" in line


@pytest.mark.slow
@requires_salib
def test_sensitivity_command(command, tmp_path):
    args = ["--outcome", "p_war", "--select", "state=PROTEGE", "--param",
            "threat.scale=0.5:2", "--param", f"{KEY}=0.1:0.9", "--n-base", "4",
            "--output-dir", str(tmp_path), "portfolio=regional", "run.trajectories=100",
            "debug=quick"]  # fmt: skip
    done = command("forecast-sensitivity", *args)
    assert done.returncode == 0, done.stderr
    assert "threat.scale" in done.stdout and (tmp_path / "sensitivity.nc").is_file()
    bad = command("forecast-sensitivity", *args[:-3], "threat.sclae=2")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.slow
@requires_nbclient
@requires_salib
def test_the_example_notebook_runs(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "examples" / "analysis.ipynb", as_version=4)
    env = {"FORECASTER_EXAMPLE_TRAJECTORIES": "300", "FORECASTER_EXAMPLE_N_BASE": "4",
           "FORECASTER_EXAMPLE_CLUSTER": "in_process",
           "FORECASTER_EXAMPLE_OUTPUT": str(tmp_path / "results")}  # fmt: skip
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 6  # two surfaces, trade-off, hazard, exceedance, Sobol bars
    assert (tmp_path / "results" / "results.zarr").is_dir()

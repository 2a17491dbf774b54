"""What an analyst reads: the grid-aware summary, the tidy table, CF-valid files, the report."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import forecaster
from forecaster.results import format_summary, key_label
from forecaster.results.summary import MAX_ROWS_PER_STATE

from .conftest import BIN, requires_matplotlib

ROOT = Path(__file__).resolve().parents[1]
CF_TABLES = ROOT / "tests" / "data" / "cf"
CFCHECKS = BIN / "cfchecks"
KEY = "portfolio.alliances.pact.explicitness"


@pytest.fixture(scope="module")
def grid():
    cfg = forecaster.compose([
        "portfolio=regional", "debug=quick", "run.trajectories=300",
        f"+sweep.grid.{KEY}=[0.1,0.9]", "+sweep.grid.threat.scale=[0.5,1,2]",
    ])  # fmt: skip
    return forecaster.run(cfg, progress=False)


def test_the_summary_of_a_grid_labels_every_row_with_its_grid_point(grid):
    text = format_summary(grid)
    assert "6 grid points × 300 trajectories each (1,800 in all)" in text
    assert re.search(rf"commitment explicitness \(pact\)\s+{re.escape(KEY)} = 0.1, 0.9", text)
    rows = [line for line in text.splitlines() if re.match(r"pact\.explicitness=", line)]
    # 4 states and the whole portfolio, 6 grid points each
    assert len(rows) == 6 * 5
    assert len({line.split("  ")[0] for line in rows}) == 6
    # the alliances in one table: its rows name the alliance, then the grid point
    assert len(re.findall(r"^pact pact\.explicitness=", text, re.M)) == 6
    # one number format in the whole summary: the decimals of its smallest number
    decimals = {
        len(n.split(".")[1])
        for n in re.findall(r"(?<![=\d.])0\.\d+", text.split("states,")[1].split("wall time")[0])
    }
    assert len(decimals) == 1 and "e-0" not in text
    (d,) = decimals
    protege = grid.forecast.sel({KEY: 0.9, "threat.scale": 2.0}, state="PROTEGE").isel(time=-1)
    expected = f"{float(protege.p_war):.{d}f} [{float(protege.p_war_lower):.{d}f}, "
    line = next(r for r in text.split("PROTEGE", 1)[1].splitlines()
            if r.startswith("pact.explicitness=0.9 threat.scale=2"))  # fmt: skip
    assert expected in line


def test_the_summary_shows_both_reliabilities_and_na_where_an_outcome_cannot_occur(grid):
    text = format_summary(
        grid.isel(threat__scale=[1], portfolio__alliances__pact__explicitness=[1])
    )
    assert "reliability (wartime)" in text and "reliability (all events)" in text
    patron = next(line for line in text.splitlines() if line.startswith("pact.explicitness"))
    assert re.search(r"\s n/a\s", patron)  # the patron is never targeted: never abandoned


def test_a_large_grid_is_summarised_by_ranges_and_where_the_extremes_lie(run_in_process):
    values = ",".join(str(v) for v in np.linspace(0.1, 0.9, MAX_ROWS_PER_STATE + 1).round(3))
    ds = run_in_process(
        "portfolio=regional", "run.trajectories=100", f"+sweep.grid.{KEY}=[{values}]"
    )
    text = format_summary(ds)
    assert "range over the grid" in text
    line = next(r for r in text.split("PROTEGE", 1)[1].splitlines() if "P(abandonment)" in r)
    assert line.count(" at pact.explicitness=") == 2


def test_a_single_run_summary_has_a_row_per_state(run_in_process):
    ds = run_in_process("portfolio=regional", "run.trajectories=200")
    text = format_summary(ds)
    assert "200 trajectories" in text and "what varies" not in text
    assert re.search(r"^PROTEGE\s+\d", text, re.M) and re.search(r"^PATRON\s", text, re.M)


def test_the_table_is_tidy_with_intervals_and_grid_columns(grid):
    table = grid.forecast.table()
    assert {KEY, "threat.scale", "kind", "name", "outcome", "p", "lower", "upper"} <= set(table)
    per_point = table.groupby([KEY, "threat.scale"]).size()
    assert len(per_point) == 6 and per_point.nunique() == 1
    war = table[(table.name == "PROTEGE") & (table.outcome == "p_war")]
    assert (war.lower <= war.p).all() and (war.p <= war.upper).all()
    assert set(table[table.kind == "all"].outcome) == {"p_any_war", "p_major_war"}
    patron = table[(table.name == "PATRON") & (table.outcome == "p_abandonment")]
    assert not patron.applicable.any() and patron.p.isna().all()
    assert len(table) < 500  # not the million rows of ds.to_dataframe()


def test_labels_come_from_one_table():
    assert key_label("portfolio.alliances.nato.explicitness") == "Article 5 explicitness (nato)"
    assert key_label("portfolio.alliances.pact.escalation_control") == "escalation control (pact)"
    assert key_label("portfolio.states.EST.some_new_knob") == "some new knob (EST)"


def test_dimension_names_are_cf_valid_and_keep_their_config_key(grid):
    for name in [*grid.dims, *grid.variables]:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(name)), name
    assert grid["portfolio__alliances__pact__explicitness"].attrs["config_key"] == KEY
    assert forecaster.results.config_keys(grid) == {
        KEY: "portfolio__alliances__pact__explicitness",
        "threat.scale": "threat__scale",
    }
    assert float(grid.forecast.sel({"threat.scale": 2.0}).threat__scale) == 2.0


def test_plain_xarray_opens_the_zarr_with_consolidated_metadata_and_cf_xarray(grid, tmp_path):
    forecaster.write_results(grid, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_zarr(tmp_path / "results.zarr")
    assert (tmp_path / "results.zarr" / "zarr.json").read_text().count("consolidated_metadata")
    assert ds.cf["forecast_period"].name == "time"
    assert ds.time.dtype.kind == "f" and ds.time.attrs["units"] == "year"
    assert forecaster.config_of(ds)["portfolio"]["name"] == "regional"


@pytest.mark.skipif(not CFCHECKS.exists(), reason="needs cfchecker (pip install cfchecker)")
def test_the_netcdf_file_passes_the_cf_checker_at_the_version_it_claims(grid, command, tmp_path):
    written = forecaster.write_results(grid, tmp_path, ("netcdf",))
    claimed = grid.attrs["Conventions"].removeprefix("CF-")
    done = command("cfchecks", "-v", claimed, "-s", CF_TABLES / "standard-name-table.xml",
                   "-a", CF_TABLES / "area-type-table.xml",
                   "-r", CF_TABLES / "standardized-region-list.xml", written["netcdf"],
                   timeout=600)  # fmt: skip
    if "UDUNITS" in done.stderr:
        pytest.skip("cfchecker needs the UDUNITS-2 library (apt-get install libudunits2-0)")
    assert "ERRORS detected: 0" in done.stdout, done.stdout[-3000:]


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.sources.append(attrs.get("src") or "")
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith(("data:", "#")):
                self.external.append(attrs[name])


@requires_matplotlib
@pytest.mark.slow
def test_forecast_report_writes_a_csv_and_a_self_contained_html(grid, command, tmp_path):
    forecaster.write_results(grid, tmp_path)
    done = command("forecast-report", tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    csv = (tmp_path / "summary.csv").read_text()
    assert csv.startswith(f"{KEY},threat.scale,kind,name,outcome,label,p,se,lower,upper")
    page = (tmp_path / "report.html").read_text()
    parser = _Images()
    parser.feed(page)
    assert len(parser.sources) >= 5  # three surfaces, the trade-off, P(war by t)
    assert all(s.startswith("data:image/png;base64,") for s in parser.sources)
    assert not parser.external, parser.external
    assert "Resolved config" in page and "forecaster_version" in page
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return  # parsed above; a real browser when one is installed
    # load it in headless Chromium, offline: count the images that decoded
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", "<script>document.title = 'decoded:' + "
                     "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
                     "</script></body>"))  # fmt: skip
    shown = command(browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--virtual-time-budget=5000",
                    "--dump-dom", probe.as_uri(), timeout=120)  # fmt: skip
    assert f"<title>decoded:{len(parser.sources)}</title>" in shown.stdout, shown.stdout[:500]


def test_the_headline_table_of_a_single_run_opened_lazily_from_disk(tmp_path):
    """forecast-report reads a run directory lazily (dask arrays): its table must compute."""
    cfg = forecaster.compose(["portfolio=regional", "run.trajectories=200", "debug=quick"])
    forecaster.write_results(forecaster.run(cfg, progress=False), tmp_path)
    table = forecaster.open_results(tmp_path).forecast.table()
    whole = table[table["name"] == "all"]
    assert set(whole["outcome"]) >= {"p_any_war", "p_major_war"}
    assert whole["p"].between(0, 1).all()


def _chunk_of(store: Path, name: str) -> Path:
    chunks = sorted(p for p in (store / name).rglob("*") if p.is_file() and p.name != "zarr.json")
    assert chunks, name
    return chunks[0]


@pytest.mark.parametrize("damage", ["deleted", "bit-flipped", "truncated"])
def test_a_damaged_results_chunk_is_refused_naming_the_file_and_the_variable(
    grid, tmp_path, damage
):
    from forecaster.cli import report
    from forecaster.results.io import DamagedResults

    forecaster.write_results(grid, tmp_path)
    store = tmp_path / "results.zarr"
    chunk = _chunk_of(store, "p_war")
    if damage == "deleted":
        chunk.unlink()
    elif damage == "bit-flipped":
        data = bytearray(chunk.read_bytes())
        data[len(data) // 2] ^= 0x10
        chunk.write_bytes(bytes(data))
    else:
        chunk.write_bytes(chunk.read_bytes()[:7])
    with pytest.raises(DamagedResults, match=r"results\.zarr: variable p_war "):
        forecaster.open_results(tmp_path)
    assert report.main([str(tmp_path), "--out", str(tmp_path / "report")]) == 2
    assert not (tmp_path / "report" / "report.html").exists()


def test_written_results_carry_checksums_and_every_phase_timing(grid, tmp_path):
    forecaster.write_results(grid, tmp_path, formats=["zarr", "netcdf"])
    for name in ("results.zarr", "results.nc"):
        ds = forecaster.open_results(tmp_path / name)  # verified on open
        assert "p_war" in json.loads(ds.attrs["checksums"])
    zarr_attrs = forecaster.open_results(tmp_path).attrs
    assert zarr_attrs["timing_write_s"] > 0
    for phase in ("validate", "compile", "kernel_load", "simulate", "reduce"):
        assert grid.attrs[f"timing_{phase}_s"] > 0, phase
    assert not list(tmp_path.glob(".*.partial"))


def test_a_stored_config_that_expands_without_bound_is_refused_at_once(grid):
    from forecaster.results.io import DamagedResults

    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    bomb = grid.assign_attrs(config=laughs)
    with pytest.raises(DamagedResults, match="anchors or aliases"):
        forecaster.config_of(bomb)
    with pytest.raises(DamagedResults, match="over the limit"):
        forecaster.config_of(grid.assign_attrs(config="a: 1\n" * 400_000))
    assert forecaster.config_of(grid)["run"]["trajectories"] == 300

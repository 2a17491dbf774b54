"""A briefing report of a run: ``summary.csv`` and a self-contained ``report.html``.

The HTML holds everything it shows: the headline table, the figures as
base64-encoded PNG, the summary, the resolved config and the provenance. It
loads nothing from the network and opens offline in any browser.

>>> paths = forecaster.analysis.report.write_report("outputs/2026-11-28/10-00-00")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from forecaster.results import config_keys, format_summary, grid_dims, headline_table, open_results
from forecaster.results.summary import estimate, key_states
from forecaster.results.tables import roles

from .plotting import _pyplot

_PROVENANCE = ("scenario", "seed", "trajectories", "dt_years", "horizon_years", "mechanisms",
               "tasks", "rounds", "retries", "wall_time_s", "forecaster_version",
               "numba_version", "numpy_version", "xarray_version", "Conventions")  # fmt: skip

_STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: right; }
th { background: #f4f4f4; } td.text, th.text { text-align: left; }
pre { background: #f8f8f8; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
figure { margin: 1.5em 0; } figcaption { font-size: 0.85em; color: #555; }
"""


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    _pyplot().close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _first(ds: xr.Dataset, dims: list[str]) -> dict[str, Any]:
    """The first value of each of ``dims``, as a selection by config key."""
    keys = {name: key for key, name in config_keys(ds).items()}
    return {keys.get(d, d): ds[d].values[0] for d in dims}


def figures(ds: xr.Dataset) -> list[tuple[str, str]]:
    """(caption, base64 PNG) of the report's figures: surfaces and the trade-off over the
    first two swept keys, and P(war by t) of the key states at the first grid point."""
    out = []
    dims = [d for d in grid_dims(ds) if ds[d].dtype.kind in "fiu" and ds.sizes[d] > 1]
    keys = {name: key for key, name in config_keys(ds).items()}
    states = key_states(ds)
    targets = [s for s in states if s in _targets(ds)]
    leaders = [s for s in states if s not in targets]
    if len(dims) >= 2:
        y, x = dims[0], dims[1]
        rest = _first(ds, dims[2:])
        for var, state in (("p_war", states[0]), ("p_abandonment", (targets or states)[0]),
                           ("p_entrapment", (leaders or states)[0])):  # fmt: skip
            fig, _ = ds.forecast.surface(var, x=keys[x], y=keys[y], select={**rest, "state": state})
            out.append((f"{var} of {state} over {keys[y]} and {keys[x]}", _png(fig)))
    if dims and targets and leaders:
        fig, _ = ds.forecast.tradeoff(keys[dims[0]], protege=targets[0], patron=leaders[0],
                                      select=_first(ds, dims[1:]))  # fmt: skip
        out.append((f"abandonment of {targets[0]} against entrapment of {leaders[0]}", _png(fig)))
    point = _first(ds, grid_dims(ds))
    fig, _ = ds.forecast.by_time("p_war", states=states[:6], select=point)
    out.append(("P(war by t) of the key states at the first grid point", _png(fig)))
    return out


def _targets(ds: xr.Dataset) -> set[str]:
    return {s for s, r in roles(ds).items() if r["targeted"]}


def _table_html(table: pd.DataFrame) -> str:
    shown = table.copy()
    shown["estimate [95%]"] = [
        estimate(r.p, r.lower, r.upper, bool(r.applicable)) for r in shown.itertuples()
    ]
    drop = ["p", "se", "lower", "upper", "applicable", "outcome", "kind"]
    shown = shown.drop(columns=[c for c in drop if c in shown])
    return shown.to_html(index=False, border=0, escape=True, classes="headline")


def render(ds: xr.Dataset, title: str | None = None) -> str:
    """The report as one HTML string (no external resources)."""
    ds = ds.load()
    table = headline_table(ds)
    provenance = "\n".join(f"{k}: {ds.attrs[k]}" for k in _PROVENANCE if k in ds.attrs)
    title = title or f"forecaster briefing: {ds.attrs.get('scenario', '')}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Summary</h2>",
        f"<pre>{html.escape(format_summary(ds))}</pre>",
        "<h2>Figures</h2>",
    ]
    for caption, data in figures(ds):
        parts.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    parts += [
        "<h2>Headline outcomes at the horizon</h2>",
        "<p>95% intervals: Wilson for probabilities, delta method for reliabilities; "
        "n/a where the portfolio rules the outcome out.</p>",
        _table_html(table),
        "<h2>Provenance</h2>",
        f"<pre>{html.escape(provenance)}</pre>",
        "<h2>Resolved config</h2>",
        f"<pre>{html.escape(str(ds.attrs.get('config', '(not recorded)')))}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(
    source: xr.Dataset | str | Path, out_dir: str | Path | None = None
) -> dict[str, Path]:
    """Write ``summary.csv`` (the headline table) and ``report.html`` into ``out_dir``
    (default: the run's output directory)."""
    if isinstance(source, xr.Dataset):
        ds, where = source, Path(out_dir or ".")
    else:
        ds = open_results(source)
        path = Path(source)
        where = Path(out_dir) if out_dir else (path.parent if path.suffix else path)
    where.mkdir(parents=True, exist_ok=True)
    csv, report = where / "summary.csv", where / "report.html"
    headline_table(ds).to_csv(csv, index=False)
    report.write_text(render(ds), encoding="utf-8")
    return {"csv": csv, "html": report}


__all__ = ["figures", "render", "write_report"]

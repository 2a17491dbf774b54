"""A briefing of a run: ``summary.csv`` and a self-contained ``report.html``.

The page opens with the question and the scenario (portfolio, the option of
every config group, every override, the calibration, what varies), then a
headline block of the few numbers that matter with 95% intervals, figures of
the most exposed states (or those asked for), a states × outcomes table, and
the resolved config and provenance as an appendix. Given a baseline (another
run, or a comparison from :func:`forecaster.compare`) it leads with the paired
differences. Everything is inside the file (figures as base64 PNG): it loads
nothing from the network and opens offline in any browser.

>>> paths = forecaster.analysis.report.write_report("outputs/2026-11-28/10-00-00")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from forecaster.results import config_keys, config_of, grid_dims, headline_table, open_results
from forecaster.results.summary import (
    chosen_states,
    decimals_for,
    describe_scenario,
    estimate,
    point_label,
)
from forecaster.results.tables import STATE_OUTCOMES

from . import exposure
from .compare import compare, format_differences
from .plotting import _pyplot, paired_differences

_PROVENANCE = ("scenario", "seed", "trajectories", "dt_years", "horizon_years", "mechanisms",
               "tasks", "rounds", "retries", "wall_time_s", "forecaster_version",
               "numba_version", "numpy_version", "xarray_version", "Conventions")  # fmt: skip

_STYLE = """
body { font-family: sans-serif; max-width: 62em; margin: 2em auto; color: #222; line-height: 1.4; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: right; }
th { background: #f4f4f4; } td.text, th.text { text-align: left; }
.question { font-size: 1.15em; } .scenario td { text-align: left; }
.headline td.value { font-weight: bold; }
pre { background: #f8f8f8; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
figure { margin: 1.5em 0; } figcaption { font-size: 0.85em; color: #555; }
img { max-width: 100%; }
"""


def require_matplotlib() -> None:
    """Raise a one-line ImportError unless matplotlib (the ``analysis`` extra) imports."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            "the report's figures need matplotlib: pip install 'forecaster[analysis]' "
            "(nothing was written)"
        ) from None


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    _pyplot().close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _keys(ds: xr.Dataset) -> dict[str, str]:
    """``{dimension: config key}``."""
    return {name: key for key, name in config_keys(ds).items()}


def _first_point(ds: xr.Dataset, dims: Sequence[str]) -> dict[str, Any]:
    keys = _keys(ds)
    return {keys.get(d, d): ds[d].values[0] for d in dims if d in ds.dims}


def _describe_point(point: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in point.items())


def figures(
    ds: xr.Dataset, states: Sequence[str] | None = None, comparison: pd.DataFrame | None = None
) -> list[tuple[str, str]]:
    """(caption, base64 PNG) of the report's figures, chosen by exposure (or ``states``).

    With a comparison: its paired differences first. Over two swept numeric keys:
    the surfaces of the most exposed state's P(war) and P(abandonment) and its
    alliance patron's P(entrapment); over one or more: the trade-off of a protégé
    and a patron of the alliance whose key varies. Always: P(war by t) of the
    chosen states (at the first grid point of a grid, which the caption names).
    """
    out = []
    ranked = exposure.by_exposure(ds)
    chosen = list(states) if states is not None else ranked[:6]
    if comparison is not None:
        fig, _ = paired_differences(comparison, chosen)
        out.append(("b − a with paired 95% intervals (common random numbers), beside the "
                    "intervals two independent runs would give", _png(fig)))  # fmt: skip
    swept = exposure.swept_numeric(ds)
    dims = grid_dims(ds)
    if len(swept) >= 2:
        y, x = swept[0], swept[1]
        names = config_keys(ds)
        rest = _first_point(ds, [d for d in dims if d not in (names[x], names[y])])
        lead = chosen[0]
        pair = exposure.dilemma_pair(ds, x)
        patron = pair[2] if pair else lead
        for var, state in (("p_war", lead), ("p_abandonment", lead), ("p_entrapment", patron)):
            fig, _ = ds.forecast.surface(var, x=x, y=y, select={**rest, "state": state})
            where = f" at {_describe_point(rest)}" if rest else ""
            out.append((f"{var} of {state} over {y} and {x}{where}", _png(fig)))
    for key in swept[:1]:
        pair = exposure.dilemma_pair(ds, key)
        if pair is None:
            continue
        alliance, protege, patron = pair
        rest = _first_point(ds, [d for d in dims if d != config_keys(ds)[key]])
        fig, _ = ds.forecast.tradeoff(key, protege=protege, patron=patron, select=rest)
        out.append((f"{alliance}: abandonment of {protege} against entrapment of {patron} "
                    f"as {key} varies", _png(fig)))  # fmt: skip
    point = _point_with(ds, chosen[0]) if chosen else {}
    shown = [s for s in chosen if _has_values(ds, s, point)]
    fig, _ = ds.forecast.by_time("p_war", states=shown, select=point)
    where = f" at the first grid point that has them ({_describe_point(point)})" if point else ""
    out.append((f"P(war by t) of {', '.join(shown)}{where}", _png(fig)))
    return out


def _has_values(ds: xr.Dataset, state: str, point: Mapping[str, Any]) -> bool:
    value = ds.forecast.sel(point, state=state).p_war.isel(time=-1)
    return bool(value.notnull().all())


def _point_with(ds: xr.Dataset, state: str) -> dict[str, Any]:
    """The first grid point (by config key) where ``state`` has results: in a gathered
    multirun over portfolios, a state is NaN where its job's portfolio lacks it."""
    dims = [d for d in grid_dims(ds) if d in ds.dims]
    if not dims:
        return {}
    have = ds.p_war.isel(time=-1).sel(state=state).notnull().transpose(*dims)
    index = np.argwhere(have.values)
    first = index[0] if len(index) else np.zeros(len(dims), dtype=int)
    keys = _keys(ds)
    return {keys.get(d, d): ds[d].values[i] for d, i in zip(dims, first, strict=True)}


def question(ds: xr.Dataset, baseline: str | None = None) -> str:
    """The question the report answers, in words, from the run's portfolio."""
    alliances = exposure.alliance_members(ds)
    foes = exposure.adversaries(ds)
    friends = exposure.friendly_states(ds)
    pacts = ", ".join(f"{a}: {len(m)} members" for a, (m, _) in alliances.items()) or "no pact"
    horizon = f"{float(ds.time[-1]):g} years"
    name = ds.attrs.get("scenario", "this run")
    text = (f"How likely are the {len(friends)} states of the {name} portfolio ({pacts}), facing "
            f"{', '.join(foes) or 'no adversary'}, to go to war, to be entrapped in an ally's "
            f"war or abandoned by their allies within {horizon}?")  # fmt: skip
    if baseline:
        text += f" And how does this scenario change those risks against {baseline}?"
    return text


def _scenario_rows(ds: xr.Dataset) -> list[tuple[str, str]]:
    rows = [tuple(line.split(": ", 1)) for line in describe_scenario(ds)]
    n = int(ds.n_trajectories.sum())
    rows.append(("size", f"{n:,} trajectories, seed {ds.attrs.get('seed', '?')}, horizon "
                 f"{float(ds.time[-1]):g} years"))  # fmt: skip
    keys = _keys(ds)
    for d in grid_dims(ds):
        values = ", ".join(str(v) for v in ds[d].values)
        rows.append((f"varies: {keys.get(d, d)}", values))
    return [(str(a), str(b)) for a, b in rows]


#: the headline block: (kind, which, outcome); which is "alliance", "target", "leader" or "all"
_HEADLINES = (("all", "all", "p_any_war"), ("alliance", "alliance", "p_member_war"),
              ("state", "target", "p_war"), ("state", "target", "p_abandonment"),
              ("state", "leader", "p_entrapment"))  # fmt: skip


def headline_rows(ds: xr.Dataset, states: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """The few numbers that matter: (what, estimate [95%] or its range over the grid).

    P(any war); each alliance's P(a member at war); the two most exposed states'
    (or ``states``') P(war) and P(abandonment); each leader's P(entrapment).
    """
    table = headline_table(ds)
    ranked = list(states) if states is not None else exposure.by_exposure(ds)[:2]
    leaders = [lead for _, lead in exposure.alliance_members(ds).values() if lead]
    keys = [_keys(ds).get(d, d) for d in grid_dims(ds)]
    ok = table[table["applicable"]]
    decimals = decimals_for(ok.p)
    out = []
    for kind, which, outcome in _HEADLINES:
        names = {"all": ["all"], "alliance": list(exposure.alliance_members(ds))[:3],
                 "target": ranked, "leader": leaders[:2]}[which]  # fmt: skip
        for name in names:
            rows = table[(table.kind == kind) & (table.name == name) & (table.outcome == outcome)]
            rows = rows.dropna(subset=["p"])
            if rows.empty:
                continue
            label = f"{rows.label.iloc[0]} of {name}" if name != "all" else rows.label.iloc[0]
            if len(rows) == 1:
                r = rows.iloc[0]
                out.append((label, estimate(r.p, r.lower, r.upper, decimals=decimals)))
                continue
            lo, hi = rows.loc[rows.p.idxmin()], rows.loc[rows.p.idxmax()]
            low = estimate(lo.p, lo.lower, lo.upper, decimals=decimals)
            high = estimate(hi.p, hi.lower, hi.upper, decimals=decimals)
            out.append((label, f"{low} at {point_label(lo, keys)} ... {high} at "
                        f"{point_label(hi, keys)}"))  # fmt: skip
    return out


def paired_rows(comparison: pd.DataFrame, states: Sequence[str]) -> list[tuple[str, str]]:
    """The headline block of a comparison: (what, a → b, b − a [paired 95%])."""
    rows = comparison[comparison["applicable"].astype(bool)]
    rows = rows[(rows.kind != "state") | rows.name.isin(list(states))]
    decimals = decimals_for([*rows.p_a, *rows.p_b, *rows.difference])
    out = []
    for r in rows.itertuples():
        label = f"{r.label} of {r.name}" if r.name != "all" else str(r.label)
        change = f"{r.p_a:.{decimals}f} → {r.p_b:.{decimals}f}"
        diff = f"{r.difference:+.{decimals}f} [{r.lower:+.{decimals}f}, {r.upper:+.{decimals}f}]"
        out.append((label, f"{change}: {diff}"))
    return out


def states_table(ds: xr.Dataset, states: Sequence[str]) -> pd.DataFrame:
    """States × outcomes: the estimate [95%] of a run, or its range over a grid."""
    table = headline_table(ds)
    table = table[(table.kind == "state") & table.name.isin(list(states))]
    ok = table[table["applicable"]]
    decimals = decimals_for(ok.p)
    labels = dict(zip(table.outcome, table.label, strict=True))
    out = {}
    for state in states:
        row = {}
        for outcome in STATE_OUTCOMES:
            cells = table[(table.name == state) & (table.outcome == outcome)]
            if cells.empty:
                continue
            if not cells.applicable.any():
                row[labels[outcome]] = "n/a"
            elif len(cells) == 1:
                c = cells.iloc[0]
                row[labels[outcome]] = estimate(c.p, c.lower, c.upper, True, decimals)
            else:
                p = cells.p.dropna()
                row[labels[outcome]] = (f"{p.min():.{decimals}f} to {p.max():.{decimals}f}"
                                        if len(p) else "-")  # fmt: skip
        out[state] = row
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("state").reset_index()


def _pairs_html(rows: Sequence[tuple[str, str]], css: str) -> str:
    body = "".join(
        f'<tr><td class="text">{html.escape(a)}</td>'
        f'<td class="text value">{html.escape(b)}</td></tr>'
        for a, b in rows
    )
    return f'<table class="{css}">{body}</table>'


def render(
    ds: xr.Dataset,
    title: str | None = None,
    states: Sequence[str] | None = None,
    comparison: pd.DataFrame | None = None,
) -> str:
    """The report as one HTML string (no external resources).

    ``states``: the states of the headline, the figures and the table (default:
    the most exposed). ``comparison``: a table from :func:`forecaster.compare`
    whose b side is this run; the page then leads with its paired differences.
    """
    require_matplotlib()
    ds = ds.load()
    shown = chosen_states(ds, states) if states is not None else None
    ranked = exposure.by_exposure(ds)
    table_states = shown or ranked
    title = title or f"forecaster briefing: {ds.attrs.get('scenario', '')}"
    baseline = str(comparison.attrs.get("a", "the baseline")) if comparison is not None else None
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="question">{html.escape(question(ds, baseline))}</p>',
        "<h2>Scenario</h2>",
        _pairs_html(_scenario_rows(ds), "scenario"),
    ]
    if comparison is not None:
        lines = format_differences(comparison.attrs.get("differences", []))
        parts += [
            "<h2>Against the baseline: paired differences (b − a)</h2>",
            f"<p>a: {html.escape(str(comparison.attrs.get('a', '')))}<br>"
            f"b: {html.escape(str(comparison.attrs.get('b', '')))}</p>",
            f"<pre>{html.escape(chr(10).join(lines))}</pre>",
            "<p>Each row: a → b, then b − a with its 95% interval from paired standard "
            "errors (both runs saw the same random draws, trajectory by trajectory).</p>",
            _pairs_html(paired_rows(comparison, shown or ranked[:2]), "headline"),
        ]
    parts += [
        "<h2>Headline</h2>",
        "<p>At the horizon, 95% intervals (Wilson); over a grid, the lowest and highest "
        "estimate and where each lies.</p>",
        _pairs_html(headline_rows(ds, shown), "headline"),
        "<h2>Figures</h2>",
    ]
    for caption, data in figures(ds, shown, comparison):
        parts.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    n_grid = sum(1 for d in grid_dims(ds) if d in ds.dims)
    parts += [
        "<h2>States × outcomes at the horizon</h2>",
        "<p>95% intervals: Wilson for probabilities, delta method for reliabilities; "
        "n/a where the portfolio rules the outcome out"
        + ("; over a grid, the range of the estimates." if n_grid else ".")
        + " Every row and grid point is in summary.csv.</p>",
        states_table(ds, table_states).to_html(index=False, border=0, escape=True),
        "<h2>Appendix: provenance and resolved config</h2>",
        f"<pre>{html.escape(_provenance(ds))}</pre>",
        "<details><summary>Resolved config</summary>",
        f"<pre>{html.escape(_config_text(ds))}</pre></details>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _provenance(ds: xr.Dataset) -> str:
    return "\n".join(f"{k}: {ds.attrs[k]}" for k in _PROVENANCE if k in ds.attrs)


def _config_text(ds: xr.Dataset) -> str:
    try:
        config_of(ds)
    except KeyError:
        return "(not recorded)"
    return str(ds.attrs.get("config", "(not recorded)"))


def write_report(
    source: xr.Dataset | str | Path,
    out_dir: str | Path | None = None,
    *,
    states: Sequence[str] | None = None,
    baseline: xr.Dataset | str | Path | None = None,
    at: Mapping[str, Any] | None = None,
    comparison: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write ``summary.csv`` (the headline table) and ``report.html`` into ``out_dir``
    (default: the run's output directory).

    ``baseline``: another run (or results) to compare with, paired
    (:func:`forecaster.compare`, which simulates both once more); ``at``: the
    grid point of a grid run for that comparison (its keys that the baseline
    sweeps hold for the baseline too); ``comparison``: a comparison already
    made. Nothing is written unless matplotlib is installed and the comparison
    can be made.
    """
    require_matplotlib()
    if isinstance(source, xr.Dataset):
        ds, where = source, Path(out_dir or ".")
    else:
        ds = open_results(source)
        path = Path(source)
        where = Path(out_dir) if out_dir else (path.parent if path.suffix else path)
    if states is not None:
        chosen_states(ds, states)  # an unknown state stops here, before anything is written
    if baseline is not None and comparison is None:
        base = baseline if isinstance(baseline, xr.Dataset) else open_results(baseline)
        base_keys = config_keys(base)
        at_base = {k: v for k, v in (at or {}).items() if k in base_keys}
        comparison = compare(base, ds, at_a=at_base or None, at_b=dict(at or {}) or None)
        named = not isinstance(baseline, xr.Dataset)
        comparison.attrs["a"] = str(baseline) if named else base.attrs.get("scenario", "baseline")
        comparison.attrs["b"] = str(source) if not isinstance(source, xr.Dataset) else "this run"
    page = render(ds, states=states, comparison=comparison)
    where.mkdir(parents=True, exist_ok=True)
    csv, report = where / "summary.csv", where / "report.html"
    headline_table(ds).to_csv(csv, index=False)
    report.write_text(page, encoding="utf-8")
    written = {"csv": csv, "html": report}
    if comparison is not None:
        written["comparison"] = where / "comparison.csv"
        comparison.to_csv(written["comparison"], index=False)
    return written


__all__ = [
    "figures",
    "headline_rows",
    "question",
    "render",
    "require_matplotlib",
    "states_table",
    "write_report",
]

"""Plots and tables of results datasets: the ``ds.forecast`` accessor.

>>> ds = forecaster.open_results("outputs/...")            # doctest: +SKIP
>>> ds.forecast.table()                                     # doctest: +SKIP
>>> fig, axes = ds.forecast.surface("p_entrapment", x="threat.scale",
...     y="portfolio.alliances.nato.explicitness", select={"state": "DEU"})  # doctest: +SKIP
>>> fig, ax = ds.forecast.by_time(states=["EST", "POL"])   # doctest: +SKIP
>>> fig, ax = ds.forecast.hazard(states=["EST", "POL"])    # doctest: +SKIP
>>> fig, ax = ds.forecast.exceedance("wars")               # doctest: +SKIP
>>> fig, ax = ds.forecast.tradeoff("portfolio.alliances.pact.explicitness",
...     protege="PROTEGE", patron="PATRON")                # doctest: +SKIP

Swept keys are named as in the config (``threat.scale``) everywhere: in
``x``, ``y``, ``key`` and ``select``; the dataset's dimension is the CF-valid
``threat__scale``. Every plot draws on a new figure unless given ``ax``
(plots need the ``analysis`` extra), returns the matplotlib objects, titles
itself with what, where and when, labels its axes from one label table
(:mod:`forecaster.results.labels`), and shows 95% intervals (Wilson for
probabilities).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from forecaster.results import config_keys, dim_name, headline_table, key_label, outcome_label
from forecaster.results.estimators import proportion_interval
from forecaster.results.summary import decimals_for, fixed

if TYPE_CHECKING:  # matplotlib is the analysis extra, imported when a plot is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("plots need matplotlib: pip install 'forecaster[analysis]'") from err
    return plt


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float | np.floating) else str(v)


def noise_aware_limits(
    values: np.ndarray, se: np.ndarray, min_span_se: float = 4.0
) -> tuple[float, float]:
    """Colour limits that span the values, and at least ``min_span_se`` median SEs.

    A surface whose cells differ by less than their Monte Carlo noise then shows
    (nearly) one colour instead of the whole colour map.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    errors = se[np.isfinite(se)]
    span = min_span_se * float(np.median(errors)) if errors.size else 0.0
    if hi - lo < span:
        middle = (hi + lo) / 2
        lo, hi = middle - span / 2, middle + span / 2
    if hi <= lo:  # one value and no error: any small range around it
        lo, hi = lo - 0.5 * abs(lo) - 1e-9, hi + 0.5 * abs(hi) + 1e-9
    return max(lo, 0.0) if finite.min() >= 0 else lo, hi


def _label_cells(ax: Axes, xs: np.ndarray, ys: np.ndarray, values: np.ndarray,
                 se: np.ndarray, mesh: Any) -> None:  # fmt: skip
    """Print each cell's value in it; ``≈`` where it is within 2 SE of the mean."""
    if values.size > 144:  # a dense grid: the colours alone
        return
    finite = values[np.isfinite(values)]
    mean = float(finite.mean()) if finite.size else np.nan
    decimals = decimals_for(finite)
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            v = values[i, j]
            if not np.isfinite(v):
                continue
            within = np.isfinite(se[i, j]) and abs(v - mean) <= 2 * se[i, j]
            r, g, b, _ = mesh.cmap(mesh.norm(v))
            colour = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
            ax.text(xv, yv, ("≈" if within else "") + fixed(v, decimals), ha="center",
                    va="center", fontsize=8, color=colour)  # fmt: skip


@xr.register_dataset_accessor("forecast")
class ForecastAccessor:
    """Tables, selections and plots of forecaster results."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    # ------------------------------------------------------------ selection by config key
    def name(self, key: str) -> str:
        """The dataset's name for a config key (``threat.scale`` → ``threat__scale``)."""
        ds = self._ds
        if key in ds.variables or key in ds.dims:
            return key
        keys = config_keys(ds)
        if key in keys:
            return keys[key]
        if dim_name(key) in ds.variables:
            return dim_name(key)
        options = ", ".join([*keys, "state", "alliance", "time"])
        raise ValueError(f"{key!r}: not a swept key or dimension of the dataset ({options})")

    def _names(self, selection: Mapping[str, Any] | None) -> dict[str, Any]:
        return {self.name(k): v for k, v in (selection or {}).items()}

    def sel(self, selection: Mapping[str, Any] | None = None, **kwargs: Any) -> xr.Dataset:
        """``ds.sel`` with swept keys named as in the config.

        >>> ds.forecast.sel({"threat.scale": 1.0}, state="EST")  # doctest: +SKIP
        """
        return self._ds.sel(self._names({**(selection or {}), **kwargs}))

    def table(self, time: int | float = -1) -> pd.DataFrame:
        """The headline outcomes as a tidy DataFrame: a row per grid point, state or
        alliance, and outcome, with the estimate, its standard error and 95% interval.

        See :func:`forecaster.results.headline_table` for the columns.
        """
        return headline_table(self._ds, time)

    # ------------------------------------------------------------ helpers
    def _pick(
        self, var: str, select: Mapping[str, Any] | None, time: float | int | None
    ) -> xr.Dataset:
        ds = self._ds
        if var not in ds:
            options = sorted(
                str(v)
                for v in ds.data_vars
                if str(v).startswith(("p_", "mean_")) and not str(v).endswith(("_se", "_lower",
                                                                                "_upper"))
            )  # fmt: skip
            raise ValueError(f"var = {var!r}: not in the dataset (one of {', '.join(options)})")
        names = [n for n in (var, f"{var}_se", f"{var}_lower", f"{var}_upper", "n_trajectories")
                 if n in ds]  # fmt: skip
        picked = ds[names]
        if select:
            picked = picked.sel(self._names(select))
        if time is not None and "time" in picked.dims:
            picked = (
                picked.isel(time=time)
                if isinstance(time, int)
                else picked.sel(time=time, method="nearest")
            )
        return picked

    def _check_dims(self, da: xr.DataArray, wanted: Sequence[str], what: str) -> None:
        extra = [d for d in da.dims if d not in wanted]
        if extra:
            keys = {v: k for k, v in config_keys(self._ds).items()}
            first = keys.get(str(extra[0]), str(extra[0]))
            raise ValueError(f"{what}: {da.name} still varies along {extra}; choose one value of "
                             f"each with select={{{first!r}: ...}}")  # fmt: skip

    def _where(self, picked: xr.Dataset | xr.DataArray, skip: Sequence[str] = ()) -> str:
        """The fixed grid values of a selection, as ``label = value`` pairs."""
        parts = []
        for key, name in config_keys(self._ds).items():
            if name in picked.coords and picked[name].ndim == 0 and name not in skip:
                parts.append(f"{key_label(key)} = {_value(picked[name].item())}")
        return ", ".join(parts)

    @staticmethod
    def _when(picked: xr.Dataset) -> str:
        return f"within {float(picked.time):g} years" if "time" in picked.coords else ""

    # ------------------------------------------------------------ plots
    def surface(self, var: str, x: str, y: str, select: Mapping[str, Any] | None = None,
                time: float | int = -1, cmap: str = "viridis", min_span_se: float = 4.0
                ) -> tuple[Figure, tuple[Axes, Axes]]:  # fmt: skip
        """A probability surface over two swept keys, beside its standard error.

        Left: the estimate, each cell centred on its grid values (an uneven grid
        at its true positions) and printed in it. The colour scale spans at least
        ``min_span_se`` median standard errors, so that a surface flat within
        Monte Carlo noise looks flat instead of stretching noise over every
        colour; cells within 2 standard errors of the surface's mean carry a
        ``≈`` (no contour lines: the cells are steps, not a smooth surface).
        Right: the Monte Carlo standard error on the same grid. ``x`` and ``y``
        are config keys. Returns ``(fig, (ax, ax_se))``.
        """
        plt = _pyplot()
        xn, yn = self.name(x), self.name(y)
        picked = self._pick(var, select, time)
        p = picked[var].transpose(yn, xn, ...)
        self._check_dims(p, (xn, yn), "surface")
        values = p.values.astype(float)
        se = (picked[f"{var}_se"].transpose(yn, xn, ...).values.astype(float)
              if f"{var}_se" in picked else np.full_like(values, np.nan))  # fmt: skip
        lo, hi = noise_aware_limits(values, se, min_span_se)
        fig, (ax, ax_se) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
        xs, ys = p[xn].values.astype(float), p[yn].values.astype(float)
        mesh = ax.pcolormesh(xs, ys, values, shading="nearest", cmap=cmap, vmin=lo, vmax=hi)
        fig.colorbar(mesh, ax=ax, label=f"probability (scale ≥ {min_span_se:g} SE wide)")
        _label_cells(ax, xs, ys, values, se, mesh)
        mesh_se = ax_se.pcolormesh(xs, ys, se, shading="nearest", cmap="magma_r")
        fig.colorbar(mesh_se, ax=ax_se, label="standard error")
        ax_se.set_title("its Monte Carlo standard error", fontsize=10)
        for a in (ax, ax_se):
            a.set_xlabel(key_label(x))
            a.set_ylabel(key_label(y))
            a.set_xticks(xs, [_value(v) for v in xs], fontsize=9)
            a.set_yticks(ys, [_value(v) for v in ys], fontsize=9)
        who = self._who(picked)
        where = self._where(picked, skip=(xn, yn))
        title = f"{outcome_label(var)}{who} {self._when(picked)}".strip()
        note = "≈: within 2 SE of the surface's mean"
        ax.set_title(title + (f"\n{where}" if where else "") + f"\n({note})", fontsize=10)
        return fig, (ax, ax_se)

    @staticmethod
    def _who(picked: xr.Dataset) -> str:
        for dim in ("state", "alliance"):
            if dim in picked.coords and picked[dim].ndim == 0:
                return f" of {picked[dim].item()}"
        return ""

    def by_time(self, var: str = "p_war", states: Sequence[str] | None = None,
                select: Mapping[str, Any] | None = None, ax: Axes | None = None
                ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """P(event by t): the cumulative probability per state over time, with 95% Wilson bands."""
        plt = _pyplot()
        picked = self._pick(var, select, None)
        states = self._states(picked, states)
        fig, ax = (plt.subplots(figsize=(7, 4.3), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        top = 0.0
        for state in states:
            s = picked.sel(state=state)
            self._check_dims(s[var], ("time",), "by_time")
            t, p = s.time.values, s[var].values
            line = ax.plot(t, p, label=state)[0]
            if f"{var}_lower" in s:
                ax.fill_between(t, s[f"{var}_lower"].values, s[f"{var}_upper"].values,
                                color=line.get_color(), alpha=0.2, linewidth=0)  # fmt: skip
                top = max(top, float(np.nanmax(s[f"{var}_upper"].values)))
        ax.set_xlabel("years from the start")
        ax.set_ylabel(f"{outcome_label(var)} by t")
        ax.set_xlim(0, float(picked.time.max()))
        ax.set_ylim(0, top * 1.05 if top > 0 else None)
        where = self._where(picked)
        title = f"{outcome_label(var)} by year t (95% bands)"
        ax.set_title(title + (f"\n{where}" if where else ""), fontsize=10)
        ax.legend(title="state", fontsize=8)
        return fig, ax

    def hazard(self, var: str = "p_war", states: Sequence[str] | None = None,
               select: Mapping[str, Any] | None = None, ax: Axes | None = None
               ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """The annual hazard: the rate per year of the first event among those without one yet.

        h(t) = -ln(1 - q)/dt, where q = (P(t) - P(t - dt)) / (1 - P(t - dt)) is
        the share of trajectories still without the event at t - dt that have it
        by t; 95% bands from the Wilson interval of q over those trajectories.
        """
        plt = _pyplot()
        picked = self._pick(var, select, None)
        states = self._states(picked, states)
        fig, ax = (plt.subplots(figsize=(7, 4.3), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        t = picked.time.values
        dt = float(t[0])
        for state in states:
            s = picked.sel(state=state)
            self._check_dims(s[var], ("time",), "hazard")
            p = np.concatenate([[0.0], s[var].values])
            n = float(s["n_trajectories"].values) if "n_trajectories" in s else np.nan
            at_risk = np.round(n * (1 - p[:-1]))
            events = np.round(n * (p[1:] - p[:-1]))
            with np.errstate(invalid="ignore", divide="ignore"):
                q = np.where(at_risk > 0, events / np.maximum(at_risk, 1), np.nan)
                lower, upper = proportion_interval(events, np.maximum(at_risk, 1))
                h = -np.log1p(-q) / dt
            line = ax.step(t, h, where="pre", label=state)[0]
            ax.fill_between(t, -np.log1p(-lower) / dt, -np.log1p(-upper) / dt, step="pre",
                            color=line.get_color(), alpha=0.2, linewidth=0)  # fmt: skip
        ax.set_xlabel("years from the start")
        ax.set_ylabel("hazard (per year)")
        ax.set_xlim(float(t[0]), float(t[-1]))
        ax.set_ylim(bottom=0)
        where = self._where(picked)
        ax.set_title(f"Annual hazard of {outcome_label(var)[2:-1]} (first event; 95% bands)"
                     + (f"\n{where}" if where else ""), fontsize=10)  # fmt: skip
        ax.legend(title="state", fontsize=8)
        return fig, ax

    @staticmethod
    def _states(picked: xr.Dataset, states: Sequence[str] | None) -> list[str]:
        if states is not None:
            return list(states)
        friendly = ~picked.adversary.values.astype(bool) if "adversary" in picked.coords else None
        return [str(s) for s in picked.state.values[friendly]][:8]

    def exceedance(self, what: str = "wars", select: Mapping[str, Any] | None = None,
                   ax: Axes | None = None, max_count: int | None = None
                   ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """P(number of wars or crises in a trajectory ≥ n), with 95% Wilson error bars."""
        plt = _pyplot()
        var = f"p_{what}_at_least"
        picked = self._pick(var, select, None)
        p = picked[var]
        self._check_dims(p, ("count",), "exceedance")
        positive = np.flatnonzero(p.values > 0)
        last = int(positive.max()) if positive.size else 1
        last = min(last, max_count) if max_count else last
        window = slice(1, last + 1)
        p = p.isel(count=window)
        lower = picked[f"{var}_lower"].isel(count=window).values
        upper = picked[f"{var}_upper"].isel(count=window).values
        fig, ax = (plt.subplots(figsize=(7, 4.3), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        yerr = np.vstack([p.values - lower, upper - p.values])
        ax.errorbar(p["count"].values, p.values, yerr=yerr, fmt="o-", capsize=3)
        ax.set_yscale("log")
        ax.set_xlabel(f"n, number of {what} in a trajectory")
        ax.set_ylabel(f"P({what} ≥ n)")
        ax.set_xticks(p["count"].values)
        where = self._where(picked)
        ax.set_title(f"P(at least n {what} within {float(self._ds.time[-1]):g} years) (95% bars)"
                     + (f"\n{where}" if where else ""), fontsize=10)  # fmt: skip
        return fig, ax

    def tradeoff(self, key: str, protege: str, patron: str, select: Mapping[str, Any] | None = None,
                 time: float | int = -1, ax: Axes | None = None
                 ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """Snyder's dilemma across a sweep: a protégé's abandonment against a patron's entrapment.

        One point per value of ``key`` (a config key), labelled, with 95% Wilson
        error bars both ways. The bars are each point's own interval; the points
        share random numbers (common random numbers), so the change from one to
        the next is known far better than overlapping bars suggest, as the title
        says: :func:`forecaster.compare` gives its paired interval. The protégé
        and the patron should be members of the alliance whose key varies
        (:func:`forecaster.analysis.report.figures` chooses them so).
        """
        plt = _pyplot()
        ds = self._ds
        name = self.name(key)
        if name not in ds.dims:
            raise ValueError(
                f"key = {key!r}: not a swept dimension (dims: {', '.join(map(str, ds.dims))})"
            )
        abandon = self._pick("p_abandonment", {**(select or {}), "state": protege}, time)
        entrap = self._pick("p_entrapment", {**(select or {}), "state": patron}, time)
        self._check_dims(abandon.p_abandonment, (name,), "tradeoff")
        fig, ax = (plt.subplots(figsize=(6.5, 5), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        x, y = abandon.p_abandonment.values, entrap.p_entrapment.values
        xerr = np.vstack([x - abandon.p_abandonment_lower.values,
                          abandon.p_abandonment_upper.values - x])  # fmt: skip
        yerr = np.vstack([y - entrap.p_entrapment_lower.values,
                          entrap.p_entrapment_upper.values - y])  # fmt: skip
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o-", capsize=3)
        for value, xi, yi in zip(ds[name].values, x, y, strict=True):
            ax.annotate(_value(value), (xi, yi), textcoords="offset points", xytext=(6, 6),
                        fontsize=8)  # fmt: skip
        years = f"{float(abandon.time):g} years" if "time" in abandon.coords else "the horizon"
        ax.set_xlabel(f"P({protege} abandoned within {years})")
        ax.set_ylabel(f"P({patron} entrapped within {years})")
        where = self._where(abandon, skip=(name,))
        ax.set_title(f"Abandonment vs entrapment as {key_label(key)} varies"
                     + (f"\n{where}" if where else "") + "\n(labels: its values; bars: each "
                     "point's own 95%; the points share random numbers, so the\ndifference "
                     "between two is far tighter than the bars: forecast-compare)",
                     fontsize=9)  # fmt: skip
        return fig, ax


def paired_differences(table: pd.DataFrame, states: Sequence[str] | None = None,
                       ax: Axes | None = None) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
    """Forest plot of a comparison (:func:`forecaster.compare`): b − a per state and outcome.

    Dark bars: the paired 95% interval (common random numbers); light bars: the
    interval two independent runs would give, for scale. ``states`` keeps those
    states' rows (default: every state with a difference or a paired interval
    away from zero; at most 12) and every alliance and portfolio-wide row.
    """
    plt = _pyplot()
    rows = table[table["applicable"].astype(bool)]
    if states is not None:
        rows = rows[(rows.kind != "state") | rows.name.isin(list(states))]
    else:
        moved = rows[(rows.kind == "state") & ((rows.lower > 0) | (rows.upper < 0))]
        keep = list(dict.fromkeys(moved.name))[:12]
        rows = rows[(rows.kind != "state") | rows.name.isin(keep)]
    rows = rows.iloc[::-1]
    fig, ax = (plt.subplots(figsize=(7.5, 0.3 * len(rows) + 1.6), constrained_layout=True)
               if ax is None else (ax.figure, ax))  # fmt: skip
    y = np.arange(len(rows))
    half = 1.959963984540054 * rows.se_unpaired.values
    ax.errorbar(rows.difference, y, xerr=half, fmt="none", ecolor="#bbbbbb", elinewidth=6,
                label="unpaired 95% (independent runs)")  # fmt: skip
    ax.errorbar(rows.difference, y, xerr=[rows.difference - rows.lower,
                rows.upper - rows.difference], fmt="o", color="#1f4e79", capsize=3,
                label="paired 95% (common random numbers)")  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [f"{n} {label}" for n, label in zip(rows.name, rows.label, strict=True)],
                  fontsize=8)  # fmt: skip
    ax.set_xlabel("b − a")
    attrs = table.attrs
    ax.set_title(f"b − a within {attrs.get('horizon_years', 0):g} years\n"
                 f"a: {attrs.get('a', '')}\nb: {attrs.get('b', '')}", fontsize=9)  # fmt: skip
    ax.legend(fontsize=8, loc="best")
    return fig, ax

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
                time: float | int = -1, cmap: str = "viridis"
                ) -> tuple[Figure, tuple[Axes, Axes]]:  # fmt: skip
        """A probability surface over two swept keys, beside its standard error.

        Left: the estimate, each cell centred on its grid values (an uneven grid
        at its true positions), with contour lines at round levels; right: its
        Monte Carlo standard error on the same grid. ``x`` and ``y`` are config
        keys. Returns ``(fig, (ax, ax_se))``.
        """
        plt = _pyplot()
        xn, yn = self.name(x), self.name(y)
        picked = self._pick(var, select, time)
        p = picked[var].transpose(yn, xn, ...)
        self._check_dims(p, (xn, yn), "surface")
        fig, (ax, ax_se) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
        xs, ys = p[xn].values.astype(float), p[yn].values.astype(float)
        mesh = ax.pcolormesh(xs, ys, p.values, shading="nearest", cmap=cmap)
        fig.colorbar(mesh, ax=ax, label="probability")
        finite = p.values[np.isfinite(p.values)]
        if len(xs) > 1 and len(ys) > 1 and finite.size and finite.max() > finite.min():
            levels = plt.MaxNLocator(nbins=5).tick_values(finite.min(), finite.max())
            levels = levels[(levels > finite.min()) & (levels < finite.max())]
            if levels.size:
                lines = ax.contour(xs, ys, p.values, levels=levels, colors="white",
                                   linewidths=0.8)  # fmt: skip
                ax.clabel(lines, levels=levels, fontsize=8, fmt="%g", inline=True)
        if f"{var}_se" in picked:
            se = picked[f"{var}_se"].transpose(yn, xn, ...)
            mesh_se = ax_se.pcolormesh(xs, ys, se.values, shading="nearest", cmap="magma_r")
            fig.colorbar(mesh_se, ax=ax_se, label="standard error")
        ax_se.set_title("its Monte Carlo standard error", fontsize=10)
        for a in (ax, ax_se):
            a.set_xlabel(key_label(x))
            a.set_ylabel(key_label(y))
            a.set_xticks(xs)
            a.set_yticks(ys)
            a.set_xlim(xs.min(), xs.max()) if len(xs) > 1 else None
            a.set_ylim(ys.min(), ys.max()) if len(ys) > 1 else None
        who = self._who(picked)
        where = self._where(picked, skip=(xn, yn))
        title = f"{outcome_label(var)}{who} {self._when(picked)}".strip()
        ax.set_title(title + (f"\n{where}" if where else ""), fontsize=10)
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
        error bars both ways.
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
                     + (f"\n{where}" if where else "") + "\n(labels: its values; bars: 95%)",
                     fontsize=10)  # fmt: skip
        return fig, ax

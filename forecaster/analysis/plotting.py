"""Plots of results datasets: the ``ds.forecast`` accessor (needs the ``analysis`` extra).

>>> ds = forecaster.open_results("outputs/...")            # doctest: +SKIP
>>> fig, axes = ds.forecast.surface("p_entrapment", x="threat.scale",
...     y="portfolio.alliances.nato.explicitness", select={"state": "DEU"})  # doctest: +SKIP
>>> fig, ax = ds.forecast.hazard(states=["EST", "POL"])    # doctest: +SKIP
>>> fig, ax = ds.forecast.exceedance("wars")               # doctest: +SKIP
>>> fig, ax = ds.forecast.tradeoff("portfolio.alliances.pact.explicitness",
...     protege="PROTEGE", patron="PATRON")                # doctest: +SKIP

Every method draws on a new figure unless given ``ax``, returns the matplotlib
objects, labels its axes with units, and shows the Monte Carlo uncertainty:
95% bands, error bars, or a map of the standard error.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

if TYPE_CHECKING:  # matplotlib is the analysis extra, imported when a plot is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

Z95 = 1.959963984540054


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("plots need matplotlib: pip install 'forecaster[analysis]'") from err
    return plt


def _axis_label(name: str) -> str:
    return name.replace("portfolio.alliances.", "").replace("portfolio.states.", "")


@xr.register_dataset_accessor("forecast")
class ForecastAccessor:
    """Plotting helpers for forecaster results."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    # ------------------------------------------------------------ helpers
    def _pick(
        self, var: str, select: Mapping[str, Any] | None, time: float | int | None
    ) -> xr.Dataset:
        ds = self._ds
        if var not in ds:
            options = sorted(
                str(v)
                for v in ds.data_vars
                if str(v).startswith(("p_", "mean_")) and not str(v).endswith("_se")
            )
            raise ValueError(f"var = {var!r}: not in the dataset (one of {', '.join(options)})")
        pair = ds[[var, f"{var}_se"]] if f"{var}_se" in ds else ds[[var]]
        if select:
            pair = pair.sel(dict(select))
        if time is not None and "time" in pair.dims:
            pair = (
                pair.isel(time=time)
                if isinstance(time, int)
                else pair.sel(time=time, method="nearest")
            )
        return pair

    def _check_dims(self, da: xr.DataArray, wanted: Sequence[str], what: str) -> None:
        extra = [d for d in da.dims if d not in wanted]
        if extra:
            raise ValueError(f"{what}: {da.name} still varies along {extra}; choose one value of "
                             f"each with select={{{extra[0]!r}: ...}}")  # fmt: skip

    # ------------------------------------------------------------ plots
    def surface(self, var: str, x: str, y: str, select: Mapping[str, Any] | None = None,
                time: float | int = -1, cmap: str = "viridis"
                ) -> tuple[Figure, tuple[Axes, Axes]]:  # fmt: skip
        """A probability surface over two swept keys, beside its standard error.

        Left: the estimate as a heat map with contour lines; right: its Monte
        Carlo standard error on the same grid. Returns ``(fig, (ax, ax_se))``.
        """
        plt = _pyplot()
        picked = self._pick(var, select, time)
        p = picked[var].transpose(y, x, ...)
        self._check_dims(p, (x, y), "surface")
        fig, (ax, ax_se) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
        xs, ys = p[x].values, p[y].values
        mesh = ax.pcolormesh(xs, ys, p.values, shading="nearest", cmap=cmap)
        if len(xs) > 1 and len(ys) > 1:
            lines = ax.contour(xs, ys, p.values, colors="white", linewidths=0.8, levels=6)
            ax.clabel(lines, fontsize=8, fmt="%.2f")
        units = p.attrs.get("units", "")
        fig.colorbar(mesh, ax=ax, label=f"{var} ({units})" if units else var)
        what = p.attrs.get("long_name", var)
        where = ", ".join(f"{k}={v}" for k, v in (select or {}).items())
        when = f"t = {float(picked.time):g} years" if "time" in picked.coords else ""
        ax.set_title(textwrap.fill(what, 55) + f"\n{where} {when}".rstrip(), fontsize=9)
        if f"{var}_se" in picked:
            se = picked[f"{var}_se"].transpose(y, x, ...)
            mesh_se = ax_se.pcolormesh(xs, ys, se.values, shading="nearest", cmap="magma_r")
            fig.colorbar(mesh_se, ax=ax_se, label=f"standard error of {var}")
            ax_se.set_title("Monte Carlo standard error", fontsize=10)
        for a in (ax, ax_se):
            a.set_xlabel(_axis_label(x))
            a.set_ylabel(_axis_label(y))
        return fig, (ax, ax_se)

    def hazard(self, var: str = "p_war", states: Sequence[str] | None = None,
               select: Mapping[str, Any] | None = None, ax: Axes | None = None
               ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """P(event by t) per state over time, with 95% confidence bands."""
        plt = _pyplot()
        picked = self._pick(var, select, None)
        if states is None:
            friendly = ~picked.adversary.values if "adversary" in picked.coords else slice(None)
            states = [str(s) for s in picked.state.values[friendly]][:8]
        fig, ax = (plt.subplots(figsize=(7, 4.3), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        for state in states:
            s = picked.sel(state=state)
            self._check_dims(s[var], ("time",), "hazard")
            t, p = s.time.values, s[var].values
            line = ax.plot(t, p, label=state)[0]
            if f"{var}_se" in s:
                half = Z95 * s[f"{var}_se"].values
                ax.fill_between(t, np.clip(p - half, 0, 1), np.clip(p + half, 0, 1),
                                color=line.get_color(), alpha=0.2, linewidth=0)  # fmt: skip
        ax.set_xlabel("years from the start")
        ax.set_ylabel(f"{var} (probability)")
        ax.set_title(picked[var].attrs.get("long_name", var) + " (95% bands)", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.legend(title="state", fontsize=8)
        return fig, ax

    def exceedance(self, what: str = "wars", select: Mapping[str, Any] | None = None,
                   ax: Axes | None = None, max_count: int | None = None
                   ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """P(number of wars or crises in a trajectory ≥ n), with 95% error bars."""
        plt = _pyplot()
        var = f"p_{what}_at_least"
        picked = self._pick(var, select, None)
        p = picked[var]
        self._check_dims(p, ("count",), "exceedance")
        positive = np.flatnonzero(p.values > 0)
        last = int(positive.max()) if positive.size else 1
        last = min(last, max_count) if max_count else last
        p = p.isel(count=slice(1, last + 1))
        se = picked[f"{var}_se"].isel(count=slice(1, last + 1))
        fig, ax = (plt.subplots(figsize=(7, 4.3), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        ax.errorbar(p["count"].values, p.values, yerr=Z95 * se.values, fmt="o-", capsize=3,
                    drawstyle="steps-mid")  # fmt: skip
        ax.set_yscale("log")
        ax.set_xlabel(f"n, number of {what} in a trajectory")
        ax.set_ylabel(f"P({what} ≥ n)")
        ax.set_title(f"Exceedance curve of {what} over the horizon (95% error bars)", fontsize=10)
        ax.set_xticks(p["count"].values)
        return fig, ax

    def tradeoff(self, key: str, protege: str, patron: str, select: Mapping[str, Any] | None = None,
                 time: float | int = -1, ax: Axes | None = None
                 ) -> tuple[Figure | SubFigure, Axes]:  # fmt: skip
        """Snyder's dilemma across a sweep: a protégé's abandonment against a patron's entrapment.

        One point per value of ``key``, labelled, with 95% error bars both ways.
        """
        plt = _pyplot()
        ds = self._ds
        if key not in ds.dims:
            raise ValueError(
                f"key = {key!r}: not a swept dimension (dims: {', '.join(map(str, ds.dims))})"
            )
        abandon = self._pick("p_abandonment", {**(select or {}), "state": protege}, time)
        entrap = self._pick("p_entrapment", {**(select or {}), "state": patron}, time)
        self._check_dims(abandon.p_abandonment, (key,), "tradeoff")
        fig, ax = (plt.subplots(figsize=(6.5, 5), constrained_layout=True) if ax is None
                   else (ax.figure, ax))  # fmt: skip
        x, y = abandon.p_abandonment.values, entrap.p_entrapment.values
        ax.errorbar(x, y, xerr=Z95 * abandon.p_abandonment_se.values,
                    yerr=Z95 * entrap.p_entrapment_se.values, fmt="o-", capsize=3)  # fmt: skip
        for value, xi, yi in zip(ds[key].values, x, y, strict=True):
            ax.annotate(
                f"{value:g}", (xi, yi), textcoords="offset points", xytext=(6, 6), fontsize=8
            )
        years = f"{float(abandon.time):g} years" if "time" in abandon.coords else "the horizon"
        ax.set_xlabel(f"P({protege} abandoned within {years})")
        ax.set_ylabel(f"P({patron} entrapped within {years})")
        ax.set_title(f"Abandonment vs entrapment as {_axis_label(key)} varies\n"
                     "(labels: its values; bars: 95%)", fontsize=10)  # fmt: skip
        return fig, ax

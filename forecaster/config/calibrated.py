"""Which values of a composed config came from the calibration, and which the user kept.

A calibration option (``conf/calibration/<name>.yaml``, package ``calibration``)
holds estimates by config key. It sets nothing by itself: the shipped scenario
options leave a calibrated key to it with ``${oc.select:calibration.KEY,PRIOR}``
(the estimate where the chosen calibration has one, else the prior). A user's
own option or a command-line override that sets the key replaces that
interpolation, so the user's value wins. :func:`calibration_sources` tells the
two apart, and a calibrated key that no option leaves to the calibration is
named too: it is not applied, and a run says so before it starts (issue 18
item 7: a calibration never silently overrides the user, nor is silently
dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf

#: the config node that holds the chosen calibration's estimates
CALIBRATION = "calibration"


@dataclass(frozen=True)
class CalibrationSources:
    """Where each key the calibration estimates took its value from.

    Attributes
    ----------
    calibrated : ``{key: value}`` taken from the calibration.
    replaced : ``{key: (value used, calibrated value)}`` where the user's option or
        override set its own value.
    not_deferred : ``{key: (value used, calibrated value)}`` where no option leaves the
        key to the calibration (a fit of a parameter the shipped options do not defer):
        the options' value is used.
    """

    calibrated: dict[str, Any] = field(default_factory=dict)
    replaced: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    not_deferred: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The summary's lines: calibrated values, then the user's and the undeferred."""

        def pairs(items: dict[str, Any]) -> str:
            return ", ".join(f"{k} = {_short(v)}" for k, v in items.items())

        out = []
        if self.calibrated:
            out.append(f"from the calibration: {pairs(self.calibrated)}")
        if self.replaced:
            out.append(
                "yours, over the calibration: "
                + ", ".join(
                    f"{k} = {_short(v)} (calibrated {_short(c)})"
                    for k, (v, c) in self.replaced.items()
                )
            )
        if self.not_deferred:
            out.append(
                "calibrated but not applied (no option leaves the key to the calibration; "
                "override it to use the estimate): "
                + ", ".join(
                    f"{k} = {_short(v)} (calibrated {_short(c)})"
                    for k, (v, c) in self.not_deferred.items()
                )
            )
        return out


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(node, dict):
        return {prefix: node} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out |= _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    return out


def _same(a: Any, b: Any) -> bool:
    return bool(a == b)


def _interpolation(parent: Any, leaf: str) -> str:
    """The interpolation ``parent[leaf]`` is written as, or "" where it is a value."""
    if not OmegaConf.is_dict(parent) or leaf not in parent:
        return ""
    if not OmegaConf.is_interpolation(parent, leaf):
        return ""
    raw = OmegaConf.to_container(parent, resolve=False)
    return str(raw[leaf]) if isinstance(raw, dict) else ""


def calibration_sources(cfg: DictConfig) -> CalibrationSources:
    """Sort every key of ``cfg``'s calibration by where its value in ``cfg`` came from.

    Examples
    --------
    >>> import forecaster
    >>> cfg = forecaster.compose(["portfolio=regional", "threat.resolve.median=0.15"])
    >>> sources = calibration_sources(cfg)
    >>> sources.replaced["threat.resolve.median"][0]  # (yours, the estimate)
    0.15
    >>> "political.honour.intercept" in sources.calibrated
    True
    """
    node = cfg.get(CALIBRATION) if OmegaConf.is_dict(cfg) else None
    if not node:
        return CalibrationSources()
    estimates = _leaves(OmegaConf.to_container(node, resolve=True))
    sources = CalibrationSources()
    for key, estimate in estimates.items():
        parent_key, _, leaf = key.rpartition(".")
        parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
        used = OmegaConf.select(cfg, key, default=None)
        deferred = f"{CALIBRATION}.{key}" in _interpolation(parent, leaf)
        if deferred:
            sources.calibrated[key] = used
        elif _same(used, estimate):
            sources.calibrated[key] = used  # the same value either way
        elif key in deferred_keys(key.split(".", 1)[0]):
            sources.replaced[key] = (used, estimate)
        else:
            sources.not_deferred[key] = (used, estimate)
    return sources


def deferred_keys(group: str) -> set[str]:
    """The keys the shipped ``baseline`` option of ``group`` leaves to the calibration."""
    from importlib import resources

    from .schema import CONFIG_MODULE

    folder = resources.files(CONFIG_MODULE).joinpath(group)
    path = folder.joinpath("baseline.yaml")
    if not path.is_file():
        return set()
    raw = OmegaConf.create(path.read_text())
    found = set()
    for key in _leaves(OmegaConf.to_container(raw, resolve=False)):
        parent_key, _, leaf = key.rpartition(".")
        parent = OmegaConf.select(raw, parent_key) if parent_key else raw
        if f"{CALIBRATION}.{group}.{key}" in _interpolation(parent, leaf):
            found.add(f"{group}.{key}")
    return found

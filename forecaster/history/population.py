"""The "historical world" the moments come from, as plain numbers.

A calibration portfolio should mirror the population behind the moments: the
capability ratios of the dyads that fight MIDs and the sizes of the defence
pacts. This module summarises both as quantiles and shares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from forecaster.history import data

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
SIZE_BINS = ((2, 2), (3, 4), (5, 9), (10, 19), (20, 10_000))


def mid_capability_ratios(data_dir: Path) -> np.ndarray:
    """CINC ratio target / challenger of every originating dyad of a new MID, 1816–2014.

    A dyad counts in its onset year when the first state originates on side A
    and the second is an original side-B target (``orig1``, ``orig2``); both
    need a positive CINC score that year.
    """
    dyads = data.read(data_dir, "mid_dyads")
    onset = dyads[
        (dyads.disponset == 1)
        & (dyads.sidea1 == 1)
        & (dyads.orig1 == 1)
        & (dyads.sidea2 == 0)
        & (dyads.orig2 == 1)
    ]
    nmc = data.read(data_dir, "nmc").set_index(["ccode", "year"]).cinc
    challenger = nmc.reindex(list(zip(onset.ccode1, onset.year, strict=True))).to_numpy()
    target = nmc.reindex(list(zip(onset.ccode2, onset.year, strict=True))).to_numpy()
    ok = np.isfinite(challenger) & np.isfinite(target) & (challenger > 0) & (target > 0)
    return target[ok] / challenger[ok]


def defence_pact_sizes(data_dir: Path) -> np.ndarray:
    """Number of members of every ATOP 4.01 alliance with a defence obligation."""
    alliances = data.read(data_dir, "atop_alliances")
    members = alliances.filter(regex=r"^mem\d+$")
    sizes = members.notna().sum(axis=1)
    return sizes[alliances.defense == 1].to_numpy()


def _quantiles(values: np.ndarray, digits: int) -> dict[str, float]:
    qs = np.quantile(values, QUANTILES)
    pairs = zip(QUANTILES, qs, strict=True)
    return {f"q{round(q * 100):02d}": float(f"{v:.{digits}g}") for q, v in pairs}


def historical_world(data_dir: Path) -> dict[str, Any]:
    """Summaries of MID dyad capability ratios and defence-pact sizes.

    Returns
    -------
    dict
        ``mid_dyad_capability_ratio`` (quantiles of target/challenger CINC,
        share with the target stronger, geometric mean, n) and
        ``defence_pact_size`` (quantiles, mean, shares by size band, n).
    """
    ratio = mid_capability_ratios(data_dir)
    sizes = defence_pact_sizes(data_dir)
    bands = {
        (f"{lo}" if lo == hi else f"{lo}+" if hi >= 10_000 else f"{lo}-{hi}"): round(
            float(np.mean((sizes >= lo) & (sizes <= hi))), 4
        )
        for lo, hi in SIZE_BINS
    }
    return {
        "mid_dyad_capability_ratio": {
            "description": "CINC of the original target / CINC of the originating challenger, "
            "directed onset dyads of MIDs 1816-2014 (COW MID 5.0, NMC)",
            "n": int(ratio.size),
            "quantiles": _quantiles(ratio, 4),
            "geometric_mean": float(f"{np.exp(np.mean(np.log(ratio))):.4g}"),
            "share_target_stronger": round(float(np.mean(ratio > 1)), 4),
        },
        "defence_pact_size": {
            "description": "members per ATOP 4.01 alliance with a defence obligation, 1815-2016",
            "n": int(sizes.size),
            "quantiles": _quantiles(sizes.astype(float), 4),
            "mean": round(float(sizes.mean()), 3),
            "share_by_members": bands,
        },
    }

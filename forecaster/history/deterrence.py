"""The deterrence effect of a defence pact on being challenged, from state-years.

Estimator
---------
Unit: a COW system member in a year (1816–2014) with a CINC score.
Outcome: the state is an original target of at least one new MID that year
(as in ``targeted_rate``).
Exposure: the state has at least one defence-pact ally that year (ATOP 5.1
pair-years, ``atop_defense``); split by where the allies are, at least one
ally from the state's own COW region (local) or only allies from other
regions (distant), each against the state-years without a defence-pact ally.
Strata: year × CINC decile within that year. Within a year, ranking states by
CINC is ranking them by their capability ratio to the strongest state of the
system, so a stratum holds states of similar relative strength in the same
international system; comparing within strata removes the two confounders that
dominate the crude comparison (strong states both ally and get challenged
more; alliance and dispute rates both rose after 1945).
Pooled ratio: Mantel–Haenszel risk ratio; strata without both pact and no-pact
states drop out. Error: delete-one-state jackknife of log RR (a state's years
share its rivalries and its alliances, so state-years are not independent; the
Greenland–Robins error, which treats them as independent, is about 2.4 times
smaller and is kept only for comparison).

This is a descriptive association, not a causal effect: states seek pacts when
threatened (Leeds 2003 and Johnson & Leeds 2011 discuss the selection), which
biases the ratio towards 1 and above.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.history import data
from forecaster.history.estimators import Z95, mantel_haenszel_risk_ratio
from forecaster.history.moments import MID, MID_LAST, Moment, _flag

SOURCE = (
    MID + "; Miller (2022) ATOP 5.1 pair-years (Leeds et al. 2002); "
    "Singer, Bremer & Stuckey (1972), COW NMC (CINC)"
)
ESTIMATOR = (
    "Mantel-Haenszel risk ratio of being an original MID target, states with vs without a "
    "defence-pact ally, strata year x CINC decile; se = ratio x jackknife (by state) log-SE"
)


def deterrence_panel(data_dir: Path) -> pd.DataFrame:
    """State-years with ``tg`` (targeted), ``pact`` (defence ally), ``local`` (a defence
    ally from the state's own region), ``distant`` (defence allies, none from its
    region), ``cinc`` and ``decile``."""
    panel = _flag(data.state_years(data_dir, 1816, MID_LAST), data.new_mid_targets(data_dir), "tg")
    panel = _flag(panel, data.defence_pact_years(data_dir), "pact")
    where = data.defence_ally_location_years(data_dir)
    panel = panel.merge(where, on=["ccode", "year"], how="left")
    panel["local"] = panel["local"].fillna(False).astype(bool).astype(int)
    panel["distant"] = ((panel.pact == 1) & (panel["local"] == 0)).astype(int)
    nmc = data.read(data_dir, "nmc")[["ccode", "year", "cinc"]].astype({"ccode": int, "year": int})
    panel = panel.merge(nmc, on=["ccode", "year"], how="inner")
    share = panel.groupby("year").cinc.rank(pct=True)
    panel["decile"] = np.ceil(share * 10).clip(1, 10).astype(int)
    return panel


#: the exposures compared with state-years without any defence-pact ally
EXPOSURES = {
    "pact": "defence-pact ally",
    "local": "defence-pact ally from its own COW region",
    "distant": "defence-pact allies, none from its own COW region",
}


def deterrence_moments(data_dir: Path) -> dict[str, Moment]:
    """Pooled pact/no-pact ratios of being targeted.

    ``deterrence_rate_ratio`` over 1816–2014, 1946–2014 and 1816–1945; and,
    splitting the pact state-years by where the allies are (COW region of the
    state and of each ally, :func:`forecaster.history.data.region_of`), the
    ratios for a local ally (``_local_ally``) and for distant allies only
    (``_distant_ally``), each against the same no-pact state-years.
    """
    panel = deterrence_panel(data_dir)
    out = {}
    for name, first, last, exposure in [
        ("deterrence_rate_ratio", 1816, MID_LAST, "pact"),
        ("deterrence_rate_ratio_post1945", 1946, MID_LAST, "pact"),
        ("deterrence_rate_ratio_pre1946", 1816, 1945, "pact"),
        ("deterrence_rate_ratio_local_ally", 1816, MID_LAST, "local"),
        ("deterrence_rate_ratio_local_ally_post1945", 1946, MID_LAST, "local"),
        ("deterrence_rate_ratio_distant_ally", 1816, MID_LAST, "distant"),
        ("deterrence_rate_ratio_distant_ally_post1945", 1946, MID_LAST, "distant"),
    ]:
        rows = panel[(panel.year >= first) & (panel.year <= last)]
        rows = rows[(rows[exposure] == 1) | (rows.pact == 0)]
        exposed = rows[exposure].to_numpy()
        rr = mantel_haenszel_risk_ratio(
            rows.tg.to_numpy(), exposed, rows.year * 100 + rows.decile, rows.ccode
        )
        crude = rows[exposed == 1].tg.mean() / rows[rows.pact == 0].tg.mean()
        lo = math.exp(math.log(rr.value) - Z95 * rr.log_se_cluster)
        hi = math.exp(math.log(rr.value) + Z95 * rr.log_se_cluster)
        out[name] = Moment(
            rr.value,
            rr.value * rr.log_se_cluster,
            rr.n,
            f"{first}-{last}",
            "ratio of per-state-year rates",
            ESTIMATOR.replace("defence-pact ally", EXPOSURES[exposure]),
            SOURCE,
            f"n = state-years in strata with both groups ({rr.strata} strata); crude ratio "
            f"{crude:.3f}",
            {
                "log_se": round(rr.log_se_cluster, 4),
                "log_se_independent": round(rr.log_se_model, 4),
                "ci95": [round(lo, 4), round(hi, 4)],
            },
        )
    return out

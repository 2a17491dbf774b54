"""Honour and institutions: a logit of wartime honour on alliance size, era and
military institutionalisation (Berkemeier & Fuhrmann 2018 with ATOP 4.01).

Each ally-war row of Berkemeier & Fuhrmann's replication data whose obligation
applied (LLM coding, as :func:`forecaster.history.moments.reliability_moments`)
gets its alliance's military-institutionalisation tier from ATOP 4.01
(``milinst``; 3 of 146 rows have none and are left out). The model is

    logit P(honoured) = b0 + b_m multilateral + b_h high + b_mh multilateral × high
                        + b_p formed-from-1945,

``high`` the high tier (integrated command, subordination or bases), with errors
cluster-robust by war (allies in one war are not independent). ``b_mh`` is the
term the collective-action penalty lacks: whether an integrated multilateral pact
loses less to buck-passing than a paper one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from forecaster.history import data
from forecaster.history.moments import ATOP4, BF, Moment

TERMS = {
    "intercept": "const",
    "multilateral": "multilateral",
    "high_tier": "high",
    "multilateral_x_high_tier": "multilateral_high",
    "formed_from_1945": "post",
}


def honour_cases(data_dir: Path) -> pd.DataFrame:
    """B&F's applicable ally-war rows with ``honoured``, ``multilateral``, ``post``
    (alliance formed from 1945, B&F's ``sample == 0``), ``tier`` (ATOP ``milinst``)
    and ``warid``; rows whose alliance has no tier are dropped."""
    table = data.read(data_dir, "reliability")
    tiers = data.read(data_dir, "atop_alliances")[["atopid", "milinst"]]
    cases = table[(table.honorLLM == 1) | (table.violateLLM == 1)]
    cases = cases.merge(tiers, on="atopid", how="left").dropna(subset=["milinst"])
    return pd.DataFrame(
        {
            "honoured": (cases.honorLLM == 1).astype(int).to_numpy(),
            "multilateral": cases.multilateral.astype(int).to_numpy(),
            "post": (cases["sample"] == 0).astype(int).to_numpy(),
            "tier": cases.milinst.astype(int).to_numpy(),
            "warid": cases.warid.astype(int).to_numpy(),
        }
    )


def honour_logit(cases: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Coefficients and their war-clustered covariance of the honour logit."""
    high = (cases.tier == 2).astype(int)
    design = pd.DataFrame(
        {
            "multilateral": cases.multilateral,
            "high": high,
            "multilateral_high": cases.multilateral * high,
            "post": cases.post,
        }
    )
    design = sm.add_constant(design.astype(float), has_constant="add")
    fit = sm.Logit(cases.honoured.astype(float), design).fit(
        disp=False, cov_type="cluster", cov_kwds={"groups": cases.warid.to_numpy()}
    )
    return fit.params, fit.cov_params()


def institution_offset(params: pd.Series, cov: pd.DataFrame) -> tuple[float, float]:
    """κ = b_mh / (−b_m), the share of the multilateral penalty a high-tier pact keeps
    off (the model's ``political.honour.institutionalised``), with its delta-method SE."""
    b_m, b_mh = float(params["multilateral"]), float(params["multilateral_high"])
    kappa = b_mh / -b_m
    grad = np.array([b_mh / b_m**2, -1.0 / b_m])
    names = ["multilateral", "multilateral_high"]
    var = float(grad @ cov.loc[names, names].to_numpy() @ grad)
    return kappa, float(np.sqrt(var))


def honour_moments(data_dir: Path) -> dict[str, Moment]:
    """The honour logit's coefficients as moments (value, clustered SE, n = cases)."""
    cases = honour_cases(data_dir)
    params, cov = honour_logit(cases)
    errors = np.sqrt(np.diag(cov.to_numpy()))
    errors = pd.Series(errors, index=cov.index)
    high_multi = cases[(cases.tier == 2) & (cases.multilateral == 1)]
    cells = (
        f"{len(cases)} ally-war cases in {cases.warid.nunique()} wars; high-tier multilateral: "
        f"{int(high_multi.honoured.sum())}/{len(high_multi)} honoured "
        f"({int(high_multi[high_multi.post == 1].honoured.sum())}/"
        f"{int(high_multi.post.sum())} formed from 1945)"
    )
    out = {}
    for name, column in TERMS.items():
        out[f"honour_logit_{name}"] = Moment(
            float(params[column]),
            float(errors[column]),
            len(cases),
            "1816-2003",
            "logit coefficient",
            "logit of honoured (LLM coding) on multilateral, high institutionalisation tier "
            "(ATOP milinst = 2), their product and alliance formed from 1945; "
            "SE cluster-robust by war",
            f"{BF}; {ATOP4}",
            cells,
        )
    kappa, se = institution_offset(params, cov)
    out["honour_institution_offset"] = Moment(
        kappa,
        se,
        len(cases),
        "1816-2003",
        "share of the multilateral penalty",
        "b_mh / -b_m of the honour logit (the share of the multilateral penalty a high-tier "
        "pact keeps off); delta-method SE from the war-clustered covariance",
        f"{BF}; {ATOP4}",
        cells,
    )
    return out


def honour_table(cases: pd.DataFrame) -> pd.DataFrame:
    """Honoured / cases by era, size and tier (the cells behind the logit)."""
    size = np.where(cases.multilateral == 1, "multilateral", "bilateral")
    era = np.where(cases.post == 1, "formed from 1945", "formed before 1945")
    grouped = cases.groupby([era, size, cases.tier]).honoured
    return pd.DataFrame({"honoured": grouped.sum(), "cases": grouped.size()})

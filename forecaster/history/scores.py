"""Scoring probability forecasts against what happened (issue 19, items 4 and 6).

Each state gets a forecast probability ``p`` of an event over the horizon
(targeted in a MID, war entry) and an outcome ``y`` (1 if it happened). The
scores are the ones conflict forecasting is judged by (Brier 1950; Gneiting &
Raftery 2007; Ward, Greenhill & Bakke 2010):

- :func:`brier`: mean squared error of the probability, lower is better;
- :func:`log_score`: mean negative log-likelihood (natural log), lower is better;
- :func:`auc`: the area under the ROC curve, the chance that a random state with
  the event was given a higher probability than a random state without it
  (Mann–Whitney U over the product of the class sizes; ties count half);
- :func:`skill`: ``1 − score / reference score`` (above 0: better than the
  reference);
- :func:`reliability`: forecasts in probability bins beside the observed
  frequency, the data of a reliability (calibration) diagram;
- :func:`bootstrap_interval`: a percentile interval of any of these over states
  resampled with replacement, all forecasts of a state kept together (paired).

The references: :func:`climatology` (the base rate of the training windows) and
:func:`logistic_baseline` (a statsmodels logistic regression). Both learn only
from :func:`training_windows`, the windows that close before the origin.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

#: probabilities are clipped to [LOG_FLOOR, 1 − LOG_FLOOR] in the log score, so that one
#: forecast of exactly 0 or 1 that misses costs -log(1e-6) ≈ 13.8, not infinity
LOG_FLOOR = 1e-6


def _pair(p: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    prob = np.asarray(p, dtype=float)
    outcome = np.asarray(y, dtype=float)
    if prob.shape != outcome.shape or prob.ndim != 1 or prob.size == 0:
        raise ValueError(
            f"forecasts and outcomes must be 1-D of one length > 0 (got {prob.shape} and "
            f"{outcome.shape})"
        )
    if np.any((prob < 0) | (prob > 1)) or np.isnan(prob).any():
        raise ValueError("forecasts must be probabilities in [0, 1]")
    if not np.isin(outcome, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0 or 1")
    return prob, outcome


def brier(p: ArrayLike, y: ArrayLike) -> float:
    """Brier score: the mean of ``(p − y)²``."""
    prob, outcome = _pair(p, y)
    return float(np.mean((prob - outcome) ** 2))


def log_score(p: ArrayLike, y: ArrayLike) -> float:
    """Log score: the mean of ``−log p`` where the event happened and ``−log(1 − p)``
    where it did not, ``p`` clipped to [:data:`LOG_FLOOR`, 1 − :data:`LOG_FLOOR`]."""
    prob, outcome = _pair(p, y)
    prob = np.clip(prob, LOG_FLOOR, 1 - LOG_FLOOR)
    return float(-np.mean(outcome * np.log(prob) + (1 - outcome) * np.log1p(-prob)))


def auc(p: ArrayLike, y: ArrayLike) -> float:
    """Area under the ROC curve (NaN when only one outcome occurs)."""
    from scipy.stats import mannwhitneyu

    prob, outcome = _pair(p, y)
    events, others = prob[outcome == 1], prob[outcome == 0]
    if events.size == 0 or others.size == 0:
        return float("nan")
    u = mannwhitneyu(events, others, alternative="two-sided").statistic
    return float(u / (events.size * others.size))


def skill(score: float, reference: float) -> float:
    """Skill against a reference: ``1 − score / reference`` (Brier or log score)."""
    return 1.0 - score / reference if reference > 0 else float("nan")


def reliability(p: ArrayLike, y: ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Forecasts in ``bins`` equal-width probability bins, beside what happened.

    Returns
    -------
    pandas.DataFrame
        One row per bin with forecasts: ``low``, ``high`` (the bin's edges),
        ``n``, ``mean_forecast``, ``observed`` (the event's frequency in the bin).
    """
    prob, outcome = _pair(p, y)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1], right=True), 0, bins - 1)
    frame = pd.DataFrame({"bin": which, "p": prob, "y": outcome})
    grouped = frame.groupby("bin")
    out = pd.DataFrame(
        {"n": grouped.size(), "mean_forecast": grouped.p.mean(), "observed": grouped.y.mean()}
    )
    out.insert(0, "high", edges[out.index + 1])
    out.insert(0, "low", edges[out.index])
    return out.reset_index(drop=True)


def bootstrap_interval(
    statistic: Callable[..., float],
    *columns: ArrayLike,
    n_resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """A percentile bootstrap interval of ``statistic(*columns)`` over states.

    The rows (states) are resampled with replacement, the same rows for every
    column (``scipy.stats.bootstrap`` with ``paired=True``), so a skill score's
    interval keeps each state's forecast beside its reference and outcome.
    Resamples whose statistic is not finite (an AUC with one outcome only) are
    dropped.
    """
    from scipy.stats import DegenerateDataWarning, bootstrap

    arrays = [np.asarray(c, dtype=float) for c in columns]
    with warnings.catch_warnings():
        # every resample alike (a perfect forecast's skill is 1 in all): the interval is
        # that value, which is the answer, not a problem
        warnings.simplefilter("ignore", DegenerateDataWarning)
        result = bootstrap(
            tuple(arrays),
            lambda *sample: statistic(*sample),
            paired=True,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=level,
            method="percentile",
            **_generator(bootstrap, seed),
        )
    low, high = result.confidence_interval
    if not (np.isfinite(low) and np.isfinite(high)):
        values = result.bootstrap_distribution
        values = values[np.isfinite(values)]
        tail = (1 - level) / 2
        low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def _generator(function: Callable[..., Any], seed: int) -> dict[str, Any]:
    """The seeded generator as ``function`` takes it: ``rng`` from SciPy 1.15,
    ``random_state`` before (the floor, 1.11, has only that)."""
    name = "rng" if "rng" in inspect.signature(function).parameters else "random_state"
    return {name: np.random.default_rng(seed)}


def training_windows(table: pd.DataFrame, origin: int, horizon: int) -> pd.DataFrame:
    """The rows of ``table`` (one per state and window start ``year``) whose outcome
    window ``year ... year + horizon − 1`` closes before ``origin``: nothing of the
    origin year or after is in them."""
    return table[table.year + horizon - 1 < origin]


def climatology(outcomes: ArrayLike) -> float:
    """The base rate of the training outcomes: every state's forecast."""
    values = np.asarray(outcomes, dtype=float)
    if values.size == 0:
        raise ValueError("climatology needs at least one training outcome")
    return float(values.mean())


def logistic_baseline(
    train: pd.DataFrame, test: pd.DataFrame, features: list[str], outcome: str
) -> NDArray[np.float64]:
    """A logistic regression of ``outcome`` on ``features`` (and a constant) fitted by
    maximum likelihood on ``train`` (statsmodels ``Logit``), its probabilities for
    the rows of ``test``."""
    try:
        import statsmodels.api as sm
    except ImportError as err:  # an optional dependency
        raise ImportError(
            "logistic_baseline needs statsmodels: pip install 'forecaster[hindcast]'"
        ) from err
    x_train = sm.add_constant(train[features].to_numpy(dtype=float), has_constant="add")
    x_test = sm.add_constant(test[features].to_numpy(dtype=float), has_constant="add")
    fit = sm.Logit(train[outcome].to_numpy(dtype=float), x_train).fit(disp=0)
    return np.asarray(fit.predict(x_test), dtype=float)


def score_table(
    forecasts: Mapping[str, ArrayLike],
    y: ArrayLike,
    reference: str = "climatology",
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Brier and log scores, AUC and Brier skill against ``reference`` for each
    forecast, each with a 95% bootstrap interval over states.

    Parameters
    ----------
    forecasts
        name → probabilities, one per state (``reference`` among them).
    y
        The outcomes, one per state.

    Returns
    -------
    pandas.DataFrame
        One row per forecast: ``brier``, ``brier_low``, ``brier_high``, ``log``,
        ``log_low``, ``log_high``, ``auc``, ``auc_low``, ``auc_high``,
        ``brier_skill``, ``brier_skill_low``, ``brier_skill_high``.
    """
    if reference not in forecasts:
        raise ValueError(f"reference = {reference!r}: not one of {', '.join(forecasts)}")
    outcome = np.asarray(y, dtype=float)
    ref = np.asarray(forecasts[reference], dtype=float)
    rows = {}
    for name, p in forecasts.items():
        prob = np.asarray(p, dtype=float)
        row: dict[str, float] = {}
        for key, fn in (("brier", brier), ("log", log_score), ("auc", auc)):
            row[key] = fn(prob, outcome)
            row[f"{key}_low"], row[f"{key}_high"] = bootstrap_interval(
                fn, prob, outcome, n_resamples=n_resamples, seed=seed
            )

        def brier_skill(q: NDArray, r: NDArray, o: NDArray) -> float:
            return skill(brier(q, o), brier(r, o))

        row["brier_skill"] = brier_skill(prob, ref, outcome)
        row["brier_skill_low"], row["brier_skill_high"] = bootstrap_interval(
            brier_skill, prob, ref, outcome, n_resamples=n_resamples, seed=seed
        )
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")

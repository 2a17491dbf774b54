"""The hindcast's statistical baseline: state windows, their features and outcomes.

A *window* is a state and a start year ``t``: the outcome is whether the state
was the original target of a new MID (:func:`data.new_mid_targets`) or entered
an interstate war (:func:`data.war_entries`) in ``t ... t + horizon − 1``; the
features are what was known before ``t``:

- ``log_cinc``: log of the state's CINC in ``t − 1`` (COW NMC; the smallest
  positive CINC of that year where it is 0 or missing);
- ``allied``: 1 if some state had a defence obligation to it in ``t − 1`` (ATOP
  5.1 pair-years, :func:`data.defence_pact_years`);
- ``past_targeted``: log(1 + years in which it was targeted in ``t − 10 ... t − 1``).

The test windows of an origin are its members (in the system in the origin year,
COW State System Membership) with ``t`` the origin; the training windows are every
member-year ``t`` from :data:`FIRST_TRAINING` whose window closes before the origin
(:func:`forecaster.history.scores.training_windows`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.history import data, scores

#: The outcomes a window can be scored on, and the last year their data cover
#: (COW MID 5.0 to 2014, COW Inter-State War 4.0 to 2007).
LAST_YEAR = {"targeted": 2014, "war_entry": 2007}
FEATURES = ["log_cinc", "allied", "past_targeted"]
#: The first window start of the training windows (the post-1945 system).
FIRST_TRAINING = 1946
#: Years of MID targeting before a window that ``past_targeted`` counts.
PAST_YEARS = 10


def windows(data_dir: Path, starts: range, outcome: str, horizon: int = 10) -> pd.DataFrame:
    """One row per system member and start year in ``starts``: ``ccode, year``, the
    :data:`FEATURES` and ``y`` (the outcome in the window).

    Raises
    ------
    ValueError
        An unknown ``outcome``, or a window that runs past the outcome's data.
    """
    if outcome not in LAST_YEAR:
        raise ValueError(f"outcome = {outcome!r}: must be one of {', '.join(LAST_YEAR)}")
    if starts.stop - 1 + horizon - 1 > LAST_YEAR[outcome]:
        raise ValueError(
            f"a window from {starts.stop - 1} of {horizon} years runs past the {outcome} "
            f"data's last year, {LAST_YEAR[outcome]}"
        )
    panel = data.state_years(data_dir, starts.start, starts.stop - 1)
    events = data.new_mid_targets(data_dir) if outcome == "targeted" else data.war_entries(data_dir)
    targeted = data.new_mid_targets(data_dir)
    nmc = data.read(data_dir, "nmc").astype({"ccode": int, "year": int})
    floor = nmc[nmc.cinc > 0].groupby("year").cinc.min()
    allied = data.defence_pact_years(data_dir).assign(allied=1)

    event_years = events.groupby("ccode").year.apply(np.asarray).to_dict()
    targeted_years = targeted.groupby("ccode").year.apply(np.asarray).to_dict()
    none = np.zeros(0, dtype=int)

    def count(years: np.ndarray, first: int, last: int) -> int:
        return int(((years >= first) & (years <= last)).sum())

    y = [
        int(count(event_years.get(c, none), t, t + horizon - 1) > 0)
        for c, t in zip(panel.ccode, panel.year, strict=True)
    ]
    past = [
        np.log1p(count(targeted_years.get(c, none), t - PAST_YEARS, t - 1))
        for c, t in zip(panel.ccode, panel.year, strict=True)
    ]
    before = panel.assign(year=panel.year - 1)
    cinc = before.merge(nmc[["ccode", "year", "cinc"]], on=["ccode", "year"], how="left").cinc
    cinc = cinc.where(cinc > 0, before.year.map(floor).to_numpy())
    pact = before.merge(allied, on=["ccode", "year"], how="left").allied.fillna(0)
    return panel.assign(
        log_cinc=np.log(cinc.to_numpy(dtype=float)),
        allied=pact.to_numpy(dtype=float),
        past_targeted=np.asarray(past, dtype=float),
        y=np.asarray(y, dtype=int),
    )


def origin_forecasts(data_dir: Path, origin: int, outcome: str, horizon: int = 10) -> pd.DataFrame:
    """The test windows of ``origin`` with the two references' forecasts:
    ``climatology`` (the training windows' base rate) and ``logistic`` (a logistic
    regression on :data:`FEATURES` fitted to the training windows), beside ``y``."""
    train = windows(data_dir, range(FIRST_TRAINING, origin - horizon + 1), outcome, horizon)
    train = scores.training_windows(train, origin, horizon).dropna(subset=FEATURES)
    test = windows(data_dir, range(origin, origin + 1), outcome, horizon)
    test = test.dropna(subset=FEATURES).reset_index(drop=True)
    return test.assign(
        climatology=scores.climatology(train.y),
        logistic=scores.logistic_baseline(train, test, FEATURES, "y"),
    )


#: The hindcast's origins per outcome (war entry: the last whose window the data cover).
ORIGINS = {"targeted": (1980, 1990, 2000), "war_entry": (1980, 1990, 1998)}


def reference_table(data_dir: Path, n_resamples: int = 2000) -> pd.DataFrame:
    """Climatology's and the logistic baseline's scores per origin and pooled over the
    :data:`ORIGINS` of each outcome (:func:`forecaster.history.scores.score_table`)."""
    rows = []
    for outcome, origins in ORIGINS.items():
        frames = [origin_forecasts(data_dir, origin, outcome) for origin in origins]
        parts = [(str(o), f) for o, f in zip(origins, frames, strict=True)]
        for label, frame in [*parts, ("pooled", pd.concat(frames, ignore_index=True))]:
            table = scores.score_table(
                {"climatology": frame.climatology, "logistic": frame.logistic},
                frame.y,
                n_resamples=n_resamples,
            )
            for forecast, row in table.iterrows():
                rows.append(
                    {"outcome": outcome, "origin": label, "forecast": forecast,
                     "states": len(frame), "events": int(frame.y.sum()), **row}
                )  # fmt: skip
    return pd.DataFrame(rows)


def main() -> int:
    """``python -m forecaster.history.baseline``: print :func:`reference_table`."""
    table = reference_table(data.resolve_data_dir())
    columns = ["outcome", "origin", "forecast", "states", "events", "brier", "brier_skill",
               "brier_skill_low", "brier_skill_high", "log", "auc"]  # fmt: skip
    print(table[columns].round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

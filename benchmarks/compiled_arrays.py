"""Every array the compiler produces, saved or compared: a refactor of the compiler keeps them.

    python benchmarks/compiled_arrays.py save DIR       # before a change to forecaster/scenario
    python benchmarks/compiled_arrays.py compare DIR    # after: every array bit-identical?

Compiles every shipped portfolio x threat x fiscal x political option (under both
calibration options), the user folder's portfolio, the cases of
``forecaster.testing.CASES``, an in-run grid and a ``points=`` design, and writes
each ``Scenario``'s arrays (and its names and scalars) to one ``.npz`` per case.
``compare`` exits 1 naming every array whose values or dtype differ.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

import forecaster
from forecaster.config import available, to_spec
from forecaster.scenario import Scenario, compile_scenario
from forecaster.testing import CASES, spec_of

ROOT = Path(__file__).resolve().parents[1]
ARRAYS = ("flags", "state_attr", "region", "is_adversary", "alliance_attr", "member", "leader",
          "interest", "target_weight", "dist_code", "dist_param")  # fmt: skip


def cases() -> Iterator[tuple[str, Callable[[], Scenario]]]:
    groups = ("portfolio", "threat", "fiscal", "political", "calibration")
    for combo in itertools.product(*(available(g) for g in groups)):
        overrides = [f"{g}={o}" for g, o in zip(groups, combo, strict=True)]
        yield "-".join(combo), lambda o=overrides: compile_scenario(spec_of(*o))
    mine = ROOT / "examples" / "my_scenarios"
    for extra in (["portfolio=nordic_baltic"], ["+experiment=nordic_pressure"]):
        cfg = forecaster.compose(extra, config_dir=mine)
        yield f"mine-{extra[0]}", lambda c=cfg: compile_scenario(to_spec(c))
    for name, case in CASES.items():
        yield f"case-{name}", lambda c=case: compile_scenario(c())
    grid = {
        "portfolio.alliances.nato.explicitness": [0.1, 0.5, 0.9],
        "threat.resolve.median": [0.1, 0.4],
        "portfolio.states.USA.gdp": [20000.0, 30000.0],
        "portfolio.interest.same_region": [0.5, 0.9],
        "fiscal.compliance": [0.2, 0.7],
        "political.honour.intercept": [-1.0, 0.5],
    }
    yield "grid-nato", lambda: compile_scenario(spec_of(), grid=grid)
    yield (
        "grid-snyder",
        lambda: compile_scenario(
            spec_of("sweep=snyder"),
            grid=forecaster.config.grid_of(forecaster.compose(["sweep=snyder"])),
        ),
    )
    rng = np.random.default_rng(1)
    points = [
        {"threat.scale": float(a), "political.turnover": float(b),
         "portfolio.alliances.nato.spending_target": float(c)}
        for a, b, c in rng.uniform(0, 1, (64, 3))
    ]  # fmt: skip
    yield "points-nato", lambda: compile_scenario(spec_of(), points=points)


def arrays(scenario: Scenario) -> dict[str, np.ndarray]:
    out = {name: getattr(scenario, name) for name in ARRAYS}
    out["names"] = np.array(
        [scenario.name, "|".join(scenario.state_names), "|".join(scenario.alliance_names),
         "|".join(scenario.region_names), "|".join(scenario.grid_keys)]
    )  # fmt: skip
    out["scalars"] = np.array([scenario.n_steps, scenario.n_burn_in, scenario.dt, scenario.points])
    out["grid_values"] = np.array([v for values in scenario.grid_values for v in values])
    return out


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    bad, n = [], 0
    for name, compile_case in cases():
        current = arrays(compile_case())
        n += 1
        path = folder / f"{name}.npz"
        if mode == "save":
            np.savez(path, **current)
            continue
        saved = np.load(path)
        for key, value in current.items():
            old = saved[key]
            if old.dtype != value.dtype or not np.array_equal(old, value):
                bad.append(f"{name}: {key} differs ({old.dtype} vs {value.dtype})")
        if set(saved.files) != set(current):
            bad.append(f"{name}: arrays {sorted(saved.files)} vs {sorted(current)}")
    print(f"{mode}: {n} scenarios" + (f"; {len(bad)} differences" if mode == "compare" else ""))
    print("\n".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

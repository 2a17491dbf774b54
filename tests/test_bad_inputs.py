"""The bad-input corpus: every refusal of every command, in one table (issue 20).

Each :class:`Case` is a command, its arguments (and the files of a config
folder of the user's, when the mistake is in one), the exit status, a
fragment the message must contain, and what may be left behind. Every case
runs in this process (the command's ``main`` with its argv, stderr captured,
nothing simulated: the executor, the cluster and the calibrator raise if
reached); the signals, which need a real process, are at the end.

A finding becomes a row here: this table is the one place the list grows.
Refusals of the Python API (not of a command) are in tests/test_schema.py and
tests/test_calibration.py.

Placeholders in arguments: ``{tmp}`` the case's folder (also the working
directory), ``{out}`` the output folder the command is given, ``{mine}`` the
user's config folder (``files``), ``{file}`` an existing plain file, ``{run}``
a results folder of ``portfolio=regional``, ``{grid}`` one of a two-point
sweep over ``threat.scale``, ``{seed7}`` a run of another seed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import forecaster
from forecaster.cli import calibrate as calibrate_cli
from forecaster.cli import compare as compare_cli
from forecaster.cli import discover as discover_cli
from forecaster.cli import main as forecast_cli
from forecaster.cli import report as report_cli
from forecaster.cli import robust as robust_cli
from forecaster.cli import sensitivity as sensitivity_cli
from forecaster.cli import world as world_cli
from forecaster.execution import CHECKPOINT_NAME
from forecaster.execution.lock import LOCK_NAME

ROOT = Path(__file__).resolve().parents[1]
REGIONAL = (ROOT / "conf" / "portfolio" / "regional.yaml").read_text()
TINY = ["portfolio=regional", "run.trajectories=40", "cluster=in_process"]
#: what Hydra writes into a single run's folder before our checks run inside its task
HYDRA = frozenset({".hydra", "forecast.log"})
MULTIRUN = frozenset({"multirun.yaml"})
NOTHING: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    command: str
    args: tuple[str, ...]
    fragment: str
    status: int = 2
    #: what is in ``{out}`` afterwards (the working directory and the results stay untouched)
    left: frozenset[str] = NOTHING
    #: the user's config folder: relative path -> text
    files: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def id(self) -> str:
        text = f"{self.command} {' '.join(self.args)}"[:100]
        if self.files:
            digest = hashlib.sha1(repr(sorted(self.files.items())).encode()).hexdigest()[:6]
            text += f" [{' '.join(self.files)} {digest}]"
        return text


def forecast(*args: str, fragment: str, left: frozenset[str] = HYDRA, **kw) -> Case:
    return Case("forecast", args, fragment, left=left, **kw)


def mine(*replacements: tuple[str, str], name: str = "mine") -> dict[str, str]:
    """A user folder holding ``portfolio/<name>.yaml``: regional's text, with replacements."""
    text = REGIONAL.replace("name: regional", f"name: {name}")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return {f"portfolio/{name}.yaml": text}


def folder_case(files: dict[str, str], fragment: str, *args: str, left=NOTHING) -> Case:
    return forecast(
        "--config-dir",
        "{mine}",
        *(args or ("portfolio=mine",)),
        fragment=fragment,
        left=left,
        files=files,
    )


# ---------------------------------------------------------------- forecast: overrides
OVERRIDES = [
    # unknown keys and options (composition: nothing written)
    forecast("threat.sclae=2", fragment="threat.sclae: unknown key", left=NOTHING),
    forecast(
        "portfolio=natoo",
        fragment="portfolio = 'natoo': no such option (available: "
        "historical_world, indo_pacific, nato",
        left=NOTHING,
    ),
    forecast("portfolio=natto", fragment="did you mean 'nato'?", left=NOTHING),
    forecast("threat=extreme", fragment="threat = 'extreme': no such option", left=NOTHING),
    forecast("fiscal=lavish", fragment="fiscal = 'lavish': no such option", left=NOTHING),
    forecast("political=calm", fragment="political = 'calm': no such option", left=NOTHING),
    forecast("cluster=cloud", fragment="cluster = 'cloud': no such option", left=NOTHING),
    forecast("sweep=huge", fragment="sweep = 'huge': no such option", left=NOTHING),
    forecast("calibration=fitted", fragment="calibration = 'fitted': no such option", left=NOTHING),
    forecast("+experiment=nope", fragment="experiment = 'nope': no such option", left=NOTHING),
    forecast("mechanisms.teleport=true", fragment="mechanisms.teleport: unknown key", left=NOTHING),
    forecast("run.trajectory=5", fragment="run.trajectory: unknown key", left=NOTHING),
    forecast("output.format=[zarr]", fragment="output.format: unknown key", left=NOTHING),
    forecast("cluster.workers=2", fragment="cluster.workers: unknown key", left=NOTHING),
    # added keys that nothing reads (item 4: accepted and ignored before)
    forecast("+run.unknown_key=1", fragment="run.unknown_key = 1: unknown key (allowed: "),
    forecast("+output.compress=true", fragment="output.compress = True: unknown key"),
    forecast("+cluster.gpus=1", fragment="cluster.gpus = 1: unknown key"),
    forecast(
        "+portfolio.states.POL.colour=red",
        fragment="portfolio.states.POL.colour = 'red': unknown key",
    ),
    forecast(
        "+threat.resolve.mode=1",
        fragment="threat.resolve.mode = 1: is not a parameter of lognormal",
    ),
    # run
    forecast("run.trajectories=abc", fragment="run.trajectories = 'abc'", left=NOTHING),
    forecast("run.trajectories=0", fragment="run.trajectories = 0: must be >= 1"),
    forecast("run.trajectories=-5", fragment="run.trajectories = -5: must be >= 1"),
    forecast("run.trajectories=1.5", fragment="run.trajectories = '1.5'", left=NOTHING),
    forecast("run.block_size=0", fragment="run.block_size = 0: must be >= 1"),
    forecast("run.seed=-1", fragment="run.seed = -1: must be an integer in [0, 2**64)"),
    forecast("run.seed=18446744073709551616", fragment="run.seed = 18446744073709551616"),
    forecast("run.seed=abc", fragment="run.seed = 'abc'", left=NOTHING),
    forecast("run.target_se=0", fragment="run.target_se = 0.0: must be in (0, 0.5) or null"),
    forecast("run.target_se=0.5", fragment="run.target_se = 0.5: must be in (0, 0.5) or null"),
    forecast("run.max_trajectories=0", fragment="run.max_trajectories = 0: must be >= 1"),
    forecast(
        "run.trajectories=100",
        "run.max_trajectories=10",
        fragment="run.max_trajectories = 10: must be >= run.trajectories = 100",
    ),
    forecast("run.dt_years=0", fragment="run.dt_years = 0.0: must be a positive number of years"),
    forecast("run.dt_years=-0.25", fragment="run.dt_years = -0.25: must be a positive number"),
    forecast(
        "run.horizon_years=-1",
        fragment="run.horizon_years = -1.0: must be a positive number of years",
    ),
    forecast("run.horizon_years=10.1", fragment="must be a whole number of steps of dt_years"),
    forecast("run.horizon_years=abc", fragment="run.horizon_years = 'abc'", left=NOTHING),
    forecast("run.burn_in_years=-1", fragment="run.burn_in_years = -1.0"),
    forecast(
        "run.resume={tmp}/nowhere", fragment="run.resume = '{tmp}/nowhere': no such directory"
    ),
    # output
    forecast(
        "output.formats=[csv]", fragment="output.formats = 'csv': allowed formats are zarr, netcdf"
    ),
    forecast("output.formats=[zarr,parquet]", fragment="output.formats = 'parquet'"),
    forecast("output.formats=[]", fragment="output.formats = []: nothing would be written"),
    forecast("output.summary=maybe", fragment="output.summary = 'maybe'", left=NOTHING),
    # mechanisms
    *[
        forecast(f"mechanisms.{m}=maybe", fragment=f"mechanisms.{m} = 'maybe'", left=NOTHING)
        for m in (
            "economy",
            "fiscal",
            "politics",
            "elections",
            "misperception",
            "provocation",
            "reputation",
            "exit",
            "war_costs",
            "collective_action",
            "fait_accompli",
            "stalemate",
            "fiscal_anchor",
            "arms_buildup",
        )
    ],
    # cluster
    forecast(
        "cluster.kind=cloud",
        fragment="cluster.kind = 'cloud': must be one of local, address, slurm, pbs, in_process",
    ),
    forecast("cluster=address", fragment="cluster.address = None: must be a scheduler address"),
    forecast(
        "cluster=address",
        "cluster.address=localhost:8786",
        fragment="cluster.address = 'localhost:8786'",
    ),
    forecast(
        "cluster=address",
        "cluster.address=tcp://127.0.0.1:1",
        "cluster.timeout=0",
        fragment="cluster.timeout = 0.0: must be a number of seconds > 0",
    ),
    forecast("cluster.memory_limit=abc", fragment="cluster.memory_limit = 'abc': must be auto"),
    forecast("cluster.memory_limit=-4GB", fragment="cluster.memory_limit = '-4GB'"),
    forecast("cluster.n_workers=0", fragment="cluster.n_workers = 0: must be a positive integer"),
    forecast("cluster.processes=maybe", fragment="cluster.processes = 'maybe'", left=NOTHING),
    forecast(
        "cluster.dashboard_address=8787",
        fragment="cluster.dashboard_address = '8787': must be host:port",
    ),
    forecast(
        "cluster=slurm", "cluster.memory=null", fragment="cluster.memory = None: required for slurm"
    ),
    forecast(
        "cluster=pbs",
        "cluster.memory=4GB",
        "cluster.walltime=01:00:00",
        "cluster.cores=0",
        fragment="cluster.cores = 0: must be a positive integer",
    ),
    forecast(
        "cluster=slurm",
        "cluster.memory=4GB",
        "cluster.walltime=01:00:00",
        "cluster.n_jobs=0",
        fragment="cluster.n_jobs = 0: a positive number of jobs",
    ),
    # threat, fiscal, political
    forecast("threat.war_cost=-1", fragment="threat.war_cost = -1.0: draws must be >= 0"),
    forecast("threat.scale=-1", fragment="threat.scale = -1.0"),
    forecast("threat.scale=abc", fragment="threat.scale = 'abc'"),
    forecast(
        "political.turnover=1.5", fragment="political.turnover = 1.5: draws must be in [0, 1]"
    ),
    forecast(
        "political.turnover={dist:normal,mean:0.4,sd:0.1}", fragment="choose a family bounded"
    ),
    forecast(
        "threat.resolve.dist=weibull",
        fragment="threat.resolve.dist = 'weibull': must be one of fixed",
    ),
    forecast("~threat.resolve.sigma", fragment="threat.resolve.sigma = None: missing"),
    forecast("threat.resolve.sigma=-1", fragment="threat.resolve.sigma = -1: must be > 0"),
    forecast("~threat.war_cost", fragment="threat.war_cost"),
    forecast("political.mean_reversion=-0.5", fragment="political.mean_reversion = -0.5"),
    # portfolio
    forecast(
        "portfolio.states.USA.gdp=-5",
        fragment="portfolio.states.USA.gdp = -5: must be a positive number",
    ),
    forecast("portfolio.states.USA.gdp=abc", fragment="portfolio.states.USA.gdp = 'abc'"),
    forecast(
        "portfolio.states.EST.defense_share=2.5", fragment="defense_share = 2.5: must be in (0, 1]"
    ),
    forecast("portfolio.states.EST.reach=-1", fragment="portfolio.states.EST.reach = -1"),
    forecast("portfolio.states.EST.election_period=0.1", fragment="must be 0 or at least one step"),
    forecast(
        "portfolio.alliances.nato.leader=RUS", fragment="portfolio.alliances.nato.leader = 'RUS'"
    ),
    forecast(
        "portfolio.alliances.nato.leader=ATLANTIS",
        fragment="portfolio.alliances.nato.leader = 'ATLANTIS'",
    ),
    forecast(
        "portfolio.alliances.nato.members=[USA]", fragment="an alliance needs at least two members"
    ),
    forecast(
        "portfolio.alliances.nato.members=[USA,CAN,ATLANTIS]",
        fragment="members = 'ATLANTIS': is not a state of the portfolio",
    ),
    forecast("portfolio.alliances.nato.members=[USA,CAN,CAN]", fragment="= 'CAN': is listed twice"),
    forecast("portfolio.alliances.nato.members=[USA,RUS]", fragment="'RUS': is an adversary"),
    forecast(
        "portfolio.alliances.nato.obligation=alliance",
        fragment="must be 'defense' or 'consultation'",
    ),
    forecast(
        "portfolio.alliances.nato.explicitness=1.2",
        fragment="explicitness = 1.2: must be in [0, 1]",
    ),
    forecast(
        "portfolio.alliances.nato.escalation_control=-0.1",
        fragment="portfolio.alliances.nato.escalation_control = -0.1",
    ),
    forecast(
        "portfolio.alliances.nato.decision=vote",
        fragment="portfolio.alliances.nato.decision = 'vote'",
    ),
    forecast(
        "portfolio.alliances.nato.spending_target=-0.02",
        fragment="portfolio.alliances.nato.spending_target = -0.02",
    ),
    forecast("~portfolio.states.RUS.targets", fragment="an adversary needs targets"),
    forecast(
        "+portfolio.states.RUS.targets.NARNIA=1",
        fragment="targets.NARNIA = 1: 'NARNIA' is not a state",
    ),
    forecast(
        "+portfolio.states.EST.targets={LVA:1}",
        fragment="only an adversary (adversary: true) has targets",
    ),
    forecast(
        "portfolio.interest.same_region=2",
        fragment="portfolio.interest.same_region = 2: must be in [0, 1]",
    ),
    # sweeps
    forecast("sweep=snyder", "+sweep.grid.threat.bogus=[1]", fragment="sweep.threat.bogus"),
    forecast(
        "+sweep.grid.threat.resolve=[1,2]",
        fragment="is a lognormal distribution; sweep one of its parameters",
    ),
    forecast("+sweep.grid.threat.scale=[1,-1]", fragment="threat.scale"),
    # several at once
    forecast(
        "run.trajectories=0",
        "threat.war_cost=-1",
        "portfolio.states.USA.gdp=0",
        fragment="3 problems",
    ),
    # where Hydra would write (item 4): refused before Hydra writes anything
    forecast("hydra.run.dir=", fragment="hydra.run.dir = '': must name a directory", left=NOTHING),
    forecast("hydra.run.dir={file}", fragment="is a file; give a directory", left=NOTHING),
    forecast(
        "-m", "threat.scale=1,2", "hydra.sweep.dir=", fragment="hydra.sweep.dir = ''", left=NOTHING
    ),
    forecast(
        "-m",
        "threat.scale=1,2",
        "hydra.sweep.dir={file}",
        fragment="hydra.sweep.dir = '{file}': is a file",
        left=NOTHING,
    ),
    # option names are names, not paths (item 4)
    forecast(
        "portfolio=../x", fragment="portfolio = '../x': an option's name, not a path", left=NOTHING
    ),
    forecast(
        "+experiment=../../etc/passwd", fragment="experiment = '../../etc/passwd'", left=NOTHING
    ),
    forecast("threat=sub/../../high", fragment="'..' is not allowed", left=NOTHING),
    # a multirun checks every job before any starts
    forecast(
        "-m",
        "threat.scale=0.5,-1",
        fragment="job threat.scale=-1: threat.scale = -1.0",
        left=MULTIRUN,
    ),
    forecast("-m", "run.trajectories=10,0", fragment="run.trajectories = 0", left=MULTIRUN),
    forecast(
        "-m", "+run.unknown_key=1,2", fragment="run.unknown_key = 1: unknown key", left=MULTIRUN
    ),
    forecast(
        "-m", "output.formats=[]", "threat.scale=1,2", fragment="output.formats = []", left=MULTIRUN
    ),
    forecast(
        "-m",
        "cluster.memory_limit=abc",
        "threat.scale=1,2",
        fragment="cluster.memory_limit = 'abc'",
        left=MULTIRUN,
    ),
]

# ---------------------------------------------------------------- forecast: a user's folder
BAD_YAML = "name: mine\nstates: {A: [1,\n"
FOLDER = [
    # files that do not parse (item 4: a traceback before)
    folder_case({"portfolio/mine.yaml": BAD_YAML}, "mine.yaml, line 3: not valid YAML"),
    folder_case(
        {"portfolio/mine.yaml": "name: mine\nname: other\n"},
        "mine.yaml, line 2: not valid YAML (while constructing a mapping, found "
        "duplicate key name)",
    ),
    folder_case(
        mine(("  same_region: 0.8", "  same_region: 0.8\n  same_region: 0.7")),
        "found duplicate key same_region",
    ),
    folder_case({"portfolio/mine.yaml": "name: mine\n\tstates: {}\n"}, "not valid YAML"),
    folder_case({"portfolio/mine.yaml": "name: 'mine\n"}, "not valid YAML"),
    folder_case({"portfolio/mine.yaml": "name: mine\n  states: x\n"}, "not valid YAML"),
    folder_case(
        {"portfolio/mine.yaml": "name: !!python/object/apply:os.system [echo hi]\n"},
        "not valid YAML",
    ),
    folder_case(
        {"threat/mine.yaml": "scale: [1\n"},
        "threat/mine.yaml, line 2: not valid YAML",
        "threat=mine",
    ),
    folder_case(
        {"experiment/mine.yaml": "# @package _global_\nrun: {trajectories: 5\n"},
        "experiment/mine.yaml, line 3: not valid YAML",
        "+experiment=mine",
    ),
    # defaults lists that include themselves (RecursionError before)
    folder_case(
        {"portfolio/mine.yaml": "defaults:\n  - mine\nname: mine\n"},
        "include one another without end",
    ),
    folder_case(
        {
            "portfolio/mine.yaml": "defaults:\n  - other\n",
            "portfolio/other.yaml": "defaults:\n  - mine\n",
        },
        "include one another without end",
    ),
    folder_case(
        {"experiment/loop.yaml": "# @package _global_\ndefaults:\n  - /experiment/loop\n"},
        "include one another without end",
        "+experiment=loop",
    ),
    # defaults naming what is not there
    folder_case({"portfolio/mine.yaml": "defaults:\n  - nowhere\nname: mine\n"}, "nowhere"),
    # values and shapes
    folder_case(mine(("gdp: 150", "gdp: -150")), "portfolio.states.PROTEGE.gdp = -150", left=HYDRA),
    folder_case(
        mine(("reach: 0.0", "reach: far")), "portfolio.states.PROTEGE.reach = 'far'", left=HYDRA
    ),
    folder_case(
        mine(("decision: unilateral", "decision: whim")),
        "portfolio.alliances.pact.decision = 'whim'",
        left=HYDRA,
    ),
    folder_case(
        mine(("leader: PATRON", "leader: NOBODY")),
        "portfolio.alliances.pact.leader = 'NOBODY'",
        left=HYDRA,
    ),
    folder_case(
        mine(("members: [PATRON, PROTEGE, ALLY_A, ALLY_B]", "members: [PATRON, GHOST]")),
        "'GHOST': is not a state of the portfolio",
        left=HYDRA,
    ),
    folder_case(
        mine(("targets: {PROTEGE: 1.0, ALLY_A: 0.3, ALLY_B: 0.3}", "targets: {}")),
        "an adversary needs targets",
        left=HYDRA,
    ),
    folder_case(
        mine(("interest:", "colour: red\ninterest:")),
        "portfolio.colour = 'red': unknown key",
        left=HYDRA,
    ),
    folder_case(
        mine(("  same_region: 0.8", "  same_region: 1.8")),
        "portfolio.interest.same_region = 1.8",
        left=HYDRA,
    ),
    folder_case({"portfolio/mine.yaml": "- a list\n- not a mapping\n"}, "portfolio", left=HYDRA),
    folder_case(
        {"portfolio/mine.yaml": "name: mine\nstates: {}\nalliances: {}\n"},
        "portfolio.states",
        left=HYDRA,
    ),
    folder_case(
        {"portfolio/mine.yaml": "name: mine\n_target_: os.system\n"}, "_target_", left=HYDRA
    ),
    folder_case(
        {"threat/mine.yaml": "scale: -2\n"}, "threat.scale = -2", "threat=mine", left=HYDRA
    ),
    folder_case({"threat/mine.yaml": "sclae: 2\n"}, "threat.sclae", "threat=mine", left=HYDRA),
    folder_case(
        {"experiment/mine.yaml": "# @package _global_\nrun:\n  trajectories: 0\n"},
        "run.trajectories = 0: must be >= 1",
        "+experiment=mine",
        left=HYDRA,
    ),
    folder_case(
        {"experiment/mine.yaml": "# @package _global_\nrun:\n  ntrajectories: 5\n"},
        "run.ntrajectories",
        "+experiment=mine",
    ),
    folder_case(
        {"experiment/mine.yaml": "# @package _global_\ndefaults:\n  - override /portfolio: mars\n"},
        "portfolio = 'mars': no such option",
        "+experiment=mine",
    ),
    # the folder itself
    forecast(
        "--config-dir",
        "{tmp}/no_such_folder",
        "portfolio=mine",
        fragment="Additional config directory '{tmp}/no_such_folder' not found",
        left=NOTHING,
    ),
    forecast(
        "--config-dir",
        "{file}",
        "portfolio=mine",
        fragment="Additional config directory '{file}' not found",
        left=NOTHING,
    ),
    folder_case(mine(), "no such option", "portfolio=mines"),
    folder_case(mine(), "portfolio = '../mine'", "portfolio=../mine"),
]

# ---------------------------------------------------------------- forecast-report
REPORT = [
    Case("forecast-report", ("{tmp}/no_such_run",), "forecast-report: "),
    Case("forecast-report", ("{tmp}",), "forecast-report: "),
    Case("forecast-report", ("{file}",), "forecast-report: "),
    Case(
        "forecast-report",
        ("{run}", "--out", "{file}"),
        "--out '{file}': is a file; give a directory",
    ),
    Case("forecast-report", (), "the following arguments are required: run"),
    Case("forecast-report", ("{run}", "--colour", "red"), "unrecognized arguments: --colour"),
]

# ---------------------------------------------------------------- forecast-compare
COMPARE = [
    Case("forecast-compare", ("{tmp}/no_such_run",), "forecast-compare: "),
    Case("forecast-compare", ("{run}", "{tmp}/no_such_run"), "forecast-compare: "),
    Case("forecast-compare", ("{file}",), "forecast-compare: "),
    Case(
        "forecast-compare",
        ("{run}", "{run}", "--csv", "{tmp}"),
        "--csv '{tmp}': is a directory; give a file name",
    ),
    Case(
        "forecast-compare",
        ("{run}", "{run}", "--states", "XXX"),
        "states = XXX: XXX not a state of these results (adversaries have no outcomes; states: "
        "PATRON, PROTEGE, ALLY_A, ALLY_B",
    ),
    Case(
        "forecast-compare",
        ("{run}", "{run}", "--states", "PATRON", "patron"),
        "states = PATRON patron: patron not a state",
    ),
    Case("forecast-compare", ("{run}", "{seed7}"), "forecast-compare: "),
    Case(
        "forecast-compare",
        ("{grid}", "--a", "threat.scale"),
        "--a 'threat.scale': write it as config.key=value",
    ),
    Case(
        "forecast-compare",
        ("{grid}", "--a", "threat.scale=3", "--b", "threat.scale=1"),
        "forecast-compare: ",
    ),
    Case(
        "forecast-compare",
        ("{grid}", "--a", "threat.sclae=1", "--b", "threat.scale=2"),
        "threat.sclae",
    ),
    Case(
        "forecast-compare",
        ("{grid}", "--a", "threat.scale=1", "--b", "threat.scale=["),
        "forecast-compare: ",
    ),
    Case("forecast-compare", (), "the following arguments are required: a"),
    Case("forecast-compare", ("{run}", "--csv"), "expected one argument"),
]

# ---------------------------------------------------------------- forecast-sensitivity
SENSITIVITY = (
    "--param",
    "threat.scale=0.5:2",
    "--n-base",
    "4",
    "portfolio=regional",
    "run.trajectories=50",
    "cluster=in_process",
)


def sensitivity(*args: str, fragment: str, base: tuple[str, ...] = SENSITIVITY) -> Case:
    return Case("forecast-sensitivity", (*args, *base), fragment)


SENSITIVITY_CASES = [
    sensitivity(
        "--outcome",
        "p_entrapmnt",
        "--select",
        "state=PATRON",
        fragment="did you mean 'p_entrapment'",
    ),
    sensitivity("--outcome", "p_war", "--select", "state=PATRN", fragment="did you mean 'PATRON'"),
    sensitivity(
        "--outcome", "p_war", "--select", "alliance=pact", fragment="p_war has no dimension"
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "--param",
        "threat.sclae=1:2",
        fragment="threat.sclae",
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "--param",
        "threat.scale=1",
        fragment="--param 'threat.scale=1': write it as dotted.path=low:high",
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state",
        fragment="--select 'state': write it as dimension=value",
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "--select",
        "time=late",
        fragment="time must be a number of years",
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "threat.scale=-1",
        fragment="threat.scale = -1.0",
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "threat=extreme",
        fragment="threat = 'extreme': no such option",
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "+run.unknown_key=1",
        fragment="run.unknown_key = 1: unknown key",
    ),
    Case(
        "forecast-sensitivity",
        (
            "--outcome",
            "p_war",
            "--select",
            "state=PATRON",
            "--config-dir",
            "{mine}",
            *SENSITIVITY[:-3],
            "portfolio=mine",
        ),
        "not valid YAML",
        files={"portfolio/mine.yaml": BAD_YAML},
    ),
    sensitivity(
        "--select", "state=PATRON", fragment="the following arguments are required: --outcome"
    ),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "--n-base",
        "many",
        fragment="--n-base: invalid int value",
    ),
]

# ---------------------------------------------------------------- forecast-calibrate
CALIBRATE_PARAM = ("--param", "threat.opportunity_rate.median=0.1:1", "--dry-run")


def calibrate(*args: str, fragment: str) -> Case:
    return Case("forecast-calibrate", (*args, "--output-dir", "{out}"), fragment)


CALIBRATE = [
    calibrate(
        "--param", "political.honour.intercept=-3:x", "--dry-run", fragment="dotted.path=low:high"
    ),
    calibrate("--param", "threat.scale=2:1", "--dry-run", fragment="threat.scale bounds 2.0:1.0"),
    calibrate("--param", "political.honour.intercpt=-3:1", "--dry-run", fragment="intercpt"),
    calibrate(*CALIBRATE_PARAM, "--trajectories", "0", fragment="--trajectories = 0: must be >= 1"),
    calibrate(*CALIBRATE_PARAM, "--max-evaluations", "0", fragment="--max-evaluations = 0"),
    calibrate(*CALIBRATE_PARAM, "--starts", "0", fragment="--starts = 0: must be between 1"),
    calibrate(
        *CALIBRATE_PARAM,
        "--error-batches",
        "1",
        fragment="--error-batches = 1: 0 (analytic errors) or >= 2",
    ),
    calibrate(*CALIBRATE_PARAM, "--name", "my-fit", fragment="--name = 'my-fit': a config option"),
    calibrate(*CALIBRATE_PARAM, "--name", "../history", fragment="--name = '../history'"),
    calibrate(*CALIBRATE_PARAM, "--moment", "no_such_moment", fragment="no_such_moment"),
    calibrate(
        *CALIBRATE_PARAM, "--held-out", "no_such_moment", fragment="--held-out 'no_such_moment'"
    ),
    calibrate(*CALIBRATE_PARAM, "--moments", "{tmp}/no_such.yaml", fragment="no_such.yaml"),
    calibrate(*CALIBRATE_PARAM, "--moments", "{file}", fragment="forecast-calibrate: "),
    calibrate(*CALIBRATE_PARAM, "--frobnicate", fragment="--frobnicate"),
    calibrate(*CALIBRATE_PARAM, "threat.scale=-1", fragment="threat.scale = -1.0"),
    calibrate(*CALIBRATE_PARAM, "portfolio=natoo", fragment="no such option"),
    calibrate(*CALIBRATE_PARAM, "+run.unknown_key=1", fragment="run.unknown_key = 1"),
    calibrate("--dry-run", "--trajectories", "many", fragment="--trajectories: invalid int"),
]

# ---------------------------------------------------------------- bounds and damaged files
# (the run lifecycle's refusals, through the commands)
JUNK = "\x00not a zip archive\n"
LIFECYCLE = [
    forecast(
        "portfolio=regional", "run.trajectories=1000000000000", fragment="run.allow_long=true"
    ),
    forecast(
        "portfolio=regional",
        "cluster=local",
        "run.trajectories=100000",
        "run.block_size=1",
        fragment="run.block_size = 1: 100,000 tasks would spend about",
    ),
    forecast("portfolio=regional", "run.dt_years=1e-9", fragment="at most 10,000 steps"),
    forecast(
        "cluster=local_processes", "cluster.n_workers=1000", fragment="cluster.n_workers = 1000"
    ),
    forecast(
        "-m",
        "portfolio=regional",
        "run.trajectories=10,10000000000000",
        fragment="run.trajectories=10000000000000: the run would take about",
        left=MULTIRUN,
    ),
    forecast(
        "portfolio=regional",
        "run.resume={mine}",
        fragment="not a readable checkpoint",
        files={"checkpoint.npz": JUNK},
    ),
    forecast(
        "portfolio=regional",
        "run.resume={mine}",
        fragment="not a readable checkpoint",
        files={"checkpoint.npz": "PK\x03\x04truncated"},
    ),
    Case(
        "forecast-calibrate",
        (*CALIBRATE_PARAM, "--name", "history"),
        "--name = 'history': ",
        files={},
    ),
    calibrate(*CALIBRATE_PARAM, "--trajectories", "100000000000", fragment="would take about"),
    sensitivity(
        "--outcome",
        "p_war",
        "--select",
        "state=PATRON",
        "--n-base",
        "1048576",
        "--second-order",
        fragment="design points for 1 parameters",
        base=("--param", "threat.scale=0.5:2", "portfolio=regional", "cluster=in_process"),
    ),
]


# ---------------------------------------------------------------- oversized config files
#: nine anchors, each a list of nine aliases of the one before: 9^9 values once expanded
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
LARGE = {
    "laughs": folder_case({"portfolio/mine.yaml": LAUGHS},
                          "portfolio/mine.yaml: its anchors and aliases expand to 490,329,064"),
    "laughs_unchosen": folder_case({"threat/bomb.yaml": LAUGHS}, "threat/bomb.yaml: its anchors"),
    "searchpath": forecast("hydra.searchpath=[file://{mine}]", "portfolio=mine",
                           fragment="expand to 490,329,064 values", left=NOTHING,
                           files={"portfolio/mine.yaml": LAUGHS}),
    "cd_equals": Case("forecast", ("--config-dir={mine}", "portfolio=mine"),
                      "a config file holds at most 100,000", files={"portfolio/mine.yaml": LAUGHS}),
    "megabyte": folder_case({"portfolio/mine.yaml": "name: mine\n" + "# padding\n" * 110_000},
                            "bytes; a config file is at most 1,000,000"),
    "sensitivity": Case("forecast-sensitivity", ("--config-dir", "{mine}", "--outcome", "p_war",
                        "--select", "state=PROTEGE", "--param",
                        "threat.scale=0.5:2", "portfolio=mine", "cluster=in_process"),
                        "expand to 490,329,064 values", files={"portfolio/mine.yaml": LAUGHS}),
}  # fmt: skip


# ---------------------------------------------------------------- damaged or busy folders
STORED = [
    Case("forecast-report", ("{damaged}", "--out", "{out}"), "p_war"),
    Case("forecast-compare", ("{damaged}", "{run}"), "p_war"),
    Case("forecast-report", ("{laughs}", "--out", "{out}"), "anchors or aliases"),
    Case("forecast-compare", ("{run}", "{laughs}"), "anchors or aliases"),
    forecast(*TINY, "hydra.run.dir={locked}", fragment="in use by pid", left=NOTHING),
]


# ---------------------------------------------------------------- forecast-world
def world(*args: str, fragment: str) -> Case:
    return Case("forecast-world", args, fragment)


WORLD = [
    world("--year", "abc", "--out", "{out}", fragment="argument --year: invalid int value: 'abc'"),
    world("--out", "{out}", fragment="the following arguments are required: --year"),
    world("--year", "1990", fragment="the following arguments are required: --out"),
    world("--year", "1990", "--out", "{out}", "--max-states", "0",
          fragment="--max-states = 0: must be >= 1"),
    world("--year", "1990", "--out", "{out}", "--data-dir", "{tmp}/nowhere",
          fragment="history data directory {tmp}/nowhere does not exist"),
    world("--bogus", "--year", "1990", "--out", "{out}",
          fragment="unrecognized arguments: --bogus"),
]  # fmt: skip

# ---------------------------------------------------------------- forecast-discover
DISCOVER_BASE = ("--outcome", "p_war", "--select", "state=PROTEGE", "--above", "0.1",
                 "--uncertainty", "threat.scale=0.5:2")  # fmt: skip


def discover(*args: str, fragment: str, base: tuple[str, ...] = DISCOVER_BASE) -> Case:
    return Case("forecast-discover", (*args, *base, "portfolio=regional", "cluster=in_process",
                                      "--output-dir", "{out}"), fragment)  # fmt: skip


DISCOVER = [
    discover(fragment="uncertainty threat.scale = (2.0, 0.5): needs LOW:HIGH with LOW < HIGH",
             base=("--outcome", "p_war", "--above", "0.1", "--uncertainty", "threat.scale=2:0.5")),
    discover("--points", "1", fragment="n_points = 1: must be at least 2"),
    discover("--points", "12", "--design", "sobol",
             fragment="n_points = 12: a Sobol design needs a power of two"),
    discover("--design", "grid", fragment="design = 'grid': must be one of lhs, sobol"),
    discover("--bogus", fragment="'--bogus': not an option of forecast-discover"),
    discover(fragment="--uncertainty 'threat.scale=0.5-2': write it as dotted.path=LOW:HIGH",
             base=("--outcome", "p_war", "--above", "0.1", "--uncertainty", "threat.scale=0.5-2")),
    discover(fragment="one of the arguments --above --below is required",
             base=("--outcome", "p_war", "--uncertainty", "threat.scale=0.5:2")),
    discover("--select", "state", fragment="--select 'state': write it as dimension=value"),
    discover("threat.sclae=2", fragment="threat.sclae"),
    discover("--select", "state=PROTEGEE", fragment="select state = 'PROTEGEE'",
             base=("--outcome", "p_war", "--above", "0.1", "--uncertainty", "threat.scale=0.5:2")),
]  # fmt: skip

# ---------------------------------------------------------------- forecast-robust
ROBUST_BASE = ("--objective", "p_war:state=PROTEGE", "--lever",
               "portfolio.alliances.pact.explicitness=0.3,0.9", "--uncertainty",
               "threat.scale=0.5:2")  # fmt: skip


def robust(*args: str, fragment: str, base: tuple[str, ...] = ROBUST_BASE) -> Case:
    return Case("forecast-robust", (*args, *base, "portfolio=regional", "cluster=in_process",
                                    "--output-dir", "{out}"), fragment)  # fmt: skip


ROBUST = [
    robust("--futures", "0", fragment="n_futures = 0: must be at least 2"),
    robust(fragment="--lever 'nope': write it as dotted.path=V1,V2,...",
           base=("--objective", "p_war", "--lever", "nope", "--uncertainty", "threat.scale=0.5:2")),
    robust(fragment="--uncertainty 'threat.scale=x': write it as dotted.path=LOW:HIGH",
           base=(*ROBUST_BASE[:4], "--uncertainty", "threat.scale=x")),
    robust("--limit", "0.1", "--limit", "0.2",
           fragment="limits = [0.1, 0.2]: one per objective (1)"),
    robust("--design", "grid", fragment="design = 'grid': must be one of lhs, sobol"),
]  # fmt: skip

CASES: list[Case] = [
    *OVERRIDES,
    *FOLDER,
    *REPORT,
    *COMPARE,
    *SENSITIVITY_CASES,
    *CALIBRATE,
    *LIFECYCLE,
    *LARGE.values(),
    *STORED,
    *WORLD,
    *DISCOVER,
    *ROBUST,
]

MAINS: dict[str, Callable[[list[str]], int]] = {
    "forecast": forecast_cli.main,
    "forecast-report": report_cli.main,
    "forecast-compare": compare_cli.main,
    "forecast-sensitivity": sensitivity_cli.main,
    "forecast-calibrate": calibrate_cli.main,
    "forecast-world": world_cli.main,
    "forecast-discover": discover_cli.main,
    "forecast-robust": robust_cli.main,
}


def test_the_corpus_covers_every_command_with_at_least_150_cases():
    assert len(CASES) >= 150, len(CASES)
    assert {case.command for case in CASES} == set(MAINS)
    assert len({case.id for case in CASES}) == len(CASES), "a case is listed twice"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Path]:
    """Small results folders the report and compare cases read (never changed by them)."""
    base = tmp_path_factory.mktemp("results")
    runs = {
        "run": [*TINY],
        "grid": [*TINY, "+sweep.grid.threat.scale=[1,2]"],
        "seed7": [*TINY, "run.seed=7"],
    }
    folders = {}
    for name, overrides in runs.items():
        ds = forecaster.run(forecaster.compose(overrides), progress=False)
        forecaster.write_results(ds, base / name)
        folders[name] = base / name
    # a run whose stored config is a "billion laughs", and one with a chunk of p_war gone
    forecaster.write_results(ds.assign_attrs(config=LAUGHS), base / "laughs")
    forecaster.write_results(ds, base / "damaged")
    chunks = sorted(p for p in (base / "damaged").rglob("p_war/**/*") if p.is_file())
    next(p for p in chunks if p.name != "zarr.json").unlink()
    folders |= {"laughs": base / "laughs", "damaged": base / "damaged"}
    return folders


@pytest.fixture(scope="module")
def locked(tmp_path_factory) -> Iterator[Path]:
    """An output folder whose lock another process holds (as a running forecast would)."""
    folder = tmp_path_factory.mktemp("locked")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; "
         "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); "
         "os.write(fd, str(os.getpid()).encode()); print('held', flush=True); time.sleep(600)",
         str(folder / LOCK_NAME)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    yield folder
    holder.kill()
    holder.wait()


def fill(text: str, names: dict[str, str]) -> str:
    """``text`` with its ``{name}`` placeholders filled (other braces are config syntax)."""
    for name, value in names.items():
        text = text.replace("{" + name + "}", value)
    return text


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _must_not_run(*args, **kwargs):
    raise AssertionError("the case passed the checks and started work")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_in_one_message(case, results, locked, tmp_path, monkeypatch, capsys):
    if case.command == "forecast-sensitivity" and importlib.util.find_spec("SALib") is None:
        pytest.skip("needs SALib (pip install 'forecaster[analysis]')")
    if case.command in ("forecast-discover", "forecast-robust") and (
        importlib.util.find_spec("ema_workbench") is None
    ):
        pytest.skip("needs the EMA Workbench (pip install 'forecaster[decisions]')")
    monkeypatch.chdir(tmp_path)
    for module in (forecaster.api, calibrate_cli):
        monkeypatch.setattr(
            module, "execute" if module is forecaster.api else "calibrate", _must_not_run
        )
    monkeypatch.setattr(forecaster.api, "get_client", _must_not_run)
    (tmp_path / "afile").write_text("a plain file\n")
    for relative, text in case.files.items():
        (tmp_path / "mine" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "mine" / relative).write_text(text)
    out = tmp_path / "out"
    names = {
        "tmp": str(tmp_path),
        "out": str(out),
        "mine": str(tmp_path / "mine"),
        "file": str(tmp_path / "afile"),
        "locked": str(locked),
        **{k: str(v) for k, v in results.items()},
    }
    argv = [fill(arg, names) for arg in case.args]
    if case.command == "forecast":
        argv += [
            f"{key}={out}"
            for key in ("hydra.run.dir", "hydra.sweep.dir")
            if not any(a.startswith(key + "=") for a in argv)
        ]
    before = {name: _listing(path) for name, path in results.items()}
    try:
        status = MAINS[case.command](argv)
    except SystemExit as exit_:  # argparse's own refusals
        status = exit_.code
    err = capsys.readouterr().err
    assert status == case.status, err
    assert fill(case.fragment, names) in err, err
    assert "Traceback" not in err
    left = set(os.listdir(out)) if out.is_dir() else set()
    assert left == set(case.left), f"left behind in the output folder: {sorted(left)}"
    assert set(os.listdir(tmp_path)) <= {"afile", "mine", "out"}, "written into the work folder"
    assert {name: _listing(path) for name, path in results.items()} == before


# ---------------------------------------------------------------- environment values
def test_a_value_from_the_environment_is_named_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(forecaster.api, "get_client", _must_not_run)
    monkeypatch.setenv("FORECASTER_TEST_NAME", "from_env")
    argv = [*TINY, "portfolio.name=${oc.env:FORECASTER_TEST_NAME}", f"hydra.run.dir={tmp_path}"]
    with pytest.raises(AssertionError, match="started work"):
        forecast_cli.main(argv)
    seen = capsys.readouterr()
    assert (
        "portfolio.name = '${oc.env:FORECASTER_TEST_NAME}' takes its value from the "
        "environment" in seen.out + seen.err
    )


# ---------------------------------------------------------------- signals (real processes)
@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "status", "word"),
    [(signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_signal_prints_one_line_and_the_resume_command(signum, status, word, command, tmp_path):
    run_dir = tmp_path / "run"
    args = [
        "portfolio=regional",
        "run.trajectories=4000",
        "run.block_size=5",
        "debug=quick",
        f"hydra.run.dir={run_dir}",
    ]
    proc = command.popen(
        "forecast", *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "% of" in line:  # simulating
            proc.send_signal(signum)
            break
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == status, output
    assert "Traceback" not in output
    assert f"forecast: {word}; the completed part is kept in {run_dir}" in output
    assert f"run.resume={run_dir}" in output
    assert (run_dir / CHECKPOINT_NAME).is_file()

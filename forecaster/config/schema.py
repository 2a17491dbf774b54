"""Hydra structured configs: the types of ``run``, ``mechanisms``, ``output`` and ``cluster``.

The values of ``run``, ``mechanisms`` and ``output``, with their comments, live in
``conf/config.yaml`` alone (``MISSING`` here), so the two cannot drift apart;
``cluster``'s in ``conf/cluster/``. Each field carries its meaning and, where
types cannot say it, its check (``described``): ``field_problems`` checks a
config against them, and ``docs/configuration.md``'s tables are generated
from them. The scenario groups (``portfolio``, ``threat``, ``fiscal``,
``political``) hold numbers or distributions and have a schema of their own
(:mod:`forecaster.scenario.models`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf

from forecaster._version import __version__
from forecaster.errors import did_you_mean

CONFIG_MODULE = "forecaster.conf"
CONFIG_PATH = "pkg://forecaster.conf"
CONFIG_NAME = "config"
VERSION_BASE = "1.3"


@dataclass(frozen=True)
class Check:
    """What a field allows: ``test(value)`` holds; ``says`` tells what is allowed ({kind}: the
    cluster's kind). ``each``: the test is of each item of a list."""

    test: Callable[[Any], bool]
    says: str
    each: bool = False
    #: the allowed values, when they are a list: a bad value is told the closest of them
    options: tuple[str, ...] = ()


def described(
    doc: str,
    default: Any = MISSING,
    check: Check | None = None,
    kinds: tuple[str, ...] = (),
    factory: Callable[[], Any] | None = None,
) -> Any:
    """A field with its meaning (``doc``, for the docs' tables), its check, and where it applies.

    ``kinds``: the cluster kinds that read it (empty: every kind).
    """
    metadata = {"doc": doc, "check": check, "kinds": kinds}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


AT_LEAST_ONE = Check(lambda v: _is_int(v) and v >= 1, "must be >= 1")
AT_LEAST_ONE_OR_NULL = Check(lambda v: v is None or (_is_int(v) and v >= 1), "must be >= 1 or null")


@dataclass
class RunConf:
    trajectories: int = described("trajectories per grid point", check=AT_LEAST_ONE)
    horizon_years: float = described(
        "the clock; the horizon must be a whole number of steps (checked with the scenario)"
    )
    dt_years: float = described("years per step (checked with the scenario)")
    burn_in_years: float = described(
        "years simulated before the counted horizon and not counted (a settled start; whole steps)"
    )
    seed: int = described(
        "the key of every random number; same seed, same numbers",
        check=Check(lambda v: _is_int(v) and 0 <= v < 2**64, "must be an integer in [0, 2**64)"),
    )
    block_size: int = described(
        "trajectories per task (changes speed, never the numbers)", check=AT_LEAST_ONE
    )
    target_se: float | None = described(
        "adaptive precision: add trajectories until the largest headline standard error is at "
        "most this",
        check=Check(
            lambda v: v is None or (_is_number(v) and 0 < v < 0.5), "must be in (0, 0.5) or null"
        ),
    )
    max_trajectories: int | None = described(
        "... or until this many trajectories per grid point", check=AT_LEAST_ONE_OR_NULL
    )
    resume: str | None = described("an interrupted run's output directory, to finish it")
    allow_long: bool = described(
        "run even when the estimated time passes the budget (12 h; see Cost and budget)",
        check=Check(lambda v: isinstance(v, bool), "must be true or false"),
    )
    allow_large: bool = described(
        "run even when the estimated memory passes the budget (half of this machine's memory)",
        check=Check(lambda v: isinstance(v, bool), "must be true or false"),
    )


@dataclass
class MechanismsConf:
    economy: bool = described("GDP growth, shocks and recessions")
    fiscal: bool = described("defence spending: pledges, free-riding, austerity, war surge")
    politics: bool = described("public support, burden resentment, war weariness")
    elections: bool = described("elections that can bring a sceptic government")
    misperception: bool = described("the adversary's error on the honour probability")
    provocation: bool = described("protected members provoking their adversary (moral hazard)")
    reputation: bool = described("reputations learnt from honoured and broken commitments")
    exit: bool = described("members leaving an alliance whose support stays low")
    war_costs: bool = described("attrition, war weariness and the GDP drag of war")
    collective_action: bool = described("v2: honour falls with the number of co-obligated allies")
    fait_accompli: bool = described(
        "v2: the adversary weighs the local balance before allies arrive"
    )
    stalemate: bool = described("v2: a crisis both sides would fight can end without war")
    fiscal_anchor: bool = described("v2: spending targets count free-riding relative to the start")
    arms_buildup: bool = described(
        "v2: the adversary's capability growth (which v1.1's `fiscal` also switched)"
    )
    intervention: bool = described(
        "states outside the target's alliances join its wars (coalitions, great-power "
        "interventions)"
    )


OUTPUT_FORMATS = ("zarr", "netcdf")


@dataclass
class OutputConf:
    formats: list[str] = described(
        "`zarr` (`results.zarr`, zarr v3) and/or `netcdf` (`results.nc`)",
        check=Check(
            lambda v: v in OUTPUT_FORMATS,
            f"allowed formats are {', '.join(OUTPUT_FORMATS)}",
            each=True,
            options=OUTPUT_FORMATS,
        ),
    )
    summary: bool = described("print the summary table")
    states: list[str] | None = described(
        "states the printed summary shows, e.g. `[EST,POL]` (default: the alliance leaders "
        "and the adversaries' targets); an unknown state is refused by name"
    )


CLUSTER_KINDS = ("local", "address", "slurm", "pbs", "in_process")
JOBQUEUE_KINDS = ("slurm", "pbs")
_LOCAL, _ADDRESS = ("local",), ("address",)


@dataclass
class AdaptiveConf:
    minimum_jobs: int = MISSING
    maximum_jobs: int = MISSING


@dataclass
class ClusterConf:
    """Where the work runs: one schema for every option of ``conf/cluster`` (``kind`` says
    which fields it reads). Checks that involve several fields: ``checks.cluster_problems``."""

    kind: str = described(
        "`local`, `address`, `slurm`, `pbs` or `in_process`",
        check=Check(
            lambda v: v in CLUSTER_KINDS,
            f"must be one of {', '.join(CLUSTER_KINDS)}",
            options=CLUSTER_KINDS,
        ),
    )
    processes: bool = described(
        "worker processes (one thread each) instead of threads of this process",
        default=False,
        kinds=_LOCAL,
        check=Check(
            lambda v: isinstance(v, bool),
            "must be true or false (false: worker threads in this process)",
        ),
    )
    n_workers: int | None = described(
        "processes: one per core by default; threads: one worker, a thread per core",
        default=None,
        kinds=_LOCAL,
        check=Check(
            lambda v: v is None or (_is_int(v) and v >= 1), "must be a positive integer or null"
        ),
    )
    memory_limit: str | None = described(
        "per worker process (processes only)", default="auto", kinds=_LOCAL
    )
    host: str | None = described(
        "where the scheduler and workers listen (processes only; default 127.0.0.1)",
        default=None,
        kinds=_LOCAL,
    )
    address: str | None = described(
        "the scheduler's address, e.g. tcp://host:8786",
        default=None,
        kinds=_ADDRESS,
        check=Check(
            lambda v: isinstance(v, str) and "://" in v,
            "must be a scheduler address like tcp://host:8786",
        ),
    )
    timeout: float = described(
        "seconds to wait for the scheduler to answer",
        default=10.0,
        kinds=_ADDRESS,
        check=Check(lambda v: _is_number(v) and v > 0, "must be a number of seconds > 0"),
    )
    dashboard_address: str | None = described(
        "host:port of the dashboard (port 0: any free port); null: none",
        default=None,
        check=Check(
            lambda v: v is None or (isinstance(v, str) and ":" in v),
            "must be host:port (port 0: any free port) or null for no dashboard",
        ),
    )
    cores: int | None = described(
        "worker processes per job, one thread each",
        default=None,
        kinds=JOBQUEUE_KINDS,
        check=Check(lambda v: _is_int(v) and v >= 1, "must be a positive integer (cores per job)"),
    )
    memory: str | None = described(
        "memory per job, e.g. 64GB",
        default=None,
        kinds=JOBQUEUE_KINDS,
        check=Check(
            lambda v: isinstance(v, str) and bool(v),
            "required for {kind}, e.g. memory: 64GB, walltime: '02:00:00'",
        ),
    )
    walltime: str | None = described(
        "wall time per job, e.g. '02:00:00'",
        default=None,
        kinds=JOBQUEUE_KINDS,
        check=Check(
            lambda v: isinstance(v, str) and bool(v),
            "required for {kind}, e.g. memory: 64GB, walltime: '02:00:00'",
        ),
    )
    queue: str | None = described("queue or partition", default=None, kinds=JOBQUEUE_KINDS)
    account: str | None = described("account to charge", default=None, kinds=JOBQUEUE_KINDS)
    n_jobs: int | None = described(
        "a fixed number of jobs (or `adaptive`)", default=None, kinds=JOBQUEUE_KINDS
    )
    adaptive: AdaptiveConf | None = described(
        "null, or {minimum_jobs, maximum_jobs}: scale between them", default=None,
        kinds=JOBQUEUE_KINDS,
    )  # fmt: skip
    numba_cache_dir: str | None = described(
        "node-local numba cache, so that workers never race on a shared one",
        default=None,
        kinds=JOBQUEUE_KINDS,
    )
    prologue: list[str] = described(
        "extra shell lines of the job script, e.g. [module load python/3.11]",
        factory=list,
        kinds=JOBQUEUE_KINDS,
    )
    job_extra_directives: list[str] = described(
        "extra scheduler directives", factory=list, kinds=JOBQUEUE_KINDS
    )
    job_name: str | None = described("the jobs' name", default=None, kinds=JOBQUEUE_KINDS)
    local_directory: str | None = described(
        "node-local scratch for workers", default=None, kinds=JOBQUEUE_KINDS
    )
    log_directory: str | None = described("the jobs' logs", default=None, kinds=JOBQUEUE_KINDS)
    interface: str | None = described(
        "network interface of the workers, e.g. ib0", default=None, kinds=JOBQUEUE_KINDS
    )
    scheduler_host: str | None = described(
        "where the scheduler listens (default: dask's choice)", default=None,
        kinds=JOBQUEUE_KINDS,
    )  # fmt: skip


def field_problems(
    prefix: str,
    schema: type,
    values: Mapping[str, Any],
    kind: str | None = None,
    names: tuple[str, ...] | None = None,
) -> list[str]:
    """Every field of ``values`` that fails its schema field's check, one line each.

    A field missing from ``values`` is checked at its default; with ``kind``, only the
    fields that kind reads; with ``names``, only those.
    """
    problems = []
    for f in fields(schema):
        check, kinds = f.metadata.get("check"), f.metadata.get("kinds")
        if check is None or (names is not None and f.name not in names):
            continue
        if kind is not None and kinds and kind not in kinds:
            continue
        value = values.get(f.name, None if f.default is MISSING else f.default)
        says = check.says.format(kind=kind)
        problems += [
            f"{prefix}.{f.name} = {item!r}: {says}{did_you_mean(item, check.options)}"
            for item in (value if check.each else [value])
            if not check.test(item)
        ]
    return problems


@dataclass
class Config:
    portfolio: Any = None
    threat: Any = None
    fiscal: Any = None
    political: Any = None
    #: the chosen calibration option's estimates, by config key (conf/calibration/)
    calibration: Any = None
    cluster: ClusterConf = field(default_factory=ClusterConf)
    sweep: Any = None
    run: RunConf = field(default_factory=RunConf)
    mechanisms: MechanismsConf = field(default_factory=MechanismsConf)
    output: OutputConf = field(default_factory=OutputConf)


ConfigStore.instance().store(name="config_schema", node=Config)
# for `forecast --help`'s header
OmegaConf.register_new_resolver("forecaster_version", lambda: __version__, replace=True)


@dataclass
class CheckedSweeperConf:
    """Hydra's basic sweeper that checks every job before the first starts (``forecast -m``)."""

    _target_: str = "hydra_plugins.forecaster_sweeper.CheckedSweeper"
    max_batch_size: int | None = None
    params: dict[str, str] | None = None


ConfigStore.instance().store(group="hydra/sweeper", name="forecaster", node=CheckedSweeperConf)

"""The ``forecast`` command (a Hydra app), with every job's config checked first.

Hydra reports its own composition errors with exit status 1; a config mistake
should exit with 2 and one clear message, before anything runs. So ``main``
composes every job of the command line (each job of a multirun too), runs the
semantic checks, and only then hands the command line to Hydra.
"""

from __future__ import annotations

import sys

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from forecaster.api import check
from forecaster.config import compose
from forecaster.errors import ConfigError

from .app import forecast_app

_PASS_THROUGH = {"--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--info", "-i",
                 "--shell-completion", "-sc", "--resolve", "--package", "-p"}  # fmt: skip


def job_overrides(argv: list[str]) -> tuple[bool, list[list[str]]]:
    """Whether ``argv`` is a multirun, and the override list of each of its jobs."""
    multirun = any(a in ("-m", "--multirun") for a in argv)
    overrides = [a for a in argv if not a.startswith("-")]
    parsed = OverridesParser.create().parse_overrides(overrides)
    if not multirun:
        return False, [overrides]
    batches = BasicSweeper.split_arguments(parsed, None)
    return True, [job for batch in batches for job in batch]


def precheck(argv: list[str]) -> list[str]:
    """Problems of every job the command line would run (empty when all are valid)."""
    try:
        _, jobs = job_overrides(argv)
    except (HydraException, OmegaConfBaseException) as err:
        return [f"command line: {_first_line(err)}"]
    problems: list[str] = []
    for overrides in jobs:
        shown = [o for o in overrides if not o.startswith(("hydra.", "hydra/"))]
        label = f"job {' '.join(shown)}: " if len(jobs) > 1 else ""
        try:
            cfg = compose([o for o in overrides if not o.startswith(("hydra.", "hydra/"))])
        except (HydraException, OmegaConfBaseException) as err:
            problems.append(label + _explain(err))
            continue
        try:
            check(cfg)
        except ConfigError as err:
            problems += [label + p for p in err.problems]
    return problems


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _explain(err: Exception) -> str:
    """Hydra/OmegaConf composition errors as one line naming key, value and what is allowed."""
    text = str(err).strip()
    cause = err.__cause__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if "Could not override" in text and cause is not None:
        key = getattr(cause, "full_key", None) or lines[0].split("'")[1]
        detail = str(cause).strip().splitlines()[0]
        if "not in struct" in detail or "Key '" in detail:
            return f"{key}: unknown key ({detail})"
        return f"{key}: {detail}"
    if "Error merging override" in text and cause is not None:
        override = text.split("Error merging override", 1)[1].split(":")[0].strip()
        key, _, value = override.partition("=")
        return f"{key} = {value!r}: {_first_line(cause)}"
    if "Could not find" in text:
        # "In 'config': Could not find 'portfolio/natoo'", then "Available options in ..."
        missing = text.split("Could not find '", 1)[1].split("'", 1)[0]
        group, _, option = missing.rpartition("/")
        options = []
        if "Available options" in text:
            block = text.split("Available options", 1)[1].split("Config search path", 1)[0]
            options = [line.strip() for line in block.splitlines()[1:] if line.strip()]
        allowed = f"available: {', '.join(options)}" if options else "no such config"
        return f"{group or 'config'} = {option!r}: no such option ({allowed})"
    if cause is not None:
        return f"{_first_line(err)}: {_first_line(cause)}"
    return " ".join(lines[:3])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not any(a.split("=")[0] in _PASS_THROUGH for a in argv):
        problems = precheck(argv)
        if problems:
            print(str(ConfigError(problems)), file=sys.stderr)
            return 2
    sys.argv = [sys.argv[0], *argv]
    forecast_app()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bad input at every command's door: one line, exit 2, never a traceback.

:func:`one_line` wraps each command's ``main``: a config mistake (ours, Hydra's
or OmegaConf's), a malformed or self-including config file, a path that is not
what it should be, Ctrl-C and SIGTERM each end in one line on stderr and an
exit status (2 for a mistake in the input; 130 and 143 for an interruption),
never a traceback. A program error still shows its traceback: it is a bug to
report, not a mistake to fix. :func:`argv_problems` checks the few things
Hydra would act on before any check of ours runs (where it writes); every
command-line case is in ``tests/test_bad_inputs.py``.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar, cast

import yaml
from hydra.errors import HydraException
from omegaconf import DictConfig, ListConfig
from omegaconf.errors import OmegaConfBaseException

from forecaster.config.folders import folder_problems, folders_in_argv
from forecaster.errors import ConfigError

#: exit status of a mistake in the input (argparse's and Hydra's convention)
BAD_INPUT = 2

Main = TypeVar("Main", bound=Callable[..., int])


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C's KeyboardInterrupt is, so that both stop the same way
    (the completed part kept, the resume command printed); exit status 128 + 15."""

    exit_status = 128 + signal.SIGTERM


def stop_status(stop: KeyboardInterrupt) -> tuple[str, int]:
    """``("interrupted", 130)`` for Ctrl-C, ``("terminated (SIGTERM)", 143)`` for SIGTERM."""
    if isinstance(stop, Terminated):
        return "terminated (SIGTERM)", Terminated.exit_status
    return "interrupted", 128 + signal.SIGINT


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def one_line(prog: str, name_config_errors: bool = True) -> Callable[[Main], Main]:
    """Decorate a command's ``main(argv) -> int`` so that bad input is one line and exit 2.

    Each line starts with ``prog:``, but for ``invalid configuration ...`` when
    ``name_config_errors`` is false (``forecast`` and ``forecast-sensitivity``
    print those as they always have).
    """

    def decorate(main: Main) -> Main:
        @functools.wraps(main)
        def guarded(argv: list[str] | None = None) -> int:
            previous = None
            if threading.current_thread() is threading.main_thread():
                previous = signal.signal(signal.SIGTERM, _raise_terminated)
            try:
                return main(argv)
            except KeyboardInterrupt as stop:
                what, status = stop_status(stop)
                print(f"{prog}: {what}", file=sys.stderr)
                return status
            except Exception as err:
                line = explain_failure(err)
                if line is None:
                    raise
                named = name_config_errors or not line.startswith("invalid configuration")
                print(f"{prog}: {line}" if named else line, file=sys.stderr)
                return BAD_INPUT
            finally:
                if previous is not None:
                    signal.signal(signal.SIGTERM, previous)

        return cast(Main, guarded)

    return decorate


def explain_failure(err: BaseException) -> str | None:
    """The one line a user is told for ``err``, or ``None`` for a program error (a bug)."""
    if isinstance(err, ConfigError):
        return str(err)
    if isinstance(err, HydraException | OmegaConfBaseException):
        from .main import explain

        return str(ConfigError([explain(err)]))
    if isinstance(err, yaml.YAMLError):
        return f"invalid configuration (1 problem):\n  - {yaml_problem(err)}"
    if isinstance(err, RecursionError):
        return (
            "invalid configuration (1 problem):\n  - defaults: the config files include one "
            "another without end (a defaults list naming its own option, directly or through "
            "another); check the defaults lists of your --config-dir"
        )
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror}{where}"
    return None


def yaml_problem(err: yaml.YAMLError) -> str:
    """``FILE, line N: what is wrong`` for a YAML file that does not parse."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        context = f"{err.context}, " if err.context else ""
        return f"{mark.name}, line {mark.line + 1}: not valid YAML ({context}{err.problem})"
    return f"not valid YAML ({str(err).splitlines()[0]})"


#: Hydra's own keys that decide where a run writes
_OUTPUT_DIRS = ("hydra.run.dir", "hydra.sweep.dir")
#: ``group=option`` (optionally ``+``/``++``): a key without dots, a value that names a file
_GROUP_OVERRIDE = re.compile(r"^\+{0,2}(?P<group>[A-Za-z_][\w/]*)=(?P<option>.*)$")


def argv_problems(argv: Sequence[str]) -> list[str]:
    """Problems in ``forecast``'s overrides that Hydra would act on before our checks.

    An empty output directory (Hydra would write into the current folder), one that
    is a file, an option name that climbs out of its folder with ``..``, and a
    config file of the user's too large to read (``forecaster.config.folders``).
    """
    problems = [p for folder in folders_in_argv(argv) for p in folder_problems(folder)]
    for arg in argv:
        key, sep, value = arg.partition("=")
        if not sep or arg.startswith("-"):
            continue
        if key in _OUTPUT_DIRS:
            if not value.strip():
                problems.append(f"{key} = {value!r}: must name a directory (empty would write "
                                "into the current folder)")  # fmt: skip
            elif Path(value).exists() and not Path(value).is_dir():
                problems.append(f"{key} = {value!r}: is a file; give a directory")
            continue
        match = _GROUP_OVERRIDE.match(arg)
        if match and ".." in match["option"].replace("\\", "/").split("/"):
            problems.append(
                f"{match['group']} = {match['option']!r}: an option's name, not a path "
                "('..' is not allowed); put options of your own in a folder given with "
                "--config-dir"
            )
    return problems


def environment_reads(cfg: DictConfig) -> list[str]:
    """The keys whose value comes from the environment (``${oc.env:VAR}``), Hydra's left out.

    Their resolved values are written into the results and reports; a run says so.
    """
    return [
        f"{key} = {text!r}"
        for key, text in _leaves(cfg, "")
        if isinstance(text, str) and "oc.env:" in text and not key.startswith("hydra.")
    ]


def _leaves(node: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Every leaf of a config, unresolved (interpolations as written)."""
    if isinstance(node, DictConfig):
        for key in node:
            if key == "hydra" and not prefix:
                continue
            full = f"{prefix}.{key!s}" if prefix else str(key)
            child = node._get_node(key)
            yield from _leaves(child, full)
    elif isinstance(node, ListConfig):
        for i in range(len(node)):
            yield from _leaves(node._get_node(i), f"{prefix}[{i}]")
    else:
        yield prefix, node._value() if hasattr(node, "_value") else node

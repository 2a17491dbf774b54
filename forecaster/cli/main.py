"""The ``forecast`` command: a Hydra app whose checks run on the config Hydra composes.

Hydra parses the command line (every flag of it: ``--config-dir/-cd``,
``--config-path/-cp``, ``--config-name/-cn``, ``hydra.searchpath``, ``-m`` with
any sweeper or launcher, ``+group=option``); forecaster never parses it again.
The checks run on exactly the config Hydra composes: inside the task function
for a single run (``forecaster.run`` checks before simulating), and for a
multirun in the default sweeper (``hydra_plugins.forecaster_sweeper``), which
checks every job before the first starts. Hydra re-raises its errors here
(``HYDRA_FULL_ERROR``), so that a config mistake, Hydra's own composition
errors included, exits 2 with one line per problem and no traceback.
"""

from __future__ import annotations

import os
import sys
import time

from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from forecaster._version import __version__
from forecaster.errors import ConfigError, did_you_mean

from . import app
from .app import forecast_app


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def explain(err: Exception) -> str:
    """Hydra/OmegaConf composition errors as one line naming key, value and what is allowed."""
    text = str(err).strip()
    cause = err.__cause__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if "Could not override" in text and cause is not None:
        key = getattr(cause, "full_key", None) or lines[0].split("'")[1]
        detail = str(cause).strip().splitlines()[0]
        if "not in struct" in detail or "Key '" in detail:
            parent = getattr(cause, "parent_node", None)
            known = list(parent) if parent is not None and OmegaConf.is_dict(parent) else []
            hint = did_you_mean(getattr(cause, "key", key), known)
            if "dist" in known:  # a distribution: Hydra merges a new one into the old
                return f"{key}: unknown key ({detail}){hint}; {_replace_distribution(text)}"
            return f"{key}: unknown key ({detail}){hint}"
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
        hint = did_you_mean(option, options)
        return f"{group or 'config'} = {option!r}: no such option ({allowed}){hint}"
    if cause is not None:
        return f"{_first_line(err)}: {_first_line(cause)}"
    return " ".join(lines[:3])


def _replace_distribution(text: str) -> str:
    """How to give a distribution another family from the command line."""
    node = text.split("Could not override '", 1)[1].split("'", 1)[0]
    given = text.split("To append to your config use +", 1)[-1].strip().splitlines()[0]
    value = given.partition("=")[2] if given.startswith(node + "=") else "{dist: ..., ...}"
    return (
        f"key=value merges into the distribution {node} already has, so another family "
        f"needs its old keys deleted first: '~{node}' '+{node}={value}'"
    )


def main(argv: list[str] | None = None) -> int:
    """``forecast [Hydra's flags] [overrides]``: run, and exit 2 on a config mistake."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--version" in argv:  # Hydra's own --version names Hydra's version
        print(f"forecast (forecaster) {__version__}")
        return 0
    sys.argv = [sys.argv[0], *argv]
    full_error = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra raises instead of printing and exiting 1
    GlobalHydra.instance().clear()
    app.compose_started = time.perf_counter()
    try:
        forecast_app()
    except SystemExit as done:  # the app's own exits: 2 for a config mistake, 130 on Ctrl-C
        return done.code if isinstance(done.code, int) else 1
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    except (HydraException, OmegaConfBaseException) as err:
        print(str(ConfigError([explain(err)])), file=sys.stderr)
        return 2
    finally:
        GlobalHydra.instance().clear()
        if full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = full_error
    return 0


if __name__ == "__main__":
    sys.exit(main())

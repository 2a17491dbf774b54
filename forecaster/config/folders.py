"""A user's config folder read within bounds, before Hydra reads it.

Hydra hands each YAML file to OmegaConf, which copies every alias into a tree of
its own: a file of nine anchors each listing the previous one nine times (the
"billion laughs") becomes 9^9 nodes, and composition grows without end (0.9 GB
and rising, issue 20). PyYAML's event stream is linear in the file's text, so the
size a file would expand to is counted from it first, and a file past the bound
is refused by name before anything composes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

#: the largest config file read (bytes); shipped options are a few kB
MAX_FILE_BYTES = 1_000_000
#: the most values (scalars, lists and mappings, aliases expanded) one file may hold
MAX_EXPANDED_NODES = 100_000
#: the most YAML files looked at in one folder
MAX_FILES = 10_000


def expanded_size(text: str) -> int:
    """The number of values ``text`` holds once its aliases are expanded.

    Counted on PyYAML's event stream, so the count takes time linear in the text
    however far it would expand. Raises :class:`yaml.YAMLError` on malformed YAML.

    Examples
    --------
    >>> expanded_size("a: &x [1, 2]\\nb: [*x, *x]")  # {a: [1, 2], b: [[1, 2], [1, 2]]}
    13
    """
    anchors: dict[str, int] = {}
    frames: list[list] = [[None, 0]]  # [anchor, size so far] of each open collection
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            frames.append([event.anchor, 1])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = frames.pop()
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, anchors.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:  # stream and document boundaries
            continue
        if anchor is not None:
            anchors[anchor] = size
        frames[-1][1] += size
    return int(frames[0][1])


def folder_problems(folder: str | os.PathLike[str]) -> list[str]:
    """Every YAML file of a user's config folder too large to read, one line each."""
    problems = []
    files = sorted(Path(folder).rglob("*.yaml"))
    if len(files) > MAX_FILES:
        return [f"{folder}: {len(files):,} YAML files; a config folder holds at most {MAX_FILES:,}"]
    for path in files:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(
                    f"{path}: {size:,} bytes; a config file is at most {MAX_FILE_BYTES:,}"
                )
                continue
            values = expanded_size(path.read_text(errors="replace"))
        except (OSError, yaml.YAMLError):
            continue  # unreadable or malformed: Hydra's own message names it
        if values > MAX_EXPANDED_NODES:
            problems.append(
                f"{path}: its anchors and aliases expand to {values:,} values; a config "
                f"file holds at most {MAX_EXPANDED_NODES:,} (is it a YAML 'billion laughs'?)"
            )
    return problems


def folders_in_argv(argv: Sequence[str]) -> list[Path]:
    """The user's config folders a command line names: ``--config-dir``/``-cd`` (with a
    space or ``=``) and ``hydra.searchpath=[file://...]``."""
    folders: list[str] = []
    args = list(argv)
    for i, arg in enumerate(args):
        if arg in ("--config-dir", "-cd") and i + 1 < len(args):
            folders.append(args[i + 1])
        elif arg.startswith(("--config-dir=", "-cd=")):
            folders.append(arg.partition("=")[2])
        elif arg.lstrip("+").startswith("hydra.searchpath="):
            folders += _file_paths(arg.partition("=")[2].strip("[]").split(","))
    return [Path(f).expanduser() for f in folders if f and Path(f).expanduser().is_dir()]


def _file_paths(entries: Iterable[str]) -> list[str]:
    return [e.strip().strip("'\"")[len("file://") :] for e in entries if "file://" in e]

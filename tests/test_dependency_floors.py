"""The dependency floors of pyproject.toml are the versions CI tests (.ci/oldest.txt)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def pinned() -> dict[str, Version]:
    """``{name: version}`` of the constraints file's ``name==version`` lines."""
    pins = {}
    for line in (ROOT / ".ci" / "oldest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_floor_of_pyproject_is_pinned_in_the_oldest_constraints():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = pinned()
    assert len(dependencies) == 13
    for dependency in map(Requirement, dependencies):
        (floor,) = [Version(s.version) for s in dependency.specifier if s.operator == ">="]
        assert pins[canonicalize_name(dependency.name)] == floor, dependency

"""The kernels of an earlier commit, importable beside the current ones.

``load(commit)`` extracts ``kernels/`` of ``commit`` (``git archive``) into a
temporary folder and imports it as a package of its own name, so that the
benchmark can time the old ``simulate_block`` and the new one side by side in
one process on the same scenario arrays. Its numba cache is keyed by its own
sources (its ``_cache.py``), so it never meets the current kernels' cache.
"""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the last commit before issue 12 (Box-Muller normals, eager credibility)
BASE_COMMIT = "8d4c6b7"


def load(commit: str = BASE_COMMIT):
    """The ``kernels`` package of ``commit``, imported as ``kernels_<commit>``."""
    name = f"kernels_{commit}"
    if name in sys.modules:
        return sys.modules[name]
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "kernels"], capture_output=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="forecaster-old-kernel-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "kernels").rename(folder / name)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))

"""An exclusive lock on a run's output directory, so that two runs never write one folder.

The lock is ``flock`` on ``.forecast.lock`` in the directory, which holds the
owner's process id; the operating system releases it when the process ends,
however it ends, so a killed run leaves no stale lock. A process may take the
lock of a directory it already holds (the command holds it from the run to the
written results; :func:`forecaster.run` takes it again).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forecaster.errors import ConfigError

LOCK_NAME = ".forecast.lock"

_held: dict[Path, tuple[int, int]] = {}  # directory -> (file descriptor, depth)


@contextmanager
def output_lock(directory: str | Path) -> Iterator[None]:
    """Hold the output directory ``directory`` for this process, or refuse: "in use by pid N"."""
    path = Path(directory).resolve()
    if path in _held:
        fd, depth = _held[path]
        _held[path] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[path]
            _held[path] = (fd, depth - 1)
        return
    fd = _acquire(path)
    _held[path] = (fd, 1)
    try:
        yield
    finally:
        del _held[path]
        with contextlib.suppress(FileNotFoundError):  # the directory may be gone
            os.unlink(path / LOCK_NAME)  # before unlocking: a later run finds a fresh file
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(path: Path) -> int:
    if path.exists() and not path.is_dir():
        raise ConfigError([f"output directory {str(path)!r}: is a file, not a directory"])
    path.mkdir(parents=True, exist_ok=True)
    lock = path / LOCK_NAME
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise ConfigError(
                [f"output directory {str(path)!r}: in use by pid {owner} (another run writes "
                 "there); wait for it to finish, or give this run another hydra.run.dir"]
            ) from None  # fmt: skip
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a file its last owner unlinked while we opened it
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)

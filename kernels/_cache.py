"""Numba cache keyed by the source of the whole kernels package.

Numba's on-disk cache checks only the file that defines a function; a change
to a helper or a constant in another file of this package would leave a stale
compiled kernel in place (numba PRs #8396/#9563 to fix that were never merged).
Our kernels call across files, so every kernel here is stamped with one digest
of all ``*.py`` files in this folder: any edit invalidates every entry.

The cache lives where numba would put it (``NUMBA_CACHE_DIR`` when set, the
package's ``__pycache__`` when writable, else the user-wide cache directory).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from numba.core import caching, config

KERNEL_DIR = Path(__file__).resolve().parent


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(KERNEL_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


SOURCES_DIGEST = _sources_digest()


class KernelSourcesLocator(caching._CacheLocator):
    """Locate the cache of a function defined in this package."""

    def __init__(self, py_func, py_file, cache_path):
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = cache_path

    def get_cache_path(self):
        return self._cache_path

    def get_source_stamp(self):
        return SOURCES_DIGEST

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        if Path(py_file).resolve().parent != KERNEL_DIR:
            return None
        subpath = cls.get_suitable_cache_subpath(py_file)
        candidates = []
        if config.CACHE_DIR:
            candidates.append(os.path.join(config.CACHE_DIR, subpath))
        candidates.append(str(KERNEL_DIR / "__pycache__"))
        user_wide = caching.AppDirs(appname="numba", appauthor=False).user_cache_dir
        candidates.append(os.path.join(user_wide, subpath))
        for path in candidates:
            locator = cls(py_func, py_file, path)
            try:
                locator.ensure_cache_path()
            except OSError:
                continue
            return locator
        return None


def install() -> None:
    """Put the locator first in numba's list (idempotent)."""
    # numba renamed _CacheImpl to CacheImpl in 0.61
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
    classes = impl._locator_classes
    if KernelSourcesLocator not in classes:
        classes.insert(0, KernelSourcesLocator)

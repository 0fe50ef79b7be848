"""An on-disk cache of parsed front-matter, keyed by each file's identity.

A repeated `check` on an unchanged or slightly changed site re-reads only what
changed. A page's entry is reused only when its path, size, modification time and
inode are all unchanged, so edits, renames and deletions are always seen; entries of
files that are gone are dropped when the cache is saved. The file lives in
`.cache/content-map/` beside mkdocs.yml (the folder Material's plugins use too); it
is written atomically and, if it is unreadable or from another version, ignored.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import __version__

__all__ = ["CACHE_DIR", "PageCache", "identity", "remembered"]

CACHE_DIR = ".cache/content-map"
"""Where the cache lives, relative to mkdocs.yml."""

T = TypeVar("T")

_FORMAT = 3  # bump whenever the shape of an entry changes
_RACY_NS = 2_000_000_000
"""A file modified this recently may change again within the same timestamp tick: such a
file is not cached, so an edit that keeps its size and mtime can never be missed."""


def identity(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """(size, mtime in ns, inode) of a file, or None when it cannot be stat'ed."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _write(path: Path, value: Any) -> None:
    """Pickle `value` to `path` atomically; a cache that cannot be written is no failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        return


def remembered(folder: Path | None, name: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned last time for the same `key` (e.g. validated options)."""
    if folder is None:
        return compute()
    path = folder / f"{name}.pickle"
    full_key = (_FORMAT, __version__, key)
    try:
        with open(path, "rb") as handle:
            stored_key, value = pickle.load(handle)  # noqa: S301 - our own file
        if stored_key == full_key:
            return value  # type: ignore[no-any-return]
    except Exception:  # missing or unreadable: compute afresh
        pass
    value = compute()
    _write(path, (full_key, value))
    return value


class PageCache:
    """Parsed pages by docs-relative path; a no-op when `folder` is None."""

    def __init__(self, folder: Path | None, key: str = ""):
        self.folder = folder
        self.key = (_FORMAT, __version__, key)
        self.entries: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.used: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.changed = False
        if folder is not None:
            self._load()

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / "pages.pickle"

    def _load(self) -> None:
        assert self.path is not None
        try:
            with open(self.path, "rb") as handle:
                key, entries = pickle.load(handle)  # noqa: S301 - our own file, in our folder
        except Exception:  # missing, truncated, from another version: start afresh
            return
        if key == self.key and isinstance(entries, dict):
            self.entries = entries

    def get(self, path: str, ident: tuple[int, int, int] | None) -> Any:
        """The cached value for `path` if the file is unchanged, else None."""
        if ident is None or self.folder is None:
            return None
        entry = self.entries.get(path)
        if entry is not None and entry[0] == ident:
            self.used[path] = entry
            return entry[1]
        return None

    def put(self, path: str, ident: tuple[int, int, int] | None, value: Any) -> None:
        if ident is None or self.folder is None or time.time_ns() - ident[1] < _RACY_NS:
            return
        self.used[path] = (ident, value)
        self.changed = True

    def save(self) -> None:
        """Write the entries used in this run (so deleted pages drop out), atomically."""
        if self.path is None or (not self.changed and len(self.used) == len(self.entries)):
            return
        _write(self.path, (self.key, self.used))

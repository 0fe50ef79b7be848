"""An on-disk cache of parsed front-matter, keyed by each file's identity.

A repeated `check` on an unchanged or slightly changed site re-reads only what
changed. A page's entry is reused only when its path, size, modification time and
inode are all unchanged, so edits, renames and deletions are always seen; entries of
files that are gone are dropped when the cache is saved. The file lives in
`.cache/content-map/` beside mkdocs.yml (the folder Material's plugins use too); it
is written atomically and, if it is unreadable or from another version, ignored.

When a run changes only a few entries, they are appended to the file as a change
record rather than the whole file being written again; each record names the
generation it follows, so a record that is torn, or that follows another history, is
ignored with all after it (the pages it held are read again).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import __version__

__all__ = ["CACHE_DIR", "Kept", "PageCache", "digest", "remembered", "store", "stored"]

CACHE_DIR = ".cache/content-map"
"""Where the cache lives, relative to mkdocs.yml."""

T = TypeVar("T")

_FORMAT = 4  # bump whenever the shape of an entry changes
_MAX_RECORDS = 50
"""Change records appended before the file is written whole again."""
_RACY_NS = 2_000_000_000
"""A file modified this recently may change again within the same timestamp tick: such a
file is not cached, so an edit that keeps its size and mtime can never be missed."""


def digest(*parts: str | bytes) -> str:
    """One short key for everything in `parts` (text or bytes), kept apart from each other."""
    hashed = hashlib.blake2b(digest_size=16)
    for part in parts:
        hashed.update(part if isinstance(part, bytes) else
                      part.encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()


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


def stored(folder: Path | None, name: str, key: str) -> Any:
    """What `store` kept under `name` for the same `key`, or None."""
    if folder is None:
        return None
    try:
        with open(folder / f"{name}.pickle", "rb") as handle:
            stored_key, value = pickle.load(handle)  # noqa: S301 - our own file
    except Exception:  # missing or unreadable
        return None
    return value if stored_key == (_FORMAT, __version__, key) else None


def store(folder: Path | None, name: str, key: str, value: Any) -> None:
    """Keep `value` under `name` for runs with the same `key` (and the same version)."""
    if folder is not None:
        _write(folder / f"{name}.pickle", ((_FORMAT, __version__, key), value))


def remembered(folder: Path | None, name: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned last time for the same `key` (e.g. validated options)."""
    value = stored(folder, name, key)
    if value is None:
        value = compute()
        store(folder, name, key, value)
    return value  # type: ignore[no-any-return]


class Kept:
    """Values made in one run, by kind and name, kept for the next run with the same `key`
    (e.g. rendered pages, under a key naming everything they depend on).

    `get` returns the kept value, or makes it; `save` writes what was made. With no
    folder or no key, nothing is kept.
    """

    def __init__(self, folder: Path | None, name: str, key: str | None):
        self.folder, self.name, self.key = folder, name, key
        kept = stored(folder, name, key) if key is not None else None
        self.kept: dict[str, dict[str, Any]] = kept if isinstance(kept, dict) else {}
        self.made: dict[str, dict[str, Any]] = {}

    def get(self, kind: str, name: str, make: Callable[[], T]) -> T:
        values = self.kept.get(kind, {})
        if name in values:
            return values[name]  # type: ignore[no-any-return]
        value = self.made.setdefault(kind, {})[name] = make()
        return value

    def save(self) -> None:
        if self.key is None or not self.made:
            return
        for kind, values in self.made.items():
            self.kept.setdefault(kind, {}).update(values)
        store(self.folder, self.name, self.key, self.kept)
        self.made = {}


class PageCache:
    """Parsed pages by docs-relative path; a no-op when `folder` is None.

    The cache also names the set of values it holds with a `generation` token, which
    stays the same from one run to the next exactly when every page's value does (edits
    that leave a page's front-matter as it was included): work that depends on all the
    pages together can be remembered under it.
    """

    def __init__(self, folder: Path | None, key: str = ""):
        self.folder = folder
        self.key = (_FORMAT, __version__, key)
        self.entries: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.used: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.changed = False
        self.generation = ""
        self._values_differ = False
        self._loaded_generation = ""
        self._records = 0  # in the file: the entries, then change records
        self._renewed: set[str] = set()  # paths given a new entry in this run
        if folder is not None:
            self._load()
            self._loaded_generation = self.generation

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / "pages.pickle"

    def _load(self) -> None:
        assert self.path is not None
        try:
            with open(self.path, "rb") as handle:
                key, generation, entries = pickle.load(handle)  # noqa: S301 - our own file
                if key != self.key or not isinstance(entries, dict) or \
                        not isinstance(generation, str):
                    return
                self.entries, self.generation = entries, generation
                self._records = 1
                while True:  # the change records, each following the generation before it
                    parent, generation, changed, removed = pickle.load(handle)  # noqa: S301
                    if parent != self.generation:
                        break
                    entries.update(changed)
                    for path in removed:
                        entries.pop(path, None)
                    self.generation = generation
                    self._records += 1
        except Exception:  # missing, truncated, from another version: start afresh, or
            return  # keep what was read up to a torn record

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
        """Keep `value` for the file as it is now.

        A file modified a moment ago (or a link, with no identity of its own) is not
        kept: it is read again next time. If its value is what it was, the old entry
        stays, which its file no longer matches, to say that the value did not change.
        """
        if self.folder is None:
            return
        previous = self.entries.get(path)
        same = previous is not None and previous[1] == value
        if ident is not None and time.time_ns() - ident[1] >= _RACY_NS:
            self.used[path] = (ident, value)
            self._renewed.add(path)
            self.changed = True
        elif same:
            assert previous is not None
            self.used[path] = previous
        if not same:
            self._values_differ = True

    def settle(self) -> str:
        """The generation of this run's values, once every page has been got or put.

        A page that was not kept (a link, or a file modified a moment ago), a page that
        is gone or new, or a value that differs from last run's starts a new generation.
        """
        if self._values_differ or not self.generation or \
                self.used.keys() != self.entries.keys():
            self.generation = os.urandom(8).hex()
            self.changed = True
            self._values_differ = False
        return self.generation

    def save(self) -> None:
        """Write the entries used in this run (so deleted pages drop out).

        A few changes are appended as a change record; otherwise, or once the file holds
        many records, the whole file is written again, atomically.
        """
        if self.path is None or (not self.changed and len(self.used) == len(self.entries)):
            return
        removed = [path for path in self.entries if path not in self.used]
        small = len(self._renewed) + len(removed) <= max(16, len(self.used) // 100)
        if small and 0 < self._records < _MAX_RECORDS and self._loaded_generation:
            record = (self._loaded_generation, self.generation,
                      {path: self.used[path] for path in self._renewed}, removed)
            try:
                with open(self.path, "ab") as out:  # one write: a record is whole, or torn
                    out.write(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
                return
            except OSError:
                pass
        _write(self.path, (self.key, self.generation, self.used))

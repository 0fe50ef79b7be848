"""Parsed pages by path, kept between runs and keyed by each file's identity.

A repeated `check` on an unchanged or slightly changed site re-reads only what
changed. A page's entry is reused only when its path, size, modification time, change
time and inode are all unchanged, so edits, renames and deletions are always seen;
entries of files that are gone are dropped when the cache is saved.

When a run changes only a few entries, they are appended to the pages file as a change
record (a JSON line) rather than the whole file being written again; each record names
the generation it follows, so a record that is torn, or that follows another history,
is ignored with all after it (the pages it held are read again).
"""

from __future__ import annotations

import contextlib
import gc
import operator
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import writer
from .cache import HEAD, MISSING, encoded, read_file, usable, write_file
from .cachecodec import dumps, loads, shape
from .cachetable import Table

__all__ = ["Identity", "PageCache", "collector_paused"]

_MAX_RECORDS = 50
"""Change records appended before the file is written whole again."""
_RACY_NS = 2_000_000_000
"""A file modified this recently may change again within the same timestamp tick: such a
file is not cached, so an edit that keeps its size and mtime can never be missed."""
_PAGES = "pages.json"


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the garbage collector while a cache is read: what is read lives to the end
    of the run, and the collector would otherwise walk the tens of thousands of new
    containers over and over (a fifth of a warm run at 10,000 pages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


Identity = tuple[int, int, int, int]
"""A file as the cache knows it: size, modification time, inode and change time."""


_first = operator.itemgetter(0)


class PageCache:
    """Parsed pages by docs-relative path; a no-op when `folder` is None or cannot hold
    the cache.

    Each entry holds a value of `type_` (what a warm run needs of a page) and a text
    (what only some runs need, e.g. the page's parsed front-matter, which is read only
    when first asked for).

    The cache also names the set of values it holds with a `generation` token, which
    stays the same from one run to the next exactly when every page's value does (edits
    that leave a page's front-matter as it was included): work that depends on all the
    pages together can be remembered under it. `key` names what every entry depends on
    (the docs folder, whose path the findings name).

    The file is JSON lines: the head (with the generation, the table of mappings the
    values share, and each path's [identity, value]), the texts by path, then the change
    records, each [the generation it follows, its generation, {path: [identity, value,
    text]}, [paths removed], [mappings added to the table]].
    """

    def __init__(self, folder: Path | None, type_: Any, key: str = ""):
        self.folder = folder if folder is not None and usable(folder) else None
        self.key = key
        self.shape = shape(type_)
        self.entries: dict[str, tuple[Any, Any]] = {}  # path -> (identity, value)
        self.used: dict[str, tuple[Identity, Any]] = {}
        self.texts: dict[str, Any] = {}  # from change records and this run
        self._base_texts: memoryview | dict[str, Any] = {}  # the texts' line, until read
        self.table = Table()
        self.changed = False
        self.generation = ""
        self._values_differ = False
        self._loaded_generation = ""
        self._records = 0  # in the file: the entries, then change records
        self._renewed: set[str] = set()  # paths given a new entry in this run
        if self.folder is not None:
            with collector_paused():
                self._load(self.folder)
            self._loaded_generation = self.generation

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / _PAGES

    def _load(self, folder: Path) -> None:
        data = read_file(folder, _PAGES)
        if data is None:
            return
        # JSON lines; a last line without its line break is torn, and not read.
        head_end = data.find(b"\n")
        texts_end = data.find(b"\n", head_end + 1) if head_end >= 0 else -1
        if texts_end < 0:
            return
        try:
            head = loads(data[:head_end])
        except ValueError:
            return
        if type(head) is not list or len(head) != 7 or \
                head[:4] != [*HEAD, self.key] or \
                type(head[4]) is not str or type(head[5]) is not list or \
                type(head[6]) is not dict:
            return
        raw: dict[str, Any] = head[6]
        self.generation, self._records, self.table = head[4], 1, Table(head[5])
        self._base_texts = memoryview(data)[head_end + 1:texts_end]
        for line in data[texts_end + 1:].split(b"\n")[:-1]:  # each following the one before
            try:
                record = loads(line)
            except ValueError:
                break
            if type(record) is not list or len(record) != 5 or record[0] != self.generation \
                    or type(record[1]) is not str or type(record[2]) is not dict or \
                    type(record[3]) is not list or type(record[4]) is not list or \
                    not all(type(path) is str for path in record[3]):
                break
            self.table.data.extend(record[4])
            for path, entry in record[2].items():
                raw[path] = entry
                if type(entry) is list and len(entry) == 3:
                    self.texts[path] = entry[2]
            for path in record[3]:
                raw.pop(path, None)
            self.generation = record[1]
            self._records += 1
        with self.table.active():
            self.entries = self._decoded(raw)

    def _decoded(self, raw: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """The entries as (identity, value); any that does not fit is left out (its page
        is read again)."""
        entries = list(raw.values())
        try:  # thousands of records decode several times faster all together
            if set(map(type, entries)) <= {list} and set(map(len, entries)) <= {2, 3}:
                values = self.shape.many([entry[1] for entry in entries])
                return dict(zip(raw, zip(map(_first, entries), values, strict=True),
                                strict=True))
        except Exception:  # noqa: BLE001 - anything unexpected in the file: one by one
            pass
        decoded = {}
        for path, entry in raw.items():
            try:
                decoded[path] = (entry[0], self.shape.decode(entry[1]))
            except Exception:  # noqa: BLE001 - anything unexpected in the file: no entry
                continue
        return decoded

    def get(self, path: str, ident: Identity | None) -> Any:
        """The cached value for `path` if the file is unchanged, else None."""
        if ident is None or self.folder is None:
            return None
        entry = self.entries.get(path)
        if entry is not None and entry[0] == [*ident]:  # as JSON has it: a list
            self.used[path] = (ident, entry[1])
            return entry[1]
        return None

    def text(self, path: str) -> str | None:
        """The text kept with the entry `get` returned for `path`, or None."""
        text = self.texts.get(path)
        if text is None:
            if type(self._base_texts) is memoryview:
                try:
                    texts = loads(bytes(self._base_texts))
                except ValueError:
                    texts = {}
                self._base_texts = texts if type(texts) is dict else {}
            text = self._base_texts.get(path)  # type: ignore[union-attr]
        return text if type(text) is str else None

    def put(self, path: str, ident: Identity | None, value: Any, text: str) -> None:
        """Keep `value` and `text` for the file as it is now.

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
            self.texts[path] = text
            self._renewed.add(path)
            self.changed = True
        elif same and previous is not None and type(previous[0]) is list and \
                len(previous[0]) == 4 and all(type(n) is int for n in previous[0]):
            self.used[path] = (tuple(previous[0]), previous[1])
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

    def _entries(self, paths: Iterable[str], table: Table) -> dict[str, list[Any]]:
        """[identity, value] of each path, for the file; a value that does not fit its
        type is left out (its page is read again next time)."""
        out = {}
        with table.active():
            for path in paths:
                ident, value = self.used[path]
                data = encoded(self.shape, value)
                if data is not MISSING:
                    out[path] = [list(ident), data]
        return out

    def save(self) -> None:
        """Write the entries used in this run (so deleted pages drop out).

        A few changes are appended as a change record; otherwise, or once the file holds
        many records, the whole file is written again, atomically.
        """
        folder = self.folder
        if folder is None or (not self.changed and len(self.used) == len(self.entries)):
            return
        removed = [path for path in self.entries if path not in self.used]
        small = len(self._renewed) + len(removed) <= max(16, len(self.used) // 100)
        try:
            if small and 0 < self._records < _MAX_RECORDS and self._loaded_generation:
                self.table.added = []
                changed = self._entries(self._renewed, self.table)
                for path, entry in changed.items():
                    entry.append(self.texts[path])
                record = [self._loaded_generation, self.generation, changed, removed,
                          self.table.added]
                try:  # one write: a record is whole, or torn
                    writer.append(folder / _PAGES, dumps(record).encode("ascii") + b"\n",
                                  folder)
                    return
                except (writer.WriteProblem, OSError):
                    pass
            table = Table()  # written whole: only the mappings still used
            entries = self._entries(self.used, table)
            text = "\n".join([
                dumps([*HEAD, self.key, self.generation, table.data,
                       entries]),
                dumps({path: self.text(path) for path in entries}), ""])
        except ValueError:
            return
        write_file(folder, _PAGES, text)

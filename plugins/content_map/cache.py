"""An on-disk cache of parsed front-matter, keyed by each file's identity.

A repeated `check` on an unchanged or slightly changed site re-reads only what
changed. A page's entry is reused only when its path, size, modification time, change
time and inode are all unchanged, so edits, renames and deletions are always seen;
entries of files that are gone are dropped when the cache is saved. The cache lives in
`.cache/content-map/` beside mkdocs.yml (the folder Material's plugins use too), which
holds a `.gitignore` so that it is never committed.

The folder is in the repository, so it is untrusted input like the rest: it holds JSON
only, read back through the shapes the code declares (`cachecodec`), and anything
unexpected in it is simply no entry. Files are read only when regular (a FIFO cannot
hang a run) and written only through `writer`; when `.cache` or its `content-map` is a
link leading out of the project, or not a folder, the cache is not used at all. A cache
that cannot be read or written costs time, never a failure.

When a run changes only a few entries, they are appended to the pages file as a change
record (a JSON line) rather than the whole file being written again; each record names
the generation it follows, so a record that is torn, or that follows another history,
is ignored with all after it (the pages it held are read again).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import operator
import os
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from . import __version__, writer
from .cachecodec import Shape, Table, dumps, loads, shape
from .reader import open_regular

__all__ = ["CACHE_DIR", "Identity", "Kept", "PageCache", "collector_paused", "digest",
           "remembered", "store", "stored", "usable"]

CACHE_DIR = ".cache/content-map"
"""Where the cache lives, relative to mkdocs.yml."""

T = TypeVar("T")

_MAGIC = "content-map cache"
_FORMAT = 5  # bump whenever the shape of an entry changes
_MAX_BYTES = 1 << 30
"""A cache file larger than this is not read (a page costs about 1 KB)."""
_MAX_RECORDS = 50
"""Change records appended before the file is written whole again."""
_RACY_NS = 2_000_000_000
"""A file modified this recently may change again within the same timestamp tick: such a
file is not cached, so an edit that keeps its size and mtime can never be missed."""
_PAGES = "pages.json"
_MISSING: Any = object()


def digest(*parts: str | bytes) -> str:
    """One short key for everything in `parts` (text or bytes), kept apart from each other."""
    hashed = hashlib.blake2b(digest_size=16)
    for part in parts:
        hashed.update(part if isinstance(part, bytes) else
                      part.encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()


def _project(folder: Path) -> Path:
    """The project a cache folder belongs to: the folder `CACHE_DIR` is relative to."""
    tail = Path(CACHE_DIR).parts
    if folder.parts[-len(tail):] == tail:
        return folder.parents[len(tail) - 1]
    return folder.parent


def usable(folder: Path) -> bool:
    """Whether `folder` may hold the cache: as far as it exists, it is a folder whose real
    path lies inside the project (a link to elsewhere in a repository is not followed)."""
    root = _project(folder)
    current = folder
    while current != root and not os.path.lexists(current):
        current = current.parent
    return os.path.isdir(current) and writer.inside(current, root)


def _read(folder: Path, name: str) -> bytes | None:
    """A cache file's bytes; None when it is missing, not a regular file, or unreadable."""
    path = folder / name
    try:
        if not usable(folder) or os.path.islink(path):
            return None
        with open_regular(path) as handle:
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= _MAX_BYTES else None


def _prepared(folder: Path) -> bool:
    """Make the cache folder, with a `.gitignore` that keeps it out of commits; whether
    it can be written into."""
    if not usable(folder):
        return False
    try:
        writer.ensure_folder(folder, _project(folder))
        ignore = folder / ".gitignore"
        if not os.path.lexists(ignore):
            writer.replace(ignore, "# written by content-map: the cache is never committed\n*\n",
                           folder)
    except (writer.WriteProblem, OSError):
        return False
    return True


def _write(folder: Path, name: str, text: str) -> None:
    """Replace a cache file whole; a cache that cannot be written is no failure."""
    if _prepared(folder):
        with contextlib.suppress(writer.WriteProblem, OSError):
            writer.replace(folder / name, text.encode("ascii"), folder)


def _encoded(shaped: Shape, value: Any) -> Any:
    """`value` as JSON data, or `_MISSING` when it does not fit its shape (it is not kept)."""
    try:
        return shaped.encode(value)
    except (ValueError, RecursionError):
        return _MISSING


def _body(folder: Path | None, name: str, key: str) -> Any:
    """The data `_keep` wrote under `name` for the same `key` (and version), or `_MISSING`."""
    data = None if folder is None else _read(folder, f"{name}.json")
    if data is None:
        return _MISSING
    try:
        head = loads(data)
    except ValueError:
        return _MISSING
    if type(head) is not list or len(head) != 5 or head[:4] != [_MAGIC, _FORMAT, __version__,
                                                                   key]:
        return _MISSING
    return head[4]


def _keep(folder: Path | None, name: str, key: str, data: Any) -> None:
    if folder is not None and data is not _MISSING:
        try:
            text = dumps([_MAGIC, _FORMAT, __version__, key, data])
        except ValueError:
            return
        _write(folder, f"{name}.json", text + "\n")


def stored(folder: Path | None, name: str, key: str, type_: Any) -> Any:
    """What `store` kept under `name` for the same `key`, as a value of `type_`, or None."""
    data = _body(folder, name, key)
    if data is _MISSING:
        return None
    try:
        return shape(type_).decode(data)
    except Exception:  # noqa: BLE001 - anything unexpected in the file: no entry
        return None


def store(folder: Path | None, name: str, key: str, value: Any, type_: Any) -> None:
    """Keep `value` (of `type_`) under `name` for runs with the same `key` and version."""
    if folder is not None:
        _keep(folder, name, key, _encoded(shape(type_), value))


def _returned(compute: Callable[[], Any]) -> Any:
    """The type `compute` declares it returns, or None."""
    try:
        return typing.get_type_hints(compute).get("return")
    except Exception:  # noqa: BLE001 - an annotation that does not resolve: nothing kept
        return None


def remembered(folder: Path | None, name: str, key: str, compute: Callable[[], T],
               type_: Any = None) -> T:
    """`compute()`, or what it returned last time for the same `key` (e.g. validated options).

    The value is kept as a value of `type_`, by default the type `compute` is annotated
    to return; a value of no type the cache can hold is computed every time."""
    hint = type_ if type_ is not None else _returned(compute)
    try:
        shaped = shape(hint) if folder is not None and hint is not None else None
    except TypeError:
        shaped = None
    if shaped is None:
        return compute()
    data = _body(folder, name, key)
    if data is not _MISSING:
        try:
            return shaped.decode(data)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - anything unexpected in the file: no entry
            pass
    value = compute()
    _keep(folder, name, key, _encoded(shaped, value))
    return value


class Kept:
    """Values made in one run, by kind and name, kept for the next run with the same `key`
    (e.g. rendered pages, under a key naming everything they depend on).

    `types` gives the type of each kind's values. `get` returns the kept value, or makes
    it; `save` writes what was made. With no folder or no key, nothing is kept.
    """

    def __init__(self, folder: Path | None, name: str, key: str | None,
                 types: Mapping[str, Any]):
        self.folder, self.name, self.key = folder, name, key
        self.shapes = {kind: shape(hint) for kind, hint in types.items()}
        kept = _body(folder, name, key) if key is not None else _MISSING
        # Still JSON data, of the kinds declared only: a value is decoded when asked for.
        self.kept: dict[str, Any] = {kind: values for kind, values in kept.items()
                                     if kind in self.shapes and type(values) is dict} \
            if type(kept) is dict else {}
        self.made: dict[str, dict[str, Any]] = {}

    def get(self, kind: str, name: str, make: Callable[[], T]) -> T:
        values = self.kept.get(kind)
        if values is not None and name in values:
            try:
                return self.shapes[kind].decode(values[name])  # type: ignore[no-any-return]
            except Exception:  # noqa: BLE001 - anything unexpected in the file: make it
                pass
        value = self.made.setdefault(kind, {})[name] = make()
        return value

    def save(self) -> None:
        if self.key is None or not self.made:
            return
        for kind, values in self.made.items():
            known = self.kept.setdefault(kind, {})
            for name, value in values.items():
                data = _encoded(self.shapes[kind], value)
                if data is not _MISSING:
                    known[name] = data
        _keep(self.folder, self.name, self.key, self.kept)
        self.made = {}


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
        data = _read(folder, _PAGES)
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
                head[:4] != [_MAGIC, _FORMAT, __version__, self.key] or \
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

    def _encoded(self, paths: Iterable[str], table: Table) -> dict[str, list[Any]]:
        """[identity, value] of each path, for the file; a value that does not fit its
        type is left out (its page is read again next time)."""
        out = {}
        with table.active():
            for path in paths:
                ident, value = self.used[path]
                data = _encoded(self.shape, value)
                if data is not _MISSING:
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
                changed = self._encoded(self._renewed, self.table)
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
            entries = self._encoded(self.used, table)
            text = "\n".join([
                dumps([_MAGIC, _FORMAT, __version__, self.key, self.generation, table.data,
                       entries]),
                dumps({path: self.text(path) for path in entries}), ""])
        except ValueError:
            return
        _write(folder, _PAGES, text)

"""The on-disk cache: values remembered between runs under a key naming what they
depend on (validated options, the rules across pieces, rendered pages); the pages' own
entries are `pagecache.PageCache`. The cache lives in
`.cache/content-map/` beside mkdocs.yml (the folder Material's plugins use too), which
holds a `.gitignore` so that it is never committed.

The folder is in the repository, so it is untrusted input like the rest: it holds JSON
only, read back through the shapes the code declares (`cachecodec`), and anything
unexpected in it is simply no entry. Files are read only when regular (a FIFO cannot
hang a run) and written only through `writer`; when `.cache` or its `content-map` is a
link leading out of the project, or not a folder, the cache is not used at all. A cache
that cannot be read or written costs time, never a failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from . import __version__, writer
from .cachecodec import Shape, dumps, loads, shape
from .reader import open_regular

__all__ = ["CACHE_DIR", "HEAD", "MISSING", "Kept", "digest", "encoded", "read_file",
           "remembered", "store", "stored", "usable", "write_file"]

CACHE_DIR = ".cache/content-map"
"""Where the cache lives, relative to mkdocs.yml."""

T = TypeVar("T")

HEAD = ("content-map cache", 6, __version__)
"""What every cache file starts with; bump the number whenever an entry's shape changes."""
_MAX_BYTES = 1 << 30
"""A cache file larger than this is not read (a page costs about 1 KB)."""
MISSING: Any = object()


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


def read_file(folder: Path, name: str) -> bytes | None:
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


def write_file(folder: Path, name: str, text: str) -> None:
    """Replace a cache file whole; a cache that cannot be written is no failure."""
    if _prepared(folder):
        with contextlib.suppress(writer.WriteProblem, OSError):
            writer.replace(folder / name, text.encode("ascii"), folder)


def encoded(shaped: Shape, value: Any) -> Any:
    """`value` as JSON data, or `MISSING` when it does not fit its shape (it is not kept)."""
    try:
        return shaped.encode(value)
    except (ValueError, RecursionError):
        return MISSING


def _body(folder: Path | None, name: str, key: str) -> Any:
    """The data `_keep` wrote under `name` for the same `key` (and version), or `MISSING`."""
    data = None if folder is None else read_file(folder, f"{name}.json")
    if data is None:
        return MISSING
    try:
        head = loads(data)
    except ValueError:
        return MISSING
    if type(head) is not list or len(head) != 5 or head[:4] != [*HEAD,
                                                                   key]:
        return MISSING
    return head[4]


def _keep(folder: Path | None, name: str, key: str, data: Any) -> None:
    if folder is not None and data is not MISSING:
        try:
            text = dumps([*HEAD, key, data])
        except ValueError:
            return
        write_file(folder, f"{name}.json", text + "\n")


def stored(folder: Path | None, name: str, key: str, type_: Any) -> Any:
    """What `store` kept under `name` for the same `key`, as a value of `type_`, or None."""
    data = _body(folder, name, key)
    if data is MISSING:
        return None
    try:
        return shape(type_).decode(data)
    except Exception:  # noqa: BLE001 - anything unexpected in the file: no entry
        return None


def store(folder: Path | None, name: str, key: str, value: Any, type_: Any) -> None:
    """Keep `value` (of `type_`) under `name` for runs with the same `key` and version."""
    if folder is not None:
        _keep(folder, name, key, encoded(shape(type_), value))


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
    if data is not MISSING:
        try:
            return shaped.decode(data)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - anything unexpected in the file: no entry
            pass
    value = compute()
    _keep(folder, name, key, encoded(shaped, value))
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
        kept = _body(folder, name, key) if key is not None else MISSING
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
                data = encoded(self.shapes[kind], value)
                if data is not MISSING:
                    known[name] = data
        _keep(self.folder, self.name, self.key, self.kept)
        self.made = {}

"""What `mkdocs serve` watches besides the docs: the persona and journey folders and the
metrics file, also when one of them is created after the server started.

A path that exists is handed to the server's own `watch`. For one that does not exist
yet, the folder that will hold it is watched, not recursively, by a handler that looks
at that one name only: when it appears, the server watches it from then on and
rebuilds (the files it came with are new too). Nothing is created in the user's tree.

The server is MkDocs's live-reload server, passed in by the plugin: this module needs
only its `watch`, `unwatch` and `observer` (a watchdog observer).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["watch"]


def watch(server: Any, paths: Iterable[Path]) -> None:
    """Have `server` rebuild when anything under `paths` changes, once they exist."""
    for path in paths:
        target = os.path.abspath(path)
        if os.path.exists(target):
            server.watch(target)
        elif os.path.isdir(os.path.dirname(target)):
            _await(server, target)


def _await(server: Any, target: str) -> None:
    """Watch the folder that will hold `target` for `target` alone."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    watched: set[str] = set()

    class Appears(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            named = {os.path.abspath(os.fsdecode(p))
                     for p in (event.src_path, getattr(event, "dest_path", "")) if p}
            if target not in named:
                return
            if os.path.exists(target) and target not in watched:
                watched.add(target)
                server.watch(target)
                _rebuild(server)
            elif not os.path.exists(target) and target in watched:
                watched.discard(target)  # removed: watched again when it comes back
                server.unwatch(target)
                _rebuild(server)

    server.observer.schedule(Appears(), os.path.dirname(target), recursive=False)


def _rebuild(server: Any) -> None:
    """Ask the server for a rebuild, as its own watches do (MkDocs 1.6's live-reload
    server: a flag under its condition); a server without them rebuilds on the next
    change under what it now watches."""
    condition = getattr(server, "_rebuild_cond", None)
    if condition is None or not hasattr(server, "_want_rebuild"):
        return
    with condition:
        server._want_rebuild = True
        condition.notify_all()

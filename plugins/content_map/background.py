"""A value made on another core while this process goes on with its own work.

A site builder runs on one core. Work that only its last steps need (the map, the
badges) can be made in a forked child meanwhile: the child writes its result to a
temporary file and exits; `get` waits for it and reads it. Where there is no `fork`,
or this process runs threads (forking them is not safe), or the child fails in any
way, the value is made here, when it is first asked for, so the outcome is the same.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import IO, Generic, TypeVar

__all__ = ["Background"]

T = TypeVar("T")

_UNSET = object()


class Background(Generic[T]):
    """`make()`'s value, made in a forked child when `fork` is asked and possible."""

    def __init__(self, make: Callable[[], T], fork: bool = True):
        self._make = make
        self._value: object = _UNSET
        self._pid: int | None = None
        self._out: IO[bytes] | None = None
        if fork and hasattr(os, "fork") and threading.active_count() == 1:
            self._start()

    @property
    def forked(self) -> bool:
        """Whether a child is (or was) making the value."""
        return self._pid is not None

    def _start(self) -> None:
        try:
            out = tempfile.TemporaryFile()  # noqa: SIM115 - open until `get` reads it
        except OSError:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            out.close()
            return
        if pid == 0:  # the child: make the value, write it, and leave without cleaning up
            code = 1
            try:
                pickle.dump(self._make(), out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                code = 0
            except BaseException:  # noqa: BLE001 - the parent makes the value itself
                pass
            finally:
                os._exit(code)
        self._pid, self._out = pid, out

    def get(self) -> T:
        """The value: the child's when it made it, else made here (errors raise here)."""
        if self._value is _UNSET:
            value = self._collect()
            self._value = self._make() if value is _UNSET else value
        return self._value  # type: ignore[return-value]

    def _collect(self) -> object:
        """The child's value, or `_UNSET` when it did not make one."""
        if self._pid is None or self._out is None:
            return _UNSET
        out, self._out = self._out, None
        try:
            _, status = os.waitpid(self._pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return _UNSET
            out.seek(0)
            return pickle.load(out)  # noqa: S301 - written by our own child
        except Exception:  # noqa: BLE001 - a torn or unreadable result: make it here
            return _UNSET
        finally:
            out.close()

    def close(self) -> None:
        """Stop a child whose value is no longer wanted."""
        if self._pid is not None and self._out is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._out.close()
            self._out = None

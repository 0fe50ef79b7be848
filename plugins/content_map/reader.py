"""Every read of a file a user (or a repository) wrote starts here.

`open_regular` opens without blocking and looks at what it opened before reading a
byte, so a FIFO, a device or a socket planted where a page, a persona, a baseline, a
metrics file or an `INHERIT` target should be is refused instead of hanging the run.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

__all__ = ["NotRegular", "open_regular", "read_bytes"]


class NotRegular(OSError):
    """The path names a FIFO, device, socket or folder: nothing to read as a file."""


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading; `NotRegular` for anything else, without blocking."""
    fd = os.open(path, _FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a pipe, device or socket"
            raise NotRegular(f"is {kind}, not a regular file; it was not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """Up to `limit` + 1 bytes of a regular file (one more than allowed tells it is over)."""
    with open_regular(path) as handle:
        return handle.read(limit + 1)

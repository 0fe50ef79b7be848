"""Opening the files users wrote, safely: size caps, symlinks, encodings.

Nothing here ever writes, and no error message ever quotes the content of a file
outside the project (a symlink to a secret stays a secret).
"""

from __future__ import annotations

import os
from pathlib import Path

from .header import TextProblem, decode

__all__ = ["MAX_FILE_BYTES", "SourceProblem", "inside", "read_text", "registry_files"]

MAX_FILE_BYTES = 1024 * 1024
"""A persona or journey file larger than this is refused; real ones are under 20 KB."""


class SourceProblem(Exception):
    """A file that cannot be read as a source, with the line to point at (if any)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink followed, stays within `root`."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, RuntimeError):
        return False
    return real == root or root in real.parents


def read_text(path: Path, root: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The decoded text of a source file, or `SourceProblem` saying why it cannot be read."""
    if path.is_symlink() and not inside(path, root):
        raise SourceProblem("is a link to a file outside the project; it was not read")
    try:
        if path.is_dir():
            raise SourceProblem("is a folder, not a file")
        size = path.stat().st_size
        if size > limit:
            raise SourceProblem(
                f"is {size:,} bytes, over the limit of {limit:,}; split it or shorten it"
            )
        if not path.is_file():
            raise SourceProblem("is not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except SourceProblem:
        raise
    except OSError as exc:
        raise SourceProblem(f"cannot be read ({exc.strerror or 'error'})") from None
    if len(data) > limit:
        raise SourceProblem(f"is over the limit of {limit:,} bytes; split it or shorten it")
    try:
        return decode(data)
    except TextProblem as exc:
        raise SourceProblem(exc.message, exc.line) from None


def registry_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of a personas/ or journeys/ folder, in a stable order; hidden files skipped."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError:
        return []
    return [p for p in entries if not p.name.startswith((".", "_")) and p.suffix in suffixes]

"""Reading persona and journey files safely: size caps, links out of the project, encodings.

Nothing here ever writes, and no error message ever quotes the content of a file
outside the project (a symlink to a secret stays a secret).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..reader import NotRegular, open_regular
from .header import TextProblem, decode

__all__ = [
    "MAX_FILE_BYTES",
    "SourceProblem",
    "inside",
    "read_text",
    "registry_files",
    "trusted_folder",
]

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


def trusted_folder(folder: Path, root: Path) -> Path:
    """Where the files of a registry folder may really live.

    The project (`root`), unless the folder is configured outside it as a real
    folder (`personas_dir: ../shared/personas`): then that folder. A folder that is
    a link out of the project is not trusted, so its files are refused, not read.
    """
    lexical = os.path.normpath(os.path.abspath(folder))
    try:
        real = os.path.realpath(folder)
    except (OSError, ValueError):
        return root
    if real == lexical and not inside(Path(real), root):
        return Path(real)
    return root


def read_text(path: Path, root: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The decoded text of a source file, or `SourceProblem` saying why it cannot be read.

    A file whose real location is outside `root` is never opened: the message says
    so and quotes nothing, whatever the link points at (`/proc`, a secret).
    """
    if not inside(path, root):
        raise SourceProblem(
            "is a link to a file outside the project; it was not read" if path.is_symlink()
            else "is outside the project (its folder is a link); it was not read"
        )
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise SourceProblem(
                    f"is {size:,} bytes, over the limit of {limit:,}; split it or shorten it"
                )
            data = handle.read(limit + 1)
    except SourceProblem:
        raise
    except NotRegular as exc:
        raise SourceProblem(str(exc)) from None
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

"""Reading the site's files safely: size caps, links out of the project, encodings.

Nothing here ever writes, and no error message ever quotes the content of a file
outside the project (a symlink to a secret stays a secret).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..model import Finding
from ..pagecache import Identity
from ..reader import NotRegular, open_regular
from .header import Header, TextProblem, decode, read_header, read_page

__all__ = [
    "MAX_FILE_BYTES",
    "Homes",
    "SourceProblem",
    "inside",
    "read_page_header",
    "read_text",
    "registry_files",
    "trusted_folder",
    "utf8_name",
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


class Homes:
    """Whether pages really live inside the project, resolving each folder only once."""

    def __init__(self, homes: tuple[Path, ...]):
        self.homes = [os.path.realpath(h) for h in homes]
        self.folders: dict[str, bool] = {}  # folder -> whether its real path is at home

    def _at_home(self, real: str) -> bool:
        return any(real == h or real.startswith(h + os.sep) for h in self.homes)

    def contain(self, full: str) -> bool:
        if os.path.islink(full):
            return self._at_home(os.path.realpath(full))
        return self._folder_at_home(os.path.dirname(full))

    def _folder_at_home(self, folder: str) -> bool:
        home = self.folders.get(folder)
        if home is None:
            home = self.folders[folder] = self._at_home(os.path.realpath(folder))
        return home

    def identity(self, full: str) -> Identity | None:
        """The cache identity of a page that is a regular file inside the project, else None.

        One `lstat` per page: a link, or anything outside the project, gets no identity,
        so it is never taken from the cache and `read_page_header` looks at it in full. The
        change time is part of it: an edit that keeps the size and sets the modification
        time back still changes it.
        """
        try:
            st = os.lstat(full)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or not self._folder_at_home(full.rpartition(os.sep)[0]):
            return None
        return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def utf8_name(path: str) -> bool:
    """Whether a file name can be written as UTF-8: a name that is not (read by Python as
    lone surrogates) has no URL, and MkDocs fails on it."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_page_header(path: str, file: str, full: str, homes: Homes, findings: list[Finding],
                     broken: dict[str, str], whole: bool = False) -> tuple[Header, str] | None:
    """The page's header and, when read `whole`, its body (else ""); None (with a
    `yaml-syntax` finding, and why in `broken`) when the page must not be read."""
    if not utf8_name(path):
        findings.append(Finding("yaml-syntax", file, None,
                                "the file name is not valid UTF-8, so MkDocs cannot build the "
                                "page; rename it"))
        broken[path] = "name"
        return None
    if not homes.contain(full):
        findings.append(Finding("yaml-syntax", file, 1,
                                "the page is a link to a file outside the project; "
                                "it was not read" if os.path.islink(full) else
                                "the page is outside the project (its folder is a link); "
                                "it was not read"))
        broken[path] = "outside"
        return None
    try:
        regular = stat.S_ISREG(os.stat(full).st_mode)
    except OSError:
        regular = False
    if not regular:  # a pipe would block the read forever; a loop never resolves
        findings.append(Finding("yaml-syntax", file, 1,
                                "the page is a link that leads nowhere (a loop, or a missing "
                                "file); fix or remove the link" if os.path.islink(full) and
                                not os.path.exists(full) else
                                "the page is not a regular file (a pipe, device or socket); "
                                "it was not read"))
        broken[path] = "unreadable"
        return None
    try:
        return read_page(full) if whole else (read_header(full), "")
    except TextProblem as exc:
        findings.append(Finding("yaml-syntax", file, exc.line or 1, exc.message))
        broken[path] = "encoding"
    except OSError as exc:
        findings.append(Finding("yaml-syntax", file, 1,
                                f"the page cannot be read ({exc.strerror or 'error'})"))
        broken[path] = "unreadable"
    return None

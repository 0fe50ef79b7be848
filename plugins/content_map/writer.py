"""Every file the tool writes goes through here: the trust boundary for output.

Two kinds of target, treated differently:

- **Named by the user** (`-o FILE`, `--write-baseline FILE`): written as the shell's `>`
  writes. An existing link, FIFO or device is written into; a regular file is replaced
  whole (a reader never sees half a report) and keeps its mode; `-` is standard output.
- **Chosen by the tool** (`generate`, `new`, the cache): the target must really lie in
  the folder it belongs to (`within`). No link is followed at a name the tool chose, and
  folders are created one by one, each checked, so a link planted in a repository cannot
  send a write elsewhere.

Temporary files are created with `O_EXCL` under a short random name in the target's
folder (so a planted link at a predictable name is never opened, and a 255-byte target
name still has room), and are removed when the write fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from pathlib import Path

__all__ = ["WriteProblem", "append", "append_output", "create", "ensure_folder", "inside",
           "remove", "replace", "write_output"]

_TEMP_PREFIX = ".content-map-"
_TEMP_SUFFIX = ".tmp"


class WriteProblem(Exception):
    """A write that was refused or failed; the message names the target and the reason."""


def inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether `path`, with every link followed, is `folder` or lies within it."""
    try:
        real = os.path.realpath(path)
        home = os.path.realpath(folder)
    except (OSError, ValueError):
        return False
    return real == home or real.startswith(home.rstrip(os.sep) + os.sep)


def _data(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")


_NEW = 0o666
"""The mode asked for a new file; the user's umask takes its share, as for any program."""


def _temporary(folder: Path, mode: int = 0o600) -> tuple[int, Path]:
    """A new file of our own in `folder`: O_EXCL, never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    for _ in range(16):
        path = folder / f"{_TEMP_PREFIX}{secrets.token_hex(6)}{_TEMP_SUFFIX}"
        try:
            return os.open(path, flags, mode), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _atomic(target: Path, data: bytes, mode: int | None, sync: bool,
            mtime_ns: int | None = None) -> None:
    """Write `data` to a temporary file beside `target`, then rename it over `target`.

    `mode` is the mode of the file replaced; None for a new file (the umask decides).
    `mtime_ns` dates the file (a copy of a file as it was at a past commit)."""
    fd, tmp = _temporary(target.parent, _NEW if mode is None else 0o600)
    try:
        try:
            _write_all(fd, data)
            if mode is not None:
                os.fchmod(fd, mode)
            if mtime_ns is not None:
                os.utime(fd, ns=(mtime_ns, mtime_ns))
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _problem(target: str | os.PathLike[str], exc: OSError) -> WriteProblem:
    return WriteProblem(f"{os.fspath(target)}: cannot be written ({exc.strerror or exc})")


def write_output(name: str, text: str | bytes) -> None:
    """Write a report where the user named it, as the shell's `>` would."""
    data = _data(text)
    if name == "-":
        out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if out is None:  # a replaced stdout (tests): text only
            sys.stdout.write(data.decode("utf-8", "surrogateescape"))
        else:
            sys.stdout.flush()
            out.write(data)
            out.flush()
        return
    target = Path(name)
    try:
        try:
            st = os.stat(target)  # follows a link, as `>` does
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise WriteProblem(f"{name}: is a folder; name a file")
        if st is not None and (os.path.islink(target) or not stat.S_ISREG(st.st_mode)):
            # A link, FIFO or device: written into, never replaced.
            fd = os.open(target, os.O_WRONLY | os.O_TRUNC * stat.S_ISREG(st.st_mode) |
                         getattr(os, "O_CLOEXEC", 0))
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            return
        mode = stat.S_IMODE(st.st_mode) if st is not None else None
        _atomic(target, data, mode, sync=False)
    except OSError as exc:
        raise _problem(name, exc) from None


def append_output(name: str, text: str | bytes) -> None:
    """Add to the end of a file the user (or the CI runner) named, as the shell's `>>`
    would: created when missing, never truncated, in one write."""
    try:
        fd = os.open(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            _write_all(fd, _data(text))
        finally:
            os.close(fd)
    except OSError as exc:
        raise _problem(name, exc) from None


def _check_within(target: Path, within: Path) -> None:
    if not inside(target.parent, within):
        raise WriteProblem(f"{target}: its folder leads outside {within} (through a link); "
                           "nothing was written")
    if os.path.islink(target):
        raise WriteProblem(f"{target}: is a link; content-map does not write through links "
                           "it did not make")


def ensure_folder(folder: Path, within: Path) -> None:
    """Create `folder` and its parents inside `within`, refusing any that leads outside."""
    folder = Path(os.path.abspath(folder))
    home = Path(os.path.abspath(within))
    if folder != home and home not in folder.parents:
        raise WriteProblem(f"{folder}: is outside {within}; nothing was written")
    missing: list[Path] = []
    current = folder
    while current != home and not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    if not inside(current, home) or (current.exists() and not current.is_dir()):
        raise WriteProblem(f"{current}: leads outside {within} or is not a folder; "
                           "nothing was written")
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise _problem(path, exc) from None
        if os.path.islink(path) or not inside(path, home):
            raise WriteProblem(f"{path}: leads outside {within}; nothing was written")


def replace(target: Path, text: str | bytes, within: Path, sync: bool = False,
            mtime_ns: int | None = None) -> None:
    """Write a file the tool chose inside `within`, replacing its own earlier version."""
    try:
        ensure_folder(target.parent, within)
        _check_within(target, within)
        mode = None
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            pass
        else:
            if not stat.S_ISREG(st.st_mode):
                raise WriteProblem(f"{target}: is not a regular file; it was left alone")
            mode = stat.S_IMODE(st.st_mode)
        _atomic(target, _data(text), mode, sync, mtime_ns)
    except OSError as exc:
        raise _problem(target, exc) from None


def create(target: Path, text: str | bytes, within: Path) -> None:
    """Create a new file inside `within`; refuse if anything exists at its name.

    The file appears whole or not at all: it is written under a temporary name and then
    linked to its own, which fails if the name was taken meanwhile.
    """
    try:
        ensure_folder(target.parent, within)
        _check_within(target, within)
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", str(target))
        fd, tmp = _temporary(target.parent, _NEW)
        try:
            try:
                _write_all(fd, _data(text))
            finally:
                os.close(fd)
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise
            except OSError:  # no hard links here (some network and FAT file systems)
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                out = os.open(target, flags, 0o666)
                try:
                    _write_all(out, _data(text))
                finally:
                    os.close(out)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except FileExistsError:
        raise
    except OSError as exc:
        raise _problem(target, exc) from None


def remove(target: Path, within: Path) -> bool:
    """Delete a regular file the tool wrote inside `within`; False when it was not there."""
    try:
        _check_within(target, within)
        st = os.lstat(target)
        if not stat.S_ISREG(st.st_mode):
            return False
        os.unlink(target)
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _problem(target, exc) from None


def append(target: Path, text: str | bytes, within: Path) -> None:
    """Add to the end of a regular file the tool wrote inside `within`, in one write (a
    reader sees the addition whole, or torn at its end); never through a link, never
    into a FIFO or device, and never creating the file."""
    try:
        _check_within(target, within)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) |
                     getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise WriteProblem(f"{target}: is not a regular file; it was left alone")
            _write_all(fd, _data(text))
        finally:
            os.close(fd)
    except OSError as exc:
        raise _problem(target, exc) from None

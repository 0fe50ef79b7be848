"""A git repository's history, read without checking anything out.

The repository is untrusted input, as its files are. Git is run only with commands that
read objects (`rev-parse`, `log`, `ls-tree`, `cat-file --batch`), never one that checks
out, merges or diffs into a working tree, and with options that keep the repository's own
configuration from running anything: no hooks, no fsmonitor, no external diff or textconv
driver, no signature checks (which would run `gpg.program`), no pager, no replace refs.
`cat-file --batch` gives a blob's bytes as stored, with no filter applied. A blob is read
up to a limit and the rest skipped, so a huge file costs no memory.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = ["SAFE_CONFIG", "Blobs", "Change", "Commit", "GitProblem", "Repository", "locate"]

SAFE_CONFIG = (
    "core.hooksPath=/dev/null", "core.fsmonitor=false", "core.pager=cat",
    "log.showSignature=false", "diff.external=", "gpg.program=false", "core.askPass=",
    "i18n.logOutputEncoding=UTF-8", "log.showRoot=true", "core.untrackedCache=false",
)
"""Settings given on every git command line, over anything the repository configures."""

_TIMEOUT = 600
"""Seconds any one git command may take."""

FILE = "100644", "100755"
"""The modes of a regular file in a tree (links and submodules are not files to read)."""


class GitProblem(Exception):
    """Git is missing, the folder is not in a repository, or a command failed."""


def _environment() -> dict[str, str]:
    """The environment git runs in: none of the caller's `GIT_*` variables (which could
    point git at another repository or index), no prompts, no optional locks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_NO_REPLACE_OBJECTS="1",
               GIT_PAGER="cat", LC_ALL="C")
    return env


def _command(*args: str) -> list[str]:
    return ["git", "--no-pager", *(part for c in SAFE_CONFIG for part in ("-c", c)), *args]


def _run(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(_command(*args), cwd=cwd, env=_environment(),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=_TIMEOUT,
                              check=False)
    except FileNotFoundError:
        raise GitProblem("git is not installed") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitProblem(f"git could not run ({exc})") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitProblem(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


@dataclass(frozen=True)
class Change:
    """A file a commit changed: its path from the top of the repository, and its new mode
    and blob (None when the commit deleted it)."""

    path: str
    mode: str
    blob: str | None


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # committer time, seconds since the epoch
    day: str  # the committer's date, YYYY-MM-DD, in the committer's own time zone
    changes: tuple[Change, ...] = ()


@dataclass
class Repository:
    """Where a folder sits in its repository, and whether the history there is whole."""

    top: Path
    prefix: str  # the folder, from the top of the repository ("" or ending with "/")
    shallow: bool
    blobs_read: int = field(default=0)

    def log(self, paths: Iterable[str], limit: int) -> tuple[list[Commit], bool]:
        """The commits that changed `paths` (pathspecs from the top), oldest first, along
        the first parents (a merge counts as the changes it brought to its branch); at
        most the newest `limit`, and whether there were more (none before a first commit)."""
        try:
            _run(self.top, "rev-parse", "--quiet", "--verify", "HEAD^{commit}")
        except GitProblem:
            return [], False
        out = _run(self.top, "log", "--first-parent", "--diff-merges=first-parent", "--raw",
                   "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv",
                   "--no-color", "--no-show-signature", "-z", "--format=%H %ct %cs",
                   f"--max-count={limit + 1}", "HEAD", "--", *paths)
        commits: list[Commit] = []
        changes: list[Change] = []
        head: list[str] | None = None
        tokens = iter(out.decode("utf-8", "surrogateescape").split("\0"))
        for token in tokens:
            token = token.lstrip("\n")
            if token.startswith(":"):
                meta = token[1:].split(" ")
                path = next(tokens, "")
                if len(meta) == 5:
                    deleted = meta[4].startswith("D")
                    changes.append(Change(path, meta[1], None if deleted else meta[3]))
            elif token:
                if head is not None:
                    commits.append(_commit(head, changes))
                head, changes = token.split(" "), []
        if head is not None:
            commits.append(_commit(head, changes))
        more = len(commits) > limit
        commits = commits[:limit]
        commits.reverse()
        return commits, more

    def tree(self, commit: str, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The files under `paths` at `commit`: path from the top -> (mode, blob)."""
        out = _run(self.top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
        files: dict[str, tuple[str, str]] = {}
        for entry in out.decode("utf-8", "surrogateescape").split("\0"):
            meta, _, path = entry.partition("\t")
            parts = meta.split(" ")
            if len(parts) == 3 and parts[1] == "blob":
                files[path] = (parts[0], parts[2])
        return files

    def blobs(self) -> Blobs:
        return Blobs(self)


def _commit(head: list[str], changes: list[Change]) -> Commit:
    sha, time, day = (head + ["", "0", ""])[:3]
    return Commit(sha, int(time) if time.isdigit() else 0, day, tuple(changes))


def locate(folder: Path) -> Repository:
    """The repository `folder` is in; `GitProblem` when there is none (or no git)."""
    out = _run(folder, "rev-parse", "--show-toplevel", "--show-prefix",
               "--is-shallow-repository").decode("utf-8", "surrogateescape").split("\n")
    if len(out) < 3:
        raise GitProblem("not a git repository")
    return Repository(Path(out[0]), out[1], out[2].strip() == "true")


class Blobs:
    """Blobs read through one `git cat-file --batch`, each up to a limit; counts its reads
    in the repository's `blobs_read`."""

    def __init__(self, repository: Repository):
        self.repository = repository
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _started(self) -> tuple[IO[bytes], IO[bytes]]:
        if self.process is None:
            try:
                self.process = subprocess.Popen(
                    _command("cat-file", "--batch"), cwd=self.repository.top,
                    env=_environment(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL)
            except OSError as exc:
                raise GitProblem(f"git could not run ({exc})") from None
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def read(self, blob: str, limit: int) -> bytes:
        """The blob's first `limit + 1` bytes at most (a reader that finds more than
        `limit` says the file is too large); `GitProblem` when it is not a blob."""
        stdin, stdout = self._started()
        try:
            stdin.write(blob.encode("ascii", "replace") + b"\n")
            stdin.flush()
            header = stdout.readline().split()
        except OSError as exc:
            raise GitProblem(f"git stopped reading blobs ({exc})") from None
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            raise GitProblem(f"{blob} is not a blob in this repository")
        self.repository.blobs_read += 1
        size = int(header[2])
        data = stdout.read(min(size, limit + 1))
        for _ in _skipped(stdout, size - len(data)):
            pass
        stdout.read(1)  # the line feed after the content
        return data

    def close(self) -> None:
        if self.process is not None:
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
            self.process.wait()
            self.process = None


def _skipped(stream: IO[bytes], size: int) -> Iterator[int]:
    """Read and drop `size` bytes, a chunk at a time."""
    while size > 0:
        chunk = stream.read(min(size, 1 << 20))
        if not chunk:
            return
        size -= len(chunk)
        yield len(chunk)

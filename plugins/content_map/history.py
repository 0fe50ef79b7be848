"""`content-map history`: coverage, open gaps and pieces at each day of the git history
that changed the personas, journeys, pages or options.

Each day's last commit is checked as `check` would have checked it that day: its files
are copied out of git (never checked out: see `repository`) into a private folder in the
cache, `.cache/content-map/history/site/`, and the one engine analyses that copy with the
commit's own mkdocs.yml and options, as of the commit's date. From one commit to the next
only the files that changed are copied, and the pages that did not change come from the
page cache, so a long history costs about one check per day plus the changed pages.

Each commit's figures are kept in the cache (JSON, read back through declared types): a
commit's files never change, so a second run analyses only the days that are new. The
folders followed are those mkdocs.yml names today; the files read are the config, the
personas and journeys, the Markdown pages and the metrics file, each within the same
size limits as on disk (and read by the same reader, as regular files only).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import writer
from .cache import CACHE_DIR, digest, store, stored, usable
from .engine import Project, analyse
from .load.siteconfig import MAX_CONFIG_BYTES, read_site_config
from .load.source import MAX_FILE_BYTES
from .model import Analysis
from .reader import read_bytes
from .reports.json import dumps
from .repository import FILE, Blobs, Commit, GitProblem, Repository, locate
from .settings import Settings, from_options
from .terminal import visible

__all__ = ["FORMATS", "MAX_COMMITS", "History", "Point", "arguments", "command", "history",
           "point_of", "render"]

MAX_COMMITS = 5000
"""The newest commits read: an older history is left out (and the history says so)."""
_READ_LIMIT = max(MAX_FILE_BYTES, MAX_CONFIG_BYTES)
"""Bytes of a blob copied: a reader that finds more says the file is too large."""

SettingsOf = Callable[[Path, "dict[str, object] | None", "Path | None"], Settings]
"""Validates a site's options: (mkdocs.yml, its options, a cache folder) -> settings."""


@dataclass(frozen=True)
class Point:
    """The map as `check` saw it at one commit, on its date."""

    date: str
    commit: str
    coverage: float | None
    gaps: int
    pieces: int
    personas: Mapping[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"date": self.date, "commit": self.commit, "coverage": self.coverage,
                "gaps": self.gaps, "pieces": self.pieces, "personas": dict(self.personas)}


@dataclass(frozen=True)
class History:
    complete: bool  # the whole history was read (not a shallow clone, nothing left out)
    points: tuple[Point, ...]  # oldest first, one a day
    note: str = ""  # why it is not complete, in a sentence
    analysed: int = 0  # the days analysed in this run (the others came from the cache)
    blobs_read: int = 0  # the files read out of git in this run


def _from_options(path: Path, options: dict[str, object] | None, cache: Path | None
                  ) -> Settings:
    return from_options(options or {})


def _coverage(states: list[str]) -> float | None:
    counted = [s for s in states if s != "skipped"]
    return round(sum(s == "covered" for s in counted) / len(counted), 4) if counted else None


def point_of(analysis: Analysis, day: str, commit: str) -> Point:
    """An analysis's figures, as a point of the history."""
    by_persona: dict[str, list[str]] = {p.id: [] for p in analysis.personas}
    for cell in analysis.cells:
        by_persona.setdefault(cell.persona, []).append(cell.state)
    coverage = analysis.coverage
    return Point(day, commit, None if coverage is None else round(coverage, 4),
                 sum(c.state == "gap" for c in analysis.cells), len(analysis.pieces),
                 {persona: _coverage(states) for persona, states in by_persona.items()})


def _folder(path: str) -> str:
    """A folder of the site as a path from its root ('' for the root itself)."""
    clean = posixpath.normpath(path.replace(os.sep, "/"))
    return "" if clean == "." else clean + "/"


def _glob_escaped(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class _Followed:
    """What the history follows, from the site's folder: the config, the personas and
    journeys folders, the Markdown pages and the metrics file."""

    def __init__(self, config_file: str, settings: Settings, docs: str):
        self.config_file = config_file
        self.files = {config_file} | ({settings.metrics_file} if settings.metrics_file else set())
        self.registries = (_folder(settings.personas_dir), _folder(settings.journeys_dir))
        self.docs = _folder(docs)

    def pathspecs(self, prefix: str) -> list[str]:
        specs = [f":(literal){prefix}{name}" for name in sorted(self.files)]
        specs += [f":(literal){prefix}{folder}" for folder in self.registries if folder]
        specs.append(f":(glob){_glob_escaped(prefix + self.docs)}**/*.md")
        return specs

    def wanted(self, path: str) -> bool:
        if path in self.files:
            return True
        if any(folder and path.startswith(folder) and "/" not in path[len(folder):]
               for folder in self.registries):
            return path.endswith((".yml", ".yaml", ".md"))
        return path.startswith(self.docs) and path.endswith(".md")


def _git_hash(path: Path) -> str | None:
    """The blob id git gives a file's bytes; None when it is not a regular file."""
    try:
        if path.is_symlink():
            return None
        data = read_bytes(path, MAX_FILE_BYTES)  # a longer file differs: it is copied again
    except OSError:  # missing, or not a regular file
        return None
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class _Copy:
    """The site's files as they were at one commit, in a folder of their own."""

    def __init__(self, folder: Path, blobs: Blobs, within: Path):
        self.folder = folder
        self.blobs = blobs
        self.within = within  # the folder every write must stay in
        self.held: dict[str, str | None] | None = None  # path -> blob id, once known

    def _known(self) -> dict[str, str | None]:
        """What the folder holds from an earlier run (the blob ids of its files)."""
        held: dict[str, str | None] = {}
        if self.folder.is_dir():
            for current, dirs, files in os.walk(self.folder):
                dirs[:] = [d for d in dirs if d != ".cache" or current != str(self.folder)]
                rel = os.path.relpath(current, self.folder)
                for name in files:
                    path = name if rel == "." else f"{rel.replace(os.sep, '/')}/{name}"
                    held[path] = None  # hashed when the tree names it
        return held

    def become(self, tree: Mapping[str, tuple[str, str]], when: int) -> None:
        """Make the folder hold exactly `tree` (path -> (mode, blob)); files are dated
        `when` (seconds), so the page cache can keep them from one commit to the next."""
        if self.held is None:
            self.held = self._known()
            for path in list(self.held):
                if path in tree:
                    self.held[path] = _git_hash(self.folder / path)
        held = self.held
        writer.ensure_folder(self.folder, self.within)
        for path in [p for p in held if p not in tree or tree[p][0] not in FILE]:
            writer.remove(self.folder / path, self.folder)
            del held[path]
        for path, (mode, blob) in tree.items():
            if mode not in FILE or held.get(path) == blob:
                continue
            data = self.blobs.read(blob, _READ_LIMIT)
            writer.replace(self.folder / path, data, self.folder, mtime_ns=when * 10**9)
            held[path] = blob


def history(root: Path, config_file: str, settings: Settings, docs_dir: Path,
            cache_dir: Path | None, *, since: dt.date | None = None,
            settings_of: SettingsOf | None = None, limit: int = MAX_COMMITS,
            budget: int | None = None) -> History:
    """The history of the site whose mkdocs.yml is `root / config_file`.

    `settings_of` validates a commit's options (by default `settings.from_options`);
    `budget` is the most days analysed in this run (the newest first; None: all)."""
    try:
        repository = locate(root)
    except GitProblem as exc:
        return History(False, (), f"no history: {root} is not in a git repository that "
                       f"can be read ({exc})")
    followed = _Followed(config_file, settings, os.path.relpath(docs_dir, root))
    try:
        commits, more = repository.log(followed.pathspecs(repository.prefix), limit)
    except GitProblem as exc:
        return History(False, (), f"no history: git could not read it ({exc})")
    notes = []
    if repository.shallow:
        notes.append("this is a shallow clone, so the history starts at its oldest commit "
                     "(fetch the whole history, e.g. `fetch-depth: 0` on GitHub Actions)")
    if more:
        notes.append(f"only the newest {limit:,} commits that changed the site were read")
    days: dict[str, int] = {}
    for n, commit in enumerate(commits):
        days.pop(commit.day, None)
        days[commit.day] = n  # the day's last commit, in the order of the history
    shown = sorted((day, n) for day, n in days.items()
                   if since is None or day >= since.isoformat())
    key = digest(repository.prefix, config_file, *followed.pathspecs(""))
    kept: dict[str, Point | None] = stored(cache_dir, "history", key,
                                           dict[str, Point | None]) or {}
    todo = sorted(n for _, n in shown if commits[n].sha not in kept)
    if budget is not None and len(todo) > budget:
        notes.append(f"{len(todo) - budget:,} more days are analysed by the next runs")
        todo = todo[-budget:] if budget > 0 else []
    if todo:
        kept.update(_analysed(repository, commits, set(todo), followed, more, root,
                              cache_dir, settings_of or _from_options))
        listed = {commit.sha for commit in commits}  # a rewritten history leaves the rest
        store(cache_dir, "history", key, {sha: p for sha, p in kept.items() if sha in listed},
              dict[str, Point | None])
    points = tuple(point for _, n in shown
                   if (point := kept.get(commits[n].sha)) is not None)
    return History(not notes, points, "; ".join(notes), len(todo), repository.blobs_read)


def _analysed(repository: Repository, commits: list[Commit], todo: set[int],
              followed: _Followed, truncated: bool, root: Path, cache_dir: Path | None,
              settings_of: SettingsOf) -> dict[str, Point | None]:
    """Each commit of `todo` (positions in `commits`) analysed, by its id."""
    prefix = repository.prefix
    tree: dict[str, tuple[str, str]] = {}
    start = 0
    if truncated and commits:  # the history before the oldest commit read: its tree
        tree = {path[len(prefix):]: entry for path, entry in repository.tree(
            commits[0].sha, followed.pathspecs(prefix)).items() if path.startswith(prefix)}
        tree = {path: entry for path, entry in tree.items() if followed.wanted(path)}
        start = 1
    temporary = None
    if cache_dir is not None and usable(cache_dir):
        folder, within = cache_dir / "history" / "site", root
    else:
        within = Path(temporary := tempfile.mkdtemp(prefix="content-map-history-"))
        folder = within / "site"
    found: dict[str, Point | None] = {}
    options_seen: dict[str, Settings | None] = {}

    def analysed(copy: _Copy, commit: Commit) -> None:
        """The commit's point, unless its files could not be copied out (a missing
        object, a full disk): then none, and the next run tries that day again."""
        try:
            copy.become(tree, commit.time)
        except (GitProblem, writer.WriteProblem, OSError):
            copy.held = None  # what the folder holds is found out again
            return
        found[commit.sha] = _point(folder, followed, commit, options_seen, settings_of,
                                   cache_dir)

    try:
        with repository.blobs() as blobs:
            copy = _Copy(folder, blobs, within)
            if start and 0 in todo:
                analysed(copy, commits[0])
            for n in range(start, len(commits)):
                for change in commits[n].changes:
                    path = change.path[len(prefix):] if change.path.startswith(prefix) else None
                    if path is None or not followed.wanted(path):
                        continue
                    if change.blob is None:
                        tree.pop(path, None)
                    else:
                        tree[path] = (change.mode, change.blob)
                if n in todo:
                    analysed(copy, commits[n])
    except (GitProblem, writer.WriteProblem, OSError):
        pass  # git stopped: what was analysed is kept, the rest is tried again next time
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return found


def _point(folder: Path, followed: _Followed, commit: Commit,
           options_seen: dict[str, Settings | None], settings_of: SettingsOf,
           cache_dir: Path | None) -> Point | None:
    """The point of one commit, its files in `folder`; None when `check` would have
    refused to run there (no mkdocs.yml, options it cannot use, docs outside the site)."""
    config = folder / followed.config_file
    if not config.is_file():
        return None
    try:
        site = read_site_config(config)
        seen = repr(sorted((site.options or {}).items(), key=str))
        if seen not in options_seen:
            options_seen[seen] = settings_of(site.path, site.options, cache_dir)
        settings = options_seen[seen]
        day = dt.date.fromisoformat(commit.day)
    except Exception:  # noqa: BLE001 - options `check` would refuse: no point that day
        options_seen.setdefault("", None)
        return None
    if settings is None or not site.docs_dir.is_dir() or \
            not writer.inside(site.docs_dir, folder):
        return None
    project = Project(root=folder, docs_dir=site.docs_dir, settings=settings,
                      config_file=config.name,
                      cache_dir=folder / ".cache" / "content-map" if cache_dir else None)
    return point_of(analyse(project, today=day).analysis, commit.day, commit.sha)


# -- the command ---------------------------------------------------------------------------

FORMATS = ("text", "json", "csv")


def arguments(parser: argparse.ArgumentParser, date: Callable[[str], dt.date]) -> None:
    """The options of `content-map history`, after the ones every site command has."""
    parser.add_argument("--format", default=FORMATS[0], choices=FORMATS,
                        help="text (default), json, or csv: one row a day")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE")
    parser.add_argument("--since", type=date, metavar="DATE",
                        help="only the days from DATE (YYYY-MM-DD) on")


def command(args: argparse.Namespace, settings_of: SettingsOf) -> str:
    """What `content-map history` writes; `SiteConfigError` for a site it cannot read."""
    site = read_site_config(args.config_file)
    cache_dir = None if args.no_cache else site.root / CACHE_DIR
    settings = settings_of(site.path, site.options, cache_dir)  # validated once, then kept
    found = history(site.root, site.path.name, settings, site.docs_dir, cache_dir,
                    since=args.since, settings_of=settings_of)
    return render(found, args.format)


def render(found: History, fmt: str) -> str:
    """The history as text (a table and its note), JSON (SPEC §7) or CSV (one row a day,
    a column per persona's coverage)."""
    if fmt == "json":
        document: dict[str, object] = {"complete": found.complete,
                                       "points": [p.to_dict() for p in found.points]}
        if found.note:
            document["note"] = found.note
        return dumps(document, compact=False)
    personas = sorted({pid for p in found.points for pid in p.personas})
    if fmt == "csv":
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(["date", "commit", "coverage", "gaps", "pieces",
                      *(f"coverage:{pid}" for pid in personas)])
        for p in found.points:
            out.writerow([p.date, p.commit, _number(p.coverage), p.gaps, p.pieces,
                          *(_number(p.personas.get(pid)) for pid in personas)])
        return buffer.getvalue()
    lines = [f"{'date':<10}  {'coverage':>8}  {'open gaps':>9}  {'pieces':>6}  commit"]
    lines += [f"{p.date:<10}  {_percent(p.coverage):>8}  {p.gaps:>9}  {p.pieces:>6}  "
              f"{p.commit[:10]}" for p in found.points]
    if not found.points:
        lines = ["no day in the history changed the personas, journeys, pages or options"
                 + (" (or none could be checked)" if found.complete else "")]
    if found.note:
        lines.append(f"note: {visible(found.note)}")
    return "\n".join(lines) + "\n"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"

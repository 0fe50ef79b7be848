"""Reading the site's pages: found in the docs folder, read once (or taken from the page
cache), and on many cores when there are thousands.

What each page's front-matter says is judged by `pieces`; this module decides which
pages are read, and keeps their outcomes between runs.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from ..cache import digest
from ..cachecodec import dumps, loads, shape
from ..model import Finding, Journey, Persona, Piece
from ..pagecache import Identity, PageCache, collector_paused
from ..settings import Settings
from . import safe_yaml
from .labels import MAPPING_FIELDS, Labels
from .languages import ONE_LANGUAGE, Languages
from .pieces import PageIndex, PieceMaker, front_matter, unbuilt, unmapped
from .schema import PAGE_FIELDS
from .source import Homes, read_page_header, utf8_name

__all__ = ["CACHED", "PageIndex", "PageReader", "PageText", "Parsed", "discover_pages",
           "excluded", "load_pieces", "utf8_name"]


def excluded(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def discover_pages(docs_dir: Path, root: Path) -> tuple[list[str], list[Finding]]:
    """Markdown pages under `docs_dir` as MkDocs finds them (hidden files and folders
    skipped), and a `yaml-syntax` finding for each folder link that was not followed
    because it leads outside the project."""
    pages: list[str] = []
    outside: list[str] = []
    docs = str(docs_dir)
    bounds = [os.path.realpath(docs), os.path.realpath(root)]
    seen: set[tuple[int, int]] = set()
    for current, dirs, files in os.walk(docs, followlinks=True):
        try:
            stat = os.stat(current)
        except OSError:
            dirs[:] = []
            continue
        if (stat.st_dev, stat.st_ino) in seen:  # a symlink loop: walk each folder once
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        rel = os.path.relpath(current, docs)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = os.path.join(current, name)
            real = os.path.realpath(path)
            if os.path.islink(path) and not any(
                    real == b or real.startswith(b + os.sep) for b in bounds):
                outside.append(prefix + name)
                continue
            kept.append(name)
        dirs[:] = kept
        pages.extend(prefix + f for f in files if f.endswith(".md") and not f.startswith("."))
    docs_rel = os.path.relpath(Path(docs_dir).resolve(), root).replace(os.sep, "/")
    return sorted(pages), [
        Finding("yaml-syntax", f"{docs_rel}/{link}" if docs_rel != "." else link, None,
                "the folder is a link to a place outside the project; it was not read")
        for link in outside
    ]


PARALLEL_FROM = 2000
"""Pages to read before a second process pays for itself (a fork costs ~30 ms)."""

# (piece or None, the page's findings, why its front-matter is broken or None, and the
# parsed front-matter as JSON text for the cache, or None)
Outcome = tuple["Piece | None", list[Finding], "str | None", "str | None"]

Parsed = tuple[str | None, safe_yaml.YamlMap | None, list[Finding], str | None]
"""What reading a page's header gives: its title, front-matter, findings and why the
front-matter is broken. The cache keeps it as JSON text, decoded only when a page's
outcome must be made again (when the personas, journeys, pages or options changed)."""

CACHED = tuple[str, Piece | None, list[Finding], str | None]
"""A page's value in the cache: the context its outcome was made in (see `_context`),
and that outcome; its `Parsed`, as JSON text, is the entry's text."""


def load_pieces(
    pages: Iterable[str],
    docs_dir: Path,
    root: Path,
    journeys: list[Journey],
    personas: list[Persona],
    settings: Settings,
    cache: PageCache | None = None,
    parallel: bool = False,
    languages: Languages = ONE_LANGUAGE,
) -> tuple[list[Piece], list[Finding]]:
    """Read each page's header; return the pieces and the findings.

    Excluded pages are not pieces, but their front-matter is still checked: MkDocs
    parses it all the same. With a `cache`, a page whose file is unchanged since the
    last run is not read again: its parsed front-matter and findings come from the cache.
    With `parallel`, many pages to read are shared among the machine's cores. A page
    that translates another (see `languages`) is checked, but only the page it
    translates is a piece.
    """
    pages = sorted(pages)
    job = _PageJob(pages, docs_dir, root, journeys, personas, settings, cache is not None,
                   languages)
    outcomes: dict[str, Outcome] = {}
    todo: list[tuple[str, str | None]] = []
    idents: dict[str, Identity | None] = {}
    with collector_paused():  # everything the cache gives lives to the end of the run
        for path in pages:
            hit = None
            if cache is not None:
                ident = idents[path] = job.homes.identity(job.docs_sep + path)
                hit = cache.get(path, ident)
            if hit is not None:
                if hit[0] == job.context:  # same file, personas, journeys, pages, options
                    outcomes[path] = (hit[1], hit[2], hit[3], None)
                else:  # the outcome is made again from the parsed front-matter
                    todo.append((path, cache.text(path) if cache is not None else None))
            else:
                todo.append((path, None))
    for (path, _), outcome in zip(todo, _run(job, todo, parallel), strict=True):
        outcomes[path] = outcome
        if cache is not None and outcome[3] is not None:
            cache.put(path, idents[path], (job.context, *outcome[:3]), outcome[3])

    pieces: list[Piece] = []
    findings: list[Finding] = []
    for path in pages:
        piece, page_findings, _, _ = outcomes[path]
        findings.extend(page_findings)
        if piece is not None:
            pieces.append(piece)
    return pieces, findings


_JOB: _PageJob | None = None  # the job a forked worker runs


def _in_worker(item: tuple[str, str | None]) -> Outcome:
    assert _JOB is not None
    return _JOB.run(*item)


def _run(job: _PageJob, todo: list[tuple[str, str | None]], parallel: bool) -> list[Outcome]:
    """Each page's outcome, in order; in forked worker processes when that pays."""
    cores = os.cpu_count() or 1
    if not parallel or cores < 2 or len(todo) < PARALLEL_FROM:
        return [job.run(*item) for item in todo]
    import multiprocessing  # only for a run that reads thousands of pages

    if "fork" not in multiprocessing.get_all_start_methods():
        return [job.run(*item) for item in todo]
    global _JOB
    _JOB = job
    try:
        with multiprocessing.get_context("fork").Pool(min(cores, 4)) as pool:
            return pool.map(_in_worker, todo, chunksize=max(64, len(todo) // (cores * 8)))
    except OSError:  # no processes to be had: do it here
        return [job.run(*item) for item in todo]
    finally:
        _JOB = None


class _PageJob:
    """Everything needed to turn one page into its outcome, shared by all pages of a run."""

    def __init__(self, pages: list[str], docs_dir: Path, root: Path, journeys: list[Journey],
                 personas: list[Persona], settings: Settings, keep_parsed: bool,
                 languages: Languages = ONE_LANGUAGE):
        self.docs = str(docs_dir)
        self.docs_sep = os.path.join(self.docs, "")  # the docs folder, ending with a separator
        self.docs_rel = _relative(docs_dir, root)
        self.homes = Homes((Path(docs_dir), root))
        self.names = {f.name: settings.field_name(f.name) for f in PAGE_FIELDS}
        self.exclude = settings.exclude
        self.translations = languages.translations(pages)  # translation -> its page
        self.keep_parsed = keep_parsed
        self.shared: dict[Any, Any] = {}  # one object for each value many pieces hold
        labels = Labels.of(personas, journeys, self.names, settings.unmatched_labels)
        self.maker = PieceMaker(pages, personas, journeys, self.names, self.share, labels)
        self.context = _context(pages, self.names, self.maker.persona_ids, personas, journeys,
                                settings, languages, labels)

    def share(self, value: Any, key: Any = None) -> Any:
        """The one object equal to `value` (or known by `key`) that pieces hold, so that a
        cache of thousands of pieces stores and loads each status, owner, stage or field
        layout once."""
        return self.shared.setdefault(value if key is None else key, value)

    def run(self, path: str, parsed: str | None = None) -> Outcome:
        """Read (or take from `parsed`) one page's front-matter and make it a piece."""
        file = f"{self.docs_rel}/{path}" if self.docs_rel not in ("", ".") else path
        findings: list[Finding] = []
        broken: dict[str, str] = {}
        kept = _kept(parsed) if parsed is not None else None
        if kept is not None:
            title, data, parse_findings, reason = kept
            findings.extend(parse_findings)
            if reason is not None:
                broken[path] = reason
        else:
            read = read_page_header(path, file, os.path.join(self.docs, path), self.homes,
                                    findings, broken)
            if read is None:
                return None, findings, broken.get(path), None
            header = read[0]
            data = front_matter(path, file, header, findings, broken)
            title = header.title
            # Kept as JSON text: decoded only when the context changes.
            parsed = _keepable((title, data, findings[:], broken.get(path))) \
                if self.keep_parsed else None
        piece = None
        names = self.names
        if excluded(path, self.exclude) or path in self.translations:
            pass
        elif data is None or not any(names[k] in data for k in MAPPING_FIELDS):
            if path not in broken:
                unmapped(file, findings, names)
        else:
            mark = len(findings)
            piece = self.maker.make(path, file, title, data, findings)
            if self.maker.labels.unlabelled(piece, {k for k in MAPPING_FIELDS
                                                    if names[k] in data}):
                piece = None  # none of its labels is the site's: not a piece
                del findings[mark:]
        if data is not None and data.unbuilt:
            unbuilt(file, data, findings)
        return piece, findings, broken.get(path), parsed


def _kept(parsed: str) -> Parsed | None:
    """A page's header as the cache kept it; None when the text is not what it should be."""
    try:
        return shape(Parsed).decode(loads(parsed))  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - anything unexpected in the cache: read the page
        return None


def _keepable(parsed: Parsed) -> str | None:
    """A page's header as JSON text for the cache; None when it cannot be kept."""
    try:
        return dumps(shape(Parsed).encode(parsed))
    except (ValueError, RecursionError):
        return None


def _context(pages: list[str], names: dict[str, str], persona_ids: dict[str, str],
             personas: list[Persona], journeys: list[Journey], settings: Settings,
             languages: Languages, labels: Labels) -> str:
    """A fingerprint of everything a page's outcome depends on besides its own bytes. Not
    the day: the rules that depend on it run over all the pieces (`rules.freshness`)."""
    return digest(
        "\n".join(pages), repr(sorted(names.items())), repr(sorted(persona_ids.items())),
        repr([(p.id, p.journeys) for p in personas]),
        repr([(j.id, [s.id for s in j.stages]) for j in journeys]),
        repr(settings.exclude), repr(languages), repr(labels),
    )


class PageText(NamedTuple):
    """A page read whole, judged as `load_pieces` judges it."""

    state: str  # the state of its front-matter block (see `Header`)
    body: str  # the text after the block; all of it when there is none
    front_matter: safe_yaml.YamlMap | None  # the parsed block: None when none or broken
    broken: str | None  # why the block must not reach a less careful parser, or None


class PageReader:
    """Reads whole pages for an adapter that hands them to a site builder, so the
    builder neither reads a page again nor parses its front-matter itself."""

    def __init__(self, docs_dir: Path, root: Path):
        self.docs = str(docs_dir)
        self.homes = Homes((Path(docs_dir), root))

    def read(self, path: str) -> PageText:
        findings: list[Finding] = []  # reported by the analysis, which reads the same
        broken: dict[str, str] = {}
        read = read_page_header(path, path, os.path.join(self.docs, path), self.homes,
                                findings, broken, whole=True)
        if read is None:
            return PageText("none", "", None, broken.get(path))
        header, body = read
        data = front_matter(path, path, header, findings, broken)
        return PageText(header.state, body, data, broken.get(path))


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()

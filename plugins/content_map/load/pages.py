"""Turning pages' front-matter into content pieces, with their references checked."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import posixpath
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..cache import Identity, PageCache, collector_paused, digest
from ..cachecodec import dumps, loads, shape
from ..model import STATUSES, Finding, Journey, Persona, Piece, StageRef
from ..settings import Settings
from ..suggestion import closest, shown
from . import safe_yaml
from .header import Header, TextProblem, read_header, read_page
from .registry import resolve_stage
from .schema import PAGE_FIELDS, Validator

__all__ = ["PageIndex", "PageReader", "PageText", "excluded", "load_pieces", "utf8_name"]

_URL_SCHEMES = ("http:", "https:", "mailto:", "ftp:", "javascript:", "data:", "vbscript:", "//")


@dataclass
class PageIndex:
    """The site's Markdown pages, docs-relative, for resolving `next`."""

    paths: set[str]
    _nfc: dict[str, str] | None = None

    def same_letters(self, path: str) -> str | None:
        """The page whose name is `path` in another Unicode normal form (NFC vs NFD)."""
        if self._nfc is None:
            self._nfc = {unicodedata.normalize("NFC", p): p for p in self.paths}
        return self._nfc.get(unicodedata.normalize("NFC", path))

    def resolve(self, page: str, target: str) -> tuple[str | None, str | None]:
        """(the docs-relative path `target` names, or None; a suggestion)."""
        if target in self.paths:  # the usual case: a docs-relative path, written exactly
            return target, None
        target = target.strip().split("#", 1)[0]
        if not target:
            return None, None
        candidates = [posixpath.normpath(target.lstrip("/"))]
        if not target.startswith("/"):
            candidates.append(posixpath.normpath(posixpath.join(posixpath.dirname(page), target)))
        for candidate in candidates:
            if candidate.endswith("/") or not candidate.endswith(".md"):
                for form in (f"{candidate.rstrip('/')}.md", f"{candidate.rstrip('/')}/index.md"):
                    if form in self.paths:
                        return form, None
            if candidate in self.paths:
                return candidate, None
        for candidate in candidates:
            same = self.same_letters(candidate)
            if same is not None:
                return None, same
        return None, closest(candidates[0], self.paths, cutoff=0.8)


def excluded(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


PARALLEL_FROM = 2000
"""Pages to read before a second process pays for itself (a fork costs ~30 ms)."""

# (piece or None, the page's findings, why its front-matter is broken or None, and the
# parsed front-matter as JSON text for the cache, or None)
Outcome = tuple["Piece | None", list[Finding], "str | None", "str | None"]

Parsed = tuple[str | None, safe_yaml.YamlMap | None, list[Finding], str | None]
"""What reading a page's header gives: its title, front-matter, findings and why the
front-matter is broken. The cache keeps it as JSON text, decoded only when a page's
outcome must be made again (when personas, journeys, the pages or the day changed)."""

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
    today: dt.date,
    cache: PageCache | None = None,
    parallel: bool = False,
) -> tuple[list[Piece], list[Finding]]:
    """Read each page's header; return the pieces and the findings.

    Excluded pages are not pieces, but their front-matter is still checked: MkDocs
    parses it all the same. With a `cache`, a page whose file is unchanged since the
    last run is not read again: its parsed front-matter and findings come from the cache.
    With `parallel`, many pages to read are shared among the machine's cores.
    """
    pages = sorted(pages)
    job = _PageJob(pages, docs_dir, root, journeys, personas, settings, today,
                   cache is not None)
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
                if hit[0] == job.context:  # same file, personas, journeys, pages and day
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
                 personas: list[Persona], settings: Settings, today: dt.date,
                 keep_parsed: bool):
        self.docs = str(docs_dir)
        self.docs_sep = os.path.join(self.docs, "")  # the docs folder, ending with a separator
        self.docs_rel = _relative(docs_dir, root)
        self.homes = _Homes((Path(docs_dir), root))
        self.index = PageIndex(set(pages))
        self.names = {f.name: settings.field_name(f.name) for f in PAGE_FIELDS}
        self.persona_ids: dict[str, str] = {}
        for persona in personas:
            self.persona_ids[persona.id] = persona.id
            for alias in persona.aliases:
                self.persona_ids.setdefault(alias, persona.id)
        self.by_id = {p.id: p for p in personas}
        self.journeys = journeys
        self.settings = settings
        self.today = today
        self.keep_parsed = keep_parsed
        self.context = _context(pages, self.names, self.persona_ids, personas, journeys,
                                settings, today)
        self.shared: dict[Any, Any] = {}  # one object for each value many pieces hold

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
            read = _read(path, file, os.path.join(self.docs, path), self.homes, findings,
                         broken)
            if read is None:
                return None, findings, broken.get(path), None
            header = read[0]
            data = _front_matter(path, file, header, findings, broken)
            title = header.title
            # Kept as JSON text: decoded only when the context changes.
            parsed = _keepable((title, data, findings[:], broken.get(path))) \
                if self.keep_parsed else None
        piece = None
        names = self.names
        if excluded(path, self.settings.exclude):
            pass
        elif data is None or not any(names[k] in data for k in ("personas", "stage", "stages")):
            if path not in broken:
                _unmapped(file, findings)
        else:
            piece = _piece(path, file, title, data, findings, self.index, names,
                           self.persona_ids, self.by_id, self.journeys, self.today, self.share)
        if data is not None and data.unbuilt:
            _unbuilt(file, data, findings, 0)
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
        self.homes = _Homes((Path(docs_dir), root))

    def read(self, path: str) -> PageText:
        findings: list[Finding] = []  # reported by the analysis, which reads the same
        broken: dict[str, str] = {}
        read = _read(path, path, os.path.join(self.docs, path), self.homes, findings, broken,
                     whole=True)
        if read is None:
            return PageText("none", "", None, broken.get(path))
        header, body = read
        data = _front_matter(path, path, header, findings, broken)
        return PageText(header.state, body, data, broken.get(path))


class _Homes:
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
        so it is never taken from the cache and `_read` looks at it in full. The change
        time is part of it: an edit that keeps the size and sets the modification time
        back still changes it.
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


def _read(path: str, file: str, full: str, homes: _Homes, findings: list[Finding],
          broken: dict[str, str], whole: bool = False) -> tuple[Header, str] | None:
    """The page's header and, when read `whole`, its body (else ""); None (with a
    finding) when the page must not be read."""
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


_STATES = {
    "unclosed": "the front-matter block is never closed: add a `---` line after the last "
                "field (MkDocs would show the block as page text)",
    "too-large": "no closing `---` line in the first 256 KB: the front-matter block is never "
                 "closed, or too large; close it, or shorten it",
    "no-break": "the closing `---` is the last line of the file and has no line break after "
                "it, so MkDocs shows the front-matter as page text; end the file with a line "
                "break",
    "hidden": "invisible characters (a second byte-order mark, or a zero-width space) stand "
              "before the opening `---`, so MkDocs shows the front-matter as page text; "
              "delete them",
}


def _front_matter(path: str, file: str, header: Header, findings: list[Finding],
                  broken: dict[str, str]) -> safe_yaml.YamlMap | None:
    """The page's front-matter as a mapping; None when it has none or it is broken.

    A broken block gets a finding and is recorded in `broken`, whether or not the
    page is a piece: MkDocs would render it as text, or crash on it.
    """
    if header.state in _STATES:
        findings.append(Finding("yaml-syntax", file, header.end_line or 1,
                                _STATES[header.state]))
        broken[path] = header.state
        return None
    if header.state == "none":
        return None
    try:
        data = safe_yaml.load(header.yaml)
    except safe_yaml.YamlProblem as exc:
        findings.append(Finding("yaml-syntax", file, (exc.line or 0) + 1,
                                f"invalid front-matter: {exc.message}", column=exc.column))
        broken[path] = "yaml"
        return None
    if data is None:
        return None
    if not isinstance(data, safe_yaml.YamlMap):
        findings.append(Finding("yaml-syntax", file, 2,
                                "the front-matter must be `key: value` lines, not "
                                + ("a list" if isinstance(data, list) else "a single value")))
        broken[path] = "not-mapping"
        return None
    if data.unbuilt:  # PyYAML, so MkDocs, fails on the block: `_unbuilt` reports why
        broken[path] = "unbuilt"
    return data


def _unbuilt(file: str, data: safe_yaml.YamlMap, findings: list[Finding], start: int) -> None:
    """Report each value YAML types but cannot build, unless a field check already did."""
    reported = {f.line for f in findings[start:] if f.file == file}
    for line, text, kind in data.unbuilt:
        if line + 1 in reported:
            continue
        findings.append(Finding(
            "schema", file, line + 1,
            f"`{shown(text)}` reads as {kind} in YAML but is not a valid one, so MkDocs "
            f"cannot read this front-matter; correct it, or put it in quotes: '{shown(text)}'",
            suggestion=f"'{text}'" if len(text) <= 80 else None,
        ))


def _context(pages: list[str], names: dict[str, str], persona_ids: dict[str, str],
             personas: list[Persona], journeys: list[Journey], settings: Settings,
             today: dt.date) -> str:
    """A fingerprint of everything a page's outcome depends on besides its own bytes."""
    return digest(
        "\n".join(pages), repr(sorted(names.items())), repr(sorted(persona_ids.items())),
        repr([(p.id, p.journeys) for p in personas]),
        repr([(j.id, [s.id for s in j.stages]) for j in journeys]),
        repr(settings.exclude), today.isoformat(),
    )


_TEXT_FIELDS = tuple(f.name for f in PAGE_FIELDS if f.kind == "text")
_LIST_FIELDS = tuple((f.name, f.single) for f in PAGE_FIELDS if f.kind == "texts")
_STATUSES = frozenset(STATUSES)


def _plainly_valid(data: safe_yaml.YamlMap, names: dict[str, str]) -> dict[str, Any] | None:
    """The page fields when every one is plainly valid (as nearly all are), else None.

    A shortcut past the general validator, accepting only what it would accept
    unchanged: non-blank text, lists of non-blank text, a known status, a real date.
    """
    clean: dict[str, Any] = {}
    get = data.get
    for name in _TEXT_FIELDS:
        value = get(names[name])
        if value is None:
            continue
        if type(value) is not str or not value.strip():
            return None
        clean[name] = value
    for name, single in _LIST_FIELDS:
        value = get(names[name])
        if value is None:
            continue
        if single and type(value) is str:
            value = [value]
        elif type(value) is not safe_yaml.YamlList:
            return None
        for item in value:
            if type(item) is not str or not item.strip():
                return None
        clean[name] = tuple(value)
    status = get(names["status"])
    if status is not None:
        if status not in _STATUSES or type(status) is not str:
            return None
        clean["status"] = status
    review_by = get(names["review_by"])
    if review_by is not None:
        if type(review_by) is not dt.date:
            return None
        clean["review_by"] = review_by
    return clean


def _piece(path: str, file: str, title: str | None, data: safe_yaml.YamlMap,
           findings: list[Finding], index: PageIndex, names: dict[str, str],
           persona_ids: dict[str, str], personas: dict[str, Persona],
           journeys: list[Journey], today: dt.date,
           share: Callable[..., Any] = lambda value, key=None: value) -> Piece | None:
    clean = _plainly_valid(data, names)
    if clean is None:  # something is unusual: the full check explains what
        validator = Validator(file, findings, line_offset=1)
        clean = validator.mapping(data, PAGE_FIELDS, what="the front-matter", unknown=False,
                                  names=names)
    lines = {name: data.lines[key] + 1 for name, key in names.items() if key in data.lines}

    def where(name: str, item: int | None = None) -> int:
        raw = data.get(names[name])
        if item is not None and isinstance(raw, safe_yaml.YamlList) and item < len(raw.lines):
            return raw.lines[item] + 1
        return lines.get(name, 2)

    resolved_personas: list[str] = []
    for item, name in enumerate(clean.get("personas", ())):
        canonical = persona_ids.get(name)
        if canonical is None:
            guess = closest(name, persona_ids)
            findings.append(Finding(
                "unknown-persona", file, where("personas", item),
                f"`{shown(name)}` is not a persona"
                + (f"; did you mean `{shown(guess)}`?" if guess else
                   "; add a file to personas/ or fix the id"),
                suggestion=guess, persona=name,
            ))
        elif canonical not in resolved_personas:
            resolved_personas.append(canonical)

    refs: list[StageRef] = []
    stage_refs: list[tuple[str, int | None, str]] = (
        [("stage", None, clean["stage"])] if "stage" in clean else [])
    stage_refs += [("stages", i, s) for i, s in enumerate(clean.get("stages", ()))]
    hint: str | None = clean.get("journey")
    if hint is not None and not any(j.id == hint for j in journeys):
        guess = closest(hint, [j.id for j in journeys])
        findings.append(Finding("unknown-stage", file, where("journey"),
                                f"`{shown(hint)}` is not a journey"
                                + (f"; did you mean `{shown(guess)}`?" if guess else ""),
                                suggestion=guess, journey=hint))
        hint = None
    for field_name, position, ref in stage_refs:
        matches, guess = resolve_stage(ref, journeys, hint)
        line = where(field_name, position)
        if not matches:
            findings.append(Finding(
                "unknown-stage", file, line,
                f"`{shown(ref)}` is not a stage of "
                + (f"the `{hint}` journey" if hint else "any journey")
                + (f"; did you mean `{shown(guess)}`?" if guess else ""),
                suggestion=guess, stage=ref,
            ))
        elif len(matches) > 1:
            options = [f"{s.journey}/{s.id}" for s in matches]
            findings.append(Finding(
                "unknown-stage", file, line,
                f"`{shown(ref)}` is a stage of several journeys; write "
                + " or ".join(f"`{o}`" for o in options),
                suggestion=options[0], stage=ref,
            ))
        else:
            stage_ref = StageRef(matches[0].journey, matches[0].id)
            if stage_ref not in refs:
                refs.append(stage_ref)

    for persona_id in resolved_personas:
        persona = personas[persona_id]
        for stage_ref in refs:
            if not persona.follows(stage_ref.journey):
                findings.append(Finding(
                    "persona-journey", file, where("stage" if "stage" in clean else "stages"),
                    f"`{persona_id}` does not follow the `{stage_ref.journey}` journey, so this "
                    f"page cannot serve it at `{stage_ref.stage}`: add `{stage_ref.journey}` to "
                    "the persona's `journeys`, or map the page to another stage",
                    persona=persona_id, journey=stage_ref.journey, stage=stage_ref.stage,
                ))

    next_paths: list[str] = []
    for item, target in enumerate(clean.get("next", ())):
        if target.strip().lower().startswith(_URL_SCHEMES):
            findings.append(Finding("unknown-next", file, where("next", item),
                                    f"`next` must name a page of this site, not the address "
                                    f"`{shown(target)}`"))
            continue
        resolved, guess = index.resolve(path, target)
        if resolved is None:
            findings.append(Finding(
                "unknown-next", file, where("next", item),
                f"the next step `{shown(target)}` is not a page of this site"
                + (f"; did you mean `{shown(guess)}`?" if guess else
                   " (paths are relative to the docs directory)")
                + (" (the same letters, encoded differently: copy the file's name)"
                   if guess and index.same_letters(guess) == index.same_letters(target.strip())
                   else ""),
                suggestion=guess,
            ))
        elif resolved != path and resolved not in next_paths:
            next_paths.append(resolved)

    review_by = clean.get("review_by")
    if review_by is not None and review_by < today:
        findings.append(Finding(
            "stale", file, where("review_by"),
            f"the review date {review_by.isoformat()} has passed; review the page and move "
            "`review_by` forward",
        ))
    return Piece(
        path=path,
        file=file,
        title=clean.get("title") or title or _title_from_path(path),
        personas=share(tuple(resolved_personas)),
        stages=share(tuple(refs)),
        status=share(clean.get("status", "published")),
        owner=share(clean.get("owner")),
        channel=share(clean.get("channel")),
        format=share(clean.get("format")),
        intent=share(clean.get("intent")),
        review_by=share(review_by),
        next=tuple(next_paths),
        line=1,
        lines=share(lines, tuple(lines.items())),
    )



def _unmapped(file: str, findings: list[Finding]) -> None:
    findings.append(Finding("unmapped-page", file, 1,
                            "the page names no persona and no stage; add `personas` and `stage` "
                            "to its front-matter, or exclude it"))


def _title_from_path(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem == "index":
        stem = posixpath.basename(posixpath.dirname(path)) or "Home"
    return stem.replace("-", " ").replace("_", " ").capitalize()


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()

